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

/*
 * Distros as BTFHub writes them (layout__distro_name(): "Ubuntu" is
 * ubuntu); arches under every spelling of the kernel's (aarch64 = arm64).
 */
static bool distro_ok(const char *glob, const char *distro)
{
	char name[LAYOUT_DISTRO_MAX + 1];

	if (!glob)
		return true;
	if (is_literal(glob))
		return !strcmp(layout__distro_name(glob, name, sizeof(name)), distro);
	return !fnmatch(glob, distro, FNM_CASEFOLD);
}

static bool arch_ok(const char *glob, const struct kernel *k)
{
	const char *dirs[2];
	int i, n;

	if (!glob || glob_ok(glob, k->arch, NULL))
		return true;
	n = layout__arch_dirs(k->out_arch, dirs);
	for (i = 0; i < n; i++)
		if (!fnmatch(glob, dirs[i], 0))
			return true;
	return false;
}

bool selection__match(const struct selection *sel, const struct kernel *k)
{
	return distro_ok(sel->distro, k->distro) &&
	       glob_ok(sel->version, k->version, k->out_version) &&
	       arch_ok(sel->arch, k) &&
	       glob_ok(sel->release, k->release, NULL);
}

/* A listing entry as the kernel selection__match() needs: names only, nothing owned. */
static void entry_view(const struct listing_entry *e, struct kernel *k)
{
	memset(k, 0, sizeof(*k));
	k->distro = e->seg[0];
	k->version = e->seg[1];
	k->arch = e->seg[2];
	k->release = e->seg[3];
	k->out_version = layout__version_canon(k->distro, k->version);
	k->out_arch = layout__arch_name(k->arch);
}

/*
 * Nothing in @ls matches @sel: name the first field that rules everything
 * out and the values that exist there under the fields before it.
 */
void selection__explain_none(const struct selection *sel, const struct listing *ls,
			  const char *source)
{
	const char *fields[LAYOUT_PARTS] = { sel->distro, sel->version, sel->arch, sel->release };
	const char *opts[LAYOUT_PARTS] = { "--distro", "--version", "--arch", "--release" };
	struct selection part = {};
	char seen[512] = "", esc[160];
	size_t i, shown = 0, more = 0;
	int f;

	for (f = 0; f < LAYOUT_PARTS; f++) {
		bool any = false;

		if (!fields[f])
			continue;
		if (f == 0) part.distro = fields[0];
		if (f == 1) part.version = fields[1];
		if (f == 2) part.arch = fields[2];
		if (f == 3) part.release = fields[3];
		for (i = 0; i < ls->n && !any; i++) {
			struct kernel k;

			entry_view(&ls->v[i], &k);
			any = selection__match(&part, &k);
		}
		if (any)
			continue;
		/* The values at this level among the entries that pass the fields before it. */
		if (f == 0) part.distro = NULL;
		if (f == 1) part.version = NULL;
		if (f == 2) part.arch = NULL;
		if (f == 3) part.release = NULL;
		for (i = 0; i < ls->n; i++) {
			const char *v = ls->v[i].seg[f];
			struct kernel k;
			bool m;

			entry_view(&ls->v[i], &k);
			m = selection__match(&part, &k);
			/* The listing is sorted: a value repeats in a run under one parent. */
			if (!m || (i && !strcmp(ls->v[i - 1].seg[f], v) &&
				   !strcmp(ls->v[i - 1].seg[0], ls->v[i].seg[0])) ||
			    strstr(seen, escape__str(esc, sizeof(esc), v)))
				continue;
			if (shown < 12 && strlen(seen) + strlen(esc) + 3 < sizeof(seen)) {
				snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), "%s%s",
					 shown ? ", " : "", esc);
				shown++;
			} else {
				more++;
			}
		}
		pr_err("%s: no archive matches %s %s; %s there: %s%s", source, opts[f],
		       escape__str(esc, sizeof(esc), fields[f]),
		       f == 0 ? "distros" : f == 1 ? "versions" : f == 2 ? "arches" : "releases",
		       shown ? seen : "none", more ? ", ..." : "");
		return;
	}
	pr_err("%s: no archive matches the selection", source);
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
