// SPDX-License-Identifier: BSD-2-Clause
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "layout.h"

struct version_alias {
	const char *distro;
	const char *numeric;	/* os-release VERSION_ID, the canonical name */
	const char *codename;
	bool codename_first;	/* the archive stores this one under its codename */
};

/*
 * From btfhub's archiveLayoutDir (cmd/btfhub/main.go) and its layout doc:
 * Ubuntu blobs live under numeric dirs; Debian under 9 and 10 but under
 * "bullseye" for 11. Newer releases are listed so a codename given on the
 * command line still lands at the numeric output path.
 */
static const struct version_alias version_aliases[] = {
	{ "ubuntu", "16.04", "xenial", false },
	{ "ubuntu", "18.04", "bionic", false },
	{ "ubuntu", "20.04", "focal", false },
	{ "ubuntu", "22.04", "jammy", false },
	{ "ubuntu", "24.04", "noble", false },
	{ "debian", "9", "stretch", false },
	{ "debian", "10", "buster", false },
	{ "debian", "11", "bullseye", true },
	{ "debian", "12", "bookworm", false },
	{ "debian", "13", "trixie", false },
};

static const struct version_alias *version_alias_find(const char *distro,
						      const char *version)
{
	size_t i;

	for (i = 0; i < sizeof(version_aliases) / sizeof(version_aliases[0]); i++) {
		const struct version_alias *a = &version_aliases[i];

		if (strcmp(a->distro, distro))
			continue;
		if (!strcmp(a->numeric, version) || !strcmp(a->codename, version))
			return a;
	}
	return NULL;
}

const char *layout__arch_canon(const char *arch)
{
	if (!strcmp(arch, "aarch64") || !strcmp(arch, "arm64"))
		return "arm64";
	if (!strcmp(arch, "amd64") || !strcmp(arch, "x86_64"))
		return "x86_64";
	return arch;
}

int layout__arch_dirs(const char *arch, const char *dirs[LAYOUT_MAX_ALIASES])
{
	const char *canon = layout__arch_canon(arch);

	if (!strcmp(canon, "arm64")) {
		dirs[0] = "arm64";
		dirs[1] = "aarch64";
		return 2;
	}
	dirs[0] = canon;
	return 1;
}

const char *layout__version_canon(const char *distro, const char *version)
{
	const struct version_alias *a = version_alias_find(distro, version);

	return a ? a->numeric : version;
}

int layout__version_dirs(const char *distro, const char *version,
			 const char *dirs[LAYOUT_MAX_ALIASES])
{
	const struct version_alias *a = version_alias_find(distro, version);

	if (!a) {
		dirs[0] = version;
		return 1;
	}
	dirs[0] = a->codename_first ? a->codename : a->numeric;
	dirs[1] = a->codename_first ? a->numeric : a->codename;
	return 2;
}
