/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * BTFHub's layout rules, in one place: a kernel is filed as
 * <distro>/<version>/<arch>/<release>.btf.tar.xz (raw .btf once
 * extracted), with the spellings BTFHub's archive actually uses (Debian 11
 * as "bullseye", arm64 sometimes as "aarch64", RHEL-likes by major version),
 * "D/V/A/R" key specs, the rules a key part must obey before it becomes a
 * path segment, the size caps and the tree walker. Private to btfkit: the
 * library (host identification) and every tool use it; nothing is exported.
 */
#ifndef BTFKIT_BTFHUB_LAYOUT_H
#define BTFKIT_BTFHUB_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LAYOUT_SUFFIX_RAW ".btf"
#define LAYOUT_SUFFIX_ARCHIVE ".btf.tar.xz"

/*
 * Largest BTF accepted for one kernel, decompressed or raw (real ones are
 * under 64 MiB), and largest archive (compressed, so never bigger).
 */
#define LAYOUT_BTF_MAX (512ull << 20)
#define LAYOUT_ARCHIVE_MAX LAYOUT_BTF_MAX

enum layout_part {
	LAYOUT_DISTRO,
	LAYOUT_VERSION,
	LAYOUT_ARCH,
	LAYOUT_RELEASE,
	LAYOUT_PARTS,
};

/* Longest part in bytes, NUL excluded (struct btf_host's fields minus one). */
#define LAYOUT_DISTRO_MAX 63
#define LAYOUT_VERSION_MAX 63
#define LAYOUT_ARCH_MAX 31
#define LAYOUT_RELEASE_MAX 191
/* Longest "D/V/A/R", NUL excluded. */
#define LAYOUT_KEY_MAX (LAYOUT_DISTRO_MAX + LAYOUT_VERSION_MAX + LAYOUT_ARCH_MAX + \
			LAYOUT_RELEASE_MAX + 3)

/* "distro", "version", "arch", "release". */
const char *layout__part_name(enum layout_part part);

/*
 * Why @s cannot be part @part of a kernel key, or NULL if it can. A part
 * becomes a path segment under output and cache directories, so it is
 * non-empty, bounded, holds no '/', no "..", no control character (< 0x20,
 * 0x7f, U+0080..U+009F) and does not start with '.' (the walkers skip
 * dot-files: temp files and caches). It is valid UTF-8 (utf8.h): a name is
 * printed and written into JSON (manifests, indexes, --json) as it is, and
 * JSON cannot hold other bytes.
 */
const char *layout__part_invalid(enum layout_part part, const char *s);

/* A kernel key; the strings belong to whoever filled it. */
struct layout_key {
	const char *distro, *version, *arch, *release;
};

/*
 * Split the "DISTRO/VERSION/ARCH/RELEASE" in the first @len bytes of @spec
 * into @buf (of at least LAYOUT_KEY_MAX + 1 bytes) and point @key into it.
 * Every part is checked with layout__part_invalid(). Returns 0, or -EINVAL
 * with a few words in @why (if not NULL): "release contains '..'".
 */
int layout__parse_key(const char *spec, size_t len, char *buf, struct layout_key *key,
		      char *why, size_t why_sz);

/* Canonical arch name for a uname -m / directory name (aarch64 -> arm64). */
const char *layout__arch_name(const char *machine);
/*
 * BTFHub's directory name for a distro as os-release's ID or a user spells
 * it: lower case ("Ubuntu" -> "ubuntu"), and the few names people use for
 * BTFHub's short ones ("amazon" -> "amzn", "oracle" -> "ol", "redhat" ->
 * "rhel", "alma" -> "almalinux", "opensuse" -> "opensuse-leap"). Into @buf
 * (cut to @size - 1 bytes); returns @buf.
 */
const char *layout__distro_name(const char *name, char *buf, size_t size);
/*
 * The version directory BTFHub files a host of os-release @distro (already
 * through layout__distro_name()) and VERSION_ID @version_id under: the
 * major number for RHEL-likes ("8.6" -> "8"); Amazon Linux AMI, the first
 * Amazon Linux (VERSION_ID "2011.09" to "2018.03"), as "2018" (whose alias
 * is "1": layout__version_dirs() gives both); anything else as it is. Into
 * @buf; returns @buf.
 */
const char *layout__host_version(const char *distro, const char *version_id, char *buf,
				 size_t size);
/* RHEL-like distros file every minor release under the major version. */
bool layout__major_only(const char *distro);
/* The other spelling of a Debian/Ubuntu version ("11" <-> "bullseye"), or NULL. */
const char *layout__version_alias(const char *distro, const char *version);
/* The canonical (numeric, os-release) spelling of a version. */
const char *layout__version_canon(const char *distro, const char *version);
/*
 * The distro and canonical version of an APT suite, from the same table:
 * its codename, alone or before a '-' ("bookworm", "bookworm-security",
 * "bookworm-backports" -> debian 12; "jammy-updates" -> ubuntu 22.04), as
 * BTFHub files a backport under the release it was built for. Returns 0,
 * or -ENOENT for a suite the table does not know (never a guess).
 */
int layout__suite_version(const char *suite, const char **distro, const char **version);
/* The suites the table knows, "bullseye (debian 11), ..." into @buf; returns @buf. */
char *layout__suites_known(char *buf, size_t size);
/*
 * The directory names BTFHub's archive may file @version / @arch under,
 * most likely first. Returns how many (1 or 2) were stored in @dirs.
 */
int layout__version_dirs(const char *distro, const char *version, const char *dirs[2]);
int layout__arch_dirs(const char *arch, const char *dirs[2]);

/*
 * "@dir/D/V/A/R.btf.tar.xz", the archive of @key in the tree at @dir, into
 * @buf (of @size bytes); @dir NULL: "D/V/A/R.btf.tar.xz", relative to a
 * BTFHub root (a listing's path). The one place an archive's name is made.
 * Returns 0, or -ENAMETOOLONG.
 */
int layout__archive_path(const char *dir, const struct layout_key *key, char *buf, size_t size);

/*
 * The most likely of them (layout__archive_paths()' first) into @buf, with
 * no allocation: for a message that must not fail. 0 or -ENAMETOOLONG.
 */
int layout__archive_path_likely(const struct layout_key *key, char *buf, size_t size);

#define LAYOUT_MAX_CANDIDATES 4	/* version spellings x arch spellings */
/*
 * The archive paths ("D/V/A/R.btf.tar.xz", relative to a BTFHub root) a
 * kernel may be filed under, most likely first; arch spellings vary
 * fastest (a mirror usually differs in one segment). malloc()ed into
 * @paths; returns how many, or -ENOMEM (nothing left allocated).
 */
int layout__archive_paths(const struct layout_key *key, char *paths[LAYOUT_MAX_CANDIDATES]);

/*
 * True for a source-relative archive path above the layout, as BTFHub
 * keeps some ("1/x86_64/4.14.101-75.76.amzn1.x86_64.btf.tar.xz": no
 * version level): no key can be formed, so every source skips them, and
 * says how many with layout__warn_off_layout().
 */
bool layout__off_layout(const char *path);
/* The one warning for them: "@where: N archives outside ... skipped (e.g. @example)". */
void layout__warn_off_layout(const char *where, size_t count, const char *example);

/* Which files a walk reports. */
enum layout_file {
	LAYOUT_FILE_RAW = 1 << 0,	/* <release>.btf */
	LAYOUT_FILE_ARCHIVE = 1 << 1,	/* <release>.btf.tar.xz */
};

struct layout_walk_opts {
	unsigned int files;	/* mask of enum layout_file; 0 = LAYOUT_FILE_RAW */
	/*
	 * Anything else (a file where a directory belongs, another suffix, a
	 * bad name, an unreadable entry, a raw BTF over LAYOUT_BTF_MAX) is an
	 * error naming it. Default false: skipped (logged at debug level, or as
	 * a warning for bad names and unreadable entries).
	 */
	bool strict;
};

/*
 * @path is "<dir>/<distro>/<version>/<arch>/<file>"; @key's arch is as
 * found (the caller normalises), its release has the suffix removed; all
 * are valid parts. Return 0 to go on, a negative errno to stop the walk.
 */
typedef int (*layout_walk_fn)(const char *path, const struct layout_key *key,
			      enum layout_file kind, uint64_t size, void *ctx);

/*
 * Call @fn for every kernel file at depth 4 under @dir, in byte order of
 * names at each level (deterministic whatever the locale). Dot-files are
 * skipped; directories may be symlinks. Errors are printed (one line naming
 * the path) and returned as a negative errno; @fn's own error is returned
 * as is, not printed.
 */
int layout__walk(const char *dir, const struct layout_walk_opts *opts, layout_walk_fn fn,
		 void *ctx);

#endif
