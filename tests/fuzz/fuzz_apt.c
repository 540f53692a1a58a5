// SPDX-License-Identifier: BSD-2-Clause
/*
 * Fuzz target for the APT front end's parsers (tools/apt): the first byte
 * picks one (0: deb822 fed in chunks whose sizes come from the input, 1: an
 * InRelease, clearsigned body then Release and its SHA256 list, 2: a
 * Packages index, compressed or not, through libarchive's filters), the rest
 * is what a hostile repository serves. Any bytes must give an error or
 * fields within their caps, never a crash, a leak (ASan) or an allocation
 * beyond the caps (-malloc_limit_mb).
 *
 * libFuzzer with clang (tests/fuzz/meson.build); tests/fetch/fuzz_replay.c
 * makes a driver that the make-apt suite runs on its hostile inputs.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "deb822.h"
#include "packages.h"
#include "release.h"

static int check_para(const struct deb822_para *p, void *ctx)
{
	size_t i;

	(void)ctx;
	if (!p->n || p->n > DEB822_FIELDS_MAX)
		abort();
	for (i = 0; i < p->n; i++) {
		const struct deb822_field *f = &p->fields[i];

		if (!f->name_len || f->name_len > DEB822_NAME_MAX || f->value_len > DEB822_PARA_MAX ||
		    strlen(f->value) != f->value_len || strlen(f->name) != f->name_len)
			abort();
	}
	return 0;
}

/*
 * The product's rule (packages.c), restated independently: no empty, "."
 * or ".." segment. A ".." inside a name ("linux-image-..1.0") is a name.
 */
static bool leaves_repo(const char *path)
{
	const char *seg = path, *end;
	size_t n;

	for (;; seg = end + 1) {
		end = strchr(seg, '/');
		n = end ? (size_t)(end - seg) : strlen(seg);
		if (!n || (n == 1 && seg[0] == '.') || (n == 2 && seg[0] == '.' && seg[1] == '.'))
			return true;
		if (!end)
			return false;
	}
}

static int check_pkg(const struct apt_pkg *p, void *ctx)
{
	(void)ctx;
	if (!p->bad && (leaves_repo(p->filename) ||
			strlen(p->sha256) != SHA256_HEX_LEN - 1 || p->size > PACKAGES_SIZE_MAX))
		abort();
	return 0;
}

static void fuzz_deb822(const uint8_t *data, size_t size)
{
	struct deb822 *d = deb822__new(check_para, NULL);
	size_t off = 0, step = size ? data[0] % 61 + 1 : 1;
	int err = 0;

	while (!err && off < size) {
		size_t n = size - off < step ? size - off : step;

		err = deb822__feed(d, data + off, n);
		off += n;
	}
	if (!err)
		deb822__finish(d);
	deb822__free(d);
}

static void fuzz_release(const uint8_t *data, size_t size)
{
	const char *paths[] = { "main/binary-amd64/Packages.xz", "a", "" };
	uint8_t digest[SHA256_DIGEST_LEN];
	struct release r;
	char *body, why[256];
	size_t len, i;
	uint64_t sz;

	if (!release__clearsigned_body((const char *)data, size, &body, &len, why, sizeof(why))) {
		if (strlen(body) != len)
			abort();
		free(body);
	}
	body = malloc(size + 1);
	memcpy(body, data, size);
	body[size] = '\0';
	if (!release__parse(&r, body, size, why, sizeof(why)))
		for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
			release__find(&r, paths[i], &sz, digest);
	release__free(&r);
}

static void fuzz_packages(const uint8_t *data, size_t size)
{
	const char *globs[] = { "linux-image-*", "*", NULL };
	int fd = memfd_create("packages", MFD_CLOEXEC);
	char why[256];

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	packages__read(fd, &(struct packages_opts){
		.sz = sizeof(struct packages_opts),
		.globs = globs,
		.max_bytes = 16 << 20,
	}, check_pkg, NULL, why, sizeof(why));
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	switch (data[0] % 3) {
	case 0: fuzz_deb822(data + 1, size - 1); break;
	case 1: fuzz_release(data + 1, size - 1); break;
	default: fuzz_packages(data + 1, size - 1); break;
	}
	return 0;
}
