// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <jansson.h>

#include "github.h"
#include "jsonstream.h"
#include "httpget.h"
#include "escape.h"
#include "log.h"
#include "mem.h"

/* distro/version/arch: the deepest tree a walk descends into. */
#define MAX_DEPTH 3
/* Subtrees of one non-recursive answer (each a request): BTFHub has ~20 distros. */
#define GITHUB_MAX_SUBTREES 20000

struct walk {
	struct listing *l;
	const struct github_repo *gh;
	const struct listing_opts *o;
	const char *headers[4];
};

/* GitHub's own words on an error, escaped (the body is untrusted). */
static const char *api_message(const struct http_resp *r, char *buf, size_t size)
{
	json_t *root = r->body ? json_loadb(r->body, r->len, 0, NULL) : NULL;
	const char *m = json_string_value(json_object_get(root, "message"));

	if (m) {
		char esc[200];

		snprintf(buf, size, ": %s", escape__str(esc, sizeof(esc), m));
	} else {
		buf[0] = '\0';
	}
	json_decref(root);
	return buf;
}

static int api_error(const char *url, const struct http_resp *r)
{
	char msg[256];

	api_message(r, msg, sizeof(msg));
	if ((r->status == 403 || r->status == 429) && r->rl_remaining == 0 && r->rl_reset >= 0) {
		time_t t = (time_t)r->rl_reset;
		long long in = r->rl_reset - (long long)time(NULL);
		char when[64];
		struct tm tm;

		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime_r(&t, &tm));
		pr_err("%s: GitHub API rate limit exceeded (HTTP %ld); it resets at %s (in %lld s)%s",
		       url, r->status, when, in > 0 ? in : 0,
		       getenv("GITHUB_TOKEN") ? "" : "; set GITHUB_TOKEN for a higher limit");
		return -EAGAIN;
	}
	if ((r->status == 403 || r->status == 429) && r->retry_after >= 0) {
		pr_err("%s: GitHub API rate limit (HTTP %ld): retry after %lld s%s", url,
		       r->status, r->retry_after, msg);
		return -EAGAIN;
	}
	if (r->status == 401) {
		pr_err("%s: HTTP 401: GITHUB_TOKEN refused%s", url, msg);
		return -EACCES;
	}
	if (r->status == 404) {
		pr_err("%s: HTTP 404: no such repository or ref%s%s", url, msg,
		       getenv("GITHUB_TOKEN") ? "" : " (a private one needs GITHUB_TOKEN)");
		return -ENOENT;
	}
	pr_err("%s: HTTP %ld%s", url, r->status, msg);
	return -EIO;
}

static bool sha_ok(const char *s)
{
	size_t len = s ? strlen(s) : 0;

	return (len == 40 || len == 64) && strspn(s, "0123456789abcdef") == len;
}

/* A subtree of a non-recursive answer, walked once the answer is complete. */
struct subtree {
	char sha[KERNEL_CONTENT_ID_LEN];
	char *prefix;		/* "<path>/" */
};

/* One answer of the trees API as it streams in (an http_sink). */
struct answer {
	struct walk *w;
	const char *url, *prefix;
	int depth;
	bool recursive, truncated;
	struct json_stream *js;
	size_t n0;		/* entries before it: what a refused answer drops */
	struct subtree *sub;
	size_t nsub, capsub;
};

static int answer_subtree(struct answer *a, const char *sha, const char *full, size_t i)
{
	struct subtree *t;

	if (!sha_ok(sha)) {
		pr_err("%s: tree[%zu]: invalid \"sha\"", a->url, i);
		return -EINVAL;
	}
	/* Each is a request: no more than a crawl of directory pages may make. */
	if (a->nsub >= GITHUB_MAX_SUBTREES) {
		pr_err("%s: more than %d subtrees", a->url, GITHUB_MAX_SUBTREES);
		return -E2BIG;
	}
	if (mem__ensure((void **)&a->sub, &a->capsub, sizeof(*a->sub), a->nsub + 1))
		return -ENOMEM;
	t = &a->sub[a->nsub];
	if (asprintf(&t->prefix, "%s/", full) < 0)
		return -ENOMEM;
	strcpy(t->sha, sha);
	a->nsub++;
	return 0;
}

/* One entry of an answer: an archive is added, a subtree noted (non-recursive answers). */
static int tree_entry(struct answer *a, json_t *e, size_t i)
{
	const char *path = json_string_value(json_object_get(e, "path"));
	const char *type = json_string_value(json_object_get(e, "type"));
	const char *mode = json_string_value(json_object_get(e, "mode"));
	const char *sha = json_string_value(json_object_get(e, "sha"));
	json_t *size = json_object_get(e, "size");
	struct listing *l = a->w->l;
	char *full;
	int err = 0;

	if (!path || !type) {
		pr_err("%s: tree[%zu]: no \"path\" or \"type\"", a->url, i);
		return -EINVAL;
	}
	if (asprintf(&full, "%s%s", a->prefix, path) < 0)
		return -ENOMEM;
	if (!strcmp(type, "blob") && !(mode && !strcmp(mode, "120000"))) {
		/* Symbolic links (mode 120000) hold a path, not an archive. */
		err = listing__add(l, a->url, full,
				   json_is_integer(size) && json_integer_value(size) > 0 ?
				   (uint64_t)json_integer_value(size) : 0, NULL);
		/* The blob's SHA names its content: fetch.c checks the download against it. */
		if (!err && sha_ok(sha))
			strcpy(l->v[l->n - 1].content_id, sha);
		if (err == -EINVAL)
			err = 0;
	} else if (!strcmp(type, "tree") && !a->recursive && a->depth < MAX_DEPTH) {
		err = answer_subtree(a, sha, full, i);
	}
	free(full);
	return err;
}

static int answer_element(void *ctx, size_t i, json_t *e)
{
	struct answer *a = ctx;

	if (!json_is_object(e)) {
		pr_err("%s: tree[%zu]: not an object", a->url, i);
		return -EINVAL;
	}
	return tree_entry(a, e, i);
}

static int answer_member(void *ctx, const char *key, json_t *v)
{
	struct answer *a = ctx;

	if (!strcmp(key, "truncated"))
		a->truncated = json_is_true(v);
	return 0;
}

/* A parse error in our words, once (the scanner's failure is sticky). */
static int answer_failed(struct answer *a, int err, const char *why)
{
	if (err == -EINVAL || err == -ENOENT) {
		if (why[0])
			pr_err("%s: not a git tree: %s", a->url, why);
		err = -EINVAL;
	}
	return err;
}

static int answer_write(void *ctx, const char *buf, size_t len)
{
	struct answer *a = ctx;
	char why[160] = "";

	return answer_failed(a, json_stream__feed(a->js, buf, len, why, sizeof(why)), why);
}

static int answer_end(void *ctx)
{
	struct answer *a = ctx;
	char why[160] = "";

	return answer_failed(a, json_stream__end(a->js, why, sizeof(why)), why);
}

static const struct json_stream_ops answer_ops = {
	.array_key = "tree",
	.element = answer_element,
	.member = answer_member,
};

static int answer_init(struct answer *a, struct walk *w, const char *url, const char *prefix,
		       int depth, bool recursive)
{
	*a = (struct answer){ .w = w, .url = url, .prefix = prefix, .depth = depth,
			      .recursive = recursive, .n0 = w->l->n };
	a->js = json_stream__new(&answer_ops, a);
	return a->js ? 0 : -ENOMEM;
}

/*
 * Its archives stay listed when @keep, else they are dropped (a refused or
 * truncated answer: nothing of it is trusted, the walk that follows lists
 * a truncated one again).
 */
static void answer_free(struct answer *a, bool keep)
{
	if (!keep)
		listing__truncate(a->w->l, a->n0);
	while (a->nsub)
		free(a->sub[--a->nsub].prefix);
	free(a->sub);
	json_stream__free(a->js);
}

int github__parse_tree(struct listing *l, const char *url, const char *body, size_t len)
{
	struct walk w = { .l = l };
	struct answer a;
	int err;

	err = answer_init(&a, &w, url, "", 0, true);
	err = err ?: answer_write(&a, body, len);
	err = err ?: answer_end(&a);
	if (!err && a.truncated)
		err = -EAGAIN;
	if (a.js)
		answer_free(&a, !err);
	return err;
}

/*
 * One tree (@tree: the ref at the root, a SHA below), recursively if GitHub
 * can; when it answers "truncated", again without recursion, walking each
 * subtree on its own once that answer is complete.
 */
static int walk_tree(struct walk *w, const char *tree, const char *prefix, int depth,
		     bool recursive)
{
	struct http_sink sink = { answer_write, answer_end };
	struct http_get_opts go = {
		.transfer = w->o->transfer,
		.cache_dir = w->o->cache_dir,
		.headers = w->headers,
		.max_bytes = listing__budget(w->l, w->o),
		/* A tree named by its SHA never changes. */
		.immutable = depth > 0,
		.sink = &sink,
	};
	struct http_resp r = { 0 };
	struct answer a = { 0 };
	char *url = NULL;
	bool truncated;
	size_t i;
	int err;

	if (!go.max_bytes) {
		pr_err("%s/repos/%s/%s: listing larger than the %llu byte cap", w->gh->api,
		       w->gh->owner, w->gh->repo, (unsigned long long)w->o->max_bytes);
		return -EFBIG;
	}
	if (asprintf(&url, "%s/repos/%s/%s/git/trees/%s%s", w->gh->api, w->gh->owner,
		     w->gh->repo, tree, recursive ? "?recursive=1" : "") < 0)
		return -ENOMEM;
	err = answer_init(&a, w, url, prefix, depth, recursive);
	sink.ctx = &a;
	err = err ?: http__get(url, &go, &r);
	w->l->requests += r.requested;
	w->l->bytes += r.bytes;
	if (err && r.error[0])
		pr_err("%s: %s", url, r.error);
	else if (!err && r.status != 200)
		err = api_error(url, &r);
	truncated = !err && recursive && a.truncated;
	for (i = 0; !err && !truncated && i < a.nsub; i++)
		err = walk_tree(w, a.sub[i].sha, a.sub[i].prefix, depth + 1, true);
	if (a.js)
		answer_free(&a, !err && !truncated);
	if (truncated) {
		pr_info("%s: truncated; walking the subtrees", url);
		err = walk_tree(w, tree, prefix, depth, false);
	}
	http_resp__free(&r);
	free(url);
	return err;
}

int github__list(struct listing *l, const struct github_repo *gh, const struct listing_opts *o)
{
	struct walk w = { .l = l, .gh = gh, .o = o };
	const char *token = getenv("GITHUB_TOKEN");
	char *auth = NULL;
	int n = 0, err;

	w.headers[n++] = "Accept: application/vnd.github+json";
	w.headers[n++] = "X-GitHub-Api-Version: 2022-11-28";
	if (token && *token) {
		/*
		 * Only the API host sees it: the archives come from the raw host
		 * without it, and curl drops a custom Authorization header when a
		 * redirect leaves the host (tests/fetch checks both).
		 */
		if (asprintf(&auth, "Authorization: Bearer %s", token) < 0)
			return -ENOMEM;
		w.headers[n++] = auth;
	}
	w.headers[n] = NULL;
	err = walk_tree(&w, gh->ref, "", 0, true);
	free(auth);
	return err;
}
