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
#define TAR_BLOCK 512
#define TAR_NAME_FIELD 100
#define OUT_BUF (64 << 10)
#define ROUND_UP(n, a) (((uint64_t)(n) + (a) - 1) / (a) * (a))

_Static_assert(WRITER_XZ_EXTREME == LZMA_PRESET_EXTREME, "writer.h's flag is liblzma's");

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

/*
 * The LZMA2 dictionary for a tar of @tar_bytes: the smallest size the xz
 * header can state exactly (2^n or 3 * 2^(n-1), at least 4 KiB) that holds
 * the whole tar, never more than the preset's own. A dictionary beyond the
 * input finds no match a smaller one misses, but the encoder allocates (and
 * under MALLOC_PERTURB_ touches) ~10x it: preset 9's 64 MiB made ~670 MB.
 */
static uint32_t dict_for(uint64_t tar_bytes, uint32_t preset_dict)
{
	uint64_t d = LZMA_DICT_SIZE_MIN;

	while (d < tar_bytes && d < preset_dict)
		d = d & (d - 1) ? d / 3 * 4 : d / 2 * 3;
	return d < preset_dict ? d : preset_dict;
}

/*
 * The tar's size: a name over the header's 100 bytes goes first in a GNU
 * long-name entry (its header, the name and NUL); then the member's header
 * and data, two end blocks, padded to the record.
 */
static uint64_t tar_size(const char *name, uint64_t size)
{
	uint64_t n = strlen(name) > TAR_NAME_FIELD ?
		     TAR_BLOCK + ROUND_UP(strlen(name) + 1, TAR_BLOCK) : 0;

	n += TAR_BLOCK + ROUND_UP(size, TAR_BLOCK) + 2 * TAR_BLOCK;
	return ROUND_UP(n, TAR_RECORD);
}

/* lzma_easy_encoder's stream with one change: the dictionary cut to the tar. */
static int xz_start(lzma_stream *strm, uint32_t preset, uint64_t tar_bytes)
{
	lzma_filter filters[2];
	lzma_options_lzma lz;

	if (lzma_lzma_preset(&lz, preset))
		return -EINVAL;
	lz.dict_size = dict_for(tar_bytes, lz.dict_size);
	filters[0] = (lzma_filter){ .id = LZMA_FILTER_LZMA2, .options = &lz };
	filters[1] = (lzma_filter){ .id = LZMA_VLI_UNKNOWN };
	/* single-threaded, one block */
	return errmsg__lzma(lzma_stream_encoder(strm, filters, LZMA_CHECK_CRC64));
}

int writer__archive(int btf_fd, uint64_t size, const char *release, uint32_t preset,
		    int out_fd)
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
	err = xz_start(&s->strm, preset, tar_size(name, size));
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
