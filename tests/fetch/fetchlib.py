#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""What the btfhub-fetch tests share (test_fetch_*.py): the tool, a case's
directories and run against the local server (Ctx), the expected shape of
one clean failure, and main(), which runs a module's t_* cases as TAP.

Usage of every test_fetch_*.py: PATH/TO/btfhub-fetch [PATH/TO/fuzz-extract-replay]
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixtures                      # noqa: E402
from fixtures import files_under     # noqa: E402,F401  (the cases import it from here)
import tap                           # noqa: E402
from btfhub_server import BtfhubServer  # noqa: E402

TOOL = os.path.abspath(sys.argv[1])
REPLAY = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else None
# The sample kernel (fixtures.SAMPLE_KEY): real Debian 12 arm64 BTF from tests/data.
S_REL = fixtures.SAMPLE_KEY[3]
REL = "5.10.0-28-amd64"             # crafted archives: debian 11, served as "bullseye"
FAST = ["--retry-delay", "50", "--connect-timeout", "5", "--timeout", "20"]


Skip = tap.Skip


def run(args, timeout=60):
    p = subprocess.run([TOOL] + args, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def write_manifest(path, kernels):
    with open(path, "w") as f:
        json.dump({"kernels": kernels}, f)


class Ctx:
    def __init__(self, srv, tmp):
        self.srv, self.tmp, self.n = srv, tmp, 0

    def dirs(self):
        self.n += 1
        d = os.path.join(self.tmp, "case%02d" % self.n)
        os.makedirs(d)
        return os.path.join(d, "out"), os.path.join(d, "cache"), d

    def fetch(self, prefix, kernels, extra=(), out=None, cache=None):
        """Run btfhub-fetch --json against /prefix; returns rc, summary, stderr, out."""
        if out is None:
            out, cache, d = self.dirs()
        else:
            d = os.path.dirname(out)
        man = os.path.join(d, "manifest.json")
        write_manifest(man, kernels)
        rc, so, se = run(["-s", self.srv.base + "/" + prefix, "-o", out, "--cache-dir", cache,
                          "-m", man, "--json"] + FAST + list(extra))
        try:
            summary = json.loads(so)
        except ValueError:
            raise AssertionError("stdout is not JSON: %r / stderr %r" % (so, se))
        return rc, summary, se, out, cache, man


def kernel(distro, version, arch, release, sha=None):
    k = {"distro": distro, "version": version, "arch": arch, "release": release}
    if sha:
        k["sha256"] = sha
    return k


def expect_failure(c, prefix, data, fault, words, extra=(), arch="x86_64"):
    """Serve @data at debian/bullseye/<arch>/REL under @prefix and expect one clean failure."""
    url = "%s/%s/debian/bullseye/%s/%s.btf.tar.xz" % (c.srv.base, prefix, arch, REL)
    c.srv.add("/%s/debian/bullseye/%s/%s.btf.tar.xz" % (prefix, arch, REL), data, fault)
    rc, s, se, out, cache, _ = c.fetch(prefix, [kernel("debian", "11", arch, REL)], extra)
    assert rc == 1, "exit %d, stderr %r" % (rc, se)
    assert (s["fetched"], s["cached"], s["failed"]) == (0, 0, 1), s
    errs = [l for l in se.splitlines() if "error:" in l]
    assert len(errs) == 1, "want one error line: %r" % se
    assert "\r" not in se, "progress output without a TTY"
    assert url in errs[0], "error line does not name %s: %r" % (url, errs[0])
    assert "debian/11/x86_64/" + REL in errs[0], errs[0]
    for w in words:
        assert w in errs[0], "%r not in %r" % (w, errs[0])
    assert s["kernels"][0]["status"] == "failed" and url in s["kernels"][0]["error"]
    assert files_under(out) == [], "left in output: %r" % files_under(out)
    # A bad archive is not kept as a cached copy to be trusted on a 304 next time.
    assert not [f for f in files_under(cache) if f.endswith(".btf.tar.xz")], files_under(cache)
    return s, se


def main(module):
    """Run the t_* cases of @module (in file order) against one server: the exit status."""
    cases = [v for k, v in vars(module).items() if k.startswith("t_")]
    cases.sort(key=lambda f: f.__code__.co_firstlineno)
    if os.environ.get("FETCH_TESTS"):   # a developer's filter: names containing this
        cases = [f for f in cases if os.environ["FETCH_TESTS"] in f.__name__]
    btf = fixtures.real_btf()
    tmp = tempfile.mkdtemp(prefix="btfkit-fetch-")
    try:
        with BtfhubServer() as srv:
            c = Ctx(srv, tmp)
            c.btf = btf
            c.sample = fixtures.sample_archive(btf)
            c.btf_archive = fixtures.tar_xz([("%s.btf" % REL, "file", btf)])
            return tap.run(cases, c)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
