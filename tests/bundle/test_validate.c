// SPDX-License-Identifier: BSD-2-Clause
/*
 * Open-time validation and limits: truncated and bit-flipped bundles,
 * hand-crafted top levels behind a valid crc, damaged chunks and blocks
 * behind valid streams, crc mismatches. Never wrong data. TAP output.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf_bundle.h"
#include "btf_fixtures.h"
#include "bundle_build.h"
#include "bundle_format.h"
#include "tap.h"


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
	(void)argc;
	(void)argv;
	for (size_t c = BTF_BUNDLE_CODEC_XZ; c <= BTF_BUNDLE_CODEC_ZLIB; c++)
		for (size_t l = 0; l < 2; l++)
			test_truncated_and_flipped(c, &layouts[l]);
	test_crafted_top();
	test_crafted_decoded();
	printf("1..%d\n", test_cnt);
	return fail_cnt ? 1 : 0;
}
