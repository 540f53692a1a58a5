#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""libbtfbundle's API in sync, like bpftool's type-sync check: the functions
btf_bundle.h declares, the version script's globals, the shared library's
dynamic symbols and the installed static library's global symbols are one
set, all prefixed; the header compiles on its own as C and C++ under
-Wall -Wextra -Werror; a program with its own read_file(), sha256_buf() and
pr_warn() links the static library and keeps its own; the reader links no
writer: neither library defines or imports an encoder (deflateInit2_,
deflateSetDictionary, lzma_raw_buffer_encode) or the atomic writer
(atomic_file__*). TAP output.

usage: check_api.py HEADER MAP LIBBTFBUNDLE.so LIBBTFBUNDLE.a CC CXX VERSION_H
"""
import os
import re
import subprocess
import sys
import tempfile

header, vmap, so, ar, cc, cxx, version_h = sys.argv[1:8]
PREFIXES = ("btf_bundle_", "btf_host__", "libbtfbundle_")
WRITERS = ("deflateInit2_", "deflateSetDictionary", "lzma_raw_buffer_encode", "atomic_file__")
n = 0
failed = 0


def ok(cond, what, detail=""):
    global n, failed
    n += 1
    if not cond:
        failed += 1
    print("%sok %d - %s" % ("" if cond else "not ", n, what))
    if not cond and detail:
        for line in str(detail).splitlines()[:20]:
            print("#   " + line)


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
ok(all(s.startswith(PREFIXES) for s in dyn | static),
   "every exported symbol is prefixed", sorted(s for s in dyn | static
                                                if not s.startswith(PREFIXES)))


def all_syms(args, path):
    """Every symbol nm names, defined or imported."""
    out = subprocess.run(["nm"] + args + [path], capture_output=True, text=True, check=True).stdout
    return {ln.split()[-1].split("@")[0] for ln in out.splitlines() if ln.split()}


for what, syms in (("nm -D of the shared library", all_syms(["-D"], so)),
                   ("nm of the static library", all_syms([], ar))):
    bad = sorted(s for s in syms if s.startswith(WRITERS))
    ok(not bad, "the reader links no writer: %s names none of %s" % (what, ", ".join(WRITERS)),
       "writer symbols: %s" % bad)

inc = os.path.dirname(os.path.abspath(header))
vinc = os.path.dirname(os.path.abspath(version_h))
with tempfile.TemporaryDirectory(prefix="check_api.") as tmp:
    for lang, comp in (("c", cc), ("c++", cxx)):
        r = subprocess.run([comp, "-x", lang, "-fsyntax-only", "-Wall", "-Wextra", "-Werror",
                            "-pedantic" if lang == "c++" else "-std=gnu11", "-I" + vinc, header],
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
	struct btf_host *h;
	BTF_BUNDLE_OPTS(btf_bundle_open_opts, o, .copy = true);

	sha256_buf("", 0, d);
	if (read_file("x") != 42 || d[0] != 7 || !o.sz)
		return 1;
	h = btf_host__parse("debian/bullseye/aarch64/5.10.0-28-arm64");
	if (!h)
		return 1;
	printf("%s/%s/%s %s\n", btf_host__distro(h), btf_host__version(h), btf_host__arch(h),
	       btf_bundle__strerror(-ESTALE));
	btf_host__free(h);
	return 0;
}
''')
    exe = os.path.join(tmp, "tool")
    libs = subprocess.run(["pkg-config", "--libs", "libbpf", "liblzma", "zlib"],
                          capture_output=True, text=True).stdout.split()
    r = subprocess.run([cc, "-Wall", "-Werror", "-include", "errno.h", "-I" + inc, "-I" + vinc, src, ar,
                        "-o", exe] + libs, capture_output=True, text=True)
    ok(r.returncode == 0, "a tool with its own read_file/sha256_buf/pr_warn links libbtfbundle.a",
       r.stderr)
    if r.returncode == 0:
        r = subprocess.run([exe], capture_output=True, text=True)
        ok(r.returncode == 0 and r.stdout.strip() ==
           "debian/bullseye/arm64 bundle reduced against another BPF object",
           "... keeps its own helpers, and the library works", r.stdout + r.stderr)
print("1..%d" % n)
sys.exit(1 if failed else 0)
