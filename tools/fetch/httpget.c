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
	struct cache_meta meta;
	uint64_t max;
	size_t cap;
	bool too_big;
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
		/* Each response of a redirect chain starts afresh. */
		memset(&c->meta, 0, sizeof(c->meta));
		r->retry_after = r->rl_remaining = r->rl_reset = -1;
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

static size_t on_body(char *buf, size_t size, size_t n, void *data)
{
	struct get_ctx *c = data;
	struct http_resp *r = c->r;
	size_t len = size * n;

	if (len > c->max || r->len > c->max - len) {
		c->too_big = true;
		return 0;
	}
	if (mem__ensure((void **)&r->body, &c->cap, 1, r->len + len + 1))
		return 0;
	memcpy(r->body + r->len, buf, len);
	r->len += len;
	r->body[r->len] = '\0';
	return len;
}

static int load_cached(struct http_resp *r, const char *path, uint64_t max)
{
	void *data;
	size_t len;
	int err;

	err = read_file(path, &data, &len, max);
	if (err)
		return err;
	free(r->body);
	r->body = data;
	r->len = len;
	r->cached = true;
	r->status = 200;
	return 0;
}

static void store(const char *body_path, const char *meta_path, const struct http_resp *r,
		  const struct cache_meta *meta)
{
	int err;

	err = write_file_atomic(body_path, r->body ?: "", r->len);
	err = err ?: cache__meta_write(meta_path, meta);
	if (err)
		pr_warn("%s: cannot cache listing: %s", body_path, strerror(-err));
}

int http__get(const char *url, const struct http_get_opts *o, struct http_resp *r)
{
	struct get_ctx c = { .r = r, .max = o->max_bytes };
	char *body_path = NULL, *meta_path = NULL, hdr[512];
	struct curl_slist *hl = NULL;
	struct cache_meta old = { 0 };
	bool have_old = false;
	CURLcode res;
	CURL *easy;
	int err = 0, i;

	memset(r, 0, sizeof(*r));
	r->retry_after = r->rl_remaining = r->rl_reset = -1;
	if (o->cache_dir) {
		err = cache_paths(o->cache_dir, url, &body_path, &meta_path);
		if (err)
			goto out;
		if (o->immutable && !load_cached(r, body_path, o->max_bytes))
			goto out;
		have_old = !cache__meta_read(meta_path, &old) &&
			   (old.etag[0] || old.last_modified[0]) && !access(body_path, R_OK);
	}
	for (i = 0; o->headers && o->headers[i]; i++)
		hl = curl_slist_append(hl, o->headers[i]);
	if (have_old && old.etag[0]) {
		snprintf(hdr, sizeof(hdr), "If-None-Match: %s", old.etag);
		hl = curl_slist_append(hl, hdr);
	}
	if (have_old && old.last_modified[0]) {
		snprintf(hdr, sizeof(hdr), "If-Modified-Since: %s", old.last_modified);
		hl = curl_slist_append(hl, hdr);
	}
	easy = curl_easy_init();
	if (!easy) {
		err = -ENOMEM;
		goto out;
	}
	transfer__easy_defaults(easy, o->transfer);
	curl_easy_setopt(easy, CURLOPT_URL, url);
	curl_easy_setopt(easy, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(easy, CURLOPT_HEADERDATA, &c);
	curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(easy, CURLOPT_WRITEDATA, &c);
	curl_easy_setopt(easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_bytes);
	/* Listings compress well; curl checks the decoded size against the cap. */
	curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, r->error);
	pr_debug("GET %s%s", url, have_old ? " (conditional)" : "");
	r->requested = true;
	res = curl_easy_perform(easy);
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_cleanup(easy);
	if (c.too_big || res == CURLE_FILESIZE_EXCEEDED) {
		snprintf(r->error, sizeof(r->error), "listing larger than the %llu byte cap",
			 (unsigned long long)o->max_bytes);
		err = -EFBIG;
		goto out;
	}
	if (res != CURLE_OK) {
		if (!r->error[0])
			snprintf(r->error, sizeof(r->error), "%s", curl_easy_strerror(res));
		err = res == CURLE_WRITE_ERROR ? -ENOMEM : -EIO;
		goto out;
	}
	if (r->status == 304 && have_old) {
		err = load_cached(r, body_path, o->max_bytes);
		if (err)
			snprintf(r->error, sizeof(r->error), "304 but no cached listing: %s",
				 strerror(-err));
		goto out;
	}
	if (r->status == 200 && body_path && (o->immutable || c.meta.etag[0] ||
					      c.meta.last_modified[0]))
		store(body_path, meta_path, r, &c.meta);
out:
	if (err == -ENOMEM && !r->error[0])
		snprintf(r->error, sizeof(r->error), "out of memory");
	curl_slist_free_all(hl);
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
