// SPDX-License-Identifier: BSD-2-Clause
/*
 * btfhub-fetch: fetch the BTFHub archives a build needs, check them, and
 * extract them to <out>/<distro>/<version>/<arch>/<release>.btf.
 * This file parses options, owns the process (libcurl, signals, exit
 * status) and runs the commands they ask for from one table; run.c holds
 * the steps of a fetch.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <bpf/libbpf.h>

#include "cli.h"
#include "index.h"
#include "indexer.h"
#include "fsutil.h"
#include "log.h"
#include "manifest.h"
#include "run.h"
#include "runlock.h"
#include "runopt.h"
#include "sig.h"
#include "source.h"
#include "summary.h"

enum {
	OPT_VERSION = 256,
	OPT_ADD,
	OPT_JSON,
	OPT_PRUNE,
	OPT_WRITE_INDEX,
};

static const struct option long_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	RUNOPT_LONG_OPTS,
	{ "base", required_argument, NULL, 's' },	/* the name tracer/bundle/meson.build used */
	/* Alone, --version prints ours; with a value it selects (see below). */
	{ "version", optional_argument, NULL, OPT_VERSION },
	{ "add", required_argument, NULL, OPT_ADD },
	{ "jobs", required_argument, NULL, 'j' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "prune", no_argument, NULL, OPT_PRUNE },
	{ "write-index", required_argument, NULL, OPT_WRITE_INDEX },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: btfhub-fetch -o OUTDIR [-m MANIFEST] [-s SOURCE] [SELECTION] [OPTIONS]\n"
"       btfhub-fetch --list [-s SOURCE] [SELECTION] [--json]\n"
"       btfhub-fetch -m MANIFEST --add DISTRO/VERSION/ARCH/RELEASE... [-o OUTDIR]\n"
"       btfhub-fetch --write-index DIR\n"
"\n"
"Fetch BTFHub archives (<distro>/<version>/<arch>/<release>.btf.tar.xz), verify\n"
"them and extract OUTDIR/<distro>/<version>/<arch>/<release>.btf.\n"
"\n"
"  -o, --output DIR          output tree\n"
RUNOPT_HELP_MANIFEST
RUNOPT_HELP_SOURCE("--source, --base BASE ")
RUNOPT_HELP_CACHE_DIR
RUNOPT_HELP_SELECT
RUNOPT_HELP_UPDATE_MANIFEST
RUNOPT_HELP_LIST
"      --write-index DIR     write DIR/" INDEX_NAME " (key, size, sha256 of each\n"
"                            archive) for a static mirror, then exit\n"
RUNOPT_HELP_MAX_LISTING
"      --add D/V/A/R         add a kernel to the manifest (repeatable); without -o,\n"
"                            only the manifest is updated\n"
"  -j, --jobs N              threads hashing, decompressing and checking\n"
"                            archives (default: one per CPU)\n"
RUNOPT_HELP_TRANSFER
"      --prune               remove outputs of kernels not selected (and stale temp\n"
"                            files), so OUTDIR holds exactly the selection\n"
"      --json                JSON summary on stdout\n"
"  -v, --verbose             more messages (twice for debug)\n"
"  -q, --quiet               errors only\n"
"  -h, --help                this help\n"
"      --version             print the version\n"
"\n"
"Exit status: 0 if every selected kernel was fetched or cached, 1 if any failed,\n"
"2 on a usage error.\n", SOURCE_DEFAULT_URL);
}

static int parse_args(int argc, char **argv, struct run_opts *c, bool *show_version)
{
	unsigned long long v;
	int opt, r;

	opterr = 0;	/* our one error line, then the usage */
	while ((opt = getopt_long(argc, argv, ":o:m:s:j:vqhV", long_opts, NULL)) != -1) {
		r = runopt__parse(opt, optarg, c);
		if (r != RUNOPT_NOT_MINE) {
			if (r)
				return r;
			continue;
		}
		switch (opt) {
		case 'o':
			/* "out/" and "out" name one tree (and print the same). */
			output_dir__strip_slashes(optarg);
			c->out_dir = optarg;
			break;
		case OPT_VERSION:
			/*
			 * "--version" is both the program's version and the distro
			 * version selector: take "--version=G" or "--version G" as a
			 * glob (the tool has no positional arguments), bare as -V.
			 */
			if (optarg)
				c->sel.version = optarg;
			else if (optind < argc && argv[optind][0] != '-')
				c->sel.version = argv[optind++];
			else
				*show_version = true;
			break;
		case 'V': *show_version = true; break;
		case OPT_ADD: {
			const char **a = reallocarray(c->adds, c->nadds + 1, sizeof(*a));

			if (!a)
				return -ENOMEM;
			c->adds = a;
			c->adds[c->nadds++] = optarg;
			break;
		}
		case 'j':
			if (cli__parse_ull(optarg, 100000, &v) || !v) {
				pr_err("invalid number: '%s' (want 1 or more)", optarg);
				return -EINVAL;
			}
			c->jobs = v;
			break;
		case OPT_JSON: c->json = true; break;
		case OPT_PRUNE: c->prune = true; break;
		case OPT_WRITE_INDEX: c->write_index = optarg; break;
		case 'v': c->verbosity++; break;
		case 'q': c->verbosity = LOG_LEVEL_QUIET; break;
		case 'h': usage(stdout); exit(0);
		case ':':
			pr_err("option '%s' needs a value", argv[optind - 1]);
			usage(stderr);
			return -EINVAL;
		default:
			pr_err("unknown option '%s'", argv[optind - 1]);
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		pr_err("unexpected argument '%s'", argv[optind]);
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

/* An error of a command outside run.c's steps: --json still gets its document. */
static int cmd_status(const struct run_opts *o, int err)
{
	if (err && o->json)
		summary__json_error(strerror(-err));
	return err ? 1 : 0;
}

/* --write-index DIR: that alone. */
static int cmd_write_index(const struct run_opts *o)
{
	size_t n = 0;
	int err = indexer__write(o->write_index, &n);

	if (!err)
		pr_info("%s/%s: %zu archives", o->write_index, INDEX_NAME, n);
	return cmd_status(o, err);
}

/* --add: edit the manifest; then list or fetch only if -o is given. */
static int cmd_add(const struct run_opts *o)
{
	struct manifest m;
	int i, err, lock;

	if (!o->manifest) {
		pr_err("--add needs --manifest FILE");
		return cmd_status(o, -EINVAL);
	}
	/* One read-modify-write of the manifest at a time: no --add is ever lost. */
	lock = runlock__file(o->manifest, -1);
	if (lock < -1) {
		pr_err("%s: cannot lock its directory: %s", o->manifest, strerror(-lock));
		return cmd_status(o, lock);
	}
	err = manifest__load(&m, o->manifest, true);
	for (i = 0; !err && i < o->nadds; i++)
		err = manifest__add(&m, o->adds[i]);
	err = err ?: manifest__save(&m);
	manifest__free(&m);
	runlock__release(lock);
	return cmd_status(o, err);
}

static int cmd_list(const struct run_opts *o)
{
	struct run r;
	int ret = run__open(&r, o) ?: run__select(&r) ?: run__list(&r);

	return run__close(&r, ret);
}

static int cmd_fetch(const struct run_opts *o)
{
	struct run r;
	int ret = run__open(&r, o) ?: run__select(&r) ?: run__check(&r);

	if (!ret) {
		/* Modules poll the flag and unwind, removing their temp files. */
		sig__install();
		ret = run__record(&r, run__fetch(&r, NULL, NULL, sig__caught()), false);
	}
	return run__close(&r, ret);
}

static bool want_write_index(const struct run_opts *o)
{
	return o->write_index;
}

static bool want_add(const struct run_opts *o)
{
	return !o->write_index && o->nadds;
}

static bool want_list(const struct run_opts *o)
{
	return !o->write_index && (!o->nadds || o->out_dir) && o->list;
}

static bool want_fetch(const struct run_opts *o)
{
	return !o->write_index && (!o->nadds || o->out_dir) && !o->list;
}

/* The commands the options ask for, run in this order until one fails. */
static const struct cmd {
	const char *name;
	bool (*wanted)(const struct run_opts *o);
	int (*run)(const struct run_opts *o);	/* returns the exit status */
} cmds[] = {
	{ "write-index",	want_write_index,	cmd_write_index },
	{ "manifest add",	want_add,		cmd_add },
	{ "list",		want_list,		cmd_list },
	{ "fetch",		want_fetch,		cmd_fetch },
};

static int dispatch(const struct run_opts *o)
{
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (cmds[i].wanted(o))
			ret = cmds[i].run(o);
	return ret;
}

int main(int argc, char **argv)
{
	struct run_opts o = { RUN_OPTS_DEFAULTS };
	bool show_version = false;
	int ret;

	log_init(argv[0], LOG_LEVEL_WARN);
	if (parse_args(argc, argv, &o, &show_version)) {
		/* Scripts reading --json still get a document on stdout. */
		if (o.json)
			summary__json_error("usage error");
		free(o.adds);
		return 2;
	}
	log_init(argv[0], o.verbosity);
	if (show_version) {
		printf("btfhub-fetch %s\n", BTFKIT_VERSION);
		ret = 0;
	} else if (!o.out_dir && !o.nadds && !o.list && !o.write_index) {
		pr_err("no output directory (-o DIR)");
		usage(stderr);
		ret = 2;
	} else if (o.out_dir && output_dir__check(o.out_dir)) {
		pr_err("-o %s: not a directory (btfhub-fetch writes a tree)", o.out_dir);
		if (o.json)
			summary__json_error("output is not a directory");
		ret = 1;
	} else if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		pr_err("cannot initialise libcurl");
		ret = 1;
	} else {
		libbpf_set_print(log_libbpf_print);
		ret = dispatch(&o);
		curl_global_cleanup();
	}
	free(o.adds);
	return ret;
}
