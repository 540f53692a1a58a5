// SPDX-License-Identifier: BSD-2-Clause
/*
 * A host of each distribution family BTFHub carries, identified from its
 * real os-release (ID and VERSION_ID as the distribution ships them) the
 * way the library does it (host__detect(), tools/btfhub/layout.h's rules),
 * must be keyed where BTFHub files its kernels: the key's version and the
 * version directories a lookup tries, as in aquasecurity/btfhub-archive
 * (rhel/8, centos/7, ol/7, fedora/34, amzn/2018 and amzn/1, amzn/2,
 * ubuntu/20.04, debian/11 as bullseye, sles/15.3, opensuse-leap/15.3;
 * almalinux/8, rocky/9 by major like every RHEL-like). Also the selection
 * spellings: "Ubuntu" -> ubuntu, aarch64 = arm64. TAP output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "btf_bundle.h"
#include "bundle_internal.h"
#include "fsutil.h"
#include "layout.h"
#include "tap.h"

static const struct family {
	const char *what;
	const char *os_release;
	const char *distro, *version;
	const char *dirs;	/* the version directories tried, in order */
} families[] = {
	{ "RHEL 8.6", "NAME=\"Red Hat Enterprise Linux\"\nID=\"rhel\"\nID_LIKE=\"fedora\"\n"
	  "VERSION_ID=\"8.6\"\n", "rhel", "8", "8" },
	{ "CentOS 7", "NAME=\"CentOS Linux\"\nID=\"centos\"\nID_LIKE=\"rhel fedora\"\n"
	  "VERSION_ID=\"7\"\n", "centos", "7", "7" },
	{ "Oracle Linux 7.9", "NAME=\"Oracle Linux Server\"\nID=\"ol\"\nID_LIKE=\"fedora\"\n"
	  "VERSION_ID=\"7.9\"\n", "ol", "7", "7" },
	{ "Fedora 34", "NAME=Fedora\nID=fedora\nVERSION_ID=34\n", "fedora", "34", "34" },
	{ "Amazon Linux AMI 2018.03", "NAME=\"Amazon Linux AMI\"\nID=\"amzn\"\n"
	  "ID_LIKE=\"rhel fedora\"\nVERSION_ID=\"2018.03\"\n", "amzn", "2018", "2018 1" },
	{ "Amazon Linux AMI 2017.09", "NAME=\"Amazon Linux AMI\"\nID=\"amzn\"\n"
	  "VERSION_ID=\"2017.09\"\n", "amzn", "2018", "2018 1" },
	{ "Amazon Linux 2", "NAME=\"Amazon Linux\"\nID=\"amzn\"\nID_LIKE=\"centos rhel fedora\"\n"
	  "VERSION_ID=\"2\"\n", "amzn", "2", "2" },
	{ "Amazon Linux 2023", "NAME=\"Amazon Linux\"\nID=\"amzn\"\nVERSION_ID=\"2023\"\n",
	  "amzn", "2023", "2023" },
	{ "Ubuntu 20.04", "NAME=\"Ubuntu\"\nID=ubuntu\nID_LIKE=debian\nVERSION_ID=\"20.04\"\n"
	  "VERSION_CODENAME=focal\n", "ubuntu", "20.04", "20.04 focal" },
	{ "Debian 11", "PRETTY_NAME=\"Debian GNU/Linux 11 (bullseye)\"\nVERSION_ID=\"11\"\n"
	  "ID=debian\n", "debian", "11", "bullseye 11" },
	{ "Debian 10", "VERSION_ID=\"10\"\nID=debian\n", "debian", "10", "10 buster" },
	{ "SLES 15 SP3", "NAME=\"SLES\"\nVERSION=\"15-SP3\"\nVERSION_ID=\"15.3\"\nID=\"sles\"\n"
	  "ID_LIKE=\"suse\"\n", "sles", "15.3", "15.3" },
	{ "openSUSE Leap 15.3", "NAME=\"openSUSE Leap\"\nVERSION_ID=\"15.3\"\n"
	  "ID=\"opensuse-leap\"\nID_LIKE=\"suse opensuse\"\n", "opensuse-leap", "15.3", "15.3" },
	{ "AlmaLinux 8.5", "NAME=\"AlmaLinux\"\nID=\"almalinux\"\nID_LIKE=\"rhel centos fedora\"\n"
	  "VERSION_ID=\"8.5\"\n", "almalinux", "8", "8" },
	{ "Rocky Linux 9.1", "NAME=\"Rocky Linux\"\nID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\n"
	  "VERSION_ID=\"9.1\"\n", "rocky", "9", "9" },
};

int main(void)
{
	char dir[] = "/tmp/test_host_names.XXXXXX", path[256], buf[64];
	size_t i;

	if (!ok(mkdtemp(dir) != NULL, "temp dir"))
		return 1;
	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		const struct family *f = &families[i];
		BTF_BUNDLE_OPTS(btf_host_opts, o, .os_release_path = path);
		const char *dirs[2];
		struct btf_host h;
		char got[64] = "";
		int n, j, err;

		snprintf(path, sizeof(path), "%s/os-release-%zu", dir, i);
		if (write_file_atomic(path, f->os_release, strlen(f->os_release)))
			diag("cannot write %s", path);
		err = host__detect(&h, &o);
		n = err ? 0 : layout__version_dirs(h.distro, h.version, dirs);
		for (j = 0; j < n; j++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", j ? " " : "",
				 dirs[j]);
		ok(!err && !strcmp(h.distro, f->distro) && !strcmp(h.version, f->version) &&
		   !strcmp(got, f->dirs), "%s: %s/%s, BTFHub directories \"%s\" (got %s/%s, \"%s\")",
		   f->what, f->distro, f->version, f->dirs, err ? "?" : h.distro,
		   err ? "?" : h.version, got);
		unlink(path);
	}
	/* What users type, compared as BTFHub writes it. */
	ok(!strcmp(layout__distro_name("Ubuntu", buf, sizeof(buf)), "ubuntu") &&
	   !strcmp(layout__distro_name("Amazon", buf, sizeof(buf)), "amzn") &&
	   !strcmp(layout__distro_name("CentOS", buf, sizeof(buf)), "centos") &&
	   !strcmp(layout__distro_name("oracle", buf, sizeof(buf)), "ol"),
	   "distro names: Ubuntu, Amazon, CentOS, oracle -> ubuntu, amzn, centos, ol");
	ok(!strcmp(layout__arch_name("aarch64"), "arm64") && !strcmp(layout__arch_name("arm64"),
	   "arm64") && !strcmp(layout__arch_name("amd64"), "x86_64"),
	   "arch names: aarch64 and arm64 are one (arm64), amd64 is x86_64");
	ok(!strcmp(layout__version_canon("amzn", "1"), "2018") &&
	   !strcmp(layout__version_alias("amzn", "2018"), "1"),
	   "amzn/1 and amzn/2018 are one version (Amazon Linux AMI)");
	rmdir(dir);
	printf("1..%d\n", test_cnt);
	return fail_cnt ? 1 : 0;
}
