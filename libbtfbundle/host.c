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
#include "errmsg.h"
#include "fsutil.h"
#include "layout.h"

/* Fields are bounded; an over-long value is cut, never overflows. */
static void copy_field(char *dst, size_t sz, const char *src)
{
	size_t n = strlen(src);

	if (n >= sz)
		n = sz - 1;
	memmove(dst, src, n);
	dst[n] = '\0';
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

/* The naming rules are BTFHub's layout module's (tools/btfhub/layout.h). */
void host__normalize(struct btf_host *host)
{
	char distro[sizeof(host->distro)], version[sizeof(host->version)];

	unquote(host->distro);
	unquote(host->version);
	unquote(host->arch);
	unquote(host->release);
	copy_field(host->distro, sizeof(host->distro),
		   layout__distro_name(host->distro, distro, sizeof(distro)));
	copy_field(host->arch, sizeof(host->arch), layout__arch_name(host->arch));
	copy_field(host->version, sizeof(host->version),
		   layout__host_version(host->distro, host->version, version, sizeof(version)));
}

/* Longest os-release read: real ones are under 1 KB. */
#define OS_RELEASE_MAX (64u << 10)

/*
 * os-release is shell-like KEY=VALUE; values may be quoted and may hold
 * backslash escapes (os-release(5)). Only ID and VERSION_ID matter here.
 * The file is read whole (bounded, regular files only) and split at every
 * newline, so a long line is one line, never a fake second one.
 */
static int parse_os_release(const char *path, struct btf_host *host)
{
	char *text, *line, *next;
	size_t len;
	int err;

	err = read_file(path, (void **)&text, &len, OS_RELEASE_MAX);
	if (err)
		return err;
	for (line = text; line < text + len; line = next) {
		char *eq, *dst, *end = memchr(line, '\n', text + len - line);
		const char *src;
		char val[256];
		size_t n = 0;

		if (!end)
			end = text + len;
		*end = '\0';
		next = end + 1;
		eq = strchr(line, '=');
		if (!eq || line[0] == '#')
			continue;
		*eq = '\0';
		src = eq + 1;
		for (dst = val; *src && n + 1 < sizeof(val); src++) {
			if (*src == '\\' && src[1])
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
	free(text);
	return 0;
}

static int host_detect(struct btf_host *host, const struct btf_host_opts *opts)
{
	const char *osr = OPTS_GET(opts, os_release_path, NULL);
	const char *distro = OPTS_GET(opts, distro, NULL);
	const char *version = OPTS_GET(opts, version, NULL);
	const char *arch = OPTS_GET(opts, arch, NULL);
	const char *release = OPTS_GET(opts, release, NULL);
	struct utsname uts;
	int err = 0;

	if (!distro || !version) {
		if (osr)
			err = parse_os_release(osr, host);
		else if ((err = parse_os_release("/etc/os-release", host)) == -ENOENT)
			err = parse_os_release("/usr/lib/os-release", host);
		if (err)
			pr_binfo("host: cannot read os-release: %s\n", errmsg(err));
	}
	if (uname(&uts))
		return -errno;
	host__set(host, distro ?: host->distro, version ?: host->version, arch ?: uts.machine,
		  release ?: uts.release);
	/* Without a distro no BTFHub path can be formed; a version may be absent (sid). */
	return host->distro[0] ? 0 : (err ?: -ENOENT);
}

void host__set(struct btf_host *host, const char *distro, const char *version,
	       const char *arch, const char *release)
{
	struct btf_host h = {};

	copy_field(h.distro, sizeof(h.distro), distro);
	copy_field(h.version, sizeof(h.version), version);
	copy_field(h.arch, sizeof(h.arch), arch);
	copy_field(h.release, sizeof(h.release), release);
	host__normalize(&h);
	*host = h;
}

int host__detect(struct btf_host *host, const struct btf_host_opts *opts)
{
	if (!host || !opts_valid(opts, btf_host_opts))
		return -EINVAL;
	memset(host, 0, sizeof(*host));
	return host_detect(host, opts);
}

int host__parse(struct btf_host *host, const char *spec)
{
	char buf[LAYOUT_KEY_MAX + 1];
	struct layout_key key;

	if (!host || !spec ||
	    layout__parse_key(spec, strnlen(spec, LAYOUT_KEY_MAX + 1), buf, &key, NULL, 0))
		return -EINVAL;
	host__set(host, key.distro, key.version, key.arch, key.release);
	return 0;
}

/* A library-owned copy of @h, or NULL + errno for @err. */
static struct btf_host *host_new(int err, const struct btf_host *h)
{
	struct btf_host *host;

	if (err)
		return bundle_err_ptr(err);
	host = malloc(sizeof(*host));
	if (!host)
		return bundle_err_ptr(-ENOMEM);
	*host = *h;
	return host;
}

struct btf_host *btf_host__detect(const struct btf_host_opts *opts)
{
	struct btf_host h;

	return host_new(host__detect(&h, opts), &h);
}

struct btf_host *btf_host__parse(const char *spec)
{
	struct btf_host h;

	return host_new(host__parse(&h, spec), &h);
}

void btf_host__free(struct btf_host *host)
{
	free(host);
}

const char *btf_host__distro(const struct btf_host *host) { return host ? host->distro : NULL; }
const char *btf_host__version(const struct btf_host *host) { return host ? host->version : NULL; }
const char *btf_host__arch(const struct btf_host *host) { return host ? host->arch : NULL; }
const char *btf_host__release(const struct btf_host *host) { return host ? host->release : NULL; }

int btf_host__format(const struct btf_host *host, char *buf, size_t sz)
{
	if (!host || (!buf && sz))
		return -EINVAL;
	return snprintf(buf, sz, "%s/%s/%s/%s", host->distro, host->version, host->arch,
			host->release);
}
