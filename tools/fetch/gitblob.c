// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "gitblob.h"

int git_blob__name_fd(int fd, const char *like, char hex[GIT_BLOB_HEX_LEN])
{
	size_t want = strlen(like);
	unsigned char md[EVP_MAX_MD_SIZE], buf[65536];
	char head[40];
	unsigned int mdlen = 0, i;
	EVP_MD_CTX *ctx;
	struct stat st;
	uint64_t off = 0;
	int err = 0, n;

	if (want != 40 && want != 64)
		return -EINVAL;
	if (fstat(fd, &st))
		return -errno;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	n = snprintf(head, sizeof(head), "blob %" PRIu64, (uint64_t)st.st_size);
	if (!EVP_DigestInit_ex(ctx, want == 40 ? EVP_sha1() : EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(ctx, head, n + 1)) {	/* the NUL is part of the header */
		err = -EIO;
		goto out;
	}
	/* The size in the header is the one fstat() gave: the bytes must match it. */
	while (off < (uint64_t)st.st_size) {
		ssize_t r = pread(fd, buf, sizeof(buf), off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			err = r < 0 ? -errno : -ENODATA;
			goto out;
		}
		if (!EVP_DigestUpdate(ctx, buf, r)) {
			err = -EIO;
			goto out;
		}
		off += r;
	}
	if (!EVP_DigestFinal_ex(ctx, md, &mdlen)) {
		err = -EIO;
		goto out;
	}
	for (i = 0; i < mdlen; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
out:
	EVP_MD_CTX_free(ctx);
	return err;
}
