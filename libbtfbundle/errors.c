// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <string.h>

#include "btf_bundle.h"

/*
 * The codes whose strerror() text would mislead a user: "Stale file
 * handle" for a bundle made for another object, "Bad message" for a
 * corrupt bundle.
 */
const char *btf_bundle__strerror(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case EBADMSG: return "corrupt bundle";
	case EILSEQ: return "checksum mismatch (corrupt bundle)";
	case EPROTO: return "unsupported bundle format version";
	case ESTALE: return "bundle reduced against another BPF object";
	case ENOMSG: return "BPF object without BTF (.BTF section)";
	default: return strerror(err);
	}
}
