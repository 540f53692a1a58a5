/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The one TAP harness of the C tests (meson protocol: 'tap'); its Python
 * twin is tap.py. ok() prints one numbered result and returns the
 * condition, so a test reads `if (!ok(b, "open")) goto out;`; diag() a
 * comment line; skipped() a result that cannot be checked here;
 * tap_skip_all() makes the whole test "1..0 # SKIP" before any result.
 * main() ends with `return tap_done();`: the plan ("1..N") last, and 1 if
 * any result failed.
 */
#ifndef BTFKIT_TESTS_TAP_H
#define BTFKIT_TESTS_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_cnt, fail_cnt;

__attribute__((format(printf, 2, 3), unused))
static bool ok(bool cond, const char *fmt, ...)
{
	char buf[2048], *p;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* A result is one line: a newline in what it names would end it. */
	for (p = buf; *p; p++)
		if (*p == '\n')
			*p = p[1] ? ' ' : '\0';
	printf("%s %d - %s\n", cond ? "ok" : "not ok", ++test_cnt, buf);
	fflush(stdout);
	if (!cond)
		fail_cnt++;
	return cond;
}

/* One comment line per line of the message: TAP has no multi-line comment. */
__attribute__((format(printf, 1, 2), unused))
static void diag(const char *fmt, ...)
{
	char buf[4096], *line, *nl;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (line = buf; line; line = nl ? nl + 1 : NULL) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (*line || nl)
			printf("# %s\n", line);
	}
	fflush(stdout);
}

__attribute__((format(printf, 2, 3), unused))
static void skipped(const char *what, const char *fmt, ...)
{
	va_list ap;

	printf("ok %d - %s # SKIP ", ++test_cnt, what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

__attribute__((format(printf, 1, 2), noreturn, unused))
static void tap_skip_all(const char *fmt, ...)
{
	va_list ap;

	fputs("1..0 # SKIP ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	exit(0);
}

__attribute__((unused))
static int tap_done(void)
{
	printf("1..%d\n", test_cnt);
	return fail_cnt ? 1 : 0;
}

#endif
