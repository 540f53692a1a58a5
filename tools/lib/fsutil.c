// SPDX-License-Identifier: BSD-2-Clause
/*
 * The reading half of fsutil.h (and write_all(), a plain loop): what
 * libbtfbundle links. The atomic writer is fswrite.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"

int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= n;
	}
	return 0;
}

int open_regular(const char *path, struct stat *st)
{
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, st)) {
		err = -errno;
		goto fail;
	}
	if (!S_ISREG(st->st_mode)) {
		err = S_ISDIR(st->st_mode) ? -EISDIR : -ESPIPE;
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return err;
}

int read_full_at(int fd, void *buf, size_t len, uint64_t off)
{
	char *p = buf;

	while (len) {
		ssize_t r = pread(fd, p, len, off);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return -ENODATA;
		p += r;
		off += r;
		len -= r;
	}
	return 0;
}

int read_file(const char *path, void **data, size_t *len, size_t max_len)
{
	struct stat st;
	size_t cap, n = 0;
	char *buf = NULL, *tmp;
	int fd, err = 0;

	*data = NULL;
	*len = 0;
	fd = open_regular(path, &st);
	if (fd < 0)
		return fd;
	if ((uint64_t)st.st_size > max_len) {
		err = -EFBIG;
		goto out;
	}
	/* st_size is only a hint: /proc and /sys files report 0 or 4096. */
	cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 65536;
	for (;;) {
		ssize_t r;

		if (n + 1 >= cap || !buf) {
			if (buf)
				cap *= 2;
			if (cap > max_len + 1)
				cap = max_len + 2;
			tmp = realloc(buf, cap);
			if (!tmp) {
				err = -ENOMEM;
				goto out;
			}
			buf = tmp;
		}
		r = read(fd, buf + n, cap - 1 - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto out;
		}
		if (r == 0)
			break;
		n += r;
		if (n > max_len) {
			err = -EFBIG;
			goto out;
		}
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return err;
}
