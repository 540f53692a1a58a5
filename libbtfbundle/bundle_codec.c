// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <lzma.h>
#include <zlib.h>

#include "btf_bundle.h"
#include "bundle_codec.h"
#include "errmsg.h"

/* deflate can look back only this far, so only the dictionary's tail helps. */
#define DEFLATE_WINDOW 32768u

int bundle_codec__valid(uint32_t codec)
{
	return codec == BTF_BUNDLE_CODEC_XZ || codec == BTF_BUNDLE_CODEC_ZLIB;
}

/*
 * The LZMA2 dictionary must hold the preset dictionary and the whole output
 * so that every match the encoder found stays reachable; both sides derive
 * it from sizes they know, so it need not be stored.
 */
static int lzma_filters_init(lzma_options_lzma *opt, lzma_filter filters[2],
			     const void *dict, size_t dict_len, size_t raw_len)
{
	uint64_t dict_size = (uint64_t)dict_len + raw_len;

	if (lzma_lzma_preset(opt, 9 | LZMA_PRESET_EXTREME))
		return -EINVAL;
	/*
	 * BTF is little-endian u32 records and names: neither the previous
	 * byte nor the position predicts the next literal well, and without
	 * that context 10-80 real reduced BTFs take 2.5% less. Only the encoder
	 * uses these (LZMA2 stores them in the stream).
	 */
	opt->lc = 0;
	opt->pb = 0;
	if (dict_size < LZMA_DICT_SIZE_MIN)
		dict_size = LZMA_DICT_SIZE_MIN;
	if (dict_size > (1u << 30))
		return -EFBIG;
	opt->dict_size = dict_size;
	opt->preset_dict = dict_len ? dict : NULL;
	opt->preset_dict_size = dict_len;
	filters[0].id = LZMA_FILTER_LZMA2;
	filters[0].options = opt;
	filters[1].id = LZMA_VLI_UNKNOWN;
	filters[1].options = NULL;
	return 0;
}

static int xz_compress(const void *dict, size_t dict_len, const void *src, size_t src_len,
		       void **out, size_t *out_len)
{
	lzma_options_lzma opt;
	lzma_filter filters[2];
	/* LZMA2 stores incompressible chunks with a few bytes of framing. */
	size_t cap = src_len + src_len / 16 + 1024, pos = 0;
	uint8_t *buf;
	int err;

	err = lzma_filters_init(&opt, filters, dict, dict_len, src_len);
	if (err)
		return err;
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	err = errmsg__lzma(lzma_raw_buffer_encode(filters, NULL, src, src_len, buf, &pos, cap));
	if (err) {
		free(buf);
		return err;
	}
	*out = buf;
	*out_len = pos;
	return 0;
}

static int xz_decompress(const void *dict, size_t dict_len, const void *src, size_t src_len,
			 void *dst, size_t raw_len)
{
	lzma_options_lzma opt;
	lzma_filter filters[2];
	size_t in_pos = 0, out_pos = 0;
	lzma_ret ret;
	int err;

	err = lzma_filters_init(&opt, filters, dict, dict_len, raw_len);
	if (err)
		return err == -EFBIG ? -EBADMSG : err;
	ret = lzma_raw_buffer_decode(filters, NULL, src, &in_pos, src_len, dst, &out_pos, raw_len);
	err = errmsg__lzma(ret);
	if (!err && (in_pos != src_len || out_pos != raw_len))
		err = -EBADMSG;
	return err;
}

static void zlib_dict(const void **dict, size_t *dict_len)
{
	if (*dict_len > DEFLATE_WINDOW) {
		*dict = (const uint8_t *)*dict + *dict_len - DEFLATE_WINDOW;
		*dict_len = DEFLATE_WINDOW;
	}
}

static int zlib_compress(const void *dict, size_t dict_len, const void *src, size_t src_len,
			 void **out, size_t *out_len)
{
	z_stream zs = {};
	uLong cap;
	void *buf;
	int err = 0;

	if (src_len > UINT32_MAX)
		return -EFBIG;
	/* Raw deflate: the bundle keeps its own sizes and checksums. */
	if (deflateInit2(&zs, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	zlib_dict(&dict, &dict_len);
	if (dict_len && deflateSetDictionary(&zs, dict, dict_len) != Z_OK) {
		err = -EIO;
		goto out;
	}
	cap = deflateBound(&zs, src_len);
	buf = malloc(cap);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	zs.next_in = (Bytef *)src;
	zs.avail_in = src_len;
	zs.next_out = buf;
	zs.avail_out = cap;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
		free(buf);
		err = -EIO;
		goto out;
	}
	*out = buf;
	*out_len = zs.total_out;
out:
	deflateEnd(&zs);
	return err;
}

static int zlib_decompress(const void *dict, size_t dict_len, const void *src, size_t src_len,
			   void *dst, size_t raw_len)
{
	z_stream zs = {};
	int ret, err = 0;

	if (src_len > UINT32_MAX || raw_len > UINT32_MAX)
		return -EBADMSG;
	if (inflateInit2(&zs, -15) != Z_OK)
		return -ENOMEM;
	zlib_dict(&dict, &dict_len);
	if (dict_len && inflateSetDictionary(&zs, dict, dict_len) != Z_OK) {
		err = -EBADMSG;
		goto out;
	}
	zs.next_in = (Bytef *)src;
	zs.avail_in = src_len;
	zs.next_out = dst;
	zs.avail_out = raw_len;
	ret = inflate(&zs, Z_FINISH);
	if (ret == Z_MEM_ERROR)
		err = -ENOMEM;
	else if (ret != Z_STREAM_END || zs.avail_in || zs.total_out != raw_len)
		err = -EBADMSG;
out:
	inflateEnd(&zs);
	return err;
}

int bundle_codec__compress(uint32_t codec, const void *dict, size_t dict_len,
			   const void *src, size_t src_len, void **out, size_t *out_len)
{
	switch (codec) {
	case BTF_BUNDLE_CODEC_XZ:
		return xz_compress(dict, dict_len, src, src_len, out, out_len);
	case BTF_BUNDLE_CODEC_ZLIB:
		return zlib_compress(dict, dict_len, src, src_len, out, out_len);
	default:
		return -EINVAL;
	}
}

int bundle_codec__decompress(uint32_t codec, const void *dict, size_t dict_len,
			     const void *src, size_t src_len, void *dst, size_t raw_len)
{
	switch (codec) {
	case BTF_BUNDLE_CODEC_XZ:
		return xz_decompress(dict, dict_len, src, src_len, dst, raw_len);
	case BTF_BUNDLE_CODEC_ZLIB:
		return zlib_decompress(dict, dict_len, src, src_len, dst, raw_len);
	default:
		return -EINVAL;
	}
}
