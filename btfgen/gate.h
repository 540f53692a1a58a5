/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Kernels older than the BPF objects' floor (bpf_audit.h) would only get a
 * BTF the tracer can never use there: btfgen and btfkit-build drop them
 * from the plan, counted in @info, unless asked to keep them.
 */
#ifndef BTFGEN_GATE_H
#define BTFGEN_GATE_H

#include "bpf_audit.h"
#include "input.h"
#include "report.h"

/* @manual: a floor set by hand (--floor); NULL: the objects' audit. */
void gate__kernels(struct input_list *in, const char *const *objects, int n,
		   const struct audit_floor *manual, struct report_info *info);

#endif
