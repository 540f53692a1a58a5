/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * escape.h's rule for JSON output (jansson): the string value is exactly the
 * text the terminal output shows, so a name that is not valid UTF-8 is
 * escaped, never dropped (json_string() refuses it). Header-only so that
 * tools/lib, which libbtfbundle links, does not depend on jansson.
 */
#ifndef BTFKIT_ESCAPE_JSON_H
#define BTFKIT_ESCAPE_JSON_H

#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "escape.h"

/* A new JSON string of @len bytes of untrusted text; NULL only on ENOMEM. */
static inline json_t *escape__jsonn(const void *s, size_t len)
{
	char *e = escape__dup(s, len);
	json_t *j = e ? json_string(e) : NULL;

	free(e);
	return j;
}

static inline json_t *escape__json(const char *s)
{
	return escape__jsonn(s, strlen(s));
}

/*
 * A message (an error line) as the terminal shows it: its untrusted parts
 * were escaped where it was composed, so it goes in as it is; should any
 * byte have slipped through unescaped it is escaped here, never dropped.
 */
static inline json_t *escape__json_msg(const char *s)
{
	return json_string(s) ?: escape__json(s);
}

#endif
