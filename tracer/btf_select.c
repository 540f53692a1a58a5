// SPDX-License-Identifier: BSD-2-Clause
/*
 * The start-up BTF decision; see btf_select.h for the order. Each step
 * records what it found in c->steps so that -v, "coretrace btf" and the
 * final error can all say what was tried and why it was (not) used.
 */
#include <errno.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <elf.h>
#include <bpf/btf.h>

#include "btf_select.h"
#include "layout.h"
#include "log.h"
#include "sha256.h"

static const char *const source_names[BTF_SRC_CNT] = {
	[BTF_SRC_AUTO] = "auto",
	[BTF_SRC_FILE] = "file",
	[BTF_SRC_SYSTEM] = "system",
	[BTF_SRC_EMBEDDED] = "embedded",
	[BTF_SRC_BUNDLE] = "bundle",
};

const char *btf_source__name(enum btf_source src)
{
	return src < BTF_SRC_CNT ? source_names[src] : "?";
}

int btf_source__parse(const char *name, enum btf_source *src)
{
	int i;

	for (i = 0; i < BTF_SRC_CNT; i++) {
		if (!strcmp(name, source_names[i])) {
			*src = i;
			return 0;
		}
	}
	return -EINVAL;
}

static struct btf_step *add_step(struct btf_choice *c, enum btf_source src, int err,
				 const char *where, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static struct btf_step *add_step(struct btf_choice *c, enum btf_source src, int err,
				 const char *where, const char *fmt, ...)
{
	/* The last slot is reused rather than overflowing: only the tail of a
	 * very long bundle directory listing would be lost. */
	struct btf_step *s = &c->steps[c->step_cnt < BTF_MAX_STEPS ? c->step_cnt++ : BTF_MAX_STEPS - 1];
	va_list ap;

	s->source = src;
	s->err = err;
	snprintf(s->where, sizeof(s->where), "%s", where);
	va_start(ap, fmt);
	vsnprintf(s->detail, sizeof(s->detail), fmt, ap);
	va_end(ap);
	pr_debug("btf: %s %s: %s", btf_source__name(src), where, s->detail);
	return s;
}

/*
 * libbpf parses the .BTF of any ELF, so a BPF object passes btf__parse()
 * yet describes no kernel: refuse ELF files for the BPF machine.
 */
static bool is_bpf_object(const char *path)
{
	unsigned char h[20];
	unsigned int machine;
	bool ret = false;
	FILE *f;

	f = fopen(path, "rb");
	if (!f)
		return false;
	if (fread(h, 1, sizeof(h), f) == sizeof(h) && !memcmp(h, ELFMAG, SELFMAG)) {
		machine = h[EI_DATA] == ELFDATA2MSB ? (h[18] << 8 | h[19]) : (h[19] << 8 | h[18]);
		ret = machine == EM_BPF;
	}
	fclose(f);
	return ret;
}

static int step_file(const struct btf_select_opts *opts, struct btf_choice *c)
{
	struct btf *btf;
	int err;

	if (!opts->btf_file) {
		add_step(c, BTF_SRC_FILE, -ENOENT, "-", "not set (--btf FILE or BTFKIT_BTF_FILE)");
		return -ENOENT;
	}
	if (is_bpf_object(opts->btf_file)) {
		add_step(c, BTF_SRC_FILE, -EINVAL, opts->btf_file,
			 "cannot read BTF: a BPF object, not a kernel's BTF");
		return -EINVAL;
	}
	/* Parse it now: a bad file is reported as such, not as a load failure. */
	btf = btf__parse(opts->btf_file, NULL);
	if (!btf) {
		err = -errno;
		add_step(c, BTF_SRC_FILE, err, opts->btf_file, "cannot read BTF: %s", strerror(-err));
		return err;
	}
	btf__free(btf);
	add_step(c, BTF_SRC_FILE, 0, opts->btf_file, "explicit BTF file");
	snprintf(c->path, sizeof(c->path), "%s", opts->btf_file);
	c->custom_path = c->path;
	snprintf(c->desc, sizeof(c->desc), "file %s", opts->btf_file);
	return 0;
}

static int step_system(struct btf_choice *c)
{
	int err;

	if (access(BTF_SYSTEM_PATH, R_OK)) {
		err = -errno;
		add_step(c, BTF_SRC_SYSTEM, err, BTF_SYSTEM_PATH, "%s",
			 err == -ENOENT ? "absent (kernel built without CONFIG_DEBUG_INFO_BTF)"
					: strerror(-err));
		return err;
	}
	add_step(c, BTF_SRC_SYSTEM, 0, BTF_SYSTEM_PATH, "the kernel's own BTF");
	c->custom_path = NULL;	/* libbpf loads it itself */
	snprintf(c->desc, sizeof(c->desc), "system %s", BTF_SYSTEM_PATH);
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
static int use_bundle(const struct btf_select_opts *opts, struct btf_choice *c,
		      enum btf_source src, struct btf_bundle *b, const char *where)
{
	struct btf_bundle_match m = {};
	struct btf_bundle_entry e;
	char key[512];
	int idx, fd;

	idx = btf_bundle__find(b, opts->host, &m);
	if (idx < 0 || btf_bundle__entry(b, idx, &e)) {
		add_step(c, src, -ENOENT, where, "none for this host: %s", m.reason);
		return -ENOENT;
	}
	snprintf(key, sizeof(key), "%s/%s/%s/%s", e.distro, e.version, e.arch, e.release);
	if (!opts->report) {
		fd = btf_bundle__memfd(b, idx, c->path, sizeof(c->path));
		if (fd < 0) {
			add_step(c, src, fd, where, "cannot extract %s: %s", key, strerror(-fd));
			return fd;
		}
		c->memfd = fd;
		c->custom_path = c->path;
	}
	add_step(c, src, 0, where, "%s (%s)", key, m.reason);
	if (src == BTF_SRC_EMBEDDED)
		snprintf(c->desc, sizeof(c->desc), "embedded bundle, entry %.250s (%s)", key,
			 match_name(m.kind));
	else
		snprintf(c->desc, sizeof(c->desc), "bundle %.200s, entry %.250s (%s)", where, key,
			 match_name(m.kind));
	return 0;
}

static int open_failed(struct btf_choice *c, enum btf_source src, const char *where, int err)
{
	if (err == -ESTALE)
		add_step(c, src, err, where, "refused: reduced against another BPF object");
	else
		add_step(c, src, err, where, "cannot open bundle: %s", strerror(-err));
	return err;
}

/* The BPF object's digest, computed on first use: once per selection. */
struct obj_digest {
	bool done;
	uint8_t sha[SHA256_DIGEST_LEN];
};

/*
 * Open the embedded bundle (@path NULL) or a bundle file, refusing one made
 * for another BPF object.
 */
static struct btf_bundle *open_bundle(const struct btf_select_opts *opts, const char *path,
				      struct obj_digest *dg)
{
	if (!dg->done) {
		sha256_buf(opts->object, opts->object_sz, dg->sha);
		dg->done = true;
	}
	BTF_BUNDLE_OPTS(btf_bundle_open_opts, bopts,
		.object_sha256 = dg->sha,
	);

	return path ? btf_bundle__open_file(path, &bopts)
		    : btf_bundle__open_mem(opts->embedded, opts->embedded_sz, &bopts);
}

static int step_embedded(const struct btf_select_opts *opts, struct btf_choice *c,
			 struct obj_digest *dg)
{
	struct btf_bundle *b;
	int err;

	if (!opts->embedded_sz) {
		add_step(c, BTF_SRC_EMBEDDED, -ENOENT, "embedded", "empty (built without kernels)");
		return -ENOENT;
	}
	b = open_bundle(opts, NULL, dg);
	if (!b)
		return open_failed(c, BTF_SRC_EMBEDDED, "embedded", -errno);
	err = use_bundle(opts, c, BTF_SRC_EMBEDDED, b, "embedded");
	btf_bundle__free(b);
	return err;
}

static int try_bundle_file(const struct btf_select_opts *opts, struct btf_choice *c,
			   const char *path, struct obj_digest *dg)
{
	struct btf_bundle *b;
	int err;

	b = open_bundle(opts, path, dg);
	if (!b)
		return open_failed(c, BTF_SRC_BUNDLE, path, -errno);
	err = use_bundle(opts, c, BTF_SRC_BUNDLE, b, path);
	btf_bundle__free(b);
	return err;
}

static int step_bundle(const struct btf_select_opts *opts, struct btf_choice *c,
		       struct obj_digest *dg)
{
	int err = -ENOENT, tried = 0;
	char pattern[4096];
	glob_t g = {};
	size_t i;

	if (opts->bundle_file) {
		tried++;
		err = try_bundle_file(opts, c, opts->bundle_file, dg);
		if (!err && !opts->report)
			return 0;
	}
	if (opts->bundle_dir && *opts->bundle_dir) {
		snprintf(pattern, sizeof(pattern), "%s/*.btfb", opts->bundle_dir);
		/* glob() sorts: the directory is searched in name order. */
		if (!glob(pattern, 0, NULL, &g)) {
			for (i = 0; i < g.gl_pathc; i++) {
				int e;

				tried++;
				e = try_bundle_file(opts, c, g.gl_pathv[i], dg);
				if (!e && err) {
					err = 0;
					if (!opts->report)
						break;
				} else if (e && err) {
					err = e;
				}
			}
		}
		globfree(&g);
	}
	if (!tried)
		add_step(c, BTF_SRC_BUNDLE, -ENOENT, opts->bundle_dir ?: "-",
			 "no bundle (--btf-bundle FILE, or *.btfb in %s)", opts->bundle_dir ?: "-");
	return err;
}

static int run_step(const struct btf_select_opts *opts, struct btf_choice *c, enum btf_source src,
		    struct obj_digest *dg)
{
	switch (src) {
	case BTF_SRC_FILE: return step_file(opts, c);
	case BTF_SRC_SYSTEM: return step_system(c);
	case BTF_SRC_EMBEDDED: return step_embedded(opts, c, dg);
	case BTF_SRC_BUNDLE: return step_bundle(opts, c, dg);
	default: return -EINVAL;
	}
}

int btf_choice__select(const struct btf_select_opts *opts, struct btf_choice *c)
{
	char chosen_desc[sizeof(c->desc)] = "";
	const char *chosen_path = NULL;
	char chosen_buf[sizeof(c->path)];
	enum btf_source src, chosen = BTF_SRC_AUTO;
	struct obj_digest dg = {};
	int err, last = -ENOENT;

	memset(c, 0, sizeof(*c));
	c->memfd = -1;

	for (src = BTF_SRC_FILE; src < BTF_SRC_CNT; src++) {
		if (opts->source != BTF_SRC_AUTO && opts->source != src)
			continue;
		err = run_step(opts, c, src, &dg);
		if (err) {
			last = err;
			continue;
		}
		if (chosen == BTF_SRC_AUTO) {
			/* In report mode later steps overwrite desc/path: keep the first. */
			chosen = src;
			snprintf(chosen_desc, sizeof(chosen_desc), "%s", c->desc);
			if (c->custom_path) {
				snprintf(chosen_buf, sizeof(chosen_buf), "%s", c->path);
				chosen_path = chosen_buf;
			}
		}
		if (!opts->report)
			break;
	}
	c->source = chosen;
	if (chosen == BTF_SRC_AUTO)
		return opts->source == BTF_SRC_AUTO ? -ENOENT : last;
	snprintf(c->desc, sizeof(c->desc), "%s", chosen_desc);
	if (chosen_path) {
		snprintf(c->path, sizeof(c->path), "%s", chosen_path);
		c->custom_path = c->path;
	} else {
		c->custom_path = NULL;
	}
	return 0;
}

void btf_choice__release(struct btf_choice *c)
{
	if (c->memfd >= 0)
		close(c->memfd);
	c->memfd = -1;
	c->custom_path = NULL;
}

/* Where BTFHub's archive files this host's kernel (Debian 11 as "bullseye"). */
static void hint(const struct btf_host *host, char *buf, size_t sz)
{
	const struct layout_key key = { host->distro, host->version, host->arch, host->release };
	char *paths[LAYOUT_MAX_CANDIDATES];
	int n = layout__archive_paths(&key, paths);

	snprintf(buf, sz, " get %s from https://github.com/aquasecurity/btfhub-archive"
		 " and pass --btf FILE", n > 0 ? paths[0] : "its .btf.tar.xz");
	while (n > 0)
		free(paths[--n]);
}

void btf_choice__explain(const struct btf_choice *c, const struct btf_host *host,
			 char *buf, size_t sz)
{
	bool refused = false;
	size_t off = 0;
	int i, n;

	n = snprintf(buf, sz, "no usable BTF for %s/%s/%s/%s:", host->distro, host->version,
		     host->arch, host->release);
	off = n < 0 ? 0 : (size_t)n;
	for (i = 0; i < c->step_cnt && off < sz; i++) {
		const struct btf_step *s = &c->steps[i];
		/* "embedded embedded:" and "file -:" say nothing twice. */
		bool where = strcmp(s->where, "-") && strcmp(s->where, btf_source__name(s->source));

		refused |= s->err == -ESTALE;
		n = snprintf(buf + off, sz - off, " %s%s%s: %s;", btf_source__name(s->source),
			     where ? " " : "", where ? s->where : "", s->detail);
		off += n < 0 ? 0 : (size_t)n;
	}
	if (off >= sz)
		return;
	if (refused)
		snprintf(buf + off, sz - off,
			 " a bundle must be reduced against the BPF object coretrace loads"
			 " (embedgen --object)");
	else
		hint(host, buf + off, sz - off);
}
