// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "extract.h"
#include "input.h"
#include "layout.h"
#include "mem.h"

static int list_add(const char *path, const struct layout_key *key, enum layout_file kind,
		    uint64_t size, void *ctx)
{
	struct input_list *list = ctx;
	struct input_kernel *k;

	if (mem__ensure((void **)&list->v, &list->cap, sizeof(*list->v), list->cnt + 1))
		return -ENOMEM;
	k = &list->v[list->cnt];
	memset(k, 0, sizeof(*k));
	k->archive = kind == LAYOUT_FILE_ARCHIVE;
	k->path = strdup(path);
	if (!k->path || asprintf(&k->rel, "%s/%s/%s/%s", key->distro, key->version,
				 layout__arch_name(key->arch), key->release) < 0) {
		free(k->path);
		return -ENOMEM;
	}
	k->release = strrchr(k->rel, '/') + 1;
	list->cnt++;
	return 0;
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
	const struct layout_walk_opts opts = {
		.files = LAYOUT_FILE_RAW | LAYOUT_FILE_ARCHIVE,
	};
	int err;

	memset(list, 0, sizeof(*list));
	err = layout__walk(dir, &opts, list_add, list);
	if (err) {
		input__free(list);
		return err;
	}
	input__sort(list);
	return 0;
}

int input__add(struct input_list *list, const char *path, const char *kernel, bool archive)
{
	char buf[LAYOUT_KEY_MAX + 1];
	struct layout_key key;

	if (layout__parse_key(kernel, strlen(kernel), buf, &key, NULL, 0))
		return -EINVAL;
	return list_add(path, &key, archive ? LAYOUT_FILE_ARCHIVE : LAYOUT_FILE_RAW, 0, list);
}

void input__sort(struct input_list *list)
{
	size_t i, j;

	if (list->cnt)
		qsort(list->v, list->cnt, sizeof(*list->v), kernel_cmp);
	for (i = 0, j = 0; i < list->cnt; i++) {
		if (j && strcmp(list->v[j - 1].rel, list->v[i].rel) == 0) {
			pr_warn("%s and %s are the same kernel; using the first",
				list->v[j - 1].path, list->v[i].path);
			input__kernel_free(&list->v[i]);
			continue;
		}
		list->v[j++] = list->v[i];
	}
	list->cnt = j;
}

void input__kernel_free(struct input_kernel *k)
{
	free(k->path);
	free(k->rel);
	memset(k, 0, sizeof(*k));
}

void input__free(struct input_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->cnt; i++)
		input__kernel_free(&list->v[i]);
	free(list->v);
	memset(list, 0, sizeof(*list));
}

int input__unpack(int archive_fd, const char *release, const char *tmpdir,
		  char *err, size_t err_sz)
{
	/* bpftool parses the BTF itself, and btfgen names the input when it fails. */
	const struct extract_opts opts = { .no_btf_parse = true };
	uint64_t size;
	int fd, ret;

	fd = tmpdir ? open(tmpdir, O_RDWR | O_TMPFILE | O_EXCL | O_CLOEXEC, 0600) :
		      memfd_create("btfgen-input", MFD_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err, err_sz, "%s: %s", tmpdir ?: "memfd_create", strerror(errno));
		return ret;
	}
	ret = extract__btf_fd(archive_fd, release, fd, &opts, &size, err, err_sz);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
}
