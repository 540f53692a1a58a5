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
#include <stdint.h>
#include <sys/stat.h>

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
	bool direct;		/* written in place: stdout, a character device or a FIFO */
};

/*
 * Create a temporary file beside @path; creates missing parent directories.
 * The temporary file is flock()ed (exclusive) while open, so a cleanup of
 * stale temp files can tell a live writer's file from an abandoned one.
 * Outputs that are not files are written in place instead: "-" is standard
 * output, an existing character device (/dev/null) or FIFO is opened and
 * written directly. Nothing else that is not a regular file is replaced: a
 * symlink gives -ELOOP, a directory -EISDIR, anything else -EPERM (words
 * for them: atomic_file__strerror()). Returns 0 or a negative errno. On
 * success the caller must call exactly one of atomic_file__commit() or
 * atomic_file__abort().
 */
int atomic_file__open(struct atomic_file *af, const char *path);
/* The same, but @path's directory must exist (-ENOENT otherwise). */
int atomic_file__open_in(struct atomic_file *af, const char *path);
/* strerror() for atomic_file__open()'s refusals ("a symlink, not replaced"). */
const char *atomic_file__strerror(int err);
/* A stdio stream on the temporary file (owned by @af). NULL + errno on error. */
FILE *atomic_file__stdio(struct atomic_file *af);
/* Flush, fsync (unless no_fsync), set mode 0644 and rename into place. Aborts on error. */
int atomic_file__commit(struct atomic_file *af);
/* Remove the temporary file. Safe to call on a committed/closed file. */
void atomic_file__abort(struct atomic_file *af);

/* Write @len bytes to @path atomically. Returns 0 or a negative errno. */
int write_file_atomic(const char *path, const void *data, size_t len);
/*
 * The same without fsync(): for records that are verified before use
 * anyway, where one lost in a crash only costs a redo (atomic_file.no_fsync).
 */
int write_file_atomic_nosync(const char *path, const void *data, size_t len);

/*
 * The one bounded-read rule for untrusted files: open without ever blocking
 * (a FIFO is opened O_NONBLOCK) and accept only a regular file: -EISDIR for a
 * directory, -ESPIPE for a FIFO, device or socket (/dev/zero never gets read).
 * *st gets the file's fstat(). Returns the fd (O_CLOEXEC) or a negative errno.
 */
int open_regular(const char *path, struct stat *st);

/*
 * Read a whole regular file (open_regular()) into a malloc()ed buffer
 * (NUL-terminated, the NUL not counted in *len). A file larger than @max_len
 * gives -EFBIG before anything is allocated for it.
 */
int read_file(const char *path, void **data, size_t *len, size_t max_len);

/*
 * An output directory a user named: 0 if it is a directory (or a symlink to
 * one) or does not exist yet, -ENOTDIR if it is anything else (/dev/null).
 */
int output_dir__check(const char *path);
/* "dir/" -> "dir" in place, so that the paths a tool prints and writes read cleanly. */
void output_dir__strip_slashes(char *path);
/* Both name one existing directory (writing one's outputs over the other's inputs). */
bool output_dir__same(const char *a, const char *b);
/* pread() exactly @len bytes at @off: 0, -ENODATA if the file ends first, or -errno. */
int read_full_at(int fd, void *buf, size_t len, uint64_t off);

/* mkdir -p, mode 0755. Returns 0 or a negative errno. */
int mkdir_p(const char *path);

/* Write all of @len bytes to @fd, retrying on EINTR/short writes. */
int write_all(int fd, const void *data, size_t len);

#endif
