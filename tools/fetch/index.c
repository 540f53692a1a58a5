// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "index.h"
#include "jsonstream.h"
#include "log.h"
#include "manifest.h"

#define INDEX_FORMAT "btfhub-index"
#define INDEX_VERSION 1

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

int index__write(const char *dir, size_t *n)
{
	struct listing_opts lo = { .sz = sizeof(lo) };
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
	err = listing__load(&l, &src, &lo);
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

static bool valid_sha(const char *s)
{
	uint8_t d[SHA256_DIGEST_LEN];

	return s && strlen(s) == SHA256_HEX_LEN - 1 && !sha256_parse_hex(s, d);
}

struct index_parse {
	struct listing *l;
	const char *url;
	bool format_ok, version_ok;
};

static int index_element(void *ctx, size_t i, json_t *e)
{
	struct index_parse *p = ctx;
	const char *key = json_string_value(json_object_get(e, "key"));
	const char *sha = json_string_value(json_object_get(e, "sha256"));
	json_t *size = json_object_get(e, "size");
	int err;

	if (!key || !valid_sha(sha) || !json_is_integer(size) || json_integer_value(size) < 0) {
		pr_err("%s: archives[%zu]: want \"key\", \"size\" and a 64-hex \"sha256\"",
		       p->url, i);
		return -EINVAL;
	}
	err = listing__add(p->l, p->url, key, (uint64_t)json_integer_value(size), sha);
	if (err == -EINVAL)
		err = 0;
	if (err)
		pr_err("%s: %s", p->url, strerror(-err));
	return err;
}

static int index_member(void *ctx, const char *key, json_t *v)
{
	struct index_parse *p = ctx;

	if (!strcmp(key, "format"))
		p->format_ok = !strcmp(json_string_value(v) ?: "", INDEX_FORMAT);
	else if (!strcmp(key, "version"))
		p->version_ok = json_is_integer(v) && json_integer_value(v) == INDEX_VERSION;
	return 0;
}

/* One archive at a time (jsonstream.h): an index of a big mirror costs its bytes, not 77x. */
int index__parse(struct listing *l, const char *url, const char *body, size_t len)
{
	static const struct json_stream_ops ops = {
		.array_key = "archives",
		.element = index_element,
		.member = index_member,
	};
	struct index_parse p = { l, url, false, false };
	size_t n0 = l->n;
	char why[160] = "";
	int err;

	err = json_stream__object(body, len, &ops, &p, why, sizeof(why));
	if (err == -EINVAL && why[0])
		pr_err("%s: invalid index: %s", url, why);
	else if (err == -ENOENT || (!err && (!p.format_ok || !p.version_ok))) {
		pr_err("%s: not a version %d %s file", url, INDEX_VERSION, INDEX_FORMAT);
		err = -EINVAL;
	}
	if (err) {
		/* Nothing of a refused index is listed. */
		while (l->n > n0) {
			l->n--;
			free(l->v[l->n].path);
			free(l->v[l->n].seg[0]);
		}
	}
	return err;
}
