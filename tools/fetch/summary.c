// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>

#include "escape_json.h"
#include "log.h"
#include "summary.h"

static const char *status_name(enum kernel_status s)
{
	switch (s) {
	case KERNEL_FETCHED: return "fetched";
	case KERNEL_CACHED: return "cached";
	case KERNEL_FAILED: return "failed";
	default: return "pending";
	}
}

void summary__count(const struct kernel_list *l, struct summary_counts *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < l->n; i++) {
		const struct kernel *k = &l->v[i];

		c->fetched += k->status == KERNEL_FETCHED;
		c->cached += k->status == KERNEL_CACHED;
		c->failed += k->status == KERNEL_FAILED;
		c->bytes += k->body_bytes;
	}
}

/* Names, URLs and paths: escaped (escape.h), never dropped for a stray byte. */
static void set_str(json_t *o, const char *key, const char *val)
{
	if (val && *val)
		json_object_set_new(o, key, escape__json(val));
}

static void set_names(json_t *o, const struct kernel *k)
{
	set_str(o, "name", kernel__name(k));
	set_str(o, "distro", k->distro);
	set_str(o, "version", k->out_version);
	set_str(o, "arch", k->out_arch);
	set_str(o, "release", k->release);
}

static json_t *kernel_json(const struct kernel *k)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	set_names(o, k);
	set_str(o, "status", status_name(k->status));
	set_str(o, "url", k->url);
	if (k->status != KERNEL_FAILED)
		set_str(o, "output", k->output);
	set_str(o, "sha256", k->got_sha256);
	json_object_set_new(o, "bytes", json_integer((json_int_t)k->body_bytes));
	if (k->error)
		json_object_set_new(o, "error", escape__json_msg(k->error));
	return o;
}

int summary__print(const struct kernel_list *l, bool json, bool quiet)
{
	struct summary_counts c;
	json_t *root, *arr;
	size_t i;
	int err = 0;

	summary__count(l, &c);
	for (i = 0; i < l->n; i++)
		if (l->v[i].status == KERNEL_FAILED)
			pr_err("%s: %s", kernel__name(&l->v[i]), l->v[i].error ?: "failed");
	if (!json) {
		if (!quiet)
			printf("%zu fetched, %zu cached, %zu failed (%" PRIu64 " bytes transferred)\n",
			       c.fetched, c.cached, c.failed, c.bytes);
		return 0;
	}
	root = json_object();
	arr = json_array();
	if (!root || !arr) {
		json_decref(root);
		json_decref(arr);
		return -ENOMEM;
	}
	json_object_set_new(root, "fetched", json_integer(c.fetched));
	json_object_set_new(root, "cached", json_integer(c.cached));
	json_object_set_new(root, "failed", json_integer(c.failed));
	json_object_set_new(root, "bytes_transferred", json_integer((json_int_t)c.bytes));
	for (i = 0; i < l->n; i++)
		json_array_append_new(arr, kernel_json(&l->v[i]));
	json_object_set_new(root, "kernels", arr);
	if (json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) || fputc('\n', stdout) == EOF)
		err = -EIO;
	json_decref(root);
	return err;
}

static json_t *listed_json(const struct kernel *k)
{
	json_t *o = json_object();

	if (!o)
		return NULL;
	set_names(o, k);
	if (k->listed_size)
		json_object_set_new(o, "size", json_integer((json_int_t)k->listed_size));
	set_str(o, "sha256", k->want_sha256);
	return o;
}

/*
 * json_dump_callback() sink that writes an element as if it were dumped
 * inside the document, two levels down: a newline in indented output is
 * always jansson's (a string's newline is escaped), so four more spaces
 * after each.
 */
static int nested_write(const char *buf, size_t size, void *data)
{
	FILE *fp = data;
	const char *nl;

	while ((nl = memchr(buf, '\n', size))) {
		if (fwrite(buf, 1, nl - buf + 1, fp) != (size_t)(nl - buf + 1) ||
		    fputs("    ", fp) == EOF)
			return -1;
		size -= nl - buf + 1;
		buf = nl + 1;
	}
	return size && fwrite(buf, 1, size, fp) != size ? -1 : 0;
}

/*
 * The document is written one kernel at a time, so --json costs no more
 * memory than the table: the bytes are those json_dumpf(JSON_INDENT(2) |
 * JSON_PRESERVE_ORDER) gives for the whole document (tests/fetch's
 * listing-rss checks both), only the brackets, commas and indentation
 * between elements are written here.
 */
static int list_json(const struct kernel_list *l, uint64_t bytes)
{
	size_t i;
	int err = 0;

	printf("{\n  \"count\": %" JSON_INTEGER_FORMAT ",\n  \"bytes\": %" JSON_INTEGER_FORMAT
	       ",\n  \"kernels\": [", (json_int_t)l->n, (json_int_t)bytes);
	for (i = 0; i < l->n && !err; i++) {
		json_t *o = listed_json(&l->v[i]);

		if (!o)
			return -ENOMEM;
		fputs(i ? ",\n    " : "\n    ", stdout);
		if (json_dump_callback(o, nested_write, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER))
			err = -EIO;
		json_decref(o);
	}
	fputs(l->n ? "\n  ]\n}\n" : "]\n}\n", stdout);
	return err ?: (ferror(stdout) || fflush(stdout) ? -EIO : 0);
}

int summary__list(const struct kernel_list *l, bool json)
{
	uint64_t bytes = 0;
	size_t i;

	for (i = 0; i < l->n; i++)
		bytes += l->v[i].listed_size;
	if (json)
		return list_json(l, bytes);
	printf("%12s  %s\n", "SIZE", "KERNEL");
	for (i = 0; i < l->n; i++) {
		const struct kernel *k = &l->v[i];

		if (k->listed_size)
			printf("%12" PRIu64 "  %s\n", k->listed_size, kernel__name(k));
		else
			printf("%12s  %s\n", "-", kernel__name(k));
	}
	return fflush(stdout) ? -EIO : 0;
}

void summary__json_error(const char *msg)
{
	json_t *o = json_pack("{s:o}", "error", escape__json_msg(msg));

	if (o) {
		json_dumpf(o, stdout, JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(o);
	}
}
