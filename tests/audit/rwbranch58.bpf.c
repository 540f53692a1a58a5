// SPDX-License-Identifier: BSD-2-Clause
/*
 * A branch on a writable global (.bss) is not pruned: the verifier walks
 * both sides, so bpf_ktime_get_boot_ns() (5.8) behind it sets the floor.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

_Bool boot_clock;

SEC("tracepoint/syscalls/sys_enter_openat")
int rw_branch(void *ctx)
{
	if (boot_clock)
		return bpf_ktime_get_boot_ns() & 1;
	return bpf_ktime_get_ns() & 1;
}
