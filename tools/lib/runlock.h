/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One run at a time on what a run reads, modifies and writes back: a
 * manifest (--add, --update-manifest) or an output directory (fetch,
 * extract, --prune). An exclusive flock() held for the whole
 * read-modify-write, so that two runs never interleave their reads and
 * writes (a lost --add, a prune of a kernel another run just extracted).
 * A manifest is replaced by rename(), so it cannot carry the lock, and a
 * lock file would be litter in a user's tree: the lock is taken on the
 * directory itself (the output directory, or the one holding the
 * manifest), whose inode stays. Two manifests in one directory share it.
 */
#ifndef BTFKIT_RUNLOCK_H
#define BTFKIT_RUNLOCK_H

/*
 * Lock the directory @dir exclusively, waiting for another run that holds
 * it (said once, at info level). @held (or -1): a lock this process holds
 * already; if it is the same directory, it is not taken twice (flock()
 * locks of two descriptors conflict even within one process) and -1 is
 * returned. Returns the lock's fd (keep it open for the whole
 * read-modify-write), -1 (already held), or a negative errno below -1.
 */
int runlock__dir(const char *dir, int held);
/* The same for the directory holding the file @path. */
int runlock__file(const char *path, int held);
/* Release a lock (fd < 0: nothing). */
void runlock__release(int fd);

#endif
