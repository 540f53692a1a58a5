// SPDX-License-Identifier: BSD-2-Clause
/*
 * coretrace: process, file and TCP events for the coretrace tool.
 *
 * Portability across 4.18..6.x kernels is the point of this program, so it
 * only uses attach points that exist over that whole range and need no
 * BTF-based attachment (no fentry, no tp_btf): raw tracepoints for the
 * scheduler events (4.17+), the syscalls tracepoints for open, and
 * sock:inet_sock_set_state (4.16+) for TCP connects. Every kernel structure
 * is read with BPF_CORE_READ, so
 * libbpf relocates the offsets against the BTF it is given (the kernel's
 * own, or a reduced one from the embedded bundle) -- and a wrong BTF gives
 * wrong values, which the tool's self-check catches (tracer/selfcheck.c).
 *
 * Two transports, chosen by the tool at load time (tracer/transport.c):
 * the BPF ring buffer (5.8+) and, below that, a per-CPU perf event array
 * (4.3+). Every hook has one entry point per transport, both generated from
 * the one body below by CT_HOOK(); the tool autoloads one set and leaves
 * the other transport's maps uncreated. So that the perf set loads on 4.18,
 * nothing it reaches may need more: no global variables (5.2; the filters
 * live in the "filters" array map instead of .rodata), no loops (5.3; the
 * one loop is unrolled), no helper newer than 4.18 (libbpf turns
 * bpf_probe_read_{kernel,user}[_str] into bpf_probe_read[_str] where the
 * kernel lacks them), at most 4096 instructions per program. bpf/audit
 * checks all of this from the object (tests/audit).
 *
 * Events the transport cannot take are counted per type in lost_events.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "coretrace.h"

#define AF_INET		2
#define AF_INET6	10

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * Filters, written by the tool before it attaches (0 / empty = no filter),
 * and the self-check's pid, written at run time.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ct_bpf_config);
} filters SEC(".maps");

/* Ring-buffer transport. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);	/* the tool may resize before load */
} events SEC(".maps");

/* Perf-buffer transport: the event is built in a per-CPU slot, then copied out. */
struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} perf_events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ct_exec_event);	/* the largest event */
} heap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, CT_EV_MAX);
	__type(key, __u32);
	__type(value, __u64);
} lost_events SEC(".maps");

/* task_struct before 5.5 named start_boottime real_start_time. */
struct task_struct___pre55 {
	u64 real_start_time;
} __attribute__((preserve_access_index));

static __always_inline bool comm_matches(const struct ct_bpf_config *cfg)
{
	char comm[CT_COMM_LEN];
	int i;

	if (!cfg->comm[0])
		return true;
	bpf_get_current_comm(comm, sizeof(comm));
	/* Unrolled: the 4.18 verifier rejects any back edge. */
#pragma unroll
	for (i = 0; i < CT_COMM_LEN; i++) {
		if (comm[i] != cfg->comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

/* want()'s verdict for an event that does not pass. */
#define CT_DROP 0xffffffffu

/*
 * Filter on the current task: CT_DROP, or the header flags of an event that
 * passes (CT_HDR_SELFCHECK when the self-check filter admitted it). Uses
 * the helpers, not BTF, so that the self-check window admits its child's
 * events even when the BTF is wrong (the decoded fields then show the
 * mismatch).
 */
static __always_inline __u32 want(__u32 type)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, pid = (__u32)id;
	const struct ct_bpf_config *cfg;
	__u32 zero = 0;	/* on the stack: a static would be global data (5.2) */

	cfg = bpf_map_lookup_elem(&filters, &zero);
	if (!cfg)
		return CT_DROP;
	if (cfg->selfcheck_tgid)
		return tgid == cfg->selfcheck_tgid ? CT_HDR_SELFCHECK : CT_DROP;
	if (cfg->self_tgid && tgid == cfg->self_tgid)
		return CT_DROP;
	if (!(cfg->event_mask & CT_EV_BIT(type)))
		return CT_DROP;
	if (cfg->tgid && tgid != cfg->tgid)
		return CT_DROP;
	if (cfg->pid && pid != cfg->pid)
		return CT_DROP;
	return comm_matches(cfg) ? 0 : CT_DROP;
}

static __always_inline void count_lost(__u32 type)
{
	__u64 *cnt = bpf_map_lookup_elem(&lost_events, &type);

	if (cnt)
		(*cnt)++;	/* per-CPU slot: no atomics needed */
}

/* @rb is a compile-time constant in every entry point (CT_HOOK). */
static __always_inline void *reserve(__u32 type, __u64 size, bool rb)
{
	__u32 zero = 0;
	void *e;

	if (!rb)
		return bpf_map_lookup_elem(&heap, &zero);
	e = bpf_ringbuf_reserve(&events, size, 0);
	if (!e)
		count_lost(type);
	return e;
}

static __always_inline void submit(void *ctx, __u32 type, void *e, __u64 size, bool rb)
{
	if (rb)
		bpf_ringbuf_submit(e, 0);
	else if (bpf_perf_event_output(ctx, &perf_events, BPF_F_CURRENT_CPU, e, size))
		count_lost(type);	/* 5.4+ report a full buffer here; older ones only to the reader */
}

/*
 * One body, two entry points: NAME (ring buffer) and NAME_pb (perf buffer).
 * The tool autoloads exactly one of each pair (tracer/loader.c).
 */
#define CT_HOOK(sec, name, ctx_t)						\
	static __always_inline int name##_body(ctx_t *ctx, bool rb);		\
	SEC(sec) int name(ctx_t *ctx) { return name##_body(ctx, true); }	\
	SEC(sec) int name##_pb(ctx_t *ctx) { return name##_body(ctx, false); }	\
	static __always_inline int name##_body(ctx_t *ctx, bool rb)

static __always_inline void fill_hdr(struct ct_event_hdr *h, __u32 type, struct task_struct *task,
				     __u32 flags)
{
	h->ts_ns = bpf_ktime_get_ns();
	h->cgroup_id = bpf_get_current_cgroup_id();
	h->type = type;
	h->pid = BPF_CORE_READ(task, pid);
	h->tgid = BPF_CORE_READ(task, tgid);
	h->ppid = BPF_CORE_READ(task, real_parent, tgid);
	h->uid = BPF_CORE_READ(task, cred, uid.val);
	h->flags = flags;
	BPF_CORE_READ_STR_INTO(&h->comm, task, comm);
}

/* TP_PROTO(struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm) */
CT_HOOK("raw_tracepoint/sched_process_exec", handle_exec, struct bpf_raw_tracepoint_args)
{
	struct task_struct *task = (void *)ctx->args[0];
	struct linux_binprm *bprm = (void *)ctx->args[2];
	struct ct_exec_event *e;
	unsigned long start, end, len;
	__u32 flags;
	struct mm_struct *mm;

	flags = want(CT_EV_EXEC);
	if (flags == CT_DROP)
		return 0;
	e = reserve(CT_EV_EXEC, sizeof(*e), rb);
	if (!e)
		return 0;
	fill_hdr(&e->hdr, CT_EV_EXEC, task, flags);
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), BPF_CORE_READ(bprm, filename));

	/* The new image is installed: its argv sits between arg_start and arg_end. */
	mm = BPF_CORE_READ(task, mm);
	start = BPF_CORE_READ(mm, arg_start);
	end = BPF_CORE_READ(mm, arg_end);
	len = end > start ? end - start : 0;
	e->argv_truncated = len > CT_ARGV_LEN;
	if (len >= CT_ARGV_LEN) {
		len = CT_ARGV_LEN;
		if (bpf_probe_read_user(e->argv, CT_ARGV_LEN, (void *)start))
			len = 0;
	} else {
		len &= CT_ARGV_LEN - 1;	/* a bound the verifier can see */
		if (bpf_probe_read_user(e->argv, len, (void *)start))
			len = 0;
	}
	e->argv_len = len;
	submit(ctx, CT_EV_EXEC, e, sizeof(*e), rb);
	return 0;
}

/* TP_PROTO(struct task_struct *parent, struct task_struct *child) */
CT_HOOK("raw_tracepoint/sched_process_fork", handle_fork, struct bpf_raw_tracepoint_args)
{
	struct task_struct *parent = (void *)ctx->args[0];
	struct task_struct *child = (void *)ctx->args[1];
	struct ct_fork_event *e;
	__u32 flags;

	flags = want(CT_EV_FORK);
	if (flags == CT_DROP)
		return 0;
	/* New threads fire this too; a process is a task that leads its group. */
	if (BPF_CORE_READ(child, pid) != BPF_CORE_READ(child, tgid))
		return 0;
	e = reserve(CT_EV_FORK, sizeof(*e), rb);
	if (!e)
		return 0;
	fill_hdr(&e->hdr, CT_EV_FORK, child, flags);
	e->parent_pid = BPF_CORE_READ(parent, pid);
	e->parent_tgid = BPF_CORE_READ(parent, tgid);
	submit(ctx, CT_EV_FORK, e, sizeof(*e), rb);
	return 0;
}

/* TP_PROTO(struct task_struct *p) (6.16+ adds bool group_dead) */
CT_HOOK("raw_tracepoint/sched_process_exit", handle_exit, struct bpf_raw_tracepoint_args)
{
	struct task_struct *task = (void *)ctx->args[0];
	__u64 id = bpf_get_current_pid_tgid();
	struct ct_exit_event *e;
	__u64 start;
	__u32 flags;

	/* Thread exits are not process exits. */
	if ((__u32)id != (__u32)(id >> 32))
		return 0;
	flags = want(CT_EV_EXIT);
	if (flags == CT_DROP)
		return 0;
	e = reserve(CT_EV_EXIT, sizeof(*e), rb);
	if (!e)
		return 0;
	fill_hdr(&e->hdr, CT_EV_EXIT, task, flags);
	/* do_exit() stores the code before this tracepoint fires. */
	e->exit_code = BPF_CORE_READ(task, exit_code);
	e->_pad = 0;
	if (bpf_core_field_exists(task->start_boottime)) {
		e->start_boottime_ns = BPF_CORE_READ(task, start_boottime);
	} else {
		struct task_struct___pre55 *old = (void *)task;

		e->start_boottime_ns = BPF_CORE_READ(old, real_start_time);
	}
	start = BPF_CORE_READ(task, start_time);
	e->age_ns = e->hdr.ts_ns > start ? e->hdr.ts_ns - start : 0;
	submit(ctx, CT_EV_EXIT, e, sizeof(*e), rb);
	return 0;
}

static __always_inline int emit_open(void *ctx, bool rb, __u32 call, int dfd, const char *path,
				     __u32 flags, __u32 mode)
{
	struct ct_open_event *e;
	__u32 hflags = want(CT_EV_OPEN);

	if (hflags == CT_DROP)
		return 0;
	e = reserve(CT_EV_OPEN, sizeof(*e), rb);
	if (!e)
		return 0;
	fill_hdr(&e->hdr, CT_EV_OPEN, (struct task_struct *)bpf_get_current_task(), hflags);
	e->dfd = dfd;
	e->flags = flags;
	e->mode = mode;
	e->call = call;
	if (bpf_probe_read_user_str(e->path, sizeof(e->path), path) < 0)
		e->path[0] = '\0';
	submit(ctx, CT_EV_OPEN, e, sizeof(*e), rb);
	return 0;
}

CT_HOOK("tracepoint/syscalls/sys_enter_openat", handle_openat, struct trace_event_raw_sys_enter)
{
	return emit_open(ctx, rb, CT_OPEN_OPENAT, (int)ctx->args[0], (const char *)ctx->args[1],
			 (__u32)ctx->args[2], (__u32)ctx->args[3]);
}

/* open(2) is x86_64-only (arm64 has no such syscall): the tool autoloads it only if present. */
CT_HOOK("tracepoint/syscalls/sys_enter_open", handle_open, struct trace_event_raw_sys_enter)
{
	return emit_open(ctx, rb, CT_OPEN_OPEN, -100 /* AT_FDCWD */, (const char *)ctx->args[0],
			 (__u32)ctx->args[1], (__u32)ctx->args[2]);
}

/*
 * struct open_how is UAPI (fixed layout) and absent from the BTF of kernels
 * before 5.6: declared here without CO-RE, or its relocation would fail to
 * resolve against an old kernel's BTF and refuse the whole object.
 */
struct ct_open_how {
	__u64 flags;
	__u64 mode;
};

/* openat2(2) appeared in 5.6: also optional. */
CT_HOOK("tracepoint/syscalls/sys_enter_openat2", handle_openat2, struct trace_event_raw_sys_enter)
{
	struct ct_open_how how = {};

	bpf_probe_read_user(&how, sizeof(how), (void *)ctx->args[2]);
	return emit_open(ctx, rb, CT_OPEN_OPENAT2, (int)ctx->args[0], (const char *)ctx->args[1],
			 (__u32)how.flags, (__u32)how.mode);
}

/*
 * A TCP connect is the CLOSE -> SYN_SENT transition, which tcp_v4_connect()
 * and tcp_v6_connect() make in the connecting process once both addresses
 * are known. The source port is chosen just after (inet_hash_connect()),
 * so unless the socket was bound first it is still 0 at this tracepoint.
 * A tracepoint rather than a kprobe on tcp_connect(): kernels built without
 * CONFIG_KPROBES (this project's 6.18 test kernel among them) still have it.
 * It exists since 4.16; "protocol" was not in every version.
 *
 * So an unbound socket's connect is stashed at that transition, with its
 * header (the connecting task, the time), in pending_connect keyed by the
 * socket, and reported as soon as the port is known:
 *   - when connect(2) returns (sys_exit_connect; blocking or not, the port
 *     is chosen by then): the port is read from the socket itself
 *     (inet_sock.inet_sport), found through connect_thread (thread -> socket);
 *   - or at the socket's next transition (SYN_SENT -> ESTABLISHED or CLOSE),
 *     if that comes first (loopback completes inside connect(2)) or if the
 *     connect was not made by connect(2) (io_uring): the tracepoint has the
 *     port by then.
 * Whichever comes first emits and removes the entry. Both maps are LRU
 * hashes (4.10): an entry whose end was never seen (the tool attached
 * mid-connect) is evicted, never leaked. A socket bound before connecting
 * already has its port and is reported at once, as before.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);			/* the socket */
	__type(value, struct ct_connect_event);
} pending_connect SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);			/* pid_tgid of the connecting thread */
	__type(value, __u64);			/* its socket */
} connect_thread SEC(".maps");

/* inet_sock.inet_sport (network order) of @sk, in host order. */
static __always_inline __u16 sock_sport(__u64 sk)
{
	__u16 port = 0;

	bpf_core_read(&port, sizeof(port), &((struct inet_sock *)sk)->inet_sport);
	return __builtin_bswap16(port);
}

/* Emit @sk's stashed connect with source port @sport, and forget it. */
static __always_inline void emit_pending(void *ctx, __u64 sk, __u16 sport, bool use_sock,
					 bool rb)
{
	struct ct_connect_event *p, *e;

	p = bpf_map_lookup_elem(&pending_connect, &sk);
	if (!p)
		return;
	e = reserve(CT_EV_CONNECT, sizeof(*e), rb);
	if (e) {
		__builtin_memcpy(e, p, sizeof(*e));
		e->sport = use_sock ? sock_sport(sk) : sport;
		submit(ctx, CT_EV_CONNECT, e, sizeof(*e), rb);
	}
	bpf_map_delete_elem(&pending_connect, &sk);
}

CT_HOOK("tracepoint/syscalls/sys_exit_connect", handle_connect_exit,
	struct trace_event_raw_sys_exit)
{
	__u64 id = bpf_get_current_pid_tgid(), *sk;

	sk = bpf_map_lookup_elem(&connect_thread, &id);
	if (!sk)
		return 0;
	emit_pending(ctx, *sk, 0, true, rb);
	bpf_map_delete_elem(&connect_thread, &id);
	return 0;
}

static __always_inline void fill_connect(struct ct_connect_event *e,
					 struct trace_event_raw_inet_sock_set_state *ctx,
					 __u16 family, __u32 flags)
{
	fill_hdr(&e->hdr, CT_EV_CONNECT, (struct task_struct *)bpf_get_current_task(), flags);
	e->family = family;
	e->dport = ctx->dport;	/* the tracepoint stores ports in host order */
	e->sport = ctx->sport;
	e->_pad = 0;
	__builtin_memset(e->saddr, 0, sizeof(e->saddr));
	__builtin_memset(e->daddr, 0, sizeof(e->daddr));
	if (family == AF_INET) {
		bpf_core_read(e->saddr, 4, &ctx->saddr);
		bpf_core_read(e->daddr, 4, &ctx->daddr);
	} else {
		bpf_core_read(e->saddr, 16, &ctx->saddr_v6);
		bpf_core_read(e->daddr, 16, &ctx->daddr_v6);
	}
}

CT_HOOK("tracepoint/sock/inet_sock_set_state", handle_inet_sock_set_state,
	struct trace_event_raw_inet_sock_set_state)
{
	__u64 id, sk = (__u64)ctx->skaddr;
	struct ct_connect_event *e;
	__u16 family;
	__u32 flags;

	if (ctx->oldstate == TCP_SYN_SENT) {
		/* A stashed connect's port is known now (a no-op for any other socket). */
		emit_pending(ctx, sk, ctx->sport, false, rb);
		return 0;
	}
	if (ctx->oldstate != TCP_CLOSE || ctx->newstate != TCP_SYN_SENT)
		return 0;
	if (bpf_core_field_exists(ctx->protocol) && ctx->protocol != IPPROTO_TCP)
		return 0;
	family = ctx->family;
	if (family != AF_INET && family != AF_INET6)
		return 0;
	flags = want(CT_EV_CONNECT);
	if (flags == CT_DROP)
		return 0;
	if (!ctx->sport) {
		struct ct_connect_event p;

		/* Not bound yet: reported once the kernel has chosen the port. */
		fill_connect(&p, ctx, family, flags);
		id = bpf_get_current_pid_tgid();
		if (!bpf_map_update_elem(&pending_connect, &sk, &p, BPF_ANY)) {
			bpf_map_update_elem(&connect_thread, &id, &sk, BPF_ANY);
			return 0;
		}
	}
	e = reserve(CT_EV_CONNECT, sizeof(*e), rb);
	if (!e)
		return 0;
	fill_connect(e, ctx, family, flags);
	submit(ctx, CT_EV_CONNECT, e, sizeof(*e), rb);
	return 0;
}
