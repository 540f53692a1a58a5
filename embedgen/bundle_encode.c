// SPDX-License-Identifier: BSD-2-Clause
/*
 * The writing half of the bundle codecs (bundle_codec.h has the reading
 * one): whole-stream encoders, with the parameters the decoder derives the
 * same way (bundle_codec__lzma_filters(), bundle_codec__zlib_dict()).
 * Linked by embedgen and the tests, never by the installed reader.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <lzma.h>
#include <zlib.h>

#include "btf_bundle.h"
#include "bundle_codec.h"
#include "bundle_encode.h"
#include "errmsg.h"

static int xz_compress(const void *dict, size_t dict_len, const void *src, size_t src_len,
		       void **out, size_t *out_len)
{
	lzma_options_lzma opt;
	lzma_filter filters[2];
	/* LZMA2 stores incompressible chunks with a few bytes of framing. */
	size_t cap = src_len + src_len / 16 + 1024, pos = 0;
	uint8_t *buf;
	int err;

	err = bundle_codec__lzma_filters(&opt, filters, dict, dict_len, src_len);
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
	bundle_codec__zlib_dict(&dict, &dict_len);
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

