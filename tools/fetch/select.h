/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Which kernels to fetch: fnmatch(3) globs on distro, version, arch and
 * release, applied to the manifest's entries or, with no manifest, to the
 * archives found in a local source tree. A remote source cannot be listed,
 * so without a manifest every field must then be a literal name.
 */
#ifndef BTFHUB_FETCH_SELECT_H
#define BTFHUB_FETCH_SELECT_H

#include <stdbool.h>

#include "kernel.h"
#include "source.h"

struct selection {
	const char *distro;	/* glob; NULL = any */
	const char *version;	/* glob, matched against the given and canonical names */
	const char *arch;	/* glob, matched against the given and canonical names */
	const char *release;	/* glob; NULL = any */
};

/* True when @k passes every glob of @sel. */
bool select__match(const struct selection *sel, const struct kernel *k);
/* Drop the kernels of @l that @sel does not match (order kept). */
void select__filter(const struct selection *sel, struct kernel_list *l);
/*
 * Kernels of the local source @src matching @sel, appended to @l in sorted
 * order.
 * Returns 0 or a negative errno (reported).
 */
int select__from_source(const struct selection *sel, const struct source *src,
			struct kernel_list *l);
/*
 * Drop later entries naming the same output as an earlier one (a manifest
 * listing "focal" and "20.04", or arm64 and aarch64 trees). Order kept.
 * Returns 0 or -ENOMEM.
 */
int select__unique(struct kernel_list *l);
/*
 * The single kernel named by a selection without globs. Returns 0, or
 * -EINVAL (reported) when a field is missing or a glob.
 */
int select__literal(const struct selection *sel, struct kernel_list *l);

#endif
