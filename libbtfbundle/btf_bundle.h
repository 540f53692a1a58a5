/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libbtfbundle: read btfkit BTF bundles, the indexed, compressed tables of
 * reduced BTFs that embedgen writes (format: libbtfbundle/FORMAT.md).
 *
 * A tracer links a bundle in (or loads a standalone .btfb file), identifies
 * the host kernel, finds its entry by binary search and gets the BTF back as
 * bytes, as a struct btf, or as a memfd path for libbpf's btf_custom_path;
 * no temporary files are written.
 *
 * Conventions follow libbpf: constructors return NULL and set errno, other
 * functions return 0 (or a count/index) or a negative errno. Every offset
 * and size in a bundle is checked before use; a corrupt bundle gives -EBADMSG
 * (bad structure) or -EILSEQ (checksum mismatch), never a crash. Nothing is
 * printed except through the callback set with btf_bundle_set_print().
 * The
 * library keeps no global state except the print callback. Decompressed
 * index chunks are cached in the bundle (published atomically), so a
 * bundle may be shared by threads.
 */
#ifndef BTFKIT_BTF_BUNDLE_H
#define BTFKIT_BTF_BUNDLE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BTF_BUNDLE_API __attribute__((visibility("default")))

struct btf;
struct btf_bundle;

enum btf_bundle_codec {
	BTF_BUNDLE_CODEC_XZ = 1,	/* raw LZMA2 (liblzma) */
	BTF_BUNDLE_CODEC_ZLIB = 2,	/* raw deflate (zlib) */
};

enum btf_bundle_print_level {
	BTF_BUNDLE_WARN,
	BTF_BUNDLE_INFO,
	BTF_BUNDLE_DEBUG,
};

typedef int (*btf_bundle_print_fn_t)(enum btf_bundle_print_level level,
				     const char *fmt, va_list ap);
/*
 * Set the print callback; NULL silences the library. Returns the previous
 * one. The default prints warnings to stderr. Not thread-safe: call it once
 * at start-up, like libbpf_set_print().
 */
BTF_BUNDLE_API btf_bundle_print_fn_t btf_bundle_set_print(btf_bundle_print_fn_t fn);

struct btf_bundle_open_opts {
	size_t sz;	/* sizeof(struct btf_bundle_open_opts), set by LIBBPF_OPTS-like init */
	/*
	 * BPF object (ELF bytes) the caller will load with the BTF. When set,
	 * open fails with -ESTALE unless the bundle was reduced against an
	 * object with this content (SHA-256). Default: not checked.
	 */
	const void *object;
	size_t object_sz;
	/* Same check by digest (32 bytes) instead of content. Default: NULL. */
	const uint8_t *object_sha256;
	/*
	 * For btf_bundle__open_mem(): copy the data instead of referencing it
	 * (the caller may then free it). Default: false, the data must outlive
	 * the bundle (true of a linked-in table).
	 */
	bool copy;
	size_t :0;
};
#define btf_bundle_open_opts__last_field copy

#define BTF_BUNDLE_OPTS(TYPE, NAME, ...)				\
	struct TYPE NAME = ({						\
		memset(&NAME, 0, sizeof(struct TYPE));			\
		(struct TYPE) { .sz = sizeof(struct TYPE), __VA_ARGS__ }; \
	})

/*
 * Open a bundle held in memory / in a file. The whole structure (header,
 * index, blob table, string table) is validated here. Returns NULL and sets
 * errno on error: -EBADMSG corrupt, -EPROTO unsupported format version,
 * -ESTALE made for another BPF object, -ENOMEM. Free with btf_bundle__free().
 */
BTF_BUNDLE_API struct btf_bundle *
btf_bundle__open_mem(const void *data, size_t size, const struct btf_bundle_open_opts *opts);
BTF_BUNDLE_API struct btf_bundle *
btf_bundle__open_file(const char *path, const struct btf_bundle_open_opts *opts);
/* NULL is accepted. */
BTF_BUNDLE_API void btf_bundle__free(struct btf_bundle *b);

/* Header facts. Strings are owned by the bundle. */
BTF_BUNDLE_API uint32_t btf_bundle__format_version(const struct btf_bundle *b);
BTF_BUNDLE_API enum btf_bundle_codec btf_bundle__codec(const struct btf_bundle *b);
BTF_BUNDLE_API const char *btf_bundle__codec_name(enum btf_bundle_codec codec);
BTF_BUNDLE_API uint32_t btf_bundle__entry_cnt(const struct btf_bundle *b);
BTF_BUNDLE_API uint32_t btf_bundle__blob_cnt(const struct btf_bundle *b);
BTF_BUNDLE_API uint32_t btf_bundle__block_cnt(const struct btf_bundle *b);
BTF_BUNDLE_API size_t btf_bundle__size(const struct btf_bundle *b);
/* "key=value" provenance lines (bpftool version, sources), or "". */
BTF_BUNDLE_API const char *btf_bundle__provenance(const struct btf_bundle *b);
BTF_BUNDLE_API uint32_t btf_bundle__object_cnt(const struct btf_bundle *b);
/* SHA-256 and file name of the i-th BPF object; NULL if out of range. */
BTF_BUNDLE_API const uint8_t *btf_bundle__object_sha256(const struct btf_bundle *b, uint32_t i,
							const char **name);
/*
 * 0 if the bundle was reduced against this BPF object (ELF bytes, or its
 * SHA-256 when @obj is NULL and @sha256 set), -ESTALE otherwise. A bundle
 * that records no object at all matches nothing.
 */
BTF_BUNDLE_API int btf_bundle__check_object(const struct btf_bundle *b, const void *obj,
					    size_t obj_sz, const uint8_t *sha256);

/* One index entry; strings are owned by the bundle (valid until it is freed). */
struct btf_bundle_entry {
	const char *arch;	/* BTFHub naming: x86_64, arm64 */
	const char *distro;	/* ubuntu, centos, debian, ... */
	const char *version;	/* 20.04, 8, 12, bullseye, ... */
	const char *release;	/* uname -r: 5.4.0-100-generic */
	uint32_t blob;		/* distinct-BTF id (entries sharing BTF share a blob) */
	uint32_t raw_size;	/* size of the BTF in bytes */
	uint32_t block;		/* compressed block holding the BTF */
};

/*
 * Fill @e for entry @idx (index order). Returns 0, -ENOENT past the end, or
 * -EBADMSG if the index chunk holding it is corrupt.
 */
BTF_BUNDLE_API int btf_bundle__entry(const struct btf_bundle *b, uint32_t idx,
				     struct btf_bundle_entry *e);

/*
 * The identity of a host in BTFHub's layout, normalised: os-release ID and
 * VERSION_ID without quotes, uname -m mapped to BTFHub's arch names
 * (aarch64 -> arm64), major-only versions for rhel/centos/ol/rocky/alma
 * (8.4 -> 8), uname -r as is.
 */
struct btf_host {
	char distro[64];
	char version[64];
	char arch[32];
	char release[192];
};

struct btf_host_opts {
	size_t sz;
	const char *os_release_path;	/* default: /etc/os-release, then /usr/lib/os-release */
	/* Overrides, each applied before normalisation. NULL: detect. */
	const char *distro;
	const char *version;
	const char *arch;
	const char *release;
	size_t :0;
};
#define btf_host_opts__last_field release

/*
 * Detect the running host (os-release + uname), apply overrides and
 * normalise. Returns 0 or a negative errno (-ENOENT: no os-release and no
 * override for distro/version).
 */
BTF_BUNDLE_API int btf_host__detect(struct btf_host *host, const struct btf_host_opts *opts);
/* Parse "DISTRO/VERSION/ARCH/RELEASE" and normalise. 0 or -EINVAL. */
BTF_BUNDLE_API int btf_host__parse(struct btf_host *host, const char *spec);
/* Normalise in place (see struct btf_host). */
BTF_BUNDLE_API void btf_host__normalize(struct btf_host *host);
/* Canonical arch name for a uname -m / directory name (aarch64 -> arm64). */
BTF_BUNDLE_API const char *btf_host__arch_name(const char *machine);
/*
 * The other spelling of a Debian or Ubuntu version in BTFHub's layout
 * ("11" <-> "bullseye", "20.04" <-> "focal"), or NULL if it has none.
 */
BTF_BUNDLE_API const char *btf_host__version_alias(const char *distro, const char *version);
/* The canonical (numeric, os-release) spelling of a version. */
BTF_BUNDLE_API const char *btf_host__version_canon(const char *distro, const char *version);
/*
 * The directory names a BTFHub archive may file @version / @arch under,
 * most likely first (Debian 11 is "bullseye"; arm64 may be "aarch64").
 * Returns how many (1 or 2) were stored in @dirs.
 */
BTF_BUNDLE_API int btf_host__version_dirs(const char *distro, const char *version,
					  const char *dirs[2]);
BTF_BUNDLE_API int btf_host__arch_dirs(const char *arch, const char *dirs[2]);
/* "distro/version/arch/release" into buf. Returns snprintf()'s result. */
BTF_BUNDLE_API int btf_host__format(const struct btf_host *host, char *buf, size_t sz);

enum btf_bundle_match_kind {
	BTF_BUNDLE_MATCH_NONE = 0,
	BTF_BUNDLE_MATCH_EXACT,		/* arch, distro, version, release all equal */
	BTF_BUNDLE_MATCH_ALIAS,		/* version equal through an alias (debian 11 = bullseye) */
	BTF_BUNDLE_MATCH_FALLBACK,	/* same arch/distro/release, another version */
};

struct btf_bundle_match {
	enum btf_bundle_match_kind kind;
	uint32_t entry;			/* valid unless kind == NONE */
	char reason[512];		/* one line, for -v and "coretrace btf" */
};

/*
 * Find the entry for @host: exact key by binary search; then the version's
 * aliases (debian numeric <-> codename, ubuntu numeric <-> codename); then
 * the documented fallback: the same arch, distro and release under another
 * version of that distro (the greatest such version, by version order).
 * Returns the entry index, or -ENOENT with m->kind = NONE and m->reason
 * explaining the miss.
 */
BTF_BUNDLE_API int btf_bundle__find(const struct btf_bundle *b, const struct btf_host *host,
				    struct btf_bundle_match *m);

/*
 * Decompress entry @idx: a malloc()ed buffer the caller frees. Its size and
 * checksum are verified. Returns 0 or a negative errno.
 */
BTF_BUNDLE_API int btf_bundle__read(const struct btf_bundle *b, uint32_t idx,
				    void **data, size_t *size);
/* Entry @idx as a parsed struct btf (btf__free() it). NULL + errno on error. */
BTF_BUNDLE_API struct btf *btf_bundle__load_btf(const struct btf_bundle *b, uint32_t idx);
/*
 * Entry @idx in a sealed memfd: returns the fd (the caller closes it) and
 * writes "/proc/self/fd/N" into @path, usable as libbpf's btf_custom_path
 * while the fd stays open. Nothing touches the filesystem.
 */
BTF_BUNDLE_API int btf_bundle__memfd(const struct btf_bundle *b, uint32_t idx,
				     char *path, size_t path_sz);

#ifdef __cplusplus
}
#endif

#endif
