// SPDX-License-Identifier: BSD-2-Clause
/*
 * What an input is, told by its first bytes (never by its name), and the
 * reader for each kind. Containers (packages, compressed images) unpack a
 * member into a scratch file and come back here one level deeper.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/btf.h>

#include "errmsg.h"
#include "fsutil.h"
#include "infile.h"
#include "make_internal.h"
#include "readers.h"

int job__fail(struct make_job *job, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(job->why, sizeof(job->why), fmt, ap);
	va_end(ap);
	return err;
}

void job__how(struct make_job *job, const char *what)
{
	size_t n = strlen(job->how);

	snprintf(job->how + n, sizeof(job->how) - n, "%s%s", n ? ":" : "", what);
}

void job__set_part(struct make_job *job, enum layout_part p, const char *s, size_t len)
{
	char *dst[LAYOUT_PARTS] = { job->distro, job->version, job->arch, job->release };
	size_t sz[LAYOUT_PARTS] = { sizeof(job->distro), sizeof(job->version),
				    sizeof(job->arch), sizeof(job->release) };

	if (p >= LAYOUT_PARTS || *dst[p] || !len)
		return;
	if (len >= sz[p])
		len = sz[p] - 1;
	memcpy(dst[p], s, len);
	dst[p][len] = '\0';
}

int scratch__new(void)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	fd = open(dir && *dir ? dir : "/tmp", O_RDWR | O_TMPFILE | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && (errno == EOPNOTSUPP || errno == EISDIR || errno == ENOENT))
		fd = memfd_create("btfhub-make", MFD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

enum input_kind infile__detect(const uint8_t *b, size_t n)
{
	/* BTF: magic 0xeB9F in either byte order, version 1 */
	if (n >= 4 && ((b[0] == 0x9f && b[1] == 0xeb) || (b[0] == 0xeb && b[1] == 0x9f)) &&
	    b[2] == 1)
		return INPUT_BTF;
	if (n >= 4 && !memcmp(b, "\177ELF", 4))
		return INPUT_ELF;
	if (n >= 8 && !memcmp(b, "!<arch>\n", 8))
		return INPUT_DEB;
	if (n >= 4 && !memcmp(b, "\xed\xab\xee\xdb", 4))
		return INPUT_RPM;
	/* EFI zboot: a PE "MZ" stub whose bytes 4..7 say "zimg" */
	if (n >= 8 && !memcmp(b, "MZ", 2) && !memcmp(b + 4, "zimg", 4))
		return INPUT_ZBOOT;
	/* x86 boot protocol: "HdrS" at 0x202 */
	if (n >= 0x206 && !memcmp(b + 0x202, "HdrS", 4))
		return INPUT_BZIMAGE;
	/* arm64 Image: "ARM\x64" at 0x38 */
	if (n >= 0x3c && !memcmp(b + 0x38, "ARM\x64", 4))
		return INPUT_ARM64_IMAGE;
	/* A compressed stream (Image.gz, vmlinux.xz): whatever libarchive's filters take. */
	if ((n >= 2 && b[0] == 0x1f && b[1] == 0x8b) ||
	    (n >= 6 && !memcmp(b, "\xfd" "7zXZ\0", 6)) ||
	    (n >= 4 && !memcmp(b, "\x28\xb5\x2f\xfd", 4)) ||
	    (n >= 3 && !memcmp(b, "BZh", 3)) ||
	    (n >= 4 && (!memcmp(b, "\x02\x21\x4c\x18", 4) || !memcmp(b, "\x04\x22\x4d\x18", 4))))
		return INPUT_COMPRESSED;
	return INPUT_UNKNOWN;
}

const char *infile__kind_name(enum input_kind k)
{
	static const char *const names[] = {
		[INPUT_UNKNOWN] = "unknown",
		[INPUT_BTF] = "btf",
		[INPUT_ELF] = "elf",
		[INPUT_DEB] = "deb",
		[INPUT_RPM] = "rpm",
		[INPUT_ZBOOT] = "zboot",
		[INPUT_BZIMAGE] = "bzimage",
		[INPUT_ARM64_IMAGE] = "image",
		[INPUT_COMPRESSED] = "compressed",
	};

	return k < sizeof(names) / sizeof(names[0]) ? names[k] : "unknown";
}

int infile__take_btf(struct make_job *job, int fd, uint64_t off, uint64_t len)
{
	struct btf *btf;
	void *buf;
	int out, err;

	if (len > LAYOUT_BTF_MAX)
		return job__fail(job, -EFBIG, "BTF of %llu bytes is over the %llu MiB limit",
				 (unsigned long long)len, LAYOUT_BTF_MAX >> 20);
	buf = malloc(len ?: 1);
	if (!buf)
		return job__fail(job, -ENOMEM, "out of memory");
	err = read_full_at(fd, buf, len, off);
	if (err) {
		free(buf);
		return job__fail(job, err == -ENODATA ? -EBADMSG : err, "cannot read BTF: %s",
				 err == -ENODATA ? "file ends early" : errmsg(err));
	}
	/* libbpf's parser is the one judge of what is BTF (bounds, strings, types). */
	btf = btf__new(buf, len);
	if (!btf) {
		err = -errno;
		free(buf);
		return job__fail(job, -EBADMSG, "not valid BTF: %s", errmsg(err));
	}
	btf__free(btf);
	out = memfd_create("btfhub-make-btf", MFD_CLOEXEC);
	if (out < 0) {
		err = -errno;
		free(buf);
		return job__fail(job, err, "memfd_create: %s", errmsg(err));
	}
	err = write_all(out, buf, len);
	free(buf);
	if (err) {
		close(out);
		return job__fail(job, err, "cannot write BTF: %s", errmsg(err));
	}
	job->btf_fd = out;
	job->btf_size = len;
	return 0;
}

int infile__btf(struct make_job *job, int fd, uint64_t size)
{
	uint8_t head[0x240];
	enum input_kind kind;
	size_t n = size < sizeof(head) ? size : sizeof(head);
	int err;

	if (!size)
		return job__fail(job, -EBADMSG, "an empty file");

	if (job->depth++ >= MAKE_MAX_DEPTH)
		return job__fail(job, -EBADMSG, "containers nested more than %d deep",
				 MAKE_MAX_DEPTH);
	err = read_full_at(fd, head, n, 0);
	if (err)
		return job__fail(job, err, "cannot read: %s", errmsg(err));
	kind = infile__detect(head, n);
	switch (kind) {
	case INPUT_BTF:
		job__how(job, "btf");
		return infile__take_btf(job, fd, 0, size);
	case INPUT_ELF:
		return elf__btf(job, fd, size);
	case INPUT_BZIMAGE:
		return image__bzimage(job, fd, size);
	case INPUT_ZBOOT:
		return image__zboot(job, fd, size);
	case INPUT_ARM64_IMAGE:
		return image__raw(job, fd, size);
	case INPUT_COMPRESSED:
		return image__compressed(job, fd, size);
	case INPUT_DEB:
		return deb__btf(job, fd, size);
	case INPUT_RPM:
		return rpm__btf(job, fd, size);
	default:
		return job__fail(job, -EBADMSG,
				 "not a kernel package, image, vmlinux or raw BTF (unknown format)");
	}
}
