#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""btfhub-make end to end (TAP), on real BTF from tests/data.

Usage: test_make.py BTFHUB-MAKE BTFHUB-FETCH
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fetch"))
import fixtures                      # noqa: E402

MAKE = os.path.abspath(sys.argv[1])
FETCH = os.path.abspath(sys.argv[2])
Skip = fixtures.Skip
# The committed fixtures (tests/data/make-fixtures.sh): real Debian 12 kernels.
X86 = ["6.1.0-56-amd64", "6.1.0-56-cloud-amd64", "6.12.117+deb12-cloud-amd64"]
ARM = ["6.1.0-56-arm64", "6.12.117+deb12-arm64"]


def run(args, tool=MAKE, timeout=300):
    p = subprocess.run([tool] + args, capture_output=True, text=True, timeout=timeout,
                       errors="surrogateescape")
    return p.returncode, p.stdout, p.stderr


def files_under(d):
    out = []
    for root, _, names in os.walk(d):
        out += [os.path.relpath(os.path.join(root, n), d) for n in names]
    return sorted(out)


def read(p):
    with open(p, "rb") as f:
        return f.read()


def write(p, data):
    with open(p, "wb") as f:
        f.write(data)
    return p


def errors(se):
    return [l for l in se.splitlines() if "error:" in l]


class Ctx:
    def __init__(self, tmp):
        self.tmp, self.n = tmp, 0

    def dir(self):
        self.n += 1
        d = os.path.join(self.tmp, "case%02d" % self.n)
        os.makedirs(d)
        return d

    def btf(self, rel, arch="x86_64"):
        """A raw BTF input file of the committed fixture @rel."""
        p = os.path.join(self.tmp, "%s-%s.btf" % (arch, rel))
        if not os.path.exists(p):
            write(p, fixtures.data_btf(rel, "debian/12/" + arch))
        return p


def fixture(rel, arch="x86_64"):
    return os.path.join(fixtures.data_dir(), "debian/12", arch, rel + ".btf.tar.xz")


def t_raw_btf_identical_to_fixtures(c):
    """raw BTF + --key -> the very bytes of the committed fixture archives (x86_64, aarch64)"""
    d = c.dir()
    out = os.path.join(d, "out")
    for arch, rels in (("x86_64", X86[:1]), ("aarch64", ARM[:1])):
        for rel in rels:
            rc, so, se = run(["-o", out, "--key", "debian/12/%s/%s" % (arch, rel), "--json",
                              c.btf(rel, arch)])
            s = json.loads(so)
            assert rc == 0 and s["made"] == 1 and s["failed"] == 0, (rc, so, se)
            # aarch64 is BTFHub's other spelling of arm64: filed as arm64.
            got = os.path.join(out, "debian/12", "arm64" if arch == "aarch64" else arch,
                               rel + ".btf.tar.xz")
            assert read(got) == read(fixture(rel, arch)), got
            k = s["kernels"][0]
            assert k["sha256"] == hashlib.sha256(read(got)).hexdigest(), k
            assert k["how"] == "btf" and k["status"] == "made", k


def t_deterministic_and_unchanged(c):
    """same input twice -> same bytes; a re-run leaves the archive (and its inode) alone"""
    d = c.dir()
    a, b = os.path.join(d, "a"), os.path.join(d, "b")
    key = "debian/12/x86_64/" + X86[1]
    for out in (a, b):
        rc, so, se = run(["-o", out, "--key", key, c.btf(X86[1])])
        assert rc == 0, se
    rel = "debian/12/x86_64/%s.btf.tar.xz" % X86[1]
    assert read(os.path.join(a, rel)) == read(os.path.join(b, rel))
    st = os.stat(os.path.join(a, rel))
    rc, so, se = run(["-o", a, "--key", key, "--json", c.btf(X86[1])])
    s = json.loads(so)
    assert rc == 0 and s["unchanged"] == 1 and s["made"] == 0, (so, se)
    st2 = os.stat(os.path.join(a, rel))
    assert (st.st_ino, st.st_mtime_ns, st.st_ctime_ns) == \
        (st2.st_ino, st2.st_mtime_ns, st2.st_ctime_ns), "archive rewritten"


def t_index_is_fetch_write_index(c):
    """OUT/btfhub-index.json is byte for byte what btfhub-fetch --write-index writes"""
    d = c.dir()
    out = os.path.join(d, "out")
    for rel in X86[:2]:
        rc, _, se = run(["-o", out, "--key", "debian/12/x86_64/" + rel, c.btf(rel)])
        assert rc == 0, se
    mine = read(os.path.join(out, "btfhub-index.json"))
    idx = json.loads(mine)
    assert [a["key"] for a in idx["archives"]] == \
        ["debian/12/x86_64/%s.btf.tar.xz" % r for r in sorted(X86[:2])], idx
    os.unlink(os.path.join(out, "btfhub-index.json"))
    rc, _, se = run(["--write-index", out], tool=FETCH)
    assert rc == 0, se
    assert read(os.path.join(out, "btfhub-index.json")) == mine
    # --index alone rewrites it the same
    os.unlink(os.path.join(out, "btfhub-index.json"))
    rc, _, se = run(["-o", out, "--index"])
    assert rc == 0 and read(os.path.join(out, "btfhub-index.json")) == mine, se


def t_output_is_a_mirror(c):
    """btfhub-fetch -s OUT fetches every kernel made, through the index and as a directory"""
    d = c.dir()
    out = os.path.join(d, "out")
    for rel in X86[:2]:
        rc, _, se = run(["-o", out, "--key", "debian/12/x86_64/" + rel, c.btf(rel)])
        assert rc == 0, se
    for src in (out, "file://" + out):
        got = os.path.join(d, "fetched%d" % len(src))
        rc, so, se = run(["-s", src, "-o", got, "--cache-dir", got + ".cache", "--json",
                          "--distro", "debian"], tool=FETCH)
        s = json.loads(so)
        assert rc == 0 and s["fetched"] == 2 and s["failed"] == 0, (so, se)
        for rel in X86[:2]:
            assert read(os.path.join(got, "debian/12/x86_64", rel + ".btf")) == \
                read(c.btf(rel))


def t_unknown_input_one_line(c):
    """garbage and empty inputs: one error line each naming the file, exit 1, nothing written"""
    d = c.dir()
    out = os.path.join(d, "out")
    junk = write(os.path.join(d, "junk\x1b.bin"), os.urandom(4096))
    empty = write(os.path.join(d, "empty"), b"")
    rc, so, se = run(["-o", out, "--json", junk, empty, c.btf(X86[0])])
    s = json.loads(so)
    assert rc == 1 and s["failed"] == 3 and s["made"] == 0, (so, se)
    errs = errors(se)
    assert len(errs) == 3, se
    assert any("junk\\x1b.bin" in e and "unknown format" in e for e in errs), errs
    assert "\x1b" not in se
    # the third (raw BTF without --key) cannot say its key: an error, not a guess
    assert "does not say its kernel's distro: give --key" in errs[2], errs
    assert any("empty" in e and "empty file" in e for e in errs), errs
    assert files_under(out) == ["btfhub-index.json"], files_under(out)


def t_never_replaces_non_regular(c):
    """a symlink, directory or FIFO at the output path is left alone, one line naming it"""
    d = c.dir()
    out = os.path.join(d, "out")
    dest = os.path.join(out, "debian/12/x86_64")
    os.makedirs(dest)
    victim = write(os.path.join(d, "victim"), b"keep")
    for kind in ("symlink", "dir", "fifo"):
        p = os.path.join(dest, X86[0] + ".btf.tar.xz")
        if kind == "symlink":
            os.symlink(victim, p)
        elif kind == "dir":
            os.mkdir(p)
        else:
            os.mkfifo(p)
        rc, so, se = run(["-o", out, "--key", "debian/12/x86_64/" + X86[0], c.btf(X86[0])])
        errs = errors(se)
        assert rc == 1 and len(errs) == 1 and "not replaced" in errs[0] and p in errs[0], se
        assert read(victim) == b"keep"
        assert [f for f in os.listdir(dest) if f.startswith(".")] == [], os.listdir(dest)
        if kind == "dir":
            os.rmdir(p)
        else:
            os.unlink(p)


def t_cli(c):
    """--help, --version, usage errors exit 2 with one line"""
    rc, so, _ = run(["--help"])
    assert rc == 0 and "Usage: btfhub-make" in so and "--shard" in so
    rc, so, _ = run(["--version"])
    assert rc == 0 and so.startswith("btfhub-make ")
    for args, words in ((["x"], "-o"), (["-o", c.tmp], "no input"),
                        (["-o", c.tmp, "-j", "0", "x"], "invalid number"),
                        (["-o", c.tmp, "--shard", "3/3", "x"], "--shard"),
                        (["-o", c.tmp, "--key", "a/b/c", "x"], "fewer than four"),
                        (["-o", c.tmp, "--key", "a/b/c/d", "x", "y"], "one input")):
        rc, so, se = run(args)
        assert rc == 2 and words in errors(se)[0], (args, rc, se)


CASES = [v for k, v in sorted(globals().items()) if k.startswith("t_")]
CASES.sort(key=lambda f: f.__code__.co_firstlineno)
if os.environ.get("MAKE_TESTS"):   # a developer's filter: names containing this
    CASES = [f for f in CASES if os.environ["MAKE_TESTS"] in f.__name__]


def main():
    print("1..%d" % len(CASES))
    tmp = tempfile.mkdtemp(prefix="btfkit-make-")
    try:
        return fixtures.tap(CASES, Ctx(tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
