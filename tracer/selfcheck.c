// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <bpf/libbpf.h>

#include "coretrace.h"
#include "coretrace.skel.h"
#include "loader.h"
#include "log.h"
#include "output.h"
#include "selfcheck.h"
#include "transport.h"

#define SELFCHECK_EXE "/proc/self/exe"
#define SELFCHECK_COMM "exe"	/* the kernel names the task after the path's last part */
#define SELFCHECK_TIMEOUT_MS 5000
#define SELFCHECK_OPEN_FLAGS (O_RDONLY | O_CLOEXEC)

extern char **environ;

struct sc_state {
	pid_t child;
	pid_t me;
	uid_t uid;
	char comm[CT_COMM_LEN];
	char marker[128];
	int events;
	bool got_open, got_exec, got_exit;
	struct ct_open_event open;
	struct ct_exec_event exec;
	struct ct_exit_event exit;
};

/*
 * While armed, only the child's events pass the BPF filter (want()), marked
 * CT_HDR_SELFCHECK. Any other is one a program had already let through
 * before the filter was armed and finished writing after the drain (another
 * process's exec, say, on a slow or loaded machine): not the child's, and
 * never held against the BTF.
 */
static int sc_event(void *ctx, void *data, size_t size)
{
	struct sc_state *st = ctx;
	const struct ct_event_hdr *h = data;

	if (ct_event__check(data, size) || !(h->flags & CT_HDR_SELFCHECK))
		return 0;
	st->events++;
	switch (h->type) {
	case CT_EV_OPEN:
		/* The first open is kept for the diagnosis; the marker's wins. */
		if (!st->got_open || strncmp(st->open.path, st->marker, CT_PATH_LEN)) {
			memcpy(&st->open, data, sizeof(st->open));
			st->got_open = true;
		}
		break;
	case CT_EV_EXEC:
		if (!st->got_exec) {
			memcpy(&st->exec, data, sizeof(st->exec));
			st->got_exec = true;
		}
		break;
	case CT_EV_EXIT:
		memcpy(&st->exit, data, sizeof(st->exit));
		st->got_exit = true;
		break;
	}
	return 0;
}

static void child_run(int rfd, const char *marker)
{
	char *args[] = { "coretrace", SELFCHECK_CHILD_ARG, NULL };
	char c;

	/* Wait until the parent has armed the filter with our pid. */
	if (read(rfd, &c, 1) != 1)
		_exit(1);
	close(rfd);
	/* A path under /dev/null cannot exist: nothing is touched. */
	syscall(SYS_openat, AT_FDCWD, marker, SELFCHECK_OPEN_FLAGS);
	execve(SELFCHECK_EXE, args, environ);
	_exit(127);
}

static int check_hdr(const struct sc_state *st, const struct ct_event_hdr *h, const char *what,
		     const char *comm, char *why, size_t sz)
{
	if (h->pid != (uint32_t)st->child)
		snprintf(why, sz, "%s event: pid %u, expected %d", what, h->pid, st->child);
	else if (h->tgid != (uint32_t)st->child)
		snprintf(why, sz, "%s event: tgid %u, expected %d", what, h->tgid, st->child);
	else if (h->ppid != (uint32_t)st->me)
		snprintf(why, sz, "%s event: ppid %u, expected %d", what, h->ppid, st->me);
	else if (h->uid != (uint32_t)st->uid)
		snprintf(why, sz, "%s event: uid %u, expected %u", what, h->uid, st->uid);
	else if (strncmp(h->comm, comm, CT_COMM_LEN))
		snprintf(why, sz, "%s event: comm \"%.16s\", expected \"%s\"", what, h->comm, comm);
	else
		return 0;
	return -EPROTO;
}

static int evaluate(const struct sc_state *st, char *why, size_t sz)
{
	static const char argv[] = "coretrace\0" SELFCHECK_CHILD_ARG;
	int err;

	if (!st->events) {
		snprintf(why, sz, "no event from the check's child %d within %d ms", st->child,
			 SELFCHECK_TIMEOUT_MS);
		return -EPROTO;
	}
	if (!st->got_open || strncmp(st->open.path, st->marker, CT_PATH_LEN)) {
		snprintf(why, sz, "open event: path \"%.64s\", expected \"%s\"",
			 st->got_open ? st->open.path : "(none)", st->marker);
		return -EPROTO;
	}
	err = check_hdr(st, &st->open.hdr, "open", st->comm, why, sz);
	if (err)
		return err;
	if (st->open.flags != SELFCHECK_OPEN_FLAGS) {
		snprintf(why, sz, "open event: flags 0%o, expected 0%o", st->open.flags,
			 SELFCHECK_OPEN_FLAGS);
		return -EPROTO;
	}
	if (!st->got_exec) {
		snprintf(why, sz, "no exec event from the check's child %d", st->child);
		return -EPROTO;
	}
	err = check_hdr(st, &st->exec.hdr, "exec", SELFCHECK_COMM, why, sz);
	if (err)
		return err;
	if (strncmp(st->exec.filename, SELFCHECK_EXE, CT_PATH_LEN)) {
		snprintf(why, sz, "exec event: filename \"%.64s\", expected \"%s\"",
			 st->exec.filename, SELFCHECK_EXE);
		return -EPROTO;
	}
	if (st->exec.argv_len != sizeof(argv) || memcmp(st->exec.argv, argv, sizeof(argv))) {
		snprintf(why, sz, "exec event: argv of %u bytes does not match", st->exec.argv_len);
		return -EPROTO;
	}
	/* The exit event is checked when the type is loaded (it may be filtered out). */
	if (st->got_exit) {
		err = check_hdr(st, &st->exit.hdr, "exit", SELFCHECK_COMM, why, sz);
		if (err)
			return err;
		if (st->exit.exit_code != SELFCHECK_STATUS << 8) {
			snprintf(why, sz, "exit event: code %d, expected %d", st->exit.exit_code,
				 SELFCHECK_STATUS << 8);
			return -EPROTO;
		}
	}
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * Fork the child, which waits on a pipe before it acts; *@go gets the
 * pipe's write end. Returns its pid, or a negative errno (reported).
 */
static pid_t spawn_child(const char *marker, int *go)
{
	int p[2], err;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC)) {
		err = -errno;
		pr_err("self-check: pipe: %s", strerror(-err));
		return err;
	}
	pid = fork();
	if (pid < 0) {
		err = -errno;
		pr_err("self-check: fork: %s", strerror(-err));
		close(p[0]);
		close(p[1]);
		return err;
	}
	if (!pid) {
		close(p[1]);
		child_run(p[0], marker);
	}
	close(p[0]);
	*go = p[1];
	return pid;
}

/* Poll @rb until child @pid is reaped, killing it after SELFCHECK_TIMEOUT_MS. */
static void reap_child(struct ct_reader *rb, pid_t pid, int *status)
{
	long long deadline = now_ms() + SELFCHECK_TIMEOUT_MS;
	bool reaped = false;

	while (now_ms() < deadline) {
		reader__poll(rb, 20);
		if (!reaped && waitpid(pid, status, WNOHANG) == pid)
			reaped = true;
		/* do_exit() emits the exit event before the child can be reaped. */
		if (reaped)
			break;
	}
	if (!reaped) {
		kill(pid, SIGKILL);
		waitpid(pid, status, 0);
	}
}

int selfcheck__run(struct coretrace *skel, struct ct_reader *rb, const char *btf_desc)
{
	struct sc_state st = {};
	int go = -1, status = 0, err = 0;
	char why[256];
	pid_t pid;

	st.me = getpid();
	st.uid = getuid();
	prctl(PR_GET_NAME, st.comm, 0, 0, 0);
	snprintf(st.marker, sizeof(st.marker), "/dev/null/coretrace-selfcheck-%d-%lld", st.me,
		 now_ms());

	reader__set_callback(rb, sc_event, &st);
	pid = spawn_child(st.marker, &go);
	if (pid < 0)
		return pid;
	st.child = pid;

	/* Drop what came in since attach, then admit only the child. */
	reader__consume(rb);
	st.events = 0;
	st.got_open = st.got_exec = st.got_exit = false;
	err = loader__set_selfcheck(skel, pid);
	if (err)
		pr_err("self-check: cannot arm the filter: %s", strerror(-err));
	else if (write(go, "x", 1) != 1) {
		err = -errno;
		pr_err("self-check: cannot start the child: %s", strerror(-err));
		kill(pid, SIGKILL);
	}
	close(go);

	reap_child(rb, pid, &status);
	reader__consume(rb);
	if (!err)
		err = loader__set_selfcheck(skel, 0);
	else
		loader__set_selfcheck(skel, 0);
	if (err)
		return err;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		pr_err("self-check: the child cannot exec %s", SELFCHECK_EXE);
		return -ENOEXEC;
	}
	err = evaluate(&st, why, sizeof(why));
	if (err)
		pr_err("BTF does not match this kernel (source: %s): %s", btf_desc, why);
	else
		pr_info("self-check passed: %d events from child %d decoded as expected", st.events,
			st.child);
	return err;
}
