#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""libbtfbundle's API in sync, like bpftool's type-sync check: the functions
btf_bundle.h declares, the version script's globals, the shared library's
dynamic symbols and the installed static library's global symbols are one
set, all prefixed; the header compiles on its own as C and C++ under
-Wall -Wextra -Werror; a program with its own read_file(), sha256_buf() and
pr_warn() links the static library and keeps its own. TAP output.

usage: check_api.py HEADER MAP LIBBTFBUNDLE.so LIBBTFBUNDLE.a CC CXX
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from tap import done, ok  # noqa: E402

header, vmap, so, ar, cc, cxx = sys.argv[1:7]


def nm_versions(args, path):
    """{symbol: version node or ""} of the defined global symbols."""
    out = subprocess.run(["nm"] + args + [path], capture_output=True, text=True, check=True).stdout
    syms = {}
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "TDBRWV" and not f[2].startswith("LIBBTFBUNDLE_"):
            name, _, ver = f[2].partition("@")
            syms[name] = ver.lstrip("@")
    return syms


def nm(args, path):
    return set(nm_versions(args, path))


text = re.sub(r"/\*.*?\*/", "", open(header).read(), flags=re.S)
text = re.sub(r"^#.*$", "", text, flags=re.M)
decl = set(re.findall(r"BTF_BUNDLE_API\b[^;(]*?\b(\w+)\s*\(", text))
# Every version node's globals: {symbol: node}.
node_of = {}
for node, body in re.findall(r"([\w.]+)\s*\{(.*?)\}", open(vmap).read(), re.S):
    g = re.search(r"global:(.*?)(?:local:|$)", body, re.S)
    for sym in re.findall(r"(\w+)\s*;", g.group(1)) if g else []:
        node_of[sym] = node
mapped = set(node_of)
dyn_ver = nm_versions(["-D", "--defined-only"], so)
dyn = set(dyn_ver)
static = nm(["-g", "--defined-only"], ar)

ok(len(decl) > 20, "header declares the API (%d functions)" % len(decl))
ok(decl == mapped, "header == version script",
   "only in header: %s\nonly in map: %s" % (sorted(decl - mapped), sorted(mapped - decl)))
ok(decl == dyn, "header == nm -D of the shared library",
   "only in header: %s\nonly in .so: %s" % (sorted(decl - dyn), sorted(dyn - decl)))
ok(all(dyn_ver[s] == node_of.get(s) for s in dyn),
   "each symbol of the shared library carries its version node from the map",
   "\n".join("%s@%s, map %s" % (s, dyn_ver[s], node_of.get(s)) for s in sorted(dyn)
             if dyn_ver[s] != node_of.get(s)))
ok(decl == static, "header == global symbols of the installed static library",
   "only in header: %s\nonly in .a: %s" % (sorted(decl - static), sorted(static - decl)))
ok(all(s.startswith(("btf_bundle_", "btf_host__")) for s in dyn | static),
   "every exported symbol is prefixed", sorted(s for s in dyn | static
                                                if not s.startswith(("btf_bundle_", "btf_host__"))))

inc = os.path.dirname(os.path.abspath(header))
with tempfile.TemporaryDirectory(prefix="check_api.") as tmp:
    for lang, comp in (("c", cc), ("c++", cxx)):
        r = subprocess.run([comp, "-x", lang, "-fsyntax-only", "-Wall", "-Wextra", "-Werror",
                            "-pedantic" if lang == "c++" else "-std=gnu11", header],
                           capture_output=True, text=True)
        ok(r.returncode == 0, "btf_bundle.h compiles alone as %s (%s)" % (lang, comp), r.stderr)
    src = os.path.join(tmp, "tool.c")
    with open(src, "w") as f:
        f.write(r'''#include <stdio.h>
#include <btf_bundle.h>
/* A tool's own helpers, named like btfkit's internals. */
int read_file(const char *p) { return p ? 42 : 0; }
void sha256_buf(const void *d, size_t n, unsigned char *out) { (void)d; (void)n; out[0] = 7; }
void pr_warn(const char *fmt, ...) { (void)fmt; }
int main(void)
{
	unsigned char d[32] = {0};
	struct btf_host h;
	BTF_BUNDLE_OPTS(btf_bundle_open_opts, o, .copy = true);

	sha256_buf("", 0, d);
	if (read_file("x") != 42 || d[0] != 7 || !o.sz)
		return 1;
	if (btf_host__parse(&h, "debian/bullseye/aarch64/5.10.0-28-arm64"))
		return 1;
	printf("%s/%s/%s %s\n", h.distro, h.version, h.arch, btf_bundle__strerror(-ESTALE));
	return 0;
}
''')
    exe = os.path.join(tmp, "tool")
    libs = subprocess.run(["pkg-config", "--libs", "libbpf", "liblzma", "zlib"],
                          capture_output=True, text=True).stdout.split()
    r = subprocess.run([cc, "-Wall", "-Werror", "-include", "errno.h", "-I" + inc, src, ar,
                        "-o", exe] + libs, capture_output=True, text=True)
    ok(r.returncode == 0, "a tool with its own read_file/sha256_buf/pr_warn links libbtfbundle.a",
       r.stderr)
    if r.returncode == 0:
        r = subprocess.run([exe], capture_output=True, text=True)
        ok(r.returncode == 0 and r.stdout.strip() ==
           "debian/bullseye/arm64 bundle reduced against another BPF object",
           "... keeps its own helpers, and the library works", r.stdout + r.stderr)
sys.exit(done())
