// SPDX-License-Identifier: BSD-2-Clause
/*
 * The one walker of BTFHub-shaped trees (<distro>/<version>/<arch>/<file>):
 * btfhub-fetch's local sources, btfgen's inputs and embedgen's trees.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "escape.h"
#include "layout.h"
#include "log.h"

struct walk {
	const struct layout_walk_opts *opts;
	unsigned int files;
	layout_walk_fn fn;
	void *ctx;
	const char *parts[LAYOUT_PARTS];
	size_t off_layout;	/* kernel files above <distro>/<version>/<arch>/ */
	char *off_example;
};

void layout__warn_off_layout(const char *where, size_t count, const char *example)
{
	if (count)
		pr_warn("%s: %zu archive%s outside <distro>/<version>/<arch>/ skipped (e.g. %s): "
			"no kernel key can be formed for %s", ESC_N(where, 4096), count,
			count == 1 ? "" : "s", ESC_N(example ?: "?", 512),
			count == 1 ? "it" : "them");
}

static bool has_suffix(const char *s, size_t len, const char *suffix);

/* A kernel file where a directory of the layout belongs (BTFHub's 1/x86_64/). */
static bool off_layout_file(struct walk *w, const char *path, const char *name)
{
	size_t len = strlen(name);

	if (!(((w->files & LAYOUT_FILE_ARCHIVE) && has_suffix(name, len, LAYOUT_SUFFIX_ARCHIVE)) ||
	      ((w->files & LAYOUT_FILE_RAW) && has_suffix(name, len, LAYOUT_SUFFIX_RAW))))
		return false;
	if (!w->off_layout++)
		w->off_example = strdup(path);
	return true;
}

static int skip_dot(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* Byte order, not alphasort()'s strcoll(): the same order in every locale. */
static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Strict walks fail on what does not belong; others skip it. The name is escaped. */
static int odd(const struct walk *w, bool warn, const char *path, const char *what)
{
	if (w->opts && w->opts->strict) {
		pr_err("%s: %s", ESC_N(path, 4096), what);
		return -EINVAL;
	}
	if (warn)
		pr_warn("%s: %s; skipped", ESC_N(path, 4096), what);
	else
		pr_debug("%s: %s; ignored", ESC_N(path, 4096), what);
	return 0;
}

static bool has_suffix(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len > n && !strcmp(s + len - n, suffix);
}

static int visit_file(struct walk *w, const char *path, const char *name, const struct stat *st)
{
	enum layout_file kind;
	size_t len = strlen(name), sfx;
	const char *bad;
	char release[LAYOUT_RELEASE_MAX + 1];
	struct layout_key key;

	if (!S_ISREG(st->st_mode))
		return odd(w, false, path, "not a regular file");
	if ((w->files & LAYOUT_FILE_ARCHIVE) && has_suffix(name, len, LAYOUT_SUFFIX_ARCHIVE)) {
		kind = LAYOUT_FILE_ARCHIVE;
		sfx = strlen(LAYOUT_SUFFIX_ARCHIVE);
	} else if ((w->files & LAYOUT_FILE_RAW) && has_suffix(name, len, LAYOUT_SUFFIX_RAW)) {
		kind = LAYOUT_FILE_RAW;
		sfx = strlen(LAYOUT_SUFFIX_RAW);
	} else {
		return odd(w, false, path, "not in the <distro>/<version>/<arch>/<release>.btf layout");
	}
	if (len - sfx > LAYOUT_RELEASE_MAX)
		return odd(w, true, path, "release name longer than 191 bytes");
	memcpy(release, name, len - sfx);
	release[len - sfx] = '\0';
	bad = layout__part_invalid(LAYOUT_RELEASE, release);
	if (bad)
		return odd(w, true, path, bad);
	if (kind == LAYOUT_FILE_RAW && (uint64_t)st->st_size > LAYOUT_BTF_MAX)
		return odd(w, true, path, "BTF larger than the 512 MiB cap");
	key = (struct layout_key){ w->parts[0], w->parts[1], w->parts[2], release };
	return w->fn(path, &key, kind, st->st_size, w->ctx);
}

static int walk_dir(struct walk *w, const char *dir, int depth)
{
	struct dirent **names = NULL;
	int n, i, err = 0;

	n = scandir(dir, &names, skip_dot, name_cmp);
	if (n < 0) {
		err = -errno;
		pr_err("%s: cannot read directory: %s", ESC_N(dir, 4096), strerror(errno));
		return err;
	}
	for (i = 0; i < n && !err; i++) {
		const char *name = names[i]->d_name, *bad;
		struct stat st;
		char *path;

		if (asprintf(&path, "%s/%s", dir, name) < 0) {
			err = -ENOMEM;
			break;
		}
		/* stat, not lstat: a packager's tree may use symlinked directories. */
		if (stat(path, &st)) {
			err = odd(w, true, path, strerror(errno));
		} else if (depth == LAYOUT_RELEASE) {
			err = visit_file(w, path, name, &st);
		} else if (!S_ISDIR(st.st_mode)) {
			if (!(w->opts && w->opts->strict) && S_ISREG(st.st_mode) &&
			    off_layout_file(w, path, name))
				err = 0;	/* counted, warned about once at the end */
			else
				err = odd(w, false, path,
					  "not in the <distro>/<version>/<arch>/<release>.btf layout");
		} else if ((bad = layout__part_invalid(depth, name))) {
			char what[128];

			snprintf(what, sizeof(what), "%s directory name %s",
				 layout__part_name(depth), bad);
			err = odd(w, true, path, what);
		} else {
			w->parts[depth] = name;
			err = walk_dir(w, path, depth + 1);
		}
		free(path);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return err;
}

int layout__walk(const char *dir, const struct layout_walk_opts *opts, layout_walk_fn fn,
		 void *ctx)
{
	struct walk w = {
		.opts = opts,
		.files = opts && opts->files ? opts->files : LAYOUT_FILE_RAW,
		.fn = fn,
		.ctx = ctx,
	};
	int err;

	err = walk_dir(&w, dir, 0);
	if (!err)
		layout__warn_off_layout(dir, w.off_layout, w.off_example);
	free(w.off_example);
	return err;
}
