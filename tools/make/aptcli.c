// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "apt.h"
#include "aptcli.h"
#include "errmsg.h"
#include "escape.h"
#include "escape_json.h"
#include "index.h"
#include "indexer.h"
#include "log.h"
#include "make.h"
#include "mem.h"
#include "sig.h"

#define SUITES_MAX 64

int aptcli__parse(int opt, const char *arg, struct apt_cli *a)
{
	int r;

	switch (opt) {
	case APTCLI_APT: a->url = arg; return 1;
	case APTCLI_SUITE: a->suites = arg; return 1;
	case APTCLI_ARCH: a->arch = arg; return 1;
	case APTCLI_COMPONENT: a->component = arg; return 1;
	case APTCLI_KEYRING: a->keyring = arg; return 1;
	case APTCLI_PACKAGES: a->globs = arg; return 1;
	case APTCLI_CACHE_DIR: a->cache_dir = arg; return 1;
	default:
		r = transferopt__parse(opt, arg, &a->transfer);
		return r == TRANSFEROPT_NOT_MINE ? 0 : r ?: 1;
	}
}

/* One kernel's outcome, for the summary. */
struct outcome {
	char key[LAYOUT_KEY_MAX + 1];
	char *package, *version, *url;
	enum make_status status;
	struct make_result res;
	char *error;		/* a failure of the repository's (no make_result) */
};

struct ctx {
	const struct aptcli_run *r;
	struct maker *m;
	struct outcome *v;
	size_t n, cap;
	size_t counts[MAKE_SKIPPED + 1];
	json_t *errors;		/* repository failures without a kernel */
};

static struct outcome *outcome_new(struct ctx *c, const char *key)
{
	struct outcome *o;

	if (mem__ensure((void **)&c->v, &c->cap, sizeof(*c->v), c->n + 1))
		return NULL;
	o = &c->v[c->n++];
	memset(o, 0, sizeof(*o));
	snprintf(o->key, sizeof(o->key), "%s", key ?: "");
	return o;
}

static int make_one(const struct apt_kernel *k, void *ctx)
{
	struct ctx *c = ctx;
	struct make_input in = {
		.sz = sizeof(in),
		.name = k->url,
		.distro = k->key.distro,
		.version = k->key.version,
		.arch = k->key.arch,
		.release = k->key.release,
		/* Checked by apt__run() already; given so that a re-run can skip it unread. */
		.sha256 = k->sha256,
	};
	struct outcome *o;
	int err;

	o = outcome_new(c, NULL);
	if (!o)
		return -ENOMEM;
	err = maker__kernel(c->m, k->path, k->fd, &in, &o->res);
	snprintf(o->key, sizeof(o->key), "%s/%s/%s/%s", k->key.distro, k->key.version,
		 k->key.arch, k->key.release);
	if (err == -ENOMSG && !k->dbg) {
		c->n--;		/* apt__run() tries the -dbg package, or says why not */
		return err;
	}
	o->package = strdup(k->package);
	o->version = strdup(k->version);
	o->url = strdup(k->url);
	o->status = err ? MAKE_FAILED : o->res.status;
	c->counts[o->status]++;
	if (err)
		pr_err("%s", o->res.error);
	else
		pr_info("%s: %s %s (%s)", k->url, o->key,
			o->status == MAKE_MADE ? "made" : "unchanged", o->res.how);
	return err;
}

static bool made(const struct apt_kernel *k, void *ctx)
{
	struct ctx *c = ctx;
	struct make_input in = {
		.sz = sizeof(in),
		.distro = k->key.distro,
		.version = k->key.version,
		.arch = k->key.arch,
		.release = k->key.release,
		.sha256 = k->sha256,
	};
	struct make_result res;

	return maker__made(c->m, &in, &res);
}

static void failed(const char *key, const char *line, void *ctx)
{
	struct ctx *c = ctx;
	struct outcome *o;

	pr_err("%s", line);
	c->counts[MAKE_FAILED]++;
	if (key && (o = outcome_new(c, key))) {
		o->status = MAKE_FAILED;
		o->error = strdup(line);
	} else if (!key) {
		json_array_append_new(c->errors, escape__json_msg(line));
	}
}

static const char *status_name(enum make_status s)
{
	return s == MAKE_MADE ? "made" : s == MAKE_UNCHANGED ? "unchanged" :
	       s == MAKE_SKIPPED ? "skipped" : "failed";
}

static void print_json(struct ctx *c, const struct apt_stats *st, const char *index)
{
	json_t *root = json_object(), *arr = json_array();
	size_t i;

	for (i = 0; i < c->n; i++) {
		const struct outcome *o = &c->v[i];
		json_t *k = json_object();

		json_object_set_new(k, "key", escape__json(o->key));
		json_object_set_new(k, "status", json_string(status_name(o->status)));
		if (o->package) {
			json_object_set_new(k, "package", escape__json(o->package));
			json_object_set_new(k, "version", escape__json(o->version));
			json_object_set_new(k, "url", escape__json(o->url));
		}
		if (o->status != MAKE_FAILED) {
			json_object_set_new(k, "how", escape__json(o->res.how));
			json_object_set_new(k, "btf_size", json_integer(o->res.btf_size));
			json_object_set_new(k, "size", json_integer(o->res.size));
			json_object_set_new(k, "sha256", json_string(o->res.sha256));
		} else {
			json_object_set_new(k, "error",
					    escape__json_msg(o->error ?: o->res.error));
		}
		json_array_append_new(arr, k);
	}
	json_object_set_new(root, "listed", json_integer(st->listed));
	json_object_set_new(root, "selected", json_integer(st->selected));
	json_object_set_new(root, "skipped", json_integer(st->skipped));
	json_object_set_new(root, "made", json_integer(c->counts[MAKE_MADE]));
	json_object_set_new(root, "unchanged", json_integer(c->counts[MAKE_UNCHANGED]));
	json_object_set_new(root, "failed", json_integer(c->counts[MAKE_FAILED]));
	json_object_set_new(root, "index_bytes", json_integer(st->index_bytes));
	json_object_set_new(root, "package_bytes", json_integer(st->package_bytes));
	if (index)
		json_object_set_new(root, "index", escape__json(index));
	json_object_set_new(root, "errors", json_incref(c->errors));
	json_object_set_new(root, "kernels", arr);
	json_dumpf(root, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
	json_decref(root);
}

/* "a,b,c" -> a NULL-terminated vector into @buf. */
static int split_suites(char *buf, const char *suites[SUITES_MAX + 1])
{
	char *s, *save = NULL;
	int n = 0;

	for (s = strtok_r(buf, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
		if (n == SUITES_MAX)
			return -E2BIG;
		suites[n++] = s;
	}
	suites[n] = NULL;
	return n ? 0 : -EINVAL;
}

static void print_summary(const struct ctx *c, const struct apt_stats *st, const char *index,
			  size_t nindex)
{
	fprintf(stderr, "btfhub-make: %zu kernels listed, %zu in this shard, %zu already "
		"made; %zu made, %zu unchanged, %zu failed; %.1f MiB downloaded; %s: %zu "
		"archives\n", st->listed, st->selected, st->skipped, c->counts[MAKE_MADE],
		c->counts[MAKE_UNCHANGED], c->counts[MAKE_FAILED],
		(st->index_bytes + st->package_bytes) / 1048576.0, index, nindex);
}

static void ctx_free(struct ctx *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].package);
		free(c->v[i].version);
		free(c->v[i].url);
		free(c->v[i].error);
	}
	free(c->v);
	json_decref(c->errors);
	maker__free(c->m);
}

/* --suite's list, split in place in *@buf (the caller frees it): 0, or 2 (usage). */
static int suites_parse(const char *arg, char **buf, const char *suites[SUITES_MAX + 1])
{
	*buf = strdup(arg);
	if (*buf && !split_suites(*buf, suites))
		return 0;
	pr_err("--suite '%s': want 1 to %d comma-separated suites", ESC(arg), SUITES_MAX);
	return 2;
}

int aptcli__run(const struct apt_cli *a, const struct aptcli_run *r)
{
	struct maker_opts mo = {
		.sz = sizeof(mo),
		.out_dir = r->out_dir,
		.pahole = r->pahole,
		.force = r->force,
		.cancel = sig__caught(),
		/* DWARF even where the -dbg vmlinux has a .BTF too (Debian's do). */
		.prefer = r->prefer_dbg ? MAKE_PREFER_DBG : MAKE_PREFER_IMAGE,
		.xz_preset = r->xz_preset,
	};
	const char *suites[SUITES_MAX + 1];
	struct transfer_opts t = a->transfer;
	struct ctx c = { .r = r };
	char *suites_buf = NULL, index[4096];
	struct apt_stats st = { 0 };
	size_t nindex = 0;
	int ret = 1, err;

	if (!a->suites || !a->arch) {
		pr_err("--apt needs --suite S[,S...] and --arch amd64|arm64");
		return 2;
	}
	if (suites_parse(a->suites, &suites_buf, suites)) {
		free(suites_buf);
		return 2;
	}
	/* transfer.c applies the defaults (0) and TRANSFER_OFF; a progress line on a TTY only. */
	t.progress = isatty(STDERR_FILENO) && r->verbosity == LOG_LEVEL_WARN && !r->json;
	c.errors = json_array();
	c.m = maker__new(&mo);
	if (!c.m || !c.errors) {
		pr_err("out of memory");
		goto out;
	}
	err = apt__run(&(struct apt_opts){
		.sz = sizeof(struct apt_opts),
		.url = a->url,
		.suites = suites,
		.arch = a->arch,
		.component = a->component,
		.keyring = a->keyring,
		.globs = a->globs,
		.prefer_dbg = r->prefer_dbg,
		.force = r->force,
		.shard = r->shard,
		.nshards = r->shards,
		.cache_dir = a->cache_dir,
		.out_dir = r->out_dir,
		.transfer = &t,
		.cancel = sig__caught(),
		.make = make_one,
		.made = made,
		.failed = failed,
		.ctx = &c,
	}, &st);
	if (*sig__caught() || err == -EINTR) {
		pr_err("stopped by signal %d: nothing half-written is left", (int)*sig__caught());
		ret = 128 + (*sig__caught() ?: SIGINT);
		goto out;
	}
	if (err && !st.listed && !c.counts[MAKE_FAILED]) {
		ret = err == -EINVAL ? 2 : 1;	/* reported by apt__run() */
		goto out;
	}
	snprintf(index, sizeof(index), "%s/%s", r->out_dir, INDEX_NAME);
	err = err ?: indexer__write(r->out_dir, &nindex);
	if (r->json)
		print_json(&c, &st, err ? NULL : index);
	else if (r->verbosity >= LOG_LEVEL_WARN)
		print_summary(&c, &st, index, nindex);
	ret = err || c.counts[MAKE_FAILED] ? 1 : 0;
out:
	ctx_free(&c);
	free(suites_buf);
	return ret;
}
