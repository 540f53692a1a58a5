/* SPDX-License-Identifier: BSD-2-Clause */
/* btfgen's summary: a human line on stdout, or one JSON document (--json). */
#ifndef BTFGEN_REPORT_H
#define BTFGEN_REPORT_H

#include <stdio.h>

struct btfgen;
struct bpftool;

struct report_info {
	const struct bpftool *bpftool;
	int jobs;
	unsigned int shard_index, shard_count;	/* shard_count 0: no sharding */
	const char *floor;		/* the objects' floor ("4.18"), NULL if not audited */
	const char *floor_why;		/* what sets it: "<object>: <facility>" or "--floor X.Y" */
	const char *cond_why;		/* a higher need behind a load-time condition, NULL if none */
	size_t below_floor;		/* kernels skipped as older than that */
};

void report__text(FILE *f, const struct btfgen *g);
/* Returns 0 or -ENOMEM. Keys are stable; "results" is sorted by kernel. */
int report__json(FILE *f, const struct btfgen *g, const struct report_info *info);
/* {"error": msg}: stdout stays JSON in --json mode even on fatal errors. */
void report__json_error(FILE *f, const char *msg);

#endif
