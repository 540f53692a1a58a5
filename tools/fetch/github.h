/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A GitHub repository as a source: https://github.com/OWNER/REPO[/tree/REF]
 * (or .../raw/REF, the form of earlier defaults). The listing comes from the
 * git trees API, the archives from the raw-file host:
 *
 *   GET <api>/repos/OWNER/REPO/git/trees/REF?recursive=1
 *   GET <raw>/OWNER/REPO/REF/<distro>/<version>/<arch>/<release>.btf.tar.xz
 *
 * When the answer says "truncated": true, the tree is walked one subtree at a
 * time (by SHA, so each is cached for good). $GITHUB_TOKEN, when set, goes to
 * the API host only. The hosts can be moved (GitHub Enterprise, tests) with
 * BTFKIT_GITHUB_URL, BTFKIT_GITHUB_API_URL and BTFKIT_GITHUB_RAW_URL
 * (github_repo.h).
 */
#ifndef BTFHUB_FETCH_GITHUB_H
#define BTFHUB_FETCH_GITHUB_H

#include "github_repo.h"
#include "listing.h"

/*
 * The archives of one recursive trees-API answer @body (from @url) into
 * @l. Returns 0, -EAGAIN if GitHub truncated it, or -EINVAL (reported).
 */
int github__parse_tree(struct listing *l, const char *url, const char *body, size_t len);
/* List the repository's archives into @l. Returns 0 or a negative errno (reported). */
int github__list(struct listing *l, const struct github_repo *gh, const struct listing_opts *o);

#endif
