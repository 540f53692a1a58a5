// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "deb822.h"
#include "release.h"

extern char **environ;

#define BEGIN_SIGNED "-----BEGIN PGP SIGNED MESSAGE-----"
#define BEGIN_SIG "-----BEGIN PGP SIGNATURE-----"
#define END_SIG "-----END PGP SIGNATURE-----"

/* The next line of [*p, end): its start and length without "\n" or "\r\n". */
static bool next_line(const char **p, const char *end, const char **line, size_t *len)
{
	const char *s = *p, *nl;

	if (s >= end)
		return false;
	nl = memchr(s, '\n', end - s);
	*line = s;
	*p = nl ? nl + 1 : end;
	*len = (nl ? nl : end) - s;
	if (*len && s[*len - 1] == '\r')
		(*len)--;
	return true;
}

static bool is_line(const char *line, size_t len, const char *want)
{
	size_t n = strlen(want);

	/* Trailing blanks after an armor line are allowed (RFC 4880 6.2). */
	if (len < n || memcmp(line, want, n))
		return false;
	for (; n < len; n++)
		if (line[n] != ' ' && line[n] != '\t')
			return false;
	return true;
}

static int why_set(char *why, size_t why_sz, const char *s)
{
	if (why && why_sz)
		snprintf(why, why_sz, "%s", s);
	return -EBADMSG;
}

int release__clearsigned_body(const char *data, size_t len, char **out, size_t *out_len,
			      char *why, size_t why_sz)
{
	const char *p = data, *end = data + len, *line;
	bool in_sig = false, ended = false;
	size_t n, o = 0;
	char *body;

	*out = NULL;
	if (memchr(data, '\0', len))
		return why_set(why, why_sz, "NUL byte in InRelease");
	if (!next_line(&p, end, &line, &n) || !is_line(line, n, BEGIN_SIGNED))
		return why_set(why, why_sz, "does not start with '" BEGIN_SIGNED "'");
	/* Armor headers ("Hash: SHA512") up to the first empty line. */
	while (next_line(&p, end, &line, &n) && n)
		if (!memchr(line, ':', n))
			return why_set(why, why_sz, "malformed armor header");
	body = malloc(len + 1);
	if (!body)
		return -ENOMEM;
	while (next_line(&p, end, &line, &n)) {
		if (ended) {
			if (n && strspn(line, " \t") < n) {
				free(body);
				return why_set(why, why_sz, "text after the signature");
			}
		} else if (in_sig) {
			ended = is_line(line, n, END_SIG);
		} else if (is_line(line, n, BEGIN_SIG)) {
			in_sig = true;
		} else if (n >= 5 && !memcmp(line, "-----", 5)) {
			/* A second signed message, or armor inside the body. */
			free(body);
			return why_set(why, why_sz, "unexpected armor line in the signed text");
		} else {
			if (n >= 2 && !memcmp(line, "- ", 2)) {	/* dash-escaped */
				line += 2;
				n -= 2;
			}
			memcpy(body + o, line, n);
			o += n;
			body[o++] = '\n';
		}
	}
	if (!ended) {
		free(body);
		return why_set(why, why_sz, "no complete signature block");
	}
	body[o] = '\0';
	*out = body;
	*out_len = o;
	return 0;
}

/* The status keyword of gpgv's that says best why a signature failed. */
static void gpgv_reason(const char *status, char *why, size_t why_sz)
{
	static const char *const order[] = {
		"BADSIG", "NO_PUBKEY", "EXPKEYSIG", "REVKEYSIG", "EXPSIG", "ERRSIG", "NODATA",
	};
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		char key[32];
		const char *s;

		snprintf(key, sizeof(key), "[GNUPG:] %s", order[i]);
		s = strstr(status, key);
		if (s) {
			size_t n = strcspn(s + 9, "\n");

			snprintf(why, why_sz, "signature check failed: %.*s", (int)n, s + 9);
			return;
		}
	}
	snprintf(why, why_sz, "signature check failed (gpgv gave no reason)");
}

int release__gpgv(const char *keyring, const char *sig, const char *data, const char *out,
		  char *why, size_t why_sz)
{
	char *argv[12], status[16384];
	posix_spawn_file_actions_t fa;
	int pipefd[2], err, st, i = 0;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	argv[i++] = "gpgv";
	argv[i++] = "--status-fd";
	argv[i++] = "1";
	argv[i++] = "--keyring";
	argv[i++] = (char *)keyring;
	if (out) {
		argv[i++] = "--output";
		argv[i++] = (char *)out;
	}
	argv[i++] = "--";
	argv[i++] = (char *)sig;
	if (data)
		argv[i++] = (char *)data;
	argv[i] = NULL;
	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], 2);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	err = posix_spawnp(&pid, "gpgv", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (err) {
		close(pipefd[0]);
		snprintf(why, why_sz, "cannot run gpgv: %s", strerror(err));
		return -err;
	}
	/* Keep the first 16 KiB; drain the rest so gpgv never blocks on us. */
	for (;;) {
		char sink[4096];

		if (got < sizeof(status) - 1)
			n = read(pipefd[0], status + got, sizeof(status) - 1 - got);
		else
			n = read(pipefd[0], sink, sizeof(sink));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (got < sizeof(status) - 1)
			got += n;
	}
	status[got] = '\0';
	close(pipefd[0]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 127) {
		snprintf(why, why_sz, "gpgv is not installed");
		return -ENOENT;
	}
	if (WIFEXITED(st) && !WEXITSTATUS(st) && strstr(status, "[GNUPG:] VALIDSIG "))
		return 0;
	gpgv_reason(status, why, why_sz);
	return -EKEYREJECTED;
}

struct release_ctx {
	struct release *r;
	int paras;
};

static const char *field(const struct deb822_para *p, const char *name, int *err)
{
	const char *v;
	int e = deb822_para__get(p, name, &v, NULL);

	if (e == -EBADMSG)
		*err = e;
	return e ? "" : v;
}

static int release_para(const struct deb822_para *p, void *ctx)
{
	struct release_ctx *c = ctx;
	struct release *r = c->r;
	int err = 0;

	if (c->paras++)
		return -E2BIG;
	/* Copied now: the parser reuses @p's buffer for the next line. */
	r->origin = strdup(field(p, "Origin", &err));
	r->suite = strdup(field(p, "Suite", &err));
	r->codename = strdup(field(p, "Codename", &err));
	r->sha256 = strdup(field(p, "SHA256", &err));
	r->by_hash = !strcasecmp(field(p, "Acquire-By-Hash", &err), "yes");
	if (!r->origin || !r->suite || !r->codename || !r->sha256)
		err = err ?: -ENOMEM;
	return err;
}

int release__parse(struct release *r, char *text, size_t len, char *why, size_t why_sz)
{
	struct release_ctx c = { r, 0 };
	struct deb822 *d;
	int err;

	memset(r, 0, sizeof(*r));
	r->text = text;
	r->len = len;
	if (len > RELEASE_MAX)
		return why_set(why, why_sz, "larger than 16 MiB");
	/*
	 * Parsed in place would be neater, but the parser owns its copy; the
	 * fields point into it, so it lives as long as @r (the text is kept
	 * for the caller's own records).
	 */
	d = deb822__new(release_para, &c);
	if (!d)
		return -ENOMEM;
	err = deb822__feed(d, text, len) ?: deb822__finish(d);
	if (err == -EFBIG || (err == -EBADMSG && deb822__error(d)[0])) {
		why_set(why, why_sz, deb822__error(d));
		err = -EBADMSG;
	} else if (err == -E2BIG) {
		err = why_set(why, why_sz, "more than one paragraph");
	} else if (err == -EBADMSG) {
		err = why_set(why, why_sz, "a field given twice");
	} else if (!err && !c.paras) {
		err = why_set(why, why_sz, "empty");
	} else if (!err && !r->sha256[0]) {
		err = why_set(why, why_sz, "no SHA256 field (an MD5-only Release is not trusted)");
	}
	if (err) {
		free((char *)r->origin);
		free((char *)r->suite);
		free((char *)r->codename);
		free((char *)r->sha256);
		r->origin = r->suite = r->codename = r->sha256 = NULL;
	}
	deb822__free(d);
	return err;
}

void release__free(struct release *r)
{
	free(r->text);
	free((char *)r->origin);
	free((char *)r->suite);
	free((char *)r->codename);
	free((char *)r->sha256);
	memset(r, 0, sizeof(*r));
}

static bool hexdigit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int release__find(const struct release *r, const char *path, uint64_t *size,
		  uint8_t sha256[SHA256_DIGEST_LEN])
{
	const char *p = r->sha256, *end = p + strlen(p), *line;
	size_t plen = strlen(path), n;
	int found = 0;

	while (next_line(&p, end, &line, &n)) {
		const char *s = line, *e = line + n;
		char hex[SHA256_HEX_LEN];
		uint64_t sz = 0;
		int digits = 0;

		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		if (s == e)
			continue;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		/* "<64 hex> <size> <path>": the path is the last word. */
		if (e - s < 64 || !(s[64] == ' ' || s[64] == '\t'))
			continue;
		{
			const char *q = e;

			while (q > s && q[-1] != ' ' && q[-1] != '\t')
				q--;
			if ((size_t)(e - q) != plen || memcmp(q, path, plen))
				continue;
		}
		memcpy(hex, s, 64);
		hex[64] = '\0';
		for (s += 64; s < e && (*s == ' ' || *s == '\t'); s++)
			;
		for (; s < e && *s >= '0' && *s <= '9'; s++) {
			if (++digits > 15)	/* no index is a petabyte */
				return -EBADMSG;
			sz = sz * 10 + (*s - '0');
		}
		if (!digits || s == e || (*s != ' ' && *s != '\t'))
			return -EBADMSG;
		for (digits = 0; digits < 64; digits++)
			if (!hexdigit(hex[digits]))
				return -EBADMSG;
		if (found++)
			return -EBADMSG;
		if (sha256_parse_hex(hex, sha256))
			return -EBADMSG;
		*size = sz;
	}
	return found ? 0 : -ENOENT;
}
