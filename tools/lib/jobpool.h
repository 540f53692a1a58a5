/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A small worker pool of child processes: up to N children run at once,
 * each started with posix_spawn() (no shell), each one's stderr captured,
 * and a callback runs when it exits.
 *
 * Every job goes through prepare() -> spawn -> done() inside one worker
 * thread, so the per-job work around the child (hashing, unpacking an
 * archive, validating the result) runs in parallel too rather than
 * serialising in the parent. Callbacks therefore run concurrently and must
 * only touch per-job state or take their own locks.
 */
#ifndef BTFKIT_JOBPOOL_H
#define BTFKIT_JOBPOOL_H

#include <stdbool.h>
#include <signal.h>
#include <stddef.h>

/* prepare() return values besides 0 (= spawn the argv it set). */
#define JOBPOOL_SKIP	1	/* nothing to spawn; done() is not called */

/*
 * The descriptor child_fd() hands over is this one in the child, so the
 * child can open it as "/proc/self/fd/3" (JOBPOOL_CHILD_FD_PATH).
 */
#define JOBPOOL_CHILD_FD	3
#define JOBPOOL_CHILD_FD_PATH	"/proc/self/fd/3"

struct jobpool_ops {
	/*
	 * Called in a worker thread for job @idx. Return 0 after pointing
	 * *argv at a NULL-terminated vector (argv[0] is a path, not looked up
	 * in PATH; owned by @ctx, valid until done() returns), JOBPOOL_SKIP if
	 * there is nothing to run, or a negative errno, which is passed to
	 * done() as @status without spawning.
	 */
	int (*prepare)(void *ctx, size_t idx, char *const **argv);
	/*
	 * Called in the same worker thread once the child has exited.
	 * @status is the waitpid() status, or a negative errno if prepare()
	 * or posix_spawn() failed. @output holds the child's stderr (and
	 * stdout if capture_stdout), NUL-terminated, truncated to
	 * output_max bytes; it is freed after done() returns.
	 * Return non-zero to stop the pool: no further job is started.
	 */
	int (*done)(void *ctx, size_t idx, int status, const char *output,
		    size_t output_len);
	/*
	 * Optional, called after prepare() returned 0: a descriptor (owned by
	 * @ctx, open until done()) to pass to the child as JOBPOOL_CHILD_FD,
	 * or -1 for none. Every other descriptor stays close-on-exec.
	 */
	int (*child_fd)(void *ctx, size_t idx);
	/*
	 * Optional: the next job to run, in the order its inputs become
	 * ready (a streamed run), blocking until one is; -1 when none is
	 * left. Called concurrently from the workers, without the pool's
	 * lock. Default: 0..njobs-1 in index order.
	 */
	long (*take)(void *ctx);
};

struct jobpool_opts {
	int jobs;		/* parallel children; default: online CPUs */
	size_t output_max;	/* bytes of output kept per child; default 64 KiB */
	bool capture_stdout;	/* also capture stdout; default: to /dev/null */
	/* polled before each job starts; non-zero stops the pool (signals) */
	const volatile sig_atomic_t *stop;
	/* the children's environment; default: this process's (environ) */
	char *const *envp;
};

/*
 * Run jobs 0..@njobs-1 in index order on a pool of worker threads.
 * Returns 0 when every job ran, -ECANCELED if done() or *stop ended the pool
 * early, or a negative errno if the pool could not start.
 */
int jobpool__run(size_t njobs, const struct jobpool_ops *ops, void *ctx,
		 const struct jobpool_opts *opts);

/*
 * Run one child synchronously and collect its stdout and stderr
 * (interleaved) into a malloc()ed, NUL-terminated *output (caller frees).
 * *status receives the waitpid() status. Returns 0 or a negative errno.
 */
int jobpool__run_capture(char *const argv[], int *status, char **output,
			 size_t output_max);

/* Number of online CPUs, at least 1. */
int jobpool__ncpus(void);

#endif
