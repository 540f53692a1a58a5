// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jobpool.h"

extern char **environ;

#define JOBPOOL_OUTPUT_MAX (64 * 1024)

struct jobpool {
	const struct jobpool_ops *ops;
	void *ctx;
	size_t njobs;
	size_t next;		/* next job index to hand out */
	bool stopped;
	size_t output_max;
	bool capture_stdout;
	const volatile sig_atomic_t *stop;
	char *const *envp;
	pthread_mutex_t lock;
};

int jobpool__ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}

/*
 * The child's descriptors: stdin from /dev/null, stderr (and stdout if
 * @capture_stdout, else /dev/null) to @pipe_w, @child_fd (if >= 0) as
 * JOBPOOL_CHILD_FD. *@moved_fd gets a copy the caller closes. Returns 0 or a
 * positive errno, as posix_spawn does.
 */
static int child_fds(posix_spawn_file_actions_t *fa, int pipe_w, bool capture_stdout,
		     int child_fd, int *moved_fd)
{
	int err;

	err = posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY, 0);
	err = err ?: (capture_stdout ?
		      posix_spawn_file_actions_adddup2(fa, pipe_w, 1) :
		      posix_spawn_file_actions_addopen(fa, 1, "/dev/null", O_WRONLY, 0));
	err = err ?: posix_spawn_file_actions_adddup2(fa, pipe_w, 2);
	/* dup2 onto itself would keep close-on-exec on older C libraries */
	if (child_fd == JOBPOOL_CHILD_FD && !err) {
		*moved_fd = fcntl(child_fd, F_DUPFD_CLOEXEC, JOBPOOL_CHILD_FD + 1);
		if (*moved_fd < 0)
			err = errno;
		child_fd = *moved_fd;
	}
	if (child_fd >= 0)
		err = err ?: posix_spawn_file_actions_adddup2(fa, child_fd, JOBPOOL_CHILD_FD);
	return err;
}

/* Read @fd to EOF, keeping its first @max bytes in @buf; returns how many were kept. */
static size_t read_capped(int fd, char *buf, size_t max)
{
	size_t len = 0;

	for (;;) {
		char drain[4096];
		ssize_t n;

		/* Keep reading past the limit so the child never blocks. */
		if (len < max)
			n = read(fd, buf + len, max - len);
		else
			n = read(fd, drain, sizeof(drain));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (len < max)
			len += n;
	}
	return len;
}

/*
 * Spawn @argv with stderr (and optionally stdout) on a pipe, read it to EOF
 * and reap the child. The pipe is O_CLOEXEC so that children spawned by
 * other threads at the same moment do not inherit its write end, which would
 * hold our EOF back until they exit.
 */
static int spawn_capture(char *const argv[], char *const envp[], bool capture_stdout,
			 int child_fd, size_t output_max, int *status, char **output,
			 size_t *output_len)
{
	posix_spawn_file_actions_t fa;
	int pfd[2] = { -1, -1 };
	char *buf = NULL;
	size_t len = 0;
	bool fa_init = false;
	pid_t pid = -1;
	int moved_fd = -1, err;

	*output = NULL;
	*output_len = 0;
	buf = malloc(output_max + 1);
	if (!buf)
		return -ENOMEM;
	if (pipe2(pfd, O_CLOEXEC)) {
		err = -errno;
		goto out;
	}
	err = posix_spawn_file_actions_init(&fa);
	if (err) {
		err = -err;
		goto out;
	}
	fa_init = true;
	err = child_fds(&fa, pfd[1], capture_stdout, child_fd, &moved_fd);
	err = err ?: posix_spawn(&pid, argv[0], &fa, NULL, argv, envp ?: environ);
	if (err) {
		err = -err;
		pid = -1;
		goto out;
	}
	close(pfd[1]);
	pfd[1] = -1;
	len = read_capped(pfd[0], buf, output_max);
	while (waitpid(pid, status, 0) < 0) {
		if (errno != EINTR) {
			err = -errno;
			goto out;
		}
	}
	pid = -1;
	buf[len] = '\0';
	*output = buf;
	*output_len = len;
	buf = NULL;
out:
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	if (fa_init)
		posix_spawn_file_actions_destroy(&fa);
	if (moved_fd >= 0)
		close(moved_fd);
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	free(buf);
	return err;
}

int jobpool__run_capture(char *const argv[], int *status, char **output,
			 size_t output_max)
{
	size_t len;

	return spawn_capture(argv, NULL, true, -1, output_max ?: JOBPOOL_OUTPUT_MAX,
			     status, output, &len);
}

/* Hand out the next job index, or -1 once the pool is done or stopped. */
static long pool_take(struct jobpool *p)
{
	long idx = -1;
	bool streamed = p->ops->take != NULL;

	pthread_mutex_lock(&p->lock);
	if (p->stop && *p->stop)
		p->stopped = true;
	if (!p->stopped && !streamed && p->next < p->njobs)
		idx = (long)p->next++;
	if (!p->stopped && streamed)
		idx = 0;
	pthread_mutex_unlock(&p->lock);
	if (!streamed || idx < 0)
		return idx;
	/* The caller's queue blocks: never while holding the pool's lock. */
	idx = p->ops->take(p->ctx);
	if (idx >= (long)p->njobs)
		idx = -1;
	pthread_mutex_lock(&p->lock);
	/* done() may have stopped the pool (fail-fast) while take() waited. */
	if (p->stopped || (p->stop && *p->stop))
		idx = -1;
	if (idx >= 0)
		p->next++;
	pthread_mutex_unlock(&p->lock);
	return idx;
}

static void *pool_worker(void *arg)
{
	struct jobpool *p = arg;
	long idx;

	while ((idx = pool_take(p)) >= 0) {
		char *const *argv = NULL;
		char *output = NULL;
		size_t output_len = 0;
		int status, err;

		err = p->ops->prepare(p->ctx, idx, &argv);
		if (err == JOBPOOL_SKIP)
			continue;
		if (!err)
			err = spawn_capture(argv, p->envp, p->capture_stdout,
					    p->ops->child_fd ? p->ops->child_fd(p->ctx, idx) : -1,
					    p->output_max, &status, &output,
					    &output_len);
		if (err)
			status = err;
		err = p->ops->done(p->ctx, idx, status, output ?: "", output_len);
		free(output);
		if (err) {
			pthread_mutex_lock(&p->lock);
			p->stopped = true;
			pthread_mutex_unlock(&p->lock);
		}
	}
	return NULL;
}

int jobpool__run(size_t njobs, const struct jobpool_ops *ops, void *ctx,
		 const struct jobpool_opts *opts)
{
	struct jobpool p = {
		.ops = ops,
		.ctx = ctx,
		.njobs = njobs,
		.output_max = JOBPOOL_OUTPUT_MAX,
	};
	pthread_t *threads = NULL;
	int nthreads = 0, jobs, i, err = 0;

	jobs = opts && opts->jobs > 0 ? opts->jobs : jobpool__ncpus();
	if (opts) {
		p.output_max = opts->output_max ?: JOBPOOL_OUTPUT_MAX;
		p.capture_stdout = opts->capture_stdout;
		p.stop = opts->stop;
		p.envp = opts->envp;
	}
	if ((size_t)jobs > njobs)
		jobs = (int)njobs;
	if (jobs == 0)
		return 0;
	threads = calloc(jobs, sizeof(*threads));
	if (!threads)
		return -ENOMEM;
	pthread_mutex_init(&p.lock, NULL);
	for (i = 0; i < jobs; i++) {
		err = pthread_create(&threads[i], NULL, pool_worker, &p);
		if (err) {
			/* Run with the threads we got; fail only if none. */
			err = nthreads ? 0 : -err;
			break;
		}
		nthreads++;
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	pthread_mutex_destroy(&p.lock);
	free(threads);
	if (!err && p.stopped && p.next < p.njobs)
		err = -ECANCELED;
	return err;
}
