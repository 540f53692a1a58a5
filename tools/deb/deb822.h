/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * deb822 control data (Debian's Release and Packages files), parsed as it
 * streams in: only the current paragraph is held, and every line, paragraph
 * and field count is capped before anything is allocated for it, so a
 * hostile index costs at most DEB822_PARA_MAX bytes whatever its size.
 *
 * A paragraph is "Name: value" lines, continuation lines starting with a
 * space or tab, ended by a blank line (or the end of the data). Values keep
 * their continuation lines as they are (leading blank and all, joined with
 * '\n') and are NUL-terminated in place; names are compared as deb822 says,
 * case-insensitively.
 */
#ifndef BTFKIT_DEB_DEB822_H
#define BTFKIT_DEB_DEB822_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Longest line, paragraph and field count accepted. Debian's largest real
 * lines (the Provides of some Rust library packages) are tens of KiB and
 * its largest paragraph (a Release's SHA256 list) a few hundred KiB.
 */
#define DEB822_LINE_MAX (1u << 20)
#define DEB822_PARA_MAX (8u << 20)
#define DEB822_FIELDS_MAX 256
#define DEB822_NAME_MAX 128

struct deb822_field {
	const char *name;
	const char *value;	/* NUL-terminated; continuation lines kept */
	size_t name_len, value_len;
};

struct deb822_para {
	const struct deb822_field *fields;
	size_t n;
	uint64_t line;		/* line number of the paragraph's first field */
};

/*
 * Called once per paragraph; return 0 to go on, a negative errno to stop
 * (returned by deb822__feed()/__finish() as is). @p and its strings live in
 * the parser's buffer, which the next line overwrites: valid only during the
 * call, so a callback copies what it keeps.
 */
typedef int (*deb822_para_fn)(const struct deb822_para *p, void *ctx);

struct deb822;

/* A parser calling @fn for each paragraph. NULL (errno ENOMEM) on failure. */
struct deb822 *deb822__new(deb822_para_fn fn, void *ctx);
void deb822__free(struct deb822 *d);

/*
 * Feed the next @len bytes. Returns 0, the callback's error, or -EFBIG (a
 * line, paragraph or field count over its cap) / -EBADMSG (not deb822: a
 * NUL byte, a line that is neither a field nor a continuation, an empty or
 * malformed name) with deb822__error() saying where and what.
 */
int deb822__feed(struct deb822 *d, const void *data, size_t len);
/* End of data: the last paragraph (if any) is delivered. Same returns. */
int deb822__finish(struct deb822 *d);
/* "line N: why" for the last -EFBIG/-EBADMSG; "" otherwise. */
const char *deb822__error(const struct deb822 *d);

/*
 * The value of field @name. Returns 0 with *value and *len set, -ENOENT when
 * absent, or -EBADMSG when the paragraph has it twice (which of the two a
 * reader would trust is exactly what a forger plays with).
 */
int deb822_para__get(const struct deb822_para *p, const char *name, const char **value,
		     size_t *len);

/*
 * Parse a whole buffer (an already-bounded file): deb822__new(), __feed(), __finish().
 * @why (of @why_sz bytes) gets deb822__error() on -EFBIG/-EBADMSG.
 */
int deb822__parse(const void *data, size_t len, deb822_para_fn fn, void *ctx, char *why,
		  size_t why_sz);

#endif
