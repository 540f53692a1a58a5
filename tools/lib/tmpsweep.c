// SPDX-License-Identifier: BSD-2-Clause
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "log.h"
#include "tmpsweep.h"

bool tmpfile__is_ours(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix), i;

	/* "." + at least one byte + suffix + "." + 6 */
	if (name[0] != '.' || n < 1 + 1 + s + 7 || name[n - 7] != '.' ||
	    strncmp(name + n - 7 - s, suffix, s))
		return false;
	for (i = n - 6; i < n; i++)
		if (!isalnum((unsigned char)name[i]))
			return false;
	return true;
}

static bool older(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

int tmpfile__remove_stale(int dfd, const char *name, const struct timespec *before)
{
	struct stat st;
	int fd, ret = 0;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ELOOP || errno == ENOENT ? 0 : -errno;
	/* Its writer holds an exclusive lock for as long as it lives. */
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && (!before || older(&st.st_mtim, before)) &&
	    !flock(fd, LOCK_EX | LOCK_NB))
		ret = unlinkat(dfd, name, 0) ? (errno == ENOENT ? 0 : -errno) : 1;
	close(fd);
	return ret;
}

static int sweep_dir(int dfd, int levels, const char *suffix, size_t *removed, char *path,
		     size_t len)
{
	DIR *d;
	struct dirent *e;
	int err = 0, r;

	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -errno;
	}
	while (!err && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (len + strlen(e->d_name) + 2 > PATH_MAX)
			continue;
		sprintf(path + len, "/%s", e->d_name);
		if (tmpfile__is_ours(e->d_name, suffix)) {
			r = tmpfile__remove_stale(dirfd(d), e->d_name, NULL);
			if (r > 0) {
				(*removed)++;
				pr_info("%s: removed (stale temporary file)", ESC_N(path, PATH_MAX));
			} else if (r < 0) {
				pr_warn("%s: cannot remove: %s", ESC_N(path, PATH_MAX), strerror(-r));
			}
		} else if (levels > 0 && e->d_name[0] != '.') {
			int sub = openat(dirfd(d), e->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub >= 0)
				err = sweep_dir(sub, levels - 1, suffix, removed, path,
						strlen(path));
		}
		path[len] = '\0';
	}
	closedir(d);
	return err;
}

int tmpfile__sweep(const char *root, int levels, const char *suffix, size_t *removed)
{
	char path[PATH_MAX];
	int fd;

	/* Logged by their real path, as --prune names what it removes. */
	if (!realpath(root, path))
		return errno == ENOENT ? 0 : -errno;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	return sweep_dir(fd, levels, suffix, removed, path, strlen(path));
}
