// SPDX-License-Identifier: BSD-2-Clause
/*
 * Fuzz target for btfhub-fetch's archive extraction (tools/fetch/extract.c):
 * any bytes as a .tar.xz must give either a valid BTF file at the
 * destination, exactly as long as its BTF header declares, or an error with
 * nothing left behind, never a crash, a write outside the destination
 * directory or more than the size cap on disk. Run libFuzzer with
 * -rss_limit_mb=256: an input that costs more is a finding (the replay
 * driver checks the same bound).
 *
 * Built with libFuzzer when the compiler supports -fsanitize=fuzzer; built
 * with fuzz_replay.c as a replay driver that runs each file named on
 * the command line once, which the fetch test suite uses on its hostile
 * archives.
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "extract.h"
#include "fsutil.h"

#define CAP (8u << 20)

static char out_dir[] = "/tmp/fuzz-extract-XXXXXX";
static bool ready;

static void remove_out_dir(void)
{
	rmdir(out_dir);
}

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

/* What the BTF header of @path declares: the extractor must hold it to exactly that. */
static uint64_t declared_size(const char *path)
{
	uint32_t h[6];
	uint64_t types, strs;
	FILE *f = fopen(path, "rb");

	if (!f || fread(h, sizeof(h), 1, f) != 1)
		abort();
	fclose(f);
	/* little-endian: magic/version/flags, hdr_len, type_off/len, str_off/len */
	types = (uint64_t)h[2] + h[3];
	strs = (uint64_t)h[4] + h[5];
	return h[1] + (types > strs ? types : strs);
}

/* The directory must hold the result and nothing else afterwards. */
static void check_dir(int err)
{
	struct dirent *de;
	DIR *d = opendir(out_dir);
	int n = 0;

	if (!d)
		abort();
	while ((de = readdir(d))) {
		char path[512];
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		n++;
		snprintf(path, sizeof(path), "%s/%s", out_dir, de->d_name);
		if (err || strcmp(de->d_name, "k.btf") || lstat(path, &st) ||
		    !S_ISREG(st.st_mode) || st.st_size > CAP ||
		    declared_size(path) != (uint64_t)st.st_size)
			abort();
		unlink(path);
	}
	closedir(d);
	if (n != (err ? 0 : 1))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct extract_opts opts = { .max_size = CAP };
	char dest[128], why[512];
	int fd, err;

	if (!ready) {
		libbpf_set_print(silent);
		if (!mkdtemp(out_dir))
			abort();
		atexit(remove_out_dir);
		ready = true;
	}
	fd = memfd_create("archive", MFD_CLOEXEC);
	if (fd < 0 || write_all(fd, data, size))
		abort();
	snprintf(dest, sizeof(dest), "%s/k.btf", out_dir);
	err = extract__btf(fd, "k", dest, &opts, why, sizeof(why));
	close(fd);
	check_dir(err);
	return 0;
}
