/* SPDX-License-Identifier: BSD-2-Clause */
/* The version table behind bpf_audit.h (facilities.c): private to audit/. */
#ifndef BTFKIT_AUDIT_FACILITIES_H
#define BTFKIT_AUDIT_FACILITIES_H

#include <stdbool.h>
#include <stdint.h>

struct facility {
	const char *name;
	uint32_t kv;		/* AUDIT_KV(); 0: unknown */
};

/* By id; NULL name when the id is not in the table. */
struct facility facility__helper(int32_t id);
struct facility facility__prog_type(uint32_t type);
struct facility facility__map_type(uint32_t type);
/*
 * Helpers that return (or take) a pointer into the kernel's own BTF
 * (PTR_TO_BTF_ID): a kernel without /sys/kernel/btf/vmlinux refuses them
 * whatever its version, and no bundle can stand in (it serves CO-RE only).
 */
bool facility__helper_needs_kernel_btf(int32_t id);
/* A tracepoint by its name ("sys_enter_openat2"); kv 0 when not in the table. */
struct facility facility__tracepoint(const char *name);

/* Facilities that are not an id in an enum. */
enum facility_feature {
	FEAT_BPF2BPF_CALLS,
	FEAT_JMP_V2,		/* BPF_JLT, JLE, JSLT, JSLE */
	FEAT_JMP32,
	FEAT_GLOBAL_DATA,
	FEAT_LONG_PROGRAM,	/* more than 4096 instructions */
	FEAT_BOUNDED_LOOPS,
	FEAT_KFUNC_CALLS,
	FEAT_KSYM,
	FEAT_CNT,
};
struct facility facility__feature(enum facility_feature f);

#define AUDIT_OLD_MAX_INSNS 4096

#endif
