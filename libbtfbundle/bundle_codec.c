// SPDX-License-Identifier: BSD-2-Clause
/*
 * The reading half of the bundle codecs: decoders, and the parameters both
 * halves derive from sizes. The encoders live with the writer
 * (embedgen/bundle_encode.c): the installed reader links no compressor.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
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
int bundle_codec__lzma_filters(lzma_options_lzma *opt, lzma_filter filters[2],
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

void bundle_codec__zlib_dict(const void **dict, size_t *dict_len)
{
	if (*dict_len > DEFLATE_WINDOW) {
		*dict = (const uint8_t *)*dict + *dict_len - DEFLATE_WINDOW;
		*dict_len = DEFLATE_WINDOW;
	}
}

int bundle_dec__init(struct bundle_dec *d, uint32_t codec, const void *dict, size_t dict_len,
		     const void *src, size_t src_len, size_t raw_len)
{
	lzma_filter filters[2];
	int err;

	memset(d, 0, sizeof(*d));
	d->codec = codec;
	d->src = src;
	d->src_len = src_len;
	d->raw_len = raw_len;
	switch (codec) {
	case BUNDLE_CODEC_STORED:
		return raw_len == src_len ? 0 : -EBADMSG;
	case BTF_BUNDLE_CODEC_XZ:
		err = bundle_codec__lzma_filters(&d->opt, filters, dict, dict_len, raw_len);
		if (err)
			return err == -EFBIG ? -EBADMSG : err;
		d->xz = (lzma_stream)LZMA_STREAM_INIT;
		err = errmsg__lzma(lzma_raw_decoder(&d->xz, filters));
		if (err)
			return err;
		d->xz.next_in = src;
		d->xz.avail_in = src_len;
		return 0;
	case BTF_BUNDLE_CODEC_ZLIB:
		if (src_len > UINT32_MAX || raw_len > UINT32_MAX)
			return -EBADMSG;
		if (inflateInit2(&d->z, -15) != Z_OK)
			return -ENOMEM;
		bundle_codec__zlib_dict(&dict, &dict_len);
		d->z.next_in = (Bytef *)src;
		d->z.avail_in = src_len;
		if (dict_len && inflateSetDictionary(&d->z, dict, dict_len) != Z_OK) {
			inflateEnd(&d->z);
			d->codec = BUNDLE_CODEC_STORED;
			return -EBADMSG;
		}
		return 0;
	default:
		d->codec = BUNDLE_CODEC_STORED;
		return -EINVAL;
	}
}

/* Exactly @len bytes into @dst, or -EBADMSG if the stream ends or stalls first. */
static int dec_step(struct bundle_dec *d, uint8_t *dst, size_t len)
{
	size_t in, out;
	int ret;

	if (d->codec == BUNDLE_CODEC_STORED) {
		memcpy(dst, d->src + d->out, len);
		return 0;
	}
	while (len) {
		if (d->ended)
			return -EBADMSG;	/* shorter than it claims */
		if (d->codec == BTF_BUNDLE_CODEC_XZ) {
			d->xz.next_out = dst;
			d->xz.avail_out = len;
			in = d->xz.avail_in;
			ret = lzma_code(&d->xz, LZMA_RUN);
			out = len - d->xz.avail_out;
			if (ret == LZMA_STREAM_END)
				d->ended = true;
			else if (ret != LZMA_OK)
				return errmsg__lzma(ret) ?: -EBADMSG;
			in -= d->xz.avail_in;
		} else {
			d->z.next_out = dst;
			d->z.avail_out = len;
			in = d->z.avail_in;
			ret = inflate(&d->z, Z_NO_FLUSH);
			out = len - d->z.avail_out;
			if (ret == Z_STREAM_END)
				d->ended = true;
			else if (ret == Z_MEM_ERROR)
				return -ENOMEM;
			else if (ret != Z_OK && ret != Z_BUF_ERROR)
				return -EBADMSG;
			in -= d->z.avail_in;
		}
		if (!in && !out && !d->ended)
			return -EBADMSG;	/* truncated: no progress */
		dst += out;
		len -= out;
	}
	return 0;
}

int bundle_dec__read(struct bundle_dec *d, void *dst, size_t len)
{
	uint8_t scratch[8192];
	int err;

	if (len > d->raw_len - d->out)
		return -EBADMSG;
	while (len) {
		size_t n = dst || len < sizeof(scratch) ? len : sizeof(scratch);

		err = dec_step(d, dst ?: scratch, n);
		if (err)
			return err;
		d->out += n;
		len -= n;
		if (dst)
			dst = (uint8_t *)dst + n;
	}
	return 0;
}

int bundle_dec__finish(struct bundle_dec *d)
{
	uint8_t extra;
	size_t left;
	int err;

	if (d->out != d->raw_len)
		return -EBADMSG;
	if (d->codec == BUNDLE_CODEC_STORED)
		return 0;
	/* Not one byte more, and no input left over. */
	if (!d->ended) {
		err = dec_step(d, &extra, 1);
		if (err != -EBADMSG || !d->ended)
			return err == -ENOMEM ? err : -EBADMSG;
	}
	left = d->codec == BTF_BUNDLE_CODEC_XZ ? d->xz.avail_in : d->z.avail_in;
	return left ? -EBADMSG : 0;
}

void bundle_dec__free(struct bundle_dec *d)
{
	if (d->codec == BTF_BUNDLE_CODEC_XZ)
		lzma_end(&d->xz);
	else if (d->codec == BTF_BUNDLE_CODEC_ZLIB)
		inflateEnd(&d->z);
	d->codec = BUNDLE_CODEC_STORED;
}

int bundle_codec__decompress(uint32_t codec, const void *dict, size_t dict_len,
			     const void *src, size_t src_len, void *dst, size_t raw_len)
{
	struct bundle_dec d;
	int err;

	if (!bundle_codec__valid(codec))
		return -EINVAL;
	err = bundle_dec__init(&d, codec, dict, dict_len, src, src_len, raw_len);
	err = err ?: bundle_dec__read(&d, dst, raw_len);
	err = err ?: bundle_dec__finish(&d);
	bundle_dec__free(&d);
	return err;
}
