// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "escape.h"
#include "log.h"
#include "selection.h"

static bool is_literal(const char *s)
{
	return s && *s && !strpbrk(s, "*?[");
}

static bool glob_ok(const char *glob, const char *name, const char *alias)
{
	if (!glob)
		return true;
	return !fnmatch(glob, name, 0) || (alias && !fnmatch(glob, alias, 0));
}

bool selection__match(const struct selection *sel, const struct kernel *k)
{
	return glob_ok(sel->distro, k->distro, NULL) &&
	       glob_ok(sel->version, k->version, k->out_version) &&
	       glob_ok(sel->arch, k->arch, k->out_arch) &&
	       glob_ok(sel->release, k->release, NULL);
}

void selection__filter(const struct selection *sel, struct kernel_list *l)
{
	size_t i, keep = 0;

	for (i = 0; i < l->n; i++) {
		if (selection__match(sel, &l->v[i]))
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

int selection__unique(struct kernel_list *l)
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

/* The path the listing gave is the one to ask for first, not an alias that 404s. */
static void prefer_listed(struct kernel *k, const char *path)
{
	int i;

	for (i = 1; i < k->ncandidates; i++) {
		if (!strcmp(k->candidates[i], path)) {
			char *t = k->candidates[0];

			k->candidates[0] = k->candidates[i];
			k->candidates[i] = t;
			return;
		}
	}
}

int selection__from_listing(const struct selection *sel, const struct listing *ls,
			 const struct pins *pins, struct kernel_list *l)
{
	size_t i;

	for (i = 0; i < ls->n; i++) {
		const struct listing_entry *e = &ls->v[i];
		struct kernel *k = kernel_list__add(l, e->seg[0], e->seg[1], e->seg[2], e->seg[3]);
		const char *pin;

		if (!k)
			return -errno;
		if (!selection__match(sel, k)) {
			kernel__clear(k);
			l->n--;
			continue;
		}
		k->listed_size = e->size;
		prefer_listed(k, e->path);
		memcpy(k->content_id, e->content_id, sizeof(k->content_id));
		if (e->sha256[0]) {
			memcpy(k->want_sha256, e->sha256, sizeof(k->want_sha256));
			k->want_from = "index";
		} else if (pins && (pin = pins__find(pins, e->content_id))) {
			memcpy(k->want_sha256, pin, sizeof(k->want_sha256));
			k->want_from = "an earlier fetch of the same git blob";
		}
	}
	return 0;
}

bool selection__globbed(const struct selection *sel)
{
	return !is_literal(sel->distro) || !is_literal(sel->version) ||
	       !is_literal(sel->arch) || !is_literal(sel->release);
}


int selection__literal(const struct selection *sel, struct kernel_list *l)
{
	if (selection__globbed(sel))
		return -EINVAL;	/* callers list the source instead */
	if (!kernel_list__add(l, sel->distro, sel->version, sel->arch, sel->release)) {
		const char *parts[] = { sel->distro, sel->version, sel->arch, sel->release };
		const char *why = NULL;
		char buf[LAYOUT_PARTS][80];
		int i, bad = 0;

		if (errno != EINVAL)
			return -errno;
		for (i = LAYOUT_PARTS - 1; i >= 0; i--) {
			const char *r = layout__part_invalid(i, parts[i]);

			if (r) {
				why = r;
				bad = i;
			}
			escape__str(buf[i], sizeof(buf[i]), parts[i]);
		}
		/* Bounded and escaped: the name may be megabytes of anything. */
		pr_err("invalid kernel %s/%s/%s/%s: %s %s", buf[0], buf[1], buf[2], buf[3],
		       layout__part_name(bad), why ?: "is invalid");
		return -EINVAL;
	}
	return 0;
}
