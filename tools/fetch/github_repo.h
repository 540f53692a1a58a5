/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A GitHub repository URL: https://github.com/OWNER/REPO[/tree/REF] (or
 * .../raw/REF, the form of earlier defaults). A leaf: source.c parses
 * sources with it, github.c lists the repository it names. The hosts can be
 * moved (GitHub Enterprise, tests) with BTFKIT_GITHUB_URL,
 * BTFKIT_GITHUB_API_URL and BTFKIT_GITHUB_RAW_URL (defaults
 * https://github.com, https://api.github.com,
 * https://raw.githubusercontent.com).
 */
#ifndef BTFHUB_FETCH_GITHUB_REPO_H
#define BTFHUB_FETCH_GITHUB_REPO_H

struct github_repo {
	char *api;	/* API base URL, no trailing '/' */
	char *owner, *repo, *ref;
};

/*
 * If @spec is a GitHub repository URL, set *@gh and *@raw_base (the URL
 * archives are fetched under) and return 1; return 0 for any other URL, or
 * -EINVAL for a GitHub URL that names no repository, -ENOMEM.
 */
int github_repo__parse_url(const char *spec, struct github_repo **gh, char **raw_base);
void github_repo__free(struct github_repo *gh);

#endif
