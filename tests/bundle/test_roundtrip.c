// SPDX-License-Identifier: BSD-2-Clause
/*
 * Writer to reader: every entry reads back byte-identical from memory, a file
 * and a copy; dedup, solid blocks and the dictionary; duplicate keys; the
 * same bundle whatever the add order. TAP output; the plan is printed last.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "btf_bundle.h"
#include "bundle_internal.h"
#include "btf_fixtures.h"
#include "bundle_build.h"
#include "bundle_format.h"
#include "fsutil.h"
#include "tap.h"

static void test_round_trip(uint32_t codec, const struct build *layout)
{
	struct build bo = *layout;
	struct bundle_stats st = {};
	struct btf_bundle *b = NULL, *bf = NULL, *bc = NULL;
	BTF_BUNDLE_OPTS(btf_bundle_entry, e);
	BTF_BUNDLE_OPTS(btf_bundle_entry, prev);
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
	BTF_BUNDLE_OPTS(btf_bundle_entry, e);
	BTF_BUNDLE_OPTS(btf_bundle_entry, first);
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
		BTF_BUNDLE_OPTS(btf_bundle_entry, e);
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

int main(int argc, char **argv)
{
	/* The library's warnings would only clutter TAP; errors are asserted. */
	btf_bundle_set_print(NULL);
	(void)argc;
	(void)argv;
	for (size_t c = BTF_BUNDLE_CODEC_XZ; c <= BTF_BUNDLE_CODEC_ZLIB; c++)
		for (size_t l = 0; l < LAYOUT_CNT; l++)
			test_round_trip(c, &layouts[l]);
	test_dedup();
	test_blocks(BTF_BUNDLE_CODEC_XZ);
	test_blocks(BTF_BUNDLE_CODEC_ZLIB);
	test_duplicates();
	for (size_t c = BTF_BUNDLE_CODEC_XZ; c <= BTF_BUNDLE_CODEC_ZLIB; c++)
		for (size_t l = 0; l < LAYOUT_CNT; l++)
			test_determinism(c, &layouts[l]);
	printf("1..%d\n", test_cnt);
	return fail_cnt ? 1 : 0;
}
