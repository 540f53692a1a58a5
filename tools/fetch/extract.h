/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Extraction of one BTFHub archive: a .tar.xz holding exactly one regular
 * member named <release>.btf. The member is streamed through libarchive into
 * a temporary file beside the destination, checked to parse as BTF (libbpf)
 * and only then renamed into place, so the destination is either the old
 * file, or the complete new one.
 */
#ifndef BTFHUB_FETCH_EXTRACT_H
#define BTFHUB_FETCH_EXTRACT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#define EXTRACT_DEFAULT_MAX_SIZE (512ull << 20)

struct extract_opts {
	size_t sz;
	uint64_t max_size;	/* cap on the decompressed member; default EXTRACT_DEFAULT_MAX_SIZE */
	const volatile sig_atomic_t *cancel;	/* set (by a signal handler) to stop; NULL = never */
};
#define extract_opts__last_field cancel

/*
 * Extract @archive's member "<@release>.btf" to @dest. Returns 0 or a
 * negative errno; on error, @why (of @why_size bytes) says what was wrong
 * with the archive in a few words, and nothing is left at or beside @dest.
 * Thread-safe.
 */
int extract__btf(const char *archive, const char *release, const char *dest,
		 const struct extract_opts *opts, char *why, size_t why_size);

#endif
