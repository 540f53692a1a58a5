/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What lets a re-run skip an input already made, without reading it: a
 * stamp under OUT/.btfhub-make/stamps/ (a dot-directory: the tree walkers
 * and the index skip it) per input, named by a digest of
 *   - the input file's identity: device, inode, size and ctime (an in-place
 *     rewrite changes ctime), or its SHA-256 when the caller knows it (an
 *     APT index says it before the download),
 *   - and what else decides the output: btfhub-make's version, the key
 *     parts the caller gave, the pahole asked for, --prefer.
 * A stamp holds the key and the archive's identity (size, inode, ctime) and
 * SHA-256; it is believed only while the archive still has that identity.
 */
#ifndef BTFKIT_MAKE_STATE_H
#define BTFKIT_MAKE_STATE_H

#include <sys/stat.h>

#include "make_internal.h"

/* The stamp names of an input (by identity, and by digest if @sha256). */
struct state_names {
	char by_id[SHA256_HEX_LEN];
	char by_sha[SHA256_HEX_LEN];	/* "" without a digest */
};

void state__names(const struct maker *m, const struct make_input *in, const struct stat *st,
		  const char *sha256, struct state_names *n);
/*
 * Whether stamp @name says the input was made and its archive is intact:
 * then @res is filled (status MAKE_UNCHANGED) and true is returned.
 */
bool state__lookup(const struct maker *m, const char *name, struct make_result *res);
/* Record @res (a kernel made or unchanged) under the names in @n. Errors are only logged. */
void state__record(const struct maker *m, const struct state_names *n,
		   const struct make_result *res);

#endif
