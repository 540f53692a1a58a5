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
#include "bundle_internal.h"
#include "btf_fixtures.h"
#include "bundle_build.h"
#include "bundle_format.h"
#include "tap.h"

/* @buf opens and every entry of small_set reads back right. */
static bool reads_right(const uint8_t *buf, size_t len)
{
	struct btf_bundle *b = btf_bundle__open_mem(buf, len, NULL);
	bool right = b && btf_bundle__entry_cnt(b) == 3;
	uint32_t k;

	for (k = 0; right && k < 3; k++)
		right = entry_is(b, k, small_set[k].variant);
	btf_bundle__free(b);
	return right;
}

/*
 * @stored: the bundle with its metadata stored raw (meta_comp 0), as the
 * writer lays out a big one, instead of the writer's choice for this one.
 */
static void test_truncated_and_flipped(uint32_t codec, const struct build *layout, bool stored)
{
	struct build bo = *layout;
	char cname[64];
	struct bundle_stats st;
	struct btf_bundle *b;
	struct btfb_header h;
	uint8_t *buf = NULL, *copy = NULL;
	size_t len = 0, i, bad = 0, wrong = 0, detected = 0, reads = 0, same = 0;
	uint32_t k, data_off = 0;
	int err;

	bo.codec = codec;
	bo.objects = true;
	snprintf(cname, sizeof(cname), "%s%s", layout_name(&bo), stored ? " stored" : "");
	err = build_bundle(small_set, 3, &bo, (void **)&buf, &len, &st);
	if (!err && stored) {
		uint8_t *m;
		size_t m_len;

		err = fixture_meta_get(buf, len, 0, &m, &m_len);
		err = err ?: fixture_meta_put(&buf, &len, m, m_len, 1);
		if (!err)
			free(m);
	}
	if (!ok(!err && (copy = malloc(len)), "%s corrupt: small bundle built (%zu bytes)",
		cname, len))
		goto out;
	btfb_load_u32s(&h.version, buf + BTFB_MAGIC_LEN, (BTFB_HEADER_LEN - BTFB_MAGIC_LEN) / 4);
	data_off = BTFB_HEADER_LEN + btfb_meta_size(&h);	/* header and metadata before it */

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

	/*
	 * The header is covered by the crc; a flip in the compressed metadata
	 * stream fails to decode or to match the crc, or (deflate's slack: a
	 * Huffman code length of an unused symbol) decodes to the very same
	 * bytes, when the bundle must open and read right.
	 */
	bad = 0;
	for (i = 0; i < data_off; i++) {
		int e, want = i >= 8 && i < 12 ? EPROTO : EBADMSG;	/* the version field */

		for (k = 0; k < 2; k++) {
			memcpy(copy, buf, len);
			copy[i] ^= k ? 0xa5 : 0x5a;
			e = expect_fail(copy, len, want);
			if (e < 0 && i >= BTFB_HEADER_LEN && reads_right(copy, len)) {
				same++;
				e = 0;
			}
			if (e && bad++ < 5)
				diag("metadata byte %zu flipped: %s", i, e < 0 ? "opened" : strerror(e));
		}
	}
	ok(!bad, "%s corrupt: each of %u metadata bytes flipped -> open fails (%zu of %u flips "
	   "decode to the same metadata and read right)", cname, data_off, same, 2 * data_off);

	for (i = data_off; i < len; i++) {
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
				BUNDLE_MATCH(m);
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
	   len - data_off, reads);
	ok(detected >= (len - data_off) * 9 / 10,
	   "%s corrupt: %zu of %zu data flips reported as -EILSEQ/-EBADMSG", cname, detected,
	   len - data_off);
out:
	free(buf);
	free(copy);
}

/*
 * Hand-crafted bundles: structure damage behind a valid crc. Records and
 * strings sit in the compressed metadata stream: a case edits its decoded
 * bytes @m, which fixture_meta_put() re-encodes with a valid header and crc.
 */
static uint32_t get32(const uint8_t *p, size_t off) { return btfb_le32(p + off); }
static void put32(uint8_t *p, size_t off, uint32_t v) { btfb_put_le32(p + off, v); }
#define HDR(f) offsetof(struct btfb_header, f)
#define META(f) offsetof(struct btfb_meta, f)
/* Records in the decoded metadata @m: after the fixed part and the objects. */
#define CH(i, f) (BTFB_META_LEN + get32(m, META(object_cnt)) * BTFB_OBJECT_LEN +		\
		  (i) * BTFB_CHUNK_LEN + offsetof(struct btfb_chunk, f))
#define BK(i, f) (BTFB_META_LEN + get32(m, META(object_cnt)) * BTFB_OBJECT_LEN +		\
		  get32(m, META(chunk_cnt)) * BTFB_CHUNK_LEN + (i) * BTFB_BLOCK_LEN +		\
		  offsetof(struct btfb_block, f))
#define STR_OFF (BK(get32(m, META(block_cnt)), blob_cnt))

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

/* A copy of @buf to edit (fixture_meta_put() replaces a bundle's buffer). */
static uint8_t *fresh(uint8_t *p, const uint8_t *buf, size_t len, size_t *plen)
{
	free(p);
	p = malloc(len);
	if (p)
		memcpy(p, buf, len);
	*plen = len;
	return p;
}

/* @buf opens and its one entry is fixture variant 0. */
static bool entry_is_bundle(const uint8_t *buf, size_t len)
{
	struct btf_bundle *b = btf_bundle__open_mem(buf, len, NULL);
	bool right = b && btf_bundle__entry_cnt(b) == 1 && entry_is(b, 0, 0);

	btf_bundle__free(b);
	return right;
}

/* A u32 of @bundle's decoded metadata (0 if it does not decode). */
static uint32_t meta32(const uint8_t *bundle, size_t len, size_t off)
{
	uint8_t *m;
	size_t m_len;
	uint32_t v = 0;

	if (!fixture_meta_get(bundle, len, 0, &m, &m_len)) {
		v = off + 4 <= m_len ? get32(m, off) : 0;
		free(m);
	}
	return v;
}

/* @stored: with the metadata stored raw rather than as the writer made it (compressed). */
static void test_crafted_top(bool stored)
{
	/* one entry per chunk, one BTF per block, a dictionary: every record kind */
	struct build bo = { .block_size = 1, .chunk_size = 1, .dict_size = DICT_DEFAULT,
			    .objects = true };
	const char *form = stored ? " (stored metadata)" : "";
	struct btf_bundle *b;
	uint8_t *buf = NULL, *p = NULL, *m0 = NULL, *m = NULL;
	size_t len = 0, plen, m_len = 0, ml;
	uint32_t i, str_len, data_len, inline_off;
	int n = 0, bad = 0, err;

	if (!ok(!crafted_base(&bo, &buf, &len) && !fixture_meta_get(buf, len, 0, &m0, &m_len) &&
		(m = malloc(m_len + 64)) && get32(buf, HDR(meta_comp)) &&
		(!stored || !fixture_meta_put(&buf, &len, m0, m_len, 1)),
		"crafted%s: base bundle built, metadata decoded", form))
		goto out;
	memcpy(m, m0, m_len);
	str_len = get32(m, META(str_len));
	data_len = len - BTFB_HEADER_LEN - (get32(buf, HDR(meta_comp)) ?: m_len);
	inline_off = STR_OFF + str_len;
	if (!ok(get32(m, META(chunk_cnt)) == 3 && get32(m, META(block_cnt)) == 2 &&
		get32(m, META(dict.raw)) > 0 && inline_off == m_len,
		"crafted%s: base has 3 chunks, 2 blocks, a dictionary, nothing inline", form))
		goto out;
	/* control: an untouched copy through fix_crc() and fixture_meta_put() stays valid */
	p = malloc(len);
	memcpy(p, buf, len);
	fix_crc(p, len);
	plen = len;
	err = fixture_meta_put(&p, &plen, m, m_len, -1);
	b = err ? NULL : btf_bundle__open_mem(p, plen, NULL);
	if (!ok(b && plen == len && !memcmp(p, buf, len),
		"crafted%s: control copy re-encoded is byte-identical and opens", form))
		goto out;
	btf_bundle__free(b);

	/*
	 * Each case edits a fresh copy and must be refused with EBADMSG: MCASE
	 * the decoded metadata @m (@ml bytes of it kept), HCASE the header of @p.
	 */
#define CHECK(name) do {							\
		n++;								\
		if ((err = expect_fail(p, plen, EBADMSG))) {			\
			bad++;							\
			diag("crafted '%s': %s", name,				\
			     err < 0 ? "opened" : strerror(err));		\
		}								\
	} while (0)
#define MCASE(name, ...) do {							\
		memcpy(m, m0, m_len);						\
		ml = m_len;							\
		__VA_ARGS__;							\
		p = fresh(p, buf, len, &plen);					\
		if (fixture_meta_put(&p, &plen, m, ml, -1)) {			\
			bad++;							\
			diag("crafted '%s': cannot re-encode", name);		\
			break;							\
		}								\
		CHECK(name);							\
	} while (0)
#define HCASE(name, ...) do {							\
		p = fresh(p, buf, len, &plen);					\
		__VA_ARGS__;							\
		fix_crc(p, plen);						\
		CHECK(name);							\
	} while (0)

	MCASE("chunk key string past the table", put32(m, CH(0, release_str), str_len));
	MCASE("chunk key string offset huge", put32(m, CH(2, arch_str), 0xffffffffu));
	MCASE("chunk with no entries", put32(m, CH(1, entry_cnt), 0));
	MCASE("chunk entry counts exceed the metadata's", put32(m, CH(0, entry_cnt), 2));
	MCASE("chunk entry count wraps", put32(m, CH(0, entry_cnt), 0xffffffffu));
	MCASE("chunks out of order", for (i = 0; i < BTFB_CHUNK_LEN / 4; i++)
		swap32(m, CH(0, arch_str) + 4 * i, CH(1, arch_str) + 4 * i));
	MCASE("two chunks with one first key", put32(m, CH(1, release_str), get32(m, CH(0, release_str))));
	MCASE("chunk stream past the data", put32(m, CH(1, s.comp), data_len));
	MCASE("chunk stream offset wraps", put32(m, CH(1, s.off), 0xfffffff0u));
	MCASE("chunk raw size above the limit", put32(m, CH(0, s.raw), BTFB_MAX_BLOCK_SIZE + 1));
	MCASE("inline chunk inside the records", put32(m, CH(0, s.comp), 0));
	MCASE("inline chunk past the metadata", put32(m, CH(0, s.comp), 0);
	      put32(m, CH(0, s.off), inline_off); put32(m, CH(0, s.raw), 1));
	MCASE("inline chunk offset wraps", put32(m, CH(0, s.comp), 0);
	      put32(m, CH(0, s.off), 0xfffffff0u); put32(m, CH(0, s.raw), 0x20));
	MCASE("block with no blobs", put32(m, BK(0, blob_cnt), 0));
	MCASE("block blob counts exceed the metadata's", put32(m, BK(1, blob_cnt), 2));
	MCASE("block stream past the data", put32(m, BK(1, s.comp), data_len + 1));
	MCASE("block raw size above the limit", put32(m, BK(0, s.raw), BTFB_MAX_BLOCK_SIZE + 1));
	MCASE("inline block raw size above the limit", put32(m, BK(0, s.comp), 0);
	      put32(m, BK(0, s.off), inline_off); put32(m, BK(0, s.raw), BTFB_MAX_BLOCK_SIZE + 1);
	      memset(m + m_len, 0, 64));
	MCASE("dictionary stream past the data", put32(m, META(dict.comp), data_len + 1));
	MCASE("dictionary stream without a size", put32(m, META(dict.raw), 0));
	MCASE("dictionary above the limit", put32(m, META(dict.raw), BTFB_MAX_BLOCK_SIZE + 1));
	MCASE("entry count off by one", put32(m, META(entry_cnt), 4));
	MCASE("blob count off by one", put32(m, META(blob_cnt), 3));
	MCASE("chunk count huge", put32(m, META(chunk_cnt), 0x20000000u));
	MCASE("block count huge", put32(m, META(block_cnt), 0xffffffffu));
	MCASE("object count huge", put32(m, META(object_cnt), 1000));
	MCASE("string table past the metadata", put32(m, META(str_len), str_len + 1));
	MCASE("string table wraps", put32(m, META(str_len), 0xfffffff0u));
	MCASE("object name past the strings", put32(m, BTFB_META_LEN + 32, str_len + 5));
	MCASE("string table not NUL-terminated", m[STR_OFF + str_len - 1] = 'x');
	MCASE("string table empty", put32(m, META(str_len), 0); ml = STR_OFF);
	MCASE("provenance past the strings", put32(m, META(prov_str), str_len));
	MCASE("metadata shorter than its fixed part", ml = BTFB_META_LEN - 4);
	MCASE("metadata cut inside the records", ml = CH(2, s.crc));
	HCASE("unknown codec", put32(p, HDR(codec), 3));
	HCASE("total_len short", put32(p, HDR(total_len), len - 1));
	HCASE("total_len past the buffer", put32(p, HDR(total_len), len + 1));
	HCASE("metadata stream taken as stored", put32(p, HDR(meta_comp), stored ? 16 : 0));
	HCASE("stored metadata past the end", put32(p, HDR(meta_comp), 0);
	      put32(p, HDR(meta_raw), len - BTFB_HEADER_LEN + 1));
	HCASE("metadata stream past the end", put32(p, HDR(meta_comp), len));
	if (!stored)
		HCASE("metadata stream shorter than it says", put32(p, HDR(meta_comp),
								   get32(p, HDR(meta_comp)) - 1));
	HCASE("metadata decodes to more than it says", put32(p, HDR(meta_raw), m_len - 1));
	HCASE("metadata decodes to less than it says", put32(p, HDR(meta_raw), m_len + 1));
	HCASE("metadata above the limit", put32(p, HDR(meta_raw), BTFB_MAX_META_SIZE + 1));
	HCASE("bad magic", p[3] ^= 1);
	p = fresh(p, buf, len, &plen);
	put32(p, HDR(crc), get32(p, HDR(crc)) ^ 1);
	CHECK("metadata crc wrong");
	ok(!bad, "crafted%s: %d broken top levels with a valid crc -> open fails with EBADMSG",
	   form, n);
#undef CHECK
#undef MCASE
#undef HCASE

	p = fresh(p, buf, len, &plen);
	put32(p, HDR(version), BTFB_VERSION + 1);
	fix_crc(p, len);
	ok(expect_fail(p, len, EPROTO) == 0, "crafted%s: format version %u -> EPROTO", form,
	   BTFB_VERSION + 1);
	put32(p, HDR(version), 2);
	fix_crc(p, len);
	ok(expect_fail(p, len, EPROTO) == 0 && !strcmp(btf_bundle__strerror(-EPROTO),
						       "unsupported format version"),
	   "crafted%s: format version 2 (before the metadata stream) -> EPROTO, \"%s\"", form,
	   btf_bundle__strerror(-EPROTO));
	/*
	 * Versions 3 and 4 have this top level, but 3's crcs cover decoded
	 * bytes and 4's chunks hold u32 columns and whole strings: read as
	 * this version they would mismatch or misparse. Refused by their
	 * version, whichever way their crc was computed.
	 */
	for (uint32_t v = 3; v < BTFB_VERSION; v++) {
		put32(p, HDR(version), v);
		ok(expect_fail(p, len, EPROTO) == 0, "crafted%s: format version %u, crc unchanged "
		   "-> EPROTO", form, v);
		fix_crc(p, len);
		ok(expect_fail(p, len, EPROTO) == 0, "crafted%s: format version %u, crc valid "
		   "-> EPROTO", form, v);
	}
out:
	free(buf);
	free(p);
	free(m0);
	free(m);
}

/*
 * The writer compresses the metadata where that pays: a small bundle's
 * (records, strings, its lone chunk and block inline) and stores it where
 * it saves under 1/64 of the bundle: one 300 KB BTF of noise, a block too
 * big to go inline, behind a few records. Both read back right.
 */
static void test_meta_form(void)
{
	static const size_t big_len = 300 << 10;
	struct bundle_writer_opts wo = { .codec = BTF_BUNDLE_CODEC_XZ };
	uint8_t *noise = malloc(big_len), *out[2] = {};
	size_t len[2] = {}, i;
	uint32_t x = 1;
	int k, err = noise ? 0 : -ENOMEM;

	for (i = 0; noise && i < big_len; i++) {
		x = x * 1103515245 + 12345;	/* fixed: deterministic noise */
		noise[i] = x >> 24;
	}
	for (k = 0; k < 2 && !err; k++) {
		struct bundle_writer *w = bundle_writer__new(&wo);
		void *d = NULL;
		size_t l = 0;

		err = w ? 0 : -ENOMEM;
		if (!k)
			err = err ?: fixture_btf(0, &d, &l);
		err = err ?: bundle_writer__add(w, "x86_64", "debian", "12", "6.1.0-18-amd64",
						k ? noise : d, k ? big_len : l, "t");
		err = err ?: bundle_writer__finish(w, (void **)&out[k], &len[k], NULL);
		bundle_writer__free(w);
		free(d);
	}
	if (ok(!err, "meta form: a small and a 300 KB bundle built (%zu, %zu bytes)", len[0], len[1])) {
		struct btf_bundle *b = btf_bundle__open_mem(out[1], len[1], NULL);
		void *d = NULL;
		size_t l = 0;

		ok(get32(out[0], HDR(meta_comp)) != 0 && get32(out[1], HDR(meta_comp)) == 0 &&
		   b && !btf_bundle__read(b, 0, &d, &l) && l == big_len && !memcmp(d, noise, l) &&
		   entry_is_bundle(out[0], len[0]),
		   "meta form: small bundle's metadata compressed (%u bytes for %u), a 300 KB one's "
		   "stored (%u bytes), both read back", get32(out[0], HDR(meta_comp)),
		   get32(out[0], HDR(meta_raw)), get32(out[1], HDR(meta_raw)));
		free(d);
		btf_bundle__free(b);
	}
	free(out[0]);
	free(out[1]);
	free(noise);
}

/*
 * Decoded data is untrusted too: re-encode a chunk or block with damaged
 * content but a valid stream, crc and top level. The bundle opens (chunks
 * are decoded lazily) and every lookup touching it must fail with -EBADMSG.
 */
struct stream_ref {
	size_t rec;		/* offset of its struct btfb_stream in the decoded metadata */
	bool block;		/* compressed with the dictionary */
};

typedef void (*edit_fn)(uint8_t *raw, size_t *raw_len);

static int restream(uint8_t **pp, size_t *len, struct stream_ref s, edit_fn edit)
{
	uint8_t *raw = NULL;
	size_t raw_len;
	int err;

	err = fixture_stream_get(*pp, *len, s.rec, s.block, 256, &raw, &raw_len);
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

/* bundle_format.h: zigzag LEB128 varints of column differences, front-coded strings */
static uint32_t get_varint(const uint8_t **p)
{
	uint32_t z = 0;
	int shift = 0;

	do
		z |= (uint32_t)(**p & 0x7f) << shift, shift += 7;
	while (*(*p)++ & 0x80);
	return z >> 1 ^ (uint32_t)-(z & 1);
}

static uint8_t *put_varint(uint8_t *p, uint32_t v)
{
	uint32_t z = v << 1 ^ (uint32_t)-(v >> 31);

	for (; z >= 0x80; z >>= 7)
		*p++ = (uint8_t)(z | 0x80);
	*p++ = (uint8_t)z;
	return p;
}

static void dchunk_load(struct dchunk *c, const uint8_t *raw)
{
	const uint8_t *p = raw + BTFB_CHUNK_HDR_LEN;
	uint32_t k, i, prev, cnt, q = 0, last = 0;

	c->n = btfb_le32(raw);
	c->str_len = btfb_le32(raw + 4);
	cnt = btfb_le32(raw + 8);
	for (k = 0; k < 6; k++)
		for (i = 0, prev = 0; i < c->n; i++) {
			prev += get_varint(&p);
			if (i < 8)
				c->v[k][i] = prev;
		}
	for (i = 0; i < cnt && q < sizeof(c->strs); i++) {
		uint32_t pre = *p++, len = pre + strlen((const char *)p);

		memmove(c->strs + q, c->strs + last, pre);
		strcpy(c->strs + q + pre, (const char *)p);
		p += len - pre + 1;
		last = q;
		q += len + 1;
	}
}

/* Strings stored whole (prefix 0); a last one without its NUL gets one. */
static void dchunk_store(const struct dchunk *c, uint8_t *raw, size_t *raw_len)
{
	uint8_t *p = raw + BTFB_CHUNK_HDR_LEN;
	uint32_t k, i, cnt = 0, q;

	btfb_put_le32(raw, c->n);
	btfb_put_le32(raw + 4, c->str_len);
	for (k = 0; k < 6; k++)
		for (i = 0; i < c->n; i++)
			p = put_varint(p, c->v[k][i] - (i ? c->v[k][i - 1] : 0));
	for (q = 0; q < c->str_len; cnt++) {
		size_t len = strnlen(c->strs + q, c->str_len - q);

		*p++ = 0;
		memcpy(p, c->strs + q, len);
		p[len] = 0;
		p += len + 1;
		q += len + 1;
	}
	btfb_put_le32(raw + 8, cnt);
	*raw_len = p - raw;
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
		meta32(base1, len1, META(chunk_cnt)) == 1 && meta32(base2, len2, META(chunk_cnt)) == 2 &&
		meta32(base1, len1, META(block_cnt)) == 1, "crafted: bases with 1 and 2 chunks"))
		goto out;
	/* One block sees every BTF: no dictionary. Several blocks share one. */
	ok(meta32(base1, len1, META(dict.raw)) == 0 && meta32(base3, len3, META(block_cnt)) > 1 &&
	   meta32(base3, len3, META(dict.raw)) > 0,
	   "crafted: dictionary only with several blocks (1 block: %u bytes, %u blocks: %u bytes)",
	   meta32(base1, len1, META(dict.raw)), meta32(base3, len3, META(block_cnt)),
	   meta32(base3, len3, META(dict.raw)));
	/* A lone chunk and a lone small block are inline; base2's two chunks are not. */
	ok(meta32(base1, len1, BTFB_META_LEN + offsetof(struct btfb_chunk, s.comp)) == 0 &&
	   meta32(base1, len1, BTFB_META_LEN + BTFB_CHUNK_LEN + offsetof(struct btfb_block, s.comp)) == 0 &&
	   meta32(base2, len2, BTFB_META_LEN + offsetof(struct btfb_chunk, s.comp)) != 0,
	   "crafted: one chunk and one block inline in the metadata, two chunks in the data area");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const uint8_t *base = cases[i].two_chunks ? base2 : base1;
		struct stream_ref s;
		struct btf_bundle *b;
		BTF_BUNDLE_OPTS(btf_bundle_entry, e);
		BUNDLE_MATCH(m);
		struct btf_host h;
		void *d = NULL;
		size_t l;
		int rerr, ferr, eerr;

		len = cases[i].two_chunks ? len2 : len1;
		p = malloc(len);
		memcpy(p, base, len);
		s.block = cases[i].block;
		/* bases without objects: the records follow the fixed part */
		s.rec = BTFB_META_LEN + (s.block ? meta32(p, len, META(chunk_cnt)) * BTFB_CHUNK_LEN +
						   offsetof(struct btfb_block, s)
						 : offsetof(struct btfb_chunk, s));
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
		host__parse(&h, "debian/12/x86_64/6.1.0-19-amd64");
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

	/*
	 * A stream whose stored bytes do not match its crc: -EILSEQ, for chunk,
	 * block and dictionary (base2's chunks and base3's blocks are in the
	 * data area). An inline stream has crc 0, the header's crc covering
	 * it: any other value is a corrupt top level.
	 */
	for (i = 0; i < 5; i++) {
		static const char *const what[] = { "chunk", "block", "dictionary",
						    "inline chunk", "inline block" };
		const uint8_t *base = i == 0 ? base2 : i < 3 ? base3 : base1;
		size_t blen = i == 0 ? len2 : i < 3 ? len3 : len1;
		size_t blocks = BTFB_META_LEN + (size_t)meta32(base, blen, META(chunk_cnt)) * BTFB_CHUNK_LEN;
		size_t crc_at = i == 0 || i == 3 ? BTFB_META_LEN + offsetof(struct btfb_chunk, s.crc) :
				i == 1 || i == 4 ? blocks + offsetof(struct btfb_block, s.crc) :
				META(dict.crc);
		struct btf_bundle *b;
		uint8_t *m = NULL;
		void *d = NULL;
		size_t l, m_len;
		int err;

		p = malloc(blen);
		memcpy(p, base, blen);
		err = fixture_meta_get(p, blen, 0, &m, &m_len);
		if (!err) {
			put32(m, crc_at, get32(m, crc_at) ^ 1);
			err = fixture_meta_put(&p, &blen, m, m_len, -1);
		}
		free(m);
		b = err ? NULL : btf_bundle__open_mem(p, blen, NULL);
		if (i >= 3)
			ok(!err && !b && errno == EBADMSG, "crafted: %s with a crc -> open -EBADMSG",
			   what[i]);
		else {
			err = b ? btf_bundle__read(b, 0, &d, &l) : 1;
			ok(b && err == -EILSEQ && !d, "crafted: %s crc mismatch -> read -EILSEQ (%d)",
			   what[i], err);
		}
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
			for (int stored = 0; stored < 2; stored++)
				test_truncated_and_flipped(c, &layouts[l], stored);
	test_crafted_top(false);
	test_crafted_top(true);
	test_meta_form();
	test_crafted_decoded();
	printf("1..%d\n", test_cnt);
	return fail_cnt ? 1 : 0;
}
