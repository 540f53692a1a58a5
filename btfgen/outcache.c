// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileid.h"
#include "fsutil.h"
#include "outcache.h"

#define CACHE_MAGIC "btfgen-cache 1\n"
#define CACHE_FILE_MAX 4096

int outcache__tool_key(const char *bpftool_digest, char *const *objects, int nobjects,
		    uint8_t tool[SHA256_DIGEST_LEN], const char **bad)
{
	struct sha256_ctx ctx;
	int i, err;

	sha256_init(&ctx);
	sha256_update(&ctx, CACHE_MAGIC, strlen(CACHE_MAGIC));
	/*
	 * The executable itself, not what it prints: another program can print
	 * the same version text, and a rebuilt bpftool the same version.
	 */
	sha256_update(&ctx, "bpftool-sha256\n", 15);
	sha256_update(&ctx, bpftool_digest, strlen(bpftool_digest) + 1);
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

int outcache__hint_read(const char *outdir, const char *rel, const struct stat *st,
		     char sha[SHA256_HEX_LEN])
{
	char *path = cache_path(outdir, rel, "stat");
	struct file_digest r;
	int err;

	if (!path)
		return -ENOMEM;
	err = file_digest__read(path, &r) || !file_digest__trusted(&r, st) ? -ENOENT : 0;
	free(path);
	if (!err)
		memcpy(sha, r.hex, SHA256_HEX_LEN);
	return err;
}

int outcache__hint_write(const char *outdir, const char *rel, const struct stat *st,
		      const char *sha, const struct timespec *hashed_at)
{
	char *path = cache_path(outdir, rel, "stat");
	struct file_digest r;
	int err;

	if (!path)
		return -ENOMEM;
	file_digest__set(&r, st, sha, hashed_at);
	err = file_digest__write(path, &r);
	free(path);
	return err;
}

#define PROBE_MAGIC "btfgen-probe 2\n"
#define PROBE_MAX (64 * 1024)

int outcache__probe_read(const char *outdir, const char *path, const struct stat *st,
		      struct outcache_probe *p)
{
	char *file = cache_path(outdir, "bpftool", "probe");
	char *data = NULL, *line, *body;
	size_t len, pl = strlen(path);
	int err = -ENOENT;

	memset(p, 0, sizeof(*p));
	if (!file || read_file(file, (void **)&data, &len, PROBE_MAX))
		goto out;
	/* read_file() NUL-terminates: a NUL inside means a garbled record. */
	if (strlen(data) != len || strncmp(data, PROBE_MAGIC, strlen(PROBE_MAGIC)))
		goto out;
	line = data + strlen(PROBE_MAGIC);
	if (strncmp(line, "path ", 5) || strncmp(line + 5, path, pl) || line[5 + pl] != '\n')
		goto out;
	line += 5 + pl + 1;
	if (strncmp(line, "digest ", 7) || file_digest__parse(line + 7, &p->digest))
		goto out;
	body = strstr(line, "\n\n");
	if (!body)
		goto out;
	p->version = strdup(body + 2);
	if (!p->version) {
		err = -ENOMEM;
		goto out;
	}
	err = file_digest__trusted(&p->digest, st) ? 0 :
	      file_digest__same(&p->digest, st) ? -EAGAIN : -ENOENT;
out:
	free(data);
	free(file);
	return err;
}

int outcache__probe_write(const char *outdir, const char *path, const struct file_digest *d,
		       const char *version)
{
	char *file = cache_path(outdir, "bpftool", "probe");
	char rec[FILE_DIGEST_REC_MAX];
	char *dir = NULL, *buf = NULL;
	int err = -ENOMEM, n;

	if (strchr(path, '\n'))
		return 0;	/* not representable: no record */
	file_digest__format(d, rec);
	if (!file || asprintf(&dir, "%s/%s", outdir, OUTCACHE_DIR) < 0 ||
	    (n = asprintf(&buf, PROBE_MAGIC "path %s\ndigest %s\n\n%s", path, rec, version)) < 0) {
		buf = NULL;
		goto out;
	}
	err = mkdir_p(dir);
	err = err ?: write_file_atomic_nosync(file, buf, n);
out:
	free(buf);
	free(dir);
	free(file);
	return err;
}
