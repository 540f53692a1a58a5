// SPDX-License-Identifier: BSD-2-Clause
/*
 * A small CO-RE object for the tests (btfgen, embedgen end to end), apart
 * from the tracer's so that a test can vary it. The structs are declared locally with
 * preserve_access_index (no vmlinux.h), so the relocations name kernel types
 * that min_core_btf must keep: task_struct.{pid,tgid,real_parent}.
 * Built twice: -DCORE_PROBE_V2 also reads task_struct.flags, giving a
 * different object (and a different reduced BTF) for the cache tests.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct {
	int pid;
	int tgid;
	struct task_struct *real_parent;
#ifdef CORE_PROBE_V2
	unsigned int flags;
#endif
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} seen SEC(".maps");

SEC("tracepoint/sched/sched_process_exec")
int probe_exec(void *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 key = 0;
	__u64 val;

	val = (__u64)BPF_CORE_READ(task, real_parent, tgid) << 32 |
	      (__u32)BPF_CORE_READ(task, pid);
#ifdef CORE_PROBE_V2
	val ^= BPF_CORE_READ(task, flags);
#endif
	bpf_map_update_elem(&seen, &key, &val, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
