// SPDX-License-Identifier: BSD-2-Clause
/*
 * The start-up BTF decision (btf_bundle__select(); the order is in
 * btf_bundle.h). Each step records what it found so that a tool's -v, its
 * "which BTF" command and the final error can all say what was tried and
 * why it was (not) used.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <elf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "btf_bundle.h"
#include "bundle_internal.h"
#include "layout.h"

/*
 * The kernel's own BTF. Not an option: libbpf loads the kernel's BTF from
 * this path itself, so the decision must look where libbpf will. A hidden
 * variable only so that the unit tests can point step 2 at a file of their
 * own (present, absent) without root (bundle_internal.h).
 */
const char *bundle_system_btf = "/sys/kernel/btf/vmlinux";
#define SYSTEM_BTF bundle_system_btf
#define MAX_STEPS 16

struct step {
	enum btf_bundle_source source;
	int err;
	char where[256];
	char detail[320];
};

struct btf_bundle_choice {
	enum btf_bundle_source source;
	const char *custom_path;	/* NULL: the kernel's own */
	char path[4096];		/* storage for custom_path */
	int memfd;			/* -1 unless a bundle entry is used */
	char desc[512];
	char explain[2048];
	/* Report mode: the first usable step's, while later steps overwrite desc and path. */
	char first_desc[512];
	char first_path[4096];
	bool first_has_path;
	const char *file_hint;		/* the caller's (opts outlive the call only) */
	char hint[128];
	bool have_host;
	struct btf_host host;
	struct step steps[MAX_STEPS];
	uint32_t step_cnt;
	/* The object's digest, computed on first use: once per selection. */
	bool have_digest;
	uint8_t digest[BTF_BUNDLE_DIGEST_LEN];
};

static const char *const source_names[BTF_BUNDLE_SRC_CNT] = {
	[BTF_BUNDLE_SRC_AUTO] = "auto",
	[BTF_BUNDLE_SRC_FILE] = "file",
	[BTF_BUNDLE_SRC_SYSTEM] = "system",
	[BTF_BUNDLE_SRC_EMBEDDED] = "embedded",
	[BTF_BUNDLE_SRC_BUNDLE] = "bundle",
};

const char *btf_bundle__source_name(enum btf_bundle_source src)
{
	return src < BTF_BUNDLE_SRC_CNT ? source_names[src] : "?";
}

int btf_bundle__source_parse(const char *name, enum btf_bundle_source *src)
{
	int i;

	if (!name || !src)
		return -EINVAL;
	for (i = 0; i < BTF_BUNDLE_SRC_CNT; i++) {
		if (!strcmp(name, source_names[i])) {
			*src = i;
			return 0;
		}
	}
	return -EINVAL;
}

static void add_step(struct btf_bundle_choice *c, enum btf_bundle_source src, int err,
		     const char *where, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void add_step(struct btf_bundle_choice *c, enum btf_bundle_source src, int err,
		     const char *where, const char *fmt, ...)
{
	/* The last slot is reused rather than overflowing: only the tail of a
	 * very long bundle directory listing would be lost. */
	struct step *s = &c->steps[c->step_cnt < MAX_STEPS ? c->step_cnt++ : MAX_STEPS - 1];
	va_list ap;

	s->source = src;
	s->err = err;
	snprintf(s->where, sizeof(s->where), "%s", where);
	va_start(ap, fmt);
	vsnprintf(s->detail, sizeof(s->detail), fmt, ap);
	va_end(ap);
	pr_bdebug("btf: %s %s: %s\n", btf_bundle__source_name(src), where, s->detail);
}

static const char *file_type(mode_t m)
{
	if (S_ISDIR(m)) return "a directory";
	if (S_ISFIFO(m)) return "a FIFO";
	if (S_ISCHR(m)) return "a character device";
	if (S_ISBLK(m)) return "a block device";
	if (S_ISSOCK(m)) return "a socket";
	return "not a regular file";
}

/*
 * An explicit BTF file is read whole (libbpf's btf__parse_raw(), or the
 * .BTF section an ELF's btf__parse_elf() copies), so it is bounded first.
 * The largest full kernel BTF measured: 27,031,815 bytes (BTFHub's CentOS 8
 * aarch64 4.18.0-147.5.1.el8_1; x86_64 kernels are 4-8 MB, this host's
 * 6.18 5.5 MB). Twice that, rounded up, is far above any real kernel and
 * far below what a hostile file could make us allocate.
 */
#define EXPLICIT_BTF_MAX (64ull << 20)

/* The .BTF section size of the ELF open at @fd, from its section headers (mmap: nothing read whole). */
static int elf_file_btf_size(int fd, uint64_t file_size, uint64_t *btf_size)
{
	void *map;
	int err;

	if (file_size > SIZE_MAX)
		return -EFBIG;
	map = mmap(NULL, file_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return -errno;
	err = elf_btf_size(map, file_size, btf_size);
	munmap(map, file_size);
	return err;
}

/*
 * An ELF file whose first 20+ bytes are @h: a kernel's (not a BPF object),
 * its .BTF bounded before libbpf reads it.
 */
static int check_elf_file(const char *path, int fd, const struct stat *st, const unsigned char *h,
			  char *why, size_t why_sz)
{
	unsigned int machine = h[EI_DATA] == ELFDATA2MSB ? (h[18] << 8 | h[19])
							 : (h[19] << 8 | h[18]);
	uint64_t bsz = 0;
	struct btf *btf;
	int err;

	if (machine == EM_BPF) {
		snprintf(why, why_sz, "not BTF: a BPF object, not a kernel's BTF");
		return -EINVAL;
	}
	/* A vmlinux with DWARF is hundreds of MB: only its .BTF is bounded. */
	err = elf_file_btf_size(fd, st->st_size, &bsz);
	if (err == -EOPNOTSUPP && (uint64_t)st->st_size <= EXPLICIT_BTF_MAX)
		err = 0;	/* ELF32: libbpf reads it; small enough anyway */
	else if (err == -EOPNOTSUPP)
		bsz = st->st_size;
	if (err && err != -EOPNOTSUPP && err != -ENOMSG) {
		snprintf(why, why_sz, "not BTF: %s", err == -EINVAL ?
			 "a malformed ELF file" : strerror(-err));
		return err;
	}
	if (bsz > EXPLICIT_BTF_MAX) {
		snprintf(why, why_sz, "too large: %llu bytes of BTF, over the %llu MiB a "
			 "kernel's BTF is allowed (the largest known is 27 MB)",
			 (unsigned long long)bsz, EXPLICIT_BTF_MAX >> 20);
		return -EFBIG;
	}
	btf = btf__parse_elf(path, NULL);
	if (!btf) {
		err = -errno;
		snprintf(why, why_sz, "not BTF: %s", err == -ENOENT
			 ? "an ELF file without a .BTF section" : btf_bundle__strerror(err));
		return err;
	}
	btf__free(btf);
	return 0;
}

/* Raw BTF whose first @n bytes are @h: the magic (either byte order), bounded, parsed. */
static int check_raw_file(const char *path, const struct stat *st, const unsigned char *h,
			  ssize_t n, char *why, size_t why_sz)
{
	struct btf *btf;
	int err;

	if (n < 4 || !((h[0] == 0x9f && h[1] == 0xeb) || (h[0] == 0xeb && h[1] == 0x9f))) {
		snprintf(why, why_sz, "not BTF: no BTF magic");
		return -EINVAL;
	}
	if ((uint64_t)st->st_size > EXPLICIT_BTF_MAX) {
		snprintf(why, why_sz, "too large: %llu bytes, over the %llu MiB a kernel's BTF is "
			 "allowed (the largest known is 27 MB)", (unsigned long long)st->st_size,
			 EXPLICIT_BTF_MAX >> 20);
		return -EFBIG;
	}
	btf = btf__parse_raw(path);
	if (!btf) {
		err = -errno;
		snprintf(why, why_sz, "not valid BTF: %s", btf_bundle__strerror(err));
		return err;
	}
	btf__free(btf);
	return 0;
}

/*
 * Check that @path is a kernel's BTF: a regular file (opened non-blocking,
 * so a FIFO never hangs us), bounded (EXPLICIT_BTF_MAX), raw BTF or an ELF
 * with .BTF that is not a BPF object (libbpf would take a BPF object's own
 * .BTF). Returns 0 or a negative errno with @why set.
 */
static int check_btf_file(const char *path, char *why, size_t why_sz)
{
	unsigned char h[64];
	struct stat st;
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		err = -errno;
		snprintf(why, why_sz, "cannot open: %s", strerror(errno));
		return err;
	}
	if (fstat(fd, &st)) {
		err = -errno;
		snprintf(why, why_sz, "cannot stat: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, why_sz, "not BTF: %s", file_type(st.st_mode));
		err = -EINVAL;
		goto out;
	}
	/* sysfs reports its files' size as 4096 or 0: read what is there. */
	n = pread(fd, h, sizeof(h), 0);
	if (n < 0) {
		err = -errno;
		snprintf(why, why_sz, "cannot read: %s", strerror(errno));
		goto out;
	}
	if (n == 0) {
		snprintf(why, why_sz, "not BTF: an empty file");
		err = -EINVAL;
		goto out;
	}
	if (n >= 20 && !memcmp(h, ELFMAG, SELFMAG))
		err = check_elf_file(path, fd, &st, h, why, why_sz);
	else
		err = check_raw_file(path, &st, h, n, why, why_sz);
out:
	close(fd);
	return err;
}

static int step_file(const struct btf_bundle_select_opts *opts, struct btf_bundle_choice *c)
{
	const char *path = OPTS_GET(opts, btf_file, NULL);
	char why[320];
	int err;

	if (!path) {
		add_step(c, BTF_BUNDLE_SRC_FILE, -ENOENT, "-", "not set");
		return -ENOENT;
	}
	err = check_btf_file(path, why, sizeof(why));
	if (err) {
		add_step(c, BTF_BUNDLE_SRC_FILE, err, path, "cannot read BTF: %s", why);
		return err;
	}
	add_step(c, BTF_BUNDLE_SRC_FILE, 0, path, "explicit BTF file");
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->custom_path = c->path;
	snprintf(c->desc, sizeof(c->desc), "file %s", path);
	return 0;
}

static int step_system(struct btf_bundle_choice *c)
{
	int err;

	if (access(SYSTEM_BTF, R_OK)) {
		err = -errno;
		add_step(c, BTF_BUNDLE_SRC_SYSTEM, err, SYSTEM_BTF, "%s",
			 err == -ENOENT ? "absent (kernel built without CONFIG_DEBUG_INFO_BTF)"
					: strerror(-err));
		return err;
	}
	add_step(c, BTF_BUNDLE_SRC_SYSTEM, 0, SYSTEM_BTF, "the kernel's own BTF");
	c->custom_path = NULL;	/* libbpf loads it itself */
	snprintf(c->desc, sizeof(c->desc), "system %s", SYSTEM_BTF);
	return 0;
}

static const char *match_name(enum btf_bundle_match_kind kind)
{
	switch (kind) {
	case BTF_BUNDLE_MATCH_EXACT: return "exact match";
	case BTF_BUNDLE_MATCH_ALIAS: return "version alias";
	case BTF_BUNDLE_MATCH_FALLBACK: return "fallback";
	default: return "no match";
	}
}

/* Look the host up in an open bundle and, unless reporting, open its memfd. */
static int use_bundle(const struct btf_bundle_select_opts *opts, struct btf_bundle_choice *c,
		      enum btf_bundle_source src, struct btf_bundle *b, const char *where)
{
	char key[512], reason[320];
	int idx, fd;

	BTF_BUNDLE_OPTS(btf_bundle_entry, e);
	BTF_BUNDLE_OPTS(btf_bundle_match, m, .reason = reason, .reason_sz = sizeof(reason));
	BTF_BUNDLE_OPTS(btf_bundle_find_opts, fo,
			.no_fallback = OPTS_GET(opts, no_fallback, false));

	idx = btf_bundle__find_opts(b, &c->host, &m, &fo);
	if (idx >= 0)
		idx = btf_bundle__entry(b, idx, &e) ?: idx;
	if (idx == -ENOMEM) {
		/* Not "none for this host": the entry may well be there. */
		add_step(c, src, idx, where, "out of memory reading its index");
		return idx;
	}
	if (idx < 0) {
		add_step(c, src, -ENOENT, where, "none for this host: %s", reason);
		return -ENOENT;
	}
	snprintf(key, sizeof(key), "%s/%s/%s/%s", e.distro, e.version, e.arch, e.release);
	if (!OPTS_GET(opts, report, false)) {
		fd = btf_bundle__memfd(b, idx, c->path, sizeof(c->path));
		if (fd < 0) {
			add_step(c, src, fd, where, "cannot extract %s: %s", key,
				 btf_bundle__strerror(fd));
			return fd;
		}
		if (c->memfd >= 0)
			close(c->memfd);
		c->memfd = fd;
		c->custom_path = c->path;
	}
	add_step(c, src, 0, where, "%s (%s)", key, reason);
	if (src == BTF_BUNDLE_SRC_EMBEDDED)
		snprintf(c->desc, sizeof(c->desc), "embedded bundle, entry %.250s (%s)", key,
			 match_name(m.kind));
	else
		snprintf(c->desc, sizeof(c->desc), "bundle %.200s, entry %.250s (%s)", where, key,
			 match_name(m.kind));
	return 0;
}

/* Open the embedded bundle (@path NULL) or a bundle file, refusing another object's. */
static int try_bundle(const struct btf_bundle_select_opts *opts, struct btf_bundle_choice *c,
		      enum btf_bundle_source src, const char *path)
{
	const void *obj = OPTS_GET(opts, object, NULL);
	const uint8_t *digest = OPTS_GET(opts, object_digest, NULL);
	const char *where = path ?: "embedded";
	struct btf_bundle *b;
	int err;

	if (obj && !c->have_digest) {
		err = btf_bundle__object_digest(obj, OPTS_GET(opts, object_sz, 0), c->digest);
		if (err) {
			add_step(c, src, err, where, "cannot check the BPF object: %s",
				 btf_bundle__strerror(err));
			return err;
		}
		c->have_digest = true;
	}
	if (c->have_digest)
		digest = c->digest;
	BTF_BUNDLE_OPTS(btf_bundle_open_opts, bopts, .object_digest = digest);
	b = path ? btf_bundle__open_file(path, &bopts)
		 : btf_bundle__open_mem(OPTS_GET(opts, embedded, NULL),
					OPTS_GET(opts, embedded_sz, 0), &bopts);
	if (!b) {
		err = -errno;
		if (err == -ESTALE)
			add_step(c, src, err, where, "refused: reduced against another BPF object");
		else
			add_step(c, src, err, where, "cannot open bundle: %s",
				 btf_bundle__strerror(err));
		return err;
	}
	err = use_bundle(opts, c, src, b, where);
	btf_bundle__free(b);
	return err;
}

static int step_embedded(const struct btf_bundle_select_opts *opts, struct btf_bundle_choice *c)
{
	if (!OPTS_GET(opts, embedded, NULL) || !OPTS_GET(opts, embedded_sz, 0)) {
		add_step(c, BTF_BUNDLE_SRC_EMBEDDED, -ENOENT, "embedded",
			 "empty (built without kernels)");
		return -ENOENT;
	}
	return try_bundle(opts, c, BTF_BUNDLE_SRC_EMBEDDED, NULL);
}

/*
 * The first success wins; otherwise the first refusal or error says most.
 * Out of memory overrides both: what was found so far may not be the answer.
 */
static int keep(int err, int e)
{
	if (err == -ENOMEM || e == -ENOMEM)
		return -ENOMEM;
	if (!err || !e)
		return 0;
	return err == -ENOENT ? e : err;
}

static int step_bundle(const struct btf_bundle_select_opts *opts, struct btf_bundle_choice *c)
{
	const char *const *files = OPTS_GET(opts, bundle_files, NULL);
	size_t i, nfiles = files ? OPTS_GET(opts, bundle_file_cnt, 0) : 0;
	const char *dir = OPTS_GET(opts, bundle_dir, NULL);
	bool report = OPTS_GET(opts, report, false);
	int err = -ENOENT, tried = 0;
	char pattern[4096];
	glob_t g = {};

	for (i = 0; i < nfiles; i++) {
		tried++;
		err = keep(err, try_bundle(opts, c, BTF_BUNDLE_SRC_BUNDLE, files[i]));
		if (err == -ENOMEM || (!err && !report))
			return err;
	}
	if (dir && *dir) {
		snprintf(pattern, sizeof(pattern), "%s/*.btfb", dir);
		/* glob() sorts: the directory is searched in name order. */
		if (!glob(pattern, 0, NULL, &g)) {
			for (i = 0; i < g.gl_pathc; i++) {
				tried++;
				err = keep(err, try_bundle(opts, c, BTF_BUNDLE_SRC_BUNDLE,
							   g.gl_pathv[i]));
				if (err == -ENOMEM || (!err && !report))
					break;
			}
		}
		globfree(&g);
	}
	if (!tried && dir && *dir)
		add_step(c, BTF_BUNDLE_SRC_BUNDLE, -ENOENT, dir, "no bundle (no *.btfb in %s)", dir);
	else if (!tried)
		add_step(c, BTF_BUNDLE_SRC_BUNDLE, -ENOENT, "-", "none set (no bundle file or directory)");
	return err;
}

static int run_step(const struct btf_bundle_select_opts *opts, struct btf_bundle_choice *c,
		    enum btf_bundle_source src)
{
	switch (src) {
	case BTF_BUNDLE_SRC_FILE: return step_file(opts, c);
	case BTF_BUNDLE_SRC_SYSTEM:
		if (OPTS_GET(opts, no_system, false) && OPTS_GET(opts, source, 0) != src) {
			add_step(c, src, -ENOENT, SYSTEM_BTF, "not consulted");
			return -ENOENT;
		}
		return step_system(c);
	case BTF_BUNDLE_SRC_EMBEDDED: return step_embedded(opts, c);
	case BTF_BUNDLE_SRC_BUNDLE: return step_bundle(opts, c);
	default: return -EINVAL;
	}
}

/*
 * Where BTFHub's archive most likely files this host's kernel (Debian 11 as
 * "bullseye"): layout__archive_paths()'s first candidate, made on the stack,
 * since an explanation must not allocate: a failed allocation here would
 * turn -ENOMEM into a mere missing hint.
 */
static void hint(const struct btf_host *host, const char *hint_flag, char *buf, size_t sz)
{
	const struct layout_key key = { host->distro, host->version, host->arch, host->release };
	/* Each field's NUL pays for a '/': never too short for a host. */
	char path[sizeof(host->distro) + sizeof(host->version) + sizeof(host->arch) +
		  sizeof(host->release) + sizeof(LAYOUT_SUFFIX_ARCHIVE)];

	snprintf(buf, sz, " get %s from https://github.com/aquasecurity/btfhub-archive%s%s",
		 layout__archive_path_likely(&key, path, sizeof(path)) ? "its .btf.tar.xz" : path,
		 hint_flag ? " and pass " : "", hint_flag ?: "");
}

static void explain(struct btf_bundle_choice *c, int err)
{
	const struct btf_host *h = &c->host;
	char *buf = c->explain;
	size_t sz = sizeof(c->explain), off;
	bool refused = false;
	uint32_t i;
	int n;

	if (c->step_cnt && c->steps[0].source == BTF_BUNDLE_SRC_FILE && c->steps[0].err &&
	    strcmp(c->steps[0].where, "-")) {
		/* The user asked for that file: its problem is the whole story. */
		snprintf(buf, sz, "BTF file %s%s%s%s: %s", c->steps[0].where,
			 c->hint[0] ? " (" : "", c->hint, c->hint[0] ? ")" : "", c->steps[0].detail);
		return;
	}
	n = snprintf(buf, sz, "no usable BTF for %s/%s/%s/%s:", h->distro, h->version, h->arch,
		     h->release);
	off = n < 0 ? 0 : (size_t)n;
	for (i = 0; i < c->step_cnt && off < sz; i++) {
		const struct step *s = &c->steps[i];
		/* "embedded embedded:" and "file -:" say nothing twice. */
		bool where = strcmp(s->where, "-") && strcmp(s->where, source_names[s->source]);

		refused |= s->err == -ESTALE;
		n = snprintf(buf + off, sz - off, " %s%s%s: %s;", source_names[s->source],
			     where ? " " : "", where ? s->where : "", s->detail);
		off += n < 0 ? 0 : (size_t)n;
	}
	if (off >= sz)
		return;
	if (err == -ENOMEM)
		snprintf(buf + off, sz - off, " out of memory");
	else if (refused || err == -ESTALE)
		snprintf(buf + off, sz - off,
			 " a bundle must be reduced against the BPF object being loaded"
			 " (embedgen --object)");
	else
		hint(h, c->hint[0] ? c->hint : NULL, buf + off, sz - off);
}

/* Object and sizes go together: one without the other is a caller's bug. */
static bool select_opts_valid(const struct btf_bundle_select_opts *opts)
{
	if (!opts || !opts_valid(opts, btf_bundle_select_opts))
		return false;
	if (!OPTS_GET(opts, object, NULL) != !OPTS_GET(opts, object_sz, 0) ||
	    (!OPTS_GET(opts, embedded, NULL) && OPTS_GET(opts, embedded_sz, 0)) ||
	    (!OPTS_GET(opts, bundle_files, NULL) && OPTS_GET(opts, bundle_file_cnt, 0)) ||
	    OPTS_GET(opts, source, BTF_BUNDLE_SRC_AUTO) >= BTF_BUNDLE_SRC_CNT) {
		pr_bwarn("struct btf_bundle_select_opts: a pointer and its size disagree, or an unknown source\n");
		return false;
	}
	return true;
}

/* The host to look up: the caller's, else detected; the choice explains a failure. */
static int select_host(const struct btf_bundle_select_opts *opts, struct btf_bundle_choice *c)
{
	const struct btf_host *host = OPTS_GET(opts, host, NULL);
	struct btf_host *detected;
	int err;

	if (host) {
		c->host = *host;
	} else {
		detected = btf_host__detect(OPTS_GET(opts, host_opts, NULL));
		if (!detected) {
			err = -errno;
			snprintf(c->explain, sizeof(c->explain),
				 "cannot identify this host (os-release, uname): %s",
				 btf_bundle__strerror(err));
			return err;
		}
		c->host = *detected;
		btf_host__free(detected);
	}
	c->have_host = true;
	return 0;
}

int btf_bundle__select(const struct btf_bundle_select_opts *opts,
		       struct btf_bundle_choice **choice)
{
	enum btf_bundle_source src, only, chosen = BTF_BUNDLE_SRC_AUTO;
	const char *btf_file;
	struct btf_bundle_choice *c;
	bool report, file_failed = false;
	int err, last = -ENOENT;

	if (!choice)
		return -EINVAL;
	*choice = NULL;
	if (!select_opts_valid(opts))
		return -EINVAL;
	btf_file = OPTS_GET(opts, btf_file, NULL);
	only = OPTS_GET(opts, source, BTF_BUNDLE_SRC_AUTO);
	report = OPTS_GET(opts, report, false);
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	/* From here on every return leaves the choice with the caller. */
	*choice = c;
	c->memfd = -1;
	snprintf(c->hint, sizeof(c->hint), "%s", OPTS_GET(opts, file_hint, NULL) ?: "");
	err = select_host(opts, c);
	if (err)
		return err;

	for (src = BTF_BUNDLE_SRC_FILE; src < BTF_BUNDLE_SRC_CNT; src++) {
		if (only != BTF_BUNDLE_SRC_AUTO && only != src)
			continue;
		err = run_step(opts, c, src);
		if (err == -ENOMEM) {
			/*
			 * A later step must not stand in for one that could not
			 * be tried, and "no BTF for this host" would be untrue.
			 */
			c->source = BTF_BUNDLE_SRC_AUTO;
			c->custom_path = NULL;
			explain(c, err);
			return err;
		}
		if (err) {
			last = err;
			/* The user asked for that file: unusable is an error, not a skip. */
			if (src == BTF_BUNDLE_SRC_FILE && btf_file) {
				file_failed = true;
				break;
			}
			continue;
		}
		if (chosen == BTF_BUNDLE_SRC_AUTO) {
			/* In report mode later steps overwrite desc and path: keep the first. */
			chosen = src;
			snprintf(c->first_desc, sizeof(c->first_desc), "%s", c->desc);
			c->first_has_path = c->custom_path;
			if (c->custom_path)
				snprintf(c->first_path, sizeof(c->first_path), "%s", c->path);
		}
		if (!report)
			break;
	}
	c->source = chosen;
	if (chosen == BTF_BUNDLE_SRC_AUTO) {
		c->custom_path = NULL;
		err = file_failed || only != BTF_BUNDLE_SRC_AUTO ? last : -ENOENT;
		explain(c, err);
		return err;
	}
	snprintf(c->desc, sizeof(c->desc), "%s", c->first_desc);
	if (c->first_has_path) {
		snprintf(c->path, sizeof(c->path), "%s", c->first_path);
		c->custom_path = c->path;
	} else {
		c->custom_path = NULL;
	}
	return 0;
}

int btf_bundle__fill_open_opts(const struct btf_bundle_select_opts *opts,
			       struct bpf_object_open_opts *open_opts,
			       struct btf_bundle_choice **choice)
{
	int err;

	if (!choice)
		return -EINVAL;
	*choice = NULL;
	/* libbpf's opts grow at the end, as ours do: the field must be inside the caller's. */
	if (!open_opts || open_opts->sz < offsetof(struct bpf_object_open_opts, btf_custom_path) +
					  sizeof(open_opts->btf_custom_path)) {
		pr_bwarn("struct bpf_object_open_opts: %s\n", open_opts ?
			 "sz too small for btf_custom_path (set it with LIBBPF_OPTS)" : "NULL");
		return -EINVAL;
	}
	err = btf_bundle__select(opts, choice);
	if (!err)
		open_opts->btf_custom_path = btf_bundle_choice__custom_path(*choice);
	return err;
}

void btf_bundle_choice__free(struct btf_bundle_choice *c)
{
	if (!c)
		return;
	if (c->memfd >= 0)
		close(c->memfd);
	free(c);
}

enum btf_bundle_source btf_bundle_choice__source(const struct btf_bundle_choice *c)
{
	return c ? c->source : BTF_BUNDLE_SRC_AUTO;
}

const char *btf_bundle_choice__custom_path(const struct btf_bundle_choice *c)
{
	return c ? c->custom_path : NULL;
}

const char *btf_bundle_choice__desc(const struct btf_bundle_choice *c)
{
	return c ? c->desc : "";
}

const struct btf_host *btf_bundle_choice__host(const struct btf_bundle_choice *c)
{
	return c && c->have_host ? &c->host : NULL;
}

const char *btf_bundle_choice__explain(const struct btf_bundle_choice *c)
{
	return c ? c->explain : "";
}

uint32_t btf_bundle_choice__step_cnt(const struct btf_bundle_choice *c)
{
	return c ? c->step_cnt : 0;
}

int btf_bundle_choice__step(const struct btf_bundle_choice *c, uint32_t i,
			    struct btf_bundle_step *s)
{
	struct btf_bundle_step full = { .sz = sizeof(full) };

	if (!c || !s || s->sz < offsetof(struct btf_bundle_step, source) + sizeof(s->source))
		return -EINVAL;
	if (i >= c->step_cnt)
		return -ENOENT;
	full.source = c->steps[i].source;
	full.err = c->steps[i].err;
	full.where = c->steps[i].where;
	full.detail = c->steps[i].detail;
	return out_fill(s, &full, OPTS_KNOWN_SZ(btf_bundle_step), sizeof(size_t));
}
