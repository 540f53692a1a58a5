/* SPDX-License-Identifier: BSD-2-Clause */
/* What an input file is, by its first bytes. */
#ifndef BTFKIT_MAKE_INFILE_H
#define BTFKIT_MAKE_INFILE_H

#include <stddef.h>
#include <stdint.h>

enum input_kind {
	INPUT_UNKNOWN,
	INPUT_BTF,		/* raw BTF (a saved /sys/kernel/btf/vmlinux) */
	INPUT_ELF,		/* a vmlinux */
	INPUT_DEB,		/* an ar archive: .deb / .ddeb */
	INPUT_RPM,
	INPUT_ZBOOT,		/* EFI zboot image */
	INPUT_BZIMAGE,		/* x86 bzImage / vmlinuz */
	INPUT_ARM64_IMAGE,	/* arm64 Image, uncompressed */
	INPUT_COMPRESSED,	/* gzip/xz/zstd/bzip2/lz4 stream (Image.gz) */
};

/* The kind of a file whose first @n bytes (up to 0x240 are looked at) are @b. */
enum input_kind infile__detect(const uint8_t *b, size_t n);
const char *infile__kind_name(enum input_kind k);

#endif
