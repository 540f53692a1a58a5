/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Per-blob compression with a preset dictionary (the raw bytes of the blob
 * it is a delta against). Internal to libbtfbundle and embedgen.
 */
#ifndef BTFKIT_BUNDLE_CODEC_H
#define BTFKIT_BUNDLE_CODEC_H

#include <stddef.h>
#include <stdint.h>

/*
 * Compress @src with optional dictionary @dict. On success *out is a
 * malloc()ed stream of *out_len bytes. Returns 0 or a negative errno.
 * Deterministic: same inputs, same bytes.
 */
int bundle_codec__compress(uint32_t codec, const void *dict, size_t dict_len,
			   const void *src, size_t src_len, void **out, size_t *out_len);
/*
 * Decompress exactly @raw_len bytes into @dst. Returns 0, -EBADMSG on a
 * corrupt stream or a size mismatch, -ENOMEM, -EINVAL for unknown codec.
 */
int bundle_codec__decompress(uint32_t codec, const void *dict, size_t dict_len,
			     const void *src, size_t src_len, void *dst, size_t raw_len);
int bundle_codec__valid(uint32_t codec);

#endif
