/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A git blob's object name: SHA-1 of "blob <size>\0" + the bytes (SHA-256
 * for a repository in git's sha256 object format), what GitHub's trees API
 * lists for each file. btfhub-fetch checks a GitHub download against it.
 */
#ifndef BTFHUB_FETCH_GITBLOB_H
#define BTFHUB_FETCH_GITBLOB_H

#define GIT_BLOB_HEX_LEN 65	/* the longer (sha256) name, NUL included */

/*
 * The object name of the file open at @fd (read from offset 0 with pread),
 * in the format of @like (40 hex: SHA-1, 64 hex: SHA-256), as lower-case
 * hex into @hex. Returns 0, -EINVAL for a @like of neither length, or a
 * negative errno.
 */
int git_blob__name_fd(int fd, const char *like, char hex[GIT_BLOB_HEX_LEN]);

#endif
