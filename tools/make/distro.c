// SPDX-License-Identifier: BSD-2-Clause
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "deb822.h"
#include "distro.h"

struct series {
	const char *upstream;	/* "6.1" matches "6.1.x" and "6.1-..." */
	const char *version;
};

static const struct series debian_series[] = {
	{ "3.16", "8" }, { "4.9", "9" }, { "4.19", "10" }, { "5.10", "11" },
	{ "6.1", "12" }, { "6.12", "13" },
};

static const struct series ubuntu_series[] = {
	{ "4.4", "16.04" }, { "4.15", "18.04" }, { "5.4", "20.04" }, { "5.15", "22.04" },
	{ "6.8", "24.04" },
};

/* The first line of field @name of @p into @out ("" when absent). */
static int field(const struct deb822_para *p, const char *name, char *out, size_t sz)
{
	const char *v, *end;
	size_t len;
	int err;

	*out = '\0';
	err = deb822_para__get(p, name, &v, &len);
	if (err == -ENOENT)
		return 0;
	if (err)
		return err;
	end = memchr(v, '\n', len) ?: v + len;
	while (end > v && isspace((unsigned char)end[-1]))
		end--;
	snprintf(out, sz, "%.*s", (int)(end - v), v);
	return 0;
}

/* "debNN" or "bpoNN" after a separator, in @s: NN into @out. */
static bool debian_tag(const char *s, char *out, size_t sz)
{
	static const char *const tags[] = { "deb", "bpo" };
	size_t i;

	for (i = 0; i < 2; i++) {
		const char *p;

		for (p = s; (p = strstr(p, tags[i])); p += 3) {
			size_t d = strspn(p + 3, "0123456789");

			if (p > s && strchr("~+.-", p[-1]) && d && d < 4) {
				snprintf(out, sz, "%.*s", (int)d, p + 3);
				return true;
			}
		}
	}
	return false;
}

static void by_series(const struct series *t, size_t n, const char *v, char *out, size_t sz)
{
	size_t i;

	for (i = 0; i < n; i++) {
		size_t l = strlen(t[i].upstream);

		if (!strncmp(v, t[i].upstream, l) && (v[l] == '.' || v[l] == '-')) {
			snprintf(out, sz, "%s", t[i].version);
			return;
		}
	}
}

void distro__version(const char *distro, const char *v, char *out, size_t sz)
{
	const char *p;

	*out = '\0';
	if (!strcmp(distro, "debian")) {
		if (!debian_tag(v, out, sz))
			by_series(debian_series, sizeof(debian_series) / sizeof(debian_series[0]),
				  v, out, sz);
	} else if (!strcmp(distro, "ubuntu")) {
		/* HWE kernels: "5.15.0-91.101~20.04.1" */
		p = strchr(v, '~');
		if (p && isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
		    p[3] == '.' && isdigit((unsigned char)p[4]) && isdigit((unsigned char)p[5]))
			snprintf(out, sz, "%.5s", p + 1);
		else
			by_series(ubuntu_series, sizeof(ubuntu_series) / sizeof(ubuntu_series[0]),
				  v, out, sz);
	}
}

void distro__version_from_release(const char *distro, const char *release, char *out, size_t sz)
{
	*out = '\0';
	if (!strcmp(distro, "debian"))
		debian_tag(release, out, sz);
}

struct control_ctx {
	struct deb_fields *f;
	char maint[256];
	bool seen;
	const char *twice;	/* the field given twice */
};

/* A control file is one paragraph: the first is read, any other ignored. */
static int control_para(const struct deb822_para *p, void *ctx)
{
	static const char *const names[] = { "Package", "Version", "Architecture", "Maintainer" };
	struct control_ctx *c = ctx;
	char *outs[] = { c->f->package, c->f->pkg_version, c->f->arch, c->maint };
	size_t szs[] = { sizeof(c->f->package), sizeof(c->f->pkg_version), sizeof(c->f->arch),
			 sizeof(c->maint) };
	size_t i;

	if (c->seen)
		return 0;
	c->seen = true;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (field(p, names[i], outs[i], szs[i])) {
			c->twice = names[i];
			return -EBADMSG;
		}
	return 0;
}

int distro__parse_control(const char *text, size_t len, struct deb_fields *f, char *why,
			  size_t why_sz)
{
	struct control_ctx c = { .f = f };
	int err;

	err = deb822__parse(text, len, control_para, &c, why, why_sz);
	if (err) {
		if (c.twice)
			snprintf(why, why_sz, "field %s given twice", c.twice);
		return err;
	}
	if (strstr(c.maint, "@lists.debian.org") || strstr(c.maint, "@debian.org"))
		snprintf(f->distro, sizeof(f->distro), "debian");
	else if (strstr(c.maint, "@lists.ubuntu.com") || strstr(c.maint, "@canonical.com") ||
		 strstr(c.maint, "@ubuntu.com"))
		snprintf(f->distro, sizeof(f->distro), "ubuntu");
	if (!strcmp(f->arch, "all"))
		f->arch[0] = '\0';
	distro__version(f->distro, f->pkg_version, f->version, sizeof(f->version));
	return 0;
}

/* The digits after @tag in @release's dist tag (".fc38" -> "38"), or 0 chars. */
static size_t dist_tag(const char *release, const char *tag, const char **digits)
{
	const char *p;

	for (p = release; (p = strstr(p, tag)); p++) {
		size_t d = strspn(p + strlen(tag), "0123456789");

		if (d && d < 6) {
			*digits = p + strlen(tag);
			return d;
		}
	}
	return 0;
}

void distro__rpm(struct rpm_fields *f)
{
	static const struct { const char *vendor, *distro; } vendors[] = {
		{ "CentOS", "centos" }, { "Red Hat", "rhel" }, { "Oracle", "ol" },
		{ "Rocky", "rocky" }, { "AlmaLinux", "almalinux" },
	};
	const char *d;
	size_t n, i;

	if ((n = dist_tag(f->release, ".fc", &d))) {
		snprintf(f->distro, sizeof(f->distro), "fedora");
	} else if ((n = dist_tag(f->release, ".amzn", &d))) {
		snprintf(f->distro, sizeof(f->distro), "amzn");
	} else if ((n = dist_tag(f->release, ".el", &d))) {
		for (i = 0; i < sizeof(vendors) / sizeof(vendors[0]); i++)
			if (strstr(f->vendor, vendors[i].vendor))
				snprintf(f->distro, sizeof(f->distro), "%s", vendors[i].distro);
		if (!*f->distro)
			return;
	} else {
		return;
	}
	snprintf(f->dist_version, sizeof(f->dist_version), "%.*s", (int)n, d);
}
