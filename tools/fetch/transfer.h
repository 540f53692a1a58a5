/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Downloads of archives from an HTTP(S) source into the cache, with the
 * libcurl multi interface: N transfers in parallel, retries with exponential
 * backoff on 5xx, timeouts, stalls and dropped connections (a server's
 * Retry-After honoured, capped), resume of a partial body
 * with Range (guarded by If-Range), and conditional requests (If-None-Match,
 * If-Modified-Since) so an unchanged archive is never transferred twice.
 * TLS peer and host verification stay on.
 */
#ifndef BTFHUB_FETCH_TRANSFER_H
#define BTFHUB_FETCH_TRANSFER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <curl/curl.h>

#include "cache.h"
#include "extract.h"
#include "kernel.h"
#include "source.h"

/*
 * In transfer_opts, 0 means the default in every field (these numbers;
 * btfhub-fetch's own defaults, RUN_OPTS_DEFAULTS in run.h, are the same),
 * and TRANSFER_OFF turns off what can be off: retries, the backoff delay,
 * the per-attempt timeout, the stall check and honouring Retry-After.
 */
#define TRANSFER_DEFAULT_JOBS			4
#define TRANSFER_DEFAULT_RETRIES		4
#define TRANSFER_DEFAULT_RETRY_DELAY_MS		1000
#define TRANSFER_DEFAULT_CONNECT_TIMEOUT	30
#define TRANSFER_DEFAULT_TIMEOUT		600
#define TRANSFER_DEFAULT_MAX_SIZE		EXTRACT_DEFAULT_MAX_SIZE
#define TRANSFER_DEFAULT_SPEED_LIMIT		1024
#define TRANSFER_DEFAULT_SPEED_TIME		30
#define TRANSFER_DEFAULT_RETRY_AFTER_MAX	300
#define TRANSFER_OFF				(-1)

struct transfer_opts {
	int jobs;		/* transfers in parallel; 0 = 4 */
	int retries;		/* retries after a failed attempt; 0 = 4, TRANSFER_OFF = none */
	long retry_delay_ms;	/* first backoff, doubled per retry; 0 = 1000, TRANSFER_OFF = none */
	long connect_timeout;	/* seconds; 0 = 30 */
	long timeout;		/* seconds for one attempt; 0 = 600, TRANSFER_OFF = none */
	uint64_t max_size;	/* largest archive accepted; 0 = 512 MiB */
	bool progress;		/* draw a progress line on stderr (callers: TTY only) */
	const struct cache *cache;
	const struct source *src;
	const volatile sig_atomic_t *cancel;	/* set (by a signal handler) to stop; NULL = never */
	/*
	 * A stalled mirror: an attempt slower than speed_limit bytes/s for
	 * speed_time seconds ends (and is retried, resuming). speed_limit 0 =
	 * 1024 B/s; speed_time 0 = 30 s, TRANSFER_OFF = never.
	 */
	long speed_limit;
	long speed_time;
	/* Longest Retry-After (429/503) honoured, in seconds; 0 = 300, TRANSFER_OFF = ignore it. */
	long retry_after_max;
	/*
	 * Called (in transfer__run()'s thread) as each kernel's transfer ends,
	 * archive obtained or kernel failed, so its verification can start
	 * while others still download. NULL = none.
	 */
	void (*on_done)(struct kernel *k, void *ctx);
	void *ctx;
};

/*
 * Obtain the archive of each kernel in @ks (pointers; status PENDING) into
 * the cache. On success k->archive, k->url, k->body_bytes and
 * k->not_modified are set; on failure k is marked failed with a reason that
 * names the URL. Returns 0, -EINTR when cancelled (partial bodies stay in
 * the cache for the next run to resume), or a negative errno when the
 * transfer machinery itself could not start. Not thread-safe:
 * call curl_global_init() first.
 */
int transfer__run(struct kernel **ks, size_t n, const struct transfer_opts *opts);

/*
 * A command line's number for a field that can be off: there, 0 says "none"
 * (--retries 0, --timeout 0, --speed-time 0, --retry-after-max 0).
 */
static inline long transfer__off_if_zero(long v)
{
	return v ? v : TRANSFER_OFF;
}

/*
 * @o (NULL: all defaults) with its defaults applied and TRANSFER_OFF turned
 * into what curl and the retry loop take for "none" (0; retry_after_max 0 =
 * ignore it): what transfer__run() and every listing request use.
 */
struct transfer_opts transfer_opts__resolve(const struct transfer_opts *o);

/*
 * The options every request of btfhub-fetch shares (archives and listings
 * alike): user agent, redirects (http and https only), TLS verification,
 * @o's timeouts. One place, so a listing follows the archives' rules.
 */
void transfer__easy_defaults(CURL *easy, const struct transfer_opts *o);
/* A header's value (@v, @len as curl gives it) trimmed into @dst, cut to fit @size. */
void transfer__header_value(char *dst, size_t size, const char *v, size_t len);

#endif
