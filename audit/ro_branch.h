/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Branches on read-only globals (private to audit/). libbpf freezes the
 * .rodata maps (const volatile globals) and fills .kconfig before load, so
 * the verifier knows their values as constants and never walks the branch a
 * value rules out: a helper called only there (opensnoop's
 * bpf_get_current_task_btf() behind `const volatile bool full_path`) is
 * not needed on a kernel that runs the tool with that flag off. A CO-RE
 * existence check (core_check.h) is such a value too: libbpf patches its
 * constant to 0 or 1 before load. This module finds such branches and the
 * instructions that run only on one side.
 */
#ifndef BTFKIT_AUDIT_RO_BRANCH_H
#define BTFKIT_AUDIT_RO_BRANCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/bpf.h>

/*
 * A value known at load: a read-only global (the ELF symbol an ld_imm64
 * relocation names, plus an offset) or a CO-RE existence check.
 */
struct ro_ref {
	int sym;		/* symbol index; -1: not a read-only global */
	int32_t off;		/* offset from the symbol (the ld_imm64's imm, loads' off) */
	int core;		/* the caller's index of a CO-RE existence check; -1: none */
};

struct ro_cond {
	int branch;		/* the conditional jump; -1: the instruction always runs */
	bool taken;		/* it runs only when that jump is taken (else: falls through) */
};

/* Analysis over this many instructions is skipped (everything counts as always run). */
#define RO_BRANCH_MAX_INSNS (256u << 10)
#define RO_BRANCH_MAX_BRANCHES 256

/*
 * Up to two successors of instruction @i: @next[0] the fall-through,
 * @next[1] a jump's target; -1 where there is none.
 */
void insn__successors(const struct bpf_insn *insn, size_t cnt, size_t i, long next[2]);

/*
 * @refs[i] (for each of the @cnt instructions) names the read-only global an
 * ld_imm64 at i points to, or the CO-RE existence check whose constant the
 * instruction at i loads. Fills @cond[i] for every instruction and, for
 * each branch j found, @var[j] with the global whose value it tests (a
 * load through such a pointer, possibly masked or shifted) or the check.
 * A check counts only tested as is against 0 (JEQ/JNE), and only the side
 * that runs when it holds is conditional: kernels before 4.20 prune a
 * branch on a known constant only when it equals the immediate, so they
 * walk the other side even where the check holds. Returns the number of
 * branches on known values (0: every instruction always runs), or -ENOMEM.
 */
int ro_branch__analyze(const struct bpf_insn *insn, size_t cnt, const struct ro_ref *refs,
		       struct ro_cond *cond, struct ro_ref *var);

/*
 * The condition under which an instruction with @c runs, as text:
 * "'full_path' != 0". @name is the global's name.
 */
void ro_branch__cond_str(const struct bpf_insn *insn, const struct ro_cond *c, const char *name,
			 char *buf, size_t size);

#endif
