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

/*
 * One directory page as it arrives: libxml2's HTML push parser with a SAX
 * handler that only sees <a> start tags (no document is built), the links
 * to direct children collected as they come. In a crawl (@depth >= 0)
 * only links that are a level of the layout there are kept (directories
 * above the leaves, files at them), at most AUTOINDEX_MAX_LINKS.
 *
 * libxml2 2.9's push parser loses its place when a tag is split between two
 * chunks: it stops emitting events and keeps every later byte until the
 * end (a page then costs twice its size). So it is fed up to the last '>'
 * only, the rest carried to the next chunk; and what it still holds
 * unparsed is bounded (a hostile page of one endless tag or comment).
 */
#define PAGE_CARRY_MAX (64u << 10)
#define PAGE_UNPARSED_MAX (1u << 20)

struct page_reader {
	const char *page;
	int depth;		/* -1: every child link */
	htmlParserCtxtPtr ctxt;
	htmlSAXHandler sax;
	struct names ns;
	char *carry;		/* bytes after the last '>' seen */
	size_t ncarry;
	int err;
};

static bool layout_level(const char *enc, int depth)
{
	size_t elen = strlen(enc);
	bool dir = enc[elen - 1] == '/';

	return dir == (depth < LEAF_DEPTH) && !memchr(enc, '/', elen - dir);
}

static void on_start(void *ctx, const xmlChar *tag, const xmlChar **atts)
{
	struct page_reader *p = ctx;
	char *name;
	size_t i;

	if (p->err || xmlStrcasecmp(tag, BAD_CAST "a") || !atts)
		return;
	for (i = 0; atts[i] && xmlStrcasecmp(atts[i], BAD_CAST "href"); i += 2)
		;
	name = atts[i] && atts[i + 1] ? child_of(p->page, (const char *)atts[i + 1]) : NULL;
	if (!name)
		return;
	/* Pages link a name twice in a row (icon and text): once is enough. */
	if ((p->depth >= 0 && !layout_level(name, p->depth)) ||
	    (p->ns.n && !strcmp(p->ns.v[p->ns.n - 1], name))) {
		free(name);
		return;
	}
	if (p->ns.n >= AUTOINDEX_MAX_LINKS) {
		pr_err("%s: more than %d links: refused", p->page, AUTOINDEX_MAX_LINKS);
		free(name);
		p->err = -E2BIG;
	} else {
		p->err = names_add(&p->ns, name);
	}
	if (p->err)
		xmlStopParser(p->ctxt);
}

static int page_init(struct page_reader *p, const char *page, int depth)
{
	memset(p, 0, sizeof(*p));
	p->page = page;
	p->depth = depth;
	p->sax.startElement = on_start;
	p->carry = malloc(PAGE_CARRY_MAX);
	p->ctxt = htmlCreatePushParserCtxt(&p->sax, p, NULL, 0, page, XML_CHAR_ENCODING_NONE);
	if (!p->ctxt || !p->carry)
		return -ENOMEM;
	htmlCtxtUseOptions(p->ctxt, HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
			   HTML_PARSE_NOWARNING | HTML_PARSE_NONET | HTML_PARSE_COMPACT);
	return 0;
}

/* The carried bytes up to the last '>' (all when there is none and no room) to libxml2. */
static void page_parse(struct page_reader *p, bool last)
{
	const char *gt = memrchr(p->carry, '>', p->ncarry);
	size_t cut = gt ? (size_t)(gt - p->carry) + 1 : p->ncarry == PAGE_CARRY_MAX ? p->ncarry : 0;
	xmlParserInputPtr in;

	if (last)
		cut = p->ncarry;
	if (!cut && !last)
		return;
	htmlParseChunk(p->ctxt, p->carry, (int)cut, last);
	memmove(p->carry, p->carry + cut, p->ncarry - cut);
	p->ncarry -= cut;
	in = p->ctxt->input;
	if (!p->err && in && in->end - in->cur > PAGE_UNPARSED_MAX) {
		pr_err("%s: a tag or comment over %u bytes: not a directory listing", p->page,
		       PAGE_UNPARSED_MAX);
		p->err = -EFBIG;
	}
}

static int page_write(void *ctx, const char *buf, size_t len)
{
	struct page_reader *p = ctx;

	while (len && !p->err) {
		size_t n = len < PAGE_CARRY_MAX - p->ncarry ? len : PAGE_CARRY_MAX - p->ncarry;

		memcpy(p->carry + p->ncarry, buf, n);
		p->ncarry += n;
		buf += n;
		len -= n;
		page_parse(p, false);
	}
	return p->err;
}

/* The page is complete: its links sorted (repeats kept). */
static int page_end(void *ctx)
{
	struct page_reader *p = ctx;

	if (!p->err)
		page_parse(p, true);
	if (!p->err && p->ns.n)
		qsort(p->ns.v, p->ns.n, sizeof(*p->ns.v), str_cmp);
	return p->err;
}

static void page_free(struct page_reader *p)
{
	if (p->ctxt)
		htmlFreeParserCtxt(p->ctxt);
	free(p->carry);
	names_free(&p->ns);
}

int autoindex__links(const char *page, const char *body, size_t len, char ***names, size_t *n)
{
	struct page_reader p;
	int err;

	err = page_init(&p, page, -1);
	err = err ?: page_write(&p, body, len);
	err = err ?: page_end(&p);
	if (!err) {
		*names = p.ns.v;
		*n = p.ns.n;
		p.ns = (struct names){ 0 };
	}
	page_free(&p);
	return err;
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
	struct page_reader pr;
	struct http_sink sink = { page_write, page_end, &pr };
	struct http_get_opts go = {
		.transfer = c->o->transfer,
		.cache_dir = c->o->cache_dir,
		.max_bytes = listing__budget(c->l, c->o),
		.sink = &sink,
	};
	struct http_resp r = { 0 };
	size_t i;
	int err;

	if (!go.max_bytes || ++c->pages > AUTOINDEX_MAX_PAGES) {
		pr_err("%s: listing larger than the cap (%llu bytes, %d pages)", page,
		       (unsigned long long)(c->o->max_bytes ?: LISTING_DEFAULT_MAX_BYTES),
		       AUTOINDEX_MAX_PAGES);
		return -EFBIG;
	}
	err = page_init(&pr, page, depth);
	err = err ?: http__get(page, &go, &r);
	c->l->requests += r.requested;
	if (err) {
		/* The reader reported its own refusals. */
		if (r.error[0] || err == -ENOMEM)
			pr_err("%s: cannot list: %s", page, r.error[0] ? r.error : strerror(-err));
		goto out;
	}
	c->l->bytes += r.bytes;
	if (r.status != 200) {
		pr_err("%s: cannot list: HTTP %ld%s", page, r.status,
		       depth ? "" : " (no " INDEX_NAME " and no directory listing)");
		err = -EIO;
		goto out;
	}
	for (i = 0; !err && i < pr.ns.n; i++)
		if (!i || strcmp(pr.ns.v[i], pr.ns.v[i - 1]))
			err = visit(c, page, prefix, depth, pr.ns.v[i]);
	if (err == -ENOMEM)
		pr_err("%s: out of memory", page);
out:
	page_free(&pr);
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
