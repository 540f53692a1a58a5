// SPDX-License-Identifier: BSD-2-Clause
/*
 * Write the fuzzer's seed corpus: small, real bundles of fixture BTFs
 * (both codecs, solid and split blocks and chunks, a dictionary or none,
 * dedup, objects, provenance, an empty one), built
 * at test time so that no binary seed is committed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf_bundle.h"
#include "btf_fixtures.h"
#include "bundle_writer.h"
#include "fsutil.h"
#include "sha256.h"

struct seed {
	const char *name;
	uint32_t codec, block_size, chunk_size, dict_size, entries;
	bool object;
};

/* Every record kind: several chunks and blocks, a dictionary or none. */
static const struct seed seeds[] = {
	{ "xz-solid.btfb", BTF_BUNDLE_CODEC_XZ, 0, 0, 16384, 6, true },
	{ "zlib-solid.btfb", BTF_BUNDLE_CODEC_ZLIB, 0, 0, 16384, 6, true },
	{ "xz-split.btfb", BTF_BUNDLE_CODEC_XZ, 1, 1, 16384, 6, false },
	{ "zlib-split-nodict.btfb", BTF_BUNDLE_CODEC_ZLIB, 1, 100, 0, 4, false },
	{ "xz-one.btfb", BTF_BUNDLE_CODEC_XZ, 0, 0, 0, 1, false },
	{ "empty.btfb", BTF_BUNDLE_CODEC_XZ, 0, 0, 0, 0, false },
};

static const char *const keys[][4] = {
	{ "x86_64", "debian", "12", "6.1.0-18-amd64" },
	{ "x86_64", "debian", "bookworm", "6.1.0-19-amd64" },
	{ "arm64", "ubuntu", "20.04", "5.4.0-100-generic" },
	{ "arm64", "ubuntu", "focal", "5.4.0-101-generic" },
	{ "x86_64", "centos", "8", "4.18.0-305.el8.x86_64" },
	{ "x86_64", "centos", "7", "4.18.0-305.el8.x86_64" },
};

static int write_seed(const char *dir, const struct seed *s)
{
	struct bundle_writer_opts wo = {
		.codec = s->codec, .block_size = s->block_size, .chunk_size = s->chunk_size,
		.dict_size = s->dict_size,
	};
	struct bundle_writer *w = bundle_writer__new(&wo);
	uint8_t sha[SHA256_DIGEST_LEN];
	char path[4096];
	void *out = NULL;
	size_t len = 0;
	uint32_t i;
	int err = 0;

	if (!w)
		return -ENOMEM;
	if (s->object) {
		sha256_buf(s->name, strlen(s->name), sha);
		err = bundle_writer__add_object(w, "seed.bpf.o", sha);
		err = err ?: bundle_writer__set_provenance(w, "bpftool=seed\n");
	}
	for (i = 0; !err && i < s->entries; i++) {
		void *data;
		size_t dlen;

		/* entries 0 and 5 share content: a deduplicated blob */
		err = fixture_btf(i == 5 ? 0 : i, &data, &dlen);
		if (err)
			break;
		err = bundle_writer__add(w, keys[i][0], keys[i][1], keys[i][2], keys[i][3],
					 data, dlen, keys[i][3]);
		free(data);
	}
	err = err ?: bundle_writer__finish(w, &out, &len, NULL);
	snprintf(path, sizeof(path), "%s/%s", dir, s->name);
	err = err ?: write_file_atomic(path, out, len);
	if (err)
		fprintf(stderr, "make_seeds: %s: %s\n", path, strerror(-err));
	free(out);
	bundle_writer__free(w);
	return err;
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: make_seeds DIR\n");
		return 2;
	}
	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		if (write_seed(argv[1], &seeds[i]))
			return 1;
	return 0;
}
