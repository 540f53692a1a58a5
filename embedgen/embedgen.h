/* SPDX-License-Identifier: BSD-2-Clause */
/* embedgen's two jobs, behind its thin main(). */
#ifndef BTFKIT_EMBEDGEN_H
#define BTFKIT_EMBEDGEN_H

#include <stdbool.h>
#include <stddef.h>
#include "bpf_audit.h"
#include "emit.h"

struct embedgen_opts {
	const char *out_c;		/* -o */
	const char *out_h;		/* --header */
	const char *out_bundle;		/* --bundle-file */
	const char **objects;		/* --object, object_cnt of them */
	size_t object_cnt;
	const char **dirs;		/* input trees */
	size_t dir_cnt;
	const char **entries;		/* --entry D/V/A/R=PATH */
	size_t entry_cnt;
	const char **provenance;	/* --provenance KEY=VALUE */
	size_t provenance_cnt;
	unsigned int codec;
	unsigned int block_size;
	unsigned int chunk_size;
	unsigned int dict_size;
	struct emit_opts emit;
	bool json;
	bool all_kernels;		/* keep kernels older than the objects' floor */
	const struct audit_floor *floor;	/* --floor X.Y; NULL: the objects' audit */
	int argc;			/* the command line, for the up-to-date stamp */
	char *const *argv;
};

/* Build the bundle and write every requested output. 0 or a negative errno (reported). */
int embedgen__run(const struct embedgen_opts *opts);
/* Print a bundle file's header and entries. 0 or a negative errno (reported). */
int embedgen__list(const char *path, bool json);

#endif
