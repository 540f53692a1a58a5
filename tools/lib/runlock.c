// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "escape.h"
#include "log.h"
#include "runlock.h"

static char *lock_path(const char *path, bool is_dir)
{
	const char *slash = strrchr(path, '/');
	char *p;
	int n;

	if (is_dir)
		n = asprintf(&p, "%s/.btfkit.lock", path);
	else
		n = asprintf(&p, "%.*s%s.%s.lock", slash ? (int)(slash - path) : 0, path,
			     slash ? "/" : "", slash ? slash + 1 : path);
	return n < 0 ? NULL : p;
}

int runlock__acquire(const char *path, bool is_dir)
{
	char *lp = lock_path(path, is_dir);
	int fd, err;

	if (!lp)
		return -ENOMEM;
	/* O_NOFOLLOW: a symlink planted at the lock's name is refused, not followed. */
	fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0644);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		pr_info("%s: in use by another run, waiting for it", ESC_N(path, 4096));
		while (flock(fd, LOCK_EX)) {
			if (errno != EINTR) {
				err = -errno;
				close(fd);
				fd = err;
				break;
			}
		}
	}
	err = fd;
out:
	free(lp);
	return err;
}

void runlock__release(int fd)
{
	if (fd >= 0)
		close(fd);
}
