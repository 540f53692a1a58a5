/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the hand-crafted bundle tests share (test_validate.c,
 * test_crafted_top.c, test_crafted_decoded.c): little-endian fields at an
 * offset, the header's and decoded metadata's field offsets, the base
 * bundle they damage, and how they read one back.
 */
#ifndef BTFKIT_TEST_CRAFTED_H
#define BTFKIT_TEST_CRAFTED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "btf_bundle.h"
#include "bundle_internal.h"
#include "btf_fixtures.h"
#include "bundle_build.h"
#include "bundle_format.h"

static inline uint32_t get32(const uint8_t *p, size_t off) { return btfb_le32(p + off); }
static inline void put32(uint8_t *p, size_t off, uint32_t v) { btfb_put_le32(p + off, v); }
#define HDR(f) offsetof(struct btfb_header, f)
#define META(f) offsetof(struct btfb_meta, f)

/* Build one of the crafted tests' base bundles (small_set) with @bo. */
static inline int crafted_base(const struct build *bo, uint8_t **buf, size_t *len)
{
	struct bundle_stats st;

	return build_bundle(small_set, 3, bo, (void **)buf, len, &st);
}

/* @buf opens and its one entry is fixture variant 0. */
static inline bool entry_is_bundle(const uint8_t *buf, size_t len)
{
	struct btf_bundle *b = btf_bundle__open_mem(buf, len, NULL);
	bool right = b && btf_bundle__entry_cnt(b) == 1 && entry_is(b, 0, 0);

	btf_bundle__free(b);
	return right;
}

/* A u32 of @bundle's decoded metadata (0 if it does not decode). */
static inline uint32_t meta32(const uint8_t *bundle, size_t len, size_t off)
{
	uint8_t *m;
	size_t m_len;
	uint32_t v = 0;

	if (!fixture_meta_get(bundle, len, 0, &m, &m_len)) {
		v = off + 4 <= m_len ? get32(m, off) : 0;
		free(m);
	}
	return v;
}

#endif
