// SPDX-License-Identifier: BSD-2-Clause
/*
 * One compressed stream, a byte range of a file, decompressed through
 * libarchive's filters (its "raw" format: the stream is the whole entry)
 * into a scratch file, capped. Only in-process filters are registered: an
 * untrusted image never makes libarchive spawn an external decompressor.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>

#include "errmsg.h"
#include "fsutil.h"
#include "readers.h"

#define CHUNK (256 << 10)

struct range_src {
	int fd;
	uint64_t pos, end;
	uint8_t buf[CHUNK];
};

static la_ssize_t range_read(struct archive *a, void *ctx, const void **buf)
{
	struct range_src *s = ctx;
	size_t n = s->end - s->pos < CHUNK ? s->end - s->pos : CHUNK;
	ssize_t r;

	if (!n)
		return 0;
	do
		r = pread(s->fd, s->buf, n, s->pos);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		archive_set_error(a, errno, "read: %s", errmsg(-errno));
		return -1;
	}
	s->pos += r;
	*buf = s->buf;
	return r;
}

static int range_close(struct archive *a, void *ctx)
{
	free(ctx);
	return ARCHIVE_OK;
}

int decomp__open_fd(struct archive *a, int fd, uint64_t off, uint64_t len)
{
	struct range_src *src = malloc(sizeof(*src));

	if (!src)
		return -ENOMEM;
	*src = (struct range_src){ .fd = fd, .pos = off, .end = off + len };
	return archive_read_open(a, src, NULL, range_read, range_close) == ARCHIVE_OK ? 0 : -EBADMSG;
}

int decomp__entry(struct make_job *job, struct archive *a, const char *what, uint64_t cap,
		  int *out_fd, uint64_t *out_size)
{
	uint64_t total = 0;
	void *buf = malloc(CHUNK);
	int out, err = 0;
	la_ssize_t n;

	if (!buf)
		return job__fail(job, -ENOMEM, "out of memory");
	out = scratch__new();
	if (out < 0) {
		free(buf);
		return job__fail(job, out, "scratch file: %s", errmsg(out));
	}
	for (;;) {
		if (job->m->cancel && *job->m->cancel) {
			err = job__fail(job, -EINTR, "interrupted");
			break;
		}
		n = archive_read_data(a, buf, CHUNK);
		if (n == 0)
			break;
		if (n < 0) {
			/* Trailing bytes after a stream: keep what came before them. */
			if (total && archive_format(a) == ARCHIVE_FORMAT_RAW)
				break;
			err = job__fail(job, -EBADMSG, "%s: %s", what,
					archive_error_string(a) ?: "corrupt");
			break;
		}
		if ((uint64_t)n > cap - total) {
			err = job__fail(job, -EFBIG,
					"%s: more than %llu MiB decompressed (a decompression bomb?)",
					what, (unsigned long long)(cap >> 20));
			break;
		}
		err = write_all(out, buf, n);
		if (err) {
			job__fail(job, err, "scratch file: %s", errmsg(err));
			break;
		}
		total += n;
	}
	if (!err && !total)
		err = job__fail(job, -EBADMSG, "%s: empty", what);
	free(buf);
	if (err) {
		close(out);
		return err;
	}
	*out_fd = out;
	*out_size = total;
	return 0;
}

int decomp__range(struct make_job *job, int fd, uint64_t off, uint64_t len, uint64_t cap,
		  int *out_fd, uint64_t *out_size, const char **filter)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	char what[48];
	int err;

	if (!a)
		return job__fail(job, -ENOMEM, "out of memory");
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_lzma(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_lz4(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_format_raw(a);
	if (decomp__open_fd(a, fd, off, len) || archive_read_next_header(a, &e) != ARCHIVE_OK) {
		err = job__fail(job, -EBADMSG, "compressed payload: %s",
				archive_error_string(a) ?: "unknown format");
		goto out;
	}
	/* filter 0 is the decompressor; "none" alone: the bytes as they are */
	*filter = archive_filter_count(a) > 1 ? archive_filter_name(a, 0) : "none";
	snprintf(what, sizeof(what), "%s payload", *filter);
	err = decomp__entry(job, a, what, cap, out_fd, out_size);
out:
	archive_read_free(a);
	return err;
}
