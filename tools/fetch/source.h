/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Where archives come from: an HTTP(S) base URL (a btfhub-archive mirror),
 * or a local BTFHub-layout directory given as a path or a file:// URL.
 */
#ifndef BTFHUB_FETCH_SOURCE_H
#define BTFHUB_FETCH_SOURCE_H

#include <stdbool.h>

#include "kernel.h"

/* BTFHub's archive repository: listed with GitHub's API, fetched from its raw host. */
#define SOURCE_DEFAULT_URL "https://github.com/aquasecurity/btfhub-archive"

enum source_kind {
	SOURCE_HTTP,
	SOURCE_DIR,
};

struct github_repo;

struct source {
	enum source_kind kind;
	char *base;	/* URL or directory, without a trailing '/' */
	struct github_repo *github;	/* a GitHub repository (base: its raw files) */
};

/* Parse @spec (URL or path). Returns 0 or a negative errno. */
int source__parse(struct source *src, const char *spec);
void source__free(struct source *src);
/* "<base>/<rel>" (malloc()ed, NULL on ENOMEM). */
char *source__join(const struct source *src, const char *rel);
/*
 * Local source: find the first candidate archive of @k that exists; sets
 * k->url and k->archive. Returns 0, -ENOENT (k->url = first candidate) or
 * another negative errno.
 */
int source__locate_local(const struct source *src, struct kernel *k);
#endif
