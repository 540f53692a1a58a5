// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "layout.h"
#include "manifest.h"

/* In the order of enum layout_part. */
static const char *const entry_keys[] = { "distro", "version", "arch", "release" };
#define NKEYS LAYOUT_PARTS

/* A lockfile for many thousands of kernels stays far below this. */
#define MANIFEST_MAX_SIZE (64u << 20)

static const char *entry_str(const json_t *e, const char *key)
{
	return json_string_value(json_object_get(e, key));
}

static bool valid_hex(const char *s)
{
	uint8_t d[SHA256_DIGEST_LEN];

	return s && strlen(s) == SHA256_HEX_LEN - 1 && !sha256_parse_hex(s, d);
}

static int check_entry(const struct manifest *m, const json_t *e, size_t idx)
{
	const char *sha;
	size_t i;

	if (!json_is_object(e)) {
		pr_err("%s: kernels[%zu]: not an object", m->path, idx);
		return -EINVAL;
	}
	for (i = 0; i < NKEYS; i++) {
		const char *v = entry_str(e, entry_keys[i]), *bad;

		if (!v) {
			pr_err("%s: kernels[%zu]: missing \"%s\"", m->path, idx, entry_keys[i]);
			return -EINVAL;
		}
		bad = layout__part_invalid(i, v);
		if (bad) {
			pr_err("%s: kernels[%zu]: \"%s\" %s", m->path, idx, entry_keys[i], bad);
			return -EINVAL;
		}
	}
	sha = entry_str(e, "sha256");
	if (json_object_get(e, "sha256") && !valid_hex(sha)) {
		pr_err("%s: kernels[%zu]: \"sha256\" is not 64 hex digits", m->path, idx);
		return -EINVAL;
	}
	return 0;
}

int manifest__load(struct manifest *m, const char *path, bool may_create)
{
	json_error_t jerr;
	json_t *root = NULL, *arr;
	void *data = NULL;
	size_t len, i;
	int err;

	memset(m, 0, sizeof(*m));
	m->path = strdup(path);
	if (!m->path)
		return -ENOMEM;
	err = read_file(path, &data, &len, MANIFEST_MAX_SIZE);
	if (err == -ENOENT && may_create) {
		m->kernels = json_array();
		m->dirty = true;
		return m->kernels ? 0 : -ENOMEM;
	}
	if (err) {
		pr_err("%s: cannot read manifest: %s", path, strerror(-err));
		return err;
	}
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	free(data);
	if (!root) {
		pr_err("%s:%d:%d: invalid JSON: %s", path, jerr.line, jerr.column, jerr.text);
		return -EINVAL;
	}
	arr = json_is_array(root) ? root : json_object_get(root, "kernels");
	if (!json_is_array(arr)) {
		pr_err("%s: expected {\"kernels\": [...]} or an array", path);
		json_decref(root);
		return -EINVAL;
	}
	for (i = 0; i < json_array_size(arr); i++) {
		err = check_entry(m, json_array_get(arr, i), i);
		if (err) {
			json_decref(root);
			return err;
		}
	}
	m->kernels = json_incref(arr);
	json_decref(root);
	return 0;
}

void manifest__free(struct manifest *m)
{
	json_decref(m->kernels);
	free(m->path);
	memset(m, 0, sizeof(*m));
}

int manifest__kernels(const struct manifest *m, struct kernel_list *l)
{
	size_t i;

	for (i = 0; i < json_array_size(m->kernels); i++) {
		const json_t *e = json_array_get(m->kernels, i);
		const char *sha = entry_str(e, "sha256");
		struct kernel *k;

		k = kernel_list__add(l, entry_str(e, "distro"), entry_str(e, "version"),
				     entry_str(e, "arch"), entry_str(e, "release"));
		if (!k)
			return -errno;
		k->manifest_idx = (int)i;
		if (sha) {
			/* Compare in one case: hex from other tools may be upper-case. */
			uint8_t d[SHA256_DIGEST_LEN];

			sha256_parse_hex(sha, d);
			sha256_hex(d, k->want_sha256);
			k->want_from = "manifest";
		}
	}
	return 0;
}

static bool same_kernel(const json_t *e, const char *v[NKEYS])
{
	const char *ev = entry_str(e, "version"), *ea = entry_str(e, "arch");

	return !strcmp(entry_str(e, "distro"), v[0]) &&
	       !strcmp(layout__version_canon(v[0], ev), v[1]) &&
	       !strcmp(layout__arch_name(ea), v[2]) &&
	       !strcmp(entry_str(e, "release"), v[3]);
}

/* Entry @v (valid segments) added in canonical form unless present: its index. */
static int add_entry(struct manifest *m, const char *v[NKEYS])
{
	const char *c[NKEYS] = { v[0], layout__version_canon(v[0], v[1]),
				 layout__arch_name(v[2]), v[3] };
	size_t i, n = json_array_size(m->kernels);
	json_t *e;

	for (i = 0; i < n; i++)
		if (same_kernel(json_array_get(m->kernels, i), c))
			return (int)i;
	if (n >= INT32_MAX)
		return -E2BIG;
	e = json_object();
	for (i = 0; e && i < NKEYS; i++)
		if (json_object_set_new(e, entry_keys[i], json_string(c[i])))
			break;
	if (!e || i < NKEYS) {
		json_decref(e);
		return -ENOMEM;
	}
	if (json_array_append_new(m->kernels, e))	/* takes e, even on failure */
		return -ENOMEM;
	m->dirty = true;
	return (int)n;
}

int manifest__add(struct manifest *m, const char *spec)
{
	char buf[LAYOUT_KEY_MAX + 1], why[128];
	struct layout_key key;
	const char *v[NKEYS];
	int err;

	err = layout__parse_key(spec, strlen(spec), buf, &key, why, sizeof(why));
	if (err) {
		pr_err("--add %.200s: %s (expected DISTRO/VERSION/ARCH/RELEASE)", spec, why);
		return err;
	}
	v[0] = key.distro;
	v[1] = key.version;
	v[2] = key.arch;
	v[3] = key.release;
	err = add_entry(m, v);
	if (err < 0)
		pr_err("--add %.200s: %s", spec, strerror(-err));
	return err < 0 ? err : 0;
}

int manifest__add_kernel(struct manifest *m, const struct kernel *k)
{
	const char *v[NKEYS] = { k->distro, k->version, k->arch, k->release };

	return add_entry(m, v);
}

int manifest__set_sha256(struct manifest *m, int idx, const char *hex)
{
	json_t *e = json_array_get(m->kernels, idx);
	const char *old;

	if (!e || !valid_hex(hex))
		return -EINVAL;
	old = entry_str(e, "sha256");
	if (old && !strcasecmp(old, hex))
		return 0;
	if (json_object_set_new(e, "sha256", json_string(hex)))
		return -ENOMEM;
	m->dirty = true;
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	const json_t *ea = *(json_t *const *)a, *eb = *(json_t *const *)b;
	size_t i;
	int c;

	for (i = 0; i < NKEYS; i++) {
		c = strcmp(entry_str(ea, entry_keys[i]), entry_str(eb, entry_keys[i]));
		if (c)
			return c;
	}
	return 0;
}

/* A fresh object with the known keys in fixed order; other keys follow in input order. */
static json_t *entry_normalized(const json_t *e)
{
	json_t *out = json_object(), *val;
	const char *key;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i < NKEYS; i++)
		json_object_set(out, entry_keys[i], json_object_get(e, entry_keys[i]));
	if ((val = json_object_get(e, "sha256")))
		json_object_set(out, "sha256", val);
	json_object_foreach((json_t *)e, key, val)
		if (!json_object_get(out, key))
			json_object_set(out, key, val);
	return out;
}

int manifest__write_json(const char *path, const json_t *root)
{
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER), *nl;
	size_t len;
	int err;

	if (!text)
		return -ENOMEM;
	len = strlen(text);
	nl = realloc(text, len + 2);
	if (!nl) {
		free(text);
		return -ENOMEM;
	}
	memcpy(nl + len, "\n", 2);
	err = write_file_atomic(path, nl, len + 1);
	free(nl);
	return err;
}

int manifest__save(struct manifest *m)
{
	size_t n = json_array_size(m->kernels), i;
	json_t **v = NULL, *root = NULL, *arr = NULL;
	int err = -ENOMEM;

	if (!m->dirty)
		return 0;
	v = calloc(n ? n : 1, sizeof(*v));
	root = json_object();
	arr = json_array();
	if (!v || !root || !arr)
		goto out;
	for (i = 0; i < n; i++)
		v[i] = json_array_get(m->kernels, i);
	qsort(v, n, sizeof(*v), entry_cmp);
	for (i = 0; i < n; i++)
		if (json_array_append_new(arr, entry_normalized(v[i])))
			goto out;
	if (json_object_set(root, "kernels", arr))
		goto out;
	err = manifest__write_json(m->path, root);
	if (err) {
		pr_err("%s: cannot write manifest: %s", m->path, strerror(-err));
		goto out;
	}
	/* Keep the in-memory order equal to the file's. */
	json_decref(m->kernels);
	m->kernels = json_incref(arr);
	m->dirty = false;
out:
	free(v);
	json_decref(arr);
	json_decref(root);
	return err;
}
