#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""One real Debian kernel two ways (TAP): btfhub-make --apt on its image
package (the vmlinuz's own .BTF) and on its -dbg package (--prefer dbg:
DWARF through pahole, as BTFHub makes BTF), both reduced by btfgen against
coretrace.bpf.o. The canonical reduced BTF must be the same bytes, and every
CO-RE relocation of the object must resolve the same in the two full BTFs
and the two reduced ones (libbpf's own relocation code: tests/btfgen's
relo_dump). The download size, the -dbg run's wall time and peak RSS
(pahole's included: rss_run counts children) are printed.

bpftool's own bytes (btfgen --raw) differ, and cannot be equal: the image's
BTF comes from the kernel build's pahole run (--btf_gen_floats, on the
final link), which encodes a FLOAT 'double' and ~460 more FUNCs than
pahole --btf_encode_detached on the -dbg vmlinux; type IDs shift, and
min_core_btf keeps the source's order. No type coretrace uses differs.

Downloads (the -dbg package is ~280 MB) are cached in
${BTFKIT_CACHE:-~/.cache/btfkit}/make. Skips (77) when Debian's archive is
unreachable, or pahole missing; the relocation case when libbpf's source
cannot be obtained.

Usage: test_dbg.py BTFHUB-MAKE BTFGEN RSS_RUN COREtrace.bpf.o
"""
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("BTFKIT_SOURCE_ROOT", os.path.join(HERE, "..", ".."))
BUILD = os.environ.get("BTFKIT_BUILD_ROOT", ".")
sys.path.insert(0, os.path.join(HERE, "..", "fetch"))
sys.path.insert(0, HERE)
import fixtures                                   # noqa: E402
import test_debian as deb                         # noqa: E402

MAKE, BTFGEN, RSS_RUN, OBJ = (os.path.abspath(a) for a in sys.argv[1:5])
Skip = deb.tap.Skip
SUITE = "bookworm"
FLAVOUR = "cloud-amd64"


class Ctx:
    def __init__(self, tmp):
        self.tmp = tmp
        self.uri, self.keyring = deb.archive_uri()
        self.dbg = self.img = None

    def make(self, out, extra):
        rss = os.path.join(self.tmp, "rss")
        args = ["--apt", self.uri, "--suite", SUITE, "--arch", "amd64",
                "--packages", "linux-image-*-%s-unsigned" % FLAVOUR, "--shard", "0/1",
                "-o", out, "--cache-dir", deb.cache_root(), "--json"] + extra
        if self.keyring:
            args += ["--keyring", self.keyring]
        env = {k: v for k, v in os.environ.items() if k != "MALLOC_PERTURB_"}
        p = subprocess.run([RSS_RUN, rss, MAKE] + args, capture_output=True, text=True,
                           timeout=3600, errors="surrogateescape", env=env)
        kb, secs = open(rss).read().split()
        assert p.returncode == 0, p.stderr
        return json.loads(p.stdout), int(kb), float(secs)


def newest(j):
    """The newest kernel of the flavour: one image and its -dbg (not every ABI's ~280 MB)."""
    return max(j["kernels"], key=lambda k: [int(x) if x.isdigit() else 0 for x in
                                           k["key"].split("/")[3].replace("-", ".").split(".")])


def full_btf(out, key):
    r = key.split("/")[3]
    with tarfile.open(os.path.join(out, key + ".btf.tar.xz"), "r:xz") as t:
        return t.extractfile(r + ".btf").read()


def t_both_ways(c):
    """the image's .BTF and the -dbg package's DWARF through pahole, one kernel"""
    try:
        with __import__("urllib.request").request.urlopen(
                c.uri + "/dists/%s/InRelease" % SUITE, timeout=15):
            pass
    except OSError as e:
        raise Skip("%s unreachable: %s" % (c.uri, e))
    if not shutil.which("pahole"):
        raise Skip("pahole not installed (dwarves)")
    img_out = os.path.join(c.tmp, "img")
    j, kb, secs = c.make(img_out, [])
    k = newest(j) if j["kernels"] else None
    assert k, j
    key = k["key"]
    # The -dbg of that one kernel only.
    release = key.split("/")[3]
    dbg_out = os.path.join(c.tmp, "dbg")
    j2, kb2, secs2 = c.make(dbg_out, ["--prefer", "dbg", "--packages",
                                      "linux-image-%s-unsigned" % release, "-v"])
    d = [x for x in j2["kernels"] if x["key"] == key]
    assert len(d) == 1 and d[0]["package"] == "linux-image-%s-dbg" % release, j2
    assert "dwarf:pahole" in d[0]["how"], d[0]
    size = os.path.getsize(deb.deb_of(c, d[0]["url"]))
    print("# %s: -dbg package %d bytes (%s this run); btfhub-make --prefer dbg: %.1f s wall, "
          "peak RSS %d KiB (pahole's included); image path: %.1f s, %d KiB" %
          (key, size, "downloaded" if j2["package_bytes"] else "cached", secs2, kb2, secs, kb))
    c.key, c.img, c.dbg = key, full_btf(img_out, key), full_btf(dbg_out, key)
    print("# full BTF: image %d bytes, pahole %d bytes" % (len(c.img), len(c.dbg)))


def reduce(c, btf, name, raw):
    d, r = c.key.split("/")[:3], c.key.split("/")[3]
    tree = os.path.join(c.tmp, "tree-" + name)
    os.makedirs(os.path.join(tree, *d), exist_ok=True)
    with open(os.path.join(tree, c.key + ".btf"), "wb") as f:
        f.write(btf)
    out = os.path.join(c.tmp, "red-%s-%s" % (name, "raw" if raw else "canon"))
    subprocess.run([BTFGEN, "-q", "--arch", "x86_64", "-o", out, tree, OBJ] +
                   (["--raw"] if raw else []), check=True, timeout=600)
    return os.path.join(out, c.key + ".btf")


def t_reduced_bytes(c):
    """btfgen's canonical reduced BTF of the two is byte for byte the same"""
    if not c.dbg:
        raise Skip("no kernel made both ways")
    a, b = reduce(c, c.img, "img", False), reduce(c, c.dbg, "dbg", False)
    ra, rb = open(a, "rb").read(), open(b, "rb").read()
    assert ra == rb, "canonical reduced BTF differs: %d vs %d bytes" % (len(ra), len(rb))
    raw = (open(reduce(c, c.img, "img", True), "rb").read(),
           open(reduce(c, c.dbg, "dbg", True), "rb").read())
    print("# canonical reduced BTF: %d bytes, identical; bpftool's raw bytes %s" %
          (len(ra), "identical" if raw[0] == raw[1] else "differ (type order: see above)"))


def t_relocations(c):
    """every CO-RE relocation of coretrace.bpf.o resolves the same against both, full and reduced"""
    if not c.dbg:
        raise Skip("no kernel made both ways")
    # The helper's directory is btfgen-canon's: one build of it per build tree.
    p = subprocess.run(["bash", os.path.join(SRC, "tests", "btfgen", "relo_dump.sh"), SRC,
                        os.path.join(BUILD, "relo-dump")],
                       capture_output=True, text=True, timeout=900)
    if p.returncode == 3:
        raise Skip("libbpf's source cannot be obtained here: " + p.stderr.strip()[-200:])
    assert p.returncode == 0, p.stderr
    helper = p.stdout.strip()
    dumps = {}
    for name, path in (("img", os.path.join(c.tmp, "full-img.btf")),
                       ("dbg", os.path.join(c.tmp, "full-dbg.btf"))):
        with open(path, "wb") as f:
            f.write(c.img if name == "img" else c.dbg)
        for kind, btf in (("full", path), ("raw", reduce(c, open(path, "rb").read(), name, True))):
            r = subprocess.run([helper, OBJ, btf], capture_output=True, text=True, timeout=300)
            assert r.returncode == 0, r.stderr
            dumps[name, kind] = r.stdout
    n = len(dumps["img", "full"].splitlines())
    assert n > 0 and "error" not in dumps["img", "full"], dumps["img", "full"][:500]
    assert dumps["img", "full"] == dumps["dbg", "full"] == dumps["img", "raw"] == \
        dumps["dbg", "raw"]
    print("# %d CO-RE relocations, the same results against all four" % n)


def main():
    return deb.run_tap([t_both_ways, t_reduced_bytes, t_relocations], Ctx, "btfkit-apt-dbg.")


if __name__ == "__main__":
    sys.exit(main())
