// SPDX-License-Identifier: BSD-2-Clause
#include <stdio.h>

#include "bpf_audit.h"
#include "gate.h"
#include "log.h"

/*
 * Kernels older than the objects' floor (bpf_audit.h) would only get a BTF
 * the tracer can never use there: they leave the plan, counted. An object
 * the audit cannot read is left to btfgen__new() to report.
 */
void gate__kernels(struct input_list *in, const char *const *objects, int n,
		   struct report_info *info)
{
	static char floor_str[16];
	char why[256], example[256] = "";
	uint32_t floor;
	size_t i, kept = 0;

	if (audit__objects_floor(objects, n, &floor, why, sizeof(why))) {
		pr_debug("%s: no audit, no kernel skipped", why);
		return;
	}
	info->floor = audit__kv_str(floor, floor_str, sizeof(floor_str));
	for (i = 0; i < in->cnt; i++) {
		if (!audit__release_below(in->v[i].release, floor)) {
			in->v[kept++] = in->v[i];
			continue;
		}
		if (!info->below_floor++)
			snprintf(example, sizeof(example), "%s", in->v[i].rel);
		pr_info("%s: skipped: older than Linux %s, the oldest the objects load on (%s)",
			in->v[i].rel, info->floor, why);
		input__kernel_free(&in->v[i]);
	}
	in->cnt = kept;
	if (info->below_floor)
		pr_warn("skipped %zu kernel%s older than Linux %s, the oldest the objects load on (%s), "
			"e.g. %s; --all-kernels keeps them", info->below_floor,
			info->below_floor == 1 ? "" : "s", info->floor, why, example);
}
