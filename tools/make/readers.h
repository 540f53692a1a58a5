/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The readers of each input kind (infile.c dispatches by the first bytes).
 * Each takes the @size bytes of regular file @fd, leaves the kernel's raw
 * BTF in job->btf_fd (infile__take_btf()) and the key parts it can tell in
 * the job, and returns 0 or a negative errno with job->why set.
 */
#ifndef BTFKIT_MAKE_READERS_H
#define BTFKIT_MAKE_READERS_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "make_internal.h"

/* A vmlinux: .BTF, else DWARF through pahole (elf.c). */
int elf__btf(struct make_job *job, int fd, uint64_t size);
/* DWARF of the vmlinux at @fd through pahole --btf_encode_detached (pahole.c). */
int pahole__btf(struct make_job *job, int fd);
/* x86 bzImage/vmlinuz: the payload the setup header names, decompressed (image.c). */
int image__bzimage(struct make_job *job, int fd, uint64_t size);
/* arm64 Image (uncompressed): the BTF found by its header and checked by libbpf. */
int image__raw(struct make_job *job, int fd, uint64_t size);
/* EFI zboot: the payload its header names, decompressed. */
int image__zboot(struct make_job *job, int fd, uint64_t size);
/* A compressed stream (Image.gz): decompressed, then read again. */
int image__compressed(struct make_job *job, int fd, uint64_t size);
/* A .deb/.ddeb (deb.c). */
int deb__btf(struct make_job *job, int fd, uint64_t size);
/* An RPM (rpm.c). */
int rpm__btf(struct make_job *job, int fd, uint64_t size);

/*
 * Decompress @len bytes at @off of @fd (any of libarchive's filters: gzip,
 * xz, lzma, zstd, lz4, bzip2) into a new scratch file, at most @cap bytes
 * (more: -EFBIG, a decompression bomb). *@out_fd / *@out_size get the
 * result, *@filter (static) the format's name. A stream that ends in
 * trailing bytes after data (the size word a kernel image appends) keeps
 * what was decompressed: the reader of the result judges it.
 */
int decomp__range(struct make_job *job, int fd, uint64_t off, uint64_t len, uint64_t cap,
		  int *out_fd, uint64_t *out_size, const char **filter);

/* "./boot/x" -> "boot/x"; NULL for an absolute path or one with a ".." part (member.c). */
const char *member__path(const char *p);
/*
 * Whether package member @p (as member__path() returns it) is a kernel:
 * boot/vmlinuz-R, lib/modules/R/vmlinuz, usr/lib/debug/boot/vmlinux-R, ...
 * R into @release (of @size bytes), *@dbg for a debug vmlinux. 0 or -ENOENT.
 */
int member__kernel(const char *p, char *release, size_t size, bool *dbg);
/*
 * Walk package archive @a (a deb's data.tar, an RPM's cpio payload; @what
 * names it in messages) to its kernel member and read that: the one member
 * rule of both formats. A path that is absolute or has a ".." part, or a
 * kernel member that is not a regular file, is -EBADMSG; no kernel member
 * is -ENOMSG, saying @none. Otherwise infile__btf()'s result.
 */
struct archive;
int member__read_kernel(struct make_job *job, struct archive *a, const char *what,
			const char *none);

/*
 * Open libarchive reader @a on @len bytes at @off of @fd (read with pread(),
 * so one descriptor serves several readers). Returns 0 or a negative errno.
 */
struct archive;
int decomp__open_fd(struct archive *a, int fd, uint64_t off, uint64_t len);

/*
 * Copy the current entry's data of archive @a into a new scratch file, at
 * most @cap bytes (more: -EFBIG). Returns 0 or a negative errno with
 * job->why naming @what.
 */
int decomp__entry(struct make_job *job, struct archive *a, const char *what, uint64_t cap,
		  int *out_fd, uint64_t *out_size);

#endif
