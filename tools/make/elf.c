// SPDX-License-Identifier: BSD-2-Clause
/*
 * A vmlinux ELF: its .BTF section (libelf), or, when it has only DWARF (or
 * --prefer dbg asks for DWARF), pahole (pahole.c). A -dbg vmlinux of a
 * kernel built with CONFIG_DEBUG_INFO_BTF carries both. Section headers come from libelf, which checks that the
 * table lies in the file; every section used is checked again here against
 * the file's size before a byte of it is read.
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>

#include "errmsg.h"
#include "make_internal.h"
#include "readers.h"

/* More sections than any vmlinux has (about 40, a few thousand with -ffunction-sections). */
#define ELF_MAX_SECTIONS (1u << 20)

int elf__btf(struct make_job *job, int fd, uint64_t size)
{
	GElf_Shdr btf_sh = { 0 };
	size_t shnum, shstrndx;
	bool has_btf = false, has_dwarf = false;
	Elf_Scn *scn = NULL;
	Elf *elf;
	int err = 0;

	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF)
		err = job__fail(job, -EBADMSG, "not a valid ELF file: %s", elf_errmsg(-1));
	else if (elf_getshdrnum(elf, &shnum) || elf_getshdrstrndx(elf, &shstrndx))
		err = job__fail(job, -EBADMSG, "ELF section headers: %s", elf_errmsg(-1));
	else if (shnum > ELF_MAX_SECTIONS)
		err = job__fail(job, -EBADMSG, "ELF claims %zu sections", shnum);
	while (!err && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh)) {
			err = job__fail(job, -EBADMSG, "ELF section header: %s", elf_errmsg(-1));
			break;
		}
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name)
			continue;
		if (!strcmp(name, ".BTF")) {
			btf_sh = sh;
			has_btf = true;
		} else if (!strcmp(name, ".debug_info") && sh.sh_type != SHT_NOBITS && sh.sh_size) {
			has_dwarf = true;
		}
	}
	elf_end(elf);
	if (err)
		return err;
	/* --prefer dbg: DWARF wherever there is some, even beside a .BTF */
	if (has_dwarf && (!has_btf || job->m->prefer == MAKE_PREFER_DBG)) {
		job__how(job, "dwarf");
		return pahole__btf(job, fd);
	}
	if (has_btf) {
		if (btf_sh.sh_type == SHT_NOBITS || btf_sh.sh_offset > size ||
		    btf_sh.sh_size > size - btf_sh.sh_offset)
			return job__fail(job, -EBADMSG,
					 ".BTF section (offset %llu, %llu bytes) lies outside the file",
					 (unsigned long long)btf_sh.sh_offset,
					 (unsigned long long)btf_sh.sh_size);
		job__how(job, "elf");
		return infile__take_btf(job, fd, btf_sh.sh_offset, btf_sh.sh_size);
	}
	return job__fail(job, -ENOMSG, "ELF without .BTF and without DWARF (.debug_info)");
}
