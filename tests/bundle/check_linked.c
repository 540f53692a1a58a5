// SPDX-License-Identifier: BSD-2-Clause
/*
 * Compiled by test_embedgen.sh together with an embedgen-generated source:
 * the linked-in table must equal the standalone bundle byte for byte and
 * open with btf_bundle__open_mem(); the header's object digests must be
 * the ones the bundle lists and what btf_bundle__object_digest() computes
 * for the OBJECT files given (all of them, none else). BUNDLE_HEADER and
 * BUNDLE_SYM come from -D flags. Linked against the installed-form libbtfbundle.a, which exports
 * only the API: this program sees none of btfkit's internals.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf_bundle.h"
#include BUNDLE_HEADER

#define PASTE(a, b) a##b
#define SIZE_OF(sym) PASTE(sym, _size)
#define OBJECT_CNT(sym) PASTE(sym, _OBJECT_CNT)
#define OBJECT_DIGESTS(sym) PASTE(sym, _OBJECT_DIGESTS)

/* The header's digests against the bundle's list and the objects @objs. */
static int check_digests(const struct btf_bundle *b, char **objs, int obj_cnt)
{
#if OBJECT_CNT(BUNDLE_SYM)
	static const unsigned char hdr[OBJECT_CNT(BUNDLE_SYM)][BTF_BUNDLE_DIGEST_LEN] =
		OBJECT_DIGESTS(BUNDLE_SYM);
#else
	static const unsigned char hdr[1][BTF_BUNDLE_DIGEST_LEN];
#endif
	uint32_t i, n = OBJECT_CNT(BUNDLE_SYM), matched = 0;
	int k;

	if (btf_bundle__object_cnt(b) != n || (uint32_t)obj_cnt != n) {
		fprintf(stderr, "check_linked: header lists %u objects, the bundle %u, %d given\n",
			n, btf_bundle__object_cnt(b), obj_cnt);
		return 1;
	}
	for (i = 0; i < n; i++) {
		const uint8_t *listed = btf_bundle__object_digest_by_idx(b, i, NULL);

		if (!listed || memcmp(listed, hdr[i], BTF_BUNDLE_DIGEST_LEN)) {
			fprintf(stderr, "check_linked: header digest %u differs from the bundle's\n", i);
			return 1;
		}
	}
	for (k = 0; k < obj_cnt; k++) {
		uint8_t d[BTF_BUNDLE_DIGEST_LEN];
		void *obj = malloc(64 << 20);
		FILE *f = fopen(objs[k], "rb");
		size_t len = f && obj ? fread(obj, 1, 64 << 20, f) : 0;
		int err = len ? btf_bundle__object_digest(obj, len, d) : -EIO;

		if (f)
			fclose(f);
		free(obj);
		for (i = 0; !err && i < n && memcmp(hdr[i], d, BTF_BUNDLE_DIGEST_LEN); i++)
			;
		if (err || i == n) {
			fprintf(stderr, "check_linked: %s: %s\n", objs[k],
				err ? btf_bundle__strerror(err) : "its CO-RE digest is not in the header");
			return 1;
		}
		matched |= 1u << (i & 31);
	}
	/* every digest of the header is some given object's */
	if (n <= 32 && matched != (n == 32 ? ~0u : (1u << n) - 1)) {
		fprintf(stderr, "check_linked: a header digest matches none of the objects given\n");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static char file[64 << 20];
	struct btf_bundle *b;
	size_t len = 0;
	FILE *f = argc >= 2 ? fopen(argv[1], "rb") : NULL;

	if (f) {
		len = fread(file, 1, sizeof(file), f);
		fclose(f);
	}
	if (!f || !len || len == sizeof(file)) {
		fprintf(stderr, "usage: check_linked FILE.btfb [OBJECT.bpf.o...]\n");
		return 2;
	}
	if (SIZE_OF(BUNDLE_SYM) != len || memcmp(BUNDLE_SYM, file, len)) {
		fprintf(stderr, "check_linked: linked table (%zu bytes) differs from %s (%zu bytes)\n",
			(size_t)SIZE_OF(BUNDLE_SYM), argv[1], len);
		return 1;
	}
	b = btf_bundle__open_mem(BUNDLE_SYM, SIZE_OF(BUNDLE_SYM), NULL);
	if (!b) {
		perror("check_linked: btf_bundle__open_mem");
		return 1;
	}
	if (check_digests(b, argv + 2, argc - 2)) {
		btf_bundle__free(b);
		return 1;
	}
	printf("linked bundle: %zu bytes, %u kernels, %u objects\n", len, btf_bundle__entry_cnt(b),
	       btf_bundle__object_cnt(b));
	btf_bundle__free(b);
	return 0;
}
