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
 * The tool key hashes every BPF object and bpftool's executable (its
 * SHA-256, not its version text), and for canonical outputs canon.h's
 * CANON_VERSION (btfgen.c), so a new object, bpftool or output form
 * invalidates every kernel, while a new input only its own.
 *
 * <rel>.stat is a machine-local hint, a file_digest record (fileid.h: the
 * input's SHA-256 with its device, inode, size, mtime and ctime) that lets a
 * re-run trust an unchanged input's digest without reading it, as git's
 * index does; an input rewritten in place, even with its mtime put back,
 * has another ctime and is read again.
 */
#ifndef BTFGEN_OUTCACHE_H
#define BTFGEN_OUTCACHE_H

#include <stdint.h>
#include <sys/stat.h>

#include "fileid.h"
#include "sha256.h"

#define OUTCACHE_DIR ".btfgen-cache"

struct outcache_rec {
	char key[SHA256_HEX_LEN];
	char input[SHA256_HEX_LEN];
	char output[SHA256_HEX_LEN];
	uint64_t output_size;
};

/*
 * Hash bpftool's executable digest (hex) and the BPF objects (in the order
 * given) into @tool. Returns 0 or a negative errno; @bad names the
 * unreadable object.
 */
int outcache__tool_key(const char *bpftool_digest, char *const *objects, int nobjects,
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
 * Record @sha for @st, hashed from @hashed_at on (file_digest: trusted
 * later only once settled). Returns 0 or a negative errno.
 */
int outcache__hint_write(const char *outdir, const char *rel, const struct stat *st,
		      const char *sha, const struct timespec *hashed_at);

/*
 * bpftool's probe (its version text, that it offers min_core_btf, and the
 * SHA-256 of the executable), kept as OUTDIR/.btfgen-cache/bpftool.probe so
 * that a no-change re-run starts no bpftool at all (two execs were half of
 * its time) and reads nothing of it. The record holds for @path while the
 * file's identity is unchanged and settled (fileid.h); read gives -EAGAIN,
 * with *p filled, when the identity is the same but not yet settled: the
 * caller hashes the file and keeps the record only if the digest is still
 * the same. -ENOENT when absent, garbled, of another path or of another
 * identity (a touched or replaced bpftool is probed again). *p's version
 * is malloc()ed (free it) whenever it is set.
 */
struct outcache_probe {
	struct file_digest digest;
	char *version;
};
int outcache__probe_read(const char *outdir, const char *path, const struct stat *st,
		      struct outcache_probe *p);
int outcache__probe_write(const char *outdir, const char *path, const struct file_digest *d,
		       const char *version);

#endif
