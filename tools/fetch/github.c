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

/* distro/version/arch: the deepest tree a walk descends into. */
#define MAX_DEPTH 3

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

static int walk_tree(struct walk *w, const char *tree, const char *prefix, int depth,
		     bool recursive);

/* One entry of an answer: an archive is added, a subtree walked (non-recursive answers). */
static int tree_entry(struct walk *w, const char *url, json_t *e, size_t i, const char *prefix,
		      int depth, bool recursive)
{
	const char *path = json_string_value(json_object_get(e, "path"));
	const char *type = json_string_value(json_object_get(e, "type"));
	const char *mode = json_string_value(json_object_get(e, "mode"));
	const char *sha = json_string_value(json_object_get(e, "sha"));
	json_t *size = json_object_get(e, "size");
	char *full;
	int err = 0;

	if (!path || !type) {
		pr_err("%s: tree[%zu]: no \"path\" or \"type\"", url, i);
		return -EINVAL;
	}
	if (asprintf(&full, "%s%s", prefix, path) < 0)
		return -ENOMEM;
	if (!strcmp(type, "blob") && !(mode && !strcmp(mode, "120000"))) {
		/* Symbolic links (mode 120000) hold a path, not an archive. */
		err = listing__add(w->l, url, full,
				   json_is_integer(size) && json_integer_value(size) > 0 ?
				   (uint64_t)json_integer_value(size) : 0, NULL);
		/* The blob's SHA names its content: fetch.c checks the download against it. */
		if (!err && sha_ok(sha))
			strcpy(w->l->v[w->l->n - 1].content_id, sha);
		if (err == -EINVAL)
			err = 0;
	} else if (!strcmp(type, "tree") && !recursive && depth < MAX_DEPTH) {
		char *sub;

		if (!sha_ok(sha) || asprintf(&sub, "%s/", full) < 0) {
			free(full);
			if (!sha_ok(sha)) {
				pr_err("%s: tree[%zu]: invalid \"sha\"", url, i);
				return -EINVAL;
			}
			return -ENOMEM;
		}
		err = walk_tree(w, sha, sub, depth + 1, true);
		free(sub);
	}
	free(full);
	return err;
}

struct answer {
	struct walk *w;
	const char *url, *prefix;
	int depth;
	bool recursive, truncated;
};

static int answer_element(void *ctx, size_t i, json_t *e)
{
	struct answer *a = ctx;

	if (!json_is_object(e)) {
		pr_err("%s: tree[%zu]: not an object", a->url, i);
		return -EINVAL;
	}
	return tree_entry(a->w, a->url, e, i, a->prefix, a->depth, a->recursive);
}

static int answer_member(void *ctx, const char *key, json_t *v)
{
	struct answer *a = ctx;

	if (!strcmp(key, "truncated"))
		a->truncated = json_is_true(v);
	return 0;
}

/*
 * One answer of the trees API, one entry at a time (jsonstream.h): its
 * archives added, its subtrees walked (when not @recursive). -EAGAIN: a
 * recursive answer GitHub truncated (what it did list is dropped: the walk
 * that follows lists it again).
 */
static int parse_answer(struct walk *w, const char *url, const char *body, size_t len,
			const char *prefix, int depth, bool recursive)
{
	static const struct json_stream_ops ops = {
		.array_key = "tree",
		.element = answer_element,
		.member = answer_member,
	};
	struct answer a = { w, url, prefix, depth, recursive, false };
	size_t n0 = w->l->n;
	char why[160] = "";
	int err;

	err = json_stream__object(body, len, &ops, &a, why, sizeof(why));
	if (err == -EINVAL || err == -ENOENT) {
		if (why[0])
			pr_err("%s: not a git tree: %s", url, why);
		err = -EINVAL;
	}
	if (!err && recursive && a.truncated)
		err = -EAGAIN;
	if (err == -EAGAIN) {
		while (w->l->n > n0) {
			w->l->n--;
			free(w->l->v[w->l->n].path);
			free(w->l->v[w->l->n].seg[0]);
		}
	}
	return err;
}

int github__parse_tree(struct listing *l, const char *url, const char *body, size_t len)
{
	struct walk w = { .l = l };

	return parse_answer(&w, url, body, len, "", 0, true);
}

/*
 * One tree (@tree: the ref at the root, a SHA below), recursively if GitHub
 * can; when it answers "truncated", again without recursion, walking each
 * subtree on its own.
 */
static int walk_tree(struct walk *w, const char *tree, const char *prefix, int depth,
		     bool recursive)
{
	struct http_get_opts go = {
		.transfer = w->o->transfer,
		.cache_dir = w->o->cache_dir,
		.headers = w->headers,
		.max_bytes = listing__budget(w->l, w->o),
		/* A tree named by its SHA never changes. */
		.immutable = depth > 0,
	};
	struct http_resp r;
	char *url;
	int err;

	if (!go.max_bytes) {
		pr_err("%s/repos/%s/%s: listing larger than the %llu byte cap", w->gh->api,
		       w->gh->owner, w->gh->repo, (unsigned long long)w->o->max_bytes);
		return -EFBIG;
	}
	if (asprintf(&url, "%s/repos/%s/%s/git/trees/%s%s", w->gh->api, w->gh->owner,
		     w->gh->repo, tree, recursive ? "?recursive=1" : "") < 0)
		return -ENOMEM;
	err = http__get(url, &go, &r);
	w->l->requests += r.requested;
	if (err) {
		pr_err("%s: %s", url, r.error);
		goto out;
	}
	w->l->bytes += r.len;
	if (r.status != 200) {
		err = api_error(url, &r);
		goto out;
	}
	err = parse_answer(w, url, r.body, r.len, prefix, depth, recursive);
	if (err == -EAGAIN) {
		pr_info("%s: truncated; walking the subtrees", url);
		err = walk_tree(w, tree, prefix, depth, false);
	}
out:
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
