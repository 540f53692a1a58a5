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
#include "index.h"
#include "listing.h"
#include "escape.h"
#include "log.h"
#include "manifest.h"
#include "pins.h"
#include "layout.h"
#include "prune.h"
#include "runlock.h"
#include "tmpsweep.h"
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

static bool selection_given(const struct selection *s)
{
	return s->distro || s->version || s->arch || s->release;
}

/* The kernels of the source's listing that the selection matches. */
static int select_listed(const struct run_opts *c, const struct source *src,
			 const struct cache *cache, struct kernel_list *l)
{
	struct listing_opts lo = {
		.sz = sizeof(lo),
		.transfer = &(struct transfer_opts){
			.sz = sizeof(struct transfer_opts),
			.connect_timeout = c->connect_timeout,
			.timeout = c->timeout,
		},
		.cache_dir = cache->dir,
		.max_bytes = c->max_listing,
	};
	struct pins pins = { 0 };
	struct listing ls;
	size_t n0;
	int err;

	err = listing__load(&ls, src, &lo);
	if (!err && src->github)
		err = pins__load(&pins, cache);
	if (!err) {
		pr_info("%s: %zu archives listed (%s; %zu requests, %llu listing bytes)",
			src->base, ls.n, ls.kind, ls.requests, (unsigned long long)ls.bytes);
		n0 = l->n;
		err = select__from_listing(&c->sel, &ls, &pins, l);
		/* A selection that finds nothing is a mistake to name, not an empty success. */
		if (!err && l->n == n0 && selection_given(&c->sel)) {
			select__explain_none(&c->sel, &ls, src->base);
			err = -ENOENT;
		}
	}
	pins__free(&pins);
	listing__free(&ls);
	return err;
}

/*
 * From the manifest, filtered by the globs; or, with --update-manifest and a
 * selection, from the source's listing (recorded into the manifest after);
 * or from the listing alone. Four literal names ask the server nothing.
 */
static int select_kernels(const struct run_opts *c, const struct source *src,
			  const struct cache *cache, struct manifest *m, struct kernel_list *l)
{
	bool resolve = c->update_manifest && selection_given(&c->sel);
	int err;

	if (c->manifest) {
		err = manifest__load(m, c->manifest, resolve);
		if (err || resolve)
			return err ?: select_listed(c, src, cache, l);
		err = manifest__kernels(m, l);
		if (!err)
			select__filter(&c->sel, l);
		return err;
	}
	if (c->update_manifest) {
		pr_err("--update-manifest needs --manifest FILE");
		return -EINVAL;
	}
	if (src->kind == SOURCE_HTTP && !c->list && !select__globbed(&c->sel))
		return select__literal(&c->sel, l);
	return select_listed(c, src, cache, l);
}

static int record_hashes(struct manifest *m, const struct kernel_list *l)
{
	size_t i;
	int err;

	for (i = 0; i < l->n; i++) {
		const struct kernel *k = &l->v[i];

		int idx = k->manifest_idx;

		if (k->status == KERNEL_FAILED || !k->got_sha256[0])
			continue;
		/* A kernel resolved from the listing joins the lockfile. */
		if (idx < 0)
			idx = manifest__add_kernel(m, k);
		err = idx < 0 ? idx : manifest__set_sha256(m, idx, k->got_sha256);
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
	int err = 0, ret = 1, mlock = -1, olock = -1;

	libbpf_set_print(log_libbpf_print);
	if (c.write_index) {
		size_t n = 0;

		err = index__write(c.write_index, &n);
		if (!err)
			pr_info("%s/%s: %zu archives", c.write_index, INDEX_NAME, n);
		ret = err ? 1 : 0;
		goto out;
	}
	/* One read-modify-write of the manifest at a time: no --add is ever lost. */
	if (c.manifest && (c.nadds || c.update_manifest)) {
		mlock = runlock__file(c.manifest, -1);
		if (mlock < -1) {
			pr_err("%s: cannot lock its directory: %s", c.manifest, strerror(-mlock));
			goto out;
		}
	}
	if (c.nadds) {
		err = add_kernels(&c);
		if (err || !c.out_dir) {
			ret = err ? 1 : 0;
			goto out;
		}
	}
	err = source__parse(&src, c.source ?: SOURCE_DEFAULT_URL);
	if (err) {
		char buf[256];

		pr_err("%s: invalid source: %s", escape__str(buf, sizeof(buf), c.source ?: ""),
		       err == -EPROTONOSUPPORT || err == -EINVAL ?
		       "want https://github.com/OWNER/REPO[/tree/REF], another http(s):// "
		       "mirror, file:///PATH or a directory" :
		       strerror(-err));
		ret = 2;	/* a usage error, as --help documents */
		goto out;
	}
	err = c.list || !c.out_dir ? 0 : mkdir_p(c.out_dir);
	if (err) {
		pr_err("%s: cannot create output directory: %s", c.out_dir, strerror(-err));
		goto out;
	}
	if (!c.list && c.out_dir) {
		size_t swept = 0;

		/* One run at a time fetches, extracts and prunes in an output tree. */
		olock = runlock__dir(c.out_dir, mlock);
		if (olock < -1) {
			pr_err("%s: cannot lock: %s", c.out_dir, strerror(-olock));
			goto out;
		}

		/* What a killed run left: owned names, unlocked only (tmpsweep.h). */
		if (tmpfile__sweep(c.out_dir, LAYOUT_RELEASE, LAYOUT_SUFFIX_RAW, &swept))
			pr_warn("%s: cannot sweep stale temporary files", c.out_dir);
	}
	/* --list writes no output, so no output tree keys its stamps. */
	err = cache__init(&cache, c.cache_dir, src.base, c.list || !c.out_dir ? "." : c.out_dir);
	if (err) {
		pr_err("%s: cannot set up cache directory: %s",
		       c.cache_dir ?: "~/.cache/btfkit/fetch", strerror(-err));
		goto out;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		pr_err("cannot initialise libcurl");
		goto out;
	}
	curl_up = true;
	err = select_kernels(&c, &src, &cache, &m, &l);
	err = err ?: select__unique(&l);
	if (!err && c.hooks && c.hooks->filter)
		err = c.hooks->filter(&l, c.hooks->ctx);
	if (err)
		goto out;
	if (c.list) {
		err = summary__list(&l, c.json);
		ret = err ? 1 : 0;
		goto out;
	}
	if (!l.n && c.prune && !c.manifest) {
		/* Likely a typo in a glob; an empty manifest is the way to ask for it. */
		pr_err("--prune with no kernel selected: refusing to empty %s", c.out_dir);
		goto out;
	}
	if (!l.n)
		pr_warn("no kernel selected");
	if (c.hooks && c.hooks->selected && c.hooks->selected(&l, c.hooks->ctx))
		goto out;

	install_signals();
	fo = (struct fetch_opts){
		.sz = sizeof(fo),
		.out_dir = c.out_dir,
		.src = &src,
		.cache = &cache,
		.max_size = c.max_size,
		.cancel = &cancelled,
		.jobs = (int)c.jobs,
		.transfer = {
			.sz = sizeof(struct transfer_opts),
			.jobs = (int)c.transfers,
			.retries = (int)c.retries,
			.retry_delay_ms = c.retry_delay_ms,
			.connect_timeout = c.connect_timeout,
			.timeout = c.timeout,
			.speed_limit = c.speed_limit,
			.speed_time = c.speed_time ? c.speed_time : -1,	/* 0 = never */
			.retry_after_max = c.retry_after_max ? c.retry_after_max : -1,
			/* A progress line only where a person watches it. */
			.progress = isatty(STDERR_FILENO) && c.verbosity >= 0 && !c.json,
		},
	};
	if (c.hooks) {
		fo.on_kernel = c.hooks->kernel_done;
		fo.ctx = c.hooks->ctx;
	}
	err = fetch__run(&l, &fo);
	if (c.hooks && c.hooks->fetched)
		c.hooks->fetched(&l, &fo, err, c.hooks->ctx);
	if (err == -EINTR) {
		pr_err("interrupted; partial downloads stay in %s for the next run", cache.dir);
		ret = 128 + cancelled;
		goto out;
	}
	if (err) {
		pr_err("fetch failed: %s", strerror(-err));
		goto out;
	}
	if (src.github) {
		err = pins__record(&cache, &l);
		if (err)
			pr_warn("%s: cannot record pins: %s", cache.dir, strerror(-err));
		err = 0;
	}
	if (c.update_manifest) {
		err = record_hashes(&m, &l);
		if (err)
			goto out;
	}
	if (c.prune && c.out_dir) {
		size_t removed;

		err = prune__outputs(c.out_dir, &cache, &l, &removed);
		if (err)
			goto out;
		if (removed)
			pr_info("%s: pruned %zu file(s)", c.out_dir, removed);
	}
	err = summary__print(&l, c.json, c.verbosity < 0 || (c.hooks && c.hooks->own_summary));
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
	runlock__release(olock);
	runlock__release(mlock);
	return ret;
}
