// SPDX-License-Identifier: BSD-2-Clause
/*
 * Lay out a bundle (FORMAT.md). Reduced BTFs of neighbouring kernels
 * (consecutive releases, flavours of one release) differ in a few sizes and
 * offsets, which a solid archive compresses to a few bytes each but per-file
 * compression cannot see. So distinct BTFs, in key order, are packed into
 * solid blocks of bounded size (a lookup decodes one block), and every
 * block is compressed with a shared preset dictionary sampled across the
 * whole bundle, so a block's first BTF is cheap too. The index is split the
 * same way into small compressed chunks under a list of their first keys:
 * O(log n) lookups and almost no per-entry overhead. That list, the other
 * records and the strings are one compressed metadata stream, where a lone
 * chunk or small block goes too: a bundle of ten kernels is no bigger than
 * their solid tar.xz.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libdeflate.h>
#include <zlib.h>

#include "btf_bundle.h"
#include "bundle_codec.h"
#include "bundle_encode.h"
#include "bundle_format.h"
#include "bundle_writer.h"
#include "escape.h"
#include "mem.h"
#include "log.h"
#include "sha256.h"

struct item {
	char *key[4];		/* arch, distro, version, release */
	uint8_t *data;
	size_t len;
	char *origin;
	uint8_t sha[SHA256_DIGEST_LEN];
	uint32_t blob;
};

struct wblob {
	uint32_t item;		/* first item holding this content */
};

/* A stream waiting for its place in the data area, or inline in the metadata. */
struct wstream {
	uint8_t *raw;
	void *comp;
	size_t comp_len;
	uint32_t raw_len;
	uint32_t crc;
	uint32_t cnt;		/* entries (chunk) or blobs (block) */
	uint32_t first;		/* first entry (chunk) or blob (block) */
};

struct wobject {
	char *name;
	uint8_t sha[SHA256_DIGEST_LEN];
};

struct bundle_writer {
	struct bundle_writer_opts opts;
	struct item *items;
	size_t item_cnt, item_cap;
	struct wobject *objs;
	size_t obj_cnt, obj_cap;
	char *provenance;
};

struct bundle_writer *bundle_writer__new(const struct bundle_writer_opts *opts)
{
	struct bundle_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->opts.codec = BTF_BUNDLE_CODEC_XZ;
	w->opts.block_size = 128 << 10;
	w->opts.chunk_size = 32 << 10;
	w->opts.dict_size = 4 << 10;
	if (opts) {
		if (opts->codec)
			w->opts.codec = opts->codec;
		if (opts->block_size)
			w->opts.block_size = opts->block_size;
		if (opts->chunk_size)
			w->opts.chunk_size = opts->chunk_size;
		w->opts.dict_size = opts->dict_size;
	}
	/*
	 * The reader's bounds: a block holds up to block_size bytes, or one
	 * BTF of up to BTFB_MAX_RAW_SIZE; the dictionary and the index have
	 * their own (bundle_writer__finish() checks the index as a whole).
	 */
	if (w->opts.block_size > BTFB_MAX_RAW_SIZE)
		w->opts.block_size = BTFB_MAX_RAW_SIZE;
	if (w->opts.dict_size > BTFB_MAX_DICT_SIZE)
		w->opts.dict_size = BTFB_MAX_DICT_SIZE;
	if (w->opts.chunk_size > BTFB_MAX_INDEX_SIZE / 8)
		w->opts.chunk_size = BTFB_MAX_INDEX_SIZE / 8;
	return w;
}

void bundle_writer__free(struct bundle_writer *w)
{
	size_t i;
	int k;

	if (!w)
		return;
	for (i = 0; i < w->item_cnt; i++) {
		for (k = 0; k < 4; k++)
			free(w->items[i].key[k]);
		free(w->items[i].data);
		free(w->items[i].origin);
	}
	for (i = 0; i < w->obj_cnt; i++)
		free(w->objs[i].name);
	free(w->items);
	free(w->objs);
	free(w->provenance);
	free(w);
}

int bundle_writer__add_object(struct bundle_writer *w, const char *name, const uint8_t sha256[32])
{
	struct wobject *o;

	if (mem__ensure((void **)&w->objs, &w->obj_cap, sizeof(*w->objs), w->obj_cnt + 1))
		return -ENOMEM;
	o = &w->objs[w->obj_cnt];
	o->name = strdup(name);
	if (!o->name)
		return -ENOMEM;
	memcpy(o->sha, sha256, SHA256_DIGEST_LEN);
	w->obj_cnt++;
	return 0;
}

int bundle_writer__set_provenance(struct bundle_writer *w, const char *text)
{
	char *p = strdup(text);

	if (!p)
		return -ENOMEM;
	free(w->provenance);
	w->provenance = p;
	return 0;
}

int bundle_writer__add(struct bundle_writer *w, const char *arch, const char *distro,
		       const char *version, const char *release,
		       const void *data, size_t len, const char *origin)
{
	const char *key[4] = { arch, distro, version, release };
	struct item *it;
	int k;

	if (len > BTFB_MAX_RAW_SIZE)
		return -EFBIG;
	if (mem__ensure((void **)&w->items, &w->item_cap, sizeof(*w->items), w->item_cnt + 1))
		return -ENOMEM;
	it = &w->items[w->item_cnt];
	memset(it, 0, sizeof(*it));
	for (k = 0; k < 4; k++)
		it->key[k] = strdup(key[k]);
	it->data = malloc(len ?: 1);
	it->origin = strdup(origin ?: "");
	if (!it->key[0] || !it->key[1] || !it->key[2] || !it->key[3] || !it->data || !it->origin) {
		for (k = 0; k < 4; k++)
			free(it->key[k]);
		free(it->data);
		free(it->origin);
		return -ENOMEM;
	}
	memcpy(it->data, data, len);
	it->len = len;
	sha256_buf(data, len, it->sha);
	w->item_cnt++;
	return 0;
}

static int cmp_item_key(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	int k, c;

	for (k = 0; k < 4; k++)
		if ((c = strcmp(x->key[k], y->key[k])))
			return c;
	return 0;
}

struct sha_ref {
	const uint8_t *sha;
	uint32_t item;
};

static int cmp_sha_ref(const void *a, const void *b)
{
	const struct sha_ref *x = a, *y = b;
	int c = memcmp(x->sha, y->sha, SHA256_DIGEST_LEN);

	return c ?: (x->item > y->item) - (x->item < y->item);
}

static int cmp_obj(const void *a, const void *b)
{
	const struct wobject *x = a, *y = b;

	return memcmp(x->sha, y->sha, SHA256_DIGEST_LEN) ?: strcmp(x->name, y->name);
}

/* Sorted, unique string table; offset 0 is "". */
struct strtab {
	char **strs;
	uint32_t *offs;
	size_t cnt;
	uint32_t len;
};

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int strtab_build(struct strtab *st, char **all, size_t n)
{
	size_t i, j = 0;
	uint64_t off = 0;

	/* @all becomes the table's (sorted, deduplicated in place) */
	st->strs = all;
	qsort(all, n, sizeof(*all), cmp_strp);
	st->offs = calloc(n ?: 1, sizeof(*st->offs));
	if (!st->offs)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (j && !strcmp(all[j - 1], all[i]))
			continue;
		all[j] = all[i];
		st->offs[j] = off;
		off += strlen(all[j]) + 1;
		j++;
	}
	if (off > UINT32_MAX)
		return -EFBIG;
	st->cnt = j;
	st->len = off;
	return 0;
}

static uint32_t strtab_off(const struct strtab *st, const char *s)
{
	char **hit = bsearch(&s, st->strs, st->cnt, sizeof(*st->strs), cmp_strp);

	return st->offs[hit - st->strs];
}

/* Sort, drop exact duplicates, reject conflicting ones, assign blobs. */
static int plan_items(struct bundle_writer *w, struct wblob **blobs_out, size_t *blob_cnt_out)
{
	struct sha_ref *refs = NULL;
	struct wblob *blobs = NULL;
	size_t i, j = 0, blob_cnt = 0;
	int err = 0, k;

	if (w->item_cnt)	/* qsort(NULL, 0, ...) is undefined: no items yet */
		qsort(w->items, w->item_cnt, sizeof(*w->items), cmp_item_key);
	for (i = 0; i < w->item_cnt; i++) {
		struct item *it = &w->items[i];

		if (j && !cmp_item_key(&w->items[j - 1], it)) {
			struct item *prev = &w->items[j - 1];

			if (memcmp(prev->sha, it->sha, SHA256_DIGEST_LEN)) {
				pr_err("%s: kernel %s/%s/%s/%s also given by %s with different BTF",
				       ESC(it->origin), ESC(it->key[1]), ESC(it->key[2]),
				       ESC(it->key[0]), ESC(it->key[3]), ESC(prev->origin));
				err = -EEXIST;
			}
			/* Same BTF twice (e.g. overlapping shards): keep one. */
			for (k = 0; k < 4; k++)
				free(it->key[k]);
			free(it->data);
			free(it->origin);
			continue;
		}
		w->items[j++] = *it;
	}
	w->item_cnt = j;
	if (err)
		return err;

	/* Content dedup: blobs numbered by first appearance in key order. */
	refs = malloc((w->item_cnt ?: 1) * sizeof(*refs));
	blobs = calloc(w->item_cnt ?: 1, sizeof(*blobs));
	if (!refs || !blobs) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < w->item_cnt; i++) {
		refs[i].sha = w->items[i].sha;
		refs[i].item = i;
	}
	qsort(refs, w->item_cnt, sizeof(*refs), cmp_sha_ref);
	/* within a run of equal digests, refs[] is ordered by item: the first is the owner */
	for (i = 0, j = 0; i < w->item_cnt; i++) {
		if (memcmp(refs[j].sha, refs[i].sha, SHA256_DIGEST_LEN))
			j = i;	/* a new run starts */
		w->items[refs[i].item].blob = refs[j].item;	/* owner item, for now */
	}
	for (i = 0; i < w->item_cnt; i++) {
		struct item *it = &w->items[i];

		if (it->blob == i) {
			blobs[blob_cnt].item = i;
			it->blob = blob_cnt++;
		} else {
			it->blob = w->items[it->blob].blob;	/* owner < i: already renumbered */
		}
	}
	*blobs_out = blobs;
	*blob_cnt_out = blob_cnt;
	blobs = NULL;
out:
	free(refs);
	free(blobs);
	return err;
}

static void strtab_free(struct strtab *st)
{
	free(st->strs);
	free(st->offs);
	memset(st, 0, sizeof(*st));
}

/*
 * Deflate without a dictionary (the metadata stream, index chunks) by
 * libdeflate's optimal parsing: 6% smaller than zlib -9 at 100 synthetic
 * kernels, and the same raw deflate for the reader's inflate. libdeflate
 * takes no preset dictionary: blocks that have one use zlib.
 */
static int deflate_best(const void *src, size_t len, void **out, size_t *out_len)
{
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(12);
	size_t cap, n;
	void *buf;

	if (!c)
		return -ENOMEM;
	cap = libdeflate_deflate_compress_bound(c, len);
	buf = malloc(cap);
	n = buf ? libdeflate_deflate_compress(c, src, len, buf, cap) : 0;
	libdeflate_free_compressor(c);
	if (!n) {
		free(buf);
		return buf ? -EIO : -ENOMEM;
	}
	*out = buf;
	*out_len = n;
	return 0;
}

/* A stream's bytes: the codec's, at its best where it takes no dictionary. */
static int stream_compress(const struct bundle_writer *w, const void *dict, size_t dict_len,
		    const void *src, size_t len, void **out, size_t *out_len)
{
	if (w->opts.codec == BTF_BUNDLE_CODEC_ZLIB && !dict_len)
		return deflate_best(src, len, out, out_len);
	return bundle_codec__compress(w->opts.codec, dict, dict_len, src, len, out, out_len);
}

/* Compress @raw (taking ownership: kept in case it goes inline) into @s. */
static int stream_make(const struct bundle_writer *w, struct wstream *s, uint8_t *raw, size_t len,
		       const void *dict, size_t dict_len)
{
	int err;

	if (len > BTFB_MAX_BLOCK_SIZE) {
		free(raw);
		return -EFBIG;
	}
	s->raw = raw;
	s->raw_len = len;
	err = stream_compress(w, dict, dict_len, raw, len, &s->comp, &s->comp_len);
	/* Over the bytes stored: a read checks them without decoding all of them. */
	s->crc = err ? 0 : crc32(0, s->comp, s->comp_len);
	return err;
}

/*
 * The shared dictionary: distinct BTFs sampled evenly across the key
 * order, so that every family of kernels (distro, arch, major release) has
 * a representative a block can borrow from, up to the size budget.
 */
static int build_dict(const struct bundle_writer *w, const struct wblob *blobs, size_t blob_cnt,
		      uint8_t **out, size_t *out_len)
{
	uint64_t total = 0;
	size_t i, k, len = 0;
	uint8_t *dict;

	*out = NULL;
	*out_len = 0;
	for (i = 0; i < blob_cnt; i++)
		total += w->items[blobs[i].item].len;
	if (!blob_cnt || !w->opts.dict_size || !total)
		return 0;
	/* One block already sees every BTF: a dictionary would only add bytes. */
	if (blob_cnt == 1 || 4 + 4 * (uint64_t)blob_cnt + total <= w->opts.block_size)
		return 0;
	k = w->opts.dict_size / (total / blob_cnt ?: 1);
	if (k > blob_cnt)
		k = blob_cnt;
	if (!k)
		k = 1;
	/* room for the budget, or for one sample of up to 64 budgets */
	dict = malloc(65 * (size_t)w->opts.dict_size);
	if (!dict)
		return -ENOMEM;
	for (i = 0; i < k; i++) {
		const struct item *it = &w->items[blobs[i * blob_cnt / k].item];

		/*
		 * The budget may be below one BTF: a single sample still helps,
		 * unless it is far bigger (a full vmlinux BTF would make every
		 * lookup decode megabytes of dictionary).
		 */
		if (len ? len + it->len > w->opts.dict_size
			: it->len > 64 * (size_t)w->opts.dict_size || it->len > BTFB_MAX_DICT_SIZE)
			continue;
		memcpy(dict + len, it->data, it->len);
		len += it->len;
	}
	if (!len) {
		free(dict);
		return 0;
	}
	*out = dict;
	*out_len = len;
	return 0;
}

/* Blocks: distinct BTFs in id order, up to block_size raw bytes each. */
static int build_blocks(const struct bundle_writer *w, const struct wblob *blobs, size_t blob_cnt,
			const uint8_t *dict, size_t dict_len, struct wstream **out, size_t *out_cnt)
{
	struct wstream *blocks = calloc(blob_cnt ?: 1, sizeof(*blocks));
	size_t i = 0, n = 0, j;
	int err = 0;

	if (!blocks)
		return -ENOMEM;
	while (i < blob_cnt && !err) {
		uint64_t raw_len = 4;
		size_t first = i;
		uint8_t *raw, *p;

		do {
			raw_len += 4 + w->items[blobs[i].item].len;
			i++;
		} while (i < blob_cnt && raw_len + 4 + w->items[blobs[i].item].len <= w->opts.block_size);
		raw = malloc(raw_len);
		if (!raw) {
			err = -ENOMEM;
			break;
		}
		btfb_put_le32(raw, i - first);
		p = raw + 4 + 4 * (i - first);
		for (j = first; j < i; j++) {
			const struct item *it = &w->items[blobs[j].item];

			btfb_put_le32(raw + 4 + 4 * (j - first), it->len);
			memcpy(p, it->data, it->len);
			p += it->len;
		}
		blocks[n].cnt = i - first;
		blocks[n].first = first;
		err = stream_make(w, &blocks[n], raw, raw_len, dict, dict_len);
		n++;
	}
	*out = blocks;
	*out_cnt = n;
	return err;
}

/* A zigzag LEB128 varint of the signed 32-bit difference @v (bundle_format.h). */
static uint8_t *put_varint(uint8_t *p, uint32_t v)
{
	uint32_t z = v << 1 ^ (uint32_t)-(v >> 31);

	while (z >= 0x80) {
		*p++ = (uint8_t)(z | 0x80);
		z >>= 7;
	}
	*p++ = (uint8_t)z;
	return p;
}

/*
 * One index chunk: entries [first, first + cnt) with chunk-local strings,
 * columns as varint deltas, strings front-coded (bundle_format.h).
 */
static int make_chunk(const struct bundle_writer *w, size_t first, size_t cnt, struct wstream *s)
{
	struct strtab st = {};
	char **all;
	uint8_t *raw, *p;
	uint32_t *vals;
	size_t i, k, col, len;
	int err;

	all = malloc(cnt * 4 * sizeof(*all));
	vals = malloc(cnt * BTFB_CENTRY_LEN);
	if (!all || !vals) {
		free(all);
		free(vals);
		return -ENOMEM;
	}
	for (i = 0; i < cnt; i++)
		for (k = 0; k < 4; k++)
			all[i * 4 + k] = w->items[first + i].key[k];
	err = strtab_build(&st, all, cnt * 4);
	if (err) {
		strtab_free(&st);
		free(vals);
		return err;
	}
	for (i = 0; i < cnt; i++) {
		const struct item *it = &w->items[first + i];
		const uint32_t row[BTFB_CENTRY_LEN / 4] = {
			strtab_off(&st, it->key[0]), strtab_off(&st, it->key[1]),
			strtab_off(&st, it->key[2]), strtab_off(&st, it->key[3]),
			it->blob, it->len,
		};

		for (col = 0; col < BTFB_CENTRY_LEN / 4; col++)
			vals[col * cnt + i] = row[col];
	}
	/* at most 5 bytes a varint; a string its prefix byte, suffix and NUL */
	len = BTFB_CHUNK_HDR_LEN + cnt * BTFB_CENTRY_LEN / 4 * 5 + st.cnt + st.len;
	raw = malloc(len);
	if (!raw) {
		strtab_free(&st);
		free(vals);
		return -ENOMEM;
	}
	btfb_put_le32(raw, cnt);
	btfb_put_le32(raw + 4, st.len);
	btfb_put_le32(raw + 8, st.cnt);
	p = raw + BTFB_CHUNK_HDR_LEN;
	for (col = 0; col < BTFB_CENTRY_LEN / 4; col++)
		for (i = 0; i < cnt; i++)
			p = put_varint(p, vals[col * cnt + i] - (i ? vals[col * cnt + i - 1] : 0));
	for (i = 0; i < st.cnt; i++) {
		const char *prev = i ? st.strs[i - 1] : "", *cur = st.strs[i];
		size_t pre = 0;

		while (pre < 255 && prev[pre] && prev[pre] == cur[pre])
			pre++;
		*p++ = pre;
		p = (uint8_t *)stpcpy((char *)p, cur + pre) + 1;
	}
	strtab_free(&st);
	free(vals);
	s->cnt = cnt;
	s->first = first;
	return stream_make(w, s, raw, p - raw, NULL, 0);
}

/* Chunks: entries in key order, up to chunk_size raw bytes each. */
static int build_chunks(const struct bundle_writer *w, struct wstream **out, size_t *out_cnt)
{
	struct wstream *chunks = calloc(w->item_cnt ?: 1, sizeof(*chunks));
	size_t i = 0, n = 0;
	int err = 0;

	if (!chunks)
		return -ENOMEM;
	while (i < w->item_cnt && !err) {
		size_t first = i, est = 8;
		int k;

		do {
			est += BTFB_CENTRY_LEN;
			for (k = 0; k < 4; k++)
				est += strlen(w->items[i].key[k]) + 1;
			i++;
		} while (i < w->item_cnt && est < w->opts.chunk_size);
		err = make_chunk(w, first, i - first, &chunks[n++]);
	}
	*out = chunks;
	*out_cnt = n;
	return err;
}

/*
 * Inline streams spare a stream's framing and record where they would
 * dominate: the one chunk of a small index, the one block of a small
 * bundle. Opening such a bundle decodes them with the metadata, so a block
 * goes inline only while that stays cheap.
 */
#define INLINE_BLOCK_MAX	(256u << 10)

static void put_stream(struct btfb_stream *s, const struct wstream *ws, bool inl, uint64_t *off)
{
	s->off = *off;
	s->comp = inl ? 0 : ws->comp_len;
	s->raw = ws->raw_len;
	s->crc = inl ? 0 : ws->crc;	/* inline: the header's crc covers it */
	*off += inl ? ws->raw_len : ws->comp_len;
}

static void free_streams(struct wstream *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(s[i].raw);
		free(s[i].comp);
	}
	free(s);
}

/* What bundle_writer__finish() builds, one step at a time. */
struct wbuild {
	struct wblob *blobs;
	size_t blob_cnt;
	uint8_t *dict;
	size_t dict_len;
	struct wstream dict_s;
	struct wstream *blocks, *chunks;
	size_t block_cnt, chunk_cnt;
	struct strtab strtab;
	struct btfb_meta m;
	bool inl_chunks, inl_block;
	uint64_t inl_off;	/* where the inline streams start in the metadata */
	uint8_t *meta;
	uint64_t meta_len, data_len;
	void *mcomp;
	size_t meta_comp;	/* 0: the metadata is stored */
};

static void wbuild_free(struct wbuild *b)
{
	free_streams(b->blocks, b->block_cnt);
	free_streams(b->chunks, b->chunk_cnt);
	free(b->dict_s.raw);
	free(b->dict_s.comp);
	free(b->blobs);
	free(b->dict);
	free(b->meta);
	free(b->mcomp);
	strtab_free(&b->strtab);
}

/* The data streams: dictionary, blocks of unique blobs, index chunks. */
static int build_streams(struct bundle_writer *w, struct wbuild *b)
{
	uint8_t *copy;
	int err;

	err = plan_items(w, &b->blobs, &b->blob_cnt);
	err = err ?: build_dict(w, b->blobs, b->blob_cnt, &b->dict, &b->dict_len);
	err = err ?: build_blocks(w, b->blobs, b->blob_cnt, b->dict, b->dict_len, &b->blocks,
				  &b->block_cnt);
	err = err ?: build_chunks(w, &b->chunks, &b->chunk_cnt);
	if (err || !b->dict_len)
		return err;
	copy = malloc(b->dict_len);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, b->dict, b->dict_len);
	return stream_make(w, &b->dict_s, copy, b->dict_len, NULL, 0);
}

/* Top-level strings: provenance, object names, chunk first keys. */
static int build_strtab(struct bundle_writer *w, struct wbuild *b)
{
	char **all = malloc((b->chunk_cnt * 4 + w->obj_cnt + 2) * sizeof(*all));
	size_t i, n = 0;
	int err;

	if (!all)
		return -ENOMEM;
	all[n++] = "";
	all[n++] = w->provenance ?: "";
	for (i = 0; i < w->obj_cnt; i++)
		all[n++] = w->objs[i].name;
	for (i = 0; i < b->chunk_cnt; i++)
		for (int k = 0; k < 4; k++)
			all[n++] = w->items[b->chunks[i].first].key[k];
	err = strtab_build(&b->strtab, all, n);	/* owns all[] now */
	if (err)
		return err;
	if (w->obj_cnt)		/* w->objs is NULL without objects */
		qsort(w->objs, w->obj_cnt, sizeof(*w->objs), cmp_obj);
	return 0;
}

/* Which streams go inline, and how big the metadata and the data area are. */
static int size_meta(const struct bundle_writer *w, struct wbuild *b)
{
	uint64_t index_raw = 0;
	size_t i;

	b->inl_chunks = b->chunk_cnt == 1;
	b->inl_block = b->block_cnt == 1 && b->blocks[0].raw_len <= INLINE_BLOCK_MAX;
	b->m.entry_cnt = w->item_cnt;
	b->m.blob_cnt = b->blob_cnt;
	b->m.object_cnt = w->obj_cnt;
	b->m.chunk_cnt = b->chunk_cnt;
	b->m.block_cnt = b->block_cnt;
	b->m.str_len = b->strtab.len;
	b->m.prov_str = strtab_off(&b->strtab, w->provenance ?: "");
	b->inl_off = BTFB_META_LEN + (uint64_t)w->obj_cnt * BTFB_OBJECT_LEN +
		     (uint64_t)b->chunk_cnt * BTFB_CHUNK_LEN +
		     (uint64_t)b->block_cnt * BTFB_BLOCK_LEN + b->strtab.len;
	b->meta_len = b->inl_off;
	for (i = 0; i < b->chunk_cnt; i++) {
		index_raw += b->chunks[i].raw_len;
		*(b->inl_chunks ? &b->meta_len : &b->data_len) +=
			b->inl_chunks ? b->chunks[i].raw_len : b->chunks[i].comp_len;
	}
	for (i = 0; i < b->block_cnt; i++)
		*(b->inl_block ? &b->meta_len : &b->data_len) +=
			b->inl_block ? b->blocks[i].raw_len : b->blocks[i].comp_len;
	b->data_len += b->dict_s.comp_len;
	/* Past the reader's limits (format or memory): no reader would open it. */
	if (b->meta_len > BTFB_MAX_META_SIZE || index_raw > BTFB_MAX_INDEX_SIZE)
		return -EFBIG;
	return 0;
}

/*
 * The metadata: its record, objects, chunk and block records, strings, then
 * the inline streams; it places each stream (dictionary, chunks, blocks) in
 * the data area as it goes.
 */
static int write_meta(const struct bundle_writer *w, struct wbuild *b)
{
	uint64_t inl_off = b->inl_off;
	uint8_t *p;
	size_t i;

	b->meta = calloc(1, b->meta_len);
	if (!b->meta)
		return -ENOMEM;
	b->data_len = 0;
	if (b->dict_len)
		put_stream(&b->m.dict, &b->dict_s, false, &b->data_len);
	btfb_store_u32s(b->meta, &b->m, BTFB_META_LEN / 4);
	p = b->meta + BTFB_META_LEN;
	for (i = 0; i < w->obj_cnt; i++, p += BTFB_OBJECT_LEN) {
		memcpy(p, w->objs[i].sha, SHA256_DIGEST_LEN);
		btfb_put_le32(p + 32, strtab_off(&b->strtab, w->objs[i].name));
	}
	for (i = 0; i < b->chunk_cnt; i++, p += BTFB_CHUNK_LEN) {
		const struct item *it = &w->items[b->chunks[i].first];
		struct btfb_chunk c = {
			.arch_str = strtab_off(&b->strtab, it->key[0]),
			.distro_str = strtab_off(&b->strtab, it->key[1]),
			.version_str = strtab_off(&b->strtab, it->key[2]),
			.release_str = strtab_off(&b->strtab, it->key[3]),
			.entry_cnt = b->chunks[i].cnt,
		};

		put_stream(&c.s, &b->chunks[i], b->inl_chunks,
			   b->inl_chunks ? &inl_off : &b->data_len);
		btfb_store_u32s(p, &c, BTFB_CHUNK_LEN / 4);
	}
	for (i = 0; i < b->block_cnt; i++, p += BTFB_BLOCK_LEN) {
		struct btfb_block bl = { .blob_cnt = b->blocks[i].cnt };

		put_stream(&bl.s, &b->blocks[i], b->inl_block,
			   b->inl_block ? &inl_off : &b->data_len);
		btfb_store_u32s(p, &bl, BTFB_BLOCK_LEN / 4);
	}
	for (i = 0; i < b->strtab.cnt; i++)
		strcpy((char *)p + b->strtab.offs[i], b->strtab.strs[i]);
	p += b->strtab.len;
	if (b->inl_chunks)
		p = mempcpy(p, b->chunks[0].raw, b->chunks[0].raw_len);
	if (b->inl_block)
		memcpy(p, b->blocks[0].raw, b->blocks[0].raw_len);
	return 0;
}

static int compress_meta(struct bundle_writer *w, struct wbuild *b)
{
	int err = stream_compress(w, NULL, 0, b->meta, b->meta_len, &b->mcomp, &b->meta_comp);

	if (err)
		return err;
	/*
	 * Every open decodes the metadata: ~25 us for 1 KB of LZMA2, 10% of a
	 * start-up lookup at 5000 kernels, where it saves 1.4% of the bundle.
	 * Where it saves under 1/64 of the bundle, it is stored instead.
	 */
	if ((b->meta_len - (uint64_t)b->meta_comp) * 64 <
	    BTFB_HEADER_LEN + b->meta_comp + b->data_len || b->meta_comp >= b->meta_len) {
		free(b->mcomp);
		b->mcomp = NULL;
		b->meta_comp = 0;
	}
	return 0;
}

/* Header, metadata (as stored) and data area in one buffer. */
static int assemble(const struct bundle_writer *w, const struct wbuild *b, uint8_t **out,
		    uint64_t *out_total)
{
	uint64_t total = BTFB_HEADER_LEN + (b->meta_comp ?: b->meta_len) + b->data_len;
	struct btfb_header h = {};
	uint8_t *buf, *p;
	uLong crc;
	size_t i;

	if (total > UINT32_MAX)
		return -EFBIG;
	buf = malloc(total);
	if (!buf)
		return -ENOMEM;
	p = buf + BTFB_HEADER_LEN;
	p = b->meta_comp ? mempcpy(p, b->mcomp, b->meta_comp) : mempcpy(p, b->meta, b->meta_len);
	if (b->dict_len)
		p = mempcpy(p, b->dict_s.comp, b->dict_s.comp_len);
	for (i = 0; !b->inl_chunks && i < b->chunk_cnt; i++)
		p = mempcpy(p, b->chunks[i].comp, b->chunks[i].comp_len);
	for (i = 0; !b->inl_block && i < b->block_cnt; i++)
		p = mempcpy(p, b->blocks[i].comp, b->blocks[i].comp_len);

	/* header last: its crc covers it and the metadata as stored */
	memcpy(h.magic, BTFB_MAGIC, BTFB_MAGIC_LEN);
	h.version = BTFB_VERSION;
	h.codec = w->opts.codec;
	h.meta_comp = b->meta_comp;
	h.meta_raw = b->meta_len;
	h.total_len = total;
	memcpy(buf, h.magic, BTFB_MAGIC_LEN);
	btfb_store_u32s(buf + BTFB_MAGIC_LEN, &h.version, (BTFB_HEADER_LEN - BTFB_MAGIC_LEN) / 4);
	crc = crc32(0, buf, BTFB_HEADER_LEN);
	crc = crc32(crc, buf + BTFB_HEADER_LEN, b->meta_comp ?: b->meta_len);
	btfb_put_le32(buf + offsetof(struct btfb_header, crc), crc);
	*out = buf;
	*out_total = total;
	return 0;
}

static void fill_stats(const struct bundle_writer *w, const struct wbuild *b, uint64_t total,
		       struct bundle_stats *st)
{
	size_t i;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < w->item_cnt; i++)
		st->raw_bytes += w->items[i].len;
	for (i = 0; i < b->blob_cnt; i++)
		st->unique_bytes += w->items[b->blobs[i].item].len;
	st->entries = w->item_cnt;
	st->blobs = b->blob_cnt;
	st->blocks = b->block_cnt;
	st->chunks = b->chunk_cnt;
	st->dict_raw = b->dict_len;
	st->meta_bytes = BTFB_HEADER_LEN + (b->meta_comp ?: b->meta_len);
	st->bundle_bytes = total;
}

int bundle_writer__finish(struct bundle_writer *w, void **out, size_t *out_len,
			  struct bundle_stats *stats)
{
	struct wbuild b = {};
	uint8_t *buf = NULL;
	uint64_t total = 0;
	int err;

	*out = NULL;
	err = build_streams(w, &b);
	err = err ?: build_strtab(w, &b);
	err = err ?: size_meta(w, &b);
	err = err ?: write_meta(w, &b);
	err = err ?: compress_meta(w, &b);
	err = err ?: assemble(w, &b, &buf, &total);
	if (!err) {
		if (stats)
			fill_stats(w, &b, total, stats);
		*out = buf;
		*out_len = total;
	}
	wbuild_free(&b);
	return err;
}
