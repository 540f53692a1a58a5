/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The one UTF-8 decoder (RFC 3629), header-only so that the layout rules,
 * which link nothing, share it with escape.c: what escape.h passes through
 * unescaped is exactly what layout.h accepts in a name.
 */
#ifndef BTFKIT_UTF8_H
#define BTFKIT_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Length of the valid multi-byte UTF-8 sequence at @p (of @avail bytes): no
 * overlong forms, no surrogates, nothing above U+10FFFF. 0 if there is none
 * (ASCII included: the caller handles single bytes).
 */
static inline size_t utf8__seq(const uint8_t *p, size_t avail)
{
	size_t n, i;
	uint32_t cp;

	if (p[0] < 0xc2 || p[0] > 0xf4)
		return 0;
	n = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : 2;
	if (avail < n)
		return 0;
	cp = p[0] & (0xff >> (n + 1));
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* U+0080..U+009F, the C1 controls some terminals obey: at @p, of length @n. */
static inline int utf8__is_c1(const uint8_t *p, size_t n)
{
	return n == 2 && p[0] == 0xc2 && p[1] < 0xa0;
}

#endif
