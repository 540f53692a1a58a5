// SPDX-License-Identifier: BSD-2-Clause
/*
 * Which member of a package is its kernel, and the one path rule for
 * package members (deb data.tar, RPM cpio): relative, no ".." part.
 */
#include <string.h>
#include <unistd.h>
#include <archive.h>
#include <archive_entry.h>

#include "escape.h"
#include "readers.h"

const char *member__path(const char *p)
{
	const char *s;

	if (!p || *p == '/')
		return NULL;
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	for (s = p; (s = strstr(s, "..")); s += 2)
		if ((s == p || s[-1] == '/') && (s[2] == '/' || !s[2]))
			return NULL;
	return p;
}

struct pattern {
	const char *prefix, *suffix;	/* release between them */
	bool dbg;
};

/* Debian/Ubuntu, then RPM distributions (kernel-core, kernel-debuginfo). */
static const struct pattern patterns[] = {
	{ "boot/vmlinuz-", "", false },
	{ "boot/vmlinux-", "", false },
	{ "lib/modules/", "/vmlinuz", false },
	{ "usr/lib/modules/", "/vmlinuz", false },
	{ "usr/lib/debug/boot/vmlinux-", "", true },
	{ "usr/lib/debug/vmlinux-", "", true },
	{ "usr/lib/debug/lib/modules/", "/vmlinux", true },
	{ "usr/lib/debug/usr/lib/modules/", "/vmlinux", true },
};

int member__kernel(const char *p, char *release, size_t size, bool *dbg)
{
	size_t i, n = strlen(p);

	for (i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		const struct pattern *t = &patterns[i];
		size_t pl = strlen(t->prefix), sl = strlen(t->suffix), rl;

		if (n <= pl + sl || strncmp(p, t->prefix, pl) || strcmp(p + n - sl, t->suffix))
			continue;
		rl = n - pl - sl;
		/* the release is one path segment */
		if (rl >= size || memchr(p + pl, '/', rl))
			continue;
		memcpy(release, p + pl, rl);
		release[rl] = '\0';
		*dbg = t->dbg;
		return 0;
	}
	return -ENOENT;
}

int member__read_kernel(struct make_job *job, struct archive *a, const char *what,
			const char *none)
{
	struct archive_entry *e;
	int err, r, out;

	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e), *p = member__path(name);
		char rel[LAYOUT_RELEASE_MAX + 1];
		uint64_t n;
		bool dbg;

		if (!p)
			return job__fail(job, -EBADMSG, "%s member '%s': absolute or '..' path",
					 what, ESC(name ?: ""));
		if (member__kernel(p, rel, sizeof(rel), &dbg))
			continue;
		if (archive_entry_filetype(e) != AE_IFREG || archive_entry_hardlink(e))
			return job__fail(job, -EBADMSG, "%s member '%s' is not a regular file",
					 what, ESC(p));
		job__set_part(job, LAYOUT_RELEASE, rel, strlen(rel));
		job__how(job, dbg ? "vmlinux-dbg" : "vmlinuz");
		err = decomp__entry(job, a, p, job->m->max_payload, &out, &n);
		if (err)
			return err;
		err = infile__btf(job, out, n);
		close(out);
		return err;
	}
	if (r == ARCHIVE_EOF)
		return job__fail(job, -ENOMSG, "%s", none);
	if (archive_error_string(a))
		return job__fail(job, -ENOMSG, "%s", archive_error_string(a));
	return job__fail(job, -ENOMSG, "%s: corrupt", what);
}
