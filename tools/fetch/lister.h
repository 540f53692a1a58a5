/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The archives a source holds, without fetching them: one entry point over
 * four ways of listing a BTFHub-layout tree, chosen from the source and from
 * what its server answers:
 *
 *   local directory    walk the tree (layout__walk())
 *   GitHub repository  the git trees API (github.c)
 *   index mirror       INDEX_NAME at the mirror's root (index.c)
 *   any web server     its directory listings, level by level (autoindex.c)
 *
 * Listing responses are bounded (max_bytes in all, one response included)
 * and cached with their validators under <cache>/listing/. The dispatcher
 * sits above the backends; they only fill the container (listing.h).
 */
#ifndef BTFHUB_FETCH_LISTER_H
#define BTFHUB_FETCH_LISTER_H

#include "listing.h"
#include "source.h"

/*
 * List @src into @l (sorted by path, unique). Returns 0 or a negative errno,
 * reported here in one line naming the URL or directory.
 * HTTP sources need curl_global_init() first.
 */
int lister__load(struct listing *l, const struct source *src, const struct listing_opts *o);

#endif
