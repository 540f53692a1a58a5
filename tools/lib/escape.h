/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The one rule for printing untrusted text (names from archives, bundles,
 * os-release, the command line, kernel strings), on a terminal and in JSON
 * alike: printable ASCII and valid UTF-8 go through as they are; a backslash
 * becomes "\\", \n \t \r their C escapes, every other control character
 * (C0, DEL, C1) and every byte that is not valid UTF-8 "\xNN". No byte is
 * dropped, the result is valid UTF-8 without control characters (so jansson
 * accepts it and no terminal acts on it), and the same input gives the same
 * text in both outputs.
 */
#ifndef BTFKIT_ESCAPE_H
#define BTFKIT_ESCAPE_H

#include <stddef.h>

/* Bound of ESC(): enough for any BTFHub name; longer text is cut (see below). */
#define ESCAPE_MAX 256

/*
 * Escape @len bytes of @s (which may hold NULs) into @buf of @sz bytes,
 * NUL-terminated. Text that does not fit is cut at a character boundary and
 * ends with "...(N bytes)", N the input's length: a 10 MB name is echoed as
 * its first few hundred bytes. Returns @buf.
 */
char *escape__mem(char *buf, size_t sz, const void *s, size_t len);
/* escape__mem() of a NUL-terminated string. */
char *escape__str(char *buf, size_t sz, const char *s);
/* The escaped length of @len bytes, without the NUL. */
size_t escape__len(const void *s, size_t len);
/* A malloc()ed escaped copy, not cut. NULL (errno ENOMEM) on failure. */
char *escape__dup(const void *s, size_t len);

/*
 * Escaped @s in a compound-literal buffer of ESCAPE_MAX bytes, valid until
 * the end of the enclosing block: printf("%s\n", ESC(name)).
 */
#define ESC(s) escape__str((char[ESCAPE_MAX]){ 0 }, ESCAPE_MAX, (s))
/* The same with an @n-byte buffer, for longer text (messages, reasons). */
#define ESC_N(s, n) escape__str((char[n]){ 0 }, (n), (s))

#endif
