/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One invocation of btfhub-fetch, once main.c has parsed the options:
 * --write-index, or --add, selection (listing the source if need be),
 * --list or fetch, --update-manifest, --prune, summary.
 */
#ifndef BTFHUB_FETCH_RUN_H
#define BTFHUB_FETCH_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "extract.h"
#include "fetch.h"
#include "selection.h"

/*
 * For a caller that consumes the archives as they are verified (btfkit-build)
 * rather than an extracted tree: run_opts.out_dir is then NULL.
 */
struct run_hooks {
	/*
	 * Narrow the selection before anything is listed (--list) or fetched:
	 * drop entries with kernel__clear() and compact @l. Non-zero stops
	 * the run (reported by the hook).
	 */
	int (*filter)(struct kernel_list *l, void *ctx);
	/* The selection, before anything is fetched; non-zero stops the run. */
	int (*selected)(const struct kernel_list *l, void *ctx);
	/*
	 * fetch_opts.on_kernel: each kernel as soon as it is verified or
	 * failed, with the verified archive open at @archive_fd (-1 if failed).
	 */
	void (*kernel_done)(struct kernel *k, int archive_fd, void *ctx);
	/*
	 * Every kernel has ended, or the run stopped (@err: fetch__run()'s);
	 * @l and @fo stay valid until it returns (fetch__forget()).
	 */
	void (*fetched)(struct kernel_list *l, const struct fetch_opts *fo, int err, void *ctx);
	bool own_summary;	/* the caller prints the summary: fetch only its error lines */
	void *ctx;
};

struct run_opts {
	const char *out_dir;	/* -o; NULL only with --add or hooks (verify only) */
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
	long transfers;		/* --transfers: HTTP requests in parallel */
	long retries, retry_delay_ms, connect_timeout, timeout;
	long speed_limit, speed_time, retry_after_max;
	uint64_t max_size;
	int verbosity;		/* log level: -1 quiet .. 2 debug */
	const struct run_hooks *hooks;	/* NULL = none */
};

/* btfhub-fetch's defaults; btfkit-build starts from the same ones. */
#define RUN_OPTS_DEFAULTS						\
	.transfers = 4, .retries = 4, .retry_delay_ms = 1000,		\
	.connect_timeout = 30, .timeout = 600,				\
	.speed_limit = 1024, .speed_time = 30, .retry_after_max = 300,	\
	.max_size = EXTRACT_DEFAULT_MAX_SIZE

/*
 * Do it all and return the exit status: 0 if every selected kernel was
 * fetched or cached, 1 on any failure, 128+N when stopped by signal N.
 * Errors are reported here, one line each.
 */
int run__main(const struct run_opts *o);

#endif
