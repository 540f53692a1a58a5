// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include <libxml/HTMLparser.h>

#include "autoindex.h"
#include "httpget.h"
#include "index.h"
#include "layout.h"
#include "log.h"
#include "mem.h"

/* Levels of a BTFHub tree: distro, version, arch directories, then archives. */
#define LEAF_DEPTH LAYOUT_RELEASE

struct crawl {
	struct listing *l;
	const struct listing_opts *o;
	size_t pages;
};

struct names {
	char **v;
	size_t n, cap;
};

static void names_free(struct names *ns)
{
	while (ns->n)
		free(ns->v[--ns->n]);
	free(ns->v);
}

static int names_add(struct names *ns, char *s)
{
	if (mem__ensure((void **)&ns->v, &ns->cap, sizeof(*ns->v), ns->n + 1)) {
		free(s);
		return -ENOMEM;
	}
	ns->v[ns->n++] = s;
	return 0;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * @href resolved against @page: its encoded name when it is a direct child
 * of @page ("name/" for a directory, "name" for a file), else NULL.
 */
static char *child_of(const char *page, const char *href)
{
	char *full = NULL, *query = NULL, *name = NULL;
	size_t plen = strlen(page);
	CURLU *u = curl_url();

	if (!u || curl_url_set(u, CURLUPART_URL, page, 0) ||
	    curl_url_set(u, CURLUPART_URL, href, CURLU_NON_SUPPORT_SCHEME) ||
	    curl_url_get(u, CURLUPART_QUERY, &query, 0) != CURLUE_NO_QUERY ||
	    curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0) ||
	    curl_url_get(u, CURLUPART_URL, &full, 0))
		goto out;
	if (strncmp(full, page, plen) || !full[plen])
		goto out;
	name = strdup(full + plen);
out:
	curl_free(query);
	curl_free(full);
	curl_url_cleanup(u);
	return name;
}

static int collect(xmlNode *n, const char *page, struct names *ns)
{
	int err = 0;

	for (; n && !err; n = n->next) {
		if (n->type == XML_ELEMENT_NODE && !xmlStrcasecmp(n->name, BAD_CAST "a")) {
			xmlChar *href = xmlGetProp(n, BAD_CAST "href");
			char *name = href ? child_of(page, (const char *)href) : NULL;

			xmlFree(href);
			if (name)
				err = names_add(ns, name);
		}
		if (!err && n->children)
			err = collect(n->children, page, ns);
	}
	return err;
}

static int page_links(const char *page, const char *body, size_t len, struct names *ns)
{
	htmlDocPtr doc;
	int err;

	if (len > INT32_MAX)
		return -EFBIG;
	doc = htmlReadMemory(body, (int)len, page, NULL, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
			     HTML_PARSE_NOWARNING | HTML_PARSE_NONET | HTML_PARSE_COMPACT);
	if (!doc)
		return 0;	/* nothing parseable: no links */
	err = collect(xmlDocGetRootElement(doc), page, ns);
	xmlFreeDoc(doc);
	if (!err)
		qsort(ns->v, ns->n, sizeof(*ns->v), str_cmp);
	return err;
}

int autoindex__links(const char *page, const char *body, size_t len, char ***names, size_t *n)
{
	struct names ns = { 0 };
	int err = page_links(page, body, len, &ns);

	if (err) {
		names_free(&ns);
		return err;
	}
	*names = ns.v;
	*n = ns.n;
	return 0;
}

static int crawl_page(struct crawl *c, const char *page, const char *prefix, int depth);

/* One link of a page: an archive at the leaves, a directory to descend above. */
static int visit(struct crawl *c, const char *page, const char *prefix, int depth,
		 const char *enc)
{
	size_t elen = strlen(enc);
	bool dir = enc[elen - 1] == '/';
	char *name, *rel = NULL, *sub = NULL;
	int nlen, err = 0;

	if (dir != (depth < LEAF_DEPTH) || memchr(enc, '/', elen - dir))
		return 0;	/* not a level of the layout */
	name = curl_easy_unescape(NULL, enc, (int)(elen - dir), &nlen);
	if (!name)
		return -ENOMEM;
	if ((size_t)nlen != strlen(name) ||
	    asprintf(&rel, "%s%s", prefix, name) < 0) {
		rel = NULL;
		err = (size_t)nlen != strlen(name) ? 0 : -ENOMEM;
		if (!err)
			listing__reject(c->l, page, "(a name with a NUL byte)");
		goto out;
	}
	if (!dir) {
		err = listing__add(c->l, page, rel, 0, NULL);
		err = err == -EINVAL ? 0 : err;
	} else if (layout__part_invalid((enum layout_part)depth, name)) {
		listing__reject(c->l, page, rel);
	} else if (asprintf(&sub, "%s/", rel) >= 0) {
		char *child;

		if (asprintf(&child, "%s%s", page, enc) < 0) {
			err = -ENOMEM;
			goto out;
		}
		err = crawl_page(c, child, sub, depth + 1);
		free(child);
	} else {
		sub = NULL;
		err = -ENOMEM;
	}
out:
	curl_free(name);
	free(rel);
	free(sub);
	return err;
}

static int crawl_page(struct crawl *c, const char *page, const char *prefix, int depth)
{
	struct http_get_opts go = {
		.transfer = c->o->transfer,
		.cache_dir = c->o->cache_dir,
		.max_bytes = listing__budget(c->l, c->o),
	};
	struct names ns = { 0 };
	struct http_resp r;
	size_t i;
	int err;

	if (!go.max_bytes || ++c->pages > AUTOINDEX_MAX_PAGES) {
		pr_err("%s: listing larger than the cap (%llu bytes, %d pages)", page,
		       (unsigned long long)(c->o->max_bytes ?: LISTING_DEFAULT_MAX_BYTES),
		       AUTOINDEX_MAX_PAGES);
		return -EFBIG;
	}
	err = http__get(page, &go, &r);
	c->l->requests += r.requested;
	if (err) {
		pr_err("%s: cannot list: %s", page, r.error);
		goto out;
	}
	c->l->bytes += r.len;
	if (r.status != 200) {
		pr_err("%s: cannot list: HTTP %ld%s", page, r.status,
		       depth ? "" : " (no " INDEX_NAME " and no directory listing)");
		err = -EIO;
		goto out;
	}
	err = page_links(page, r.body, r.len, &ns);
	for (i = 0; !err && i < ns.n; i++)
		if (!i || strcmp(ns.v[i], ns.v[i - 1]))
			err = visit(c, page, prefix, depth, ns.v[i]);
	if (err == -ENOMEM)
		pr_err("%s: out of memory", page);
out:
	names_free(&ns);
	http_resp__free(&r);
	return err;
}

int autoindex__list(struct listing *l, const struct source *src, const struct listing_opts *o)
{
	struct crawl c = { .l = l, .o = o };
	char *root = NULL;
	CURLU *u = curl_url();
	int err = -ENOMEM;

	/* The page URL as curl normalises it, so children compare by prefix. */
	if (u && !curl_url_set(u, CURLUPART_URL, src->base, 0)) {
		char *path = NULL, *dir;

		if (!curl_url_get(u, CURLUPART_PATH, &path, 0) &&
		    asprintf(&dir, "%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/") >= 0) {
			if (!curl_url_set(u, CURLUPART_PATH, dir, 0))
				curl_url_get(u, CURLUPART_URL, &root, 0);
			free(dir);
		}
		curl_free(path);
	}
	curl_url_cleanup(u);
	if (!root) {
		pr_err("%s: cannot parse the URL", src->base);
		return err;
	}
	err = crawl_page(&c, root, "", 0);
	curl_free(root);
	return err;
}
