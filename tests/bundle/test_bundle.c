// SPDX-License-Identifier: BSD-2-Clause
/*
 * Unit tests of the bundle writer (bundle_writer.c) and the runtime reader
 * (libbtfbundle): round trip, dedup, solid blocks and dictionary, lookup, object identity,
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
#include <time.h>
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
#include "tap.h"

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

/* Writer options; zero sizes mean the writer's defaults, but dict = 0 means none. */
struct build {
	uint32_t codec, block_size, chunk_size, dict_size;
	bool reverse;		/* add inputs (and objects) in reverse order */
	bool objects;		/* record obj_a and obj_b */
};

/* The layouts every reader test runs against: one chunk and block, or many. */
#define DICT_DEFAULT (4u << 10)
static const struct build layouts[] = {
	{ .block_size = 0, .chunk_size = 0, .dict_size = DICT_DEFAULT },
	{ .block_size = 1, .chunk_size = 1, .dict_size = DICT_DEFAULT },	/* one per chunk/block */
	{ .block_size = 20000, .chunk_size = 200, .dict_size = 0 },
};
#define LAYOUT_CNT (sizeof(layouts) / sizeof(layouts[0]))

static const char *layout_name(const struct build *bo)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "%s b%u/c%u/d%u", btf_bundle__codec_name(bo->codec ?: 1),
		 bo->block_size, bo->chunk_size, bo->dict_size);
	return buf;
}

static int build_bundle(const struct input *in, size_t n, const struct build *bo,
			void **out, size_t *out_len, struct bundle_stats *st)
{
	struct bundle_writer_opts wo = {
		.codec = bo->codec ?: BTF_BUNDLE_CODEC_XZ,
		.block_size = bo->block_size,
		.chunk_size = bo->chunk_size,
		.dict_size = bo->dict_size,
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

static void test_round_trip(uint32_t codec, const struct build *layout)
{
	struct build bo = *layout;
	struct bundle_stats st = {};
	struct btf_bundle *b = NULL, *bf = NULL, *bc = NULL;
	struct btf_bundle_entry e, prev = {};
	char path[] = "/tmp/test_bundle.XXXXXX", cname[64];
	void *buf = NULL, *copy;
	size_t len = 0, i;
	uint64_t raw = 0;
	bool all = true, sorted = true, blocks_ok = true;
	int err, fd;

	bo.codec = codec;
	bo.objects = true;
	snprintf(cname, sizeof(cname), "%s", layout_name(&bo));
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
	   st.bundle_bytes == len, "%s: stats: %u entries, %u blobs, %u blocks, %u chunks, %llu raw bytes, %zu bytes",
	   cname, st.entries, st.blobs, st.blocks, st.chunks, (unsigned long long)st.raw_bytes, len);
	b = btf_bundle__open_mem(buf, len, NULL);
	if (!ok(b, "%s: btf_bundle__open_mem (%s)", cname, b ? "ok" : strerror(errno)))
		goto out;
	ok(btf_bundle__codec(b) == codec && btf_bundle__format_version(b) == BTFB_VERSION &&
	   btf_bundle__size(b) == len, "%s: header: codec %s, version %u", cname,
	   btf_bundle__codec_name(btf_bundle__codec(b)), btf_bundle__format_version(b));
	ok(btf_bundle__entry_cnt(b) == MAIN_CNT && btf_bundle__blob_cnt(b) == MAIN_BLOBS &&
	   btf_bundle__block_cnt(b) == st.blocks &&
	   (layout->block_size != 1 || st.blocks == MAIN_BLOBS) &&
	   (layout->chunk_size != 1 || st.chunks == MAIN_CNT) &&
	   (layout->block_size || st.blocks == 1),
	   "%s: %u entries, %u blobs, %u blocks", cname, btf_bundle__entry_cnt(b),
	   btf_bundle__blob_cnt(b), btf_bundle__block_cnt(b));
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
		/* blobs are numbered in key order of first use, blocks partition them in order */
		if (e.blob >= MAIN_BLOBS || e.block >= st.blocks ||
		    (layout->block_size == 1 && e.block != e.blob))
			blocks_ok = false;
		prev = e;
	}
	ok(sorted && i == MAIN_CNT, "%s: index sorted by (arch, distro, version, release)", cname);
	ok(blocks_ok, "%s: entries' blob and block ids in range", cname);
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
	static const struct input same[] = {
		{ "x86_64", "ubuntu", "22.04", "5.15.0-10-generic", 3 },
		{ "x86_64", "ubuntu", "22.04", "5.15.0-11-generic", 3 },
		{ "x86_64", "ubuntu", "22.04", "5.15.0-12-generic", 3 },
		{ "x86_64", "ubuntu", "22.04", "5.15.0-13-generic", 4 },
		{ "x86_64", "ubuntu", "22.04", "5.15.0-14-generic", 3 },
		{ "x86_64", "ubuntu", "22.04", "5.15.0-15-generic", 3 },
		{ "x86_64", "ubuntu", "22.04", "5.15.0-16-generic", 3 },
	};
	struct build bo = { .block_size = 1, .dict_size = 0 };
	struct bundle_stats st;
	struct btf_bundle *b = NULL;
	struct btf_bundle_entry e, first;
	void *b7 = NULL, *v3 = NULL, *v4 = NULL;
	size_t l7 = 0, l3 = 0, l4 = 0;
	uint32_t i;
	bool shared = true;

	if (!ok(!build_bundle(same, 7, &bo, &b7, &l7, &st) && !fixture_btf(3, &v3, &l3) &&
		!fixture_btf(4, &v4, &l4), "dedup: bundle built"))
		goto out;
	b = btf_bundle__open_mem(b7, l7, NULL);
	if (!ok(b, "dedup: open"))
		goto out;
	ok(btf_bundle__blob_cnt(b) == 2 && st.blobs == 2 && st.entries == 7 && st.blocks == 2 &&
	   st.unique_bytes == l3 + l4 && st.raw_bytes == 6 * l3 + l4,
	   "dedup: 7 entries, 2 distinct BTFs -> %u blobs in %u blocks, %llu unique of %llu raw bytes",
	   btf_bundle__blob_cnt(b), st.blocks, (unsigned long long)st.unique_bytes,
	   (unsigned long long)st.raw_bytes);
	btf_bundle__entry(b, 0, &first);
	for (i = 0; btf_bundle__entry(b, i, &e) == 0; i++) {
		bool is4 = !strcmp(e.release, "5.15.0-13-generic");

		if (is4 == (e.blob == first.blob) || is4 == (e.block == first.block))
			shared = false;
		if (!entry_is(b, i, is4 ? 4 : 3))
			shared = false;
	}
	ok(shared, "dedup: identical BTFs share one blob, the odd one has its own");
out:
	btf_bundle__free(b);
	free(b7);
	free(v3);
	free(v4);
}

/* Solid blocks bounded by block_size; the shared dictionary and solid blocks pay off. */
static void test_blocks(uint32_t codec)
{
	static const uint32_t block_sizes[] = { 1, 20000, 0 };
	struct input in[12];
	char rel[12][32];
	size_t sizes[3] = {}, flat = 0, i, d;
	const char *cname = btf_bundle__codec_name(codec);
	for (i = 0; i < 12; i++) {
		snprintf(rel[i], sizeof(rel[i]), "5.15.0-%zu-generic", 40 + i);
		in[i] = (struct input){ "x86_64", "ubuntu", "22.04", rel[i], 20 + i };
	}
	for (d = 0; d < 3; d++) {
		struct build bo = { .codec = codec, .block_size = block_sizes[d],
				    .dict_size = DICT_DEFAULT };
		struct btf_bundle *b = NULL;
		struct btf_bundle_entry e;
		struct bundle_stats st = {};
		uint32_t k, cnt[12] = {}, last_block = 0;
		uint64_t sum[12] = {};
		bool right = true, bounded = true;
		void *buf = NULL;

		if (!ok(!build_bundle(in, 12, &bo, &buf, &sizes[d], &st),
			"%s blocks of %u bytes: built", cname, block_sizes[d]))
			continue;
		b = btf_bundle__open_mem(buf, sizes[d], NULL);
		for (k = 0; b && btf_bundle__entry(b, k, &e) == 0; k++) {
			if (!entry_is(b, k, 20 + k))
				right = false;
			if (e.block >= 12 || e.block < last_block || e.blob != k) {
				bounded = false;
				continue;
			}
			/* a block: u32 count, a u32 size per BTF, the BTFs */
			sum[e.block] += 4 + e.raw_size;
			cnt[e.block]++;
			last_block = e.block;
		}
		ok(b && k == 12 && right, "%s blocks of %u bytes: all 12 decode right", cname,
		   block_sizes[d]);
		for (k = 0; k < 12 && block_sizes[d]; k++)
			if (cnt[k] > 1 && 4 + sum[k] > block_sizes[d])
				bounded = false;
		ok(b && bounded && st.blocks == btf_bundle__block_cnt(b) &&
		   (block_sizes[d] != 1 || st.blocks == 12) && (block_sizes[d] || st.blocks == 1) &&
		   (block_sizes[d] != 20000 || (st.blocks > 1 && st.blocks < 12)),
		   "%s blocks of %u bytes: %u blocks, %u dictionary bytes, %zu bytes", cname,
		   block_sizes[d], st.blocks, st.dict_raw, sizes[d]);
		btf_bundle__free(b);
		free(buf);
	}
	{
		struct build bo = { .codec = codec, .block_size = 1, .dict_size = 0 };
		struct bundle_stats st;
		void *buf = NULL;

		if (!build_bundle(in, 12, &bo, &buf, &flat, &st))
			ok(st.dict_raw == 0 && st.blocks == 12, "%s: no dictionary when dict_size is 0",
			   cname);
		free(buf);
	}
	ok(flat && sizes[0] < flat, "%s: the shared dictionary shrinks per-BTF blocks (%zu -> %zu bytes)",
	   cname, flat, sizes[0]);
	ok(sizes[2] && sizes[2] < sizes[0], "%s: one solid block beats one block per BTF (%zu -> %zu bytes)",
	   cname, sizes[0], sizes[2]);
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

static void test_lookup(const struct build *layout)
{
	struct build bo = *layout;
	const char *lname = layout_name(layout);
	struct btf_bundle *b = NULL;
	struct btf_bundle_match m;
	struct btf_bundle_entry e;
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

	btf_host__parse(&h, "ubuntu/20.04/aarch64/5.4.0-100-generic");
	idx = btf_bundle__find(b, &h, &m);
	ok(idx >= 0 && m.kind == BTF_BUNDLE_MATCH_EXACT && entry_is(b, idx, 4),
	   "%s lookup: aarch64 host finds the arm64 entry", lname);

	btf_host__parse(&h, "debian/12/x86_64/6.1.0-18-amd64");
	idx = btf_bundle__find(b, &h, &m);
	ok(idx >= 0 && m.kind == BTF_BUNDLE_MATCH_ALIAS && entry_is(b, idx, 5) && *m.reason,
	   "%s lookup: debian 12 host finds debian/bookworm (alias): %s", lname, m.reason);
	btf_host__parse(&h, "debian/bullseye/x86_64/5.10.0-28-amd64");
	idx = btf_bundle__find(b, &h, &m);
	ok(idx >= 0 && m.kind == BTF_BUNDLE_MATCH_ALIAS && entry_is(b, idx, 6),
	   "%s lookup: debian bullseye host finds debian/11 (alias)", lname);

	btf_host__parse(&h, "fedora/11/x86_64/5.0.0-test");
	idx = btf_bundle__find(b, &h, &m);
	ok(idx >= 0 && m.kind == BTF_BUNDLE_MATCH_FALLBACK && entry_is(b, idx, 9) &&
	   !btf_bundle__entry(b, idx, &e) && !strcmp(e.version, "10") && strstr(m.reason, "fallback"),
	   "%s lookup: fallback to the same release under the greatest version (10, not 9): %s", lname,
	   m.reason);
	btf_host__parse(&h, "fedora/9/x86_64/5.0.0-test");
	idx = btf_bundle__find(b, &h, &m);
	ok(idx >= 0 && m.kind == BTF_BUNDLE_MATCH_EXACT && entry_is(b, idx, 10),
	   "%s lookup: an exact key wins over the fallback", lname);
	btf_host__parse(&h, "centos/9/x86_64/4.18.0-305.el8.x86_64");
	idx = btf_bundle__find(b, &h, &m);
	ok(idx >= 0 && m.kind == BTF_BUNDLE_MATCH_FALLBACK && entry_is(b, idx, 7),
	   "%s lookup: centos 9 host falls back to centos/8 with the same release", lname);

	btf_host__parse(&h, "ubuntu/20.04/x86_64/9.9.9-nothere");
	idx = btf_bundle__find(b, &h, &m);
	ok(idx == -ENOENT && m.kind == BTF_BUNDLE_MATCH_NONE && *m.reason,
	   "%s lookup: unknown release -> -ENOENT, kind NONE: %s", lname, m.reason);
	btf_host__parse(&h, "fedora/11/arm64/5.0.0-test");
	idx = btf_bundle__find(b, &h, &m);
	ok(idx == -ENOENT && m.kind == BTF_BUNDLE_MATCH_NONE,
	   "%s lookup: the fallback never crosses arch", lname);
	btf_host__parse(&h, "rhel/10/x86_64/5.0.0-test");
	idx = btf_bundle__find(b, &h, &m);
	ok(idx == -ENOENT && m.kind == BTF_BUNDLE_MATCH_NONE,
	   "%s lookup: the fallback never crosses distro", lname);
	btf_host__parse(&h, "ubuntu/20.04/x86_64/5.4.0-100");
	idx = btf_bundle__find(b, &h, &m);
	ok(idx == -ENOENT, "%s lookup: a release prefix is not a match", lname);

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

/* Real BPF objects from argv: the probe, its V2 (one more field read), its llvm-strip -g copy. */
static const char *obj_paths[3];

static void *slurp(const char *path, size_t *len)
{
	void *data = NULL;

	if (read_file(path, &data, len, 64u << 20))
		return NULL;
	return data;
}

static void test_objects(void)
{
	static const struct input in[] = {
		{ "x86_64", "debian", "12", "6.1.0-18-amd64", 5 },
	};
	struct build none = {};
	struct btf_bundle *b;
	struct bundle_stats st;
	uint8_t d_probe[32], d_v2[32], d_strip[32];
	size_t len, len2, probe_len = 0, v2_len = 0, strip_len = 0;
	void *buf = NULL, *buf2 = NULL, *probe = NULL, *v2 = NULL, *strip = NULL;
	static const uint8_t not_elf[] = "\177ELF no more than that";
	const uint8_t *sha;
	const char *name = NULL;
	struct timespec t0, t1;
	int i, iters = 2000;
	double us;

	probe = slurp(obj_paths[0], &probe_len);
	v2 = slurp(obj_paths[1], &v2_len);
	strip = slurp(obj_paths[2], &strip_len);
	if (!ok(probe && v2 && strip, "objects: read the probe objects"))
		goto out;
	ok(!btf_bundle__object_digest(probe, probe_len, d_probe) &&
	   !btf_bundle__object_digest(v2, v2_len, d_v2) &&
	   !btf_bundle__object_digest(strip, strip_len, d_strip),
	   "objects: CO-RE digests computed");
	ok(probe_len != strip_len && !memcmp(d_probe, d_strip, 32),
	   "objects: llvm-strip -g keeps the digest (%zu -> %zu bytes)", probe_len, strip_len);
	ok(memcmp(d_probe, d_v2, 32), "objects: one more field access changes it");
	ok(btf_bundle__object_digest(not_elf, sizeof(not_elf), d_v2) == -EINVAL &&
	   btf_bundle__object_digest(probe, 100, d_v2) == -EINVAL,
	   "objects: not an object / truncated -> -EINVAL");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < iters; i++)
		btf_bundle__object_digest(probe, probe_len, d_v2);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 1e3 / iters;
	printf("# digest of %s (%zu bytes): %.1f us\n", obj_paths[0], probe_len, us);
	btf_bundle__object_digest(v2, v2_len, d_v2);

	{
		struct bundle_writer_opts wo = { .codec = BTF_BUNDLE_CODEC_XZ };
		struct bundle_writer *w = bundle_writer__new(&wo);
		void *data = NULL;
		size_t dlen;
		int err = w ? 0 : -ENOMEM;

		err = err ?: bundle_writer__add_object(w, "probe.bpf.o", d_probe);
		err = err ?: fixture_btf(in[0].variant, &data, &dlen);
		err = err ?: bundle_writer__add(w, in[0].arch, in[0].distro, in[0].version,
						in[0].release, data, dlen, "test");
		err = err ?: bundle_writer__finish(w, &buf, &len, &st);
		free(data);
		bundle_writer__free(w);
		if (!ok(!err && !build_bundle(in, 1, &none, &buf2, &len2, &st), "objects: built"))
			goto out;
	}
	{
		BTF_BUNDLE_OPTS(btf_bundle_open_opts, o, .object = strip, .object_sz = strip_len);

		b = btf_bundle__open_mem(buf, len, &o);
		ok(b && btf_bundle__object_cnt(b) == 1,
		   "objects: a bundle bound to the probe opens for its stripped copy");
		sha = b ? btf_bundle__object_sha256(b, 0, &name) : NULL;
		ok(sha && name && !strcmp(name, "probe.bpf.o") && !memcmp(sha, d_probe, 32) &&
		   btf_bundle__object_sha256(b, 1, NULL) == NULL,
		   "objects: names and digests listed (%s)", name ?: "?");
		ok(b && btf_bundle__check_object(b, probe, probe_len, NULL) == 0 &&
		   btf_bundle__check_object(b, NULL, 0, d_probe) == 0 &&
		   btf_bundle__check_object(b, v2, v2_len, NULL) == -ESTALE &&
		   btf_bundle__check_object(b, NULL, 0, d_v2) == -ESTALE &&
		   btf_bundle__check_object(b, not_elf, sizeof(not_elf), NULL) == -EINVAL,
		   "objects: check_object accepts the probe, refuses V2 -> -ESTALE, junk -> -EINVAL");
		btf_bundle__free(b);
	}
	{
		BTF_BUNDLE_OPTS(btf_bundle_open_opts, o, .object = v2, .object_sz = v2_len);

		errno = 0;
		b = btf_bundle__open_mem(buf, len, &o);
		ok(!b && errno == ESTALE, "objects: open with another object -> ESTALE (%s)",
		   btf_bundle__strerror(errno));
		btf_bundle__free(b);
	}
	{
		BTF_BUNDLE_OPTS(btf_bundle_open_opts, o, .object_sha256 = d_probe);

		b = btf_bundle__open_mem(buf, len, &o);
		ok(b, "objects: open by digest");
		btf_bundle__free(b);
		b = btf_bundle__open_mem(buf2, len2, &o);
		ok(b, "objects: a bundle that records no object is not bound to one");
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
	struct build bo = { .dict_size = DICT_DEFAULT };
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
		/*
		 * Issue 12: a line longer than a line buffer (511 bytes, then
		 * 4095) must stay one line, not end in a fake "ID=ubuntu" one.
		 */
		char text[8192];
		int n;

		n = snprintf(text, sizeof(text), "ID=debian\nVERSION_ID=12\nPRETTY_NAME=%0*dID=ubuntu",
			     511 - 12, 0);
		snprintf(text + n, sizeof(text) - n, "%0*dVERSION_ID=20.04\n", 4095 - (n - 23), 0);
		BTF_BUNDLE_OPTS(btf_host_opts, o, .os_release_path = os_release("longline", text));

		err = btf_host__detect(&h, &o);
		ok(!err && host_is(&h, "debian", "12", btf_host__arch_name(uts.machine), NULL),
		   "host: a 4 KB os-release line is one line (%s/%s)", h.distro, h.version);
	}
	{
		BTF_BUNDLE_OPTS(btf_host_opts, o, .os_release_path = "/dev/zero");

		err = btf_host__detect(&h, &o);
		ok(err == -ESPIPE, "host: os-release that is not a regular file is refused (%d)", err);
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
	{
		const char *alias_ok[][3] = {
			{ "debian", "12", "bookworm" }, { "debian", "bookworm", "12" },
			{ "debian", "11", "bullseye" }, { "ubuntu", "20.04", "focal" },
			{ "ubuntu", "jammy", "22.04" },
		};
		bool good = true;
		size_t i;

		for (i = 0; i < sizeof(alias_ok) / sizeof(alias_ok[0]); i++) {
			const char *a = btf_host__version_alias(alias_ok[i][0], alias_ok[i][1]);

			if (!a || strcmp(a, alias_ok[i][2])) {
				diag("alias of %s/%s: %s", alias_ok[i][0], alias_ok[i][1], a ?: "NULL");
				good = false;
			}
		}
		ok(good && !btf_host__version_alias("centos", "8") &&
		   !btf_host__version_alias("ubuntu", "12") && !btf_host__version_alias("fedora", "focal"),
		   "host: version aliases both ways, none for other distros/versions");
		ok(!strcmp(btf_host__version_canon("debian", "bullseye"), "11") &&
		   !strcmp(btf_host__version_canon("debian", "11"), "11") &&
		   !strcmp(btf_host__version_canon("centos", "8"), "8"),
		   "host: canonical version is os-release's number");
	}
	{
		const char *d[2] = {};
		int n11 = btf_host__version_dirs("debian", "11", d);
		bool good = n11 == 2 && !strcmp(d[0], "bullseye") && !strcmp(d[1], "11");
		int n12 = btf_host__version_dirs("debian", "bookworm", d);

		good = good && n12 == 2 && !strcmp(d[0], "12") && !strcmp(d[1], "bookworm");
		good = good && btf_host__version_dirs("centos", "8", d) == 1 && !strcmp(d[0], "8");
		ok(good, "host: BTFHub version directories (debian 11 under bullseye first)");
		good = btf_host__arch_dirs("aarch64", d) == 2 && !strcmp(d[0], "arm64") &&
		       !strcmp(d[1], "aarch64");
		good = good && btf_host__arch_dirs("x86_64", d) == 1 && !strcmp(d[0], "x86_64");
		ok(good, "host: BTFHub arch directories (arm64, then aarch64)");
	}
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

static void test_determinism(uint32_t codec, const struct build *layout)
{
	struct build fwd = *layout, rev;
	struct bundle_stats st;
	void *b1 = NULL, *b2 = NULL;
	size_t l1 = 0, l2 = 0;

	fwd.codec = codec;
	fwd.objects = true;
	rev = fwd;
	rev.reverse = true;
	if (build_bundle(main_set, MAIN_CNT, &fwd, &b1, &l1, &st) ||
	    build_bundle(main_set, MAIN_CNT, &rev, &b2, &l2, &st))
		l2 = 0;
	ok(l1 && l1 == l2 && !memcmp(b1, b2, l1),
	   "%s determinism: reversed add order gives a byte-identical bundle (%zu bytes)",
	   layout_name(&fwd), l1);
	free(b1);
	free(b2);
}

/* The small bundle every corruption test starts from: 3 entries, 2 distinct BTFs, objects. */
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

static void test_truncated_and_flipped(uint32_t codec, const struct build *layout)
{
	struct build bo = *layout;
	char cname[64];
	struct bundle_stats st;
	struct btf_bundle *b;
	struct btfb_header h;
	uint8_t *buf = NULL, *copy = NULL;
	size_t len = 0, i, bad = 0, wrong = 0, detected = 0, reads = 0;
	uint32_t k;
	int err;

	bo.codec = codec;
	bo.objects = true;
	snprintf(cname, sizeof(cname), "%s", layout_name(&bo));
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
			/* a lookup gives the right entry or an error, never another entry */
			if (k < 3) {
				struct btf_bundle_match m;
				struct btf_host hh;
				int f;

				snprintf(hh.distro, sizeof(hh.distro), "%s", small_set[k].distro);
				snprintf(hh.version, sizeof(hh.version), "%s", small_set[k].version);
				snprintf(hh.arch, sizeof(hh.arch), "%s", small_set[k].arch);
				snprintf(hh.release, sizeof(hh.release), "%s", small_set[k].release);
				f = btf_bundle__find(b, &hh, &m);
				if (f >= 0 && f != (int)k)
					wrong++;
				else if (f < 0 && f != -EILSEQ && f != -EBADMSG)
					wrong++;
			}
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
#define CH(i, f) (get32(p, HDR(chunk_off)) + (i) * BTFB_CHUNK_LEN + offsetof(struct btfb_chunk, f))
#define BK(i, f) (get32(p, HDR(block_off)) + (i) * BTFB_BLOCK_LEN + offsetof(struct btfb_block, f))

#define fix_crc fixture_fix_crc

static void swap32(uint8_t *p, size_t a, size_t b)
{
	uint32_t t = get32(p, a);

	put32(p, a, get32(p, b));
	put32(p, b, t);
}

/* Build one of the crafted tests' base bundles (small_set) with @bo. */
static int crafted_base(const struct build *bo, uint8_t **buf, size_t *len)
{
	struct bundle_stats st;

	return build_bundle(small_set, 3, bo, (void **)buf, len, &st);
}

static void test_crafted_top(void)
{
	/* one entry per chunk, one BTF per block, a dictionary: every record kind */
	struct build bo = { .block_size = 1, .chunk_size = 1, .dict_size = DICT_DEFAULT,
			    .objects = true };
	struct btf_bundle *b;
	uint8_t *buf = NULL, *p = NULL;
	size_t len = 0;
	uint32_t i, str_len, data_off, data_len;
	int n = 0, bad = 0, err;

	if (!ok(!crafted_base(&bo, &buf, &len) && (p = malloc(len)), "crafted: base bundle built"))
		goto out;
	memcpy(p, buf, len);
	str_len = get32(p, HDR(str_len));
	data_off = get32(p, HDR(data_off));
	data_len = get32(p, HDR(data_len));
	if (!ok(get32(p, HDR(chunk_cnt)) == 3 && get32(p, HDR(block_cnt)) == 2 &&
		get32(p, HDR(dict_raw)) > 0, "crafted: base has 3 chunks, 2 blocks, a dictionary"))
		goto out;
	/* control: fix_crc() on an untouched copy must leave it valid */
	fix_crc(p, len);
	b = btf_bundle__open_mem(p, len, NULL);
	if (!ok(b, "crafted: control copy with recomputed crc opens"))
		goto out;
	btf_bundle__free(b);

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

	CASE("chunk key string past the table", put32(p, CH(0, release_str), str_len));
	CASE("chunk key string offset huge", put32(p, CH(2, arch_str), 0xffffffffu));
	CASE("chunk with no entries", put32(p, CH(1, entry_cnt), 0));
	CASE("chunk entry counts exceed the header's", put32(p, CH(0, entry_cnt), 2));
	CASE("chunk entry count wraps", put32(p, CH(0, entry_cnt), 0xffffffffu));
	CASE("chunks out of order", for (i = 0; i < BTFB_CHUNK_LEN / 4; i++)
		swap32(p, CH(0, arch_str) + 4 * i, CH(1, arch_str) + 4 * i));
	CASE("two chunks with one first key", put32(p, CH(1, release_str), get32(p, CH(0, release_str))));
	CASE("chunk stream past the data", put32(p, CH(1, s.comp), data_len));
	CASE("chunk stream offset wraps", put32(p, CH(1, s.off), 0xfffffff0u));
	CASE("empty chunk stream", put32(p, CH(0, s.comp), 0));
	CASE("chunk raw size above the limit", put32(p, CH(0, s.raw), BTFB_MAX_BLOCK_SIZE + 1));
	CASE("block with no blobs", put32(p, BK(0, blob_cnt), 0));
	CASE("block blob counts exceed the header's", put32(p, BK(1, blob_cnt), 2));
	CASE("block stream past the data", put32(p, BK(1, s.comp), data_len + 1));
	CASE("block raw size above the limit", put32(p, BK(0, s.raw), BTFB_MAX_BLOCK_SIZE + 1));
	CASE("dictionary stream past the data", put32(p, HDR(dict_comp), data_len + 1));
	CASE("dictionary stream without a size", put32(p, HDR(dict_raw), 0));
	CASE("dictionary above the limit", put32(p, HDR(dict_raw), BTFB_MAX_BLOCK_SIZE + 1));
	CASE("header entry count off by one", put32(p, HDR(entry_cnt), 4));
	CASE("header blob count off by one", put32(p, HDR(blob_cnt), 3));
	CASE("chunk section in the data", put32(p, HDR(chunk_off), data_off - 8));
	CASE("chunk count huge", put32(p, HDR(chunk_cnt), 0x20000000u));
	CASE("block count huge", put32(p, HDR(block_cnt), 0xffffffffu));
	CASE("object count huge", put32(p, HDR(object_cnt), 1000));
	CASE("section inside the header", put32(p, HDR(str_off), 16));
	CASE("object name past the strings", put32(p, get32(p, HDR(obj_off)) + 32, str_len + 5));
	CASE("string table not NUL-terminated", p[get32(p, HDR(str_off)) + str_len - 1] = 'x');
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
	ok(!bad, "crafted: %d broken top levels with a valid crc -> open fails with EBADMSG", n);
#undef CASE

	memcpy(p, buf, len);
	put32(p, HDR(version), BTFB_VERSION + 1);
	fix_crc(p, len);
	ok(expect_fail(p, len, EPROTO) == 0, "crafted: format version %u -> EPROTO", BTFB_VERSION + 1);
out:
	free(buf);
	free(p);
}

/*
 * Decoded data is untrusted too: re-encode a chunk or block with damaged
 * content but a valid stream, crc and top level. The bundle opens (chunks
 * are decoded lazily) and every lookup touching it must fail with -EBADMSG.
 */
struct stream_ref {
	size_t rec;		/* offset of its struct btfb_stream in the top level */
	bool block;		/* compressed with the dictionary */
};

typedef void (*edit_fn)(uint8_t *raw, size_t *raw_len);

static int restream(uint8_t **pp, size_t *len, struct stream_ref s, edit_fn edit)
{
	uint8_t *raw = NULL;
	size_t raw_len;
	int err;

	err = fixture_stream_get(*pp, s.rec, s.block, 256, &raw, &raw_len);
	if (!err) {
		edit(raw, &raw_len);
		err = fixture_stream_put(pp, len, s.rec, s.block, raw, raw_len);
	}
	free(raw);
	return err;
}

/* A decoded chunk as plain arrays (columns undone from their deltas). */
struct dchunk {
	uint32_t n, str_len;
	uint32_t v[6][8];	/* arch, distro, version, release, blob, raw_size */
	char strs[256];
};

static void dchunk_load(struct dchunk *c, const uint8_t *raw)
{
	uint32_t k, i, prev;

	c->n = btfb_le32(raw);
	c->str_len = btfb_le32(raw + 4);
	for (k = 0; k < 6; k++)
		for (i = 0, prev = 0; i < c->n && i < 8; i++) {
			prev += btfb_le32(raw + 8 + 4 * (k * c->n + i));
			c->v[k][i] = prev;
		}
	memcpy(c->strs, raw + 8 + 24 * c->n, c->str_len < 256 ? c->str_len : 256);
}

static void dchunk_store(const struct dchunk *c, uint8_t *raw, size_t *raw_len)
{
	uint32_t k, i;

	btfb_put_le32(raw, c->n);
	btfb_put_le32(raw + 4, c->str_len);
	for (k = 0; k < 6; k++)
		for (i = 0; i < c->n; i++)
			btfb_put_le32(raw + 8 + 4 * (k * c->n + i), c->v[k][i] - (i ? c->v[k][i - 1] : 0));
	memcpy(raw + 8 + 24 * c->n, c->strs, c->str_len);
	*raw_len = 8 + 24 * c->n + c->str_len;
}

#define CHUNK_EDIT(fn, ...)							\
	static void fn(uint8_t *raw, size_t *raw_len)				\
	{									\
		struct dchunk c = {};						\
		uint32_t k;							\
										\
		(void)k;							\
		dchunk_load(&c, raw);						\
		__VA_ARGS__;							\
		dchunk_store(&c, raw, raw_len);					\
	}
CHUNK_EDIT(ed_count, c.n = 2; c.str_len -= 0)
CHUNK_EDIT(ed_no_strings, c.str_len = 0)
CHUNK_EDIT(ed_unterminated, c.strs[c.str_len - 1] = 'x')
CHUNK_EDIT(ed_str_past, c.v[3][1] = c.str_len)
CHUNK_EDIT(ed_blob_range, c.v[4][0] = 2)
CHUNK_EDIT(ed_raw_size, c.v[5][0] = BTFB_MAX_RAW_SIZE + 1)
CHUNK_EDIT(ed_unsorted, for (k = 0; k < 6; k++) { uint32_t t = c.v[k][1]; c.v[k][1] = c.v[k][2]; c.v[k][2] = t; })
CHUNK_EDIT(ed_dup, for (k = 0; k < 6; k++) c.v[k][2] = c.v[k][1])
CHUNK_EDIT(ed_first_key, c.v[3][0] = c.v[3][2])
/* entry 1 of a two-entry first chunk moved past the next chunk's first key */
CHUNK_EDIT(ed_past_next, memcpy(c.strs + c.str_len, "6.1.0-99-amd64", 15);
	   c.v[3][1] = c.str_len; c.str_len += 15)

static void ed_extra_byte(uint8_t *raw, size_t *raw_len) { raw[(*raw_len)++] = 0; }
static void ed_block_count(uint8_t *raw, size_t *raw_len) { btfb_put_le32(raw, 5); (void)raw_len; }
static void ed_block_size(uint8_t *raw, size_t *raw_len)
{
	btfb_put_le32(raw + 4, btfb_le32(raw + 4) + 1);
	(void)raw_len;
}
static void ed_block_size_huge(uint8_t *raw, size_t *raw_len)
{
	btfb_put_le32(raw + 4, 0xfffffff0u);
	(void)raw_len;
}
static void ed_block_short(uint8_t *raw, size_t *raw_len) { (*raw_len)--; (void)raw; }

static void test_crafted_decoded(void)
{
	static const struct {
		const char *name;
		bool block, two_chunks;
		uint32_t entry;		/* an entry the damage must reach */
		edit_fn edit;
	} cases[] = {
		{ "chunk count differs from its record", false, false, 0, ed_count },
		{ "chunk without strings", false, false, 0, ed_no_strings },
		{ "chunk strings not NUL-terminated", false, false, 0, ed_unterminated },
		{ "chunk string offset past its strings", false, false, 1, ed_str_past },
		{ "chunk blob id out of range", false, false, 0, ed_blob_range },
		{ "chunk raw size above the limit", false, false, 0, ed_raw_size },
		{ "chunk entries unsorted", false, false, 1, ed_unsorted },
		{ "chunk with a duplicate key", false, false, 2, ed_dup },
		{ "chunk first key differs from its record", false, false, 0, ed_first_key },
		{ "chunk size differs from its columns", false, false, 0, ed_extra_byte },
		{ "chunk's last key past the next chunk's first", false, true, 0, ed_past_next },
		{ "block count differs from its record", true, false, 0, ed_block_count },
		{ "block BTF size differs from the index", true, false, 0, ed_block_size },
		{ "block BTF size huge", true, false, 1, ed_block_size_huge },
		{ "block shorter than its BTFs", true, false, 1, ed_block_short },
	};
	struct build one = { .dict_size = DICT_DEFAULT };
	struct build two = { .chunk_size = 100, .dict_size = DICT_DEFAULT };
	struct build three = { .block_size = 1, .dict_size = DICT_DEFAULT };	/* a block per BTF */
	uint8_t *base1 = NULL, *base2 = NULL, *base3 = NULL, *p = NULL;
	size_t len1 = 0, len2 = 0, len3 = 0, len, i;
	int bad = 0;

	if (!ok(!crafted_base(&one, &base1, &len1) && !crafted_base(&two, &base2, &len2) &&
		!crafted_base(&three, &base3, &len3) &&
		get32(base1, HDR(chunk_cnt)) == 1 && get32(base2, HDR(chunk_cnt)) == 2 &&
		get32(base1, HDR(block_cnt)) == 1, "crafted: bases with 1 and 2 chunks"))
		goto out;
	/* One block sees every BTF: no dictionary. Several blocks share one. */
	ok(get32(base1, HDR(dict_raw)) == 0 && get32(base3, HDR(block_cnt)) > 1 &&
	   get32(base3, HDR(dict_raw)) > 0,
	   "crafted: dictionary only with several blocks (1 block: %u bytes, %u blocks: %u bytes)",
	   get32(base1, HDR(dict_raw)), get32(base3, HDR(block_cnt)), get32(base3, HDR(dict_raw)));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const uint8_t *base = cases[i].two_chunks ? base2 : base1;
		struct stream_ref s;
		struct btf_bundle *b;
		struct btf_bundle_entry e;
		struct btf_bundle_match m;
		struct btf_host h;
		void *d = NULL;
		size_t l;
		int rerr, ferr, eerr;

		len = cases[i].two_chunks ? len2 : len1;
		p = malloc(len);
		memcpy(p, base, len);
		s.block = cases[i].block;
		s.rec = s.block ? get32(p, HDR(block_off)) + offsetof(struct btfb_block, s)
				: get32(p, HDR(chunk_off)) + offsetof(struct btfb_chunk, s);
		if (restream(&p, &len, s, cases[i].edit)) {
			diag("crafted '%s': cannot re-encode", cases[i].name);
			bad++;
			free(p);
			continue;
		}
		b = btf_bundle__open_mem(p, len, NULL);
		if (!b) {
			diag("crafted '%s': open failed (%s), expected a lazy failure",
			     cases[i].name, strerror(errno));
			bad++;
			free(p);
			continue;
		}
		btf_host__parse(&h, "debian/12/x86_64/6.1.0-19-amd64");
		rerr = btf_bundle__read(b, cases[i].entry, &d, &l);
		eerr = s.block ? -EBADMSG : btf_bundle__entry(b, cases[i].entry, &e);
		ferr = s.block ? -EBADMSG : btf_bundle__find(b, &h, &m);
		if (rerr != -EBADMSG || eerr != -EBADMSG || ferr != -EBADMSG || d) {
			diag("crafted '%s': read %d, entry %d, find %d (want -EBADMSG)",
			     cases[i].name, rerr, eerr, ferr);
			bad++;
		}
		free(d);
		btf_bundle__free(b);
		free(p);
	}
	ok(!bad, "crafted: %zu damaged chunks/blocks behind valid streams -> -EBADMSG on use",
	   sizeof(cases) / sizeof(cases[0]));

	/* A stream whose bytes do not match its crc: -EILSEQ, for chunk, block and dictionary. */
	for (i = 0; i < 3; i++) {
		static const char *const what[] = { "chunk", "block", "dictionary" };
		const uint8_t *base = i == 2 ? base3 : base1;
		size_t blen = i == 2 ? len3 : len1;
		size_t crc_at = i == 0 ? get32(base, HDR(chunk_off)) + offsetof(struct btfb_chunk, s.crc) :
				i == 1 ? get32(base, HDR(block_off)) + offsetof(struct btfb_block, s.crc) :
				HDR(dict_crc);
		struct btf_bundle *b;
		void *d = NULL;
		size_t l;
		int err;

		p = malloc(blen);
		memcpy(p, base, blen);
		put32(p, crc_at, get32(p, crc_at) ^ 1);
		fix_crc(p, blen);
		b = btf_bundle__open_mem(p, blen, NULL);
		err = b ? btf_bundle__read(b, 0, &d, &l) : 1;
		ok(b && err == -EILSEQ && !d, "crafted: %s crc mismatch -> read -EILSEQ (%d)", what[i], err);
		btf_bundle__free(b);
		free(p);
	}
	p = NULL;
out:
	free(base1);
	free(base2);
	free(base3);
}

int main(int argc, char **argv)
{
	/* The library's warnings would only clutter TAP; errors are asserted. */
	btf_bundle_set_print(NULL);
	if (argc != 4) {
		fprintf(stderr, "usage: test_bundle PROBE.bpf.o PROBE_V2.bpf.o PROBE_STRIPPED.bpf.o\n");
		return 99;
	}
	obj_paths[0] = argv[1];
	obj_paths[1] = argv[2];
	obj_paths[2] = argv[3];

	for (size_t c = BTF_BUNDLE_CODEC_XZ; c <= BTF_BUNDLE_CODEC_ZLIB; c++)
		for (size_t l = 0; l < LAYOUT_CNT; l++)
			test_round_trip(c, &layouts[l]);
	test_dedup();
	test_blocks(BTF_BUNDLE_CODEC_XZ);
	test_blocks(BTF_BUNDLE_CODEC_ZLIB);
	for (size_t l = 0; l < LAYOUT_CNT; l++)
		test_lookup(&layouts[l]);
	test_empty();
	test_objects();
	test_btf_access();
	test_host();
	test_duplicates();
	for (size_t c = BTF_BUNDLE_CODEC_XZ; c <= BTF_BUNDLE_CODEC_ZLIB; c++)
		for (size_t l = 0; l < LAYOUT_CNT; l++)
			test_determinism(c, &layouts[l]);
	for (size_t c = BTF_BUNDLE_CODEC_XZ; c <= BTF_BUNDLE_CODEC_ZLIB; c++)
		for (size_t l = 0; l < 2; l++)
			test_truncated_and_flipped(c, &layouts[l]);
	test_crafted_top();
	test_crafted_decoded();
	printf("1..%d\n", test_cnt);
	return fail_cnt ? 1 : 0;
}
