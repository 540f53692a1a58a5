// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdbool.h>
#include <jansson.h>

#include "bpftool.h"
#include "escape_json.h"
#include "btfgen.h"
#include "report.h"

static void human_bytes(uint64_t n, char *buf, size_t sz)
{
	if (n >= 10 * 1024 * 1024)
		snprintf(buf, sz, "%.1f MiB", n / (1024.0 * 1024));
	else if (n >= 10 * 1024)
		snprintf(buf, sz, "%.1f KiB", n / 1024.0);
	else
		snprintf(buf, sz, "%llu B", (unsigned long long)n);
}

void report__text(FILE *f, const struct btfgen *g)
{
	struct btfgen_summary s;
	char in[32], out[32];

	btfgen__summary(g, &s);
	human_bytes(s.input_bytes, in, sizeof(in));
	human_bytes(s.output_bytes, out, sizeof(out));
	fprintf(f, "%zu kernels: %zu reduced, %zu cached, %zu failed", s.kernels,
		s.reduced, s.cached, s.failed);
	if (s.skipped)
		fprintf(f, ", %zu skipped", s.skipped);
	if (s.pruned)
		fprintf(f, ", %zu pruned", s.pruned);
	fprintf(f, "; input %s, output %s; %.2f s\n", in, out, s.wall_time_s);
}

int report__json(FILE *f, const struct btfgen *g, const struct report_info *info)
{
	struct btfgen_summary s;
	json_t *root, *results, *bt = NULL, *shard = json_null();
	size_t i;
	int err = 0;

	btfgen__summary(g, &s);
	if (info->shard_count)
		shard = json_pack("{s:I, s:I}", "index", (json_int_t)info->shard_index,
				  "count", (json_int_t)info->shard_count);
	if (info->bpftool)
		bt = json_pack("{s:o, s:o}", "path", escape__json(info->bpftool->path),
			       "version", escape__json(info->bpftool->version_line));
	results = json_array();
	root = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:i, s:o, s:o*, s:o}",
			 "kernels", (json_int_t)s.kernels,
			 "reduced", (json_int_t)s.reduced,
			 "cached", (json_int_t)s.cached,
			 "failed", (json_int_t)s.failed,
			 "skipped", (json_int_t)s.skipped,
			 "pruned", (json_int_t)s.pruned,
			 "input_bytes", (json_int_t)s.input_bytes,
			 "output_bytes", (json_int_t)s.output_bytes,
			 "wall_time_s", s.wall_time_s,
			 "jobs", info->jobs,
			 "shard", shard,
			 "bpftool", bt,
			 "results", results);
	if (!root)
		return -ENOMEM;
	json_object_set_new(root, "floor", info->floor ? json_string(info->floor) : json_null());
	json_object_set_new(root, "floor_why", info->floor_why ? escape__json(info->floor_why)
							       : json_null());
	json_object_set_new(root, "floor_conditional", info->cond_why ? escape__json(info->cond_why)
								   : json_null());
	json_object_set_new(root, "below_floor", json_integer(info->below_floor));
	for (i = 0; i < btfgen__result_cnt(g); i++) {
		const struct btfgen_result *r = btfgen__result(g, i);
		bool has_output = r->state == BTFGEN_REDUCED || r->state == BTFGEN_CACHED;
		/* Names and paths escaped (escape.h): an entry is never dropped for a byte. */
		json_t *o = json_pack("{s:o, s:s, s:o, s:o?, s:I, s:I}",
				      "kernel", escape__json(r->kernel),
				      "status", btfgen_state__str(r->state),
				      "input", escape__json(r->input),
				      "output", has_output ? escape__json(r->output) : NULL,
				      "input_bytes", (json_int_t)r->input_bytes,
				      "output_bytes", (json_int_t)r->output_bytes);

		if (!o) {
			err = -ENOMEM;
			goto out;
		}
		if (r->error)
			json_object_set_new(o, "error", escape__json_msg(r->error));
		json_array_append_new(results, o);
	}
	if (json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0)
		err = -EIO;
	fputc('\n', f);
out:
	json_decref(root);
	return err;
}

void report__json_error(FILE *f, const char *msg)
{
	json_t *o = json_pack("{s:o}", "error", escape__json_msg(msg));

	if (o) {
		json_dumpf(o, f, JSON_INDENT(2));
		fputc('\n', f);
		json_decref(o);
	}
}
