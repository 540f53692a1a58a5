/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What a content-addressed listing already told us: a GitHub tree names
 * each archive by its git blob SHA, so once an archive with that blob was
 * fetched and hashed, the same blob is the same archive. The pins file
 * (<cache>/<src key>.pins, lines "<blob sha> <sha256>") lets a re-run pin
 * those archives to their SHA-256, so that an unchanged tree costs the one
 * conditional listing request and no request per archive.
 */
#ifndef BTFHUB_FETCH_PINS_H
#define BTFHUB_FETCH_PINS_H

#include <stddef.h>

#include "cache.h"
#include "kernel.h"

struct pin {
	char id[KERNEL_CONTENT_ID_LEN];
	char sha256[SHA256_HEX_LEN];
};

struct pins {
	struct pin *v;
	size_t n;
};

/* Load the pins of @c's source (none if the file is missing or damaged). */
int pins__load(struct pins *p, const struct cache *c);
void pins__free(struct pins *p);
/* The SHA-256 pinned for content @id, or NULL. */
const char *pins__find(const struct pins *p, const char *id);
/*
 * Add the content IDs and SHA-256 of the kernels of @l obtained this run
 * to the file, atomically. Returns 0 or a negative errno.
 */
int pins__record(const struct cache *c, const struct kernel_list *l);

#endif
