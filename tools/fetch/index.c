// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "index.h"
#include "log.h"

static bool valid_sha(const char *s)
{
	uint8_t d[SHA256_DIGEST_LEN];

	return s && strlen(s) == SHA256_HEX_LEN - 1 && !sha256_parse_hex(s, d);
}

int index__parse(struct listing *l, const char *url, const char *body, size_t len)
{
	json_error_t jerr;
	json_t *root, *arr, *e;
	size_t i;
	int err = 0;

	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		pr_err("%s:%d:%d: invalid index: %s", url, jerr.line, jerr.column, jerr.text);
		return -EINVAL;
	}
	arr = json_object_get(root, "archives");
	if (!json_is_object(root) ||
	    strcmp(json_string_value(json_object_get(root, "format")) ?: "", INDEX_FORMAT) ||
	    json_integer_value(json_object_get(root, "version")) != INDEX_VERSION ||
	    !json_is_array(arr)) {
		pr_err("%s: not a version %d %s file", url, INDEX_VERSION, INDEX_FORMAT);
		json_decref(root);
		return -EINVAL;
	}
	json_array_foreach(arr, i, e) {
		const char *key = json_string_value(json_object_get(e, "key"));
		const char *sha = json_string_value(json_object_get(e, "sha256"));
		json_t *size = json_object_get(e, "size");

		if (!key || !valid_sha(sha) || !json_is_integer(size) ||
		    json_integer_value(size) < 0) {
			pr_err("%s: archives[%zu]: want \"key\", \"size\" and a 64-hex \"sha256\"",
			       url, i);
			err = -EINVAL;
			break;
		}
		err = listing__add(l, url, key, (uint64_t)json_integer_value(size), sha);
		if (err == -EINVAL)
			err = 0;
		if (err) {
			pr_err("%s: %s", url, strerror(-err));
			break;
		}
	}
	json_decref(root);
	return err;
}
