// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "deb822.h"

struct deb822 {
	deb822_para_fn fn;
	void *ctx;
	char *buf;		/* the paragraph so far, its current line last */
	size_t len, cap;
	size_t line_start;	/* offset of the current (incomplete) line */
	size_t nfields;		/* fields in the paragraph so far */
	uint64_t line;		/* number of the current line, from 1 */
	uint64_t para_line;	/* line of the paragraph's first field */
	struct deb822_field fields[DEB822_FIELDS_MAX];
	char why[160];
};

struct deb822 *deb822__new(deb822_para_fn fn, void *ctx)
{
	struct deb822 *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->fn = fn;
	d->ctx = ctx;
	d->line = 1;
	return d;
}

void deb822__free(struct deb822 *d)
{
	if (!d)
		return;
	free(d->buf);
	free(d);
}

const char *deb822__error(const struct deb822 *d)
{
	return d->why;
}

static int bad(struct deb822 *d, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(struct deb822 *d, int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(d->why, sizeof(d->why), "line %" PRIu64 ": ", d->line);
	va_start(ap, fmt);
	vsnprintf(d->why + n, sizeof(d->why) - n, fmt, ap);
	va_end(ap);
	return err;
}

static bool blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	return true;
}

/* Printable ASCII but ':', not starting with '#' or '-' (Debian Policy 5.1). */
static size_t name_len(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && s[i] != ':'; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return 0;
	if (i == len || !i || s[0] == '-' || s[0] == '#')
		return 0;
	return i;
}

/* Split the buffered paragraph (whole lines, each ending in '\n') into fields. */
static int emit(struct deb822 *d)
{
	struct deb822_para p = { d->fields, 0, d->para_line };
	char *s = d->buf, *end = d->buf + d->len;
	int err;

	while (s < end) {
		struct deb822_field *f = &d->fields[p.n++];
		char *nl, *v;

		f->name = s;
		f->name_len = name_len(s, end - s);	/* checked as the line came in */
		s[f->name_len] = '\0';
		v = s + f->name_len + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		/* The value runs to the end of its last continuation line. */
		for (nl = memchr(v, '\n', end - v); nl + 1 < end && (nl[1] == ' ' || nl[1] == '\t');
		     nl = memchr(nl + 1, '\n', end - nl - 1))
			;
		s = nl + 1;
		while (nl > v && (nl[-1] == ' ' || nl[-1] == '\t' || nl[-1] == '\r'))
			nl--;
		*nl = '\0';
		f->value = v;
		f->value_len = nl - v;
	}
	d->len = d->line_start = d->nfields = 0;
	err = p.n ? d->fn(&p, d->ctx) : 0;
	return err;
}

/* The line at line_start .. len (ending in '\n' unless at the end of data) is complete. */
static int line_done(struct deb822 *d)
{
	char *l = d->buf + d->line_start;
	size_t n = d->len - d->line_start;
	int err = 0;

	if (memchr(l, '\0', n))
		return bad(d, -EBADMSG, "NUL byte");
	if (blank(l, n)) {
		d->len = d->line_start;		/* separators are not kept */
		err = d->nfields ? emit(d) : 0;
	} else if (l[0] == '#') {
		d->len = d->line_start;		/* a comment */
	} else if (l[0] == ' ' || l[0] == '\t') {
		if (!d->nfields)
			return bad(d, -EBADMSG, "continuation line outside a field");
	} else {
		size_t nl = name_len(l, n);

		if (!nl)
			return bad(d, -EBADMSG, "neither a field nor a continuation line");
		if (nl > DEB822_NAME_MAX)
			return bad(d, -EFBIG, "field name over %d bytes", DEB822_NAME_MAX);
		if (d->nfields == DEB822_FIELDS_MAX)
			return bad(d, -EFBIG, "more than %d fields in a paragraph", DEB822_FIELDS_MAX);
		if (!d->nfields++)
			d->para_line = d->line;
	}
	d->line++;
	d->line_start = d->len;
	return err;
}

static int append(struct deb822 *d, const char *s, size_t n)
{
	if (d->len + n > d->cap) {
		size_t cap = d->cap ? d->cap + d->cap / 2 : 4096;
		char *b;

		while (cap < d->len + n)
			cap += cap / 2;
		/* One byte more than the cap: emit() may NUL-terminate after the last line. */
		if (cap > DEB822_PARA_MAX + 1)
			cap = DEB822_PARA_MAX + 1;
		b = realloc(d->buf, cap);
		if (!b)
			return -ENOMEM;
		d->buf = b;
		d->cap = cap;
	}
	memcpy(d->buf + d->len, s, n);
	d->len += n;
	return 0;
}

int deb822__feed(struct deb822 *d, const void *data, size_t len)
{
	const char *s = data, *end = s + len;
	int err;

	while (s < end) {
		const char *nl = memchr(s, '\n', end - s);
		size_t n = nl ? (size_t)(nl - s + 1) : (size_t)(end - s);

		/* Checked before a byte of it is stored. */
		if (d->len - d->line_start + n > DEB822_LINE_MAX + 1)
			return bad(d, -EFBIG, "line over %u bytes", DEB822_LINE_MAX);
		if (d->len + n > DEB822_PARA_MAX)
			return bad(d, -EFBIG, "paragraph over %u bytes", DEB822_PARA_MAX);
		err = append(d, s, n);
		if (err)
			return err;
		s += n;
		if (nl && (err = line_done(d)))
			return err;
	}
	return 0;
}

int deb822__finish(struct deb822 *d)
{
	int err = 0;

	if (d->len > d->line_start) {
		err = append(d, "\n", 1) ?: line_done(d);
		if (err)
			return err;
	}
	return d->nfields ? emit(d) : 0;
}

int deb822_para__get(const struct deb822_para *p, const char *name, const char **value,
		     size_t *len)
{
	size_t i, nlen = strlen(name);
	int found = 0;

	for (i = 0; i < p->n; i++) {
		const struct deb822_field *f = &p->fields[i];

		if (f->name_len != nlen || strncasecmp(f->name, name, nlen))
			continue;
		if (found++)
			return -EBADMSG;
		*value = f->value;
		if (len)
			*len = f->value_len;
	}
	return found ? 0 : -ENOENT;
}

int deb822__parse(const void *data, size_t len, deb822_para_fn fn, void *ctx, char *why,
		  size_t why_sz)
{
	struct deb822 *d = deb822__new(fn, ctx);
	int err;

	if (!d)
		return -ENOMEM;
	err = deb822__feed(d, data, len) ?: deb822__finish(d);
	if (why && why_sz)
		snprintf(why, why_sz, "%s", d->why);
	deb822__free(d);
	return err;
}
