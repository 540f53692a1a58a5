// SPDX-License-Identifier: BSD-2-Clause
/*
 * Open-time validation of damage at rest: truncated and bit-flipped
 * bundles, crc mismatches, and the metadata stored raw or compressed as
 * the writer chooses. Never wrong data. Hand-crafted damage behind valid
 * crcs: test_crafted_top.c (structure), test_crafted_decoded.c (decoded
 * chunks and blocks). TAP output.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf_bundle.h"
#include "btf_fixtures.h"
#include "bundle_build.h"
#include "bundle_format.h"
#include "crafted.h"
#include "tap.h"

/* @buf opens and every entry of small_set reads back right. */
static bool reads_right(const uint8_t *buf, size_t len)
{
	struct btf_bundle *b = btf_bundle__open_mem(buf, len, NULL);
	bool right = b && btf_bundle__entry_cnt(b) == 3;
	uint32_t k;

	for (k = 0; right && k < 3; k++)
		right = entry_is(b, k, small_set[k].variant);
	btf_bundle__free(b);
	return right;
}

/*
 * @stored: the bundle with its metadata stored raw (meta_comp 0), as the
 * writer lays out a big one, instead of the writer's choice for this one.
 */
static void test_truncated_and_flipped(uint32_t codec, const struct build *layout, bool stored)
{
	struct build bo = *layout;
	char cname[64];
	struct bundle_stats st;
	struct btf_bundle *b;
	struct btfb_header h;
	uint8_t *buf = NULL, *copy = NULL;
	size_t len = 0, i, bad = 0, wrong = 0, detected = 0, reads = 0, same = 0;
	uint32_t k, data_off = 0;
	int err;

	bo.codec = codec;
	bo.objects = true;
	snprintf(cname, sizeof(cname), "%s%s", layout_name(&bo), stored ? " stored" : "");
	err = build_bundle(small_set, 3, &bo, (void **)&buf, &len, &st);
	if (!err && stored) {
		uint8_t *m;
		size_t m_len;

		err = fixture_meta_get(buf, len, 0, &m, &m_len);
		err = err ?: fixture_meta_put(&buf, &len, m, m_len, 1);
		if (!err)
			free(m);
	}
	if (!ok(!err && (copy = malloc(len)), "%s corrupt: small bundle built (%zu bytes)",
		cname, len))
		goto out;
	btfb_load_u32s(&h.version, buf + BTFB_MAGIC_LEN, (BTFB_HEADER_LEN - BTFB_MAGIC_LEN) / 4);
	data_off = BTFB_HEADER_LEN + btfb_meta_size(&h);	/* header and metadata before it */

	/* A heap copy of exactly @i bytes, so that ASan/valgrind see any over-read. */
	for (i = 0; i < len; i++) {
		uint8_t *t = malloc(i ?: 1);
		int e;

		memcpy(t, buf, i);
		e = expect_fail(t, i, EBADMSG);
		if (e && bad++ < 5)
			diag("truncated to %zu: %s", i, e < 0 ? "opened" : strerror(e));
		free(t);
	}
	ok(!bad, "%s corrupt: all %zu truncations fail to open with EBADMSG", cname, len);

	/*
	 * The header is covered by the crc; a flip in the compressed metadata
	 * stream fails to decode or to match the crc, or (deflate's slack: a
	 * Huffman code length of an unused symbol) decodes to the very same
	 * bytes, when the bundle must open and read right.
	 */
	bad = 0;
	for (i = 0; i < data_off; i++) {
		int e, want = i >= 8 && i < 12 ? EPROTO : EBADMSG;	/* the version field */

		for (k = 0; k < 2; k++) {
			memcpy(copy, buf, len);
			copy[i] ^= k ? 0xa5 : 0x5a;
			e = expect_fail(copy, len, want);
			if (e < 0 && i >= BTFB_HEADER_LEN && reads_right(copy, len)) {
				same++;
				e = 0;
			}
			if (e && bad++ < 5)
				diag("metadata byte %zu flipped: %s", i, e < 0 ? "opened" : strerror(e));
		}
	}
	ok(!bad, "%s corrupt: each of %u metadata bytes flipped -> open fails (%zu of %u flips "
	   "decode to the same metadata and read right)", cname, data_off, same, 2 * data_off);

	for (i = data_off; i < len; i++) {
		bool hit = false;

		memcpy(copy, buf, len);
		copy[i] ^= 0xff;
		b = btf_bundle__open_mem(copy, len, NULL);
		if (!b) {
			if (bad++ < 5)
				diag("data byte %zu flipped: open failed: %s", i, strerror(errno));
			continue;
		}
		for (k = 0; k < btf_bundle__entry_cnt(b); k++) {
			void *d = NULL;
			size_t l;
			int rerr = btf_bundle__read(b, k, &d, &l);

			reads++;
			if (rerr == -EILSEQ || rerr == -EBADMSG)
				hit = true;
			else if (rerr || !entry_is(b, k, small_set[k].variant))
				wrong++;
			free(d);
			/* a lookup gives the right entry or an error, never another entry */
			if (k < 3) {
				BUNDLE_MATCH(m);
				struct btf_host hh;
				int f;

				snprintf(hh.distro, sizeof(hh.distro), "%s", small_set[k].distro);
				snprintf(hh.version, sizeof(hh.version), "%s", small_set[k].version);
				snprintf(hh.arch, sizeof(hh.arch), "%s", small_set[k].arch);
				snprintf(hh.release, sizeof(hh.release), "%s", small_set[k].release);
				f = btf_bundle__find(b, &hh, &m);
				if (f >= 0 && f != (int)k)
					wrong++;
				else if (f < 0 && f != -EILSEQ && f != -EBADMSG)
					wrong++;
			}
		}
		detected += hit;
		btf_bundle__free(b);
	}
	ok(!bad && !wrong, "%s corrupt: %zu data bytes flipped, %zu reads: never wrong data", cname,
	   len - data_off, reads);
	ok(detected >= (len - data_off) * 9 / 10,
	   "%s corrupt: %zu of %zu data flips reported as -EILSEQ/-EBADMSG", cname, detected,
	   len - data_off);
out:
	free(buf);
	free(copy);
}

/*
 * The writer compresses the metadata where that pays: a small bundle's
 * (records, strings, its lone chunk and block inline) and stores it where
 * it saves under 1/64 of the bundle: one 300 KB BTF of noise, a block too
 * big to go inline, behind a few records. Both read back right.
 */
static void test_meta_form(void)
{
	static const size_t big_len = 300 << 10;
	struct bundle_writer_opts wo = { .codec = BTF_BUNDLE_CODEC_XZ };
	uint8_t *noise = malloc(big_len), *out[2] = {};
	size_t len[2] = {}, i;
	uint32_t x = 1;
	int k, err = noise ? 0 : -ENOMEM;

	for (i = 0; noise && i < big_len; i++) {
		x = x * 1103515245 + 12345;	/* fixed: deterministic noise */
		noise[i] = x >> 24;
	}
	for (k = 0; k < 2 && !err; k++) {
		struct bundle_writer *w = bundle_writer__new(&wo);
		void *d = NULL;
		size_t l = 0;

		err = w ? 0 : -ENOMEM;
		if (!k)
			err = err ?: fixture_btf(0, &d, &l);
		err = err ?: bundle_writer__add(w, "x86_64", "debian", "12", "6.1.0-18-amd64",
						k ? noise : d, k ? big_len : l, "t");
		err = err ?: bundle_writer__finish(w, (void **)&out[k], &len[k], NULL);
		bundle_writer__free(w);
		free(d);
	}
	if (ok(!err, "meta form: a small and a 300 KB bundle built (%zu, %zu bytes)", len[0], len[1])) {
		struct btf_bundle *b = btf_bundle__open_mem(out[1], len[1], NULL);
		void *d = NULL;
		size_t l = 0;

		ok(get32(out[0], HDR(meta_comp)) != 0 && get32(out[1], HDR(meta_comp)) == 0 &&
		   b && !btf_bundle__read(b, 0, &d, &l) && l == big_len && !memcmp(d, noise, l) &&
		   entry_is_bundle(out[0], len[0]),
		   "meta form: small bundle's metadata compressed (%u bytes for %u), a 300 KB one's "
		   "stored (%u bytes), both read back", get32(out[0], HDR(meta_comp)),
		   get32(out[0], HDR(meta_raw)), get32(out[1], HDR(meta_raw)));
		free(d);
		btf_bundle__free(b);
	}
	free(out[0]);
	free(out[1]);
	free(noise);
}

int main(int argc, char **argv)
{
	/* The library's warnings would only clutter TAP; errors are asserted. */
	btf_bundle_set_print(NULL);
	(void)argc;
	(void)argv;
	for (size_t c = BTF_BUNDLE_CODEC_XZ; c <= BTF_BUNDLE_CODEC_ZLIB; c++)
		for (size_t l = 0; l < 2; l++)
			for (int stored = 0; stored < 2; stored++)
				test_truncated_and_flipped(c, &layouts[l], stored);
	test_meta_form();
	return tap_done();
}
