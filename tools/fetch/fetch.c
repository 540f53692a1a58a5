// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extract.h"
#include "fetch.h"
#include "jobpool.h"
#include "log.h"

/*
 * Forget a downloaded archive that turned out bad, so the next run fetches
 * it again instead of trusting a 304 for a copy that may have been damaged
 * on the way. Archives of a local source are not ours to delete.
 */
static void drop_cached(const struct kernel *k, const struct fetch_opts *o)
{
	char *meta;

	if (o->src->kind != SOURCE_HTTP)
		return;
	meta = cache__archive_path(o->cache, k, ".meta");
	unlink(k->archive);
	if (meta)
		unlink(meta);
	free(meta);
}

/* Verify, then extract unless the stamp says the output is this archive's. */
static void finish_kernel(struct kernel *k, const struct fetch_opts *o)
{
	struct extract_opts eopts = {
		.sz = sizeof(eopts),
		.max_size = o->max_size,
		.cancel = o->cancel,
	};
	char why[512];
	int fd, err;

	fd = open(k->archive, O_RDONLY | O_CLOEXEC);
	err = fd < 0 ? -errno : cache__archive_sha256(o->cache, k, fd, k->got_sha256);
	if (fd >= 0)
		close(fd);
	if (err) {
		kernel__fail(k, "%s: cannot read archive %s: %s", k->url, k->archive,
			     strerror(-err));
		return;
	}
	if (k->want_sha256[0] && strcmp(k->want_sha256, k->got_sha256)) {
		kernel__fail(k, "%s: sha256 mismatch: %s has %s, archive is %s",
			     k->url, k->want_from ?: "manifest", k->want_sha256, k->got_sha256);
		drop_cached(k, o);
		return;
	}
	k->output = kernel__output_path(k, o->out_dir);
	if (!k->output) {
		kernel__fail(k, "%s: out of memory", k->url);
		return;
	}
	if (!k->body_bytes && cache__output_current(o->cache, k, k->got_sha256)) {
		k->status = KERNEL_CACHED;
		return;
	}
	err = extract__btf(k->archive, k->release, k->output, &eopts, why, sizeof(why));
	if (err) {
		kernel__fail(k, "%s: %s", k->url, why);
		/* A full disk or a read-only output is not the archive's fault. */
		if (err == -EBADMSG)
			drop_cached(k, o);
		return;
	}
	err = cache__stamp_write(o->cache, k, k->got_sha256);
	if (err)
		pr_warn("%s: cannot write cache stamp: %s", k->output, strerror(-err));
	k->status = KERNEL_FETCHED;
	pr_info("%s: extracted from %s", k->output, k->url);
}

/* Name every path tried: the arch/codename aliases are part of the story. */
static void fail_not_found(struct kernel *k, const struct source *src)
{
	char *tried = NULL, *t, *p;
	int i;

	for (i = 0; i < k->ncandidates; i++) {
		p = source__join(src, k->candidates[i]);
		if (!p || asprintf(&t, "%s%s%s", tried ?: "", tried ? ", " : "", p) < 0) {
			free(p);
			break;
		}
		free(p);
		free(tried);
		tried = t;
	}
	kernel__fail(k, "%s: not found", tried ?: k->url);
	free(tried);
}

/* The CPU half of a run (hash, decompress, check BTF), shared by the workers. */
struct finish_pool {
	struct kernel_list *l;
	const struct fetch_opts *o;
	pthread_mutex_t lock;
	size_t next;		/* next index of l->v to take */
	int err;		/* first error of the run itself */
};

/* One kernel's local lookup, verification and extraction. Returns 0 or a run error. */
static int finish_one(struct kernel *k, const struct fetch_opts *o)
{
	int err;

	if (o->src->kind == SOURCE_DIR) {
		err = source__locate_local(o->src, k);
		if (err == -ENOENT) {
			fail_not_found(k, o->src);
			return 0;
		}
		if (err)
			return err;
	}
	if (!k->archive) {
		kernel__fail(k, "%s: no archive obtained", k->url ? k->url : k->candidates[0]);
		return 0;
	}
	finish_kernel(k, o);
	return 0;
}

static void *finish_worker(void *arg)
{
	struct finish_pool *p = arg;
	struct kernel *k;
	int err;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		while (p->next < p->l->n && p->l->v[p->next].status != KERNEL_PENDING)
			p->next++;
		k = p->err || p->next == p->l->n || (p->o->cancel && *p->o->cancel) ?
		    NULL : &p->l->v[p->next++];
		pthread_mutex_unlock(&p->lock);
		if (!k)
			return NULL;
		err = finish_one(k, p->o);
		if (err) {
			pthread_mutex_lock(&p->lock);
			p->err = p->err ?: err;
			pthread_mutex_unlock(&p->lock);
		}
	}
}

/*
 * Verify and extract the pending kernels on o->jobs threads: the work is
 * decompression and hashing, CPU-bound and independent per kernel.
 */
static int finish_all(struct kernel_list *l, const struct fetch_opts *o)
{
	struct finish_pool p = { .l = l, .o = o, .lock = PTHREAD_MUTEX_INITIALIZER };
	pthread_t *threads;
	int i, n = o->jobs > 0 ? o->jobs : jobpool__ncpus(), started = 0;

	if ((size_t)n > l->n)
		n = l->n ? (int)l->n : 1;
	threads = calloc(n, sizeof(*threads));
	if (!threads)
		return -ENOMEM;
	/* This thread is worker 0: -j 1 runs no thread at all. */
	for (i = 1; i < n; i++) {
		if (pthread_create(&threads[i], NULL, finish_worker, &p))
			break;
		started++;
	}
	finish_worker(&p);
	for (i = 1; i <= started; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	return p.err;
}

int fetch__run(struct kernel_list *l, const struct fetch_opts *o)
{
	struct kernel **remote = NULL;
	size_t i, nremote = 0;
	int err = 0;

	if (o->src->kind == SOURCE_HTTP) {
		struct transfer_opts topts = o->transfer;

		remote = calloc(l->n ? l->n : 1, sizeof(*remote));
		if (!remote)
			return -ENOMEM;
		for (i = 0; i < l->n; i++)
			if (l->v[i].status == KERNEL_PENDING)
				remote[nremote++] = &l->v[i];
		topts.src = o->src;
		topts.cache = o->cache;
		topts.max_size = o->max_size;
		topts.cancel = o->cancel;
		err = transfer__run(remote, nremote, &topts);
		free(remote);
		if (err)
			return err;
	}
	err = finish_all(l, o);
	if (err)
		return err;
	return o->cancel && *o->cancel ? -EINTR : 0;
}
