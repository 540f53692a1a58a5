// SPDX-License-Identifier: BSD-2-Clause
/*
 * Object binding: the CO-RE digest (btf_bundle__object_digest) survives
 * llvm-strip -g and changes with one more field access; a bundle bound to an
 * object opens for it and refuses another; extensible opts. TAP output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "btf_bundle.h"
#include "btf_fixtures.h"
#include "bundle_build.h"
#include "fsutil.h"
#include "tap.h"

/* Real BPF objects from argv: the probe, its V2 (one more field read), its llvm-strip -g copy. */
static const char *obj_paths[3];

static void *slurp(const char *path, size_t *len)
{
	void *data = NULL;

	if (read_file(path, &data, len, 64u << 20))
		return NULL;
	return data;
}

static void test_objects(void)
{
	static const struct input in[] = {
		{ "x86_64", "debian", "12", "6.1.0-18-amd64", 5 },
	};
	struct build none = {};
	struct btf_bundle *b;
	struct bundle_stats st;
	uint8_t d_probe[32], d_v2[32], d_strip[32];
	size_t len, len2, probe_len = 0, v2_len = 0, strip_len = 0;
	void *buf = NULL, *buf2 = NULL, *probe = NULL, *v2 = NULL, *strip = NULL;
	static const uint8_t not_elf[] = "\177ELF no more than that";
	const uint8_t *sha;
	const char *name = NULL;
	struct timespec t0, t1;
	int i, iters = 2000;
	double us;

	probe = slurp(obj_paths[0], &probe_len);
	v2 = slurp(obj_paths[1], &v2_len);
	strip = slurp(obj_paths[2], &strip_len);
	if (!ok(probe && v2 && strip, "objects: read the probe objects"))
		goto out;
	ok(!btf_bundle__object_digest(probe, probe_len, d_probe) &&
	   !btf_bundle__object_digest(v2, v2_len, d_v2) &&
	   !btf_bundle__object_digest(strip, strip_len, d_strip),
	   "objects: CO-RE digests computed");
	ok(probe_len != strip_len && !memcmp(d_probe, d_strip, 32),
	   "objects: llvm-strip -g keeps the digest (%zu -> %zu bytes)", probe_len, strip_len);
	ok(memcmp(d_probe, d_v2, 32), "objects: one more field access changes it");
	ok(btf_bundle__object_digest(not_elf, sizeof(not_elf), d_v2) == -EINVAL &&
	   btf_bundle__object_digest(probe, 100, d_v2) == -EINVAL,
	   "objects: not an object / truncated -> -EINVAL");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < iters; i++)
		btf_bundle__object_digest(probe, probe_len, d_v2);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 1e3 / iters;
	printf("# digest of %s (%zu bytes): %.1f us\n", obj_paths[0], probe_len, us);
	btf_bundle__object_digest(v2, v2_len, d_v2);

	{
		struct bundle_writer_opts wo = { .codec = BTF_BUNDLE_CODEC_XZ };
		struct bundle_writer *w = bundle_writer__new(&wo);
		void *data = NULL;
		size_t dlen;
		int err = w ? 0 : -ENOMEM;

		err = err ?: bundle_writer__add_object(w, "probe.bpf.o", d_probe);
		err = err ?: fixture_btf(in[0].variant, &data, &dlen);
		err = err ?: bundle_writer__add(w, in[0].arch, in[0].distro, in[0].version,
						in[0].release, data, dlen, "test");
		err = err ?: bundle_writer__finish(w, &buf, &len, &st);
		free(data);
		bundle_writer__free(w);
		if (!ok(!err && !build_bundle(in, 1, &none, &buf2, &len2, &st), "objects: built"))
			goto out;
	}
	{
		BTF_BUNDLE_OPTS(btf_bundle_open_opts, o, .object = strip, .object_sz = strip_len);

		b = btf_bundle__open_mem(buf, len, &o);
		ok(b && btf_bundle__object_cnt(b) == 1,
		   "objects: a bundle bound to the probe opens for its stripped copy");
		sha = b ? btf_bundle__object_digest_by_idx(b, 0, &name) : NULL;
		ok(sha && name && !strcmp(name, "probe.bpf.o") && !memcmp(sha, d_probe, 32) &&
		   btf_bundle__object_digest_by_idx(b, 1, NULL) == NULL,
		   "objects: names and digests listed (%s)", name ?: "?");
		ok(b && btf_bundle__check_object(b, probe, probe_len, NULL) == 0 &&
		   btf_bundle__check_object(b, NULL, 0, d_probe) == 0 &&
		   btf_bundle__check_object(b, v2, v2_len, NULL) == -ESTALE &&
		   btf_bundle__check_object(b, NULL, 0, d_v2) == -ESTALE &&
		   btf_bundle__check_object(b, not_elf, sizeof(not_elf), NULL) == -EINVAL,
		   "objects: check_object accepts the probe, refuses V2 -> -ESTALE, junk -> -EINVAL");
		btf_bundle__free(b);
	}
	{
		BTF_BUNDLE_OPTS(btf_bundle_open_opts, o, .object = v2, .object_sz = v2_len);

		errno = 0;
		b = btf_bundle__open_mem(buf, len, &o);
		ok(!b && errno == ESTALE, "objects: open with another object -> ESTALE (%s)",
		   btf_bundle__strerror(errno));
		btf_bundle__free(b);
	}
	{
		BTF_BUNDLE_OPTS(btf_bundle_open_opts, o, .object_digest = d_probe);

		b = btf_bundle__open_mem(buf, len, &o);
		ok(b, "objects: open by digest");
		btf_bundle__free(b);
		b = btf_bundle__open_mem(buf2, len2, &o);
		ok(b, "objects: a bundle that records no object is not bound to one");
		btf_bundle__free(b);
	}
	{
		/* a newer caller's opts with an unknown non-zero tail is refused */
		struct {
			struct btf_bundle_open_opts o;
			long extra;
		} big = { .o.sz = sizeof(big), .extra = 1 };

		errno = 0;
		b = btf_bundle__open_mem(buf, len, &big.o);
		ok(!b && errno == EINVAL, "opts: unknown non-zero tail -> EINVAL");
		btf_bundle__free(b);
	}
out:
	free(buf);
	free(buf2);
	free(probe);
	free(v2);
	free(strip);
}

int main(int argc, char **argv)
{
	/* The library's warnings would only clutter TAP; errors are asserted. */
	btf_bundle_set_print(NULL);
	if (argc != 4) {
		fprintf(stderr, "usage: test_objects PROBE.bpf.o PROBE_V2.bpf.o PROBE_STRIPPED.bpf.o\n");
		return 99;
	}
	obj_paths[0] = argv[1];
	obj_paths[1] = argv[2];
	obj_paths[2] = argv[3];

	test_objects();
	printf("1..%d\n", test_cnt);
	return fail_cnt ? 1 : 0;
}
