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
#include "lister.h"
#include "log.h"

static int on_local(const char *path, const struct layout_key *key, enum layout_file kind,
		    uint64_t size, void *data)
{
	/* The walk gives valid parts only, each within its LAYOUT_*_MAX. */
	char rel[LAYOUT_KEY_MAX + sizeof(LAYOUT_SUFFIX_ARCHIVE)];
	int err;

	err = layout__archive_path(NULL, key, rel, sizeof(rel));
	err = err ?: listing__add(data, path, rel, size, NULL);
	return err == -EINVAL ? 0 : err;
}

/* A mirror with an index answers for itself; any other server is crawled. */
static int list_http(struct listing *l, const struct source *src, const struct listing_opts *o)
{
	struct index_reader ir;
	struct http_sink sink = { index_reader__write, index_reader__end, &ir };
	struct http_get_opts go = {
		.transfer = o->transfer,
		.cache_dir = o->cache_dir,
		.max_bytes = listing__budget(l, o),
		.sink = &sink,
	};
	struct http_resp r = { 0 };
	char *url;
	int err;

	url = source__join(src, INDEX_NAME);
	if (!url)
		return -ENOMEM;
	err = index_reader__init(&ir, l, url);
	err = err ?: http__get(url, &go, &r);
	index_reader__free(&ir, !err);
	l->requests += r.requested;
	if (err) {
		/* The reader reported its own refusals. */
		if (r.error[0] || err == -ENOMEM)
			pr_err("%s: cannot list: %s", url, r.error[0] ? r.error : strerror(-err));
	} else if (r.status == 200) {
		l->kind = "index";
		l->bytes += r.bytes;
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

int lister__load(struct listing *l, const struct source *src, const struct listing_opts *o)
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
	if (!err && l->rejected > LISTING_MAX_KEY_WARNINGS)
		pr_warn("%s: %zu names in all ignored as not kernel archives", src->base,
			l->rejected);
	if (!err)
		listing__sort(l);
	return err;
}
