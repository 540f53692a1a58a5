// SPDX-License-Identifier: BSD-2-Clause
/*
 * Host identification the way BTFHub names it: os-release parsing and
 * normalisation, overrides, D/V/A/R parsing and formatting, arch names,
 * version aliases and BTFHub directories. TAP output.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "btf_bundle.h"
#include "bundle_internal.h"
#include "layout.h"
#include "fsutil.h"
#include "tap.h"


static bool host_is(const struct btf_host *h, const char *distro, const char *version,
		    const char *arch, const char *release)
{
	bool same = !strcmp(h->distro, distro) && !strcmp(h->version, version) &&
		    !strcmp(h->arch, arch) && (!release || !strcmp(h->release, release));

	if (!same)
		diag("host is %s/%s/%s/%s", h->distro, h->version, h->arch, h->release);
	return same;
}

static char tmpdir[] = "/tmp/test_bundle_host.XXXXXX";

static const char *os_release(const char *name, const char *text)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if (write_file_atomic(path, text, strlen(text)))
		diag("cannot write %s", path);
	return path;
}

static void test_host(void)
{
	struct btf_host h;
	struct utsname uts;
	char buf[512];
	int err;

	if (!ok(mkdtemp(tmpdir) && !uname(&uts), "host: temp dir"))
		return;
	{
		BTF_BUNDLE_OPTS(btf_host_opts, o, .os_release_path = os_release("centos",
			"NAME=\"CentOS Linux\"\nID=\"centos\"\nID_LIKE=\"rhel fedora\"\nVERSION_ID=\"8.4\"\n"));

		err = host__detect(&h, &o);
		ok(!err && host_is(&h, "centos", "8", layout__arch_name(uts.machine), uts.release),
		   "host: centos 8.4 -> centos/8, arch and release from uname");
	}
	{
		BTF_BUNDLE_OPTS(btf_host_opts, o, .os_release_path = os_release("ubuntu",
			"# comment\nID=ubuntu\nVERSION_ID=\"20.04\"\nVERSION_CODENAME=focal\n"));

		err = host__detect(&h, &o);
		ok(!err && host_is(&h, "ubuntu", "20.04", layout__arch_name(uts.machine), NULL),
		   "host: ubuntu, quotes stripped, minor version kept");
	}
	{
		BTF_BUNDLE_OPTS(btf_host_opts, o, .os_release_path = os_release("ol",
			"ID='ol'\nVERSION_ID=\"7.9\"\n"));

		err = host__detect(&h, &o);
		ok(!err && host_is(&h, "ol", "7", layout__arch_name(uts.machine), NULL),
		   "host: ID='ol' VERSION_ID=\"7.9\" -> ol/7");
	}
	{
		BTF_BUNDLE_OPTS(btf_host_opts, o, .os_release_path = os_release("escapes",
			"ID=\"my\\\"distro\"\nVERSION_ID=\"1\\$2\"\n"));

		err = host__detect(&h, &o);
		ok(!err && host_is(&h, "my\"distro", "1$2", layout__arch_name(uts.machine), NULL),
		   "host: backslash escapes in os-release values");
	}
	{
		/*
		 * Issue 12: a line longer than a line buffer (511 bytes, then
		 * 4095) must stay one line, not end in a fake "ID=ubuntu" one.
		 */
		char text[8192];
		int n;

		n = snprintf(text, sizeof(text), "ID=debian\nVERSION_ID=12\nPRETTY_NAME=%0*dID=ubuntu",
			     511 - 12, 0);
		snprintf(text + n, sizeof(text) - n, "%0*dVERSION_ID=20.04\n", 4095 - (n - 23), 0);
		BTF_BUNDLE_OPTS(btf_host_opts, o, .os_release_path = os_release("longline", text));

		err = host__detect(&h, &o);
		ok(!err && host_is(&h, "debian", "12", layout__arch_name(uts.machine), NULL),
		   "host: a 4 KB os-release line is one line (%s/%s)", h.distro, h.version);
	}
	{
		BTF_BUNDLE_OPTS(btf_host_opts, o, .os_release_path = "/dev/zero");

		err = host__detect(&h, &o);
		ok(err == -ESPIPE, "host: os-release that is not a regular file is refused (%d)", err);
	}
	{
		BTF_BUNDLE_OPTS(btf_host_opts, o, .os_release_path = os_release("upper",
			"ID=Debian\nVERSION_ID=12\n"));

		err = host__detect(&h, &o);
		ok(!err && host_is(&h, "debian", "12", layout__arch_name(uts.machine), NULL),
		   "host: ID lower-cased");
	}
	{
		BTF_BUNDLE_OPTS(btf_host_opts, o, .os_release_path = os_release("centos2",
			"ID=centos\nVERSION_ID=8.4\n"), .distro = "RHEL", .version = "\"9.2\"",
			.arch = "aarch64", .release = "5.14.0-284.el9.aarch64");

		err = host__detect(&h, &o);
		ok(!err && host_is(&h, "rhel", "9", "arm64", "5.14.0-284.el9.aarch64"),
		   "host: every field overridden, then normalised");
	}
	{
		BTF_BUNDLE_OPTS(btf_host_opts, o, .os_release_path = "/nonexistent/os-release");

		err = host__detect(&h, &o);
		ok(err == -ENOENT, "host: no os-release, no override -> -ENOENT (%d)", err);
	}
	{
		BTF_BUNDLE_OPTS(btf_host_opts, o, .os_release_path = "/nonexistent/os-release",
				.distro = "debian", .version = "12");

		err = host__detect(&h, &o);
		ok(!err && host_is(&h, "debian", "12", layout__arch_name(uts.machine), uts.release),
		   "host: no os-release but distro/version overridden");
	}
	err = host__parse(&h, "debian/12/aarch64/x");
	ok(!err && host_is(&h, "debian", "12", "arm64", "x"), "host: parse debian/12/aarch64/x -> arm64");
	err = host__parse(&h, "centos/7.9/amd64/3.10.0-1160.el7.x86_64");
	ok(!err && host_is(&h, "centos", "7", "x86_64", "3.10.0-1160.el7.x86_64"),
	   "host: parse normalises amd64 and centos 7.9");
	ok(host__parse(&h, "a/b/c") == -EINVAL && host__parse(&h, "a/b/c/d/e") == -EINVAL &&
	   host__parse(&h, "") == -EINVAL, "host: parse rejects a wrong number of fields");
	memset(buf, 'x', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = '\0';
	memcpy(buf, "debian/12/x86_64/", 17);
	ok(host__parse(&h, buf) == -EINVAL, "host: parse rejects an over-long release");
	host__parse(&h, "ubuntu/22.04/arm64/5.15.0-50-generic");
	btf_host__format(&h, buf, sizeof(buf));
	ok(!strcmp(buf, "ubuntu/22.04/arm64/5.15.0-50-generic"), "host: format %s", buf);
	ok(!strcmp(layout__arch_name("aarch64"), "arm64") &&
	   !strcmp(layout__arch_name("amd64"), "x86_64") &&
	   !strcmp(layout__arch_name("s390x"), "s390x"), "host: arch names");
	{
		const char *alias_ok[][3] = {
			{ "debian", "12", "bookworm" }, { "debian", "bookworm", "12" },
			{ "debian", "11", "bullseye" }, { "ubuntu", "20.04", "focal" },
			{ "ubuntu", "jammy", "22.04" },
		};
		bool good = true;
		size_t i;

		for (i = 0; i < sizeof(alias_ok) / sizeof(alias_ok[0]); i++) {
			const char *a = layout__version_alias(alias_ok[i][0], alias_ok[i][1]);

			if (!a || strcmp(a, alias_ok[i][2])) {
				diag("alias of %s/%s: %s", alias_ok[i][0], alias_ok[i][1], a ?: "NULL");
				good = false;
			}
		}
		ok(good && !layout__version_alias("centos", "8") &&
		   !layout__version_alias("ubuntu", "12") && !layout__version_alias("fedora", "focal"),
		   "host: version aliases both ways, none for other distros/versions");
		ok(!strcmp(layout__version_canon("debian", "bullseye"), "11") &&
		   !strcmp(layout__version_canon("debian", "11"), "11") &&
		   !strcmp(layout__version_canon("centos", "8"), "8"),
		   "host: canonical version is os-release's number");
	}
	{
		const char *d[2] = {};
		int n11 = layout__version_dirs("debian", "11", d);
		bool good = n11 == 2 && !strcmp(d[0], "bullseye") && !strcmp(d[1], "11");
		int n12 = layout__version_dirs("debian", "bookworm", d);

		good = good && n12 == 2 && !strcmp(d[0], "12") && !strcmp(d[1], "bookworm");
		good = good && layout__version_dirs("centos", "8", d) == 1 && !strcmp(d[0], "8");
		ok(good, "host: BTFHub version directories (debian 11 under bullseye first)");
		good = layout__arch_dirs("aarch64", d) == 2 && !strcmp(d[0], "arm64") &&
		       !strcmp(d[1], "aarch64");
		good = good && layout__arch_dirs("x86_64", d) == 1 && !strcmp(d[0], "x86_64");
		ok(good, "host: BTFHub arch directories (arm64, then aarch64)");
	}
	for (const char *n = "centos\0ubuntu\0ol\0escapes\0upper\0centos2\0"; *n; n += strlen(n) + 1) {
		snprintf(buf, sizeof(buf), "%s/%s", tmpdir, n);
		unlink(buf);
	}
	rmdir(tmpdir);
}

int main(int argc, char **argv)
{
	/* The library's warnings would only clutter TAP; errors are asserted. */
	btf_bundle_set_print(NULL);
	(void)argc;
	(void)argv;
	test_host();
	printf("1..%d\n", test_cnt);
	return fail_cnt ? 1 : 0;
}
