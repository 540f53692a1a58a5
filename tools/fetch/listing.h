/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The archives a source holds, as its listing backends (github.c, index.c,
 * autoindex.c) fill them in and lister.c (which picks the backend) returns
 * them: every key goes through listing__add(), the one check of a name
 * taken from a listing. This container calls no backend.
 */
#ifndef BTFHUB_FETCH_LISTING_H
#define BTFHUB_FETCH_LISTING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel.h"
#include "sha256.h"
#include "transfer.h"

#define LISTING_DEFAULT_MAX_BYTES (64ull << 20)
/*
 * More archives than BTFHub will ever hold (about 4,300 today), and GitHub's
 * own limit for one recursive trees answer. What bounds a listing's memory
 * once its answers are streamed: ~310 bytes an entry, 31 MB at the cap.
 */
#define LISTING_MAX_ENTRIES 100000
/*
 * And what those entries may take in all (struct, key copies, allocator
 * overhead): BTFHub's ~45-byte keys take ~310 bytes an entry, 31 MB at the
 * cap; keys of the longest names allowed (LAYOUT_KEY_MAX) hit this first.
 */
#define LISTING_MAX_ENTRY_BYTES (36u << 20)
/* Warnings about refused keys before a hostile listing is summarised instead. */
#define LISTING_MAX_KEY_WARNINGS 10

struct listing_entry {
	char *path;		/* "<distro>/<version>/<arch>/<release>.btf.tar.xz" */
	char *seg[4];		/* distro, version, arch, release (one allocation) */
	uint64_t size;		/* 0 = unknown */
	char sha256[SHA256_HEX_LEN];	/* "" = unknown (only an index has it) */
	char content_id[KERNEL_CONTENT_ID_LEN];	/* git blob SHA (GitHub), "" = none */
};

struct listing {
	struct listing_entry *v;
	size_t n, cap;
	const char *kind;	/* "directory", "github", "index", "autoindex" */
	uint64_t bytes;		/* listing bytes received (or read from the cache) */
	size_t requests;	/* requests sent for it */
	size_t entry_bytes;	/* what the entries take (LISTING_MAX_ENTRY_BYTES) */
	size_t rejected;	/* keys refused by listing__add() */
	size_t off_layout;	/* archives above the layout (layout__off_layout()) */
	char *off_example;	/* the first of them */
};

struct listing_opts {
	const struct transfer_opts *transfer;	/* timeouts; NULL = the defaults */
	const char *cache_dir;	/* listing cache; NULL = none */
	uint64_t max_bytes;	/* cap on all listing responses; default 64 MiB */
};

void listing__free(struct listing *l);
/* Drop the entries from index @n on: what a refused answer had added. */
void listing__truncate(struct listing *l, size_t n);

/*
 * Add the archive at source-relative @path, when it names one: exactly
 * "<distro>/<version>/<arch>/<release>.btf.tar.xz", with a key that
 * layout__parse_key() accepts. @sha256 may be NULL. Returns 0,
 * -EINVAL for a name that is not a kernel archive (when it ends in
 * .btf.tar.xz, counted in l->rejected and warned about, naming @origin;
 * other files are skipped silently), -ENOMEM, or -E2BIG past
 * LISTING_MAX_ENTRIES or LISTING_MAX_ENTRY_BYTES (reported here, naming
 * @origin).
 */
int listing__add(struct listing *l, const char *origin, const char *path,
		 uint64_t size, const char *sha256);

/* Count and warn about (escaped, the first few) a name refused from @origin. */
void listing__reject(struct listing *l, const char *origin, const char *name);

/* Budget left for one more response: max_bytes minus what was received. */
uint64_t listing__budget(const struct listing *l, const struct listing_opts *o);

/* Sort by path and drop repeated paths (a hostile listing may repeat). */
void listing__sort(struct listing *l);

#endif
