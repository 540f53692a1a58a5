/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The one rule every "no change" shortcut in btfkit rests on (btfgen's
 * input hints and bpftool probe, btfhub-fetch's archive sums and output
 * stamps, embedgen's own identity): a file is the same file while its
 * identity is, and its identity is what an in-place rewrite changes.
 *
 * Size and mtime are not enough: `cp --preserve`, `touch -d`, tar and
 * rsync set mtime back, and a rewrite of the same length keeps the size.
 * ctime cannot be set from user space; every write, truncate, chmod or
 * rename moves it. So the identity is device, inode, size, mtime and
 * ctime, and a digest taken of a file stands for it later only if
 *   - the identity is unchanged, and
 *   - the file's ctime was at least FILE_ID_SETTLE_NS older than the clock
 *     when the digest was taken: a change within the same timestamp tick
 *     as the read (jiffies on ext4, a second on ext3 or some NFS servers)
 *     would otherwise keep the ctime ("racily clean", as git calls it).
 * A record that is not settled is still useful: its digest is compared
 * against the content, never trusted without reading it.
 */
#ifndef BTFKIT_FILEID_H
#define BTFKIT_FILEID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "sha256.h"

/* Coarsest timestamp granularity trusted: one second (ext3, FAT's ctime, NFSv3). */
#define FILE_ID_SETTLE_NS 1000000000LL

struct file_id {
	uint64_t dev;
	uint64_t ino;
	uint64_t size;
	int64_t mtime_ns;
	int64_t ctime_ns;
};

void file_id__from_stat(struct file_id *id, const struct stat *st);
bool file_id__equal(const struct file_id *a, const struct file_id *b);

/*
 * A digest record, one line that a caller may embed in its own file:
 *	"<sha256 hex> <dev> <ino> <size> <mtime_ns> <ctime_ns> settled|unsettled"
 * "settled" when the ctime was at least FILE_ID_SETTLE_NS older than the
 * clock when the digest was taken (before reading). No time of its own, so
 * the same file gives the same record.
 */
#define FILE_DIGEST_REC_MAX 192

struct file_digest {
	char hex[SHA256_HEX_LEN];
	struct file_id id;
	bool settled;
};

/* Fill @r for a file of @st whose content (read after @taken) has digest @hex. */
void file_digest__set(struct file_digest *r, const struct stat *st, const char *hex,
		      const struct timespec *taken);
/* The record as text, no newline; returns its length. */
int file_digest__format(const struct file_digest *r, char buf[FILE_DIGEST_REC_MAX]);
/* Parse a record at @s (ended by NUL or newline). 0 or -EINVAL. */
int file_digest__parse(const char *s, struct file_digest *r);
/* True when @r was taken of the file of @st: the same identity. */
bool file_digest__same(const struct file_digest *r, const struct stat *st);
/*
 * True when @r's digest may be used for the file of @st without reading it:
 * the same identity, and settled (see above).
 */
bool file_digest__trusted(const struct file_digest *r, const struct stat *st);

/*
 * The SHA-256 of the file open at @fd, from the record file @record_path if
 * it is trusted for fstat(@fd), else by reading the file, after which the
 * record is rewritten (atomically, without fsync: a lost record only costs a
 * hash). @record_path NULL: always hash. *@hashed (may be NULL) says whether
 * the content was read. Returns 0 or a negative errno.
 */
int file_digest__fd(int fd, const char *record_path, char hex[SHA256_HEX_LEN], bool *hashed);
/* Read a record file (a single record line). 0, -ENOENT or -EINVAL. */
int file_digest__read(const char *record_path, struct file_digest *r);
/* Write @r as a record file (atomic, no fsync). 0 or a negative errno. */
int file_digest__write(const char *record_path, const struct file_digest *r);

#endif
