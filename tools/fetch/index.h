/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The mirror index: one JSON file at a mirror's root that any static web
 * server can serve, naming every archive with its size and SHA-256:
 *
 *   { "format": "btfhub-index", "version": 1,
 *     "archives": [ { "key": "<distro>/<version>/<arch>/<release>.btf.tar.xz",
 *                     "size": N, "sha256": "<64 hex>" }, ... ] }
 *
 * Keys are paths relative to the root, sorted bytewise; two-space indent and a
 * final newline: the same tree always gives the same bytes (indexer.c
 * writes it; this backend reads it).
 */
#ifndef BTFHUB_FETCH_INDEX_H
#define BTFHUB_FETCH_INDEX_H

#include <stddef.h>

#include "listing.h"

#define INDEX_NAME "btfhub-index.json"
#define INDEX_FORMAT "btfhub-index"
#define INDEX_VERSION 1

/*
 * Add the archives of the index @body (@url names it in errors) to @l.
 * Returns 0 or -EINVAL (reported).
 */
int index__parse(struct listing *l, const char *url, const char *body, size_t len);

#endif
