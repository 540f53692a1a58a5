/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What a Debian/Ubuntu package says about its kernel's key, and the one
 * table for what it cannot say outright (docs/btfhub-make.md): the
 * distribution version of a kernel package version. Nothing is guessed: a
 * package that matches no rule leaves the version empty, and the caller must
 * give it (--key, or an APT suite).
 *
 *   distro   Maintainer's address: @lists.debian.org / @debian.org -> debian,
 *            @lists.ubuntu.com / @canonical.com / @ubuntu.com -> ubuntu
 *   version  debian: "debNN"/"bpoNN" in Version or release (~deb12u1, +deb12,
 *            ~bpo12+1, 0.deb11.) -> NN; else the stable series of Version:
 *            3.16 -> 8, 4.9 -> 9, 4.19 -> 10, 5.10 -> 11, 6.1 -> 12, 6.12 -> 13
 *            ubuntu: an HWE suffix "~NN.NN" -> NN.NN; else the LTS series:
 *            4.4 -> 16.04, 4.15 -> 18.04, 5.4 -> 20.04, 5.15 -> 22.04, 6.8 -> 24.04
 *   arch     Architecture (amd64, arm64; layout.h names it x86_64, arm64)
 *
 * RPM (NAME, VERSION, RELEASE, ARCH, VENDOR tags), by RELEASE's dist tag:
 *   .fcNN -> fedora/NN;  .amzn2 / .amzn2023 -> amzn/2, amzn/2023;
 *   .elN[_M][uek] -> the vendor's distro, major version N (BTFHub files
 *   RHEL-likes by major version): VENDOR "CentOS" -> centos, "Red Hat" ->
 *   rhel, "Oracle" -> ol, "Rocky" -> rocky, "AlmaLinux" -> almalinux; any
 *   other vendor: unknown.
 */
#ifndef BTFKIT_MAKE_DISTRO_H
#define BTFKIT_MAKE_DISTRO_H

#include <stddef.h>

struct deb_fields {
	char package[128];
	char pkg_version[128];	/* Version: */
	char arch[32];		/* Architecture: */
	char distro[64];	/* derived ("" = unknown) */
	char version[64];	/* derived ("" = unknown) */
};

struct rpm_fields {
	char name[128], version[128], release[128], arch[32], vendor[128];
	char distro[64];	/* derived ("" = unknown) */
	char dist_version[64];	/* derived ("" = unknown) */
};

/* Derive @f's distro and dist_version by the RPM table above. */
void distro__rpm(struct rpm_fields *f);

/*
 * Fill @f from the @len bytes of a control file, read by the one bounded
 * deb822 parser (tools/deb). Returns 0, or -EBADMSG / -EFBIG when it is not
 * deb822 or gives a field twice, with @why (of @why_sz bytes) saying where.
 */
int distro__parse_control(const char *text, size_t len, struct deb_fields *f, char *why,
			  size_t why_sz);
/* The version a kernel release names ("6.12.117+deb12-amd64" -> "12"), or "". */
void distro__version_from_release(const char *distro, const char *release, char *out, size_t sz);
/* The version of a package version string by the table above, or "". */
void distro__version(const char *distro, const char *pkg_version, char *out, size_t sz);

#endif
