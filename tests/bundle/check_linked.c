// SPDX-License-Identifier: BSD-2-Clause
/*
 * Compiled by test_embedgen.sh together with an embedgen-generated source:
 * the linked-in table must equal the standalone bundle byte for byte and
 * open with btf_bundle__open_mem(). BUNDLE_HEADER and BUNDLE_SYM come from
 * -D flags. Linked against the installed-form libbtfbundle.a, which exports
 * only the API: this program sees none of btfkit's internals.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf_bundle.h"
#include BUNDLE_HEADER

#define PASTE(a, b) a##b
#define SIZE_OF(sym) PASTE(sym, _size)

int main(int argc, char **argv)
{
	static char file[64 << 20];
	struct btf_bundle *b;
	size_t len = 0;
	FILE *f = argc == 2 ? fopen(argv[1], "rb") : NULL;

	if (f) {
		len = fread(file, 1, sizeof(file), f);
		fclose(f);
	}
	if (!f || !len || len == sizeof(file)) {
		fprintf(stderr, "usage: check_linked FILE.btfb (readable)\n");
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
	printf("linked bundle: %zu bytes, %u kernels\n", len, btf_bundle__entry_cnt(b));
	btf_bundle__free(b);
	return 0;
}
