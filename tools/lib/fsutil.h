/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * File helpers shared by the tools: nothing half-written ever appears at a
 * final path. Output goes to a temporary file in the destination directory
 * (same filesystem, so rename() is atomic) and is renamed into place only
 * once complete.
 */
#ifndef BTFKIT_FSUTIL_H
#define BTFKIT_FSUTIL_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>

struct atomic_file {
	char *path;		/* final path */
	char *tmp_path;		/* "<dir>/.<name>.XXXXXX" */
	int fd;
	FILE *fp;		/* lazily created by atomic_file__stdio() */
	/*
	 * Set after open to skip fsync() in commit: for records that are
	 * verified before use anyway, where a lost one only costs a redo.
	 */
	bool no_fsync;
};

/*
 * Create a temporary file beside @path; creates missing parent directories.
 * The temporary file is flock()ed (exclusive) while open, so a cleanup of
 * stale temp files can tell a live writer's file from an abandoned one.
 * Returns 0 or a negative errno. On success the caller must call exactly one
 * of atomic_file__commit() or atomic_file__abort().
 */
int atomic_file__open(struct atomic_file *af, const char *path);
/* A stdio stream on the temporary file (owned by @af). NULL + errno on error. */
FILE *atomic_file__stdio(struct atomic_file *af);
/* Flush, fsync (unless no_fsync), set mode 0644 and rename into place. Aborts on error. */
int atomic_file__commit(struct atomic_file *af);
/* Remove the temporary file. Safe to call on a committed/closed file. */
void atomic_file__abort(struct atomic_file *af);

/* Write @len bytes to @path atomically. Returns 0 or a negative errno. */
int write_file_atomic(const char *path, const void *data, size_t len);

/*
 * Read a whole regular file into a malloc()ed buffer (NUL-terminated, the
 * NUL not counted in *len). Files larger than @max_len give -EFBIG.
 */
int read_file(const char *path, void **data, size_t *len, size_t max_len);

/* mkdir -p, mode 0755. Returns 0 or a negative errno. */
int mkdir_p(const char *path);

/* Write all of @len bytes to @fd, retrying on EINTR/short writes. */
int write_all(int fd, const void *data, size_t len);

#endif
