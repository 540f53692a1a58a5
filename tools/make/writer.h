/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The BTFHub archive of one kernel, byte-deterministic: a GNU-format tar
 * holding one member <release>.btf (mode 0644, owner 0:0 numeric, mtime 0,
 * padded to tar's 10240-byte record) compressed by liblzma preset 9 with a
 * CRC64 check, single-threaded. These are exactly the bytes of
 *   tar --format=gnu --mtime=@0 --owner=0 --group=0 --numeric-owner \
 *       --mode=0644 -cf - R.btf | xz -9 -T1
 * so archives made before btfhub-make (tests/data/make-fixtures.sh) and by
 * it are the same files.
 */
#ifndef BTFKIT_MAKE_WRITER_H
#define BTFKIT_MAKE_WRITER_H

#include <stdint.h>

/*
 * Write the archive of the @size bytes of BTF at @btf_fd (read with
 * pread() from offset 0) as member "<@release>.btf" to @out_fd (written
 * from its current offset). Returns 0 or a negative errno. Thread-safe.
 */
int writer__archive(int btf_fd, uint64_t size, const char *release, int out_fd);

#endif
