// SPDX-License-Identifier: BSD-2-Clause
/*
 * btfhub-fetch: fetch the BTFHub archives a build needs, check them, and
 * extract them to <out>/<distro>/<version>/<arch>/<release>.btf.
 * main() only parses options and calls the modules in order.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <curl/curl.h>
#include <bpf/libbpf.h>

#include "cache.h"
#include "extract.h"
#include "fetch.h"
#include "fsutil.h"
#include "log.h"
#include "manifest.h"
#include "prune.h"
#include "select.h"
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
	OPT_JSON,
	OPT_PRUNE,
};

static const struct option long_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "manifest", required_argument, NULL, 'm' },
	{ "source", required_argument, NULL, 's' },
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
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "retry-delay", required_argument, NULL, OPT_RETRY_DELAY },
	{ "connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "prune", no_argument, NULL, OPT_PRUNE },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Set by SIGINT/SIGTERM; the modules poll it and unwind, removing temp files. */
static volatile sig_atomic_t cancelled;

static void on_signal(int sig)
{
	cancelled = sig;
}

static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: btfhub-fetch -o OUTDIR [-m MANIFEST] [-s SOURCE] [SELECTION] [OPTIONS]\n"
"       btfhub-fetch -m MANIFEST --add DISTRO/VERSION/ARCH/RELEASE... [-o OUTDIR]\n"
"\n"
"Fetch BTFHub archives (<distro>/<version>/<arch>/<release>.btf.tar.xz), verify\n"
"them and extract OUTDIR/<distro>/<version>/<arch>/<release>.btf.\n"
"\n"
"  -o, --output DIR          output tree\n"
"  -m, --manifest FILE       JSON kernel list / lockfile {\"kernels\": [...]}\n"
"  -s, --source BASE         http(s):// mirror, file:// URL or local directory\n"
"                            (default %s)\n"
"      --cache-dir DIR       downloads and validators (default ~/.cache/btfkit/fetch)\n"
"      --distro GLOB         select kernels (fnmatch globs; over the manifest, or\n"
"      --version GLOB        over the archives of a local source)\n"
"      --distro-version GLOB same as --version GLOB\n"
"      --arch GLOB\n"
"      --release GLOB\n"
"      --update-manifest     record the sha256 of each archive in the manifest\n"
"      --add D/V/A/R         add a kernel to the manifest (repeatable); without -o,\n"
"                            only the manifest is updated\n"
"  -j, --jobs N              parallel transfers (default 4)\n"
"      --retries N           retries on 5xx, timeouts, dropped connections (default 4)\n"
"      --retry-delay MS      first backoff delay, doubled per retry (default 1000)\n"
"      --connect-timeout S   (default 30)\n"
"      --timeout S           per attempt, 0 = none (default 600)\n"
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

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
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

struct cli {
	const char *out_dir, *manifest, *source, *cache_dir;
	struct selection sel;
	bool update_manifest, json, show_version, prune;
	const char **adds;
	int nadds;
	long jobs, retries, retry_delay, connect_timeout, timeout;
	uint64_t max_size;
	int verbosity;
};

static int parse_args(int argc, char **argv, struct cli *c)
{
	long *lv;
	int opt;

	opterr = 0;	/* our one error line, then the usage */
	while ((opt = getopt_long(argc, argv, ":o:m:s:j:vqhV", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'o': c->out_dir = optarg; break;
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
				c->show_version = true;
			break;
		case 'V': c->show_version = true; break;
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
		case OPT_RETRIES: lv = &c->retries; goto num;
		case OPT_RETRY_DELAY: lv = &c->retry_delay; goto num;
		case OPT_CONNECT_TIMEOUT: lv = &c->connect_timeout; goto num_pos;
		case OPT_TIMEOUT: lv = &c->timeout; goto num;
		num_pos:
			if (parse_long(optarg, 1, 100000, lv)) {
				pr_err("invalid number: '%s' (want 1 or more)", optarg);
				return -EINVAL;
			}
			break;
		num:
			if (parse_long(optarg, 0, 10000000, lv)) {
				pr_err("invalid number: '%s'", optarg);
				return -EINVAL;
			}
			break;
		case OPT_MAX_SIZE:
			if (parse_size(optarg, &c->max_size)) {
				pr_err("invalid size: '%s'", optarg);
				return -EINVAL;
			}
			break;
		case OPT_JSON: c->json = true; break;
		case OPT_PRUNE: c->prune = true; break;
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

/* --add: edit the manifest only. */
static int add_kernels(const struct cli *c)
{
	struct manifest m;
	int i, err;

	if (!c->manifest) {
		pr_err("--add needs --manifest FILE");
		return -EINVAL;
	}
	err = manifest__load(&m, c->manifest, true);
	for (i = 0; !err && i < c->nadds; i++) {
		err = manifest__add(&m, c->adds[i]);
		if (err)
			pr_err("--add '%s': expected DISTRO/VERSION/ARCH/RELEASE", c->adds[i]);
	}
	err = err ?: manifest__save(&m);
	manifest__free(&m);
	return err;
}

static int select_kernels(const struct cli *c, const struct source *src,
			  struct manifest *m, struct kernel_list *l)
{
	int err;

	if (c->manifest) {
		err = manifest__load(m, c->manifest, false);
		err = err ?: manifest__kernels(m, l);
		if (!err)
			select__filter(&c->sel, l);
		return err;
	}
	if (c->update_manifest) {
		pr_err("--update-manifest needs --manifest FILE");
		return -EINVAL;
	}
	if (src->kind == SOURCE_DIR)
		return select__from_source(&c->sel, src, l);
	return select__literal(&c->sel, l);
}

static int record_hashes(struct manifest *m, const struct kernel_list *l)
{
	size_t i;
	int err;

	for (i = 0; i < l->n; i++) {
		const struct kernel *k = &l->v[i];

		if (k->manifest_idx < 0 || k->status == KERNEL_FAILED || !k->got_sha256[0])
			continue;
		err = manifest__set_sha256(m, k->manifest_idx, k->got_sha256);
		if (err)
			return err;
	}
	return manifest__save(m);
}

int main(int argc, char **argv)
{
	struct cli c = {
		.jobs = 4, .retries = 4, .retry_delay = 1000,
		.connect_timeout = 30, .timeout = 600,
		.max_size = EXTRACT_DEFAULT_MAX_SIZE,
	};
	struct source src = { 0 };
	struct cache cache = { 0 };
	struct manifest m = { 0 };
	struct kernel_list l = { 0 };
	struct summary_counts counts;
	struct fetch_opts fo;
	bool curl_up = false;
	int err, ret = 1;

	log_init(argv[0], LOG_LEVEL_WARN);
	err = parse_args(argc, argv, &c);
	if (err) {
		ret = 2;
		goto out;
	}
	log_init(argv[0], c.verbosity);
	if (c.show_version) {
		printf("btfhub-fetch %s\n", BTFKIT_VERSION);
		ret = 0;
		goto out;
	}
	libbpf_set_print(log_libbpf_print);
	if (c.nadds) {
		err = add_kernels(&c);
		if (err || !c.out_dir) {
			ret = err ? 1 : 0;
			goto out;
		}
	}
	if (!c.out_dir) {
		pr_err("no output directory (-o DIR)");
		usage(stderr);
		ret = 2;
		goto out;
	}
	err = source__parse(&src, c.source ?: SOURCE_DEFAULT_URL);
	if (err) {
		pr_err("%s: invalid source: %s", c.source ?: SOURCE_DEFAULT_URL, strerror(-err));
		goto out;
	}
	err = mkdir_p(c.out_dir);
	if (err) {
		pr_err("%s: cannot create output directory: %s", c.out_dir, strerror(-err));
		goto out;
	}
	err = cache__init(&cache, c.cache_dir, src.base, c.out_dir);
	if (err) {
		pr_err("%s: cannot set up cache directory: %s",
		       c.cache_dir ?: "~/.cache/btfkit/fetch", strerror(-err));
		goto out;
	}
	err = select_kernels(&c, &src, &m, &l);
	err = err ?: select__unique(&l);
	if (err)
		goto out;
	if (!l.n && c.prune && !c.manifest) {
		/* Likely a typo in a glob; an empty manifest is the way to ask for it. */
		pr_err("--prune with no kernel selected: refusing to empty %s", c.out_dir);
		goto out;
	}
	if (!l.n)
		pr_warn("no kernel selected");

	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		pr_err("cannot initialise libcurl");
		goto out;
	}
	curl_up = true;
	install_signals();
	fo = (struct fetch_opts){
		.sz = sizeof(fo),
		.out_dir = c.out_dir,
		.src = &src,
		.cache = &cache,
		.max_size = c.max_size,
		.cancel = &cancelled,
		.transfer = {
			.sz = sizeof(struct transfer_opts),
			.jobs = (int)c.jobs,
			.retries = (int)c.retries,
			.retry_delay_ms = c.retry_delay,
			.connect_timeout = c.connect_timeout,
			.timeout = c.timeout,
			/* A progress line only where a person watches it. */
			.progress = isatty(STDERR_FILENO) && c.verbosity >= 0 && !c.json,
		},
	};
	err = fetch__run(&l, &fo);
	if (err == -EINTR) {
		pr_err("interrupted; partial downloads stay in %s for the next run", cache.dir);
		ret = 128 + cancelled;
		goto out;
	}
	if (err) {
		pr_err("fetch failed: %s", strerror(-err));
		goto out;
	}
	if (c.update_manifest) {
		err = record_hashes(&m, &l);
		if (err)
			goto out;
	}
	if (c.prune) {
		size_t removed;

		err = prune__outputs(c.out_dir, &l, &removed);
		if (err)
			goto out;
		if (removed)
			pr_info("%s: pruned %zu file(s)", c.out_dir, removed);
	}
	err = summary__print(&l, c.json, c.verbosity < 0);
	if (err)
		goto out;
	summary__count(&l, &counts);
	ret = counts.failed ? 1 : 0;
out:
	if (ret && err && c.json)
		summary__json_error(strerror(-err));
	if (curl_up)
		curl_global_cleanup();
	kernel_list__free(&l);
	manifest__free(&m);
	cache__free(&cache);
	source__free(&src);
	free(c.adds);
	return ret;
}
