// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "sha256.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_SHANI 1
#endif

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block_generic(uint32_t *state, const uint8_t *p)
{
	uint32_t w[64], a, b, c, d, e, f, g, h;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (i = 16; i < 64; i++) {
		uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = state[0]; b = state[1]; c = state[2]; d = state[3];
	e = state[4]; f = state[5]; g = state[6]; h = state[7];
	for (i = 0; i < 64; i++) {
		uint32_t t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
		uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));

		h = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	state[0] += a; state[1] += b; state[2] += c; state[3] += d;
	state[4] += e; state[5] += f; state[6] += g; state[7] += h;
}

#ifdef HAVE_SHANI
/*
 * The x86 SHA extensions hash ~5x faster than the portable code, and
 * btfgen hashes every input BTF (megabytes each) for its cache key: without
 * them hashing costs as much as bpftool's own reduction.
 */
__attribute__((target("sha,sse4.1")))
static void sha256_blocks_shani(uint32_t *state, const uint8_t *p, size_t n)
{
	const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i st0, st1, tmp, msg, m0, m1, m2, m3, abef, cdgh;
	int j;

	tmp = _mm_loadu_si128((const __m128i *)&state[0]);
	st1 = _mm_loadu_si128((const __m128i *)&state[4]);
	tmp = _mm_shuffle_epi32(tmp, 0xB1);		/* CDAB */
	st1 = _mm_shuffle_epi32(st1, 0x1B);		/* EFGH */
	st0 = _mm_alignr_epi8(tmp, st1, 8);		/* ABEF */
	st1 = _mm_blend_epi16(st1, tmp, 0xF0);		/* CDGH */
/* Four rounds on message words m (+ constants K[k..k+3]). */
#define RND4(m, k)								\
	do {									\
		msg = _mm_add_epi32(m, _mm_loadu_si128((const __m128i *)&K[k]));	\
		st1 = _mm_sha256rnds2_epu32(st1, st0, msg);			\
		msg = _mm_shuffle_epi32(msg, 0x0E);				\
		st0 = _mm_sha256rnds2_epu32(st0, st1, msg);			\
	} while (0)
/* The next four schedule words, in place of a: from W[t-16..t-1] = a, b, c, d. */
#define SCHED(a, b, c, d)							\
	a = _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32(a, b),	\
					       _mm_alignr_epi8(d, c, 4)), d)
	for (; n--; p += 64) {
		abef = st0;
		cdgh = st1;
		m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 0)), mask);
		m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), mask);
		m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), mask);
		m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), mask);
		RND4(m0, 0); RND4(m1, 4); RND4(m2, 8); RND4(m3, 12);
		/* fully unrolled: the four words rotate through registers */
		for (j = 16; j < 64; j += 16) {
			SCHED(m0, m1, m2, m3); RND4(m0, j);
			SCHED(m1, m2, m3, m0); RND4(m1, j + 4);
			SCHED(m2, m3, m0, m1); RND4(m2, j + 8);
			SCHED(m3, m0, m1, m2); RND4(m3, j + 12);
		}
		st0 = _mm_add_epi32(st0, abef);
		st1 = _mm_add_epi32(st1, cdgh);
	}
#undef RND4
#undef SCHED
	tmp = _mm_shuffle_epi32(st0, 0x1B);		/* FEBA */
	st1 = _mm_shuffle_epi32(st1, 0xB1);		/* DCHG */
	st0 = _mm_blend_epi16(tmp, st1, 0xF0);		/* DCBA */
	st1 = _mm_alignr_epi8(st1, tmp, 8);		/* HGFE */
	_mm_storeu_si128((__m128i *)&state[0], st0);
	_mm_storeu_si128((__m128i *)&state[4], st1);
}

static int have_shani(void)
{
	/* cpuid is idempotent: racing first calls store the same answer */
	static int cached = -1;
	unsigned int a, b, c, d;
	int v = __atomic_load_n(&cached, __ATOMIC_RELAXED);

	if (v >= 0)
		return v;
	v = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSE4_1) && (c & bit_SSSE3) &&
	    __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA);
	__atomic_store_n(&cached, v, __ATOMIC_RELAXED);
	return v;
}
#endif

static void sha256_blocks(struct sha256_ctx *ctx, const uint8_t *p, size_t n)
{
#ifdef HAVE_SHANI
	if (have_shani()) {
		sha256_blocks_shani(ctx->h, p, n);
		return;
	}
#endif
	for (; n--; p += 64)
		sha256_block_generic(ctx->h, p);
}

void sha256_init(struct sha256_ctx *ctx)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};

	memcpy(ctx->h, iv, sizeof(iv));
	ctx->len = 0;
	ctx->buf_len = 0;
}

void sha256_update(struct sha256_ctx *ctx, const void *data, size_t len)
{
	const uint8_t *p = data;

	ctx->len += len;
	if (ctx->buf_len) {
		size_t n = 64 - ctx->buf_len;

		if (n > len)
			n = len;
		memcpy(ctx->buf + ctx->buf_len, p, n);
		ctx->buf_len += n;
		p += n;
		len -= n;
		if (ctx->buf_len < 64)
			return;
		sha256_blocks(ctx, ctx->buf, 1);
		ctx->buf_len = 0;
	}
	sha256_blocks(ctx, p, len / 64);
	p += len & ~(size_t)63;
	len &= 63;
	memcpy(ctx->buf, p, len);
	ctx->buf_len = len;
}

void sha256_final(struct sha256_ctx *ctx, uint8_t out[SHA256_DIGEST_LEN])
{
	uint64_t bits = ctx->len * 8;
	uint8_t pad[72] = { 0x80 };
	size_t padlen = (ctx->buf_len < 56 ? 56 : 120) - ctx->buf_len;
	int i;

	for (i = 0; i < 8; i++)
		pad[padlen + i] = bits >> (56 - 8 * i);
	sha256_update(ctx, pad, padlen + 8);
	for (i = 0; i < 8; i++) {
		out[4 * i] = ctx->h[i] >> 24;
		out[4 * i + 1] = ctx->h[i] >> 16;
		out[4 * i + 2] = ctx->h[i] >> 8;
		out[4 * i + 3] = ctx->h[i];
	}
}

void sha256_buf(const void *data, size_t len, uint8_t out[SHA256_DIGEST_LEN])
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, data, len);
	sha256_final(&ctx, out);
}

int sha256_fd(int fd, uint8_t out[SHA256_DIGEST_LEN])
{
	struct sha256_ctx ctx;
	uint8_t buf[65536];
	off_t off = 0;
	ssize_t n;

	sha256_init(&ctx);
	while ((n = pread(fd, buf, sizeof(buf), off)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		sha256_update(&ctx, buf, n);
		off += n;
	}
	sha256_final(&ctx, out);
	return 0;
}

int sha256_file(const char *path, uint8_t out[SHA256_DIGEST_LEN])
{
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = sha256_fd(fd, out);
	close(fd);
	return err;
}

void sha256_hex(const uint8_t digest[SHA256_DIGEST_LEN], char out[SHA256_HEX_LEN])
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < SHA256_DIGEST_LEN; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[2 * SHA256_DIGEST_LEN] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int sha256_parse_hex(const char *hex, uint8_t out[SHA256_DIGEST_LEN])
{
	int i;

	for (i = 0; i < SHA256_DIGEST_LEN; i++) {
		int hi = hexval(hex[2 * i]), lo = hi < 0 ? -1 : hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = hi << 4 | lo;
	}
	return hex[2 * SHA256_DIGEST_LEN] ? -EINVAL : 0;
}
