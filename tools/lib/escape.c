// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "utf8.h"

/* Longest escape of one character ("\xNN" x 4 for a C1 control is 8). */
#define ESC_CHAR_MAX 16
/* Room kept for the "...(N bytes)" tail of cut text. */
#define ESC_TAIL_MAX 32

/*
 * Escape the character at @p into @out (at least ESC_CHAR_MAX bytes).
 * Returns the bytes of input consumed; *out_len gets the output length.
 */
static size_t esc_char(const uint8_t *p, size_t avail, char *out, size_t *out_len)
{
	size_t n, i, o = 0;

	if (*p >= 0x20 && *p < 0x7f) {
		if (*p == '\\')
			out[o++] = '\\';
		out[o++] = *p;
		*out_len = o;
		return 1;
	}
	if (*p == '\n' || *p == '\t' || *p == '\r') {
		out[0] = '\\';
		out[1] = *p == '\n' ? 'n' : *p == '\t' ? 't' : 'r';
		*out_len = 2;
		return 1;
	}
	n = utf8__seq(p, avail);
	if (n && !utf8__is_c1(p, n)) {
		memcpy(out, p, n);
		*out_len = n;
		return n;
	}
	n = n ?: 1;
	for (i = 0; i < n; i++)
		o += snprintf(out + o, ESC_CHAR_MAX - o, "\\x%02x", p[i]);
	*out_len = o;
	return n;
}

size_t escape__len(const void *s, size_t len)
{
	const uint8_t *p = s;
	char tmp[ESC_CHAR_MAX];
	size_t i = 0, total = 0, n;

	while (i < len) {
		i += esc_char(p + i, len - i, tmp, &n);
		total += n;
	}
	return total;
}

char *escape__mem(char *buf, size_t sz, const void *s, size_t len)
{
	const uint8_t *p = s;
	char tmp[ESC_CHAR_MAX];
	size_t i = 0, o = 0, n;
	bool cut;

	if (!sz)
		return buf;
	/* Cut only when the whole does not fit: then keep room for the tail. */
	cut = escape__len(s, len) >= sz;
	while (i < len) {
		size_t used = esc_char(p + i, len - i, tmp, &n);

		if (o + n + (cut ? ESC_TAIL_MAX : 0) >= sz)
			break;
		memcpy(buf + o, tmp, n);
		o += n;
		i += used;
	}
	buf[o] = '\0';
	if (cut && o + 1 < sz)
		snprintf(buf + o, sz - o, "...(%zu bytes)", len);
	return buf;
}

char *escape__str(char *buf, size_t sz, const char *s)
{
	return escape__mem(buf, sz, s, strlen(s));
}

char *escape__dup(const void *s, size_t len)
{
	size_t n = escape__len(s, len);
	char *buf = malloc(n + 1);

	if (!buf) {
		errno = ENOMEM;
		return NULL;
	}
	return escape__mem(buf, n + 1, s, len);
}
