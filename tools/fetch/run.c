// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <curl/curl.h>
#include <bpf/libbpf.h>

#include "cache.h"
#include "fetch.h"
#include "fsutil.h"
#include "log.h"
#include "manifest.h"
#include "prune.h"
#include "run.h"
#include "select.h"
#include "source.h"
#include "summary.h"

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

/* --add: edit the manifest only. */
static int add_kernels(const struct run_opts *c)
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
	}
	err = err ?: manifest__save(&m);
	manifest__free(&m);
	return err;
}

static int select_kernels(const struct run_opts *c, const struct source *src,
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

int run__main(const struct run_opts *o)
{
	const struct run_opts c = *o;	/* a copy keeps the moved code's "c." */
	struct source src = { 0 };
	struct cache cache = { 0 };
	struct manifest m = { 0 };
	struct kernel_list l = { 0 };
	struct summary_counts counts;
	struct fetch_opts fo;
	bool curl_up = false;
	int err = 0, ret = 1;

	libbpf_set_print(log_libbpf_print);
	if (c.nadds) {
		err = add_kernels(&c);
		if (err || !c.out_dir) {
			ret = err ? 1 : 0;
			goto out;
		}
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
			.retry_delay_ms = c.retry_delay_ms,
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
	return ret;
}
