// SPDX-License-Identifier: BSD-2-Clause
/*
 * A local tree's listing names each archive as layout__archive_path()
 * does (BTFHub naming has one place), also for names no distro uses but a
 * tree may hold: spaces, quotes, '%', '#', '?', '\\', UTF-8, and arm64
 * filed under uname's "aarch64" (kept as found: the listing names files).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "layout.h"
#include "lister.h"
#include "tap.h"

static const struct layout_key keys[] = {
	{ "ubuntu", "20.04", "x86_64", "5.4.0-1001-aws" },
	{ "odd distro", "1 %2F#frag", "aarch64", "5.4.0-\xc3\xbc \"q\" 'a' \\b&c?x=1+~:" },
	{ "debian", "bullseye", "arm64", "5.10.0-9-arm64 (copy)" },
};

static int make_archive(const char *root, const struct layout_key *k)
{
	char path[PATH_MAX], *p;
	int fd;

	if (layout__archive_path(root, k, path, sizeof(path)))
		return -ENAMETOOLONG;
	/* Each directory above the file, in turn. */
	for (p = strchr(path + strlen(root) + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "xz", 2) != 2)
		return -errno;
	return close(fd) ? -errno : 0;
}

static const struct listing_entry *find(const struct listing *l, const char *path)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].path, path))
			return &l->v[i];
	return NULL;
}

int main(void)
{
	char root[] = "/tmp/btfkit-lister-XXXXXX", want[PATH_MAX], cmd[PATH_MAX + 16];
	const size_t nkeys = sizeof(keys) / sizeof(keys[0]);
	struct listing_opts lo = { 0 };
	struct listing l = { 0 };
	struct source src = { 0 };
	size_t i;
	int err = 0;

	if (!ok(mkdtemp(root) != NULL, "temporary tree"))
		return tap_done();
	for (i = 0; i < nkeys && !err; i++)
		err = make_archive(root, &keys[i]);
	if (!ok(!err, "a tree with odd names (%s)", strerror(-err)))
		goto out;
	err = source__parse(&src, root);
	err = err ?: lister__load(&l, &src, &lo);
	if (!ok(!err && l.n == nkeys, "the directory source lists %zu archives (%zu, %s)", nkeys,
		l.n, strerror(-err)))
		goto out;
	for (i = 0; i < nkeys; i++) {
		const struct listing_entry *e;

		layout__archive_path(NULL, &keys[i], want, sizeof(want));
		e = find(&l, want);
		ok(e && !strcmp(e->seg[0], keys[i].distro) && !strcmp(e->seg[1], keys[i].version) &&
		   !strcmp(e->seg[2], keys[i].arch) && !strcmp(e->seg[3], keys[i].release),
		   "listed as layout__archive_path() names it: %s", want);
	}
out:
	listing__free(&l);
	source__free(&src);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd))
		diag("cannot remove %s", root);
	return tap_done();
}
