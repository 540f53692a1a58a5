/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A mirror without an index: the directory listings a plain web server
 * generates (nginx and Apache autoindex, Python's http.server), read level by
 * level (distro, version, arch, archives). Only links to a direct child of
 * the page count; sort links, parents, queries and other hosts are ignored.
 * HTML is parsed by libxml2's push parser as it arrives (links taken from
 * its SAX events, no document built), links resolved and decoded by
 * libcurl's URL API.
 */
#ifndef BTFHUB_FETCH_AUTOINDEX_H
#define BTFHUB_FETCH_AUTOINDEX_H

#include "listing.h"
#include "source.h"

/* Pages read at most, whatever the byte budget says. */
#define AUTOINDEX_MAX_PAGES 20000
/* Links of one page kept at most (a level of the layout each): more is refused. */
#define AUTOINDEX_MAX_LINKS LISTING_MAX_ENTRIES

/*
 * The links of the HTML @body (the page at URL @page, ending in '/') to its
 * direct children: encoded names, "name/" for directories, sorted (a name
 * linked twice in a row kept once, other repeats kept). *@names (and each name) malloc()ed. Returns 0, -ENOMEM or -E2BIG
 * over AUTOINDEX_MAX_LINKS (reported).
 */
int autoindex__links(const char *page, const char *body, size_t len, char ***names, size_t *n);
/* List the archives under @src's base URL. Returns 0 or a negative errno (reported). */
int autoindex__list(struct listing *l, const struct source *src, const struct listing_opts *o);

#endif
