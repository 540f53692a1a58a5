/* SPDX-License-Identifier: BSD-2-Clause */
/* Write a bundle as linkable C: a source file and its header. */
#ifndef BTFKIT_EMIT_H
#define BTFKIT_EMIT_H

#include <stddef.h>

enum emit_format {
	EMIT_STRING,	/* a string literal: portable, compiles at several MB/s */
	EMIT_INCBIN,	/* .incbin of the standalone bundle file: no C parsing at all */
};

struct emit_opts {
	const char *symbol;		/* default "btfkit_bundle" */
	const char *header_path;	/* included by basename from the source; may be NULL */
	const char *incbin_path;	/* EMIT_INCBIN: path as the assembler should see it */
	enum emit_format format;
	const char *summary;		/* one comment line in the banner */
};

/* Each writes atomically (temp file + rename). 0 or a negative errno. */
int emit__source(const char *path, const void *bundle, size_t len, const struct emit_opts *opts);
int emit__header(const char *path, size_t len, const struct emit_opts *opts);

#endif
