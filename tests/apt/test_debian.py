#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""btfhub-make --apt against Debian's real archive (TAP), reached through the
URIs and keyring ci/apt-private.sh derives from the machine's sources:
bookworm's cloud kernels, the Release signature checked with Debian's
keyring, each archive's BTF compared with what tests/data/make-fixtures.sh
(dpkg-deb, the payload by its magic, objcopy) extracts from the same
package, a re-run that downloads nothing, and btfhub-make's own peak RSS.

Downloads are cached outside the tree (${BTFKIT_CACHE:-~/.cache/btfkit}/make,
flock()ed per entry by the transfer code). Skips (77) only when the archive
is unreachable.

Usage: test_debian.py BTFHUB-MAKE RSS_RUN
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("BTFKIT_SOURCE_ROOT", os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, "..", "fetch"))
import fixtures                                   # noqa: E402,F401  (puts tests/lib on the path)
import tap                                        # noqa: E402

MAKE = os.path.abspath(sys.argv[1])
RSS_RUN = os.path.abspath(sys.argv[2])
Skip = tap.Skip
GLOB = "linux-image-*-cloud-amd64-unsigned"
RSS_MAX_KB = 256 << 10


def cache_root():
    base = os.environ.get("BTFKIT_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "btfkit")
    return os.path.join(base, "make")


def archive_uri():
    p = subprocess.run(["bash", os.path.join(SRC, "ci", "apt-private.sh"), "--uris"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    for line in p.stdout.splitlines():
        kind, uri, key = line.split()
        if kind == "archive":
            return uri, None if key == "-" else key
    raise AssertionError(p.stdout)


class Ctx:
    def __init__(self, tmp):
        self.tmp = tmp
        self.uri, self.keyring = archive_uri()
        try:
            urllib.request.urlopen(self.uri + "/dists/bookworm/InRelease", timeout=15).close()
            self.reachable = None
        except OSError as e:
            self.reachable = "%s unreachable: %s" % (self.uri, e)
        self.out = os.path.join(tmp, "out")
        self.first = None

    def need(self):
        if self.reachable:
            raise Skip(self.reachable)

    def make(self, extra=()):
        rss = os.path.join(self.tmp, "rss")
        args = ["--apt", self.uri, "--suite", "bookworm", "--arch", "amd64", "--packages", GLOB,
                "-o", self.out, "--cache-dir", cache_root(), "--json"] + list(extra)
        if self.keyring:
            args += ["--keyring", self.keyring]
        # under meson's MALLOC_PERTURB_, which writes every byte malloc() hands out:
        # the ceiling holds for all btfhub-make allocates, not only what it uses
        # (the xz encoder's dictionary is cut to the BTF's size for that)
        p = subprocess.run([RSS_RUN, rss, MAKE] + args, capture_output=True, text=True,
                           timeout=1800, errors="surrogateescape")
        kb, secs = open(rss).read().split()
        print("# btfhub-make %s: exit %d, peak RSS %s KiB, %s s" %
              (" ".join(args), p.returncode, kb, secs))
        return p.returncode, p.stdout, p.stderr, int(kb)


def deb_of(c, url):
    name = url.rsplit("/", 1)[1]
    found = glob.glob(os.path.join(cache_root(), "src-*", "pool", "main", "amd64", name))
    assert len(found) == 1, (name, found)
    return found[0]


def shell_btf(c, deb, release):
    """The .BTF of the package's vmlinuz the shell way (make-fixtures.sh --btf)."""
    d = tempfile.mkdtemp(dir=c.tmp)
    dpkg = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb], stdout=subprocess.PIPE)
    subprocess.run(["tar", "-C", d, "-x", "--wildcards", "./boot/vmlinuz-*"], stdin=dpkg.stdout,
                   check=True, timeout=300)
    dpkg.wait()
    out = os.path.join(d, "btf")
    subprocess.run(["sh", os.path.join(SRC, "tests", "data", "make-fixtures.sh"), "--btf",
                    os.path.join(d, "boot", "vmlinuz-" + release), out], check=True, timeout=600)
    data = open(out, "rb").read()
    shutil.rmtree(d)
    return data


def t_cold(c):
    """bookworm's cloud kernels: signed Release, verified packages, every listed kernel made"""
    c.need()
    rc, so, se, kb = c.make()
    assert rc == 0, se
    j = json.loads(so)
    assert j["listed"] >= 1 and j["failed"] == 0 and j["errors"] == [], j
    assert j["made"] + j["unchanged"] + j["skipped"] == j["listed"], j
    assert kb <= RSS_MAX_KB, "peak RSS %d KiB" % kb
    c.first = j
    print("# %d kernels; downloaded: %d bytes of packages (0 when the cache already held "
          "them), %d of Release and indexes" % (j["listed"], j["package_bytes"], j["index_bytes"]))


def t_same_btf(c):
    """each archive holds exactly the .BTF the shell way extracts from the same package"""
    c.need()
    if not c.first:
        raise Skip("no cold run")
    for k in c.first["kernels"]:
        release = k["key"].split("/")[3]
        with tarfile.open(os.path.join(c.out, k["key"] + ".btf.tar.xz"), "r:xz") as t:
            member = t.extractfile(release + ".btf").read()
        assert member == shell_btf(c, deb_of(c, k["url"]), release), k["key"]
        print("# %s: %d bytes of BTF, as dpkg-deb + make-fixtures.sh --btf give" %
              (k["key"], len(member)))


def t_rerun(c):
    """a re-run with nothing new downloads nothing and rewrites nothing"""
    c.need()
    if not c.first:
        raise Skip("no cold run")
    before = {p: os.stat(p).st_mtime_ns for p in glob.glob(c.out + "/debian/*/*/*")}
    rc, so, se, kb = c.make()
    assert rc == 0, se
    j = json.loads(so)
    assert j["skipped"] == j["listed"] == c.first["listed"] and j["made"] == 0, j
    # No package, no index (pinned by Release's SHA-256); only the Release itself, which
    # Debian's mirrors serve without validators for a conditional request.
    assert j["package_bytes"] == 0 and j["index_bytes"] <= 1 << 20, j
    assert before == {p: os.stat(p).st_mtime_ns for p in glob.glob(c.out + "/debian/*/*/*")}


def run_tap(cases, make_ctx, prefix):
    """@cases over make_ctx(a temporary directory), which is removed after: TAP."""
    tmp = tempfile.mkdtemp(prefix=prefix)
    try:
        return tap.run(cases, make_ctx(tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    return run_tap([t_cold, t_same_btf, t_rerun], Ctx, "btfkit-apt-debian.")


if __name__ == "__main__":
    sys.exit(main())
