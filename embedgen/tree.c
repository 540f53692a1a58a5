// SPDX-License-Identifier: BSD-2-Clause
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "tree.h"

static int skip_dot(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static int walk(const char *dir, int depth, const char *parts[4],
		int (*fn)(const char *, const struct tree_key *, void *), void *ctx)
{
	struct dirent **names = NULL;
	int n, i, err = 0;

	n = scandir(dir, &names, skip_dot, alphasort);
	if (n < 0) {
		err = -errno;
		pr_err("%s: cannot read directory: %s", dir, strerror(errno));
		return err;
	}
	for (i = 0; i < n && !err; i++) {
		const char *name = names[i]->d_name;
		char *path;
		struct stat st;

		if (asprintf(&path, "%s/%s", dir, name) < 0) {
			err = -ENOMEM;
			break;
		}
		if (stat(path, &st)) {
			err = -errno;
			pr_err("%s: %s", path, strerror(errno));
		} else if (depth < 3) {
			if (!S_ISDIR(st.st_mode)) {
				pr_err("%s: not in the <distro>/<version>/<arch>/<release>.btf layout", path);
				err = -EINVAL;
			} else {
				parts[depth] = name;
				err = walk(path, depth + 1, parts, fn, ctx);
			}
		} else {
			size_t len = strlen(name);

			if (!S_ISREG(st.st_mode) || len <= 4 || strcmp(name + len - 4, ".btf")) {
				pr_err("%s: not in the <distro>/<version>/<arch>/<release>.btf layout", path);
				err = -EINVAL;
			} else {
				char *release = strndup(name, len - 4);
				struct tree_key key = { parts[0], parts[1], parts[2], release };

				err = release ? fn(path, &key, ctx) : -ENOMEM;
				free(release);
			}
		}
		free(path);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return err;
}

int tree__scan(const char *dir, int (*fn)(const char *path, const struct tree_key *key, void *ctx),
	       void *ctx)
{
	const char *parts[4] = {};

	return walk(dir, 0, parts, fn, ctx);
}
