// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoindex.h"
#include "github.h"
#include "httpget.h"
#include "index.h"
#include "layout.h"
#include "listing.h"
#include "escape.h"
#include "log.h"

/* Warnings about refused keys before a hostile listing is summarised instead. */
#define MAX_KEY_WARNINGS 10

/*
 * A listed path is a kernel archive when it is "D/V/A/R" + the archive
 * suffix and the key passes layout__parse_key(), the one rule for keys.
 * @seg gets one allocation holding the four parts.
 */
static int split_key(const char *path, char *seg[4])
{
	size_t len = strlen(path), sl = strlen(LAYOUT_SUFFIX_ARCHIVE);
	char buf[LAYOUT_KEY_MAX + 1], *copy;
	struct layout_key key;

	if (len <= sl || strcmp(path + len - sl, LAYOUT_SUFFIX_ARCHIVE))
		return -ENOENT;		/* README.md and the like: not ours to judge */
	if (layout__parse_key(path, len - sl, buf, &key, NULL, 0))
		return -EINVAL;
	copy = malloc(len - sl + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, buf, len - sl + 1);
	seg[0] = copy + (key.distro - buf);
	seg[1] = copy + (key.version - buf);
	seg[2] = copy + (key.arch - buf);
	seg[3] = copy + (key.release - buf);
	return 0;
}

void listing__reject(struct listing *l, const char *origin, const char *name)
{
	char esc[256];

	if (l->rejected++ < MAX_KEY_WARNINGS)
		pr_warn("%s: ignoring '%s': not <distro>/<version>/<arch>/<release>"
			LAYOUT_SUFFIX_ARCHIVE " with valid names", origin,
			escape__str(esc, sizeof(esc), name));
}

int listing__add(struct listing *l, const char *origin, const char *path,
		 uint64_t size, const char *sha256)
{
	struct listing_entry *e;
	char *seg[4];
	int err;

	err = split_key(path, seg);
	if (err == -ENOENT)
		return -EINVAL;
	if (err == -EINVAL && layout__off_layout(path)) {
		/* BTFHub's own 1/x86_64/: counted, one warning at the end. */
		if (!l->off_layout++)
			l->off_example = strdup(path);
	} else if (err == -EINVAL) {
		listing__reject(l, origin, path);
	}
	if (err)
		return err;
	if (l->n >= LISTING_MAX_ENTRIES) {
		free(seg[0]);
		return -E2BIG;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct listing_entry *v = reallocarray(l->v, cap, sizeof(*v));

		if (!v) {
			free(seg[0]);
			return -ENOMEM;
		}
		l->v = v;
		l->cap = cap;
	}
	e = &l->v[l->n];
	memset(e, 0, sizeof(*e));
	e->path = strdup(path);
	if (!e->path) {
		free(seg[0]);
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
	free(l->off_example);
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

static int on_local(const char *path, const struct layout_key *key, enum layout_file kind,
		    uint64_t size, void *data)
{
	struct listing *l = data;
	char *rel;
	int err;

	if (asprintf(&rel, "%s/%s/%s/%s" LAYOUT_SUFFIX_ARCHIVE, key->distro, key->version,
		     key->arch, key->release) < 0)
		return -ENOMEM;
	err = listing__add(l, path, rel, size, NULL);
	free(rel);
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
		const struct layout_walk_opts wo = { .files = LAYOUT_FILE_ARCHIVE };

		l->kind = "directory";
		err = layout__walk(src->base, &wo, on_local, l);	/* reports its errors */
	} else if (src->github) {
		l->kind = "github";
		err = github__list(l, src->github, o);
	} else {
		err = list_http(l, src, o);
	}
	if (!err)
		layout__warn_off_layout(src->base, l->off_layout, l->off_example);
	if (!err && l->rejected > MAX_KEY_WARNINGS)
		pr_warn("%s: %zu names in all ignored as not kernel archives", src->base,
			l->rejected);
	if (!err)
		listing__sort(l);
	return err;
}
