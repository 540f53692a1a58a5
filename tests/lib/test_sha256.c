// SPDX-License-Identifier: BSD-2-Clause
/*
 * SHA-256 against FIPS 180-4 vectors, at every split of the input across
 * sha256_update() calls, so that both the buffered path and the multi-block
 * path (SHA extensions where the CPU has them) are checked. TAP output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "tap.h"

static void check(const char *name, const uint8_t *d, const char *want)
{
	char hex[SHA256_HEX_LEN];

	sha256_hex(d, hex);
	if (!ok(!strcmp(hex, want), "%s", name))
		diag("%s: %s, expected %s", name, hex, want);
}

int main(void)
{
	static const char *abc448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	const char *v_abc448 = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
	uint8_t d[SHA256_DIGEST_LEN], d2[SHA256_DIGEST_LEN];
	struct sha256_ctx ctx;
	size_t len = 1000000, split, bad = 0;
	char *million = malloc(len);

	sha256_buf("", 0, d);
	check("empty", d, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_buf("abc", 3, d);
	check("abc", d, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_buf(abc448, strlen(abc448), d);
	check("448-bit message", d, v_abc448);
	memset(million, 'a', len);
	sha256_buf(million, len, d);
	check("one million 'a'", d, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	/* every split point of a 3-block message through update() */
	for (split = 0; split <= 200; split++) {
		sha256_init(&ctx);
		sha256_update(&ctx, million, split);
		sha256_update(&ctx, million + split, 200 - split);
		sha256_final(&ctx, d2);
		sha256_buf(million, 200, d);
		bad += memcmp(d, d2, sizeof(d)) != 0;
	}
	ok(!bad, "split updates agree with one-shot hashing (%zu mismatches)", bad);
	free(million);
	return tap_done();
}
