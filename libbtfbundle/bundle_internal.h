/* SPDX-License-Identifier: BSD-2-Clause */
/* Private to libbtfbundle: logging and option helpers (libbpf-style). */
#ifndef BTFKIT_BUNDLE_INTERNAL_H
#define BTFKIT_BUNDLE_INTERNAL_H

#include <errno.h>
#include <stddef.h>
#include "btf_bundle.h"

void bundle_pr(enum btf_bundle_print_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define pr_bwarn(fmt, ...) bundle_pr(BTF_BUNDLE_WARN, fmt, ##__VA_ARGS__)
#define pr_binfo(fmt, ...) bundle_pr(BTF_BUNDLE_INFO, fmt, ##__VA_ARGS__)
#define pr_bdebug(fmt, ...) bundle_pr(BTF_BUNDLE_DEBUG, fmt, ##__VA_ARGS__)

/*
 * Options structs grow at the end; a caller built against an older header
 * passes a smaller sz, a newer one a bigger sz whose unknown tail must be
 * zero (libbpf's OPTS_VALID).
 */
/*
 * The size of the .BTF section of the ELF64 file image @data (object.c's
 * bounded section walk): 0, -ENOMSG without .BTF, -EOPNOTSUPP for ELF32,
 * -EINVAL when garbled. Reads section headers only.
 */
int elf_btf_size(const void *data, size_t size, uint64_t *btf_size);

static inline int opts_valid(const void *opts, size_t known_sz)
{
	const char *p = opts;
	size_t sz, i;

	if (!opts)
		return 1;
	sz = *(const size_t *)opts;
	if (sz < sizeof(size_t))
		return 0;
	for (i = known_sz; i < sz; i++)
		if (p[i])
			return 0;
	return 1;
}

#define OPTS_HAS(opts, field) \
	((opts) && (opts)->sz >= offsetof(__typeof__(*(opts)), field) + sizeof((opts)->field))
#define OPTS_GET(opts, field, def) (OPTS_HAS(opts, field) ? (opts)->field : (def))
#define OPTS_KNOWN_SZ(type) \
	(offsetof(struct type, type##__last_field) + sizeof(((struct type *)0)->type##__last_field))

static inline void *bundle_err_ptr(int err)
{
	errno = -err;
	return NULL;
}

#endif
