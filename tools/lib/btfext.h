/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Where a .BTF.ext section keeps its CO-RE relocation records. libbpf
 * parses them only for its own load path and exports no reader (btf_ext__
 * gives the raw bytes back, nothing more), and two btfkit modules need
 * them: libbtfbundle's object digest and the audit's existence checks.
 */
#ifndef BTFKIT_BTFEXT_H
#define BTFKIT_BTFEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The core_relo subsection of the .BTF.ext bytes @ext/@size (@swap: in the
 * other byte order than ours): *@out and *@len, inside @ext, or NULL and 0
 * when @ext is NULL or its header predates CO-RE records. The header is
 * magic 0xeB9F, version, flags, hdr_len, then func_info, line_info and
 * core_relo offset/length pairs counted from the header's end. 0, or
 * -EINVAL when the magic or any length does not fit @size.
 */
int btfext__core_relos(const uint8_t *ext, size_t size, bool swap, const uint8_t **out,
		       size_t *len);

#endif
