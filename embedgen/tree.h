/* SPDX-License-Identifier: BSD-2-Clause */
/* Walk a tree of BTFs laid out as <distro>/<version>/<arch>/<release>.btf. */
#ifndef BTFKIT_TREE_H
#define BTFKIT_TREE_H

struct tree_key {
	const char *distro, *version, *arch, *release;
};

/*
 * Call @fn for every <release>.btf at depth 4 under @dir, in sorted order.
 * Dot-files (caches, temp files) are skipped. Any other file, or a file at
 * the wrong depth, is an error naming it. The arch directory is given as
 * found (the caller normalises aarch64). Returns 0, the first negative
 * errno of @fn, or a negative errno of its own.
 */
int tree__scan(const char *dir, int (*fn)(const char *path, const struct tree_key *key, void *ctx),
	       void *ctx);

#endif
