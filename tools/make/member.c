// SPDX-License-Identifier: BSD-2-Clause
/*
 * Which member of a package is its kernel, and the one path rule for
 * package members (deb data.tar, RPM cpio): relative, no ".." part.
 */
#include <string.h>

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
