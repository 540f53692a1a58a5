/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * btfgen's plan and run: reduce each kernel's BTF against the BPF objects
 * with `bpftool gen min_core_btf`, on a pool of bpftool processes, skipping
 * kernels whose cached output is still valid (outcache.h).
 */
#ifndef BTFGEN_BTFGEN_H
#define BTFGEN_BTFGEN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "input.h"

struct btfgen_opts {
	const char *outdir;		/* required */
	const char *bpftool;		/* required: resolved path */
	const char *bpftool_digest;	/* required: SHA-256 (hex) of the bpftool executable (cache key) */
	char *const *objects;		/* required: BPF objects, >= 1 */
	int nobjects;
	int jobs;			/* parallel bpftool processes; default online CPUs */
	bool fail_fast;			/* stop starting kernels after a failure; default false */
	unsigned int shard_index;	/* this run's shard; default 0 */
	unsigned int shard_count;	/* number of shards; default 0 = no sharding */
	bool progress;			/* "[n/total]" on stderr; default false */
	bool prune;			/* remove outputs of kernels gone from IN_DIR; default false */
	const volatile sig_atomic_t *stop;	/* set from a signal handler to stop early */
	const char *unpack_dir;		/* unpack archives as O_TMPFILEs here; default NULL: memfds */
	const char *arch;		/* only kernels of this arch (aarch64 = arm64); default all */
	/*
	 * A streamed run: a kernel's job starts only once btfgen__feed()
	 * says its input is ready (another thread fetching them), in that
	 * order; btfgen__run() returns after btfgen__feed_end(). Default
	 * false: every input exists up front.
	 */
	bool streamed;
	char *const *bpftool_envp;	/* bpftool's environment; default: this process's */
	/*
	 * Keep bpftool's bytes. Default false: every output is rewritten in
	 * canonical form (canon.h), so that kernels with the same reduced
	 * layout give the same bytes.
	 */
	bool raw;
};

enum btfgen_state {
	BTFGEN_SKIPPED,		/* not run: --fail-fast or interrupted */
	BTFGEN_REDUCED,
	BTFGEN_CACHED,
	BTFGEN_FAILED,
};

struct btfgen_result {
	const char *kernel;	/* "<distro>/<version>/<arch>/<release>" */
	const char *input;
	const char *output;	/* OUTDIR/<kernel>.btf (written only if reduced or cached);
				 * canonical (canon.h) unless opts->raw */
	enum btfgen_state state;
	uint64_t input_bytes;	/* size of the input file as found (archive or raw) */
	uint64_t output_bytes;
	const char *error;	/* one line, BTFGEN_FAILED only */
	bool bad_input;		/* failed because the input archive is corrupt */
};

struct btfgen_summary {
	size_t kernels;		/* in this shard */
	size_t reduced, cached, failed, skipped;
	size_t pruned;		/* outputs removed by --prune */
	uint64_t input_bytes, output_bytes;
	double wall_time_s;
};

struct btfgen;

/*
 * Plan a run over @in (borrowed; must outlive the btfgen): keeps the
 * kernels of this shard and hashes the objects. Returns NULL with errno set
 * on error, reported as one line on stderr (an object unreadable or not
 * ELF); invalid @opts give EINVAL without a message.
 */
struct btfgen *btfgen__new(const struct input_list *in, const struct btfgen_opts *opts);
void btfgen__free(struct btfgen *g);

/*
 * Reduce every planned kernel. Each failure is reported as one line on
 * stderr naming the input. Then, with opts->prune and no failure, removes
 * OUTDIR/<kernel>.btf and its cache records for every kernel of this shard
 * no longer in the input. Returns 0 if every kernel is reduced or cached,
 * -EIO if any failed, -EINTR if stopped by opts->stop, or another negative
 * errno if the run could not start.
 */
int btfgen__run(struct btfgen *g);

/*
 * Streamed runs: @kernel's input is now ready, open at @fd (an archive or
 * raw .btf, a regular file; dup()ed, so the caller may close it on return)
 * and named @path (copied, for messages), so its job may run. The job reads
 * @fd, never @path again: the bytes the caller verified are the ones
 * reduced. @sha256 is their SHA-256 in hex when the caller has just
 * computed it from @fd (spares a second pass), or NULL. Blocks while many
 * fed kernels wait for a bpftool, so that a fast feeder does not hold a
 * descriptor per kernel. Thread-safe. Returns 0, -ENOENT if @kernel is not
 * in the plan (another shard or arch, or gated out), -EALREADY if fed
 * before, -ECANCELED if the run has stopped, -ENOMEM, or dup()'s errno.
 */
int btfgen__feed(struct btfgen *g, const char *kernel, const char *path, int fd,
		 const char *sha256);
/*
 * Streamed runs: @kernel's input could not be obtained; it is BTFGEN_FAILED
 * with @error (copied), which the caller has reported. Thread-safe. Returns
 * as btfgen__feed().
 */
int btfgen__feed_failed(struct btfgen *g, const char *kernel, const char *error);
/* No more input: kernels never fed stay BTFGEN_SKIPPED. Thread-safe. */
void btfgen__feed_end(struct btfgen *g);

size_t btfgen__result_cnt(const struct btfgen *g);
const struct btfgen_result *btfgen__result(const struct btfgen *g, size_t i);
void btfgen__summary(const struct btfgen *g, struct btfgen_summary *s);
const char *btfgen_state__str(enum btfgen_state state);

/*
 * Whether @kernel ("<distro>/<version>/<arch>/<release>", arch normalised)
 * is one this run processes: its shard, its arch.
 */
bool btfgen__selects(const struct btfgen_opts *opts, const char *kernel);

/* Which of @count shards @kernel belongs to: stable as kernels come and go. */
unsigned int btfgen__shard_of(const char *kernel, unsigned int count);

#endif
