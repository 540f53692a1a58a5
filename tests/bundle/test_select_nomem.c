// SPDX-License-Identifier: BSD-2-Clause
/*
 * btf_bundle__select() when memory runs out: each allocation the library
 * makes during one call is failed in turn (the link wraps malloc and calloc,
 * see meson.build), and every outcome must be the undisturbed call's or
 * -ENOMEM: never another source, another entry or "no BTF for this host".
 * *choice is NULL only when the choice itself could not be allocated,
 * freeing it releases every fd (the memfd), and under ci/sanitize.sh ASan
 * reports any block a failure path leaks. TAP output.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "btf_bundle.h"
#include "bundle_build.h"
#include "bundle_internal.h"
#include "fsutil.h"
#include "tap.h"

#define EXACT "ubuntu/20.04/x86_64/5.4.0-100-generic"
#define NOWHERE "gentoo/1/x86_64/9.9.9-test"
#define UNKNOWN "fedora/99/x86_64/1.2.3-test"

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);

/* Armed: count the library's allocations, and fail number fail_at (0: none). */
static int armed;
static unsigned long allocs, fail_at;

static int fail_now(void)
{
	return armed && ++allocs == fail_at;
}

void *__wrap_malloc(size_t size)
{
	if (fail_now()) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
	if (fail_now()) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_calloc(n, size);
}

static char dir[] = "/tmp/test_select_nomem.XXXXXX";

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

struct outcome {
	int err;
	enum btf_bundle_source source;
	char desc[512];
	int fds;		/* open fds while the choice lives */
	bool choice;		/* *choice set */
};

static void call(const struct btf_bundle_select_opts *so, unsigned long k, struct outcome *o)
{
	struct btf_bundle_choice *c = (void *)1;

	allocs = 0;
	fail_at = k;
	armed = 1;
	o->err = btf_bundle__select(so, &c);
	armed = 0;
	o->choice = c != NULL;
	o->source = btf_bundle_choice__source(c);
	snprintf(o->desc, sizeof(o->desc), "%s", btf_bundle_choice__desc(c));
	o->fds = open_fds();
	btf_bundle_choice__free(c);
}

/* Fail each of the call's allocations in turn. */
static void sweep(const char *what, const struct btf_bundle_select_opts *so)
{
	struct outcome base, o;
	unsigned long n, k, nomem = 0;
	int fds = open_fds();
	bool good = true;

	call(so, 0, &base);
	n = allocs;
	if (!ok(base.choice && open_fds() == fds && n > 0,
		"%s: undisturbed -> %d, %s (%lu allocations)", what, base.err, base.desc, n))
		return;
	for (k = 1; k <= n; k++) {
		call(so, k, &o);
		if (o.err == -ENOMEM) {
			nomem++;
			/* The choice is the first allocation: only then may it be missing. */
			if (o.choice != (k != 1)) {
				diag("allocation %lu failed: -ENOMEM with choice %s", k,
				     o.choice ? "set" : "NULL");
				good = false;
			}
		} else {
			diag("allocation %lu failed: %d, %s (undisturbed: %d, %s)", k, o.err,
			     o.desc, base.err, base.desc);
			good = false;
		}
		if (open_fds() != fds) {
			diag("allocation %lu failed: %d fds left open after the free",
			     k, open_fds() - fds);
			good = false;
		}
	}
	ok(good && nomem == n, "%s: each of %lu allocations failed in turn: -ENOMEM %lu times",
	   what, n, nomem);
}

static int put(const char *name, const void *data, size_t len, char *path, size_t path_sz)
{
	snprintf(path, path_sz, "%s/%s", dir, name);
	return write_file_atomic_nosync(path, data, len);
}

int main(void)
{
	struct build bo = { .dict_size = DICT_DEFAULT };
	static const struct input other_set[1] = { { "x86_64", "gentoo", "1", "9.9.9-test", 2 } };
	struct btf_host *exact = btf_host__parse(EXACT), *nowhere = btf_host__parse(NOWHERE);
	struct btf_host *unknown = btf_host__parse(UNKNOWN);
	char full_path[256], other_path[256], cmd[300];
	const char *saved = bundle_system_btf;
	struct bundle_stats st;
	void *full = NULL, *other = NULL;
	size_t full_len, other_len;

	btf_bundle_set_print(NULL);
	if (!mkdtemp(dir))
		tap_skip_all("mkdtemp: %s", strerror(errno));
	/* As if the kernel had no BTF of its own: the bundles decide. */
	bundle_system_btf = "/nonexistent/vmlinux";
	if (ok(exact && nowhere && unknown && !build_bundle(main_set, MAIN_CNT, &bo, &full, &full_len, &st) &&
	       !build_bundle(other_set, 1, &bo, &other, &other_len, &st) &&
	       !put("other.btfb", other, other_len, other_path, sizeof(other_path)) &&
	       !put("full.btfb", full, full_len, full_path, sizeof(full_path)),
	       "bundles built and written to %s", dir)) {
		const char *files[] = { other_path, full_path };

		{
			BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .embedded = full,
					.embedded_sz = full_len, .bundle_files = files,
					.bundle_file_cnt = 2, .host = exact);
			/* The later bundle file holds the same entry: a failed step must not fall through to it. */
			sweep("embedded exact entry", &so);
		}
		{
			BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .bundle_files = files,
					.bundle_file_cnt = 2, .host = exact);
			sweep("second bundle file", &so);
		}
		{
			BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .bundle_dir = dir, .host = exact);
			sweep("bundle directory", &so);
		}
		{
			BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .embedded = full,
					.embedded_sz = full_len, .bundle_dir = dir, .host = exact,
					.report = true);
			sweep("report mode", &so);
		}
		{
			BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .embedded = other,
					.embedded_sz = other_len, .host = nowhere);
			sweep("one-kernel embedded table", &so);
		}
		{
			BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .embedded = full,
					.embedded_sz = full_len, .bundle_dir = dir,
					.host = unknown, .no_fallback = true);
			/* Nothing for this host anywhere: -ENOENT, unless memory ran out first. */
			sweep("no entry anywhere", &so);
		}
	}
	bundle_system_btf = saved;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		diag("cannot remove %s", dir);
	free(full);
	free(other);
	btf_host__free(exact);
	btf_host__free(nowhere);
	btf_host__free(unknown);
	return tap_done();
}
