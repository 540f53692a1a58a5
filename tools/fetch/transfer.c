// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>

#include "fsutil.h"
#include "log.h"
#include "transfer.h"

#define MAX_BACKOFF_MS (60 * 1000L)

enum xfer_state {
	XFER_WAITING,	/* queued, may not start before not_before */
	XFER_ACTIVE,
	XFER_DONE,
};

struct xfer {
	struct kernel *k;
	const struct transfer_opts *opts;
	enum xfer_state state;
	CURL *easy;
	struct curl_slist *headers;
	char *archive_path, *part_path, *meta_path, *part_meta_path, *lock_path;
	int lock_fd;		/* flock()ed entry lock while this process owns the entry */
	bool lock_waited;	/* said once that another run holds it */
	bool claimed;		/* looked at the entry (pinned hash, last alias) once */
	bool reported;		/* on_done() called */
	char *tried;		/* URLs answered 404, for the error line */
	FILE *part;
	int cand;		/* index into k->candidates */
	int attempt;		/* failed attempts on this candidate */
	double not_before;	/* monotonic seconds */

	/* Per request. */
	uint64_t offset;	/* bytes of .part kept and asked for with Range */
	bool conditional;	/* sent If-None-Match / If-Modified-Since */
	bool body_checked;	/* status looked at on the first body byte */
	bool body_wanted;	/* 200/206: body goes to .part, otherwise dropped */
	bool range_mismatch;	/* 206 did not start where .part ends */
	bool too_big;
	bool write_failed;
	int write_errno;	/* why, when write_failed */
	uint64_t written;	/* body bytes stored by this request */
	struct cache_meta meta;	/* validators of the current response */
	long range_start;	/* from Content-Range, -1 if none */
	char errbuf[CURL_ERROR_SIZE];
};

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) || !S_ISREG(st.st_mode) ? 0 : (uint64_t)st.st_size;
}

static bool file_exists(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

static int mkdir_parent(const char *path)
{
	char *dir = strdup(path), *slash;
	int err;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	err = slash ? mkdir_p(dir) : 0;
	free(dir);
	return err;
}

/*
 * The cache may be shared by runs in parallel (CI jobs on one runner): the
 * .part, .meta and archive of an entry are written only under its lock.
 * Returns 1 when held, 0 when another process holds it, or a negative errno.
 * The lock file itself is never removed (that would let two runs each lock
 * a different inode).
 */
static int entry_lock(struct xfer *x)
{
	int err;

	if (x->lock_fd >= 0)
		return 1;
	err = mkdir_parent(x->lock_path);
	if (err)
		return err;
	x->lock_fd = open(x->lock_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (x->lock_fd < 0)
		return -errno;
	if (!flock(x->lock_fd, LOCK_EX | LOCK_NB))
		return 1;
	err = errno == EWOULDBLOCK ? 0 : -errno;
	close(x->lock_fd);
	x->lock_fd = -1;
	return err;
}

static void entry_unlock(struct xfer *x)
{
	if (x->lock_fd >= 0)
		close(x->lock_fd);
	x->lock_fd = -1;
}

void transfer__header_value(char *dst, size_t size, const char *v, size_t len)
{
	while (len && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	while (len && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' '))
		len--;
	if (len >= size)
		len = size - 1;
	memcpy(dst, v, len);
	dst[len] = '\0';
}

static size_t on_header(char *buf, size_t size, size_t n, void *ctx)
{
	struct xfer *x = ctx;
	size_t len = size * n;
	char cr[128];

	/* Each response (redirects too) starts with a status line: forget the last. */
	if (len >= 5 && !strncmp(buf, "HTTP/", 5)) {
		memset(&x->meta, 0, sizeof(x->meta));
		x->range_start = -1;
	} else if (len > 5 && !strncasecmp(buf, "etag:", 5)) {
		transfer__header_value(x->meta.etag, sizeof(x->meta.etag), buf + 5, len - 5);
	} else if (len > 14 && !strncasecmp(buf, "last-modified:", 14)) {
		transfer__header_value(x->meta.last_modified, sizeof(x->meta.last_modified),
			     buf + 14, len - 14);
	} else if (len > 14 && !strncasecmp(buf, "content-range:", 14)) {
		long long start;

		transfer__header_value(cr, sizeof(cr), buf + 14, len - 14);
		if (sscanf(cr, "bytes %lld-", &start) == 1 && start >= 0)
			x->range_start = start;
	}
	return len;
}

/* Called on the first body byte, once the final status is known. */
static int body_begin(struct xfer *x)
{
	long code = 0;

	x->body_checked = true;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
	if (code != 200 && code != 206)
		return 0;	/* an error page: dropped, the status decides */
	if (code == 206 && (x->range_start < 0 || (uint64_t)x->range_start != x->offset)) {
		x->range_mismatch = true;
		return -EINVAL;
	}
	/* 200 to a Range request: the archive changed (If-Range) or no ranges. */
	if (code == 200)
		x->offset = 0;
	x->part = fopen(x->part_path, x->offset ? "ab" : "wb");
	if (!x->part) {
		x->write_failed = true;
		x->write_errno = errno;
		return -errno;
	}
	x->body_wanted = true;
	/* Validators of this body, so an interrupted download resumes safely. */
	if (!x->offset)
		cache__meta_write(x->part_meta_path, &x->meta);
	return 0;
}

static size_t on_body(char *buf, size_t size, size_t n, void *ctx)
{
	struct xfer *x = ctx;
	size_t len = size * n;
	uint64_t have;

	if (!x->body_checked && body_begin(x))
		return 0;	/* aborts with CURLE_WRITE_ERROR */
	if (!x->body_wanted)
		return len;
	have = x->offset + x->written;
	if (len > x->opts->max_size || have > x->opts->max_size - len) {
		x->too_big = true;
		return 0;
	}
	if (fwrite(buf, 1, len, x->part) != len) {
		x->write_failed = true;
		x->write_errno = errno;
		return 0;
	}
	x->written += len;
	x->k->body_bytes += len;
	return len;
}

/* 0: @def; TRANSFER_OFF (any negative): 0, which is "none" where it is used. */
static long pick(long v, long def)
{
	return !v ? def : v < 0 ? 0 : v;
}

struct transfer_opts transfer_opts__resolve(const struct transfer_opts *o)
{
	struct transfer_opts r = o ? *o : (struct transfer_opts){ 0 };

	r.jobs = r.jobs > 0 ? r.jobs : TRANSFER_DEFAULT_JOBS;
	r.retries = (int)pick(r.retries, TRANSFER_DEFAULT_RETRIES);
	r.retry_delay_ms = pick(r.retry_delay_ms, TRANSFER_DEFAULT_RETRY_DELAY_MS);
	r.connect_timeout = r.connect_timeout > 0 ? r.connect_timeout :
			    TRANSFER_DEFAULT_CONNECT_TIMEOUT;
	r.timeout = pick(r.timeout, TRANSFER_DEFAULT_TIMEOUT);
	r.max_size = r.max_size ?: TRANSFER_DEFAULT_MAX_SIZE;
	r.speed_limit = r.speed_limit > 0 ? r.speed_limit : TRANSFER_DEFAULT_SPEED_LIMIT;
	r.speed_time = pick(r.speed_time, TRANSFER_DEFAULT_SPEED_TIME);
	r.retry_after_max = pick(r.retry_after_max, TRANSFER_DEFAULT_RETRY_AFTER_MAX);
	return r;
}

void transfer__easy_defaults(CURL *easy, const struct transfer_opts *opts)
{
	struct transfer_opts o = transfer_opts__resolve(opts);

	curl_easy_setopt(easy, CURLOPT_USERAGENT, "btfhub-fetch/" BTFKIT_VERSION);
	/* GitHub serves raw files through a redirect to its CDN. */
	curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(easy, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT, o.connect_timeout);
	curl_easy_setopt(easy, CURLOPT_TIMEOUT, o.timeout);
}

/*
 * A resume asks for the rest with Range, guarded by If-Range (only if the
 * archive is still the one begun); a cached archive is asked for
 * conditionally (If-None-Match, If-Modified-Since).
 */
static void xfer_headers(struct xfer *x)
{
	struct cache_meta pm, am;
	char hdr[512];

	curl_slist_free_all(x->headers);
	x->headers = NULL;
	if (x->offset) {
		snprintf(hdr, sizeof(hdr), "Range: bytes=%" PRIu64 "-", x->offset);
		x->headers = curl_slist_append(x->headers, hdr);
		if (!cache__meta_read(x->part_meta_path, &pm)) {
			if (pm.etag[0] && strncmp(pm.etag, "W/", 2))
				snprintf(hdr, sizeof(hdr), "If-Range: %s", pm.etag);
			else if (pm.last_modified[0])
				snprintf(hdr, sizeof(hdr), "If-Range: %s", pm.last_modified);
			else
				hdr[0] = '\0';
			if (hdr[0])
				x->headers = curl_slist_append(x->headers, hdr);
		}
	} else if (file_exists(x->archive_path) && !cache__meta_read(x->meta_path, &am) &&
		   (am.etag[0] || am.last_modified[0])) {
		if (am.etag[0]) {
			snprintf(hdr, sizeof(hdr), "If-None-Match: %s", am.etag);
			x->headers = curl_slist_append(x->headers, hdr);
		}
		if (am.last_modified[0]) {
			snprintf(hdr, sizeof(hdr), "If-Modified-Since: %s", am.last_modified);
			x->headers = curl_slist_append(x->headers, hdr);
		}
		x->conditional = true;
	}
}

/* The entry's easy handle (reused across attempts) set up for @url. */
static int xfer_easy(struct xfer *x, const char *url)
{
	const struct transfer_opts *o = x->opts;

	if (!x->easy) {
		x->easy = curl_easy_init();
		if (!x->easy)
			return -ENOMEM;
	} else {
		curl_easy_reset(x->easy);
	}
	curl_easy_setopt(x->easy, CURLOPT_URL, url);
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
	curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(x->easy, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(x->easy, CURLOPT_ERRORBUFFER, x->errbuf);
	transfer__easy_defaults(x->easy, o);
	curl_easy_setopt(x->easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_size);
	if (o->speed_time > 0) {
		curl_easy_setopt(x->easy, CURLOPT_LOW_SPEED_LIMIT, o->speed_limit);
		curl_easy_setopt(x->easy, CURLOPT_LOW_SPEED_TIME, o->speed_time);
	}
	return 0;
}

static int xfer_start(struct xfer *x, CURLM *multi)
{
	const struct transfer_opts *o = x->opts;
	struct kernel *k = x->k;
	char *url;
	int err;

	url = source__join(o->src, k->candidates[x->cand]);
	if (!url)
		return -ENOMEM;
	free(k->url);
	k->url = url;
	err = mkdir_parent(x->archive_path);
	if (err)
		return err;
	x->offset = file_size(x->part_path);
	x->conditional = false;
	x->body_checked = x->body_wanted = false;
	x->range_mismatch = x->too_big = x->write_failed = false;
	x->range_start = -1;
	x->written = 0;
	x->errbuf[0] = '\0';
	xfer_headers(x);
	err = xfer_easy(x, url);
	if (err)
		return err;
	if (curl_multi_add_handle(multi, x->easy) != CURLM_OK)
		return -ENOMEM;
	x->state = XFER_ACTIVE;
	pr_debug("GET %s%s%s", url, x->offset ? " (resume)" : "",
		 x->conditional ? " (conditional)" : "");
	return 0;
}

/* Done with this entry: another run may now write it. */
static void xfer_finish(struct xfer *x)
{
	x->state = XFER_DONE;
	entry_unlock(x);
}

static void xfer_fail(struct xfer *x, const char *reason)
{
	xfer_finish(x);
	kernel__fail(x->k, "%s: %s", x->k->url, reason);
}

/*
 * Try again later: after the exponential backoff, or after @retry_after_s
 * seconds when the server said so (Retry-After), capped by retry_after_max.
 */
static void xfer_retry(struct xfer *x, const char *reason, long long retry_after_s)
{
	const struct transfer_opts *o = x->opts;
	long delay = o->retry_delay_ms;
	int i;

	x->attempt++;
	if (x->attempt > o->retries) {
		char buf[512];

		if (o->retries)
			snprintf(buf, sizeof(buf), "%s (gave up after %d attempts)", reason,
				 x->attempt);
		else
			snprintf(buf, sizeof(buf), "%s", reason);
		xfer_fail(x, buf);
		return;
	}
	for (i = 1; i < x->attempt && delay < MAX_BACKOFF_MS; i++)
		delay *= 2;
	if (delay > MAX_BACKOFF_MS)
		delay = MAX_BACKOFF_MS;
	if (retry_after_s > 0 && o->retry_after_max > 0) {
		if (retry_after_s > o->retry_after_max) {
			pr_info("%s: asks to retry after %lld s; capped at %ld s", x->k->url,
				retry_after_s, o->retry_after_max);
			retry_after_s = o->retry_after_max;
		}
		if (retry_after_s * 1000 > delay)
			delay = retry_after_s * 1000;
	}
	pr_info("%s: %s; retry %d/%d in %ld ms", x->k->url, reason, x->attempt,
		o->retries, delay);
	x->not_before = now_mono() + delay / 1000.0;
	x->state = XFER_WAITING;
}

static void drop_part(struct xfer *x)
{
	unlink(x->part_path);
	unlink(x->part_meta_path);
}

static bool retryable_curl(CURLcode res)
{
	switch (res) {
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_COULDNT_CONNECT:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

/* A 200 or 206: the body is whole; it and its validators take their place. */
static void xfer_stored(struct xfer *x)
{
	struct kernel *k = x->k;
	char reason[512];
	int err;

	if (rename(x->part_path, x->archive_path)) {
		snprintf(reason, sizeof(reason), "cannot rename %s: %s", x->part_path,
			 strerror(errno));
		xfer_fail(x, reason);
		return;
	}
	/* A 206 carries the validators of the whole archive as well. */
	snprintf(x->meta.path, sizeof(x->meta.path), "%s", k->candidates[x->cand]);
	err = cache__meta_write(x->meta_path, &x->meta);
	if (err)
		pr_warn("%s: cannot record validators: %s", x->meta_path, strerror(-err));
	unlink(x->part_meta_path);
	k->archive = strdup(x->archive_path);
	xfer_finish(x);
}

/* A 404 or 410: the next candidate path, or a failure naming every URL tried. */
static void xfer_not_found(struct xfer *x, long code)
{
	struct kernel *k = x->k;
	char *t = NULL;

	if (asprintf(&t, "%s%s%s", x->tried ? x->tried : "", x->tried ? ", " : "",
		     k->url) >= 0) {
		free(x->tried);
		x->tried = t;
	}
	if (x->cand + 1 < k->ncandidates) {
		x->cand++;
		x->attempt = 0;
		x->not_before = 0;
		x->state = XFER_WAITING;
		return;
	}
	xfer_finish(x);
	/* Name every URL tried: the arch/codename aliases are part of the story. */
	kernel__fail(k, "%s: not found (HTTP %ld)", x->tried ? x->tried : k->url, code);
}

/* A complete HTTP answer: by its status. */
static void xfer_answered(struct xfer *x, long code)
{
	char reason[64];

	if (code == 200 || code == 206) {
		xfer_stored(x);
	} else if (code == 304 && x->conditional) {
		x->k->archive = strdup(x->archive_path);
		x->k->not_modified = true;
		xfer_finish(x);
	} else if (code == 404 || code == 410) {
		xfer_not_found(x, code);
	} else if (code >= 500 || code == 408 || code == 429) {
		curl_off_t retry_after = 0;

		/* Seconds or an HTTP-date, both parsed by libcurl. */
		if (code == 429 || code == 503)
			curl_easy_getinfo(x->easy, CURLINFO_RETRY_AFTER, &retry_after);
		snprintf(reason, sizeof(reason), "HTTP %ld", code);
		xfer_retry(x, reason, (long long)retry_after);
	} else {
		snprintf(reason, sizeof(reason), "HTTP %ld", code);
		xfer_fail(x, reason);
	}
}

static void xfer_done(struct xfer *x, CURLcode res)
{
	char reason[512];
	long code = 0;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &code);
	if (x->part) {
		if (fclose(x->part) && res == CURLE_OK) {
			x->write_failed = true;
			x->write_errno = errno;
		}
		x->part = NULL;
	}
	if (x->write_failed) {
		snprintf(reason, sizeof(reason), "cannot write %s: %s", x->part_path,
			 strerror(x->write_errno));
		xfer_fail(x, reason);
	} else if (x->too_big || res == CURLE_FILESIZE_EXCEEDED) {
		drop_part(x);
		snprintf(reason, sizeof(reason), "archive larger than the %" PRIu64 " byte cap",
			 x->opts->max_size);
		xfer_fail(x, reason);
	} else if (x->range_mismatch || (res == CURLE_OK && code == 416)) {
		/* The partial body is not a prefix of what the server has now: start over. */
		drop_part(x);
		xfer_retry(x, "resume rejected (range mismatch)", 0);
	} else if (res != CURLE_OK) {
		snprintf(reason, sizeof(reason), "transfer failed: %s",
			 x->errbuf[0] ? x->errbuf : curl_easy_strerror(res));
		if (retryable_curl(res))
			xfer_retry(x, reason, 0);
		else
			xfer_fail(x, reason);
	} else {
		xfer_answered(x, code);
	}
}

/*
 * Ask first where the cached copy came from: a re-run then costs one 304,
 * not a 404 from each alias tried before it.
 */
static int cached_candidate(struct xfer *x)
{
	struct cache_meta meta;
	int i;

	if (!file_exists(x->archive_path) || cache__meta_read(x->meta_path, &meta) ||
	    !meta.path[0])
		return 0;
	for (i = 0; i < x->k->ncandidates; i++)
		if (!strcmp(meta.path, x->k->candidates[i]))
			return i;
	return 0;
}

/* Pinned by the manifest and already cached with that hash: no request at all. */
static bool cached_pinned(struct xfer *x)
{
	struct kernel *k = x->k;
	char hex[SHA256_HEX_LEN];
	int fd, err;

	if (!k->want_sha256[0])
		return false;
	fd = open(x->archive_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return false;
	err = cache__archive_sha256(x->opts->cache, k, fd, hex, NULL);
	close(fd);
	if (err || strcmp(hex, k->want_sha256))
		return false;
	k->url = source__join(x->opts->src, k->candidates[0]);
	k->archive = strdup(x->archive_path);
	k->not_modified = true;
	return true;
}

/*
 * Take the entry's lock before each request: .part, .meta and the archive
 * are written only under it. Returns 1 to go ahead, 0 to wait (another run
 * holds it) or to stop (that run left the pinned archive), or a negative
 * errno.
 */
static int xfer_claim(struct xfer *x, double now)
{
	int r;

	if (x->lock_fd >= 0)
		return 1;
	r = entry_lock(x);
	if (r < 0)
		return r;
	if (!r) {
		if (!x->lock_waited)
			pr_info("%s: in use by another btfhub-fetch, waiting", x->archive_path);
		x->lock_waited = true;
		x->not_before = now + 0.1;
		return 0;
	}
	if (x->claimed)
		return 1;
	x->claimed = true;
	/* The run we waited for may have just fetched it: look again. */
	if (x->lock_waited && cached_pinned(x)) {
		xfer_finish(x);
		return 0;
	}
	if (x->lock_waited)
		x->cand = cached_candidate(x);
	return 1;
}

static void progress_draw(struct xfer *xs, size_t n, bool final)
{
	static double last;
	double t = now_mono();
	uint64_t bytes = 0;
	size_t i, done = 0;

	if (!final && t - last < 0.2)
		return;
	last = t;
	for (i = 0; i < n; i++) {
		bytes += xs[i].k->body_bytes;
		done += xs[i].state == XFER_DONE;
	}
	if (final)
		fputs("\r\033[K", stderr);
	else
		fprintf(stderr, "\r\033[Kbtfhub-fetch: [%zu/%zu] %.1f MiB", done, n,
			bytes / 1048576.0);
	fflush(stderr);
}

/* Hand the newly finished entries on, in the order they are found. */
static void report_done(struct xfer *xs, size_t n, const struct transfer_opts *o)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (xs[i].state != XFER_DONE || xs[i].reported)
			continue;
		xs[i].reported = true;
		if (o->on_done)
			o->on_done(xs[i].k, o->ctx);
	}
}

/* One transfer__run(): its entries, the curl multi handle, what is left. */
struct xfers {
	struct transfer_opts o;	/* defaults filled in */
	struct xfer *v;
	size_t n;
	CURLM *multi;
	size_t left;		/* entries not done */
	int active;		/* transfers in flight */
};

static void xfers_free(struct xfers *t)
{
	size_t i;

	for (i = 0; t->v && i < t->n; i++) {
		struct xfer *x = &t->v[i];

		if (x->easy) {
			if (x->state == XFER_ACTIVE)
				curl_multi_remove_handle(t->multi, x->easy);
			curl_easy_cleanup(x->easy);
		}
		if (x->part)
			fclose(x->part);
		curl_slist_free_all(x->headers);
		free(x->archive_path);
		free(x->part_path);
		free(x->meta_path);
		free(x->part_meta_path);
		free(x->lock_path);
		free(x->tried);
		entry_unlock(x);
	}
	free(t->v);
	if (t->multi)
		curl_multi_cleanup(t->multi);
}

/* An entry per kernel, its cache paths, and the ones a pinned archive settles. */
static int xfers_init(struct xfers *t, struct kernel **ks, size_t n)
{
	size_t i;

	t->v = calloc(n, sizeof(*t->v));
	t->multi = curl_multi_init();
	if (!t->v || !t->multi)
		return -ENOMEM;
	t->n = t->left = n;
	for (i = 0; i < n; i++)
		t->v[i].lock_fd = -1;
	for (i = 0; i < n; i++) {
		struct xfer *x = &t->v[i];

		x->k = ks[i];
		x->opts = &t->o;
		x->archive_path = cache__archive_path(t->o.cache, x->k, "");
		x->part_path = cache__archive_path(t->o.cache, x->k, ".part");
		x->meta_path = cache__archive_path(t->o.cache, x->k, ".meta");
		x->part_meta_path = cache__archive_path(t->o.cache, x->k, ".part.meta");
		x->lock_path = cache__archive_path(t->o.cache, x->k, ".lock");
		if (!x->archive_path || !x->part_path || !x->meta_path || !x->part_meta_path ||
		    !x->lock_path)
			return -ENOMEM;
		if (cached_pinned(x)) {
			xfer_finish(x);
			t->left--;
			continue;
		}
		x->cand = cached_candidate(x);
	}
	return 0;
}

/* Start queued transfers whose time has come, up to o.jobs in flight. */
static void xfers_start(struct xfers *t, double now)
{
	size_t i;
	int err;

	for (i = 0; i < t->n && t->active < t->o.jobs; i++) {
		struct xfer *x = &t->v[i];

		if (x->state != XFER_WAITING || x->not_before > now)
			continue;
		err = xfer_claim(x, now);
		if (err == 0) {
			t->left -= x->state == XFER_DONE;
			continue;
		}
		err = err < 0 ? err : xfer_start(x, t->multi);
		if (err) {
			char reason[256];

			snprintf(reason, sizeof(reason), "cannot start transfer: %s", strerror(-err));
			xfer_fail(x, reason);
			t->left--;
			continue;
		}
		t->active++;
	}
}

/* Let curl work, and settle each transfer it has finished. */
static void xfers_perform(struct xfers *t)
{
	struct CURLMsg *msg;
	int running, q;

	curl_multi_perform(t->multi, &running);
	while ((msg = curl_multi_info_read(t->multi, &q))) {
		struct xfer *x;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		curl_multi_remove_handle(t->multi, x->easy);
		t->active--;
		xfer_done(x, msg->data.result);
		/* Not held across a backoff: N failing entries must not pin N fds. */
		entry_unlock(x);
		if (x->state == XFER_DONE)
			t->left--;
	}
}

/* Sleep until curl has work, or the next queued transfer may start. */
static void xfers_wait(struct xfers *t)
{
	double next = now_mono() + 1.0;
	long wait_ms;
	size_t i;

	for (i = 0; i < t->n && t->active < t->o.jobs; i++)
		if (t->v[i].state == XFER_WAITING && t->v[i].not_before < next)
			next = t->v[i].not_before;
	wait_ms = (long)((next - now_mono()) * 1000);
	if (wait_ms > 0)
		curl_multi_poll(t->multi, NULL, 0, (int)wait_ms, NULL);
}

int transfer__run(struct kernel **ks, size_t n, const struct transfer_opts *opts)
{
	struct xfers t = { .o = transfer_opts__resolve(opts) };
	size_t reported_left;
	int err;

	if (!n)
		return 0;
	err = xfers_init(&t, ks, n);
	if (err)
		goto out;
	report_done(t.v, n, &t.o);
	reported_left = t.left;
	while (t.left) {
		if (t.o.cancel && *t.o.cancel) {
			err = -EINTR;
			break;
		}
		xfers_start(&t, now_mono());
		xfers_perform(&t);
		if (t.left != reported_left) {
			report_done(t.v, n, &t.o);
			reported_left = t.left;
		}
		if (!t.left)
			break;
		xfers_wait(&t);
		if (t.o.progress)
			progress_draw(t.v, n, false);
	}
	if (t.o.progress)
		progress_draw(t.v, n, true);
out:
	xfers_free(&t);
	return err;
}
