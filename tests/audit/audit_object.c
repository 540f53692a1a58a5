// SPDX-License-Identifier: BSD-2-Clause
/*
 * audit_object FILE...: print each BPF object's audit (bpf_audit.h) as one
 * JSON object per line, for test_audit.py.
 */
#include <stdio.h>
#include <string.h>
#include <jansson.h>

#include "bpf_audit.h"

int main(int argc, char **argv)
{
	int i, k, err, rc = 0;

	for (i = 1; i < argc; i++) {
		struct audit_report *r;
		json_t *j, *progs;
		char kv[16], ckv[16];

		err = audit__file(argv[i], &r);
		if (err) {
			fprintf(stderr, "audit_object: %s: %s\n", argv[i], strerror(-err));
			rc = 1;
			continue;
		}
		progs = json_array();
		for (k = 0; k < r->prog_cnt; k++) {
			const struct audit_prog *p = &r->progs[k];

			json_array_append_new(progs, json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:b,s:b}",
				"name", p->name, "floor", audit__kv_str(p->floor, kv, sizeof(kv)),
				"why", p->why,
				"cond_floor", p->cond_floor ? audit__kv_str(p->cond_floor, ckv, sizeof(ckv)) : "",
				"cond_why", p->cond_why,
				"insns", (json_int_t)p->insn_cnt, "loops", p->loops,
				"chosen", p->chosen));
		}
		j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:i,s:o}", "object", argv[i],
			      "floor", audit__kv_str(r->floor, kv, sizeof(kv)), "why", r->why,
			      "cond_floor", r->cond_floor ? audit__kv_str(r->cond_floor, ckv, sizeof(ckv)) : "",
			      "cond_why", r->cond_why,
			      "unknown", r->unknown, "programs", progs);
		json_dumpf(j, stdout, JSON_COMPACT | JSON_SORT_KEYS);
		putchar('\n');
		json_decref(j);
		audit__free(r);
	}
	return rc;
}
