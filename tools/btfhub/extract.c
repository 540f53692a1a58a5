// SPDX-License-Identifier: BSD-2-Clause
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "escape.h"
#include "extract.h"
#include "fsutil.h"

#define BLOCK_SIZE (64 * 1024)

static int fail(int err, char *why, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(int err, char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return err;
}

/* Path checks come first so a hostile name is reported as what it is. */
static int check_entry(struct archive_entry *e, const char *member,
		       uint64_t max_size, char *why, size_t size)
{
	const char *name = archive_entry_pathname(e);
	const char *p;
	mode_t type = archive_entry_filetype(e);

	if (!name || !*name)
		return fail(-EBADMSG, why, size, "member without a name");
	if (name[0] == '/')
		return fail(-EBADMSG, why, size, "absolute member path '%s'", ESC(name));
	for (p = name; p; p = strchr(p, '/') ? strchr(p, '/') + 1 : NULL)
		if (!strncmp(p, "..", 2) && (p[2] == '/' || p[2] == '\0'))
			return fail(-EBADMSG, why, size, "member path '%s' contains '..'",
				    ESC(name));
	if (archive_entry_hardlink(e))
		return fail(-EBADMSG, why, size, "member '%s' is a hard link", ESC(name));
	if (type == AE_IFLNK)
		return fail(-EBADMSG, why, size, "member '%s' is a symlink", ESC(name));
	if (type != AE_IFREG)
		return fail(-EBADMSG, why, size, "member '%s' is not a regular file (type 0%o)",
			    ESC(name), (unsigned int)type);
	/* BTFHub archives hold "<release>.btf"; accept a leading "./" as well. */
	if (!strncmp(name, "./", 2))
		name += 2;
	if (strcmp(name, member))
		return fail(-EBADMSG, why, size, "unexpected member '%s' (want '%s')",
			    ESC(archive_entry_pathname(e)), ESC(member));
	if (archive_entry_size_is_set(e) && (uint64_t)archive_entry_size(e) > max_size)
		return fail(-EBADMSG, why, size, "member is %lld bytes, over the %llu byte cap",
			    (long long)archive_entry_size(e), (unsigned long long)max_size);
	return 0;
}

/* Parse the written file with libbpf: the same check the tracer relies on. */
static int validate_btf(int fd, uint64_t len, char *why, size_t size)
{
	char msg[128];
	struct btf *btf;
	void *map;
	int err;

	map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return fail(-errno, why, size, "cannot map extracted file: %s", strerror(errno));
	btf = btf__new(map, len);
	err = libbpf_get_error(btf);
	munmap(map, len);
	if (err) {
		/* libbpf's own codes (4000+) have no strerror() text. */
		libbpf_strerror(err, msg, sizeof(msg));
		return fail(-EBADMSG, why, size, "member is not valid BTF (%s)", msg);
	}
	btf__free(btf);
	return 0;
}

/* struct btf_header of <linux/btf.h>, as it is on disk. */
struct btf_head {
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len, type_off, type_len, str_off, str_len;
};
#define BTF_HEAD_MAGIC 0xeB9F
#define BTF_HEAD_MAX 4096	/* header bytes libbpf would accept (the tail must be zero) */

/*
 * Check the header from a member's first bytes, before anything is
 * written: magic, version and the lengths it declares, which fix the
 * member's size. @member_size is the tar header's (-1 when unset). Sets
 * *@declared. A member of zeros or garbage fails here, on its first block.
 */
static int check_btf_head(const uint8_t raw[sizeof(struct btf_head)], int64_t member_size,
			  uint64_t max_size, uint64_t *declared, char *why, size_t size)
{
	struct btf_head h;
	uint64_t types, strs;
	bool swap;

	memcpy(&h, raw, sizeof(h));
	swap = h.magic == __builtin_bswap16(BTF_HEAD_MAGIC);
	if (h.magic != BTF_HEAD_MAGIC && !swap)
		return fail(-EBADMSG, why, size, "member is not valid BTF (magic 0x%04x)",
			    h.magic);
	if (swap) {
		h.hdr_len = __builtin_bswap32(h.hdr_len);
		h.type_off = __builtin_bswap32(h.type_off);
		h.type_len = __builtin_bswap32(h.type_len);
		h.str_off = __builtin_bswap32(h.str_off);
		h.str_len = __builtin_bswap32(h.str_len);
	}
	if (h.version != 1)
		return fail(-EBADMSG, why, size, "member is not valid BTF (version %u)", h.version);
	if (h.hdr_len < sizeof(h) || h.hdr_len > BTF_HEAD_MAX)
		return fail(-EBADMSG, why, size, "member is not valid BTF (header length %u)",
			    h.hdr_len);
	types = (uint64_t)h.type_off + h.type_len;
	strs = (uint64_t)h.str_off + h.str_len;
	*declared = h.hdr_len + (types > strs ? types : strs);
	if (*declared > max_size)
		return fail(-EBADMSG, why, size, "BTF header declares %llu bytes, over the %llu "
			    "byte cap", (unsigned long long)*declared, (unsigned long long)max_size);
	if (member_size >= 0 && (uint64_t)member_size != *declared)
		return fail(-EBADMSG, why, size, "member is %lld bytes, its BTF header declares %llu",
			    (long long)member_size, (unsigned long long)*declared);
	return 0;
}

/* libarchive's reader over a descriptor by offset (its own read() would move the offset). */
struct fd_reader {
	int fd;
	off_t off;
	char buf[BLOCK_SIZE];
};

static la_ssize_t fd_read(struct archive *a, void *ctx, const void **buf)
{
	struct fd_reader *r = ctx;
	ssize_t n;

	do
		n = pread(r->fd, r->buf, sizeof(r->buf), r->off);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		archive_set_error(a, errno, "read: %s", strerror(errno));
		return -1;
	}
	r->off += n;
	*buf = r->buf;
	return n;
}

/* A write error as the one line (a bad member's -EBADMSG already has its own). */
static int write_fail(int err, char *why, size_t size)
{
	if (err != -EBADMSG)
		fail(err, why, size, "cannot write: %s", strerror(-err));
	return err;
}

/*
 * Move @a to its one member and check its name, type and size (the tar
 * header's, -1 when unset, into *@member_size): a lone "./" directory entry
 * before it is skipped.
 */
static int first_member(struct archive *a, const char *member, uint64_t max_size,
			int64_t *member_size, char *why, size_t why_size)
{
	struct archive_entry *e;
	int r, err;

	r = archive_read_next_header(a, &e);
	/* tar's "./" directory entry (tar -C dir .) is harmless: skip one. */
	if (r == ARCHIVE_OK && archive_entry_filetype(e) == AE_IFDIR &&
	    archive_entry_pathname(e) && !strcmp(archive_entry_pathname(e), "./"))
		r = archive_read_next_header(a, &e);
	if (r == ARCHIVE_EOF)
		return fail(-EBADMSG, why, why_size, "empty archive");
	if (r != ARCHIVE_OK)
		return fail(-EBADMSG, why, why_size, "corrupt archive: %s", archive_error_string(a));
	err = check_entry(e, member, max_size, why, why_size);
	if (err)
		return err;
	*member_size = archive_entry_size_is_set(e) ? archive_entry_size(e) : -1;
	return 0;
}

/*
 * Copy the current member's data to @fd: nothing is written before its BTF
 * header is checked, and never more than the header declares (nor than
 * @max_size). *@total gets the bytes written, all of them declared.
 */
static int copy_member(struct archive *a, int fd, int64_t member_size, uint64_t max_size,
		       const struct extract_opts *opts, uint64_t *total_out, char *why,
		       size_t why_size)
{
	uint8_t head[sizeof(struct btf_head)];
	uint64_t total = 0, limit = max_size;	/* limit: what the header declares, once read */
	size_t head_len = 0;
	int err, r;

	for (;;) {
		const void *buf;
		size_t len, take = 0;
		la_int64_t off;

		if (opts && opts->cancel && *opts->cancel)
			return fail(-EINTR, why, why_size, "interrupted");
		r = archive_read_data_block(a, &buf, &len, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK)
			return fail(-EBADMSG, why, why_size, "corrupt archive: %s",
				    archive_error_string(a));
		/* Sparse tar members come with offsets; BTF is never sparse. */
		if ((uint64_t)off != total)
			return fail(-EBADMSG, why, why_size, "sparse member");
		if (len > limit - total)
			return fail(-EBADMSG, why, why_size, total + len > max_size ?
				    "decompressed member exceeds the %llu byte cap" :
				    "member is longer than its BTF header declares (%llu bytes)",
				    (unsigned long long)limit);
		/* Nothing is written before the BTF header has been checked. */
		if (head_len < sizeof(head)) {
			take = len < sizeof(head) - head_len ? len : sizeof(head) - head_len;
			memcpy(head + head_len, buf, take);
			head_len += take;
			total += take;
			if (head_len < sizeof(head))
				continue;
			err = check_btf_head(head, member_size, max_size, &limit, why, why_size);
			err = err ?: write_all(fd, head, sizeof(head));
			if (err)
				return write_fail(err, why, why_size);
		}
		err = write_all(fd, (const char *)buf + take, len - take);
		if (err)
			return write_fail(err, why, why_size);
		total += len - take;
	}
	if (total < sizeof(head))
		return fail(-EBADMSG, why, why_size, total ? "member is %llu bytes, not BTF" :
			    "member is empty, not BTF", (unsigned long long)total);
	if (total != limit)
		return fail(-EBADMSG, why, why_size,
			    "member is %llu bytes, its BTF header declares %llu",
			    (unsigned long long)total, (unsigned long long)limit);
	*total_out = total;
	return 0;
}

/* Exactly one member: anything after it (even a directory) is refused. */
static int no_more_members(struct archive *a, const char *member, char *why, size_t why_size)
{
	struct archive_entry *e;
	int r = archive_read_next_header(a, &e);

	if (r == ARCHIVE_OK)
		return fail(-EBADMSG, why, why_size, "more than one member ('%s' after '%s')",
			    ESC(archive_entry_pathname(e) ?: ""), ESC(member));
	if (r != ARCHIVE_EOF)
		return fail(-EBADMSG, why, why_size, "corrupt archive: %s", archive_error_string(a));
	return 0;
}

int extract__btf_fd(int archive_fd, const char *release, int fd,
		    const struct extract_opts *opts, uint64_t *size, char *why, size_t why_size)
{
	uint64_t max_size = opts && opts->max_size ? opts->max_size : EXTRACT_DEFAULT_MAX_SIZE;
	struct fd_reader *rd = NULL;
	uint64_t total = 0;
	int64_t member_size = -1;
	struct archive *a;
	char *member = NULL;
	struct stat st;
	int err;

	why[0] = '\0';
	*size = 0;
	if (fstat(archive_fd, &st))
		return fail(-errno, why, why_size, "cannot stat archive: %s", strerror(errno));
	if (!S_ISREG(st.st_mode))
		return fail(-ESPIPE, why, why_size, "archive is not a regular file");
	if (asprintf(&member, "%s.btf", release) < 0)
		return fail(-ENOMEM, why, why_size, "out of memory");
	rd = malloc(sizeof(*rd));
	a = rd ? archive_read_new() : NULL;
	if (!a) {
		free(rd);
		free(member);
		return fail(-ENOMEM, why, why_size, "out of memory");
	}
	rd->fd = archive_fd;
	rd->off = 0;
	/* Only what BTFHub publishes: anything else is refused, not guessed at. */
	archive_read_support_filter_xz(a);
	archive_read_support_format_tar(a);
	if (archive_read_open(a, rd, NULL, fd_read, NULL) != ARCHIVE_OK) {
		err = fail(-EBADMSG, why, why_size, "not a .tar.xz: %s", archive_error_string(a));
		goto out;
	}
	err = first_member(a, member, max_size, &member_size, why, why_size);
	err = err ?: copy_member(a, fd, member_size, max_size, opts, &total, why, why_size);
	err = err ?: no_more_members(a, member, why, why_size);
	if (!err && (!opts || !opts->no_btf_parse))
		err = validate_btf(fd, total, why, why_size);
	if (!err)
		*size = total;
out:
	archive_read_free(a);
	free(rd);
	free(member);
	return err;
}

int extract__btf(int archive_fd, const char *release, const char *dest,
		 const struct extract_opts *opts, char *why, size_t why_size)
{
	struct atomic_file af = { .fd = -1 };
	uint64_t size;
	int err;

	why[0] = '\0';
	err = atomic_file__open(&af, dest);
	if (err)
		return fail(err, why, why_size, "cannot create %s: %s", dest, strerror(-err));
	err = extract__btf_fd(archive_fd, release, af.fd, opts, &size, why, why_size);
	if (err) {
		if (err != -EINTR && !strncmp(why, "cannot write: ", 14))
			fail(err, why, why_size, "cannot write %s: %s", dest, strerror(-err));
		atomic_file__abort(&af);
		return err;
	}
	err = atomic_file__commit(&af);
	if (err)
		fail(err, why, why_size, "cannot rename into %s: %s", dest, strerror(-err));
	return err;
}
