/* SPDX-License-Identifier: BSD-2-Clause */
/* Finding bpftool and checking that it can do the job. */
#ifndef BTFGEN_BPFTOOL_H
#define BTFGEN_BPFTOOL_H

struct bpftool {
	char *path;		/* absolute or as given with --bpftool */
	char *version;		/* full `bpftool --version` text: part of the cache key */
	char *version_line;	/* its first line, e.g. "bpftool v7.1.0" */
};

/*
 * Resolve @path (NULL: search $PATH, then the sbin directories where
 * distributions install bpftool), read its version and check that
 * `bpftool gen help` offers min_core_btf. Prints one error line and returns
 * a negative errno on failure. Release with bpftool__free().
 */
int bpftool__probe(const char *path, struct bpftool *bt);
void bpftool__free(struct bpftool *bt);

#endif
