// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileid.h"
#include "fsutil.h"
#include "stamp.h"

#define STAMP_MAGIC	"embedgen-stamp 1\n"
#define STAMP_MAX	4096
#define STAMP_SUFFIX	".embedgen-stamp"

/* Length-prefixed, so that no two sequences of fields hash alike. */
static void put(struct sha256_ctx *c, const void *data, size_t len)
{
	uint64_t n = len;

	sha256_update(c, &n, sizeof(n));
	sha256_update(c, data, len);
}

static void put_str(struct sha256_ctx *c, const char *s)
{
	put(c, s, strlen(s));
}

/* fileid.h's identity: a library rewritten in place, mtime restored, still changes it. */
static void put_file_id(struct sha256_ctx *c, const char *path)
{
	struct file_id id = {};
	struct stat st;

	if (stat(path, &st) == 0)
		file_id__from_stat(&id, &st);
	put_str(c, path);
	put(c, &id, sizeof(id));
}

static int put_object(struct dl_phdr_info *info, size_t size, void *ctx)
{
	char exe[PATH_MAX];
	ssize_t n;

	(void)size;
	if (info->dlpi_name && info->dlpi_name[0]) {
		put_file_id(ctx, info->dlpi_name);
	} else if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0) {
		exe[n] = '\0';
		put_file_id(ctx, exe);	/* the main program has no name here */
	}
	return 0;
}

void stamp__init(struct stamp *s, int argc, char *const argv[])
{
	int i;

	sha256_init(&s->ctx);
	put_str(&s->ctx, STAMP_MAGIC);
	dl_iterate_phdr(put_object, &s->ctx);
	for (i = 0; i < argc; i++)
		put_str(&s->ctx, argv[i]);
	put_str(&s->ctx, "inputs");
}

void stamp__add(struct stamp *s, const char *kind, const char *name, const void *data,
		size_t len)
{
	put_str(&s->ctx, kind);
	put_str(&s->ctx, name);
	put(&s->ctx, data, len);
}

/* The stamp of the first output; NULL if there is none or one is stdout. */
static char *stamp_path(const char *const outputs[], size_t n)
{
	const char *first = NULL, *base;
	char *p;
	size_t i;

	for (i = 0; i < n; i++) {
		if (outputs[i] && !strcmp(outputs[i], "-"))
			return NULL;
		if (outputs[i] && !first)
			first = outputs[i];
	}
	if (!first)
		return NULL;
	base = strrchr(first, '/');
	if (asprintf(&p, "%.*s.%s" STAMP_SUFFIX, base ? (int)(base - first + 1) : 0, first,
		     base ? base + 1 : first) < 0)
		return NULL;
	return p;
}

static int output_line(const char *path, char *buf, size_t size)
{
	uint8_t d[SHA256_DIGEST_LEN];
	char hex[SHA256_HEX_LEN];
	struct stat st;
	int fd, err;

	fd = open_regular(path, &st);
	if (fd < 0)
		return fd;
	err = sha256_fd(fd, d);
	close(fd);
	if (err)
		return err;
	sha256_hex(d, hex);
	return snprintf(buf, size, "output %s %" PRIu64 "\n", hex, (uint64_t)st.st_size) <
	       (int)size ? 0 : -ENAMETOOLONG;
}

static int stamp_text(const struct stamp *s, const char *const outputs[], size_t n,
		      const struct bundle_stats *st, char *buf, size_t size)
{
	size_t i, len;
	int err;

	len = snprintf(buf, size, STAMP_MAGIC "inputs %s\nstats %u %u %u %u %u %" PRIu64 " %"
		       PRIu64 " %" PRIu64 " %" PRIu64 "\n", s->inputs, st->entries, st->blobs,
		       st->blocks, st->chunks, st->dict_raw, st->meta_bytes, st->raw_bytes,
		       st->unique_bytes, st->bundle_bytes);
	for (i = 0; i < n && len < size; i++) {
		if (!outputs[i])
			continue;
		err = output_line(outputs[i], buf + len, size - len);
		if (err)
			return err;
		len += strlen(buf + len);
	}
	return len < size ? 0 : -ENAMETOOLONG;
}

bool stamp__check(struct stamp *s, const char *const outputs[], size_t n,
		  struct bundle_stats *st)
{
	char *path = stamp_path(outputs, n), *want = NULL;
	struct bundle_stats rec = {};
	uint8_t d[SHA256_DIGEST_LEN];
	void *data = NULL;
	size_t len;
	bool fresh = false;

	sha256_final(&s->ctx, d);
	sha256_hex(d, s->inputs);
	if (!path || read_file(path, &data, &len, STAMP_MAX))
		goto out;
	/* The stats as recorded, then the whole text as it would be written now. */
	if (sscanf(data, STAMP_MAGIC "inputs %*64[0-9a-f]\nstats %u %u %u %u %u %" SCNu64 " %"
		   SCNu64 " %" SCNu64 " %" SCNu64, &rec.entries, &rec.blobs, &rec.blocks,
		   &rec.chunks, &rec.dict_raw, &rec.meta_bytes, &rec.raw_bytes,
		   &rec.unique_bytes, &rec.bundle_bytes) != 9)
		goto out;
	want = malloc(STAMP_MAX);
	if (!want || stamp_text(s, outputs, n, &rec, want, STAMP_MAX))
		goto out;
	fresh = strlen(want) == len && !memcmp(want, data, len);
	if (fresh)
		*st = rec;
out:
	free(want);
	free(data);
	free(path);
	return fresh;
}

int stamp__write(const struct stamp *s, const char *const outputs[], size_t n,
		 const struct bundle_stats *st)
{
	char *path = stamp_path(outputs, n), *buf = NULL;
	int err;

	if (!path)
		return 0;
	buf = malloc(STAMP_MAX);
	err = buf ? stamp_text(s, outputs, n, st, buf, STAMP_MAX) : -ENOMEM;
	if (!err)
		err = write_file_atomic(path, buf, strlen(buf));
	free(buf);
	free(path);
	return err;
}
