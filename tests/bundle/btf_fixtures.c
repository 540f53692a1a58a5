// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <bpf/btf.h>

#include "btf_fixtures.h"
#include "bundle_codec.h"
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

void fixture_fix_crc(uint8_t *p, size_t len)
{
	uint32_t data_off = btfb_le32(p + HDR(data_off));

	if (data_off > len)
		data_off = len;
	btfb_put_le32(p + HDR(meta_crc), 0);
	btfb_put_le32(p + HDR(meta_crc), crc32(0, p, data_off));
}

/* The dictionary of a block stream (NULL, 0 for a chunk or without one). */
static int get_dict(const uint8_t *p, bool block, uint8_t **dict, size_t *dict_len)
{
	uint32_t raw = btfb_le32(p + HDR(dict_raw));
	int err;

	*dict = NULL;
	*dict_len = 0;
	if (!block || !raw)
		return 0;
	*dict = malloc(raw);
	if (!*dict)
		return -ENOMEM;
	err = bundle_codec__decompress(btfb_le32(p + HDR(codec)), NULL, 0,
				       p + btfb_le32(p + HDR(data_off)) + btfb_le32(p + HDR(dict_off)),
				       btfb_le32(p + HDR(dict_comp)), *dict, raw);
	if (err) {
		free(*dict);
		*dict = NULL;
		return err;
	}
	*dict_len = raw;
	return 0;
}

int fixture_stream_get(const uint8_t *p, size_t rec, bool block, size_t extra,
		       uint8_t **raw, size_t *raw_len)
{
	size_t len = btfb_le32(p + rec + 8), dict_len;
	uint8_t *dict, *buf;
	int err;

	err = get_dict(p, block, &dict, &dict_len);
	if (err)
		return err;
	buf = malloc(len + extra + 1);
	err = buf ? bundle_codec__decompress(btfb_le32(p + HDR(codec)), dict, dict_len,
					     p + btfb_le32(p + HDR(data_off)) + btfb_le32(p + rec),
					     btfb_le32(p + rec + 4), buf, len) : -ENOMEM;
	free(dict);
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
	uint8_t *p = *pp, *dict = NULL, *np;
	uint32_t data_off = btfb_le32(p + HDR(data_off));
	size_t comp_len, dict_len;
	void *comp = NULL;
	int err;

	err = get_dict(p, block, &dict, &dict_len);
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
	btfb_put_le32(p + rec, *len - data_off);
	btfb_put_le32(p + rec + 4, comp_len);
	btfb_put_le32(p + rec + 8, raw_len);
	btfb_put_le32(p + rec + 12, crc32(0, raw, raw_len));
	*len += comp_len;
	btfb_put_le32(p + HDR(data_len), *len - data_off);
	btfb_put_le32(p + HDR(total_len), *len);
	fixture_fix_crc(p, *len);
out:
	free(dict);
	free(comp);
	return err;
}
