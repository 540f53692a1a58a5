// SPDX-License-Identifier: BSD-2-Clause
/* Calls bpf_ktime_get_boot_ns(), which Linux 5.8 introduced: floor 5.8. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tracepoint/syscalls/sys_enter_openat")
int boot_ns(void *ctx)
{
	return bpf_ktime_get_boot_ns() & 1;
}
