// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
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

static int stamp_text(const struct kernel *k, const char *sha, char *buf, size_t size)
{
	struct stat st;

	if (stat(k->output, &st))
		return -errno;
	/* Size and mtime catch an output edited or replaced behind our back. */
	snprintf(buf, size, "%s %" PRIu64 " %" PRId64 ".%09ld\n", sha,
		 (uint64_t)st.st_size, (int64_t)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	return 0;
}

bool cache__output_current(const struct cache *c, const struct kernel *k,
			   const char *sha256_hex)
{
	char want[256], *path = kernel_path(c, c->out_key, k, ".stamp");
	void *have = NULL;
	size_t len;
	bool ok;

	ok = path && !stamp_text(k, sha256_hex, want, sizeof(want)) &&
	     !read_file(path, (void **)&have, &len, sizeof(want)) && !strcmp(have, want);
	free(have);
	free(path);
	return ok;
}

int cache__stamp_write(const struct cache *c, const struct kernel *k,
		       const char *sha256_hex)
{
	char text[256], *path = kernel_path(c, c->out_key, k, ".stamp");
	int err;

	if (!path)
		return -ENOMEM;
	err = stamp_text(k, sha256_hex, text, sizeof(text));
	err = err ?: write_file_atomic(path, text, strlen(text));
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

static void sum_identity(const struct stat *st, char *buf, size_t size)
{
	snprintf(buf, size, "%" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRId64 ".%09ld %" PRId64 ".%09ld",
		 (uint64_t)st->st_dev, (uint64_t)st->st_ino, (uint64_t)st->st_size,
		 (int64_t)st->st_mtim.tv_sec, st->st_mtim.tv_nsec,
		 (int64_t)st->st_ctim.tv_sec, st->st_ctim.tv_nsec);
}

int cache__archive_sha256(const struct cache *c, const struct kernel *k, int fd,
			  char hex[SHA256_HEX_LEN])
{
	enum { HEX = SHA256_HEX_LEN - 1 };
	char id[160], want[SHA256_HEX_LEN + 170], *path, *have = NULL;
	uint8_t d[SHA256_DIGEST_LEN];
	size_t len, idlen;
	struct stat st;
	int err;

	if (fstat(fd, &st))
		return -errno;
	path = cache__archive_path(c, k, ".sum");
	if (!path)
		return -ENOMEM;
	sum_identity(&st, id, sizeof(id));
	idlen = strlen(id);
	/* "<64 hex> <identity>\n", for this very file. */
	if (!read_file(path, (void **)&have, &len, sizeof(want)) && len == HEX + 1 + idlen + 1 &&
	    have[HEX] == ' ' && !memcmp(have + HEX + 1, id, idlen) && have[len - 1] == '\n') {
		have[HEX] = '\0';
		if (!sha256_parse_hex(have, d)) {
			memcpy(hex, have, SHA256_HEX_LEN);
			free(have);
			free(path);
			return 0;
		}
	}
	free(have);
	err = sha256_fd(fd, d);
	if (!err) {
		sha256_hex(d, hex);
		snprintf(want, sizeof(want), "%s %s\n", hex, id);
		/* A lost record only costs a hash next time. */
		write_file_atomic(path, want, strlen(want));
	}
	free(path);
	return err;
}
