// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonstream.h"
#include "mem.h"

/* Where the scanner is in { "key": value, "array_key": [ element, ... ], ... }. */
enum js_state {
	JS_START,		/* '{' expected */
	JS_FIRST_KEY,		/* after '{': a member name or '}' */
	JS_KEY,			/* after ',': a member name */
	JS_COLON,		/* ':' expected */
	JS_VALUE,		/* a member's value starts */
	JS_ARRAY,		/* after the streamed array's '[': an element or ']' */
	JS_ELEMENT,		/* after ',' in it: an element */
	JS_AFTER_ELEMENT,	/* ',' or ']' */
	JS_AFTER_MEMBER,	/* ',' or '}' */
	JS_DONE,		/* after the final '}': whitespace only */
};

/* The value being gathered into buf, whole, for jansson. */
enum js_take { JS_TAKE_NONE, JS_TAKE_KEY, JS_TAKE_MEMBER, JS_TAKE_ELEMENT };

struct json_stream {
	const struct json_stream_ops *ops;
	void *ctx;
	enum js_state state;
	enum js_take take;
	char *buf;
	size_t len, cap;
	size_t depth;		/* of the gathered object or array */
	bool in_string, escape, scalar;
	size_t start;		/* the gathered value's offset in the answer */
	size_t off;		/* the offset of the byte at hand */
	size_t index;		/* elements so far */
	char *key;		/* the current member's name */
	bool found;		/* the streamed array was seen */
	int err;		/* sticky: the first failure */
};

enum { GATHER_MORE, GATHER_DONE, GATHER_DONE_BEFORE };

static int bad_at(char *why, size_t why_sz, size_t off, const char *what)
{
	snprintf(why, why_sz, "at byte %zu: %s", off, what);
	return -EINVAL;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* What ends a number or a literal (and the NUL the buffered scanner stopped at). */
static bool ends_scalar(char c)
{
	return c == ',' || c == ']' || c == '}' || c == '\0' || is_ws(c);
}

static void begin(struct json_stream *js, enum js_take take, char c)
{
	js->take = take;
	js->len = js->depth = 0;
	js->in_string = js->escape = false;
	js->scalar = c != '"' && c != '{' && c != '[';
	js->start = js->off;
}

/*
 * One more byte of the value being gathered: GATHER_DONE when it ended the
 * value, GATHER_DONE_BEFORE when the value ended before it (a scalar's
 * delimiter, which the next state takes).
 */
static int gather(struct json_stream *js, char c, char *why, size_t why_sz)
{
	if (js->scalar && ends_scalar(c))
		return GATHER_DONE_BEFORE;
	if (js->len >= JSON_STREAM_MAX_ELEMENT)
		return bad_at(why, why_sz, js->start, "a value over 64 KiB");
	if (mem__ensure((void **)&js->buf, &js->cap, 1, js->len + 2))
		return -ENOMEM;
	js->buf[js->len++] = c;
	if (js->scalar)
		return GATHER_MORE;
	if (js->in_string) {
		if (js->escape)
			js->escape = false;
		else if (c == '\\')
			js->escape = true;
		else if (c == '"')
			js->in_string = false;
		return js->in_string || js->depth ? GATHER_MORE : GATHER_DONE;
	}
	if (c == '"')
		js->in_string = true;
	else if (c == '{' || c == '[')
		js->depth++;
	else if ((c == '}' || c == ']') && !--js->depth)
		return GATHER_DONE;
	return GATHER_MORE;
}

/* The gathered value, parsed by jansson on its own bytes only, handed on. */
static int finish(struct json_stream *js, char *why, size_t why_sz)
{
	enum js_take take = js->take;
	json_error_t jerr;
	json_t *v;
	int err = 0;

	js->take = JS_TAKE_NONE;
	v = json_loadb(js->buf ?: "", js->len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	if (!v) {
		snprintf(why, why_sz, "at byte %zu: %s", js->start +
			 (jerr.position > 0 ? (size_t)jerr.position : 0), jerr.text);
		return -EINVAL;
	}
	switch (take) {
	case JS_TAKE_KEY:
		free(js->key);
		js->key = strdup(json_string_value(v) ?: "");
		err = js->key ? 0 : -ENOMEM;
		js->state = JS_COLON;
		break;
	case JS_TAKE_MEMBER:
		err = js->ops->member ? js->ops->member(js->ctx, js->key, v) : 0;
		js->state = JS_AFTER_MEMBER;
		break;
	default:
		/* A callback's own -EINVAL is reported by it: @why stays empty. */
		err = js->ops->element(js->ctx, js->index++, v);
		js->state = JS_AFTER_ELEMENT;
		break;
	}
	json_decref(v);
	return err;
}

/* One byte outside a gathered value (never whitespace). */
static int step(struct json_stream *js, char c, char *why, size_t why_sz)
{
	switch (js->state) {
	case JS_START:
		if (c != '{') {
			snprintf(why, why_sz, "not a JSON object");
			return -EINVAL;
		}
		js->state = JS_FIRST_KEY;
		return 0;
	case JS_FIRST_KEY:
		if (c == '}') {
			js->state = JS_DONE;
			return 0;
		}
		/* fallthrough */
	case JS_KEY:
		if (c != '"')
			return bad_at(why, why_sz, js->off, "a member name expected");
		begin(js, JS_TAKE_KEY, c);
		return 0;
	case JS_COLON:
		if (c != ':')
			return bad_at(why, why_sz, js->off, "':' expected");
		js->state = JS_VALUE;
		return 0;
	case JS_VALUE:
		if (strcmp(js->key, js->ops->array_key)) {
			begin(js, JS_TAKE_MEMBER, c);
			return 0;
		}
		if (js->found)
			return bad_at(why, why_sz, js->off, "a duplicate member");
		js->found = true;
		if (c != '[') {
			snprintf(why, why_sz, "\"%s\" is not an array", js->ops->array_key);
			return -EINVAL;
		}
		js->state = JS_ARRAY;
		return 0;
	case JS_ARRAY:
		if (c == ']') {
			js->state = JS_AFTER_MEMBER;
			return 0;
		}
		/* fallthrough */
	case JS_ELEMENT:
		begin(js, JS_TAKE_ELEMENT, c);
		return 0;
	case JS_AFTER_ELEMENT:
		if (c != ',' && c != ']')
			return bad_at(why, why_sz, js->off, "',' or ']' expected");
		js->state = c == ',' ? JS_ELEMENT : JS_AFTER_MEMBER;
		return 0;
	case JS_AFTER_MEMBER:
		if (c != ',' && c != '}')
			return bad_at(why, why_sz, js->off, "',' or '}' expected");
		js->state = c == ',' ? JS_KEY : JS_DONE;
		return 0;
	default:
		return bad_at(why, why_sz, js->off, "data after the object");
	}
}

static int feed(struct json_stream *js, const char *buf, size_t len, char *why, size_t why_sz)
{
	size_t i = 0;
	int r;

	while (i < len) {
		char c = buf[i];

		if (!js->take) {
			if (!is_ws(c) && (r = step(js, c, why, why_sz)))
				return r;
			/* A value's first byte is left for gather(). */
			if (!js->take) {
				i++;
				js->off++;
			}
			continue;
		}
		r = gather(js, c, why, why_sz);
		if (r < 0)
			return r;
		if (r != GATHER_DONE_BEFORE) {
			i++;
			js->off++;
		}
		if (r != GATHER_MORE && (r = finish(js, why, why_sz)))
			return r;
	}
	return 0;
}

struct json_stream *json_stream__new(const struct json_stream_ops *ops, void *ctx)
{
	struct json_stream *js = calloc(1, sizeof(*js));

	if (!js) {
		errno = ENOMEM;
		return NULL;
	}
	js->ops = ops;
	js->ctx = ctx;
	return js;
}

void json_stream__free(struct json_stream *js)
{
	if (!js)
		return;
	free(js->buf);
	free(js->key);
	free(js);
}

int json_stream__feed(struct json_stream *js, const char *buf, size_t len,
		      char *why, size_t why_sz)
{
	if (!js->err)
		js->err = feed(js, buf, len, why, why_sz);
	return js->err;
}

int json_stream__end(struct json_stream *js, char *why, size_t why_sz)
{
	const char *what;

	if (js->err)
		return js->err;
	/* A number or literal at the very end had no delimiter after it. */
	if (js->take && js->scalar && (js->err = finish(js, why, why_sz)))
		return js->err;
	if (js->take)
		what = js->in_string ? "unterminated string" : "unterminated object or array";
	else if (js->state == JS_DONE && js->found)
		return 0;
	else if (js->state == JS_DONE) {
		snprintf(why, why_sz, "no \"%s\" array", js->ops->array_key);
		return js->err = -ENOENT;
	} else if (js->state == JS_START) {
		snprintf(why, why_sz, "not a JSON object");
		return js->err = -EINVAL;
	} else if (js->state == JS_FIRST_KEY || js->state == JS_KEY)
		what = "a member name expected";
	else if (js->state == JS_COLON)
		what = "':' expected";
	else if (js->state == JS_AFTER_ELEMENT)
		what = "',' or ']' expected";
	else if (js->state == JS_AFTER_MEMBER)
		what = "',' or '}' expected";
	else
		what = "a value expected";
	return js->err = bad_at(why, why_sz, js->off, what);
}

int json_stream__object(const char *body, size_t len, const struct json_stream_ops *ops,
			void *ctx, char *why, size_t why_sz)
{
	struct json_stream *js = json_stream__new(ops, ctx);
	int err;

	if (!js)
		return -ENOMEM;
	err = json_stream__feed(js, body, len, why, why_sz);
	err = err ?: json_stream__end(js, why, why_sz);
	json_stream__free(js);
	return err;
}
