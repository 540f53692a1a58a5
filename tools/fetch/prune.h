/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --prune: make the output tree hold exactly the selected kernels, so a
 * kernel dropped from the manifest also drops out of the bundle built from
 * the tree.
 *
 * Only what btfhub-fetch itself wrote is touched: a regular file
 * <distro>/<version>/<arch>/<release>.btf (no dot-directory, canonical
 * names) for which the cache holds this output tree's stamp, and the
 * temporary files ".<release>.btf.XXXXXX" a killed run left beside them
 * (not while a live writer holds their lock). A layout file without a stamp
 * is reported and kept. Symlinks, other files and directories that were
 * empty already stay; a directory goes only when this prune emptied it.
 * Every removal is logged.
 */
#ifndef BTFHUB_FETCH_PRUNE_H
#define BTFHUB_FETCH_PRUNE_H

#include <stddef.h>

#include "cache.h"
#include "kernel.h"

/*
 * Prune @out_dir to the outputs of @l (every kernel of the list counts as
 * selected, failed ones too: their last good file stays). Paths are compared
 * relative to the canonical @out_dir, so "out/", "./out" and "out" are one
 * tree. Sets *@removed (files). Returns 0 or a negative errno (reported).
 */
int prune__outputs(const char *out_dir, const struct cache *cache,
		   const struct kernel_list *l, size_t *removed);

#endif
