// SPDX-License-Identifier: BSD-2-Clause
/*
 * A bounded loop (a back edge; 5.3 verifiers accept it) and nothing newer
 * than 4.2 otherwise: floor 5.3.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("tracepoint/syscalls/sys_enter_openat")
int count_comm(void *ctx)
{
	char comm[16];
	int i, n = 0;

	bpf_get_current_comm(comm, sizeof(comm));
#pragma clang loop unroll(disable)
	for (i = 0; i < (int)sizeof(comm) && comm[i]; i++)
		n++;
	return n;
}
