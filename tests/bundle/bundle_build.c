// SPDX-License-Identifier: BSD-2-Clause
/* Test bundles for the tests/bundle units: see bundle_build.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf_fixtures.h"
#include "bundle_build.h"
#include "sha256.h"

const struct input main_set[MAIN_CNT] = {
	{ "x86_64", "ubuntu", "20.04", "5.4.0-100-generic", 0 },
	{ "x86_64", "ubuntu", "20.04", "5.4.0-101-generic", 1 },
	{ "x86_64", "ubuntu", "20.04", "5.4.0-102-generic", 1 },
	{ "x86_64", "ubuntu", "22.04", "5.15.0-50-generic", 2 },
	{ "x86_64", "ubuntu", "22.04", "5.15.0-51-generic", 3 },
	{ "arm64", "ubuntu", "20.04", "5.4.0-100-generic", 4 },
	{ "x86_64", "debian", "bookworm", "6.1.0-18-amd64", 5 },
	{ "x86_64", "debian", "11", "5.10.0-28-amd64", 6 },
	{ "x86_64", "centos", "8", "4.18.0-305.el8.x86_64", 7 },
	{ "x86_64", "centos", "8", "4.18.0-348.el8.x86_64", 7 },
	{ "x86_64", "centos", "7", "3.10.0-1160.el7.x86_64", 8 },
	/* same release under two versions: "10" > "9" in version order only */
	{ "x86_64", "fedora", "10", "5.0.0-test", 9 },
	{ "x86_64", "fedora", "9", "5.0.0-test", 10 },
};

const struct input small_set[3] = {
	{ "x86_64", "debian", "12", "6.1.0-18-amd64", 0 },
	{ "x86_64", "debian", "12", "6.1.0-19-amd64", 1 },
	{ "x86_64", "debian", "12", "6.1.0-20-amd64", 0 },
};

const struct build layouts[LAYOUT_CNT] = {
	{ .block_size = 0, .chunk_size = 0, .dict_size = DICT_DEFAULT },
	{ .block_size = 1, .chunk_size = 1, .dict_size = DICT_DEFAULT },	/* one per chunk/block */
	{ .block_size = 20000, .chunk_size = 200, .dict_size = 0 },
};

static const uint8_t obj_a[] = "\177ELF pretend BPF object A";
static const uint8_t obj_b[] = "\177ELF pretend BPF object B";

const char *layout_name(const struct build *bo)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "%s b%u/c%u/d%u", btf_bundle__codec_name(bo->codec ?: 1),
		 bo->block_size, bo->chunk_size, bo->dict_size);
	return buf;
}

int build_bundle(const struct input *in, size_t n, const struct build *bo,
		 void **out, size_t *out_len, struct bundle_stats *st)
{
	struct bundle_writer_opts wo = {
		.codec = bo->codec ?: BTF_BUNDLE_CODEC_XZ,
		.block_size = bo->block_size,
		.chunk_size = bo->chunk_size,
		.dict_size = bo->dict_size,
	};
	struct bundle_writer *w = bundle_writer__new(&wo);
	uint8_t sha[2][SHA256_DIGEST_LEN];
	size_t i;
	int err = 0;

	if (!w)
		return -ENOMEM;
	if (bo->objects) {
		sha256_buf(obj_a, sizeof(obj_a), sha[0]);
		sha256_buf(obj_b, sizeof(obj_b), sha[1]);
		err = bundle_writer__add_object(w, bo->reverse ? "b.bpf.o" : "a.bpf.o",
						sha[bo->reverse]);
		err = err ?: bundle_writer__add_object(w, bo->reverse ? "a.bpf.o" : "b.bpf.o",
						       sha[!bo->reverse]);
		err = err ?: bundle_writer__set_provenance(w, "bpftool=test\nsource=fixtures\n");
	}
	for (i = 0; !err && i < n; i++) {
		const struct input *it = &in[bo->reverse ? n - 1 - i : i];
		void *data;
		size_t len;

		err = fixture_btf(it->variant, &data, &len);
		if (err)
			break;
		err = bundle_writer__add(w, it->arch, it->distro, it->version, it->release,
					 data, len, it->release);
		free(data);
	}
	err = err ?: bundle_writer__finish(w, out, out_len, st);
	bundle_writer__free(w);
	return err;
}

int find_key(const struct btf_bundle *b, const char *arch, const char *distro,
	     const char *version, const char *release)
{
	BTF_BUNDLE_OPTS(btf_bundle_entry, e);
	uint32_t i;

	for (i = 0; btf_bundle__entry(b, i, &e) == 0; i++)
		if (!strcmp(e.arch, arch) && !strcmp(e.distro, distro) &&
		    !strcmp(e.version, version) && !strcmp(e.release, release))
			return i;
	return -ENOENT;
}

bool entry_is(const struct btf_bundle *b, uint32_t idx, unsigned int variant)
{
	void *want = NULL, *got = NULL;
	size_t want_len = 0, got_len = 0;
	bool same;

	if (fixture_btf(variant, &want, &want_len) || btf_bundle__read(b, idx, &got, &got_len)) {
		free(want);
		return false;
	}
	same = got_len == want_len && !memcmp(got, want, want_len);
	free(want);
	free(got);
	return same;
}

int expect_fail(const void *buf, size_t len, int want_errno)
{
	struct btf_bundle *b;

	errno = 0;
	b = btf_bundle__open_mem(buf, len, NULL);
	if (b) {
		btf_bundle__free(b);
		return -1;
	}
	return errno == want_errno ? 0 : errno;
}
