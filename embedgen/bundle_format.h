/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * On-disk layout of a btfkit bundle (.btfb), shared by the writer (embedgen)
 * and the reader (libbtfbundle). See FORMAT.md for the prose version.
 *
 * All integers are little-endian u32; the whole bundle is below 4 GiB. The
 * reader never assumes alignment (a linked-in table may sit anywhere), so
 * fields are read with memcpy, never through these structs' pointers.
 */
#ifndef BTFKIT_BUNDLE_FORMAT_H
#define BTFKIT_BUNDLE_FORMAT_H

#include <stdint.h>
#include <string.h>

#define BTFB_MAGIC		"BTFKITB\0"
#define BTFB_MAGIC_LEN		8
#define BTFB_VERSION		1
#define BTFB_NO_REF		0xffffffffu
/* Longest delta chain a reader follows; bounds the work of one lookup. */
#define BTFB_MAX_DEPTH		16
/* Largest BTF a blob may decompress to (a full vmlinux BTF is ~30 MB). */
#define BTFB_MAX_RAW_SIZE	(256u << 20)

struct btfb_header {
	char magic[BTFB_MAGIC_LEN];
	uint32_t version;
	uint32_t hdr_len;
	uint32_t codec;		/* enum btf_bundle_codec */
	uint32_t flags;		/* none defined; must be 0 */
	uint32_t entry_cnt;
	uint32_t blob_cnt;
	uint32_t object_cnt;
	uint32_t max_depth;	/* deepest delta chain in this bundle */
	uint32_t str_off;	/* string table: NUL-terminated strings */
	uint32_t str_len;
	uint32_t obj_off;	/* object_cnt x struct btfb_object */
	uint32_t entry_off;	/* entry_cnt x struct btfb_entry, key order */
	uint32_t alt_off;	/* entry_cnt x u32 entry ids, fallback order */
	uint32_t blob_off;	/* blob_cnt x struct btfb_blob */
	uint32_t data_off;	/* compressed streams */
	uint32_t data_len;
	uint32_t prov_str;	/* string offset of the provenance text */
	uint32_t total_len;	/* size of the whole bundle */
	uint32_t meta_crc;	/* crc32 of [0, data_off) with this field zero */
	uint32_t reserved[3];
};

/* SHA-256 of a BPF object the BTFs were reduced against, and its name. */
struct btfb_object {
	uint8_t sha256[32];
	uint32_t name_str;
};

/*
 * Index entry. Entries are sorted by (arch, distro, version, release) with
 * strcmp() on each field, so a lookup is a binary search. The alt table
 * orders the same entries by (arch, distro, release, version) for the
 * "same release, another version" fallback, also a binary search.
 */
struct btfb_entry {
	uint32_t arch_str;
	uint32_t distro_str;
	uint32_t version_str;
	uint32_t release_str;
	uint32_t blob;
	uint32_t reserved;
};

/*
 * One distinct BTF. Its stream is compressed with the raw bytes of blob
 * @ref as a preset dictionary (LZMA2 preset_dict, or a deflate dictionary),
 * like a delta in a git pack: similar kernels cost only their differences.
 * ref < own index, so chains end; depth = 1 + depth(ref), 0 without ref.
 */
struct btfb_blob {
	uint32_t data_off;	/* relative to header.data_off */
	uint32_t comp_size;
	uint32_t raw_size;
	uint32_t crc32;		/* zlib crc32 of the raw bytes */
	uint32_t ref;		/* BTFB_NO_REF or a smaller blob index */
	uint32_t depth;
};

#define BTFB_HEADER_LEN		((uint32_t)sizeof(struct btfb_header))
#define BTFB_OBJECT_LEN		((uint32_t)sizeof(struct btfb_object))
#define BTFB_ENTRY_LEN		((uint32_t)sizeof(struct btfb_entry))
#define BTFB_BLOB_LEN		((uint32_t)sizeof(struct btfb_blob))

_Static_assert(sizeof(struct btfb_header) == 96, "header layout");
_Static_assert(sizeof(struct btfb_object) == 36, "object layout");
_Static_assert(sizeof(struct btfb_entry) == 24, "entry layout");
_Static_assert(sizeof(struct btfb_blob) == 24, "blob layout");

static inline uint32_t btfb_le32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline void btfb_put_le32(void *p, uint32_t v)
{
	uint8_t *b = p;

	b[0] = v; b[1] = v >> 8; b[2] = v >> 16; b[3] = v >> 24;
}

/* Convert a struct of u32 fields between little-endian bytes and host order. */
static inline void btfb_load_u32s(void *dst, const void *src, size_t n_u32)
{
	uint32_t *d = dst;
	size_t i;

	for (i = 0; i < n_u32; i++)
		d[i] = btfb_le32((const uint8_t *)src + 4 * i);
}

static inline void btfb_store_u32s(void *dst, const void *src, size_t n_u32)
{
	const uint32_t *s = src;
	size_t i;

	for (i = 0; i < n_u32; i++)
		btfb_put_le32((uint8_t *)dst + 4 * i, s[i]);
}

#endif
