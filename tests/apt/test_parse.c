// SPDX-License-Identifier: BSD-2-Clause
/*
 * The APT front end's parsers on crafted input: deb822 bounds (every cap
 * hit exactly at its edge), clearsigned bodies, the Release SHA256 list,
 * Packages selection and field checks, dpkg version order, suite -> BTFHub
 * version. The loopback repository (test_apt.py) covers them end to end.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "debver.h"
#include "deb822.h"
#include "layout.h"
#include "packages.h"
#include "release.h"
#include "tap.h"

struct seen {
	int n;
	char names[8][64];
	char last_value[256];
};

static int count_para(const struct deb822_para *p, void *ctx)
{
	struct seen *s = ctx;
	const char *v;

	if (s->n < 8 && !deb822_para__get(p, "Package", &v, NULL))
		snprintf(s->names[s->n], sizeof(s->names[0]), "%s", v);
	if (!deb822_para__get(p, "Description", &v, NULL))
		snprintf(s->last_value, sizeof(s->last_value), "%s", v);
	s->n++;
	return 0;
}

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static void t_deb822(void)
{
	const char *text = "Package: a\nDescription: one\n two\n .\n three\n\n\n"
			   "# comment\nPackage: b\r\nVersion: 1\n";
	struct seen s = { 0 };
	char why[200], *line, *doc;
	size_t i;
	int err;

	err = deb822__parse(text, strlen(text), count_para, &s, why, sizeof(why));
	ok(!err && s.n == 2 && !strcmp(s.names[0], "a") && !strcmp(s.names[1], "b"),
	   "deb822: two paragraphs, blank lines and comments between them");
	ok(!strcmp(s.last_value, "one\n two\n .\n three"), "deb822: continuation lines kept as they are");

	/* Fed one byte at a time: the same paragraphs. */
	{
		struct seen s2 = { 0 };
		struct deb822 *d = deb822__new(count_para, &s2);

		for (err = 0, i = 0; !err && i < strlen(text); i++)
			err = deb822__feed(d, text + i, 1);
		err = err ?: deb822__finish(d);
		deb822__free(d);
		ok(!err && s2.n == 2 && !strcmp(s2.last_value, s.last_value),
		   "deb822: fed byte by byte, the same result");
	}

	memset(&s, 0, sizeof(s));
	err = deb822__parse("Package: a\n continued\nbroken line\n", 33, count_para, &s, why,
			    sizeof(why));
	ok(err == -EBADMSG && strstr(why, "line 3"), "deb822: a line that is no field: '%s'", why);
	err = deb822__parse(" leading\n", 9, count_para, &s, why, sizeof(why));
	ok(err == -EBADMSG && strstr(why, "continuation"), "deb822: continuation first: '%s'", why);
	err = deb822__parse("A: 1\nB\0: 2\n", 11, count_para, &s, why, sizeof(why));
	ok(err == -EBADMSG && strstr(why, "NUL"), "deb822: NUL byte: '%s'", why);
	err = deb822__parse(": x\n", 4, count_para, &s, why, sizeof(why));
	ok(err == -EBADMSG, "deb822: empty field name");

	/* A line of exactly DEB822_LINE_MAX bytes (newline aside) passes; one more fails. */
	line = repeat('x', DEB822_LINE_MAX + 2);
	memcpy(line, "Description: ", 13);
	line[DEB822_LINE_MAX] = '\n';
	memset(&s, 0, sizeof(s));
	err = deb822__parse(line, DEB822_LINE_MAX + 1, count_para, &s, why, sizeof(why));
	ok(!err && s.n == 1, "deb822: a line of %u bytes is accepted", DEB822_LINE_MAX);
	line[DEB822_LINE_MAX] = 'x';
	line[DEB822_LINE_MAX + 1] = '\n';
	err = deb822__parse(line, DEB822_LINE_MAX + 2, count_para, &s, why, sizeof(why));
	ok(err == -EFBIG && strstr(why, "line over"), "deb822: one byte more: '%s'", why);
	free(line);

	/* A paragraph over DEB822_PARA_MAX, of lines each under the line cap. */
	doc = malloc(DEB822_PARA_MAX + 4096);
	memcpy(doc, "Description: x\n", 15);
	for (i = 15; i < DEB822_PARA_MAX + 100; i += 1000) {
		memset(doc + i, 'y', 1000);
		doc[i] = ' ';
		doc[i + 999] = '\n';
	}
	err = deb822__parse(doc, i, count_para, &s, why, sizeof(why));
	ok(err == -EFBIG && strstr(why, "paragraph over"), "deb822: paragraph cap: '%s'", why);
	free(doc);

	/* DEB822_FIELDS_MAX fields pass, one more fails. */
	doc = malloc((DEB822_FIELDS_MAX + 1) * 16);
	for (i = 0, line = doc; i <= DEB822_FIELDS_MAX; i++)
		line += sprintf(line, "F%zu: v\n", i);
	err = deb822__parse(doc, line - doc, count_para, &s, why, sizeof(why));
	ok(err == -EFBIG && strstr(why, "fields"), "deb822: field count cap: '%s'", why);
	free(doc);

	{
		const struct deb822_field f[2] = {
			{ "SHA256", "a", 6, 1 }, { "sha256", "b", 6, 1 },
		};
		const struct deb822_para p = { f, 2, 1 };
		const char *v;

		ok(deb822_para__get(&p, "SHA256", &v, NULL) == -EBADMSG,
		   "deb822: a field given twice (in any case) is refused");
		ok(deb822_para__get(&p, "Size", &v, NULL) == -ENOENT, "deb822: absent field");
	}
}

#define SIGNED_HEAD "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n"
#define SIG "-----BEGIN PGP SIGNATURE-----\n\niQIzBAEBCgAdFiEE\n=abcd\n-----END PGP SIGNATURE-----\n"

static void t_clearsigned(void)
{
	const char *good = SIGNED_HEAD "Origin: Debian\n- -----dashed\nSuite: x\n" SIG;
	char *body, why[200];
	size_t len;
	int err;

	err = release__clearsigned_body(good, strlen(good), &body, &len, why, sizeof(why));
	ok(!err && !strcmp(body, "Origin: Debian\n-----dashed\nSuite: x\n"),
	   "clearsigned: body between armor lines, dash-escapes removed");
	free(body);
	{
		const char *t = "Codename: evil\n" SIGNED_HEAD "Suite: x\n" SIG;

		err = release__clearsigned_body(t, strlen(t), &body, &len, why, sizeof(why));
		ok(err == -EBADMSG && strstr(why, "does not start"),
		   "clearsigned: text before the armor: '%s'", why);
	}
	{
		const char *t = SIGNED_HEAD "Suite: x\n" SIG "Codename: evil\n";

		err = release__clearsigned_body(t, strlen(t), &body, &len, why, sizeof(why));
		ok(err == -EBADMSG && strstr(why, "after"), "clearsigned: text after it: '%s'", why);
	}
	{
		const char *t = SIGNED_HEAD "Suite: x\n";

		err = release__clearsigned_body(t, strlen(t), &body, &len, why, sizeof(why));
		ok(err == -EBADMSG, "clearsigned: no signature block: '%s'", why);
	}
	{
		const char *t = SIGNED_HEAD "Suite: x\n" SIGNED_HEAD "Suite: y\n" SIG;

		err = release__clearsigned_body(t, strlen(t), &body, &len, why, sizeof(why));
		ok(err == -EBADMSG, "clearsigned: a second message inside: '%s'", why);
	}
}

static int parse_str(struct release *r, const char *s, char *why, size_t why_sz)
{
	return release__parse(r, strdup(s), strlen(s), why, why_sz);
}

static void t_release(void)
{
	const char *hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char text[2048], why[200];
	uint8_t d[SHA256_DIGEST_LEN];
	struct release r;
	uint64_t size;
	int err;

	snprintf(text, sizeof(text),
		 "Origin: Debian\nSuite: stable\nCodename: bookworm\nAcquire-By-Hash: yes\n"
		 "MD5Sum:\n 00 1 main/binary-amd64/Packages.xz\nSHA256:\n"
		 " %s   1234 main/binary-amd64/Packages\n"
		 " %s 99 main/binary-amd64/Packages.xz\n", hex, hex);
	err = release__parse(&r, strdup(text), strlen(text), why, sizeof(why));
	ok(!err && !strcmp(r.codename, "bookworm") && r.by_hash, "release: fields");
	ok(!release__find(&r, "main/binary-amd64/Packages.xz", &size, d) && size == 99 &&
	   d[0] == 0x01 && d[31] == 0xef, "release: an index's size and SHA-256");
	ok(release__find(&r, "main/binary-arm64/Packages.xz", &size, d) == -ENOENT,
	   "release: an index not listed");
	release__free(&r);

	snprintf(text, sizeof(text), "Suite: x\nSHA256:\n %s 1 a\n %s 2 a\n", hex, hex);
	err = release__parse(&r, strdup(text), strlen(text), why, sizeof(why));
	ok(!err && release__find(&r, "a", &size, d) == -EBADMSG,
	   "release: an index listed twice is refused");
	release__free(&r);
	snprintf(text, sizeof(text), "Suite: x\nSHA256:\n %s 1234567890123456 a\n", hex);
	err = release__parse(&r, strdup(text), strlen(text), why, sizeof(why));
	ok(!err && release__find(&r, "a", &size, d) == -EBADMSG, "release: an absurd size");
	release__free(&r);
	snprintf(text, sizeof(text), "Suite: x\nSHA256:\n %.63sg 1 a\n", hex);
	err = release__parse(&r, strdup(text), strlen(text), why, sizeof(why));
	ok(!err && release__find(&r, "a", &size, d) == -EBADMSG, "release: a digest not hex");
	release__free(&r);

	err = parse_str(&r, "Suite: x\nMD5Sum:\n 00 1 a\n", why, sizeof(why));
	ok(err == -EBADMSG && strstr(why, "SHA256"), "release: MD5 only: '%s'", why);
	release__free(&r);
	err = parse_str(&r, "Suite: x\nSHA256: x\n\nSuite: y\n", why, sizeof(why));
	ok(err == -EBADMSG && strstr(why, "paragraph"), "release: two paragraphs: '%s'", why);
	release__free(&r);
	err = parse_str(&r, "Suite: x\nSuite: y\nSHA256: x\n", why, sizeof(why));
	ok(err == -EBADMSG && strstr(why, "twice"), "release: Suite given twice: '%s'", why);
	release__free(&r);
	/*
	 * A paragraph's strings live in the parser's buffer, which the lines after
	 * it overwrite (fuzz_apt found the fields read after a trailing comment).
	 */
	err = parse_str(&r, "Suite: stable\nCodename: bookworm\nSHA256: x\n\n"
			    "# a trailing comment, longer than the paragraph it overwrites\n",
			why, sizeof(why));
	ok(!err && !strcmp(r.suite, "stable") && !strcmp(r.codename, "bookworm") &&
	   !strcmp(r.sha256, "x"), "release: fields outlive the lines after them");
	release__free(&r);
}

struct picked {
	int n, bad;
	char last[256];
};

static int on_pkg(const struct apt_pkg *p, void *ctx)
{
	struct picked *pk = ctx;

	pk->n++;
	if (p->bad) {
		pk->bad++;
		snprintf(pk->last, sizeof(pk->last), "%s: %s", p->name, p->bad);
	} else {
		snprintf(pk->last, sizeof(pk->last), "%s %s %s %llu %s", p->name, p->version,
			 p->filename, (unsigned long long)p->size, p->sha256);
	}
	return 0;
}

static int packages_of(const char *text, struct picked *pk, char *why, size_t why_sz)
{
	const char *globs[] = { "linux-image-[0-9]*", NULL };
	int fd = memfd_create("packages", MFD_CLOEXEC), err;

	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return -EIO;
	memset(pk, 0, sizeof(*pk));
	err = packages__read(fd, &(struct packages_opts){ .sz = sizeof(struct packages_opts),
							  .globs = globs },
			     on_pkg, pk, why, why_sz);
	close(fd);
	return err;
}

#define HEX "ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789"

static void t_packages(void)
{
	char why[200];
	struct picked pk;
	int err;

	err = packages_of("Package: linux-image-amd64\nVersion: 1\n\n"
			  "Package: linux-image-6.1.0-1-amd64\nVersion: 6.1.1-1\nArchitecture: amd64\n"
			  "Filename: pool/main/l/linux/x_6.1.1-1_amd64.deb\nSize: 42\nSHA256: " HEX
			  "\n\nPackage: other\n", &pk, why, sizeof(why));
	ok(!err && pk.n == 1 && !pk.bad &&
	   !strcmp(pk.last, "linux-image-6.1.0-1-amd64 6.1.1-1 pool/main/l/linux/x_6.1.1-1_amd64.deb 42 "
			    "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"),
	   "packages: the glob's package, its fields, SHA-256 lower-cased: '%s'", pk.last);
	err = packages_of("Package: linux-image-6\nVersion: 1\nArchitecture: amd64\n"
			  "Filename: pool/../../etc/passwd\nSize: 1\nSHA256: " HEX "\n", &pk, why,
			  sizeof(why));
	ok(!err && pk.bad == 1 && strstr(pk.last, "leaves"), "packages: Filename with '..': '%s'",
	   pk.last);
	err = packages_of("Package: linux-image-6\nVersion: 1\nArchitecture: amd64\n"
			  "Filename: /etc/passwd\nSize: 1\nSHA256: " HEX "\n", &pk, why, sizeof(why));
	ok(!err && pk.bad == 1, "packages: absolute Filename: '%s'", pk.last);
	err = packages_of("Package: linux-image-6\nVersion: 1\nArchitecture: amd64\n"
			  "Filename: pool/a%2f.deb\nSize: 1\nSHA256: " HEX "\n", &pk, why, sizeof(why));
	ok(!err && pk.bad == 1, "packages: Filename with '%%': '%s'", pk.last);
	err = packages_of("Package: linux-image-6\nVersion: 1\nArchitecture: amd64\n"
			  "Filename: pool/a.deb\nSize: 99999999999\nSHA256: " HEX "\n", &pk, why,
			  sizeof(why));
	ok(!err && pk.bad == 1 && strstr(pk.last, "Size"), "packages: Size over 8 GiB: '%s'", pk.last);
	err = packages_of("Package: linux-image-6\nVersion: 1\nArchitecture: amd64\n"
			  "Filename: pool/a.deb\nSize: 1\nSHA256: abc\n", &pk, why, sizeof(why));
	ok(!err && pk.bad == 1 && strstr(pk.last, "SHA256"), "packages: short SHA256: '%s'", pk.last);
	err = packages_of("Package: linux-image-6\nVersion: 1\nArchitecture: amd64\n"
			  "Filename: pool/a.deb\nSize: 1\nSHA256: " HEX "\nSHA256: " HEX "\n", &pk, why,
			  sizeof(why));
	ok(!err && pk.bad == 1, "packages: SHA256 twice: '%s'", pk.last);
	err = packages_of("garbage\n", &pk, why, sizeof(why));
	ok(err == -EBADMSG && strstr(why, "line 1"), "packages: not deb822: '%s'", why);
}

static void t_debver(void)
{
	ok(debver__cmp("6.1.140-1", "6.1.137-1") > 0 && debver__cmp("6.1.9-1", "6.1.10-1") < 0,
	   "debver: numeric parts compare as numbers");
	ok(debver__cmp("1.0~rc1-1", "1.0-1") < 0 && debver__cmp("1:0.1-1", "9.9-1") > 0,
	   "debver: '~' sorts first, the epoch first of all");
	ok(debver__cmp("6.12.117-1~deb12u1", "6.12.117-1") < 0 &&
	   debver__cmp("6.1.0-1+b1", "6.1.0-1") > 0 && !debver__cmp("1.0-1", "1.0-1"),
	   "debver: backport and binNMU suffixes");
}

static void t_suites(void)
{
	const char *d, *v;
	char buf[512];

	ok(!layout__suite_version("bullseye-security", &d, &v) && !strcmp(d, "debian") &&
	   !strcmp(v, "11"), "suites: bullseye-security -> debian 11");
	ok(!layout__suite_version("bookworm-backports", &d, &v) && !strcmp(v, "12") &&
	   !layout__suite_version("trixie", &d, &v) && !strcmp(v, "13"),
	   "suites: bookworm-backports -> 12, trixie -> 13");
	ok(!layout__suite_version("jammy-updates", &d, &v) && !strcmp(d, "ubuntu") &&
	   !strcmp(v, "22.04"), "suites: jammy-updates -> ubuntu 22.04");
	ok(layout__suite_version("sid", &d, &v) == -ENOENT &&
	   layout__suite_version("bookwormish", &d, &v) == -ENOENT,
	   "suites: an unknown suite is no guess");
	layout__suites_known(buf, sizeof(buf));
	ok(strstr(buf, "bookworm (debian 12)") != NULL, "suites: the known list names them: %.60s",
	   buf);
}

int main(void)
{
	t_deb822();
	t_clearsigned();
	t_release();
	t_packages();
	t_debver();
	t_suites();
	return tap_done();
}
