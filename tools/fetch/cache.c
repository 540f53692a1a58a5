// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "fileid.h"
#include "fsutil.h"

static char *key_of(const char *prefix, const char *s)
{
	uint8_t d[SHA256_DIGEST_LEN];
	char hex[SHA256_HEX_LEN], *out;

	sha256_buf(s, strlen(s), d);
	sha256_hex(d, hex);
	if (asprintf(&out, "%s-%.16s", prefix, hex) < 0)
		return NULL;
	return out;
}

int cache__init(struct cache *c, const char *dir, const char *source_base,
		const char *out_dir)
{
	char abs_out[PATH_MAX];
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	int err, n = 0;

	memset(c, 0, sizeof(*c));
	if (dir)
		c->dir = strdup(dir);
	else if (xdg && *xdg)
		n = asprintf(&c->dir, "%s/btfkit/fetch", xdg);
	else if (home && *home)
		n = asprintf(&c->dir, "%s/.cache/btfkit/fetch", home);
	else
		return -ENOENT;
	if (n < 0)
		c->dir = NULL;
	if (!c->dir)
		return -ENOMEM;
	err = mkdir_p(c->dir);
	if (err)
		return err;
	/* Key stamps by the real output dir so two spellings share them. */
	if (!realpath(out_dir, abs_out))
		return -errno;
	c->src_key = key_of("src", source_base);
	c->out_key = key_of("out", abs_out);
	return c->src_key && c->out_key ? 0 : -ENOMEM;
}

void cache__free(struct cache *c)
{
	free(c->dir);
	free(c->src_key);
	free(c->out_key);
	memset(c, 0, sizeof(*c));
}

static char *kernel_path(const struct cache *c, const char *key,
			 const struct kernel *k, const char *ext)
{
	char *p;

	if (asprintf(&p, "%s/%s/%s/%s/%s/%s%s", c->dir, key, k->distro,
		     k->out_version, k->out_arch, k->release, ext) < 0)
		return NULL;
	return p;
}

char *cache__archive_path(const struct cache *c, const struct kernel *k, const char *suffix)
{
	char ext[64];

	snprintf(ext, sizeof(ext), "%s%s", c->suffix ?: LAYOUT_SUFFIX_ARCHIVE, suffix);
	return kernel_path(c, c->src_key, k, ext);
}

static void copy_field(char *dst, size_t size, const char *src)
{
	size_t len = strcspn(src, "\r\n");

	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

int cache__meta_read(const char *path, struct cache_meta *meta)
{
	char *data, *line;
	size_t len;
	int err;

	memset(meta, 0, sizeof(*meta));
	err = read_file(path, (void **)&data, &len, 4096);
	if (err)
		return err;
	for (line = data; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		if (!strncmp(line, "etag: ", 6))
			copy_field(meta->etag, sizeof(meta->etag), line + 6);
		else if (!strncmp(line, "last-modified: ", 15))
			copy_field(meta->last_modified, sizeof(meta->last_modified), line + 15);
		else if (!strncmp(line, "path: ", 6))
			copy_field(meta->path, sizeof(meta->path), line + 6);
	}
	free(data);
	return 0;
}

int cache__meta_write(const char *path, const struct cache_meta *meta)
{
	char buf[2048];
	int n;

	n = snprintf(buf, sizeof(buf), "etag: %s\nlast-modified: %s\npath: %s\n",
		     meta->etag, meta->last_modified, meta->path);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -EOVERFLOW;
	return write_file_atomic(path, buf, n);
}

#define STAMP_MAGIC "btfhub-fetch-stamp 2\n"
#define STAMP_MAX 512

/*
 * The stamp: the archive the output came from, and the output's own digest
 * record (fileid.h). The output is current while that record vouches for
 * it, or, when it no longer does (touched, copied, not yet settled), while
 * its content still has the recorded digest: an output rewritten in place
 * with its mtime restored is read again, and redone if it differs.
 */
static int stamp_format(const char *archive_sha, const struct file_digest *out, char *buf)
{
	char rec[FILE_DIGEST_REC_MAX];

	file_digest__format(out, rec);
	return snprintf(buf, STAMP_MAX, STAMP_MAGIC "archive %s\noutput %s\n", archive_sha, rec);
}

/* The output's digest record as of now: hashed from its own descriptor. */
static int output_digest(const struct kernel *k, struct file_digest *r)
{
	uint8_t d[SHA256_DIGEST_LEN];
	char hex[SHA256_HEX_LEN];
	struct timespec taken;
	struct stat st;
	int fd, err;

	fd = open_regular(k->output, &st);
	if (fd < 0)
		return fd;
	clock_gettime(CLOCK_REALTIME, &taken);
	err = sha256_fd(fd, d);
	close(fd);
	if (err)
		return err;
	sha256_hex(d, hex);
	file_digest__set(r, &st, hex, &taken);
	return 0;
}

bool cache__output_current(const struct cache *c, const struct kernel *k,
			   const char *sha256_hex)
{
	char *path = kernel_path(c, c->out_key, k, ".stamp"), *data = NULL, *line;
	char archive[SHA256_HEX_LEN + 1], buf[STAMP_MAX];
	struct file_digest rec, now;
	struct stat st;
	size_t len;
	bool ok = false;

	if (!path || read_file(path, (void **)&data, &len, STAMP_MAX) ||
	    sscanf(data, STAMP_MAGIC "archive %64s\n", archive) != 1 || strcmp(archive, sha256_hex))
		goto out;
	line = strstr(data, "\noutput ");
	if (!line || file_digest__parse(line + 8, &rec) || lstat(k->output, &st) ||
	    !S_ISREG(st.st_mode))
		goto out;
	if (file_digest__trusted(&rec, &st)) {
		ok = true;
		goto out;
	}
	if (output_digest(k, &now) || strcmp(now.hex, rec.hex))
		goto out;
	ok = true;
	/* Same bytes: record the new identity so the next run need not read it. */
	stamp_format(sha256_hex, &now, buf);
	write_file_atomic(path, buf, strlen(buf));
out:
	free(data);
	free(path);
	return ok;
}

int cache__stamp_write(const struct cache *c, const struct kernel *k,
		       const char *sha256_hex)
{
	char text[STAMP_MAX], *path = kernel_path(c, c->out_key, k, ".stamp");
	struct file_digest r;
	int err;

	if (!path)
		return -ENOMEM;
	err = output_digest(k, &r);
	if (!err) {
		stamp_format(sha256_hex, &r, text);
		err = write_file_atomic(path, text, strlen(text));
	}
	free(path);
	return err;
}

/* "<cache>/out-<key>/<d>/<v>/<a>/<r>.stamp" for the output "<d>/<v>/<a>/<r>.btf". */
static char *stamp_path_rel(const struct cache *c, const char *rel)
{
	size_t len = strlen(rel);
	char *p;

	if (len < 4 || strcmp(rel + len - 4, ".btf"))
		return NULL;
	if (asprintf(&p, "%s/%s/%.*s.stamp", c->dir, c->out_key, (int)(len - 4), rel) < 0)
		return NULL;
	return p;
}

bool cache__stamp_exists(const struct cache *c, const char *rel)
{
	char *path = stamp_path_rel(c, rel);
	struct stat st;
	bool ok = path && !lstat(path, &st) && S_ISREG(st.st_mode);

	free(path);
	return ok;
}

void cache__stamp_remove(const struct cache *c, const char *rel)
{
	char *path = stamp_path_rel(c, rel);

	if (path)
		unlink(path);
	free(path);
}

int cache__archive_sha256(const struct cache *c, const struct kernel *k, int fd,
			  char hex[SHA256_HEX_LEN], bool *hashed)
{
	char *path = cache__archive_path(c, k, ".sum");
	int err;

	if (!path)
		return -ENOMEM;
	err = file_digest__fd(fd, path, hex, hashed);
	free(path);
	return err;
}
