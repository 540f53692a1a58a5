/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The BTFHub archive of one kernel, byte-deterministic: a GNU-format tar
 * holding one member <release>.btf (mode 0644, owner 0:0 numeric, mtime 0,
 * padded to tar's 10240-byte record) compressed by liblzma with a CRC64
 * check, single-threaded, one block: the preset's LZMA2 options with the
 * dictionary cut to the tar's size (rounded up to 2^n or 3 * 2^(n-1)). These
 * are the bytes of
 *   tar --format=gnu --mtime=@0 --owner=0 --group=0 --numeric-owner \
 *       --mode=0644 -cf - R.btf | xz -T1 --lzma2=preset=P,dict=D
 * (P the preset, "9e" for extreme; D that dictionary), so the archive can be
 * made again, and checked, without btfhub-make.
 */
#ifndef BTFKIT_MAKE_WRITER_H
#define BTFKIT_MAKE_WRITER_H

#include <stdint.h>

/* xz -e: liblzma's LZMA_PRESET_EXTREME, or'ed into a preset */
#define WRITER_XZ_EXTREME (1u << 31)

/*
 * Write the archive of the @size bytes of BTF at @btf_fd (read with
 * pread() from offset 0) as member "<@release>.btf" to @out_fd (written
 * from its current offset), compressed with liblzma preset @preset (0-9,
 * optionally | WRITER_XZ_EXTREME). Returns 0 or a negative errno (-EINVAL for
 * a preset liblzma does not have). Thread-safe.
 */
int writer__archive(int btf_fd, uint64_t size, const char *release, uint32_t preset,
		    int out_fd);

#endif
