// SPDX-License-Identifier: BSD-2-Clause
/*
 * A minimal CO-RE program for test_embedgen.sh: reads task_struct->pid and
 * ->tgid through relocations, so that bpftool gen min_core_btf keeps just
 * those members. Declares its own types instead of a vmlinux.h.
 */
#define SEC(name) __attribute__((section(name), used))

typedef unsigned int __u32;
typedef unsigned long long __u64;

struct task_struct {
	int pid;
	int tgid;
} __attribute__((preserve_access_index));

static void *(*bpf_get_current_task)(void) = (void *)35;
static long (*bpf_probe_read_kernel)(void *dst, __u32 size, const void *src) = (void *)113;

volatile int seen_pid, seen_tgid;

SEC("tracepoint/syscalls/sys_enter_getpid")
int probe(void *ctx)
{
	struct task_struct *t = bpf_get_current_task();
	int pid = 0, tgid = 0;

	bpf_probe_read_kernel(&pid, sizeof(pid), __builtin_preserve_access_index(&t->pid));
	bpf_probe_read_kernel(&tgid, sizeof(tgid), __builtin_preserve_access_index(&t->tgid));
	seen_pid = pid;
	seen_tgid = tgid;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
