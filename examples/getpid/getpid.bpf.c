// SPDX-License-Identifier: BSD-2-Clause
/*
 * A third-party CO-RE program: counts getpid() calls of one process and
 * records the caller's pid and tgid, read from task_struct through CO-RE
 * relocations (local struct with preserve_access_index, no vmlinux.h).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

const volatile int target_tgid = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getpid")
int on_getpid(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 count = 0, who = 1;
	__u64 *n, val;

	if (BPF_CORE_READ(task, tgid) != target_tgid)
		return 0;
	n = bpf_map_lookup_elem(&seen, &count);
	if (n)
		__sync_fetch_and_add(n, 1);
	val = (__u64)BPF_CORE_READ(task, tgid) << 32 | (__u32)BPF_CORE_READ(task, pid);
	bpf_map_update_elem(&seen, &who, &val, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
