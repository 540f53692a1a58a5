/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * SHA-256 (FIPS 180-4). None of the card's libraries exports a digest API,
 * and the runtime reader must hash BPF objects without pulling in a TLS
 * library, so btfkit carries this one small implementation.
 */
#ifndef BTFKIT_SHA256_H
#define BTFKIT_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN 32
#define SHA256_HEX_LEN (2 * SHA256_DIGEST_LEN + 1)

struct sha256_ctx {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
	size_t buf_len;
};

void sha256_init(struct sha256_ctx *ctx);
void sha256_update(struct sha256_ctx *ctx, const void *data, size_t len);
void sha256_final(struct sha256_ctx *ctx, uint8_t out[SHA256_DIGEST_LEN]);
void sha256_buf(const void *data, size_t len, uint8_t out[SHA256_DIGEST_LEN]);
/* Hash a whole file. Returns 0 or a negative errno. */
int sha256_file(const char *path, uint8_t out[SHA256_DIGEST_LEN]);
/* Hash all of @fd from offset 0 (pread: the file offset is left alone). */
int sha256_fd(int fd, uint8_t out[SHA256_DIGEST_LEN]);
/* Lower-case hex into out (SHA256_HEX_LEN bytes, NUL-terminated). */
void sha256_hex(const uint8_t digest[SHA256_DIGEST_LEN], char out[SHA256_HEX_LEN]);
/* Parse 64 hex digits. Returns 0 or -EINVAL. */
int sha256_parse_hex(const char *hex, uint8_t out[SHA256_DIGEST_LEN]);

#endif
