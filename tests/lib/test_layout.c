// SPDX-License-Identifier: BSD-2-Clause
/*
 * tools/btfhub/layout: key parts, "D/V/A/R" specs, BTFHub's spellings,
 * candidate archive paths and the tree walker (order, strict and lenient
 * modes), on a scratch tree. TAP output.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "layout.h"
#include "log.h"
#include "tap.h"


static int parse(const char *spec, struct layout_key *k, char *buf, char *why)
{
	return layout__parse_key(spec, strlen(spec), buf, k, why, 128);
}

static void test_parts(void)
{
	static const char *const bad[] = {
		"", ".", "..", ".hidden", "a/b", "a..b", "x\ny", "x\x1b[31m", "x\x7f",
		"r\xff\xfe", "r\xc3", "r\xc0\xaf", "r\xed\xa0\x80", "x\xc2\x9b" "2J",
	};
	char long_release[LAYOUT_RELEASE_MAX + 2];
	size_t i;
	int good = 1;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		good &= layout__part_invalid(LAYOUT_RELEASE, bad[i]) != NULL;
	ok(good, "parts: empty, dot, '..', '/', control bytes, C1 controls, bytes that are not "
	   "UTF-8 (stray, cut, overlong, surrogate) refused");
	ok(layout__part_invalid(LAYOUT_RELEASE, "r\xff") &&
	   !strcmp(layout__part_invalid(LAYOUT_RELEASE, "r\xff"), "is not valid UTF-8"),
	   "parts: a 0xff byte is 'not valid UTF-8'");
	ok(!layout__part_invalid(LAYOUT_RELEASE, "5.4.0-1.el8+2~b_x") &&
	   !layout__part_invalid(LAYOUT_RELEASE, "r\xc3\xa9\xe2\x82\xac\xf0\x9f\x90\xa7") &&
	   !layout__part_invalid(LAYOUT_VERSION, "bullseye"),
	   "parts: real release names (and valid UTF-8) accepted");
	memset(long_release, 'r', sizeof(long_release) - 1);
	long_release[LAYOUT_RELEASE_MAX] = '\0';
	ok(!layout__part_invalid(LAYOUT_RELEASE, long_release), "parts: 191-byte release accepted");
	long_release[LAYOUT_RELEASE_MAX] = 'r';
	long_release[LAYOUT_RELEASE_MAX + 1] = '\0';
	ok(layout__part_invalid(LAYOUT_RELEASE, long_release) != NULL,
	   "parts: 192-byte release refused");
	ok(layout__part_invalid(LAYOUT_ARCH, "0123456789012345678901234567890123") != NULL,
	   "parts: 34-byte arch refused");
}

static void test_keys(void)
{
	static const char *const bad[] = {
		"a/b/c", "a/b/c/d/e", "//a/b/c/d", "a/../c/..", "a//c/d", "a/b/c/", "/a/b/c",
		"debian/12/x86_64/\x01", "../../../etc",
	};
	char buf[LAYOUT_KEY_MAX + 1], why[128], *big;
	struct layout_key k;
	size_t i;
	int good = 1;

	ok(!parse("debian/bullseye/aarch64/5.10.0-28-arm64", &k, buf, why) &&
	   !strcmp(k.distro, "debian") && !strcmp(k.version, "bullseye") &&
	   !strcmp(k.arch, "aarch64") && !strcmp(k.release, "5.10.0-28-arm64"),
	   "key: D/V/A/R split, as given");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		good &= parse(bad[i], &k, buf, why) == -EINVAL && why[0];
	}
	ok(good, "key: wrong part counts, empty parts, '..', control bytes refused with a reason");
	parse("a/../c/..", &k, buf, why);
	ok(!strcmp(why, "version contains '..'"), "key: the reason names the part");
	ok(!layout__parse_key("x/y/z/w=PATH", 7, buf, &k, why, sizeof(why)) &&
	   !strcmp(k.release, "w"), "key: a prefix of a longer string (--entry KEY=PATH)");
	big = malloc(100000);
	memset(big, 'a', 99999);
	big[99999] = '\0';
	big[1] = big[3] = big[5] = '/';
	ok(parse(big, &k, buf, why) == -EINVAL, "key: 100 KB spec refused, not copied");
	free(big);
}

static void test_names(void)
{
	const struct layout_key deb11 = { "debian", "11", "aarch64", "5.10.0-28-arm64" };
	const struct layout_key centos = { "centos", "8", "x86_64", "4.18.0" };
	const char *d[2];
	char *p[LAYOUT_MAX_CANDIDATES];
	int n, i;

	ok(!strcmp(layout__arch_name("aarch64"), "arm64") &&
	   !strcmp(layout__arch_name("amd64"), "x86_64") &&
	   !strcmp(layout__arch_name("s390x"), "s390x"), "names: arch");
	ok(!strcmp(layout__version_alias("debian", "11"), "bullseye") &&
	   !strcmp(layout__version_alias("ubuntu", "focal"), "20.04") &&
	   !layout__version_alias("centos", "8"), "names: version aliases");
	ok(!strcmp(layout__version_canon("debian", "bookworm"), "12"), "names: canonical version");
	ok(layout__version_dirs("debian", "11", d) == 2 && !strcmp(d[0], "bullseye") &&
	   layout__version_dirs("debian", "12", d) == 2 && !strcmp(d[0], "12"),
	   "names: Debian 11 is filed as bullseye, 12 as 12");
	ok(layout__major_only("rocky") && !layout__major_only("debian"), "names: major-only distros");
	n = layout__archive_paths(&deb11, p);
	ok(n == 4 && !strcmp(p[0], "debian/bullseye/arm64/5.10.0-28-arm64.btf.tar.xz") &&
	   !strcmp(p[1], "debian/bullseye/aarch64/5.10.0-28-arm64.btf.tar.xz") &&
	   !strcmp(p[3], "debian/11/aarch64/5.10.0-28-arm64.btf.tar.xz"),
	   "names: candidate archive paths, arch spelling varies fastest");
	for (i = 0; i < n; i++)
		free(p[i]);
	n = layout__archive_paths(&centos, p);
	ok(n == 1 && !strcmp(p[0], "centos/8/x86_64/4.18.0.btf.tar.xz"), "names: one candidate");
	for (i = 0; i < n; i++)
		free(p[i]);
}

static char root[64];

static void touch(const char *rel, size_t size)
{
	char path[512], *dir;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	dir = strdup(path);
	for (char *s = dir + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(dir, 0755);
		*s = '/';
	}
	free(dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		if (size && ftruncate(fd, size))
			perror(path);
		close(fd);
	}
}

static int collect(const char *path, const struct layout_key *k, enum layout_file kind,
		   uint64_t size, void *ctx)
{
	char *s = ctx;

	sprintf(s + strlen(s), "%s/%s/%s/%s:%c ", k->distro, k->version, k->arch, k->release,
		kind == LAYOUT_FILE_RAW ? 'r' : 'a');
	return 0;
}

static int stop(const char *path, const struct layout_key *k, enum layout_file kind,
		uint64_t size, void *ctx)
{
	return -ECANCELED;
}

static void test_walk(void)
{
	struct layout_walk_opts lenient = { .files = LAYOUT_FILE_RAW | LAYOUT_FILE_ARCHIVE };
	struct layout_walk_opts strict = { .files = LAYOUT_FILE_RAW, .strict = true };
	char seen[2048] = "";

	snprintf(root, sizeof(root), "/tmp/test_layout.XXXXXX");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		exit(99);
	}
	touch("ubuntu/20.04/x86_64/b.btf", 10);
	touch("ubuntu/20.04/x86_64/B.btf", 10);
	touch("ubuntu/20.04/x86_64/a.btf.tar.xz", 10);
	touch("debian/bullseye/arm64/z.btf", 10);
	touch("debian/bullseye/arm64/.z.btf.Xy12ab", 10);	/* a temp file: skipped */
	ok(!layout__walk(root, &lenient, collect, seen) &&
	   !strcmp(seen, "debian/bullseye/arm64/z:r ubuntu/20.04/x86_64/B:r "
			 "ubuntu/20.04/x86_64/a:a ubuntu/20.04/x86_64/b:r "),
	   "walk: byte order at every level, both kinds, dot-files skipped");
	printf("# %s\n", seen);
	seen[0] = '\0';
	lenient.files = LAYOUT_FILE_RAW;
	ok(!layout__walk(root, &lenient, collect, seen) && !strstr(seen, ":a") && strstr(seen, ":r"),
	   "walk: raw only when asked");
	ok(layout__walk(root, &strict, collect, seen) == -EINVAL,
	   "walk: strict refuses an archive where raw BTF is expected");
	lenient.files |= LAYOUT_FILE_ARCHIVE;
	ok(layout__walk(root, &lenient, stop, NULL) == -ECANCELED, "walk: the callback's error stops it");

	touch("ubuntu/README", 1);
	touch("ubuntu/20.04/x86_64/notes.txt", 1);
	touch("bad\x01name/1/x86_64/r.btf", 1);
	seen[0] = '\0';
	ok(!layout__walk(root, &lenient, collect, seen) && !strstr(seen, "name"),
	   "walk: lenient skips stray files and bad names");
	ok(layout__walk(root, &strict, collect, seen) == -EINVAL, "walk: strict refuses them");
	ok(layout__walk("/nonexistent/tree", &lenient, collect, seen) == -ENOENT,
	   "walk: a missing tree is an error");
	touch("big/1/x86_64/huge.btf", LAYOUT_BTF_MAX + 1);
	seen[0] = '\0';
	ok(!layout__walk(root, &lenient, collect, seen) && !strstr(seen, "huge"),
	   "walk: a raw BTF over the cap is skipped (sparse 512 MiB + 1 file)");
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
		if (system(cmd))
			perror(cmd);
	}
}

int main(void)
{
	log_init("test_layout", LOG_LEVEL_QUIET);
	test_parts();
	test_keys();
	test_names();
	test_walk();
	return tap_done();
}
