// SPDX-License-Identifier: BSD-2-Clause
/*
 * bench-canon: rewrite reduced BTF files in place in btfgen's canonical form
 * (btfgen/canon.h), for the benchmarks' synthetic trees, which are made
 * from bpftool's output without going through btfgen.
 *
 * Usage: bench-canon FILE.btf...
 * Exit: 0, 1 on the first file that fails (one line on stderr).
 */
#include <stdio.h>
#include <string.h>

#include "canon.h"

int main(int argc, char **argv)
{
	int i, err;

	for (i = 1; i < argc; i++) {
		err = canon__file(argv[i]);
		if (err) {
			fprintf(stderr, "bench-canon: %s: %s\n", argv[i], strerror(-err));
			return 1;
		}
	}
	return 0;
}
