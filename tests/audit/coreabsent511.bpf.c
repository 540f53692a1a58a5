// SPDX-License-Identifier: BSD-2-Clause
/*
 * The other side of a CO-RE existence check: bpf_ktime_get_coarse_ns()
 * (Linux 5.11) only where task_struct.__state does NOT exist. Kernels
 * before 4.20 prune a branch on a known constant only when it equals the
 * immediate it is compared with, so where the field exists (1 against 0)
 * they walk this side too: it counts, and the floor is 5.11.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct task_struct___new {
	unsigned int __state;
} __attribute__((preserve_access_index));

SEC("tracepoint/sched/sched_switch")
int absent_side(void *ctx)
{
	struct task_struct___new *t = (void *)bpf_get_current_task();

	if (!bpf_core_field_exists(t->__state))
		return bpf_ktime_get_coarse_ns() & 1;
	return bpf_ktime_get_ns() & 1;
}
