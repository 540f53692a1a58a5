// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>
#include <lzma.h>

#include "errmsg.h"
#include "fsutil.h"
#include "writer.h"

/* GNU tar's record: 20 blocks of 512 bytes, the last one padded too. */
#define TAR_RECORD 10240
#define XZ_PRESET 9
#define OUT_BUF (64 << 10)

struct xz_sink {
	lzma_stream strm;
	int fd;
	int err;
	uint8_t buf[OUT_BUF];
};

/* Feed @len bytes (or, with LZMA_FINISH, the end) through liblzma to the fd. */
static int sink_code(struct xz_sink *s, const void *data, size_t len, lzma_action action)
{
	lzma_ret r;

	s->strm.next_in = data;
	s->strm.avail_in = len;
	do {
		s->strm.next_out = s->buf;
		s->strm.avail_out = sizeof(s->buf);
		r = lzma_code(&s->strm, action);
		if (r != LZMA_OK && r != LZMA_STREAM_END)
			return errmsg__lzma(r) ?: -EIO;
		if (sizeof(s->buf) - s->strm.avail_out) {
			int err = write_all(s->fd, s->buf, sizeof(s->buf) - s->strm.avail_out);

			if (err)
				return err;
		}
	} while (s->strm.avail_in || (action == LZMA_FINISH && r != LZMA_STREAM_END));
	return 0;
}

static la_ssize_t sink_write(struct archive *a, void *ctx, const void *data, size_t len)
{
	struct xz_sink *s = ctx;

	s->err = sink_code(s, data, len, LZMA_RUN);
	if (s->err) {
		archive_set_error(a, -s->err, "%s", errmsg(s->err));
		return -1;
	}
	return len;
}

int writer__archive(int btf_fd, uint64_t size, const char *release, int out_fd)
{
	struct archive_entry *e = NULL;
	struct archive *a = NULL;
	struct xz_sink *s;
	char name[PATH_MAX];
	uint64_t off = 0;
	void *buf = NULL;
	int err = -ENOMEM;

	if (snprintf(name, sizeof(name), "%s.btf", release) >= (int)sizeof(name))
		return -ENAMETOOLONG;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->fd = out_fd;
	s->strm = (lzma_stream)LZMA_STREAM_INIT;
	/* lzma_easy_encoder is single-threaded: one block, sizes not in its header. */
	err = errmsg__lzma(lzma_easy_encoder(&s->strm, XZ_PRESET, LZMA_CHECK_CRC64));
	if (err)
		goto out;
	err = -ENOMEM;
	a = archive_write_new();
	e = archive_entry_new();
	buf = malloc(OUT_BUF);
	if (!a || !e || !buf)
		goto out;
	err = -EIO;
	if (archive_write_set_format_gnutar(a) ||
	    archive_write_set_bytes_per_block(a, TAR_RECORD) ||
	    archive_write_set_bytes_in_last_block(a, TAR_RECORD) ||
	    archive_write_open2(a, s, NULL, sink_write, NULL, NULL))
		goto out;
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, size);
	archive_entry_set_mtime(e, 0, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	if (archive_write_header(a, e) != ARCHIVE_OK)
		goto lib_err;
	while (off < size) {
		size_t n = size - off < OUT_BUF ? size - off : OUT_BUF;

		err = read_full_at(btf_fd, buf, n, off);
		if (err)
			goto out;
		if (archive_write_data(a, buf, n) != (la_ssize_t)n)
			goto lib_err;
		off += n;
	}
	if (archive_write_close(a) != ARCHIVE_OK)
		goto lib_err;
	err = sink_code(s, NULL, 0, LZMA_FINISH);
	goto out;
lib_err:
	err = s->err ?: -(archive_errno(a) > 0 ? archive_errno(a) : EIO);
out:
	archive_entry_free(e);
	archive_write_free(a);
	lzma_end(&s->strm);
	free(s);
	free(buf);
	return err;
}
