/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A suite's Release file, the root of APT's chain of trust: it names each
 * index (Packages.xz, ...) with its size and SHA-256. Read from InRelease
 * (clearsigned) or Release; with a keyring its OpenPGP signature is checked
 * by gpgv, and only the text gpgv says it verified is parsed.
 */
#ifndef BTFKIT_APT_RELEASE_H
#define BTFKIT_APT_RELEASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sha256.h"

/* Largest (In)Release accepted: Ubuntu's are a few hundred KiB. */
#define RELEASE_MAX (16u << 20)
/* Longest index path a Release may name. */
#define RELEASE_PATH_MAX 1024

struct release {
	char *text;		/* the signed (or unsigned) deb822 text, owned */
	size_t len;
	/* Into text; "" when absent. */
	const char *origin, *suite, *codename;
	const char *sha256;	/* the SHA256 field's lines */
	bool by_hash;		/* Acquire-By-Hash: yes */
};

/*
 * The body of a clearsigned message (RFC 4880 7.1): the text between the
 * armor headers and "-----BEGIN PGP SIGNATURE-----", dash-escapes removed.
 * Anything before the armor or after the signature is an error, as in APT
 * (text outside the signed part must never be read as if it were signed).
 * A malloc()ed, NUL-terminated copy in *out. Returns 0, -EBADMSG (@why says
 * what) or -ENOMEM.
 */
int release__clearsigned_body(const char *data, size_t len, char **out, size_t *out_len,
			      char *why, size_t why_sz);

/*
 * Check a signature with gpgv against @keyring (a keyring file, used as
 * is): @sig a clearsigned InRelease when @data is NULL, else the detached
 * Release.gpg of @data. The verified text is written to @out (a path gpgv
 * creates). Returns 0 when gpgv exits 0 and reports a VALIDSIG; -EKEYREJECTED
 * when the signature does not verify, with gpgv's reason in @why; -ENOENT
 * when gpgv is not installed; another negative errno otherwise.
 */
int release__gpgv(const char *keyring, const char *sig, const char *data, const char *out,
		  char *why, size_t why_sz);

/*
 * Parse @text (@len bytes, taken over by @r, freed by release__free()).
 * Requires a SHA256 field: an MD5-only Release gives no chain to trust.
 * Returns 0, or -EBADMSG with @why set.
 */
int release__parse(struct release *r, char *text, size_t len, char *why, size_t why_sz);
void release__free(struct release *r);

/*
 * The SHA256 entry of index @path ("main/binary-amd64/Packages.xz"): its
 * size and digest. Returns 0, -ENOENT when not listed, or -EBADMSG (a
 * malformed or duplicate entry for @path).
 */
int release__find(const struct release *r, const char *path, uint64_t *size,
		  uint8_t sha256[SHA256_DIGEST_LEN]);

#endif
