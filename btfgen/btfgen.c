// SPDX-License-Identifier: BSD-2-Clause
/*
 * One job per kernel, run by a worker thread of the job pool:
 *
 *   prepare: open the input once (or take the descriptor btfgen__feed()
 *            was given) and use only that descriptor from here on: fstat
 *            it, find its SHA-256 (from the stat hint if it still matches,
 *            else by reading it), unpack or hand it to bpftool. A file
 *            swapped in at the input's path meanwhile is never read. Derive
 *            the cache key; if
 *            OUTDIR/.btfgen-cache/<kernel>.key has that key and the output
 *            on disk still has the recorded digest, the kernel is cached and
 *            nothing is spawned. Otherwise unpack an archive input into an
 *            anonymous file (a memfd, or an O_TMPFILE in --unpack-dir), or
 *            take a raw input's own descriptor, that bpftool reads as
 *            /proc/self/fd/3, and point bpftool's output
 *            at a temp file beside the final output. No unpacked BTF ever
 *            has a name on disk.
 *   spawn:   bpftool gen min_core_btf INPUT TMP_OUTPUT OBJECT...
 *   done:    check the exit status, parse the result with libbpf, rewrite
 *            it in canonical form (canon.h; not with --raw), rename it
 *            into place, then write the cache record (so that a crash in
 *            between only costs a redo).
 *
 * Every step touches only its own kernel's files, so jobs need no locking
 * except for the progress line.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <elf.h>
#include <bpf/btf.h>

#include "fsutil.h"
#include "tmpsweep.h"
#include "jobpool.h"
#include "log.h"
#include "sha256.h"
#include "outcache.h"
#include "canon.h"
#include "errmsg.h"
#include "layout.h"
#include "btfgen.h"

#define ERROR_MAX 1024

struct job {
	const struct input_kernel *k;
	struct btfgen_result res;
	char *out_path;
	int src_fd;		/* the input, opened once (or fed), or -1 */
	int in_fd;		/* what bpftool reads: the unpacked member, or -1 (src_fd) */
	char *tmp_out;		/* bpftool's output, beside out_path */
	int tmp_fd;		/* tmp_out, open and flock()ed while it is ours (tmpsweep.h) */
	char **argv;
	struct stat st;
	char input_sha[SHA256_HEX_LEN];
	char key[SHA256_HEX_LEN];
	struct timespec hashed_at;
	bool hint_used;
	char *fed_path;		/* streamed runs: the name btfgen__feed() gave the input */
	char fed_sha[SHA256_HEX_LEN];	/* and its SHA-256 if the feeder had it, else "" */
	struct timespec fed_at;	/* when (the hash is at least that old) */
};

/* A streamed run's jobs, in the order their inputs became ready. */
struct feed {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	size_t *order;		/* job indexes fed */
	size_t n, taken;
	bool ended;
	bool failed;		/* an input could not be obtained (fail_fast stops) */
	bool run_over;		/* btfgen__run() returned: nothing will be taken */
};

/* Fed kernels that may wait for a bpftool, each holding its input open. */
#define FEED_QUEUE_MAX 64

struct btfgen {
	struct btfgen_opts opts;
	uint8_t tool[SHA256_DIGEST_LEN];
	struct job *jobs;
	size_t njobs;
	double wall_time_s;
	size_t pruned;
	pthread_mutex_t progress_lock;
	size_t progress_done;
	struct feed feed;
};

const char *btfgen_state__str(enum btfgen_state state)
{
	switch (state) {
	case BTFGEN_REDUCED: return "reduced";
	case BTFGEN_CACHED: return "cached";
	case BTFGEN_FAILED: return "failed";
	default: return "skipped";
	}
}

unsigned int btfgen__shard_of(const char *kernel, unsigned int count)
{
	uint8_t d[SHA256_DIGEST_LEN];
	uint32_t h;

	if (count <= 1)
		return 0;
	/* A hash, not the sorted index: adding a kernel moves no other. */
	sha256_buf(kernel, strlen(kernel), d);
	h = (uint32_t)d[0] << 24 | (uint32_t)d[1] << 16 | (uint32_t)d[2] << 8 | d[3];
	return h % count;
}

bool btfgen__selects(const struct btfgen_opts *opts, const char *kernel)
{
	char buf[LAYOUT_KEY_MAX + 1];
	struct layout_key key;

	if (opts->shard_count > 1 &&
	    btfgen__shard_of(kernel, opts->shard_count) != opts->shard_index)
		return false;
	if (!opts->arch)
		return true;
	return !layout__parse_key(kernel, strlen(kernel), buf, &key, NULL, 0) &&
	       !strcmp(layout__arch_name(key.arch), layout__arch_name(opts->arch));
}

/*
 * Catch a wrong argument once, up front, rather than as the same bpftool
 * error on every kernel: min_core_btf wants ELF BPF objects.
 */
static int check_object(const char *path)
{
	unsigned char ident[EI_NIDENT];
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		pr_err("%s: %s", path, strerror(errno));
		return err;
	}
	n = read(fd, ident, sizeof(ident));
	if (n != (ssize_t)sizeof(ident) || memcmp(ident, ELFMAG, SELFMAG) != 0) {
		pr_err("%s: not an ELF BPF object", path);
		err = -ENOEXEC;
	}
	close(fd);
	return err;
}

/*
 * A canonical output is not bpftool's: a record written in the other mode
 * (or by another version of the rule) must not pass for this one's.
 */
static void canon_tool_key(uint8_t tool[SHA256_DIGEST_LEN])
{
	struct sha256_ctx ctx;
	char tag[32];

	snprintf(tag, sizeof(tag), "canon %d\n", CANON_VERSION);
	sha256_init(&ctx);
	sha256_update(&ctx, tool, SHA256_DIGEST_LEN);
	sha256_update(&ctx, tag, strlen(tag));
	sha256_final(&ctx, tool);
}

struct btfgen *btfgen__new(const struct input_list *in, const struct btfgen_opts *opts)
{
	struct btfgen *g;
	const char *bad = NULL;
	size_t i;
	int err;

	if (!opts || !opts->outdir || !opts->bpftool ||
	    !opts->bpftool_digest || opts->nobjects < 1 ||
	    (opts->shard_count && opts->shard_index >= opts->shard_count)) {
		errno = EINVAL;
		return NULL;
	}
	g = calloc(1, sizeof(*g));
	if (!g) {
		pr_err("out of memory");
		return NULL;
	}
	g->opts = *opts;
	pthread_mutex_init(&g->progress_lock, NULL);
	pthread_mutex_init(&g->feed.lock, NULL);
	pthread_cond_init(&g->feed.cond, NULL);
	for (i = 0; i < (size_t)opts->nobjects; i++) {
		err = check_object(opts->objects[i]);
		if (err)
			goto err_out;
	}
	err = outcache__tool_key(opts->bpftool_digest, opts->objects, opts->nobjects,
			      g->tool, &bad);
	if (err) {
		pr_err("%s: %s", bad, strerror(-err));
		goto err_out;
	}
	if (!g->opts.raw)
		canon_tool_key(g->tool);
	g->jobs = calloc(in->cnt ?: 1, sizeof(*g->jobs));
	g->feed.order = calloc(in->cnt ?: 1, sizeof(*g->feed.order));
	if (!g->jobs || !g->feed.order) {
		err = -ENOMEM;
		pr_err("out of memory");
		goto err_out;
	}
	for (i = 0; i < in->cnt; i++) {
		const struct input_kernel *k = &in->v[i];
		struct job *j;

		if (!btfgen__selects(opts, k->rel))
			continue;
		j = &g->jobs[g->njobs++];
		j->k = k;
		j->src_fd = -1;
		j->in_fd = -1;
		j->tmp_fd = -1;
		j->res.kernel = k->rel;
		j->res.input = k->path;
		j->res.state = BTFGEN_SKIPPED;
		if (asprintf(&j->out_path, "%s/%s.btf", opts->outdir, k->rel) < 0) {
			j->out_path = NULL;
			err = -ENOMEM;
			pr_err("out of memory");
			goto err_out;
		}
		j->res.output = j->out_path;
	}
	return g;
err_out:
	btfgen__free(g);
	errno = -err;
	return NULL;
}

static void job_cleanup(struct job *j)
{
	if (j->src_fd >= 0) {
		close(j->src_fd);
		j->src_fd = -1;
	}
	if (j->in_fd >= 0) {
		close(j->in_fd);
		j->in_fd = -1;
	}
	if (j->tmp_out) {
		unlink(j->tmp_out);
		free(j->tmp_out);
		j->tmp_out = NULL;
	}
	if (j->tmp_fd >= 0) {
		close(j->tmp_fd);
		j->tmp_fd = -1;
	}
	free(j->argv);
	j->argv = NULL;
}

void btfgen__free(struct btfgen *g)
{
	size_t i;

	if (!g)
		return;
	for (i = 0; i < g->njobs; i++) {
		job_cleanup(&g->jobs[i]);
		free(g->jobs[i].out_path);
		free(g->jobs[i].fed_path);
		free((char *)g->jobs[i].res.error);
	}
	pthread_mutex_destroy(&g->progress_lock);
	pthread_mutex_destroy(&g->feed.lock);
	pthread_cond_destroy(&g->feed.cond);
	free(g->feed.order);
	free(g->jobs);
	free(g);
}

/* Count a finished kernel and redraw "[n/total] kernel" when on a TTY. */
static void progress(struct btfgen *g, const struct job *j)
{
	pthread_mutex_lock(&g->progress_lock);
	g->progress_done++;
	if (g->opts.progress) {
		fprintf(stderr, "\r[%zu/%zu] %s\033[K", g->progress_done, g->njobs,
			j->k->rel);
		fflush(stderr);
	}
	pthread_mutex_unlock(&g->progress_lock);
}

static void unlink_cache(const struct btfgen *g, const char *rel)
{
	static const char *const exts[] = { "key", "stat" };
	size_t i;

	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
		char *p;

		if (asprintf(&p, "%s/%s/%s.%s", g->opts.outdir, OUTCACHE_DIR, rel, exts[i]) > 0) {
			unlink(p);
			free(p);
		}
	}
}

/*
 * Mark @j failed with a one-line reason and report it, naming the input.
 * Its old output and cache record go too: they were made from an input
 * that is no longer there, and must not be bundled or trusted.
 */
static void __attribute__((format(printf, 3, 4)))
job_fail(struct btfgen *g, struct job *j, const char *fmt, ...)
{
	char *msg = malloc(ERROR_MAX);
	va_list ap;

	if (j->res.state == BTFGEN_FAILED)
		return;
	j->res.state = BTFGEN_FAILED;
	if (msg) {
		va_start(ap, fmt);
		vsnprintf(msg, ERROR_MAX, fmt, ap);
		va_end(ap);
	}
	j->res.error = msg;
	unlink(j->out_path);
	unlink_cache(g, j->k->rel);
	/* Keep the line whole among other threads' output. */
	flockfile(stderr);
	if (g->opts.progress)
		fputs("\r\033[K", stderr);
	pr_err("%s: %s", j->res.input, msg ?: "out of memory");
	funlockfile(stderr);
}

/* The output still is what the record says (nobody replaced or truncated it). */
static bool output_matches(const struct job *j, const struct outcache_rec *rec)
{
	uint8_t d[SHA256_DIGEST_LEN];
	char hex[SHA256_HEX_LEN];
	struct stat st;

	if (stat(j->out_path, &st) || (uint64_t)st.st_size != rec->output_size ||
	    sha256_file(j->out_path, d))
		return false;
	sha256_hex(d, hex);
	return strcmp(hex, rec->output) == 0;
}

/* Open (or stat) the job's input and take its digest: hint, fed or hashed. */
static int job_digest(struct btfgen *g, struct job *j)
{
	uint8_t d[SHA256_DIGEST_LEN];
	int ret;

	if (j->src_fd < 0) {
		ret = open_regular(j->res.input, &j->st);
		if (ret < 0) {
			job_fail(g, j, "cannot open input: %s", errmsg(ret));
			return ret;
		}
		j->src_fd = ret;
	} else if (fstat(j->src_fd, &j->st)) {
		ret = -errno;
		job_fail(g, j, "cannot stat input: %s", strerror(errno));
		return ret;
	}
	j->res.input_bytes = j->st.st_size;

	j->hint_used = outcache__hint_read(g->opts.outdir, j->k->rel, &j->st, j->input_sha) == 0;
	if (!j->hint_used && j->fed_sha[0]) {
		memcpy(j->input_sha, j->fed_sha, SHA256_HEX_LEN);
		j->hashed_at = j->fed_at;
	} else if (!j->hint_used) {
		clock_gettime(CLOCK_REALTIME, &j->hashed_at);
		ret = sha256_fd(j->src_fd, d);
		if (ret) {
			job_fail(g, j, "cannot read input: %s", strerror(-ret));
			return ret;
		}
		sha256_hex(d, j->input_sha);
	}
	outcache__key(g->tool, j->input_sha, j->key);
	return 0;
}

/* Whether the cached output still answers for this key (then the job is done). */
static bool job_cached(struct btfgen *g, struct job *j)
{
	const char *outdir = g->opts.outdir, *rel = j->k->rel;
	struct outcache_rec rec;

	if (outcache__read(outdir, rel, &rec) || strcmp(rec.key, j->key) ||
	    !output_matches(j, &rec))
		return false;
	j->res.state = BTFGEN_CACHED;
	j->res.output_bytes = rec.output_size;
	if (!j->hint_used)
		outcache__hint_write(outdir, rel, &j->st, j->input_sha, &j->hashed_at);
	pr_debug("%s: cached", rel);
	job_cleanup(j);
	progress(g, j);
	return true;
}

/* The temporary output beside OUTDIR/<kernel>.btf that bpftool writes. */
static int job_tmp_output(struct btfgen *g, struct job *j)
{
	char *slash = strrchr(j->out_path, '/');
	int fd, ret;

	if (asprintf(&j->tmp_out, "%.*s/.%s.XXXXXX", (int)(slash - j->out_path),
		     j->out_path, slash + 1) < 0) {
		j->tmp_out = NULL;
		job_fail(g, j, "out of memory");
		return -ENOMEM;
	}
	*strrchr(j->tmp_out, '/') = '\0';
	ret = mkdir_p(j->tmp_out);
	j->tmp_out[strlen(j->tmp_out)] = '/';
	fd = ret ? -1 : mkostemp(j->tmp_out, O_CLOEXEC);
	if (fd < 0) {
		ret = ret ?: -errno;
		free(j->tmp_out);
		j->tmp_out = NULL;
		job_fail(g, j, "cannot create output in %s: %s", g->opts.outdir, strerror(-ret));
		return ret;
	}
	/* Held until the output is renamed or dropped: a sweep leaves it alone. */
	flock(fd, LOCK_EX | LOCK_NB);
	j->tmp_fd = fd;
	return 0;
}

static int job_prepare(void *ctx, size_t idx, char *const **argv)
{
	struct btfgen *g = ctx;
	struct job *j = &g->jobs[idx];
	char err[512];
	int i, n, ret;

	ret = job_digest(g, j);
	if (ret)
		return ret;
	if (job_cached(g, j))
		return JOBPOOL_SKIP;
	if (j->k->archive) {
		ret = input__unpack(j->src_fd, j->k->release, g->opts.unpack_dir, err, sizeof(err));
		if (ret < 0) {
			j->res.bad_input = ret == -EBADMSG;
			job_fail(g, j, "%s", err);
			return ret;
		}
		j->in_fd = ret;
	}
	ret = job_tmp_output(g, j);
	if (ret)
		return ret;

	n = 0;
	j->argv = calloc(6 + g->opts.nobjects, sizeof(*j->argv));
	if (!j->argv) {
		job_fail(g, j, "out of memory");
		return -ENOMEM;
	}
	j->argv[n++] = (char *)g->opts.bpftool;
	j->argv[n++] = "gen";
	j->argv[n++] = "min_core_btf";
	/* bpftool reads the descriptor: the very file that was hashed. */
	j->argv[n++] = JOBPOOL_CHILD_FD_PATH;
	j->argv[n++] = j->tmp_out;
	for (i = 0; i < g->opts.nobjects; i++)
		j->argv[n++] = g->opts.objects[i];
	j->argv[n] = NULL;
	*argv = j->argv;
	pr_debug("%s: reducing %s", j->k->rel, j->res.input);
	return 0;
}

/* bpftool's stderr on one line: lines joined with "; ", blanks dropped. */
static void one_line(const char *in, char *out, size_t out_sz)
{
	size_t o = 0;
	bool sep = false;

	for (; *in && o + 3 < out_sz; in++) {
		if (*in == '\n' || *in == '\r') {
			sep = o > 0;
			continue;
		}
		if (sep) {
			out[o++] = ';';
			out[o++] = ' ';
			sep = false;
			if (o + 3 >= out_sz)
				break;
		}
		out[o++] = (unsigned char)*in < 0x20 ? ' ' : *in;
	}
	out[o] = '\0';
}

/*
 * Write and sync a few KiB at the end of @path (bpftool's temp output, about
 * to be discarded): 0 if the filesystem takes them, else what it says
 * (-ENOSPC, -EIO, -EDQUOT, -EROFS).
 */
static int probe_write(const char *path)
{
	static const char zeros[4096];
	int fd, err;

	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = write_all(fd, zeros, sizeof(zeros));
	if (!err && fsync(fd))
		err = -errno;
	close(fd);
	return err;
}

static const char *output_state(const char *path)
{
	struct stat st;

	return stat(path, &st) ? "gone" : st.st_size ? "cut short" : "empty";
}

/*
 * Validate bpftool's output and rename it into place, then record it in the
 * cache. Returns 0 or a negative errno after job_fail().
 */
static int job_commit(struct btfgen *g, struct job *j)
{
	struct outcache_rec rec = {};
	uint8_t d[SHA256_DIGEST_LEN];
	struct stat st;
	const char *state;
	struct btf *btf;
	int err, werr;

	btf = btf__parse(j->tmp_out, NULL);
	if (!btf) {
		err = -errno;
		/*
		 * bpftool exits 0 when its write fails (an empty or cut file): if
		 * the output's filesystem refuses a write now, that is the error.
		 */
		state = output_state(j->tmp_out);
		werr = probe_write(j->tmp_out);
		if (werr) {
			job_fail(g, j, "cannot write %s: %s (bpftool's output is %s)", j->out_path,
				 strerror(-werr), state);
			return werr;
		}
		job_fail(g, j, "bpftool's output is not valid BTF: %s", strerror(-err));
		return err;
	}
	btf__free(btf);
	if (!g->opts.raw) {
		err = canon__file(j->tmp_out);
		if (err) {
			job_fail(g, j, "cannot write bpftool's output in canonical form: %s",
				 strerror(-err));
			return err;
		}
	}
	if (stat(j->tmp_out, &st)) {
		err = -errno;
		goto fail_read;
	}
	err = sha256_file(j->tmp_out, d);
	if (err)
		goto fail_read;
	if (chmod(j->tmp_out, 0644) || rename(j->tmp_out, j->out_path)) {
		err = -errno;
		job_fail(g, j, "cannot write %s: %s", j->out_path, strerror(-err));
		return err;
	}
	free(j->tmp_out);
	j->tmp_out = NULL;
	close(j->tmp_fd);
	j->tmp_fd = -1;
	j->res.state = BTFGEN_REDUCED;
	j->res.output_bytes = st.st_size;
	pr_info("%s: reduced", j->k->rel);

	memcpy(rec.key, j->key, SHA256_HEX_LEN);
	memcpy(rec.input, j->input_sha, SHA256_HEX_LEN);
	sha256_hex(d, rec.output);
	rec.output_size = st.st_size;
	/* Without its record the output is merely redone next time. */
	err = outcache__write(g->opts.outdir, j->k->rel, &rec);
	if (err)
		pr_warn("%s: cannot write cache record: %s", j->k->rel, strerror(-err));
	else if (!j->hint_used)
		outcache__hint_write(g->opts.outdir, j->k->rel, &j->st, j->input_sha,
				  &j->hashed_at);
	return 0;
fail_read:
	job_fail(g, j, "cannot read bpftool's output: %s", strerror(-err));
	return err;
}

static int job_done(void *ctx, size_t idx, int status, const char *output, size_t output_len)
{
	struct btfgen *g = ctx;
	struct job *j = &g->jobs[idx];
	char msg[ERROR_MAX - 128];

	if (j->res.state == BTFGEN_FAILED) {
		/* prepare() already reported it. */
	} else if (status < 0) {
		job_fail(g, j, "cannot run %s: %s", g->opts.bpftool, strerror(-status));
	} else if (WIFSIGNALED(status)) {
		one_line(output, msg, sizeof(msg));
		job_fail(g, j, "bpftool gen min_core_btf killed by signal %d: %s",
			 WTERMSIG(status), *msg ? msg : "no message");
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		one_line(output, msg, sizeof(msg));
		job_fail(g, j, "bpftool gen min_core_btf failed (exit %d): %s",
			 WEXITSTATUS(status), *msg ? msg : "no message");
	} else {
		job_commit(g, j);
	}
	job_cleanup(j);
	progress(g, j);
	return j->res.state == BTFGEN_FAILED && g->opts.fail_fast;
}

static int job_child_fd(void *ctx, size_t idx)
{
	const struct job *j = &((struct btfgen *)ctx)->jobs[idx];

	return j->in_fd >= 0 ? j->in_fd : j->src_fd;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int job_rel_cmp(const void *key, const void *elem)
{
	const struct job *j = elem;

	return strcmp(key, j->k->rel);
}

/*
 * Outputs whose kernel left IN_DIR would otherwise be bundled forever. Only
 * this shard's (and arch's) kernels are candidates, so shards may share one
 * OUTDIR.
 */
static int btfgen_prune(struct btfgen *g)
{
	struct input_list out;
	size_t i;
	int err;

	err = input__scan(g->opts.outdir, &out);
	if (err)
		return err;
	for (i = 0; i < out.cnt; i++) {
		const struct input_kernel *o = &out.v[i];

		if (o->archive || !btfgen__selects(&g->opts, o->rel) ||
		    bsearch(o->rel, g->jobs, g->njobs, sizeof(*g->jobs), job_rel_cmp))
			continue;
		if (unlink(o->path)) {
			err = -errno;
			pr_err("%s: cannot prune: %s", o->path, strerror(errno));
			break;
		}
		unlink_cache(g, o->rel);
		pr_info("%s: pruned, no longer in the input", o->path);
		g->pruned++;
	}
	input__free(&out);
	return err;
}

int btfgen__feed(struct btfgen *g, const char *kernel, const char *path, int fd,
		 const char *sha256)
{
	struct job *j = bsearch(kernel, g->jobs, g->njobs, sizeof(*g->jobs), job_rel_cmp);
	struct feed *f = &g->feed;
	char *copy;
	int dup_fd, err = 0;

	if (!j)
		return -ENOENT;
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dup_fd < 0) {
		err = -errno;
		free(copy);
		return err;
	}
	pthread_mutex_lock(&f->lock);
	while (f->n - f->taken >= FEED_QUEUE_MAX && !f->run_over && !f->ended &&
	       !(g->opts.stop && *g->opts.stop))
		pthread_cond_wait(&f->cond, &f->lock);
	if (j->fed_path || f->ended || f->run_over) {
		err = f->run_over && !j->fed_path ? -ECANCELED : -EALREADY;
		free(copy);
		close(dup_fd);
	} else {
		j->fed_path = copy;
		j->res.input = copy;
		j->src_fd = dup_fd;
		if (sha256 && strlen(sha256) == SHA256_HEX_LEN - 1) {
			memcpy(j->fed_sha, sha256, SHA256_HEX_LEN);
			clock_gettime(CLOCK_REALTIME, &j->fed_at);
		}
		f->order[f->n++] = j - g->jobs;
		pthread_cond_broadcast(&f->cond);
	}
	pthread_mutex_unlock(&f->lock);
	return err;
}

int btfgen__feed_failed(struct btfgen *g, const char *kernel, const char *error)
{
	struct job *j = bsearch(kernel, g->jobs, g->njobs, sizeof(*g->jobs), job_rel_cmp);
	char *copy;
	int err = 0;

	if (!j)
		return -ENOENT;
	copy = strdup(error);
	if (!copy)
		return -ENOMEM;
	pthread_mutex_lock(&g->feed.lock);
	if (j->fed_path || j->res.state != BTFGEN_SKIPPED || g->feed.ended) {
		err = -EALREADY;
		free(copy);
	} else {
		/* Not job_fail(): no output of it is touched, and the caller said it. */
		j->res.state = BTFGEN_FAILED;
		j->res.error = copy;
		/* --fail-fast: a kernel that could not be fetched is a failure too. */
		if (g->opts.fail_fast)
			g->feed.failed = true;
		pthread_cond_broadcast(&g->feed.cond);
	}
	pthread_mutex_unlock(&g->feed.lock);
	return err;
}

void btfgen__feed_end(struct btfgen *g)
{
	pthread_mutex_lock(&g->feed.lock);
	g->feed.ended = true;
	pthread_cond_broadcast(&g->feed.cond);
	pthread_mutex_unlock(&g->feed.lock);
}

/* jobpool's take(): the next fed job, waiting for one; -1 after the end. */
static long job_take(void *ctx)
{
	struct btfgen *g = ctx;
	struct feed *f = &g->feed;
	long idx = -1;

	pthread_mutex_lock(&f->lock);
	while (f->taken == f->n && !f->ended && !f->failed && !(g->opts.stop && *g->opts.stop))
		pthread_cond_wait(&f->cond, &f->lock);
	if (f->taken < f->n && !f->failed) {
		idx = (long)f->order[f->taken++];
		/* A feeder may be waiting for room. */
		pthread_cond_broadcast(&f->cond);
	}
	pthread_mutex_unlock(&f->lock);
	return idx;
}

int btfgen__run(struct btfgen *g)
{
	static const struct jobpool_ops ops = {
		.prepare = job_prepare,
		.done = job_done,
		.child_fd = job_child_fd,
	};
	static const struct jobpool_ops streamed_ops = {
		.prepare = job_prepare,
		.done = job_done,
		.child_fd = job_child_fd,
		.take = job_take,
	};
	struct jobpool_opts popts = {
		.jobs = g->opts.jobs,
		.stop = g->opts.stop,
		.envp = g->opts.bpftool_envp,
	};
	double start = now_s();
	size_t i, swept = 0;
	int err;

	err = mkdir_p(g->opts.outdir);
	if (err) {
		pr_err("%s: %s", g->opts.outdir, strerror(-err));
		return err;
	}
	/* What a killed run left (kill -9 during bpftool): owned names, unlocked only. */
	err = tmpfile__sweep(g->opts.outdir, LAYOUT_RELEASE, LAYOUT_SUFFIX_RAW, &swept);
	if (err)
		pr_warn("%s: cannot sweep stale temporary files: %s", g->opts.outdir,
			strerror(-err));
	err = jobpool__run(g->njobs, g->opts.streamed ? &streamed_ops : &ops, g, &popts);
	g->wall_time_s = now_s() - start;
	/* Jobs fed but never taken (stopped) hold their inputs open: release them. */
	pthread_mutex_lock(&g->feed.lock);
	g->feed.run_over = true;
	for (i = 0; i < g->njobs; i++)
		job_cleanup(&g->jobs[i]);
	pthread_cond_broadcast(&g->feed.cond);
	pthread_mutex_unlock(&g->feed.lock);
	if (g->opts.progress && g->njobs)
		fputs("\r\033[K", stderr);
	if (err && err != -ECANCELED) {
		pr_err("cannot start the job pool: %s", strerror(-err));
		return err;
	}
	if (g->opts.stop && *g->opts.stop)
		return -EINTR;
	for (i = 0; i < g->njobs; i++)
		if (g->jobs[i].res.state == BTFGEN_FAILED)
			return -EIO;
	/* Only after a clean run: never delete while the input is in doubt. */
	if (g->opts.prune) {
		err = btfgen_prune(g);
		if (err)
			return -EIO;
	}
	return 0;
}

size_t btfgen__result_cnt(const struct btfgen *g)
{
	return g->njobs;
}

const struct btfgen_result *btfgen__result(const struct btfgen *g, size_t i)
{
	return i < g->njobs ? &g->jobs[i].res : NULL;
}

void btfgen__summary(const struct btfgen *g, struct btfgen_summary *s)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	s->kernels = g->njobs;
	s->wall_time_s = g->wall_time_s;
	s->pruned = g->pruned;
	for (i = 0; i < g->njobs; i++) {
		const struct btfgen_result *r = &g->jobs[i].res;

		s->input_bytes += r->input_bytes;
		s->output_bytes += r->output_bytes;
		switch (r->state) {
		case BTFGEN_REDUCED: s->reduced++; break;
		case BTFGEN_CACHED: s->cached++; break;
		case BTFGEN_FAILED: s->failed++; break;
		default: s->skipped++; break;
		}
	}
}
