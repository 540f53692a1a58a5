/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Which kernels to fetch: fnmatch(3) globs on distro, version, arch and
 * release, applied to the manifest's entries or, with no manifest, to the
 * archives a listing of the source found (lister.h). Four literal names
 * need no listing.
 */
#ifndef BTFHUB_FETCH_SELECTION_H
#define BTFHUB_FETCH_SELECTION_H

#include <stdbool.h>

#include "kernel.h"
#include "listing.h"
#include "pins.h"

struct selection {
	const char *distro;	/* glob, matched as BTFHub writes distros ("Ubuntu" = ubuntu); NULL = any */
	const char *version;	/* glob, matched against the given and canonical names */
	const char *arch;	/* glob, matched against every spelling (aarch64 = arm64) */
	const char *release;	/* glob; NULL = any */
};

/* True when @k passes every glob of @sel. */
bool selection__match(const struct selection *sel, const struct kernel *k);
/* Drop the kernels of @l that @sel does not match (order kept). */
void selection__filter(const struct selection *sel, struct kernel_list *l);
/*
 * Kernels of the listing @ls matching @sel, appended to @l in its (sorted)
 * order, with the size and (index) sha256 it gives, or the sha256 @pins
 * (may be NULL) hold for its content ID. Returns 0 or -ENOMEM.
 */
int selection__from_listing(const struct selection *sel, const struct listing *ls,
			 const struct pins *pins, struct kernel_list *l);
/*
 * One error line for a selection that matched nothing in @ls (@source is
 * what was listed): the first field that rules everything out and the
 * values that exist there ("--distro Ubantu; distros there: amzn, ...").
 */
void selection__explain_none(const struct selection *sel, const struct listing *ls,
			  const char *source);
/* True unless all four fields are given as literal names. */
bool selection__globbed(const struct selection *sel);
/*
 * Drop later entries naming the same output as an earlier one (a manifest
 * listing "focal" and "20.04", or arm64 and aarch64 trees). Order kept.
 * Returns 0 or -ENOMEM.
 */
int selection__unique(struct kernel_list *l);
/*
 * The single kernel named by a selection without globs. Returns 0, or
 * -EINVAL when a field is missing or a glob (not reported), or an invalid
 * name (reported).
 */
int selection__literal(const struct selection *sel, struct kernel_list *l);

#endif
