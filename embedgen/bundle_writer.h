/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Build a bundle in memory (embedgen's core). Not part of the runtime
 * library: only embedgen and the tests link it.
 */
#ifndef BTFKIT_BUNDLE_WRITER_H
#define BTFKIT_BUNDLE_WRITER_H

#include <stddef.h>
#include <stdint.h>

struct bundle_writer;

struct bundle_writer_opts {
	uint32_t codec;		/* enum btf_bundle_codec; default xz */
	/* Each is capped at the reader's limits (bundle_format.h, BTFB_MAX_*). */
	uint32_t block_size;	/* raw bytes of BTF per block; default 128 KiB */
	uint32_t chunk_size;	/* raw bytes per index chunk; default 32 KiB */
	uint32_t dict_size;	/* shared dictionary budget; default 4 KiB, 0 = none */
};

struct bundle_stats {
	uint32_t entries;
	uint32_t blobs;		/* distinct BTFs */
	uint32_t blocks;	/* solid-compressed blob blocks */
	uint32_t chunks;	/* index chunks */
	uint32_t dict_raw;	/* dictionary bytes (raw) */
	uint64_t meta_bytes;	/* header and metadata stream (records, strings, inline) */
	uint64_t raw_bytes;	/* sum of all entries' BTF sizes */
	uint64_t unique_bytes;	/* sum of distinct BTF sizes */
	uint64_t bundle_bytes;
};

struct bundle_writer *bundle_writer__new(const struct bundle_writer_opts *opts);
void bundle_writer__free(struct bundle_writer *w);
/* Record a BPF object the BTFs were reduced against. */
int bundle_writer__add_object(struct bundle_writer *w, const char *name, const uint8_t sha256[32]);
/* Provenance text ("key=value" lines). */
int bundle_writer__set_provenance(struct bundle_writer *w, const char *text);
/*
 * Add one kernel's BTF (copied). @origin names the input for error messages.
 * Duplicate keys are detected by bundle_writer__finish().
 */
int bundle_writer__add(struct bundle_writer *w, const char *arch, const char *distro,
		       const char *version, const char *release,
		       const void *data, size_t len, const char *origin);
/*
 * Lay the bundle out. *out is malloc()ed. Returns 0, or -EEXIST for one key
 * given twice with different BTF (both origins are reported through
 * pr_err), -EFBIG if it would exceed the format's 4 GiB or a reader's
 * limits on the metadata and the index (bundle_format.h).
 */
int bundle_writer__finish(struct bundle_writer *w, void **out, size_t *out_len,
			  struct bundle_stats *stats);

#endif
