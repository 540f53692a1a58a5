// SPDX-License-Identifier: BSD-2-Clause
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "btf_bundle.h"
#include "input.h"

#define SUFFIX_RAW ".btf"
#define SUFFIX_ARCHIVE ".btf.tar.xz"

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

static int list_add(struct input_list *list, const char *path,
		    const char *const comp[3], const char *file)
{
	struct input_kernel *k;
	bool archive = has_suffix(file, SUFFIX_ARCHIVE);
	size_t rlen = strlen(file) - strlen(archive ? SUFFIX_ARCHIVE : SUFFIX_RAW);
	int n;

	if (list->cnt == list->cap) {
		size_t cap = list->cap ? list->cap + list->cap / 4 : 64;
		void *v = reallocarray(list->v, cap, sizeof(*list->v));

		if (!v)
			return -ENOMEM;
		list->v = v;
		list->cap = cap;
	}
	k = &list->v[list->cnt];
	memset(k, 0, sizeof(*k));
	k->archive = archive;
	k->path = strdup(path);
	n = asprintf(&k->rel, "%s/%s/%s/%.*s", comp[0], comp[1],
		     btf_host__arch_name(comp[2]), (int)rlen, file);
	if (!k->path || n < 0) {
		free(k->path);
		return -ENOMEM;
	}
	k->release = strrchr(k->rel, '/') + 1;
	list->cnt++;
	return 0;
}

/*
 * Walk <distro>/<version>/<arch>/ below @dir. Files at other depths are not
 * kernels in the BTFHub layout and are ignored.
 */
static int scan_dir(const char *dir, int depth, const char *comp[3],
		    struct input_list *list)
{
	struct dirent *de;
	DIR *d;
	int err = 0;

	d = opendir(dir);
	if (!d) {
		err = -errno;
		pr_err("%s: %s", dir, strerror(errno));
		return err;
	}
	while (!err && (errno = 0, de = readdir(d))) {
		struct stat st;
		char *path;

		if (de->d_name[0] == '.')
			continue;
		if (asprintf(&path, "%s/%s", dir, de->d_name) < 0) {
			err = -ENOMEM;
			break;
		}
		if (stat(path, &st)) {
			pr_warn("%s: %s; skipped", path, strerror(errno));
		} else if (depth < 3 && S_ISDIR(st.st_mode)) {
			comp[depth] = de->d_name;
			err = scan_dir(path, depth + 1, comp, list);
		} else if (depth == 3 && S_ISREG(st.st_mode) &&
			   (has_suffix(de->d_name, SUFFIX_RAW) ||
			    has_suffix(de->d_name, SUFFIX_ARCHIVE))) {
			err = list_add(list, path, comp, de->d_name);
		} else {
			pr_debug("%s: not <distro>/<version>/<arch>/<release>.btf[.tar.xz]; ignored",
				 path);
		}
		free(path);
	}
	if (!err && errno) {
		err = -errno;
		pr_err("%s: %s", dir, strerror(errno));
	}
	closedir(d);
	return err;
}

/* By kernel; for one kernel, raw before archive, then by input path. */
static int kernel_cmp(const void *a, const void *b)
{
	const struct input_kernel *x = a, *y = b;
	int c = strcmp(x->rel, y->rel);

	if (c)
		return c;
	if (x->archive != y->archive)
		return x->archive ? 1 : -1;
	return strcmp(x->path, y->path);
}

int input__scan(const char *dir, struct input_list *list)
{
	const char *comp[3] = {};
	size_t i, j;
	int err;

	memset(list, 0, sizeof(*list));
	err = scan_dir(dir, 0, comp, list);
	if (err) {
		input__free(list);
		return err;
	}
	if (list->cnt)
		qsort(list->v, list->cnt, sizeof(*list->v), kernel_cmp);
	for (i = 0, j = 0; i < list->cnt; i++) {
		if (j && strcmp(list->v[j - 1].rel, list->v[i].rel) == 0) {
			pr_warn("%s and %s are the same kernel; using the first",
				list->v[j - 1].path, list->v[i].path);
			free(list->v[i].path);
			free(list->v[i].rel);
			continue;
		}
		list->v[j++] = list->v[i];
	}
	list->cnt = j;
	return 0;
}

void input__free(struct input_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->cnt; i++) {
		free(list->v[i].path);
		free(list->v[i].rel);
	}
	free(list->v);
	memset(list, 0, sizeof(*list));
}

/* Member names are "<release>.btf", optionally with a leading "./". */
static bool member_is(const char *name, const char *release)
{
	size_t n = strlen(release);

	if (strncmp(name, "./", 2) == 0)
		name += 2;
	return strncmp(name, release, n) == 0 && strcmp(name + n, SUFFIX_RAW) == 0;
}

int input__extract(const char *archive, const char *release, const char *dst,
		   char *err, size_t err_sz)
{
	struct archive_entry *ent;
	struct archive *a;
	bool found = false, created = false;
	int fd = -1, ret = 0, r;

	a = archive_read_new();
	if (!a) {
		snprintf(err, err_sz, "out of memory");
		return -ENOMEM;
	}
	archive_read_support_filter_xz(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, archive, 64 * 1024) != ARCHIVE_OK) {
		snprintf(err, err_sz, "cannot open archive: %s", archive_error_string(a));
		ret = -(archive_errno(a) > 0 ? archive_errno(a) : EIO);
		goto out;
	}
	while ((r = archive_read_next_header(a, &ent)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(ent) ?: "";
		la_int64_t size = archive_entry_size(ent), got = 0;

		/* A "./" directory entry is harmless; anything else is not ours. */
		if (strcmp(name, "./") == 0 && archive_entry_filetype(ent) == AE_IFDIR)
			continue;
		if (!member_is(name, release)) {
			snprintf(err, err_sz, "unexpected archive member '%.200s' (want %s.btf)",
				 name, release);
			ret = -EINVAL;
			goto out;
		}
		if (found) {
			snprintf(err, err_sz, "archive member '%.200s' appears twice", name);
			ret = -EINVAL;
			goto out;
		}
		if (archive_entry_filetype(ent) != AE_IFREG) {
			snprintf(err, err_sz, "archive member '%.200s' is not a regular file", name);
			ret = -EINVAL;
			goto out;
		}
		if (!archive_entry_size_is_set(ent) || size <= 0 ||
		    (unsigned long long)size > INPUT_BTF_MAX) {
			snprintf(err, err_sz, "archive member '%.200s' has a bad size (%lld)",
				 name, (long long)size);
			ret = -EFBIG;
			goto out;
		}
		found = true;
		fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) {
			ret = -errno;
			snprintf(err, err_sz, "%s: %s", dst, strerror(errno));
			goto out;
		}
		created = true;
		for (;;) {
			char buf[64 * 1024];
			la_ssize_t n = archive_read_data(a, buf, sizeof(buf));

			if (n == 0)
				break;
			if (n < 0) {
				snprintf(err, err_sz, "reading '%.200s': %s", name,
					 archive_error_string(a));
				ret = -EIO;
				goto out;
			}
			got += n;
			if (got > size) {
				snprintf(err, err_sz, "member '%.200s' is longer than its header says",
					 name);
				ret = -EINVAL;
				goto out;
			}
			ret = write_all(fd, buf, n);
			if (ret) {
				snprintf(err, err_sz, "%s: %s", dst, strerror(-ret));
				goto out;
			}
		}
		if (got != size) {
			snprintf(err, err_sz, "member '%.200s' is truncated (%lld of %lld bytes)",
				 name, (long long)got, (long long)size);
			ret = -EINVAL;
			goto out;
		}
		if (close(fd)) {
			fd = -1;
			ret = -errno;
			snprintf(err, err_sz, "%s: %s", dst, strerror(errno));
			goto out;
		}
		fd = -1;
	}
	if (r != ARCHIVE_EOF) {
		snprintf(err, err_sz, "corrupt archive: %s", archive_error_string(a));
		ret = -EINVAL;
		goto out;
	}
	if (!found) {
		snprintf(err, err_sz, "archive has no member %s.btf", release);
		ret = -ENOENT;
	}
out:
	if (fd >= 0)
		close(fd);
	if (ret && created)
		unlink(dst);
	archive_read_free(a);
	return ret;
}
