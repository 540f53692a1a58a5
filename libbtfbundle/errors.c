// SPDX-License-Identifier: BSD-2-Clause
#include "btf_bundle.h"
#include "errmsg.h"

/*
 * The library's face of btfkit's one error-message table (tools/lib
 * errmsg.c): "Stale file handle" for a bundle made for another object, or
 * "Invalid or incomplete multibyte or wide character" for a checksum
 * mismatch, would mislead; libbpf's own codes (4001) are words too.
 */
const char *btf_bundle__strerror(int err)
{
	return errmsg(err);
}
