// SPDX-License-Identifier: BSD-2-Clause
/*
 * Branches the verifier walks both sides of, so bpf_ktime_get_boot_ns()
 * (5.8) behind them sets each program's floor: one on a writable global
 * (.bss), one comparing a read-only global with a value known only at run
 * time (opensnoop's `targ_tgid != tgid`).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

_Bool boot_clock;
const volatile int targ_tgid = 0;

SEC("tracepoint/syscalls/sys_enter_openat")
int rw_branch(void *ctx)
{
	if (boot_clock)
		return bpf_ktime_get_boot_ns() & 1;
	return bpf_ktime_get_ns() & 1;
}

SEC("tracepoint/syscalls/sys_enter_close")
int runtime_compare(void *ctx)
{
	if (targ_tgid != (int)(bpf_get_current_pid_tgid() >> 32))
		return 0;
	return bpf_ktime_get_boot_ns() & 1;
}
