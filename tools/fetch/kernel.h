/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One kernel to fetch and what became of it. The list owns every string in
 * it; kernel_list__free() releases them all.
 */
#ifndef BTFHUB_FETCH_KERNEL_H
#define BTFHUB_FETCH_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"
#include "sha256.h"

#define KERNEL_MAX_CANDIDATES LAYOUT_MAX_CANDIDATES

enum kernel_status {
	KERNEL_PENDING,
	KERNEL_FETCHED,		/* transferred and/or extracted this run */
	KERNEL_CACHED,		/* nothing transferred, output already up to date */
	KERNEL_FAILED,
};

/* A content ID from a listing (a git blob SHA-1 or SHA-256, hex) and its NUL. */
#define KERNEL_CONTENT_ID_LEN 65

struct kernel {
	/* As selected (manifest entry or source directory names). */
	char *distro, *version, *arch, *release;
	/* Canonical names used for the output and cache trees. */
	const char *out_version, *out_arch;
	/* Source-relative archive paths to try in order; candidates[0] is preferred. */
	char *candidates[KERNEL_MAX_CANDIDATES];
	int ncandidates;
	char want_sha256[SHA256_HEX_LEN];	/* "" when the manifest pins none */
	int manifest_idx;			/* entry index, -1 if not from the manifest */
	const char *want_from;			/* who pins want_sha256: "manifest" or "index" */
	uint64_t listed_size;			/* archive size a listing gave, 0 = unknown */
	char content_id[KERNEL_CONTENT_ID_LEN];	/* the listing's git blob SHA, "" = none */

	/* Results. */
	enum kernel_status status;
	char *url;		/* source URL or path the archive came from (or was last tried) */
	char *archive;		/* local archive path once obtained */
	char *output;		/* <out>/<distro>/<version>/<arch>/<release>.btf */
	char *error;		/* one-line reason when failed */
	char got_sha256[SHA256_HEX_LEN];
	uint64_t body_bytes;	/* body bytes received over the network this run */
	bool not_modified;	/* archive unchanged since the cached copy (304 or pinned hash) */
};

struct kernel_list {
	struct kernel *v;
	size_t n, cap;
};

/*
 * Append a kernel (strings are copied, and checked with
 * layout__part_invalid()); computes the canonical names and the candidate
 * paths. Returns the new entry or NULL with errno set (EINVAL: a bad part).
 */
struct kernel *kernel_list__add(struct kernel_list *l, const char *distro,
				const char *version, const char *arch,
				const char *release);
void kernel_list__free(struct kernel_list *l);
/* Free the strings of one entry (for callers removing it from a list). */
void kernel__clear(struct kernel *k);
/* "distro/version/arch/release" as written in the output tree (static buffer). */
const char *kernel__name(const struct kernel *k);
/* The same into @buf (thread-safe); returns @buf. */
char *kernel__name_r(const struct kernel *k, char *buf, size_t size);
/*
 * "<@out_dir>/<distro>/<version>/<arch>/<release>.btf", or the same relative
 * to the output tree when @out_dir is NULL (malloc()ed; NULL on ENOMEM).
 */
char *kernel__output_path(const struct kernel *k, const char *out_dir);
/* Mark failed with a printf-formatted reason (first failure wins). */
void kernel__fail(struct kernel *k, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
