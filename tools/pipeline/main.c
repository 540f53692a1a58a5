// SPDX-License-Identifier: BSD-2-Clause
/*
 * btfkit-build: fetch BTFHub archives and reduce each kernel's BTF as soon
 * as its archive is verified (btfhub-fetch + btfgen, overlapped). This file
 * only parses options; pipeline.c runs it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fsutil.h"
#include "jobpool.h"
#include "log.h"
#include "pipeline.h"
#include "runopt.h"
#include "source.h"

#define EXIT_USAGE 2

enum {
	OPT_VERSION = 256,
	OPT_BPFTOOL,
	OPT_PRUNE,
	OPT_ALL_KERNELS,
	OPT_UNPACK_DIR,
	OPT_JSON,
	OPT_SHARD,
	OPT_FAIL_FAST,
	OPT_FLOOR,
	OPT_RAW,
};

static const struct option long_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	RUNOPT_LONG_OPTS,	/* btfhub-fetch's: the same rows, parsing and help */
	{ "version", optional_argument, NULL, OPT_VERSION },
	{ "jobs", required_argument, NULL, 'j' },
	{ "bpftool", required_argument, NULL, OPT_BPFTOOL },
	{ "prune", no_argument, NULL, OPT_PRUNE },
	{ "all-kernels", no_argument, NULL, OPT_ALL_KERNELS },
	{ "floor", required_argument, NULL, OPT_FLOOR },
	{ "unpack-dir", required_argument, NULL, OPT_UNPACK_DIR },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "fail-fast", no_argument, NULL, OPT_FAIL_FAST },
	{ "raw", no_argument, NULL, OPT_RAW },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: btfkit-build -o OUTDIR [-m MANIFEST] [-s SOURCE] [SELECTION] [OPTIONS]\n"
"                    OBJECT.bpf.o...\n"
"       btfkit-build --list [-m MANIFEST] [-s SOURCE] [SELECTION] [--json]\n"
"                    OBJECT.bpf.o...\n"
"\n"
"Fetch and verify the selected BTFHub archives as btfhub-fetch does, and reduce\n"
"each kernel's BTF against the BPF objects as btfgen does, as soon as its\n"
"archive is verified, while the others are still downloading. Archives are\n"
"read where they lie (the fetch cache, or SOURCE when a directory): no raw BTF\n"
"is written. OUTDIR is the tree `btfgen -o OUTDIR` writes, byte for byte;\n"
"pack it with embedgen. Unchanged kernels are not redone. Kernels older than\n"
"the objects' floor (the oldest kernel they load on, from their audit) and\n"
"kernels of other shards are dropped from the selection before anything is\n"
"downloaded.\n"
"\n"
"  -o, --output DIR          the reduced tree (required, except with --list)\n"
RUNOPT_HELP_MANIFEST
RUNOPT_HELP_SOURCE("--source SOURCE       ")
RUNOPT_HELP_CACHE_DIR
RUNOPT_HELP_SELECT
RUNOPT_HELP_UPDATE_MANIFEST
"      --list                print the selection, once gated and sharded (as\n"
"                            btfhub-fetch --list does); fetch nothing (no -o)\n"
RUNOPT_HELP_MAX_LISTING
"  -j, --jobs N              bpftool processes and verifying threads\n"
"                            (default: %d, the CPUs)\n"
RUNOPT_HELP_TRANSFER
"      --bpftool PATH        bpftool to use (default: from PATH or /usr/sbin)\n"
"      --prune               after a clean run, delete reduced outputs of kernels\n"
"                            no longer selected (of this shard)\n"
"      --all-kernels         also fetch and reduce kernels older than the objects'\n"
"                            floor (skipped by default, with a count and the reason;\n"
"                            -v names each; the count is printed even with -q)\n"
"      --floor X.Y           skip kernels older than Linux X.Y instead of the\n"
"                            objects' audited floor\n"
"      --shard I/N           only shard I (0-based) of N, by kernel name hash, as\n"
"                            btfgen --shard: the others are not even fetched\n"
"      --fail-fast           start no new reduction after one fails (as btfgen's)\n"
"      --unpack-dir DIR      unpack archives as unnamed files in DIR, not memory\n"
"      --raw                 keep bpftool's bytes (as btfgen --raw); by default the\n"
"                            outputs are in btfgen's canonical form\n"
"      --json                the summary as btfgen --json prints it (a kernel\n"
"                            fetch failed is \"failed\" with fetch's error); with\n"
"                            --list, btfhub-fetch --list --json's document\n"
"  -v, --verbose             more messages: each kernel verified and reduced, in\n"
"                            the order it happens (twice for debug)\n"
"  -q, --quiet               errors only\n"
"  -h, --help                this help\n"
"      --version             print the version\n"
"\n"
"Exit status: 0 if every selected kernel was fetched and reduced or cached, 1 if\n"
"any failed, 2 on a usage error, 128+N when stopped by signal N.\n",
		SOURCE_DEFAULT_URL, jobpool__ncpus());
}

/* Returns 0, 1 to exit successfully (--help, --version) or -1 on a usage error. */
static int parse_args(int argc, char **argv, struct pipeline_opts *o, struct audit_floor *floor)
{
	struct run_opts *f = &o->fetch;
	unsigned int n;
	int opt, r;

	opterr = 0;	/* our one error line, then the usage */
	while ((opt = getopt_long(argc, argv, ":o:m:s:j:vqh", long_opts, NULL)) != -1) {
		r = runopt__parse(opt, optarg, f);
		if (r != RUNOPT_NOT_MINE) {
			if (r)
				return -1;
			continue;
		}
		switch (opt) {
		case 'o':
			output_dir__strip_slashes(optarg);
			o->outdir = optarg;
			break;
		case OPT_VERSION:
			/* As btfhub-fetch's: a selector with a value, ours alone. */
			if (optarg) {
				f->sel.version = optarg;
			} else if (optind < argc && argv[optind][0] != '-') {
				f->sel.version = argv[optind++];
			} else {
				printf("btfkit-build %s\n", BTFKIT_VERSION);
				return 1;
			}
			break;
		case 'j':
			if (cli__parse_uint(optarg, 4096, &n) || !n) {
				pr_err("-j: expected a number from 1 to 4096, got '%s'", optarg);
				return -1;
			}
			o->jobs = f->jobs = n;
			break;
		case OPT_BPFTOOL: o->bpftool = optarg; break;
		case OPT_PRUNE: o->prune = true; break;
		case OPT_ALL_KERNELS: o->all_kernels = true; break;
		case OPT_FLOOR:
			if (audit__floor_set(floor, optarg)) {
				pr_err("--floor: expected a kernel version such as 5.4, got '%s'",
				       optarg);
				return -1;
			}
			o->floor = floor;
			break;
		case OPT_UNPACK_DIR: o->unpack_dir = optarg; break;
		case OPT_SHARD:
			if (cli__parse_shard(optarg, &o->shard_index, &o->shard_count)) {
				pr_err("--shard: expected I/N with 0 <= I < N, got '%s'", optarg);
				return -1;
			}
			break;
		case OPT_FAIL_FAST: o->fail_fast = true; break;
		case OPT_RAW: o->raw = true; break;
		case OPT_JSON: o->json = true; break;
		case 'v': f->verbosity++; break;
		case 'q': f->verbosity = LOG_LEVEL_QUIET; break;
		case 'h': usage(stdout); return 1;
		case ':':
			pr_err("option '%s' needs a value", argv[optind - 1]);
			usage(stderr);
			return -1;
		default:
			pr_err("unknown option '%s'", argv[optind - 1]);
			usage(stderr);
			return -1;
		}
	}
	if ((!o->outdir && !f->list) || optind == argc) {
		pr_err(!o->outdir && !f->list ? "no output directory (-o DIR)" :
		       "need at least one OBJECT.bpf.o");
		usage(stderr);
		return -1;
	}
	o->objects = argv + optind;
	o->nobjects = argc - optind;
	return 0;
}

int main(int argc, char **argv)
{
	struct pipeline_opts o = { .fetch = { RUN_OPTS_DEFAULTS } };
	struct audit_floor floor;
	int r;

	log_init(argv[0], LOG_LEVEL_WARN);
	r = parse_args(argc, argv, &o, &floor);
	if (r)
		return r > 0 ? 0 : EXIT_USAGE;
	log_init(argv[0], o.fetch.verbosity);
	if (o.fetch.list)
		return pipeline__run(&o);
	if (output_dir__check(o.outdir)) {
		pr_err("-o %s: not a directory (btfkit-build writes a tree)", o.outdir);
		return 1;
	}
	/* The reduced tree written into the source tree would be read back as input. */
	if (o.fetch.source && output_dir__same(o.outdir, o.fetch.source)) {
		pr_err("%s: OUTDIR must not be the source directory", o.outdir);
		return 1;
	}
	return pipeline__run(&o);
}
