// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "select.h"

static bool glob_ok(const char *glob, const char *name, const char *alias)
{
	if (!glob)
		return true;
	return !fnmatch(glob, name, 0) || (alias && !fnmatch(glob, alias, 0));
}

bool select__match(const struct selection *sel, const struct kernel *k)
{
	return glob_ok(sel->distro, k->distro, NULL) &&
	       glob_ok(sel->version, k->version, k->out_version) &&
	       glob_ok(sel->arch, k->arch, k->out_arch) &&
	       glob_ok(sel->release, k->release, NULL);
}

void select__filter(const struct selection *sel, struct kernel_list *l)
{
	size_t i, keep = 0;

	for (i = 0; i < l->n; i++) {
		if (select__match(sel, &l->v[i]))
			l->v[keep++] = l->v[i];
		else
			kernel__clear(&l->v[i]);
	}
	l->n = keep;
}

static int kernel_cmp(const struct kernel *a, const struct kernel *b)
{
	return strcmp(a->distro, b->distro) ?: strcmp(a->out_version, b->out_version) ?:
	       strcmp(a->out_arch, b->out_arch) ?: strcmp(a->release, b->release);
}

static int index_cmp(const void *a, const void *b, void *base)
{
	const struct kernel *v = base;
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
	int c = kernel_cmp(&v[ia], &v[ib]);

	/* Equal kernels: the earlier entry sorts first and is the one kept. */
	return c ?: (ia < ib ? -1 : ia > ib);
}

int select__unique(struct kernel_list *l)
{
	size_t *idx, i, keep = 0;
	bool *dup;

	if (l->n < 2)
		return 0;
	idx = calloc(l->n, sizeof(*idx));
	dup = calloc(l->n, sizeof(*dup));
	if (!idx || !dup) {
		free(idx);
		free(dup);
		return -ENOMEM;
	}
	for (i = 0; i < l->n; i++)
		idx[i] = i;
	/* qsort has no context argument; this runs once, single-threaded. */
	qsort_r(idx, l->n, sizeof(*idx), index_cmp, l->v);
	for (i = 1; i < l->n; i++)
		if (!kernel_cmp(&l->v[idx[i - 1]], &l->v[idx[i]]))
			dup[idx[i]] = true;
	for (i = 0; i < l->n; i++) {
		if (dup[i]) {
			pr_debug("%s: listed twice, fetched once", kernel__name(&l->v[i]));
			kernel__clear(&l->v[i]);
		} else {
			l->v[keep++] = l->v[i];
		}
	}
	l->n = keep;
	free(idx);
	free(dup);
	return 0;
}

struct list_ctx {
	const struct selection *sel;
	struct kernel_list *l;
};

static int on_archive(const char *distro, const char *version, const char *arch,
		      const char *release, void *ctx)
{
	struct list_ctx *c = ctx;
	struct kernel *k;

	k = kernel_list__add(c->l, distro, version, arch, release);
	if (!k)
		return -errno;
	if (!select__match(c->sel, k)) {
		kernel__clear(k);
		c->l->n--;
	}
	return 0;
}

int select__from_source(const struct selection *sel, const struct source *src,
			struct kernel_list *l)
{
	struct list_ctx c = { .sel = sel, .l = l };
	int err;

	err = source__list_local(src, on_archive, &c);
	if (err)
		pr_err("%s: cannot list archives: %s", src->base, strerror(-err));
	return err;
}

static bool is_literal(const char *s)
{
	return s && *s && !strpbrk(s, "*?[");
}

int select__literal(const struct selection *sel, struct kernel_list *l)
{
	if (!is_literal(sel->distro) || !is_literal(sel->version) ||
	    !is_literal(sel->arch) || !is_literal(sel->release)) {
		pr_err("a remote source cannot be listed: give --manifest, or literal "
		       "--distro, --version, --arch and --release");
		return -EINVAL;
	}
	if (!kernel_list__add(l, sel->distro, sel->version, sel->arch, sel->release)) {
		pr_err("invalid kernel %s/%s/%s/%s", sel->distro, sel->version, sel->arch,
		       sel->release);
		return -EINVAL;
	}
	return 0;
}
