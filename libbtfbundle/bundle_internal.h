/* SPDX-License-Identifier: BSD-2-Clause */
/* Private to libbtfbundle: logging and option helpers (libbpf-style). */
#ifndef BTFKIT_BUNDLE_INTERNAL_H
#define BTFKIT_BUNDLE_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "btf_bundle.h"

void bundle_pr(enum btf_bundle_print_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define pr_bwarn(fmt, ...) bundle_pr(BTF_BUNDLE_WARN, fmt, ##__VA_ARGS__)
#define pr_binfo(fmt, ...) bundle_pr(BTF_BUNDLE_INFO, fmt, ##__VA_ARGS__)
#define pr_bdebug(fmt, ...) bundle_pr(BTF_BUNDLE_DEBUG, fmt, ##__VA_ARGS__)

/* A host (btf_bundle.h): fields bounded, an over-long value is cut. */
struct btf_host {
	char distro[64];
	char version[64];
	char arch[32];
	char release[192];
};

/* Fill @host from its four parts, then normalise. */
void host__set(struct btf_host *host, const char *distro, const char *version,
	       const char *arch, const char *release);
void host__normalize(struct btf_host *host);
/*
 * btf_host__parse()/__detect() into a host the caller holds (in-tree users
 * and tests keep hosts on the stack). 0 or a negative errno.
 */
int host__parse(struct btf_host *host, const char *spec);
int host__detect(struct btf_host *host, const struct btf_host_opts *opts);

/* In-tree callers: a match @m with a reason buffer @m.reason of 512 bytes. */
#define BUNDLE_MATCH(m)								\
	char m##_reason[512] = "";						\
	BTF_BUNDLE_OPTS(btf_bundle_match, m, .reason = m##_reason,		\
			.reason_sz = sizeof(m##_reason))

/*
 * The size of the .BTF section of the ELF64 file image @data (object.c's
 * bounded section walk): 0, -ENOMSG without .BTF, -EOPNOTSUPP for ELF32,
 * -EINVAL when garbled. Reads section headers only.
 */
int elf_btf_size(const void *data, size_t size, uint64_t *btf_size);

/*
 * Options structs grow at the end; a caller built against an older header
 * passes a smaller sz, a newer one a bigger sz whose unknown tail must be
 * zero (libbpf's OPTS_VALID). A refusal names the struct and the byte, once,
 * through the print callback: the caller's bug is found from its log.
 */
static inline bool opts_valid_named(const void *opts, size_t known_sz, const char *type)
{
	const char *p = opts;
	size_t sz, i;

	if (!opts)
		return true;
	sz = *(const size_t *)opts;
	if (sz < sizeof(size_t)) {
		pr_bwarn("struct %s: sz %zu is smaller than the sz field itself (set it with BTF_BUNDLE_OPTS)\n",
			 type, sz);
		return false;
	}
	for (i = known_sz; i < sz; i++) {
		if (p[i]) {
			pr_bwarn("struct %s: byte %zu of %zu is non-zero, past the %zu this libbtfbundle %s knows (built against a newer btf_bundle.h?)\n",
				 type, i, sz, known_sz, LIBBTFBUNDLE_VERSION);
			return false;
		}
	}
	return true;
}
#define opts_valid(opts, type) opts_valid_named(opts, OPTS_KNOWN_SZ(type), #type)

/*
 * An output struct the caller sized: @full (the library's complete
 * struct) copied up to the caller's sz, never past it. -EINVAL if @out is
 * NULL or its sz cannot hold the fields up to @need.
 */
static inline int out_fill(void *out, const void *full, size_t full_sz, size_t need)
{
	size_t sz;

	if (!out)
		return -EINVAL;
	sz = *(const size_t *)out;
	if (sz < need)
		return -EINVAL;
	memcpy((char *)out + sizeof(size_t), (const char *)full + sizeof(size_t),
	       (sz < full_sz ? sz : full_sz) - sizeof(size_t));
	return 0;
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
