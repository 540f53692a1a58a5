// SPDX-License-Identifier: BSD-2-Clause
/*
 * Lay out a bundle (FORMAT.md). The one clever part is delta selection:
 * reduced BTFs of neighbouring kernels (consecutive releases, flavours of
 * one release) differ in a few sizes and offsets, so each distinct BTF is
 * compressed with a similar, earlier one as preset dictionary. As in git's
 * pack-objects, candidates come from a sliding window over a similarity
 * order (here: key order, which puts neighbouring releases together) and
 * chain depth is capped so that one lookup decodes a bounded number of
 * small streams.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "btf_bundle.h"
#include "bundle_codec.h"
#include "bundle_format.h"
#include "bundle_writer.h"
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
	uint32_t ref;
	uint32_t depth;
	void *comp;
	size_t comp_len;
	uint32_t data_off;
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
	size_t obj_cnt;
	char *provenance;
};

struct bundle_writer *bundle_writer__new(const struct bundle_writer_opts *opts)
{
	struct bundle_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->opts.codec = BTF_BUNDLE_CODEC_XZ;
	w->opts.max_depth = 4;
	w->opts.window = 8;
	if (opts) {
		if (opts->codec)
			w->opts.codec = opts->codec;
		w->opts.max_depth = opts->max_depth;
		if (opts->window)
			w->opts.window = opts->window;
	}
	if (w->opts.max_depth > BTFB_MAX_DEPTH)
		w->opts.max_depth = BTFB_MAX_DEPTH;
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
	struct wobject *o = realloc(w->objs, (w->obj_cnt + 1) * sizeof(*o));

	if (!o)
		return -ENOMEM;
	w->objs = o;
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
	if (w->item_cnt == w->item_cap) {
		size_t cap = w->item_cap ? w->item_cap * 2 : 64;

		it = realloc(w->items, cap * sizeof(*it));
		if (!it)
			return -ENOMEM;
		w->items = it;
		w->item_cap = cap;
	}
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

/* Fallback order: (arch, distro, release, version). */
static const int alt_fields[4] = { 0, 1, 3, 2 };

static const struct item *sort_items;

static int cmp_alt_idx(const void *a, const void *b)
{
	const struct item *x = &sort_items[*(const uint32_t *)a];
	const struct item *y = &sort_items[*(const uint32_t *)b];
	int k, c;

	for (k = 0; k < 4; k++)
		if ((c = strcmp(x->key[alt_fields[k]], y->key[alt_fields[k]])))
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
	st->strs = all;
	st->cnt = j;
	st->len = off;
	return 0;
}

static uint32_t strtab_off(const struct strtab *st, const char *s)
{
	char **hit = bsearch(&s, st->strs, st->cnt, sizeof(*st->strs), cmp_strp);

	return st->offs[hit - st->strs];
}

/* Pick each blob's delta base and compress it. */
static int encode_blobs(struct bundle_writer *w, struct wblob *blobs, size_t blob_cnt,
			struct bundle_stats *stats)
{
	size_t i, j;
	int err;

	for (i = 0; i < blob_cnt; i++) {
		const struct item *it = &w->items[blobs[i].item];
		void *best = NULL;
		size_t best_len = 0;
		uint32_t best_ref = BTFB_NO_REF;

		err = bundle_codec__compress(w->opts.codec, NULL, 0, it->data, it->len,
					     &best, &best_len);
		if (err)
			return err;
		for (j = 1; j <= w->opts.window && j <= i; j++) {
			const struct wblob *cand = &blobs[i - j];
			const struct item *base = &w->items[cand->item];
			void *out;
			size_t out_len;

			if (cand->depth + 1 > w->opts.max_depth)
				continue;
			err = bundle_codec__compress(w->opts.codec, base->data, base->len,
						     it->data, it->len, &out, &out_len);
			if (err) {
				free(best);
				return err;
			}
			if (out_len < best_len) {
				free(best);
				best = out;
				best_len = out_len;
				best_ref = i - j;
			} else {
				free(out);
			}
		}
		blobs[i].comp = best;
		blobs[i].comp_len = best_len;
		blobs[i].ref = best_ref;
		blobs[i].depth = best_ref == BTFB_NO_REF ? 0 : blobs[best_ref].depth + 1;
		if (best_ref != BTFB_NO_REF)
			stats->deltas++;
		pr_debug("blob %zu (%s/%s/%s/%s): %zu -> %zu bytes%s", i, it->key[1], it->key[2],
			 it->key[0], it->key[3], it->len, best_len,
			 best_ref == BTFB_NO_REF ? "" : " (delta)");
	}
	return 0;
}

/* Sort, drop exact duplicates, reject conflicting ones, assign blobs. */
static int plan_items(struct bundle_writer *w, struct wblob **blobs_out, size_t *blob_cnt_out)
{
	struct sha_ref *refs = NULL;
	struct wblob *blobs = NULL;
	size_t i, j = 0, blob_cnt = 0;
	int err = 0, k;

	qsort(w->items, w->item_cnt, sizeof(*w->items), cmp_item_key);
	for (i = 0; i < w->item_cnt; i++) {
		struct item *it = &w->items[i];

		if (j && !cmp_item_key(&w->items[j - 1], it)) {
			struct item *prev = &w->items[j - 1];

			if (memcmp(prev->sha, it->sha, SHA256_DIGEST_LEN)) {
				pr_err("%s: kernel %s/%s/%s/%s also given by %s with different BTF",
				       it->origin, it->key[1], it->key[2], it->key[0], it->key[3],
				       prev->origin);
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

int bundle_writer__finish(struct bundle_writer *w, void **out, size_t *out_len,
			  struct bundle_stats *stats)
{
	struct bundle_stats st = {};
	struct strtab strtab = {};
	struct wblob *blobs = NULL;
	size_t blob_cnt = 0, i, n_str = 0;
	uint32_t *alt = NULL;
	char **all = NULL;
	uint8_t *buf = NULL, *p;
	struct btfb_header h = {};
	uint64_t off, data_len = 0;
	int err, k;

	*out = NULL;
	err = plan_items(w, &blobs, &blob_cnt);
	if (err)
		goto out;
	err = encode_blobs(w, blobs, blob_cnt, &st);
	if (err)
		goto out;

	/* strings */
	all = malloc((w->item_cnt * 4 + w->obj_cnt + 2) * sizeof(*all));
	if (!all) {
		err = -ENOMEM;
		goto out;
	}
	all[n_str++] = "";
	all[n_str++] = w->provenance ?: "";
	for (i = 0; i < w->item_cnt; i++)
		for (k = 0; k < 4; k++)
			all[n_str++] = w->items[i].key[k];
	for (i = 0; i < w->obj_cnt; i++)
		all[n_str++] = w->objs[i].name;
	err = strtab_build(&strtab, all, n_str);
	if (err)
		goto out;
	qsort(w->objs, w->obj_cnt, sizeof(*w->objs), cmp_obj);

	/* layout */
	memcpy(h.magic, BTFB_MAGIC, BTFB_MAGIC_LEN);
	h.version = BTFB_VERSION;
	h.hdr_len = BTFB_HEADER_LEN;
	h.codec = w->opts.codec;
	h.entry_cnt = w->item_cnt;
	h.blob_cnt = blob_cnt;
	h.object_cnt = w->obj_cnt;
	for (i = 0; i < blob_cnt; i++) {
		if (blobs[i].depth > h.max_depth)
			h.max_depth = blobs[i].depth;
		blobs[i].data_off = data_len;
		data_len += blobs[i].comp_len;
	}
	off = BTFB_HEADER_LEN;
	h.obj_off = off;
	off += (uint64_t)w->obj_cnt * BTFB_OBJECT_LEN;
	h.entry_off = off;
	off += (uint64_t)w->item_cnt * BTFB_ENTRY_LEN;
	h.alt_off = off;
	off += (uint64_t)w->item_cnt * 4;
	h.blob_off = off;
	off += (uint64_t)blob_cnt * BTFB_BLOB_LEN;
	h.str_off = off;
	h.str_len = strtab.len;
	off += strtab.len;
	h.data_off = off;
	h.data_len = data_len;
	off += data_len;
	if (off > UINT32_MAX) {
		err = -EFBIG;
		goto out;
	}
	h.total_len = off;
	h.prov_str = strtab_off(&strtab, w->provenance ?: "");

	buf = calloc(1, off);
	alt = malloc((w->item_cnt ?: 1) * sizeof(*alt));
	if (!buf || !alt) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < w->obj_cnt; i++) {
		p = buf + h.obj_off + i * BTFB_OBJECT_LEN;
		memcpy(p, w->objs[i].sha, SHA256_DIGEST_LEN);
		btfb_put_le32(p + 32, strtab_off(&strtab, w->objs[i].name));
	}
	for (i = 0; i < w->item_cnt; i++) {
		struct btfb_entry e = {};
		const struct item *it = &w->items[i];

		e.arch_str = strtab_off(&strtab, it->key[0]);
		e.distro_str = strtab_off(&strtab, it->key[1]);
		e.version_str = strtab_off(&strtab, it->key[2]);
		e.release_str = strtab_off(&strtab, it->key[3]);
		e.blob = it->blob;
		btfb_store_u32s(buf + h.entry_off + i * BTFB_ENTRY_LEN, &e, BTFB_ENTRY_LEN / 4);
		alt[i] = i;
	}
	sort_items = w->items;
	qsort(alt, w->item_cnt, sizeof(*alt), cmp_alt_idx);
	for (i = 0; i < w->item_cnt; i++)
		btfb_put_le32(buf + h.alt_off + i * 4, alt[i]);
	for (i = 0; i < blob_cnt; i++) {
		const struct item *it = &w->items[blobs[i].item];
		struct btfb_blob bl = {
			.data_off = blobs[i].data_off,
			.comp_size = blobs[i].comp_len,
			.raw_size = it->len,
			.crc32 = crc32(0, it->data, it->len),
			.ref = blobs[i].ref,
			.depth = blobs[i].depth,
		};

		btfb_store_u32s(buf + h.blob_off + i * BTFB_BLOB_LEN, &bl, BTFB_BLOB_LEN / 4);
		memcpy(buf + h.data_off + bl.data_off, blobs[i].comp, blobs[i].comp_len);
		st.unique_bytes += it->len;
	}
	for (i = 0; i < strtab.cnt; i++)
		strcpy((char *)buf + h.str_off + strtab.offs[i], strtab.strs[i]);
	for (i = 0; i < w->item_cnt; i++)
		st.raw_bytes += w->items[i].len;

	/* header last: its crc covers everything before the streams */
	memcpy(buf, h.magic, BTFB_MAGIC_LEN);
	btfb_store_u32s(buf + BTFB_MAGIC_LEN, &h.version, (BTFB_HEADER_LEN - BTFB_MAGIC_LEN) / 4);
	h.meta_crc = crc32(0, buf, h.data_off);
	btfb_put_le32(buf + offsetof(struct btfb_header, meta_crc), h.meta_crc);

	st.entries = w->item_cnt;
	st.blobs = blob_cnt;
	st.bundle_bytes = off;
	if (stats)
		*stats = st;
	*out = buf;
	*out_len = off;
	buf = NULL;
out:
	for (i = 0; i < blob_cnt; i++)
		free(blobs[i].comp);
	free(blobs);
	free(all);
	free(strtab.offs);
	free(alt);
	free(buf);
	return err;
}
