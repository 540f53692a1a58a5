/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One btfgen run as a program drives it: probe bpftool, plan the kernels
 * (gated by the objects' floor), fill btfgen_opts, run (all inputs up front,
 * or streamed as another stage supplies them), print the summary and map
 * the outcome to the exit status. btfgen's main() and btfkit-build share it,
 * so that the two cannot drift; it is btfgen's one public header for a
 * program that extends the stage (btfkit-build includes nothing else of it).
 *
 * Options and signals stay with main(): the session reads the stop flag it
 * is given and never exits.
 */
#ifndef BTFGEN_SESSION_H
#define BTFGEN_SESSION_H

#include <signal.h>
#include <stdbool.h>

#include "bpf_audit.h"

struct session_opts {
	const char *outdir;		/* the reduced tree; required unless only planning */
	const char *bpftool;		/* --bpftool; NULL: from PATH or /usr/sbin */
	char *const *objects;		/* BPF objects, >= 1 */
	int nobjects;
	int jobs;			/* bpftool processes; 0 = one per CPU */
	bool fail_fast;			/* start no new kernel after a failure */
	bool prune;			/* remove outputs of kernels no longer planned */
	bool all_kernels;		/* keep kernels below the objects' floor */
	bool floor_set;			/* --floor: floor, not the objects' audit */
	struct audit_floor floor;
	bool json;			/* the summary (or the fatal error) as JSON on stdout */
	bool progress;			/* "[n/total]" on stderr */
	unsigned int shard_index;	/* this run's shard */
	unsigned int shard_count;	/* 0 = no sharding */
	const char *unpack_dir;		/* NULL: memfds */
	const char *arch;		/* NULL: every arch */
	bool raw;			/* bpftool's bytes, not the canonical form */
	int verbosity;			/* log level: LOG_LEVEL_QUIET prints no text summary */
	const volatile sig_atomic_t *stop;	/* the signal caught, or 0 (sig.h) */
	/* Exit status when stopped by a signal; 0: 128 + the signal's number. */
	int interrupted_status;
};

/*
 * The options btfgen and btfkit-build share: their getopt_long rows, their
 * parsing into struct session_opts (one message per bad value) and their
 * --help lines, so that the two cannot drift apart. Each main() puts
 * SESSION_LONG_OPTS in its table and "j:" in its short options, offers
 * every option to session__parse_opt() first, and prints the
 * SESSION_HELP_* lines (the rows whose meaning differs, -j, --prune and
 * --json, are each tool's own text).
 */
enum {
	SESSION_OPT_BPFTOOL = 0x2000,	/* clear of runopt.h's 0x1000 range */
	SESSION_OPT_FAIL_FAST,
	SESSION_OPT_SHARD,
	SESSION_OPT_PRUNE,
	SESSION_OPT_ALL_KERNELS,
	SESSION_OPT_FLOOR,
	SESSION_OPT_UNPACK_DIR,
	SESSION_OPT_RAW,
	SESSION_OPT_JSON,
};

#define SESSION_LONG_OPTS						\
	{ "jobs", required_argument, NULL, 'j' },			\
	{ "bpftool", required_argument, NULL, SESSION_OPT_BPFTOOL },	\
	{ "fail-fast", no_argument, NULL, SESSION_OPT_FAIL_FAST },	\
	{ "shard", required_argument, NULL, SESSION_OPT_SHARD },	\
	{ "prune", no_argument, NULL, SESSION_OPT_PRUNE },		\
	{ "all-kernels", no_argument, NULL, SESSION_OPT_ALL_KERNELS },	\
	{ "floor", required_argument, NULL, SESSION_OPT_FLOOR },	\
	{ "unpack-dir", required_argument, NULL, SESSION_OPT_UNPACK_DIR }, \
	{ "raw", no_argument, NULL, SESSION_OPT_RAW },			\
	{ "json", no_argument, NULL, SESSION_OPT_JSON }

/* --help lines (fprintf formats; the -j line's caller passes the CPU count). */
#define SESSION_HELP_JOBS(what)						\
"  -j, --jobs N              " what "\n"				\
"                            (default: %d, the CPUs)\n"
#define SESSION_HELP_BPFTOOL						\
"      --bpftool PATH        bpftool to use (default: from PATH or /usr/sbin)\n"
#define SESSION_HELP_FAIL_FAST						\
"      --fail-fast           start no new kernel after the first failure\n"
#define SESSION_HELP_SHARD						\
"      --shard I/N           only shard I (0-based) of N, by kernel name hash\n"
#define SESSION_HELP_ALL_KERNELS					\
"      --all-kernels         also reduce kernels older than the objects' floor\n" \
"                            (the oldest kernel they load on, from their\n" \
"                            audit); by default those are skipped, with a\n" \
"                            count and the reason (printed even with -q; -v\n" \
"                            names each)\n"
#define SESSION_HELP_FLOOR						\
"      --floor X.Y           skip kernels older than Linux X.Y instead of the\n" \
"                            floor the audit finds (what the objects always\n" \
"                            need; a need behind a `const volatile` flag does\n" \
"                            not count)\n"
#define SESSION_HELP_UNPACK_DIR						\
"      --unpack-dir DIR      unpack archives into unnamed files (O_TMPFILE) in\n" \
"                            DIR instead of memory (memfd); either way bpftool\n" \
"                            reads them as /proc/self/fd/3 and nothing stays\n" \
"                            on disk\n"
#define SESSION_HELP_RAW						\
"      --raw                 keep bpftool's bytes; by default each output is\n" \
"                            rewritten in canonical form (types and strings in\n" \
"                            an order that depends only on the type graph), so\n" \
"                            kernels with the same reduced layout give the same\n" \
"                            bytes\n"

/* session__parse_opt()'s answer for an option that is the tool's own. */
#define SESSION_OPT_NOT_MINE 1

/*
 * Apply getopt_long's @opt with @arg to @o. Returns 0, SESSION_OPT_NOT_MINE,
 * or -EINVAL for a bad value (reported in one line naming it).
 */
int session__parse_opt(int opt, const char *arg, struct session_opts *o);

struct session;

/* A session over @o (copied; its strings borrowed). NULL with errno ENOMEM. */
struct session *session__new(const struct session_opts *o);
/* Frees the plan and the results; waits for a streamed run still going. */
void session__free(struct session *s);

/* Find and check bpftool. Returns 0 or a negative errno (reported). */
int session__probe(struct session *s);

/* Plan every kernel under @in_dir. Returns 0 or a negative errno (reported). */
int session__scan(struct session *s, const char *in_dir);
/*
 * Plan @kernel ("<distro>/<version>/<arch>/<release>"), whose archive another
 * stage will supply (streamed runs). Returns 0 or a negative errno (reported).
 */
int session__add(struct session *s, const char *kernel);
/* Order the plan and drop what is below the objects' floor (unless all_kernels). */
void session__gate(struct session *s);
/* Whether the gated plan keeps @kernel in this run: its shard, its arch. */
bool session__planned(const struct session *s, const char *kernel);

/*
 * Reduce every planned kernel now. Returns 0, -EIO if a kernel failed,
 * -EINTR if stopped, or another negative errno (reported).
 */
int session__run(struct session *s);

/*
 * Streamed runs: start reducing on a thread of the session's, each kernel
 * once session__feed() says its input is ready. Returns 0 or a negative
 * errno (reported).
 */
int session__start(struct session *s);
/*
 * @kernel's archive is ready at @fd (dup()ed), verified as @path, with
 * SHA-256 @sha256 in hex (or NULL). A failure to queue it is reported and
 * counted as the kernel's. Thread-safe.
 */
void session__feed(struct session *s, const char *kernel, const char *path, int fd,
		   const char *sha256);
/* @kernel's archive could not be had (reported by the caller). Thread-safe. */
void session__feed_failed(struct session *s, const char *kernel, const char *error);
/* No more input: wait for the reductions. Returns as session__run(). Idempotent. */
int session__end(struct session *s);
/* Whether @kernel failed in bpftool because its archive @input is corrupt. */
bool session__bad_input(const struct session *s, const char *kernel, const char *input);

/*
 * Print the summary (text unless quiet, or --json's document, or its error
 * document after a fatal error) and return the exit status: @status, the
 * earlier stage's (0 for btfgen alone), unless it is 0 and the run's @err
 * says otherwise: 1 if a kernel failed or the run could not start,
 * interrupted_status if stopped.
 */
int session__exit(struct session *s, int status, int err);
/* A fatal error main() found itself (reported): session__exit() returns 1. */
void session__fail(struct session *s, const char *why);

#endif
