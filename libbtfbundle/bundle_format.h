/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * On-disk layout of a btfkit bundle (.btfb), shared by the writer (embedgen)
 * and the reader (libbtfbundle). FORMAT.md is the prose version.
 *
 * All integers are little-endian u32; a bundle is below 4 GiB. The reader
 * never assumes alignment (a linked-in table may sit anywhere), so fields
 * are read with btfb_load_u32s(), never through pointers to these structs.
 *
 * Shape: an SSTable-like two-level index over solid-compressed blocks.
 * The top level (one compressed metadata stream, decoded at open) holds
 * one record per index chunk (its first key) and one per blob block. A lookup binary-searches the chunk records,
 * decompresses one small chunk, binary-searches it, then decompresses the
 * one block holding the BTF. Blocks are compressed with a shared preset
 * dictionary sampled from the bundle's own BTFs.
 */
#ifndef BTFKIT_BUNDLE_FORMAT_H
#define BTFKIT_BUNDLE_FORMAT_H

#include <stdint.h>
#include <string.h>

#define BTFB_MAGIC		"BTFKITB\0"
#define BTFB_MAGIC_LEN		8
/*
 * 5: index chunks hold varint columns and front-coded strings. 4 had u32
 * columns and whole strings; 4 and 5: every crc covers stored bytes (a
 * stream's compressed bytes, the metadata as stored), so a read checks a
 * block and decodes it only up to its BTF. 3 had crcs of decoded bytes; 2 kept the
 * metadata raw behind a 104-byte header; 1 held file SHA-256s as object
 * digests.
 */
#define BTFB_VERSION		5
/*
 * Upper bounds a reader enforces at open, from the header and the records
 * alone, and the writer respects. Whatever a file claims, opening, listing
 * and looking up stay within BTFB_MAX_META_SIZE + BTFB_MAX_INDEX_SIZE of
 * memory and decoding, and reading one BTF adds one dictionary and one
 * block (FORMAT.md, "Limits").
 */
#define BTFB_MAX_RAW_SIZE	(16u << 20)	/* one BTF (a full vmlinux BTF is 2-8 MB) */
#define BTFB_MAX_BLOCK_SIZE	(BTFB_MAX_RAW_SIZE + (64u << 10))	/* one decoded block */
#define BTFB_MAX_DICT_SIZE	(1u << 20)	/* the decoded dictionary */
#define BTFB_MAX_INDEX_SIZE	(8u << 20)	/* all decoded index chunks together */
#define BTFB_MAX_META_SIZE	(8u << 20)	/* the decoded metadata (decoded at open up to an inline block) */

/*
 * Largest compressed size of a stream of @raw bytes: LZMA2 and deflate store
 * incompressible data with a few bytes of framing per 64 KiB or less.
 */
static inline uint64_t btfb_max_comp(uint32_t raw)
{
	return (uint64_t)raw + raw / 16 + 1024;
}

/*
 * The only part read before anything is decoded: what the metadata stream
 * costs to decode, bounded here, and one crc over this header (crc taken
 * as zero) followed by the metadata as stored. A stored metadata stream
 * (meta_comp 0) is meta_raw bytes as they are.
 */

struct btfb_header {
	char magic[BTFB_MAGIC_LEN];
	uint32_t version;
	uint32_t codec;		/* enum btf_bundle_codec */
	uint32_t meta_comp;	/* the metadata stream, right after the header; 0: stored */
	uint32_t meta_raw;
	uint32_t total_len;	/* size of the whole bundle; the data area is its tail */
	uint32_t crc;
};

/* The metadata's size in the file: its stream, or meta_raw bytes stored. */
static inline uint32_t btfb_meta_size(const struct btfb_header *h)
{
	return h->meta_comp ? h->meta_comp : h->meta_raw;
}

/*
 * A compressed stream in the data area (the bundle's tail, after the
 * metadata stream), or an inline one: raw bytes in the metadata's inline
 * area, which a bundle of one chunk or one block uses to spare a stream's
 * framing and record.
 */
struct btfb_stream {
	uint32_t off;		/* from the data area's start; inline: from the metadata's */
	uint32_t comp;		/* 0: inline */
	uint32_t raw;
	uint32_t crc;		/* zlib crc32 of the comp stored bytes; inline: 0 */
};

/*
 * The decoded metadata: this struct, then object_cnt struct btfb_object,
 * chunk_cnt struct btfb_chunk (key order), block_cnt struct btfb_block
 * (blob order), str_len bytes of top-level strings (NUL-terminated, sorted,
 * "" at 0), and the inline area: the raw bytes of inline streams.
 */
struct btfb_meta {
	uint32_t entry_cnt;
	uint32_t blob_cnt;	/* distinct BTFs */
	uint32_t object_cnt;
	uint32_t chunk_cnt;
	uint32_t block_cnt;
	uint32_t str_len;
	uint32_t prov_str;	/* string offset of the provenance text */
	struct btfb_stream dict;	/* raw 0: no dictionary */
};

/* CO-RE digest of a BPF object the BTFs were reduced against, and its name. */
struct btfb_object {
	uint8_t sha256[32];	/* btf_bundle__object_digest() */
	uint32_t name_str;
};

/*
 * Index chunk record: the first key of the chunk (top-level string
 * offsets) and its entry count. Chunks partition the entries, which are
 * sorted by (arch, distro, version, release), strcmp() on each field.
 */
struct btfb_chunk {
	uint32_t arch_str;
	uint32_t distro_str;
	uint32_t version_str;
	uint32_t release_str;
	uint32_t entry_cnt;
	struct btfb_stream s;
};

/* Blob block record: blocks partition the blobs in blob-id order. */
struct btfb_block {
	uint32_t blob_cnt;
	struct btfb_stream s;
};

/*
 * Decompressed chunk (no dictionary): u32 entry_cnt (n), u32 str_len, u32
 * str_cnt, then the entries column by column (n arch_str, n distro_str, n
 * version_str, n release_str, n blob, n raw_size), each value the
 * difference from the previous one of its column (mod 2^32, taken as a
 * signed 32-bit number) as a zigzag LEB128 varint of at most 5 bytes, then
 * str_cnt front-coded strings: a byte, how many leading bytes the string
 * shares with the previous one (at most that one's length), then the rest
 * of it and a NUL. Rebuilt, the strings are the chunk's string table:
 * str_len bytes, each string NUL-terminated, which the string fields index.
 * Decoding a chunk is most of a lookup's cost: in this form 1000 synthetic
 * entries decode 4x faster than as u32 columns and whole strings, and
 * compress smaller.
 */
#define BTFB_CHUNK_HDR_LEN	12u

struct btfb_chunk_entry {
	uint32_t arch_str;	/* chunk-local string offsets */
	uint32_t distro_str;
	uint32_t version_str;
	uint32_t release_str;
	uint32_t blob;		/* global blob id */
	uint32_t raw_size;	/* size of that blob's BTF */
};

/*
 * Decompressed block: u32 blob_cnt, blob_cnt u32 sizes, then the BTFs back
 * to back. Compressed with the dictionary as preset (LZMA2 preset_dict,
 * deflate dictionary). The block's crc32 covers its compressed bytes and is
 * checked on every read, which then decodes only up to the BTF it wants;
 * a per-BTF checksum would cost 4 incompressible bytes per kernel, a third
 * of what a whole solid archive spends on one.
 */

#define BTFB_HEADER_LEN		((uint32_t)sizeof(struct btfb_header))
#define BTFB_META_LEN		((uint32_t)sizeof(struct btfb_meta))
#define BTFB_OBJECT_LEN		((uint32_t)sizeof(struct btfb_object))
#define BTFB_CHUNK_LEN		((uint32_t)sizeof(struct btfb_chunk))
#define BTFB_BLOCK_LEN		((uint32_t)sizeof(struct btfb_block))
#define BTFB_CENTRY_LEN		((uint32_t)sizeof(struct btfb_chunk_entry))

_Static_assert(sizeof(struct btfb_header) == 32, "header layout");
_Static_assert(sizeof(struct btfb_meta) == 44, "metadata layout");
_Static_assert(sizeof(struct btfb_object) == 36, "object layout");
_Static_assert(sizeof(struct btfb_chunk) == 36, "chunk layout");
_Static_assert(sizeof(struct btfb_block) == 20, "block layout");
_Static_assert(sizeof(struct btfb_chunk_entry) == 24, "chunk entry layout");

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
