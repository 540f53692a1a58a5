/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The one growth rule for the tools' growable arrays, as libbpf's
 * libbpf_ensure_mem() (src/btf.c): grow by a quarter (at least 16
 * elements), zero the new tail, and refuse a size that overflows.
 */
#ifndef BTFKIT_MEM_H
#define BTFKIT_MEM_H

#include <stddef.h>

/*
 * Make room for @need elements of @elem_sz bytes in *@data, whose capacity
 * is *@cap elements (both 0/NULL to start). Returns 0 or -ENOMEM; on
 * failure *@data and *@cap are unchanged (still the caller's to free).
 */
int mem__ensure(void **data, size_t *cap, size_t elem_sz, size_t need);

#endif
