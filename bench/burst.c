// SPDX-License-Identifier: BSD-2-Clause
/*
 * bench-burst: generate a burst of exec or open events as fast as this
 * machine allows, for measuring the rate coretrace sustains without loss.
 * P worker processes each do N operations; execs re-exec this binary (so
 * the comm stays "bench-burst" and the tracer can filter on it). --rate
 * paces the workers to a total rate instead of full speed. Prints
 * {"events": P*N, "seconds": wall time} as JSON.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* @rate: operations per second for this worker, 0 = as fast as possible */
static int worker(const char *self, bool exec_mode, unsigned long n, double rate)
{
	double start = now_s(), ahead;
	unsigned long i;

	for (i = 0; i < n; i++) {
		if (rate > 0 && !(i % 32)) {
			ahead = i / rate - (now_s() - start);
			if (ahead > 0)
				usleep(ahead * 1e6);
		}
		if (exec_mode) {
			pid_t p = fork();
			int st;

			if (p < 0)
				return -errno;
			if (!p) {
				execl(self, "bench-burst", "--noop", (char *)NULL);
				_exit(127);
			}
			if (waitpid(p, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
				return -ECHILD;
		} else {
			int fd = open("/dev/null", O_RDONLY);

			if (fd < 0)
				return -errno;
			close(fd);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "exec", required_argument, NULL, 'e' },
		{ "open", required_argument, NULL, 'o' },
		{ "procs", required_argument, NULL, 'p' },
		{ "rate", required_argument, NULL, 'r' },
		{ "noop", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned long n = 0, procs = 2, i, failed = 0;
	bool exec_mode = false;
	double rate = 0;
	char self[PATH_MAX];
	ssize_t len;
	double t0;
	int opt;

	while ((opt = getopt_long(argc, argv, "e:o:p:r:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'e': exec_mode = true; n = strtoul(optarg, NULL, 10); break;
		case 'o': exec_mode = false; n = strtoul(optarg, NULL, 10); break;
		case 'p': procs = strtoul(optarg, NULL, 10); break;
		case 'r': rate = strtod(optarg, NULL); break;
		case 'N': return 0;
		case 'h':
			printf("Usage: bench-burst (--exec N | --open N) [--procs P] [--rate OPS_PER_S]\n");
			return 0;
		default:
			return 2;
		}
	}
	if (!n || !procs) {
		fprintf(stderr, "bench-burst: error: give --exec N or --open N\n");
		return 2;
	}
	/* exec by real path: comm is the file name, "bench-burst", not "exe" */
	len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (len < 0) {
		fprintf(stderr, "bench-burst: error: /proc/self/exe: %s\n", strerror(errno));
		return 1;
	}
	self[len] = 0;
	t0 = now_s();
	for (i = 0; i < procs; i++) {
		pid_t p = fork();

		if (p < 0) {
			fprintf(stderr, "bench-burst: error: fork: %s\n", strerror(errno));
			return 1;
		}
		if (!p)
			_exit(worker(self, exec_mode, n, rate / procs) ? 1 : 0);
	}
	for (i = 0; i < procs; i++) {
		int st;

		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			failed++;
	}
	if (failed) {
		fprintf(stderr, "bench-burst: error: %lu workers failed\n", failed);
		return 1;
	}
	printf("{\"events\": %lu, \"seconds\": %.6f}\n", n * procs, now_s() - t0);
	return 0;
}
