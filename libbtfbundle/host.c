// SPDX-License-Identifier: BSD-2-Clause
/*
 * Who is this host, in BTFHub's words? BTFHub files a kernel under
 * <ID>/<VERSION_ID>/<arch>/<uname -r>, with a few spellings that every
 * prior tool gets partly wrong: os-release values are quoted, arm64 is
 * "aarch64" to uname, and RHEL-like distros file all minor releases under
 * the major version.
 */
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "btf_bundle.h"
#include "bundle_internal.h"

/* Fields are bounded; an over-long value is cut, never overflows. */
static void copy_field(char *dst, size_t sz, const char *src)
{
	size_t n = strlen(src);

	if (n >= sz)
		n = sz - 1;
	memmove(dst, src, n);
	dst[n] = '\0';
}

const char *btf_host__arch_name(const char *machine)
{
	if (!strcmp(machine, "aarch64") || !strcmp(machine, "arm64"))
		return "arm64";
	if (!strcmp(machine, "amd64") || !strcmp(machine, "x86_64"))
		return "x86_64";
	return machine;
}

/* Distros that file every minor release under the major version. */
static int major_only(const char *distro)
{
	static const char *const list[] = { "rhel", "centos", "ol", "rocky", "almalinux", "fedora" };
	size_t i;

	for (i = 0; i < sizeof(list) / sizeof(list[0]); i++)
		if (!strcmp(distro, list[i]))
			return 1;
	return 0;
}

/* Strip surrounding whitespace and one level of matching quotes, in place. */
static void unquote(char *s)
{
	size_t len = strlen(s), start = 0;

	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	while (start < len && isspace((unsigned char)s[start]))
		start++;
	if (len - start >= 2 && (s[start] == '"' || s[start] == '\'') && s[len - 1] == s[start]) {
		start++;
		len--;
	}
	memmove(s, s + start, len - start);
	s[len - start] = '\0';
}

/*
 * BTFHub names some Debian and Ubuntu directories by codename and some by
 * number (btfhub's archive layout: Ubuntu by number; Debian 9 and 10 by
 * number but 11 as "bullseye"); os-release gives the number.
 */
static const struct version_alias {
	const char *distro;
	const char *numeric;	/* os-release VERSION_ID: the canonical spelling */
	const char *codename;
	bool codename_first;	/* BTFHub's archive files it under the codename */
} version_aliases[] = {
	{ "debian", "9", "stretch", false },
	{ "debian", "10", "buster", false },
	{ "debian", "11", "bullseye", true },
	{ "debian", "12", "bookworm", false },
	{ "debian", "13", "trixie", false },
	{ "ubuntu", "16.04", "xenial", false },
	{ "ubuntu", "18.04", "bionic", false },
	{ "ubuntu", "20.04", "focal", false },
	{ "ubuntu", "20.10", "groovy", false },
	{ "ubuntu", "21.04", "hirsute", false },
	{ "ubuntu", "21.10", "impish", false },
	{ "ubuntu", "22.04", "jammy", false },
	{ "ubuntu", "24.04", "noble", false },
};

static const struct version_alias *version_alias_find(const char *distro, const char *version)
{
	size_t i;

	for (i = 0; i < sizeof(version_aliases) / sizeof(version_aliases[0]); i++) {
		const struct version_alias *a = &version_aliases[i];

		if (!strcmp(distro, a->distro) &&
		    (!strcmp(version, a->numeric) || !strcmp(version, a->codename)))
			return a;
	}
	return NULL;
}

const char *btf_host__version_alias(const char *distro, const char *version)
{
	const struct version_alias *a = version_alias_find(distro, version);

	if (!a)
		return NULL;
	return strcmp(version, a->numeric) ? a->numeric : a->codename;
}

const char *btf_host__version_canon(const char *distro, const char *version)
{
	const struct version_alias *a = version_alias_find(distro, version);

	return a ? a->numeric : version;
}

int btf_host__version_dirs(const char *distro, const char *version, const char *dirs[2])
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

int btf_host__arch_dirs(const char *arch, const char *dirs[2])
{
	const char *canon = btf_host__arch_name(arch);

	dirs[0] = canon;
	if (strcmp(canon, "arm64"))
		return 1;
	dirs[1] = "aarch64";	/* some archives (and mirrors) use uname's name */
	return 2;
}

void btf_host__normalize(struct btf_host *host)
{
	char *p;

	unquote(host->distro);
	unquote(host->version);
	unquote(host->arch);
	unquote(host->release);
	for (p = host->distro; *p; p++)
		*p = tolower((unsigned char)*p);
	copy_field(host->arch, sizeof(host->arch), btf_host__arch_name(host->arch));
	if (major_only(host->distro) && (p = strchr(host->version, '.')))
		*p = '\0';
}

/*
 * os-release is shell-like KEY=VALUE; values may be quoted and may hold
 * backslash escapes (os-release(5)). Only ID and VERSION_ID matter here.
 */
static int parse_os_release(const char *path, struct btf_host *host)
{
	char line[512];
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *eq = strchr(line, '='), *dst;
		const char *src;
		char val[256];
		size_t n = 0;

		if (!eq || line[0] == '#')
			continue;
		*eq = '\0';
		src = eq + 1;
		for (dst = val; *src && *src != '\n' && n + 1 < sizeof(val); src++) {
			if (*src == '\\' && src[1] && src[1] != '\n')
				src++;
			else if (*src == '"' || *src == '\'')
				continue;
			*dst++ = *src;
			n++;
		}
		*dst = '\0';
		if (!strcmp(line, "ID"))
			copy_field(host->distro, sizeof(host->distro), val);
		else if (!strcmp(line, "VERSION_ID"))
			copy_field(host->version, sizeof(host->version), val);
	}
	fclose(f);
	return 0;
}

int btf_host__detect(struct btf_host *host, const struct btf_host_opts *opts)
{
	const char *osr = OPTS_GET(opts, os_release_path, NULL);
	const char *distro = OPTS_GET(opts, distro, NULL);
	const char *version = OPTS_GET(opts, version, NULL);
	const char *arch = OPTS_GET(opts, arch, NULL);
	const char *release = OPTS_GET(opts, release, NULL);
	struct utsname uts;
	int err = 0;

	if (!opts_valid(opts, OPTS_KNOWN_SZ(btf_host_opts)))
		return -EINVAL;
	memset(host, 0, sizeof(*host));
	if (!distro || !version) {
		if (osr)
			err = parse_os_release(osr, host);
		else if ((err = parse_os_release("/etc/os-release", host)) == -ENOENT)
			err = parse_os_release("/usr/lib/os-release", host);
		if (err)
			pr_binfo("host: cannot read os-release: %s\n", strerror(-err));
	}
	if (uname(&uts))
		return -errno;
	copy_field(host->arch, sizeof(host->arch), uts.machine);
	copy_field(host->release, sizeof(host->release), uts.release);
	if (distro)
		copy_field(host->distro, sizeof(host->distro), distro);
	if (version)
		copy_field(host->version, sizeof(host->version), version);
	if (arch)
		copy_field(host->arch, sizeof(host->arch), arch);
	if (release)
		copy_field(host->release, sizeof(host->release), release);
	btf_host__normalize(host);
	/* Without a distro no BTFHub path can be formed; a version may be absent (sid). */
	return host->distro[0] ? 0 : (err ?: -ENOENT);
}

int btf_host__parse(struct btf_host *host, const char *spec)
{
	char buf[512], *f[4], *save = NULL, *tok;
	int n = 0;

	memset(host, 0, sizeof(*host));
	if (snprintf(buf, sizeof(buf), "%s", spec) >= (int)sizeof(buf))
		return -EINVAL;
	for (tok = strtok_r(buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (n == 4)
			return -EINVAL;
		f[n++] = tok;
	}
	if (n != 4)
		return -EINVAL;
	if (strlen(f[0]) >= sizeof(host->distro) || strlen(f[1]) >= sizeof(host->version) ||
	    strlen(f[2]) >= sizeof(host->arch) || strlen(f[3]) >= sizeof(host->release))
		return -EINVAL;
	copy_field(host->distro, sizeof(host->distro), f[0]);
	copy_field(host->version, sizeof(host->version), f[1]);
	copy_field(host->arch, sizeof(host->arch), f[2]);
	copy_field(host->release, sizeof(host->release), f[3]);
	btf_host__normalize(host);
	return 0;
}

int btf_host__format(const struct btf_host *host, char *buf, size_t sz)
{
	return snprintf(buf, sz, "%s/%s/%s/%s", host->distro, host->version, host->arch,
			host->release);
}
