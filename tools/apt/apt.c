// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apt.h"
#include "cache.h"
#include "debver.h"
#include "errmsg.h"
#include "escape.h"
#include "fsutil.h"
#include "log.h"
#include "mem.h"
#include "packages.h"
#include "release.h"
#include "source.h"

#define GLOBS_MAX 32
/* Largest Release.gpg: a few signatures. */
#define SIGNATURE_MAX (1u << 20)

/* One package of a Packages index that is a kernel image or its -dbg. */
struct cand {
	char *name, *version, *filename, *suite, *index_url;
	const char *distro, *dversion;	/* the suite's, static (layout's table) */
	uint64_t size;
	char sha256[SHA256_HEX_LEN];
	bool dbg, unsigned_img;
};

/* One kernel: its key and the packages that carry it. */
struct kent {
	char name[LAYOUT_KEY_MAX + 1];	/* "D/V/A/R", the sort and shard key */
	const char *distro, *version;	/* static (layout's table) */
	char *release;
	struct cand *image, *dbg;
	bool dbg_tried;
};

struct run {
	const struct apt_opts *o;
	struct apt_stats *st;
	struct source src;
	struct cache cache;
	struct transfer_opts topts;
	const char *component, *arch_out;
	char *globs[GLOBS_MAX + 1];
	char *globs_buf;
	/* Per suite while its index is read. */
	const char *suite, *distro, *version, *index_url;
	struct cand **cands;
	size_t ncands, cands_cap;
	struct kent *kents;
	size_t nkents, kents_cap;
};

static void fail(struct run *r, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(struct run *r, const char *key, const char *fmt, ...)
{
	char line[1536];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	r->st->failed++;
	if (r->o->failed)
		r->o->failed(key, line, r->o->ctx);
	else
		pr_err("%s", line);
}

/* A download entry of the cache: "<dir>/<version>/<arch>/<name>" under src-<hash>. */
static int entry_init(struct kernel *k, const char *dir, const char *version, const char *arch,
		      const char *name, const char *rel0, const char *rel1, const char *sha256)
{
	memset(k, 0, sizeof(*k));
	k->manifest_idx = -1;
	if (layout__part_invalid(LAYOUT_RELEASE, name) || layout__part_invalid(LAYOUT_VERSION, version))
		return -EINVAL;
	k->distro = strdup(dir);
	k->version = strdup(version);
	k->arch = strdup(arch);
	k->release = strdup(name);
	k->candidates[0] = strdup(rel0);
	k->ncandidates = 1;
	if (rel1) {
		k->candidates[1] = strdup(rel1);
		k->ncandidates = 2;
	}
	if (!k->distro || !k->version || !k->arch || !k->release || !k->candidates[0] ||
	    (rel1 && !k->candidates[1]))
		return -ENOMEM;
	k->out_version = k->version;
	k->out_arch = k->arch;
	if (sha256)
		memcpy(k->want_sha256, sha256, SHA256_HEX_LEN);
	return 0;
}

static void cache_forget(struct run *r, struct kernel *k)
{
	static const char *const sfx[] = { "", ".meta", ".sum" };
	size_t i;

	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		char *p = cache__archive_path(&r->cache, k, sfx[i]);

		if (p)
			unlink(p);
		free(p);
	}
}

/* Download @n entries; the failed ones carry k->error. Returns 0 or -errno (-EINTR). */
static int download(struct run *r, struct kernel **ks, size_t n, uint64_t max_size)
{
	struct transfer_opts t = r->topts;
	size_t i;
	int err;

	t.max_size = max_size;
	err = transfer__run(ks, n, &t);
	for (i = 0; i < n; i++) {
		if (!strcmp(ks[i]->distro, "pool"))
			r->st->package_bytes += ks[i]->body_bytes;
		else
			r->st->index_bytes += ks[i]->body_bytes;
	}
	return err;
}

/*
 * The entry downloaded is what @who says it is: size, then SHA-256, on one
 * descriptor that the caller then reads. A lie is dropped from the cache
 * (the next run fetches it again). Returns the fd or -1 (reported).
 */
static int verify(struct run *r, struct kernel *k, const char *key, uint64_t size,
		  const char *sha256, const char *who)
{
	char got[SHA256_HEX_LEN];
	struct stat st;
	int fd, err;

	fd = open_regular(k->archive, &st);
	if (fd < 0) {
		fail(r, key, "%s: cannot read %s: %s", k->url, k->archive, errmsg(fd));
		return -1;
	}
	if ((uint64_t)st.st_size != size) {
		fail(r, key, "%s: %" PRIu64 " bytes, but %s says %" PRIu64, k->url,
		     (uint64_t)st.st_size, who, size);
		goto lie;
	}
	err = cache__archive_sha256(&r->cache, k, fd, got, NULL);
	if (err) {
		fail(r, key, "%s: cannot hash %s: %s", k->url, k->archive, errmsg(err));
		close(fd);
		return -1;
	}
	if (strcmp(got, sha256)) {
		fail(r, key, "%s: SHA-256 %s, but %s says %s", k->url, got, who, sha256);
		goto lie;
	}
	return fd;
lie:
	close(fd);
	cache_forget(r, k);
	return -1;
}

/* ---- Release ------------------------------------------------------------ */

static int write_tmp(const char *path, const void *data, size_t len)
{
	return write_file_atomic(path, data, len);
}

/* gpgv over what was read (never over the path again: the bytes checked are the bytes parsed). */
static int verify_signature(struct run *r, struct kernel *rel, bool inrelease, char **text,
			    size_t *len)
{
	char dir[] = "/tmp/btfhub-make-gpgv.XXXXXX", why[512], keyring[PATH_MAX];
	char *signed_p = NULL, *data_p = NULL, *out_p = NULL, *sig = NULL;
	struct kernel gpg = { 0 };
	size_t sig_len;
	int err;

	if (!realpath(r->o->keyring, keyring)) {
		fail(r, NULL, "%s: keyring %s: %s", rel->url, r->o->keyring, strerror(errno));
		return -errno;
	}
	if (!mkdtemp(dir))
		return -errno;
	if (asprintf(&signed_p, "%s/signed", dir) < 0 || asprintf(&data_p, "%s/data", dir) < 0 ||
	    asprintf(&out_p, "%s/verified", dir) < 0) {
		err = -ENOMEM;
		goto out;
	}
	if (inrelease) {
		err = write_tmp(signed_p, *text, *len);
		if (err)
			goto out;
		err = release__gpgv(keyring, signed_p, NULL, out_p, why, sizeof(why));
		if (!err) {
			free(*text);
			*text = NULL;
			err = read_file(out_p, (void **)text, len, RELEASE_MAX);
		}
	} else {
		char rel0[PATH_MAX];

		snprintf(rel0, sizeof(rel0), "dists/%s/Release.gpg", r->suite);
		err = entry_init(&gpg, "dists", r->suite, r->o->arch, "Release.gpg", rel0, NULL,
				 NULL);
		err = err ?: download(r, (struct kernel *[]){ &gpg }, 1, SIGNATURE_MAX);
		if (err)
			goto out;
		if (gpg.status == KERNEL_FAILED) {
			fail(r, NULL, "%s (the signature of %s)", gpg.error, rel->url);
			err = -EKEYREJECTED;
			goto out;
		}
		err = read_file(gpg.archive, (void **)&sig, &sig_len, SIGNATURE_MAX);
		err = err ?: write_tmp(signed_p, sig, sig_len);
		err = err ?: write_tmp(data_p, *text, *len);
		err = err ?: release__gpgv(keyring, signed_p, data_p, NULL, why, sizeof(why));
	}
	if (err == -EKEYREJECTED || err == -ENOENT)
		fail(r, NULL, "%s: %s (keyring %s)", rel->url, why, r->o->keyring);
	else if (err)
		fail(r, NULL, "%s: cannot check the signature: %s", rel->url, errmsg(err));
out:
	if (signed_p)
		unlink(signed_p);
	if (data_p)
		unlink(data_p);
	if (out_p)
		unlink(out_p);
	rmdir(dir);
	free(signed_p);
	free(data_p);
	free(out_p);
	free(sig);
	kernel__clear(&gpg);
	return err;
}

/* Fetch, check and parse dists/<suite>/(In)Release. Returns 0 or -errno (reported). */
static int suite_release(struct run *r, struct release *out, char **rel_url)
{
	char rel0[PATH_MAX], rel1[PATH_MAX], why[512], known[512];
	struct kernel k = { 0 };
	char *data = NULL, *text = NULL;
	bool inrelease;
	size_t len, tlen;
	int err;

	snprintf(rel0, sizeof(rel0), "dists/%s/InRelease", r->suite);
	snprintf(rel1, sizeof(rel1), "dists/%s/Release", r->suite);
	err = entry_init(&k, "dists", r->suite, r->o->arch, "Release", rel0, rel1, NULL);
	if (err == -EINVAL) {
		fail(r, NULL, "suite '%s': not a suite name", ESC(r->suite));
		goto out;
	}
	err = err ?: download(r, (struct kernel *[]){ &k }, 1, RELEASE_MAX);
	if (err)
		goto out;
	if (k.status == KERNEL_FAILED) {
		fail(r, NULL, "%s", k.error);
		err = -ENOENT;
		goto out;
	}
	*rel_url = strdup(k.url);
	inrelease = strlen(k.url) > 10 && !strcmp(k.url + strlen(k.url) - 10, "/InRelease");
	err = read_file(k.archive, (void **)&data, &len, RELEASE_MAX);
	if (err) {
		fail(r, NULL, "%s: %s", k.url, err == -EFBIG ? "larger than 16 MiB" : errmsg(err));
		goto out;
	}
	if (r->o->keyring) {
		text = data;
		tlen = len;
		data = NULL;
		err = verify_signature(r, &k, inrelease, &text, &tlen);
		if (err)
			goto out;
	} else if (inrelease) {
		err = release__clearsigned_body(data, len, &text, &tlen, why, sizeof(why));
		if (err) {
			fail(r, NULL, "%s: %s", k.url, why);
			goto out;
		}
	} else {
		text = data;
		tlen = len;
		data = NULL;
	}
	err = release__parse(out, text, tlen, why, sizeof(why));
	text = NULL;
	if (err) {
		fail(r, NULL, "%s: %s", k.url, why);
		goto out;
	}
	/* APT's check: a mirror must not pass another suite's Release off as this one. */
	if (out->suite[0] && out->codename[0] && strcmp(out->suite, r->suite) &&
	    strcmp(out->codename, r->suite)) {
		fail(r, NULL, "%s: is the Release of '%s' (%s), not of '%s'", k.url, ESC(out->suite),
		     ESC(out->codename), ESC(r->suite));
		err = -EBADMSG;
		goto out;
	}
	if (layout__suite_version(r->suite, &r->distro, &r->version) &&
	    layout__suite_version(out->codename, &r->distro, &r->version)) {
		fail(r, NULL, "%s: unknown suite '%s' (codename '%s'); known: %s", k.url,
		     ESC(r->suite), ESC(out->codename), layout__suites_known(known, sizeof(known)));
		err = -ENOENT;
	}
out:
	free(data);
	free(text);
	kernel__clear(&k);
	return err;
}

/* ---- Packages ----------------------------------------------------------- */

static bool ends_with(const char *s, const char *sfx)
{
	size_t n = strlen(s), m = strlen(sfx);

	return n >= m && !strcmp(s + n - m, sfx);
}

/*
 * The kernel release a package carries, from Debian's and Ubuntu's naming
 * (linux-image-[unsigned-]<release>[-unsigned][-dbg|-dbgsym]), into @buf.
 * False for anything else: meta packages have no digit after the prefix.
 */
static bool release_of(const char *name, char *buf, size_t size, bool *dbg, bool *unsig)
{
	const char *s = name;
	size_t n;

	*dbg = *unsig = false;
	if (!strncmp(s, "linux-image-unsigned-", 21)) {
		s += 21;
		*unsig = true;
	} else if (!strncmp(s, "linux-image-", 12)) {
		s += 12;
	} else {
		return false;
	}
	n = strlen(s);
	if (ends_with(s, "-dbgsym")) {
		n -= 7;
		*dbg = true;
	} else if (ends_with(s, "-dbg")) {
		n -= 4;
		*dbg = true;
	}
	if (n > 9 && !strncmp(s + n - 9, "-unsigned", 9)) {
		n -= 9;
		*unsig = true;
	}
	if (!n || n >= size || s[0] < '0' || s[0] > '9')
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return true;
}

static struct kent *kent_get(struct run *r, const char *release)
{
	char name[LAYOUT_KEY_MAX + 1];
	struct kent *e;
	size_t i;

	snprintf(name, sizeof(name), "%s/%s/%s/%s", r->distro, r->version, r->arch_out, release);
	for (i = 0; i < r->nkents; i++)
		if (!strcmp(r->kents[i].name, name))
			return &r->kents[i];
	if (mem__ensure((void **)&r->kents, &r->kents_cap, sizeof(*r->kents), r->nkents + 1))
		return NULL;
	e = &r->kents[r->nkents];
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->distro = r->distro;
	e->version = r->version;
	e->release = strdup(release);
	if (!e->release)
		return NULL;
	r->nkents++;
	return e;
}

static void cand_free(struct cand *c)
{
	if (!c)
		return;
	free(c->name);
	free(c->version);
	free(c->filename);
	free(c->suite);
	free(c->index_url);
	free(c);
}

/* The better of two packages of one kernel: the newer upload, then the unsigned image. */
static bool better(const struct cand *a, const struct cand *b)
{
	int v;

	if (!b)
		return true;
	v = debver__cmp(a->version, b->version);
	if (v)
		return v > 0;
	return a->unsigned_img && !b->unsigned_img;
}

static int on_pkg(const struct apt_pkg *p, void *ctx)
{
	struct run *r = ctx;
	char release[LAYOUT_RELEASE_MAX + 2], key[LAYOUT_KEY_MAX + 1];
	bool dbg, unsig;
	struct cand *c;
	struct kent *e;
	const char *bad;

	if (strcmp(p->arch, r->o->arch) && p->arch[0])
		return 0;
	if (!release_of(p->name, release, sizeof(release), &dbg, &unsig)) {
		pr_debug("%s: %s: not a kernel image; skipped", r->index_url, ESC(p->name));
		return 0;
	}
	bad = layout__part_invalid(LAYOUT_RELEASE, release);
	snprintf(key, sizeof(key), "%s/%s/%s/%s", r->distro, r->version, r->arch_out,
		 bad ? "?" : release);
	if (bad || p->bad) {
		fail(r, key, "%s: package %s (line %" PRIu64 "): %s%s", r->index_url,
		     ESC(p->name), p->line, bad ? "release " : "", bad ?: p->bad);
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->name = strdup(p->name);
	c->version = strdup(p->version);
	c->filename = strdup(p->filename);
	c->suite = strdup(r->suite);
	c->index_url = strdup(r->index_url);
	c->distro = r->distro;
	c->dversion = r->version;
	c->size = p->size;
	memcpy(c->sha256, p->sha256, SHA256_HEX_LEN);
	c->dbg = dbg;
	c->unsigned_img = unsig;
	e = kent_get(r, release);
	if (!c->name || !c->version || !c->filename || !c->suite || !c->index_url || !e) {
		cand_free(c);
		return -ENOMEM;
	}
	if (dbg) {
		/* The -dbg of the image's very upload when there is one (sorted out later). */
		if (mem__ensure((void **)&r->cands, &r->cands_cap, sizeof(*r->cands),
				r->ncands + 1)) {
			cand_free(c);
			return -ENOMEM;
		}
		r->cands[r->ncands++] = c;
		return 0;
	}
	/* Only the user's globs select images; -dbg packages are matched for them. */
	{
		const char *const *g;
		bool want = false;

		for (g = (const char *const *)r->globs; *g; g++)
			if (!fnmatch(*g, p->name, 0))
				want = true;
		if (!want) {
			cand_free(c);
			return 0;
		}
	}
	if (better(c, e->image)) {
		cand_free(e->image);
		e->image = c;
	} else {
		cand_free(c);
	}
	return 0;
}

static int suite_index(struct run *r, const struct release *rel, const char *rel_url)
{
	static const char *const exts[] = { ".xz", ".gz", "" };
	char path[RELEASE_PATH_MAX], rel0[PATH_MAX], name[256], hex[SHA256_HEX_LEN], why[512];
	const char *globs[GLOBS_MAX + 3];
	uint8_t digest[SHA256_DIGEST_LEN];
	struct kernel k = { 0 };
	uint64_t size = 0;
	size_t i, g = 0;
	int err = -ENOENT, fd;

	for (i = 0; i < sizeof(exts) / sizeof(exts[0]) && err == -ENOENT; i++) {
		snprintf(path, sizeof(path), "%s/binary-%s/Packages%s", r->component, r->o->arch,
			 exts[i]);
		err = release__find(rel, path, &size, digest);
	}
	if (err == -ENOENT) {
		fail(r, NULL, "%s: lists no %s/binary-%s/Packages{.xz,.gz,}", rel_url,
		     ESC(r->component), ESC(r->o->arch));
		return err;
	}
	if (err) {
		fail(r, NULL, "%s: malformed SHA256 entry for %s", rel_url, ESC(path));
		return err;
	}
	sha256_hex(digest, hex);
	snprintf(rel0, sizeof(rel0), "dists/%s/%s", r->suite, path);
	snprintf(name, sizeof(name), "%s.%s", r->component, strrchr(path, '/') + 1);
	err = entry_init(&k, "dists", r->suite, r->o->arch, name, rel0, NULL, hex);
	if (err == -EINVAL) {
		fail(r, NULL, "%s: component '%s' is not a valid name", rel_url, ESC(r->component));
		goto out;
	}
	err = err ?: download(r, (struct kernel *[]){ &k }, 1, size);
	if (err)
		goto out;
	if (k.status == KERNEL_FAILED) {
		fail(r, NULL, "%s", k.error);
		err = -EIO;
		goto out;
	}
	fd = verify(r, &k, NULL, size, hex, "its Release");
	if (fd < 0) {
		err = -EILSEQ;
		goto out;
	}
	r->index_url = k.url;
	for (i = 0; r->globs[i]; i++)
		globs[g++] = r->globs[i];
	globs[g++] = "linux-image-*-dbg";
	globs[g++] = "linux-image-*-dbgsym";
	globs[g] = NULL;
	err = packages__read(fd, &(struct packages_opts){
		.sz = sizeof(struct packages_opts),
		.globs = globs,
		.cancel = r->o->cancel,
	}, on_pkg, r, why, sizeof(why));
	close(fd);
	if (err == -EBADMSG || err == -EFBIG)
		fail(r, NULL, "%s: %s", k.url, why);
	else if (err && err != -EINTR)
		fail(r, NULL, "%s: %s", k.url, errmsg(err));
	r->index_url = NULL;
out:
	kernel__clear(&k);
	return err;
}

static int read_suite(struct run *r, const char *suite)
{
	struct release rel = { 0 };
	char *rel_url = NULL;
	int err;

	r->suite = suite;
	err = suite_release(r, &rel, &rel_url);
	err = err ?: suite_index(r, &rel, rel_url);
	release__free(&rel);
	free(rel_url);
	return err;
}

/* ---- kernels ------------------------------------------------------------ */

static int kent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kent *)a)->name, ((const struct kent *)b)->name);
}

/* Stable as the list grows: a kernel's shard depends on its key alone. */
static bool in_shard(const struct run *r, const struct kent *e)
{
	uint8_t d[SHA256_DIGEST_LEN];
	uint64_t h = 0;
	int i;

	if (r->o->nshards <= 1)
		return true;
	sha256_buf(e->name, strlen(e->name), d);
	for (i = 0; i < 8; i++)
		h = h << 8 | d[i];
	return h % r->o->nshards == r->o->shard;
}

/* The kernel @e as the callbacks see it (no file yet: fd -1). */
static struct apt_kernel kernel_of(const struct run *r, const struct kent *e, const struct cand *c)
{
	return (struct apt_kernel){
		.key = { e->distro, e->version, r->arch_out, e->release },
		.suite = c->suite,
		.package = c->name,
		.version = c->version,
		.fd = -1,
		.sha256 = c->sha256,
		.dbg = c->dbg,
	};
}

/* Made before from this very package (by its SHA-256): nothing to download. */
static bool already_made(struct run *r, const struct kent *e, const struct cand *c)
{
	struct apt_kernel k = kernel_of(r, e, c);

	if (r->o->force || !r->o->made || !r->o->made(&k, r->o->ctx))
		return false;
	pr_info("%s: already made from %s %s; skipped", e->name, ESC(c->name), ESC(c->version));
	return true;
}

/* The -dbg package of @e's image upload, else the newest -dbg of its release. */
static struct cand *dbg_of(struct run *r, const struct kent *e)
{
	struct cand *best = NULL;
	char release[LAYOUT_RELEASE_MAX + 2];
	bool dbg, unsig;
	size_t i;

	for (i = 0; i < r->ncands; i++) {
		struct cand *c = r->cands[i];
		char key[LAYOUT_KEY_MAX + 1];

		if (!release_of(c->name, release, sizeof(release), &dbg, &unsig) ||
		    strcmp(release, e->release))
			continue;
		snprintf(key, sizeof(key), "%s/%s/%s/%s", c->distro, c->dversion, r->arch_out,
			 release);
		if (strcmp(key, e->name))
			continue;
		if (e->image && !strcmp(c->version, e->image->version))
			return c;
		if (!best || debver__cmp(c->version, best->version) > 0)
			best = c;
	}
	return best;
}

struct job {
	struct kent *e;
	struct cand *c;
	struct kernel k;
};

static int job_init(struct run *r, struct job *j, struct kent *e, struct cand *c)
{
	const char *base = strrchr(c->filename, '/');
	int err;

	j->e = e;
	j->c = c;
	err = entry_init(&j->k, "pool", r->component, r->o->arch, base ? base + 1 : c->filename,
			 c->filename, NULL, c->sha256);
	if (err == -EINVAL)
		fail(r, e->name, "%s: package %s: file name '%s' is not usable", c->index_url,
		     ESC(c->name), ESC(c->filename));
	return err;
}

/* Download a batch, verify each package and make its kernel. Returns 0 or -EINTR/-ENOMEM. */
static int make_batch(struct run *r, struct job *jobs, size_t n, struct kent **retry,
		      size_t *nretry)
{
	struct kernel **ks = calloc(n ?: 1, sizeof(*ks));
	uint64_t max = 1;
	size_t i;
	int err;

	if (!ks)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		ks[i] = &jobs[i].k;
		if (jobs[i].c->size > max)
			max = jobs[i].c->size;
	}
	err = download(r, ks, n, max);
	free(ks);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		struct job *j = &jobs[i];
		struct apt_kernel ak;
		char who[1536];
		int fd, merr;

		if (r->o->cancel && *r->o->cancel)
			return -EINTR;
		if (j->k.status == KERNEL_FAILED) {
			fail(r, j->e->name, "%s", j->k.error);
			continue;
		}
		snprintf(who, sizeof(who), "%s", j->c->index_url);
		fd = verify(r, &j->k, j->e->name, j->c->size, j->c->sha256, who);
		if (fd < 0)
			continue;
		ak = kernel_of(r, j->e, j->c);
		ak.url = j->k.url;
		ak.path = j->k.archive;
		ak.fd = fd;
		merr = r->o->make(&ak, r->o->ctx);
		close(fd);
		if (!merr) {
			r->st->made++;
		} else if (merr == -ENOMSG && !j->c->dbg && !j->e->dbg_tried && dbg_of(r, j->e)) {
			pr_info("%s: %s has no .BTF; trying its -dbg package", j->e->name,
				ESC(j->c->name));
			retry[(*nretry)++] = j->e;
		} else if (merr == -ENOMSG) {
			fail(r, j->e->name, "%s: %s has no .BTF%s", j->k.url, ESC(j->c->name),
			     j->c->dbg ? "" : " and its suites have no -dbg package of it");
		} else {
			r->st->failed++;
		}
	}
	return 0;
}

static void jobs_clear(struct job *jobs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		kernel__clear(&jobs[i].k);
}

/* Make the kernels @es (images, or -dbg for those flagged), in batches. */
static int make_all(struct run *r, struct kent **es, size_t n, bool dbg_round)
{
	size_t batch = r->topts.jobs > 0 ? (size_t)r->topts.jobs * 2 : 8;
	struct kent **retry = calloc(n ?: 1, sizeof(*retry));
	struct job *jobs = calloc(batch, sizeof(*jobs));
	size_t i = 0, nretry = 0;
	int err = 0;

	if (!retry || !jobs) {
		err = -ENOMEM;
		goto out;
	}
	while (i < n && !err) {
		size_t nj = 0;

		while (i < n && nj < batch) {
			struct kent *e = es[i++];
			struct cand *c = dbg_round || r->o->prefer_dbg ? dbg_of(r, e) : e->image;

			if (!c) {
				fail(r, e->name, "%s: no -dbg package of %s in suite %s",
				     e->image->index_url, e->release, e->image->suite);
				continue;
			}
			e->dbg_tried |= c->dbg;
			if (job_init(r, &jobs[nj], e, c)) {
				kernel__clear(&jobs[nj].k);
				continue;
			}
			nj++;
		}
		err = make_batch(r, jobs, nj, retry, &nretry);
		jobs_clear(jobs, nj);
		memset(jobs, 0, batch * sizeof(*jobs));
	}
	if (!err && nretry)
		err = make_all(r, retry, nretry, true);
out:
	free(retry);
	free(jobs);
	return err;
}

static int split_globs(struct run *r)
{
	char *s, *save = NULL;
	size_t n = 0;

	r->globs_buf = strdup(r->o->globs ?: APT_DEFAULT_GLOBS);
	if (!r->globs_buf)
		return -ENOMEM;
	for (s = strtok_r(r->globs_buf, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
		if (n == GLOBS_MAX) {
			pr_err("--packages: more than %d globs", GLOBS_MAX);
			return -E2BIG;
		}
		r->globs[n++] = s;
	}
	if (!n) {
		pr_err("--packages: no glob given");
		return -EINVAL;
	}
	r->globs[n] = NULL;
	return 0;
}

static char *default_cache(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char *p = NULL;

	if (xdg && *xdg) {
		if (asprintf(&p, "%s/btfkit/make", xdg) < 0)
			p = NULL;
	} else if (home && *home) {
		if (asprintf(&p, "%s/.cache/btfkit/make", home) < 0)
			p = NULL;
	}
	return p;
}

/*
 * The download cache (o->cache_dir, or the default) behind the transfers,
 * and the transfer options over it. *@cache_dir is the caller's to free.
 */
static int open_cache(struct run *r, char **cache_dir)
{
	const struct apt_opts *o = r->o;
	int err;

	*cache_dir = o->cache_dir ? strdup(o->cache_dir) : default_cache();
	if (!*cache_dir) {
		pr_err("no cache directory: set --cache, XDG_CACHE_HOME or HOME");
		return -ENOENT;
	}
	err = mkdir_p(o->out_dir);
	err = err ?: cache__init(&r->cache, *cache_dir, r->src.base, o->out_dir);
	if (err) {
		pr_err("cache %s: %s", *cache_dir, errmsg(err));
		return err;
	}
	r->cache.suffix = "";
	r->topts = *o->transfer;
	r->topts.cache = &r->cache;
	r->topts.src = &r->src;
	r->topts.cancel = o->cancel;
	r->topts.on_done = NULL;
	return 0;
}

/*
 * The kernels (sorted r->kents) this run makes into @todo, counted in the
 * stats: an image package of this shard, not made before. Returns how many.
 */
static size_t select_todo(struct run *r, struct kent **todo)
{
	struct apt_stats *st = r->st;
	size_t i, n = 0;

	for (i = 0; i < r->nkents; i++) {
		struct kent *e = &r->kents[i];

		if (!e->image)		/* a -dbg package alone */
			continue;
		st->listed++;
		if (!in_shard(r, e))
			continue;
		st->selected++;
		if (already_made(r, e, r->o->prefer_dbg ? dbg_of(r, e) ?: e->image : e->image)) {
			st->skipped++;
			continue;
		}
		todo[n++] = e;
	}
	return n;
}

int apt__run(const struct apt_opts *o, struct apt_stats *st)
{
	struct run r = { .o = o, .st = st };
	struct kent **todo = NULL;
	char *cache_dir = NULL;
	size_t i, ntodo = 0;
	int err;

	memset(st, 0, sizeof(*st));
	if (!o->url || !o->suites || !o->suites[0] || !o->arch || !o->out_dir || !o->make) {
		pr_err("--apt needs a URL, --suite, --arch and an output directory");
		return -EINVAL;
	}
	if (strcmp(o->arch, "amd64") && strcmp(o->arch, "arm64")) {
		pr_err("--arch '%s': not amd64 or arm64 (Debian's names)", ESC(o->arch));
		return -EINVAL;
	}
	r.arch_out = layout__arch_name(o->arch);
	r.component = o->component ?: "main";
	err = source__parse(&r.src, o->url);
	if (!err && r.src.kind != SOURCE_HTTP)
		err = -EPROTONOSUPPORT;
	if (err) {
		pr_err("--apt %s: not an http(s) URL: %s", ESC(o->url), errmsg(err));
		err = -EINVAL;		/* a usage error */
		goto out;
	}
	err = split_globs(&r);
	if (err)
		goto out;
	err = open_cache(&r, &cache_dir);
	if (err)
		goto out;

	for (i = 0; o->suites[i]; i++) {
		err = read_suite(&r, o->suites[i]);
		if (err == -EINTR || err == -ENOMEM)
			goto out;
	}
	err = 0;
	qsort(r.kents, r.nkents, sizeof(*r.kents), kent_cmp);
	todo = calloc(r.nkents ?: 1, sizeof(*todo));
	if (!todo) {
		err = -ENOMEM;
		goto out;
	}
	ntodo = select_todo(&r, todo);
	pr_info("%s: %zu kernels listed, %zu in this shard, %zu already made", ESC(o->url),
		st->listed, st->selected, st->skipped);
	err = make_all(&r, todo, ntodo, false);
out:
	for (i = 0; i < r.nkents; i++) {
		cand_free(r.kents[i].image);
		free(r.kents[i].release);
	}
	for (i = 0; i < r.ncands; i++)
		cand_free(r.cands[i]);
	free(r.kents);
	free(r.cands);
	free(todo);
	free(r.globs_buf);
	free(cache_dir);
	if (r.cache.dir)
		cache__free(&r.cache);
	source__free(&r.src);
	return err;
}
