// SPDX-License-Identifier: BSD-2-Clause
/*
 * btf_bundle__select(), every step and source without root: the kernel's
 * own BTF present, absent, not consulted and forced (step 2 pointed at a
 * file of the test's own through bundle_internal.h); an explicit file that
 * is not a kernel's BTF, each kind refused by name and never skipped; the
 * embedded table empty, corrupt, bound to another object or to this one;
 * bundle files in order and a bundle directory in name order; the first
 * source with an entry winning over a later exact one; forced sources;
 * report mode; the host from an os-release file and overrides; bad options.
 * test_select.c has the lookups (exact, alias, fallback) through select.
 * TAP output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "btf_bundle.h"
#include "btf_fixtures.h"
#include "bundle_build.h"
#include "bundle_internal.h"
#include "fsutil.h"
#include "tap.h"

/* Hosts of main_set: an exact key, and one no bundle of this test holds. */
#define EXACT "ubuntu/20.04/x86_64/5.4.0-100-generic"	/* variant 0 */
#define NOWHERE "gentoo/1/x86_64/9.9.9-test"
#define OS_RELEASE "NAME=\"Ubuntu\"\nID=ubuntu\nVERSION_ID=\"20.04\"\n"
/* A bundle that has only NOWHERE's kernel (variant 2). */
static const struct input nowhere_set[1] = { { "x86_64", "gentoo", "1", "9.9.9-test", 2 } };

static char dir[] = "/tmp/test_select_steps.XXXXXX";
/* Step 2's stand-ins: a file there, and none. */
static char sys_present[256], sys_absent[256];
static void *full, *bound, *other;
static size_t full_len, bound_len, other_len;
static struct btf_host *exact, *nowhere;

static const char *in_dir(const char *name)
{
	static char buf[8][256];
	static unsigned int n;
	char *p = buf[n++ % 8];

	snprintf(p, sizeof(buf[0]), "%s/%s", dir, name);
	return p;
}

static int put(const char *name, const void *data, size_t len)
{
	const char *p = in_dir(name);
	FILE *f = fopen(p, "w");
	int err = !f || (len && fwrite(data, 1, len, f) != len);

	if (f && fclose(f))
		err = 1;
	return err ? -EIO : 0;
}

/* Every step of @c as diagnostics, for a result that failed. */
static void dump(const struct btf_bundle_choice *c)
{
	BTF_BUNDLE_OPTS(btf_bundle_step, s);
	uint32_t i;

	for (i = 0; c && !btf_bundle_choice__step(c, i, &s); i++)
		diag("step %u: %s %d %s: %s", i, btf_bundle__source_name(s.source), s.err, s.where,
		     s.detail);
}

static uint32_t step_cnt(const struct btf_bundle_choice *c)
{
	return c ? btf_bundle_choice__step_cnt(c) : 0;
}

static const char *desc(const struct btf_bundle_choice *c)
{
	return c ? btf_bundle_choice__desc(c) : "(no choice)";
}

static void test_system(void)
{
	const char *sysbtf = sys_present, *absent = sys_absent;
	struct btf_bundle_choice *c = NULL;
	const char *d;
	int err, serr;

	if (!ok(!put("vmlinux", "kernel BTF stand-in", 19), "system: a stand-in for %s", sysbtf))
		return;
	bundle_system_btf = sysbtf;
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .embedded = full, .embedded_sz = full_len,
				.host = exact);

		err = btf_bundle__select(&so, &c);
		d = c ? step_detail(c, BTF_BUNDLE_SRC_EMBEDDED, &serr) : "";
		ok(!err && btf_bundle_choice__source(c) == BTF_BUNDLE_SRC_SYSTEM &&
		   !btf_bundle_choice__custom_path(c) && strstr(desc(c), sysbtf) && serr == 1,
		   "system: present -> the kernel's own BTF (custom path NULL), embedded not tried (%s)",
		   desc(c));
		btf_bundle_choice__free(c);
	}
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .embedded = full, .embedded_sz = full_len,
				.host = exact, .no_system = true);

		err = btf_bundle__select(&so, &c);
		d = c ? step_detail(c, BTF_BUNDLE_SRC_SYSTEM, &serr) : "";
		ok(!err && btf_bundle_choice__source(c) == BTF_BUNDLE_SRC_EMBEDDED &&
		   serr == -ENOENT && !strcmp(d, "not consulted"),
		   "system: no_system -> present but not consulted (%s), embedded used", d);
		btf_bundle_choice__free(c);
	}
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .embedded = full, .embedded_sz = full_len,
				.host = exact, .no_system = true, .source = BTF_BUNDLE_SRC_SYSTEM);

		err = btf_bundle__select(&so, &c);
		ok(!err && btf_bundle_choice__source(c) == BTF_BUNDLE_SRC_SYSTEM && step_cnt(c) == 1,
		   "system: forced, it is consulted despite no_system, and nothing else (%u steps)",
		   step_cnt(c));
		btf_bundle_choice__free(c);
	}
	bundle_system_btf = absent;
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .embedded = full, .embedded_sz = full_len,
				.host = exact);

		err = btf_bundle__select(&so, &c);
		d = c ? step_detail(c, BTF_BUNDLE_SRC_SYSTEM, &serr) : "";
		ok(!err && serr == -ENOENT && strstr(d, "without CONFIG_DEBUG_INFO_BTF") &&
		   btf_bundle_choice__source(c) == BTF_BUNDLE_SRC_EMBEDDED &&
		   path_is(btf_bundle_choice__custom_path(c), 0) && strstr(desc(c), "exact match"),
		   "system: absent (%s) -> the embedded exact entry (%s)", d, desc(c));
		btf_bundle_choice__free(c);
	}
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .embedded = full, .embedded_sz = full_len,
				.host = exact, .source = BTF_BUNDLE_SRC_SYSTEM);

		err = btf_bundle__select(&so, &c);
		ok(err == -ENOENT && c && btf_bundle_choice__source(c) == BTF_BUNDLE_SRC_AUTO &&
		   step_cnt(c) == 1 && strstr(btf_bundle_choice__explain(c), absent),
		   "system: forced and absent -> -ENOENT, the embedded table not tried: %s",
		   c ? btf_bundle_choice__explain(c) : "?");
		btf_bundle_choice__free(c);
	}
}

/* An explicit file that is not a kernel's BTF: refused by name, never skipped. */
static void file_refused(const char *what, const char *path, const char *why)
{
	struct btf_bundle_choice *c = NULL;
	const char *d;
	int err, serr;
	BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .btf_file = path, .embedded = full,
			.embedded_sz = full_len, .host = exact);

	err = btf_bundle__select(&so, &c);
	d = c ? step_detail(c, BTF_BUNDLE_SRC_FILE, &serr) : "";
	ok(err < 0 && c && serr == err && strstr(d, why) && step_cnt(c) == 1 &&
	   btf_bundle_choice__source(c) == BTF_BUNDLE_SRC_AUTO &&
	   strstr(btf_bundle_choice__explain(c), path),
	   "file: %s refused (%d, \"%s\"), the embedded entry not used instead", what, err, d);
	btf_bundle_choice__free(c);
}

static void test_file(void)
{
	/* An ELF header whose e_machine is EM_BPF (247): a BPF object, not a kernel. */
	unsigned char bpf_elf[64] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };

	bpf_elf[18] = 247;
	if (!ok(!put("text", "not BTF at all\n", 15) && !put("empty", "", 0) &&
		!put("bpf.o", bpf_elf, sizeof(bpf_elf)) && !mkfifo(in_dir("fifo"), 0600) &&
		!mkdir(in_dir("adir"), 0700), "file: the refused kinds made"))
		return;
	file_refused("a text file", in_dir("text"), "no BTF magic");
	file_refused("an empty file", in_dir("empty"), "an empty file");
	file_refused("a BPF object", in_dir("bpf.o"), "a BPF object");
	file_refused("a FIFO (not read: no hang)", in_dir("fifo"), "a FIFO");
	file_refused("a directory", in_dir("adir"), "a directory");
	file_refused("a missing file", in_dir("missing"), "cannot open");
}

static void test_embedded(void)
{
	struct btf_bundle_choice *c = NULL;
	uint8_t a[32], other_digest[32];
	uint8_t *corrupt = malloc(full_len);
	const char *d;
	int err, serr;

	build_object_digest(0, a);
	memset(other_digest, 0x5a, sizeof(other_digest));
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true, .host = exact);

		err = btf_bundle__select(&so, &c);
		d = c ? step_detail(c, BTF_BUNDLE_SRC_EMBEDDED, &serr) : "";
		ok(err == -ENOENT && serr == -ENOENT && strstr(d, "built without kernels"),
		   "embedded: none linked in -> \"%s\"", d);
		btf_bundle_choice__free(c);
	}
	if (!ok(corrupt != NULL, "embedded: a corrupt copy"))
		return;
	memcpy(corrupt, full, full_len);
	corrupt[full_len / 2] ^= 0x40;
	{
		const char *files[] = { in_dir("full.btfb") };
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true, .embedded = corrupt,
				.embedded_sz = full_len, .bundle_files = files, .bundle_file_cnt = 1,
				.host = exact);

		err = btf_bundle__select(&so, &c);
		d = c ? step_detail(c, BTF_BUNDLE_SRC_EMBEDDED, &serr) : "";
		ok(!err && serr == -EBADMSG && strstr(d, "cannot open bundle") &&
		   btf_bundle_choice__source(c) == BTF_BUNDLE_SRC_BUNDLE &&
		   path_is(btf_bundle_choice__custom_path(c), 0),
		   "embedded: corrupt (%s) -> the bundle file instead", d);
		btf_bundle_choice__free(c);
	}
	free(corrupt);
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true, .embedded = bound,
				.embedded_sz = bound_len, .host = exact, .object_digest = other_digest);

		err = btf_bundle__select(&so, &c);
		d = c ? step_detail(c, BTF_BUNDLE_SRC_EMBEDDED, &serr) : "";
		ok(err == -ENOENT && serr == -ESTALE && strstr(d, "another BPF object") &&
		   strstr(btf_bundle_choice__explain(c), "embedgen --object"),
		   "embedded: reduced against another object -> refused, and said: %s",
		   c ? btf_bundle_choice__explain(c) : "?");
		btf_bundle_choice__free(c);
	}
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true, .embedded = bound,
				.embedded_sz = bound_len, .host = exact, .object_digest = other_digest,
				.source = BTF_BUNDLE_SRC_EMBEDDED);

		err = btf_bundle__select(&so, &c);
		ok(err == -ESTALE && c && btf_bundle_choice__source(c) == BTF_BUNDLE_SRC_AUTO,
		   "embedded: forced and refused -> -ESTALE (%d)", err);
		btf_bundle_choice__free(c);
	}
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true, .embedded = bound,
				.embedded_sz = bound_len, .host = exact, .object_digest = a);

		err = btf_bundle__select(&so, &c);
		ok(!err && btf_bundle_choice__source(c) == BTF_BUNDLE_SRC_EMBEDDED &&
		   path_is(btf_bundle_choice__custom_path(c), 0),
		   "embedded: reduced against this object -> used (%s)", desc(c));
		btf_bundle_choice__free(c);
	}
}

static void test_bundles(void)
{
	struct btf_bundle_choice *c = NULL;
	BTF_BUNDLE_OPTS(btf_bundle_step, s);
	uint8_t other_digest[32];
	const char *d;
	int err, serr;

	memset(other_digest, 0x5a, sizeof(other_digest));
	{
		const char *files[] = { in_dir("missing.btfb"), in_dir("other.btfb"),
					in_dir("full.btfb"), in_dir("full2.btfb") };
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true, .bundle_files = files,
				.bundle_file_cnt = 4, .host = exact);

		err = btf_bundle__select(&so, &c);
		if (!ok(!err && btf_bundle_choice__source(c) == BTF_BUNDLE_SRC_BUNDLE &&
		   strstr(desc(c), files[2]) && path_is(btf_bundle_choice__custom_path(c), 0) &&
		   !btf_bundle_choice__step(c, 3, &s) && s.err == -ENOENT && !strcmp(s.where, files[0]) &&
		   !btf_bundle_choice__step(c, 4, &s) && s.err == -ENOENT && !strcmp(s.where, files[1]) &&
		   strstr(s.detail, "none for this host") &&
		   !btf_bundle_choice__step(c, 5, &s) && !s.err && !strcmp(s.where, files[2]) &&
		   step_cnt(c) == 6,
		   "bundle files: in order, a missing one and one without this host passed over, "
		   "the first that has it wins (%s)", desc(c)))
			dump(c);
		btf_bundle_choice__free(c);
	}
	/* bundle_dir: *.btfb only, in name order; a bundle for another object refused. */
	if (!ok(!mkdir(in_dir("d"), 0700) && !put("d/a.btfb", other, other_len) &&
		!put("d/b.btfb", bound, bound_len) && !put("d/c.btfb", full, full_len) &&
		!put("d/0.txt", full, full_len) && !mkdir(in_dir("empty.d"), 0700) &&
		!put("empty.d/x.btf", full, full_len), "bundle dir: made"))
		return;
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true,
				.bundle_dir = in_dir("d"), .host = exact, .object_digest = other_digest);

		err = btf_bundle__select(&so, &c);
		if (!ok(!err && btf_bundle_choice__source(c) == BTF_BUNDLE_SRC_BUNDLE &&
		   strstr(desc(c), "/d/c.btfb") && step_cnt(c) == 6 &&
		   !btf_bundle_choice__step(c, 3, &s) && strstr(s.where, "/d/a.btfb") &&
		   s.err == -ENOENT &&
		   !btf_bundle_choice__step(c, 4, &s) && strstr(s.where, "/d/b.btfb") &&
		   s.err == -ESTALE &&
		   !btf_bundle_choice__step(c, 5, &s) && strstr(s.where, "/d/c.btfb") && !s.err,
		   "bundle dir: a.btfb (none), b.btfb (another object: refused), c.btfb (used); "
		   "0.txt ignored (%s)", desc(c)))
			dump(c);
		btf_bundle_choice__free(c);
	}
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true,
				.bundle_dir = in_dir("empty.d"), .host = exact);

		err = btf_bundle__select(&so, &c);
		d = c ? step_detail(c, BTF_BUNDLE_SRC_BUNDLE, &serr) : "";
		ok(err == -ENOENT && serr == -ENOENT && strstr(d, "no *.btfb in") &&
		   strstr(btf_bundle_choice__explain(c), "btfhub-archive"),
		   "bundle dir without *.btfb -> \"%s\"; the error says where to get BTF", d);
		btf_bundle_choice__free(c);
	}
}

/* The first source with an acceptable entry wins, even a fallback over a later exact one. */
static void test_order(void)
{
	const char *files[] = { in_dir("full.btfb") };
	struct btf_bundle_choice *c = NULL;
	struct btf_host *fb = btf_host__parse("fedora/11/x86_64/5.0.0-test");
	const char *d;
	int err, serr;

	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true, .embedded = other,
				.embedded_sz = other_len, .bundle_files = files, .bundle_file_cnt = 1,
				.host = exact);

		err = btf_bundle__select(&so, &c);
		d = c ? step_detail(c, BTF_BUNDLE_SRC_EMBEDDED, &serr) : "";
		ok(!err && serr == -ENOENT && strstr(d, "none for this host") &&
		   btf_bundle_choice__source(c) == BTF_BUNDLE_SRC_BUNDLE &&
		   path_is(btf_bundle_choice__custom_path(c), 0),
		   "order: the embedded table lacks the host (%s) -> the bundle file", d);
		btf_bundle_choice__free(c);
	}
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true, .embedded = full,
				.embedded_sz = full_len, .bundle_files = files, .bundle_file_cnt = 1,
				.host = fb);

		err = btf_bundle__select(&so, &c);
		ok(!err && btf_bundle_choice__source(c) == BTF_BUNDLE_SRC_EMBEDDED &&
		   strstr(desc(c), "fallback") && step_cnt(c) == 3,
		   "order: an embedded fallback entry is used, bundle files not tried (%s)", desc(c));
		btf_bundle_choice__free(c);
	}
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true, .embedded = full,
				.embedded_sz = full_len, .bundle_files = files, .bundle_file_cnt = 1,
				.host = exact, .source = BTF_BUNDLE_SRC_BUNDLE);

		err = btf_bundle__select(&so, &c);
		ok(!err && btf_bundle_choice__source(c) == BTF_BUNDLE_SRC_BUNDLE && step_cnt(c) == 1,
		   "order: source bundle forced -> the embedded match is not even tried (%s)",
		   desc(c));
		btf_bundle_choice__free(c);
	}
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .embedded = full, .embedded_sz = full_len,
				.bundle_files = files, .bundle_file_cnt = 1, .host = nowhere);

		err = btf_bundle__select(&so, &c);
		if (!ok(err == -ENOENT && c && btf_bundle_choice__source(c) == BTF_BUNDLE_SRC_AUTO &&
		   !btf_bundle_choice__custom_path(c) && step_cnt(c) == 4 &&
		   !strncmp(btf_bundle_choice__explain(c), "no usable BTF for " NOWHERE ":", 18 +
			    strlen(NOWHERE) + 1) &&
		   strstr(btf_bundle_choice__explain(c), "gentoo/1/x86_64/9.9.9-test.btf.tar.xz"),
		   "order: nothing anywhere -> -ENOENT, every step said, and the BTFHub path: %s",
		   c ? btf_bundle_choice__explain(c) : "?"))
			dump(c);
		btf_bundle_choice__free(c);
	}
	btf_host__free(fb);
}

static void test_report(void)
{
	const char *files[] = { in_dir("full.btfb") };
	struct btf_bundle_choice *c = NULL;
	BTF_BUNDLE_OPTS(btf_bundle_step, s);
	uint32_t i, good = 0;
	int err;

	bundle_system_btf = sys_present;
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .embedded = full, .embedded_sz = full_len,
				.bundle_files = files, .bundle_file_cnt = 1, .host = exact,
				.report = true);

		err = btf_bundle__select(&so, &c);
		for (i = 0; c && !btf_bundle_choice__step(c, i, &s); i++)
			good += !s.err;
		ok(!err && btf_bundle_choice__source(c) == BTF_BUNDLE_SRC_SYSTEM &&
		   !btf_bundle_choice__custom_path(c) && step_cnt(c) == 4 && good == 3,
		   "report: every step tried (%u of 4 usable), the first usable one chosen (%s)",
		   good, desc(c));
		btf_bundle_choice__free(c);
	}
	bundle_system_btf = sys_absent;
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .embedded = full, .embedded_sz = full_len,
				.bundle_files = files, .bundle_file_cnt = 1, .host = exact,
				.report = true);

		err = btf_bundle__select(&so, &c);
		ok(!err && btf_bundle_choice__source(c) == BTF_BUNDLE_SRC_EMBEDDED &&
		   strstr(desc(c), "embedded bundle, entry " EXACT) && step_cnt(c) == 4 &&
		   !btf_bundle_choice__custom_path(c),
		   "report: no memfd opened, the embedded entry named first (%s)", desc(c));
		btf_bundle_choice__free(c);
	}
}

static void test_host(void)
{
	struct btf_bundle_choice *c = NULL;
	const struct btf_host *h;
	int err;

	if (!ok(!put("os-release", OS_RELEASE, strlen(OS_RELEASE)),
		"host: an os-release of our own"))
		return;
	{
		BTF_BUNDLE_OPTS(btf_host_opts, ho, .os_release_path = in_dir("os-release"),
				.arch = "x86_64", .release = "5.4.0-100-generic");
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true, .embedded = full,
				.embedded_sz = full_len, .host_opts = &ho);

		err = btf_bundle__select(&so, &c);
		h = c ? btf_bundle_choice__host(c) : NULL;
		ok(!err && h && !strcmp(btf_host__distro(h), "ubuntu") &&
		   !strcmp(btf_host__version(h), "20.04") && !strcmp(btf_host__arch(h), "x86_64") &&
		   !strcmp(btf_host__release(h), "5.4.0-100-generic") &&
		   path_is(btf_bundle_choice__custom_path(c), 0),
		   "host: os-release + arch/release overrides -> %s", desc(c));
		btf_bundle_choice__free(c);
	}
	{
		BTF_BUNDLE_OPTS(btf_host_opts, ho, .os_release_path = in_dir("no-os-release"));
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true, .embedded = full,
				.embedded_sz = full_len, .host_opts = &ho);

		err = btf_bundle__select(&so, &c);
		ok(err == -ENOENT && c && step_cnt(c) == 0 &&
		   strstr(btf_bundle_choice__explain(c), "cannot identify this host"),
		   "host: no os-release and no override -> %d: %s", err,
		   c ? btf_bundle_choice__explain(c) : "?");
		btf_bundle_choice__free(c);
	}
}

static void test_opts(void)
{
	struct {
		struct btf_bundle_select_opts o;
		char tail[8];
	} big = {};
	struct btf_bundle_choice *c = (void *)1;
	int err;

	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .source = BTF_BUNDLE_SRC_CNT, .host = exact);

		err = btf_bundle__select(&so, &c);
		ok(err == -EINVAL && !c, "opts: an unknown source -> -EINVAL, no choice");
	}
	big.o.sz = sizeof(big);
	big.o.no_system = true;
	big.o.host = exact;
	big.o.embedded = full;
	big.o.embedded_sz = full_len;
	big.tail[3] = 1;
	c = (void *)1;
	err = btf_bundle__select(&big.o, &c);
	ok(err == -EINVAL && !c, "opts: a newer caller's non-zero unknown field -> -EINVAL");
	big.tail[3] = 0;
	err = btf_bundle__select(&big.o, &c);
	ok(!err && btf_bundle_choice__source(c) == BTF_BUNDLE_SRC_EMBEDDED,
	   "opts: a newer caller's zero tail is accepted (%s)", desc(c));
	btf_bundle_choice__free(c);
}

int main(int argc, char **argv)
{
	struct build bo = { .dict_size = DICT_DEFAULT }, bound_bo = { .objects = true };
	struct bundle_stats st;
	const char *saved = bundle_system_btf;
	char cmd[64];

	(void)argc;
	(void)argv;
	btf_bundle_set_print(NULL);
	exact = btf_host__parse(EXACT);
	nowhere = btf_host__parse(NOWHERE);
	if (!mkdtemp(dir))
		tap_skip_all("mkdtemp: %s", strerror(errno));
	snprintf(sys_present, sizeof(sys_present), "%s/vmlinux", dir);
	snprintf(sys_absent, sizeof(sys_absent), "%s/no-vmlinux", dir);
	if (ok(!build_bundle(main_set, MAIN_CNT, &bo, &full, &full_len, &st) &&
	       !build_bundle(main_set, MAIN_CNT, &bound_bo, &bound, &bound_len, &st) &&
	       !build_bundle(nowhere_set, 1, &bo, &other, &other_len, &st) &&
	       !put("full.btfb", full, full_len) && !put("full2.btfb", full, full_len) &&
	       !put("other.btfb", other, other_len),
	       "bundles built: main set, main set bound to a.bpf.o, one other host")) {
		test_system();
		bundle_system_btf = sys_absent;	/* the rest: as if the kernel had none */
		test_file();
		test_embedded();
		test_bundles();
		test_order();
		test_report();
		test_host();
		test_opts();
	}
	bundle_system_btf = saved;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		diag("cannot remove %s", dir);
	free(full);
	free(bound);
	free(other);
	btf_host__free(exact);
	btf_host__free(nowhere);
	return tap_done();
}
