// SPDX-License-Identifier: BSD-2-Clause
/*
 * The shared helpers for untrusted input and for messages: escape.h's one
 * printing rule (no byte dropped, nothing a terminal or JSON parser would act
 * on, bounded echo), errmsg.h's translations (libbpf's 4001, EILSEQ as a
 * checksum mismatch, liblzma codes) and fsutil.h's bounded-read rule (a FIFO
 * or device refused without blocking, a size cap before allocation). TAP.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <lzma.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errmsg.h"
#include "escape.h"
#include "escape_json.h"
#include "fsutil.h"
#include "tap.h"

static void esc_is(const char *in, size_t len, const char *want)
{
	char buf[ESCAPE_MAX];

	escape__mem(buf, sizeof(buf), in, len);
	ok(!strcmp(buf, want) && escape__len(in, len) == strlen(want),
	   "escape %zu bytes -> \"%s\" (want \"%s\")", len, buf, want);
}

static void test_escape(void)
{
	char big[100000], buf[ESCAPE_MAX], *dup;
	json_t *j;

	esc_is("debian/12/x86_64/6.1.0-18-amd64", 31, "debian/12/x86_64/6.1.0-18-amd64");
	esc_is("a\\b", 3, "a\\\\b");
	esc_is("x\n\t\r", 4, "x\\n\\t\\r");
	esc_is("\033[31mred\x7f", 9, "\\x1b[31mred\\x7f");
	esc_is("\xff\xfe", 2, "\\xff\\xfe");
	esc_is("caf\xc3\xa9", 5, "caf\xc3\xa9");			/* valid UTF-8 kept */
	esc_is("\xe2\x82\xac\xf0\x9f\x98\x80", 7, "\xe2\x82\xac\xf0\x9f\x98\x80");
	esc_is("\xc2\x9b" "2J", 4, "\\xc2\\x9b2J");			/* C1 CSI escaped */
	esc_is("\xc0\xaf", 2, "\\xc0\\xaf");				/* overlong '/' */
	esc_is("\xed\xa0\x80", 3, "\\xed\\xa0\\x80");			/* surrogate */
	esc_is("\xe2\x82", 2, "\\xe2\\x82");				/* truncated sequence */
	esc_is("a\0b", 3, "a\\x00b");

	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	escape__str(buf, sizeof(buf), big);
	ok(strlen(buf) < sizeof(buf) && strstr(buf, "...(99999 bytes)") && !strncmp(buf, "AAAA", 4),
	   "a 100 KB name is echoed bounded: %zu bytes ending \"%s\"", strlen(buf),
	   buf + strlen(buf) - 16);
	escape__mem(buf, 24, big, 1000);
	ok(strlen(buf) < 24 && strstr(buf, "(1000 bytes)"), "a tiny buffer still says it was cut (%s)",
	   buf);

	dup = escape__dup("debian/12/x86_64/\xff", 18);
	j = escape__json("debian/12/x86_64/\xff");
	ok(dup && j && !strcmp(json_string_value(j), dup) && !strcmp(dup, "debian/12/x86_64/\\xff"),
	   "JSON gets the same text as the terminal (%s), never NULL", dup);
	ok(!json_string("debian/12/x86_64/\xff"), "(control: jansson refuses the raw bytes)");
	free(dup);
	json_decref(j);
}

static void test_errmsg(void)
{
	ok(!strstr(errmsg(-4001), "Unknown") && !strstr(errmsg(-4001), "4001"),
	   "libbpf's -4001 translated: \"%s\"", errmsg(-4001));
	ok(!strcmp(errmsg(-EILSEQ), "checksum mismatch"), "-EILSEQ: \"%s\"", errmsg(-EILSEQ));
	ok(!strcmp(errmsg(EILSEQ), "checksum mismatch"), "positive EILSEQ too");
	ok(!strcmp(errmsg(-ENOENT), "No such file or directory"), "-ENOENT: \"%s\"", errmsg(-ENOENT));
	ok(!strcmp(errmsg(-ESPIPE), "not a regular file"), "-ESPIPE: \"%s\"", errmsg(-ESPIPE));
	ok(errmsg__lzma(LZMA_DATA_ERROR) == -EBADMSG && errmsg__lzma(LZMA_MEM_ERROR) == -ENOMEM &&
	   errmsg__lzma(LZMA_MEMLIMIT_ERROR) == -EFBIG && errmsg__lzma(LZMA_OK) == 0 &&
	   errmsg__lzma(LZMA_BUF_ERROR) == -EBADMSG, "liblzma codes become errnos");
}

static void test_bounded_read(void)
{
	char dir[] = "/tmp/test_escape.XXXXXX", path[64];
	struct stat st;
	void *data = NULL;
	size_t len;
	int fd, err;

	if (!ok(mkdtemp(dir) != NULL, "temp dir"))
		return;
	snprintf(path, sizeof(path), "%s/fifo", dir);
	mkfifo(path, 0600);
	fd = open_regular(path, &st);
	ok(fd == -ESPIPE, "a FIFO without writer is refused, not waited on (%d)", fd);
	ok(read_file("/dev/zero", &data, &len, 1 << 20) == -ESPIPE && !data, "/dev/zero refused");
	ok(read_file(dir, &data, &len, 1 << 20) == -EISDIR, "a directory refused");
	snprintf(path, sizeof(path), "%s/big", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	err = fd >= 0 ? ftruncate(fd, 3ll << 30) : -1;
	if (fd >= 0)
		close(fd);
	ok(!err && read_file(path, &data, &len, 1 << 20) == -EFBIG && !data,
	   "a 3 GB file over a 1 MiB cap: -EFBIG before allocation");
	unlink(path);
	err = read_file("/proc/self/status", &data, &len, 1 << 20);
	ok(!err && len > 0 && strstr(data, "VmRSS"), "a /proc file (st_size 0) is still read whole (%zu bytes)",
	   len);
	free(data);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_escape();
	test_errmsg();
	test_bounded_read();
	return tap_done();
}
