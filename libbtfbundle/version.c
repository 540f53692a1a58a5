// SPDX-License-Identifier: BSD-2-Clause
#include "btf_bundle.h"

/* The library's own version, which a program may have been built against another of. */
const char *libbtfbundle_version_string(void)
{
	return LIBBTFBUNDLE_VERSION;
}

unsigned int libbtfbundle_major_version(void)
{
	return LIBBTFBUNDLE_MAJOR_VERSION;
}

unsigned int libbtfbundle_minor_version(void)
{
	return LIBBTFBUNDLE_MINOR_VERSION;
}
