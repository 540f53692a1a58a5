/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One listing request: GET a URL, its answer streamed into a parser as it
 * arrives (never buffered whole), capped, with the request rules of
 * transfer.c, conditionally when an earlier answer is cached:
 *
 *   <cache>/listing/<16 hex of the URL>.body   the last 200 body
 *   <cache>/listing/<16 hex of the URL>.meta   its ETag / Last-Modified
 *
 * A 304 then costs no body, and an immutable URL (a git tree by its SHA)
 * costs no request at all; a cached body is streamed into the parser the
 * same way. A new body is written to the cache as it arrives, under a
 * temporary name, and renamed into place only once the parser accepted the
 * whole of it: nothing half-received or refused is ever cached.
 */
#ifndef BTFHUB_FETCH_HTTPGET_H
#define BTFHUB_FETCH_HTTPGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "transfer.h"

/* Where the body of a 200 answer goes, as it arrives (or from the cache). */
struct http_sink {
	/* The next bytes. 0 or a negative errno, which ends the transfer. */
	int (*write)(void *ctx, const char *buf, size_t len);
	/* The body is complete: 0 accepts it (and lets it be cached), else an errno. */
	int (*end)(void *ctx);
	void *ctx;
};

/* Bytes of a non-200 body kept for its error message; the rest is dropped. */
#define HTTP_ERROR_BODY_MAX (64u << 10)

struct http_get_opts {
	const struct transfer_opts *transfer;	/* timeouts; NULL = the defaults */
	const char *cache_dir;		/* NULL = no cache */
	const char *const *headers;	/* extra request headers, NULL-terminated */
	uint64_t max_bytes;		/* larger bodies fail with -EFBIG */
	bool immutable;			/* a cached body is the answer, unasked */
	const struct http_sink *sink;	/* the 200 body's reader (required) */
};

struct http_resp {
	long status;		/* final HTTP status; 200 also for a cache hit */
	char *body;		/* a non-200 body's start, NUL-terminated; NULL for 200 */
	size_t len;		/* its length */
	uint64_t bytes;		/* body bytes received, or read from the cache */
	bool cached;		/* body from the cache (304 or immutable) */
	bool requested;		/* a request went out */
	long long retry_after;	/* seconds, -1 if absent */
	long long rl_remaining;	/* X-RateLimit-Remaining, -1 if absent */
	long long rl_reset;	/* X-RateLimit-Reset (epoch seconds), -1 if absent */
	char error[CURL_ERROR_SIZE];	/* why, when the call fails */
};

/*
 * GET @url, a 200 body into o->sink. Returns 0 with any HTTP status in @r
 * (the caller judges it; the sink saw all of a 200 body and accepted it), a
 * negative errno with r->error set: -EFBIG over max_bytes, -EIO for a
 * transfer error; or the sink's own error, r->error left empty (the sink
 * reports its errors). Free with http_resp__free().
 */
int http__get(const char *url, const struct http_get_opts *o, struct http_resp *r);
void http_resp__free(struct http_resp *r);

#endif
