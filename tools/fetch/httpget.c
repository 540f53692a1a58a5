// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cache.h"
#include "fsutil.h"
#include "httpget.h"
#include "log.h"
#include "mem.h"
#include "sha256.h"

struct get_ctx {
	struct http_resp *r;
	const struct http_get_opts *o;
	struct cache_meta meta;
	const char *body_path;		/* NULL: nothing is cached */
	struct atomic_file af;		/* the 200 body on its way into the cache */
	bool caching;			/* af is open */
	long status;			/* of the response at hand */
	size_t cap;
	bool too_big;
	int sink_err;
};

static int cache_paths(const char *dir, const char *url, char **body, char **meta)
{
	uint8_t d[SHA256_DIGEST_LEN];
	char hex[SHA256_HEX_LEN];

	sha256_buf(url, strlen(url), d);
	sha256_hex(d, hex);
	*body = *meta = NULL;
	if (asprintf(body, "%s/listing/%.16s.body", dir, hex) < 0) {
		*body = NULL;
		return -ENOMEM;
	}
	if (asprintf(meta, "%s/listing/%.16s.meta", dir, hex) < 0) {
		*meta = NULL;
		return -ENOMEM;
	}
	return 0;
}

static long long header_num(const char *v, size_t len)
{
	char buf[32];
	size_t n;

	transfer__header_value(buf, sizeof(buf), v, len);
	n = strlen(buf);
	/* Retry-After may also be an HTTP date; only seconds are reported. */
	return n && n < sizeof(buf) - 1 && strspn(buf, "0123456789") == n ?
	       strtoll(buf, NULL, 10) : -1;
}

static size_t on_header(char *buf, size_t size, size_t n, void *data)
{
	struct get_ctx *c = data;
	struct http_resp *r = c->r;
	size_t len = size * n;

	if (len >= 5 && !strncmp(buf, "HTTP/", 5)) {
		const char *sp = memchr(buf, ' ', len);

		/* Each response of a redirect chain starts afresh. */
		memset(&c->meta, 0, sizeof(c->meta));
		r->retry_after = r->rl_remaining = r->rl_reset = -1;
		r->len = 0;
		c->status = sp && sp + 4 <= buf + len ? strtol(sp + 1, NULL, 10) : 0;
	} else if (len > 5 && !strncasecmp(buf, "etag:", 5)) {
		transfer__header_value(c->meta.etag, sizeof(c->meta.etag), buf + 5, len - 5);
	} else if (len > 14 && !strncasecmp(buf, "last-modified:", 14)) {
		transfer__header_value(c->meta.last_modified, sizeof(c->meta.last_modified),
			   buf + 14, len - 14);
	} else if (len > 12 && !strncasecmp(buf, "retry-after:", 12)) {
		r->retry_after = header_num(buf + 12, len - 12);
	} else if (len > 22 && !strncasecmp(buf, "x-ratelimit-remaining:", 22)) {
		r->rl_remaining = header_num(buf + 22, len - 22);
	} else if (len > 18 && !strncasecmp(buf, "x-ratelimit-reset:", 18)) {
		r->rl_reset = header_num(buf + 18, len - 18);
	}
	return len;
}

/* An error answer's first bytes, for its message; the rest is counted, not kept. */
static int keep_error_body(struct get_ctx *c, const char *buf, size_t len)
{
	struct http_resp *r = c->r;

	if (r->len >= HTTP_ERROR_BODY_MAX)
		return 0;
	if (len > HTTP_ERROR_BODY_MAX - r->len)
		len = HTTP_ERROR_BODY_MAX - r->len;
	if (mem__ensure((void **)&r->body, &c->cap, 1, r->len + len + 1))
		return -ENOMEM;
	memcpy(r->body + r->len, buf, len);
	r->len += len;
	r->body[r->len] = '\0';
	return 0;
}

/*
 * A 200 body worth caching (immutable, or with a validator to ask with next
 * time) goes to a temporary file beside its cache entry as it arrives. A
 * cache that cannot be written costs the next run a request, not this one.
 */
static void cache_begin(struct get_ctx *c)
{
	int err;

	if (c->caching || !c->body_path ||
	    !(c->o->immutable || c->meta.etag[0] || c->meta.last_modified[0]))
		return;
	err = atomic_file__open(&c->af, c->body_path);
	if (err) {
		pr_warn("%s: cannot cache listing: %s", c->body_path, strerror(-err));
		c->body_path = NULL;
	}
	c->caching = !err;
}

static void cache_write(struct get_ctx *c, const char *buf, size_t len)
{
	int err = write_all(c->af.fd, buf, len);

	if (err) {
		pr_warn("%s: cannot cache listing: %s", c->body_path, strerror(-err));
		atomic_file__abort(&c->af);
		c->caching = false;
		c->body_path = NULL;
	}
}

/* The parser accepted the whole body: it, then its validators, take their place. */
static void cache_commit(struct get_ctx *c, const char *meta_path)
{
	int err;

	cache_begin(c);		/* an empty body had no byte to open it with */
	if (!c->caching)
		return;
	c->caching = false;
	err = atomic_file__commit(&c->af);
	err = err ?: cache__meta_write(meta_path, &c->meta);
	if (err)
		pr_warn("%s: cannot cache listing: %s", c->body_path, strerror(-err));
}

static size_t on_body(char *buf, size_t size, size_t n, void *data)
{
	struct get_ctx *c = data;
	struct http_resp *r = c->r;
	size_t len = size * n;

	if (len > c->o->max_bytes || r->bytes > c->o->max_bytes - len) {
		c->too_big = true;
		return 0;
	}
	r->bytes += len;
	if (c->status != 200)
		return keep_error_body(c, buf, len) ? 0 : len;
	cache_begin(c);
	if (c->caching)
		cache_write(c, buf, len);
	c->sink_err = c->o->sink->write(c->o->sink->ctx, buf, len);
	return c->sink_err ? 0 : len;
}

/*
 * A cached body into the sink, in pieces, then its end. -ENOENT and the like
 * when there is none (*@fed false: the caller may still ask the server),
 * -EFBIG over the cap, or the sink's error (*@fed true).
 */
static int replay(struct http_resp *r, const char *path, const struct http_get_opts *o,
		  bool *fed)
{
	const struct http_sink *sink = o->sink;
	char buf[65536];
	struct stat st;
	int fd, err = 0;
	ssize_t n;

	*fed = false;
	fd = open_regular(path, &st);
	if (fd < 0)
		return fd;
	if ((uint64_t)st.st_size > o->max_bytes) {
		close(fd);
		return -EFBIG;
	}
	*fed = true;
	r->cached = true;
	r->status = 200;
	while (!err && (n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (uint64_t)n > o->max_bytes - r->bytes) {
			err = n < 0 ? -errno : -EFBIG;
			snprintf(r->error, sizeof(r->error), "%s: %s", path, strerror(-err));
			break;
		}
		r->bytes += (uint64_t)n;
		err = sink->write(sink->ctx, buf, (size_t)n);
	}
	close(fd);
	return err ?: sink->end(sink->ctx);
}

static struct curl_slist *request_headers(const struct http_get_opts *o,
					  const struct cache_meta *old)
{
	struct curl_slist *hl = NULL;
	char hdr[512];
	int i;

	for (i = 0; o->headers && o->headers[i]; i++)
		hl = curl_slist_append(hl, o->headers[i]);
	if (old && old->etag[0]) {
		snprintf(hdr, sizeof(hdr), "If-None-Match: %s", old->etag);
		hl = curl_slist_append(hl, hdr);
	}
	if (old && old->last_modified[0]) {
		snprintf(hdr, sizeof(hdr), "If-Modified-Since: %s", old->last_modified);
		hl = curl_slist_append(hl, hdr);
	}
	return hl;
}

/* One request, its 200 body streamed through on_body(). A CURLcode, or -ENOMEM. */
static int request(const char *url, struct get_ctx *c, const struct cache_meta *old)
{
	const struct http_get_opts *o = c->o;
	struct curl_slist *hl = request_headers(o, old);
	CURL *easy = curl_easy_init();
	CURLcode res;

	if (!easy) {
		curl_slist_free_all(hl);
		return -ENOMEM;
	}
	transfer__easy_defaults(easy, o->transfer);
	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(easy, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_bytes);
	/* Listings compress well; curl checks the decoded size against the cap. */
	curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, c->r->error);
	pr_debug("GET %s%s", url, old ? " (conditional)" : "");
	c->r->requested = true;
	res = curl_easy_perform(easy);
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &c->r->status);
	curl_easy_cleanup(easy);
	curl_slist_free_all(hl);
	return (int)res;
}

/* What a finished request means: the sink's verdict on a 200, a cached 304, an error. */
static int outcome(struct get_ctx *c, int res, const char *meta_path, bool have_old)
{
	struct http_resp *r = c->r;
	const struct http_get_opts *o = c->o;
	bool fed;
	int err;

	if (c->too_big || res == CURLE_FILESIZE_EXCEEDED) {
		snprintf(r->error, sizeof(r->error), "listing larger than the %llu byte cap",
			 (unsigned long long)o->max_bytes);
		return -EFBIG;
	}
	if (c->sink_err) {
		r->error[0] = '\0';
		return c->sink_err;
	}
	if (res) {
		if (!r->error[0])
			snprintf(r->error, sizeof(r->error), "%s", res < 0 ? strerror(-res) :
				 curl_easy_strerror((CURLcode)res));
		return res < 0 ? res : res == CURLE_WRITE_ERROR ? -ENOMEM : -EIO;
	}
	if (r->status == 304 && have_old) {
		r->bytes = 0;
		err = replay(r, c->body_path, o, &fed);
		if (err && !fed)
			snprintf(r->error, sizeof(r->error), "304 but no cached listing: %s",
				 strerror(-err));
		return err;
	}
	if (r->status != 200)
		return 0;
	err = o->sink->end(o->sink->ctx);
	if (!err)
		cache_commit(c, meta_path);
	return err;
}

int http__get(const char *url, const struct http_get_opts *o, struct http_resp *r)
{
	struct get_ctx c = { .r = r, .o = o };
	char *body_path = NULL, *meta_path = NULL;
	struct cache_meta old = { 0 };
	bool have_old = false, fed;
	int err;

	memset(r, 0, sizeof(*r));
	r->retry_after = r->rl_remaining = r->rl_reset = -1;
	if (o->cache_dir) {
		err = cache_paths(o->cache_dir, url, &body_path, &meta_path);
		if (err)
			goto out;
		if (o->immutable) {
			/* A tree by its SHA: what was accepted once is the answer. */
			err = replay(r, body_path, o, &fed);
			if (fed)
				goto out;
			r->status = 0;
		}
		have_old = !cache__meta_read(meta_path, &old) &&
			   (old.etag[0] || old.last_modified[0]) && !access(body_path, R_OK);
	}
	c.body_path = body_path;
	err = request(url, &c, have_old ? &old : NULL);
	if (err != -ENOMEM)
		err = outcome(&c, err, meta_path, have_old);
	if (c.caching)
		atomic_file__abort(&c.af);	/* not accepted: nothing is cached */
out:
	if (err == -ENOMEM && !r->error[0])
		snprintf(r->error, sizeof(r->error), "out of memory");
	free(body_path);
	free(meta_path);
	return err;
}

void http_resp__free(struct http_resp *r)
{
	free(r->body);
	r->body = NULL;
	r->len = 0;
}
