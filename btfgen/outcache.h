/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * btfgen's incremental cache, kept beside the output in OUTDIR/.btfgen-cache/.
 *
 * <rel>.key says what the reduced BTF at OUTDIR/<rel>.btf was made from; it
 * is deterministic (same inputs, same bytes):
 *	btfgen-cache 1
 *	key <sha256 of the tool key and the input digest>
 *	input <sha256 of the input file>
 *	output <sha256 of the output> <output size>
 * The tool key hashes every BPF object and bpftool's version text, so a new
 * object or bpftool invalidates every kernel, while a new input only its own.
 *
 * <rel>.stat is a machine-local hint, "<size> <mtime_ns> <inode> <sha256>",
 * that lets a re-run trust an unchanged input's digest without reading it
 * (as git's index does); it is only written once the input's mtime is old
 * enough that a later change would show in the mtime.
 */
#ifndef BTFGEN_OUTCACHE_H
#define BTFGEN_OUTCACHE_H

#include <stdint.h>
#include <sys/stat.h>

#include "sha256.h"

#define OUTCACHE_DIR ".btfgen-cache"

struct outcache_rec {
	char key[SHA256_HEX_LEN];
	char input[SHA256_HEX_LEN];
	char output[SHA256_HEX_LEN];
	uint64_t output_size;
};

/*
 * Hash the BPF objects (in the order given) and the bpftool version text
 * into @tool. Returns 0 or a negative errno; @bad names the unreadable object.
 */
int outcache__tool_key(const char *bpftool_version, char *const *objects, int nobjects,
		    uint8_t tool[SHA256_DIGEST_LEN], const char **bad);
/* The per-kernel key from the tool key and the input digest (hex). */
void outcache__key(const uint8_t tool[SHA256_DIGEST_LEN], const char *input_hex,
		char key[SHA256_HEX_LEN]);

/* Read/write <rel>.key. Read returns -ENOENT if absent, -EINVAL if garbled. */
int outcache__read(const char *outdir, const char *rel, struct outcache_rec *rec);
int outcache__write(const char *outdir, const char *rel, const struct outcache_rec *rec);

/*
 * Look up the input digest in the <rel>.stat hint: 0 and @sha filled if the
 * hint matches @st, -ENOENT otherwise.
 */
int outcache__hint_read(const char *outdir, const char *rel, const struct stat *st,
		     char sha[SHA256_HEX_LEN]);
/*
 * Record @sha for @st, if @st's mtime is at least a second older than
 * @hashed_at (when hashing began); otherwise drop any old hint. Returns 0 or
 * a negative errno.
 */
int outcache__hint_write(const char *outdir, const char *rel, const struct stat *st,
		      const char *sha, const struct timespec *hashed_at);

/*
 * bpftool's probe (its version text, and that it offers min_core_btf), kept
 * as OUTDIR/.btfgen-cache/bpftool.probe so that a no-change re-run starts no
 * bpftool at all (two execs were half of its time). The record is valid
 * while @path names the same file: device, inode, size, mtime and ctime
 * (a replaced or re-installed bpftool changes at least the ctime).
 * Read returns 0 and a malloc()ed *version, or -ENOENT if absent or stale.
 */
int outcache__probe_read(const char *outdir, const char *path, const struct stat *st,
		      char **version);
int outcache__probe_write(const char *outdir, const char *path, const struct stat *st,
		       const char *version);

#endif
