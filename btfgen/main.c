// SPDX-License-Identifier: BSD-2-Clause
/*
 * btfgen: reduce a tree of kernel BTFs against BPF objects with
 * `bpftool gen min_core_btf`, in parallel and incrementally.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "fsutil.h"
#include "log.h"
#include "jobpool.h"
#include "session.h"
#include "sig.h"

#define EXIT_USAGE 2
#define EXIT_INTERRUPTED 130

enum {
	OPT_KEEP_GOING = 256,
	OPT_ARCH,
};

static const struct option long_opts[] = {
	{ "output",	required_argument, NULL, 'o' },
	SESSION_LONG_OPTS,	/* btfkit-build's too: the same rows, parsing and help */
	{ "keep-going",	no_argument,	   NULL, OPT_KEEP_GOING },
	{ "arch",	required_argument, NULL, OPT_ARCH },
	{ "verbose",	no_argument,	   NULL, 'v' },
	{ "quiet",	no_argument,	   NULL, 'q' },
	{ "help",	no_argument,	   NULL, 'h' },
	{ "version",	no_argument,	   NULL, 'V' },
	{}
};

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
"Usage: %s [OPTIONS] -o OUTDIR IN_DIR OBJECT.bpf.o...\n"
"\n"
"Reduce every kernel BTF under IN_DIR (<distro>/<version>/<arch>/<release>.btf\n"
"or .btf.tar.xz, as BTFHub lays them out) to the types the BPF objects use,\n"
"with `bpftool gen min_core_btf`, writing the same tree under OUTDIR (arch\n"
"aarch64 is written as arm64). Kernels whose input, objects and bpftool are\n"
"unchanged since the last run are not redone (cache in OUTDIR/.btfgen-cache).\n"
"\n"
"Options:\n"
"  -o, --output OUTDIR       write the reduced tree here (required)\n"
SESSION_HELP_JOBS("run N bpftool processes at once")
SESSION_HELP_BPFTOOL
"      --keep-going          carry on after a failed kernel (default)\n"
SESSION_HELP_FAIL_FAST
SESSION_HELP_SHARD
"      --arch ARCH           process only the kernels of ARCH (x86_64, arm64;\n"
"                            aarch64 is arm64): the arch the BPF objects were\n"
"                            built for\n"
"      --prune               after a clean run, delete outputs of kernels (of this\n"
"                            shard and arch) no longer in IN_DIR\n"
SESSION_HELP_ALL_KERNELS
SESSION_HELP_FLOOR
SESSION_HELP_RAW
"      --json                print the summary as JSON on stdout\n"
SESSION_HELP_UNPACK_DIR
"  -v, --verbose             more messages (-vv: debug, including libbpf's)\n"
"  -q, --quiet               errors only, no summary line\n"
"  -h, --help                show this help\n"
"  -V, --version             show the version\n"
"\n"
"Exit status: 0 all kernels reduced or cached, 1 a kernel failed or a fatal\n"
"error, 2 usage error, 130 interrupted.\n",
		prog, jobpool__ncpus());
}

/* Returns 0, 1 to exit successfully (--help, --version) or -1 on a usage error. */
static int parse_args(int argc, char **argv, const char *prog, struct session_opts *o)
{
	int c, r;

	while ((c = getopt_long(argc, argv, "o:j:vqhV", long_opts, NULL)) != -1) {
		r = session__parse_opt(c, optarg, o);
		if (r != SESSION_OPT_NOT_MINE) {
			if (r)
				return -1;
			continue;
		}
		switch (c) {
		case 'o':
			output_dir__strip_slashes(optarg);
			o->outdir = optarg;
			break;
		case OPT_KEEP_GOING:
			o->fail_fast = false;
			break;
		case OPT_ARCH:
			if (!*optarg || strchr(optarg, '/')) {
				pr_err("--arch: expected an arch name such as x86_64 or arm64, got '%s'",
				       optarg);
				return -1;
			}
			o->arch = optarg;
			break;
		case 'v':
			o->verbosity = o->verbosity < LOG_LEVEL_WARN ? LOG_LEVEL_INFO :
				       o->verbosity + 1;
			break;
		case 'q':
			o->verbosity = LOG_LEVEL_QUIET;
			break;
		case 'h':
			usage(stdout, prog);
			return 1;
		case 'V':
			printf("btfgen %s\n", BTFKIT_VERSION);
			return 1;
		default:
			usage(stderr, prog);
			return -1;
		}
	}
	if (!o->outdir || argc - optind < 2) {
		pr_err(!o->outdir ? "missing -o OUTDIR" : "need IN_DIR and at least one OBJECT.bpf.o");
		usage(stderr, prog);
		return -1;
	}
	o->objects = argv + optind + 1;
	o->nobjects = argc - optind - 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct session_opts o = {
		.verbosity = LOG_LEVEL_WARN,
		.stop = sig__caught(),
		.interrupted_status = EXIT_INTERRUPTED,
	};
	const char *prog = argv[0], *in_dir;
	struct session *s;
	int err, ret;

	if (strrchr(prog, '/'))
		prog = strrchr(prog, '/') + 1;
	log_init(prog, LOG_LEVEL_WARN);
	ret = parse_args(argc, argv, prog, &o);
	if (ret)
		return ret > 0 ? 0 : EXIT_USAGE;
	log_init(prog, o.verbosity);
	in_dir = argv[optind];
	output_dir__strip_slashes(argv[optind]);
	/* log.h takes an int level; libbpf passes its enum, the same ABI. */
	libbpf_set_print(log_libbpf_print);
	o.progress = isatty(STDERR_FILENO) && o.verbosity == LOG_LEVEL_WARN;

	s = session__new(&o);
	if (!s) {
		pr_err("%s", strerror(errno));
		return EXIT_FAILURE;
	}
	if (output_dir__check(o.outdir)) {
		pr_err("-o %s: not a directory (btfgen writes a tree)", o.outdir);
		session__fail(s, "OUTDIR is not a directory");
		err = -ENOTDIR;
	} else if (output_dir__same(o.outdir, in_dir)) {
		pr_err("%s: OUTDIR must not be IN_DIR", o.outdir);
		session__fail(s, "OUTDIR is IN_DIR");
		err = -EINVAL;
	} else {
		err = session__probe(s) ?: session__scan(s, in_dir);
	}
	if (!err) {
		session__gate(s);
		sig__install();
		err = session__run(s);
	}
	ret = session__exit(s, 0, err);
	session__free(s);
	return ret;
}
