// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <bpf/btf.h>

#include "btf_fixtures.h"
#include "bundle_codec.h"
#include "bundle_encode.h"
#include "bundle_format.h"

/* Enough structs that solid compression or a shared dictionary clearly beats compressing alone. */
#define FIXTURE_STRUCTS 40
#define FIXTURE_FIELDS 6

int fixture_btf(unsigned int v, void **data, size_t *len)
{
	struct btf *btf = btf__new_empty();
	const void *raw;
	char name[64];
	__u32 raw_len;
	int err = 0, i, f, int_id, long_id, sid;

	if (!btf)
		return -errno;
	int_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	long_id = btf__add_int(btf, "long", 8, BTF_INT_SIGNED);
	if (int_id < 0 || long_id < 0) {
		err = int_id < 0 ? int_id : long_id;
		goto out;
	}
	/* task_struct as CO-RE sees it: pid and tgid move between kernels. */
	sid = btf__add_struct(btf, "task_struct", 2048 + 64 * (v % 7));
	err = sid < 0 ? sid : 0;
	err = err ?: btf__add_field(btf, "state", long_id, 0, 0);
	err = err ?: btf__add_field(btf, "pid", int_id, (1024 + 32 * (v % 5)) * 8, 0);
	err = err ?: btf__add_field(btf, "tgid", int_id, (1028 + 32 * (v % 5)) * 8, 0);
	for (i = 0; !err && i < FIXTURE_STRUCTS; i++) {
		/* one struct per variant grows: a small, local difference */
		int grow = (unsigned int)i == v % FIXTURE_STRUCTS ? 8 * (1 + v / FIXTURE_STRUCTS) : 0;

		snprintf(name, sizeof(name), "kstruct_%02d", i);
		sid = btf__add_struct(btf, name, FIXTURE_FIELDS * 8 + grow);
		err = sid < 0 ? sid : 0;
		for (f = 0; !err && f < FIXTURE_FIELDS; f++) {
			snprintf(name, sizeof(name), "field_%d_%d", i, f);
			err = btf__add_field(btf, name, f % 2 ? long_id : int_id,
					     (f * 8 + (f == FIXTURE_FIELDS - 1 ? grow : 0)) * 8, 0);
		}
	}
	if (err)
		goto out;
	raw = btf__raw_data(btf, &raw_len);
	if (!raw) {
		err = -ENOMEM;
		goto out;
	}
	*data = malloc(raw_len);
	if (!*data) {
		err = -ENOMEM;
		goto out;
	}
	memcpy(*data, raw, raw_len);
	*len = raw_len;
out:
	btf__free(btf);
	return err;
}

#define HDR(f) offsetof(struct btfb_header, f)

int fixture_meta_get(const uint8_t *p, size_t len, size_t extra, uint8_t **meta, size_t *meta_len)
{
	uint32_t comp = btfb_le32(p + HDR(meta_comp)), raw = btfb_le32(p + HDR(meta_raw));
	uint8_t *buf;
	int err = 0;

	if (len < BTFB_HEADER_LEN || (comp ?: raw) > len - BTFB_HEADER_LEN ||
	    raw > BTFB_MAX_META_SIZE)
		return -EBADMSG;
	buf = malloc(raw + extra + 1);
	if (!buf)
		return -ENOMEM;
	if (!comp)
		memcpy(buf, p + BTFB_HEADER_LEN, raw);
	else
		err = bundle_codec__decompress(btfb_le32(p + HDR(codec)), NULL, 0,
					       p + BTFB_HEADER_LEN, comp, buf, raw);
	if (err) {
		free(buf);
		return err;
	}
	*meta = buf;
	*meta_len = raw;
	return 0;
}

/* The header's crc: over it (crc taken as zero) and the metadata as stored. */
static void set_crc(uint8_t *p, size_t len)
{
	uint32_t stored = btfb_le32(p + HDR(meta_comp)) ?: btfb_le32(p + HDR(meta_raw));
	uLong crc;

	if (len < BTFB_HEADER_LEN || stored > len - BTFB_HEADER_LEN)
		return;
	btfb_put_le32(p + HDR(crc), 0);
	crc = crc32(0, p, BTFB_HEADER_LEN);
	btfb_put_le32(p + HDR(crc), crc32(crc, p + BTFB_HEADER_LEN, stored));
}

int fixture_meta_put(uint8_t **pp, size_t *len, const void *meta, size_t meta_len, int stored)
{
	uint8_t *p = *pp, *np;
	uint32_t old = btfb_le32(p + HDR(meta_comp)) ?: btfb_le32(p + HDR(meta_raw));
	size_t comp_len, data_len = *len - BTFB_HEADER_LEN - old;
	void *comp = NULL;
	int err;

	if (stored < 0)
		stored = !btfb_le32(p + HDR(meta_comp));
	if (stored) {
		comp = malloc(meta_len ?: 1);
		if (!comp)
			return -ENOMEM;
		memcpy(comp, meta, meta_len);
		comp_len = meta_len;
	} else {
		err = bundle_codec__compress(btfb_le32(p + HDR(codec)), NULL, 0, meta, meta_len,
					     &comp, &comp_len);
		if (err)
			return err;
	}
	np = malloc(BTFB_HEADER_LEN + comp_len + data_len);
	if (!np) {
		free(comp);
		return -ENOMEM;
	}
	memcpy(np, p, BTFB_HEADER_LEN);
	memcpy(np + BTFB_HEADER_LEN, comp, comp_len);
	memcpy(np + BTFB_HEADER_LEN + comp_len, p + BTFB_HEADER_LEN + old, data_len);
	free(comp);
	free(p);
	*pp = np;
	*len = BTFB_HEADER_LEN + comp_len + data_len;
	btfb_put_le32(np + HDR(meta_comp), stored ? 0 : comp_len);
	btfb_put_le32(np + HDR(meta_raw), meta_len);
	btfb_put_le32(np + HDR(total_len), *len);
	set_crc(np, *len);
	return 0;
}

void fixture_fix_crc(uint8_t *p, size_t len)
{
	set_crc(p, len);
}

/* Where the data area starts. */
static const uint8_t *data_area(const uint8_t *p)
{
	return p + BTFB_HEADER_LEN + (btfb_le32(p + HDR(meta_comp)) ?: btfb_le32(p + HDR(meta_raw)));
}

#define META(f) offsetof(struct btfb_meta, f)

/* The dictionary of a block stream (NULL, 0 for a chunk or without one). */
static int get_dict(const uint8_t *p, const uint8_t *meta, bool block, uint8_t **dict,
		    size_t *dict_len)
{
	uint32_t raw = btfb_le32(meta + META(dict.raw));
	int err;

	*dict = NULL;
	*dict_len = 0;
	if (!block || !raw)
		return 0;
	*dict = malloc(raw);
	if (!*dict)
		return -ENOMEM;
	err = bundle_codec__decompress(btfb_le32(p + HDR(codec)), NULL, 0,
				       data_area(p) + btfb_le32(meta + META(dict.off)),
				       btfb_le32(meta + META(dict.comp)), *dict, raw);
	if (err) {
		free(*dict);
		*dict = NULL;
		return err;
	}
	*dict_len = raw;
	return 0;
}

int fixture_stream_get(const uint8_t *p, size_t blen, size_t rec, bool block, size_t extra,
		       uint8_t **raw, size_t *raw_len)
{
	uint8_t *meta, *dict = NULL, *buf;
	size_t meta_len, len, dict_len;
	uint32_t off, comp;
	int err;

	err = fixture_meta_get(p, blen, 0, &meta, &meta_len);
	if (err)
		return err;
	off = btfb_le32(meta + rec);
	comp = btfb_le32(meta + rec + 4);
	len = btfb_le32(meta + rec + 8);
	err = get_dict(p, meta, block, &dict, &dict_len);
	buf = err ? NULL : malloc(len + extra + 1);
	if (!err && !buf)
		err = -ENOMEM;
	if (!err && !comp)	/* inline */
		memcpy(buf, meta + off, len);
	else if (!err)
		err = bundle_codec__decompress(btfb_le32(p + HDR(codec)), dict, dict_len,
					       data_area(p) + off, comp, buf, len);
	free(dict);
	free(meta);
	if (err) {
		free(buf);
		return err;
	}
	*raw = buf;
	*raw_len = len;
	return 0;
}

int fixture_stream_put(uint8_t **pp, size_t *len, size_t rec, bool block,
		       const void *raw, size_t raw_len)
{
	uint8_t *p = *pp, *meta = NULL, *dict = NULL, *np;
	size_t comp_len, dict_len, meta_len;
	void *comp = NULL;
	int err;

	err = fixture_meta_get(p, *len, 0, &meta, &meta_len);
	err = err ?: get_dict(p, meta, block, &dict, &dict_len);
	err = err ?: bundle_codec__compress(btfb_le32(p + HDR(codec)), dict, dict_len,
					    raw, raw_len, &comp, &comp_len);
	if (err)
		goto out;
	np = realloc(p, *len + comp_len);
	if (!np) {
		err = -ENOMEM;
		goto out;
	}
	p = *pp = np;
	memcpy(p + *len, comp, comp_len);
	/* always to the data area, an inline stream included */
	btfb_put_le32(meta + rec, *len - (data_area(p) - p));
	btfb_put_le32(meta + rec + 4, comp_len);
	btfb_put_le32(meta + rec + 8, raw_len);
	btfb_put_le32(meta + rec + 12, crc32(0, comp, comp_len));
	*len += comp_len;
	err = fixture_meta_put(pp, len, meta, meta_len, -1);
out:
	free(meta);
	free(dict);
	free(comp);
	return err;
}
