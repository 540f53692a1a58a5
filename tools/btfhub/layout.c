// SPDX-License-Identifier: BSD-2-Clause
/*
 * BTFHub's naming rules. No I/O and no logging here: the runtime library
 * (host identification) links this file too.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "utf8.h"

static const char *const part_names[LAYOUT_PARTS] = {
	"distro", "version", "arch", "release",
};

static const size_t part_max[LAYOUT_PARTS] = {
	LAYOUT_DISTRO_MAX, LAYOUT_VERSION_MAX, LAYOUT_ARCH_MAX, LAYOUT_RELEASE_MAX,
};

const char *layout__part_name(enum layout_part part)
{
	return part < LAYOUT_PARTS ? part_names[part] : "?";
}

const char *layout__part_invalid(enum layout_part part, const char *s)
{
	const char *p;

	if (part >= LAYOUT_PARTS)
		return "unknown key part";
	if (!s || !*s)
		return "is empty";
	if (strnlen(s, part_max[part] + 1) > part_max[part]) {
		switch (part) {
		case LAYOUT_DISTRO: return "is longer than 63 bytes";
		case LAYOUT_VERSION: return "is longer than 63 bytes";
		case LAYOUT_ARCH: return "is longer than 31 bytes";
		default: return "is longer than 191 bytes";
		}
	}
	if (strstr(s, ".."))
		return "contains '..'";
	if (s[0] == '.')
		return "starts with '.'";
	for (p = s; *p; p++) {
		const uint8_t *u = (const uint8_t *)p;
		size_t n;

		if (*p == '/')
			return "contains '/'";
		if (*u < 0x20 || *u == 0x7f)
			return "contains a control character";
		if (*u < 0x80)
			continue;
		/* A name must print, and go into JSON (manifest, index, --json), as it is. */
		n = utf8__seq(u, strnlen(p, 4));
		if (!n)
			return "is not valid UTF-8";
		if (utf8__is_c1(u, n))
			return "contains a control character";
		p += n - 1;
	}
	return NULL;
}

static int bad_key(char *why, size_t why_sz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad_key(char *why, size_t why_sz, const char *fmt, ...)
{
	va_list ap;

	if (why && why_sz) {
		va_start(ap, fmt);
		vsnprintf(why, why_sz, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int layout__parse_key(const char *spec, size_t len, char *buf, struct layout_key *key,
		      char *why, size_t why_sz)
{
	const char *parts[LAYOUT_PARTS];
	char *p = buf;
	int n = 1, i;

	memset(key, 0, sizeof(*key));
	if (len > LAYOUT_KEY_MAX)
		return bad_key(why, why_sz, "is longer than %d bytes", LAYOUT_KEY_MAX);
	if (memchr(spec, '\0', len))
		return bad_key(why, why_sz, "contains a NUL byte");
	memcpy(buf, spec, len);
	buf[len] = '\0';
	/* By hand: strtok_r would merge "a//b" and accept a leading '/'. */
	parts[0] = buf;
	while ((p = strchr(p, '/'))) {
		if (n == LAYOUT_PARTS)
			return bad_key(why, why_sz, "has more than four parts");
		*p++ = '\0';
		parts[n++] = p;
	}
	if (n != LAYOUT_PARTS)
		return bad_key(why, why_sz, "has fewer than four parts");
	for (i = 0; i < LAYOUT_PARTS; i++) {
		const char *r = layout__part_invalid(i, parts[i]);

		if (r)
			return bad_key(why, why_sz, "%s %s", part_names[i], r);
	}
	key->distro = parts[0];
	key->version = parts[1];
	key->arch = parts[2];
	key->release = parts[3];
	return 0;
}

const char *layout__arch_name(const char *machine)
{
	if (!strcmp(machine, "aarch64") || !strcmp(machine, "arm64"))
		return "arm64";
	if (!strcmp(machine, "amd64") || !strcmp(machine, "x86_64"))
		return "x86_64";
	return machine;
}

const char *layout__distro_name(const char *name, char *buf, size_t size)
{
	static const struct { const char *alias, *name; } aliases[] = {
		{ "amazon", "amzn" }, { "amazonlinux", "amzn" }, { "oracle", "ol" },
		{ "oraclelinux", "ol" }, { "redhat", "rhel" }, { "alma", "almalinux" },
		{ "rockylinux", "rocky" }, { "opensuse", "opensuse-leap" },
	};
	size_t i, n;

	if (!size)
		return buf;
	for (n = 0; name[n] && n + 1 < size; n++)
		buf[n] = name[n] >= 'A' && name[n] <= 'Z' ? name[n] - 'A' + 'a' : name[n];
	buf[n] = '\0';
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		if (!strcmp(buf, aliases[i].alias)) {
			snprintf(buf, size, "%s", aliases[i].name);
			break;
		}
	}
	return buf;
}

/* "2011.09" .. "2018.03": Amazon Linux AMI's VERSION_IDs (Amazon Linux 2 is "2", 2023 "2023"). */
static bool amazon_linux_ami(const char *v)
{
	return strlen(v) == 7 && v[4] == '.' && !strncmp(v, "201", 3) && v[3] >= '1' &&
	       v[3] <= '8' && v[5] >= '0' && v[5] <= '1' && v[6] >= '0' && v[6] <= '9';
}

const char *layout__host_version(const char *distro, const char *version_id, char *buf,
				 size_t size)
{
	const char *dot;

	if (!strcmp(distro, "amzn") && amazon_linux_ami(version_id))
		snprintf(buf, size, "2018");
	else if (layout__major_only(distro) && (dot = strchr(version_id, '.')))
		snprintf(buf, size, "%.*s", (int)(dot - version_id), version_id);
	else
		snprintf(buf, size, "%s", version_id);
	return buf;
}

bool layout__major_only(const char *distro)
{
	static const char *const list[] = { "rhel", "centos", "ol", "rocky", "almalinux", "fedora" };
	size_t i;

	for (i = 0; i < sizeof(list) / sizeof(list[0]); i++)
		if (!strcmp(distro, list[i]))
			return true;
	return false;
}

/*
 * BTFHub names some Debian and Ubuntu directories by codename and some by
 * number (btfhub's archive layout: Ubuntu by number; Debian 9 and 10 by
 * number but 11 as "bullseye"); os-release gives the number. Amazon Linux
 * AMI's kernels (amzn1) are under both amzn/2018 and amzn/1 (and, outside
 * the layout, 1/x86_64/).
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
	{ "amzn", "2018", "1", false },
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

const char *layout__version_alias(const char *distro, const char *version)
{
	const struct version_alias *a = version_alias_find(distro, version);

	if (!a)
		return NULL;
	return strcmp(version, a->numeric) ? a->numeric : a->codename;
}

const char *layout__version_canon(const char *distro, const char *version)
{
	const struct version_alias *a = version_alias_find(distro, version);

	return a ? a->numeric : version;
}

int layout__suite_version(const char *suite, const char **distro, const char **version)
{
	size_t i, n = strcspn(suite, "-");

	for (i = 0; i < sizeof(version_aliases) / sizeof(version_aliases[0]); i++) {
		const struct version_alias *a = &version_aliases[i];

		if (strlen(a->codename) == n && !strncmp(suite, a->codename, n)) {
			*distro = a->distro;
			*version = a->numeric;
			return 0;
		}
	}
	return -ENOENT;
}

char *layout__suites_known(char *buf, size_t size)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(version_aliases) / sizeof(version_aliases[0]) && o < size; i++) {
		const struct version_alias *a = &version_aliases[i];
		int n = snprintf(buf + o, size - o, "%s%s (%s %s)", i ? ", " : "", a->codename,
				 a->distro, a->numeric);

		if (n < 0)
			break;
		o += n;
	}
	return buf;
}

int layout__version_dirs(const char *distro, const char *version, const char *dirs[2])
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

int layout__arch_dirs(const char *arch, const char *dirs[2])
{
	const char *canon = layout__arch_name(arch);

	dirs[0] = canon;
	if (strcmp(canon, "arm64"))
		return 1;
	dirs[1] = "aarch64";	/* some archives (and mirrors) use uname's name */
	return 2;
}

bool layout__off_layout(const char *path)
{
	size_t len = strlen(path), sl = strlen(LAYOUT_SUFFIX_ARCHIVE), slashes = 0;
	const char *p;

	if (len <= sl || strcmp(path + len - sl, LAYOUT_SUFFIX_ARCHIVE))
		return false;
	for (p = path; (p = strchr(p, '/')); p++)
		slashes++;
	return slashes < LAYOUT_PARTS - 1;
}

int layout__archive_path(const char *dir, const struct layout_key *key, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s%s%s/%s/%s/%s" LAYOUT_SUFFIX_ARCHIVE, dir ?: "",
			 dir ? "/" : "", key->distro, key->version, key->arch, key->release);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* layout__archive_path(NULL, @key) in a malloc()ed string; NULL on ENOMEM. */
static char *archive_path_dup(const struct layout_key *key)
{
	size_t size = strlen(key->distro) + strlen(key->version) + strlen(key->arch) +
		      strlen(key->release) + sizeof("///" LAYOUT_SUFFIX_ARCHIVE);
	char *p = malloc(size);

	if (p && layout__archive_path(NULL, key, p, size)) {
		free(p);
		p = NULL;
	}
	return p;
}

int layout__archive_path_likely(const struct layout_key *key, char *buf, size_t size)
{
	const char *vdirs[2], *adirs[2];
	struct layout_key k = *key;

	/* [0], [0]: the order layout__archive_paths() lists them in. */
	layout__version_dirs(key->distro, key->version, vdirs);
	layout__arch_dirs(key->arch, adirs);
	k.version = vdirs[0];
	k.arch = adirs[0];
	return layout__archive_path(NULL, &k, buf, size);
}

int layout__archive_paths(const struct layout_key *key, char *paths[LAYOUT_MAX_CANDIDATES])
{
	const char *vdirs[2], *adirs[2];
	struct layout_key k = *key;
	int nv, na, i, j, n = 0;

	nv = layout__version_dirs(key->distro, key->version, vdirs);
	na = layout__arch_dirs(key->arch, adirs);
	for (i = 0; i < nv; i++) {
		for (j = 0; j < na; j++) {
			k.version = vdirs[i];
			k.arch = adirs[j];
			paths[n] = archive_path_dup(&k);
			if (!paths[n]) {
				while (n)
					free(paths[--n]);
				return -ENOMEM;
			}
			n++;
		}
	}
	return n;
}
