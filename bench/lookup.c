// SPDX-License-Identifier: BSD-2-Clause
/*
 * bench-lookup: time how a tracer gets its kernel's BTF at start-up, the
 * btfkit way and the prior art's ways, each from data already in memory
 * (linked into the binary or preloaded, as an embedded archive would be):
 *
 *   --linked        btfkit: btf_bundle__open_mem() on the linked-in table,
 *                   __find() (binary search), __read() (decode the delta
 *                   chain); also __memfd() (what libbpf is then given).
 *                   bench/run links this file with embedgen's generated .c;
 *                   built alone, the table is empty (weak symbols).
 *   --bundle FILE   the same on a standalone .btfb read into memory.
 *   --targz FILE    bcc libbpf-tools (btf_helpers.c): inflate the whole
 *                   embedded tar.gz with zlib, walk the tar headers to the
 *                   kernel's member, write it to a mkstemp() file.
 *   --tracee DIR    Tracee: one <release>.btf.tar.xz per kernel in an
 *                   embedded tree (go:embed, looked up by path); open the
 *                   kernel's archive, un-xz and un-tar it (libarchive) into
 *                   a temporary file.
 *
 * Each iteration is one complete start-up lookup. Five batches of -n
 * iterations (default: as many as fit in --min-time) are timed; the result
 * is the mean of the best batch, with the mean of all beside it. Prints one
 * JSON object.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include <zlib.h>

#include "btf_bundle.h"
#include "bundle_internal.h"
#include "fsutil.h"
#include "log.h"

/* Provided by embedgen's generated .c when bench/run links one in. */
extern const unsigned char btfkit_bundle[] __attribute__((weak));
extern const size_t btfkit_bundle_size __attribute__((weak));

#define BATCHES 5

struct timing {
	const char *method;
	double total_ns;	/* wall time, summed over the iterations */
	double cpu_ns;		/* this thread's CPU time (user + sys), summed */
	double step_ns[3];	/* method-specific split, see step_names */
	const char *step_names[3];
	size_t btf_size;
	unsigned long iters;
};

/* Account one iteration: three steps between t0..t3, total t0..tend. */
static void timing_add(struct timing *t, double t0, double t1, double t2, double t3,
		       double tend, size_t btf_size)
{
	t->step_ns[0] += t1 - t0;
	t->step_ns[1] += t2 - t1;
	t->step_ns[2] += t3 - t2;
	t->total_ns += tend - t0;
	t->btf_size = btf_size;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* CPU time of this thread: what a lookup costs, minus waiting for a CPU. */
static double cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int key_path(const struct btf_host *h, const char *suffix, char *buf, size_t sz)
{
	int n = snprintf(buf, sz, "%s/%s/%s/%s%s", h->distro, h->version, h->arch,
			 h->release, suffix);

	return n < 0 || (size_t)n >= sz ? -ENAMETOOLONG : 0;
}

/* A temporary file like bcc's and Tracee's; removed at once (cleanup cost included). */
static int write_temp(const void *data, size_t len)
{
	char path[] = "/tmp/bench-lookup.btf.XXXXXX";
	int fd = mkstemp(path), err;

	if (fd < 0)
		return -errno;
	err = write_all(fd, data, len);
	close(fd);
	unlink(path);
	return err;
}

static int bench_bundle(const void *data, size_t size, const struct btf_host *host,
			unsigned long iters, struct timing *t)
{
	double t0, t1, t2, t3, t4, cpu0;
	unsigned long i;
	int err = 0;

	t->step_names[0] = "open_ns";
	t->step_names[1] = "find_ns";
	t->step_names[2] = "read_ns";
	cpu0 = cpu_ns();
	for (i = 0; i < iters; i++) {
		BUNDLE_MATCH(m);
		struct btf_bundle *b;
		void *btf = NULL;
		size_t btf_sz;
		int idx;

		t0 = now_ns();
		b = btf_bundle__open_mem(data, size, NULL);
		if (!b)
			return -errno;
		t1 = now_ns();
		idx = btf_bundle__find(b, host, &m);
		t2 = now_ns();
		err = idx < 0 ? idx : btf_bundle__read(b, idx, &btf, &btf_sz);
		t3 = now_ns();
		btf_bundle__free(b);
		free(btf);
		t4 = now_ns();
		if (err) {
			if (idx < 0)
				pr_err("bundle: %s", m.reason);
			return err;
		}
		timing_add(t, t0, t1, t2, t3, t4, btf_sz);
	}
	t->cpu_ns += cpu_ns() - cpu0;
	return 0;
}

/* Time btf_bundle__memfd() (+ close) alone, after one open and find. */
static int bench_memfd(const void *data, size_t size, const struct btf_host *host,
		       unsigned long iters, double *ns)
{
	struct btf_bundle *b = btf_bundle__open_mem(data, size, NULL);
	BUNDLE_MATCH(m);
	char path[64];
	unsigned long i;
	int idx, fd, err = 0;
	double t0;

	if (!b)
		return -errno;
	idx = btf_bundle__find(b, host, &m);
	if (idx < 0) {
		err = idx;
		goto out;
	}
	t0 = now_ns();
	for (i = 0; i < iters; i++) {
		fd = btf_bundle__memfd(b, idx, path, sizeof(path));
		if (fd < 0) {
			err = fd;
			goto out;
		}
		close(fd);
	}
	*ns = (now_ns() - t0) / iters;
out:
	btf_bundle__free(b);
	return err;
}

/* bcc's inflate_gz: the whole archive into one growing buffer. */
static int inflate_all(const void *src, size_t len, unsigned char **out, size_t *out_len)
{
	z_stream zs = { 0 };
	size_t cap = 1 << 20;
	unsigned char *buf = malloc(cap), *nb;
	int ret;

	if (!buf)
		return -ENOMEM;
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
		free(buf);
		return -EINVAL;
	}
	zs.next_in = (unsigned char *)src;
	zs.avail_in = len;
	do {
		if (zs.total_out == cap) {
			nb = realloc(buf, cap * 2);
			if (!nb) {
				ret = Z_MEM_ERROR;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		zs.next_out = buf + zs.total_out;
		zs.avail_out = cap - zs.total_out;
		ret = inflate(&zs, Z_NO_FLUSH);
	} while (ret == Z_OK);
	*out_len = zs.total_out;
	inflateEnd(&zs);
	if (ret != Z_STREAM_END) {
		free(buf);
		return -EBADMSG;
	}
	*out = buf;
	return 0;
}

/* Walk ustar headers (bounded, unlike bcc's tar_file_start) to @name. */
static const unsigned char *tar_find(const unsigned char *tar, size_t len, const char *name,
				     size_t *size)
{
	size_t off = 0, sz;

	while (off + 512 <= len && tar[off]) {
		sz = strtoul((const char *)tar + off + 124, NULL, 8);
		if (!strncmp((const char *)tar + off, name, 100) && off + 512 + sz <= len) {
			*size = sz;
			return tar + off + 512;
		}
		off += 512 + (sz + 511) / 512 * 512;
	}
	return NULL;
}

static int bench_targz(const void *gz, size_t gz_len, const struct btf_host *host,
		       unsigned long iters, struct timing *t)
{
	char name[512];
	unsigned long i;
	double cpu0;
	int err = key_path(host, ".btf", name, sizeof(name));

	t->step_names[0] = "inflate_ns";
	t->step_names[1] = "scan_ns";
	t->step_names[2] = "tmpfile_ns";
	cpu0 = cpu_ns();
	for (i = 0; i < iters && !err; i++) {
		const unsigned char *member;
		unsigned char *tar = NULL;
		size_t tar_len, sz = 0;
		double t0, t1, t2, t3;

		t0 = now_ns();
		err = inflate_all(gz, gz_len, &tar, &tar_len);
		if (err)
			break;
		t1 = now_ns();
		member = tar_find(tar, tar_len, name, &sz);
		t2 = now_ns();
		err = member ? write_temp(member, sz) : -ENOENT;
		free(tar);
		t3 = now_ns();
		timing_add(t, t0, t1, t2, t3, t3, sz);
	}
	t->cpu_ns += cpu_ns() - cpu0;
	if (err == -ENOENT)
		pr_err("tar.gz: no member %s", name);
	return err;
}

struct memfile {
	char *name;
	void *data;
	size_t len;
};

static int memfile_cmp(const void *a, const void *b)
{
	return strcmp(((const struct memfile *)a)->name, ((const struct memfile *)b)->name);
}

/* Preload the files named in @list (relative to @root), sorted: an embedded FS. */
static int load_tree(const char *root, const char *list, struct memfile **files, size_t *cnt)
{
	FILE *f = fopen(list, "r");
	char line[1024], path[2048];
	struct memfile *v = NULL, *nv;
	size_t n = 0;
	int err = 0;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!*line)
			continue;
		nv = realloc(v, (n + 1) * sizeof(*v));
		if (!nv) {
			err = -ENOMEM;
			break;
		}
		v = nv;
		snprintf(path, sizeof(path), "%s/%s", root, line);
		v[n].name = strdup(line);
		err = read_file(path, &v[n].data, &v[n].len, 64 << 20);
		if (err || !v[n].name) {
			pr_err("%s: %s", path, strerror(err ? -err : ENOMEM));
			err = err ?: -ENOMEM;
			break;
		}
		n++;
	}
	fclose(f);
	qsort(v, n, sizeof(*v), memfile_cmp);
	*files = v;
	*cnt = n;
	return err;
}

static int untar_xz(const void *data, size_t len, void **out, size_t *out_len)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	la_ssize_t got;
	size_t sz;
	void *buf = NULL;
	int err = -EBADMSG;

	if (!a)
		return -ENOMEM;
	archive_read_support_filter_xz(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_memory(a, data, len) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK)
		goto out;
	sz = archive_entry_size(e);
	buf = malloc(sz ? sz : 1);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	got = archive_read_data(a, buf, sz);
	if (got < 0 || (size_t)got != sz)
		goto out;
	*out = buf;
	*out_len = sz;
	buf = NULL;
	err = 0;
out:
	free(buf);
	archive_read_free(a);
	return err;
}

static int bench_tracee(const char *root, const char *list, const struct btf_host *host,
			unsigned long iters, struct timing *t)
{
	struct memfile *files = NULL, key, *hit;
	size_t cnt = 0, i;
	char name[512];
	unsigned long it;
	double cpu0;
	int err;

	err = key_path(host, ".btf.tar.xz", name, sizeof(name));
	err = err ?: load_tree(root, list, &files, &cnt);
	t->step_names[0] = "find_ns";
	t->step_names[1] = "unxz_ns";
	t->step_names[2] = "tmpfile_ns";
	key.name = name;
	cpu0 = cpu_ns();
	for (it = 0; it < iters && !err; it++) {
		void *btf = NULL;
		size_t sz = 0;
		double t0, t1, t2, t3;

		t0 = now_ns();
		hit = bsearch(&key, files, cnt, sizeof(*files), memfile_cmp);
		t1 = now_ns();
		if (!hit) {
			pr_err("%s: no %s", root, name);
			err = -ENOENT;
			break;
		}
		err = untar_xz(hit->data, hit->len, &btf, &sz);
		t2 = now_ns();
		err = err ?: write_temp(btf, sz);
		free(btf);
		t3 = now_ns();
		timing_add(t, t0, t1, t2, t3, t3, sz);
	}
	t->cpu_ns += cpu_ns() - cpu0;
	for (i = 0; i < cnt; i++) {
		free(files[i].name);
		free(files[i].data);
	}
	free(files);
	return err;
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: bench-lookup (--linked | --bundle FILE | --targz FILE | --tracee DIR --list FILE)\n"
"                    [--host D/V/A/R] [-n ITER] [--min-time SEC]\n"
"\n"
"Time one start-up BTF lookup (mean of many) and print it as JSON.\n"
"\n"
"      --linked          the bundle linked into this binary (btfkit)\n"
"      --bundle FILE     a standalone .btfb, preloaded (btfkit)\n"
"      --targz FILE      a tar.gz of all BTFs, preloaded (bcc libbpf-tools)\n"
"      --tracee DIR      per-kernel .btf.tar.xz files named in --list (Tracee)\n"
"      --list FILE       paths relative to DIR, one per line\n"
"      --host SPEC       kernel to look up (default: this host)\n"
"  -n, --iterations N    iterations per batch of 5 (default: fill --min-time)\n"
"      --min-time SEC    minimum measured time (default 0.5)\n"
"  -h, --help            this help\n"
"  -V, --version         version\n");
}

enum { OPT_LINKED = 256, OPT_BUNDLE, OPT_TARGZ, OPT_TRACEE, OPT_LIST, OPT_HOST, OPT_MIN };

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "linked", no_argument, NULL, OPT_LINKED },
		{ "bundle", required_argument, NULL, OPT_BUNDLE },
		{ "targz", required_argument, NULL, OPT_TARGZ },
		{ "tracee", required_argument, NULL, OPT_TRACEE },
		{ "list", required_argument, NULL, OPT_LIST },
		{ "host", required_argument, NULL, OPT_HOST },
		{ "iterations", required_argument, NULL, 'n' },
		{ "min-time", required_argument, NULL, OPT_MIN },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	const char *bundle = NULL, *targz = NULL, *tracee = NULL, *list = NULL, *spec = NULL;
	struct timing t = { 0 }, probe;
	struct btf_host host;
	unsigned long iters = 0;
	double min_time = 0.5, memfd_ns = -1, all_ns = 0;
	bool linked = false;
	void *data = NULL;
	size_t len = 0;
	json_t *o;
	int opt, err = 0, i;

	while ((opt = getopt_long(argc, argv, "n:hV", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_LINKED: linked = true; break;
		case OPT_BUNDLE: bundle = optarg; break;
		case OPT_TARGZ: targz = optarg; break;
		case OPT_TRACEE: tracee = optarg; break;
		case OPT_LIST: list = optarg; break;
		case OPT_HOST: spec = optarg; break;
		case 'n': iters = strtoul(optarg, NULL, 10); break;
		case OPT_MIN: min_time = strtod(optarg, NULL); break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("bench-lookup %s\n", BTFKIT_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	log_init("bench-lookup", 0);
	if (linked + !!bundle + !!targz + !!tracee != 1 || (tracee && !list)) {
		usage(stderr);
		return 2;
	}
	err = spec ? host__parse(&host, spec) : host__detect(&host, NULL);
	if (err) {
		pr_err("host %s: %s", spec ?: "(detected)", strerror(-err));
		return 1;
	}
	if (linked) {
		if (!btfkit_bundle || !&btfkit_bundle_size) {
			pr_err("--linked: no bundle linked into this binary");
			return 1;
		}
		data = (void *)btfkit_bundle;
		len = btfkit_bundle_size;
	} else if (bundle || targz) {
		err = read_file(bundle ?: targz, &data, &len, 1 << 30);
		if (err) {
			pr_err("%s: %s", bundle ?: targz, strerror(-err));
			return 1;
		}
	}
	/*
	 * One warm-up, then BATCHES batches sized to fill min_time together.
	 * Other jobs share the machine: the best batch's mean is the cost of a
	 * lookup, the mean of all batches is reported beside it.
	 */
	for (i = 0; i <= BATCHES && !err; i++) {
		memset(&probe, 0, sizeof(probe));
		if (tracee)
			err = bench_tracee(tracee, list, &host, i ? iters : 1, &probe);
		else if (targz)
			err = bench_targz(data, len, &host, i ? iters : 1, &probe);
		else
			err = bench_bundle(data, len, &host, i ? iters : 1, &probe);
		if (!i) {
			if (!iters)
				iters = probe.total_ns > 0 ?
					min_time * 1e9 / BATCHES / probe.total_ns + 1 : 1000;
			if (iters > 200000)
				iters = 200000;
			continue;
		}
		all_ns += probe.total_ns;
		if (i == 1 || probe.total_ns < t.total_ns)
			t = probe;
	}
	if (!err && (linked || bundle))
		err = bench_memfd(data, len, &host, iters, &memfd_ns);
	if (err) {
		pr_err("%s: lookup of %s/%s/%s/%s failed: %s",
		       linked ? "linked bundle" : bundle ?: targz ?: tracee, host.distro,
		       host.version, host.arch, host.release, strerror(-err));
		return 1;
	}
	t.method = linked ? "btfkit-linked" : bundle ? "btfkit-file" : targz ? "bcc-targz" : "tracee";
	o = json_pack("{s:s, s:f, s:f, s:f, s:I, s:I}", "method", t.method,
		      "mean_ns", t.total_ns / iters, "mean_all_ns", all_ns / (iters * BATCHES),
		      "cpu_ns", t.cpu_ns / iters,
		      "iterations", (json_int_t)(iters * BATCHES), "btf_size", (json_int_t)t.btf_size);
	for (i = 0; i < 3; i++)
		json_object_set_new(o, t.step_names[i], json_real(t.step_ns[i] / iters));
	if (memfd_ns >= 0)
		json_object_set_new(o, "memfd_ns", json_real(memfd_ns));
	json_dumpf(o, stdout, JSON_COMPACT | JSON_SORT_KEYS);
	putchar('\n');
	json_decref(o);
	if (!linked)
		free(data);
	return 0;
}
