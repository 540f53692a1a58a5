/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A Packages index (Packages.xz, .gz or plain, told apart by content with
 * libarchive's filters), streamed through the deb822 parser: the packages
 * whose name matches a glob, with what is needed to download and verify
 * them. The index itself must already be verified against its Release.
 */
#ifndef BTFKIT_APT_PACKAGES_H
#define BTFKIT_APT_PACKAGES_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "sha256.h"

/* Largest decompressed index (Debian's main/amd64 is ~50 MB): more is a bomb. */
#define PACKAGES_DEFAULT_MAX (1ull << 30)
/* Longest Package and Version values accepted for a selected package. */
#define PACKAGES_NAME_MAX 128
#define PACKAGES_VERSION_MAX 128
/* Largest package a Size may claim (a -dbg kernel package is ~1 GB). */
#define PACKAGES_SIZE_MAX (8ull << 30)

/* One package of the index, valid during the callback only. */
struct apt_pkg {
	const char *name, *version, *arch;
	const char *filename;	/* pool path relative to the repository URL */
	uint64_t size;
	char sha256[SHA256_HEX_LEN];
	uint64_t line;		/* of its paragraph in the index */
	/*
	 * Why the package's fields cannot be trusted (a Filename that leaves
	 * the repository, no SHA256, an absurd Size), or NULL: the caller fails
	 * this package, not the index.
	 */
	const char *bad;
};

struct packages_opts {
	size_t sz;
	const char *const *globs;	/* fnmatch() patterns on Package; NULL-terminated */
	uint64_t max_bytes;		/* decompressed cap; default PACKAGES_DEFAULT_MAX */
	const volatile sig_atomic_t *cancel;	/* NULL = never */
};
#define packages_opts__last_field cancel

typedef int (*packages_fn)(const struct apt_pkg *p, void *ctx);

/*
 * Read the index open at @fd (read from offset 0) and call @fn for each
 * package whose name matches. Returns 0, @fn's error, -EINTR, or -EBADMSG /
 * -EFBIG with @why ("line N: ..." or "decompressed over N bytes").
 */
int packages__read(int fd, const struct packages_opts *o, packages_fn fn, void *ctx,
		   char *why, size_t why_sz);

#endif
