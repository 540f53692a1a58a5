// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "pipeline.h"
#include "sig.h"

/*
 * btfgen's plan over the selection (its names, the archives to come), gated
 * by the objects' floor unless --all-kernels and cut to this shard; what
 * leaves the plan leaves the fetch too, before any transfer (and before
 * --list prints it).
 */
static int plan(struct session *s, struct kernel_list *l)
{
	char rel[1024];
	size_t i, keep = 0;
	int err;

	for (i = 0; i < l->n; i++) {
		kernel__name_r(&l->v[i], rel, sizeof(rel));
		err = session__add(s, rel);
		if (err)
			return err;	/* reported */
	}
	session__gate(s);
	for (i = 0; i < l->n; i++) {
		kernel__name_r(&l->v[i], rel, sizeof(rel));
		if (session__planned(s, rel))
			l->v[keep++] = l->v[i];
		else
			kernel__clear(&l->v[i]);
	}
	if (keep < l->n)
		pr_info("%zu of %zu selected kernels to fetch (the others are below the floor "
			"or in another shard)", keep, l->n);
	l->n = keep;
	return 0;
}

/* fetch_opts.on_kernel, on a verifying thread: reduce this one now. */
static void on_kernel(struct kernel *k, int archive_fd, void *ctx)
{
	struct session *s = ctx;
	char rel[1024];

	kernel__name_r(k, rel, sizeof(rel));
	if (k->status == KERNEL_FAILED) {
		session__feed_failed(s, rel, k->error ?: "failed");
		return;
	}
	pr_info("%s: verified %s", rel, k->archive);
	/* The descriptor it was verified from: what bpftool will read. */
	session__feed(s, rel, k->archive, archive_fd, k->got_sha256[0] ? k->got_sha256 : NULL);
}

/*
 * While the fetch still holds its cache: an archive bpftool's input turned
 * out corrupt is forgotten as fetch itself would (fetched again next time).
 */
static void forget_bad(struct run *r, const struct session *s)
{
	char rel[1024];
	size_t i;

	for (i = 0; i < r->l.n; i++) {
		kernel__name_r(&r->l.v[i], rel, sizeof(rel));
		if (r->l.v[i].archive && session__bad_input(s, rel, r->l.v[i].archive))
			fetch__forget(&r->l.v[i], &r->fo);
	}
}

/* Fetch with btfgen fed as archives are verified; returns the fetch's status. */
static int fetch_and_reduce(struct run *r, struct session *s, bool json, int *gen_err)
{
	int err;

	/* Both stop on the one flag: btfgen starts no new kernel. */
	sig__install();
	err = run__fetch(r, on_kernel, s, sig__caught());
	*gen_err = session__end(s);
	forget_bad(r, s);
	/* btfgen --json's document is the summary: fetch prints its error lines. */
	return run__record(r, err, json);
}

int pipeline__run(const struct pipeline_opts *o)
{
	struct run_opts fo = o->fetch;
	struct session *s;
	struct run r;
	int ret, gen_err = 0;

	s = session__new(&o->gen);
	if (!s) {
		pr_err("%s", strerror(errno));
		return 1;
	}
	/* --list plans (gate, shard) but runs no bpftool. */
	if (!fo.list && session__probe(s)) {
		ret = session__exit(s, 1, 0);
		session__free(s);
		return ret;
	}
	/* --list --json: fetch's list document, as btfhub-fetch --list --json. */
	fo.json = fo.list && o->gen.json;
	fo.out_dir = NULL;
	ret = run__open(&r, &fo) ?: run__select(&r);
	if (!ret && (r.err = plan(s, &r.l)))
		ret = 1;
	if (fo.list) {
		ret = ret ?: run__list(&r);
		run__close(&r, ret);
		session__free(s);
		return ret;
	}
	ret = ret ?: run__check(&r);
	if (!ret && session__start(s))
		ret = 1;
	if (!ret)
		ret = fetch_and_reduce(&r, s, o->gen.json, &gen_err);
	run__close(&r, ret);
	/* btfgen counts the kernels fetch failed too: its status is the run's. */
	ret = session__exit(s, ret, gen_err);
	session__free(s);
	return ret;
}
