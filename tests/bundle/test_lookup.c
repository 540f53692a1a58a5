// SPDX-License-Identifier: BSD-2-Clause
/*
 * Lookup rules of btf_bundle__find(): exact keys by binary search, arch and
 * version aliases, the same-release fallback and its limits, out-of-range
 * entries, an empty bundle. Against every writer layout. TAP output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf_bundle.h"
#include "bundle_internal.h"
#include "bundle_build.h"
#include "tap.h"

/*
 * btf_bundle__find_opts(): each rule can be turned off, and exact-only
 * refuses the alias and fallback hits the default call finds.
 */
static void test_find_opts(const struct btf_bundle *b, const char *lname)
{
	BTF_BUNDLE_OPTS(btf_bundle_find_opts, exact, .no_alias = true, .no_fallback = true);
	BTF_BUNDLE_OPTS(btf_bundle_find_opts, no_alias, .no_alias = true);
	BTF_BUNDLE_OPTS(btf_bundle_find_opts, no_fb, .no_fallback = true);
	struct {
		struct btf_bundle_find_opts o;
		long extra;
	} big = { .o.sz = sizeof(big), .extra = 1 };
	BUNDLE_MATCH(m);
	BTF_BUNDLE_OPTS(btf_bundle_entry, e);
	struct btf_host alias, fb, exact_host;
	int idx;

	host__parse(&alias, "debian/12/x86_64/6.1.0-18-amd64");
	host__parse(&fb, "fedora/11/x86_64/5.0.0-test");
	host__parse(&exact_host, "fedora/9/x86_64/5.0.0-test");

	ok(btf_bundle__find_opts(b, &alias, &m, NULL) >= 0 && m.kind == BTF_BUNDLE_MATCH_ALIAS &&
	   btf_bundle__find_opts(b, &fb, &m, NULL) >= 0 && m.kind == BTF_BUNDLE_MATCH_FALLBACK,
	   "%s find_opts: NULL opts find the alias and the fallback like btf_bundle__find", lname);
	idx = btf_bundle__find_opts(b, &alias, &m, &exact);
	ok(idx == -ENOENT && m.kind == BTF_BUNDLE_MATCH_NONE && strstr(m.reason, "off"),
	   "%s find_opts: exact-only refuses the alias hit (%d): %s", lname, idx, m.reason);
	idx = btf_bundle__find_opts(b, &fb, &m, &exact);
	ok(idx == -ENOENT && m.kind == BTF_BUNDLE_MATCH_NONE && strstr(m.reason, "fallback"),
	   "%s find_opts: exact-only refuses the fallback hit (%d): %s", lname, idx, m.reason);
	idx = btf_bundle__find_opts(b, &exact_host, &m, &exact);
	ok(idx >= 0 && m.kind == BTF_BUNDLE_MATCH_EXACT && entry_is(b, idx, 10),
	   "%s find_opts: exact-only still finds the exact key", lname);
	idx = btf_bundle__find_opts(b, &alias, &m, &no_fb);
	ok(idx >= 0 && m.kind == BTF_BUNDLE_MATCH_ALIAS && entry_is(b, idx, 5),
	   "%s find_opts: no_fallback keeps the alias", lname);
	idx = btf_bundle__find_opts(b, &fb, &m, &no_fb);
	ok(idx == -ENOENT && m.kind == BTF_BUNDLE_MATCH_NONE,
	   "%s find_opts: no_fallback refuses the fallback", lname);
	/* the alias's entry is also the same release under another version */
	idx = btf_bundle__find_opts(b, &alias, &m, &no_alias);
	ok(idx >= 0 && m.kind == BTF_BUNDLE_MATCH_FALLBACK && entry_is(b, idx, 5) &&
	   !btf_bundle__entry(b, idx, &e) && !strcmp(e.version, "bookworm"),
	   "%s find_opts: no_alias leaves debian 12 -> bookworm to the fallback", lname);
	idx = btf_bundle__find_opts(b, &exact_host, &m, &big.o);
	ok(idx == -EINVAL && m.kind == BTF_BUNDLE_MATCH_NONE && *m.reason,
	   "%s find_opts: unknown non-zero opts tail -> -EINVAL", lname);
}

static void test_lookup(const struct build *layout)
{
	struct build bo = *layout;
	const char *lname = layout_name(layout);
	struct btf_bundle *b = NULL;
	BUNDLE_MATCH(m);
	BTF_BUNDLE_OPTS(btf_bundle_entry, e);
	struct btf_host h;
	struct bundle_stats st;
	void *buf = NULL;
	size_t len, i;
	bool all = true;
	int idx;

	if (!ok(!build_bundle(main_set, MAIN_CNT, &bo, &buf, &len, &st), "%s lookup: built", lname))
		return;
	b = btf_bundle__open_mem(buf, len, NULL);
	if (!ok(b, "%s lookup: open", lname))
		goto out;
	for (i = 0; i < MAIN_CNT; i++) {
		const struct input *it = &main_set[i];

		snprintf(h.distro, sizeof(h.distro), "%s", it->distro);
		snprintf(h.version, sizeof(h.version), "%s", it->version);
		snprintf(h.arch, sizeof(h.arch), "%s", it->arch);
		snprintf(h.release, sizeof(h.release), "%s", it->release);
		idx = btf_bundle__find(b, &h, &m);
		if (idx < 0 || m.kind != BTF_BUNDLE_MATCH_EXACT || (uint32_t)idx != m.entry ||
		    btf_bundle__entry(b, idx, &e) || strcmp(e.release, it->release) ||
		    strcmp(e.version, it->version) || strcmp(e.arch, it->arch) ||
		    !entry_is(b, idx, it->variant)) {
			diag("miss on %s/%s/%s/%s: %s", it->distro, it->version, it->arch,
			     it->release, m.reason);
			all = false;
		}
	}
	ok(all, "%s lookup: every key is found exactly by binary search", lname);

	host__parse(&h, "ubuntu/20.04/aarch64/5.4.0-100-generic");
	idx = btf_bundle__find(b, &h, &m);
	ok(idx >= 0 && m.kind == BTF_BUNDLE_MATCH_EXACT && entry_is(b, idx, 4),
	   "%s lookup: aarch64 host finds the arm64 entry", lname);

	host__parse(&h, "debian/12/x86_64/6.1.0-18-amd64");
	idx = btf_bundle__find(b, &h, &m);
	ok(idx >= 0 && m.kind == BTF_BUNDLE_MATCH_ALIAS && entry_is(b, idx, 5) && *m.reason,
	   "%s lookup: debian 12 host finds debian/bookworm (alias): %s", lname, m.reason);
	host__parse(&h, "debian/bullseye/x86_64/5.10.0-28-amd64");
	idx = btf_bundle__find(b, &h, &m);
	ok(idx >= 0 && m.kind == BTF_BUNDLE_MATCH_ALIAS && entry_is(b, idx, 6),
	   "%s lookup: debian bullseye host finds debian/11 (alias)", lname);

	host__parse(&h, "fedora/11/x86_64/5.0.0-test");
	idx = btf_bundle__find(b, &h, &m);
	ok(idx >= 0 && m.kind == BTF_BUNDLE_MATCH_FALLBACK && entry_is(b, idx, 9) &&
	   !btf_bundle__entry(b, idx, &e) && !strcmp(e.version, "10") && strstr(m.reason, "fallback"),
	   "%s lookup: fallback to the same release under the greatest version (10, not 9): %s", lname,
	   m.reason);
	host__parse(&h, "fedora/9/x86_64/5.0.0-test");
	idx = btf_bundle__find(b, &h, &m);
	ok(idx >= 0 && m.kind == BTF_BUNDLE_MATCH_EXACT && entry_is(b, idx, 10),
	   "%s lookup: an exact key wins over the fallback", lname);
	host__parse(&h, "centos/9/x86_64/4.18.0-305.el8.x86_64");
	idx = btf_bundle__find(b, &h, &m);
	ok(idx >= 0 && m.kind == BTF_BUNDLE_MATCH_FALLBACK && entry_is(b, idx, 7),
	   "%s lookup: centos 9 host falls back to centos/8 with the same release", lname);

	host__parse(&h, "ubuntu/20.04/x86_64/9.9.9-nothere");
	idx = btf_bundle__find(b, &h, &m);
	ok(idx == -ENOENT && m.kind == BTF_BUNDLE_MATCH_NONE && *m.reason,
	   "%s lookup: unknown release -> -ENOENT, kind NONE: %s", lname, m.reason);
	host__parse(&h, "fedora/11/arm64/5.0.0-test");
	idx = btf_bundle__find(b, &h, &m);
	ok(idx == -ENOENT && m.kind == BTF_BUNDLE_MATCH_NONE,
	   "%s lookup: the fallback never crosses arch", lname);
	host__parse(&h, "rhel/10/x86_64/5.0.0-test");
	idx = btf_bundle__find(b, &h, &m);
	ok(idx == -ENOENT && m.kind == BTF_BUNDLE_MATCH_NONE,
	   "%s lookup: the fallback never crosses distro", lname);
	host__parse(&h, "ubuntu/20.04/x86_64/5.4.0-100");
	idx = btf_bundle__find(b, &h, &m);
	ok(idx == -ENOENT, "%s lookup: a release prefix is not a match", lname);

	test_find_opts(b, lname);

	ok(btf_bundle__entry(b, MAIN_CNT, &e) == -ENOENT, "%s lookup: entry out of range -> -ENOENT", lname);
	{
		void *d = NULL;
		size_t l;

		ok(btf_bundle__read(b, MAIN_CNT, &d, &l) == -ENOENT && !d,
		   "%s lookup: read out of range -> -ENOENT", lname);
	}
out:
	btf_bundle__free(b);
	free(buf);
}

static void test_empty(void)
{
	struct build bo = {};
	struct btf_bundle *b = NULL;
	BUNDLE_MATCH(m);
	struct btf_host h;
	struct bundle_stats st;
	void *buf = NULL;
	size_t len;

	if (!ok(!build_bundle(NULL, 0, &bo, &buf, &len, &st), "empty: built"))
		return;
	b = btf_bundle__open_mem(buf, len, NULL);
	host__parse(&h, "debian/12/x86_64/6.1.0-18-amd64");
	ok(b && btf_bundle__entry_cnt(b) == 0 && btf_bundle__find(b, &h, &m) == -ENOENT &&
	   m.kind == BTF_BUNDLE_MATCH_NONE, "empty: a bundle without kernels opens, finds nothing");
	btf_bundle__free(b);
	free(buf);
}

int main(int argc, char **argv)
{
	/* The library's warnings would only clutter TAP; errors are asserted. */
	btf_bundle_set_print(NULL);
	(void)argc;
	(void)argv;
	for (size_t l = 0; l < LAYOUT_CNT; l++)
		test_lookup(&layouts[l]);
	test_empty();
	printf("1..%d\n", test_cnt);
	return fail_cnt ? 1 : 0;
}
