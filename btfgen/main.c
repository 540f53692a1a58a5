// SPDX-License-Identifier: BSD-2-Clause
/*
 * btfgen: reduce a tree of kernel BTFs against BPF objects with
 * `bpftool gen min_core_btf`, in parallel and incrementally.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "jobpool.h"
#include "cli.h"
#include "fsutil.h"
#include "log.h"
#include "bpftool.h"
#include "btfgen.h"
#include "gate.h"
#include "input.h"
#include "report.h"

#define EXIT_USAGE 2
#define EXIT_INTERRUPTED 130

static volatile int stop_requested;

static void on_signal(int sig)
{
	stop_requested = 1;
}

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
"  -o, --output OUTDIR  write the reduced tree here (required)\n"
"  -j, --jobs N         run N bpftool processes at once (default: %d, the CPUs)\n"
"      --bpftool PATH   bpftool to use (default: from PATH or /usr/sbin)\n"
"      --keep-going     carry on after a failed kernel (default)\n"
"      --fail-fast      start no new kernel after the first failure\n"
"      --shard I/N      process only shard I (0-based) of N, by kernel name hash\n"
"      --arch ARCH      process only the kernels of ARCH (x86_64, arm64; aarch64\n"
"                       is arm64): the arch the BPF objects were built for\n"
"      --prune          after a clean run, delete outputs of kernels (of this\n"
"                       shard and arch) no longer in IN_DIR\n"
"      --all-kernels    also reduce kernels older than the objects' floor (the\n"
"                       oldest kernel they load on, from their audit); by\n"
"                       default those are skipped, with a count and the reason\n"
"                       (printed even with -q)\n"
"      --floor X.Y      skip kernels older than Linux X.Y instead of the floor\n"
"                       the audit finds (what the objects always need; a need\n"
"                       behind a `const volatile` flag does not count)\n"
"      --raw            keep bpftool's bytes; by default each output is rewritten\n"
"                       in canonical form (types and strings in an order that\n"
"                       depends only on the type graph), so kernels with the\n"
"                       same reduced layout give the same bytes\n"
"      --json           print the summary as JSON on stdout\n"
"      --unpack-dir DIR unpack .btf.tar.xz inputs into unnamed files (O_TMPFILE)\n"
"                       in DIR instead of memory (memfd); either way bpftool\n"
"                       reads them as /proc/self/fd/3 and nothing stays on disk\n"
"  -v, --verbose        more messages (-vv: debug, including libbpf's)\n"
"  -q, --quiet          errors only, no summary line\n"
"  -h, --help           show this help\n"
"  -V, --version        show the version\n"
"\n"
"Exit status: 0 all kernels reduced or cached, 1 a kernel failed or a fatal\n"
"error, 2 usage error, 130 interrupted.\n",
		prog, jobpool__ncpus());
}

int main(int argc, char **argv)
{
	enum { OPT_BPFTOOL = 256, OPT_KEEP_GOING, OPT_FAIL_FAST, OPT_SHARD, OPT_ARCH, OPT_PRUNE,
	       OPT_JSON, OPT_ALL_KERNELS, OPT_UNPACK_DIR, OPT_FLOOR, OPT_RAW };
	static const struct option long_opts[] = {
		{ "output",	required_argument, NULL, 'o' },
		{ "jobs",	required_argument, NULL, 'j' },
		{ "bpftool",	required_argument, NULL, OPT_BPFTOOL },
		{ "keep-going",	no_argument,	   NULL, OPT_KEEP_GOING },
		{ "fail-fast",	no_argument,	   NULL, OPT_FAIL_FAST },
		{ "shard",	required_argument, NULL, OPT_SHARD },
		{ "arch",	required_argument, NULL, OPT_ARCH },
		{ "prune",	no_argument,	   NULL, OPT_PRUNE },
		{ "json",	no_argument,	   NULL, OPT_JSON },
		{ "all-kernels", no_argument,	   NULL, OPT_ALL_KERNELS },
		{ "floor",	required_argument, NULL, OPT_FLOOR },
		{ "unpack-dir",	required_argument, NULL, OPT_UNPACK_DIR },
		{ "raw",	no_argument,	   NULL, OPT_RAW },
		{ "verbose",	no_argument,	   NULL, 'v' },
		{ "quiet",	no_argument,	   NULL, 'q' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ "version",	no_argument,	   NULL, 'V' },
		{}
	};
	LIBBPF_OPTS(btfgen_opts, opts);
	const char *prog = argv[0], *bpftool_arg = NULL, *fatal = NULL;
	struct input_list in = {};
	struct bpftool bt = {};
	struct btfgen *g = NULL;
	struct report_info info = {};
	struct sigaction sa = {};
	struct audit_floor manual_floor;
	bool json = false, all_kernels = false, have_floor = false;
	int level = LOG_LEVEL_WARN, c, err, ret = EXIT_FAILURE;
	unsigned int jobs = 0;

	if (strrchr(prog, '/'))
		prog = strrchr(prog, '/') + 1;
	log_init(prog, level);
	while ((c = getopt_long(argc, argv, "o:j:vqhV", long_opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output_dir__strip_slashes(optarg);
			opts.outdir = optarg;
			break;
		case 'j':
			if (cli__parse_uint(optarg, 4096, &jobs) || jobs == 0) {
				pr_err("-j: expected a number of jobs from 1 to 4096, got '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_BPFTOOL:
			bpftool_arg = optarg;
			break;
		case OPT_KEEP_GOING:
			opts.fail_fast = false;
			break;
		case OPT_FAIL_FAST:
			opts.fail_fast = true;
			break;
		case OPT_SHARD:
			if (cli__parse_shard(optarg, &opts.shard_index, &opts.shard_count)) {
				pr_err("--shard: expected I/N with 0 <= I < N, got '%s'", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_ARCH:
			if (!*optarg || strchr(optarg, '/')) {
				pr_err("--arch: expected an arch name such as x86_64 or arm64, got '%s'",
				       optarg);
				return EXIT_USAGE;
			}
			opts.arch = optarg;
			break;
		case OPT_PRUNE:
			opts.prune = true;
			break;
		case OPT_JSON:
			json = true;
			break;
		case OPT_ALL_KERNELS:
			all_kernels = true;
			break;
		case OPT_FLOOR:
			if (audit__floor_set(&manual_floor, optarg)) {
				pr_err("--floor: expected a kernel version such as 5.4, got '%s'", optarg);
				return EXIT_USAGE;
			}
			have_floor = true;
			break;
		case OPT_UNPACK_DIR:
			opts.unpack_dir = optarg;
			break;
		case OPT_RAW:
			opts.raw = true;
			break;
		case 'v':
			level = level < LOG_LEVEL_WARN ? LOG_LEVEL_INFO : level + 1;
			break;
		case 'q':
			level = LOG_LEVEL_QUIET;
			break;
		case 'h':
			usage(stdout, prog);
			return 0;
		case 'V':
			printf("btfgen %s\n", BTFKIT_VERSION);
			return 0;
		default:
			usage(stderr, prog);
			return EXIT_USAGE;
		}
	}
	log_init(prog, level);
	if (!opts.outdir || argc - optind < 2) {
		pr_err(!opts.outdir ? "missing -o OUTDIR" : "need IN_DIR and at least one OBJECT.bpf.o");
		usage(stderr, prog);
		return EXIT_USAGE;
	}
	output_dir__strip_slashes(argv[optind]);
	/* log.h takes an int level; libbpf passes its enum, the same ABI. */
	libbpf_set_print(log_libbpf_print);

	if (output_dir__check(opts.outdir)) {
		pr_err("-o %s: not a directory (btfgen writes a tree)", opts.outdir);
		fatal = "OUTDIR is not a directory";
		goto out;
	}
	if (output_dir__same(opts.outdir, argv[optind])) {
		pr_err("%s: OUTDIR must not be IN_DIR", opts.outdir);
		fatal = "OUTDIR is IN_DIR";
		goto out;
	}
	if (bpftool__probe(bpftool_arg, opts.outdir, &bt)) {
		fatal = "no usable bpftool";
		goto out;
	}
	pr_info("using %s (%s)", bt.path, bt.version_line);
	if (input__scan(argv[optind], &in)) {
		fatal = "cannot read IN_DIR";
		goto out;
	}
	if (!in.cnt)
		pr_warn("%s: no <distro>/<version>/<arch>/<release>.btf[.tar.xz] found",
			argv[optind]);

	if (!all_kernels)
		gate__kernels(&in, (const char *const *)argv + optind + 1, argc - optind - 1,
			      have_floor ? &manual_floor : NULL, &info);

	opts.bpftool = bt.path;
	opts.bpftool_digest = bt.digest;
	opts.bpftool_envp = bt.envp;
	opts.objects = argv + optind + 1;
	opts.nobjects = argc - optind - 1;
	opts.jobs = jobs ? (int)jobs : jobpool__ncpus();
	opts.progress = isatty(STDERR_FILENO) && level == LOG_LEVEL_WARN;
	opts.stop = &stop_requested;
	g = btfgen__new(&in, &opts);
	if (!g) {
		fatal = "cannot plan the run";
		goto out;
	}

	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	err = btfgen__run(g);
	if (err == -EINTR) {
		pr_err("interrupted");
		ret = EXIT_INTERRUPTED;
	} else if (err == 0) {
		ret = EXIT_SUCCESS;
	}
	/* After -EIO (kernels failed) the summary still tells what got done. */
	if (err == 0 || err == -EIO || err == -EINTR) {
		info.bpftool = &bt;
		info.jobs = opts.jobs;
		info.shard_index = opts.shard_index;
		info.shard_count = opts.shard_count;
		if (json)
			report__json(stdout, g, &info);
		else if (level > LOG_LEVEL_QUIET)
			report__text(stdout, g);
	} else {
		fatal = "run failed";
	}
out:
	if (fatal && json)
		report__json_error(stdout, fatal);
	btfgen__free(g);
	input__free(&in);
	bpftool__free(&bt);
	return ret;
}
