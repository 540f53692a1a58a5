// SPDX-License-Identifier: BSD-2-Clause
/*
 * Fuzz target for btfhub-make's readers (tools/make/: package, image, ELF
 * and RPM parsing, decompression, BTF carving): any bytes as an input file
 * must give either one archive at its path or an error with nothing left
 * under the output tree, never a crash or a write elsewhere. Payloads are
 * capped at 64 MiB here so that a bomb costs little.
 *
 * Built with tests/fetch/fuzz_replay.c as a replay driver (each file named
 * on the command line once, peak RSS checked); the make suite replays its
 * mutated packages and images through it.
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

#include "fsutil.h"
#include "make.h"

static char out_dir[] = "/tmp/fuzz-make-XXXXXX";
static struct maker *maker;

static int silent(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

/* Remove everything under @dir (the tree one input made); count regular files. */
static int sweep(const char *dir, int depth)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d))) {
		char p[4096];

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR) {
			n += sweep(p, depth + 1);
			rmdir(p);
		} else {
			/* stamps (.btfhub-make) are not outputs */
			n += strstr(p, "/.btfhub-make/") == NULL;
			unlink(p);
		}
	}
	if (d)
		closedir(d);
	return n;
}

static void cleanup(void)
{
	sweep(out_dir, 0);
	rmdir(out_dir);
	maker__free(maker);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct make_input in = {
		.sz = sizeof(in), .distro = "debian", .version = "12", .arch = "x86_64",
		.release = "fuzz",
	};
	struct make_result res;
	int fd, err, files;

	if (!maker) {
		struct maker_opts o = { .sz = sizeof(o), .out_dir = out_dir, .force = true,
					.max_payload = 64ull << 20 };

		libbpf_set_print(silent);
		if (!mkdtemp(out_dir))
			abort();
		o.out_dir = out_dir;
		maker = maker__new(&o);
		if (!maker)
			abort();
		atexit(cleanup);
	}
	fd = memfd_create("fuzz-input", MFD_CLOEXEC);
	if (fd < 0 || write_all(fd, data, size))
		abort();
	err = maker__kernel(maker, "fuzz-input", fd, &in, &res);
	close(fd);
	files = sweep(out_dir, 0);
	/*
	 * made: exactly its archive; failed: nothing, and one line saying why;
	 * skipped (--prefer: an earlier input of this maker gave the same key
	 * the preferred kind): nothing.
	 */
	if (err ? files != 0 || !res.error[0] :
	    res.status == MAKE_SKIPPED ? files != 0 : files != 1 || res.status == MAKE_FAILED)
		abort();
	return 0;
}
