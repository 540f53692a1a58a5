/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * CO-RE existence checks (private to audit/). bpf_core_field_exists(),
 * bpf_core_type_exists(), bpf_core_type_matches() and
 * bpf_core_enum_value_exists() compile to a constant load (mov or ld_imm64)
 * carrying a CO-RE relocation in .BTF.ext; libbpf patches the constant to
 * 0 or 1 against the running kernel's BTF before load, so to the verifier
 * it is as known as a frozen .rodata value, and a branch on it is pruned
 * like one. This module finds those instructions and says what each checks.
 */
#ifndef BTFKIT_AUDIT_CORE_CHECK_H
#define BTFKIT_AUDIT_CORE_CHECK_H

#include <stddef.h>
#include <linux/bpf.h>
#include <bpf/btf.h>

struct core_check {
	size_t insn;		/* the constant load, an index into the program's instructions */
	char cond[112];		/* what holds when it is 1: "field task_struct.__state exists" */
};

/*
 * The existence checks among the CO-RE relocations of ELF section @sec in
 * the .BTF.ext bytes @ext/@ext_sz (of the object whose BTF is @btf), for
 * the @cnt instructions @insn that start @start bytes into that section.
 * *@out (free()) holds *@n checks, in the order of .BTF.ext. A .BTF.ext
 * that is malformed, or not in this host's byte order, yields none: every
 * instruction then counts as always run. 0 or -ENOMEM.
 */
int core_check__find(const void *ext, size_t ext_sz, const struct btf *btf, const char *sec,
		     size_t start, const struct bpf_insn *insn, size_t cnt,
		     struct core_check **out, size_t *n);

#endif
