// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "listing.h"
#include "escape.h"
#include "log.h"
#include "mem.h"

/*
 * A listed path is a kernel archive when it is "D/V/A/R" + the archive
 * suffix and the key passes layout__parse_key(), the one rule for keys.
 * @seg gets one allocation holding the four parts.
 */
static int split_key(const char *path, char *seg[4])
{
	size_t len = strlen(path), sl = strlen(LAYOUT_SUFFIX_ARCHIVE);
	char buf[LAYOUT_KEY_MAX + 1], *copy;
	struct layout_key key;

	if (len <= sl || strcmp(path + len - sl, LAYOUT_SUFFIX_ARCHIVE))
		return -ENOENT;		/* README.md and the like: not ours to judge */
	if (layout__parse_key(path, len - sl, buf, &key, NULL, 0))
		return -EINVAL;
	copy = malloc(len - sl + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, buf, len - sl + 1);
	seg[0] = copy + (key.distro - buf);
	seg[1] = copy + (key.version - buf);
	seg[2] = copy + (key.arch - buf);
	seg[3] = copy + (key.release - buf);
	return 0;
}

/* An entry's memory: the struct, its path and its parts' copy, two allocations' overhead. */
static size_t entry_cost(const char *path)
{
	return sizeof(struct listing_entry) + 2 * (strlen(path) + 1) + 32;
}

void listing__reject(struct listing *l, const char *origin, const char *name)
{
	char esc[256];

	if (l->rejected++ < LISTING_MAX_KEY_WARNINGS)
		pr_warn("%s: ignoring '%s': not <distro>/<version>/<arch>/<release>"
			LAYOUT_SUFFIX_ARCHIVE " with valid names", origin,
			escape__str(esc, sizeof(esc), name));
}

int listing__add(struct listing *l, const char *origin, const char *path,
		 uint64_t size, const char *sha256)
{
	struct listing_entry *e;
	char *seg[4];
	int err;

	err = split_key(path, seg);
	if (err == -ENOENT)
		return -EINVAL;
	if (err == -EINVAL && layout__off_layout(path)) {
		/* BTFHub's own 1/x86_64/: counted, one warning at the end. */
		if (!l->off_layout++)
			l->off_example = strdup(path);
	} else if (err == -EINVAL) {
		listing__reject(l, origin, path);
	}
	if (err)
		return err;
	if (l->n >= LISTING_MAX_ENTRIES ||
	    l->entry_bytes + entry_cost(path) > LISTING_MAX_ENTRY_BYTES) {
		/* The entries are what a listing costs in memory once it is parsed. */
		pr_err("%s: more than %d archives listed (or %u MiB of their names): refused",
		       origin, LISTING_MAX_ENTRIES, LISTING_MAX_ENTRY_BYTES >> 20);
		free(seg[0]);
		return -E2BIG;
	}
	if (mem__ensure((void **)&l->v, &l->cap, sizeof(*l->v), l->n + 1)) {
		free(seg[0]);
		return -ENOMEM;
	}
	e = &l->v[l->n];
	memset(e, 0, sizeof(*e));
	e->path = strdup(path);
	if (!e->path) {
		free(seg[0]);
		return -ENOMEM;
	}
	memcpy(e->seg, seg, sizeof(e->seg));
	l->entry_bytes += entry_cost(path);
	e->size = size;
	if (sha256) {
		uint8_t d[SHA256_DIGEST_LEN];

		/* One case, so that it compares with what sha256_hex() gives. */
		if (!sha256_parse_hex(sha256, d))
			sha256_hex(d, e->sha256);
	}
	l->n++;
	return 0;
}

void listing__truncate(struct listing *l, size_t n)
{
	while (l->n > n) {
		l->n--;
		l->entry_bytes -= entry_cost(l->v[l->n].path);
		free(l->v[l->n].path);
		free(l->v[l->n].seg[0]);
	}
}

void listing__free(struct listing *l)
{
	listing__truncate(l, 0);
	free(l->v);
	free(l->off_example);
	memset(l, 0, sizeof(*l));
}

uint64_t listing__budget(const struct listing *l, const struct listing_opts *o)
{
	uint64_t max = o->max_bytes ? o->max_bytes : LISTING_DEFAULT_MAX_BYTES;

	return l->bytes >= max ? 0 : max - l->bytes;
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct listing_entry *)a)->path,
		      ((const struct listing_entry *)b)->path);
}

void listing__sort(struct listing *l)
{
	size_t i, keep = 0;

	qsort(l->v, l->n, sizeof(*l->v), entry_cmp);
	for (i = 0; i < l->n; i++) {
		if (keep && !strcmp(l->v[keep - 1].path, l->v[i].path)) {
			free(l->v[i].path);
			free(l->v[i].seg[0]);
			continue;
		}
		l->v[keep++] = l->v[i];
	}
	l->n = keep;
}
