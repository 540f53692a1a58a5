/* SPDX-License-Identifier: BSD-2-Clause */
/* The event both sides of opensnoop share (bcc libbpf-tools' shape). */
#ifndef OPENSNOOP_H
#define OPENSNOOP_H

#define FNAME_LEN 64

struct event {
	int pid;
	int tgid;
	int ppid;		/* real_parent->tgid, through CO-RE */
	int ppid_btf;		/* the same through bpf_get_current_task_btf(); -1 unless full_path */
	char fname[FNAME_LEN];
};

#endif
