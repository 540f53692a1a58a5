// SPDX-License-Identifier: BSD-2-Clause
/*
 * The object walk behind bpf_audit.h. libbpf opens the object (no kernel
 * needed) and tells each program's type, section and instructions, and
 * each map's type; the ELF relocations tell which maps and data sections a
 * program's instructions load, which libbpf does not expose before load.
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpf_audit.h"
#include "core_check.h"
#include "facilities.h"
#include "ro_branch.h"
#include "fsutil.h"

#define MAX_OBJECT_SIZE (64u << 20)

struct elf_view {
	Elf *elf;
	size_t shstrndx;
	Elf_Data *symtab;
	size_t sym_cnt;
	int symtab_strndx;
	int maps_shndx;		/* ".maps", -1 if none */
	int text_shndx;		/* ".text", -1 if none */
	Elf_Data *btf_ext;	/* ".BTF.ext", NULL if none */
};

static const char *sec_name(const struct elf_view *v, int idx)
{
	Elf_Scn *scn = elf_getscn(v->elf, idx);
	GElf_Shdr sh;

	if (!scn || !gelf_getshdr(scn, &sh))
		return NULL;
	return elf_strptr(v->elf, v->shstrndx, sh.sh_name);
}

static int view_open(struct elf_view *v, void *image, size_t size)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	const char *name;

	memset(v, 0, sizeof(*v));
	v->maps_shndx = v->text_shndx = -1;
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	v->elf = elf_memory(image, size);
	if (!v->elf || elf_kind(v->elf) != ELF_K_ELF || elf_getshdrstrndx(v->elf, &v->shstrndx))
		return -EINVAL;
	while ((scn = elf_nextscn(v->elf, scn))) {
		if (!gelf_getshdr(scn, &sh))
			return -EINVAL;
		name = elf_strptr(v->elf, v->shstrndx, sh.sh_name);
		if (sh.sh_type == SHT_SYMTAB) {
			v->symtab = elf_getdata(scn, NULL);
			if (!v->symtab || !sh.sh_entsize)
				return -EINVAL;
			v->sym_cnt = sh.sh_size / sh.sh_entsize;
			v->symtab_strndx = sh.sh_link;
		} else if (name && !strcmp(name, ".maps")) {
			v->maps_shndx = elf_ndxscn(scn);
		} else if (name && !strcmp(name, ".text")) {
			v->text_shndx = elf_ndxscn(scn);
		} else if (name && !strcmp(name, ".BTF.ext") && sh.sh_type != SHT_NOBITS) {
			v->btf_ext = elf_getdata(scn, NULL);
		}
	}
	return v->symtab ? 0 : -EINVAL;
}

/* The program's symbol: section index, offset and size in bytes. */
static int find_prog_sym(const struct elf_view *v, const char *prog, GElf_Sym *out)
{
	size_t i;

	for (i = 0; i < v->sym_cnt; i++) {
		GElf_Sym s;
		const char *n;

		if (!gelf_getsym(v->symtab, i, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC)
			continue;
		n = elf_strptr(v->elf, v->symtab_strndx, s.st_name);
		if (n && !strcmp(n, prog)) {
			*out = s;
			return 0;
		}
	}
	return -ENOENT;
}

/*
 * The name of a read-only global: its object symbol, or the one a section
 * symbol plus offset falls in (static variables), else "<section>+off".
 */
static void global_name(const struct elf_view *v, const struct ro_ref *ref, char *buf,
			size_t size)
{
	const char *n = NULL;
	GElf_Sym s, o;
	size_t i;

	if (ref->sym < 0 || !gelf_getsym(v->symtab, ref->sym, &s)) {
		snprintf(buf, size, "?");
		return;
	}
	if (GELF_ST_TYPE(s.st_info) != STT_SECTION) {
		n = elf_strptr(v->elf, v->symtab_strndx, s.st_name);
		if (ref->off)
			snprintf(buf, size, "%s+%d", n ?: "?", ref->off);
		else
			snprintf(buf, size, "%s", n ?: "?");
		return;
	}
	for (i = 0; i < v->sym_cnt; i++) {
		if (!gelf_getsym(v->symtab, i, &o) || GELF_ST_TYPE(o.st_info) != STT_OBJECT ||
		    o.st_shndx != s.st_shndx || ref->off < 0 || (uint64_t)ref->off < o.st_value ||
		    (uint64_t)ref->off >= o.st_value + o.st_size)
			continue;
		n = elf_strptr(v->elf, v->symtab_strndx, o.st_name);
		if (n) {
			snprintf(buf, size, "%s", n);
			return;
		}
	}
	snprintf(buf, size, "%s+%d", sec_name(v, s.st_shndx) ?: "?", ref->off);
}

/*
 * Where a facility is needed: always (@cond NULL or no branch), or only on
 * one side of a branch on a read-only global or a CO-RE existence check,
 * which the verifier prunes when the value rules it out: that raises the
 * conditional floor instead.
 */
struct need_ctx {
	const struct elf_view *v;
	const struct bpf_insn *insn;	/* the program's own instructions */
	const struct ro_cond *cond;	/* per instruction; NULL: all always run */
	const struct ro_ref *var;	/* per branch: the global or check it tests */
	const struct core_check *checks;	/* what var[].core indexes */
};

static void raise_floor_at(struct audit_prog *p, const struct need_ctx *n, size_t idx,
			   struct facility f, const char *what)
{
	char c[128], name[64];

	if (!f.name) {
		p->unknown++;
		return;
	}
	if (!n || !n->cond || n->cond[idx].branch < 0) {
		if (f.kv > p->floor) {
			p->floor = f.kv;
			snprintf(p->why, sizeof(p->why), "%s %s", what, f.name);
		}
		return;
	}
	if (f.kv > p->cond_floor) {
		const struct ro_cond *rc = &n->cond[idx];
		const struct ro_ref *var = &n->var[rc->branch];

		if (var->core >= 0) {	/* only the side where the check holds is conditional */
			snprintf(c, sizeof(c), "%s", n->checks[var->core].cond);
		} else {
			global_name(n->v, var, name, sizeof(name));
			ro_branch__cond_str(n->insn, rc, name, c, sizeof(c));
		}
		p->cond_floor = f.kv;
		snprintf(p->cond_why, sizeof(p->cond_why), "%s %s, only if %s", what, f.name, c);
	}
}

static void raise_floor(struct audit_prog *p, struct facility f, const char *what)
{
	raise_floor_at(p, NULL, 0, f, what);
}

static bool is_data_section(const char *n)
{
	return n && (!strncmp(n, ".rodata", 7) || !strncmp(n, ".data", 5) ||
		     !strncmp(n, ".bss", 4) || !strcmp(n, ".kconfig"));
}

/* libbpf freezes .rodata* maps: their values are constants to the verifier. */
static bool is_ro_section(const char *n)
{
	return n && !strncmp(n, ".rodata", 7);
}

typedef void (*rel_fn)(const struct elf_view *v, size_t idx, size_t symidx, const GElf_Sym *s,
		       const char *sname, void *ctx);

/* Each relocation inside the program's symbol, with its instruction index. */
static void for_each_rel(const struct elf_view *v, const GElf_Sym *ps, rel_fn fn, void *ctx)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(v->elf, scn))) {
		Elf_Data *d;
		size_t i, n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_REL || sh.sh_info != ps->st_shndx ||
		    !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		n = sh.sh_size / sh.sh_entsize;
		for (i = 0; d && i < n; i++) {
			GElf_Rel r;
			GElf_Sym s;

			if (!gelf_getrel(d, i, &r) || r.r_offset < ps->st_value ||
			    r.r_offset >= ps->st_value + ps->st_size ||
			    !gelf_getsym(v->symtab, GELF_R_SYM(r.r_info), &s))
				continue;
			fn(v, (r.r_offset - ps->st_value) / sizeof(struct bpf_insn),
			   GELF_R_SYM(r.r_info), &s,
			   elf_strptr(v->elf, v->symtab_strndx, s.st_name), ctx);
		}
	}
}

struct refs_ctx {
	const struct bpf_insn *insn;
	size_t cnt;
	struct ro_ref *refs;
	const struct btf *btf;
};

/* A .kconfig extern (libbpf fills it before load), not a ksym. */
static bool is_kconfig_extern(const struct btf *btf, const char *name)
{
	const struct btf_type *t;
	const struct btf_var_secinfo *vs;
	int id, i;

	if (!btf || !name)
		return false;
	id = btf__find_by_name_kind(btf, ".kconfig", BTF_KIND_DATASEC);
	if (id < 0)
		return false;
	t = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(t);
	for (i = 0; i < btf_vlen(t); i++, vs++) {
		const struct btf_type *var = btf__type_by_id(btf, vs->type);
		const char *vn = var ? btf__name_by_offset(btf, var->name_off) : NULL;

		if (vn && !strcmp(vn, name))
			return true;
	}
	return false;
}

static void collect_ref(const struct elf_view *v, size_t idx, size_t symidx, const GElf_Sym *s,
			const char *sname, void *ctx)
{
	struct refs_ctx *rc = ctx;
	const struct bpf_insn *in;
	bool ro;

	if (idx >= rc->cnt)
		return;
	in = &rc->insn[idx];
	if (in->code != (BPF_LD | BPF_IMM | BPF_DW) || in->src_reg)
		return;
	ro = s->st_shndx == SHN_UNDEF ? is_kconfig_extern(rc->btf, sname)
				      : s->st_shndx < SHN_LORESERVE &&
					is_ro_section(sec_name(v, s->st_shndx));
	if (!ro)
		return;
	rc->refs[idx].sym = symidx;
	rc->refs[idx].off = in->imm;
}

struct relocs_ctx {
	struct bpf_object *obj;
	struct audit_prog *p;
	const struct need_ctx *need;
	bool *calls_text;
};

/* Maps, global data, externs and subprograms a program's relocations name. */
static void scan_rel(const struct elf_view *v, size_t idx, size_t symidx, const GElf_Sym *s,
		     const char *sname, void *ctx)
{
	struct relocs_ctx *rc = ctx;
	struct audit_prog *p = rc->p;

	if (s->st_shndx == SHN_UNDEF) {
		raise_floor_at(p, rc->need, idx, facility__feature(FEAT_GLOBAL_DATA), "extern via");
	} else if ((int)s->st_shndx == v->maps_shndx && sname) {
		struct bpf_map *m = bpf_object__find_map_by_name(rc->obj, sname);
		char what[96];

		if (!m) {
			p->unknown++;
			return;
		}
		snprintf(what, sizeof(what), "map '%s':", sname);
		raise_floor_at(p, rc->need, idx, facility__map_type(bpf_map__type(m)), what);
	} else if ((int)s->st_shndx == v->text_shndx) {
		*rc->calls_text = true;
	} else if (is_data_section(sec_name(v, s->st_shndx))) {
		raise_floor_at(p, rc->need, idx, facility__feature(FEAT_GLOBAL_DATA), "uses");
	}
}

/*
 * A loop is a back edge of a depth-first walk of the control flow (what
 * kernels before 5.3 reject, check_cfg()'s "back-edge"): a jump to an
 * instruction still on the walk's path. A jump backwards to code already
 * finished is no loop, and clang lays out shared tails that way.
 */
static bool has_cycle(const struct bpf_insn *insn, size_t cnt)
{
	unsigned char *state = calloc(cnt ? cnt : 1, 1);	/* 0 new, 1 on path, 2 done */
	size_t *stack = calloc(cnt ? cnt : 1, sizeof(*stack));
	unsigned char *edge = calloc(cnt ? cnt : 1, 1);	/* next successor to try */
	size_t top = 0;
	bool cycle = false;

	if (!state || !stack || !edge || !cnt)
		goto out;
	stack[top++] = 0;
	state[0] = 1;
	while (top && !cycle) {
		size_t i = stack[top - 1];
		long next[2];

		insn__successors(insn, cnt, i, next);
		while (edge[i] < 2 && next[edge[i]] < 0)
			edge[i]++;
		if (edge[i] == 2) {
			state[i] = 2;
			top--;
			continue;
		}
		i = next[edge[i]++];
		if (state[i] == 1)
			cycle = true;
		else if (!state[i]) {
			state[i] = 1;
			stack[top++] = i;
		}
	}
out:
	free(state);
	free(stack);
	free(edge);
	return cycle;
}

static void scan_insns(const struct bpf_insn *insn, size_t cnt, struct audit_prog *p,
		       const struct need_ctx *n)
{
	size_t i;

	for (i = 0; i < cnt; i++) {
		const struct bpf_insn *in = &insn[i];
		uint8_t cls = BPF_CLASS(in->code), op = BPF_OP(in->code);
		char what[80];

		if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
			i++;	/* the second half of a 16-byte load */
			continue;
		}
		if (cls != BPF_JMP && cls != BPF_JMP32)
			continue;
		if (cls == BPF_JMP32)
			raise_floor_at(p, n, i, facility__feature(FEAT_JMP32), "uses");
		if (op == BPF_CALL) {
			if (in->src_reg == BPF_PSEUDO_CALL) {
				raise_floor_at(p, n, i, facility__feature(FEAT_BPF2BPF_CALLS), "uses");
			} else if (in->src_reg == BPF_PSEUDO_KFUNC_CALL) {
				raise_floor_at(p, n, i, facility__feature(FEAT_KFUNC_CALLS), "uses a");
			} else {
				snprintf(what, sizeof(what), "calls helper %d%s,", in->imm,
					 facility__helper_needs_kernel_btf(in->imm)
					 ? " [needs the kernel's own BTF]" : "");
				raise_floor_at(p, n, i, facility__helper(in->imm), what);
			}
			continue;
		}
		if (op == BPF_EXIT)
			continue;
		if (op == BPF_JLT || op == BPF_JLE || op == BPF_JSLT || op == BPF_JSLE)
			raise_floor_at(p, n, i, facility__feature(FEAT_JMP_V2), "uses");
	}
	if (has_cycle(insn, cnt)) {
		p->loops = true;
		raise_floor(p, facility__feature(FEAT_BOUNDED_LOOPS), "has a");
	}
}

/* "tracepoint/syscalls/sys_enter_openat2" -> its first release, if in the table. */
static void scan_attach(const char *sec, struct audit_prog *p)
{
	static const char *const prefixes[] = { "tracepoint/", "tp/", "raw_tracepoint/", "raw_tp/",
						"tp_btf/" };
	const char *name;
	struct facility f;
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(sec, prefixes[i], strlen(prefixes[i])))
			break;
	if (i == sizeof(prefixes) / sizeof(prefixes[0]))
		return;
	name = strrchr(sec, '/') + 1;
	snprintf(p->attach, sizeof(p->attach), "%s", name);
	f = facility__tracepoint(name);
	p->attach_floor = f.kv;
}

/*
 * Which of the program's instructions run only on a branch of a read-only
 * global or a CO-RE existence check (ro_branch.h, core_check.h); @n is
 * left without conditions when there is none.
 */
static int find_conditions(const struct elf_view *v, struct bpf_object *obj,
			   const struct bpf_program *prog, const GElf_Sym *ps,
			   const struct bpf_insn *insn, size_t cnt, struct need_ctx *n)
{
	struct refs_ctx rc = { insn, cnt, NULL, bpf_object__btf(obj) };
	struct core_check *checks = NULL;
	struct ro_cond *cond = NULL;
	struct ro_ref *var = NULL;
	size_t i, nchecks = 0;
	int err;

	rc.refs = calloc(cnt ? cnt : 1, sizeof(*rc.refs));
	cond = calloc(cnt ? cnt : 1, sizeof(*cond));
	var = calloc(cnt ? cnt : 1, sizeof(*var));
	if (!rc.refs || !cond || !var) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < cnt; i++) {
		rc.refs[i].sym = -1;
		rc.refs[i].core = -1;
	}
	for_each_rel(v, ps, collect_ref, &rc);
	if (v->btf_ext) {
		err = core_check__find(v->btf_ext->d_buf, v->btf_ext->d_size, rc.btf,
				       bpf_program__section_name(prog), ps->st_value, insn, cnt,
				       &checks, &nchecks);
		if (err)
			goto out;
	}
	for (i = 0; i < nchecks; i++)
		rc.refs[checks[i].insn].core = i;
	err = ro_branch__analyze(insn, cnt, rc.refs, cond, (struct ro_ref *)var);
	if (err > 0) {
		n->cond = cond;
		n->var = var;
		n->checks = checks;
		cond = NULL;
		var = NULL;
		checks = NULL;
	}
	err = err < 0 ? err : 0;
out:
	free(rc.refs);
	free(cond);
	free(var);
	free(checks);
	return err;
}

static int audit_prog(const struct elf_view *v, struct bpf_object *obj, struct bpf_program *prog,
		      const struct bpf_insn *text, size_t text_cnt, struct audit_prog *p)
{
	const struct bpf_insn *insn = bpf_program__insns(prog);
	struct need_ctx need = { v, insn, NULL, NULL, NULL };
	bool calls_text = false;
	struct relocs_ctx rc = { obj, p, &need, &calls_text };
	char what[64];
	GElf_Sym ps;
	int err;

	p->name = strdup(bpf_program__name(prog));
	p->section = strdup(bpf_program__section_name(prog));
	if (!p->name || !p->section)
		return -ENOMEM;
	if (find_prog_sym(v, p->name, &ps))
		return -EINVAL;
	p->insn_cnt = bpf_program__insn_cnt(prog);
	err = find_conditions(v, obj, prog, &ps, insn, p->insn_cnt, &need);
	if (err)
		return err;
	snprintf(what, sizeof(what), "program type");
	raise_floor(p, facility__prog_type(bpf_program__type(prog)), what);
	scan_attach(p->section, p);
	for_each_rel(v, &ps, scan_rel, &rc);
	scan_insns(insn, p->insn_cnt, p, &need);
	if (calls_text && text) {
		/* Subprograms: all of .text counts, an over-estimate that cannot miss one. */
		p->insn_cnt += text_cnt;
		scan_insns(text, text_cnt, p, NULL);
	}
	if (p->insn_cnt > AUDIT_OLD_MAX_INSNS)
		raise_floor(p, facility__feature(FEAT_LONG_PROGRAM), "is");
	/* A need at or below what the program always needs is no condition. */
	if (p->cond_floor <= p->floor) {
		p->cond_floor = 0;
		p->cond_why[0] = '\0';
	}
	free((void *)need.cond);
	free((void *)need.var);
	free((void *)need.checks);
	return 0;
}

/* Hooks: programs of one section are alternatives; keep the most portable. */
static void conclude(struct audit_report *r)
{
	struct audit_prog *worst = NULL;
	int i, k;

	for (i = 0; i < r->prog_cnt; i++) {
		struct audit_prog *p = &r->progs[i], *best = p;

		for (k = 0; k < r->prog_cnt; k++)
			if (!strcmp(r->progs[k].section, p->section) && r->progs[k].floor < best->floor)
				best = &r->progs[k];
		p->chosen = best == p;
	}
	for (i = 0; i < r->prog_cnt; i++) {
		struct audit_prog *p = &r->progs[i];

		r->unknown += p->unknown;
		if (p->chosen && (!worst || p->floor > worst->floor))
			worst = p;
	}
	if (!worst)
		return;
	r->floor = worst->floor;
	snprintf(r->why, sizeof(r->why), "%s %s", worst->name, worst->why);
	for (i = 0; i < r->prog_cnt; i++) {
		struct audit_prog *p = &r->progs[i];

		p->optional = p->attach_floor > r->floor;
		if (p->chosen && p->cond_floor > r->floor && p->cond_floor > r->cond_floor) {
			r->cond_floor = p->cond_floor;
			snprintf(r->cond_why, sizeof(r->cond_why), "%s %s", p->name, p->cond_why);
		}
	}
}

int audit__object(const void *data, size_t size, struct audit_report **out)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "audit");
	const struct bpf_insn *text = NULL;
	struct audit_report *r = NULL;
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;
	struct elf_view v = {};
	size_t text_cnt = 0;
	void *image;
	int err, n = 0;

	*out = NULL;
	/* libelf reads in place; a private copy keeps the caller's bytes const. */
	image = malloc(size ? size : 1);
	if (!image)
		return -ENOMEM;
	memcpy(image, data, size);
	err = view_open(&v, image, size);
	if (err)
		goto out;
	obj = bpf_object__open_mem(data, size, &opts);
	if (!obj) {
		err = -errno ? -errno : -EINVAL;
		goto out;
	}
	if (v.text_shndx >= 0) {
		Elf_Data *d = elf_getdata(elf_getscn(v.elf, v.text_shndx), NULL);

		if (d && d->d_size) {
			text = d->d_buf;
			text_cnt = d->d_size / sizeof(struct bpf_insn);
		}
	}
	bpf_object__for_each_program(prog, obj)
		n++;
	r = calloc(1, sizeof(*r));
	if (!r || !(r->progs = calloc(n ? n : 1, sizeof(*r->progs)))) {
		err = -ENOMEM;
		goto out;
	}
	bpf_object__for_each_program(prog, obj) {
		err = audit_prog(&v, obj, prog, text, text_cnt, &r->progs[r->prog_cnt++]);
		if (err)
			goto out;
	}
	conclude(r);
	*out = r;
	r = NULL;
out:
	audit__free(r);
	bpf_object__close(obj);
	if (v.elf)
		elf_end(v.elf);
	free(image);
	return err;
}

int audit__file(const char *path, struct audit_report **out)
{
	size_t len;
	void *data;
	int err;

	err = read_file(path, &data, &len, MAX_OBJECT_SIZE);
	if (err)
		return err;
	err = audit__object(data, len, out);
	free(data);
	return err;
}

void audit__free(struct audit_report *r)
{
	int i;

	if (!r)
		return;
	for (i = 0; i < r->prog_cnt; i++) {
		free(r->progs[i].name);
		free(r->progs[i].section);
	}
	free(r->progs);
	free(r);
}

const char *audit__kv_str(uint32_t kv, char *buf, size_t size)
{
	if (!kv)
		snprintf(buf, size, "?");
	else
		snprintf(buf, size, "%u.%u", AUDIT_KV_MAJOR(kv), AUDIT_KV_MINOR(kv));
	return buf;
}

int audit__parse_release(const char *release, uint32_t *kv)
{
	unsigned long maj, min;
	char *end;

	if (*release < '0' || *release > '9')
		return -EINVAL;
	maj = strtoul(release, &end, 10);
	if (end == release || *end != '.' || maj > 255)
		return -EINVAL;
	release = end + 1;
	if (*release < '0' || *release > '9')
		return -EINVAL;
	min = strtoul(release, &end, 10);
	if (end == release || min > 255)
		return -EINVAL;
	*kv = AUDIT_KV(maj, min);
	return 0;
}

int audit__objects_floor(const char *const *paths, int n, struct audit_floor *f)
{
	struct audit_report *r;
	int i, err;

	memset(f, 0, sizeof(*f));
	snprintf(f->why, sizeof(f->why), "no object");
	for (i = 0; i < n; i++) {
		err = audit__file(paths[i], &r);
		if (err) {
			snprintf(f->why, sizeof(f->why), "%s", paths[i]);
			return err;
		}
		if (r->floor > f->floor) {
			f->floor = r->floor;
			snprintf(f->why, sizeof(f->why), "%s: %s", paths[i], r->why);
		}
		if (r->cond_floor > f->cond_floor) {
			f->cond_floor = r->cond_floor;
			snprintf(f->cond_why, sizeof(f->cond_why), "%s: %s", paths[i], r->cond_why);
		}
		audit__free(r);
	}
	/* Another object may always need what this one needs on a branch only. */
	if (f->cond_floor <= f->floor) {
		f->cond_floor = 0;
		f->cond_why[0] = '\0';
	}
	return 0;
}

int audit__floor_set(struct audit_floor *f, const char *arg)
{
	uint32_t kv;
	char *end;
	unsigned long maj, min;

	if (*arg < '0' || *arg > '9')
		return -EINVAL;
	maj = strtoul(arg, &end, 10);
	if (*end != '.' || maj > 255 || end[1] < '0' || end[1] > '9')
		return -EINVAL;
	min = strtoul(end + 1, &end, 10);
	if (*end || min > 255)
		return -EINVAL;
	kv = AUDIT_KV(maj, min);
	memset(f, 0, sizeof(*f));
	f->floor = kv;
	f->manual = true;
	snprintf(f->why, sizeof(f->why), "--floor %lu.%lu", maj, min);
	return 0;
}

void audit__gate_summary(const struct audit_floor *f, size_t skipped, const char *example,
			 char *buf, size_t size)
{
	char kv[16], ckv[16];
	int n;

	n = snprintf(buf, size, "skipped %zu kernel%s older than Linux %s, the floor set by %s "
		     "(e.g. %s)", skipped, skipped == 1 ? "" : "s",
		     audit__kv_str(f->floor, kv, sizeof(kv)), f->why, example);
	if (n < 0 || (size_t)n >= size)
		return;
	if (f->cond_floor)
		snprintf(buf + n, size - n, "; Linux %s only under a load-time condition (%s)",
			 audit__kv_str(f->cond_floor, ckv, sizeof(ckv)), f->cond_why);
	n += strlen(buf + n);
	if ((size_t)n < size)
		snprintf(buf + n, size - n, "; --all-kernels keeps them, --floor X.Y sets the floor");
}

bool audit__release_below(const char *release, uint32_t floor)
{
	uint32_t kv;

	return !audit__parse_release(release, &kv) && kv < floor;
}
