/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --prune: make the output tree hold exactly the selected kernels, so a
 * kernel dropped from the manifest also drops out of the bundle built from
 * the tree. Removes <distro>/<version>/<arch>/<release>.btf files that are
 * not selected, temporary files left by a killed run, and directories that
 * end up empty. Nothing else is touched.
 */
#ifndef BTFHUB_FETCH_PRUNE_H
#define BTFHUB_FETCH_PRUNE_H

#include <stddef.h>

#include "kernel.h"

/*
 * Prune @out_dir to the outputs of @l (every kernel of the list counts as
 * selected, failed ones too: their last good file stays). Sets *@removed.
 * Returns 0 or a negative errno (reported). Not thread-safe.
 */
int prune__outputs(const char *out_dir, const struct kernel_list *l, size_t *removed);

#endif
