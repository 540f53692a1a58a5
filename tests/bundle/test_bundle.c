// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of the bundle writer (bundle_writer.c) and the runtime reader
 * (libbtfbundle): round trip, dedup, deltas, lookup, object identity,
 * memfd/struct btf access, host normalisation, determinism and corrupt or
 * hostile bundles. TAP output; the plan is printed last.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>
#include <bpf/btf.h>

#include "btf_bundle.h"
#include "btf_fixtures.h"
#include "bundle_format.h"
#include "bundle_writer.h"
#include "fsutil.h"
#include "sha256.h"

static int test_cnt, fail_cnt;

__attribute__((format(printf, 2, 3)))
static bool ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", cond ? "ok" : "not ok", ++test_cnt);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!cond)
		fail_cnt++;
	return cond;
}

__attribute__((format(printf, 1, 2)))
static void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* One kernel of a test bundle: key and the fixture variant of its BTF. */
struct input {
	const char *arch, *distro, *version, *release;
	unsigned int variant;
};

/* Variants 1 and 7 appear twice: 13 entries, 11 distinct BTFs. */
static const struct input main_set[] = {
	{ "x86_64", "ubuntu", "20.04", "5.4.0-100-generic", 0 },
	{ "x86_64", "ubuntu", "20.04", "5.4.0-101-generic", 1 },
	{ "x86_64", "ubuntu", "20.04", "5.4.0-102-generic", 1 },
	{ "x86_64", "ubuntu", "22.04", "5.15.0-50-generic", 2 },
	{ "x86_64", "ubuntu", "22.04", "5.15.0-51-generic", 3 },
	{ "arm64", "ubuntu", "20.04", "5.4.0-100-generic", 4 },
	{ "x86_64", "debian", "bookworm", "6.1.0-18-amd64", 5 },
	{ "x86_64", "debian", "11", "5.10.0-28-amd64", 6 },
	{ "x86_64", "centos", "8", "4.18.0-305.el8.x86_64", 7 },
	{ "x86_64", "centos", "8", "4.18.0-348.el8.x86_64", 7 },
	{ "x86_64", "centos", "7", "3.10.0-1160.el7.x86_64", 8 },
	/* same release under two versions: "10" > "9" in version order only */
	{ "x86_64", "fedora", "10", "5.0.0-test", 9 },
	{ "x86_64", "fedora", "9", "5.0.0-test", 10 },
};
#define MAIN_CNT (sizeof(main_set) / sizeof(main_set[0]))
#define MAIN_BLOBS 11

static const uint8_t obj_a[] = "\177ELF pretend BPF object A";
static const uint8_t obj_b[] = "\177ELF pretend BPF object B";

struct build {
	uint32_t codec, max_depth, window;
	bool reverse;		/* add inputs (and objects) in reverse order */
	bool objects;		/* record obj_a and obj_b */
};

static int build_bundle(const struct input *in, size_t n, const struct build *bo,
			void **out, size_t *out_len, struct bundle_stats *st)
{
	struct bundle_writer_opts wo = {
		.codec = bo->codec ?: BTF_BUNDLE_CODEC_XZ,
		.max_depth = bo->max_depth,
		.window = bo->window,
	};
	struct bundle_writer *w = bundle_writer__new(&wo);
	uint8_t sha[2][SHA256_DIGEST_LEN];
	size_t i;
	int err = 0;

	if (!w)
		return -ENOMEM;
	if (bo->objects) {
		sha256_buf(obj_a, sizeof(obj_a), sha[0]);
		sha256_buf(obj_b, sizeof(obj_b), sha[1]);
		err = bundle_writer__add_object(w, bo->reverse ? "b.bpf.o" : "a.bpf.o",
						sha[bo->reverse]);
		err = err ?: bundle_writer__add_object(w, bo->reverse ? "a.bpf.o" : "b.bpf.o",
						       sha[!bo->reverse]);
		err = err ?: bundle_writer__set_provenance(w, "bpftool=test\nsource=fixtures\n");
	}
	for (i = 0; !err && i < n; i++) {
		const struct input *it = &in[bo->reverse ? n - 1 - i : i];
		void *data;
		size_t len;

		err = fixture_btf(it->variant, &data, &len);
		if (err)
			break;
		err = bundle_writer__add(w, it->arch, it->distro, it->version, it->release,
					 data, len, it->release);
		free(data);
	}
	err = err ?: bundle_writer__finish(w, out, out_len, st);
	bundle_writer__free(w);
	return err;
}

static int find_key(const struct btf_bundle *b, const char *arch, const char *distro,
		    const char *version, const char *release)
{
	struct btf_bundle_entry e;
	uint32_t i;

	for (i = 0; btf_bundle__entry(b, i, &e) == 0; i++)
		if (!strcmp(e.arch, arch) && !strcmp(e.distro, distro) &&
		    !strcmp(e.version, version) && !strcmp(e.release, release))
			return i;
	return -ENOENT;
}

/* Does entry @idx decode to exactly fixture @variant? */
static bool entry_is(const struct btf_bundle *b, uint32_t idx, unsigned int variant)
{
	void *want = NULL, *got = NULL;
	size_t want_len = 0, got_len = 0;
	bool same;

	if (fixture_btf(variant, &want, &want_len) || btf_bundle__read(b, idx, &got, &got_len)) {
		free(want);
		return false;
	}
	same = got_len == want_len && !memcmp(got, want, want_len);
	free(want);
	free(got);
	return same;
}

static void test_round_trip(uint32_t codec)
{
	const char *cname = btf_bundle__codec_name(codec);
	struct build bo = { .codec = codec, .max_depth = 4, .window = 8, .objects = true };
	struct bundle_stats st = {};
	struct btf_bundle *b = NULL, *bf = NULL, *bc = NULL;
	struct btf_bundle_entry e, prev = {};
	char path[] = "/tmp/test_bundle.XXXXXX";
	void *buf = NULL, *copy;
	size_t len = 0, i;
	uint64_t raw = 0;
	bool all = true, sorted = true;
	int err, fd;

	err = build_bundle(main_set, MAIN_CNT, &bo, &buf, &len, &st);
	if (!ok(!err, "%s: bundle_writer__finish (%d)", cname, err))
		return;
	for (i = 0; i < MAIN_CNT; i++) {
		void *d = NULL;
		size_t l;

		if (!fixture_btf(main_set[i].variant, &d, &l))
			raw += l;
		free(d);
	}
	ok(st.entries == MAIN_CNT && st.blobs == MAIN_BLOBS && st.raw_bytes == raw &&
	   st.bundle_bytes == len, "%s: stats: %u entries, %u blobs, %llu raw bytes, %llu bytes",
	   cname, st.entries, st.blobs, (unsigned long long)st.raw_bytes,
	   (unsigned long long)st.bundle_bytes);
	b = btf_bundle__open_mem(buf, len, NULL);
	if (!ok(b, "%s: btf_bundle__open_mem (%s)", cname, b ? "ok" : strerror(errno)))
		goto out;
	ok(btf_bundle__codec(b) == codec && btf_bundle__format_version(b) == BTFB_VERSION &&
	   btf_bundle__size(b) == len, "%s: header: codec %s, version %u", cname,
	   btf_bundle__codec_name(btf_bundle__codec(b)), btf_bundle__format_version(b));
	ok(btf_bundle__entry_cnt(b) == MAIN_CNT && btf_bundle__blob_cnt(b) == MAIN_BLOBS,
	   "%s: %u entries, %u blobs", cname, btf_bundle__entry_cnt(b), btf_bundle__blob_cnt(b));
	for (i = 0; i < MAIN_CNT; i++) {
		const struct input *it = &main_set[i];
		int idx = find_key(b, it->arch, it->distro, it->version, it->release);

		if (idx < 0 || !entry_is(b, idx, it->variant)) {
			diag("%s/%s/%s/%s: %s", it->distro, it->version, it->arch, it->release,
			     idx < 0 ? "missing" : "wrong bytes");
			all = false;
		}
	}
	ok(all, "%s: every entry reads back byte-identical to its input", cname);
	for (i = 0; btf_bundle__entry(b, i, &e) == 0; i++) {
		if (i && (strcmp(prev.arch, e.arch) ?: strcmp(prev.distro, e.distro) ?:
			  strcmp(prev.version, e.version) ?: strcmp(prev.release, e.release)) >= 0)
			sorted = false;
		prev = e;
	}
	ok(sorted && i == MAIN_CNT, "%s: index sorted by (arch, distro, version, release)", cname);
	ok(!strcmp(btf_bundle__provenance(b), "bpftool=test\nsource=fixtures\n"),
	   "%s: provenance kept", cname);

	/* from a file, and from a copy whose source is gone */
	fd = mkstemp(path);
	if (fd >= 0) {
		err = write_all(fd, buf, len);
		close(fd);
		bf = err ? NULL : btf_bundle__open_file(path, NULL);
		unlink(path);
	}
	ok(bf && btf_bundle__entry_cnt(bf) == MAIN_CNT && entry_is(bf, 0, main_set[5].variant),
	   "%s: btf_bundle__open_file reads the same bundle", cname);
	copy = malloc(len);
	if (copy) {
		BTF_BUNDLE_OPTS(btf_bundle_open_opts, opts, .copy = true);

		memcpy(copy, buf, len);
		bc = btf_bundle__open_mem(copy, len, &opts);
		memset(copy, 0, len);
		free(copy);
	}
	ok(bc && entry_is(bc, find_key(bc, "x86_64", "centos", "7", "3.10.0-1160.el7.x86_64"), 8),
	   "%s: open_mem with .copy survives freeing the source", cname);
out:
	btf_bundle__free(b);
	btf_bundle__free(bf);
	btf_bundle__free(bc);
	free(buf);
}

static void test_dedup(void)
{
	static const struct input one[] = {
		{ "x86_64", "ubuntu", "22.04", "5.15.0-10-generic", 3 },
	};
	static const struct input same[] = {
		{ "x86_64", "ubuntu", "22.04", "5.15.0-10-generic", 3 },
		{ "x86_64", "ubuntu", "22.04", "5.15.0-11-generic", 3 },
		{ "x86_64", "ubuntu", "22.04", "5.15.0-12-generic", 3 },
		{ "x86_64", "ubuntu", "22.04", "5.15.0-13-generic", 4 },
		{ "x86_64", "ubuntu", "22.04", "5.15.0-14-generic", 3 },
		{ "x86_64", "ubuntu", "22.04", "5.15.0-15-generic", 3 },
		{ "x86_64", "ubuntu", "22.04", "5.15.0-16-generic", 3 },
	};
	struct build bo = { .max_depth = 0, .window = 1 };
	struct bundle_stats st;
	struct btf_bundle *b = NULL;
	struct btf_bundle_entry e, first;
	void *b1 = NULL, *b7 = NULL;
	size_t l1 = 0, l7 = 0;
	uint32_t i;
	bool shared = true;

	if (!ok(!build_bundle(one, 1, &bo, &b1, &l1, &st) &&
		!build_bundle(same, 7, &bo, &b7, &l7, &st), "dedup: bundles built"))
		goto out;
	b = btf_bundle__open_mem(b7, l7, NULL);
	if (!ok(b, "dedup: open"))
		goto out;
	ok(btf_bundle__blob_cnt(b) == 2 && st.blobs == 2 && st.entries == 7,
	   "dedup: 7 entries, 2 distinct BTFs -> %u blobs", btf_bundle__blob_cnt(b));
	btf_bundle__entry(b, 0, &first);
	for (i = 0; btf_bundle__entry(b, i, &e) == 0; i++) {
		bool is4 = !strcmp(e.release, "5.15.0-13-generic");

		if (is4 == (e.blob == first.blob))
			shared = false;
		if (!entry_is(b, i, is4 ? 4 : 3))
			shared = false;
	}
	ok(shared, "dedup: identical BTFs share one blob, the odd one has its own");
	/* six more kernels of identical BTF cost index entries, not streams */
	ok(l7 < l1 + 2 * (size_t)e.comp_size + 7 * 64,
	   "dedup: 7-entry bundle %zu bytes vs 1-entry %zu (+1 stream of %u)", l7, l1, e.comp_size);
out:
	btf_bundle__free(b);
	free(b1);
	free(b7);
}

static void test_deltas(uint32_t codec)
{
	static const uint32_t depths[] = { 0, 1, 2, 4 };
	struct input in[12];
	char rel[12][32];
	size_t sizes[4] = {}, i, d;
	const char *cname = btf_bundle__codec_name(codec);

	for (i = 0; i < 12; i++) {
		snprintf(rel[i], sizeof(rel[i]), "5.15.0-%zu-generic", 40 + i);
		in[i] = (struct input){ "x86_64", "ubuntu", "22.04", rel[i], 20 + i };
	}
	for (d = 0; d < 4; d++) {
		struct build bo = { .codec = codec, .max_depth = depths[d], .window = 8 };
		struct btf_bundle *b = NULL;
		struct btf_bundle_entry e;
		struct bundle_stats st = {};
		uint32_t k, deepest = 0;
		bool right = true;
		void *buf = NULL;

		if (!ok(!build_bundle(in, 12, &bo, &buf, &sizes[d], &st),
			"%s deltas max_depth %u: built", cname, depths[d]))
			continue;
		b = btf_bundle__open_mem(buf, sizes[d], NULL);
		for (k = 0; b && btf_bundle__entry(b, k, &e) == 0; k++) {
			if (e.depth > deepest)
				deepest = e.depth;
			if (!entry_is(b, k, 20 + k))
				right = false;
		}
		ok(b && k == 12 && right, "%s deltas max_depth %u: all 12 decode right",
		   cname, depths[d]);
		ok(b && deepest <= depths[d] && (depths[d] == 0) == (st.deltas == 0) &&
		   (depths[d] == 0 || deepest >= 1),
		   "%s deltas max_depth %u: deepest chain %u, %u delta blobs, %zu bytes",
		   cname, depths[d], deepest, st.deltas, sizes[d]);
		btf_bundle__free(b);
		free(buf);
	}
	ok(sizes[3] && sizes[3] < sizes[0],
	   "%s: deltas shrink the bundle (%zu -> %zu bytes)", cname, sizes[0], sizes[3]);
}

static bool host_is(const struct btf_host *h, const char *distro, const char *version,
		    const char *arch, const char *release)
{
	bool same = !strcmp(h->distro, distro) && !strcmp(h->version, version) &&
		    !strcmp(h->arch, arch) && (!release || !strcmp(h->release, release));

	if (!same)
		diag("host is %s/%s/%s/%s", h->distro, h->version, h->arch, h->release);
	return same;
}

static void test_lookup(void)
{
	struct build bo = { .max_depth = 4, .window = 8 };
	struct btf_bundle *b = NULL;
	struct btf_bundle_match m;
	struct btf_bundle_entry e;
	struct btf_host h;
	struct bundle_stats st;
	void *buf = NULL;
	size_t len, i;
	bool all = true;
	int idx;

	if (!ok(!build_bundle(main_set, MAIN_CNT, &bo, &buf, &len, &st), "lookup: built"))
		return;
	b = btf_bundle__open_mem(buf, len, NULL);
	if (!ok(b, "lookup: open"))
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
	ok(all, "lookup: every key is found exactly by binary search");

	btf_host__parse(&h, "ubuntu/20.04/aarch64/5.4.0-100-generic");
	idx = btf_bundle__find(b, &h, &m);
	ok(idx >= 0 && m.kind == BTF_BUNDLE_MATCH_EXACT && entry_is(b, idx, 4),
	   "lookup: aarch64 host finds the arm64 entry");

	btf_host__parse(&h, "debian/12/x86_64/6.1.0-18-amd64");
	idx = btf_bundle__find(b, &h, &m);
	ok(idx >= 0 && m.kind == BTF_BUNDLE_MATCH_ALIAS && entry_is(b, idx, 5) && *m.reason,
	   "lookup: debian 12 host finds debian/bookworm (alias): %s", m.reason);
	btf_host__parse(&h, "debian/bullseye/x86_64/5.10.0-28-amd64");
	idx = btf_bundle__find(b, &h, &m);
	ok(idx >= 0 && m.kind == BTF_BUNDLE_MATCH_ALIAS && entry_is(b, idx, 6),
	   "lookup: debian bullseye host finds debian/11 (alias)");

	btf_host__parse(&h, "fedora/11/x86_64/5.0.0-test");
	idx = btf_bundle__find(b, &h, &m);
	ok(idx >= 0 && m.kind == BTF_BUNDLE_MATCH_FALLBACK && entry_is(b, idx, 9) &&
	   !btf_bundle__entry(b, idx, &e) && !strcmp(e.version, "10") && strstr(m.reason, "fallback"),
	   "lookup: fallback to the same release under the greatest version (10, not 9): %s",
	   m.reason);
	btf_host__parse(&h, "fedora/9/x86_64/5.0.0-test");
	idx = btf_bundle__find(b, &h, &m);
	ok(idx >= 0 && m.kind == BTF_BUNDLE_MATCH_EXACT && entry_is(b, idx, 10),
	   "lookup: an exact key wins over the fallback");
	btf_host__parse(&h, "centos/9/x86_64/4.18.0-305.el8.x86_64");
	idx = btf_bundle__find(b, &h, &m);
	ok(idx >= 0 && m.kind == BTF_BUNDLE_MATCH_FALLBACK && entry_is(b, idx, 7),
	   "lookup: centos 9 host falls back to centos/8 with the same release");

	btf_host__parse(&h, "ubuntu/20.04/x86_64/9.9.9-nothere");
	idx = btf_bundle__find(b, &h, &m);
	ok(idx == -ENOENT && m.kind == BTF_BUNDLE_MATCH_NONE && *m.reason,
	   "lookup: unknown release -> -ENOENT, kind NONE: %s", m.reason);
	btf_host__parse(&h, "fedora/11/arm64/5.0.0-test");
	idx = btf_bundle__find(b, &h, &m);
	ok(idx == -ENOENT && m.kind == BTF_BUNDLE_MATCH_NONE,
	   "lookup: the fallback never crosses arch");
	btf_host__parse(&h, "rhel/10/x86_64/5.0.0-test");
	idx = btf_bundle__find(b, &h, &m);
	ok(idx == -ENOENT && m.kind == BTF_BUNDLE_MATCH_NONE,
	   "lookup: the fallback never crosses distro");
	btf_host__parse(&h, "ubuntu/20.04/x86_64/5.4.0-100");
	idx = btf_bundle__find(b, &h, &m);
	ok(idx == -ENOENT, "lookup: a release prefix is not a match");

	ok(btf_bundle__entry(b, MAIN_CNT, &e) == -ENOENT, "lookup: entry out of range -> -ENOENT");
	{
		void *d = NULL;
		size_t l;

		ok(btf_bundle__read(b, MAIN_CNT, &d, &l) == -ENOENT && !d,
		   "lookup: read out of range -> -ENOENT");
	}
out:
	btf_bundle__free(b);
	free(buf);
}

static void test_empty(void)
{
	struct build bo = {};
	struct btf_bundle *b = NULL;
	struct btf_bundle_match m;
	struct btf_host h;
	struct bundle_stats st;
	void *buf = NULL;
	size_t len;

	if (!ok(!build_bundle(NULL, 0, &bo, &buf, &len, &st), "empty: built"))
		return;
	b = btf_bundle__open_mem(buf, len, NULL);
	btf_host__parse(&h, "debian/12/x86_64/6.1.0-18-amd64");
	ok(b && btf_bundle__entry_cnt(b) == 0 && btf_bundle__find(b, &h, &m) == -ENOENT &&
	   m.kind == BTF_BUNDLE_MATCH_NONE, "empty: a bundle without kernels opens, finds nothing");
	btf_bundle__free(b);
	free(buf);
}

static void test_objects(void)
{
	static const struct input in[] = {
		{ "x86_64", "debian", "12", "6.1.0-18-amd64", 5 },
	};
	struct build bo = { .objects = true };
	struct build none = {};
	struct btf_bundle *b;
	struct bundle_stats st;
	uint8_t sha_a[SHA256_DIGEST_LEN], sha_c[SHA256_DIGEST_LEN];
	static const uint8_t obj_c[] = "\177ELF some other object";
	const uint8_t *sha;
	const char *name = NULL;
	void *buf = NULL, *buf2 = NULL;
	size_t len, len2;

	if (!ok(!build_bundle(in, 1, &bo, &buf, &len, &st) &&
		!build_bundle(in, 1, &none, &buf2, &len2, &st), "objects: built"))
		goto out;
	sha256_buf(obj_a, sizeof(obj_a), sha_a);
	sha256_buf(obj_c, sizeof(obj_c), sha_c);
	{
		BTF_BUNDLE_OPTS(btf_bundle_open_opts, o, .object = obj_a, .object_sz = sizeof(obj_a));

		b = btf_bundle__open_mem(buf, len, &o);
		ok(b && btf_bundle__object_cnt(b) == 2, "objects: open with the right object (A)");
		sha = b ? btf_bundle__object_sha256(b, 0, &name) : NULL;
		ok(sha && name && (!strcmp(name, "a.bpf.o") || !strcmp(name, "b.bpf.o")) &&
		   btf_bundle__object_sha256(b, 2, NULL) == NULL,
		   "objects: names and digests listed (%s)", name ?: "?");
		ok(b && btf_bundle__check_object(b, obj_b, sizeof(obj_b), NULL) == 0 &&
		   btf_bundle__check_object(b, NULL, 0, sha_a) == 0 &&
		   btf_bundle__check_object(b, obj_c, sizeof(obj_c), NULL) == -ESTALE &&
		   btf_bundle__check_object(b, NULL, 0, sha_c) == -ESTALE,
		   "objects: check_object accepts A and B, refuses another -> -ESTALE");
		btf_bundle__free(b);
	}
	{
		BTF_BUNDLE_OPTS(btf_bundle_open_opts, o, .object = obj_c, .object_sz = sizeof(obj_c));

		errno = 0;
		b = btf_bundle__open_mem(buf, len, &o);
		ok(!b && errno == ESTALE, "objects: open with another object -> ESTALE (%s)",
		   strerror(errno));
		btf_bundle__free(b);
	}
	{
		BTF_BUNDLE_OPTS(btf_bundle_open_opts, o, .object_sha256 = sha_a);

		b = btf_bundle__open_mem(buf, len, &o);
		ok(b, "objects: open by digest");
		btf_bundle__free(b);
		errno = 0;
		b = btf_bundle__open_mem(buf2, len2, &o);
		ok(!b && errno == ESTALE, "objects: a bundle that records no object matches none");
		btf_bundle__free(b);
	}
	{
		/* a newer caller's opts with an unknown non-zero tail is refused */
		struct {
			struct btf_bundle_open_opts o;
			long extra;
		} big = { .o.sz = sizeof(big), .extra = 1 };

		errno = 0;
		b = btf_bundle__open_mem(buf, len, &big.o);
		ok(!b && errno == EINVAL, "opts: unknown non-zero tail -> EINVAL");
		btf_bundle__free(b);
	}
out:
	free(buf);
	free(buf2);
}

static void test_btf_access(void)
{
	static const struct input in[] = {
		{ "x86_64", "debian", "12", "6.1.0-18-amd64", 5 },
		{ "x86_64", "debian", "12", "6.1.0-19-amd64", 6 },
	};
	struct build bo = { .max_depth = 4 };
	struct btf_bundle *b = NULL;
	struct bundle_stats st;
	struct btf *btf = NULL;
	char path[64], small[8];
	const void *raw;
	void *want = NULL, *buf = NULL;
	size_t want_len = 0, len;
	__u32 raw_len = 0;
	int fd = -1, id, seals;

	if (!ok(!build_bundle(in, 2, &bo, &buf, &len, &st), "btf: built"))
		return;
	b = btf_bundle__open_mem(buf, len, NULL);
	if (!ok(b && !fixture_btf(6, &want, &want_len), "btf: open"))
		goto out;
	fd = btf_bundle__memfd(b, 1, path, sizeof(path));
	if (ok(fd >= 0, "memfd: fd %d", fd)) {
		char expect[64];

		snprintf(expect, sizeof(expect), "/proc/self/fd/%d", fd);
		ok(!strcmp(path, expect), "memfd: path %s", path);
		btf = btf__parse(path, NULL);
		raw = btf ? btf__raw_data(btf, &raw_len) : NULL;
		ok(raw && raw_len == want_len && !memcmp(raw, want, want_len),
		   "memfd: btf__parse(%s) reads the entry back", path);
		btf__free(btf);
		btf = NULL;
		seals = fcntl(fd, F_GET_SEALS);
		ok(seals >= 0 && (seals & F_SEAL_WRITE) && write(fd, "x", 1) < 0,
		   "memfd: sealed against writes");
		close(fd);
	}
	ok(btf_bundle__memfd(b, 0, small, sizeof(small)) == -ENAMETOOLONG,
	   "memfd: a too small path buffer -> -ENAMETOOLONG");
	ok(btf_bundle__memfd(b, 2, path, sizeof(path)) == -ENOENT, "memfd: no such entry -> -ENOENT");

	btf = btf_bundle__load_btf(b, 1);
	if (ok(btf, "load_btf: entry 1 parses")) {
		const struct btf_type *t;
		const struct btf_member *mb;

		id = btf__find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT);
		t = id > 0 ? btf__type_by_id(btf, id) : NULL;
		mb = t ? btf_members(t) : NULL;
		/* variant 6: pid at byte 1024 + 32 * (6 % 5) */
		ok(t && btf_vlen(t) == 3 && mb && !strcmp(btf__name_by_offset(btf, mb[1].name_off), "pid") &&
		   mb[1].offset == (1024 + 32) * 8, "load_btf: task_struct.pid where the input put it");
	}
	btf__free(btf);
	errno = 0;
	btf = btf_bundle__load_btf(b, 7);
	ok(!btf && errno == ENOENT, "load_btf: no such entry -> NULL, ENOENT");
out:
	btf_bundle__free(b);
	free(want);
	free(buf);
}

static char tmpdir[] = "/tmp/test_bundle_host.XXXXXX";

static const char *os_release(const char *name, const char *text)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if (write_file_atomic(path, text, strlen(text)))
		diag("cannot write %s", path);
	return path;
}

static void test_host(void)
{
	struct btf_host h;
	struct utsname uts;
	char buf[512];
	int err;

	if (!ok(mkdtemp(tmpdir) && !uname(&uts), "host: temp dir"))
		return;
	{
		BTF_BUNDLE_OPTS(btf_host_opts, o, .os_release_path = os_release("centos",
			"NAME=\"CentOS Linux\"\nID=\"centos\"\nID_LIKE=\"rhel fedora\"\nVERSION_ID=\"8.4\"\n"));

		err = btf_host__detect(&h, &o);
		ok(!err && host_is(&h, "centos", "8", btf_host__arch_name(uts.machine), uts.release),
		   "host: centos 8.4 -> centos/8, arch and release from uname");
	}
	{
		BTF_BUNDLE_OPTS(btf_host_opts, o, .os_release_path = os_release("ubuntu",
			"# comment\nID=ubuntu\nVERSION_ID=\"20.04\"\nVERSION_CODENAME=focal\n"));

		err = btf_host__detect(&h, &o);
		ok(!err && host_is(&h, "ubuntu", "20.04", btf_host__arch_name(uts.machine), NULL),
		   "host: ubuntu, quotes stripped, minor version kept");
	}
	{
		BTF_BUNDLE_OPTS(btf_host_opts, o, .os_release_path = os_release("ol",
			"ID='ol'\nVERSION_ID=\"7.9\"\n"));

		err = btf_host__detect(&h, &o);
		ok(!err && host_is(&h, "ol", "7", btf_host__arch_name(uts.machine), NULL),
		   "host: ID='ol' VERSION_ID=\"7.9\" -> ol/7");
	}
	{
		BTF_BUNDLE_OPTS(btf_host_opts, o, .os_release_path = os_release("escapes",
			"ID=\"my\\\"distro\"\nVERSION_ID=\"1\\$2\"\n"));

		err = btf_host__detect(&h, &o);
		ok(!err && host_is(&h, "my\"distro", "1$2", btf_host__arch_name(uts.machine), NULL),
		   "host: backslash escapes in os-release values");
	}
	{
		BTF_BUNDLE_OPTS(btf_host_opts, o, .os_release_path = os_release("upper",
			"ID=Debian\nVERSION_ID=12\n"));

		err = btf_host__detect(&h, &o);
		ok(!err && host_is(&h, "debian", "12", btf_host__arch_name(uts.machine), NULL),
		   "host: ID lower-cased");
	}
	{
		BTF_BUNDLE_OPTS(btf_host_opts, o, .os_release_path = os_release("centos2",
			"ID=centos\nVERSION_ID=8.4\n"), .distro = "RHEL", .version = "\"9.2\"",
			.arch = "aarch64", .release = "5.14.0-284.el9.aarch64");

		err = btf_host__detect(&h, &o);
		ok(!err && host_is(&h, "rhel", "9", "arm64", "5.14.0-284.el9.aarch64"),
		   "host: every field overridden, then normalised");
	}
	{
		BTF_BUNDLE_OPTS(btf_host_opts, o, .os_release_path = "/nonexistent/os-release");

		err = btf_host__detect(&h, &o);
		ok(err == -ENOENT, "host: no os-release, no override -> -ENOENT (%d)", err);
	}
	{
		BTF_BUNDLE_OPTS(btf_host_opts, o, .os_release_path = "/nonexistent/os-release",
				.distro = "debian", .version = "12");

		err = btf_host__detect(&h, &o);
		ok(!err && host_is(&h, "debian", "12", btf_host__arch_name(uts.machine), uts.release),
		   "host: no os-release but distro/version overridden");
	}
	err = btf_host__parse(&h, "debian/12/aarch64/x");
	ok(!err && host_is(&h, "debian", "12", "arm64", "x"), "host: parse debian/12/aarch64/x -> arm64");
	err = btf_host__parse(&h, "centos/7.9/amd64/3.10.0-1160.el7.x86_64");
	ok(!err && host_is(&h, "centos", "7", "x86_64", "3.10.0-1160.el7.x86_64"),
	   "host: parse normalises amd64 and centos 7.9");
	ok(btf_host__parse(&h, "a/b/c") == -EINVAL && btf_host__parse(&h, "a/b/c/d/e") == -EINVAL &&
	   btf_host__parse(&h, "") == -EINVAL, "host: parse rejects a wrong number of fields");
	memset(buf, 'x', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	memcpy(buf, "debian/12/x86_64/", 17);
	ok(btf_host__parse(&h, buf) == -EINVAL, "host: parse rejects an over-long release");
	btf_host__parse(&h, "ubuntu/22.04/arm64/5.15.0-50-generic");
	btf_host__format(&h, buf, sizeof(buf));
	ok(!strcmp(buf, "ubuntu/22.04/arm64/5.15.0-50-generic"), "host: format %s", buf);
	ok(!strcmp(btf_host__arch_name("aarch64"), "arm64") &&
	   !strcmp(btf_host__arch_name("amd64"), "x86_64") &&
	   !strcmp(btf_host__arch_name("s390x"), "s390x"), "host: arch names");
	for (const char *n = "centos\0ubuntu\0ol\0escapes\0upper\0centos2\0"; *n; n += strlen(n) + 1) {
		snprintf(buf, sizeof(buf), "%s/%s", tmpdir, n);
		unlink(buf);
	}
	rmdir(tmpdir);
}

static void test_duplicates(void)
{
	static const struct input conflict[] = {
		{ "x86_64", "ubuntu", "22.04", "5.15.0-10-generic", 1 },
		{ "x86_64", "ubuntu", "22.04", "5.15.0-11-generic", 1 },
		{ "x86_64", "ubuntu", "22.04", "5.15.0-10-generic", 2 },
	};
	static const struct input overlap[] = {
		{ "x86_64", "ubuntu", "22.04", "5.15.0-10-generic", 1 },
		{ "x86_64", "ubuntu", "22.04", "5.15.0-10-generic", 1 },
	};
	struct build bo = {};
	struct btf_bundle *b;
	struct bundle_stats st;
	void *buf = NULL;
	size_t len = 0;
	int err;

	err = build_bundle(conflict, 3, &bo, &buf, &len, &st);
	ok(err == -EEXIST && !buf, "duplicates: one key, different BTF -> -EEXIST (%d)", err);
	free(buf);
	buf = NULL;
	err = build_bundle(overlap, 2, &bo, &buf, &len, &st);
	b = err ? NULL : btf_bundle__open_mem(buf, len, NULL);
	ok(b && btf_bundle__entry_cnt(b) == 1 && entry_is(b, 0, 1),
	   "duplicates: one key, identical BTF (overlapping shards) -> kept once");
	btf_bundle__free(b);
	free(buf);
}

static void test_determinism(uint32_t codec)
{
	struct build fwd = { .codec = codec, .max_depth = 4, .window = 8, .objects = true };
	struct build rev = fwd;
	struct bundle_stats st;
	void *b1 = NULL, *b2 = NULL;
	size_t l1 = 0, l2 = 0;

	rev.reverse = true;
	if (build_bundle(main_set, MAIN_CNT, &fwd, &b1, &l1, &st) ||
	    build_bundle(main_set, MAIN_CNT, &rev, &b2, &l2, &st))
		l2 = 0;
	ok(l1 && l1 == l2 && !memcmp(b1, b2, l1),
	   "%s determinism: reversed add order gives a byte-identical bundle (%zu bytes)",
	   btf_bundle__codec_name(codec), l1);
	free(b1);
	free(b2);
}

/* The small bundle every corruption test starts from: 3 entries, a delta, objects. */
static const struct input small_set[] = {
	{ "x86_64", "debian", "12", "6.1.0-18-amd64", 0 },
	{ "x86_64", "debian", "12", "6.1.0-19-amd64", 1 },
	{ "x86_64", "debian", "12", "6.1.0-20-amd64", 0 },
};

static int expect_fail(const void *buf, size_t len, int want_errno)
{
	struct btf_bundle *b;

	errno = 0;
	b = btf_bundle__open_mem(buf, len, NULL);
	if (b) {
		btf_bundle__free(b);
		return -1;
	}
	return errno == want_errno ? 0 : errno;
}

static void test_truncated_and_flipped(uint32_t codec)
{
	const char *cname = btf_bundle__codec_name(codec);
	struct build bo = { .codec = codec, .max_depth = 4, .window = 8, .objects = true };
	struct bundle_stats st;
	struct btf_bundle *b;
	struct btfb_header h;
	uint8_t *buf = NULL, *copy = NULL;
	size_t len = 0, i, bad = 0, wrong = 0, detected = 0, reads = 0;
	uint32_t k;
	int err;

	err = build_bundle(small_set, 3, &bo, (void **)&buf, &len, &st);
	if (!ok(!err && (copy = malloc(len)), "%s corrupt: small bundle built (%zu bytes)",
		cname, len))
		goto out;
	btfb_load_u32s(&h.version, buf + BTFB_MAGIC_LEN, (BTFB_HEADER_LEN - BTFB_MAGIC_LEN) / 4);

	/* A heap copy of exactly @i bytes, so that ASan/valgrind see any over-read. */
	for (i = 0; i < len; i++) {
		uint8_t *t = malloc(i ?: 1);
		int e;

		memcpy(t, buf, i);
		e = expect_fail(t, i, EBADMSG);
		if (e && bad++ < 5)
			diag("truncated to %zu: %s", i, e < 0 ? "opened" : strerror(e));
		free(t);
	}
	ok(!bad, "%s corrupt: all %zu truncations fail to open with EBADMSG", cname, len);

	bad = 0;
	for (i = 0; i < h.data_off; i++) {
		int e, want = i >= 8 && i < 12 ? EPROTO : EBADMSG;	/* the version field */

		memcpy(copy, buf, len);
		copy[i] ^= 0x5a;
		e = expect_fail(copy, len, want);
		copy[i] ^= 0xa5 ^ 0x5a;
		e = e ?: expect_fail(copy, len, want);
		if (e && bad++ < 5)
			diag("metadata byte %zu flipped: %s", i, e < 0 ? "opened" : strerror(e));
	}
	ok(!bad, "%s corrupt: each of %u metadata bytes flipped -> open fails", cname, h.data_off);

	for (i = h.data_off; i < len; i++) {
		bool hit = false;

		memcpy(copy, buf, len);
		copy[i] ^= 0xff;
		b = btf_bundle__open_mem(copy, len, NULL);
		if (!b) {
			if (bad++ < 5)
				diag("data byte %zu flipped: open failed: %s", i, strerror(errno));
			continue;
		}
		for (k = 0; k < btf_bundle__entry_cnt(b); k++) {
			void *d = NULL;
			size_t l;
			int rerr = btf_bundle__read(b, k, &d, &l);

			reads++;
			if (rerr == -EILSEQ || rerr == -EBADMSG)
				hit = true;
			else if (rerr || !entry_is(b, k, small_set[k].variant))
				wrong++;
			free(d);
		}
		detected += hit;
		btf_bundle__free(b);
	}
	ok(!bad && !wrong, "%s corrupt: %zu data bytes flipped, %zu reads: never wrong data", cname,
	   len - h.data_off, reads);
	ok(detected >= (len - h.data_off) * 9 / 10,
	   "%s corrupt: %zu of %zu data flips reported as -EILSEQ/-EBADMSG", cname, detected,
	   len - h.data_off);
out:
	free(buf);
	free(copy);
}

/* Hand-crafted bundles: structure damage behind a recomputed, valid crc. */
static uint32_t get32(const uint8_t *p, size_t off) { return btfb_le32(p + off); }
static void put32(uint8_t *p, size_t off, uint32_t v) { btfb_put_le32(p + off, v); }
#define HDR(f) offsetof(struct btfb_header, f)

static void fix_crc(uint8_t *p, size_t len)
{
	uint32_t data_off = get32(p, HDR(data_off));
	uLong crc;

	if (data_off > len)
		data_off = len;
	put32(p, HDR(meta_crc), 0);
	crc = crc32(0, p, data_off);
	put32(p, HDR(meta_crc), crc);
}

enum { BLOB, ENTRY, ALT };

static size_t at(const uint8_t *p, int table, uint32_t i, size_t field)
{
	switch (table) {
	case BLOB: return get32(p, HDR(blob_off)) + i * BTFB_BLOB_LEN + field;
	case ENTRY: return get32(p, HDR(entry_off)) + i * BTFB_ENTRY_LEN + field;
	default: return get32(p, HDR(alt_off)) + i * 4;
	}
}
#define BL(f) offsetof(struct btfb_blob, f)
#define EN(f) offsetof(struct btfb_entry, f)

static void swap32(uint8_t *p, size_t a, size_t b)
{
	uint32_t t = get32(p, a);

	put32(p, a, get32(p, b));
	put32(p, b, t);
}

static void test_crafted(void)
{
	struct build bo = { .codec = BTF_BUNDLE_CODEC_XZ, .max_depth = 4, .window = 8,
			    .objects = true };
	struct bundle_stats st;
	struct btf_bundle *b;
	uint8_t *buf = NULL, *p = NULL;
	size_t len = 0;
	uint32_t delta = BTFB_NO_REF, i, nblob, str_len, data_off, data_len;
	int n = 0, bad = 0, err;
	void *d = NULL;
	size_t l;

	if (!ok(!build_bundle(small_set, 3, &bo, (void **)&buf, &len, &st) && (p = malloc(len)),
		"crafted: base bundle built"))
		goto out;
	nblob = get32(buf, HDR(blob_cnt));
	str_len = get32(buf, HDR(str_len));
	data_off = get32(buf, HDR(data_off));
	data_len = get32(buf, HDR(data_len));
	for (i = 0; i < nblob; i++)
		if (get32(buf, at(buf, BLOB, i, BL(ref))) != BTFB_NO_REF)
			delta = i;
	if (!ok(nblob == 2 && delta == 1, "crafted: base has 2 blobs, blob 1 a delta of blob 0"))
		goto out;

	/* Each case edits a fresh copy, fixes the crc and must be refused with EBADMSG. */
#define CASE(name, ...) do {							\
		memcpy(p, buf, len);						\
		__VA_ARGS__;							\
		fix_crc(p, len);						\
		n++;								\
		if ((err = expect_fail(p, len, EBADMSG))) {			\
			bad++;							\
			diag("crafted '%s': %s", name,				\
			     err < 0 ? "opened" : strerror(err));		\
		}								\
	} while (0)

	/* control: fix_crc() on an untouched copy must leave it valid */
	memcpy(p, buf, len);
	fix_crc(p, len);
	b = btf_bundle__open_mem(p, len, NULL);
	if (!ok(b, "crafted: control copy with recomputed crc opens"))
		goto out;
	btf_bundle__free(b);
	CASE("blob refers to itself", put32(p, at(p, BLOB, 1, BL(ref)), 1));
	CASE("blob ref cycle 0 <-> 1", put32(p, at(p, BLOB, 0, BL(ref)), 1);
	     put32(p, at(p, BLOB, 0, BL(depth)), 2));
	CASE("blob forward ref", put32(p, at(p, BLOB, 0, BL(ref)), 1);
	     put32(p, at(p, BLOB, 0, BL(depth)), 1);
	     put32(p, at(p, BLOB, 1, BL(ref)), BTFB_NO_REF);
	     put32(p, at(p, BLOB, 1, BL(depth)), 0));
	CASE("blob ref out of range", put32(p, at(p, BLOB, 1, BL(ref)), 7));
	CASE("blob depth lies", put32(p, at(p, BLOB, 1, BL(depth)), 2));
	CASE("root blob with depth", put32(p, at(p, BLOB, 0, BL(depth)), 1));
	CASE("depth above header max_depth", put32(p, HDR(max_depth), 0));
	CASE("header max_depth above the format's", put32(p, HDR(max_depth), BTFB_MAX_DEPTH + 1));
	CASE("stream past the data section", put32(p, at(p, BLOB, 1, BL(comp_size)), data_len));
	CASE("stream offset wraps", put32(p, at(p, BLOB, 1, BL(data_off)), 0xfffffff0u));
	CASE("empty stream", put32(p, at(p, BLOB, 0, BL(comp_size)), 0));
	CASE("raw size above the limit", put32(p, at(p, BLOB, 0, BL(raw_size)), BTFB_MAX_RAW_SIZE + 1));
	CASE("entry string past the table", put32(p, at(p, ENTRY, 0, EN(release_str)), str_len));
	CASE("entry string offset huge", put32(p, at(p, ENTRY, 2, EN(arch_str)), 0xffffffffu));
	CASE("entry blob out of range", put32(p, at(p, ENTRY, 0, EN(blob)), nblob));
	/* the alt ids are remapped too, so that only the index order is wrong */
	CASE("entries unsorted", for (i = 0; i < 6; i++)
		swap32(p, at(p, ENTRY, 0, 4 * i), at(p, ENTRY, 1, 4 * i));
	     for (i = 0; i < 3; i++)
		if (get32(p, at(p, ALT, i, 0)) < 2)
			put32(p, at(p, ALT, i, 0), 1 - get32(p, at(p, ALT, i, 0))));
	CASE("duplicate entry", for (i = 0; i < 6; i++)
		put32(p, at(p, ENTRY, 1, 4 * i), get32(p, at(p, ENTRY, 0, 4 * i))));
	CASE("alt table not a permutation", put32(p, at(p, ALT, 1, 0), get32(p, at(p, ALT, 0, 0))));
	CASE("alt id out of range", put32(p, at(p, ALT, 0, 0), 3));
	CASE("alt table unsorted", swap32(p, at(p, ALT, 0, 0), at(p, ALT, 2, 0)));
	CASE("entry section in the data", put32(p, HDR(entry_off), data_off - 8));
	CASE("entry count overflows 32 bits", put32(p, HDR(entry_cnt), 0x20000000u));
	CASE("blob count huge", put32(p, HDR(blob_cnt), 0xffffffffu));
	CASE("object count huge", put32(p, HDR(object_cnt), 1000));
	CASE("section inside the header", put32(p, HDR(str_off), 16));
	CASE("object name past the strings", put32(p, get32(p, HDR(obj_off)) + 32, str_len + 5));
	CASE("string table not NUL-terminated",
	     p[get32(p, HDR(str_off)) + str_len - 1] = 'x');
	CASE("string table empty", put32(p, HDR(str_len), 0));
	CASE("provenance past the strings", put32(p, HDR(prov_str), str_len));
	CASE("short hdr_len", put32(p, HDR(hdr_len), BTFB_HEADER_LEN - 4));
	CASE("hdr_len past data_off", put32(p, HDR(hdr_len), data_off + 4));
	CASE("unknown flags", put32(p, HDR(flags), 1));
	CASE("unknown codec", put32(p, HDR(codec), 3));
	CASE("total_len short", put32(p, HDR(total_len), len - 1));
	CASE("total_len past the buffer", put32(p, HDR(total_len), len + 1));
	CASE("data_len wrong", put32(p, HDR(data_len), data_len + 1));
	CASE("data_off past the end", put32(p, HDR(data_off), len + 100));
	CASE("data_off + data_len wraps", put32(p, HDR(data_off), 0xffffff00u));
	CASE("bad magic", p[3] ^= 1);
	ok(!bad, "crafted: %d structurally broken bundles with a valid crc -> EBADMSG", n);

	memcpy(p, buf, len);
	put32(p, HDR(version), BTFB_VERSION + 1);
	fix_crc(p, len);
	ok(expect_fail(p, len, EPROTO) == 0, "crafted: format version %u -> EPROTO", BTFB_VERSION + 1);

	/* Structure fine, streams lie: caught when read, per entry. */
	memcpy(p, buf, len);
	swap32(p, at(p, BLOB, 0, BL(crc32)), at(p, BLOB, 1, BL(crc32)));
	fix_crc(p, len);
	b = btf_bundle__open_mem(p, len, NULL);
	err = b ? btf_bundle__read(b, 0, &d, &l) : 1;
	ok(b && err == -EILSEQ && !d, "crafted: swapped blob checksums -> read -EILSEQ (%d)", err);
	btf_bundle__free(b);
	memcpy(p, buf, len);
	put32(p, at(p, BLOB, 0, BL(raw_size)), get32(p, at(p, BLOB, 0, BL(raw_size))) + 1);
	fix_crc(p, len);
	b = btf_bundle__open_mem(p, len, NULL);
	err = b ? btf_bundle__read(b, 1, &d, &l) : 1;
	ok(b && (err == -EBADMSG || err == -EILSEQ) && !d,
	   "crafted: wrong raw size of a delta's base -> read fails (%d)", err);
	btf_bundle__free(b);
	memcpy(p, buf, len);
	put32(p, at(p, BLOB, 1, BL(data_off)), get32(p, at(p, BLOB, 0, BL(data_off))));
	put32(p, at(p, BLOB, 1, BL(comp_size)), get32(p, at(p, BLOB, 0, BL(comp_size))));
	fix_crc(p, len);
	b = btf_bundle__open_mem(p, len, NULL);
	err = b ? btf_bundle__read(b, 1, &d, &l) : 1;
	ok(b && (err == -EBADMSG || err == -EILSEQ) && !d,
	   "crafted: a delta pointing at another blob's stream -> read fails (%d)", err);
	btf_bundle__free(b);
out:
	free(buf);
	free(p);
}

int main(void)
{
	/* The library's warnings would only clutter TAP; errors are asserted. */
	btf_bundle_set_print(NULL);

	test_round_trip(BTF_BUNDLE_CODEC_XZ);
	test_round_trip(BTF_BUNDLE_CODEC_ZLIB);
	test_dedup();
	test_deltas(BTF_BUNDLE_CODEC_XZ);
	test_deltas(BTF_BUNDLE_CODEC_ZLIB);
	test_lookup();
	test_empty();
	test_objects();
	test_btf_access();
	test_host();
	test_duplicates();
	test_determinism(BTF_BUNDLE_CODEC_XZ);
	test_determinism(BTF_BUNDLE_CODEC_ZLIB);
	test_truncated_and_flipped(BTF_BUNDLE_CODEC_XZ);
	test_truncated_and_flipped(BTF_BUNDLE_CODEC_ZLIB);
	test_crafted();
	printf("1..%d\n", test_cnt);
	return fail_cnt ? 1 : 0;
}
