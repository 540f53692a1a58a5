// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "autoindex.h"
#include "github.h"
#include "httpget.h"
#include "index.h"
#include "kernel.h"
#include "listing.h"
#include "log.h"

#define ARCHIVE_SUFFIX ".btf.tar.xz"
/* Warnings about refused keys before a hostile listing is summarised instead. */
#define MAX_KEY_WARNINGS 10

const char *listing__escape(char *buf, size_t size, const char *s)
{
	size_t o = 0;

	for (; *s; s++) {
		unsigned char c = *s;

		if (o + 8 >= size) {	/* room for "\xNN" and "..." */
			strcpy(buf + o, "...");
			return buf;
		}
		if (c < 0x20 || c == 0x7f || c == '\\')
			o += sprintf(buf + o, "\\x%02x", c);
		else
			buf[o++] = c;
	}
	buf[o] = '\0';
	return buf;
}

/*
 * The one check of a name from a listing: the same segments a manifest
 * accepts (kernel__valid_segment), exactly four of them, and the suffix.
 */
static int split_key(const char *path, char **copy, char *seg[4])
{
	size_t len = strlen(path), sl = strlen(ARCHIVE_SUFFIX);
	char *p, *slash;
	int i;

	if (len <= sl || strcmp(path + len - sl, ARCHIVE_SUFFIX))
		return -ENOENT;		/* README.md and the like: not ours to judge */
	if (len > 4096)
		return -EINVAL;
	p = strndup(path, len - sl);
	if (!p)
		return -ENOMEM;
	seg[0] = p;
	for (i = 1; i < 4; i++) {
		slash = strchr(seg[i - 1], '/');
		if (!slash)
			break;
		*slash = '\0';
		seg[i] = slash + 1;
	}
	if (i < 4 || strchr(seg[3], '/')) {
		free(p);
		return -EINVAL;
	}
	for (i = 0; i < 4; i++) {
		if (!kernel__valid_segment(seg[i])) {
			free(p);
			return -EINVAL;
		}
	}
	*copy = p;
	return 0;
}

void listing__reject(struct listing *l, const char *origin, const char *name)
{
	char esc[256];

	if (l->rejected++ < MAX_KEY_WARNINGS)
		pr_warn("%s: ignoring '%s': not <distro>/<version>/<arch>/<release>"
			ARCHIVE_SUFFIX " with valid names", origin,
			listing__escape(esc, sizeof(esc), name));
}

int listing__add(struct listing *l, const char *origin, const char *path,
		 uint64_t size, const char *sha256)
{
	struct listing_entry *e;
	char *copy, *seg[4];
	int err;

	err = split_key(path, &copy, seg);
	if (err == -ENOENT)
		return -EINVAL;
	if (err == -EINVAL)
		listing__reject(l, origin, path);
	if (err)
		return err;
	if (l->n >= LISTING_MAX_ENTRIES) {
		free(copy);
		return -E2BIG;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct listing_entry *v = reallocarray(l->v, cap, sizeof(*v));

		if (!v) {
			free(copy);
			return -ENOMEM;
		}
		l->v = v;
		l->cap = cap;
	}
	e = &l->v[l->n];
	memset(e, 0, sizeof(*e));
	e->path = strdup(path);
	if (!e->path) {
		free(copy);
		return -ENOMEM;
	}
	memcpy(e->seg, seg, sizeof(e->seg));
	e->size = size;
	if (sha256) {
		uint8_t d[SHA256_DIGEST_LEN];

		/* One case, so that it compares with what sha256_hex() gives. */
		if (!sha256_parse_hex(sha256, d))
			sha256_hex(d, e->sha256);
	}
	l->n++;
	return 0;
}

void listing__free(struct listing *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].path);
		free(l->v[i].seg[0]);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

uint64_t listing__budget(const struct listing *l, const struct listing_opts *o)
{
	uint64_t max = o->max_bytes ? o->max_bytes : LISTING_DEFAULT_MAX_BYTES;

	return l->bytes >= max ? 0 : max - l->bytes;
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct listing_entry *)a)->path,
		      ((const struct listing_entry *)b)->path);
}

void listing__sort(struct listing *l)
{
	size_t i, keep = 0;

	qsort(l->v, l->n, sizeof(*l->v), entry_cmp);
	for (i = 0; i < l->n; i++) {
		if (keep && !strcmp(l->v[keep - 1].path, l->v[i].path)) {
			free(l->v[i].path);
			free(l->v[i].seg[0]);
			continue;
		}
		l->v[keep++] = l->v[i];
	}
	l->n = keep;
}

struct local_ctx {
	struct listing *l;
	const struct source *src;
};

static int on_local(const char *distro, const char *version, const char *arch,
		    const char *release, void *data)
{
	struct local_ctx *c = data;
	char *rel, *full;
	struct stat st;
	int err;

	if (asprintf(&rel, "%s/%s/%s/%s" ARCHIVE_SUFFIX, distro, version, arch, release) < 0)
		return -ENOMEM;
	full = source__join(c->src, rel);
	if (!full) {
		free(rel);
		return -ENOMEM;
	}
	err = listing__add(c->l, c->src->base, rel, stat(full, &st) ? 0 : (uint64_t)st.st_size,
			   NULL);
	free(rel);
	free(full);
	return err == -EINVAL ? 0 : err;
}

/* A mirror with an index answers for itself; any other server is crawled. */
static int list_http(struct listing *l, const struct source *src, const struct listing_opts *o)
{
	struct http_get_opts go = {
		.sz = sizeof(go),
		.transfer = o->transfer,
		.cache_dir = o->cache_dir,
		.max_bytes = listing__budget(l, o),
	};
	struct http_resp r;
	char *url;
	int err;

	url = source__join(src, INDEX_NAME);
	if (!url)
		return -ENOMEM;
	err = http__get(url, &go, &r);
	l->requests += r.requested;
	if (err) {
		pr_err("%s: cannot list: %s", url, r.error);
	} else if (r.status == 200) {
		l->kind = "index";
		l->bytes += r.len;
		err = index__parse(l, url, r.body, r.len);
	} else if (r.status == 404 || r.status == 410 || r.status == 403) {
		pr_info("%s: HTTP %ld, listing the directories instead", url, r.status);
		l->kind = "autoindex";
		err = autoindex__list(l, src, o);
	} else {
		pr_err("%s: cannot list: HTTP %ld", url, r.status);
		err = -EIO;
	}
	http_resp__free(&r);
	free(url);
	return err;
}

int listing__load(struct listing *l, const struct source *src, const struct listing_opts *o)
{
	int err;

	memset(l, 0, sizeof(*l));
	if (src->kind == SOURCE_DIR) {
		struct local_ctx c = { .l = l, .src = src };

		l->kind = "directory";
		err = source__list_local(src, on_local, &c);
		if (err)
			pr_err("%s: cannot list archives: %s", src->base, strerror(-err));
	} else if (src->github) {
		l->kind = "github";
		err = github__list(l, src->github, o);
	} else {
		err = list_http(l, src, o);
	}
	if (!err && l->rejected > MAX_KEY_WARNINGS)
		pr_warn("%s: %zu names in all ignored as not kernel archives", src->base,
			l->rejected);
	if (!err)
		listing__sort(l);
	return err;
}
