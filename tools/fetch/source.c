// SPDX-License-Identifier: BSD-2-Clause
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "github.h"
#include "source.h"

#define ARCHIVE_SUFFIX ".btf.tar.xz"

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
		err = github__parse_url(spec, &src->github, &src->base);
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
	github__free(src->github);
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

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of @path's entries that are directories (or, with @files, regular files). */
static int list_dir(const char *path, bool files, char ***names, size_t *n)
{
	struct dirent *de;
	char **v = NULL;
	size_t cnt = 0, cap = 0;
	int err = 0;
	DIR *d;

	*names = NULL;
	*n = 0;
	d = opendir(path);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char *full;
		struct stat st;
		bool keep;

		if (de->d_name[0] == '.')
			continue;
		if (asprintf(&full, "%s/%s", path, de->d_name) < 0) {
			err = -ENOMEM;
			break;
		}
		/* stat, not lstat: a packager's tree may use symlinked dirs. */
		keep = !stat(full, &st) && (files ? S_ISREG(st.st_mode) : S_ISDIR(st.st_mode));
		free(full);
		if (!keep)
			continue;
		if (cnt == cap) {
			char **nv;

			cap = cap ? cap * 2 : 16;
			nv = reallocarray(v, cap, sizeof(*v));
			if (!nv) {
				err = -ENOMEM;
				break;
			}
			v = nv;
		}
		v[cnt] = strdup(de->d_name);
		if (!v[cnt]) {
			err = -ENOMEM;
			break;
		}
		cnt++;
	}
	closedir(d);
	if (err) {
		while (cnt)
			free(v[--cnt]);
		free(v);
		return err;
	}
	qsort(v, cnt, sizeof(*v), name_cmp);
	*names = v;
	*n = cnt;
	return 0;
}

static void free_names(char **v, size_t n)
{
	while (n)
		free(v[--n]);
	free(v);
}

/* Depth-first walk; @seg holds the directory names chosen so far. */
static int walk(const char *path, int depth, const char *seg[3],
		source_list_fn fn, void *ctx)
{
	char **names;
	size_t n, i;
	int err;

	err = list_dir(path, depth == 3, &names, &n);
	if (err)
		return err;
	for (i = 0; i < n && !err; i++) {
		size_t len = strlen(names[i]), sl = strlen(ARCHIVE_SUFFIX);
		char *sub;

		if (depth == 3) {
			if (len <= sl || strcmp(names[i] + len - sl, ARCHIVE_SUFFIX))
				continue;
			names[i][len - sl] = '\0';
			err = fn(seg[0], seg[1], seg[2], names[i], ctx);
			continue;
		}
		if (asprintf(&sub, "%s/%s", path, names[i]) < 0) {
			err = -ENOMEM;
			break;
		}
		seg[depth] = names[i];
		err = walk(sub, depth + 1, seg, fn, ctx);
		free(sub);
	}
	free_names(names, n);
	return err;
}

int source__list_local(const struct source *src, source_list_fn fn, void *ctx)
{
	const char *seg[3] = { NULL, NULL, NULL };

	if (src->kind != SOURCE_DIR)
		return -EOPNOTSUPP;
	return walk(src->base, 0, seg, fn, ctx);
}
