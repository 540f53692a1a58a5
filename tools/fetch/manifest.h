/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The kernel manifest, which is also the build's lockfile:
 *
 *   { "kernels": [ { "distro": "debian", "version": "12", "arch": "x86_64",
 *                    "release": "6.1.0-18-amd64", "sha256": "<64 hex>" }, ... ] }
 *
 * "sha256" (of the .btf.tar.xz) is optional; when present a mismatch is a
 * hard error for that kernel. A bare top-level array is accepted on input.
 * Output is always the object form, entries sorted by distro, version, arch,
 * release, keys in that order, two-space indent and a final newline, written
 * atomically: the same set of kernels always gives the same bytes.
 */
#ifndef BTFHUB_FETCH_MANIFEST_H
#define BTFHUB_FETCH_MANIFEST_H

#include <stdbool.h>
#include <jansson.h>

#include "kernel.h"

struct manifest {
	char *path;
	json_t *kernels;	/* array of entry objects (owned) */
	bool dirty;
};

/*
 * Load @path. With @may_create, a missing file gives an empty manifest.
 * Errors are reported (one line naming the file) and returned as a negative
 * errno.
 */
int manifest__load(struct manifest *m, const char *path, bool may_create);
void manifest__free(struct manifest *m);
/* Append every entry to @l, setting manifest_idx and want_sha256. */
int manifest__kernels(const struct manifest *m, struct kernel_list *l);
/*
 * Add "DISTRO/VERSION/ARCH/RELEASE" (version and arch stored in canonical
 * form). An entry already present is left as is. Returns 0, or -EINVAL /
 * -ENOMEM after printing why.
 */
int manifest__add(struct manifest *m, const char *spec);
/*
 * Add kernel @k (as manifest__add()) unless present. Returns the entry's
 * index or a negative errno.
 */
int manifest__add_kernel(struct manifest *m, const struct kernel *k);
/* Record @hex as entry @idx's sha256. */
int manifest__set_sha256(struct manifest *m, int idx, const char *hex);
/* Rewrite the file (sorted, atomic) if anything changed. */
int manifest__save(struct manifest *m);
/*
 * Write @root the way the manifest is written (two-space indent, keys in
 * order, final newline, atomic): for every JSON file btfhub-fetch writes.
 * Returns 0 or a negative errno.
 */
int manifest__write_json(const char *path, const json_t *root);

#endif
