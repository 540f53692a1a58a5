// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for libbtfbundle's reader: open the input as a bundle
 * and, if it opens, exercise every read-side API on it. Each input is tried
 * twice: as given, and with its metadata crc recomputed, since a random
 * mutation almost never keeps the crc valid and the structure checks behind
 * it would otherwise go unexercised. Logic errors (a read that succeeds with
 * the wrong size, an exact lookup of an entry's own key that misses) abort,
 * so the fuzzer reports them like crashes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "btf_bundle.h"
#include "bundle_format.h"

/* Enough to cover every code path without letting one input take seconds. */
#define MAX_ENTRIES_READ 32

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_bundle: invariant violated: %s\n", what);
		abort();
	}
}

static void find_host(const struct btf_bundle *b, const char *distro, const char *version,
		      const char *arch, const char *release)
{
	struct btf_bundle_match m;
	struct btf_bundle_entry e;
	struct btf_host h = {};
	int idx;

	snprintf(h.distro, sizeof(h.distro), "%s", distro);
	snprintf(h.version, sizeof(h.version), "%s", version);
	snprintf(h.arch, sizeof(h.arch), "%s", arch);
	snprintf(h.release, sizeof(h.release), "%s", release);
	idx = btf_bundle__find(b, &h, &m);
	check(memchr(m.reason, '\0', sizeof(m.reason)) != NULL, "reason NUL-terminated");
	if (idx < 0) {
		check(idx == -ENOENT && m.kind == BTF_BUNDLE_MATCH_NONE, "miss is -ENOENT/NONE");
		return;
	}
	check(m.kind != BTF_BUNDLE_MATCH_NONE && m.entry == (uint32_t)idx, "hit has a kind");
	check(btf_bundle__entry(b, idx, &e) == 0, "hit is a valid entry");
	check(!strcmp(e.arch, h.arch) && !strcmp(e.distro, h.distro), "hit has host arch/distro");
	if (m.kind == BTF_BUNDLE_MATCH_EXACT)
		check(!strcmp(e.version, h.version) && !strcmp(e.release, h.release), "exact is exact");
}

static void fuzz_one(const uint8_t *data, size_t size)
{
	struct btf_bundle_entry e;
	struct btf_bundle *b;
	const char *name;
	uint8_t sha[32] = {};
	uint32_t i, n;

	b = btf_bundle__open_mem(data, size, NULL);
	if (!b)
		return;
	(void)strlen(btf_bundle__provenance(b));
	for (i = 0; i < btf_bundle__object_cnt(b); i++) {
		check(btf_bundle__object_sha256(b, i, &name) != NULL, "object in range");
		(void)strlen(name);
	}
	(void)btf_bundle__check_object(b, NULL, 0, sha);
	n = btf_bundle__entry_cnt(b);
	for (i = 0; i < n && i < MAX_ENTRIES_READ; i++) {
		void *raw = NULL;
		size_t raw_len = 0;
		int err;

		check(btf_bundle__entry(b, i, &e) == 0, "entry in range");
		check(e.blob < btf_bundle__blob_cnt(b), "entry blob in range");
		(void)(strlen(e.arch) + strlen(e.distro) + strlen(e.version) + strlen(e.release));
		err = btf_bundle__read(b, i, &raw, &raw_len);
		if (!err) {
			struct btf *btf;

			check(raw_len == e.raw_size, "read returns raw_size bytes");
			/* checksummed bytes: usually a real BTF from a seed */
			btf = btf__new(raw, raw_len);
			btf__free(btf);
			free(raw);
		} else {
			check(err == -EBADMSG || err == -EILSEQ || err == -ENOMEM, "read error kind");
			check(raw == NULL, "no data on error");
		}
		if (i < 4) {
			/* its own key must be found exactly; another version falls back or misses */
			find_host(b, e.distro, e.version, e.arch, e.release);
			find_host(b, e.distro, "zz-other", e.arch, e.release);
		}
	}
	check(btf_bundle__entry(b, n, &e) == -ENOENT, "entry past the end");
	find_host(b, "debian", "12", "x86_64", "6.1.0-18-amd64");
	find_host(b, "ubuntu", "focal", "arm64", "5.4.0-100-generic");
	find_host(b, "", "", "", "");
	btf_bundle__free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	uint32_t data_off;
	uint8_t *copy;

	if (!init) {
		btf_bundle_set_print(NULL);
		libbpf_set_print(NULL);
		init = 1;
	}
	fuzz_one(data, size);
	if (size < BTFB_HEADER_LEN)
		return 0;
	data_off = btfb_le32(data + offsetof(struct btfb_header, data_off));
	if (data_off < BTFB_HEADER_LEN || data_off > size)
		return 0;
	/* An exact-size heap copy, so that ASan sees any over-read. */
	copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	btfb_put_le32(copy + offsetof(struct btfb_header, meta_crc), 0);
	btfb_put_le32(copy + offsetof(struct btfb_header, meta_crc), crc32(0, copy, data_off));
	fuzz_one(copy, size);
	free(copy);
	return 0;
}
