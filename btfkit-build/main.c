// SPDX-License-Identifier: BSD-2-Clause
/*
 * btfkit-build: fetch BTFHub archives and reduce each kernel's BTF as soon
 * as its archive is verified (btfhub-fetch + btfgen, overlapped). This file
 * parses options (btfhub-fetch's shared rows, runopt.h, and btfgen's,
 * session.h) and owns the process; pipeline.c runs it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <bpf/libbpf.h>

#include "fsutil.h"
#include "jobpool.h"
#include "log.h"
#include "pipeline.h"
#include "runopt.h"
#include "sig.h"
#include "source.h"

#define EXIT_USAGE 2

enum {
	OPT_VERSION = 256,
};

static const struct option long_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	RUNOPT_LONG_OPTS,	/* btfhub-fetch's: the same rows, parsing and help */
	SESSION_LONG_OPTS,	/* btfgen's: the same rows, parsing and help */
	{ "version", optional_argument, NULL, OPT_VERSION },
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
SESSION_HELP_JOBS("bpftool processes and verifying threads")
RUNOPT_HELP_TRANSFER
SESSION_HELP_BPFTOOL
"      --prune               after a clean run, delete reduced outputs of kernels\n"
"                            no longer selected (of this shard)\n"
SESSION_HELP_ALL_KERNELS
SESSION_HELP_FLOOR
SESSION_HELP_SHARD
"                            (the others are not even fetched)\n"
SESSION_HELP_FAIL_FAST
SESSION_HELP_UNPACK_DIR
SESSION_HELP_RAW
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
static int parse_args(int argc, char **argv, struct pipeline_opts *o)
{
	struct run_opts *f = &o->fetch;
	int opt, r;

	opterr = 0;	/* our one error line, then the usage */
	while ((opt = getopt_long(argc, argv, ":o:m:s:j:vqh", long_opts, NULL)) != -1) {
		if ((r = runopt__parse(opt, optarg, f)) != RUNOPT_NOT_MINE ||
		    (r = session__parse_opt(opt, optarg, &o->gen)) != SESSION_OPT_NOT_MINE) {
			if (r)
				return -1;
			continue;
		}
		switch (opt) {
		case 'o':
			output_dir__strip_slashes(optarg);
			o->gen.outdir = optarg;
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
	if ((!o->gen.outdir && !f->list) || optind == argc) {
		pr_err(!o->gen.outdir && !f->list ? "no output directory (-o DIR)" :
		       "need at least one OBJECT.bpf.o");
		usage(stderr);
		return -1;
	}
	o->gen.objects = argv + optind;
	o->gen.nobjects = argc - optind;
	/* -j is both btfgen's bpftool processes and fetch's verifying threads. */
	f->jobs = o->gen.jobs;
	o->gen.verbosity = f->verbosity;
	return 0;
}

int main(int argc, char **argv)
{
	struct pipeline_opts o = {
		.fetch = { RUN_OPTS_DEFAULTS },
		.gen = { .stop = sig__caught() },
	};
	const char *outdir;
	int r;

	log_init(argv[0], LOG_LEVEL_WARN);
	r = parse_args(argc, argv, &o);
	if (r)
		return r > 0 ? 0 : EXIT_USAGE;
	log_init(argv[0], o.fetch.verbosity);
	outdir = o.gen.outdir;
	if (!o.fetch.list && output_dir__check(outdir)) {
		pr_err("-o %s: not a directory (btfkit-build writes a tree)", outdir);
		return 1;
	}
	/* The reduced tree written into the source tree would be read back as input. */
	if (!o.fetch.list && o.fetch.source && output_dir__same(outdir, o.fetch.source)) {
		pr_err("%s: OUTDIR must not be the source directory", outdir);
		return 1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		pr_err("cannot initialise libcurl");
		return 1;
	}
	libbpf_set_print(log_libbpf_print);
	r = pipeline__run(&o);
	curl_global_cleanup();
	return r;
}
