// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpftool.h"
#include "gate.h"
#include "input.h"
#include "jobpool.h"
#include "log.h"
#include "pipeline.h"
#include "report.h"

/* Set by SIGINT/SIGTERM once fetching is over: btfgen starts no new kernel. */
static volatile int stop_requested;

static void on_signal(int sig)
{
	stop_requested = sig;
}

struct pipeline {
	const struct pipeline_opts *o;
	struct bpftool bt;
	struct input_list in;
	struct btfgen_opts gopts;
	struct report_info info;
	struct btfgen *g;
	pthread_t thread;
	bool running;
	int gen_err;
};

static void *gen_thread(void *arg)
{
	struct pipeline *p = arg;

	p->gen_err = btfgen__run(p->g);
	return NULL;
}

static int rel_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct input_kernel *)elem)->rel);
}

/*
 * run.h's filter(): btfgen's plan over the selection (its names, the
 * archives to come), gated by the objects' floor unless --all-kernels and
 * cut to this shard; what leaves the plan leaves the fetch too, before any
 * transfer (and before --list prints it).
 */
static int on_filter(struct kernel_list *l, void *ctx)
{
	struct pipeline *p = ctx;
	char rel[1024];
	size_t i, keep = 0;
	int err;

	for (i = 0; i < l->n; i++) {
		kernel__name_r(&l->v[i], rel, sizeof(rel));
		/* The path is a placeholder until btfgen__feed() gives the archive's. */
		err = input__add(&p->in, rel, rel, true);
		if (err) {
			pr_err("%s: %s", rel, strerror(-err));
			return err;
		}
	}
	input__sort(&p->in);
	if (!p->o->all_kernels)
		gate__kernels(&p->in, (const char *const *)p->o->objects, p->o->nobjects,
			      p->o->floor, &p->info);
	for (i = 0; i < l->n; i++) {
		kernel__name_r(&l->v[i], rel, sizeof(rel));
		if (btfgen__selects(&p->gopts, rel) &&
		    bsearch(rel, p->in.v, p->in.cnt, sizeof(*p->in.v), rel_cmp))
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

/*
 * run.h's selected(): start btfgen over the plan; its workers wait for
 * their kernel's archive to be verified.
 */
static int on_selected(const struct kernel_list *l, void *ctx)
{
	struct pipeline *p = ctx;
	int err;

	(void)l;
	p->g = btfgen__new(&p->in, &p->gopts);
	if (!p->g)
		return -errno;	/* reported */
	err = pthread_create(&p->thread, NULL, gen_thread, p);
	if (err) {
		pr_err("cannot start btfgen: %s", strerror(err));
		return -err;
	}
	p->running = true;
	return 0;
}

/* run.h's kernel_done(), on a verifying thread: reduce this one now. */
static void on_kernel(struct kernel *k, int archive_fd, void *ctx)
{
	struct pipeline *p = ctx;
	char rel[1024];
	int err;

	kernel__name_r(k, rel, sizeof(rel));
	if (k->status == KERNEL_FAILED) {
		/* Counted as btfgen's too; the fetch summary prints the line. */
		err = btfgen__feed_failed(p->g, rel, k->error ?: "failed");
	} else {
		pr_info("%s: verified %s", rel, k->archive);
		/* The descriptor it was verified from: what bpftool will read. */
		err = btfgen__feed(p->g, rel, k->archive, archive_fd,
				   k->got_sha256[0] ? k->got_sha256 : NULL);
	}
	if (err == -ENOENT)
		pr_debug("%s: not reduced (below the objects' floor)", rel);
	else if (err == -ECANCELED)
		pr_debug("%s: not reduced (btfgen stopped)", rel);
	else if (err) {
		char msg[128];

		/* Failed, not left skipped: the run's status must say so. */
		snprintf(msg, sizeof(msg), "cannot queue its reduction: %s", strerror(-err));
		pr_err("%s: %s", rel, msg);
		btfgen__feed_failed(p->g, rel, msg);
	}
}

/*
 * run.h's fetched(): wait for the reductions, while the fetch run still
 * holds its cache, so that an archive bpftool's input turned out corrupt
 * is forgotten as fetch itself would (fetched again next time).
 */
static void on_fetched(struct kernel_list *l, const struct fetch_opts *fo, int err, void *ctx)
{
	struct pipeline *p = ctx;
	struct sigaction sa = { .sa_handler = on_signal };
	char rel[1024];
	size_t i, k;

	if (err == -EINTR)
		stop_requested = SIGINT;
	/* From here on an interrupt is btfgen's to honour. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (!p->g)
		return;
	btfgen__feed_end(p->g);
	pthread_join(p->thread, NULL);
	p->running = false;
	for (i = 0; i < btfgen__result_cnt(p->g); i++) {
		const struct btfgen_result *r = btfgen__result(p->g, i);

		if (r->state != BTFGEN_FAILED || !r->bad_input)
			continue;
		for (k = 0; k < l->n; k++) {
			kernel__name_r(&l->v[k], rel, sizeof(rel));
			if (!strcmp(rel, r->kernel) && l->v[k].archive &&
			    !strcmp(l->v[k].archive, r->input))
				fetch__forget(&l->v[k], fo);
		}
	}
}

int pipeline__run(const struct pipeline_opts *o)
{
	struct pipeline p = { .o = o };
	const struct run_hooks hooks = {
		.filter = on_filter,
		.selected = on_selected,
		.kernel_done = on_kernel,
		.fetched = on_fetched,
		.own_summary = o->json,
		.ctx = &p,
	};
	struct run_opts fo = o->fetch;
	int ret, level = o->fetch.verbosity;

	/* --list plans (gate, shard) but runs no bpftool. */
	if (!o->fetch.list && bpftool__probe(o->bpftool, o->outdir, &p.bt)) {
		if (o->json)
			report__json_error(stdout, "no usable bpftool");
		return 1;	/* reported */
	}
	if (!o->fetch.list)
		pr_info("using %s (%s)", p.bt.path, p.bt.version_line);
	p.gopts = (struct btfgen_opts){
		.sz = sizeof(p.gopts),
		.outdir = o->outdir,
		.bpftool = p.bt.path,
		.bpftool_digest = p.bt.digest,
		.bpftool_envp = p.bt.envp,
		.objects = o->objects,
		.nobjects = o->nobjects,
		.jobs = o->jobs > 0 ? o->jobs : jobpool__ncpus(),
		.fail_fast = o->fail_fast,
		.shard_index = o->shard_index,
		.shard_count = o->shard_count,
		.prune = o->prune,
		.stop = &stop_requested,
		.unpack_dir = o->unpack_dir,
		.streamed = true,
		.raw = o->raw,
	};
	/* --list --json: fetch's list document, as btfhub-fetch --list --json. */
	fo.json = o->fetch.list && o->json;
	fo.out_dir = NULL;
	fo.hooks = &hooks;
	ret = run__main(&fo);
	if (p.running) {
		/* The fetch stopped before its fetched() hook. */
		btfgen__feed_end(p.g);
		pthread_join(p.thread, NULL);
	}
	p.info.bpftool = &p.bt;
	p.info.jobs = p.gopts.jobs;
	p.info.shard_index = o->shard_index;
	p.info.shard_count = o->shard_count;
	if (o->fetch.list)
		;	/* run__main() printed the list */
	else if (o->json && p.g)
		report__json(stdout, p.g, &p.info);
	else if (o->json)
		report__json_error(stdout, "the run stopped before any kernel was planned");
	else if (p.g && level > LOG_LEVEL_QUIET)
		report__text(stdout, p.g);
	/* btfgen counts the kernels fetch failed too: its status is the run's. */
	if (ret == 0 && p.g && p.gen_err == -EINTR) {
		pr_err("interrupted");
		ret = 128 + stop_requested;
	} else if (ret == 0 && p.g && p.gen_err) {
		ret = 1;
	}
	btfgen__free(p.g);
	input__free(&p.in);
	bpftool__free(&p.bt);
	return ret;
}
