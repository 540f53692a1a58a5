// SPDX-License-Identifier: BSD-2-Clause
/*
 * The start-up decision, btf_bundle__select(): an explicit file, a linked-in
 * bundle, bundle files; the custom path libbpf gets reads back the entry's
 * BTF; no_fallback refuses through btf_bundle__find_opts() what the default
 * call takes as a fallback. The kernel's own BTF is skipped (no_system) so
 * the results do not depend on this machine. TAP output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <stdarg.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "btf_bundle.h"
#include "bundle_internal.h"
#include "btf_fixtures.h"
#include "bundle_build.h"
#include "fsutil.h"
#include "tap.h"

/* Does @path (a custom path from a choice) hold exactly fixture @variant? */
static bool path_is(const char *path, unsigned int variant)
{
	struct btf *btf = path ? btf__parse(path, NULL) : NULL;
	void *want = NULL;
	size_t want_len = 0;
	const void *raw;
	__u32 raw_len = 0;
	bool same;

	raw = btf ? btf__raw_data(btf, &raw_len) : NULL;
	same = raw && !fixture_btf(variant, &want, &want_len) && raw_len == want_len &&
	       !memcmp(raw, want, want_len);
	free(want);
	btf__free(btf);
	return same;
}

/* The detail of the choice's step for @src, or "". */
static const char *step_detail(const struct btf_bundle_choice *c, enum btf_bundle_source src,
			       int *err)
{
	BTF_BUNDLE_OPTS(btf_bundle_step, s);
	uint32_t i;

	for (i = 0; btf_bundle_choice__step(c, i, &s) == 0; i++)
		if (s.source == src) {
			*err = s.err;
			return s.detail;
		}
	*err = 1;
	return "";
}

static void test_select(void)
{
	struct build bo = { .dict_size = DICT_DEFAULT };
	struct btf_bundle_choice *c = NULL;
	struct bundle_stats st;
	struct btf_host fb, alias;
	char bpath[] = "/tmp/test_select.XXXXXX", fpath[] = "/tmp/test_select_btf.XXXXXX";
	const char *files[1] = { bpath };
	void *buf = NULL, *btf = NULL;
	size_t len = 0, btf_len = 0;
	const char *detail;
	int err, serr, fd;

	if (!ok(!build_bundle(main_set, MAIN_CNT, &bo, &buf, &len, &st) &&
		!fixture_btf(3, &btf, &btf_len), "select: bundle built"))
		goto out;
	host__parse(&fb, "fedora/11/x86_64/5.0.0-test");
	host__parse(&alias, "debian/12/x86_64/6.1.0-18-amd64");
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true, .embedded = buf,
				.embedded_sz = len, .host = &fb);

		err = btf_bundle__select(&so, &c);
		ok(!err && btf_bundle_choice__source(c) == BTF_BUNDLE_SRC_EMBEDDED &&
		   path_is(btf_bundle_choice__custom_path(c), 9) &&
		   strstr(btf_bundle_choice__desc(c), "fallback"),
		   "select: embedded, fedora 11 host -> the fallback entry fedora/10 (%s)",
		   c ? btf_bundle_choice__desc(c) : "?");
		btf_bundle_choice__free(c);
	}
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true, .embedded = buf,
				.embedded_sz = len, .host = &fb, .no_fallback = true);

		err = btf_bundle__select(&so, &c);
		detail = c ? step_detail(c, BTF_BUNDLE_SRC_EMBEDDED, &serr) : "";
		ok(err == -ENOENT && c && btf_bundle_choice__source(c) == BTF_BUNDLE_SRC_AUTO &&
		   !btf_bundle_choice__custom_path(c) && serr == -ENOENT &&
		   strstr(detail, "fallback to another fedora version is off") &&
		   *btf_bundle_choice__explain(c),
		   "select: no_fallback refuses that fallback (%d): %s", err, detail);
		btf_bundle_choice__free(c);
	}
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true, .embedded = buf,
				.embedded_sz = len, .host = &alias, .no_fallback = true);

		err = btf_bundle__select(&so, &c);
		ok(!err && path_is(btf_bundle_choice__custom_path(c), 5) &&
		   strstr(btf_bundle_choice__desc(c), "version alias"),
		   "select: no_fallback keeps the version alias (%s)",
		   c ? btf_bundle_choice__desc(c) : "?");
		btf_bundle_choice__free(c);
	}

	fd = mkstemp(bpath);
	if (!ok(fd >= 0 && !write_all(fd, buf, len) && !close(fd), "select: bundle file written"))
		goto out;
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true, .bundle_files = files,
				.bundle_file_cnt = 1, .host = &alias);

		err = btf_bundle__select(&so, &c);
		ok(!err && btf_bundle_choice__source(c) == BTF_BUNDLE_SRC_BUNDLE &&
		   path_is(btf_bundle_choice__custom_path(c), 5) &&
		   strstr(btf_bundle_choice__desc(c), bpath),
		   "select: a bundle file when nothing is embedded (%s)",
		   c ? btf_bundle_choice__desc(c) : "?");
		btf_bundle_choice__free(c);
	}
	fd = mkstemp(fpath);
	if (!ok(fd >= 0 && !write_all(fd, btf, btf_len) && !close(fd), "select: BTF file written"))
		goto out;
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .btf_file = fpath, .embedded = buf,
				.embedded_sz = len, .host = &alias);

		err = btf_bundle__select(&so, &c);
		ok(!err && btf_bundle_choice__source(c) == BTF_BUNDLE_SRC_FILE &&
		   path_is(btf_bundle_choice__custom_path(c), 3),
		   "select: an explicit BTF file comes first");
		btf_bundle_choice__free(c);
	}
	unlink(fpath);
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .btf_file = fpath, .embedded = buf,
				.embedded_sz = len, .host = &alias);

		err = btf_bundle__select(&so, &c);
		ok(err == -ENOENT && c && btf_bundle_choice__source(c) == BTF_BUNDLE_SRC_AUTO,
		   "select: a missing explicit file is an error, not skipped for the bundle (%d)",
		   err);
		btf_bundle_choice__free(c);
	}
out:
	unlink(bpath);
	unlink(fpath);
	free(buf);
	free(btf);
}

/* The library's last warning, to check what a refusal says. */
static char last_warn[512];

static int capture(enum btf_bundle_print_level level, const char *fmt, va_list ap)
{
	if (level == BTF_BUNDLE_WARN)
		vsnprintf(last_warn, sizeof(last_warn), fmt, ap);
	return 0;
}

/* The opts of a newer caller: ours plus a tail, one byte of it set. */
struct newer_select_opts {
	struct btf_bundle_select_opts o;
	char tail[16];
};

/*
 * API misuse is -EINVAL, never a crash or a skipped check (issue 27 item
 * 11), and *choice's ownership on every return path is what the header says.
 */
static void test_misuse(void)
{
	struct btf_bundle_choice *c = (void *)1;
	struct btf_host *h = btf_host__parse("fedora/11/x86_64/5.0.0-test");
	struct newer_select_opts newer;
	static const char elf[16] = "\177ELF";
	char reason[64];
	int err;

	btf_bundle_set_print(capture);
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true, .host = h);

		ok(btf_bundle__select(&so, NULL) == -EINVAL, "misuse: select(&opts, NULL) -> -EINVAL");
		err = btf_bundle__select(NULL, &c);
		ok(err == -EINVAL && !c, "misuse: select(NULL, &c) -> -EINVAL, c NULL (%d)", err);
	}
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true, .host = h,
				.object = NULL, .object_sz = 10);

		c = (void *)1;
		err = btf_bundle__select(&so, &c);
		ok(err == -EINVAL && !c, "misuse: object NULL with object_sz 10 -> -EINVAL (%d)", err);
	}
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true, .host = h,
				.object = elf, .object_sz = 0);

		err = btf_bundle__select(&so, &c);
		ok(err == -EINVAL && !c, "misuse: object without object_sz -> -EINVAL (%d)", err);
	}
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true, .host = h,
				.bundle_file_cnt = 2);

		err = btf_bundle__select(&so, &c);
		ok(err == -EINVAL && !c, "misuse: bundle_file_cnt without bundle_files -> -EINVAL");
	}
	memset(&newer, 0, sizeof(newer));
	newer.o.sz = sizeof(newer);
	newer.o.no_system = true;
	newer.tail[5] = 1;
	last_warn[0] = '\0';
	err = btf_bundle__select(&newer.o, &c);
	{
		char want[64];

		snprintf(want, sizeof(want), "byte %zu of %zu",
			 offsetof(struct newer_select_opts, tail) + 5, sizeof(newer));
		ok(err == -EINVAL && !c && strstr(last_warn, want) &&
		   strstr(last_warn, "btf_bundle_select_opts"),
		   "misuse: a newer caller's non-zero tail is refused, naming the byte: %s", last_warn);
	}
	{
		/* Nothing found: an error, and the choice is the caller's, explaining. */
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true, .host = h);

		c = NULL;
		err = btf_bundle__select(&so, &c);
		ok(err == -ENOENT && c && *btf_bundle_choice__explain(c) &&
		   !strstr(btf_bundle_choice__explain(c), "--btf") &&
		   !strstr(btf_bundle_choice__explain(c), "in -") &&
		   strstr(btf_bundle_choice__explain(c), "none set"),
		   "misuse: nothing found -> -ENOENT, *choice set; explain() names no flag and no '-' "
		   "directory: %s", btf_bundle_choice__explain(c));
		btf_bundle_choice__free(c);
	}
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true, .host = h,
				.file_hint = "--my-btf PATH");

		err = btf_bundle__select(&so, &c);
		ok(err == -ENOENT && strstr(btf_bundle_choice__explain(c), "pass --my-btf PATH"),
		   "explain: the caller names its own flag: %s", btf_bundle_choice__explain(c));
		btf_bundle_choice__free(c);
	}
	{
		/* The host cannot be identified: an error, and still the caller's choice. */
		BTF_BUNDLE_OPTS(btf_host_opts, ho, .os_release_path = "/nonexistent/os-release");
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true, .host_opts = &ho);

		c = NULL;
		err = btf_bundle__select(&so, &c);
		ok(err == -ENOENT && c && strstr(btf_bundle_choice__explain(c), "cannot identify") &&
		   !btf_bundle_choice__host(c),
		   "ownership: no host -> -ENOENT, *choice set and explaining, no host in it: %s",
		   c ? btf_bundle_choice__explain(c) : "(null)");
		btf_bundle_choice__free(c);
	}
	/* The NULL-accepting getters and the other entry points. */
	ok(!btf_bundle_choice__custom_path(NULL) && !*btf_bundle_choice__explain(NULL) &&
	   btf_bundle_choice__step(NULL, 0, NULL) == -EINVAL && !btf_bundle_choice__host(NULL),
	   "misuse: choice getters accept NULL");
	{
		BTF_BUNDLE_OPTS(btf_bundle_match, m, .reason = reason, .reason_sz = sizeof(reason));
		struct btf_bundle_match small = { .sz = 1 };
		void *data = NULL;
		size_t size = 0;
		uint8_t d[BTF_BUNDLE_DIGEST_LEN];

		ok(btf_bundle__find(NULL, h, &m) == -EINVAL && btf_bundle__find(NULL, h, NULL) == -EINVAL &&
		   btf_bundle__find(NULL, h, &small) == -EINVAL,
		   "misuse: find with a NULL bundle or match, or a match without its sz -> -EINVAL");
		ok(btf_bundle__read(NULL, 0, &data, &size) == -EINVAL && !data &&
		   btf_bundle__entry(NULL, 0, NULL) == -EINVAL && btf_bundle__memfd(NULL, 0, NULL, 4) == -EINVAL &&
		   btf_bundle__object_digest(NULL, 10, d) == -EINVAL &&
		   btf_bundle__check_object(NULL, NULL, 0, d) == -EINVAL &&
		   btf_bundle__source_parse(NULL, NULL) == -EINVAL && !btf_host__parse(NULL) &&
		   errno == EINVAL && btf_host__format(NULL, NULL, 0) == -EINVAL,
		   "misuse: every entry point refuses a NULL pointer with -EINVAL");
		errno = 0;
		ok(!btf_bundle__open_mem(NULL, 10, NULL) && errno == EINVAL &&
		   !btf_bundle__open_file(NULL, NULL) && errno == EINVAL,
		   "misuse: open with NULL data or path -> NULL, EINVAL");
	}
	{
		BTF_BUNDLE_OPTS(btf_bundle_open_opts, oo, .object = NULL, .object_sz = 10);

		errno = 0;
		ok(!btf_bundle__open_mem(elf, sizeof(elf), &oo) && errno == EINVAL,
		   "misuse: open with object NULL, object_sz 10 -> EINVAL (the check is never skipped)");
	}
	btf_host__free(h);
	btf_bundle_set_print(NULL);
}

/* The one-call path: libbpf's opts filled, the choice freed after load. */
static void test_fill_open_opts(void)
{
	struct build bo = { .dict_size = DICT_DEFAULT };
	struct btf_bundle_choice *c = NULL;
	struct btf_host *h = btf_host__parse("debian/12/x86_64/6.1.0-18-amd64");
	struct bundle_stats st;
	void *buf = NULL;
	size_t len = 0;
	int err;

	if (!ok(h && !build_bundle(main_set, MAIN_CNT, &bo, &buf, &len, &st),
		"fill_open_opts: bundle built"))
		goto out;
	{
		LIBBPF_OPTS(bpf_object_open_opts, oo);
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true, .embedded = buf,
				.embedded_sz = len, .host = h);

		err = btf_bundle__fill_open_opts(&so, &oo, &c);
		ok(!err && oo.btf_custom_path && oo.btf_custom_path == btf_bundle_choice__custom_path(c) &&
		   path_is(oo.btf_custom_path, 5),
		   "fill_open_opts: btf_custom_path set to the alias entry's BTF (%d)", err);
		btf_bundle_choice__free(c);
	}
	{
		LIBBPF_OPTS(bpf_object_open_opts, oo);
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true, .host = h);

		oo.btf_custom_path = "untouched";
		err = btf_bundle__fill_open_opts(&so, &oo, &c);
		ok(err == -ENOENT && c && !strcmp(oo.btf_custom_path, "untouched"),
		   "fill_open_opts: nothing found -> -ENOENT, opts untouched, choice explains (%s)",
		   c ? btf_bundle_choice__explain(c) : "?");
		btf_bundle_choice__free(c);
	}
	{
		/* An older caller's smaller output structs: nothing written past their sz. */
		struct btf_bundle *b = btf_bundle__open_mem(buf, len, NULL);
		union { struct btf_bundle_entry e; unsigned char raw[sizeof(struct btf_bundle_entry) + 16]; } ue;
		union { struct btf_bundle_step s; unsigned char raw[sizeof(struct btf_bundle_step) + 16]; } us;
		size_t esz = offsetof(struct btf_bundle_entry, blob), ssz = offsetof(struct btf_bundle_step, where);
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true, .embedded = buf,
				.embedded_sz = len, .host = h);
		bool untouched = true;
		size_t i;

		memset(&ue, 0xaa, sizeof(ue));
		ue.e.sz = esz;
		memset(&us, 0xaa, sizeof(us));
		us.s.sz = ssz;
		err = b ? btf_bundle__entry(b, 0, &ue.e) : -1;
		for (i = esz; i < sizeof(ue.raw); i++)
			untouched &= ue.raw[i] == 0xaa;
		ok(!err && untouched && ue.e.release && *ue.e.release,
		   "sized output: an entry with sz up to release gets release, nothing past it (%d)", err);
		untouched = true;
		err = btf_bundle__select(&so, &c);
		err = err ?: btf_bundle_choice__step(c, 0, &us.s);
		for (i = ssz; i < sizeof(us.raw); i++)
			untouched &= us.raw[i] == 0xaa;
		ok(!err && untouched && us.s.source == BTF_BUNDLE_SRC_FILE,
		   "sized output: a step with sz up to err gets source and err, nothing past it (%d)", err);
		btf_bundle_choice__free(c);
		btf_bundle__free(b);
	}
	{
		struct bpf_object_open_opts old = { .sz = offsetof(struct bpf_object_open_opts,
								    btf_custom_path) };
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true, .host = h);

		c = (void *)1;
		err = btf_bundle__fill_open_opts(&so, &old, &c);
		ok(err == -EINVAL && !c && btf_bundle__fill_open_opts(&so, NULL, &c) == -EINVAL &&
		   btf_bundle__fill_open_opts(&so, &old, NULL) == -EINVAL,
		   "fill_open_opts: opts too old for btf_custom_path, or NULL -> -EINVAL");
	}
out:
	btf_host__free(h);
	free(buf);
}

int main(int argc, char **argv)
{
	/* The library's warnings would only clutter TAP; errors are asserted. */
	btf_bundle_set_print(NULL);
	(void)argc;
	(void)argv;
	test_select();
	test_misuse();
	test_fill_open_opts();
	printf("1..%d\n", test_cnt);
	return fail_cnt ? 1 : 0;
}
