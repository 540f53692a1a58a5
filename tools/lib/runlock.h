/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One run at a time on what a run reads, modifies and writes back: a
 * manifest (--add, --update-manifest) or an output directory (fetch,
 * extract, --prune). An exclusive flock() on a lock file beside it, held
 * for the whole read-modify-write, so that two runs never interleave their
 * reads and writes (a lost --add, a prune of a kernel another run just
 * extracted). The file itself is replaced by rename(), so it cannot carry
 * the lock: the lock file is "<dir>/.<name>.lock" for a file and
 * "<dir>/.btfkit.lock" for a directory, never removed (removing it would
 * let a third run lock a new inode while the second holds the old).
 */
#ifndef BTFKIT_RUNLOCK_H
#define BTFKIT_RUNLOCK_H

#include <stdbool.h>

/*
 * Lock @path (@is_dir: a directory) exclusively, waiting for another run
 * that holds it; the wait is said once (info). Returns the lock's fd (keep
 * it open for the whole read-modify-write) or a negative errno.
 */
int runlock__acquire(const char *path, bool is_dir);
/* Release a lock from runlock__acquire() (fd < 0: nothing). */
void runlock__release(int fd);

#endif
