// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "index.h"
#include "indexer.h"
#include "lister.h"
#include "log.h"
#include "manifest.h"

static json_t *entry_json(const struct listing_entry *e)
{
	return json_pack("{s:s, s:I, s:s}", "key", e->path, "size", (json_int_t)e->size,
			 "sha256", e->sha256);
}

static int hash_entries(const struct source *src, struct listing *l)
{
	uint8_t d[SHA256_DIGEST_LEN];
	size_t i;
	int err;

	for (i = 0; i < l->n; i++) {
		char *path = source__join(src, l->v[i].path);

		if (!path)
			return -ENOMEM;
		err = sha256_file(path, d);
		if (err) {
			pr_err("%s: cannot read: %s", path, strerror(-err));
			free(path);
			return err;
		}
		free(path);
		sha256_hex(d, l->v[i].sha256);
	}
	return 0;
}

int indexer__write(const char *dir, size_t *n)
{
	struct listing_opts lo = { 0 };
	struct source src;
	struct listing l = { 0 };
	json_t *root = NULL, *arr;
	char *path = NULL;
	size_t i;
	int err;

	err = source__parse(&src, dir);
	if (err || src.kind != SOURCE_DIR) {
		pr_err("%s: not a local directory: %s", dir, strerror(err ? -err : ENOTDIR));
		source__free(&src);
		return err ?: -ENOTDIR;
	}
	err = lister__load(&l, &src, &lo);
	err = err ?: hash_entries(&src, &l);
	if (err)
		goto out;
	err = -ENOMEM;
	root = json_pack("{s:s, s:i, s:[]}", "format", INDEX_FORMAT, "version", INDEX_VERSION,
			 "archives");
	arr = json_object_get(root, "archives");
	for (i = 0; root && i < l.n; i++)
		if (json_array_append_new(arr, entry_json(&l.v[i])))
			goto out;
	path = source__join(&src, INDEX_NAME);
	if (!root || !path)
		goto out;
	err = manifest__write_json(path, root);
	if (err && err != -ENOMEM)
		pr_err("%s: cannot write index: %s", path, strerror(-err));
	*n = l.n;
out:
	if (err == -ENOMEM)
		pr_err("%s: out of memory", dir);
	free(path);
	json_decref(root);
	listing__free(&l);
	source__free(&src);
	return err;
}
