// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "mem.h"
#include "pins.h"

/* A million archives' pins; BTFHub has some ten thousand. */
#define PINS_MAX_SIZE (128u << 20)

static char *pins_path(const struct cache *c)
{
	char *p;

	return asprintf(&p, "%s/%s.pins", c->dir, c->src_key) < 0 ? NULL : p;
}

static int pin_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pin *)a)->id, ((const struct pin *)b)->id);
}

static bool hex_ok(const char *s, size_t len)
{
	return strspn(s, "0123456789abcdef") == len;
}

/* Parse "<id> <sha256>\n" lines; anything malformed ends the list there. */
static int parse(struct pins *p, char *text)
{
	size_t cap = 0;
	char *line, *save = NULL;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');
		size_t il = sp ? (size_t)(sp - line) : 0;

		if (!sp || !il || il >= KERNEL_CONTENT_ID_LEN || !hex_ok(line, il) ||
		    strlen(sp + 1) != SHA256_HEX_LEN - 1 || !hex_ok(sp + 1, SHA256_HEX_LEN - 1))
			break;
		if (mem__ensure((void **)&p->v, &cap, sizeof(*p->v), p->n + 1))
			return -ENOMEM;
		memcpy(p->v[p->n].id, line, il);
		p->v[p->n].id[il] = '\0';
		memcpy(p->v[p->n].sha256, sp + 1, SHA256_HEX_LEN);
		p->n++;
	}
	qsort(p->v, p->n, sizeof(*p->v), pin_cmp);
	return 0;
}

int pins__load(struct pins *p, const struct cache *c)
{
	char *path = pins_path(c);
	void *text = NULL;
	size_t len;
	int err;

	memset(p, 0, sizeof(*p));
	if (!path)
		return -ENOMEM;
	err = read_file(path, &text, &len, PINS_MAX_SIZE);
	free(path);
	if (err)
		return err == -ENOMEM ? err : 0;	/* no pins: every archive is asked for */
	err = parse(p, text);
	free(text);
	return err;
}

void pins__free(struct pins *p)
{
	free(p->v);
	memset(p, 0, sizeof(*p));
}

const char *pins__find(const struct pins *p, const char *id)
{
	struct pin key, *hit;

	if (!id[0] || strlen(id) >= sizeof(key.id))
		return NULL;
	strcpy(key.id, id);
	hit = p->n ? bsearch(&key, p->v, p->n, sizeof(*p->v), pin_cmp) : NULL;
	return hit ? hit->sha256 : NULL;
}

int pins__record(const struct cache *c, const struct kernel_list *l)
{
	struct pins p;
	char *path = NULL, *text = NULL;
	size_t i, n = 0, off = 0;
	bool changed = false;
	int err;

	err = pins__load(&p, c);
	if (err)
		return err;
	for (i = 0; i < l->n; i++)
		n += l->v[i].content_id[0] && l->v[i].got_sha256[0];
	if (!n)
		goto out;
	err = -ENOMEM;
	text = malloc((p.n + n) * (KERNEL_CONTENT_ID_LEN + SHA256_HEX_LEN + 1) + 1);
	path = pins_path(c);
	if (!text || !path)
		goto out;
	for (i = 0; i < p.n; i++)
		off += sprintf(text + off, "%s %s\n", p.v[i].id, p.v[i].sha256);
	for (i = 0; i < l->n; i++) {
		const struct kernel *k = &l->v[i];

		if (!k->content_id[0] || !k->got_sha256[0] || k->status == KERNEL_FAILED ||
		    pins__find(&p, k->content_id))
			continue;
		off += sprintf(text + off, "%s %s\n", k->content_id, k->got_sha256);
		changed = true;
	}
	err = changed ? write_file_atomic(path, text, off) : 0;
out:
	free(text);
	free(path);
	pins__free(&p);
	return err;
}
