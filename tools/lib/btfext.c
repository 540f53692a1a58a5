// SPDX-License-Identifier: BSD-2-Clause
/* The core_relo subsection of .BTF.ext (btfext.h). */
#include <errno.h>
#include <string.h>

#include "btfext.h"

#define BTF_EXT_MAGIC 0xeB9F
#define HDR_NO_CORE 24		/* up to line_info_len: an object from before CO-RE */
#define HDR_CORE 32		/* up to core_relo_len */

static uint32_t rd(const uint8_t *p, size_t n, bool swap)
{
	uint32_t v32;
	uint16_t v16;

	if (n == 2) {
		memcpy(&v16, p, sizeof(v16));
		return swap ? __builtin_bswap16(v16) : v16;
	}
	memcpy(&v32, p, sizeof(v32));
	return swap ? __builtin_bswap32(v32) : v32;
}

int btfext__core_relos(const uint8_t *ext, size_t size, bool swap, const uint8_t **out,
		       size_t *len)
{
	uint32_t hdr_len, off, n;

	*out = NULL;
	*len = 0;
	if (!ext)
		return 0;
	if (size < 8 || rd(ext, 2, swap) != BTF_EXT_MAGIC)
		return -EINVAL;
	hdr_len = rd(ext + 4, 4, swap);
	if (hdr_len < HDR_CORE || hdr_len > size)
		return hdr_len >= HDR_NO_CORE && hdr_len <= size ? 0 : -EINVAL;
	off = rd(ext + 24, 4, swap);
	n = rd(ext + 28, 4, swap);
	if (off > size - hdr_len || n > size - hdr_len - off)
		return -EINVAL;
	*out = ext + hdr_len + off;
	*len = n;
	return 0;
}
