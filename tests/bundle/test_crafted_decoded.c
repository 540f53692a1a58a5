// SPDX-License-Identifier: BSD-2-Clause
/*
 * Decoded data is untrusted too: chunks and blocks re-encoded with damaged
 * content behind valid streams, crcs and top level. The bundle opens
 * (chunks are decoded lazily) and every lookup touching them fails with
 * EBADMSG. TAP output.
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
#include "crafted.h"
#include "tap.h"

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
	test_crafted_decoded();
	return tap_done();
}
