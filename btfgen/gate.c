// SPDX-License-Identifier: BSD-2-Clause
#include <stdio.h>

#include "bpf_audit.h"
#include "gate.h"
#include "log.h"

/*
 * Kernels older than the objects' floor (bpf_audit.h: what they always
 * need, not what a branch on a read-only global or a CO-RE existence check
 * needs) would only get a BTF the tracer can never use there: they leave
 * the plan, counted, in one line that -q does not hide. An object the audit cannot read is left to
 * btfgen__new() to report.
 */
void gate__kernels(struct input_list *in, const char *const *objects, int n,
		   const struct audit_floor *manual, struct report_info *info)
{
	static char floor_str[16];
	static struct audit_floor f;
	char example[256] = "", line[1024];
	size_t i, kept = 0;

	if (manual) {
		f = *manual;
	} else if (audit__objects_floor(objects, n, &f)) {
		pr_debug("%s: no audit, no kernel skipped", f.why);
		return;
	}
	info->floor = audit__kv_str(f.floor, floor_str, sizeof(floor_str));
	info->floor_why = f.why;
	info->cond_why = f.cond_floor ? f.cond_why : NULL;
	for (i = 0; i < in->cnt; i++) {
		if (!audit__release_below(in->v[i].release, f.floor)) {
			in->v[kept++] = in->v[i];
			continue;
		}
		if (!info->below_floor++)
			snprintf(example, sizeof(example), "%s", in->v[i].rel);
		pr_info("%s: skipped: older than Linux %s, the floor set by %s",
			in->v[i].rel, info->floor, f.why);
		input__kernel_free(&in->v[i]);
	}
	in->cnt = kept;
	if (info->below_floor) {
		audit__gate_summary(&f, info->below_floor, example, line, sizeof(line));
		pr_notice("%s", line);
	} else if (f.cond_floor) {
		char ckv[16];

		pr_info("Linux %s is needed only under a load-time condition (%s); kernels from "
			"Linux %s on are kept", audit__kv_str(f.cond_floor, ckv, sizeof(ckv)),
			f.cond_why, info->floor);
	}
}
