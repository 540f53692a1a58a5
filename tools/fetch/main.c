// SPDX-License-Identifier: BSD-2-Clause
/*
 * btfhub-fetch: fetch the BTFHub archives a build needs, check them, and
 * extract them to <out>/<distro>/<version>/<arch>/<release>.btf.
 * This file only parses options; run.c calls the modules in order.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "index.h"
#include "fsutil.h"
#include "log.h"
#include "run.h"
#include "source.h"
#include "summary.h"

enum {
	OPT_CACHE_DIR = 256,
	OPT_DISTRO,
	OPT_VERSION,
	OPT_DISTRO_VERSION,
	OPT_ARCH,
	OPT_RELEASE,
	OPT_UPDATE_MANIFEST,
	OPT_ADD,
	OPT_RETRIES,
	OPT_RETRY_DELAY,
	OPT_CONNECT_TIMEOUT,
	OPT_TIMEOUT,
	OPT_MAX_SIZE,
	OPT_SPEED_LIMIT,
	OPT_TRANSFERS,
	OPT_SPEED_TIME,
	OPT_RETRY_AFTER_MAX,
	OPT_JSON,
	OPT_PRUNE,
	OPT_LIST,
	OPT_WRITE_INDEX,
	OPT_MAX_LISTING,
};

static const struct option long_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "manifest", required_argument, NULL, 'm' },
	{ "source", required_argument, NULL, 's' },
	{ "base", required_argument, NULL, 's' },	/* the name tracer/bundle/meson.build uses */
	{ "cache-dir", required_argument, NULL, OPT_CACHE_DIR },
	{ "distro", required_argument, NULL, OPT_DISTRO },
	/* Alone, --version prints ours; with a value it selects (see below). */
	{ "version", optional_argument, NULL, OPT_VERSION },
	{ "distro-version", required_argument, NULL, OPT_DISTRO_VERSION },
	{ "arch", required_argument, NULL, OPT_ARCH },
	{ "release", required_argument, NULL, OPT_RELEASE },
	{ "update-manifest", no_argument, NULL, OPT_UPDATE_MANIFEST },
	{ "add", required_argument, NULL, OPT_ADD },
	{ "jobs", required_argument, NULL, 'j' },
	{ "transfers", required_argument, NULL, OPT_TRANSFERS },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "retry-delay", required_argument, NULL, OPT_RETRY_DELAY },
	{ "connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
	{ "speed-limit", required_argument, NULL, OPT_SPEED_LIMIT },
	{ "speed-time", required_argument, NULL, OPT_SPEED_TIME },
	{ "retry-after-max", required_argument, NULL, OPT_RETRY_AFTER_MAX },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "prune", no_argument, NULL, OPT_PRUNE },
	{ "list", no_argument, NULL, OPT_LIST },
	{ "write-index", required_argument, NULL, OPT_WRITE_INDEX },
	{ "max-listing", required_argument, NULL, OPT_MAX_LISTING },
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
"  -m, --manifest FILE       JSON kernel list / lockfile {\"kernels\": [...]}\n"
"  -s, --source, --base BASE https://github.com/OWNER/REPO[/tree/REF], http(s)://\n"
"                            mirror, file:// URL or local directory\n"
"                            (default %s)\n"
"      --cache-dir DIR       downloads and validators (default ~/.cache/btfkit/fetch)\n"
"      --distro GLOB         select kernels (fnmatch globs; over the manifest, or\n"
"      --version GLOB        over the source's listing: a directory, GitHub's\n"
"                            trees API, a mirror's " INDEX_NAME " or its\n"
"                            directory pages)\n"
"      --distro-version GLOB same as --version GLOB\n"
"      --arch GLOB\n"
"      --release GLOB\n"
"      --update-manifest     record the sha256 of each archive in the manifest;\n"
"                            with a selection, add the kernels it resolves to\n"
"      --list                print the selected kernels and archive sizes; fetch\n"
"                            nothing (no -o needed)\n"
"      --write-index DIR     write DIR/" INDEX_NAME " (key, size, sha256 of each\n"
"                            archive) for a static mirror, then exit\n"
"      --max-listing SIZE    cap on listing responses, K/M/G (default 64M)\n"
"      --add D/V/A/R         add a kernel to the manifest (repeatable); without -o,\n"
"                            only the manifest is updated\n"
"  -j, --jobs N              threads hashing, decompressing and checking\n"
"                            archives (default: one per CPU)\n"
"      --transfers N         parallel downloads (default 4)\n"
"      --retries N           retries on 5xx, timeouts, dropped connections (default 4)\n"
"      --retry-delay MS      first backoff delay, doubled per retry (default 1000)\n"
"      --connect-timeout S   (default 30)\n"
"      --timeout S           per attempt, 0 = none (default 600)\n"
"      --speed-limit BYTES   with --speed-time: an attempt slower than this many\n"
"                            bytes/s (K/M suffix) ends and is retried (default 1K)\n"
"      --speed-time S        ... for S seconds; 0 = never (default 30)\n"
"      --retry-after-max S   longest Retry-After (429/503) honoured, 0 = ignore\n"
"                            it (default 300)\n"
"      --max-size SIZE       cap on archive and BTF size, K/M/G suffix (default 512M)\n"
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

static int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-')
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if (*end || !v || v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse_args(int argc, char **argv, struct run_opts *c, bool *show_version)
{
	unsigned long long v;
	long *lv;
	int opt;

	opterr = 0;	/* our one error line, then the usage */
	while ((opt = getopt_long(argc, argv, ":o:m:s:j:vqhV", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			/* "out/" and "out" name one tree (and print the same). */
			output_dir__strip_slashes(optarg);
			c->out_dir = optarg;
			break;
		case 'm': c->manifest = optarg; break;
		case 's': c->source = optarg; break;
		case OPT_CACHE_DIR: c->cache_dir = optarg; break;
		case OPT_DISTRO: c->sel.distro = optarg; break;
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
		case OPT_DISTRO_VERSION: c->sel.version = optarg; break;
		case OPT_ARCH: c->sel.arch = optarg; break;
		case OPT_RELEASE: c->sel.release = optarg; break;
		case OPT_UPDATE_MANIFEST: c->update_manifest = true; break;
		case OPT_ADD: {
			const char **a = reallocarray(c->adds, c->nadds + 1, sizeof(*a));

			if (!a)
				return -ENOMEM;
			c->adds = a;
			c->adds[c->nadds++] = optarg;
			break;
		}
		case 'j': lv = &c->jobs; goto num_pos;
		case OPT_TRANSFERS: lv = &c->transfers; goto num_pos;
		case OPT_RETRIES: lv = &c->retries; goto num;
		case OPT_RETRY_DELAY: lv = &c->retry_delay_ms; goto num;
		case OPT_CONNECT_TIMEOUT: lv = &c->connect_timeout; goto num_pos;
		case OPT_TIMEOUT: lv = &c->timeout; goto num;
		case OPT_SPEED_TIME: lv = &c->speed_time; goto num;
		case OPT_RETRY_AFTER_MAX: lv = &c->retry_after_max; goto num;
		num_pos:
			if (cli__parse_ull(optarg, 100000, &v) || !v) {
				pr_err("invalid number: '%s' (want 1 or more)", optarg);
				return -EINVAL;
			}
			*lv = v;
			break;
		num:
			if (cli__parse_ull(optarg, 10000000, &v)) {
				pr_err("invalid number: '%s'", optarg);
				return -EINVAL;
			}
			*lv = v;
			break;
		case OPT_SPEED_LIMIT: {
			uint64_t sz;

			if (parse_size(optarg, &sz) || sz > 1ull << 40) {
				pr_err("invalid speed: '%s'", optarg);
				return -EINVAL;
			}
			c->speed_limit = (long)sz;
			break;
		}
		case OPT_MAX_SIZE:
			if (parse_size(optarg, &c->max_size)) {
				pr_err("invalid size: '%s'", optarg);
				return -EINVAL;
			}
			break;
		case OPT_JSON: c->json = true; break;
		case OPT_PRUNE: c->prune = true; break;
		case OPT_LIST: c->list = true; break;
		case OPT_WRITE_INDEX: c->write_index = optarg; break;
		case OPT_MAX_LISTING:
			if (parse_size(optarg, &c->max_listing)) {
				pr_err("invalid size: '%s'", optarg);
				return -EINVAL;
			}
			break;
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
	} else {
		ret = run__main(&o);
	}
	free(o.adds);
	return ret;
}
