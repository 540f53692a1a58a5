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

#include <stdbool.h>
#include <stddef.h>

#include "jsonstream.h"
#include "listing.h"

#define INDEX_NAME "btfhub-index.json"
#define INDEX_FORMAT "btfhub-index"
#define INDEX_VERSION 1

/*
 * An index answer read as it arrives (jsonstream.h: one archive at a time),
 * its archives added to @l. write() and end() have the shape of an
 * http_sink's and return 0, -EINVAL (reported, naming @url), -ENOMEM or
 * -E2BIG (reported). free() keeps what it listed only when @keep (the whole
 * answer was accepted): nothing of a refused index stays listed.
 */
struct index_reader {
	struct listing *l;
	const char *url;
	struct json_stream *js;
	size_t n0;
	bool format_ok, version_ok;
};

int index_reader__init(struct index_reader *p, struct listing *l, const char *url);
int index_reader__write(void *p, const char *buf, size_t len);
int index_reader__end(void *p);
void index_reader__free(struct index_reader *p, bool keep);

/* The index @body whole, through the reader above. Returns 0 or a negative errno (reported). */
int index__parse(struct listing *l, const char *url, const char *body, size_t len);

#endif
