/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Events shared by coretrace.bpf.c (kernel side, built against vmlinux.h)
 * and the coretrace tool (user side). Every record in the ring buffer starts
 * with struct ct_event_hdr; hdr.type says which struct follows. Each type has
 * its own fixed size so that short events (fork, exit) do not reserve room
 * for a path and argv.
 *
 * All fields are host byte order except the addresses in ct_connect_event,
 * kept in network order as the socket holds them.
 */
#ifndef BTFKIT_CORETRACE_H
#define BTFKIT_CORETRACE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define CT_COMM_LEN	16
#define CT_PATH_LEN	256
#define CT_ARGV_LEN	512	/* power of two: the BPF side masks with it */

enum ct_event_type {
	CT_EV_EXEC = 1,
	CT_EV_FORK = 2,
	CT_EV_EXIT = 3,
	CT_EV_OPEN = 4,
	CT_EV_CONNECT = 5,
	CT_EV_MAX,		/* also the size of the lost-events map */
};

#define CT_EV_BIT(t)	(1u << (t))
#define CT_EV_ALL	(CT_EV_BIT(CT_EV_EXEC) | CT_EV_BIT(CT_EV_FORK) | CT_EV_BIT(CT_EV_EXIT) | \
			 CT_EV_BIT(CT_EV_OPEN) | CT_EV_BIT(CT_EV_CONNECT))

/* Which syscall produced a CT_EV_OPEN. */
enum ct_open_call {
	CT_OPEN_OPENAT = 0,
	CT_OPEN_OPEN = 1,
	CT_OPEN_OPENAT2 = 2,
};

/*
 * The filters, element 0 of the "filters" array map (global variables would
 * need 5.2). Written by the tool before it attaches; selfcheck_tgid while
 * it runs: when non-zero, only that process's events pass, whatever the
 * filters say, so that the self-check sees exactly the events its child
 * caused.
 */
struct ct_bpf_config {
	__u32 tgid;		/* 0 = any process */
	__u32 pid;		/* 0 = any thread */
	__u32 event_mask;	/* CT_EV_BIT()s */
	__u32 self_tgid;	/* the tool itself: its events only echo its own work */
	__u32 selfcheck_tgid;
	__u32 _pad;
	char comm[CT_COMM_LEN];	/* empty = any */
};

struct ct_event_hdr {
	__u64 ts_ns;		/* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u64 cgroup_id;	/* cgroup v2 id of the task */
	__u32 type;		/* enum ct_event_type */
	__u32 pid;		/* thread id (task->pid) */
	__u32 tgid;		/* process id (task->tgid) */
	__u32 ppid;		/* task->real_parent->tgid */
	__u32 uid;		/* task->cred->uid */
	__u32 flags;		/* CT_HDR_* */
	char comm[CT_COMM_LEN];
};

/*
 * hdr.flags: admitted by the armed self-check filter (selfcheck_tgid). The
 * self-check reads only these, the trace only the others: an event a
 * program had already let through when the filter was armed (another
 * process's, still being written) is told apart by what the program
 * decided, not by the decoded pid it is checking.
 */
#define CT_HDR_SELFCHECK 1u

struct ct_exec_event {
	struct ct_event_hdr hdr;
	__u32 argv_len;		/* bytes of argv[] copied (NUL-separated strings) */
	__u32 argv_truncated;	/* 1 if the arguments were longer than CT_ARGV_LEN */
	char filename[CT_PATH_LEN];	/* as passed to execve (bprm->filename) */
	char argv[CT_ARGV_LEN];
};

/* hdr describes the new task (the child); parent_* the task that forked. */
struct ct_fork_event {
	struct ct_event_hdr hdr;
	__u32 parent_pid;
	__u32 parent_tgid;
};

struct ct_exit_event {
	struct ct_event_hdr hdr;
	__s32 exit_code;	/* wait(2) status: code << 8 | signal */
	__u32 _pad;
	__u64 start_boottime_ns;	/* start_boottime, real_start_time before 5.5 */
	__u64 age_ns;		/* exit time - task->start_time */
};

struct ct_open_event {
	struct ct_event_hdr hdr;
	__s32 dfd;		/* AT_FDCWD for open(2) */
	__u32 flags;
	__u32 mode;
	__u32 call;		/* enum ct_open_call */
	char path[CT_PATH_LEN];
};

struct ct_connect_event {
	struct ct_event_hdr hdr;
	__u16 family;		/* AF_INET or AF_INET6 */
	__u16 dport;		/* host order */
	__u16 sport;		/* host order (0 if not bound yet) */
	__u16 _pad;
	__u8 saddr[16];		/* network order; IPv4 uses the first 4 bytes */
	__u8 daddr[16];
};

#endif
