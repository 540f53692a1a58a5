/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * btfkit-build's one run: btfhub-fetch's run (run.h) in verify-only mode,
 * whose per-kernel callback feeds each verified archive to a streamed btfgen
 * run (btfgen.h) on its own thread, so a kernel is reduced while the others
 * are still downloading or verifying. The archive is read where it lies (the
 * fetch cache, or the source directory): no extracted copy on disk.
 */
#ifndef BTFKIT_PIPELINE_H
#define BTFKIT_PIPELINE_H

#include <stdbool.h>

#include "bpf_audit.h"
#include "btfgen.h"
#include "run.h"

struct pipeline_opts {
	struct run_opts fetch;		/* out_dir and hooks are set by the pipeline */
	const char *outdir;		/* the reduced tree (btfgen -o) */
	const char *bpftool;		/* NULL: btfgen's search */
	char *const *objects;
	int nobjects;
	int jobs;			/* bpftool processes; 0 = one per CPU */
	bool prune, all_kernels;
	const struct audit_floor *floor;	/* --floor X.Y; NULL: the objects' audit */
	bool fail_fast;			/* btfgen --fail-fast */
	unsigned int shard_index, shard_count;	/* --shard I/N; count 0 = none */
	bool json;			/* btfgen's --json document on stdout */
	const char *unpack_dir;		/* btfgen --unpack-dir */
	bool raw;			/* btfgen --raw: bpftool's bytes, not canonical */
};

/*
 * Run it and return the exit status: 0 if every selected kernel was fetched
 * and reduced (or cached), 1 if any failed (each reported in one line naming
 * the kernel and URL or input), 2 on a usage error, 130 if interrupted.
 * With fetch.list, prints the selection as planned (gated, this shard) and
 * fetches nothing.
 */
int pipeline__run(const struct pipeline_opts *o);

#endif
