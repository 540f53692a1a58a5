/* SPDX-License-Identifier: BSD-2-Clause */
/* Write a bundle as linkable C: a source file and its header. */
#ifndef BTFKIT_EMIT_H
#define BTFKIT_EMIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "btf_bundle.h"

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
	/* The CO-RE digests the bundle lists, in its order (header macros). */
	const uint8_t (*digests)[BTF_BUNDLE_DIGEST_LEN];
	size_t digest_cnt;
};

/* Longest --name: a C identifier every compiler takes whole. */
#define EMIT_SYMBOL_MAX 63

/*
 * Whatever lands in the generated C is checked first, so nothing given on
 * the command line can inject code or break the build: the symbol is a C
 * identifier (not a keyword), the header's base name and the incbin path are
 * literal inside quotes. Returns NULL, or why @opts cannot be emitted
 * (naming the option).
 */
const char *emit__invalid(const struct emit_opts *opts);

/* Write the C source / header to @f; the caller checks the stream for errors. */
void emit__source(FILE *f, const void *bundle, size_t len, const struct emit_opts *opts);
void emit__header(FILE *f, size_t len, const struct emit_opts *opts);

#endif
