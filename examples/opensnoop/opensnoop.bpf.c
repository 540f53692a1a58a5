// SPDX-License-Identifier: BSD-2-Clause
/*
 * A third-party CO-RE tool in bcc opensnoop's pattern: openat() events to a
 * perf buffer (kernels before 5.8 have no ring buffer), and a newer helper,
 * bpf_get_current_task_btf() (Linux 5.11), only behind `const volatile bool
 * full_path`. libbpf freezes .rodata and the verifier prunes the branch
 * when the flag is off, so the tool loads on 5.2 (global data) and later;
 * btfkit's floor says so instead of dropping every kernel before 5.11.
 */
#include <stdbool.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "opensnoop.h"

struct task_struct {
	int pid;
	int tgid;
	struct task_struct *real_parent;
} __attribute__((preserve_access_index));

/* The tracepoint's context: common fields, syscall nr, arguments. */
struct sys_enter_ctx {
	unsigned long long common;
	long id;
	unsigned long args[6];
};

const volatile int targ_tgid = 0;
const volatile bool full_path = false;

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int on_openat(struct sys_enter_ctx *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct event e = {};

	e.tgid = BPF_CORE_READ(task, tgid);
	if (targ_tgid && e.tgid != targ_tgid)
		return 0;
	e.pid = BPF_CORE_READ(task, pid);
	e.ppid = BPF_CORE_READ(task, real_parent, tgid);
	e.ppid_btf = -1;
	if (full_path) {
		struct task_struct *t = bpf_get_current_task_btf();

		e.ppid_btf = BPF_CORE_READ(t, real_parent, tgid);
	}
	bpf_probe_read_user_str(e.fname, sizeof(e.fname), (const char *)ctx->args[1]);
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
