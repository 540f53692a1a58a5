// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "index.h"
#include "jsonstream.h"
#include "log.h"

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
