// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpftool.h"
#include "btfgen.h"
#include "cli.h"
#include "gate.h"
#include "input.h"
#include "jobpool.h"
#include "log.h"
#include "report.h"
#include "session.h"

struct session {
	struct session_opts o;
	struct bpftool bt;
	struct input_list in;
	struct btfgen_opts gopts;
	struct report_info info;
	struct btfgen *g;
	const char *fatal;	/* the --json error document's message */
	bool added;		/* planned by session__add(): not sorted yet */
	pthread_t thread;	/* streamed runs */
	bool running;
	int gen_err;
};

int session__parse_opt(int opt, const char *arg, struct session_opts *o)
{
	unsigned int n;

	switch (opt) {
	case 'j':
		if (cli__parse_uint(arg, 4096, &n) || !n) {
			pr_err("-j: expected a number of jobs from 1 to 4096, got '%s'", arg);
			return -EINVAL;
		}
		o->jobs = n;
		return 0;
	case SESSION_OPT_BPFTOOL: o->bpftool = arg; return 0;
	case SESSION_OPT_FAIL_FAST: o->fail_fast = true; return 0;
	case SESSION_OPT_SHARD:
		if (cli__parse_shard(arg, &o->shard_index, &o->shard_count)) {
			pr_err("--shard: expected I/N with 0 <= I < N, got '%s'", arg);
			return -EINVAL;
		}
		return 0;
	case SESSION_OPT_PRUNE: o->prune = true; return 0;
	case SESSION_OPT_ALL_KERNELS: o->all_kernels = true; return 0;
	case SESSION_OPT_FLOOR:
		if (audit__floor_set(&o->floor, arg)) {
			pr_err("--floor: expected a kernel version such as 5.4, got '%s'", arg);
			return -EINVAL;
		}
		o->floor_set = true;
		return 0;
	case SESSION_OPT_UNPACK_DIR: o->unpack_dir = arg; return 0;
	case SESSION_OPT_RAW: o->raw = true; return 0;
	case SESSION_OPT_JSON: o->json = true; return 0;
	default: return SESSION_OPT_NOT_MINE;
	}
}

struct session *session__new(const struct session_opts *o)
{
	struct session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->o = *o;
	s->gopts = (struct btfgen_opts){
		.outdir = o->outdir,
		.objects = o->objects,
		.nobjects = o->nobjects,
		.jobs = o->jobs > 0 ? o->jobs : jobpool__ncpus(),
		.fail_fast = o->fail_fast,
		.shard_index = o->shard_index,
		.shard_count = o->shard_count,
		.progress = o->progress,
		.prune = o->prune,
		.stop = o->stop,
		.unpack_dir = o->unpack_dir,
		.arch = o->arch,
		.raw = o->raw,
	};
	return s;
}

void session__free(struct session *s)
{
	if (!s)
		return;
	session__end(s);
	btfgen__free(s->g);
	input__free(&s->in);
	bpftool__free(&s->bt);
	free(s);
}

void session__fail(struct session *s, const char *why)
{
	s->fatal = why;
}

int session__probe(struct session *s)
{
	int err = bpftool__probe(s->o.bpftool, s->o.outdir, &s->bt);

	if (err) {
		s->fatal = "no usable bpftool";
		return err;
	}
	pr_info("using %s (%s)", s->bt.path, s->bt.version_line);
	s->gopts.bpftool = s->bt.path;
	s->gopts.bpftool_digest = s->bt.digest;
	s->gopts.bpftool_envp = s->bt.envp;
	return 0;
}

int session__scan(struct session *s, const char *in_dir)
{
	int err = input__scan(in_dir, &s->in);

	if (err) {
		s->fatal = "cannot read IN_DIR";
		return err;
	}
	if (!s->in.cnt)
		pr_warn("%s: no <distro>/<version>/<arch>/<release>.btf[.tar.xz] found", in_dir);
	return 0;
}

int session__add(struct session *s, const char *kernel)
{
	/* The path is a placeholder until session__feed() gives the archive's. */
	int err = input__add(&s->in, kernel, kernel, true);

	if (err)
		pr_err("%s: %s", kernel, strerror(-err));
	s->added = true;
	return err;
}

void session__gate(struct session *s)
{
	if (s->added)
		input__sort(&s->in);
	if (!s->o.all_kernels)
		gate__kernels(&s->in, (const char *const *)s->o.objects, s->o.nobjects,
			      s->o.floor_set ? &s->o.floor : NULL, &s->info);
}

static int rel_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct input_kernel *)elem)->rel);
}

bool session__planned(const struct session *s, const char *kernel)
{
	return btfgen__selects(&s->gopts, kernel) &&
	       bsearch(kernel, s->in.v, s->in.cnt, sizeof(*s->in.v), rel_cmp);
}

static int plan(struct session *s, bool streamed)
{
	s->gopts.streamed = streamed;
	s->g = btfgen__new(&s->in, &s->gopts);
	return s->g ? 0 : -errno;	/* reported */
}

int session__run(struct session *s)
{
	int err = plan(s, false);

	if (err) {
		s->fatal = "cannot plan the run";
		return err;
	}
	return btfgen__run(s->g);
}

static void *gen_thread(void *arg)
{
	struct session *s = arg;

	s->gen_err = btfgen__run(s->g);
	return NULL;
}

int session__start(struct session *s)
{
	/* Failing, it leaves no plan: session__exit() says the run stopped. */
	int err = plan(s, true);

	if (err)
		return err;
	err = pthread_create(&s->thread, NULL, gen_thread, s);
	if (err) {
		pr_err("cannot start btfgen: %s", strerror(err));
		return -err;
	}
	s->running = true;
	return 0;
}

/* What btfgen__feed() and btfgen__feed_failed() answered, for the log. */
static void fed(struct session *s, const char *kernel, int err)
{
	char msg[128];

	if (err == -ENOENT) {
		pr_debug("%s: not reduced (below the objects' floor)", kernel);
	} else if (err == -ECANCELED) {
		pr_debug("%s: not reduced (btfgen stopped)", kernel);
	} else if (err) {
		/* Failed, not left skipped: the run's status must say so. */
		snprintf(msg, sizeof(msg), "cannot queue its reduction: %s", strerror(-err));
		pr_err("%s: %s", kernel, msg);
		btfgen__feed_failed(s->g, kernel, msg);
	}
}

void session__feed(struct session *s, const char *kernel, const char *path, int fd,
		   const char *sha256)
{
	fed(s, kernel, btfgen__feed(s->g, kernel, path, fd, sha256));
}

void session__feed_failed(struct session *s, const char *kernel, const char *error)
{
	/* Counted as btfgen's too; the fetch summary prints the line. */
	fed(s, kernel, btfgen__feed_failed(s->g, kernel, error));
}

int session__end(struct session *s)
{
	if (s->running) {
		btfgen__feed_end(s->g);
		pthread_join(s->thread, NULL);
		s->running = false;
	}
	return s->gen_err;
}

bool session__bad_input(const struct session *s, const char *kernel, const char *input)
{
	size_t i;

	for (i = 0; s->g && i < btfgen__result_cnt(s->g); i++) {
		const struct btfgen_result *r = btfgen__result(s->g, i);

		if (r->state == BTFGEN_FAILED && r->bad_input && !strcmp(r->kernel, kernel) &&
		    !strcmp(r->input, input))
			return true;
	}
	return false;
}

int session__exit(struct session *s, int status, int err)
{
	/*
	 * btfgen alone reports a run that failed other than by its kernels
	 * (-EIO) or a signal as fatal; a streamed run still shows what the
	 * kernels fetched so far came to.
	 */
	if (s->g && err && err != -EIO && err != -EINTR && !s->gopts.streamed)
		s->fatal = "run failed";
	if (s->fatal || !s->g) {
		if (s->o.json)
			report__json_error(stdout, s->fatal ?:
					   "the run stopped before any kernel was planned");
		return s->fatal ? 1 : status;
	}
	if (status == 0 && err == -EINTR) {
		pr_err("interrupted");
		status = s->o.interrupted_status ?: 128 + *s->o.stop;
	} else if (status == 0 && err) {
		status = 1;
	}
	s->info.bpftool = &s->bt;
	s->info.jobs = s->gopts.jobs;
	s->info.shard_index = s->o.shard_index;
	s->info.shard_count = s->o.shard_count;
	if (s->o.json)
		report__json(stdout, s->g, &s->info);
	else if (s->o.verbosity > LOG_LEVEL_QUIET)
		report__text(stdout, s->g);
	return status;
}
