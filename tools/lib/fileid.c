// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileid.h"
#include "fsutil.h"

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

void file_id__from_stat(struct file_id *id, const struct stat *st)
{
	id->dev = st->st_dev;
	id->ino = st->st_ino;
	id->size = st->st_size;
	id->mtime_ns = ts_ns(&st->st_mtim);
	id->ctime_ns = ts_ns(&st->st_ctim);
}

bool file_id__equal(const struct file_id *a, const struct file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

void file_digest__set(struct file_digest *r, const struct stat *st, const char *hex,
		      const struct timespec *taken)
{
	memcpy(r->hex, hex, SHA256_HEX_LEN);
	r->hex[SHA256_HEX_LEN - 1] = '\0';
	file_id__from_stat(&r->id, st);
	r->settled = r->id.ctime_ns <= ts_ns(taken) - FILE_ID_SETTLE_NS;
}

int file_digest__format(const struct file_digest *r, char buf[FILE_DIGEST_REC_MAX])
{
	return snprintf(buf, FILE_DIGEST_REC_MAX, "%s %" PRIu64 " %" PRIu64 " %" PRIu64
			" %" PRId64 " %" PRId64 " %s", r->hex, r->id.dev, r->id.ino,
			r->id.size, r->id.mtime_ns, r->id.ctime_ns,
			r->settled ? "settled" : "unsettled");
}

int file_digest__parse(const char *s, struct file_digest *r)
{
	uint8_t d[SHA256_DIGEST_LEN];
	char hex[SHA256_HEX_LEN], word[12];
	int n = 0;

	/* %64[0-9a-f] and %11[a-z] bound the strings; sscanf checks the numbers. */
	if (sscanf(s, "%64[0-9a-f] %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNd64 " %" SCNd64
		   " %11[a-z]%n", hex, &r->id.dev, &r->id.ino, &r->id.size, &r->id.mtime_ns,
		   &r->id.ctime_ns, word, &n) != 7 || !n ||
	    (s[n] && s[n] != '\n') || strlen(hex) != SHA256_HEX_LEN - 1 ||
	    sha256_parse_hex(hex, d) || (strcmp(word, "settled") && strcmp(word, "unsettled")))
		return -EINVAL;
	r->settled = !strcmp(word, "settled");
	memcpy(r->hex, hex, SHA256_HEX_LEN);
	return 0;
}

bool file_digest__same(const struct file_digest *r, const struct stat *st)
{
	struct file_id now;

	file_id__from_stat(&now, st);
	return file_id__equal(&now, &r->id);
}

bool file_digest__trusted(const struct file_digest *r, const struct stat *st)
{
	return r->settled && file_digest__same(r, st);
}

int file_digest__read(const char *record_path, struct file_digest *r)
{
	void *data = NULL;
	size_t len;
	int err;

	err = read_file(record_path, &data, &len, FILE_DIGEST_REC_MAX + 1);
	if (err)
		return err == -ENOENT ? err : -EINVAL;
	err = strlen(data) == len ? file_digest__parse(data, r) : -EINVAL;
	free(data);
	return err;
}

int file_digest__write(const char *record_path, const struct file_digest *r)
{
	char buf[FILE_DIGEST_REC_MAX + 1];
	struct atomic_file af;
	int n, err;

	n = file_digest__format(r, buf);
	buf[n++] = '\n';
	err = atomic_file__open(&af, record_path);
	if (err)
		return err;
	af.no_fsync = true;
	err = write_all(af.fd, buf, n);
	if (err) {
		atomic_file__abort(&af);
		return err;
	}
	return atomic_file__commit(&af);
}

int file_digest__fd(int fd, const char *record_path, char hex[SHA256_HEX_LEN], bool *hashed)
{
	uint8_t d[SHA256_DIGEST_LEN];
	struct file_digest r;
	struct timespec taken;
	struct stat st;
	int err;

	if (hashed)
		*hashed = false;
	if (fstat(fd, &st))
		return -errno;
	if (record_path && !file_digest__read(record_path, &r) && file_digest__trusted(&r, &st)) {
		memcpy(hex, r.hex, SHA256_HEX_LEN);
		return 0;
	}
	clock_gettime(CLOCK_REALTIME, &taken);
	err = sha256_fd(fd, d);
	if (err)
		return err;
	if (hashed)
		*hashed = true;
	sha256_hex(d, hex);
	/* The identity as of before the read: a change during it shows as a mismatch. */
	if (record_path) {
		file_digest__set(&r, &st, hex, &taken);
		file_digest__write(record_path, &r);
	}
	return 0;
}
