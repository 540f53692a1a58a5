// SPDX-License-Identifier: BSD-2-Clause
#include <archive.h>
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deb822.h"
#include "packages.h"
#include "release.h"

struct pkgs_ctx {
	const struct packages_opts *o;
	packages_fn fn;
	void *ctx;
};

static bool matches(const char *const *globs, const char *name)
{
	for (; globs && *globs; globs++)
		if (!fnmatch(*globs, name, 0))
			return true;
	return false;
}

/* Printable ASCII without blanks, within @max bytes. */
static bool token(const char *s, size_t len, size_t max)
{
	size_t i;

	if (!len || len > max)
		return false;
	for (i = 0; i < len; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return false;
	return true;
}

/*
 * A pool path that stays inside the repository and needs no escaping in a
 * URL: relative, no "." or ".." segment, no empty segment, only the
 * characters Debian's and Ubuntu's pools use.
 */
static const char *filename_bad(const char *f, size_t len)
{
	const char *seg = f, *end = f + len;
	size_t i;

	if (!len || len > RELEASE_PATH_MAX)
		return "Filename empty or too long";
	for (i = 0; i < len; i++) {
		char c = f[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr("._+~-/", c)))
			return "Filename has a character no pool path has";
	}
	while (seg <= end) {
		const char *slash = memchr(seg, '/', end - seg);
		size_t n = (slash ? slash : end) - seg;

		if (!n || (n == 1 && seg[0] == '.') || (n == 2 && !memcmp(seg, "..", 2)))
			return "Filename leaves the repository (empty, '.' or '..' segment)";
		if (!slash)
			break;
		seg = slash + 1;
	}
	return NULL;
}

static int pkg_para(const struct deb822_para *para, void *ctx)
{
	struct pkgs_ctx *c = ctx;
	struct apt_pkg p = { .line = para->line };
	const char *name, *v;
	size_t len;
	int i;

	if (deb822_para__get(para, "Package", &name, &len) || !token(name, len, PACKAGES_NAME_MAX) ||
	    !matches(c->o->globs, name))
		return 0;
	p.name = name;
	if (deb822_para__get(para, "Version", &p.version, &len) ||
	    !token(p.version, len, PACKAGES_VERSION_MAX)) {
		p.bad = "no valid Version";
		p.version = "";
	}
	if (deb822_para__get(para, "Architecture", &p.arch, &len) || !token(p.arch, len, 32)) {
		p.bad = p.bad ?: "no valid Architecture";
		p.arch = "";
	}
	if (deb822_para__get(para, "Filename", &p.filename, &len))
		p.bad = p.bad ?: "no Filename";
	else
		p.bad = p.bad ?: filename_bad(p.filename, len);
	if (deb822_para__get(para, "Size", &v, &len) || !len || len > 15 ||
	    strspn(v, "0123456789") != len)
		p.bad = p.bad ?: "no valid Size";
	else if ((p.size = strtoull(v, NULL, 10)) > PACKAGES_SIZE_MAX)
		p.bad = p.bad ?: "Size over 8 GiB";
	if (deb822_para__get(para, "SHA256", &v, &len) || len != SHA256_HEX_LEN - 1 ||
	    strspn(v, "0123456789abcdefABCDEF") != len) {
		p.bad = p.bad ?: "no valid SHA256";
	} else {
		for (i = 0; i < SHA256_HEX_LEN - 1; i++)
			p.sha256[i] = v[i] >= 'A' && v[i] <= 'F' ? v[i] - 'A' + 'a' : v[i];
	}
	if (!p.filename)
		p.filename = "";
	return c->fn(&p, c->ctx);
}

int packages__read(int fd, const struct packages_opts *o, packages_fn fn, void *ctx,
		   char *why, size_t why_sz)
{
	uint64_t max = o->max_bytes ?: PACKAGES_DEFAULT_MAX, total = 0;
	struct pkgs_ctx c = { o, fn, ctx };
	struct archive_entry *entry;
	struct deb822 *d = NULL;
	struct archive *a;
	char buf[65536];
	int err = 0;

	why[0] = '\0';
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	a = archive_read_new();
	d = deb822__new(pkg_para, &c);
	if (!a || !d) {
		err = -ENOMEM;
		goto out;
	}
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	if (archive_read_open_fd(a, fd, sizeof(buf)) != ARCHIVE_OK ||
	    archive_read_next_header(a, &entry) != ARCHIVE_OK) {
		snprintf(why, why_sz, "cannot decompress: %s", archive_error_string(a) ?: "?");
		err = -EBADMSG;
		goto out;
	}
	for (;;) {
		la_ssize_t n = archive_read_data(a, buf, sizeof(buf));

		if (n < 0) {
			snprintf(why, why_sz, "cannot decompress: %s",
				 archive_error_string(a) ?: "?");
			err = -EBADMSG;
			goto out;
		}
		if (!n)
			break;
		if (o->cancel && *o->cancel) {
			err = -EINTR;
			goto out;
		}
		total += n;
		if (total > max) {
			snprintf(why, why_sz, "decompressed over %" PRIu64 " bytes", max);
			err = -EFBIG;
			goto out;
		}
		err = deb822__feed(d, buf, n);
		if (err)
			break;
	}
	err = err ?: deb822__finish(d);
	if ((err == -EBADMSG || err == -EFBIG) && deb822__error(d)[0])
		snprintf(why, why_sz, "%s", deb822__error(d));
out:
	deb822__free(d);
	if (a)
		archive_read_free(a);
	return err;
}
