// SPDX-License-Identifier: BSD-2-Clause
/*
 * btfhub-make: make BTFHub archives (<distro>/<version>/<arch>/<release>
 * .btf.tar.xz) from a distribution's own kernel packages, kernel images,
 * vmlinux files or raw BTF. This file parses options and owns the process
 * (libcurl, signals, exit status); batch.c runs over the files named,
 * aptcli.c over an APT repository.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include <bpf/libbpf.h>

#include "aptcli.h"
#include "batch.h"
#include "cli.h"
#include "fsutil.h"
#include "log.h"
#include "sig.h"

enum {
	OPT_VERSION = 256,
	OPT_JSON,
	OPT_KEY,
	OPT_PAHOLE,
	OPT_PREFER,
	OPT_SHARD,
	OPT_FORCE,
	OPT_INDEX,
};

static const struct option long_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "pahole", required_argument, NULL, OPT_PAHOLE },
	{ "prefer", required_argument, NULL, OPT_PREFER },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "index", no_argument, NULL, OPT_INDEX },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	APTCLI_LONG_OPTS,
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: btfhub-make -o OUTDIR [OPTIONS] FILE...\n"
"       btfhub-make -o OUTDIR --apt URL --suite S[,S...] --arch A [OPTIONS]\n"
"       btfhub-make -o OUTDIR --index\n"
"\n"
"Make BTFHub archives, OUTDIR/<distro>/<version>/<arch>/<release>.btf.tar.xz\n"
"(one member, <release>.btf), from a distribution's kernel packages and\n"
"images, then write OUTDIR/btfhub-index.json, so that OUTDIR is a mirror for\n"
"btfhub-fetch -s and btfkit-build -s. Each FILE is recognised by its content:\n"
"  Debian/Ubuntu linux-image-*.deb (the vmlinuz's .BTF), -dbg .deb and .ddeb\n"
"  (vmlinux DWARF through pahole), RPM kernel-core/kernel and kernel-debuginfo,\n"
"  x86 bzImage/vmlinuz (gzip, xz, zstd, lz4, bzip2), arm64 Image (raw or gzip),\n"
"  EFI zboot images, a vmlinux ELF (.BTF, else DWARF through pahole) and raw\n"
"  BTF (a saved /sys/kernel/btf/vmlinux).\n"
"The key comes from the package (control fields, RPM header, file names);\n"
"a part it cannot say is an error unless --key gives it.\n"
"\n"
"  -o, --output DIR          output tree\n"
"      --key D/V/A/R         the kernel's key (distro/version/arch/release), for\n"
"                            bare files; over what a package says (one FILE)\n"
"      --pahole PATH         pahole for DWARF-only inputs (default: PATH's);\n"
"                            run as 'pahole --btf_encode_detached OUT vmlinux',\n"
"                            as BTFHub's generator does\n"
"      --prefer image|dbg    .BTF where an input has it (default), or DWARF through\n"
"                            pahole wherever it has DWARF; and when an image\n"
"                            package and its -dbg package name the same kernel,\n"
"                            keep that kind\n"
"      --shard I/N           make only shard I (0-based) of N: the inputs whose\n"
"                            file name hashes to I; merge shards' trees, then\n"
"                            --index (docs/btfhub-make.md)\n"
"      --index               only write OUTDIR/btfhub-index.json\n"
"      --force               rewrite archives even when the input is unchanged\n"
"  -j, --jobs N              kernels made in parallel (default: one per CPU); at\n"
"                            most two are decoded and packed in this process at\n"
"                            once (its memory stays under 256 MB), more wait\n"
"                            for pahole\n"
"      --json                JSON summary on stdout\n"
"  -v, --verbose             more messages (twice for debug)\n"
"  -q, --quiet               errors only\n"
"  -h, --help                this help\n"
"      --version             print the version\n"
"\n"
APTCLI_HELP
"\n"
"An input already made (same file: inode, size and ctime; or same SHA-256) is\n"
"not made again while its archive is intact. Exit status: 0 if every kernel\n"
"was made or unchanged, 1 if any failed (the others are still made), 2 on a\n"
"usage error, 128+N when stopped by signal N.\n");
}

/*
 * Kept whole: one flat switch over the options, then the rules between them;
 * a table read row by row (as bpftool's), which splitting would only scatter.
 */
static int parse_args(int argc, char **argv, struct batch_opts *o, struct apt_cli *apt,
		      bool *show_version)
{
	unsigned long long v;
	int opt, r;

	opterr = 0;	/* our one error line, then the usage */
	while ((opt = getopt_long(argc, argv, ":o:j:vqh", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			output_dir__strip_slashes(optarg);
			o->out_dir = optarg;
			break;
		case 'j':
			if (cli__parse_ull(optarg, 4096, &v) || !v) {
				pr_err("invalid number: '%s' (want 1 or more)", optarg);
				return -EINVAL;
			}
			o->jobs = v;
			break;
		case OPT_JSON: o->json = true; break;
		case OPT_KEY: o->key = optarg; break;
		case OPT_PAHOLE: o->pahole = optarg; break;
		case OPT_PREFER:
			if (!strcmp(optarg, "image")) {
				o->prefer = MAKE_PREFER_IMAGE;
			} else if (!strcmp(optarg, "dbg")) {
				o->prefer = MAKE_PREFER_DBG;
			} else {
				pr_err("--prefer: '%s' is neither 'image' nor 'dbg'", optarg);
				return -EINVAL;
			}
			break;
		case OPT_SHARD:
			if (cli__parse_shard(optarg, &o->shard, &o->shards)) {
				pr_err("--shard: '%s' is not I/N with 0 <= I < N", optarg);
				return -EINVAL;
			}
			break;
		case OPT_FORCE: o->force = true; break;
		case OPT_INDEX: o->index_only = true; break;
		case 'v': o->verbosity++; break;
		case 'q': o->verbosity = LOG_LEVEL_QUIET; break;
		case OPT_VERSION: *show_version = true; break;
		case 'h': usage(stdout); exit(0);
		case ':':
			pr_err("option '%s' needs a value", argv[optind - 1]);
			usage(stderr);
			return -EINVAL;
		default:
			r = aptcli__parse(opt, optarg, apt);
			if (r > 0)
				break;
			if (r < 0)
				return r;
			pr_err("unknown option '%s'", argv[optind - 1]);
			usage(stderr);
			return -EINVAL;
		}
	}
	o->inputs = argv + optind;
	o->ninputs = argc - optind;
	if (*show_version)
		return 0;
	if (!o->out_dir) {
		pr_err("no output directory (-o DIR)");
		usage(stderr);
		return -EINVAL;
	}
	if (apt->url && (o->ninputs || o->index_only || o->key)) {
		pr_err("--apt takes no input files, --index or --key");
		return -EINVAL;
	}
	if (!apt->url && (apt->suites || apt->arch)) {
		pr_err("--suite and --arch go with --apt URL");
		return -EINVAL;
	}
	if (!o->ninputs && !o->index_only && !apt->url) {
		pr_err("no input files");
		usage(stderr);
		return -EINVAL;
	}
	if (o->index_only && o->ninputs) {
		pr_err("--index takes no input files");
		return -EINVAL;
	}
	if (o->key && o->ninputs > 1) {
		pr_err("--key names one kernel: give it one input file");
		return -EINVAL;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct batch_opts o = { 0 };
	struct apt_cli apt = { 0 };
	bool show_version = false;
	int ret;

	log_init(argv[0], LOG_LEVEL_WARN);
	if (parse_args(argc, argv, &o, &apt, &show_version)) {
		if (o.json)
			puts("{\"error\": \"usage error\"}");
		return 2;
	}
	if (show_version) {
		printf("btfhub-make %s\n", BTFKIT_VERSION);
		return 0;
	}
	log_init(argv[0], o.verbosity);
	if (output_dir__check(o.out_dir)) {
		pr_err("-o %s: not a directory (btfhub-make writes a tree)", o.out_dir);
		return 1;
	}
	/*
	 * The process, for both runs: libbpf's messages through our log, the
	 * one signal handler (the makers poll sig__caught() and unwind), and
	 * libcurl for --apt's downloads.
	 */
	libbpf_set_print(log_libbpf_print);
	sig__install();
	if (!apt.url)
		return batch__run(&o);
	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		pr_err("cannot initialise libcurl");
		return 1;
	}
	ret = aptcli__run(&apt, &(struct aptcli_run){
		.out_dir = o.out_dir,
		.pahole = o.pahole,
		.force = o.force,
		.prefer_dbg = o.prefer == MAKE_PREFER_DBG,
		.json = o.json,
		.shard = o.shard,
		.shards = o.shards,
		.verbosity = o.verbosity,
	});
	curl_global_cleanup();
	return ret;
}
