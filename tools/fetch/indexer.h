/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * btfhub-fetch --write-index: the mirror index (index.h) of a local tree,
 * listed as any directory source is (lister.h). Above the dispatcher, so
 * that no backend calls back into it.
 */
#ifndef BTFHUB_FETCH_INDEXER_H
#define BTFHUB_FETCH_INDEXER_H

#include <stddef.h>

/*
 * Write <@dir>/INDEX_NAME (atomically) for the archives under @dir.
 * Returns 0 or a negative errno (reported); *@n gets the archive count.
 */
int indexer__write(const char *dir, size_t *n);

#endif
