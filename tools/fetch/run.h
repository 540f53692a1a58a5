/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The steps of a fetch, once main.c has parsed the options: open (source,
 * output directory, cache), select (listing the source if need be), then
 * --list, or fetch and record (pins, --update-manifest, --prune, summary).
 * btfhub-fetch's commands run them in a row; btfkit-build runs its btfgen
 * session between them. Process concerns (curl_global_init(), signals,
 * libbpf's print callback) are main()'s.
 */
#ifndef BTFHUB_FETCH_RUN_H
#define BTFHUB_FETCH_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "extract.h"
#include "fetch.h"
#include "manifest.h"
#include "selection.h"

struct run_opts {
	const char *out_dir;	/* -o; NULL only with --add or verifying only (btfkit-build) */
	const char *manifest;	/* -m */
	const char *source;	/* -s/--base; NULL = SOURCE_DEFAULT_URL */
	const char *cache_dir;	/* NULL = ~/.cache/btfkit/fetch */
	struct selection sel;
	bool update_manifest, prune, json;
	bool list;		/* --list: print the selection, fetch nothing */
	const char *write_index;	/* --write-index DIR: only that */
	uint64_t max_listing;	/* cap on listing responses; 0 = default */
	const char **adds;	/* --add specs */
	int nadds;
	long jobs;		/* -j: CPU threads; 0 = one per CPU */
	struct transfer_opts transfer;	/* transferopt.h's knobs; 0 = default, TRANSFER_OFF = off */
	uint64_t max_size;
	int verbosity;		/* log level: -1 quiet .. 2 debug */
};

/* btfhub-fetch's defaults; btfkit-build starts from the same ones. */
#define RUN_OPTS_DEFAULTS						\
	.max_size = TRANSFER_DEFAULT_MAX_SIZE

/* One fetch, from run__open() to run__close(). */
struct run {
	const struct run_opts *o;	/* borrowed */
	struct source src;
	struct cache cache;
	struct manifest m;
	struct kernel_list l;	/* the selection: run__select() fills it, callers may narrow it */
	struct fetch_opts fo;	/* run__fetch()'s, valid until run__close() (fetch__forget()) */
	int err;		/* the last failed step's errno: --json's error document */
	int mlock, olock;	/* runlock.h: the manifest's (--update-manifest), the output's */
};

/*
 * Parse the source, create the output directory, set up the cache. Each step
 * returns 0 or the exit status to stop with, its error reported in one line:
 * here 2 for a source that is not one (a usage error, as --help says), or 1.
 */
int run__open(struct run *r, const struct run_opts *o);
/* The kernels to fetch into r->l: the manifest's, the listing's or one named. */
int run__select(struct run *r);
/* --list: print the selection. Returns the exit status. */
int run__list(struct run *r);
/* Before fetching: refuse to --prune to an empty selection; warn if empty. */
int run__check(struct run *r);
/*
 * Fetch and verify the selection (fetch__run()), stopping when *@cancel is
 * set; @on_kernel (may be NULL) gets each kernel as it ends, with @ctx (see
 * fetch_opts). Returns fetch__run()'s 0 or negative errno, for run__record().
 */
int run__fetch(struct run *r, void (*on_kernel)(struct kernel *k, int archive_fd, void *ctx),
	       void *ctx, const volatile sig_atomic_t *cancel);
/*
 * After run__fetch() returned @err: report an interrupted (128+N) or failed
 * fetch, then record the GitHub pins, the manifest's hashes (--update-manifest),
 * prune, and print the summary (its error lines only if @errors_only).
 * Returns the exit status: 0 if every kernel was fetched or cached, else 1.
 */
int run__record(struct run *r, int err, bool errors_only);
/*
 * Free it all; with --json and a failed step, print the error document.
 * Returns @status. Safe after any step, or a failed run__open().
 */
int run__close(struct run *r, int status);

#endif
