// SPDX-License-Identifier: BSD-2-Clause
/*
 * One run over the files named: the shard's inputs made on -j threads (each
 * one maker__kernel()), one error line per failed input, the summary, then
 * the mirror index, written by btfhub-fetch's own index code.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "errmsg.h"
#include "escape_json.h"
#include "fsutil.h"
#include "index.h"
#include "indexer.h"
#include "jobpool.h"
#include "log.h"
#include "batch.h"
#include "sig.h"


struct batch_ctx {
	const struct batch_opts *o;
	struct maker *m;
	struct layout_key key;		/* --key */
	size_t *todo;			/* indexes into o->inputs of this shard */
	size_t ntodo;
	struct make_result *res;	/* one per todo */
	atomic_size_t next, done;
	bool progress;
	pthread_mutex_t lock;
};

/* A file's shard: FNV-1a of its base name, so every machine agrees. */
static unsigned int shard_of(const char *path, unsigned int n)
{
	const char *base = strrchr(path, '/');
	uint32_t h = 2166136261u;

	for (base = base ? base + 1 : path; *base; base++)
		h = (h ^ (uint8_t)*base) * 16777619u;
	return h % n;
}

static const char *status_name(enum make_status s)
{
	switch (s) {
	case MAKE_MADE: return "made";
	case MAKE_UNCHANGED: return "unchanged";
	case MAKE_SKIPPED: return "skipped";
	default: return "failed";
	}
}

static void *worker(void *arg)
{
	struct batch_ctx *c = arg;
	size_t i;

	while (!*sig__caught() && (i = atomic_fetch_add(&c->next, 1)) < c->ntodo) {
		struct make_input in = { .sz = sizeof(in) };
		const char *path = c->o->inputs[c->todo[i]];
		struct make_result *r = &c->res[i];

		if (c->o->key) {
			in.distro = c->key.distro;
			in.version = c->key.version;
			in.arch = c->key.arch;
			in.release = c->key.release;
		}
		maker__kernel(c->m, path, -1, &in, r);
		if (r->status == MAKE_FAILED)
			pr_err("%s", r->error);
		else
			pr_info("%s: %s %s (%s)", path, r->key, status_name(r->status), r->how);
		if (c->progress) {
			pthread_mutex_lock(&c->lock);
			fprintf(stderr, "\r[%zu/%zu] %-60.60s", atomic_fetch_add(&c->done, 1) + 1,
				c->ntodo, r->key);
			pthread_mutex_unlock(&c->lock);
		}
	}
	return NULL;
}

static void print_json(struct batch_ctx *c, size_t counts[4], const char *index)
{
	json_t *root = json_object(), *arr = json_array();
	size_t i;

	for (i = 0; i < c->ntodo; i++) {
		const struct make_result *r = &c->res[i];
		json_t *k = json_object();

		json_object_set_new(k, "input", escape__json(c->o->inputs[c->todo[i]]));
		json_object_set_new(k, "status", json_string(status_name(r->status)));
		if (*r->key)
			json_object_set_new(k, "key", escape__json(r->key));
		if (*r->how)
			json_object_set_new(k, "how", escape__json(r->how));
		if (r->status == MAKE_SKIPPED) {
			json_object_set_new(k, "reason", json_string("--prefer: another input gave this kernel"));
		} else if (r->status != MAKE_FAILED) {
			json_object_set_new(k, "btf_size", json_integer(r->btf_size));
			json_object_set_new(k, "size", json_integer(r->size));
			json_object_set_new(k, "sha256", json_string(r->sha256));
		} else {
			json_object_set_new(k, "error", escape__json_msg(r->error));
		}
		json_array_append_new(arr, k);
	}
	json_object_set_new(root, "made", json_integer(counts[MAKE_MADE]));
	json_object_set_new(root, "unchanged", json_integer(counts[MAKE_UNCHANGED]));
	json_object_set_new(root, "skipped", json_integer(counts[MAKE_SKIPPED]));
	json_object_set_new(root, "failed", json_integer(counts[MAKE_FAILED]));
	if (index)
		json_object_set_new(root, "index", escape__json(index));
	json_object_set_new(root, "kernels", arr);
	json_dumpf(root, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
	json_decref(root);
}

/*
 * The shard's inputs made on @jobs threads (0: one per CPU, never more than
 * inputs; none started: this thread). Returns 0 or -ENOMEM (reported).
 */
static int run_workers(struct batch_ctx *c, int jobs)
{
	int n = jobs ?: jobpool__ncpus();
	pthread_t *tids;
	size_t i;

	if ((size_t)n > c->ntodo)
		n = c->ntodo;
	tids = calloc(n ?: 1, sizeof(*tids));
	if (!tids) {
		pr_err("out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < (size_t)n; i++)
		if (pthread_create(&tids[i], NULL, worker, c)) {
			n = i;
			break;
		}
	if (c->ntodo && !n)
		worker(c);
	for (i = 0; i < (size_t)n; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	if (c->progress && c->ntodo)
		fputc('\n', stderr);
	return 0;
}

int batch__run(const struct batch_opts *o)
{
	struct maker_opts mo = {
		.sz = sizeof(mo),
		.out_dir = o->out_dir,
		.pahole = o->pahole,
		.force = o->force,
		.cancel = sig__caught(),
		.prefer = o->prefer,
	};
	struct batch_ctx c = { .o = o };
	char keybuf[LAYOUT_KEY_MAX + 1], why[128], index[4096];
	size_t counts[4] = { 0 }, i, nindex = 0;
	int ret = 1, err;

	if (o->key && layout__parse_key(o->key, strlen(o->key), keybuf, &c.key, why, sizeof(why))) {
		pr_err("--key %s: %s", o->key, why);
		return 2;
	}
	err = mkdir_p(o->out_dir);
	if (err) {
		pr_err("%s: cannot create: %s", o->out_dir, errmsg(err));
		return 1;
	}
	pthread_mutex_init(&c.lock, NULL);
	c.m = maker__new(&mo);
	c.todo = calloc(o->ninputs ?: 1, sizeof(*c.todo));
	c.res = calloc(o->ninputs ?: 1, sizeof(*c.res));
	if (!c.m || !c.todo || !c.res) {
		pr_err("out of memory");
		goto out;
	}
	for (i = 0; i < o->ninputs; i++)
		if (!o->shards || shard_of(o->inputs[i], o->shards) == o->shard)
			c.todo[c.ntodo++] = i;
	c.progress = isatty(STDERR_FILENO) && o->verbosity == LOG_LEVEL_WARN && !o->json;
	if (run_workers(&c, o->jobs))
		goto out;
	if (*sig__caught()) {
		pr_err("stopped by signal %d: nothing half-written is left", (int)*sig__caught());
		ret = 128 + *sig__caught();
		goto out;
	}
	for (i = 0; i < c.ntodo; i++)
		counts[c.res[i].status]++;
	/*
	 * The index names what the tree holds, from earlier runs and shards too.
	 * A run that made nothing leaves an existing index alone (--index
	 * rewrites it): nothing new, nothing rewritten.
	 */
	snprintf(index, sizeof(index), "%s/%s", o->out_dir, INDEX_NAME);
	err = 0;
	if (counts[MAKE_MADE] || o->index_only || access(index, F_OK))
		err = indexer__write(o->out_dir, &nindex);
	if (o->json)
		print_json(&c, counts, err ? NULL : index);
	else if (o->verbosity >= LOG_LEVEL_WARN)
		fprintf(stderr, "btfhub-make: %zu made, %zu unchanged, %zu skipped, %zu failed%s%s%s\n",
			counts[MAKE_MADE], counts[MAKE_UNCHANGED], counts[MAKE_SKIPPED],
			counts[MAKE_FAILED],
			nindex ? "; " : "", nindex ? index : "", nindex ? " written" : "");
	ret = err || counts[MAKE_FAILED] ? 1 : 0;
out:
	free(c.todo);
	free(c.res);
	maker__free(c.m);
	pthread_mutex_destroy(&c.lock);
	return ret;
}
