/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The one extractor of BTFHub archives (btfhub-fetch and btfgen), with one
 * policy: a .tar.xz holding exactly one regular member named <release>.btf
 * ("./<release>.btf" too, after at most a "./" directory entry); no links,
 * devices, absolute or ".." paths, sparse or extra members; the member at
 * most max_size bytes and valid BTF (libbpf parses it).
 *
 * The BTF header is checked as the member's first bytes arrive, before
 * anything is written: magic and version, and the lengths it declares,
 * which must equal the tar member's size and bound what is read. A member
 * of zeros or garbage fails on its first block, whatever size it claims.
 *
 * Every fault of the archive itself returns -EBADMSG. Any other error
 * (-EINTR, or the errno of a local create, write, map or rename) says
 * nothing about the archive: a caller keeps its cached copy.
 */
#ifndef BTFKIT_BTFHUB_EXTRACT_H
#define BTFKIT_BTFHUB_EXTRACT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"

#define EXTRACT_DEFAULT_MAX_SIZE LAYOUT_BTF_MAX

struct extract_opts {
	uint64_t max_size;	/* cap on the decompressed member; default EXTRACT_DEFAULT_MAX_SIZE */
	const volatile sig_atomic_t *cancel;	/* set (by a signal handler) to stop; NULL = never */
	/*
	 * Skip the libbpf parse of the member (the header and sizes are still
	 * checked): for a reader that parses it anyway and reports a failure
	 * itself (bpftool under btfgen), where it would be a second parse of
	 * every kernel. Default false.
	 */
	bool no_btf_parse;
};

/*
 * The archive is read from a descriptor, never by path: a caller opens it
 * once (open_regular()), hashes it from that descriptor and extracts from
 * the same one, so the bytes verified are the bytes used even if the path
 * is replaced in between. @archive_fd must be a regular file (-ESPIPE
 * otherwise, nothing read); it is read with pread() from offset 0, so its
 * file offset is left alone and one descriptor may serve several readers.
 */

/*
 * Stream the member "<@release>.btf" of the archive open at @archive_fd
 * into @fd, an empty regular file or memfd open for reading and writing (it
 * is mapped to check the BTF), and store its size in @size. Returns 0 or a
 * negative errno; on error, @why (of @why_size bytes) says what was wrong
 * with the archive in a few words (member names escaped) and @fd holds
 * garbage. Thread-safe.
 */
int extract__btf_fd(int archive_fd, const char *release, int fd,
		    const struct extract_opts *opts, uint64_t *size, char *why, size_t why_size);

/*
 * The same into @dest: a temporary file beside it, renamed into place once
 * checked, so @dest is either the old file or the complete new one, and
 * nothing is left beside it on error. Thread-safe.
 */
int extract__btf(int archive_fd, const char *release, const char *dest,
		 const struct extract_opts *opts, char *why, size_t why_size);

#endif
