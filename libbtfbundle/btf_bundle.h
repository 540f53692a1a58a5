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
 * Most tools need one call: btf_bundle__fill_open_opts() decides which BTF
 * to hand libbpf (an explicit file, the kernel's own, a linked-in bundle,
 * bundle files), says why, and sets bpf_object_open_opts.btf_custom_path;
 * btf_bundle_choice__free() after the load. btf_bundle__select() is the
 * same decision without libbpf's opts. The rest is for tools that look
 * into bundles themselves.
 *
 * ABI: options structs start with a size the caller sets (BTF_BUNDLE_OPTS),
 * and so do the structs the library fills (btf_bundle_entry,
 * btf_bundle_match, btf_bundle_step): the library writes only what fits
 * in the caller's size, so either side may be newer. A host is an object
 * the library owns. Every pointer argument is checked: a NULL one is
 * -EINVAL (or NULL + errno EINVAL), never a crash.
 *
 * Errors follow libbpf: constructors return NULL and set errno to a
 * positive code (errno == EBADMSG); every other function returns 0 (or a
 * count/index) or a negative code (-EBADMSG). The codes users see:
 * EBADMSG corrupt bundle, EILSEQ checksum mismatch, EPROTO unsupported
 * format version, ESTALE bundle made for another BPF object, ENOMSG BPF
 * object without .BTF; btf_bundle__strerror() words them (strerror()'s
 * "Stale file handle" would mislead). Every offset and size in a bundle is
 * checked before use, never a crash. Nothing is printed except through the
 * callback set with btf_bundle_set_print(). The library keeps no global
 * state except the print callback. Memory and decoding are bounded whatever
 * a bundle claims (FORMAT.md, "Limits"): decompressed index chunks are
 * cached in the bundle (published atomically; bounded by the index limit),
 * so a bundle may be shared by threads.
 */
#ifndef BTFKIT_BTF_BUNDLE_H
#define BTFKIT_BTF_BUNDLE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>	/* memset() in BTF_BUNDLE_OPTS() */

#include "btf_bundle_version.h"

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

/* The library's version at run time ("0.3.0"); the header's is LIBBTFBUNDLE_VERSION. */
BTF_BUNDLE_API const char *libbtfbundle_version_string(void);
BTF_BUNDLE_API unsigned int libbtfbundle_major_version(void);
BTF_BUNDLE_API unsigned int libbtfbundle_minor_version(void);

/*
 * Words for @err (negative or positive): btfkit's meaning of the codes above,
 * libbpf's own codes (4001...), else strerror(). Thread-safe.
 */
BTF_BUNDLE_API const char *btf_bundle__strerror(int err);

#define BTF_BUNDLE_DIGEST_LEN 32
/*
 * The CO-RE digest of a BPF object (ELF bytes): SHA-256 over its .BTF and
 * the CO-RE relocation records of .BTF.ext, what a reduction depends on. A
 * stripped (llvm-strip -g) or rebuilt object with the same CO-RE needs has
 * the same digest; a changed field access does not. Reads only the section
 * headers and those two sections. Returns 0, -EINVAL (a NULL argument, not
 * an ELF64 object, or a section out of bounds) or -ENOMSG (no .BTF).
 */
BTF_BUNDLE_API int btf_bundle__object_digest(const void *obj, size_t obj_sz,
					     uint8_t digest[BTF_BUNDLE_DIGEST_LEN]);

struct btf_bundle_open_opts {
	size_t sz;	/* sizeof(struct btf_bundle_open_opts), set by BTF_BUNDLE_OPTS() */
	/*
	 * BPF object (ELF bytes) the caller will load with the BTF. When set,
	 * open fails with -ESTALE unless the bundle was reduced against an
	 * object with this CO-RE digest (btf_bundle__object_digest()); a
	 * bundle that records no object is not checked. Default: not checked.
	 * object_sz without object (or object without object_sz) is -EINVAL.
	 */
	const void *object;
	size_t object_sz;
	/* Same check by CO-RE digest (32 bytes) instead of content. Default: NULL. */
	const uint8_t *object_digest;
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
 * errno on error: EINVAL a NULL @data/@path or bad @opts (an unknown
 * non-zero byte is named through the print callback), EBADMSG corrupt (or past the format's limits), EPROTO
 * unsupported format version, ESTALE made for another BPF object, ENOMEM;
 * for a file also ESPIPE if it is not a regular file (a FIFO or device is
 * refused without blocking) and open()'s errors. A file is read header
 * first, then its metadata; the compressed streams only when decoded (the
 * file stays open until btf_bundle__free()). Free with btf_bundle__free().
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
/*
 * CO-RE digest (BTF_BUNDLE_DIGEST_LEN bytes, owned by the bundle) and file
 * name (@name may be NULL) of the i-th BPF object; NULL if out of range.
 */
BTF_BUNDLE_API const uint8_t *btf_bundle__object_digest_by_idx(const struct btf_bundle *b,
							       uint32_t i, const char **name);
/*
 * 0 if the bundle was reduced against this BPF object (ELF bytes, or its
 * CO-RE digest when @obj is NULL and @digest set), or records no object;
 * -ESTALE otherwise; -EINVAL / -ENOMSG if @obj is not a BPF object with BTF
 * (or neither is given, or @obj_sz without @obj).
 */
BTF_BUNDLE_API int btf_bundle__check_object(const struct btf_bundle *b, const void *obj,
					    size_t obj_sz, const uint8_t *digest);

/*
 * One index entry; strings are owned by the bundle (valid until it is
 * freed). Set sz (BTF_BUNDLE_OPTS(btf_bundle_entry, e)): fields past it
 * are not written.
 */
struct btf_bundle_entry {
	size_t sz;
	const char *arch;	/* BTFHub naming: x86_64, arm64 */
	const char *distro;	/* ubuntu, centos, debian, ... */
	const char *version;	/* 20.04, 8, 12, bullseye, ... */
	const char *release;	/* uname -r: 5.4.0-100-generic */
	uint32_t blob;		/* distinct-BTF id (entries sharing BTF share a blob) */
	uint32_t raw_size;	/* size of the BTF in bytes */
	uint32_t block;		/* compressed block holding the BTF */
	size_t :0;
};
#define btf_bundle_entry__last_field block

/*
 * Fill @e for entry @idx (index order). Returns 0, -ENOENT past the end,
 * -EINVAL (NULL, or e->sz too small to hold arch), or -EBADMSG if the
 * index chunk holding it is corrupt.
 */
BTF_BUNDLE_API int btf_bundle__entry(const struct btf_bundle *b, uint32_t idx,
				     struct btf_bundle_entry *e);

/*
 * The identity of a host in BTFHub's layout, normalised: os-release ID and
 * VERSION_ID without quotes, uname -m mapped to BTFHub's arch names
 * (aarch64 -> arm64), major-only versions for rhel/centos/ol/rocky/alma
 * (8.4 -> 8), uname -r as is. Owned by the library: free with
 * btf_host__free(); its strings live as long as it.
 */
struct btf_host;

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
 * normalise. NULL + errno on error (ENOENT: no os-release and no override
 * for distro/version; EINVAL: bad @opts).
 */
BTF_BUNDLE_API struct btf_host *btf_host__detect(const struct btf_host_opts *opts);
/* Parse "DISTRO/VERSION/ARCH/RELEASE" and normalise. NULL + errno EINVAL. */
BTF_BUNDLE_API struct btf_host *btf_host__parse(const char *spec);
/* NULL is accepted. */
BTF_BUNDLE_API void btf_host__free(struct btf_host *host);
BTF_BUNDLE_API const char *btf_host__distro(const struct btf_host *host);
BTF_BUNDLE_API const char *btf_host__version(const struct btf_host *host);
BTF_BUNDLE_API const char *btf_host__arch(const struct btf_host *host);
BTF_BUNDLE_API const char *btf_host__release(const struct btf_host *host);
/* "distro/version/arch/release" into buf. Returns snprintf()'s result, -EINVAL for NULL. */
BTF_BUNDLE_API int btf_host__format(const struct btf_host *host, char *buf, size_t sz);

enum btf_bundle_match_kind {
	BTF_BUNDLE_MATCH_NONE = 0,
	BTF_BUNDLE_MATCH_EXACT,		/* arch, distro, version, release all equal */
	BTF_BUNDLE_MATCH_ALIAS,		/* version equal through an alias (debian 11 = bullseye) */
	BTF_BUNDLE_MATCH_FALLBACK,	/* same arch/distro/release, another version */
};

/*
 * The result of a lookup. The caller sets sz (BTF_BUNDLE_OPTS()) and,
 * to get the one-line reason (for -v and "coretrace btf"), a buffer:
 * reason and reason_sz (256 bytes hold any reason). The library writes
 * kind, entry and the reason's text, nothing past sz.
 */
struct btf_bundle_match {
	size_t sz;
	enum btf_bundle_match_kind kind;
	uint32_t entry;			/* valid unless kind == NONE */
	char *reason;			/* caller's buffer, or NULL */
	size_t reason_sz;
	size_t :0;
};
#define btf_bundle_match__last_field reason_sz

struct btf_bundle_find_opts {
	size_t sz;	/* sizeof(struct btf_bundle_find_opts), set by BTF_BUNDLE_OPTS() */
	bool no_alias;		/* skip the version aliases; default false */
	bool no_fallback;	/* skip the same-release fallback; default false */
	size_t :0;
};
#define btf_bundle_find_opts__last_field no_fallback

/*
 * Find the entry for @host: exact key by binary search; then the version's
 * aliases (debian numeric <-> codename, ubuntu numeric <-> codename); then
 * the documented fallback: the same arch, distro and release under another
 * version of that distro (the greatest such version, by version order).
 * @opts (NULL: defaults) turns the alias and fallback steps off; with both
 * off only the exact key matches. Returns the entry index (m->kind says
 * which rule found it), or a negative errno with m->kind = NONE and
 * m->reason explaining: -ENOENT no entry by the enabled rules, -EBADMSG /
 * -EILSEQ an index chunk it read is corrupt, -EINVAL a NULL argument,
 * m->sz too small, or unknown non-zero bytes in @opts.
 */
BTF_BUNDLE_API int btf_bundle__find_opts(const struct btf_bundle *b, const struct btf_host *host,
					 struct btf_bundle_match *m,
					 const struct btf_bundle_find_opts *opts);
/* btf_bundle__find_opts() with every rule on. */
BTF_BUNDLE_API int btf_bundle__find(const struct btf_bundle *b, const struct btf_host *host,
				    struct btf_bundle_match *m);

/*
 * Decompress entry @idx: a malloc()ed buffer the caller frees. Its size and
 * checksum are verified. Returns 0 or a negative errno (-EINVAL: a NULL
 * argument; then *@data is untouched).
 */
BTF_BUNDLE_API int btf_bundle__read(const struct btf_bundle *b, uint32_t idx,
				    void **data, size_t *size);
/* Entry @idx as a parsed struct btf (btf__free() it). NULL + errno on error. */
BTF_BUNDLE_API struct btf *btf_bundle__load_btf(const struct btf_bundle *b, uint32_t idx);
/*
 * Entry @idx in a sealed memfd: returns the fd (the caller closes it) and
 * writes "/proc/self/fd/N" into @path, usable as libbpf's btf_custom_path.
 * Keep the fd open until bpf_object__load() (or the skeleton's __load())
 * has returned: libbpf opens the path only then. Nothing touches the
 * filesystem. @path may be NULL (then @path_sz must be 0).
 */
BTF_BUNDLE_API int btf_bundle__memfd(const struct btf_bundle *b, uint32_t idx,
				     char *path, size_t path_sz);

/*
 * The whole start-up decision, in this order (each step only if enabled):
 *   1. file      an explicit BTF file: used if it is valid BTF, else an
 *                error (never silently skipped); FIFOs and devices are
 *                refused without being opened for reading;
 *   2. system    the kernel's own /sys/kernel/btf/vmlinux;
 *   3. embedded  a linked-in bundle (exact, alias, then fallback entry);
 *   4. bundle    bundle files in order, then every *.btfb of a directory
 *                in name order.
 * A bundle reduced against another BPF object is refused (ESTALE) at
 * every step.
 */
enum btf_bundle_source {
	BTF_BUNDLE_SRC_AUTO = 0,	/* every enabled step, in order */
	BTF_BUNDLE_SRC_FILE,
	BTF_BUNDLE_SRC_SYSTEM,
	BTF_BUNDLE_SRC_EMBEDDED,
	BTF_BUNDLE_SRC_BUNDLE,
	BTF_BUNDLE_SRC_CNT,
};

/* "auto", "file", "system", "embedded", "bundle"; parse returns -EINVAL otherwise (or for NULL). */
BTF_BUNDLE_API const char *btf_bundle__source_name(enum btf_bundle_source src);
BTF_BUNDLE_API int btf_bundle__source_parse(const char *name, enum btf_bundle_source *src);

struct btf_bundle_select_opts {
	size_t sz;
	enum btf_bundle_source source;	/* default AUTO; another value tries only that step */
	const char *btf_file;		/* step 1; NULL: none */
	bool no_system;			/* skip step 2; default false */
	const void *embedded;		/* step 3: bundle bytes (embedgen's table); NULL: none */
	size_t embedded_sz;		/* 0 with embedded set: an empty table (built without kernels) */
	const char *const *bundle_files;	/* step 4 first, in order; NULL: none */
	size_t bundle_file_cnt;		/* non-zero without bundle_files: -EINVAL */
	const char *bundle_dir;		/* step 4 then: its *.btfb files; NULL: none */
	/* The host to look up; NULL: btf_host__detect(host_opts). */
	const struct btf_host *host;
	const struct btf_host_opts *host_opts;
	/*
	 * The BPF object the BTF is for (ELF bytes; a skeleton's
	 * <name>_bpf__elf_bytes()), or its CO-RE digest: bundles made for
	 * another object are refused. Default: not checked. object and
	 * object_sz go together: one without the other is -EINVAL.
	 */
	const void *object;
	size_t object_sz;
	const uint8_t *object_digest;
	bool no_fallback;		/* bundles: exact or alias entry only (btf_bundle__find_opts()); default false */
	/*
	 * Report mode (a "which BTF, and why" command): try every step even
	 * after one succeeds and open no memfd. Default false.
	 */
	bool report;
	/*
	 * How the caller's user names an explicit BTF file ("--btf FILE"),
	 * for explain()'s hint. Default NULL: the hint names no flag.
	 */
	const char *file_hint;
	size_t :0;
};
#define btf_bundle_select_opts__last_field file_hint

struct btf_bundle_choice;

/*
 * Decide which BTF to use. Returns 0 or a negative errno: -ENOENT nothing
 * found for this host (or the explicit file's error), -ESTALE a forced
 * bundle was refused, -EINVAL bad arguments, -ENOMEM an allocation failed
 * in any step (the decision stops there: no later step stands in).
 * Ownership of *@choice, on every path: -EINVAL (a NULL @opts or @choice,
 * unknown non-zero bytes in @opts, object without object_sz, ...) leaves
 * it NULL (untouched if @choice is NULL); -ENOMEM allocating the choice
 * itself leaves it NULL; on every other return, success or not, it is set,
 * says what each step found (explain()), and is the caller's to free with
 * btf_bundle_choice__free(), after bpf_object__load(): it holds the memfd
 * its custom path names.
 */
BTF_BUNDLE_API int btf_bundle__select(const struct btf_bundle_select_opts *opts,
				      struct btf_bundle_choice **choice);

struct bpf_object_open_opts;
/*
 * The common case in one call: btf_bundle__select(@opts), then
 * @open_opts->btf_custom_path = the chosen BTF (NULL: the kernel's own), so
 *
 *	LIBBPF_OPTS(bpf_object_open_opts, oo);
 *	if (btf_bundle__fill_open_opts(&so, &oo, &choice)) { explain(choice); fail; }
 *	skel = x_bpf__open_opts(&oo); ... x_bpf__load(skel);
 *	btf_bundle_choice__free(choice);	// after the load: it owns the path
 *
 * @open_opts must be libbpf's, with sz set (LIBBPF_OPTS) and large enough
 * to hold btf_custom_path (libbpf >= 0.6), else -EINVAL. It is written only
 * on success. Returns and *@choice ownership as btf_bundle__select().
 */
BTF_BUNDLE_API int btf_bundle__fill_open_opts(const struct btf_bundle_select_opts *opts,
					      struct bpf_object_open_opts *open_opts,
					      struct btf_bundle_choice **choice);
/*
 * NULL is accepted. Closes the memfd. The getters below accept NULL too
 * (AUTO, NULL or "").
 */
BTF_BUNDLE_API void btf_bundle_choice__free(struct btf_bundle_choice *c);
/* The step used; BTF_BUNDLE_SRC_AUTO if none. */
BTF_BUNDLE_API enum btf_bundle_source btf_bundle_choice__source(const struct btf_bundle_choice *c);
/* For bpf_object_open_opts.btf_custom_path: NULL means the kernel's own BTF. */
BTF_BUNDLE_API const char *btf_bundle_choice__custom_path(const struct btf_bundle_choice *c);
/* "embedded bundle, entry debian/12/x86_64/6.1.0-18-amd64 (exact match)", or "". */
BTF_BUNDLE_API const char *btf_bundle_choice__desc(const struct btf_bundle_choice *c);
/* The host identity looked up, owned by the choice; NULL if none was. */
BTF_BUNDLE_API const struct btf_host *btf_bundle_choice__host(const struct btf_bundle_choice *c);
/*
 * One line for the error when nothing was usable: every step tried and a
 * hint (where BTFHub files this kernel; the caller's file_hint if set).
 * "" after a success.
 */
BTF_BUNDLE_API const char *btf_bundle_choice__explain(const struct btf_bundle_choice *c);

/*
 * One step of the decision; strings are owned by the choice. Set sz
 * (BTF_BUNDLE_OPTS(btf_bundle_step, s)): fields past it are not written.
 */
struct btf_bundle_step {
	size_t sz;
	enum btf_bundle_source source;
	int err;		/* 0 usable, -ENOENT none, -ESTALE refused, ... */
	const char *where;	/* file, bundle path, "embedded" or "-" */
	const char *detail;	/* one line: why (not) */
	size_t :0;
};
#define btf_bundle_step__last_field detail
BTF_BUNDLE_API uint32_t btf_bundle_choice__step_cnt(const struct btf_bundle_choice *c);
/* Fill @s for step @i; -ENOENT past the end, -EINVAL for NULL or s->sz too small. */
BTF_BUNDLE_API int btf_bundle_choice__step(const struct btf_bundle_choice *c, uint32_t i,
					   struct btf_bundle_step *s);

#ifdef __cplusplus
}
#endif

#endif
