// SPDX-License-Identifier: BSD-2-Clause
/*
 * Fuzz target for btfhub-fetch's listing parsers: the first byte picks one
 * (0: a mirror's btfhub-index.json, 1: a GitHub trees-API answer, 2: a
 * directory page), the rest is the body a hostile server sends. Any bytes
 * must give an error or entries whose keys pass layout__parse_key() again,
 * never a crash or a leak (ASan), and page links that are plain child names.
 *
 * libFuzzer where the compiler has it; fuzz_replay.c makes a driver that
 * runs each file named on the command line once (tests/fetch uses it).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

#include "autoindex.h"
#include "github.h"
#include "index.h"
#include "layout.h"
#include "listing.h"
#include "log.h"

#define PAGE "http://mirror.invalid/btfhub/debian/"

static void check_listing(const struct listing *l)
{
	char buf[LAYOUT_KEY_MAX + 1];
	struct layout_key key;
	size_t i, sl = strlen(LAYOUT_SUFFIX_ARCHIVE);

	for (i = 0; i < l->n; i++) {
		const char *p = l->v[i].path;
		size_t len = strlen(p);

		if (len <= sl || strcmp(p + len - sl, LAYOUT_SUFFIX_ARCHIVE) ||
		    layout__parse_key(p, len - sl, buf, &key, NULL, 0) ||
		    strcmp(key.release, l->v[i].seg[3]) || strcmp(key.distro, l->v[i].seg[0]))
			abort();
	}
}

static void check_links(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!names[i][0] || strchr(names[i], '?') || strchr(names[i], '#'))
			abort();
		free(names[i]);
	}
	free(names);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct listing l = { 0 };
	const char *body = (const char *)data + 1;
	char **names;
	size_t n;

	if (!size)
		return 0;
	log_init("fuzz-listing", LOG_LEVEL_QUIET);
	switch (data[0] % 3) {
	case 0:
		if (!index__parse(&l, "fuzz", body, size - 1))
			check_listing(&l);
		break;
	case 1:
		if (!github__parse_tree(&l, "fuzz", body, size - 1))
			check_listing(&l);
		break;
	default:
		if (!autoindex__links(PAGE, body, size - 1, &names, &n))
			check_links(names, n);
		break;
	}
	listing__free(&l);
	return 0;
}
