// SPDX-License-Identifier: BSD-2-Clause
/*
 * bcc opensnoop's pattern: bpf_get_current_task_btf() (Linux 5.11) only
 * behind `const volatile bool full_path`, which libbpf freezes and the
 * verifier prunes when it is off. The floor is what it always needs,
 * global data (5.2); 5.11 is a need only if 'full_path' is set.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

const volatile _Bool full_path = 0;
const volatile int targ_pid = 0;

struct event {
	int pid;
	unsigned long task;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(int));
	__uint(value_size, sizeof(int));
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int handle_openat(void *ctx)
{
	struct event e = {};
	unsigned long long id = bpf_get_current_pid_tgid();

	if (targ_pid && targ_pid != (int)(id >> 32))
		return 0;
	e.pid = id >> 32;
	if (full_path)
		e.task = (unsigned long)bpf_get_current_task_btf();
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return 0;
}
