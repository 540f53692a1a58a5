// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "outcache.h"

#define CACHE_MAGIC "btfgen-cache 1\n"
#define CACHE_FILE_MAX 4096

int outcache__tool_key(const char *bpftool_version, char *const *objects, int nobjects,
		    uint8_t tool[SHA256_DIGEST_LEN], const char **bad)
{
	struct sha256_ctx ctx;
	int i, err;

	sha256_init(&ctx);
	sha256_update(&ctx, CACHE_MAGIC, strlen(CACHE_MAGIC));
	sha256_update(&ctx, "bpftool\n", 8);
	/* Include the NUL so that no version text is a prefix of the next field. */
	sha256_update(&ctx, bpftool_version, strlen(bpftool_version) + 1);
	for (i = 0; i < nobjects; i++) {
		uint8_t d[SHA256_DIGEST_LEN];

		err = sha256_file(objects[i], d);
		if (err) {
			*bad = objects[i];
			return err;
		}
		sha256_update(&ctx, "object\n", 7);
		sha256_update(&ctx, d, sizeof(d));
	}
	sha256_final(&ctx, tool);
	return 0;
}

void outcache__key(const uint8_t tool[SHA256_DIGEST_LEN], const char *input_hex,
		char key[SHA256_HEX_LEN])
{
	struct sha256_ctx ctx;
	uint8_t d[SHA256_DIGEST_LEN];

	sha256_init(&ctx);
	sha256_update(&ctx, tool, SHA256_DIGEST_LEN);
	sha256_update(&ctx, input_hex, strlen(input_hex));
	sha256_final(&ctx, d);
	sha256_hex(d, key);
}

static char *cache_path(const char *outdir, const char *rel, const char *ext)
{
	char *p;

	if (asprintf(&p, "%s/%s/%s.%s", outdir, OUTCACHE_DIR, rel, ext) < 0)
		return NULL;
	return p;
}

/*
 * Records are written atomically but without fsync()
 * (write_file_atomic_nosync()): a record is always checked against the
 * output's SHA-256 before it is trusted, so one lost in a crash only costs
 * a redo, while an fsync per kernel (~7 ms on an ext4 CI disk, serialised in
 * the journal) would cost as much as bpftool itself and stop -j from scaling.
 */

static bool is_hex64(const char *s)
{
	uint8_t d[SHA256_DIGEST_LEN];

	return strlen(s) == SHA256_HEX_LEN - 1 && sha256_parse_hex(s, d) == 0;
}

int outcache__read(const char *outdir, const char *rel, struct outcache_rec *rec)
{
	char *path = cache_path(outdir, rel, "key");
	char key[80], input[80], output[80];
	void *data = NULL;
	size_t len;
	int err, n;

	if (!path)
		return -ENOMEM;
	err = read_file(path, &data, &len, CACHE_FILE_MAX);
	if (err)
		goto out;
	/* %79s bounds each field; lengths are checked as hex64 below. */
	n = sscanf(data, CACHE_MAGIC "key %79s\ninput %79s\noutput %79s %" SCNu64,
		   key, input, output, &rec->output_size);
	if (n != 4 || !is_hex64(key) || !is_hex64(input) || !is_hex64(output)) {
		err = -EINVAL;
		goto out;
	}
	memcpy(rec->key, key, SHA256_HEX_LEN);
	memcpy(rec->input, input, SHA256_HEX_LEN);
	memcpy(rec->output, output, SHA256_HEX_LEN);
out:
	free(data);
	free(path);
	return err;
}

int outcache__write(const char *outdir, const char *rel, const struct outcache_rec *rec)
{
	char *path = cache_path(outdir, rel, "key");
	char buf[512];
	int n, err;

	if (!path)
		return -ENOMEM;
	n = snprintf(buf, sizeof(buf), CACHE_MAGIC "key %s\ninput %s\noutput %s %" PRIu64 "\n",
		     rec->key, rec->input, rec->output, rec->output_size);
	err = write_file_atomic_nosync(path, buf, n);
	free(path);
	return err;
}

static int64_t mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

int outcache__hint_read(const char *outdir, const char *rel, const struct stat *st,
		     char sha[SHA256_HEX_LEN])
{
	char *path = cache_path(outdir, rel, "stat");
	uint64_t size, ino;
	int64_t mtime;
	char hex[80];
	void *data = NULL;
	size_t len;
	int err;

	if (!path)
		return -ENOMEM;
	err = read_file(path, &data, &len, CACHE_FILE_MAX);
	free(path);
	if (err)
		return -ENOENT;
	if (sscanf(data, "%" SCNu64 " %" SCNd64 " %" SCNu64 " %79s",
		   &size, &mtime, &ino, hex) != 4 || !is_hex64(hex) ||
	    size != (uint64_t)st->st_size || mtime != mtime_ns(st) ||
	    ino != (uint64_t)st->st_ino) {
		free(data);
		return -ENOENT;
	}
	memcpy(sha, hex, SHA256_HEX_LEN);
	free(data);
	return 0;
}

int outcache__hint_write(const char *outdir, const char *rel, const struct stat *st,
		      const char *sha, const struct timespec *hashed_at)
{
	char *path = cache_path(outdir, rel, "stat");
	int64_t at = (int64_t)hashed_at->tv_sec * 1000000000 + hashed_at->tv_nsec;
	char buf[256];
	int n, err;

	if (!path)
		return -ENOMEM;
	/*
	 * A file changed again within the same clock tick as our read would
	 * keep its mtime; only a file older than that window is safe to trust.
	 */
	if (mtime_ns(st) > at - 1000000000) {
		err = unlink(path) && errno != ENOENT ? -errno : 0;
		free(path);
		return err;
	}
	n = snprintf(buf, sizeof(buf), "%" PRIu64 " %" PRId64 " %" PRIu64 " %s\n",
		     (uint64_t)st->st_size, mtime_ns(st), (uint64_t)st->st_ino, sha);
	err = write_file_atomic_nosync(path, buf, n);
	free(path);
	return err;
}

#define PROBE_MAGIC "btfgen-probe 1\n"
#define PROBE_MAX (64 * 1024)

/* Everything the record must match, up to the blank line before the version. */
static char *probe_head(const char *path, const struct stat *st)
{
	char *head;

	if (strchr(path, '\n'))
		return NULL;	/* not representable: no record */
	if (asprintf(&head, PROBE_MAGIC "path %s\nstat %" PRIu64 " %" PRIu64 " %" PRIu64
		     " %" PRId64 " %" PRId64 "\n\n", path, (uint64_t)st->st_dev,
		     (uint64_t)st->st_ino, (uint64_t)st->st_size, mtime_ns(st),
		     (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec) < 0)
		return NULL;
	return head;
}

int outcache__probe_read(const char *outdir, const char *path, const struct stat *st,
		      char **version)
{
	char *file = cache_path(outdir, "bpftool", "probe"), *head = probe_head(path, st);
	void *data = NULL;
	size_t len, hl;
	int err = -ENOENT;

	*version = NULL;
	if (!file || !head || read_file(file, &data, &len, PROBE_MAX))
		goto out;
	hl = strlen(head);
	/* read_file() NUL-terminates: a NUL inside means a garbled record. */
	if (len <= hl || memcmp(data, head, hl) || strlen(data) != len)
		goto out;
	*version = strdup((char *)data + hl);
	err = *version ? 0 : -ENOMEM;
out:
	free(data);
	free(head);
	free(file);
	return err;
}

int outcache__probe_write(const char *outdir, const char *path, const struct stat *st,
		       const char *version)
{
	char *file = cache_path(outdir, "bpftool", "probe"), *head = probe_head(path, st);
	char *dir = NULL, *buf = NULL;
	int err = -ENOMEM, n;

	if (!file || !head || asprintf(&dir, "%s/%s", outdir, OUTCACHE_DIR) < 0 ||
	    (n = asprintf(&buf, "%s%s", head, version)) < 0) {
		buf = NULL;
		goto out;
	}
	err = mkdir_p(dir);
	err = err ?: write_file_atomic_nosync(file, buf, n);
out:
	free(buf);
	free(dir);
	free(head);
	free(file);
	return err;
}
