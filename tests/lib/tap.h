/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * TAP output for the C unit tests (meson protocol: 'tap'): ok() prints one
 * numbered result and returns the condition, so a test reads
 * `if (!ok(b, "open")) goto out;`; diag() a comment line. The plan
 * ("1..N", from test_cnt) is printed last by the test; fail_cnt decides its
 * exit code.
 */
#ifndef BTFKIT_TESTS_TAP_H
#define BTFKIT_TESTS_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static int test_cnt, fail_cnt;

__attribute__((format(printf, 2, 3), unused))
static bool ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", cond ? "ok" : "not ok", ++test_cnt);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!cond)
		fail_cnt++;
	return cond;
}

__attribute__((format(printf, 1, 2), unused))
static void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

#endif
