// SPDX-License-Identifier: BSD-2-Clause
/*
 * Fuzz target for btfhub-fetch's listing parsers: the first byte picks one
 * (0: a mirror's btfhub-index.json, 1: a GitHub trees-API answer, 2: a
 * directory page), the rest is the body a hostile server sends. Any bytes
 * must give an error or entries whose keys pass layout__parse_key() again,
 * never a crash or a leak (ASan), and page links that are plain child names.
 * The answers stream in over the network in pieces of any size: the JSON
 * ones are also fed in pieces of 1 + first byte / 3 % 61 bytes, and must
 * give the same elements and the same verdict as whole.
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
#include "jsonstream.h"
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

/* What a stream saw: elements and members, each serialised into a running FNV-1a hash. */
struct seen {
	uint64_t hash;
	size_t n;
};

static void seen_add(struct seen *s, const char *key, json_t *v)
{
	char *text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	const char *p;

	if (!text)
		abort();
	for (p = key; *p; p++)
		s->hash = (s->hash ^ (uint8_t)*p) * 0x100000001b3ull;
	for (p = text; *p; p++)
		s->hash = (s->hash ^ (uint8_t)*p) * 0x100000001b3ull;
	s->n++;
	free(text);
}

static int seen_element(void *ctx, size_t i, json_t *e)
{
	seen_add(ctx, "", e);
	return 0;
}

static int seen_member(void *ctx, const char *key, json_t *v)
{
	seen_add(ctx, key, v);
	return 0;
}

static int stream_pieces(const char *body, size_t len, const char *key, size_t piece,
			 struct seen *s)
{
	const struct json_stream_ops ops = { key, seen_element, seen_member };
	struct json_stream *js = json_stream__new(&ops, s);
	char why[160];
	size_t off;
	int err = 0;

	if (!js)
		abort();
	for (off = 0; !err && off < len; off += piece)
		err = json_stream__feed(js, body + off, len - off < piece ? len - off : piece,
					why, sizeof(why));
	err = err ?: json_stream__end(js, why, sizeof(why));
	json_stream__free(js);
	return err;
}

/* Whole and in pieces: the same elements, members and verdict. */
static void check_pieces(const char *body, size_t len, const char *key, size_t piece)
{
	struct seen whole = { 0xcbf29ce484222325ull, 0 }, cut = whole;

	if (stream_pieces(body, len, key, len ?: 1, &whole) !=
	    stream_pieces(body, len, key, piece, &cut) ||
	    whole.hash != cut.hash || whole.n != cut.n)
		abort();
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
		check_pieces(body, size - 1, "archives", 1 + data[0] / 3 % 61);
		break;
	case 1:
		if (!github__parse_tree(&l, "fuzz", body, size - 1))
			check_listing(&l);
		check_pieces(body, size - 1, "tree", 1 + data[0] / 3 % 61);
		break;
	default:
		if (!autoindex__links(PAGE, body, size - 1, &names, &n))
			check_links(names, n);
		break;
	}
	listing__free(&l);
	return 0;
}
