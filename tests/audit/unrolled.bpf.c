// SPDX-License-Identifier: BSD-2-Clause
/*
 * The same work as loop53.bpf.c with the loop unrolled, in a perf-buffer
 * program and a ring-buffer one attached to the same hook (one section):
 * the ring-buffer one needs 5.8, the perf-buffer one only its program type
 * (tracepoint, 4.7), and, alternatives, the object needs the better: 4.7.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} pb SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

static __always_inline int comm_len(void)
{
	char comm[16];
	int i, n = 0;

	bpf_get_current_comm(comm, sizeof(comm));
#pragma unroll
	for (i = 0; i < (int)sizeof(comm); i++) {
		if (!comm[i])
			break;
		n++;
	}
	return n;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int out_rb(void *ctx)
{
	int n = comm_len();

	bpf_ringbuf_output(&rb, &n, sizeof(n), 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_openat")
int out_pb(void *ctx)
{
	int n = comm_len();

	bpf_perf_event_output(ctx, &pb, BPF_F_CURRENT_CPU, &n, sizeof(n));
	return 0;
}
