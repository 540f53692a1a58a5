// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "prune.h"

struct prune_ctx {
	size_t root_len;
	char **keep;		/* sorted relative paths */
	size_t nkeep;
	size_t removed;
	int err;
};

/* nftw() has no context argument; prune runs once, single-threaded. */
static struct prune_ctx *ctx;

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A temp file of atomic_file__open(): ".<release>.btf.XXXXXX". */
static bool is_temp(const char *base)
{
	const char *p = strstr(base, ".btf.");

	return base[0] == '.' && p && strlen(p + 5) == 6;
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	const char *rel = path + ctx->root_len, *base = path + ftw->base;
	size_t len = strlen(base);

	(void)st;
	if (type == FTW_DP) {
		/* Post-order: a directory emptied by pruning goes too (not the root). */
		if (ftw->level > 0 && ftw->level <= 3)
			rmdir(path);
		return 0;
	}
	if (type != FTW_F || ftw->level != 4)
		return 0;
	if (!is_temp(base)) {
		if (len < 5 || strcmp(base + len - 4, ".btf"))
			return 0;
		if (bsearch(&rel, ctx->keep, ctx->nkeep, sizeof(*ctx->keep), str_cmp))
			return 0;
	}
	if (unlink(path)) {
		ctx->err = -errno;
		pr_err("%s: cannot remove: %s", path, strerror(errno));
		return 1;
	}
	pr_info("%s: removed (not selected)", path);
	ctx->removed++;
	return 0;
}

int prune__outputs(const char *out_dir, const struct kernel_list *l, size_t *removed)
{
	struct prune_ctx c = { .root_len = strlen(out_dir) + 1 };
	size_t i;
	int err = 0;

	*removed = 0;
	c.keep = calloc(l->n ? l->n : 1, sizeof(*c.keep));
	if (!c.keep)
		return -ENOMEM;
	for (i = 0; i < l->n; i++) {
		const struct kernel *k = &l->v[i];

		if (asprintf(&c.keep[c.nkeep], "%s/%s/%s/%s.btf", k->distro, k->out_version,
			     k->out_arch, k->release) < 0) {
			err = -ENOMEM;
			goto out;
		}
		c.nkeep++;
	}
	qsort(c.keep, c.nkeep, sizeof(*c.keep), str_cmp);
	ctx = &c;
	if (nftw(out_dir, visit, 16, FTW_PHYS | FTW_DEPTH) < 0 && !c.err) {
		err = -errno;
		pr_err("%s: cannot walk output tree: %s", out_dir, strerror(errno));
	}
	ctx = NULL;
	err = err ?: c.err;
	*removed = c.removed;
out:
	for (i = 0; i < c.nkeep; i++)
		free(c.keep[i]);
	free(c.keep);
	return err;
}
