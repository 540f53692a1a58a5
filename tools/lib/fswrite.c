// SPDX-License-Identifier: BSD-2-Clause
/*
 * The writing half of fsutil.h: output directories and atomic
 * write-and-rename. The build tools link it; the installed reader does not.
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

int output_dir__check(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return errno == ENOENT ? 0 : -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

void output_dir__strip_slashes(char *path)
{
	size_t n = strlen(path);

	while (n > 1 && path[n - 1] == '/')
		path[--n] = '\0';
}

bool output_dir__same(const char *a, const char *b)
{
	char *ra = realpath(a, NULL), *rb = realpath(b, NULL);
	bool same = ra && rb && strcmp(ra, rb) == 0;

	free(ra);
	free(rb);
	return same;
}

int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);
	char *p;

	if (len == 0 || len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (p = buf + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = c;
		if (!c)
			break;
	}
	return 0;
}

/* "-", a character device or a FIFO: written in place, never renamed over. */
static int open_direct(struct atomic_file *af, const char *path)
{
	af->fd = strcmp(path, "-") ? open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY)
				   : fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (af->fd < 0)
		return -errno;
	af->direct = true;
	af->path = strdup(path);
	if (!af->path) {
		atomic_file__abort(af);
		return -ENOMEM;
	}
	return 0;
}

const char *atomic_file__strerror(int err)
{
	switch (err) {
	case -ELOOP: return "a symbolic link, not replaced";
	case -EISDIR: return "a directory, not replaced";
	case -EPERM: return "not a regular file, not replaced";
	default: return strerror(-err);
	}
}

static int atomic_open(struct atomic_file *af, const char *path, bool mkdirs)
{
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path) : 0;
	const char *base = slash ? slash + 1 : path;
	struct stat st;
	int err;

	memset(af, 0, sizeof(*af));
	af->fd = -1;
	if (!strcmp(path, "-"))
		return open_direct(af, path);
	if (!lstat(path, &st) && !S_ISREG(st.st_mode)) {
		if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))
			return open_direct(af, path);
		return S_ISLNK(st.st_mode) ? -ELOOP : S_ISDIR(st.st_mode) ? -EISDIR : -EPERM;
	}
	if (!*base)
		return -EISDIR;
	if (dirlen > 0 && mkdirs) {
		char *dir = strndup(path, dirlen);

		if (!dir)
			return -ENOMEM;
		err = mkdir_p(dir);
		free(dir);
		if (err)
			return err;
	}
	af->path = strdup(path);
	if (!af->path ||
	    asprintf(&af->tmp_path, "%.*s%s.%s.XXXXXX", dirlen, path,
		     slash ? "/" : "", base) < 0) {
		af->tmp_path = NULL;
		atomic_file__abort(af);
		return -ENOMEM;
	}
	af->fd = mkostemp(af->tmp_path, O_CLOEXEC);
	if (af->fd < 0) {
		err = -errno;
		free(af->tmp_path);
		af->tmp_path = NULL;
		atomic_file__abort(af);
		return err;
	}
	/* Held until the fd closes: tells a --prune that this temp file is live. */
	flock(af->fd, LOCK_EX | LOCK_NB);
	return 0;
}

int atomic_file__open(struct atomic_file *af, const char *path)
{
	return atomic_open(af, path, true);
}

int atomic_file__open_in(struct atomic_file *af, const char *path)
{
	return atomic_open(af, path, false);
}

FILE *atomic_file__stdio(struct atomic_file *af)
{
	if (!af->fp)
		af->fp = fdopen(af->fd, "w");
	return af->fp;
}

int atomic_file__commit(struct atomic_file *af)
{
	int err = 0;

	if (af->fp) {
		if (fflush(af->fp) || ferror(af->fp))
			err = -(errno ?: EIO);
	}
	if (af->direct) {
		if ((af->fp ? fclose(af->fp) : close(af->fd)) && !err)
			err = -errno;
		af->fp = NULL;
		af->fd = -1;
		atomic_file__abort(af);
		return err;
	}
	if (!err && fchmod(af->fd, 0644))
		err = -errno;
	if (!err && !af->no_fsync && fsync(af->fd))
		err = -errno;
	/* close before rename: whoever opens the final path sees every byte */
	if (!err && (af->fp ? fclose(af->fp) : close(af->fd)))
		err = -errno;
	af->fp = NULL;
	af->fd = -1;
	if (!err && rename(af->tmp_path, af->path))
		err = -errno;
	if (!err) {
		free(af->tmp_path);
		af->tmp_path = NULL;
	}
	atomic_file__abort(af);
	return err;
}

void atomic_file__abort(struct atomic_file *af)
{
	if (af->fp)
		fclose(af->fp);
	else if (af->fd >= 0)
		close(af->fd);
	af->fp = NULL;
	af->fd = -1;
	if (af->tmp_path)
		unlink(af->tmp_path);
	free(af->tmp_path);
	free(af->path);
	af->tmp_path = NULL;
	af->path = NULL;
}

static int write_atomic(const char *path, const void *data, size_t len, bool sync)
{
	struct atomic_file af;
	int err;

	err = atomic_file__open(&af, path);
	if (err)
		return err;
	af.no_fsync = !sync;
	err = write_all(af.fd, data, len);
	if (err) {
		atomic_file__abort(&af);
		return err;
	}
	return atomic_file__commit(&af);
}

int write_file_atomic(const char *path, const void *data, size_t len)
{
	return write_atomic(path, data, len, true);
}

int write_file_atomic_nosync(const char *path, const void *data, size_t len)
{
	return write_atomic(path, data, len, false);
}

