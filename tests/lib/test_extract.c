// SPDX-License-Identifier: BSD-2-Clause
/*
 * tools/btfhub/extract: the archive is read from the descriptor it was
 * hashed from, never again by path. Open a real archive, replace its path
 * with another real archive (rename, as a racing writer or a second fetch
 * would), then extract from the first descriptor: the old member comes out,
 * while the path itself now fails the same extraction. Also: the offset is
 * left alone, the same descriptor serves twice, and a pipe is refused
 * before anything is read. TAP output.
 *
 * Usage: test_extract ARCHIVE_A RELEASE_A ARCHIVE_B RELEASE_B
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "extract.h"
#include "fsutil.h"
#include "sha256.h"
#include "tap.h"

static int silent(enum libbpf_print_level l, const char *f, va_list ap)
{
	return 0;
}

static int copy_file(const char *from, const char *to)
{
	void *data;
	size_t len;
	int err;

	err = read_file(from, &data, &len, 64 << 20);
	if (err)
		return err;
	err = write_file_atomic(to, data, len);
	free(data);
	return err;
}

/* Extract @release from @archive_fd into a memfd; its SHA-256 in @hex. */
static int extract_hex(int archive_fd, const char *release, char hex[SHA256_HEX_LEN],
		       char *why, size_t why_sz)
{
	const struct extract_opts o = { 0 };
	uint8_t d[SHA256_DIGEST_LEN];
	uint64_t size;
	int fd, err;

	fd = memfd_create("out", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = extract__btf_fd(archive_fd, release, fd, &o, &size, why, why_sz);
	err = err ?: sha256_fd(fd, d);
	if (!err)
		sha256_hex(d, hex);
	close(fd);
	return err;
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/btfkit-extract-XXXXXX", path[64], other[64], why[512];
	char before[SHA256_HEX_LEN], after[SHA256_HEX_LEN], again[SHA256_HEX_LEN];
	char sha_a[SHA256_HEX_LEN], sha_fd[SHA256_HEX_LEN];
	uint8_t d[SHA256_DIGEST_LEN];
	const char *rel_a, *rel_b;
	struct stat st;
	int fd = -1, fd2, pfd[2], err;

	if (argc != 5) {
		fprintf(stderr, "usage: %s ARCHIVE_A RELEASE_A ARCHIVE_B RELEASE_B\n", argv[0]);
		return 2;
	}
	rel_a = argv[2];
	rel_b = argv[4];
	libbpf_set_print(silent);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/k.btf.tar.xz", dir);
	snprintf(other, sizeof(other), "%s/other.btf.tar.xz", dir);
	if (!ok(!copy_file(argv[1], path) && !copy_file(argv[3], other), "fixtures copied"))
		goto out;

	/* Reference: A's member, extracted before anything is swapped. */
	fd = open_regular(path, &st);
	if (!ok(fd >= 0, "open_regular(%s)", path))
		goto out;
	err = sha256_fd(fd, d);
	sha256_hex(d, sha_a);
	ok(!err, "archive hashed from its descriptor");
	err = extract_hex(fd, rel_a, before, why, sizeof(why));
	ok(!err, "extract from the descriptor: %s", err ? why : before);

	/* The path now names B: a different archive, holding another release. */
	ok(!rename(other, path), "path replaced by another archive");
	err = extract_hex(fd, rel_a, after, why, sizeof(why));
	ok(!err && !strcmp(before, after),
	   "after the swap, the descriptor still gives the verified archive's member (%s)",
	   err ? why : after);
	ok(!sha256_fd(fd, d) && (sha256_hex(d, sha_fd), !strcmp(sha_fd, sha_a)),
	   "the descriptor still hashes to what was verified");
	ok(lseek(fd, 0, SEEK_CUR) == 0, "the descriptor's offset is untouched");

	/* And the path really changed: by path, the old release is not there. */
	fd2 = open_regular(path, &st);
	err = fd2 < 0 ? fd2 : extract_hex(fd2, rel_a, again, why, sizeof(why));
	ok(err == -EBADMSG && strstr(why, "unexpected member"),
	   "the new file at the path is another archive: %s", why);
	err = fd2 < 0 ? fd2 : extract_hex(fd2, rel_b, again, why, sizeof(why));
	ok(!err && strcmp(again, before), "which holds other BTF (%s)", err ? why : again);
	if (fd2 >= 0)
		close(fd2);

	/* extract__btf(): the same through a temp file renamed into place. */
	{
		const struct extract_opts o = { 0 };
		char dest[128];

		snprintf(dest, sizeof(dest), "%s/out.btf", dir);
		err = extract__btf(fd, rel_a, dest, &o, why, sizeof(why));
		ok(!err && !sha256_file(dest, d) && (sha256_hex(d, again), !strcmp(again, before)),
		   "extract__btf() from the descriptor writes the verified member");
		unlink(dest);
	}

	/* Nothing that is not a regular file is read. */
	if (!pipe2(pfd, O_CLOEXEC)) {
		if (write(pfd[1], "x", 1) != 1)
			diag("pipe write failed");
		err = extract_hex(pfd[0], rel_a, again, why, sizeof(why));
		ok(err == -ESPIPE && strstr(why, "not a regular file"), "a pipe is refused: %s",
		   why);
		close(pfd[0]);
		close(pfd[1]);
	}
out:
	if (fd >= 0)
		close(fd);
	unlink(path);
	unlink(other);
	rmdir(dir);
	printf("1..%d\n", test_cnt);
	return fail_cnt ? 1 : 0;
}
