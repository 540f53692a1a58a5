/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What lets a re-run skip an input already made, without reading it: a
 * stamp under OUT/.btfhub-make/stamps/ (a dot-directory: the tree walkers
 * and the index skip it) per input, named by a digest of
 *   - the input file's identity (fileid.h: device, inode, size, mtime and
 *     ctime; an in-place rewrite changes ctime), or its SHA-256 when the
 *     caller knows it (an APT index says it before the download),
 *   - and what else decides the output: btfhub-make's version, the key
 *     parts the caller gave, the pahole asked for, --prefer.
 * A stamp holds the key and the archive's digest record (fileid.h: SHA-256
 * and identity); it is believed only while the archive still has that
 * identity, and, for a record taken within a timestamp tick of the write,
 * once the archive's SHA-256 is read again and agrees. The identity stamp
 * of an input is written only when the input was settled (fileid.h) when it
 * was read: a change within the same tick could keep its ctime.
 */
#ifndef BTFKIT_MAKE_STATE_H
#define BTFKIT_MAKE_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "layout.h"
#include "sha256.h"

/*
 * The text of what decides an output besides the input itself (key parts
 * given, pahole, --prefer: make.c writes it), at most this long.
 */
#define STATE_DECIDES_MAX 512

/* The stamp names of an input (by identity, and by digest if @sha256). */
struct state_names {
	char by_id[SHA256_HEX_LEN];
	char by_sha[SHA256_HEX_LEN];	/* "" without a digest */
};

/* What a stamp says of the kernel made (make.h's make_result, in part). */
struct state_rec {
	char key[LAYOUT_KEY_MAX + 1];
	char how[96];
	uint64_t btf_size;		/* bytes of <release>.btf */
	uint64_t size;			/* bytes of the archive */
	char sha256[SHA256_HEX_LEN];	/* of the archive */
};

void state__names(const char *decides, const struct stat *st, const char *sha256,
		  struct state_names *n);
/*
 * Whether stamp @name under the tree at @out_dir says the input was made and
 * its archive is intact: then @rec is filled and true is returned.
 */
bool state__lookup(const char *out_dir, const char *name, struct state_rec *rec);
/*
 * Record @rec (a kernel made or unchanged) under the names in @n; the
 * identity name only if @input_settled. Errors are only logged.
 */
void state__record(const char *out_dir, const struct state_names *n, const struct state_rec *rec,
		   bool input_settled);

#endif
