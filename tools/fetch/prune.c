// SPDX-License-Identifier: BSD-2-Clause
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "layout.h"
#include "log.h"
#include "prune.h"
#include "tmpsweep.h"

struct prune_ctx {
	const char *root;	/* canonical output dir */
	const struct cache *cache;
	char **keep;		/* sorted "<d>/<v>/<a>/<r>.btf" */
	size_t nkeep;
	size_t removed;
};

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int not_dots(const struct dirent *d)
{
	return strcmp(d->d_name, ".") && strcmp(d->d_name, "..");
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && !strcmp(s + n - m, suffix);
}

/* A directory name this tool could have created at @depth (0 distro, 1 version, 2 arch). */
static bool own_dir(const char *name, int depth, const char *parts[3])
{
	if (layout__part_invalid(depth, name))
		return false;
	if (depth == LAYOUT_VERSION)
		return !strcmp(layout__version_canon(parts[LAYOUT_DISTRO], name), name);
	if (depth == LAYOUT_ARCH)
		return !strcmp(layout__arch_name(name), name);
	return true;
}

/*
 * Remove @name from the directory @dfd when it is a regular file (never
 * through a symlink) and, for a temp file, no running writer holds its
 * lock. Returns 1 when removed, 0 when left, or a negative errno.
 */
static int remove_file(int dfd, const char *name, const char *rel, bool temp,
		       struct prune_ctx *c)
{
	struct stat st;
	int fd, err = 0;

	if (temp) {
		err = tmpfile__remove_stale(dfd, name, NULL);	/* under the run lock */
		if (err < 0)
			pr_err("%s/%s: cannot remove: %s", c->root, rel, strerror(-err));
		else if (!err)
			pr_debug("%s/%s: in use by another run, kept", c->root, rel);
		else {
			pr_info("%s/%s: removed (stale temporary file)", c->root, rel);
			c->removed++;
		}
		return err;
	}
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP || errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		goto out;
	if (unlinkat(dfd, name, 0)) {
		err = -errno;
		pr_err("%s/%s: cannot remove: %s", c->root, rel, strerror(errno));
		goto out;
	}
	cache__stamp_remove(c->cache, rel);
	pr_info("%s/%s: removed (not selected)", c->root, rel);
	c->removed++;
	err = 1;
out:
	close(fd);
	return err;
}

/*
 * Walk distro/version/arch directories below @dfd (at @depth) and prune
 * their files. Returns the number of entries removed or a negative errno.
 */
static int prune_dir(int dfd, int depth, const char *parts[3], char *rel, size_t rel_len,
		     struct prune_ctx *c)
{
	struct dirent **names = NULL;
	int n, i, ret = 0, r;

	/* Sorted, so the log reads the same on every run. */
	n = scandirat(dfd, ".", &names, not_dots, alphasort);
	if (n < 0)
		return -errno;
	for (i = 0; i < n && ret >= 0; i++) {
		const char *name = names[i]->d_name;
		size_t len = strlen(name);
		int sub;

		if (rel_len + len + 2 > PATH_MAX)
			continue;
		sprintf(rel + rel_len, "%s%s", rel_len ? "/" : "", name);
		if (depth < 3) {
			if (!own_dir(name, depth, parts))
				continue;
			sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0)
				continue;	/* a symlink or a file: not ours */
			parts[depth] = name;
			r = prune_dir(sub, depth + 1, parts, rel, strlen(rel), c);
			close(sub);
			if (r > 0 && !unlinkat(dfd, name, AT_REMOVEDIR)) {
				pr_info("%s/%s: removed (emptied)", c->root, rel);
				r++;
			}
		} else if (tmpfile__is_ours(name, LAYOUT_SUFFIX_RAW)) {
			r = remove_file(dfd, name, rel, true, c);
		} else if (name[0] != '.' && ends_with(name, ".btf") &&
			   !bsearch(&(const char *){ rel }, c->keep, c->nkeep,
				    sizeof(*c->keep), str_cmp)) {
			char *release = strndup(name, len - 4);

			r = 0;
			if (!release)
				r = -ENOMEM;
			else if (layout__part_invalid(LAYOUT_RELEASE, release))
				;
			else if (cache__stamp_exists(c->cache, rel))
				r = remove_file(dfd, name, rel, false, c);
			else
				pr_warn("%s/%s: not selected, but kept: no record that btfhub-fetch "
					"wrote it (cache %s)", c->root, rel, c->cache->dir);
			free(release);
		} else {
			r = 0;
		}
		rel[rel_len] = '\0';
		if (r < 0)
			ret = r;
		else
			ret += r;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ret;
}

int prune__outputs(const char *out_dir, const struct cache *cache,
		   const struct kernel_list *l, size_t *removed)
{
	struct prune_ctx c = { .cache = cache };
	const char *parts[3] = { 0 };
	char root[PATH_MAX], rel[PATH_MAX] = "";
	size_t i;
	int fd, err = 0;

	*removed = 0;
	if (!realpath(out_dir, root)) {
		err = -errno;
		pr_err("%s: cannot resolve output directory: %s", out_dir, strerror(errno));
		return err;
	}
	c.root = root;
	c.keep = calloc(l->n ? l->n : 1, sizeof(*c.keep));
	if (!c.keep)
		return -ENOMEM;
	for (i = 0; i < l->n; i++) {
		c.keep[c.nkeep] = kernel__output_path(&l->v[i], NULL);
		if (!c.keep[c.nkeep]) {
			err = -ENOMEM;
			goto out;
		}
		c.nkeep++;
	}
	qsort(c.keep, c.nkeep, sizeof(*c.keep), str_cmp);
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
	} else {
		err = prune_dir(fd, 0, parts, rel, 0, &c);
		close(fd);
	}
	if (err < 0)
		pr_err("%s: cannot prune output tree: %s", root, strerror(-err));
	else
		err = 0;
	*removed = c.removed;
out:
	for (i = 0; i < c.nkeep; i++)
		free(c.keep[i]);
	free(c.keep);
	return err;
}
