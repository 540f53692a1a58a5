#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""libbtfbundle's one version, as libbpf's check_version does it: meson's
project() version is the one the generated btf_bundle_version.h defines,
libbtfbundle_version_string() returns, the .pc declares, the .so is named
by (and its SONAME: 0.minor while 0.x, since each 0.x may break the ABI)
and the version script's node carries. TAP output.

usage: check_version.py VERSION VERSION_H LIBBTFBUNDLE.so MAP PC_DIR CC
"""
import os
import re
import subprocess
import sys
import tempfile

version, version_h, so, vmap, pc_dir, cc = sys.argv[1:7]
major, minor, patch = version.split(".")
n = failed = 0


def ok(cond, what, detail=""):
    global n, failed
    n += 1
    failed += not cond
    print("%sok %d - %s" % ("" if cond else "not ", n, what))
    if not cond and detail:
        print("#   " + str(detail).replace("\n", "\n#   "))


h = open(version_h).read()
macros = dict(re.findall(r"#define LIBBTFBUNDLE_(\w+)_VERSION (\S+)", h))
ok(macros == {"MAJOR": major, "MINOR": minor, "PATCH": patch},
   "btf_bundle_version.h: LIBBTFBUNDLE_{MAJOR,MINOR,PATCH}_VERSION == %s" % version, macros)
ok('#define LIBBTFBUNDLE_VERSION "%s"' % version in h, "btf_bundle_version.h: LIBBTFBUNDLE_VERSION")

env = dict(os.environ, PKG_CONFIG_PATH=pc_dir)
r = subprocess.run(["pkg-config", "--modversion", "libbtfbundle"], capture_output=True, text=True,
                   env=env)
ok(r.stdout.strip() == version, "libbtfbundle.pc: Version == %s" % version, r.stdout + r.stderr)
r = subprocess.run(["pkg-config", "--atleast-version", "%s.%s" % (major, minor), "libbtfbundle"],
                   env=env)
ok(r.returncode == 0, "pkg-config --atleast-version %s.%s libbtfbundle" % (major, minor))

real = os.path.realpath(so)
ok(real.endswith(".so." + version), ".so file is libbtfbundle.so.%s" % version, real)
dyn = subprocess.run(["readelf", "-d", so], capture_output=True, text=True).stdout
soname = re.search(r"\(SONAME\).*\[(.*)\]", dyn)
want = "libbtfbundle.so." + (("0." + minor) if major == "0" else major)
ok(soname and soname.group(1) == want, "SONAME %s" % want, soname and soname.group(1))

nodes = re.findall(r"^(LIBBTFBUNDLE_[\d.]+)\s*\{", open(vmap).read(), re.M)
ok(nodes and nodes[-1] == "LIBBTFBUNDLE_%s.%s" % (major, minor),
   "version script's last node LIBBTFBUNDLE_%s.%s" % (major, minor), nodes)

with tempfile.TemporaryDirectory(prefix="check_version.") as tmp:
    src = os.path.join(tmp, "v.c")
    with open(src, "w") as f:
        f.write('''#include <stdio.h>
#include <string.h>
#include <btf_bundle.h>
int main(void)
{
	printf("%s %u %u\\n", libbtfbundle_version_string(), libbtfbundle_major_version(),
	       libbtfbundle_minor_version());
	return strcmp(libbtfbundle_version_string(), LIBBTFBUNDLE_VERSION) != 0;
}
''')
    exe = os.path.join(tmp, "v")
    r = subprocess.run([cc, "-I" + os.path.dirname(version_h),
                        "-I" + os.path.join(os.environ["BTFKIT_SOURCE_ROOT"], "libbtfbundle"),
                        src, so, "-o", exe, "-Wl,-rpath," + os.path.dirname(so)],
                       capture_output=True, text=True)
    ok(r.returncode == 0, "a program builds against the header and the .so", r.stderr)
    if r.returncode == 0:
        r = subprocess.run([exe], capture_output=True, text=True)
        ok(r.returncode == 0 and r.stdout.split() == [version, major, minor],
           "libbtfbundle_version_string() == LIBBTFBUNDLE_VERSION == %s" % version, r.stdout)
print("1..%d" % n)
sys.exit(1 if failed else 0)
