// SPDX-License-Identifier: BSD-2-Clause
/*
 * CO-RE existence checks (core_check.h). libbpf parses .BTF.ext's CO-RE
 * records only for its own load path and exports no reader, so the
 * records are walked here, every length checked against the section: in
 * the core_relo subsection (btfext.h), a record size and, per ELF
 * section, its name (an offset into .BTF's strings), a count and that
 * many struct bpf_core_relo. libbpf's btf_ext__new() first says whether
 * it takes the section at all.
 * What a check names comes from the object's BTF through libbpf's btf__
 * API: the relocation's local type and access string ("0:1": the index
 * into the root pointer, then a member or array index per level, as
 * clang's __builtin_preserve_field_info() records it).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btfext.h"
#include "core_check.h"

#define ACCESS_MAX_DEPTH 64

/*
 * The length of @name without a flavour suffix ("task_struct___new"):
 * libbpf matches local and kernel types on that part alone (relo_core.c,
 * bpf_core_essential_name_len(), which it does not export).
 */
static int essential_len(const char *name)
{
	int i, n = strlen(name);

	for (i = n - 5; i >= 0; i--)
		if (name[i] != '_' && name[i + 1] == '_' && name[i + 2] == '_' &&
		    name[i + 3] == '_' && name[i + 4] != '_')
			return i + 1;
	return n;
}

static const char *kind_prefix(const struct btf_type *t)
{
	if (btf_is_struct(t))
		return "struct ";
	if (btf_is_union(t))
		return "union ";
	if (btf_is_any_enum(t))
		return "enum ";
	return "";
}

static const char *type_name(const struct btf *btf, const struct btf_type *t)
{
	const char *n = t ? btf__name_by_offset(btf, t->name_off) : NULL;

	return n && *n ? n : "(anon)";
}

/* "task_struct.__state" for access "0:0" on task_struct___new; false if it does not fit the BTF. */
static bool field_path(const struct btf *btf, __u32 root, const char *access, char *buf,
		       size_t size)
{
	const struct btf_type *t = btf__type_by_id(btf, root);
	const char *n = type_name(btf, t), *p = access;
	size_t len;
	int depth, id = root;

	len = snprintf(buf, size, "%.*s", essential_len(n), n);
	for (depth = 0; *p && depth < ACCESS_MAX_DEPTH && len < size; depth++) {
		char *end;
		unsigned long idx = strtoul(p, &end, 10);

		if (end == p || (*end && *end != ':'))
			return false;
		p = *end ? end + 1 : end;
		if (!depth) {	/* an index into the root pointer, 0 but for p[n] */
			if (idx)
				len += snprintf(buf + len, size - len, "[%lu]", idx);
			continue;
		}
		id = btf__resolve_type(btf, id);
		t = id < 0 ? NULL : btf__type_by_id(btf, id);
		if (t && btf_is_composite(t) && idx < btf_vlen(t)) {
			const struct btf_member *m = btf_members(t) + idx;
			const char *mn = btf__name_by_offset(btf, m->name_off);

			if (mn && *mn)	/* an anonymous struct or union adds no name */
				len += snprintf(buf + len, size - len, ".%s", mn);
			id = m->type;
		} else if (t && btf_is_array(t)) {
			len += snprintf(buf + len, size - len, "[%lu]", idx);
			id = btf_array(t)->type;
		} else {
			return false;
		}
	}
	return !*p && len < size;
}

/* What relocation @r checks, in @buf; false if it is no existence check or does not fit the BTF. */
static bool describe(const struct btf *btf, const struct bpf_core_relo *r, char *buf, size_t size)
{
	const struct btf_type *t = btf__type_by_id(btf, r->type_id);
	const char *access = btf__name_by_offset(btf, r->access_str_off), *n, *en;
	char path[96];
	unsigned long idx;
	char *end;

	if (!t || !access)
		return false;
	n = type_name(btf, t);
	switch (r->kind) {
	case BPF_CORE_FIELD_EXISTS:
		if (!field_path(btf, r->type_id, access, path, sizeof(path)))
			return false;
		snprintf(buf, size, "field %s exists", path);
		return true;
	case BPF_CORE_TYPE_EXISTS:
	case BPF_CORE_TYPE_MATCHES:
		snprintf(buf, size, "type %s%.*s %s", kind_prefix(t), essential_len(n), n,
			 r->kind == BPF_CORE_TYPE_EXISTS ? "exists" : "matches");
		return true;
	case BPF_CORE_ENUMVAL_EXISTS:
		idx = strtoul(access, &end, 10);
		if (end == access || *end || !btf_is_any_enum(t) || idx >= btf_vlen(t))
			return false;
		en = btf__name_by_offset(btf, btf_is_enum(t) ? btf_enum(t)[idx].name_off
							      : btf_enum64(t)[idx].name_off);
		if (!en)
			return false;
		snprintf(buf, size, "enumerator %.*s of enum %.*s exists", essential_len(en), en,
			 essential_len(n), n);
		return true;
	default:
		return false;
	}
}

/* A constant load libbpf can patch to the check's 0 or 1. */
static bool is_const_load(const struct bpf_insn *in)
{
	uint8_t cls = BPF_CLASS(in->code);

	if (in->code == (BPF_LD | BPF_IMM | BPF_DW))
		return !in->src_reg;
	return (cls == BPF_ALU || cls == BPF_ALU64) && BPF_OP(in->code) == BPF_MOV &&
	       BPF_SRC(in->code) == BPF_K;
}

/*
 * Whether libbpf takes this .BTF.ext: one it refuses (a bad func_info record
 * size...) it ignores with a warning and then patches no CO-RE constant, so
 * the verifier sees each check's compiled-in 1 and walks that side always.
 */
static bool ext_usable(const void *ext, size_t ext_sz)
{
	struct btf_ext *e = btf_ext__new(ext, ext_sz);

	if (!e)		/* libbpf 1.0: NULL and errno */
		return false;
	btf_ext__free(e);
	return true;
}

static __u32 rd32(const unsigned char *p)
{
	__u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

int core_check__find(const void *ext, size_t ext_sz, const struct btf *btf, const char *sec,
		     size_t start, const struct bpf_insn *insn, size_t cnt,
		     struct core_check **out, size_t *n)
{
	const unsigned char *p, *lim;
	struct core_check *v = NULL, *nv;
	size_t cap = 0, k = 0, len;
	__u32 rec_sz;

	*out = NULL;
	*n = 0;
	/* In the other byte order the magic does not match: no checks. */
	if (!btf || ext_sz > UINT32_MAX ||
	    btfext__core_relos(ext, ext_sz, false, &p, &len) || len < 4 || !ext_usable(ext, ext_sz))
		return 0;
	lim = p + len;
	rec_sz = rd32(p);
	p += 4;
	if (rec_sz < sizeof(struct bpf_core_relo))
		return 0;
	while (lim - p >= 8) {
		const char *name = btf__name_by_offset(btf, rd32(p));
		__u32 num = rd32(p + 4), i;

		p += 8;
		if ((size_t)(lim - p) / rec_sz < num)
			break;
		for (i = 0; name && !strcmp(name, sec) && i < num; i++) {
			struct bpf_core_relo r;
			size_t idx;

			memcpy(&r, p + (size_t)i * rec_sz, sizeof(r));
			if (r.insn_off < start || r.insn_off % sizeof(struct bpf_insn))
				continue;
			idx = (r.insn_off - start) / sizeof(struct bpf_insn);
			if (idx >= cnt || !is_const_load(&insn[idx]))
				continue;
			if (k == cap) {
				cap = cap ? cap * 2 : 8;
				nv = realloc(v, cap * sizeof(*v));
				if (!nv) {
					free(v);
					return -ENOMEM;
				}
				v = nv;
			}
			v[k].insn = idx;
			if (describe(btf, &r, v[k].cond, sizeof(v[k].cond)))
				k++;
		}
		p += (size_t)num * rec_sz;
	}
	*out = v;
	*n = k;
	return 0;
}
