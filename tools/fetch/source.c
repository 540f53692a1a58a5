// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "github_repo.h"
#include "source.h"

/* file:// URLs may percent-encode; decode so the path names the real file. */
static int url_decode_path(const char *in, char **out)
{
	char *p = malloc(strlen(in) + 1);
	char *o = p;

	if (!p)
		return -ENOMEM;
	while (*in) {
		unsigned int c;

		if (in[0] == '%' && in[1] && in[2] && sscanf(in + 1, "%2x", &c) == 1) {
			if (!c) {
				free(p);
				return -EINVAL;
			}
			*o++ = (char)c;
			in += 3;
		} else {
			*o++ = *in++;
		}
	}
	*o = '\0';
	*out = p;
	return 0;
}

int source__parse(struct source *src, const char *spec)
{
	size_t len;
	int err;

	memset(src, 0, sizeof(*src));
	if (!strncasecmp(spec, "http://", 7) || !strncasecmp(spec, "https://", 8)) {
		src->kind = SOURCE_HTTP;
		err = github_repo__parse_url(spec, &src->github, &src->base);
		if (err < 0)
			return err;
		if (!err)
			src->base = strdup(spec);
	} else if (!strncasecmp(spec, "file://", 7)) {
		/* Only local files: file://host/... names another machine. */
		if (spec[7] != '/')
			return -EINVAL;
		src->kind = SOURCE_DIR;
		err = url_decode_path(spec + 7, &src->base);
		if (err)
			return err;
	} else if (strstr(spec, "://")) {
		return -EPROTONOSUPPORT;
	} else {
		src->kind = SOURCE_DIR;
		src->base = strdup(spec);
	}
	if (!src->base)
		return -ENOMEM;
	len = strlen(src->base);
	while (len > 1 && src->base[len - 1] == '/')
		src->base[--len] = '\0';
	if (src->kind == SOURCE_DIR) {
		struct stat st;

		if (stat(src->base, &st))
			return -errno;
		if (!S_ISDIR(st.st_mode))
			return -ENOTDIR;
	}
	return 0;
}

void source__free(struct source *src)
{
	free(src->base);
	src->base = NULL;
	github_repo__free(src->github);
	src->github = NULL;
}

/*
 * Release names are not URL-safe by contract ('+' and '~' are common and
 * fine; '#', '?', '%' or a space would change the URL's meaning), so escape
 * everything outside RFC 3986's unreserved, sub-delims, ':', '@' and '/'.
 */
static bool url_char_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("-._~!$&'()*+,;=:@/", c);
}

char *source__join(const struct source *src, const char *rel)
{
	size_t blen = strlen(src->base), i;
	char *s, *o;

	s = malloc(blen + 1 + 3 * strlen(rel) + 1);
	if (!s)
		return NULL;
	memcpy(s, src->base, blen);
	o = s + blen;
	*o++ = '/';
	for (i = 0; rel[i]; i++) {
		unsigned char c = rel[i];

		if (src->kind == SOURCE_DIR || url_char_ok(c)) {
			*o++ = c;
		} else {
			sprintf(o, "%%%02X", c);
			o += 3;
		}
	}
	*o = '\0';
	return s;
}

int source__locate_local(const struct source *src, struct kernel *k)
{
	int i;

	for (i = 0; i < k->ncandidates; i++) {
		char *path = source__join(src, k->candidates[i]);
		struct stat st;

		if (!path)
			return -ENOMEM;
		if (!stat(path, &st) && S_ISREG(st.st_mode)) {
			free(k->url);
			k->url = path;
			k->archive = strdup(path);
			return k->archive ? 0 : -ENOMEM;
		}
		if (i == 0) {
			free(k->url);
			k->url = path;
		} else {
			free(path);
		}
	}
	return -ENOENT;
}
