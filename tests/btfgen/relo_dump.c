// SPDX-License-Identifier: BSD-2-Clause
/*
 * relo_dump: every CO-RE relocation of a BPF object as libbpf resolves it
 * against a target BTF, one line each, so that two target BTFs can be
 * compared by what libbpf makes of them rather than by their bytes.
 *
 * Built against libbpf's own source (relo_dump.sh), not the installed
 * library: it calls what bpf_object__relocate_core() calls, unchanged —
 * bpf_core_add_cands() for the candidates (the vmlinux path with the target
 * as btf_custom_path: no module BTFs), bpf_core_calc_relo_insn() for the
 * result, bpf_core_patch_insn() on a copy of the instruction.
 *
 * Each line: section, relocation index, instruction, relocation kind, the
 * local type and access string, then either "error N" or the result:
 * poison, validate, original and new value, original and new size,
 * fail_memsz_adjust, the target type, and the patched instruction. Target
 * type IDs are printed as the type they name (kind, name, size), never as
 * numbers: renumbering the target's types is allowed to change those, and
 * nothing else.
 *
 * Usage: relo_dump [-v] OBJECT.bpf.o TARGET.btf
 * Exit: 0, 1 on error (one line on stderr).
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libbpf.h"
#include "btf.h"
#include "libbpf_internal.h"
#include "relo_core.h"

static const char *prog = "relo_dump";
static int verbose;

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return verbose || level == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* A section's bytes by name, from the object's ELF. */
static void *section_data(Elf *elf, const char *name, size_t *size)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *n;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh))
			continue;
		n = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!n || strcmp(n, name) || sh.sh_type != SHT_PROGBITS)
			continue;
		d = elf_getdata(scn, NULL);
		if (!d)
			return NULL;
		*size = d->d_size;
		return d->d_buf;
	}
	return NULL;
}

/* A type as what it is, not its ID: "struct task_struct size=9792". */
static void print_type(const struct btf *btf, __u32 id)
{
	const struct btf_type *t;
	const char *name;

	if (id == 0) {
		printf("void");
		return;
	}
	t = btf__type_by_id(btf, id);
	if (!t) {
		printf("bad-id");
		return;
	}
	name = btf__name_by_offset(btf, t->name_off);
	printf("%s '%s'", btf_kind_str(t), name ?: "");
	if (btf_is_composite(t) || btf_is_any_enum(t) || btf_is_int(t) || btf_is_float(t))
		printf(" size=%u", t->size);
}

static struct bpf_core_cand_list *find_cands(const struct btf *local, __u32 id,
					     const struct btf *targ)
{
	struct bpf_core_cand local_cand = { .btf = local, .id = id };
	struct bpf_core_cand_list *cands;
	const struct btf_type *t = btf__type_by_id(local, id);
	const char *name = t ? btf__name_by_offset(local, t->name_off) : NULL;
	int err;

	cands = calloc(1, sizeof(*cands));
	if (!cands)
		die("out of memory");
	if (str_is_empty(name))
		return cands;
	err = bpf_core_add_cands(&local_cand, bpf_core_essential_name_len(name), targ,
				 "vmlinux", 1, cands);
	if (err)
		die("candidates of [%u] %s: %d", id, name, err);
	return cands;
}

int main(int argc, char **argv)
{
	const struct btf_ext_info_sec *sec;
	const struct bpf_core_relo *rec;
	const struct btf_ext_info *seg;
	struct btf_ext *ext = NULL;
	struct btf *local, *targ;
	const char *obj_path, *btf_path;
	Elf *elf;
	int fd, i, n = 0;

	if (argc > 1 && !strcmp(argv[1], "-v")) {
		verbose = 1;
		argv++;
		argc--;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: %s [-v] OBJECT.bpf.o TARGET.btf\n", prog);
		return 1;
	}
	obj_path = argv[1];
	btf_path = argv[2];
	libbpf_set_print(print_fn);

	local = btf__parse_elf(obj_path, &ext);
	if (!local)
		die("%s: cannot read its BTF: %s", obj_path, strerror(errno));
	if (!ext || !ext->core_relo_info.len)
		die("%s: no CO-RE relocations", obj_path);
	targ = btf__parse(btf_path, NULL);
	if (!targ)
		die("%s: not BTF libbpf accepts: %s", btf_path, strerror(errno));

	elf_version(EV_CURRENT);
	fd = open(obj_path, O_RDONLY | O_CLOEXEC);
	elf = fd < 0 ? NULL : elf_begin(fd, ELF_C_READ, NULL);
	if (!elf)
		die("%s: not ELF", obj_path);

	seg = &ext->core_relo_info;
	for_each_btf_ext_sec(seg, sec) {
		const char *sec_name = btf__name_by_offset(local, sec->sec_name_off);
		struct bpf_insn *insns;
		size_t size = 0;

		if (str_is_empty(sec_name))
			die("%s: a CO-RE section without a name", obj_path);
		insns = section_data(elf, sec_name, &size);
		if (!insns)
			die("%s: no section '%s'", obj_path, sec_name);
		for_each_btf_ext_rec(seg, sec, i, rec) {
			struct bpf_core_spec specs[3] = {};
			struct bpf_core_cand_list *cands = NULL;
			struct bpf_core_relo_res res = {};
			struct bpf_insn insn[2] = {};
			size_t idx = rec->insn_off / sizeof(struct bpf_insn);
			const char *access = btf__name_by_offset(local, rec->access_str_off);
			int err, perr;

			if (rec->insn_off % sizeof(struct bpf_insn) ||
			    (idx + 1) * sizeof(struct bpf_insn) > size)
				die("%s: '%s' relo #%d: instruction %u out of the section",
				    obj_path, sec_name, i, rec->insn_off);
			memcpy(insn, insns + idx,
			       (idx + 2) * sizeof(struct bpf_insn) <= size ? sizeof(insn)
									    : sizeof(insn[0]));
			if (rec->kind != BPF_CORE_TYPE_ID_LOCAL)
				cands = find_cands(local, rec->type_id, targ);
			err = bpf_core_calc_relo_insn(sec_name, rec, i, local, cands, specs, &res);
			bpf_core_free_cands(cands);

			printf("%s #%d insn %zu kind %d local ", sec_name, i, idx, rec->kind);
			print_type(local, rec->type_id);
			printf(" access %s: ", access ?: "?");
			n++;
			if (err) {
				printf("error %d\n", err);
				continue;
			}
			perr = bpf_core_patch_insn(sec_name, insn, idx, rec, i, &res);
			printf("poison %d validate %d orig %llu ", res.poison, res.validate,
			       (unsigned long long)res.orig_val);
			if (rec->kind == BPF_CORE_TYPE_ID_TARGET && !res.poison) {
				printf("new ");
				print_type(targ, res.new_val);
			} else {
				printf("new %llu", (unsigned long long)res.new_val);
			}
			printf(" sz %u->%u memsz_fail %d target ", res.orig_sz, res.new_sz,
			       res.fail_memsz_adjust);
			print_type(targ, res.new_type_id);
			if (perr)
				printf(" patch-error %d\n", perr);
			else
				/* The immediate of a target type ID is that ID: shown above. */
				printf(" insn %02x %x %x %d %d\n", insn[0].code, insn[0].dst_reg,
				       insn[0].src_reg, insn[0].off,
				       rec->kind == BPF_CORE_TYPE_ID_TARGET ? 0 : insn[0].imm);
		}
	}
	if (!n)
		die("%s: no CO-RE relocations", obj_path);
	elf_end(elf);
	close(fd);
	btf__free(targ);
	btf__free(local);
	btf_ext__free(ext);
	return 0;
}
