// SPDX-License-Identifier: BSD-2-Clause
/*
 * libbtfbundle's reader: validate the top level once at open; a lookup
 * binary-searches the chunk records, decodes (and caches) one index chunk,
 * binary-searches it, and decodes the one block holding the BTF only up to
 * that BTF. Decoded data is untrusted like the rest and checked before use.
 *
 * What a bundle may make the reader allocate and decode is bounded at open
 * (bundle_format.h, BTFB_MAX_*): the header bounds the metadata stream,
 * decoded up to an inline block, and its records bound every other stream before any is
 * decoded. A file is read header first, then the metadata stream, and each
 * other stream's bytes only when it is decoded; every index stream (dictionary, chunks) is
 * decoded at most once per open, a failure included, so the whole index,
 * whatever path a lookup takes, costs at most BTFB_MAX_INDEX_SIZE.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <bpf/btf.h>

#include "btf_bundle.h"
#include "bundle_codec.h"
#include "bundle_format.h"
#include "bundle_internal.h"
#include "errmsg.h"
#include "fsutil.h"
#include "layout.h"
#include "sha256.h"

/* A decoded index chunk. */
struct chunk {
	uint32_t *vals;		/* BTFB_CENTRY_LEN / 4 columns of n values, then the strings */
	uint32_t n;
	const char *strs;	/* the rebuilt string table */
	uint32_t str_len;
};

struct btf_bundle {
	const uint8_t *data;	/* the whole bundle in memory; NULL for a file */
	size_t size;		/* header.total_len */
	void *owned;		/* the caller's bytes copied (open_opts.copy) */
	int fd;			/* a file's streams are read from here; -1 in memory */
	struct btfb_header hdr;	/* host byte order */
	struct btfb_meta m;	/* host byte order */
	uint8_t *meta;		/* the decoded metadata, hdr.meta_raw bytes: meta_have decoded */
	uint32_t meta_have;	/* up to the inline chunk's end; an inline block is decoded per read */
	/* Where the metadata's sections start (bundle_format.h, struct btfb_meta). */
	uint32_t obj_off, chunk_off, block_off, str_off, inline_off;
	uint32_t data_off, data_len;	/* the data area: compressed streams */
	const char *strs;
	uint32_t *chunk_base;	/* chunk_cnt + 1 prefix sums of entry counts */
	uint32_t *block_base;	/* block_cnt + 1 prefix sums of blob counts */
	/*
	 * Decoded lazily and published with a compare-and-swap; a decode
	 * that failed leaves its error instead, so nothing is decoded twice.
	 */
	struct chunk **chunks;
	int *chunk_err;
	uint64_t chunks_size;	/* decoded chunks' sizes, bounded by BTFB_MAX_INDEX_SIZE */
	uint8_t *dict;
	int dict_err;
};

static int default_print(enum btf_bundle_print_level level, const char *fmt, va_list ap)
{
	if (level != BTF_BUNDLE_WARN)
		return 0;
	fputs("libbtfbundle: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

static btf_bundle_print_fn_t bundle_print = default_print;

btf_bundle_print_fn_t btf_bundle_set_print(btf_bundle_print_fn_t fn)
{
	btf_bundle_print_fn_t old = bundle_print;

	bundle_print = fn;
	return old;
}

void bundle_pr(enum btf_bundle_print_level level, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (!bundle_print)
		return;
	va_start(ap, fmt);
	bundle_print(level, fmt, ap);
	va_end(ap);
	errno = saved;
}


static void get_chunk_rec(const struct btf_bundle *b, uint32_t i, struct btfb_chunk *c)
{
	btfb_load_u32s(c, b->meta + b->chunk_off + (size_t)i * BTFB_CHUNK_LEN, BTFB_CHUNK_LEN / 4);
}

static void get_block_rec(const struct btf_bundle *b, uint32_t i, struct btfb_block *bl)
{
	btfb_load_u32s(bl, b->meta + b->block_off + (size_t)i * BTFB_BLOCK_LEN, BTFB_BLOCK_LEN / 4);
}

static const char *str_at(const struct btf_bundle *b, uint32_t off)
{
	return b->strs + off;
}

static int check_str(const struct btf_bundle *b, uint32_t off)
{
	return off < b->m.str_len ? 0 : -EBADMSG;
}

/*
 * A stream inside the data area, or inline in the metadata's inline area
 * (within its first @inline_end bytes), decoding to at most @max_raw bytes.
 * An inline stream's crc is 0: the header's crc covers its bytes.
 */
static int check_stream(const struct btf_bundle *b, const struct btfb_stream *s, uint32_t max_raw,
			uint32_t inline_end)
{
	bool bad = s->comp ? (uint64_t)s->off + s->comp > b->data_len ||
			     s->comp > btfb_max_comp(s->raw)
			   : s->off < b->inline_off || (uint64_t)s->off + s->raw > inline_end ||
			     s->crc;

	if (bad || s->raw > max_raw) {
		pr_bdebug("bundle: stream at %u: %u bytes decoding to %u, limit %u\n",
			  s->off, s->comp, s->raw, max_raw);
		return -EBADMSG;
	}
	return 0;
}

struct key {
	const char *f[4];	/* arch, distro, version, release */
};

static int cmp_key(const struct key *a, const struct key *b)
{
	int i, c;

	/* Neighbouring entries share most fields, and one string table. */
	for (i = 0; i < 4; i++)
		if (a->f[i] != b->f[i] && (c = strcmp(a->f[i], b->f[i])))
			return c;
	return 0;
}

static void chunk_rec_key(const struct btf_bundle *b, const struct btfb_chunk *c, struct key *k)
{
	k->f[0] = str_at(b, c->arch_str);
	k->f[1] = str_at(b, c->distro_str);
	k->f[2] = str_at(b, c->version_str);
	k->f[3] = str_at(b, c->release_str);
}

static void chunk_entry(const struct chunk *c, uint32_t i, struct btfb_chunk_entry *e, struct key *k)
{
	uint32_t *f = (uint32_t *)e;
	size_t col;

	for (col = 0; col < BTFB_CENTRY_LEN / 4; col++)
		f[col] = c->vals[col * c->n + i];
	if (k) {
		k->f[0] = c->strs + e->arch_str;
		k->f[1] = c->strs + e->distro_str;
		k->f[2] = c->strs + e->version_str;
		k->f[3] = c->strs + e->release_str;
	}
}

static int check_top(struct btf_bundle *b)
{
	const struct btfb_meta *h = &b->m;
	struct btfb_chunk c;
	struct btfb_block bl;
	struct key k, prev;
	uint64_t sum, index_raw = 0;
	uint32_t i;

	for (i = 0; i < h->object_cnt; i++) {
		uint32_t name = btfb_le32(b->meta + b->obj_off + (size_t)i * BTFB_OBJECT_LEN + 32);

		if (check_str(b, name))
			return -EBADMSG;
	}
	if (h->dict.raw ? !h->dict.comp || check_stream(b, &h->dict, BTFB_MAX_DICT_SIZE, 0)
			: h->dict.comp || h->dict.off || h->dict.crc)
		return -EBADMSG;
	/* The counts are bounded by the metadata size (BTFB_MAX_META_SIZE). */
	b->chunk_base = calloc((size_t)h->chunk_cnt + 1, sizeof(*b->chunk_base));
	b->block_base = calloc((size_t)h->block_cnt + 1, sizeof(*b->block_base));
	b->chunks = calloc(h->chunk_cnt ?: 1, sizeof(*b->chunks));
	b->chunk_err = calloc(h->chunk_cnt ?: 1, sizeof(*b->chunk_err));
	if (!b->chunk_base || !b->block_base || !b->chunks || !b->chunk_err)
		return -ENOMEM;
	for (i = 0, sum = 0; i < h->chunk_cnt; i++) {
		get_chunk_rec(b, i, &c);
		if (check_str(b, c.arch_str) || check_str(b, c.distro_str) ||
		    check_str(b, c.version_str) || check_str(b, c.release_str) ||
		    !c.entry_cnt || check_stream(b, &c.s, BTFB_MAX_INDEX_SIZE, b->meta_have))
			return -EBADMSG;
		/* The decode budget of the whole index, checked before any decode. */
		index_raw += c.s.raw;
		if (index_raw > BTFB_MAX_INDEX_SIZE) {
			pr_bdebug("bundle: index decodes to over %u bytes\n", BTFB_MAX_INDEX_SIZE);
			return -EBADMSG;
		}
		chunk_rec_key(b, &c, &k);
		if (i && cmp_key(&prev, &k) >= 0)
			return -EBADMSG;	/* chunks out of order */
		prev = k;
		b->chunk_base[i] = sum;
		sum += c.entry_cnt;
		if (sum > h->entry_cnt)
			return -EBADMSG;
	}
	b->chunk_base[h->chunk_cnt] = sum;
	if (sum != h->entry_cnt)
		return -EBADMSG;
	for (i = 0, sum = 0; i < h->block_cnt; i++) {
		get_block_rec(b, i, &bl);
		if (!bl.blob_cnt || check_stream(b, &bl.s, BTFB_MAX_BLOCK_SIZE, b->hdr.meta_raw))
			return -EBADMSG;
		b->block_base[i] = sum;
		sum += bl.blob_cnt;
		if (sum > h->blob_cnt)
			return -EBADMSG;
	}
	b->block_base[h->block_cnt] = sum;
	return sum == h->blob_cnt ? 0 : -EBADMSG;
}

/*
 * The header, from the first BTFB_HEADER_LEN bytes alone: magic, version,
 * codec, a layout inside the @avail bytes there are, and a metadata stream
 * small enough to decode whole.
 */
static int parse_header(struct btfb_header *h, const uint8_t *data, uint64_t avail)
{
	if (avail < BTFB_HEADER_LEN || memcmp(data, BTFB_MAGIC, BTFB_MAGIC_LEN)) {
		pr_bdebug("bundle: bad magic or short header (%llu bytes)\n",
			  (unsigned long long)avail);
		return -EBADMSG;
	}
	memcpy(h->magic, data, BTFB_MAGIC_LEN);
	btfb_load_u32s(&h->version, data + BTFB_MAGIC_LEN, (BTFB_HEADER_LEN - BTFB_MAGIC_LEN) / 4);
	if (h->version != BTFB_VERSION) {
		pr_bdebug("bundle: format version %u, this reader knows only %u: rebuild it with embedgen\n",
			  h->version, BTFB_VERSION);
		return -EPROTO;
	}
	if (h->total_len > avail || !bundle_codec__valid(h->codec) ||
	    (uint64_t)BTFB_HEADER_LEN + btfb_meta_size(h) > h->total_len ||
	    h->meta_raw < BTFB_META_LEN || h->meta_comp > btfb_max_comp(h->meta_raw))
		return -EBADMSG;
	if (h->meta_raw > BTFB_MAX_META_SIZE) {
		pr_bdebug("bundle: %u bytes of metadata, limit %u\n", h->meta_raw, BTFB_MAX_META_SIZE);
		return -EBADMSG;
	}
	return 0;
}

/*
 * The sections of the metadata from its fixed part; the inline area
 * starts after them.
 */
static int meta_layout(struct btf_bundle *b)
{
	struct btfb_meta *m = &b->m;
	uint64_t end;

	btfb_load_u32s(m, b->meta, BTFB_META_LEN / 4);
	end = BTFB_META_LEN;
	b->obj_off = end;
	end += (uint64_t)m->object_cnt * BTFB_OBJECT_LEN;
	b->chunk_off = end;
	end += (uint64_t)m->chunk_cnt * BTFB_CHUNK_LEN;
	b->block_off = end;
	end += (uint64_t)m->block_cnt * BTFB_BLOCK_LEN;
	b->str_off = end;
	end += m->str_len;
	if (end > b->hdr.meta_raw) {
		pr_bdebug("bundle: metadata sections end at %llu, past its %u bytes\n",
			  (unsigned long long)end, b->hdr.meta_raw);
		return -EBADMSG;
	}
	b->inline_off = end;
	return 0;
}

/*
 * Where opening stops decoding the metadata: past the inline chunks (a
 * lookup needs them), before an inline block, which a read decodes up to
 * its BTF alone. The records are decoded, not yet checked.
 */
static int meta_need(const struct btf_bundle *b, uint32_t *need)
{
	struct btfb_chunk c;
	struct btfb_block bl;
	uint64_t end = b->inline_off;
	uint32_t i;


	for (i = 0; i < b->m.chunk_cnt; i++) {
		get_chunk_rec(b, i, &c);
		if (!c.s.comp && (uint64_t)c.s.off + c.s.raw > end)
			end = (uint64_t)c.s.off + c.s.raw;
	}
	/* Without an inline block, all of it, and the stream must end there. */
	for (i = 0; i < b->m.block_cnt; i++) {
		get_block_rec(b, i, &bl);
		if (!bl.s.comp)
			break;
	}
	if (i == b->m.block_cnt)
		end = b->hdr.meta_raw;
	if (end > b->hdr.meta_raw)
		return -EBADMSG;
	*need = end;
	return 0;
}

/*
 * Check the crc (the header and the metadata as stored), then decode the
 * metadata @comp (btfb_meta_size() bytes) as far as a lookup needs, and
 * check it: the sections, strings and records.
 */
static int parse_meta(struct btf_bundle *b, const uint8_t *hdr, const uint8_t *comp)
{
	const struct btfb_header *h = &b->hdr;
	const uint8_t zero[4] = {};
	const size_t crc_at = offsetof(struct btfb_header, crc);
	struct bundle_dec d;
	uint32_t need;
	uLong crc;
	int err;

	/* Bit flips in the header and metadata are caught here, in other streams by their crc. */
	crc = crc32(0, hdr, crc_at);
	crc = crc32(crc, zero, 4);
	crc = crc32(crc, comp, btfb_meta_size(h));
	if (crc != h->crc) {
		pr_bdebug("bundle: metadata checksum mismatch\n");
		return -EBADMSG;
	}
	b->meta = malloc(h->meta_raw);
	if (!b->meta)
		return -ENOMEM;
	err = bundle_dec__init(&d, h->meta_comp ? h->codec : BUNDLE_CODEC_STORED, NULL, 0, comp,
			       btfb_meta_size(h), h->meta_raw);
	err = err ?: bundle_dec__read(&d, b->meta, BTFB_META_LEN);
	err = err ?: meta_layout(b);
	err = err ?: bundle_dec__read(&d, b->meta + BTFB_META_LEN, b->inline_off - BTFB_META_LEN);
	err = err ?: meta_need(b, &need);
	err = err ?: bundle_dec__read(&d, b->meta + b->inline_off, need - b->inline_off);
	/* Nothing inline left to decode: the stream must end here. */
	if (!err && need == h->meta_raw)
		err = bundle_dec__finish(&d);
	bundle_dec__free(&d);
	if (err) {
		pr_bdebug("bundle: corrupt metadata stream\n");
		return err == -ENOMEM ? err : -EBADMSG;
	}
	b->meta_have = need;
	if (b->m.str_len == 0 || b->meta[b->str_off + b->m.str_len - 1] != '\0')
		return -EBADMSG;
	b->size = h->total_len;
	b->data_off = BTFB_HEADER_LEN + btfb_meta_size(h);
	b->data_len = h->total_len - b->data_off;
	b->strs = (const char *)b->meta + b->str_off;
	if (check_str(b, b->m.prov_str))
		return -EBADMSG;
	return check_top(b);
}

/*
 * @len stored bytes at @off in the bundle: in place in memory, read into
 * *tmp (freed by the caller) for a file. Their size was bounded at open.
 */
static int bytes_at(const struct btf_bundle *b, uint64_t off, uint32_t len,
		    const uint8_t **src, uint8_t **tmp)
{
	int err;

	*tmp = NULL;
	if (b->fd < 0) {
		*src = b->data + off;
		return 0;
	}
	*tmp = malloc(len ?: 1);
	if (!*tmp)
		return -ENOMEM;
	err = read_full_at(b->fd, *tmp, len, off);
	if (err) {
		pr_bdebug("bundle: %u bytes at %llu: %s\n", len, (unsigned long long)off,
			  err == -ENODATA ? "file truncated" : errmsg(err));
		free(*tmp);
		*tmp = NULL;
		return err == -ENODATA ? -EBADMSG : err;
	}
	*src = *tmp;
	return 0;
}

/* The stored bytes of a chunk or the dictionary: inline ones are decoded at open. */
static int stream_src(const struct btf_bundle *b, const struct btfb_stream *s,
		      const uint8_t **src, uint8_t **tmp)
{
	*tmp = NULL;
	if (!s->comp) {
		*src = b->meta + s->off;
		return 0;
	}
	return bytes_at(b, (uint64_t)b->data_off + s->off, s->comp, src, tmp);
}

/* The crc of a stream in the data area: its stored bytes, checked before they are decoded. */
static int check_crc(const struct btfb_stream *s, const uint8_t *src)
{
	if (s->comp && crc32(0, src, s->comp) != s->crc) {
		pr_bdebug("bundle: stream at %u: checksum mismatch\n", s->off);
		return -EILSEQ;
	}
	return 0;
}

/* Decode one whole stream into a new buffer: its checksum, then its exact size. */
static int decode_stream(const struct btf_bundle *b, const struct btfb_stream *s,
			 const void *dict, size_t dict_len, uint8_t **out)
{
	const uint8_t *src;
	uint8_t *buf, *tmp;
	int err;

	err = stream_src(b, s, &src, &tmp);
	err = err ?: check_crc(s, src);
	if (err) {
		free(tmp);
		return err;
	}
	buf = malloc(s->raw ?: 1);
	if (!buf) {
		free(tmp);
		return -ENOMEM;
	}
	if (!s->comp)
		memcpy(buf, src, s->raw);	/* inline: covered by the metadata's crc */
	else
		err = bundle_codec__decompress(b->hdr.codec, dict, dict_len, src, s->comp,
					       buf, s->raw);
	free(tmp);
	if (err) {
		pr_bdebug("bundle: stream at %u: corrupt stream\n", s->off);
		free(buf);
		return err == -ENOMEM ? err : -EBADMSG;
	}
	*out = buf;
	return 0;
}

/* One zigzag LEB128 varint of a u32 difference (bundle_format.h), or -EBADMSG. */
static int get_varint(const uint8_t **pp, const uint8_t *end, uint32_t *v)
{
	const uint8_t *p = *pp;
	uint32_t z = 0;
	int shift;

	for (shift = 0; shift < 35; shift += 7) {
		if (p == end || (shift == 28 && *p > 0x0f))
			return -EBADMSG;
		z |= (uint32_t)(*p & 0x7f) << shift;
		if (!(*p++ & 0x80)) {
			*pp = p;
			*v = z >> 1 ^ (uint32_t)-(z & 1);
			return 0;
		}
	}
	return -EBADMSG;
}

/*
 * Rebuild chunk @c from its encoded bytes: the columns' values and the
 * string table, which must fill exactly the sizes the chunk states.
 */
static int chunk_rebuild(struct chunk *c, const uint8_t *enc, uint32_t enc_len, uint32_t str_cnt)
{
	const uint8_t *p = enc + BTFB_CHUNK_HDR_LEN, *end = enc + enc_len;
	char *strs = (char *)(c->vals + (size_t)c->n * (BTFB_CENTRY_LEN / 4));
	uint32_t i, col, d, prev, q = 0, last = 0, last_len = 0;
	size_t suffix;

	for (col = 0; col < BTFB_CENTRY_LEN / 4; col++) {
		for (i = 0, prev = 0; i < c->n; i++) {
			if (get_varint(&p, end, &d))
				return -EBADMSG;
			prev += d;
			c->vals[col * c->n + i] = prev;
		}
	}
	for (i = 0; i < str_cnt; i++) {
		if (p == end || *p > last_len)
			return -EBADMSG;
		suffix = strnlen((const char *)p + 1, end - p - 1);
		if (suffix == (size_t)(end - p - 1) ||
		    (uint64_t)q + *p + suffix + 1 > c->str_len)
			return -EBADMSG;
		memcpy(strs + q, strs + last, *p);	/* the previous string ends before q */
		memcpy(strs + q + *p, p + 1, suffix + 1);
		last = q;
		last_len = *p + suffix;
		q += last_len + 1;
		p += suffix + 2;
	}
	if (q != c->str_len || p != end)
		return -EBADMSG;
	c->strs = strs;
	return 0;
}

static void chunk_free(struct chunk *c)
{
	if (c)
		free(c->vals);
	free(c);
}

/* Structure of a decoded chunk: sizes, strings, order, and its place in the index. */
static int chunk_check(const struct btf_bundle *b, uint32_t idx, struct chunk *c,
		       const struct btfb_chunk *rec)
{
	struct btfb_chunk_entry e;
	struct key k, prev, first;
	uint32_t i;

	chunk_rec_key(b, rec, &first);
	for (i = 0; i < c->n; i++) {
		chunk_entry(c, i, &e, NULL);
		if (e.arch_str >= c->str_len || e.distro_str >= c->str_len ||
		    e.version_str >= c->str_len || e.release_str >= c->str_len ||
		    e.blob >= b->m.blob_cnt || e.raw_size > BTFB_MAX_RAW_SIZE)
			return -EBADMSG;
		k.f[0] = c->strs + e.arch_str;
		k.f[1] = c->strs + e.distro_str;
		k.f[2] = c->strs + e.version_str;
		k.f[3] = c->strs + e.release_str;
		if (i ? cmp_key(&prev, &k) >= 0 : cmp_key(&first, &k) != 0)
			return -EBADMSG;
		prev = k;
	}
	/* The last key must stay below the next chunk's first key. */
	if (idx + 1 < b->m.chunk_cnt) {
		struct btfb_chunk next;

		get_chunk_rec(b, idx + 1, &next);
		chunk_rec_key(b, &next, &first);
		if (cmp_key(&prev, &first) >= 0)
			return -EBADMSG;
	}
	return 0;
}

static int get_chunk(const struct btf_bundle *b, uint32_t idx, const struct chunk **out)
{
	struct chunk *c, *expected = NULL;
	struct btfb_chunk rec;
	uint8_t *enc = NULL;
	uint32_t str_cnt;
	uint64_t need;
	int err;

	c = __atomic_load_n(&b->chunks[idx], __ATOMIC_ACQUIRE);
	if (c) {
		*out = c;
		return 0;
	}
	err = __atomic_load_n(&b->chunk_err[idx], __ATOMIC_ACQUIRE);
	if (err)
		return err;
	get_chunk_rec(b, idx, &rec);
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	err = decode_stream(b, &rec.s, NULL, 0, &enc);
	if (err)
		goto err;
	err = -EBADMSG;
	if (rec.s.raw < BTFB_CHUNK_HDR_LEN)
		goto err;
	c->n = btfb_le32(enc);
	c->str_len = btfb_le32(enc + 4);
	str_cnt = btfb_le32(enc + 8);
	/* a varint takes a byte at least, a string two (its prefix byte and NUL) */
	if (c->n != rec.entry_cnt || !c->str_len ||
	    (uint64_t)c->n * (BTFB_CENTRY_LEN / 4) + 2 * (uint64_t)str_cnt >
	    rec.s.raw - BTFB_CHUNK_HDR_LEN)
		goto err;
	/* Rebuilt chunks count against the index budget too: each at most once per open. */
	need = (uint64_t)c->n * BTFB_CENTRY_LEN + c->str_len;
	if (__atomic_add_fetch(&((struct btf_bundle *)b)->chunks_size, need, __ATOMIC_RELAXED) >
	    BTFB_MAX_INDEX_SIZE) {
		pr_bdebug("bundle: index chunks rebuild to over %u bytes\n", BTFB_MAX_INDEX_SIZE);
		goto err;
	}
	c->vals = malloc(need);
	if (!c->vals) {
		err = -ENOMEM;
		goto err;
	}
	err = chunk_rebuild(c, enc, rec.s.raw, str_cnt);
	free(enc);
	enc = NULL;
	if (err)
		goto err;
	err = chunk_check(b, idx, c, &rec);
	if (err)
		goto err;
	/* Another thread may have won the race: use its copy. */
	if (!__atomic_compare_exchange_n(&((struct btf_bundle *)b)->chunks[idx], &expected, c,
					 false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		chunk_free(c);
		c = expected;
	}
	*out = c;
	return 0;
err:
	free(enc);
	chunk_free(c);
	if (err != -ENOMEM)
		__atomic_store_n(&((struct btf_bundle *)b)->chunk_err[idx], err, __ATOMIC_RELEASE);
	return err;
}

static int get_dict(const struct btf_bundle *b, const uint8_t **out)
{
	const struct btfb_stream s = b->m.dict;
	uint8_t *d, *expected = NULL;
	int err;

	*out = NULL;
	if (!s.raw)
		return 0;
	d = __atomic_load_n(&b->dict, __ATOMIC_ACQUIRE);
	if (!d) {
		err = __atomic_load_n(&b->dict_err, __ATOMIC_ACQUIRE);
		err = err ?: decode_stream(b, &s, NULL, 0, &d);
		if (err) {
			if (err != -ENOMEM)
				__atomic_store_n(&((struct btf_bundle *)b)->dict_err, err,
						 __ATOMIC_RELEASE);
			return err;
		}
		if (!__atomic_compare_exchange_n(&((struct btf_bundle *)b)->dict, &expected, d,
						 false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			free(d);
			d = expected;
		}
	}
	*out = d;
	return 0;
}

static struct btf_bundle *bundle_new(void *owned, int fd)
{
	struct btf_bundle *b = calloc(1, sizeof(*b));

	if (!b) {
		free(owned);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	b->owned = owned;
	b->fd = fd;
	return b;
}

/* object and object_sz go together: one alone is a caller's bug, never a skipped check. */
static bool object_opts_valid(const struct btf_bundle_open_opts *opts)
{
	return !OPTS_GET(opts, object, NULL) == !OPTS_GET(opts, object_sz, 0);
}

/* The object check, then the bundle or NULL + errno; frees @b on error. */
static struct btf_bundle *bundle_done(struct btf_bundle *b, int err,
				      const struct btf_bundle_open_opts *opts)
{
	const void *obj = OPTS_GET(opts, object, NULL);
	const uint8_t *obj_digest = OPTS_GET(opts, object_digest, NULL);

	if (!err && (obj || obj_digest))
		err = btf_bundle__check_object(b, obj, OPTS_GET(opts, object_sz, 0), obj_digest);
	if (err) {
		btf_bundle__free(b);
		return bundle_err_ptr(err);
	}
	return b;
}

struct btf_bundle *btf_bundle__open_mem(const void *data, size_t size,
					const struct btf_bundle_open_opts *opts)
{
	struct btf_bundle *b;
	void *copy = NULL;
	int err;

	if (!opts_valid(opts, btf_bundle_open_opts) || !object_opts_valid(opts) || !data)
		return bundle_err_ptr(-EINVAL);
	if (OPTS_GET(opts, copy, false)) {
		copy = malloc(size ?: 1);
		if (!copy)
			return bundle_err_ptr(-ENOMEM);
		memcpy(copy, data, size);
		data = copy;
	}
	b = bundle_new(copy, -1);
	if (!b)
		return bundle_err_ptr(-ENOMEM);
	b->data = data;
	err = parse_header(&b->hdr, data, size);
	err = err ?: parse_meta(b, data, (const uint8_t *)data + BTFB_HEADER_LEN);
	return bundle_done(b, err, opts);
}

/*
 * A file is read in the order it is checked: the header (a file of zeros
 * is refused after 32 bytes), the metadata stream it declares (bounded),
 * and other streams' bytes only when a lookup decodes them. Only a regular
 * file is opened, without blocking: a FIFO or a device is refused.
 */
struct btf_bundle *btf_bundle__open_file(const char *path, const struct btf_bundle_open_opts *opts)
{
	uint8_t hdr[BTFB_HEADER_LEN];
	struct btf_bundle *b;
	struct stat st;
	uint8_t *comp;
	int fd, err;

	if (!opts_valid(opts, btf_bundle_open_opts) || !object_opts_valid(opts) || !path)
		return bundle_err_ptr(-EINVAL);
	fd = open_regular(path, &st);
	if (fd < 0)
		return bundle_err_ptr(fd);
	b = bundle_new(NULL, fd);
	if (!b)
		return bundle_err_ptr(-ENOMEM);
	err = read_full_at(fd, hdr, sizeof(hdr), 0);
	if (err == -ENODATA)
		err = -EBADMSG;
	err = err ?: parse_header(&b->hdr, hdr, st.st_size);
	if (err)
		return bundle_done(b, err, opts);
	comp = malloc(btfb_meta_size(&b->hdr));
	if (!comp)
		return bundle_done(b, -ENOMEM, opts);
	err = read_full_at(fd, comp, btfb_meta_size(&b->hdr), BTFB_HEADER_LEN);
	if (err == -ENODATA)
		err = -EBADMSG;	/* shrunk under us */
	err = err ?: parse_meta(b, hdr, comp);
	free(comp);
	return bundle_done(b, err, opts);
}

void btf_bundle__free(struct btf_bundle *b)
{
	uint32_t i;

	if (!b)
		return;
	for (i = 0; b->chunks && i < b->m.chunk_cnt; i++)
		chunk_free(b->chunks[i]);
	free(b->chunks);
	free(b->chunk_err);
	free(b->dict);
	free(b->chunk_base);
	free(b->block_base);
	free(b->meta);
	free(b->owned);
	if (b->fd >= 0)
		close(b->fd);
	free(b);
}

/* Getters accept NULL (0, or ""), like every other entry point. */
uint32_t btf_bundle__format_version(const struct btf_bundle *b) { return b ? b->hdr.version : 0; }
enum btf_bundle_codec btf_bundle__codec(const struct btf_bundle *b) { return b ? b->hdr.codec : 0; }
uint32_t btf_bundle__entry_cnt(const struct btf_bundle *b) { return b ? b->m.entry_cnt : 0; }
uint32_t btf_bundle__blob_cnt(const struct btf_bundle *b) { return b ? b->m.blob_cnt : 0; }
uint32_t btf_bundle__block_cnt(const struct btf_bundle *b) { return b ? b->m.block_cnt : 0; }
size_t btf_bundle__size(const struct btf_bundle *b) { return b ? b->size : 0; }
uint32_t btf_bundle__object_cnt(const struct btf_bundle *b) { return b ? b->m.object_cnt : 0; }
const char *btf_bundle__provenance(const struct btf_bundle *b)
{
	return b ? str_at(b, b->m.prov_str) : "";
}

const char *btf_bundle__codec_name(enum btf_bundle_codec codec)
{
	switch (codec) {
	case BTF_BUNDLE_CODEC_XZ: return "xz";
	case BTF_BUNDLE_CODEC_ZLIB: return "zlib";
	default: return "unknown";
	}
}

const uint8_t *btf_bundle__object_digest_by_idx(const struct btf_bundle *b, uint32_t i,
						const char **name)
{
	const uint8_t *obj;

	if (!b || i >= b->m.object_cnt)
		return NULL;
	obj = b->meta + b->obj_off + (size_t)i * BTFB_OBJECT_LEN;
	if (name)
		*name = str_at(b, btfb_le32(obj + 32));
	return obj;
}

int btf_bundle__check_object(const struct btf_bundle *b, const void *obj, size_t obj_sz,
			     const uint8_t *digest)
{
	uint8_t computed[BTF_BUNDLE_DIGEST_LEN];
	uint32_t i;
	int err;

	if (!b || (!obj && obj_sz))
		return -EINVAL;
	if (obj) {
		err = btf_bundle__object_digest(obj, obj_sz, computed);
		if (err)
			return err;
		digest = computed;
	}
	if (!digest)
		return -EINVAL;
	/* Built without --object: nothing to bind to (embedgen warns). */
	if (!b->m.object_cnt)
		return 0;
	for (i = 0; i < b->m.object_cnt; i++)
		if (!memcmp(btf_bundle__object_digest_by_idx(b, i, NULL), digest, SHA256_DIGEST_LEN))
			return 0;
	return -ESTALE;
}

/* Chunk holding entry @idx: the last chunk whose base is <= idx. */
static uint32_t chunk_of_entry(const struct btf_bundle *b, uint32_t idx)
{
	uint32_t lo = 0, hi = b->m.chunk_cnt;

	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (b->chunk_base[mid] <= idx)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static int locate(const struct btf_bundle *b, uint32_t idx, const struct chunk **c,
		  struct btfb_chunk_entry *e, struct key *k)
{
	uint32_t ci;
	int err;

	if (idx >= b->m.entry_cnt)
		return -ENOENT;
	ci = chunk_of_entry(b, idx);
	err = get_chunk(b, ci, c);
	if (err)
		return err;
	chunk_entry(*c, idx - b->chunk_base[ci], e, k);
	return 0;
}

int btf_bundle__entry(const struct btf_bundle *b, uint32_t idx, struct btf_bundle_entry *out)
{
	struct btf_bundle_entry full = { .sz = sizeof(full) };
	const struct chunk *c;
	struct btfb_chunk_entry e;
	struct key k;
	uint32_t lo, hi;
	int err;

	if (!b || !out || out->sz < offsetof(struct btf_bundle_entry, arch) + sizeof(out->arch))
		return -EINVAL;
	lo = 0;
	hi = b->m.block_cnt;
	err = locate(b, idx, &c, &e, &k);
	if (err)
		return err;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (b->block_base[mid] <= e.blob)
			lo = mid;
		else
			hi = mid;
	}
	full.arch = k.f[0];
	full.distro = k.f[1];
	full.version = k.f[2];
	full.release = k.f[3];
	full.blob = e.blob;
	full.raw_size = e.raw_size;
	full.block = lo;
	return out_fill(out, &full, OPTS_KNOWN_SZ(btf_bundle_entry), sizeof(size_t));
}

/*
 * Index of the last chunk whose first key is <= @k, or -1 if @k sorts
 * before every chunk.
 */
static int64_t chunk_for_key(const struct btf_bundle *b, const struct key *k)
{
	uint32_t lo = 0, hi = b->m.chunk_cnt;
	struct btfb_chunk c;
	struct key ck;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		get_chunk_rec(b, mid, &c);
		chunk_rec_key(b, &c, &ck);
		if (cmp_key(&ck, k) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (int64_t)lo - 1;
}

/* Exact lookup: entry index, -ENOENT, or an error decoding a chunk. */
static int find_exact(const struct btf_bundle *b, const struct key *want)
{
	int64_t ci = chunk_for_key(b, want);
	const struct chunk *c;
	struct btfb_chunk_entry e;
	struct key k;
	uint32_t lo = 0, hi;
	int err;

	if (ci < 0)
		return -ENOENT;
	err = get_chunk(b, ci, &c);
	if (err)
		return err;
	hi = c->n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int cmp;

		chunk_entry(c, mid, &e, &k);
		cmp = cmp_key(&k, want);
		if (!cmp)
			return b->chunk_base[ci] + mid;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -ENOENT;
}

/*
 * Fallback: the same arch, distro and release under another version. The
 * candidates are the entries of (arch, distro), contiguous in key order;
 * the greatest version in strverscmp() order wins.
 */
static int find_fallback(const struct btf_bundle *b, const struct btf_host *host,
			 const char **version)
{
	struct key lo_key = { { host->arch, host->distro, "", "" } }, k;
	int64_t ci = chunk_for_key(b, &lo_key);
	const struct chunk *c;
	struct btfb_chunk_entry e;
	int best = -ENOENT, err;
	uint32_t i;

	for (ci = ci < 0 ? 0 : ci; ci < b->m.chunk_cnt; ci++) {
		err = get_chunk(b, ci, &c);
		if (err)
			return err;
		for (i = 0; i < c->n; i++) {
			chunk_entry(c, i, &e, &k);
			if (strcmp(k.f[0], host->arch) || strcmp(k.f[1], host->distro)) {
				if (cmp_key(&k, &lo_key) > 0)
					return best;	/* past (arch, distro) */
				continue;
			}
			if (strcmp(k.f[3], host->release))
				continue;
			if (best < 0 || strverscmp(k.f[2], *version) > 0) {
				best = b->chunk_base[ci] + i;
				*version = k.f[2];
			}
		}
	}
	return best;
}

/* The reason goes to the caller's buffer, if it gave one. */
static void set_reason(struct btf_bundle_match *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_reason(struct btf_bundle_match *m, const char *fmt, ...)
{
	char *buf = OPTS_GET(m, reason, NULL);
	size_t sz = OPTS_GET(m, reason_sz, 0);
	va_list ap;

	if (!buf || !sz)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sz, fmt, ap);
	va_end(ap);
}

/* The match's result fields, within the caller's sz. */
static void set_match(struct btf_bundle_match *m, enum btf_bundle_match_kind kind, uint32_t entry)
{
	if (OPTS_HAS(m, kind))
		m->kind = kind;
	if (OPTS_HAS(m, entry))
		m->entry = entry;
}

int btf_bundle__find_opts(const struct btf_bundle *b, const struct btf_host *host,
			  struct btf_bundle_match *m, const struct btf_bundle_find_opts *opts)
{
	bool no_alias = OPTS_GET(opts, no_alias, false);
	bool no_fallback = OPTS_GET(opts, no_fallback, false);
	const char *alias;
	struct key want;
	const char *version = NULL;
	int idx;

	if (!m || m->sz < sizeof(size_t))
		return -EINVAL;
	set_match(m, BTF_BUNDLE_MATCH_NONE, 0);
	set_reason(m, "%s", "");
	if (!b || !host) {
		set_reason(m, "no %s given", b ? "host" : "bundle");
		return -EINVAL;
	}
	if (!opts_valid(opts, btf_bundle_find_opts)) {
		set_reason(m, "invalid find options");
		return -EINVAL;
	}
	alias = no_alias ? NULL : layout__version_alias(host->distro, host->version);
	want = (struct key){ { host->arch, host->distro, host->version, host->release } };
	idx = find_exact(b, &want);
	if (idx >= 0) {
		set_match(m, BTF_BUNDLE_MATCH_EXACT, idx);
		set_reason(m, "exact match %s/%s/%s/%s",
			 host->distro, host->version, host->arch, host->release);
		return idx;
	}
	if (alias && idx == -ENOENT) {
		want.f[2] = alias;
		idx = find_exact(b, &want);
		if (idx >= 0) {
			set_match(m, BTF_BUNDLE_MATCH_ALIAS, idx);
			set_reason(m,
				 "match through version alias %s/%s (host says %s)",
				 host->distro, alias, host->version);
			return idx;
		}
	}
	/* Same kernel build filed under another version of the distro. */
	if (!no_fallback && idx == -ENOENT) {
		idx = find_fallback(b, host, &version);
		if (idx >= 0) {
			set_match(m, BTF_BUNDLE_MATCH_FALLBACK, idx);
			set_reason(m, "no entry for %s/%s/%s/%s; fallback to the same release under %s/%s",
				   host->distro, host->version, host->arch, host->release,
				   host->distro, version);
			return idx;
		}
	}
	if (idx != -ENOENT) {
		set_reason(m, idx == -ENOMEM ? "out of memory reading the bundle index (%s)"
					     : "bundle index is corrupt (%s)", errmsg(idx));
		return idx;
	}
	if (no_fallback)
		set_reason(m, "no entry for %s/%s/%s/%s in the bundle (%u kernels)%s; fallback to another %s version is off",
			   host->distro, host->version, host->arch, host->release, b->m.entry_cnt,
			   no_alias ? ", version aliases off" : "", host->distro);
	else
		set_reason(m,
			 "no entry for %s/%s/%s/%s in the bundle (%u kernels)%s, nor for release %s under another %s version",
			 host->distro, host->version, host->arch, host->release, b->m.entry_cnt,
			 no_alias ? " (version aliases off)" : "", host->release, host->distro);
	return -ENOENT;
}

int btf_bundle__find(const struct btf_bundle *b, const struct btf_host *host,
		     struct btf_bundle_match *m)
{
	return btf_bundle__find_opts(b, host, m, NULL);
}


/*
 * A decoder at the start of block @bl: its stream in the data area, after
 * its crc; or, inline, the metadata stream, after the header's crc again
 * (a file may have changed since it was opened), skipped to the block.
 */
static int block_open(const struct btf_bundle *b, const struct btfb_block *bl,
		      struct bundle_dec *d, uint8_t **tmp)
{
	const size_t crc_at = offsetof(struct btfb_header, crc);
	const uint32_t meta_size = btfb_meta_size(&b->hdr);
	const uint8_t zero[4] = {}, *dict, *src;
	uLong crc;
	int err;

	bundle_dec__init(d, BUNDLE_CODEC_STORED, NULL, 0, NULL, 0, 0);
	if (bl->s.comp) {
		err = get_dict(b, &dict);
		err = err ?: bytes_at(b, (uint64_t)b->data_off + bl->s.off, bl->s.comp, &src, tmp);
		err = err ?: check_crc(&bl->s, src);
		return err ?: bundle_dec__init(d, b->hdr.codec, dict, b->m.dict.raw, src,
					       bl->s.comp, bl->s.raw);
	}
	err = bytes_at(b, 0, BTFB_HEADER_LEN + meta_size, &src, tmp);
	if (err)
		return err;
	crc = crc32(0, src, crc_at);
	crc = crc32(crc, zero, 4);
	crc = crc32(crc, src + BTFB_HEADER_LEN, meta_size);
	if (crc != b->hdr.crc) {
		pr_bdebug("bundle: metadata checksum mismatch\n");
		return -EILSEQ;
	}
	err = bundle_dec__init(d, b->hdr.meta_comp ? b->hdr.codec : BUNDLE_CODEC_STORED, NULL, 0,
			       src + BTFB_HEADER_LEN, meta_size, b->hdr.meta_raw);
	return err ?: bundle_dec__read(d, NULL, bl->s.off);
}

/*
 * Blob @e->blob out of its block, decoding the block only up to it: the
 * count and sizes at its start must match the record and the index and add
 * up to the block's size; the last blob's read also checks where the
 * stream ends.
 */
static int read_blob(const struct btf_bundle *b, const struct btfb_chunk_entry *e,
		     void **data, size_t *size)
{
	uint32_t lo = 0, hi = b->m.block_cnt, n, k, i, j, batch, sz, want = 0;
	uint8_t sizes[4096], *tmp = NULL, *out = NULL;
	struct bundle_dec d;
	struct btfb_block bl;
	uint64_t off = 0, sum = 0;
	int err;

	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (b->block_base[mid] <= e->blob)
			lo = mid;
		else
			hi = mid;
	}
	get_block_rec(b, lo, &bl);
	k = e->blob - b->block_base[lo];
	err = block_open(b, &bl, &d, &tmp);
	if (!err && (4 + 4 * (uint64_t)bl.blob_cnt > bl.s.raw || k >= bl.blob_cnt))
		err = -EBADMSG;
	err = err ?: bundle_dec__read(&d, sizes, 4);
	if (!err && btfb_le32(sizes) != bl.blob_cnt)
		err = -EBADMSG;
	n = bl.blob_cnt;
	for (i = 0; !err && i < n; i += batch) {
		batch = n - i < sizeof(sizes) / 4 ? n - i : sizeof(sizes) / 4;
		err = bundle_dec__read(&d, sizes, 4 * batch);
		for (j = 0; !err && j < batch; j++) {
			sz = btfb_le32(sizes + 4 * j);
			if (i + j < k)
				off += sz;
			else if (i + j == k)
				want = sz;
			sum += sz;
		}
	}
	if (!err && (4 + 4 * (uint64_t)n + sum != bl.s.raw || want != e->raw_size))
		err = -EBADMSG;
	if (!err && !(out = malloc(want ?: 1)))
		err = -ENOMEM;
	err = err ?: bundle_dec__read(&d, NULL, off);
	err = err ?: bundle_dec__read(&d, out, want);
	if (!err && bl.s.comp && k == n - 1)
		err = bundle_dec__finish(&d);
	bundle_dec__free(&d);
	free(tmp);
	if (err) {
		pr_bdebug("bundle: block %u: %s\n", lo,
			  err == -EILSEQ ? "checksum mismatch" : "corrupt stream");
		free(out);
		return err == -ENOMEM || err == -EILSEQ || err == -EIO ? err : -EBADMSG;
	}
	*data = out;
	*size = want;
	return 0;
}

int btf_bundle__read(const struct btf_bundle *b, uint32_t idx, void **data, size_t *size)
{
	const struct chunk *c;
	struct btfb_chunk_entry e;
	int err;

	if (!b || !data || !size)
		return -EINVAL;
	err = locate(b, idx, &c, &e, NULL);
	return err ?: read_blob(b, &e, data, size);
}

struct btf *btf_bundle__load_btf(const struct btf_bundle *b, uint32_t idx)
{
	struct btf *btf;
	void *data;
	size_t size;
	int err;

	err = btf_bundle__read(b, idx, &data, &size);
	if (err)
		return bundle_err_ptr(err);
	btf = btf__new(data, size);
	err = btf ? 0 : -errno;
	free(data);
	return btf ? btf : bundle_err_ptr(err);
}

int btf_bundle__memfd(const struct btf_bundle *b, uint32_t idx, char *path, size_t path_sz)
{
	void *data;
	size_t size;
	int fd, err;

	if (!path && path_sz)
		return -EINVAL;
	err = btf_bundle__read(b, idx, &data, &size);
	if (err)
		return err;
	fd = memfd_create("btfkit-btf", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	err = write_all(fd, data, size);
	/* Sealed: whoever gets the path reads exactly these bytes. */
	if (!err && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL))
		err = -errno;
	if (!err && lseek(fd, 0, SEEK_SET) < 0)
		err = -errno;
	if (!err && path && (size_t)snprintf(path, path_sz, "/proc/self/fd/%d", fd) >= path_sz)
		err = -ENAMETOOLONG;
	if (err) {
		close(fd);
		goto out;
	}
	err = fd;
out:
	free(data);
	return err;
}
