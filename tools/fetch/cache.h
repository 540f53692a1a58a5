/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The cache directory: downloaded archives with their validators, partial
 * downloads, and stamps that record which archive produced an output file.
 *
 *   <cache>/src-<hash of base URL>/<distro>/<version>/<arch>/<release>.btf.tar.xz
 *        ... .btf.tar.xz.part    partial body, resumed with Range
 *        ... .btf.tar.xz.meta    "etag:", "last-modified:", "path:" of the archive
 *        ... .btf.tar.xz.part.meta  the same for the partial body (sent as If-Range)
 *        ... .btf.tar.xz.sum   sha256 of the archive: a file_digest record (fileid.h)
 *        ... .btf.tar.xz.lock  flock()ed by the run writing the entry (never removed)
 *   <cache>/out-<hash of output dir>/<distro>/<version>/<arch>/<release>.stamp
 */
#ifndef BTFHUB_FETCH_CACHE_H
#define BTFHUB_FETCH_CACHE_H

#include <stddef.h>

#include "sha256.h"

#include "kernel.h"

struct cache {
	char *dir;
	char *src_key;	/* "src-<16 hex>" */
	char *out_key;	/* "out-<16 hex>" */
	/*
	 * Suffix of a downloaded entry's file name; NULL = ".btf.tar.xz".
	 * btfhub-make's APT front end caches files under their own names ("").
	 */
	const char *suffix;
};

/*
 * @dir NULL: $XDG_CACHE_HOME/btfkit/fetch or ~/.cache/btfkit/fetch.
 * @source_base and @out_dir key the two subtrees. Returns 0 or -errno.
 */
int cache__init(struct cache *c, const char *dir, const char *source_base,
		const char *out_dir);
void cache__free(struct cache *c);
/* Archive path in the cache plus @suffix ("" for the archive itself); NULL on ENOMEM. */
char *cache__archive_path(const struct cache *c, const struct kernel *k, const char *suffix);

/*
 * The sha256 of @k's archive, open at @fd: read from its record
 * "<archive>.sum" in the cache while that record vouches for the file
 * (fileid.h: device, inode, size, mtime, ctime, settled), otherwise hashed
 * and recorded. So a no-change re-run costs a stat(), not a hash, per archive. Thread-safe
 * for distinct kernels. *@hashed (may be NULL): whether the file was read.
 * Returns 0 or a negative errno.
 */
int cache__archive_sha256(const struct cache *c, const struct kernel *k, int fd,
			  char hex[SHA256_HEX_LEN], bool *hashed);

/* Validators of a cached body; empty strings when unknown. */
struct cache_meta {
	char etag[256];
	char last_modified[128];
	char path[1024];	/* source-relative path it came from (which alias) */
};
int cache__meta_read(const char *path, struct cache_meta *meta);
int cache__meta_write(const char *path, const struct cache_meta *meta);

/*
 * True when k->output is a regular file and the stamp says it was extracted
 * from an archive with hash @sha256_hex and still is what was extracted: its
 * identity unchanged and settled (fileid.h), or else its content has the
 * digest recorded then.
 */
bool cache__output_current(const struct cache *c, const struct kernel *k,
			   const char *sha256_hex);
/* Record that k->output (just written) came from archive @sha256_hex, with its digest. */
int cache__stamp_write(const struct cache *c, const struct kernel *k,
		       const char *sha256_hex);
/*
 * True when a stamp records that btfhub-fetch wrote the output @rel
 * ("<d>/<v>/<a>/<r>.btf", relative to the output dir): the proof of
 * ownership --prune needs before it removes a file.
 */
bool cache__stamp_exists(const struct cache *c, const char *rel);
/* Forget the stamp of output @rel (after --prune removed the file). */
void cache__stamp_remove(const struct cache *c, const char *rel);

#endif
