// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "log.h"
#include "runlock.h"

int runlock__dir(const char *dir, int held)
{
	struct stat a, b;
	int fd, err;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == EPERM ? -EACCES : -errno;	/* -1 means "already held" */
	if (held >= 0 && !fstat(fd, &a) && !fstat(held, &b) && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino) {
		close(fd);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		pr_info("%s: in use by another run, waiting for it", ESC_N(dir, 4096));
		while (flock(fd, LOCK_EX)) {
			if (errno != EINTR) {
				err = -errno;
				close(fd);
				return err;
			}
		}
	}
	return fd;
}

int runlock__file(const char *path, int held)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd;

	if (!slash)
		return runlock__dir(".", held);
	dir = slash == path ? strdup("/") : strndup(path, slash - path);
	if (!dir)
		return -ENOMEM;
	fd = runlock__dir(dir, held);
	free(dir);
	return fd;
}

void runlock__release(int fd)
{
	if (fd >= 0)
		close(fd);
}
