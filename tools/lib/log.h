/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Logging shared by every btfkit tool: one line per message on stderr,
 * prefixed with the program name, filtered by the -v/-q level.
 */
#ifndef BTFKIT_LOG_H
#define BTFKIT_LOG_H

#include <stdarg.h>
#include <bpf/libbpf.h>

enum log_level {
	LOG_LEVEL_QUIET = -1,	/* -q: errors only */
	LOG_LEVEL_WARN = 0,	/* default */
	LOG_LEVEL_INFO = 1,	/* -v */
	LOG_LEVEL_DEBUG = 2,	/* -vv */
};

/* Set the program name used as prefix (default "btfkit") and the level. */
void log_init(const char *prog, int level);
int log_level(void);

/* Errors are always printed; pr_warn is suppressed by -q. errno is kept. */
void pr_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A warning -q does not hide: what a run silently left out (kernels below a floor). */
void pr_notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pr_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_vprint(int level, const char *fmt, va_list ap);

/* libbpf print callback honouring the same level (for libbpf_set_print). */
int log_libbpf_print(enum libbpf_print_level libbpf_level, const char *fmt, va_list ap);

#endif
