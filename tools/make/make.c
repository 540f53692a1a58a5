// SPDX-License-Identifier: BSD-2-Clause
/*
 * One kernel: input -> raw BTF (infile.c and the readers) -> key -> archive
 * (writer.c) -> output tree, atomically, never over anything that is not a
 * regular file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errmsg.h"
#include "escape.h"
#include "fileid.h"
#include "fsutil.h"
#include "log.h"
#include "make_internal.h"
#include "mem.h"
#include "state.h"
#include "tmpsweep.h"
#include "writer.h"

_Static_assert(MAKE_XZ_EXTREME == WRITER_XZ_EXTREME, "make.h's flag is the writer's");

struct maker *maker__new(const struct maker_opts *opts)
{
	struct maker *m = calloc(1, sizeof(*m));

	if (!m || !opts || !opts->out_dir ||
	    (opts->xz_preset & ~MAKE_XZ_EXTREME) > MAKE_XZ_PRESET_MAX) {
		free(m);
		errno = m ? EINVAL : ENOMEM;
		return NULL;
	}
	m->out_dir = strdup(opts->out_dir);
	m->pahole = strdup(opts->pahole ?: "pahole");
	m->max_payload = opts->max_payload ?: MAKE_DEFAULT_MAX_PAYLOAD;
	m->force = opts->force;
	m->cancel = opts->cancel;
	m->prefer = opts->prefer;
	m->xz_preset = opts->xz_preset;
	clock_gettime(CLOCK_REALTIME_COARSE, &m->started);
	pthread_mutex_init(&m->pahole_lock, NULL);
	pthread_mutex_init(&m->lock, NULL);
	sem_init(&m->slots, 0, MAKE_MAX_INFLIGHT);
	if (!m->out_dir || !m->pahole) {
		maker__free(m);
		errno = ENOMEM;
		return NULL;
	}
	return m;
}

void maker__slot_take(struct maker *m)
{
	while (sem_wait(&m->slots) && errno == EINTR)
		;
}

void maker__slot_give(struct maker *m)
{
	sem_post(&m->slots);
}

void maker__free(struct maker *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->pahole_lock);
	pthread_mutex_destroy(&m->lock);
	sem_destroy(&m->slots);
	while (m->nmade)
		free(m->made[--m->nmade].key);
	free(m->made);
	free(m->out_dir);
	free(m->pahole);
	free(m);
}

int maker__path(const struct maker *m, const struct layout_key *key, char *buf, size_t size)
{
	return layout__archive_path(m->out_dir, key, buf, size);
}

/*
 * The key: what the caller knows wins (an APT suite, --key), the input
 * fills the rest; a part neither gives is an error naming it, never a guess.
 */
static int resolve_key(struct make_job *job, const struct make_input *in,
		       struct layout_key *key, struct make_result *res)
{
	const char *given[LAYOUT_PARTS] = { in->distro, in->version, in->arch, in->release };
	const char *found[LAYOUT_PARTS] = { job->distro, job->version, job->arch, job->release };
	const char *parts[LAYOUT_PARTS];
	int i;

	for (i = 0; i < LAYOUT_PARTS; i++) {
		const char *why;

		parts[i] = given[i] && *given[i] ? given[i] : found[i];
		if (i == LAYOUT_ARCH && *parts[i])
			parts[i] = layout__arch_name(parts[i]);
		if (!*parts[i])
			return job__fail(job, -EINVAL,
					 "the input does not say its kernel's %s: give --key D/V/A/R",
					 layout__part_name(i));
		why = layout__part_invalid(i, parts[i]);
		if (why)
			return job__fail(job, -EINVAL, "%s '%s' %s", layout__part_name(i),
					 ESC(parts[i]), why);
	}
	key->distro = parts[0];
	key->version = parts[1];
	key->arch = parts[2];
	key->release = parts[3];
	snprintf(res->key, sizeof(res->key), "%s/%s/%s/%s", key->distro, key->version,
		 key->arch, key->release);
	return 0;
}

/* Whether regular file @path already holds exactly the @size bytes at @fd. */
static bool same_file(const char *path, int fd, uint64_t size)
{
	uint8_t a[SHA256_DIGEST_LEN], b[SHA256_DIGEST_LEN];
	struct stat st;
	int old;
	bool same;

	old = open_regular(path, &st);
	if (old < 0)
		return false;
	same = (uint64_t)st.st_size == size && !sha256_fd(old, a) && !sha256_fd(fd, b) &&
	       !memcmp(a, b, sizeof(a));
	close(old);
	return same;
}

/*
 * Remove the temporary files a killed run left beside @path
 * (".<name>.XXXXXX", atomic_file's), unless a live writer holds their lock.
 * Only files older than this run: a writer takes its lock just after
 * creating the file, and in that window another job of this run (or another
 * run started meanwhile) would find it unlocked and unlink it from under it.
 */
static void clean_stale(const struct maker *m, const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX], prefix[NAME_MAX + 2];
	struct dirent *de;
	size_t plen;
	DIR *d;

	if (!slash || slash - path >= (long)sizeof(dir))
		return;
	memcpy(dir, path, slash - path);
	dir[slash - path] = '\0';
	plen = snprintf(prefix, sizeof(prefix), ".%s.", slash + 1);
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, prefix, plen) || strlen(de->d_name) != plen + 6)
			continue;
		if (tmpfile__remove_stale(dirfd(d), de->d_name, &m->started) > 0)
			pr_info("%s/%s: removed (left by a killed run)", dir, de->d_name);
	}
	if (d)
		closedir(d);
}

/*
 * --prefer: whether this job's BTF may take @key, which another input of
 * the run may already have written. Called with m->lock held, right before
 * the rename, so the preferred kind wins whatever order jobs finish in.
 * Returns 1 to write, 0 to skip, or -ENOMEM.
 */
static int claim_key(struct maker *m, const char *key, bool dwarf)
{
	bool want_dwarf = m->prefer == MAKE_PREFER_DBG;
	struct made_key *k;
	size_t i;

	for (i = 0; i < m->nmade; i++) {
		k = &m->made[i];
		if (strcmp(k->key, key))
			continue;
		if (k->dwarf == dwarf || dwarf != want_dwarf)
			return dwarf == k->dwarf;	/* same kind: same bytes; else keep theirs */
		k->dwarf = dwarf;
		return 1;
	}
	if (mem__ensure((void **)&m->made, &m->made_cap, sizeof(*m->made), m->nmade + 1))
		return -ENOMEM;
	m->made[m->nmade].key = strdup(key);
	if (!m->made[m->nmade].key)
		return -ENOMEM;
	m->made[m->nmade++].dwarf = dwarf;
	return 1;
}

static int write_output(struct make_job *job, const struct layout_key *key,
			struct make_result *res)
{
	uint8_t d[SHA256_DIGEST_LEN];
	struct atomic_file af;
	char path[PATH_MAX];
	struct stat st;
	int err;

	err = maker__path(job->m, key, path, sizeof(path));
	if (err)
		return job__fail(job, err, "output path too long");
	/* Only a regular file is ever replaced (not even a FIFO is written through). */
	if (!lstat(path, &st) && !S_ISREG(st.st_mode))
		return job__fail(job, -EPERM, "%s: %s", ESC_N(path, 512),
				 atomic_file__strerror(S_ISLNK(st.st_mode) ? -ELOOP :
						       S_ISDIR(st.st_mode) ? -EISDIR : -EPERM));
	clean_stale(job->m, path);
	err = atomic_file__open(&af, path);
	if (err)
		return job__fail(job, err, "%s: %s", ESC_N(path, 512), atomic_file__strerror(err));
	err = writer__archive(job->btf_fd, job->btf_size, key->release, job->m->xz_preset,
			      af.fd);
	if (err) {
		atomic_file__abort(&af);
		return job__fail(job, err, "%s: cannot write: %s", ESC_N(path, 512), errmsg(err));
	}
	if (fstat(af.fd, &st) || sha256_fd(af.fd, d)) {
		err = -errno;
		atomic_file__abort(&af);
		return job__fail(job, err, "%s: %s", ESC_N(path, 512), errmsg(err));
	}
	res->size = st.st_size;
	sha256_hex(d, res->sha256);
	pthread_mutex_lock(&job->m->lock);
	err = claim_key(job->m, res->key, job->dwarf);
	if (err <= 0) {
		pthread_mutex_unlock(&job->m->lock);
		atomic_file__abort(&af);
		if (err)
			return job__fail(job, err, "out of memory");
		res->status = MAKE_SKIPPED;
		return 0;
	}
	if (same_file(path, af.fd, st.st_size)) {
		/* Same bytes: leave the file (and its ctime) alone. */
		pthread_mutex_unlock(&job->m->lock);
		atomic_file__abort(&af);
		res->status = MAKE_UNCHANGED;
		return 0;
	}
	err = atomic_file__commit(&af);
	pthread_mutex_unlock(&job->m->lock);
	if (err)
		return job__fail(job, err, "%s: cannot write: %s", ESC_N(path, 512), errmsg(err));
	res->status = MAKE_MADE;
	return 0;
}

static int check_sha256(struct make_job *job, int fd, const char *want)
{
	uint8_t w[SHA256_DIGEST_LEN], d[SHA256_DIGEST_LEN];
	char hex[SHA256_HEX_LEN];
	int err;

	if (sha256_parse_hex(want, w) || strlen(want) != SHA256_HEX_LEN - 1)
		return job__fail(job, -EINVAL, "expected SHA-256 is not 64 hex digits");
	err = sha256_fd(fd, d);
	if (err)
		return job__fail(job, err, "cannot read: %s", errmsg(err));
	if (memcmp(w, d, sizeof(d))) {
		sha256_hex(d, hex);
		return job__fail(job, -EILSEQ, "SHA-256 mismatch: %s, expected %s", hex, want);
	}
	return 0;
}

/* The stamp names of @in: what decides its output besides the input itself. */
static void stamp_names(const struct maker *m, const struct make_input *in, const struct stat *st,
			struct state_names *n)
{
	char decides[STATE_DECIDES_MAX];

	snprintf(decides, sizeof(decides), "%s\n%s\n%s\n%s\n%s\nprefer %d\nxz %#x\n",
		 in->distro ?: "-", in->version ?: "-", in->arch ?: "-", in->release ?: "-",
		 m->pahole, (int)m->prefer, m->xz_preset);
	state__names(decides, st, in->sha256, n);
}

/* Whether stamp @name says the kernel was made and is intact: then @res says so. */
static bool stamp_lookup(const struct maker *m, const char *name, struct make_result *res)
{
	struct state_rec rec;

	_Static_assert(sizeof(rec.key) == sizeof(res->key) && sizeof(rec.how) == sizeof(res->how) &&
		       sizeof(rec.sha256) == sizeof(res->sha256), "one record, two structs");
	if (!state__lookup(m->out_dir, name, &rec))
		return false;
	res->status = MAKE_UNCHANGED;
	memcpy(res->key, rec.key, sizeof(res->key));
	memcpy(res->how, rec.how, sizeof(res->how));
	memcpy(res->sha256, rec.sha256, sizeof(res->sha256));
	res->size = rec.size;
	res->btf_size = rec.btf_size;
	return true;
}

static void stamp_record(const struct maker *m, const struct state_names *n,
			 const struct make_result *res, bool input_settled)
{
	struct state_rec rec = { .size = res->size, .btf_size = res->btf_size };

	memcpy(rec.key, res->key, sizeof(rec.key));
	memcpy(rec.how, res->how, sizeof(rec.how));
	memcpy(rec.sha256, res->sha256, sizeof(rec.sha256));
	state__record(m->out_dir, n, &rec, input_settled);
}

bool maker__made(struct maker *m, const struct make_input *in, struct make_result *res)
{
	struct state_names names;
	struct stat st = { 0 };

	memset(res, 0, sizeof(*res));
	if (m->force || !in || !in->sha256)
		return false;
	stamp_names(m, in, &st, &names);
	return stamp_lookup(m, names.by_sha, res);
}

int maker__kernel(struct maker *m, const char *path, int fd, const struct make_input *in,
		  struct make_result *res)
{
	struct make_input none = { .sz = sizeof(none) };
	struct make_job job = { .m = m, .btf_fd = -1 };
	struct state_names names;
	struct timespec taken;
	bool settled;
	struct layout_key key = { 0 };
	struct stat st;
	int own_fd = -1, err;

	memset(res, 0, sizeof(*res));
	in = in ?: &none;
	job.name = in->name ?: path;
	if (fd < 0) {
		fd = own_fd = open_regular(path, &st);
		if (fd < 0) {
			err = job__fail(&job, fd, "%s", errmsg(fd));
			goto out;
		}
	} else if (fstat(fd, &st)) {
		err = job__fail(&job, -errno, "%s", errmsg(-errno));
		goto out;
	} else if (!S_ISREG(st.st_mode)) {
		err = job__fail(&job, -ESPIPE, "%s", errmsg(-ESPIPE));
		goto out;
	}
	stamp_names(m, in, &st, &names);
	if (!m->force && (stamp_lookup(m, names.by_id, res) || stamp_lookup(m, names.by_sha, res))) {
		/* what is already there counts for --prefer against the run's other inputs */
		pthread_mutex_lock(&m->lock);
		err = claim_key(m, res->key, strstr(res->how, "dwarf") != NULL);
		pthread_mutex_unlock(&m->lock);
		err = err < 0 ? job__fail(&job, err, "out of memory") : 0;
		goto out;
	}
	/* read from here on: was the input settled then (fileid.h)? */
	clock_gettime(CLOCK_REALTIME, &taken);
	settled = (int64_t)st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec <=
		  (int64_t)taken.tv_sec * 1000000000LL + taken.tv_nsec - FILE_ID_SETTLE_NS;
	err = in->sha256 ? check_sha256(&job, fd, in->sha256) : 0;
	maker__slot_take(m);
	err = err ?: infile__btf(&job, fd, st.st_size);
	err = err ?: resolve_key(&job, in, &key, res);
	err = err ?: write_output(&job, &key, res);
	maker__slot_give(m);
	res->btf_size = job.btf_size;
	snprintf(res->how, sizeof(res->how), "%s", job.how);
	if (!err && res->status != MAKE_SKIPPED)
		stamp_record(m, &names, res, settled);
out:
	if (err) {
		res->status = MAKE_FAILED;
		if (*res->key)
			snprintf(res->error, sizeof(res->error), "%s (%s): %s",
				 ESC_N(job.name, 512), ESC(res->key), job.why);
		else
			snprintf(res->error, sizeof(res->error), "%s: %s", ESC_N(job.name, 512),
				 job.why);
	}
	if (job.btf_fd >= 0)
		close(job.btf_fd);
	if (own_fd >= 0)
		close(own_fd);
	return err;
}
