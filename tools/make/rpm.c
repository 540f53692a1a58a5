// SPDX-License-Identifier: BSD-2-Clause
/*
 * RPM packages (kernel-core, kernel, kernel-debuginfo): a 96-byte lead, a
 * signature header (padded to 8 bytes), the main header, then the payload, a
 * compressed cpio archive that libarchive reads. The headers are parsed
 * here, bounded: counts and sizes are checked before anything is allocated,
 * every tag's offset against the data store, every string for its NUL.
 * The key's parts come from NAME/VERSION/RELEASE/ARCH/VENDOR (distro.h's
 * RPM table) and the kernel's path in the payload (lib/modules/R/vmlinuz).
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
#include "fsutil.h"
#include "readers.h"

#define RPM_LEAD_SIZE 96
#define RPM_MAX_TAGS 65536		/* rpm's own HEADER_TAGS_MAX */
#define RPM_MAX_STORE (64u << 20)	/* kernel headers are a few MiB (file lists) */

enum {
	TAG_NAME = 1000, TAG_VERSION = 1001, TAG_RELEASE = 1002, TAG_VENDOR = 1011,
	TAG_ARCH = 1022,
	TYPE_STRING = 6, TYPE_I18NSTRING = 9,
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/* The header at *@off: its tags' strings we want into @f; *@off moves past it. */
static int read_header(struct make_job *job, int fd, uint64_t size, uint64_t *off,
		       struct rpm_fields *f, const char *what)
{
	uint8_t intro[16], *blob = NULL;
	uint32_t n, hsize, i;
	uint64_t len;
	int err;

	if (*off + sizeof(intro) > size)
		return job__fail(job, -EBADMSG, "RPM %s header: file ends early", what);
	err = read_full_at(fd, intro, sizeof(intro), *off);
	if (err)
		return job__fail(job, err, "cannot read: %s", errmsg(err));
	if (memcmp(intro, "\x8e\xad\xe8\x01", 4))
		return job__fail(job, -EBADMSG, "RPM %s header: bad magic", what);
	n = be32(intro + 8);
	hsize = be32(intro + 12);
	if (n > RPM_MAX_TAGS || hsize > RPM_MAX_STORE)
		return job__fail(job, -EBADMSG, "RPM %s header claims %u tags, %u bytes", what,
				 n, hsize);
	len = (uint64_t)n * 16 + hsize;
	if (*off + sizeof(intro) + len > size)
		return job__fail(job, -EBADMSG, "RPM %s header: file ends early", what);
	blob = malloc(len + 1);
	if (!blob)
		return job__fail(job, -ENOMEM, "out of memory");
	err = read_full_at(fd, blob, len, *off + sizeof(intro));
	if (err) {
		free(blob);
		return job__fail(job, err, "cannot read: %s", errmsg(err));
	}
	blob[len] = '\0';
	for (i = 0; f && i < n; i++) {
		const uint8_t *e = blob + (size_t)i * 16;
		uint32_t tag = be32(e), type = be32(e + 4), o = be32(e + 8);
		const char *s = (const char *)blob + (size_t)n * 16 + o;
		char *dst = NULL;
		size_t dsz = 0;

		if (type != TYPE_STRING && type != TYPE_I18NSTRING)
			continue;
		switch (tag) {
		case TAG_NAME: dst = f->name; dsz = sizeof(f->name); break;
		case TAG_VERSION: dst = f->version; dsz = sizeof(f->version); break;
		case TAG_RELEASE: dst = f->release; dsz = sizeof(f->release); break;
		case TAG_VENDOR: dst = f->vendor; dsz = sizeof(f->vendor); break;
		case TAG_ARCH: dst = f->arch; dsz = sizeof(f->arch); break;
		default: continue;
		}
		if (o >= hsize || !memchr(s, '\0', hsize - o)) {
			free(blob);
			return job__fail(job, -EBADMSG, "RPM header tag %u lies outside its store", tag);
		}
		snprintf(dst, dsz, "%s", s);
	}
	free(blob);
	*off += sizeof(intro) + len;
	return 0;
}

static int read_payload(struct make_job *job, int fd, uint64_t off, uint64_t size)
{
	struct archive *a = archive_read_new();
	int err;

	if (!a)
		return job__fail(job, -ENOMEM, "out of memory");
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_lzma(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_format_cpio(a);
	if (decomp__open_fd(a, fd, off, size - off)) {
		err = job__fail(job, -EBADMSG, "RPM payload: %s",
				archive_error_string(a) ?: "not a compressed cpio archive");
		goto out;
	}
	err = member__read_kernel(job, a, "RPM payload",
				  "no lib/modules/*/vmlinuz, boot/vmlinuz-* nor debug vmlinux in the RPM payload");
out:
	archive_read_free(a);
	return err;
}

int rpm__btf(struct make_job *job, int fd, uint64_t size)
{
	struct rpm_fields f = { 0 };
	uint64_t off = RPM_LEAD_SIZE;
	int err;

	if (size < RPM_LEAD_SIZE)
		return job__fail(job, -EBADMSG, "RPM shorter than its lead");
	job__how(job, "rpm");
	/* the signature header, padded to 8 bytes; then the header proper */
	err = read_header(job, fd, size, &off, NULL, "signature");
	if (err)
		return err;
	off = (off + 7) & ~7ull;
	err = read_header(job, fd, size, &off, &f, "main");
	if (err)
		return err;
	distro__rpm(&f);
	job__set_part(job, LAYOUT_DISTRO, f.distro, strlen(f.distro));
	job__set_part(job, LAYOUT_VERSION, f.dist_version, strlen(f.dist_version));
	job__set_part(job, LAYOUT_ARCH, f.arch, strlen(f.arch));
	return read_payload(job, fd, off, size);
}
