// SPDX-License-Identifier: BSD-2-Clause
/*
 * The canonical form of a reduced BTF (the rule is in canon.h). Types are
 * read with libbpf's accessors and written back with its btf__add_*():
 * nothing here encodes BTF by hand.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "fsutil.h"
#include "canon.h"

#define CANON_ROUNDS_MAX 64

/* A growable byte string: a type's own content, for hashing and comparing. */
struct desc {
	unsigned char *p;
	size_t len, cap;
	bool oom;
};

static void desc_put(struct desc *d, const void *p, size_t n)
{
	if (d->oom)
		return;
	if (d->len + n > d->cap) {
		size_t cap = d->cap ? d->cap : 256;
		unsigned char *q;

		while (cap < d->len + n)
			cap *= 2;
		q = realloc(d->p, cap);
		if (!q) {
			d->oom = true;
			return;
		}
		d->p = q;
		d->cap = cap;
	}
	memcpy(d->p + d->len, p, n);
	d->len += n;
}

static void desc_u32(struct desc *d, uint32_t v)
{
	desc_put(d, &v, sizeof(v));
}

static void desc_str(struct desc *d, const struct btf *btf, uint32_t off)
{
	const char *s = btf__str_by_offset(btf, off);

	s = s ?: "";
	desc_put(d, s, strlen(s) + 1);
}

/*
 * @t's own content, everything but the type IDs it references, appended to
 * @d. Returns 0 or -EOPNOTSUPP for a kind not known here. Kept whole: one
 * flat table, a row per BTF kind (as libbpf's btf_type_size()).
 */
static int type_desc(const struct btf *btf, const struct btf_type *t, struct desc *d)
{
	int i, vlen = btf_vlen(t);

	d->len = 0;
	desc_u32(d, t->info);
	desc_str(d, btf, t->name_off);
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		desc_u32(d, t->size);
		desc_u32(d, *(const uint32_t *)(t + 1));
		break;
	case BTF_KIND_PTR:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_FWD:
		break;
	case BTF_KIND_ARRAY:
		desc_u32(d, btf_array(t)->nelems);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		const struct btf_member *m = btf_members(t);

		desc_u32(d, t->size);
		for (i = 0; i < vlen; i++, m++) {
			desc_str(d, btf, m->name_off);
			desc_u32(d, m->offset);
		}
		break;
	}
	case BTF_KIND_ENUM: {
		const struct btf_enum *e = btf_enum(t);

		desc_u32(d, t->size);
		for (i = 0; i < vlen; i++, e++) {
			desc_str(d, btf, e->name_off);
			desc_u32(d, e->val);
		}
		break;
	}
	case BTF_KIND_ENUM64: {
		const struct btf_enum64 *e = btf_enum64(t);

		desc_u32(d, t->size);
		for (i = 0; i < vlen; i++, e++) {
			desc_str(d, btf, e->name_off);
			desc_u32(d, e->val_lo32);
			desc_u32(d, e->val_hi32);
		}
		break;
	}
	case BTF_KIND_FUNC_PROTO: {
		const struct btf_param *p = btf_params(t);

		for (i = 0; i < vlen; i++, p++)
			desc_str(d, btf, p->name_off);
		break;
	}
	case BTF_KIND_VAR:
		desc_u32(d, btf_var(t)->linkage);
		break;
	case BTF_KIND_DATASEC: {
		const struct btf_var_secinfo *v = btf_var_secinfos(t);

		desc_u32(d, t->size);
		for (i = 0; i < vlen; i++, v++) {
			desc_u32(d, v->offset);
			desc_u32(d, v->size);
		}
		break;
	}
	case BTF_KIND_FLOAT:
		desc_u32(d, t->size);
		break;
	case BTF_KIND_DECL_TAG:
		desc_u32(d, (uint32_t)btf_decl_tag(t)->component_idx);
		break;
	default:
		return -EOPNOTSUPP;
	}
	return d->oom ? -ENOMEM : 0;
}

/* The most type IDs @t references: type_refs() needs that much room. */
static int refs_max(const struct btf_type *t)
{
	return btf_vlen(t) + 2;
}

/* The type IDs @t references, in the type's own order; returns how many. */
static int type_refs(const struct btf_type *t, uint32_t *out)
{
	int i, n = 0, vlen = btf_vlen(t);

	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_FUNC:
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_VAR:
	case BTF_KIND_DECL_TAG:
		out[n++] = t->type;
		break;
	case BTF_KIND_ARRAY:
		out[n++] = btf_array(t)->type;
		out[n++] = btf_array(t)->index_type;
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		for (i = 0; i < vlen; i++)
			out[n++] = btf_members(t)[i].type;
		break;
	case BTF_KIND_FUNC_PROTO:
		out[n++] = t->type;
		for (i = 0; i < vlen; i++)
			out[n++] = btf_params(t)[i].type;
		break;
	case BTF_KIND_DATASEC:
		for (i = 0; i < vlen; i++)
			out[n++] = btf_var_secinfos(t)[i].type;
		break;
	default:
		break;
	}
	return n;
}

static uint64_t mix64(uint64_t x)
{
	/* splitmix64's finaliser: every input bit reaches every output bit. */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t hash_bytes(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a, then mixed */
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return mix64(h ^ n);
}

static uint64_t combine(uint64_t h, uint64_t v)
{
	return mix64(h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2)));
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static size_t distinct(const uint64_t *h, uint64_t *scratch, size_t n)
{
	size_t i, k = 0;

	memcpy(scratch, h, n * sizeof(*h));
	qsort(scratch, n, sizeof(*scratch), u64_cmp);
	for (i = 0; i < n; i++)
		k += i == 0 || scratch[i] != scratch[i - 1];
	return k;
}

struct canon {
	const struct btf *src;
	uint32_t n;		/* btf__type_cnt(): types + void */
	uint64_t *hash;		/* [n], final structural hash */
	uint32_t *order;	/* [n], order[new id] = old id (order[0] = 0) */
	uint32_t *map;		/* [n], map[old id] = new id */
	uint32_t *refs;		/* scratch, refs_cap */
	size_t refs_cap;
	struct desc d, d2;
};

static int grow_refs(struct canon *c, const struct btf_type *t)
{
	size_t need = refs_max(t);
	uint32_t *r;

	if (need <= c->refs_cap)
		return 0;
	r = realloc(c->refs, need * sizeof(*r));
	if (!r)
		return -ENOMEM;
	c->refs = r;
	c->refs_cap = need;
	return 0;
}

/* Step 1: colour refinement until the classes stop splitting. */
static int canon_hash(struct canon *c)
{
	uint64_t *next = NULL, *scratch = NULL;
	size_t classes, prev;
	uint32_t i, round;
	int err = 0, k, nr;

	next = calloc(c->n, sizeof(*next));
	scratch = calloc(c->n, sizeof(*scratch));
	if (!next || !scratch) {
		err = -ENOMEM;
		goto out;
	}
	c->hash[0] = mix64(0x766f6964);	/* void */
	for (i = 1; i < c->n; i++) {
		const struct btf_type *t = btf__type_by_id(c->src, i);

		err = type_desc(c->src, t, &c->d);
		if (err)
			goto out;
		c->hash[i] = hash_bytes(c->d.p, c->d.len);
	}
	prev = distinct(c->hash, scratch, c->n);
	/*
	 * Each round splits a class or ends. Real graphs settle in a few
	 * rounds (their depth); the cap bounds a crafted chain, whose hashes
	 * are then those of round CANON_ROUNDS_MAX: still a function of the
	 * graph alone.
	 */
	for (round = 0; round < CANON_ROUNDS_MAX; round++) {
		next[0] = c->hash[0];
		for (i = 1; i < c->n; i++) {
			const struct btf_type *t = btf__type_by_id(c->src, i);
			uint64_t h = c->hash[i];

			err = grow_refs(c, t);
			if (err)
				goto out;
			nr = type_refs(t, c->refs);
			for (k = 0; k < nr; k++)
				h = combine(h, c->refs[k] < c->n ? c->hash[c->refs[k]] : 0);
			next[i] = combine(h, nr);
		}
		classes = distinct(next, scratch, c->n);
		memcpy(c->hash, next, c->n * sizeof(*next));
		if (classes == prev)
			break;
		prev = classes;
	}
out:
	free(next);
	free(scratch);
	return err;
}

static const char *name_of(const struct btf *btf, uint32_t off)
{
	return btf__str_by_offset(btf, off) ?: "";
}

/* A root's sort key, self-contained: qsort() passes no context. */
struct root {
	const char *name;
	uint64_t hash;
	uint32_t kind;
	uint32_t id;
};

static int root_cmp(const void *a, const void *b)
{
	const struct root *x = a, *y = b;
	int r;

	if (!*x->name != !*y->name)
		return !*x->name - !*y->name;	/* named first */
	r = strcmp(x->name, y->name);
	if (r)
		return r;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	/* Same structure (canon.h): the input's order, for determinism only. */
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Steps 2 and 3: the roots' order, then a depth-first pre-order walk. */
static int canon_order(struct canon *c)
{
	struct root *roots = NULL;
	uint32_t *stack = NULL, next_id = 1, i;
	size_t sp = 0, stack_cap = 0;
	int err = 0, k, nr;

	for (i = 1; i < c->n; i++)
		stack_cap += refs_max(btf__type_by_id(c->src, i));
	stack_cap += c->n;
	roots = malloc(c->n * sizeof(*roots));
	stack = malloc(stack_cap * sizeof(*stack));
	if (!roots || !stack) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 1; i < c->n; i++) {
		const struct btf_type *t = btf__type_by_id(c->src, i);

		roots[i - 1].name = name_of(c->src, t->name_off);
		roots[i - 1].kind = btf_kind(t);
		roots[i - 1].hash = c->hash[i];
		roots[i - 1].id = i;
	}
	qsort(roots, c->n - 1, sizeof(*roots), root_cmp);

	memset(c->map, 0, c->n * sizeof(*c->map));
	for (i = 0; i + 1 < c->n; i++) {
		if (c->map[roots[i].id])
			continue;
		stack[sp++] = roots[i].id;
		while (sp) {
			uint32_t id = stack[--sp];
			const struct btf_type *t;

			if (c->map[id])
				continue;
			c->map[id] = next_id;
			c->order[next_id++] = id;
			t = btf__type_by_id(c->src, id);
			err = grow_refs(c, t);
			if (err)
				goto out;
			nr = type_refs(t, c->refs);
			/* Reversed, so that the first reference is walked first. */
			for (k = nr - 1; k >= 0; k--)
				if (c->refs[k] && c->refs[k] < c->n && !c->map[c->refs[k]])
					stack[sp++] = c->refs[k];
		}
	}
out:
	free(roots);
	free(stack);
	return err;
}

/* A type or declaration tag of @c->src, renumbered; returns its new ID or an error. */
static int add_tag(struct canon *c, struct btf *dst, const struct btf_type *t, const char *name)
{
	const uint32_t *m = c->map;
	int id;

	if (!btf_kflag(t) && btf_kind(t) == BTF_KIND_TYPE_TAG)
		return btf__add_type_tag(dst, name, m[t->type]);
	if (!btf_kflag(t))
		return btf__add_decl_tag(dst, name, m[t->type], btf_decl_tag(t)->component_idx);
	/*
	 * An attribute (kflag, type_attr/decl_attr): libbpf before 1.6 has no
	 * adder for it. Copied whole, as bpftool copies it, and its one
	 * reference renumbered in place, as bpftool renumbers its own copies.
	 */
	id = btf__add_type(dst, c->src, t);
	if (id > 0)
		((struct btf_type *)btf__type_by_id(dst, id))->type = m[t->type];
	return id;
}

/*
 * Step 4: one type of @c->src, renumbered, through the matching adder.
 * Kept whole: one flat table, a row per BTF kind, read beside libbpf's adders.
 */
static int add_type(struct canon *c, struct btf *dst, const struct btf_type *t)
{
	const struct btf *s = c->src;
	const char *name = name_of(s, t->name_off);
	const uint32_t *m = c->map;
	int i, id, err = 0, vlen = btf_vlen(t);

	switch (btf_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
	case BTF_KIND_FWD:
	case BTF_KIND_FLOAT:
		/* No type IDs inside: libbpf copies it whole, strings re-added. */
		id = btf__add_type(dst, s, t);
		break;
	case BTF_KIND_PTR:
		id = btf__add_ptr(dst, m[t->type]);
		break;
	case BTF_KIND_TYPEDEF:
		id = btf__add_typedef(dst, name, m[t->type]);
		break;
	case BTF_KIND_VOLATILE:
		id = btf__add_volatile(dst, m[t->type]);
		break;
	case BTF_KIND_CONST:
		id = btf__add_const(dst, m[t->type]);
		break;
	case BTF_KIND_RESTRICT:
		id = btf__add_restrict(dst, m[t->type]);
		break;
	case BTF_KIND_TYPE_TAG:
	case BTF_KIND_DECL_TAG:
		id = add_tag(c, dst, t, name);
		break;
	case BTF_KIND_FUNC:
		id = btf__add_func(dst, name, (enum btf_func_linkage)vlen, m[t->type]);
		break;
	case BTF_KIND_ARRAY:
		id = btf__add_array(dst, m[btf_array(t)->index_type], m[btf_array(t)->type],
				    btf_array(t)->nelems);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		id = btf_kind(t) == BTF_KIND_STRUCT ? btf__add_struct(dst, name, t->size)
						    : btf__add_union(dst, name, t->size);
		for (i = 0; i < vlen && id > 0 && !err; i++)
			err = btf__add_field(dst, name_of(s, btf_members(t)[i].name_off),
					     m[btf_members(t)[i].type],
					     btf_member_bit_offset(t, i),
					     btf_member_bitfield_size(t, i));
		break;
	case BTF_KIND_FUNC_PROTO:
		id = btf__add_func_proto(dst, m[t->type]);
		for (i = 0; i < vlen && id > 0 && !err; i++)
			err = btf__add_func_param(dst, name_of(s, btf_params(t)[i].name_off),
						  m[btf_params(t)[i].type]);
		break;
	case BTF_KIND_VAR:
		id = btf__add_var(dst, name, btf_var(t)->linkage, m[t->type]);
		break;
	case BTF_KIND_DATASEC:
		id = btf__add_datasec(dst, name, t->size);
		for (i = 0; i < vlen && id > 0 && !err; i++)
			err = btf__add_datasec_var_info(dst, m[btf_var_secinfos(t)[i].type],
							btf_var_secinfos(t)[i].offset,
							btf_var_secinfos(t)[i].size);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (id < 0)
		return id;
	return err < 0 ? err : 0;
}

/*
 * Step 4's check: every type of @dst is its source type with the
 * references renumbered, content byte for byte the same.
 */
static int canon_verify(struct canon *c, const struct btf *dst)
{
	uint32_t i;
	int k, nr, nr2, err;
	uint32_t *refs2;

	if (btf__type_cnt(dst) != c->n)
		return -EPROTO;
	for (i = 1; i < c->n; i++) {
		const struct btf_type *t = btf__type_by_id(c->src, i);
		const struct btf_type *u = btf__type_by_id(dst, c->map[i]);

		err = type_desc(c->src, t, &c->d) ?: type_desc(dst, u, &c->d2);
		if (err)
			return err;
		if (c->d.len != c->d2.len || memcmp(c->d.p, c->d2.p, c->d.len))
			return -EPROTO;
		err = grow_refs(c, t);
		if (err)
			return err;
		refs2 = malloc(refs_max(u) * sizeof(*refs2));
		if (!refs2)
			return -ENOMEM;
		nr = type_refs(t, c->refs);
		nr2 = type_refs(u, refs2);
		err = nr != nr2 ? -EPROTO : 0;
		for (k = 0; k < nr && !err; k++)
			if ((c->refs[k] < c->n ? c->map[c->refs[k]] : UINT32_MAX) != refs2[k])
				err = -EPROTO;
		free(refs2);
		if (err)
			return err;
	}
	return 0;
}

/* Tables for @src: n, and map/order/refs zeroed. */
static int canon_init(struct canon *c, const struct btf *src)
{
	uint32_t i;
	int k, nr, err;

	c->src = src;
	c->n = btf__type_cnt(src);
	c->hash = calloc(c->n, sizeof(*c->hash));
	c->order = calloc(c->n, sizeof(*c->order));
	c->map = calloc(c->n, sizeof(*c->map));
	if (!c->hash || !c->order || !c->map)
		return -ENOMEM;
	/* A dangling reference would index past the tables. */
	for (i = 1; i < c->n; i++) {
		const struct btf_type *t = btf__type_by_id(src, i);

		err = grow_refs(c, t);
		if (err)
			return err;
		nr = type_refs(t, c->refs);
		for (k = 0; k < nr; k++)
			if (c->refs[k] >= c->n)
				return -EINVAL;
	}
	return 0;
}

static void canon_fini(struct canon *c)
{
	free(c->hash);
	free(c->order);
	free(c->map);
	free(c->refs);
	free(c->d.p);
	free(c->d2.p);
}

/* Step 4: @c->src rebuilt in @c->order, then checked. */
static struct btf *canon_build(struct canon *c)
{
	struct btf *dst;
	uint32_t i;
	int err;

	dst = btf__new_empty();
	if (!dst)
		return NULL;
	/*
	 * Strings: libbpf's adders add each name once, where it is first
	 * used, so the string section is in the types' canonical order. (A
	 * sorted section compressed worse across kernels: names move with
	 * every new string, where first use keeps neighbours together.)
	 */
	err = btf__set_endianness(dst, btf__endianness(c->src));
	for (i = 1; i < c->n && !err; i++)
		err = add_type(c, dst, btf__type_by_id(c->src, c->order[i]));
	err = err ?: canon_verify(c, dst);
	if (err) {
		btf__free(dst);
		errno = -err;
		return NULL;
	}
	return dst;
}

/* Build @c in its order unless @err, free its tables: the result or NULL + errno. */
static struct btf *canon_finish(struct canon *c, int err)
{
	struct btf *dst = NULL;

	if (!err) {
		dst = canon_build(c);
		err = dst ? 0 : -errno;
	}
	canon_fini(c);
	if (err)
		errno = -err;
	return dst;
}

struct btf *canon__btf(const struct btf *src)
{
	struct canon c = {};

	return canon_finish(&c, canon_init(&c, src) ?: canon_hash(&c) ?: canon_order(&c));
}

struct btf *canon__renumber(const struct btf *src, const uint32_t *order)
{
	struct canon c = {};
	uint32_t i;
	int err;

	err = canon_init(&c, src);
	for (i = 0; i < c.n && !err; i++) {
		if (order[i] >= c.n || (i == 0) != (order[i] == 0) || c.map[order[i]])
			err = -EINVAL;	/* not a permutation keeping void at 0 */
		else
			c.map[order[i]] = i;
		c.order[i] = order[i];
	}
	return canon_finish(&c, err);
}

int canon__file(const char *path)
{
	struct btf *src, *dst = NULL;
	const void *raw;
	uint32_t size;
	int fd = -1, err = 0;

	src = btf__parse_raw(path);
	if (!src)
		return -errno;
	dst = canon__btf(src);
	if (!dst) {
		err = -errno;
		goto out;
	}
	raw = btf__raw_data(dst, &size);
	if (!raw) {
		err = -errno;
		goto out;
	}
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	err = write_all(fd, raw, size);
	if (!err && close(fd))
		err = -errno;
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	btf__free(dst);
	btf__free(src);
	return err;
}
