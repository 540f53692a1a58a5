/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * btfhub-make's per-kernel entry point: one input file (a kernel package, a
 * kernel image, a vmlinux ELF or raw BTF) in, one BTFHub archive
 *   <out>/<distro>/<version>/<arch>/<release>.btf.tar.xz
 * out, holding one member <release>.btf, byte-deterministic. The command line
 * (main.c) and the APT-repository front end (--apt) both call it, once per
 * downloaded or named file.
 *
 * A maker holds what every kernel of a run shares: the output tree, the
 * pahole found (its version checked once), the limits. maker__kernel() may
 * be called from several threads at once on one maker.
 */
#ifndef BTFKIT_MAKE_H
#define BTFKIT_MAKE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"
#include "sha256.h"

/* Which BTF a package pair yields when both are at hand (--prefer). */
enum make_prefer {
	MAKE_PREFER_IMAGE,	/* the image's own .BTF (default) */
	MAKE_PREFER_DBG,	/* DWARF of the -dbg/-debuginfo vmlinux through pahole */
};

struct maker_opts {
	size_t sz;
	const char *out_dir;	/* OUT, the tree written; required */
	/* pahole for DWARF-only inputs; default "pahole" looked up in PATH */
	const char *pahole;
	/*
	 * Cap on any decompressed payload (a vmlinux, a package member):
	 * more is a decompression bomb. Default MAKE_DEFAULT_MAX_PAYLOAD.
	 */
	uint64_t max_payload;
	/* Rewrite outputs even when the input is unchanged; default false. */
	bool force;
	/* Set (by a signal handler) to stop; NULL = never. */
	const volatile sig_atomic_t *cancel;
	/*
	 * MAKE_PREFER_DBG: an ELF with DWARF goes through pahole even when it
	 * has a .BTF section too (a -dbg vmlinux of a kernel built with
	 * CONFIG_DEBUG_INFO_BTF carries both; the default takes its .BTF).
	 * And when two inputs of one run give the same key (an image package
	 * and its -dbg package), the one whose BTF is of this kind is kept,
	 * whatever order they finish in; the other ends MAKE_SKIPPED.
	 * Default MAKE_PREFER_IMAGE.
	 */
	enum make_prefer prefer;
	/*
	 * liblzma preset of the archives: 0-9, optionally | MAKE_XZ_EXTREME.
	 * Default 0 (MAKE_DEFAULT_XZ_PRESET): of the presets measured on real
	 * kernel BTF (bench/MAKE-PRESETS.md), the fastest by far (~10x less CPU
	 * than 5-9), its archives ~19% bigger than preset 9's.
	 */
	uint32_t xz_preset;
};
#define maker_opts__last_field xz_preset

#define MAKE_DEFAULT_XZ_PRESET 0
/* xz -e: liblzma's LZMA_PRESET_EXTREME (writer.h's WRITER_XZ_EXTREME) */
#define MAKE_XZ_EXTREME (1u << 31)
#define MAKE_XZ_PRESET_MAX 9

/* A real vmlinux is under 1 GiB decompressed (debug builds included). */
#define MAKE_DEFAULT_MAX_PAYLOAD (2ull << 30)

/* One input; every field but sz optional. */
struct make_input {
	size_t sz;
	/* What error lines call the input (a URL); default: the path. */
	const char *name;
	/*
	 * Key parts the caller knows (an APT suite gives distro and version,
	 * --key all four); NULL = from the input itself (a package's fields
	 * and file names). A part the input cannot give and the caller did
	 * not is an error naming the part (never a guess).
	 */
	const char *distro, *version, *arch, *release;
	/* Expected SHA-256 of the input file, 64 hex digits; NULL = not checked. */
	const char *sha256;
};
#define make_input__last_field sha256

enum make_status {
	MAKE_FAILED,
	MAKE_MADE,		/* the archive was written */
	MAKE_UNCHANGED,		/* the archive already held these bytes: not rewritten */
	MAKE_SKIPPED,		/* another input of the run gave this key's preferred BTF */
};

/* What one maker__kernel() did; filled on success and failure alike. */
struct make_result {
	enum make_status status;
	char key[LAYOUT_KEY_MAX + 1];	/* "D/V/A/R", once known ("" before) */
	/* How the BTF was found, one word: "deb:vmlinuz:bzimage:xz:elf", "elf:dwarf:pahole=1.24" */
	char how[96];
	uint64_t btf_size;		/* bytes of <release>.btf */
	uint64_t size;			/* bytes of the archive */
	char sha256[SHA256_HEX_LEN];	/* of the archive */
	/* On failure: the one error line, naming the input (escaped). */
	char error[1024];
};

struct maker;

/* A maker for a run; NULL + errno on error (reported). Free with maker__free(). */
struct maker *maker__new(const struct maker_opts *opts);
void maker__free(struct maker *m);

/*
 * Make the archive of the kernel in @path (or, if @fd >= 0, the regular
 * file open at @fd, which is read with pread() and left open; @path then
 * only names it). Returns 0 or a negative errno; on failure res->error holds
 * the one line to print (this function prints nothing but debug messages),
 * and nothing is left at, or beside, the output path. Thread-safe.
 */
int maker__kernel(struct maker *m, const char *path, int fd, const struct make_input *in,
		  struct make_result *res);

/*
 * Whether an input whose SHA-256 is in->sha256, given with the same key
 * parts, was made before into an archive that is still intact: then @res is
 * filled (MAKE_UNCHANGED) and true returned. Lets a front end that knows a
 * package's digest (an APT index) skip its download. Thread-safe.
 */
bool maker__made(struct maker *m, const struct make_input *in, struct make_result *res);

/*
 * The output path of @key under the maker's tree into @buf (of @size
 * bytes): lets a front end skip a kernel already made before downloading
 * it. Returns 0, or -ENAMETOOLONG.
 */
int maker__path(const struct maker *m, const struct layout_key *key, char *buf, size_t size);

#endif
