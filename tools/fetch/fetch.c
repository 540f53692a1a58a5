// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errmsg.h"
#include "extract.h"
#include "fetch.h"
#include "fsutil.h"
#include "gitblob.h"
#include "jobpool.h"
#include "log.h"

void fetch__forget(const struct kernel *k, const struct fetch_opts *o)
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

/*
 * Verify, then extract unless the stamp says the output is this archive's.
 * The archive is opened once: hashed and extracted from that descriptor,
 * so a file swapped in at its path meanwhile is never what gets used.
 * Returns the descriptor when the kernel is verified and a caller may read
 * it (verify-only runs), else -1.
 */
static int finish_kernel(struct kernel *k, const struct fetch_opts *o)
{
	struct extract_opts eopts = {
		.max_size = o->max_size,
		.cancel = o->cancel,
	};
	char why[512];
	struct stat st;
	bool hashed = false;
	int fd, err;

	fd = open_regular(k->archive, &st);
	err = fd < 0 ? fd : cache__archive_sha256(o->cache, k, fd, k->got_sha256, &hashed);
	if (err) {
		kernel__fail(k, "%s: cannot read archive %s: %s", k->url, k->archive,
			     errmsg(err));
		goto drop;
	}
	/*
	 * GitHub's tree names each file by its git blob SHA-1: bytes read now
	 * (downloaded, or changed since their digest was recorded) must be
	 * that blob before their SHA-256 is pinned to it or they are extracted.
	 */
	if (k->content_id[0] && (hashed || k->body_bytes)) {
		char blob[GIT_BLOB_HEX_LEN];

		err = git_blob__name_fd(fd, k->content_id, blob);
		if (err) {
			kernel__fail(k, "%s: cannot read archive %s: %s", k->url, k->archive,
				     errmsg(err));
			goto drop;
		}
		if (strcmp(blob, k->content_id)) {
			kernel__fail(k, "%s: git blob SHA-1 mismatch: the tree lists %s, the "
				     "download is %s", k->url, k->content_id, blob);
			fetch__forget(k, o);
			goto drop;
		}
	}
	if (k->want_sha256[0] && strcmp(k->want_sha256, k->got_sha256)) {
		kernel__fail(k, "%s: sha256 mismatch: %s has %s, archive is %s",
			     k->url, k->want_from ?: "manifest", k->want_sha256, k->got_sha256);
		fetch__forget(k, o);
		goto drop;
	}
	if (!o->out_dir) {
		/* Verified: the archive itself is what the caller reads, from @fd. */
		k->status = k->body_bytes ? KERNEL_FETCHED : KERNEL_CACHED;
		return fd;
	}
	k->output = kernel__output_path(k, o->out_dir);
	if (!k->output) {
		kernel__fail(k, "%s: out of memory", k->url);
		goto drop;
	}
	if (!k->body_bytes && cache__output_current(o->cache, k, k->got_sha256)) {
		k->status = KERNEL_CACHED;
		goto drop;
	}
	err = extract__btf(fd, k->release, k->output, &eopts, why, sizeof(why));
	if (err) {
		kernel__fail(k, "%s: %s", k->url, why);
		/* A full disk or a read-only output is not the archive's fault. */
		if (err == -EBADMSG)
			fetch__forget(k, o);
		goto drop;
	}
	err = cache__stamp_write(o->cache, k, k->got_sha256);
	if (err)
		pr_warn("%s: cannot write cache stamp: %s", k->output, strerror(-err));
	k->status = KERNEL_FETCHED;
	pr_info("%s: extracted from %s", k->output, k->url);
drop:
	if (fd >= 0)
		close(fd);
	return -1;
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

/*
 * The CPU half of a run (hash, decompress, check BTF), shared by the
 * workers: a queue of kernels whose archives are there, filled up front
 * for a local source, or by the transfers as each one ends.
 */
struct finish_pool {
	const struct fetch_opts *o;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct kernel **q;
	size_t n, next;		/* queued, taken */
	bool closed;		/* nothing more will be queued */
	int err;		/* first error of the run itself */
};

/*
 * One kernel's local lookup, verification and extraction. Returns 0 or a
 * run error; *@archive_fd gets finish_kernel()'s descriptor (or -1).
 */
static int finish_one(struct kernel *k, const struct fetch_opts *o, int *archive_fd)
{
	int err;

	*archive_fd = -1;
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
	*archive_fd = finish_kernel(k, o);
	return 0;
}

static bool cancelled(const struct fetch_opts *o)
{
	return o->cancel && *o->cancel;
}

static void *finish_worker(void *arg)
{
	struct finish_pool *p = arg;
	struct kernel *k;
	int err = 0, fd;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		while (p->next == p->n && !p->closed && !p->err)
			pthread_cond_wait(&p->cond, &p->lock);
		k = p->err || p->next == p->n || cancelled(p->o) ? NULL : p->q[p->next++];
		pthread_mutex_unlock(&p->lock);
		if (!k)
			return NULL;
		/* A failed transfer comes through too, for on_kernel to hear of it. */
		fd = -1;
		if (k->status == KERNEL_PENDING)
			err = finish_one(k, p->o, &fd);
		if (err) {
			pthread_mutex_lock(&p->lock);
			p->err = p->err ?: err;
			pthread_cond_broadcast(&p->cond);
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
		if (p->o->on_kernel && k->status != KERNEL_PENDING)
			p->o->on_kernel(k, k->status == KERNEL_FAILED ? -1 : fd, p->o->ctx);
		if (fd >= 0)
			close(fd);
	}
}

static void pool_push(struct finish_pool *p, struct kernel *k)
{
	pthread_mutex_lock(&p->lock);
	p->q[p->n++] = k;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

static void pool_close(struct finish_pool *p)
{
	pthread_mutex_lock(&p->lock);
	p->closed = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}

/* transfer.c's on_done: this kernel's archive is in the cache (or failed). */
static void transferred(struct kernel *k, void *ctx)
{
	pool_push(ctx, k);
}

int fetch__run(struct kernel_list *l, const struct fetch_opts *o)
{
	struct finish_pool p = {
		.o = o,
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.cond = PTHREAD_COND_INITIALIZER,
	};
	struct kernel **remote = NULL;
	pthread_t *threads = NULL;
	size_t i, nremote = 0;
	int n = o->jobs > 0 ? o->jobs : jobpool__ncpus(), started = 0, err = 0;

	p.q = calloc(l->n ? l->n : 1, sizeof(*p.q));
	remote = calloc(l->n ? l->n : 1, sizeof(*remote));
	threads = calloc(n, sizeof(*threads));
	if (!p.q || !remote || !threads) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < l->n; i++) {
		if (l->v[i].status != KERNEL_PENDING)
			continue;
		if (o->src->kind == SOURCE_HTTP)
			remote[nremote++] = &l->v[i];
		else
			p.q[p.n++] = &l->v[i];
	}
	if ((size_t)n > nremote + p.n)
		n = nremote + p.n ? (int)(nremote + p.n) : 1;
	/* The workers verify while this thread drives the transfers. */
	for (i = 0; i < (size_t)n; i++) {
		if (pthread_create(&threads[i], NULL, finish_worker, &p))
			break;
		started++;
	}
	if (!started) {
		err = -EAGAIN;
		goto out;
	}
	if (nremote) {
		struct transfer_opts topts = o->transfer;

		topts.src = o->src;
		topts.cache = o->cache;
		topts.max_size = o->max_size;
		topts.cancel = o->cancel;
		topts.on_done = transferred;
		topts.ctx = &p;
		err = transfer__run(remote, nremote, &topts);
	}
	pool_close(&p);
	for (i = 0; i < (size_t)started; i++)
		pthread_join(threads[i], NULL);
	err = err ?: p.err;
out:
	free(threads);
	free(remote);
	free(p.q);
	if (err)
		return err;
	return cancelled(o) ? -EINTR : 0;
}
