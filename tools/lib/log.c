// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "log.h"

/* The only process-wide state: the options -v/-q set once in main(). */
static const char *log_prog = "btfkit";
static int log_lvl = LOG_LEVEL_WARN;

void log_init(const char *prog, int level)
{
	if (prog) {
		const char *slash = strrchr(prog, '/');

		log_prog = slash ? slash + 1 : prog;
	}
	log_lvl = level;
}

int log_level(void)
{
	return log_lvl;
}

void log_vprint(int level, const char *fmt, va_list ap)
{
	int saved = errno;
	/* Errors (level < QUIET) always reach the user. */
	if (level > log_lvl && level >= LOG_LEVEL_WARN)
		goto out;
	fprintf(stderr, "%s: ", log_prog);
	if (level < LOG_LEVEL_WARN)
		fputs("error: ", stderr);
	else if (level == LOG_LEVEL_WARN)
		fputs("warning: ", stderr);
	vfprintf(stderr, fmt, ap);
	if (!*fmt || fmt[strlen(fmt) - 1] != '\n')
		fputc('\n', stderr);
out:
	errno = saved;
}

#define DEFINE_PR(name, lvl)				\
void name(const char *fmt, ...)				\
{							\
	va_list ap;					\
	va_start(ap, fmt);				\
	log_vprint(lvl, fmt, ap);			\
	va_end(ap);					\
}

DEFINE_PR(pr_err, LOG_LEVEL_QUIET - 1)
DEFINE_PR(pr_warn, LOG_LEVEL_WARN)
DEFINE_PR(pr_info, LOG_LEVEL_INFO)
DEFINE_PR(pr_debug, LOG_LEVEL_DEBUG)

/* Length of the valid UTF-8 sequence at @s, 0 if there is none. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* Overlong forms, surrogates and code points past U+10FFFF. */
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return n;
}

const char *log_escape(char *buf, size_t size, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0, n;

	if (size < 8) {
		if (size)
			buf[0] = '\0';
		return buf;
	}
	while (*p) {
		char esc[5];
		const char *src = (const char *)p;

		n = utf8_len(p);
		if (n == 1 && (*p < 0x20 || *p == 0x7f || *p == '\\'))
			n = 0;
		if (!n) {
			snprintf(esc, sizeof(esc), "\\x%02x", *p);
			src = esc;
			n = 4;
		}
		/* Room for this piece, and for "..." if more follows (so o + 4 <= size). */
		if (o + n + (p[src == esc ? 1 : n] ? 3 : 0) >= size) {
			memcpy(buf + o, "...", 4);
			return buf;
		}
		memcpy(buf + o, src, n);
		o += n;
		p += src == esc ? 1 : n;
	}
	buf[o] = '\0';
	return buf;
}

int log_libbpf_print(enum libbpf_print_level libbpf_level, const char *fmt, va_list ap)
{
	int lvl;
	int saved = errno;

	switch (libbpf_level) {
	case LIBBPF_WARN: lvl = LOG_LEVEL_INFO; break;	/* libbpf warns about probing noise */
	case LIBBPF_INFO: lvl = LOG_LEVEL_DEBUG; break;
	default: lvl = LOG_LEVEL_DEBUG + 1; break;
	}
	/* libbpf's messages carry their own "libbpf: " prefix. */
	if (lvl <= log_lvl) {
		fprintf(stderr, "%s: ", log_prog);
		vfprintf(stderr, fmt, ap);
	}
	errno = saved;
	return 0;
}
