// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdbool.h>
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
	bool newline;

	/* Errors (level < QUIET) always reach the user. */
	if (level > log_lvl && level >= LOG_LEVEL_WARN)
		goto out;
	newline = !*fmt || fmt[strlen(fmt) - 1] != '\n';
	/* One whole line among other threads' (the lock is recursive). */
	flockfile(stderr);
	fprintf(stderr, "%s: ", log_prog);
	if (level < LOG_LEVEL_QUIET)
		fputs("error: ", stderr);
	else if (level <= LOG_LEVEL_WARN)
		fputs("warning: ", stderr);
	vfprintf(stderr, fmt, ap);
	if (newline)
		fputc('\n', stderr);
	funlockfile(stderr);
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
DEFINE_PR(pr_notice, LOG_LEVEL_QUIET)
DEFINE_PR(pr_warn, LOG_LEVEL_WARN)
DEFINE_PR(pr_info, LOG_LEVEL_INFO)
DEFINE_PR(pr_debug, LOG_LEVEL_DEBUG)

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
