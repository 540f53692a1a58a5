// SPDX-License-Identifier: BSD-2-Clause
/*
 * Debian and Ubuntu packages (.deb, .ddeb): an ar archive (libarchive)
 * holding control.tar.* and data.tar.*. The control file gives the
 * architecture, the maintainer and the version (distro.c turns them into
 * key parts); data.tar gives the kernel: boot/vmlinuz-<release> of an image
 * package, usr/lib/debug/[boot/]vmlinux-<release> of a -dbg .deb or .ddeb,
 * streamed into a scratch file and read again (image or ELF). Reading stops
 * at the kernel: the modules that follow it are never decompressed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>

#include "distro.h"
#include "errmsg.h"
#include "escape.h"
#include "readers.h"

#define CONTROL_MAX (1 << 20)
#define MEMBER_CHUNK (64 << 10)

struct inner_src {
	struct archive *outer;
	uint8_t buf[MEMBER_CHUNK];
};

static la_ssize_t inner_read(struct archive *a, void *ctx, const void **buf)
{
	struct inner_src *s = ctx;
	la_ssize_t n = archive_read_data(s->outer, s->buf, sizeof(s->buf));

	if (n < 0)
		archive_set_error(a, EIO, "%s", archive_error_string(s->outer) ?: "read error");
	*buf = s->buf;
	return n;
}

/* A tar member of the ar member @outer is on (control.tar.*, data.tar.*). */
static struct archive *open_inner(struct archive *outer, struct inner_src *src)
{
	struct archive *a = archive_read_new();

	if (!a)
		return NULL;
	src->outer = outer;
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_lzma(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_format_tar(a);
	if (archive_read_open(a, src, NULL, inner_read, NULL) != ARCHIVE_OK) {
		archive_read_free(a);
		return NULL;
	}
	return a;
}

static int read_control(struct make_job *job, struct archive *outer, struct deb_fields *f)
{
	struct inner_src *src = malloc(sizeof(*src));
	struct archive *a = src ? open_inner(outer, src) : NULL;
	struct archive_entry *e;
	char *text = NULL, why[160];
	int err = -ENOENT, r;

	if (!a) {
		err = job__fail(job, -EBADMSG, "control.tar: not a tar archive");
		goto out;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *p = member__path(archive_entry_pathname(e));
		la_ssize_t n;

		if (!p || strcmp(p, "control"))
			continue;
		if (archive_entry_size(e) > CONTROL_MAX) {
			err = job__fail(job, -EFBIG, "control file over %d bytes", CONTROL_MAX);
			goto out;
		}
		text = malloc(CONTROL_MAX + 1);
		if (!text) {
			err = job__fail(job, -ENOMEM, "out of memory");
			goto out;
		}
		n = archive_read_data(a, text, CONTROL_MAX);
		if (n < 0) {
			err = job__fail(job, -EBADMSG, "control.tar: %s", archive_error_string(a));
			goto out;
		}
		err = distro__parse_control(text, n, f, why, sizeof(why));
		if (err)
			err = job__fail(job, err, "control file: %s", ESC(why));
		break;
	}
	if (err == -ENOENT)
		err = job__fail(job, -EBADMSG, "control.tar: %s",
				r == ARCHIVE_EOF ? "no control file" : archive_error_string(a));
out:
	archive_read_free(a);
	free(src);
	free(text);
	return err;
}

static int read_data(struct make_job *job, struct archive *outer)
{
	struct inner_src *src = malloc(sizeof(*src));
	struct archive *a = src ? open_inner(outer, src) : NULL;
	int err;

	if (!a) {
		err = job__fail(job, -EBADMSG, "data.tar: not a tar archive");
		goto out;
	}
	err = member__read_kernel(job, a, "data.tar",
				  "no boot/vmlinuz-* nor usr/lib/debug/[boot/]vmlinux-* in data.tar");
out:
	archive_read_free(a);
	free(src);
	return err;
}

int deb__btf(struct make_job *job, int fd, uint64_t size)
{
	struct deb_fields f = { 0 };
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	bool control = false;
	int err = -ENOENT, r;

	if (!a)
		return job__fail(job, -ENOMEM, "out of memory");
	archive_read_support_format_ar(a);
	if (decomp__open_fd(a, fd, 0, size)) {
		err = job__fail(job, -EBADMSG, "not an ar archive: %s",
				archive_error_string(a) ?: "?");
		goto out;
	}
	job__how(job, "deb");
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e) ?: "";

		if (!strncmp(name, "control.tar", 11)) {
			err = read_control(job, a, &f);
			if (err)
				goto out;
			control = true;
			/* what the package says, before the kernel's file names */
			job__set_part(job, LAYOUT_DISTRO, f.distro, strlen(f.distro));
			job__set_part(job, LAYOUT_VERSION, f.version, strlen(f.version));
			job__set_part(job, LAYOUT_ARCH, f.arch, strlen(f.arch));
		} else if (!strncmp(name, "data.tar", 8)) {
			if (!control) {
				err = job__fail(job, -EBADMSG, "data.tar before control.tar");
				goto out;
			}
			err = read_data(job, a);
			if (!err && !*job->version)
				distro__version_from_release(f.distro, job->release, job->version,
							     sizeof(job->version));
			goto out;
		}
	}
	err = job__fail(job, -EBADMSG, "%s",
			r == ARCHIVE_EOF ? "no data.tar member: not a Debian package"
					 : archive_error_string(a) ?: "corrupt ar archive");
out:
	archive_read_free(a);
	return err;
}
