// SPDX-License-Identifier: BSD-2-Clause
/*
 * libbpf-tools' pattern for a field renamed across releases (task_struct's
 * `state` became `__state` in 5.14): a CO-RE existence check libbpf
 * resolves to 0 or 1 before load, so the verifier never walks the side the
 * running kernel's BTF rules out. bpf_ktime_get_coarse_ns() (Linux 5.11)
 * only where task_struct.__state exists is no part of the floor, which
 * stays the program's own: a tracepoint calling bpf_get_current_task()
 * (4.8). The other programs test a type and an enumerator the same way.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

struct task_struct {
	long state;
} __attribute__((preserve_access_index));

/* The 5.14 layout, a flavour libbpf matches to task_struct by its name. */
struct task_struct___new {
	unsigned int __state;
} __attribute__((preserve_access_index));

struct bpf_iter__task {
	struct task_struct *task;
} __attribute__((preserve_access_index));

enum bpf_func_id___local {
	BPF_FUNC_ktime_get_coarse_ns___local = 160,
};

SEC("tracepoint/sched/sched_switch")
int field_check(void *ctx)
{
	struct task_struct___new *t = (void *)bpf_get_current_task();

	if (bpf_core_field_exists(t->__state))
		return bpf_ktime_get_coarse_ns() & 1;
	return bpf_ktime_get_ns() & 1;
}

SEC("tracepoint/sched/sched_process_exit")
int type_check(void *ctx)
{
	if (!bpf_core_type_exists(struct bpf_iter__task))
		return bpf_ktime_get_ns() & 1;
	return bpf_ktime_get_coarse_ns() & 1;
}

SEC("tracepoint/sched/sched_process_fork")
int enum_check(void *ctx)
{
	if (bpf_core_enum_value_exists(enum bpf_func_id___local,
				       BPF_FUNC_ktime_get_coarse_ns___local))
		return bpf_ktime_get_coarse_ns() & 1;
	return bpf_get_prandom_u32() & 1;
}
