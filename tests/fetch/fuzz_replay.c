// SPDX-License-Identifier: BSD-2-Clause
/*
 * The replay driver of the fetch fuzz targets, linked in place of libFuzzer:
 * runs LLVMFuzzerTestOneInput() once on each file named on the command line
 * (the test suites feed it their hostile inputs).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "fsutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	int i, ok = 0;

	for (i = 1; i < argc; i++) {
		void *data;
		size_t len;

		if (read_file(argv[i], &data, &len, 64u << 20)) {
			fprintf(stderr, "%s: cannot read\n", argv[i]);
			return 1;
		}
		LLVMFuzzerTestOneInput(data, len);
		free(data);
		ok++;
	}
	/* The bound the suite holds a fuzz run to: no input may cost more. */
	{
		struct rusage ru;

		getrusage(RUSAGE_SELF, &ru);
		if (ru.ru_maxrss > 256 << 10) {
			fprintf(stderr, "peak RSS %ld KiB, over 256 MiB\n", ru.ru_maxrss);
			return 1;
		}
	}
	printf("replayed %d input(s)\n", ok);
	return 0;
}
