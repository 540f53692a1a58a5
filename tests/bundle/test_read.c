// SPDX-License-Identifier: BSD-2-Clause
/*
 * Reading an entry out: btf_bundle__memfd (a sealed memfd libbpf parses by
 * path) and btf_bundle__load_btf (a struct btf). TAP output.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>

#include "btf_bundle.h"
#include "btf_fixtures.h"
#include "bundle_build.h"
#include "tap.h"

static void test_btf_access(void)
{
	static const struct input in[] = {
		{ "x86_64", "debian", "12", "6.1.0-18-amd64", 5 },
		{ "x86_64", "debian", "12", "6.1.0-19-amd64", 6 },
	};
	struct build bo = { .dict_size = DICT_DEFAULT };
	struct btf_bundle *b = NULL;
	struct bundle_stats st;
	struct btf *btf = NULL;
	char path[64], small[8];
	const void *raw;
	void *want = NULL, *buf = NULL;
	size_t want_len = 0, len;
	__u32 raw_len = 0;
	int fd = -1, id, seals;

	if (!ok(!build_bundle(in, 2, &bo, &buf, &len, &st), "btf: built"))
		return;
	b = btf_bundle__open_mem(buf, len, NULL);
	if (!ok(b && !fixture_btf(6, &want, &want_len), "btf: open"))
		goto out;
	fd = btf_bundle__memfd(b, 1, path, sizeof(path));
	if (ok(fd >= 0, "memfd: fd %d", fd)) {
		char expect[64];

		snprintf(expect, sizeof(expect), "/proc/self/fd/%d", fd);
		ok(!strcmp(path, expect), "memfd: path %s", path);
		btf = btf__parse(path, NULL);
		raw = btf ? btf__raw_data(btf, &raw_len) : NULL;
		ok(raw && raw_len == want_len && !memcmp(raw, want, want_len),
		   "memfd: btf__parse(%s) reads the entry back", path);
		btf__free(btf);
		btf = NULL;
		seals = fcntl(fd, F_GET_SEALS);
		ok(seals >= 0 && (seals & F_SEAL_WRITE) && write(fd, "x", 1) < 0,
		   "memfd: sealed against writes");
		close(fd);
	}
	ok(btf_bundle__memfd(b, 0, small, sizeof(small)) == -ENAMETOOLONG,
	   "memfd: a too small path buffer -> -ENAMETOOLONG");
	ok(btf_bundle__memfd(b, 2, path, sizeof(path)) == -ENOENT, "memfd: no such entry -> -ENOENT");

	btf = btf_bundle__load_btf(b, 1);
	if (ok(btf, "load_btf: entry 1 parses")) {
		const struct btf_type *t;
		const struct btf_member *mb;

		id = btf__find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT);
		t = id > 0 ? btf__type_by_id(btf, id) : NULL;
		mb = t ? btf_members(t) : NULL;
		/* variant 6: pid at byte 1024 + 32 * (6 % 5) */
		ok(t && btf_vlen(t) == 3 && mb && !strcmp(btf__name_by_offset(btf, mb[1].name_off), "pid") &&
		   mb[1].offset == (1024 + 32) * 8, "load_btf: task_struct.pid where the input put it");
	}
	btf__free(btf);
	errno = 0;
	btf = btf_bundle__load_btf(b, 7);
	ok(!btf && errno == ENOENT, "load_btf: no such entry -> NULL, ENOENT");
out:
	btf_bundle__free(b);
	free(want);
	free(buf);
}

int main(int argc, char **argv)
{
	/* The library's warnings would only clutter TAP; errors are asserted. */
	btf_bundle_set_print(NULL);
	(void)argc;
	(void)argv;
	test_btf_access();
	return tap_done();
}
