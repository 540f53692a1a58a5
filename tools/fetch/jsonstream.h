/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A listing answer parsed one element at a time, as its bytes arrive.
 * jansson builds the whole document (about 77 times its size in memory: an
 * 8 MB trees answer cost 630 MB), so the large array of an answer (GitHub's
 * "tree", an index's "archives") is cut into its elements by a push scanner
 * that only tracks strings and nesting, and jansson parses each element
 * alone. Nothing of the answer is kept: the peak is one element, at most
 * JSON_STREAM_MAX_ELEMENT bytes (jansson's own ~77x of that included, a
 * few MB), whatever the answer's size.
 */
#ifndef BTFHUB_FETCH_JSONSTREAM_H
#define BTFHUB_FETCH_JSONSTREAM_H

#include <stddef.h>
#include <jansson.h>

/*
 * Largest element or top-level member value, in bytes of JSON. A trees
 * entry is ~300 bytes, an index entry ~150: an answer with a bigger one is
 * refused rather than handed to jansson.
 */
#define JSON_STREAM_MAX_ELEMENT (64u << 10)

struct json_stream_ops {
	const char *array_key;	/* the member whose array is streamed */
	/* One element of it (borrowed: decref'd after the call). 0 or a negative errno. */
	int (*element)(void *ctx, size_t index, json_t *e);
	/* Every other member, parsed whole (borrowed). NULL: ignored. */
	int (*member)(void *ctx, const char *key, json_t *v);
};

struct json_stream;

/*
 * A push parser of one top-level object; @ops and @ctx must outlive it.
 * NULL with errno set (ENOMEM). Free with json_stream__free() (NULL is fine).
 */
struct json_stream *json_stream__new(const struct json_stream_ops *ops, void *ctx);
void json_stream__free(struct json_stream *js);

/*
 * The next @len bytes of the answer. Returns 0, a callback's error, or
 * -EINVAL with a few words in @why ("not a JSON object", "\"tree\" is not
 * an array", "at byte N: ..."); once it failed, every later call returns
 * the same error.
 */
int json_stream__feed(struct json_stream *js, const char *buf, size_t len,
		      char *why, size_t why_sz);

/*
 * The answer is complete: 0, -EINVAL (cut short, @why says where) or
 * -ENOENT when the object had no @array_key member.
 */
int json_stream__end(struct json_stream *js, char *why, size_t why_sz);

/* The whole answer in one buffer: new, feed, end, free. */
int json_stream__object(const char *body, size_t len, const struct json_stream_ops *ops,
			void *ctx, char *why, size_t why_sz);

#endif
