/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Small but real BTFs for the bundle tests and the fuzzer's seed corpus,
 * built with libbpf's BTF writer API. Shared by tests/bundle and tests/fuzz.
 */
#ifndef BTFKIT_TEST_BTF_FIXTURES_H
#define BTFKIT_TEST_BTF_FIXTURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Raw BTF bytes of kernel "variant" @v (malloc()ed, caller frees). The same
 * @v always gives byte-identical BTF; neighbouring variants differ in a few
 * struct sizes and member offsets, like reduced BTFs of consecutive kernels.
 * Returns 0 or a negative errno.
 */
int fixture_btf(unsigned int v, void **data, size_t *len);

/*
 * Surgery on a bundle for the corruption tests and the fuzzer. Most of a
 * bundle sits in its compressed metadata stream: get it decoded (@extra
 * spare bytes), edit it, and put it back, which re-encodes it and fixes the
 * header (sizes, crc) so that only the edit is wrong. fixture_fix_crc()
 * recomputes the crc after an edit of the header alone.
 */
int fixture_meta_get(const uint8_t *bundle, size_t len, size_t extra, uint8_t **meta,
		     size_t *meta_len);
/*
 * *bundle is replaced (the old buffer freed). @stored: 1 stores the
 * metadata raw (meta_comp 0), 0 compresses it, -1 keeps the bundle's form.
 * 0 or -errno.
 */
int fixture_meta_put(uint8_t **bundle, size_t *len, const void *meta, size_t meta_len,
		     int stored);
void fixture_fix_crc(uint8_t *bundle, size_t len);
/*
 * The raw content of one stream: a chunk or block record's struct
 * btfb_stream at offset @rec of the decoded metadata (a block is compressed
 * with the bundle's dictionary). malloc()ed, @extra spare bytes. 0 or -errno.
 */
int fixture_stream_get(const uint8_t *bundle, size_t len, size_t rec, bool block, size_t extra,
		       uint8_t **raw, size_t *raw_len);
/*
 * Replace it: the new stream is appended to the data area (an inline one
 * moves there; the old bytes stay as junk), its record and the header are
 * updated. *bundle is replaced. 0 or -errno.
 */
int fixture_stream_put(uint8_t **bundle, size_t *len, size_t rec, bool block,
		       const void *raw, size_t raw_len);

#endif
