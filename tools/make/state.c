// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errmsg.h"
#include "fsutil.h"
#include "log.h"
#include "state.h"

#define STATE_DIR ".btfhub-make/stamps"
#define STAMP_MAX 1024

static void name_of(const struct maker *m, const struct make_input *in, const char *what,
		    char out[SHA256_HEX_LEN])
{
	uint8_t d[SHA256_DIGEST_LEN];
	struct sha256_ctx c;
	char buf[512];
	int n;

	n = snprintf(buf, sizeof(buf), "btfhub-make %s\n%s\n%s\n%s\n%s\n%s\n%s\nprefer %d\n",
		     BTFKIT_VERSION, what, in->distro ?: "-", in->version ?: "-", in->arch ?: "-",
		     in->release ?: "-", m->pahole, (int)m->prefer);
	sha256_init(&c);
	sha256_update(&c, buf, n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1);
	sha256_final(&c, d);
	sha256_hex(d, out);
}

void state__names(const struct maker *m, const struct make_input *in, const struct stat *st,
		  const char *sha256, struct state_names *n)
{
	char id[160];

	snprintf(id, sizeof(id), "id %ju %ju %jd %jd.%09ld", (uintmax_t)st->st_dev,
		 (uintmax_t)st->st_ino, (intmax_t)st->st_size, (intmax_t)st->st_ctim.tv_sec,
		 st->st_ctim.tv_nsec);
	name_of(m, in, id, n->by_id);
	n->by_sha[0] = '\0';
	if (sha256) {
		snprintf(id, sizeof(id), "sha256 %s", sha256);
		name_of(m, in, id, n->by_sha);
	}
}

static int stamp_path(const struct maker *m, const char *name, char *buf, size_t sz)
{
	int n = snprintf(buf, sz, "%s/" STATE_DIR "/%s", m->out_dir, name);

	return n < 0 || (size_t)n >= sz ? -ENAMETOOLONG : 0;
}

bool state__lookup(const struct maker *m, const char *name, struct make_result *res)
{
	char path[PATH_MAX], key[LAYOUT_KEY_MAX + 1], kbuf[LAYOUT_KEY_MAX + 1], sha[SHA256_HEX_LEN];
	char how[sizeof(res->how)], out[PATH_MAX];
	uintmax_t size, ino, btf_size;
	intmax_t cs;
	long cns;
	struct layout_key k;
	struct stat st;
	size_t len;
	void *text;
	bool ok;

	_Static_assert(LAYOUT_KEY_MAX == 351 && sizeof(res->how) == 96, "sscanf widths below");
	if (!*name || stamp_path(m, name, path, sizeof(path)) ||
	    read_file(path, &text, &len, STAMP_MAX))
		return false;
	ok = sscanf(text, "%" SCNuMAX " %" SCNuMAX " %jd.%ld %64s %" SCNuMAX " %351s %95s",
		    &size, &ino, &cs, &cns, sha, &btf_size, key, how) == 8 &&
	     strlen(key) <= LAYOUT_KEY_MAX &&
	     !layout__parse_key(key, strlen(key), kbuf, &k, NULL, 0) &&
	     !maker__path(m, &k, out, sizeof(out)) && !lstat(out, &st) && S_ISREG(st.st_mode) &&
	     (uintmax_t)st.st_size == size && (uintmax_t)st.st_ino == ino &&
	     st.st_ctim.tv_sec == cs && st.st_ctim.tv_nsec == cns;
	free(text);
	if (!ok)
		return false;
	res->status = MAKE_UNCHANGED;
	snprintf(res->key, sizeof(res->key), "%s", key);
	snprintf(res->how, sizeof(res->how), "%s", how);
	snprintf(res->sha256, sizeof(res->sha256), "%s", sha);
	res->size = size;
	res->btf_size = btf_size;
	return true;
}

void state__record(const struct maker *m, const struct state_names *n,
		   const struct make_result *res)
{
	const char *names[2] = { n->by_id, n->by_sha };
	char path[PATH_MAX], kbuf[LAYOUT_KEY_MAX + 1], out[PATH_MAX], text[STAMP_MAX];
	struct layout_key k;
	struct stat st;
	int i, len, err;

	if (layout__parse_key(res->key, strlen(res->key), kbuf, &k, NULL, 0) ||
	    maker__path(m, &k, out, sizeof(out)) || lstat(out, &st))
		return;
	/* "how" is one word: pahole's version string is "pahole 1.24" */
	len = snprintf(text, sizeof(text), "%ju %ju %jd.%09ld %s %ju %s %s\n",
		       (uintmax_t)st.st_size, (uintmax_t)st.st_ino, (intmax_t)st.st_ctim.tv_sec,
		       st.st_ctim.tv_nsec, res->sha256, (uintmax_t)res->btf_size, res->key,
		       *res->how ? res->how : "-");
	for (i = 0; i < 2; i++) {
		if (!*names[i] || stamp_path(m, names[i], path, sizeof(path)))
			continue;
		err = write_file_atomic(path, text, len);
		if (err)
			pr_warn("%s: cannot record: %s", path, errmsg(err));
	}
}
