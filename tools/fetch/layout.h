/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * BTFHub archive layout: <distro>/<version>/<arch>/<release>.btf.tar.xz.
 * Real archives differ in how they spell the middle segments, so this module
 * maps a kernel's canonical names (what btfkit writes to its output tree) to
 * the directory names a source may use, in the order to try them.
 */
#ifndef BTFHUB_FETCH_LAYOUT_H
#define BTFHUB_FETCH_LAYOUT_H

#define LAYOUT_MAX_ALIASES 2

/*
 * Canonical arch name written to the output tree: "aarch64" -> "arm64",
 * "amd64" -> "x86_64", anything else unchanged. Returns a static string or
 * @arch itself.
 */
const char *layout__arch_canon(const char *arch);
/*
 * Directory names to try on a source for @arch, best first (arm64 is
 * "arm64" in aquasecurity/btfhub-archive and "aarch64" in some mirrors).
 * Fills @dirs (static strings or @arch) and returns how many (1..2).
 */
int layout__arch_dirs(const char *arch, const char *dirs[LAYOUT_MAX_ALIASES]);

/*
 * Canonical version written to the output tree: the numeric VERSION_ID of
 * /etc/os-release (what the tracer matches at run time), so Ubuntu "focal"
 * -> "20.04", Debian "bullseye" -> "11". Unknown names are unchanged.
 */
const char *layout__version_canon(const char *distro, const char *version);
/*
 * Version directory names to try on a source, best first. btfhub-archive
 * keeps Ubuntu under numeric dirs (codenames are only symlinks) and Debian
 * under 9, 10 but "bullseye" for 11 (btfhub docs/btfhub-archive-path-layout.md).
 */
int layout__version_dirs(const char *distro, const char *version,
			 const char *dirs[LAYOUT_MAX_ALIASES]);

#endif
