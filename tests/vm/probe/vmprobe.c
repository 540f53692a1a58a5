// SPDX-License-Identifier: BSD-2-Clause
/*
 * vmprobe: load vmprobe.bpf.o (optionally with a BTF given as
 * btf_custom_path), exec a child and check that the exec event carries the
 * child's pid, tgid, parent and comm. Exit 0 if it does, 1 if the event is
 * wrong or missing, 2 if loading or attaching fails.
 *
 * Runs inside the qemu guests of tests/vm, statically linked.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "vmprobe.h"
#include "vmprobe.skel.h"

static bool verbose;

struct expect {
	pid_t pid;
	pid_t ppid;
	const char *comm;
	bool seen;
	bool ok;
};

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int on_event(void *ctx, void *data, size_t size)
{
	const struct vmprobe_event *e = data;
	struct expect *x = ctx;

	if (size < sizeof(*e))
		return 0;
	/*
	 * Other processes may exec meanwhile; only the child's event counts,
	 * matched on the tracepoint's pid, which needs no task_struct offset.
	 */
	if (e->pid != x->pid)
		return 0;
	x->seen = true;
	x->ok = e->tgid == x->pid && e->ppid == x->ppid &&
		strncmp(e->comm, x->comm, VMPROBE_COMM_LEN - 1) == 0;
	printf("vmprobe: exec pid=%d tgid=%d ppid=%d comm=%.*s (expected tgid=%d ppid=%d comm=%s)\n",
	       e->pid, e->tgid, e->ppid, VMPROBE_COMM_LEN, e->comm, x->pid, x->ppid, x->comm);
	return 1;	/* stop polling */
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: vmprobe [--btf FILE] [--exec PROG] [-v]\n"
		   "  --btf FILE   load with this BTF as btf_custom_path (default: the kernel's)\n"
		   "  --exec PROG  program the child execs (default /bin/true)\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "btf", required_argument, NULL, 'b' },
		{ "exec", required_argument, NULL, 'e' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	const char *btf_path = NULL, *prog = "/bin/true";
	struct vmprobe_bpf *skel = NULL;
	struct ring_buffer *rb = NULL;
	struct expect x = {};
	struct timespec t0, t;
	int c, err, status, ret = 2;

	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (c) {
		case 'b': btf_path = optarg; break;
		case 'e': prog = optarg; break;
		case 'v': verbose = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(print_libbpf);

	LIBBPF_OPTS(bpf_object_open_opts, oopts, .btf_custom_path = btf_path);
	skel = vmprobe_bpf__open_opts(&oopts);
	if (!skel) {
		fprintf(stderr, "vmprobe: open with BTF %s: %s\n",
			btf_path ?: "(kernel)", strerror(errno));
		goto out;
	}
	err = vmprobe_bpf__load(skel) ?: vmprobe_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "vmprobe: load/attach with BTF %s: %s\n",
			btf_path ?: "(kernel)", strerror(-err));
		goto out;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, &x, NULL);
	if (!rb) {
		fprintf(stderr, "vmprobe: ring buffer: %s\n", strerror(errno));
		goto out;
	}

	x.ppid = getpid();
	x.comm = strrchr(prog, '/') ? strrchr(prog, '/') + 1 : prog;
	x.pid = fork();
	if (x.pid < 0) {
		perror("vmprobe: fork");
		goto out;
	}
	if (x.pid == 0) {
		execl(prog, prog, (char *)NULL);
		_exit(127);
	}
	waitpid(x.pid, &status, 0);

	ret = 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		err = ring_buffer__poll(rb, 200);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "vmprobe: poll: %s\n", strerror(-err));
			goto out;
		}
		if (x.seen)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (t.tv_sec - t0.tv_sec < 5);

	if (!x.seen)
		printf("vmprobe: no exec event for pid %d\n", x.pid);
	else if (x.ok)
		ret = 0;
	printf("vmprobe: %s\n", ret == 0 ? "OK" : "WRONG");
out:
	ring_buffer__free(rb);
	vmprobe_bpf__destroy(skel);
	return ret;
}
