/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A listing answer parsed one element at a time. jansson builds the whole
 * document (about 77 times its size in memory: an 8 MB trees answer cost
 * 630 MB), so the large array of an answer (GitHub's "tree", an index's
 * "archives") is cut into its elements by a bounded scanner that only
 * tracks strings and nesting, and jansson parses each element alone: the
 * peak is the answer's bytes plus one element.
 */
#ifndef BTFHUB_FETCH_JSONSTREAM_H
#define BTFHUB_FETCH_JSONSTREAM_H

#include <stddef.h>
#include <jansson.h>

struct json_stream_ops {
	const char *array_key;	/* the member whose array is streamed */
	/* One element of it (borrowed: decref'd after the call). 0 or a negative errno. */
	int (*element)(void *ctx, size_t index, json_t *e);
	/* Every other member, parsed whole (borrowed). NULL: ignored. */
	int (*member)(void *ctx, const char *key, json_t *v);
};

/*
 * Walk the top-level object in @body[0..@len). Returns 0, a callback's
 * error, or -EINVAL with a few words in @why ("not a JSON object",
 * "\"tree\" is not an array", "at byte N: ...") and -ENOENT when the
 * object has no @array_key member.
 */
int json_stream__object(const char *body, size_t len, const struct json_stream_ops *ops,
			void *ctx, char *why, size_t why_sz);

#endif
