// SPDX-License-Identifier: BSD-2-Clause
/*
 * Kernel images: an x86 bzImage's payload (where its setup header says),
 * an EFI zboot image's payload (where its zimg header says), a compressed
 * stream (arm64 Image.gz), each decompressed by decomp.c into a scratch file
 * that is read again (infile.c); and an uncompressed arm64 Image, which has
 * no section table: its BTF is found by its header and judged by libbpf.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "errmsg.h"
#include "fsutil.h"
#include "readers.h"

/* A kernel image's vmlinux (no debug info) is far below this. */
#define IMAGE_MAX_PAYLOAD (512ull << 20)

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t payload_cap(const struct make_job *job)
{
	return job->m->max_payload < IMAGE_MAX_PAYLOAD ? job->m->max_payload : IMAGE_MAX_PAYLOAD;
}

/* Decompress [off, off+len) and read the result as a kernel file again. */
static int unpack(struct make_job *job, int fd, uint64_t off, uint64_t len, const char *what)
{
	const char *filter = "?";
	uint64_t n;
	char how[48];
	int out, err;

	err = decomp__range(job, fd, off, len, payload_cap(job), &out, &n, &filter);
	if (err)
		return err;
	snprintf(how, sizeof(how), "%s%s%s", what, *what ? ":" : "", filter);
	job__how(job, how);
	err = infile__btf(job, out, n);
	close(out);
	return err;
}

int image__bzimage(struct make_job *job, int fd, uint64_t size)
{
	uint8_t h[0x250];
	uint64_t start, off, len;
	unsigned int setup_sects;
	int err;

	if (size < sizeof(h))
		return job__fail(job, -EBADMSG, "bzImage shorter than its setup header");
	err = read_full_at(fd, h, sizeof(h), 0);
	if (err)
		return job__fail(job, err, "cannot read: %s", errmsg(err));
	/* Boot protocol 2.08 (2.6.26) added payload_offset/payload_length. */
	if ((h[0x206] | h[0x207] << 8) < 0x208)
		return job__fail(job, -EPROTO, "bzImage boot protocol %u.%02u is older than 2.08",
				 h[0x207], h[0x206]);
	setup_sects = h[0x1f1] ?: 4;
	start = (uint64_t)(setup_sects + 1) * 512;
	off = start + le32(h + 0x248);
	len = le32(h + 0x24c);
	if (off > size || len > size - off || len < 8)
		return job__fail(job, -EBADMSG,
				 "bzImage payload (offset %llu, %llu bytes) lies outside the file",
				 (unsigned long long)off, (unsigned long long)len);
	/*
	 * The kernel's build appends the decompressed size to every payload
	 * but gzip's (whose trailer already holds it): leave it out, so that
	 * the stream ends where the decompressor expects.
	 */
	err = read_full_at(fd, h, 2, off);
	if (err)
		return job__fail(job, err, "cannot read: %s", errmsg(err));
	if (h[0] != 0x1f || h[1] != 0x8b)
		len -= 4;
	return unpack(job, fd, off, len, "bzimage");
}

int image__zboot(struct make_job *job, int fd, uint64_t size)
{
	uint8_t h[56];
	uint64_t off, len;
	char comp[33];
	int err;

	if (size < sizeof(h))
		return job__fail(job, -EBADMSG, "zboot image shorter than its header");
	err = read_full_at(fd, h, sizeof(h), 0);
	if (err)
		return job__fail(job, err, "cannot read: %s", errmsg(err));
	off = le32(h + 8);
	len = le32(h + 12);
	memcpy(comp, h + 24, 32);
	comp[32] = '\0';
	if (off > size || len > size - off || !len)
		return job__fail(job, -EBADMSG,
				 "zboot payload (offset %llu, %llu bytes) lies outside the file",
				 (unsigned long long)off, (unsigned long long)len);
	/* The header names the codec; libarchive tells it from the bytes anyway. */
	return unpack(job, fd, off, len, "zboot");
}

int image__compressed(struct make_job *job, int fd, uint64_t size)
{
	return unpack(job, fd, 0, size, "");
}

/*
 * Whether the @avail bytes at @p start a plausible BTF blob: a little-endian
 * header whose sections fit and whose string section is NUL-delimited.
 * *len gets the blob's length. libbpf then judges it.
 */
static bool btf_candidate(const uint8_t *p, uint64_t avail, uint64_t *len)
{
	uint32_t hdr_len, type_off, type_len, str_off, str_len;
	uint64_t end, s;

	if (avail < 24)
		return false;
	hdr_len = le32(p + 4);
	type_off = le32(p + 8);
	type_len = le32(p + 12);
	str_off = le32(p + 16);
	str_len = le32(p + 20);
	if (hdr_len < 24 || hdr_len > 256 || !str_len)
		return false;
	end = (uint64_t)type_off + type_len;
	if ((uint64_t)str_off + str_len > end)
		end = (uint64_t)str_off + str_len;
	end += hdr_len;
	s = (uint64_t)hdr_len + str_off;
	if (end > avail || end > LAYOUT_BTF_MAX)
		return false;
	*len = end;
	return p[s] == 0 && p[s + str_len - 1] == 0;
}

int image__raw(struct make_job *job, int fd, uint64_t size)
{
	static const uint8_t magic[4] = { 0x9f, 0xeb, 0x01, 0x00 };
	const uint8_t *map, *p;
	uint64_t len;
	int err = -ENOENT;

	if (!size)
		return job__fail(job, -EBADMSG, "empty image");
	map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return job__fail(job, -errno, "mmap: %s", errmsg(-errno));
	/* A kernel's BTF is 4-byte aligned in its image, like every section. */
	for (p = map; (p = memmem(p, size - (p - map), magic, sizeof(magic))); p++) {
		if ((p - map) % 4 || !btf_candidate(p, size - (p - map), &len))
			continue;
		err = infile__take_btf(job, fd, p - map, len);
		if (!err)
			break;
	}
	munmap((void *)map, size);
	if (err == -ENOENT)
		return job__fail(job, -ENOMSG, "no BTF found in the kernel image");
	if (!err)
		job__how(job, "image");
	return err;
}
