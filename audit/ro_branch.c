// SPDX-License-Identifier: BSD-2-Clause
/*
 * Which instructions run only on one side of a branch on a read-only
 * global (ro_branch.h).
 *
 * Two passes. A forward data flow over the registers finds the conditional
 * jumps that test a value loaded from a read-only global: a register holds
 * a pointer into one (an ld_imm64 the ELF relocates to .rodata* or a
 * .kconfig extern), or a value loaded through such a pointer, kept through
 * moves and ALU operations with a constant (clang masks and shifts a bool);
 * anything else makes it unknown, and paths that disagree meet as unknown;
 * or the constant of a CO-RE existence check, kept only through moves.
 * Then, for each such jump and each of its two directions, the
 * instructions reachable from the entry with that jump forced: what is not
 * reachable under one direction runs only under the other. An instruction
 * every forcing reaches always runs, whatever the globals hold, and that
 * is what a kernel must support to load the program at all.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ro_branch.h"

#define NREGS 11

enum reg_kind { REG_UNKNOWN, REG_RO_PTR, REG_RO_VAL, REG_CORE_VAL };

struct reg {
	uint8_t kind;
	int sym;		/* REG_CORE_VAL: the check's index */
	int32_t off;
};

struct regs {
	struct reg r[NREGS];
};

void insn__successors(const struct bpf_insn *insn, size_t cnt, size_t i, long next[2])
{
	const struct bpf_insn *in = &insn[i];
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);

	next[0] = next[1] = -1;
	if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
		next[0] = i + 2;
	} else if ((cls == BPF_JMP || cls == BPF_JMP32) && op == BPF_EXIT) {
		return;
	} else if ((cls == BPF_JMP || cls == BPF_JMP32) && op != BPF_CALL) {
		/* JMP32's JA (gotol) keeps its offset in imm. */
		long off = cls == BPF_JMP32 && op == BPF_JA ? in->imm : in->off;

		next[1] = (long)i + off + 1;
		if (op != BPF_JA)
			next[0] = i + 1;
	} else {
		next[0] = i + 1;
	}
	if (next[0] >= (long)cnt)
		next[0] = -1;
	if (next[1] < 0 || next[1] >= (long)cnt)
		next[1] = -1;
}

static bool is_cond_jump(const struct bpf_insn *in)
{
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);

	return (cls == BPF_JMP || cls == BPF_JMP32) && op != BPF_CALL && op != BPF_EXIT &&
	       op != BPF_JA;
}

static void set_unknown(struct reg *r)
{
	memset(r, 0, sizeof(*r));
}

/* The registers after instruction @i, from those before it. */
static void transfer(const struct bpf_insn *insn, size_t i, const struct ro_ref *refs,
		     struct regs *s)
{
	const struct bpf_insn *in = &insn[i];
	uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
	struct reg *dst = in->dst_reg < NREGS ? &s->r[in->dst_reg] : NULL;
	const struct reg *src = in->src_reg < NREGS ? &s->r[in->src_reg] : NULL;
	int k;

	if (!dst || !src) {
		for (k = 0; k < NREGS; k++)
			set_unknown(&s->r[k]);
		return;
	}
	if (refs[i].core >= 0) {	/* core_check.c saw a constant load here */
		struct reg v = { REG_CORE_VAL, refs[i].core, 0 };

		*dst = v;
		return;
	}
	switch (cls) {
	case BPF_LD:
		if (in->code == (BPF_LD | BPF_IMM | BPF_DW) && refs[i].sym >= 0) {
			dst->kind = REG_RO_PTR;
			dst->sym = refs[i].sym;
			dst->off = refs[i].off;
		} else if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
			set_unknown(dst);
		} else {
			set_unknown(&s->r[0]);	/* LD_ABS / LD_IND */
		}
		break;
	case BPF_LDX:
		if (src->kind == REG_RO_PTR) {
			struct reg v = { REG_RO_VAL, src->sym, src->off + in->off };

			*dst = v;
		} else {
			set_unknown(dst);
		}
		break;
	case BPF_STX:
		if (BPF_MODE(in->code) == BPF_ATOMIC) {
			/* A fetching atomic writes src; cmpxchg writes r0. */
			set_unknown(&s->r[in->src_reg]);
			set_unknown(&s->r[0]);
		}
		break;
	case BPF_ALU:
	case BPF_ALU64:
		if (op == BPF_MOV && BPF_SRC(in->code) == BPF_X && !in->off) {
			*dst = *src;
		} else if (op == BPF_MOV) {
			set_unknown(dst);
		} else if (BPF_SRC(in->code) == BPF_K && dst->kind == REG_RO_VAL) {
			;	/* still a function of the global's value alone */
		} else if (BPF_SRC(in->code) == BPF_K && dst->kind == REG_RO_PTR && op == BPF_ADD &&
			   cls == BPF_ALU64) {
			dst->off += in->imm;
		} else if (op == BPF_NEG || op == BPF_END) {
			if (dst->kind != REG_RO_VAL)
				set_unknown(dst);
		} else {
			set_unknown(dst);
		}
		break;
	case BPF_JMP:
	case BPF_JMP32:
		if (op == BPF_CALL)
			for (k = 0; k <= 5; k++)
				set_unknown(&s->r[k]);
		break;
	default:
		break;	/* ST: memory only */
	}
}

static bool meet(struct regs *into, const struct regs *from)
{
	bool changed = false;
	int k;

	for (k = 0; k < NREGS; k++) {
		struct reg *a = &into->r[k];
		const struct reg *b = &from->r[k];

		if (a->kind != REG_UNKNOWN &&
		    (a->kind != b->kind || a->sym != b->sym || a->off != b->off)) {
			set_unknown(a);
			changed = true;
		}
	}
	return changed;
}

/*
 * The global a conditional jump at @i tests, or sym -1. The verifier
 * prunes only a jump whose outcome it knows: a read-only value against a
 * constant, or against another read-only value. Against anything else
 * (opensnoop's `targ_tgid != tgid`) both sides are walked.
 */
static struct ro_ref tested(const struct bpf_insn *in, const struct regs *s)
{
	struct ro_ref none = { -1, 0, -1 };
	const struct reg *d = &s->r[in->dst_reg];
	uint8_t op = BPF_OP(in->code);

	if (d->kind == REG_CORE_VAL && BPF_SRC(in->code) == BPF_K && !in->imm &&
	    (op == BPF_JEQ || op == BPF_JNE))
		return (struct ro_ref){ -1, 0, d->sym };
	if (d->kind != REG_RO_VAL)
		return none;
	if (BPF_SRC(in->code) == BPF_X && s->r[in->src_reg].kind != REG_RO_VAL)
		return none;
	return (struct ro_ref){ d->sym, d->off, -1 };
}

/* Mark in @seen what the entry reaches with jump @forced going only @taken. */
static void reach(const struct bpf_insn *insn, size_t cnt, long forced, bool taken,
		  unsigned char *seen, size_t *stack)
{
	size_t top = 0;

	memset(seen, 0, cnt);
	seen[0] = 1;
	stack[top++] = 0;
	while (top) {
		size_t i = stack[--top];
		long next[2];
		int e;

		insn__successors(insn, cnt, i, next);
		if ((long)i == forced)
			next[taken ? 0 : 1] = -1;
		for (e = 0; e < 2; e++) {
			if (next[e] >= 0 && !seen[next[e]]) {
				seen[next[e]] = 1;
				stack[top++] = next[e];
			}
		}
	}
}

/*
 * The register states on entry to each instruction, to a fixed point: in[i]
 * for every i that @visited marks reachable. Registers start unknown (r1 is
 * the context); each state only falls to unknown, so the loop ends.
 */
static void propagate(const struct bpf_insn *insn, size_t cnt, const struct ro_ref *refs,
		      struct regs *in, unsigned char *visited)
{
	bool changed = true;
	struct regs out;
	size_t i;

	visited[0] = 1;
	while (changed) {
		changed = false;
		for (i = 0; i < cnt; i++) {
			long next[2];
			int e;

			if (!visited[i])
				continue;
			out = in[i];
			transfer(insn, i, refs, &out);
			insn__successors(insn, cnt, i, next);
			for (e = 0; e < 2; e++) {
				if (next[e] < 0)
					continue;
				if (!visited[next[e]]) {
					visited[next[e]] = 1;
					in[next[e]] = out;
					changed = true;
				} else if (meet(&in[next[e]], &out)) {
					changed = true;
				}
			}
		}
	}
}

int ro_branch__analyze(const struct bpf_insn *insn, size_t cnt, const struct ro_ref *refs,
		       struct ro_cond *cond, struct ro_ref *var)
{
	struct regs *in = NULL;
	unsigned char *visited = NULL, *seen = NULL;
	size_t *stack = NULL, i;
	long *branches = NULL;
	int nbr = 0, err = 0, b, d;

	for (i = 0; i < cnt; i++) {
		cond[i].branch = -1;
		cond[i].taken = false;
		var[i].sym = -1;
		var[i].off = 0;
		var[i].core = -1;
	}
	if (!cnt || cnt > RO_BRANCH_MAX_INSNS)
		return 0;
	for (i = 0; i < cnt && refs[i].sym < 0 && refs[i].core < 0; i++)
		;
	if (i == cnt)
		return 0;	/* no known value: nothing to do */

	in = calloc(cnt, sizeof(*in));
	visited = calloc(cnt, 1);
	seen = calloc(cnt, 1);
	stack = calloc(cnt, sizeof(*stack));
	branches = calloc(RO_BRANCH_MAX_BRANCHES, sizeof(*branches));
	if (!in || !visited || !seen || !stack || !branches) {
		err = -ENOMEM;
		goto out;
	}
	propagate(insn, cnt, refs, in, visited);
	for (i = 0; i < cnt && nbr < RO_BRANCH_MAX_BRANCHES; i++) {
		if (!visited[i] || !is_cond_jump(&insn[i]))
			continue;
		var[i] = tested(&insn[i], &in[i]);
		if (var[i].sym >= 0 || var[i].core >= 0)
			branches[nbr++] = i;
	}
	/* What a forced direction cannot reach runs only the other way. */
	for (b = 0; b < nbr; b++) {
		for (d = 0; d < 2; d++) {
			/* A check: only the side where it holds (JNE taken, JEQ not). */
			if (var[branches[b]].core >= 0 &&
			    !d == (BPF_OP(insn[branches[b]].code) == BPF_JEQ))
				continue;
			reach(insn, cnt, branches[b], d, seen, stack);
			for (i = 0; i < cnt; i++) {
				if (visited[i] && !seen[i] && cond[i].branch < 0) {
					cond[i].branch = branches[b];
					cond[i].taken = !d;
				}
			}
		}
	}
	err = nbr;
out:
	free(in);
	free(visited);
	free(seen);
	free(stack);
	free(branches);
	return err;
}

static const char *op_str(uint8_t op, bool negate)
{
	switch (op) {
	case BPF_JEQ: return negate ? "!=" : "==";
	case BPF_JNE: return negate ? "==" : "!=";
	case BPF_JGT: case BPF_JSGT: return negate ? "<=" : ">";
	case BPF_JGE: case BPF_JSGE: return negate ? "<" : ">=";
	case BPF_JLT: case BPF_JSLT: return negate ? ">=" : "<";
	case BPF_JLE: case BPF_JSLE: return negate ? ">" : "<=";
	default: return NULL;
	}
}

void ro_branch__cond_str(const struct bpf_insn *insn, const struct ro_cond *c, const char *name,
			 char *buf, size_t size)
{
	const struct bpf_insn *j = &insn[c->branch];
	uint8_t op = BPF_OP(j->code);
	const char *o = op_str(op, !c->taken);
	char rhs[24];

	if (BPF_SRC(j->code) == BPF_K)
		snprintf(rhs, sizeof(rhs), "%d", j->imm);
	else
		snprintf(rhs, sizeof(rhs), "another value");
	if (op == BPF_JSET)
		snprintf(buf, size, "'%s' & %s %s 0", name, rhs, c->taken ? "!=" : "==");
	else if (o)
		snprintf(buf, size, "'%s' %s %s", name, o, rhs);
	else
		snprintf(buf, size, "a value of '%s'", name);
}
