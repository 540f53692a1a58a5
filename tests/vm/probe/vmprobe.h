/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vmprobe: the qemu harness's own CO-RE self-test, shared between
 * vmprobe.bpf.c and vmprobe.c. It proves the harness (boot, initramfs,
 * static libbpf, btf_custom_path) independently of coretrace.
 */
#ifndef BTFKIT_VMPROBE_H
#define BTFKIT_VMPROBE_H

#define VMPROBE_COMM_LEN 16

struct vmprobe_event {
	int pid;	/* from the tracepoint record */
	int tgid;	/* task_struct->tgid (CO-RE) */
	int ppid;	/* task_struct->real_parent->tgid (CO-RE) */
	char comm[VMPROBE_COMM_LEN];	/* task_struct->comm (CO-RE) */
};

#endif
