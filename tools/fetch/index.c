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

static int index_element(void *ctx, size_t i, json_t *e)
{
	struct index_reader *p = ctx;
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
	if (err == -ENOMEM)
		pr_err("%s: %s", p->url, strerror(-err));
	return err;
}

static int index_member(void *ctx, const char *key, json_t *v)
{
	struct index_reader *p = ctx;

	if (!strcmp(key, "format"))
		p->format_ok = !strcmp(json_string_value(v) ?: "", INDEX_FORMAT);
	else if (!strcmp(key, "version"))
		p->version_ok = json_is_integer(v) && json_integer_value(v) == INDEX_VERSION;
	return 0;
}

static const struct json_stream_ops index_ops = {
	.array_key = "archives",
	.element = index_element,
	.member = index_member,
};

int index_reader__init(struct index_reader *p, struct listing *l, const char *url)
{
	*p = (struct index_reader){ .l = l, .url = url, .n0 = l->n };
	p->js = json_stream__new(&index_ops, p);
	return p->js ? 0 : -ENOMEM;
}

int index_reader__write(void *ctx, const char *buf, size_t len)
{
	struct index_reader *p = ctx;
	char why[160] = "";
	int err;

	err = json_stream__feed(p->js, buf, len, why, sizeof(why));
	if (err == -EINVAL && why[0])
		pr_err("%s: invalid index: %s", p->url, why);
	return err;
}

int index_reader__end(void *ctx)
{
	struct index_reader *p = ctx;
	char why[160] = "";
	int err;

	err = json_stream__end(p->js, why, sizeof(why));
	if (err == -EINVAL && why[0])
		pr_err("%s: invalid index: %s", p->url, why);
	else if (err == -ENOENT || (!err && (!p->format_ok || !p->version_ok))) {
		pr_err("%s: not a version %d %s file", p->url, INDEX_VERSION, INDEX_FORMAT);
		err = -EINVAL;
	}
	return err;
}

void index_reader__free(struct index_reader *p, bool keep)
{
	/* Nothing of a refused index is listed. */
	if (!keep)
		listing__truncate(p->l, p->n0);
	json_stream__free(p->js);
	p->js = NULL;
}

int index__parse(struct listing *l, const char *url, const char *body, size_t len)
{
	struct index_reader p;
	int err;

	err = index_reader__init(&p, l, url);
	err = err ?: index_reader__write(&p, body, len);
	err = err ?: index_reader__end(&p);
	index_reader__free(&p, !err);
	return err;
}
