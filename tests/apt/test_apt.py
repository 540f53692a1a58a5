#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""btfhub-make --apt against a loopback repository (TAP): a Debian-format
repository built and served by the test on 127.0.0.1 (apt_repo.py over
tests/fetch/btfhub_server.py), signed with a throwaway key when gpg is
installed, that lies in every way the APT chain must catch: an index whose
hash or size lies, a package whose hash or size lies, a Release whose
signature fails, a stalled download, missing files, hostile field lengths.
The packages carry real BTF (tests/data/btfhub), which btfhub-make takes as
raw BTF under the key the repository gives.

Usage: test_apt.py BTFHUB-MAKE [FUZZ-APT-REPLAY]
"""
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "fetch"))
sys.path.insert(0, HERE)
import fixtures                                   # noqa: E402
from btfhub_server import BtfhubServer            # noqa: E402
import apt_repo                                   # noqa: E402

MAKE = os.path.abspath(sys.argv[1])
REPLAY = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else None
Skip = fixtures.Skip
X86 = "debian/12/x86_64"
FAST = ["--retries", "0", "--connect-timeout", "5", "--timeout", "30"]


def btf(release, path=X86):
    return fixtures.data_btf(release, path)


def tiny_btf(name):
    """A small valid BTF (one INT type named @name): for the cases about the repository
    alone, where the 4 MB of a real kernel's would only cost time."""
    strs = b"\0" + name.encode() + b"\0"
    types = struct.pack("<IIII", 1, 1 << 24, 4, 32)
    return struct.pack("<HBBIIIII", 0xeB9F, 1, 0, 24, 0, len(types), len(types),
                       len(strs)) + types + strs


def run(args, timeout=120):
    p = subprocess.run([MAKE] + args, capture_output=True, text=True, timeout=timeout,
                       errors="surrogateescape")
    return p.returncode, p.stdout, p.stderr


def errors(se):
    return [l for l in se.splitlines() if "error:" in l]


def member(out, key):
    """The BTF member of @key's archive under @out, in any of BTFHub's spellings."""
    d, v, a, r = key.split("/")
    vs = {"11": ["11", "bullseye"], "12": ["12", "bookworm"]}.get(v, [v])
    arches = ["arm64", "aarch64"] if a == "arm64" else [a]
    for vv in vs:
        for aa in arches:
            p = os.path.join(out, d, vv, aa, r + ".btf.tar.xz")
            if os.path.exists(p):
                with tarfile.open(p, "r:xz") as t:
                    m = t.getmembers()
                    assert len(m) == 1 and m[0].name == r + ".btf", m
                    return t.extractfile(m[0]).read()
    return None


def archives(out):
    found = []
    for root, _, names in os.walk(out):
        found += [os.path.relpath(os.path.join(root, n), out) for n in names
                  if n.endswith(".btf.tar.xz")]
    return sorted(found)


class Ctx:
    def __init__(self, tmp):
        self.tmp, self.n = tmp, 0
        self.signer = None
        if apt_repo.Signer.available():
            self.signer = apt_repo.Signer(tmp)
            self.other = apt_repo.Signer(tmp, "someone else")
        # Real kernels' BTF for the whole chain (t_chain), small BTF elsewhere.
        self.real_a = btf("6.1.0-56-amd64")
        self.real_b = btf("6.1.0-56-cloud-amd64")
        self.a, self.b, self.c = tiny_btf("a"), tiny_btf("b"), tiny_btf("c")

    def case(self, arch="amd64"):
        """A fresh server, repository, output and cache for one case."""
        self.n += 1
        d = os.path.join(self.tmp, "case%02d" % self.n)
        os.makedirs(d)
        srv = BtfhubServer().__enter__()
        self.srv = srv
        return srv, apt_repo.Repo(arch), os.path.join(d, "out"), os.path.join(d, "cache")

    def args(self, out, cache, suites, arch="amd64", keyring=True, extra=()):
        a = ["--apt", self.srv.base, "--suite", suites, "--arch", arch, "-o", out,
             "--cache-dir", cache, "--json"] + FAST + list(extra)
        if keyring and self.signer:
            a += ["--keyring", self.signer.keyring]
        return a

    def need_gpg(self):
        if not self.signer:
            raise Skip("gpg/gpgv not installed (ci/packages.txt: gnupg, gpgv)")

    def close(self):
        if getattr(self, "srv", None):
            self.srv.__exit__(None, None, None)
            self.srv = None


def standard(c, repo, a=None, b=None):
    """Two suites; a signed and an unsigned image of one kernel, its meta package and
    -dbg; a security kernel."""
    a, b = a or c.a, b or c.b
    repo.add("bookworm", "linux-image-6.1.0-56-amd64", "6.1.140-1", a)
    repo.add("bookworm", "linux-image-6.1.0-56-amd64-unsigned", "6.1.140-1", a)
    repo.add("bookworm", "linux-image-amd64", "6.1.140-1", b"meta package, never fetched")
    repo.add("bookworm", "linux-image-6.1.0-56-amd64-dbg", "6.1.140-1", c.c)
    repo.add("bookworm-security", "linux-image-6.1.0-56-cloud-amd64-unsigned", "6.1.140-1", b)


def t_chain(c):
    """signed InRelease -> Packages.xz -> packages: the unsigned images made, meta and -dbg left"""
    srv, repo, out, cache = c.case()
    standard(c, repo, c.real_a, c.real_b)
    repo.publish(srv, c.signer)
    rc, so, se = run(c.args(out, cache, "bookworm,bookworm-security"))
    assert rc == 0, se
    j = json.loads(so)
    assert j["made"] == 2 and j["failed"] == 0 and j["listed"] == 2, j
    assert sorted(k["package"] for k in j["kernels"]) == [
        "linux-image-6.1.0-56-amd64-unsigned", "linux-image-6.1.0-56-cloud-amd64-unsigned"], j
    assert member(out, X86 + "/6.1.0-56-amd64") == c.real_a
    assert member(out, X86 + "/6.1.0-56-cloud-amd64") == c.real_b
    pool = sorted(r["path"] for r in srv.requests("/pool/"))
    assert pool == ["/pool/main/l/linux/linux-image-6.1.0-56-amd64-unsigned_6.1.140-1_amd64.deb",
                    "/pool/main/l/linux/linux-image-6.1.0-56-cloud-amd64-unsigned_6.1.140-1_amd64.deb"], pool
    assert os.path.exists(os.path.join(out, "btfhub-index.json"))
    if c.signer:
        assert srv.requests("/dists/bookworm/InRelease") and not srv.requests("/dists/bookworm/Release")

    # Nothing new: nothing downloaded (indexes pinned by Release, kernels made), nothing rewritten.
    before = {p: os.stat(os.path.join(out, p)) for p in archives(out)}
    n = len(srv.requests())
    rc, so, se = run(c.args(out, cache, "bookworm,bookworm-security"))
    assert rc == 0, se
    j = json.loads(so)
    assert j["skipped"] == 2 and j["made"] == 0 and j["kernels"] == [], j
    again = srv.requests()[n:]
    assert all("Release" in r["path"] for r in again), again
    assert sum(r.get("sent", 0) for r in again) == 0, again
    after = {p: os.stat(os.path.join(out, p)) for p in archives(out)}
    assert {p: (s.st_ino, s.st_mtime_ns) for p, s in before.items()} == \
        {p: (s.st_ino, s.st_mtime_ns) for p, s in after.items()}


def t_rebuilt(c):
    """a kernel rebuilt under the same release (new upload): made again; unchanged bytes are not rewritten"""
    srv, repo, out, cache = c.case()
    p = repo.add("bookworm", "linux-image-6.1.0-56-amd64-unsigned", "6.1.140-1", c.a)
    repo.publish(srv, c.signer)
    rc, so, se = run(c.args(out, cache, "bookworm"))
    assert rc == 0, se
    srv.httpd.routes.clear()
    repo.pkgs.remove(p)
    repo.add("bookworm", "linux-image-6.1.0-56-amd64-unsigned", "6.1.140-2", c.c)
    repo.publish(srv, c.signer)
    rc, so, se = run(c.args(out, cache, "bookworm"))
    assert rc == 0, se
    j = json.loads(so)
    assert j["made"] == 1 and j["kernels"][0]["version"] == "6.1.140-2", j
    assert member(out, X86 + "/6.1.0-56-amd64") == c.c


def one_error(se, *words):
    lines = errors(se)
    assert len(lines) == 1, se
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


def t_index_hash_lie(c):
    """Release says another SHA-256 for Packages.xz: that suite fails, naming the URL; no package fetched"""
    srv, repo, out, cache = c.case()
    standard(c, repo)
    repo.index_lie["bookworm"] = {"sha256": "ab" * 32}
    repo.publish(srv, c.signer)
    rc, so, se = run(c.args(out, cache, "bookworm,bookworm-security"))
    assert rc == 1, se
    one_error(se, srv.base + "/dists/bookworm/main/binary-amd64/Packages.xz", "SHA-256",
              "ab" * 32)
    # The other suite is still made; the lying index is not kept in the cache.
    assert archives(out) == [X86 + "/6.1.0-56-cloud-amd64.btf.tar.xz"], archives(out)
    assert not [r for r in srv.requests("/pool/") if "cloud" not in r["path"]]
    left = [n for _, _, ns in os.walk(cache) for n in ns if n == "main.Packages.xz"]
    assert len(left) == 1, left


def t_index_size_lie(c):
    """Release says another size for Packages.xz: that suite fails, naming the URL"""
    srv, repo, out, cache = c.case()
    standard(c, repo)
    repo.publish(srv, c.signer)
    idx = srv.httpd.routes["/dists/bookworm/main/binary-amd64/Packages.xz"].data
    srv.httpd.routes.clear()
    repo.index_lie["bookworm"] = {"size": len(idx) + 7}
    repo.publish(srv, c.signer)
    rc, so, se = run(c.args(out, cache, "bookworm"))
    assert rc == 1, se
    one_error(se, srv.base + "/dists/bookworm/main/binary-amd64/Packages.xz",
              "%d bytes, but its Release says %d" % (len(idx), len(idx) + 7))
    assert archives(out) == []


def t_package_lies(c):
    """a package whose SHA-256 or size lies: that kernel fails naming its URL, the others are made"""
    srv, repo, out, cache = c.case()
    p = repo.add("bookworm", "linux-image-6.1.0-56-amd64-unsigned", "6.1.140-1", c.a)
    q = repo.add("bookworm", "linux-image-6.1.0-56-cloud-amd64-unsigned", "6.1.140-1", c.b)
    repo.add("bookworm", "linux-image-6.12.117+deb12-cloud-amd64-unsigned", "6.12.117-1", c.c)
    p.sha256 = "cd" * 32
    q.size += 1
    repo.publish(srv, c.signer)
    rc, so, se = run(c.args(out, cache, "bookworm"))
    assert rc == 1, se
    lines = errors(se)
    assert len(lines) == 2, se
    assert any(srv.base + "/" + p.filename in l and "SHA-256" in l and "cd" * 32 in l
               for l in lines), lines
    assert any(srv.base + "/" + q.filename in l and "%d bytes" % len(c.b) in l for l in lines), lines
    assert archives(out) == [X86 + "/6.12.117+deb12-cloud-amd64.btf.tar.xz"], archives(out)
    j = json.loads(so)
    assert j["failed"] == 2 and j["made"] == 1, j
    # A lie is not kept: fixed upstream, the next run fetches the package again and makes it.
    debs = [n for _, _, ns in os.walk(cache) for n in ns if n.endswith(".deb")]
    assert debs == ["linux-image-6.12.117+deb12-cloud-amd64-unsigned_6.12.117-1_amd64.deb"], debs
    srv.httpd.routes.clear()
    p.sha256, q.size = apt_repo.sha256(c.a), len(c.b)
    repo.publish(srv, c.signer)
    rc, so, se = run(c.args(out, cache, "bookworm"))
    assert rc == 0 and json.loads(so)["made"] == 2, se
    assert member(out, X86 + "/6.1.0-56-amd64") == c.a


def t_bad_signature(c):
    """InRelease altered after signing, or signed by a key not in the keyring: the suite fails, naming the URL"""
    c.need_gpg()
    srv, repo, out, cache = c.case()
    standard(c, repo)
    files = repo.publish(srv, c.signer)
    signed = files["/dists/bookworm/InRelease"]
    srv.replace("/dists/bookworm/InRelease", signed.replace(b"Origin: btfkit-test",
                                                            b"Origin: btfkit-tesT"))
    rc, so, se = run(c.args(out, cache, "bookworm"))
    assert rc == 1, se
    one_error(se, srv.base + "/dists/bookworm/InRelease", "BADSIG", c.signer.keyring)
    assert not srv.requests("/dists/bookworm/main") and not srv.requests("/pool/")

    srv.replace("/dists/bookworm/InRelease", c.other.clearsign(repo.release(
        "bookworm", "main/binary-amd64/Packages.xz",
        srv.httpd.routes["/dists/bookworm/main/binary-amd64/Packages.xz"].data)))
    rc, so, se = run(c.args(out, cache, "bookworm"))
    assert rc == 1, se
    one_error(se, srv.base + "/dists/bookworm/InRelease", "signature check failed")
    assert archives(out) == []


def t_detached(c):
    """no InRelease: Release checked against Release.gpg; a foreign Release.gpg fails"""
    c.need_gpg()
    srv, repo, out, cache = c.case()
    repo.inrelease = False
    repo.add("bookworm", "linux-image-6.1.0-56-amd64-unsigned", "6.1.140-1", c.a)
    files = repo.publish(srv, c.signer)
    rc, so, se = run(c.args(out, cache, "bookworm"))
    assert rc == 0, se
    assert srv.requests("/dists/bookworm/Release.gpg")
    assert member(out, X86 + "/6.1.0-56-amd64") == c.a
    srv.replace("/dists/bookworm/Release.gpg", c.other.detach(files["/dists/bookworm/Release"]))
    shutil.rmtree(out)
    rc, so, se = run(c.args(out, cache, "bookworm"))
    assert rc == 1, se
    one_error(se, srv.base + "/dists/bookworm/Release", "signature check failed")


def t_unsigned(c):
    """without --keyring: Release over plain HTTP is read as is; text outside an InRelease's signed part is refused"""
    srv, repo, out, cache = c.case()
    repo.add("bookworm", "linux-image-6.1.0-56-amd64-unsigned", "6.1.140-1", c.a)
    files = repo.publish(srv, c.signer)
    rc, so, se = run(c.args(out, cache, "bookworm", keyring=False))
    assert rc == 0, se
    assert member(out, X86 + "/6.1.0-56-amd64") == c.a
    if not c.signer:
        return
    srv.replace("/dists/bookworm/InRelease", files["/dists/bookworm/InRelease"] +
                b"Codename: trixie\n")
    rc, so, se = run(c.args(out, cache, "bookworm", keyring=False))
    assert rc == 1, se
    one_error(se, srv.base + "/dists/bookworm/InRelease", "text after the signature")


def t_stall(c):
    """a repository that stalls (index, then package): the low-speed limit ends it with one line naming the URL"""
    srv, repo, out, cache = c.case()
    repo.add("bookworm", "linux-image-6.1.0-56-amd64-unsigned", "6.1.140-1", c.a)
    idx = "/dists/bookworm/main/binary-amd64/Packages.xz"
    repo.publish(srv, c.signer, faults={idx: "stall"})
    slow = ["--speed-limit", "100000", "--speed-time", "2"]
    t0 = time.monotonic()
    rc, so, se = run(c.args(out, cache, "bookworm", extra=slow), timeout=60)
    assert rc == 1, se
    assert time.monotonic() - t0 < 20
    one_error(se, srv.base + idx, "too slow")
    srv.httpd.routes.clear()
    deb = "/" + repo.pkgs[0].filename
    repo.publish(srv, c.signer, faults={deb: "stall"})
    t0 = time.monotonic()
    rc, so, se = run(c.args(out, cache, "bookworm", extra=slow), timeout=60)
    assert rc == 1 and time.monotonic() - t0 < 20, se
    one_error(se, srv.base + deb, "too slow")
    assert archives(out) == []


def t_missing(c):
    """missing files (404): a package fails naming its URL, a suite without Release names both URLs tried"""
    srv, repo, out, cache = c.case()
    p = repo.add("bookworm", "linux-image-6.1.0-56-amd64-unsigned", "6.1.140-1", c.a)
    repo.add("bookworm", "linux-image-6.1.0-56-cloud-amd64-unsigned", "6.1.140-1", c.b)
    repo.publish(srv, c.signer)
    del srv.httpd.routes["/" + p.filename]
    rc, so, se = run(c.args(out, cache, "bookworm,trixie"))
    assert rc == 1, se
    lines = errors(se)
    assert len(lines) == 2, se
    assert any(srv.base + "/" + p.filename in l and "404" in l for l in lines), lines
    assert any(srv.base + "/dists/trixie/InRelease" in l and
               srv.base + "/dists/trixie/Release" in l and "404" in l for l in lines), lines
    assert archives(out) == [X86 + "/6.1.0-56-cloud-amd64.btf.tar.xz"]


def t_hostile_fields(c):
    """hostile field lengths and values: each one line naming the URL, nothing allocated for them"""
    srv, repo, out, cache = c.case()
    good = repo.add("bookworm", "linux-image-6.1.0-56-amd64-unsigned", "6.1.140-1", c.a)
    repo.add("bookworm", "linux-image-6.1.0-57-amd64-unsigned", "6.1.141-1", c.b,
             Filename="pool/../../../etc/passwd")
    repo.add("bookworm", "linux-image-6.1.0-58-amd64-unsigned", "v" * 200, c.b)
    repo.add("bookworm", "linux-image-6.1.0-59-amd64-unsigned", "6.1.142-1", c.b, SHA256=None)
    repo.add("bookworm", "linux-image-6.1.0-60-amd64-unsigned", "6.1.142-1", c.b,
             Size="99999999999999999999")
    repo.add("bookworm", "linux-image-" + "9" * 300, "1", c.b)      # over the name cap: not a kernel
    repo.publish(srv, c.signer)
    rc, so, se = run(c.args(out, cache, "bookworm"))
    assert rc == 1, se
    lines = errors(se)
    idx = srv.base + "/dists/bookworm/main/binary-amd64/Packages.xz"
    assert len(lines) == 4 and all(idx in l for l in lines), se
    for w in ("leaves the repository", "Version", "SHA256", "Size"):
        assert any(w in l for l in lines), (w, lines)
    assert archives(out) == [X86 + "/6.1.0-56-amd64.btf.tar.xz"], archives(out)
    assert [r["path"] for r in srv.requests("/pool/")] == ["/" + good.filename]

    # A 2 MiB line: the index fails at that line, before any of it is kept.
    srv.httpd.routes.clear()
    repo.pkgs = [good]
    repo.packages_extra["bookworm"] = "\nPackage: x\nDescription: " + "y" * (2 << 20) + "\n"
    repo.publish(srv, c.signer)
    rc, so, se = run(c.args(out + "2", cache, "bookworm"))
    assert rc == 1, se
    one_error(se, idx, "line over 1048576 bytes")
    # A Release over its 16 MiB cap.
    srv.httpd.routes.clear()
    repo.packages_extra.clear()
    repo.release_extra["bookworm"] = "Description: x\n" + (" " + "z" * 1000 + "\n") * (17 << 10)
    repo.publish(srv, None)
    rc, so, se = run(c.args(out + "3", cache, "bookworm", keyring=False))
    assert rc == 1, se
    one_error(se, srv.base + "/dists/bookworm/", "byte cap")


def t_suites(c):
    """suite -> BTFHub version by the table (bullseye -> 11, arm64 kept arm64); an unknown suite says what is known"""
    srv, repo, out, cache = c.case("arm64")
    arm = c.a
    repo.add("bullseye-security", "linux-image-6.1.0-56-arm64-unsigned", "6.1.140-1", arm)
    repo.add("sid", "linux-image-6.1.0-57-arm64-unsigned", "6.1.141-1", arm)
    repo.publish(srv, c.signer)
    rc, so, se = run(c.args(out, cache, "bullseye-security,sid", arch="arm64"))
    assert rc == 1, se
    line = one_error(se, srv.base + "/dists/sid/", "unknown suite 'sid'", "bookworm (debian 12)")
    assert member(out, "debian/11/arm64/6.1.0-56-arm64") == arm, archives(out)
    assert len(archives(out)) == 1
    rc, so, se = run(["--apt", srv.base, "--suite", "bookworm", "--arch", "i386", "-o", out])
    assert rc == 2 and "i386" in se, (rc, se)
    rc, so, se = run(["--apt", "ftp://127.0.0.1/", "--suite", "bookworm", "--arch", "amd64",
                      "-o", out])
    assert rc == 2 and len(errors(se)) == 1 and "ftp://127.0.0.1/" in se, (rc, se)


def key_shard(key, n):
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") % n


def t_shards(c):
    """--shard I/N: each kernel in exactly the shard its key hashes to"""
    srv, repo, out, cache = c.case()
    rels = ["6.1.0-%d-amd64" % i for i in range(50, 58)]
    for i, r in enumerate(rels):
        repo.add("bookworm", "linux-image-%s-unsigned" % r, "6.1.%d-1" % i, [c.a, c.b, c.c][i % 3])
    repo.publish(srv, c.signer)
    got = []
    for i in range(3):
        o = "%s-%d" % (out, i)
        rc, so, se = run(c.args(o, cache, "bookworm", extra=["--shard", "%d/3" % i]))
        assert rc == 0, se
        made = sorted(k["key"] for k in json.loads(so)["kernels"])
        want = sorted(X86 + "/" + r for r in rels if key_shard(X86 + "/" + r, 3) == i)
        assert made == want, (i, made, want)
        got += made
    assert sorted(got) == sorted(X86 + "/" + r for r in rels)


def t_prefer_dbg(c):
    """--prefer dbg: the kernel is made from its -dbg package (the upload matching the image)"""
    srv, repo, out, cache = c.case()
    repo.add("bookworm", "linux-image-6.1.0-56-amd64-unsigned", "6.1.140-1", c.a)
    repo.add("bookworm", "linux-image-6.1.0-56-amd64-dbg", "6.1.139-1", c.b)
    dbg = repo.add("bookworm-security", "linux-image-6.1.0-56-amd64-dbg", "6.1.140-1", c.c)
    repo.publish(srv, c.signer)
    rc, so, se = run(c.args(out, cache, "bookworm,bookworm-security",
                            extra=["--prefer", "dbg"]))
    assert rc == 0, se
    j = json.loads(so)
    assert [(k["package"], k["version"]) for k in j["kernels"]] == \
        [("linux-image-6.1.0-56-amd64-dbg", "6.1.140-1")], j
    assert member(out, X86 + "/6.1.0-56-amd64") == c.c
    assert [r["path"] for r in srv.requests("/pool/")] == ["/" + dbg.filename]


def t_replay(c):
    """the parsers' fuzz target on hostile inputs: no crash, no leak, under 256 MiB"""
    if not REPLAY:
        raise Skip("no replay driver")
    d = os.path.join(c.tmp, "replay")
    os.makedirs(d)
    line = b"Package: x\nDescription: " + b"y" * (2 << 20) + b"\n"
    fields = b"".join(b"F%d: v\n" % i for i in range(1000))
    fixtures.replay(REPLAY, d, {
        "long-line": b"\0" + line,
        "many-fields": b"\0" + fields,
        "nul": b"\0Package: a\0b\n",
        "release-long": b"\1Suite: x\nSHA256:\n " + b"a" * 64 + b" 9" * 5000 + b" x\n",
        "inrelease-nested": b"\1-----BEGIN PGP SIGNED MESSAGE-----\n\n-----BEGIN PGP SIGNED MESSAGE-----\n",
        "packages-line": b"\2" + line,
        "packages-garbage": b"\2\xfd7zXZ\0\0garbage",
    })


CASES = [t_chain, t_rebuilt, t_index_hash_lie, t_index_size_lie, t_package_lies,
         t_bad_signature, t_detached, t_unsigned, t_stall, t_missing, t_hostile_fields,
         t_suites, t_shards, t_prefer_dbg, t_replay]


def main():
    print("1..%d" % len(CASES))
    tmp = tempfile.mkdtemp(prefix="btfkit-apt.")
    c = Ctx(tmp)
    cases = []
    for f in CASES:
        def case(ctx, f=f):
            try:
                f(ctx)
            finally:
                ctx.close()
        case.__doc__ = f.__doc__
        cases.append(case)
    try:
        return fixtures.tap(cases, c)
    finally:
        if c.signer:
            c.signer.close()
            c.other.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
