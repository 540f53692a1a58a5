// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "errmsg.h"
#include "fileid.h"
#include "fsutil.h"
#include "log.h"
#include "state.h"

#define STATE_DIR ".btfhub-make/stamps"
#define STAMP_MAX 1024

static void name_of(const char *decides, const char *what, char out[SHA256_HEX_LEN])
{
	uint8_t d[SHA256_DIGEST_LEN];
	struct sha256_ctx c;
	char buf[512];
	int n;

	n = snprintf(buf, sizeof(buf), "btfhub-make %s\n%s\n%s", BTFKIT_VERSION, what, decides);
	sha256_init(&c);
	sha256_update(&c, buf, n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1);
	sha256_final(&c, d);
	sha256_hex(d, out);
}

void state__names(const char *decides, const struct stat *st, const char *sha256,
		  struct state_names *n)
{
	struct file_id fid;
	char id[192];

	file_id__from_stat(&fid, st);
	snprintf(id, sizeof(id), "id %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRId64 " %" PRId64,
		 fid.dev, fid.ino, fid.size, fid.mtime_ns, fid.ctime_ns);
	name_of(decides, id, n->by_id);
	n->by_sha[0] = '\0';
	if (sha256) {
		snprintf(id, sizeof(id), "sha256 %s", sha256);
		name_of(decides, id, n->by_sha);
	}
}

static int stamp_path(const char *out_dir, const char *name, char *buf, size_t sz)
{
	int n = snprintf(buf, sz, "%s/" STATE_DIR "/%s", out_dir, name);

	return n < 0 || (size_t)n >= sz ? -ENAMETOOLONG : 0;
}

/*
 * Whether the archive at @path is still the one @rec describes: the same
 * identity (fileid.h), and, if the record was taken within a timestamp tick
 * of a write ("unsettled"), the same SHA-256 too, read again (1 MB).
 */
static bool archive_intact(const char *path, const struct file_digest *rec)
{
	uint8_t d[SHA256_DIGEST_LEN];
	char hex[SHA256_HEX_LEN];
	struct stat st;
	bool ok;
	int fd;

	if (lstat(path, &st) || !S_ISREG(st.st_mode) || !file_digest__same(rec, &st))
		return false;
	if (file_digest__trusted(rec, &st))
		return true;
	fd = open_regular(path, &st);
	if (fd < 0)
		return false;
	ok = file_digest__same(rec, &st) && !sha256_fd(fd, d);
	close(fd);
	if (!ok)
		return false;
	sha256_hex(d, hex);
	return !strcmp(hex, rec->hex);
}

bool state__lookup(const char *out_dir, const char *name, struct state_rec *res)
{
	char path[PATH_MAX], key[LAYOUT_KEY_MAX + 1], kbuf[LAYOUT_KEY_MAX + 1];
	char how[sizeof(res->how)], out[PATH_MAX];
	struct file_digest rec;
	struct layout_key k;
	uintmax_t btf_size;
	const char *nl;
	size_t len;
	void *text;
	bool ok;

	_Static_assert(LAYOUT_KEY_MAX == 351 && sizeof(res->how) == 96, "sscanf widths below");
	if (!*name || stamp_path(out_dir, name, path, sizeof(path)) ||
	    read_file(path, &text, &len, STAMP_MAX))
		return false;
	nl = strchr(text, '\n');
	ok = nl && sscanf(text, "%" SCNuMAX " %351s %95s", &btf_size, key, how) == 3 &&
	     !file_digest__parse(nl + 1, &rec) &&
	     !layout__parse_key(key, strlen(key), kbuf, &k, NULL, 0) &&
	     !layout__archive_path(out_dir, &k, out, sizeof(out)) && archive_intact(out, &rec);
	free(text);
	if (!ok)
		return false;
	snprintf(res->key, sizeof(res->key), "%s", key);
	snprintf(res->how, sizeof(res->how), "%s", how);
	snprintf(res->sha256, sizeof(res->sha256), "%s", rec.hex);
	res->size = rec.id.size;
	res->btf_size = btf_size;
	return true;
}

void state__record(const char *out_dir, const struct state_names *n, const struct state_rec *res,
		   bool input_settled)
{
	/* an input read within a tick of its last change may change unseen: no identity stamp */
	const char *names[2] = { input_settled ? n->by_id : "", n->by_sha };
	char path[PATH_MAX], kbuf[LAYOUT_KEY_MAX + 1], out[PATH_MAX], text[STAMP_MAX];
	char rec_text[FILE_DIGEST_REC_MAX];
	struct file_digest rec;
	struct layout_key k;
	struct timespec now;
	struct stat st;
	int i, len, err;

	if (layout__parse_key(res->key, strlen(res->key), kbuf, &k, NULL, 0) ||
	    layout__archive_path(out_dir, &k, out, sizeof(out)) || lstat(out, &st))
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	file_digest__set(&rec, &st, res->sha256, &now);
	file_digest__format(&rec, rec_text);
	/* "how" is one word: pahole's version is "pahole=1.24" */
	len = snprintf(text, sizeof(text), "%ju %s %s\n%s\n", (uintmax_t)res->btf_size, res->key,
		       *res->how ? res->how : "-", rec_text);
	for (i = 0; i < 2; i++) {
		if (!*names[i] || stamp_path(out_dir, names[i], path, sizeof(path)))
			continue;
		err = write_file_atomic(path, text, len);
		if (err)
			pr_warn("%s: cannot record: %s", path, errmsg(err));
	}
}
