// SPDX-License-Identifier: BSD-2-Clause
/*
 * rss_run OUT CMD [ARG...]: run CMD with this process's stdio and limits,
 * then write "<peak RSS in KB> <seconds>" to OUT and exit with CMD's status
 * (128 + signal if it was killed). For the tests' memory ceilings: a
 * process's peak RSS counts what it inherited before exec, so it must be
 * forked from something small, not from the test's Python.
 */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	int status;
	pid_t pid;
	FILE *out;

	if (argc < 3) {
		fprintf(stderr, "usage: rss_run OUT CMD [ARG...]\n");
		return 125;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0) {
		perror("rss_run: fork");
		return 125;
	}
	if (!pid) {
		execvp(argv[2], argv + 2);
		perror("rss_run: exec");
		_exit(127);
	}
	if (wait4(pid, &status, 0, &ru) != pid) {
		perror("rss_run: wait4");
		return 125;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	out = fopen(argv[1], "w");
	if (!out || fprintf(out, "%ld %.3f\n", ru.ru_maxrss,
			    (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9) < 0 ||
	    fclose(out)) {
		perror("rss_run: OUT");
		return 125;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
