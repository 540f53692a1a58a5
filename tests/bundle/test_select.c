// SPDX-License-Identifier: BSD-2-Clause
/*
 * The start-up decision, btf_bundle__select(): an explicit file, a linked-in
 * bundle, bundle files; the custom path libbpf gets reads back the entry's
 * BTF; no_fallback refuses through btf_bundle__find_opts() what the default
 * call takes as a fallback. The kernel's own BTF is skipped (no_system) so
 * the results do not depend on this machine. TAP output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "btf_bundle.h"
#include "btf_fixtures.h"
#include "bundle_build.h"
#include "fsutil.h"
#include "tap.h"

static void test_select(void)
{
	struct build bo = { .dict_size = DICT_DEFAULT };
	struct btf_bundle_choice *c = NULL;
	struct bundle_stats st;
	struct btf_host fb, alias;
	char bpath[] = "/tmp/test_select.XXXXXX", fpath[] = "/tmp/test_select_btf.XXXXXX";
	const char *files[1] = { bpath };
	void *buf = NULL, *btf = NULL;
	size_t len = 0, btf_len = 0;
	const char *detail;
	int err, serr, fd;

	if (!ok(!build_bundle(main_set, MAIN_CNT, &bo, &buf, &len, &st) &&
		!fixture_btf(3, &btf, &btf_len), "select: bundle built"))
		goto out;
	btf_host__parse(&fb, "fedora/11/x86_64/5.0.0-test");
	btf_host__parse(&alias, "debian/12/x86_64/6.1.0-18-amd64");
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true, .embedded = buf,
				.embedded_sz = len, .host = &fb);

		err = btf_bundle__select(&so, &c);
		ok(!err && btf_bundle_choice__source(c) == BTF_BUNDLE_SRC_EMBEDDED &&
		   path_is(btf_bundle_choice__custom_path(c), 9) &&
		   strstr(btf_bundle_choice__desc(c), "fallback"),
		   "select: embedded, fedora 11 host -> the fallback entry fedora/10 (%s)",
		   c ? btf_bundle_choice__desc(c) : "?");
		btf_bundle_choice__free(c);
	}
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true, .embedded = buf,
				.embedded_sz = len, .host = &fb, .no_fallback = true);

		err = btf_bundle__select(&so, &c);
		detail = c ? step_detail(c, BTF_BUNDLE_SRC_EMBEDDED, &serr) : "";
		ok(err == -ENOENT && c && btf_bundle_choice__source(c) == BTF_BUNDLE_SRC_AUTO &&
		   !btf_bundle_choice__custom_path(c) && serr == -ENOENT &&
		   strstr(detail, "fallback to another fedora version is off") &&
		   *btf_bundle_choice__explain(c),
		   "select: no_fallback refuses that fallback (%d): %s", err, detail);
		btf_bundle_choice__free(c);
	}
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true, .embedded = buf,
				.embedded_sz = len, .host = &alias, .no_fallback = true);

		err = btf_bundle__select(&so, &c);
		ok(!err && path_is(btf_bundle_choice__custom_path(c), 5) &&
		   strstr(btf_bundle_choice__desc(c), "version alias"),
		   "select: no_fallback keeps the version alias (%s)",
		   c ? btf_bundle_choice__desc(c) : "?");
		btf_bundle_choice__free(c);
	}

	fd = mkstemp(bpath);
	if (!ok(fd >= 0 && !write_all(fd, buf, len) && !close(fd), "select: bundle file written"))
		goto out;
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .no_system = true, .bundle_files = files,
				.bundle_file_cnt = 1, .host = &alias);

		err = btf_bundle__select(&so, &c);
		ok(!err && btf_bundle_choice__source(c) == BTF_BUNDLE_SRC_BUNDLE &&
		   path_is(btf_bundle_choice__custom_path(c), 5) &&
		   strstr(btf_bundle_choice__desc(c), bpath),
		   "select: a bundle file when nothing is embedded (%s)",
		   c ? btf_bundle_choice__desc(c) : "?");
		btf_bundle_choice__free(c);
	}
	fd = mkstemp(fpath);
	if (!ok(fd >= 0 && !write_all(fd, btf, btf_len) && !close(fd), "select: BTF file written"))
		goto out;
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .btf_file = fpath, .embedded = buf,
				.embedded_sz = len, .host = &alias);

		err = btf_bundle__select(&so, &c);
		ok(!err && btf_bundle_choice__source(c) == BTF_BUNDLE_SRC_FILE &&
		   path_is(btf_bundle_choice__custom_path(c), 3),
		   "select: an explicit BTF file comes first");
		btf_bundle_choice__free(c);
	}
	unlink(fpath);
	{
		BTF_BUNDLE_OPTS(btf_bundle_select_opts, so, .btf_file = fpath, .embedded = buf,
				.embedded_sz = len, .host = &alias);

		err = btf_bundle__select(&so, &c);
		ok(err == -ENOENT && c && btf_bundle_choice__source(c) == BTF_BUNDLE_SRC_AUTO,
		   "select: a missing explicit file is an error, not skipped for the bundle (%d)",
		   err);
		btf_bundle_choice__free(c);
	}
out:
	unlink(bpath);
	unlink(fpath);
	free(buf);
	free(btf);
}

int main(int argc, char **argv)
{
	/* The library's warnings would only clutter TAP; errors are asserted. */
	btf_bundle_set_print(NULL);
	(void)argc;
	(void)argv;
	test_select();
	return tap_done();
}
