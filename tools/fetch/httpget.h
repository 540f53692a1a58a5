/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One listing request: GET a URL into memory, capped, with the request
 * rules of transfer.c, conditionally when an earlier answer is cached:
 *
 *   <cache>/listing/<16 hex of the URL>.body   the last 200 body
 *   <cache>/listing/<16 hex of the URL>.meta   its ETag / Last-Modified
 *
 * A 304 then costs no body, and an immutable URL (a git tree by its SHA)
 * costs no request at all.
 */
#ifndef BTFHUB_FETCH_HTTPGET_H
#define BTFHUB_FETCH_HTTPGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "transfer.h"

struct http_get_opts {
	const struct transfer_opts *transfer;	/* timeouts */
	const char *cache_dir;		/* NULL = no cache */
	const char *const *headers;	/* extra request headers, NULL-terminated */
	uint64_t max_bytes;		/* larger bodies fail with -EFBIG */
	bool immutable;			/* a cached body is the answer, unasked */
};

struct http_resp {
	long status;		/* final HTTP status; 200 also for a cache hit */
	char *body;		/* NUL-terminated (the NUL not counted) */
	size_t len;
	bool cached;		/* body from the cache (304 or immutable) */
	bool requested;		/* a request went out */
	long long retry_after;	/* seconds, -1 if absent */
	long long rl_remaining;	/* X-RateLimit-Remaining, -1 if absent */
	long long rl_reset;	/* X-RateLimit-Reset (epoch seconds), -1 if absent */
	char error[CURL_ERROR_SIZE];	/* why, when the call fails */
};

/*
 * GET @url. Returns 0 with any HTTP status in @r (the caller judges it), or
 * a negative errno with r->error set: -EFBIG over max_bytes, -EIO for a
 * transfer error. Free with http_resp__free().
 */
int http__get(const char *url, const struct http_get_opts *o, struct http_resp *r);
void http_resp__free(struct http_resp *r);

#endif
