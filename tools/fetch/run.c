// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "fetch.h"
#include "fsutil.h"
#include "lister.h"
#include "escape.h"
#include "log.h"
#include "manifest.h"
#include "pins.h"
#include "prune.h"
#include "run.h"
#include "selection.h"
#include "source.h"
#include "summary.h"
#include "layout.h"
#include "runlock.h"
#include "tmpsweep.h"

static bool selection_given(const struct selection *s)
{
	return s->distro || s->version || s->arch || s->release;
}

/* The kernels of the source's listing that the selection matches. */
static int select_listed(const struct run_opts *c, const struct source *src,
			 const struct cache *cache, struct kernel_list *l)
{
	struct listing_opts lo = {
		.transfer = &(struct transfer_opts){
			.connect_timeout = c->transfer.connect_timeout,
			.timeout = c->transfer.timeout,
		},
		.cache_dir = cache->dir,
		.max_bytes = c->max_listing,
	};
	struct pins pins = { 0 };
	struct listing ls;
	size_t n0;
	int err;

	err = lister__load(&ls, src, &lo);
	if (!err && src->github)
		err = pins__load(&pins, cache);
	if (!err) {
		pr_info("%s: %zu archives listed (%s; %zu requests, %llu listing bytes)",
			src->base, ls.n, ls.kind, ls.requests, (unsigned long long)ls.bytes);
		n0 = l->n;
		err = selection__from_listing(&c->sel, &ls, &pins, l);
		/* A selection that finds nothing is a mistake to name, not an empty success. */
		if (!err && l->n == n0 && selection_given(&c->sel)) {
			selection__explain_none(&c->sel, &ls, src->base);
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
			selection__filter(&c->sel, l);
		return err;
	}
	if (c->update_manifest) {
		pr_err("--update-manifest needs --manifest FILE");
		return -EINVAL;
	}
	if (src->kind == SOURCE_HTTP && !c->list && !selection__globbed(&c->sel))
		return selection__literal(&c->sel, l);
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

int run__open(struct run *r, const struct run_opts *o)
{
	const char *spec = o->source ?: SOURCE_DEFAULT_URL;
	int err;

	memset(r, 0, sizeof(*r));
	r->o = o;
	r->mlock = r->olock = -1;
	err = source__parse(&r->src, spec);
	if (err) {
		char buf[256];

		pr_err("%s: invalid source: %s", escape__str(buf, sizeof(buf), o->source ?: ""),
		       err == -EPROTONOSUPPORT || err == -EINVAL ?
		       "want https://github.com/OWNER/REPO[/tree/REF], another http(s):// "
		       "mirror, file:///PATH or a directory" :
		       strerror(-err));
		r->err = err;
		return 2;	/* a usage error, as --help documents */
	}
	/* --update-manifest: one read-modify-write of the manifest at a time. */
	if (o->manifest && o->update_manifest) {
		r->mlock = runlock__file(o->manifest, -1);
		if (r->mlock < -1) {
			pr_err("%s: cannot lock its directory: %s", o->manifest,
			       strerror(-r->mlock));
			r->err = r->mlock;
			return 1;
		}
	}
	err = o->list || !o->out_dir ? 0 : mkdir_p(o->out_dir);
	if (err) {
		pr_err("%s: cannot create output directory: %s", o->out_dir, strerror(-err));
		r->err = err;
		return 1;
	}
	if (!o->list && o->out_dir) {
		size_t swept = 0;

		/* One run at a time fetches, extracts and prunes in an output tree. */
		r->olock = runlock__dir(o->out_dir, r->mlock);
		if (r->olock < -1) {
			pr_err("%s: cannot lock: %s", o->out_dir, strerror(-r->olock));
			r->err = r->olock;
			return 1;
		}
		/* What a killed run left: owned names, unlocked only (tmpsweep.h). */
		if (tmpfile__sweep(o->out_dir, LAYOUT_RELEASE, LAYOUT_SUFFIX_RAW, &swept))
			pr_warn("%s: cannot sweep stale temporary files", o->out_dir);
	}
	/* --list writes no output, so no output tree keys its stamps. */
	err = cache__init(&r->cache, o->cache_dir, r->src.base,
			  o->list || !o->out_dir ? "." : o->out_dir);
	if (err) {
		pr_err("%s: cannot set up cache directory: %s",
		       o->cache_dir ?: "~/.cache/btfkit/fetch", strerror(-err));
		r->err = err;
		return 1;
	}
	return 0;
}

int run__select(struct run *r)
{
	int err = select_kernels(r->o, &r->src, &r->cache, &r->m, &r->l);

	err = err ?: selection__unique(&r->l);
	r->err = err;
	return err ? 1 : 0;
}

int run__list(struct run *r)
{
	r->err = summary__list(&r->l, r->o->json);
	return r->err ? 1 : 0;
}

int run__check(struct run *r)
{
	if (!r->l.n && r->o->prune && !r->o->manifest) {
		/* Likely a typo in a glob; an empty manifest is the way to ask for it. */
		pr_err("--prune with no kernel selected: refusing to empty %s", r->o->out_dir);
		return 1;
	}
	if (!r->l.n)
		pr_warn("no kernel selected");
	return 0;
}

int run__fetch(struct run *r, void (*on_kernel)(struct kernel *k, int archive_fd, void *ctx),
	       void *ctx, const volatile sig_atomic_t *cancel)
{
	const struct run_opts *o = r->o;

	r->fo = (struct fetch_opts){
		.out_dir = o->out_dir,
		.src = &r->src,
		.cache = &r->cache,
		.max_size = o->max_size,
		.cancel = cancel,
		.jobs = (int)o->jobs,
		.transfer = o->transfer,
		.on_kernel = on_kernel,
		.ctx = ctx,
	};
	/* A progress line only where a person watches it. */
	r->fo.transfer.progress = isatty(STDERR_FILENO) && o->verbosity >= 0 && !o->json;
	return fetch__run(&r->l, &r->fo);
}

int run__record(struct run *r, int err, bool errors_only)
{
	const struct run_opts *o = r->o;
	struct summary_counts counts;

	r->err = err;
	if (err == -EINTR) {
		pr_err("interrupted; partial downloads stay in %s for the next run", r->cache.dir);
		return 128 + *r->fo.cancel;
	}
	if (err) {
		pr_err("fetch failed: %s", strerror(-err));
		return 1;
	}
	if (r->src.github) {
		err = pins__record(&r->cache, &r->l);
		if (err)
			pr_warn("%s: cannot record pins: %s", r->cache.dir, strerror(-err));
	}
	if (o->update_manifest) {
		r->err = record_hashes(&r->m, &r->l);
		if (r->err)
			return 1;
	}
	if (o->prune && o->out_dir) {
		size_t removed;

		r->err = prune__outputs(o->out_dir, &r->cache, &r->l, &removed);
		if (r->err)
			return 1;
		if (removed)
			pr_info("%s: pruned %zu file(s)", o->out_dir, removed);
	}
	r->err = summary__print(&r->l, o->json, o->verbosity < 0 || errors_only);
	if (r->err)
		return 1;
	summary__count(&r->l, &counts);
	return counts.failed ? 1 : 0;
}

int run__close(struct run *r, int status)
{
	if (status && r->err && r->o->json)
		summary__json_error(strerror(-r->err));
	kernel_list__free(&r->l);
	manifest__free(&r->m);
	cache__free(&r->cache);
	source__free(&r->src);
	runlock__release(r->olock);
	runlock__release(r->mlock);
	r->olock = r->mlock = -1;
	return status;
}
