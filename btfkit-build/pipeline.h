/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * btfkit-build's one run: btfhub-fetch's steps (run.h) in verify-only mode
 * around a streamed btfgen session (session.h): the selection is planned
 * and gated by the session before anything is fetched, and each archive is
 * fed to it as soon as it is verified, so a kernel is reduced while the
 * others are still downloading or verifying. The archive is read where it
 * lies (the fetch cache, or the source directory): no extracted copy on disk.
 */
#ifndef BTFKIT_PIPELINE_H
#define BTFKIT_PIPELINE_H

#include "run.h"
#include "session.h"

struct pipeline_opts {
	struct run_opts fetch;		/* out_dir is unset: verify only */
	struct session_opts gen;	/* btfgen's: outdir is the reduced tree (-o) */
};

/*
 * Run it and return the exit status: 0 if every selected kernel was fetched
 * and reduced (or cached), 1 if any failed (each reported in one line naming
 * the kernel and URL or input), 2 on a usage error, 128+N when stopped by
 * signal N. With fetch.list, prints the selection as planned (gated, this
 * shard) and fetches nothing.
 */
int pipeline__run(const struct pipeline_opts *o);

#endif
