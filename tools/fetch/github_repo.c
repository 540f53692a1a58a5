// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "github_repo.h"

#define DEFAULT_WEB "https://github.com"
#define DEFAULT_API "https://api.github.com"
#define DEFAULT_RAW "https://raw.githubusercontent.com"

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

static char *trimmed(const char *s)
{
	char *p = strdup(s);
	size_t len;

	if (!p)
		return NULL;
	len = strlen(p);
	while (len && p[len - 1] == '/')
		p[--len] = '\0';
	return p;
}

/* Owner and repository names: GitHub allows these characters only. */
static bool name_ok(const char *s, size_t len)
{
	if (!len || len > 100 || (len == 1 && s[0] == '.') || (len == 2 && !strncmp(s, "..", 2)))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") >= len;
}

/* Refs go into URL paths unescaped: branch-name characters, no "..". */
static bool ref_ok(const char *s)
{
	size_t len = strlen(s);

	return len && len <= 200 && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				      "0123456789-_./+") == len && !strstr(s, "..") &&
	       s[0] != '/' && s[len - 1] != '/' && !strstr(s, "//");
}

int github_repo__parse_url(const char *spec, struct github_repo **out, char **raw_base)
{
	char *web = trimmed(env_or("BTFKIT_GITHUB_URL", DEFAULT_WEB)), *s = NULL;
	const char *rest, *slash, *ref = "HEAD";
	struct github_repo *gh = NULL;
	size_t wl, ol, rl;
	int err = -ENOMEM;

	*out = NULL;
	*raw_base = NULL;
	if (!web || !(s = trimmed(spec)))
		goto out;
	wl = strlen(web);
	if (strncasecmp(s, web, wl) || s[wl] != '/') {
		err = 0;
		goto out;
	}
	err = -EINVAL;
	rest = s + wl + 1;
	slash = strchr(rest, '/');
	if (!slash)
		goto out;
	ol = slash - rest;
	rl = strcspn(slash + 1, "/");
	if (!name_ok(rest, ol) || !name_ok(slash + 1, rl))
		goto out;
	if (slash[1 + rl]) {
		const char *tail = slash + 1 + rl + 1;

		if (strncmp(tail, "tree/", 5) && strncmp(tail, "raw/", 4))
			goto out;
		ref = strchr(tail, '/') + 1;
		if (!ref_ok(ref))
			goto out;
	}
	err = -ENOMEM;
	gh = calloc(1, sizeof(*gh));
	if (!gh)
		goto out;
	gh->owner = strndup(rest, ol);
	gh->repo = strndup(slash + 1, rl);
	gh->ref = strdup(ref);
	gh->api = trimmed(env_or("BTFKIT_GITHUB_API_URL", DEFAULT_API));
	if (!gh->owner || !gh->repo || !gh->ref || !gh->api)
		goto out;
	/* "REPO.git" is what a clone URL says; the API wants the bare name. */
	rl = strlen(gh->repo);
	if (rl > 4 && !strcmp(gh->repo + rl - 4, ".git"))
		gh->repo[rl - 4] = '\0';
	{
		char *raw = trimmed(env_or("BTFKIT_GITHUB_RAW_URL", DEFAULT_RAW));

		if (!raw || asprintf(raw_base, "%s/%s/%s/%s", raw, gh->owner, gh->repo,
				     gh->ref) < 0) {
			free(raw);
			*raw_base = NULL;
			goto out;
		}
		free(raw);
	}
	*out = gh;
	gh = NULL;
	err = 1;
out:
	github_repo__free(gh);
	free(web);
	free(s);
	return err;
}

void github_repo__free(struct github_repo *gh)
{
	if (!gh)
		return;
	free(gh->api);
	free(gh->owner);
	free(gh->repo);
	free(gh->ref);
	free(gh);
}
