// SPDX-License-Identifier: BSD-2-Clause
/*
 * What binds a bundle to a BPF object: not the ELF file (llvm-strip -g, a
 * rebuild or another linker changes it while the CO-RE needs stay the same)
 * but what btfgen's reduction depends on: the object's .BTF (the local
 * types relocations are resolved against) and the CO-RE relocation records
 * of .BTF.ext (which types and fields are accessed). Function and line info
 * are left out. Only section headers are read, never the whole file: the
 * cost is hashing those two sections.
 */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "btf_bundle.h"
#include "btfext.h"
#include "sha256.h"

#define DIGEST_DOMAIN "btfkit CO-RE digest 1"

struct elf_view {
	const uint8_t *data;
	size_t size;
	bool swap;	/* object's byte order differs from ours */
};

static uint16_t rd16(const struct elf_view *e, const void *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return e->swap ? __builtin_bswap16(v) : v;
}

static uint32_t rd32(const struct elf_view *e, const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return e->swap ? __builtin_bswap32(v) : v;
}

static uint64_t rd64(const struct elf_view *e, const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return e->swap ? __builtin_bswap64(v) : v;
}

/* [off, off + len) inside the object? */
static bool in_bounds(const struct elf_view *e, uint64_t off, uint64_t len)
{
	return off <= e->size && len <= e->size - off;
}

struct section {
	const uint8_t *data;
	size_t size;
};

/* .BTF and .BTF.ext of an ELF64 object (BPF objects are ELF64 only). */
static int find_sections(const struct elf_view *e, struct section *btf, struct section *ext)
{
	const Elf64_Ehdr *eh = (const void *)e->data;
	uint64_t shoff;
	uint16_t shnum, shentsize, shstrndx, i;
	const uint8_t *shstr_sh;
	uint64_t str_off, str_size;

	shoff = rd64(e, &eh->e_shoff);
	shnum = rd16(e, &eh->e_shnum);
	shentsize = rd16(e, &eh->e_shentsize);
	shstrndx = rd16(e, &eh->e_shstrndx);
	if (shentsize < sizeof(Elf64_Shdr) || !shnum || shstrndx >= shnum ||
	    !in_bounds(e, shoff, (uint64_t)shnum * shentsize))
		return -EINVAL;
	shstr_sh = e->data + shoff + (uint64_t)shstrndx * shentsize;
	str_off = rd64(e, shstr_sh + offsetof(Elf64_Shdr, sh_offset));
	str_size = rd64(e, shstr_sh + offsetof(Elf64_Shdr, sh_size));
	if (!in_bounds(e, str_off, str_size))
		return -EINVAL;
	for (i = 0; i < shnum; i++) {
		const uint8_t *sh = e->data + shoff + (uint64_t)i * shentsize;
		uint32_t name = rd32(e, sh + offsetof(Elf64_Shdr, sh_name));
		uint64_t off = rd64(e, sh + offsetof(Elf64_Shdr, sh_offset));
		uint64_t size = rd64(e, sh + offsetof(Elf64_Shdr, sh_size));
		const char *s = (const char *)e->data + str_off + name;
		size_t room = name < str_size ? str_size - name : 0;
		struct section *dst;

		if (room >= sizeof(".BTF") && !memcmp(s, ".BTF", sizeof(".BTF")))
			dst = btf;
		else if (room >= sizeof(".BTF.ext") && !memcmp(s, ".BTF.ext", sizeof(".BTF.ext")))
			dst = ext;
		else
			continue;
		if (rd32(e, sh + offsetof(Elf64_Shdr, sh_type)) == SHT_NOBITS ||
		    !in_bounds(e, off, size))
			return -EINVAL;
		dst->data = e->data + off;
		dst->size = size;
	}
	return btf->data ? 0 : -ENOMSG;
}

/* The core_relo subsection of .BTF.ext (btfext.h); empty if the object has none. */
static int core_relos(const struct elf_view *e, const struct section *ext, struct section *out)
{
	return btfext__core_relos(ext->data, ext->size, e->swap, &out->data, &out->size);
}

static void hash_len(struct sha256_ctx *c, uint64_t n)
{
	uint8_t le[8];
	int i;

	for (i = 0; i < 8; i++)
		le[i] = n >> (8 * i);
	sha256_update(c, le, sizeof(le));
}

int btf_bundle__object_digest(const void *obj, size_t obj_sz, uint8_t digest[BTF_BUNDLE_DIGEST_LEN])
{
	struct elf_view e = { obj, obj_sz, false };
	struct section btf = {}, ext = {}, relo;
	struct sha256_ctx c;
	int err;

	if (!obj || !digest || obj_sz < sizeof(Elf64_Ehdr) || memcmp(obj, ELFMAG, SELFMAG) ||
	    e.data[EI_CLASS] != ELFCLASS64)
		return -EINVAL;
	e.swap = (e.data[EI_DATA] == ELFDATA2MSB) != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
	err = find_sections(&e, &btf, &ext);
	if (!err)
		err = core_relos(&e, &ext, &relo);
	if (err)
		return err;
	sha256_init(&c);
	sha256_update(&c, DIGEST_DOMAIN, sizeof(DIGEST_DOMAIN));
	hash_len(&c, btf.size);
	sha256_update(&c, btf.data, btf.size);
	hash_len(&c, relo.size);
	sha256_update(&c, relo.data, relo.size);
	sha256_final(&c, digest);
	return 0;
}

int elf_btf_size(const void *data, size_t size, uint64_t *btf_size)
{
	struct elf_view e = { data, size, false };
	struct section btf = {}, ext = {};
	int err;

	if (size < sizeof(Elf64_Ehdr) || memcmp(data, ELFMAG, SELFMAG))
		return -EINVAL;
	if (e.data[EI_CLASS] != ELFCLASS64)
		return -EOPNOTSUPP;
	e.swap = (e.data[EI_DATA] == ELFDATA2MSB) != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
	err = find_sections(&e, &btf, &ext);
	if (!err)
		*btf_size = btf.size;
	return err;
}
