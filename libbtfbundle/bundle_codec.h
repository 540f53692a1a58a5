/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The bundle's stream codecs (xz: raw LZMA2; zlib: raw deflate), whole or
 * decoded incrementally. A block's streams take the bundle's one shared
 * preset dictionary (format 5: distinct BTFs sampled across the bundle);
 * the metadata, chunk and dictionary streams take none. Internal to
 * libbtfbundle and embedgen.
 */
#ifndef BTFKIT_BUNDLE_CODEC_H
#define BTFKIT_BUNDLE_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <lzma.h>
#include <zlib.h>

/* Bytes stored as they are (an inline stream, a stored metadata stream). */
#define BUNDLE_CODEC_STORED	0

/*
 * What the encoder (embedgen/bundle_encode.h) and the decoder derive alike
 * from sizes they both know: LZMA2's filter chain (@opt holds its options,
 * -EFBIG past a 1 GiB dictionary) and the part of a dictionary deflate can
 * use (its last 32 KiB).
 */
int bundle_codec__lzma_filters(lzma_options_lzma *opt, lzma_filter filters[2],
			       const void *dict, size_t dict_len, size_t raw_len);
void bundle_codec__zlib_dict(const void **dict, size_t *dict_len);
/*
 * Decompress exactly @raw_len bytes into @dst. Returns 0, -EBADMSG on a
 * corrupt stream or a size mismatch, -ENOMEM, -EINVAL for unknown codec.
 */
int bundle_codec__decompress(uint32_t codec, const void *dict, size_t dict_len,
			     const void *src, size_t src_len, void *dst, size_t raw_len);
int bundle_codec__valid(uint32_t codec);

/*
 * A stream decoded front to back only as far as its reader needs: a read
 * stops at its BTF instead of decoding the rest of the block (FORMAT.md).
 * The decoder sees exactly @src_len bytes and may produce at most
 * @raw_len; every short, long or corrupt stream is -EBADMSG.
 */
struct bundle_dec {
	uint32_t codec;		/* BTF_BUNDLE_CODEC_*, or BUNDLE_CODEC_STORED */
	bool ended;		/* the codec saw the stream's end */
	const uint8_t *src;
	size_t src_len, raw_len, out;	/* out: bytes produced so far */
	lzma_options_lzma opt;
	union {
		lzma_stream xz;
		z_stream z;
	};
};

int bundle_dec__init(struct bundle_dec *d, uint32_t codec, const void *dict, size_t dict_len,
		     const void *src, size_t src_len, size_t raw_len);
/* The next @len bytes into @dst, or skipped (@dst NULL). */
int bundle_dec__read(struct bundle_dec *d, void *dst, size_t len);
/* 0 if all @raw_len bytes were read and the stream ends exactly there. */
int bundle_dec__finish(struct bundle_dec *d);
void bundle_dec__free(struct bundle_dec *d);

#endif
