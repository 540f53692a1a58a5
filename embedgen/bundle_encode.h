/* SPDX-License-Identifier: BSD-2-Clause */
/* The bundle's stream encoders: the writing half of bundle_codec.h. */
#ifndef BTFKIT_BUNDLE_ENCODE_H
#define BTFKIT_BUNDLE_ENCODE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Compress @src with optional dictionary @dict. On success *out is a
 * malloc()ed stream of *out_len bytes. Returns 0 or a negative errno.
 * Deterministic: same inputs, same bytes.
 */
int bundle_codec__compress(uint32_t codec, const void *dict, size_t dict_len,
			   const void *src, size_t src_len, void **out, size_t *out_len);

#endif
