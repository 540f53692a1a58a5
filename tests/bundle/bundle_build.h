/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test bundles built in memory with the writer (bundle_writer.c) from the
 * fixture BTFs, and the checks every bundle unit test shares: the key sets,
 * the writer layouts each reader test runs against, entry lookup by key and
 * byte comparison against the fixture. Shared by the tests/bundle units.
 */
#ifndef BTFKIT_TEST_BUNDLE_BUILD_H
#define BTFKIT_TEST_BUNDLE_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "btf_bundle.h"
#include "bundle_writer.h"

/* One kernel of a test bundle: key and the fixture variant of its BTF. */
struct input {
	const char *arch, *distro, *version, *release;
	unsigned int variant;
};

/* 13 entries, 11 distinct BTFs (variants 1 and 7 appear twice). */
#define MAIN_CNT 13
#define MAIN_BLOBS 11
extern const struct input main_set[MAIN_CNT];
/* The small bundle every corruption test starts from: 3 entries, 2 distinct BTFs. */
extern const struct input small_set[3];

/* Writer options; zero sizes mean the writer's defaults, but dict = 0 means none. */
struct build {
	uint32_t codec, block_size, chunk_size, dict_size;
	bool reverse;		/* add inputs (and objects) in reverse order */
	bool objects;		/* record two pretend objects and a provenance */
};

/* The layouts every reader test runs against: one chunk and block, or many. */
#define DICT_DEFAULT (4u << 10)
#define LAYOUT_CNT 3
extern const struct build layouts[LAYOUT_CNT];

/* "xz b1/c1/d4096": a static buffer, valid until the next call. */
const char *layout_name(const struct build *bo);
/* A bundle of @in[0..n) written with @bo (malloc()ed). 0 or -errno. */
int build_bundle(const struct input *in, size_t n, const struct build *bo,
		 void **out, size_t *out_len, struct bundle_stats *st);
/* Index of the entry with exactly that key, or -ENOENT (a linear scan, not find). */
int find_key(const struct btf_bundle *b, const char *arch, const char *distro,
	     const char *version, const char *release);
/* Does entry @idx decode to exactly fixture @variant? */
bool entry_is(const struct btf_bundle *b, uint32_t idx, unsigned int variant);
/* btf_bundle__open_mem() must fail with @want_errno: 0, -1 if it opened, else the errno. */
int expect_fail(const void *buf, size_t len, int want_errno);
/* The digest of pretend object @i (0: "a.bpf.o", 1: "b.bpf.o") a build with .objects lists. */
void build_object_digest(unsigned int i, uint8_t digest[32]);

/* btf_bundle__select() checks. */
/* Does @path (a choice's custom path) hold exactly fixture @variant? */
bool path_is(const char *path, unsigned int variant);
/* The detail of the choice's first step for @src, its error in *@err (1: no such step). */
const char *step_detail(const struct btf_bundle_choice *c, enum btf_bundle_source src, int *err);

#endif
