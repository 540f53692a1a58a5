// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "jsonstream.h"

struct scan {
	const char *p, *end, *start;
	char *why;
	size_t why_sz;
};

static int bad(struct scan *s, const char *what)
{
	snprintf(s->why, s->why_sz, "at byte %zu: %s", (size_t)(s->p - s->start), what);
	return -EINVAL;
}

static void skip_ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/* Past the string starting at s->p (a '"'); escapes are skipped, not decoded. */
static int skip_string(struct scan *s)
{
	for (s->p++; s->p < s->end; s->p++) {
		if (*s->p == '\\') {
			s->p++;
			continue;
		}
		if (*s->p == '"') {
			s->p++;
			return 0;
		}
	}
	return bad(s, "unterminated string");
}

/* Past one value starting at s->p: an object or array by nesting, else a scalar. */
static int skip_value(struct scan *s)
{
	size_t depth = 0;

	if (s->p >= s->end)
		return bad(s, "a value expected");
	if (*s->p == '"')
		return skip_string(s);
	if (*s->p != '{' && *s->p != '[') {
		while (s->p < s->end && !strchr(",]} \t\r\n", *s->p))
			s->p++;
		return 0;
	}
	while (s->p < s->end) {
		char c = *s->p;

		if (c == '"') {
			if (skip_string(s))
				return -EINVAL;
			if (!depth)
				return 0;
			continue;
		}
		if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']')
			depth--;
		s->p++;
		if (!depth)
			return 0;
	}
	return bad(s, "unterminated object or array");
}

/* Parse the value at s->p with jansson, on its own bytes only. */
static json_t *load_value(struct scan *s)
{
	const char *v = s->p;
	json_error_t jerr;
	json_t *j;

	if (skip_value(s))
		return NULL;
	j = json_loadb(v, s->p - v, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	if (!j)
		snprintf(s->why, s->why_sz, "at byte %zu: %s", (size_t)(v - s->start) +
			 (jerr.position > 0 ? (size_t)jerr.position : 0), jerr.text);
	return j;
}

static int stream_array(struct scan *s, const struct json_stream_ops *ops, void *ctx)
{
	size_t i = 0;
	int err;

	if (s->p >= s->end || *s->p != '[')
		return bad(s, "not an array");
	s->p++;
	skip_ws(s);
	if (s->p < s->end && *s->p == ']') {
		s->p++;
		return 0;
	}
	for (;;) {
		json_t *e;

		skip_ws(s);
		e = load_value(s);
		if (!e)
			return -EINVAL;
		err = ops->element(ctx, i++, e);
		json_decref(e);
		if (err)
			return err;
		skip_ws(s);
		if (s->p < s->end && *s->p == ',') {
			s->p++;
			continue;
		}
		if (s->p < s->end && *s->p == ']') {
			s->p++;
			return 0;
		}
		return bad(s, "',' or ']' expected");
	}
}

int json_stream__object(const char *body, size_t len, const struct json_stream_ops *ops,
			void *ctx, char *why, size_t why_sz)
{
	struct scan s = { body, body + len, body, why, why_sz };
	bool found = false;
	int err;

	skip_ws(&s);
	if (s.p >= s.end || *s.p != '{') {
		snprintf(why, why_sz, "not a JSON object");
		return -EINVAL;
	}
	s.p++;
	skip_ws(&s);
	if (s.p < s.end && *s.p == '}') {
		s.p++;
		goto tail;
	}
	for (;;) {
		json_t *key;
		const char *k;

		skip_ws(&s);
		if (s.p >= s.end || *s.p != '"')
			return bad(&s, "a member name expected");
		key = load_value(&s);
		if (!key)
			return -EINVAL;
		k = json_string_value(key);
		skip_ws(&s);
		if (s.p >= s.end || *s.p != ':') {
			json_decref(key);
			return bad(&s, "':' expected");
		}
		s.p++;
		skip_ws(&s);
		if (!strcmp(k, ops->array_key)) {
			json_decref(key);
			if (found)
				return bad(&s, "a duplicate member");
			found = true;
			/* A callback's own -EINVAL is reported by it: @why stays empty. */
			if (s.p >= s.end || *s.p != '[') {
				snprintf(why, why_sz, "\"%s\" is not an array", ops->array_key);
				return -EINVAL;
			}
			err = stream_array(&s, ops, ctx);
		} else {
			json_t *v = load_value(&s);

			err = v ? (ops->member ? ops->member(ctx, k, v) : 0) : -EINVAL;
			json_decref(v);
			json_decref(key);
		}
		if (err)
			return err;
		skip_ws(&s);
		if (s.p < s.end && *s.p == ',') {
			s.p++;
			continue;
		}
		if (s.p < s.end && *s.p == '}') {
			s.p++;
			break;
		}
		return bad(&s, "',' or '}' expected");
	}
tail:
	skip_ws(&s);
	if (s.p != s.end)
		return bad(&s, "data after the object");
	if (!found) {
		snprintf(why, why_sz, "no \"%s\" array", ops->array_key);
		return -ENOENT;
	}
	return 0;
}
