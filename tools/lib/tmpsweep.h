/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Temporary files a killed run leaves behind. Every tool writes an output
 * through a temporary file beside it, ".<name>.XXXXXX" (atomic_file, and
 * btfgen's bpftool output), held under an exclusive flock() for as long as
 * its writer lives. A temporary file that is not locked belongs to no
 * running writer: a run sweeps its output tree's stale ones at its start,
 * and --prune does too. Only names of that shape are ever touched.
 */
#ifndef BTFKIT_TMPSWEEP_H
#define BTFKIT_TMPSWEEP_H

#include <stdbool.h>
#include <time.h>
#include <stddef.h>

/* ".<something><suffix>.XXXXXX" (6 alphanumerics), e.g. suffix ".btf". */
bool tmpfile__is_ours(const char *name, const char *suffix);
/*
 * Remove @name in directory @dfd if it is a regular file (never followed
 * through a symlink) that no writer holds locked and, with @before, whose
 * mtime is older than *@before: a writer locks its file just after creating
 * it, so a sweeper that may run beside writers must leave files younger
 * than itself. 1 removed, 0 left (live, young, gone or not a regular file),
 * or a negative errno.
 */
int tmpfile__remove_stale(int dfd, const char *name, const struct timespec *before);
/*
 * Remove the stale temporary files named like tmpfile__is_ours(@suffix) in
 * @root and its directories down to @levels below it (symlinks not
 * followed), each logged (info) by its real path; one that cannot be
 * removed is a warning. Adds the count to *@removed. 0 or a negative errno
 * (a missing @root is 0).
 */
int tmpfile__sweep(const char *root, int levels, const char *suffix, size_t *removed);

#endif
