// SPDX-License-Identifier: BSD-2-Clause
/*
 * tools/lib/jobpool: children really run in parallel but never more than
 * N at once, each one's stderr reaches its own callback, exit statuses and
 * spawn failures come back, output is capped, done() != 0 stops the pool,
 * child_fd() hands one descriptor to the child as /proc/self/fd/3, and
 * take() runs the jobs a feeder releases, in its order, as it releases them.
 * The children are /bin/sh scripts only because they are a convenient
 * portable child; the pool itself never uses a shell.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jobpool.h"

static int failures;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);	\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		failures++;						\
	}								\
} while (0)

#define NJOBS 8

struct ctx {
	char *argv[NJOBS][5];
	char script[NJOBS][256];
	int status[NJOBS];
	char output[NJOBS][1024];
	int done_cnt;
	int stop_after;		/* done() returns 1 once this many finished */
	pthread_mutex_t lock;
	const char *dir;	/* running-children markers live here */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Job i: marks itself running (a file in dir), records how many are running
 * at that moment in the error text, sleeps, then exits with status i.
 */
static int prepare(void *vctx, size_t i, char *const **argv)
{
	struct ctx *c = vctx;

	if (i == 5)
		return JOBPOOL_SKIP;
	snprintf(c->script[i], sizeof(c->script[i]),
		 "touch %s/run.%zu; echo job%zu running=$(ls %s | wc -l) >&2; "
		 "echo to-stdout; sleep 0.5; rm %s/run.%zu; exit %zu",
		 c->dir, i, i, c->dir, c->dir, i, i);
	c->argv[i][0] = i == 6 ? "/nonexistent/child" : "/bin/sh";
	c->argv[i][1] = "-c";
	c->argv[i][2] = c->script[i];
	c->argv[i][3] = NULL;
	*argv = c->argv[i];
	return 0;
}

static int done(void *vctx, size_t i, int status, const char *out, size_t len)
{
	struct ctx *c = vctx;
	int stop;

	c->status[i] = status;
	snprintf(c->output[i], sizeof(c->output[i]), "%s", out);
	pthread_mutex_lock(&c->lock);
	stop = ++c->done_cnt >= c->stop_after;
	pthread_mutex_unlock(&c->lock);
	return stop;
}

/* child_fd(): job i reads its own memfd, whose text names i. */
static int fds[2];
static char *cat_argv[] = { "/bin/cat", JOBPOOL_CHILD_FD_PATH, NULL };
static char *ls_argv[] = { "/bin/ls", "-l", "/proc/self/fd/", NULL };
static char **fd_argv;

static int fd_prepare(void *vctx, size_t i, char *const **argv)
{
	*argv = fd_argv;
	return 0;
}

static int fd_child(void *vctx, size_t i)
{
	return fds[i];
}

/*
 * A streamed run: a feeder thread releases jobs 3, 0, 2 (never 1), the
 * first only after 0.3 s; take() blocks until one is released.
 */
struct feed {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	long order[4], started[4];
	int n, taken, nstarted;
	bool ended;
	double released_at, first_started_at;
};

static long feed_take(void *vctx)
{
	struct feed *f = vctx;
	long idx = -1;

	pthread_mutex_lock(&f->lock);
	while (f->taken == f->n && !f->ended)
		pthread_cond_wait(&f->cond, &f->lock);
	if (f->taken < f->n)
		idx = f->order[f->taken++];
	pthread_mutex_unlock(&f->lock);
	return idx;
}

static char *true_argv[] = { "/bin/true", NULL };

static int feed_prepare(void *vctx, size_t i, char *const **argv)
{
	struct feed *f = vctx;

	pthread_mutex_lock(&f->lock);
	if (!f->nstarted)
		f->first_started_at = now();
	f->started[f->nstarted++] = (long)i;
	pthread_mutex_unlock(&f->lock);
	*argv = true_argv;
	return 0;
}

static int feed_done(void *vctx, size_t i, int status, const char *out, size_t len)
{
	return 0;
}

static void *feeder(void *vctx)
{
	static const long order[] = { 3, 0, 2 };
	struct feed *f = vctx;
	int i;

	usleep(300000);
	for (i = 0; i < 3; i++) {
		pthread_mutex_lock(&f->lock);
		if (!i)
			f->released_at = now();
		f->order[f->n++] = order[i];
		pthread_cond_signal(&f->cond);
		pthread_mutex_unlock(&f->lock);
		usleep(50000);
	}
	pthread_mutex_lock(&f->lock);
	f->ended = true;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

static void test_take(void)
{
	struct jobpool_ops ops = { .prepare = feed_prepare, .done = feed_done, .take = feed_take };
	struct jobpool_opts opts = { .jobs = 2 };
	struct feed f = { .lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER };
	pthread_t t;
	int err;

	if (pthread_create(&t, NULL, feeder, &f)) {
		CHECK(0, "pthread_create");
		return;
	}
	err = jobpool__run(4, &ops, &f, &opts);
	pthread_join(t, NULL);
	CHECK(err == 0, "streamed run: %d", err);
	CHECK(f.nstarted == 3, "streamed run started %d jobs, want 3", f.nstarted);
	/* One at a time as released: the feeder's order, job 1 never. */
	CHECK(f.nstarted == 3 && f.started[0] == 3 && f.started[1] == 0 && f.started[2] == 2,
	      "streamed order %ld %ld %ld", f.started[0], f.started[1], f.started[2]);
	CHECK(f.first_started_at >= f.released_at, "a job started before it was released");
}

int main(void)
{
	struct jobpool_ops ops = { .prepare = prepare, .done = done };
	char dir[] = "/tmp/jobpool-test.XXXXXX";
	struct ctx c = { .stop_after = 1000 };
	struct jobpool_opts opts = { .jobs = 2 };
	char *argv[] = { "/bin/sh", "-c", "printf 'x%.0s' $(seq 1 5000); echo out; echo err >&2; exit 7", NULL };
	char *output = NULL;
	double t0, t;
	int err, status, i;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 99;
	}
	c.dir = dir;
	pthread_mutex_init(&c.lock, NULL);

	t0 = now();
	err = jobpool__run(NJOBS, &ops, &c, &opts);
	t = now() - t0;
	CHECK(err == 0, "run: %d", err);
	/* 6 x 0.5 s jobs on 2 slots: three rounds (1.5 s), clearly not six (3 s). */
	CHECK(t > 1.45 && t < 2.7, "6 x 0.5 s jobs with -j 2 took %.2f s", t);
	for (i = 0; i < NJOBS; i++) {
		if (i == 5) {
			CHECK(c.status[i] == 0 && !c.output[i][0], "skipped job ran");
		} else if (i == 6) {
			CHECK(c.status[i] == -ENOENT, "spawn failure: status %d", c.status[i]);
		} else {
			char want[32];

			CHECK(WIFEXITED(c.status[i]) && WEXITSTATUS(c.status[i]) == i,
			      "job %d: status %#x: %s", i, c.status[i], c.output[i]);
			snprintf(want, sizeof(want), "job%d running=", i);
			CHECK(strncmp(c.output[i], want, strlen(want)) == 0,
			      "job %d: output '%s'", i, c.output[i]);
			/* Never more than 2 at once; stdout not captured. */
			CHECK(atoi(c.output[i] + strlen(want)) <= 2 && !strstr(c.output[i], "stdout"),
			      "job %d: '%s'", i, c.output[i]);
		}
	}

	/* done() returning 1 stops the pool: -j 1, stop after 2 jobs. */
	memset(c.status, 0, sizeof(c.status));
	c.done_cnt = 0;
	c.stop_after = 2;
	opts.jobs = 1;
	err = jobpool__run(NJOBS, &ops, &c, &opts);
	CHECK(err == -ECANCELED, "stop: %d", err);
	CHECK(c.done_cnt == 2, "stop: %d jobs finished", c.done_cnt);

	/* run_capture: stdout and stderr together, capped, status kept. */
	err = jobpool__run_capture(argv, &status, &output, 100);
	CHECK(err == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 7,
	      "capture: err %d status %#x", err, status);
	CHECK(output && strlen(output) == 100, "capture: %zu bytes", output ? strlen(output) : 0);
	free(output);

	/*
	 * child_fd: each child reads its own close-on-exec memfd as fd 3 (the
	 * first really is fd 3 in the parent), and no other descriptor
	 * leaks: 0, 1, 2, 3 and the one ls opens to list them.
	 */
	{
		struct jobpool_ops fops = { .prepare = fd_prepare, .done = done,
					    .child_fd = fd_child };

		for (i = 0; i < 2; i++) {
			char text[16];

			fds[i] = memfd_create("jobpool-test", MFD_CLOEXEC);
			snprintf(text, sizeof(text), "memfd%d\n", i);
			CHECK(fds[i] >= 0 && write(fds[i], text, strlen(text)) == (ssize_t)strlen(text),
			      "memfd %d", i);
		}
		/* the lowest free descriptor: the jobpool must move it off 3 first */
		CHECK(fds[0] == JOBPOOL_CHILD_FD, "first memfd is fd %d, not 3", fds[0]);
		c.stop_after = 1000;
		opts.jobs = 2;
		opts.capture_stdout = true;
		for (int pass = 0; pass < 2; pass++) {
			fd_argv = pass ? ls_argv : cat_argv;
			memset(c.output, 0, sizeof(c.output));
			c.done_cnt = 0;
			err = jobpool__run(2, &fops, &c, &opts);
			CHECK(err == 0, "child_fd run: %d", err);
			for (i = 0; i < 2; i++) {
				char want[32];
				const char *o = c.output[i], *m = strstr(o, "memfd:");

				/* the listing: exactly one memfd, and it is fd 3 */
				snprintf(want, sizeof(want), "memfd%d\n", i);
				CHECK(WIFEXITED(c.status[i]) && WEXITSTATUS(c.status[i]) == 0 &&
				      (pass ? m && !strstr(m + 1, "memfd:") && strstr(o, " 3 -> /memfd:") :
					      strcmp(o, want) == 0),
				      "child_fd %s, job %d (fd %d): status %#x, output '%s'",
				      fd_argv[0], i, fds[i], c.status[i], o);
			}
		}
		for (i = 0; i < 2; i++)
			close(fds[i]);
	}

	test_take();

	rmdir(dir);
	pthread_mutex_destroy(&c.lock);
	if (failures)
		return 1;
	printf("ok: jobpool\n");
	return 0;
}
