/* SPDX-License-Identifier: BSD-2-Clause */
/* Finding bpftool and checking that it can do the job. */
#ifndef BTFGEN_BPFTOOL_H
#define BTFGEN_BPFTOOL_H

#include "sha256.h"

struct bpftool {
	char *path;		/* absolute or as given with --bpftool */
	char *version;		/* full `bpftool --version` text */
	char digest[SHA256_HEX_LEN];	/* SHA-256 (hex) of the executable: part of the cache key */
	char *version_line;	/* its first line, e.g. "bpftool v7.1.0" */
	char **envp;		/* the environment to run it with (see bpftool.c) */
	size_t env_own;		/* the one entry of envp allocated here */
};

/*
 * Resolve @path (NULL: search $PATH, then the sbin directories where
 * distributions install bpftool), read its version, check that
 * `bpftool gen help` offers min_core_btf and build the environment to run
 * it with, and hash the executable (the cache key names bpftool by its
 * bytes). With @outdir (btfgen's OUTDIR), the result is kept in its cache
 * and reused while the executable is the same file or has the same bytes
 * (outcache.h). Prints one
 * error line and returns a negative errno on failure. Release with
 * bpftool__free().
 */
int bpftool__probe(const char *path, const char *outdir, struct bpftool *bt);
void bpftool__free(struct bpftool *bt);

#endif
