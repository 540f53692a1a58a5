#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""btfhub-fetch end to end (TAP): a local HTTP server with fault injection,
and the local-directory source, on real BTFHub archives.

Usage: test_fetch.py PATH/TO/btfhub-fetch [PATH/TO/fuzz-extract-replay]
"""
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixtures                      # noqa: E402
from btfhub_server import BtfhubServer  # noqa: E402

TOOL = os.path.abspath(sys.argv[1])
REPLAY = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else None
# The sample kernel (fixtures.SAMPLE_KEY): real Debian 12 arm64 BTF from tests/data.
S_REL = fixtures.SAMPLE_KEY[3]
REL = "5.10.0-28-amd64"             # crafted archives: debian 11, served as "bullseye"
FAST = ["--retry-delay", "50", "--connect-timeout", "5", "--timeout", "20"]


Skip = fixtures.Skip


def run(args, timeout=60):
    p = subprocess.run([TOOL] + args, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def files_under(d):
    """Every file below @d (hidden ones too), relative."""
    out = []
    for root, _, names in os.walk(d):
        out += [os.path.relpath(os.path.join(root, n), d) for n in names]
    return sorted(out)


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


# --- HTTP cases ---------------------------------------------------------

def t_http_fetch_aarch64_and_rerun(c):
    """arm64 tries arm64/ then aarch64/; a re-run sends If-None-Match and moves no body bytes"""
    data = c.sample
    c.srv.add("/ok/debian/12/aarch64/%s.btf.tar.xz" % S_REL, data)
    out, cache, _ = c.dirs()
    k = [kernel("debian", "12", "arm64", S_REL)]
    rc, s, se, _, _, man = c.fetch("ok", k, out=out, cache=cache)
    assert rc == 0 and (s["fetched"], s["cached"], s["failed"]) == (1, 0, 0), (rc, s, se)
    paths = [r["path"].split("/")[4] for r in c.srv.requests("/ok/")]
    assert paths == ["arm64", "aarch64"], paths
    btf = os.path.join(out, "debian/12/arm64/%s.btf" % S_REL)
    assert open(btf, "rb").read() == fixtures.real_btf()
    assert s["bytes_transferred"] == len(data)
    assert files_under(out) == ["debian/12/arm64/%s.btf" % S_REL]

    before, nreq = c.srv.sent("/ok/"), len(c.srv.requests("/ok/"))
    rc, s, se, _, _, _ = c.fetch("ok", k, out=out, cache=cache)
    assert rc == 0 and (s["fetched"], s["cached"], s["failed"]) == (0, 1, 0), (rc, s, se)
    assert c.srv.sent("/ok/") == before, "re-run moved %d body bytes" % (c.srv.sent("/ok/") - before)
    again = c.srv.requests("/ok/")[nreq:]
    # Straight to the alias that served it last time, conditionally.
    assert [r.get("status") for r in again] == [304], again
    assert "/aarch64/" in again[0]["path"] and again[0]["if_none_match"], again

    # Lock the hash: the manifest records it and the next run asks nothing.
    rc, s, se, _, _, man = c.fetch("ok", k, ["--update-manifest"], out=out, cache=cache)
    assert rc == 0, se
    m = json.load(open(man))
    assert m["kernels"][0]["sha256"] == sha256(data), m
    nreq = len(c.srv.requests("/ok/"))
    write_manifest(man, m["kernels"])
    rc, so, se = run(["-s", c.srv.base + "/ok", "-o", out, "--cache-dir", cache, "-m", man,
                      "--json"])
    s = json.loads(so)
    assert rc == 0 and s["cached"] == 1, (s, se)
    assert len(c.srv.requests("/ok/")) == nreq, "pinned + cached still sent requests"


def t_http_404(c):
    """404: one error line naming every URL tried"""
    out, cache, _ = c.dirs()
    rc, s, se, out, _, _ = c.fetch("none", [kernel("ubuntu", "focal", "arm64", "5.4.0-1-generic")])
    assert rc == 1 and s["failed"] == 1, (rc, s)
    errs = [l for l in se.splitlines() if "error:" in l]
    assert len(errs) == 1, se
    for d in ("20.04/arm64", "20.04/aarch64", "focal/arm64", "focal/aarch64"):
        assert "%s/none/ubuntu/%s/5.4.0-1-generic.btf.tar.xz" % (c.srv.base, d) in errs[0], errs
    assert "ubuntu/20.04/arm64/5.4.0-1-generic" in errs[0] and "404" in errs[0], errs
    assert files_under(out) == []


def t_http_500_then_ok(c):
    """500 then success: retried with backoff"""
    data = c.sample
    c.srv.add("/r500/debian/12/arm64/%s.btf.tar.xz" % S_REL, data, "500once")
    rc, s, se, out, _, _ = c.fetch("r500", [kernel("debian", "12", "arm64", S_REL)])
    assert rc == 0 and s["fetched"] == 1, (rc, s, se)
    assert [r["status"] for r in c.srv.requests("/r500/")] == [500, 200]
    assert files_under(out) == ["debian/12/arm64/%s.btf" % S_REL]


def t_http_backoff(c):
    """500 on every attempt: --retries 2 waits 100 then 200 ms, then fails"""
    expect_failure(c, "r5xx", c.btf_archive, "500always", ["HTTP 500", "3 attempts"],
                   ["--retries", "2", "--retry-delay", "100"])
    t = [r["time"] for r in c.srv.requests("/r5xx/")]
    assert len(t) == 3, t
    assert t[1] - t[0] >= 0.095 and t[2] - t[1] >= 0.195, "no exponential backoff: %r" % t


def t_http_cut_resume(c):
    """connection cut mid-body: resumed with Range, nothing sent twice"""
    data = c.sample
    c.srv.add("/cut/debian/12/arm64/%s.btf.tar.xz" % S_REL, data, "cut")
    rc, s, se, out, cache, _ = c.fetch("cut", [kernel("debian", "12", "arm64", S_REL)])
    assert rc == 0 and s["fetched"] == 1, (rc, s, se)
    reqs = c.srv.requests("/cut/")
    assert [r["status"] for r in reqs] == [200, 206], reqs
    assert reqs[1]["range"] == "bytes=%d-" % (len(data) // 2), reqs[1]
    assert reqs[1]["if_range"], "resume without If-Range"
    assert c.srv.sent("/cut/") == len(data)
    assert open(os.path.join(out, "debian/12/arm64/%s.btf" % S_REL), "rb").read() == \
        fixtures.real_btf()
    assert not [f for f in files_under(cache) if f.endswith(".part")], files_under(cache)


def t_http_cut_then_changed(c):
    """archive replaced between the cut and the resume: If-Range gets the whole new one"""
    new = fixtures.tar_xz([("%s.btf" % S_REL, "file", c.btf)])
    assert new != c.sample
    c.srv.add("/cutc/debian/12/arm64/%s.btf.tar.xz" % S_REL, c.sample, "cut", then=new)
    rc, s, se, out, _, _ = c.fetch("cutc", [kernel("debian", "12", "arm64", S_REL)])
    assert rc == 0 and s["fetched"] == 1, (rc, s, se)
    reqs = c.srv.requests("/cutc/")
    assert [r["status"] for r in reqs] == [200, 200] and reqs[1]["range"], reqs
    assert s["kernels"][0]["sha256"] == sha256(new)
    assert open(os.path.join(out, "debian/12/arm64/%s.btf" % S_REL), "rb").read() == c.btf


def t_http_changed_upstream(c):
    """a re-run after the archive changed upstream fetches it again and replaces the output"""
    path = "/chg/debian/bullseye/x86_64/%s.btf.tar.xz" % REL
    c.srv.add(path, c.btf_archive)
    out, cache, _ = c.dirs()
    k = [kernel("debian", "11", "x86_64", REL)]
    rc, s, se, _, _, _ = c.fetch("chg", k, out=out, cache=cache)
    assert rc == 0 and s["fetched"] == 1, (s, se)
    other = fixtures.real_btf_other()
    c.srv.replace(path, fixtures.tar_xz([("%s.btf" % REL, "file", other)]))
    rc, s, se, _, _, _ = c.fetch("chg", k, out=out, cache=cache)
    assert rc == 0 and s["fetched"] == 1 and s["bytes_transferred"] > 0, (s, se)
    assert open(os.path.join(out, "debian/11/x86_64/%s.btf" % REL), "rb").read() == other
    assert files_under(out) == ["debian/11/x86_64/%s.btf" % REL], files_under(out)


def t_http_wrong_length(c):
    """Content-Length longer than the body on every attempt: fails after retries"""
    s, se = expect_failure(c, "wlen", c.btf_archive, "wronglen", ["transfer failed", "100 bytes remaining", "3 attempts"],
                           ["--retries", "2"])
    reqs = c.srv.requests("/wlen/")
    assert len(reqs) == 3 and reqs[1]["range"], reqs


def t_http_slow(c):
    """slow response: --timeout ends the attempt"""
    t0 = time.monotonic()
    expect_failure(c, "slow", c.btf_archive, "slow", ["transfer failed", "timed out"],
                   ["--timeout", "1", "--retries", "0"])
    assert time.monotonic() - t0 < 2.9, "timeout not honoured (the server waits 3 s)"


def t_http_stall_resume(c):
    """a mirror stalls mid-body (open, silent): --speed-time ends the attempt, the retry resumes"""
    c.srv.add("/stall1/debian/12/arm64/%s.btf.tar.xz" % S_REL, c.sample, "stallonce")
    t0 = time.monotonic()
    rc, s, se, out, _, _ = c.fetch("stall1", [kernel("debian", "12", "arm64", S_REL)],
                                   ["--speed-time", "1", "--timeout", "0", "-v"])
    # libcurl averages over ~5 s, so the burst before the stall counts for that long.
    assert time.monotonic() - t0 < 20, "stall not detected: %.1f s" % (time.monotonic() - t0)
    assert rc == 0 and s["fetched"] == 1, (rc, s, se)
    assert "Operation too slow" in se and "retry 1/" in se, se
    reqs = c.srv.requests("/stall1/")
    assert [r["status"] for r in reqs] == [200, 206], reqs
    assert reqs[1]["range"] == "bytes=%d-" % (len(c.sample) // 2), reqs
    assert c.srv.sent("/stall1/") == len(c.sample)


def t_http_retry_after(c):
    """Retry-After honoured on 503 (seconds) and 429 (HTTP-date), and capped"""
    for prefix, fault, extra, lo, hi in (("ra503", "503after", [], 1.9, 4.5),
                                         ("ra429", "429date", [], 0.9, 4.5),
                                         ("rahuge", "retryhuge", ["--retry-after-max", "1"], 0.9, 2.5)):
        c.srv.add("/%s/debian/12/arm64/%s.btf.tar.xz" % (prefix, S_REL), c.sample, fault)
        rc, s, se, out, _, _ = c.fetch(prefix, [kernel("debian", "12", "arm64", S_REL)],
                                       extra + ["-v"])
        assert rc == 0 and s["fetched"] == 1, (prefix, rc, s, se)
        reqs = c.srv.requests("/%s/" % prefix)
        assert [r["status"] for r in reqs] == [429 if fault == "429date" else 503, 200], reqs
        gap = reqs[1]["time"] - reqs[0]["time"]
        # --retry-delay is 50 ms (FAST): only the header explains the wait.
        assert lo <= gap <= hi, (prefix, gap)
        if fault == "retryhuge":
            assert "capped at 1 s" in se, se


def t_http_corrupt_xz(c):
    """corrupt xz: rejected, nothing written"""
    expect_failure(c, "cxz", fixtures.corrupt(c.btf_archive), None, ["corrupt"])


def t_http_dotdot(c):
    """tar member ../: rejected"""
    data = fixtures.tar_xz([("../%s.btf" % REL, "file", c.btf)])
    expect_failure(c, "dotdot", data, None, ["'..'"])


def t_http_absolute(c):
    """tar member with an absolute path: rejected"""
    data = fixtures.tar_xz([("/tmp/%s.btf" % REL, "file", c.btf)])
    expect_failure(c, "abs", data, None, ["absolute"])


def t_http_symlink(c):
    """symlink member: rejected"""
    data = fixtures.tar_xz([("%s.btf" % REL, "symlink", "/etc/passwd")])
    expect_failure(c, "link", data, None, ["symlink"])


def t_http_hardlink(c):
    """hard link member: rejected"""
    data = fixtures.tar_xz([("%s.btf" % REL, "hardlink", "etc/passwd")])
    expect_failure(c, "hlink", data, None, ["hard link"])


def t_http_device(c):
    """device member: rejected"""
    data = fixtures.tar_xz([("%s.btf" % REL, "chardev", "")])
    expect_failure(c, "dev", data, None, ["not a regular file"])


def t_http_two_members(c):
    """a second member after the BTF: rejected"""
    data = fixtures.tar_xz([("%s.btf" % REL, "file", c.btf), ("extra", "file", b"x")])
    expect_failure(c, "two", data, None, ["more than one member"])


def t_http_bomb(c):
    """decompression bomb (64 MiB of zeros, 4 MiB cap): an error, not a full disk"""
    data = fixtures.bomb("%s.btf" % REL, 64 << 20)
    assert len(data) < 64 << 10
    expect_failure(c, "bomb", data, None, ["cap"], ["--max-size", "4M"])


def max_rss_kib(args):
    """Run @args in a fresh child under a 2 GiB address-space ceiling; its peak RSS."""
    code = ("import resource, subprocess, sys\n"
            "lim = 2 << 30\n"
            "p = subprocess.run(sys.argv[1:], capture_output=True, text=True, preexec_fn="
            "lambda: resource.setrlimit(resource.RLIMIT_AS, (lim, lim)))\n"
            "sys.stderr.write(p.stderr)\n"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
            "sys.exit(p.returncode)\n")
    p = subprocess.run([sys.executable, "-c", code] + args, capture_output=True, text=True,
                       timeout=120)
    return p.returncode, int(p.stdout.split()[-1]), p.stderr


def t_http_zero_member(c):
    """a 76 KB archive of 500 MB of zeros: fails on its first block, RSS near baseline"""
    data = fixtures.zero_member("%s.btf" % REL, 500 << 20)
    assert len(data) < 100 << 10, len(data)
    for prefix, body in (("zbase", c.btf_archive), ("zero", data)):
        c.srv.add("/%s/debian/bullseye/x86_64/%s.btf.tar.xz" % (prefix, REL), body)
    rss = {}
    for prefix in ("zbase", "zero"):
        out, cache, d = c.dirs()
        man = os.path.join(d, "m.json")
        write_manifest(man, [kernel("debian", "11", "x86_64", REL)])
        rc, rss[prefix], se = max_rss_kib([TOOL, "-s", c.srv.base + "/" + prefix, "-o", out,
                                           "--cache-dir", cache, "-m", man] + FAST)
        assert rc == (0 if prefix == "zbase" else 1), (prefix, rc, se)
    # Judged before a byte is written: the header of zeros has no BTF magic.
    assert "not valid BTF (magic 0x0000)" in se, se
    assert files_under(out) == [], files_under(out)
    # The real kernel's BTF (a few MB) is the baseline; the zeros may not cost more.
    assert rss["zero"] <= rss["zbase"] + (64 << 10), rss


def t_http_header_lies(c):
    """a BTF header whose lengths disagree with the member's size: refused before parsing"""
    data = fixtures.tar_xz([("%s.btf" % REL, "file", c.btf + b"\0" * 100)])
    expect_failure(c, "hlie", data, None, ["its BTF header declares %d" % len(c.btf)])


def t_write_error_keeps_cache(c):
    """a full output filesystem: one error line, the verified cached archive stays, no re-download"""
    if subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode:
        raise Skip("no private mount namespace (unshare -m)")
    path = "/wfull/debian/bullseye/x86_64/%s.btf.tar.xz" % REL
    c.srv.add(path, c.btf_archive)
    out, cache, d = c.dirs()
    man = os.path.join(d, "m.json")
    write_manifest(man, [kernel("debian", "11", "x86_64", REL)])
    os.makedirs(out)
    args = [TOOL, "-s", c.srv.base + "/wfull", "-o", out, "--cache-dir", cache, "-m", man] + FAST
    # The output dir is a 1 MiB tmpfs (the BTF is larger), in a namespace of its own.
    p = subprocess.run(["unshare", "-m", "sh", "-c",
                        'mount -t tmpfs -o size=1m tmpfs "$0" && exec "$@"', out] + args,
                       capture_output=True, text=True, timeout=60)
    errs = [l for l in p.stderr.splitlines() if "error:" in l]
    assert p.returncode == 1 and len(errs) == 1, (p.returncode, p.stderr)
    assert "No space left on device" in errs[0] and out in errs[0], errs
    cached = [f for f in files_under(cache) if f.endswith(".btf.tar.xz")]
    assert cached and [f for f in files_under(cache) if f.endswith(".meta")], files_under(cache)
    sent = c.srv.sent("/wfull/")
    p = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert c.srv.sent("/wfull/") == sent, "the cached archive was fetched again"
    assert [r["status"] for r in c.srv.requests("/wfull/")] == [200, 304]
    assert files_under(out) == ["debian/11/x86_64/%s.btf" % REL]


def t_http_not_btf(c):
    """a payload that is not BTF: rejected by libbpf before rename"""
    data = fixtures.tar_xz([("%s.btf" % REL, "file", b"this is not BTF\n" * 4096)])
    expect_failure(c, "nbtf", data, None, ["not valid BTF"])


def t_http_sha_mismatch(c):
    """sha256 in the manifest does not match: hard error"""
    prefix = "sha"
    url = "%s/%s/debian/12/arm64/%s.btf.tar.xz" % (c.srv.base, prefix, S_REL)
    c.srv.add("/%s/debian/12/arm64/%s.btf.tar.xz" % (prefix, S_REL), c.sample)
    rc, s, se, out, _, _ = c.fetch(prefix, [kernel("debian", "12", "arm64", S_REL, "0" * 64)])
    assert rc == 1 and (s["fetched"], s["failed"]) == (0, 1), (rc, s, se)
    errs = [l for l in se.splitlines() if "error:" in l]
    assert len(errs) == 1 and url in errs[0] and "sha256 mismatch" in errs[0], se
    assert sha256(c.sample) in errs[0]
    assert files_under(out) == []


def t_http_debian_fixtures(c):
    """the repository's Debian fixtures over HTTP ('+' in a release name)"""
    root = os.path.join(os.environ.get("BTFKIT_SOURCE_ROOT", "."), "tests", "data", "btfhub")
    d = os.path.join(root, "debian", "12", "x86_64")
    if not os.path.isdir(d):
        raise Skip("no tests/data/btfhub")
    ks = []
    for name in sorted(os.listdir(d)):
        if name.endswith(".btf.tar.xz"):
            rel = name[:-len(".btf.tar.xz")]
            c.srv.add("/deb/debian/12/x86_64/" + name, open(os.path.join(d, name), "rb").read())
            ks.append(kernel("debian", "bookworm", "x86_64", rel))
    rc, s, se, out, _, _ = c.fetch("deb", ks, ["-j", "2"])
    assert rc == 0 and s["fetched"] == len(ks) and s["failed"] == 0, (s, se)
    assert files_under(out) == sorted("debian/12/x86_64/%s.btf" % k["release"] for k in ks)


def t_cli(c):
    """--version alone prints ours, with a value selects; --help; usage errors exit 2"""
    rc, so, _ = run(["--version"])
    assert rc == 0 and so.startswith("btfhub-fetch "), so
    rc, so, _ = run(["--help"])
    assert rc == 0 and "--update-manifest" in so
    for bad in (["--bogus"], ["-o", "x", "stray"], ["-j", "0", "-o", "x"], [],
                ["-s", "ftp://mirror/x", "-o", os.path.join(c.tmp, "x")],
                ["-s", os.path.join(c.tmp, "missing"), "-o", os.path.join(c.tmp, "x")]):
        rc, _, se = run(bad)
        assert rc == 2 and "error:" in se, (bad, rc, se)
    # A huge or hostile name: one bounded line, no request, no "No URL set".
    huge = "a" * (10 << 20)
    out, cache, d = c.dirs()
    man = os.path.join(d, "m.json")
    write_manifest(man, [kernel("debian", "12", "x86_64", huge)])
    n = len(c.srv.requests())
    rc, so, se = run(["-s", c.srv.base + "/x", "-o", out, "--cache-dir", cache, "-m", man])
    assert rc == 1 and len(se) < 300 and '"release" is longer than' in se, (rc, se[:300])
    rc, so, se = run(["-s", c.srv.base + "/x", "-o", out, "--cache-dir", cache, "--distro",
                      "debian", "--version", "12", "--arch", "x86_64",
                      "--release", "a" * 100000 + "\x1b"])
    assert rc == 1 and len(se) < 400 and "invalid kernel" in se and "..." in se, (rc, se[:400])
    rc, so, se = run(["-s", c.srv.base + "/x", "-o", out, "--cache-dir", cache, "--distro",
                      "debian", "--version", "12", "--arch", "x86_64", "--release", "r\x1b"])
    assert rc == 1 and "r\\x1b" in se and "\x1b" not in se, se
    assert len(c.srv.requests()) == n, "requests sent for invalid names"
    rc, so, se = run(["-s", c.srv.base + "/nolist", "-o", out, "--cache-dir", cache, "--json",
                      "--distro", "debian", "--release", "*"])
    # Globs over a server with neither an index nor directory pages: one clear line.
    assert rc == 1 and "no btfhub-index.json and no directory listing" in se and \
        json.loads(so)["error"], se


def t_sigterm(c):
    """SIGTERM during a transfer: exits 143, nothing in the output"""
    c.srv.add("/term/debian/bullseye/x86_64/%s.btf.tar.xz" % REL, c.btf_archive, "slow")
    out, cache, d = c.dirs()
    man = os.path.join(d, "m.json")
    write_manifest(man, [kernel("debian", "11", "x86_64", REL)])
    p = subprocess.Popen([TOOL, "-s", c.srv.base + "/term", "-o", out, "--cache-dir", cache,
                          "-m", man], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Signal once the transfer is under way (the server holds it for 3 s).
    deadline = time.monotonic() + 20
    while not c.srv.requests("/term/") and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.1)
    p.terminate()
    so, se = p.communicate(timeout=10)
    assert p.returncode == 143 and "interrupted" in se, (p.returncode, se)
    assert files_under(out) == []


def t_http_parallel(c):
    """--transfers: three 0.6 s responses overlap with 3 and queue with 1"""
    ks = []
    for i in range(3):
        c.srv.add("/par/debian/bullseye/x86_64/%s-%d.btf.tar.xz" % (REL, i),
                  fixtures.tar_xz([("%s-%d.btf" % (REL, i), "file", c.btf)]), "delay")
        ks.append(kernel("debian", "11", "x86_64", "%s-%d" % (REL, i)))
    # Judged by when requests reach the server, not by wall time on a busy CI box.
    arrivals = {}
    for j in ("3", "1"):
        n = len(c.srv.requests("/par/"))
        rc, s, se, out, _, _ = c.fetch("par", ks, ["--transfers", j])
        assert rc == 0 and s["fetched"] == 3, (s, se)
        arrivals[j] = [r["time"] for r in c.srv.requests("/par/")[n:]]
    assert max(arrivals["3"]) - min(arrivals["3"]) < 0.5, arrivals
    t = arrivals["1"]
    assert all(b - a >= 0.55 for a, b in zip(t, t[1:])), arrivals


def t_http_shared_cache(c):
    """three fetches sharing one cache at once: all succeed, each archive crosses the wire once"""
    ks, names = [], []
    for i in range(4):
        name = "%s-sh%d" % (REL, i)
        data = fixtures.tar_xz([(name + ".btf", "file", c.btf)], preset=i % 2)
        c.srv.add("/shc/debian/bullseye/x86_64/%s.btf.tar.xz" % name, data, "delay")
        ks.append(kernel("debian", "11", "x86_64", name))
        names.append((name, len(data)))
    for rnd in range(2):
        _, cache, d = c.dirs()
        man = os.path.join(d, "m.json")
        write_manifest(man, ks)
        before = c.srv.sent("/shc/")
        procs = [subprocess.Popen([TOOL, "-s", c.srv.base + "/shc", "-o", os.path.join(d, "o%d" % j),
                                   "--cache-dir", cache, "-m", man, "--json"] + FAST,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for j in range(3)]
        for j, p in enumerate(procs):
            so, se = p.communicate(timeout=60)
            s = json.loads(so)
            assert p.returncode == 0 and s["failed"] == 0, (rnd, j, se)
            assert files_under(os.path.join(d, "o%d" % j)) == \
                sorted("debian/11/x86_64/%s.btf" % n for n, _ in names), (rnd, j)
            assert "mirror" not in se and "corrupt" not in se, se
        assert c.srv.sent("/shc/") - before == sum(n for _, n in names), \
            "round %d: %d body bytes for %d" % (rnd, c.srv.sent("/shc/") - before,
                                                sum(n for _, n in names))
        assert not [f for f in files_under(cache) if f.endswith(".part")], files_under(cache)


def t_http_mixed_parallel(c):
    """-j 3 --transfers 3 over good, missing and hostile kernels: exact counts, one line each"""
    c.srv.add("/mix/debian/12/arm64/%s.btf.tar.xz" % S_REL, c.sample)
    c.srv.add("/mix/debian/bullseye/x86_64/%s.btf.tar.xz" % REL,
              fixtures.tar_xz([("%s.btf" % REL, "file", c.btf)]))
    c.srv.add("/mix/debian/10/x86_64/%s.btf.tar.xz" % REL,
              fixtures.tar_xz([("../%s.btf" % REL, "file", c.btf)]))
    ks = [kernel("debian", "12", "aarch64", S_REL), kernel("debian", "bullseye", "amd64", REL),
          kernel("debian", "buster", "x86_64", REL), kernel("centos", "8", "x86_64", "missing")]
    rc, s, se, out, _, _ = c.fetch("mix", ks, ["-j", "3", "--transfers", "3"])
    assert rc == 1 and (s["fetched"], s["cached"], s["failed"]) == (2, 0, 2), (rc, s, se)
    errs = sorted(l for l in se.splitlines() if "error:" in l)
    assert len(errs) == 2, se
    assert "centos/8/x86_64/missing" in errs[0] and "404" in errs[0], errs
    assert "debian/10/x86_64/" + REL in errs[1] and "/mix/debian/10/x86_64/" in errs[1], errs
    assert files_under(out) == ["debian/11/x86_64/%s.btf" % REL,
                                "debian/12/arm64/%s.btf" % S_REL], files_under(out)
    assert [k["status"] for k in s["kernels"]] == ["fetched", "fetched", "failed", "failed"]


def t_fuzz_replay(c):
    """the extract fuzz target replays hostile archives: no crash, nothing left behind"""
    if not REPLAY:
        raise Skip("no fuzz-extract-replay given")
    _, _, d = c.dirs()
    inputs = {
        "good": fixtures.tar_xz([("k.btf", "file", c.btf)]),
        "dotdot": fixtures.tar_xz([("../k.btf", "file", c.btf)]),
        "abs": fixtures.tar_xz([("/k.btf", "file", c.btf)]),
        "symlink": fixtures.tar_xz([("k.btf", "symlink", "/etc/passwd")]),
        "hardlink": fixtures.tar_xz([("k.btf", "hardlink", "x")]),
        "dev": fixtures.tar_xz([("k.btf", "chardev", "")]),
        "two": fixtures.tar_xz([("k.btf", "file", c.btf), ("k2", "file", b"x")]),
        "bomb": fixtures.bomb("k.btf", 16 << 20),   # the replay caps at 8 MiB
        "notbtf": fixtures.tar_xz([("k.btf", "file", b"not BTF" * 100)]),
        "corrupt": fixtures.corrupt(fixtures.tar_xz([("k.btf", "file", c.btf)])),
        "truncated": c.btf_archive[:len(c.btf_archive) // 3],
        "empty": b"",
        # The streaming BTF checks: zeros, a header that lies, too short, a huge claim.
        "zeros": fixtures.bomb("k.btf", 4 << 20),
        "headerlie": fixtures.tar_xz([("k.btf", "file", c.btf + bytes(100))]),
        "short": fixtures.tar_xz([("k.btf", "file", c.btf[:10])]),
        "hugeclaim": fixtures.tar_xz([("k.btf", "file", c.btf[:20] + struct.pack("<I", 1 << 30)
                                       + c.btf[24:])]),
    }
    fixtures.replay(REPLAY, d, inputs)


# --- manifest -----------------------------------------------------------

def t_manifest_add(c):
    """--add: canonical names, sorted, idempotent, byte-identical rewrite"""
    _, _, d = c.dirs()
    man = os.path.join(d, "m.json")
    rc, _, se = run(["-m", man, "--add", "ubuntu/focal/aarch64/5.4.0-42-generic",
                     "--add", "debian/12/x86_64/6.1.0-56-amd64"])
    assert rc == 0, se
    first = open(man, "rb").read()
    m = json.loads(first)
    assert m == {"kernels": [kernel("debian", "12", "x86_64", "6.1.0-56-amd64"),
                             kernel("ubuntu", "20.04", "arm64", "5.4.0-42-generic")]}, m
    assert first.endswith(b"}\n")
    rc, _, se = run(["-m", man, "--add", "ubuntu/20.04/arm64/5.4.0-42-generic"])
    assert rc == 0 and open(man, "rb").read() == first, "not idempotent"
    rc, _, se = run(["-m", man, "--add", "debian/12/x86_64/a", "--add", "centos/8/x86_64/b"])
    m = json.load(open(man))
    assert [k["release"] for k in m["kernels"]] == ["b", "6.1.0-56-amd64", "a",
                                                    "5.4.0-42-generic"], m
    for bad in ("debian/12/x86_64", "debian/12//r", "debian/../x86_64/r", "a/b/c/d/e"):
        rc, _, se = run(["-m", man, "--add", bad])
        assert rc != 0 and "error:" in se, (bad, rc, se)
    assert sorted(os.listdir(d)) == ["m.json"], os.listdir(d)


def t_manifest_errors(c):
    """a broken manifest: one error line naming the file and the entry, nothing fetched"""
    out, cache, d = c.dirs()
    man = os.path.join(d, "m.json")
    cases = [('{"kernels": [', "m.json:1:"),
             ('{"kernels": [{"distro": "debian", "version": "12", "arch": "x86_64"}]}',
              'kernels[0]: missing "release"'),
             ('[{"distro": "d", "version": "1", "arch": "x86_64", "release": "r", '
              '"sha256": "abc"}]', 'kernels[0]: "sha256" is not 64 hex digits'),
             ('{"kernels": [{"distro": "..", "version": "1", "arch": "a", "release": "r"}]}',
              '"distro" contains \'..\''),
             ('{"other": 1}', "expected")]
    for text, want in cases:
        with open(man, "w") as f:
            f.write(text)
        rc, so, se = run(["-s", c.srv.base + "/x", "-o", out, "--cache-dir", cache, "-m", man,
                          "--json"])
        errs = [l for l in se.splitlines() if "error:" in l]
        assert rc == 1 and len(errs) == 1 and man in errs[0] and want in errs[0], (text, se)
        assert "error" in json.loads(so)
    assert files_under(out) == [] and not c.srv.requests("/x/")


# --- local directory source ---------------------------------------------

SAMPLE = {
    "bclinux/21.10U3/x86_64/4.19.90-2107.6.0.0248.35.oe1.bclinux.x86_64": 3712467,
    "centos/8/arm64/4.18.0-147.5.1.el8_1.aarch64": 27031815,
    "kylin/V10/arm64/4.19.90-24.4.v2101.ky10.aarch64": 4115100,
    "kylin/V10/arm64/4.19.90-25.41.v2101.ky10.aarch64": 4084272,
    "kylin/V10/arm64/4.19.90-52.22.v2207.ky10.aarch64": 2084352,
}


def t_local_sample(c):
    """local directory source: aarch64 -> arm64, the 27 MB member, re-run cached, globs"""
    base = fixtures.need_shared()
    out, cache, _ = c.dirs()
    rc, so, se = run(["-s", base, "-o", out, "--cache-dir", cache, "--json"])
    s = json.loads(so)
    assert rc == 0 and (s["fetched"], s["cached"], s["failed"]) == (5, 0, 0), (rc, s, se)
    assert s["bytes_transferred"] == 0
    assert files_under(out) == sorted(k + ".btf" for k in SAMPLE), files_under(out)
    for k, size in SAMPLE.items():
        assert os.path.getsize(os.path.join(out, k + ".btf")) == size, k
    rc, so, se = run(["--base", "file://" + base, "-o", out, "--cache-dir", cache, "--json"])
    s = json.loads(so)
    assert rc == 0 and (s["fetched"], s["cached"]) == (0, 5), (rc, s, se)
    # Globs over the listing, on given and canonical names alike.
    for sel, n in ((["--arch", "aarch64"], 4), (["--arch", "arm*"], 4),
                   (["--distro", "ky*", "--release", "*v2101*"], 2),
                   (["--version", "8"], 1), (["--version=V1?"], 3)):
        rc, so, se = run(["-s", base, "-o", out, "--cache-dir", cache, "--json"] + sel)
        s = json.loads(so)
        assert rc == 0 and len(s["kernels"]) == n, (sel, s["kernels"], se)
    rc, so, se = run(["-s", base, "-o", out, "--cache-dir", cache,
                      "--json", "--version", "8", "--arch", "arm64"])
    s = json.loads(so)
    assert rc == 0 and [k["name"] for k in s["kernels"]] == \
        ["centos/8/arm64/4.18.0-147.5.1.el8_1.aarch64"], (s, se)


def data_kernels():
    """The tests/data/btfhub kernels as btfhub-fetch writes them (arm64, not aarch64)."""
    root = fixtures.data_dir()
    out = []
    for path in files_under(root):
        if path.endswith(".btf.tar.xz"):
            d, v, a, name = path.split("/")
            out.append("/".join((d, v, "arm64" if a == "aarch64" else a, name[:-len(".tar.xz")])))
    assert len(out) >= 4, out
    return sorted(out)


def t_local_jobs(c):
    """-j 1 and -j 4 extract the same bytes; -j 4 over hostile and missing kernels: one line each"""
    base = fixtures.data_dir()
    want = data_kernels()
    trees = []
    for j in ("1", "4"):
        out, cache, _ = c.dirs()
        rc, so, se = run(["-s", base, "-o", out, "--cache-dir", cache, "--json", "-j", j])
        s = json.loads(so)
        assert rc == 0 and s["fetched"] == len(want), (j, s, se)
        trees.append({f: open(os.path.join(out, f), "rb").read() for f in files_under(out)})
    assert trees[0] == trees[1] and sorted(trees[0]) == want, sorted(trees[0])
    # A local tree with a hostile archive and a manifest naming a missing one.
    _, cache, d = c.dirs()
    src = os.path.join(d, "src")
    for rel, members in (("debian/11/x86_64/good", [("good.btf", "file", c.btf)]),
                         ("debian/11/x86_64/evil", [("../evil.btf", "file", c.btf)]),
                         ("debian/11/x86_64/zero", [("zero.btf", "file", bytes(4096))])):
        os.makedirs(os.path.dirname(os.path.join(src, rel)), exist_ok=True)
        with open(os.path.join(src, rel + ".btf.tar.xz"), "wb") as f:
            f.write(fixtures.tar_xz(members))
    man = os.path.join(d, "m.json")
    write_manifest(man, [kernel("debian", "11", "x86_64", r) for r in ("good", "evil", "zero", "gone")])
    out = os.path.join(d, "out")
    rc, so, se = run(["-s", src, "-o", out, "--cache-dir", cache, "--json", "-m", man, "-j", "4"])
    s = json.loads(so)
    assert rc == 1 and (s["fetched"], s["failed"]) == (1, 3), (s, se)
    errs = sorted(l for l in se.splitlines() if "error:" in l)
    assert len(errs) == 3, se
    assert "'..'" in errs[0] and "magic 0x0000" in errs[2] and "gone" in errs[1], errs
    assert files_under(out) == ["debian/11/x86_64/good.btf"]


def t_local_prune(c):
    """--prune: the output tree ends up holding exactly the selection"""
    out, cache, d = c.dirs()
    base = fixtures.data_dir()
    rc, so, se = run(["-s", base, "-o", out, "--cache-dir", cache, "--arch", "x86_64"])
    x86 = [k for k in data_kernels() if "/x86_64/" in k]
    assert rc == 0 and files_under(out) == x86 and len(x86) >= 2, (se, files_under(out))
    stale = os.path.join(out, "debian/12/x86_64/.%s.a1B2c3" % os.path.basename(x86[0]))
    open(stale, "w").write("half")
    open(os.path.join(out, "README"), "w").write("not ours")
    man = os.path.join(d, "m.json")
    write_manifest(man, [kernel(*fixtures.SAMPLE_KEY)])
    rc, so, se = run(["-s", base, "-o", out, "--cache-dir", cache, "-m", man, "--prune"])
    assert rc == 0, se
    assert files_under(out) == ["README", "debian/12/arm64/%s.btf" % S_REL], files_under(out)
    assert not os.path.exists(os.path.join(out, "debian/12/x86_64")), "empty dirs left"
    rc, so, se = run(["-s", base, "-o", out, "--cache-dir", cache, "--distro", "typo",
                      "--prune"])
    # Refused before anything is pruned: a selection matching nothing is an
    # error of its own (issue 27), one line naming what the source has.
    errs = [l for l in se.splitlines() if "error:" in l]
    assert rc == 1 and len(errs) == 1 and "no archive matches --distro typo" in errs[0] and \
        "distros there: debian" in errs[0] and len(files_under(out)) == 2, (rc, se)


def t_local_prune_owned_only(c):
    """--prune with "out/": keeps what it fetched, touches only its own files, logs each"""
    root = os.path.join(os.environ.get("BTFKIT_SOURCE_ROOT", "."), "tests", "data", "btfhub")
    if not os.path.isdir(root):
        raise Skip("no tests/data/btfhub")
    out, cache, d = c.dirs()
    foreign = ["out/.git/refs/tags", "out/mydocs/empty", "out/debian/12/x86_64/empty",
               "out/debian/bookworm/x86_64", "out/debian/12/notarch"]
    for f in foreign:
        os.makedirs(os.path.join(d, f))
    theirs = ["debian/12/notarch/x.btf", "debian/bookworm/x86_64/y.btf", "notes.btf",
              "debian/12/x86_64/.hidden.btf", "mydocs/a/x86_64/z.btf"]
    for f in theirs:
        os.makedirs(os.path.dirname(os.path.join(out, f)), exist_ok=True)
        open(os.path.join(out, f), "w").write("not ours")
    os.symlink("/etc/hostname", os.path.join(out, "debian/12/x86_64/link.btf"))
    sel = ["-s", root, "--cache-dir", cache, "--distro", "debian", "--version", "12",
           "--arch", "x86_64", "--prune", "-v"]
    rc, so, se = run(["-o", out + "/", "--release", "6.1.0-56-amd64"] + sel)
    assert rc == 0 and "removed" not in se, (rc, se)
    # In the layout, but not written by btfhub-fetch (no stamp): said, and kept.
    assert "mydocs/a/x86_64/z.btf: not selected, but kept" in se, se
    mine = "debian/12/x86_64/6.1.0-56-amd64.btf"
    assert os.path.getsize(os.path.join(out, mine)) > 1 << 20, se
    # A stale temp file of ours (unlocked), and a live one (locked by a writer).
    stale = os.path.join(out, "debian/12/x86_64/.6.1.0-56-amd64.btf.Ab12Cd")
    live = os.path.join(out, "debian/12/x86_64/.6.1.0-56-cloud-amd64.btf.Xy34Zw")
    open(stale, "w").write("half")
    holder = subprocess.Popen(["flock", "-x", live, "sleep", "30"])
    try:
        deadline = time.monotonic() + 5
        while not os.path.exists(live) and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.2)
        rc, so, se = run(["-o", "./" + os.path.relpath(out) + "//", "--release",
                          "6.1.0-56-cloud-amd64"] + sel)
        assert os.path.exists(live), "a live temp file was removed: " + se
    finally:
        holder.kill()
        holder.wait()
    assert rc == 0, se
    removed = sorted(l.split(": ")[1] for l in se.splitlines() if ": removed (" in l)
    want = sorted(os.path.realpath(os.path.join(out, p)) for p in (mine, stale))
    assert removed == want, (removed, want, se)
    have = set(files_under(out))
    assert have == set(theirs + ["debian/12/x86_64/link.btf",
                                 "debian/12/x86_64/6.1.0-56-cloud-amd64.btf",
                                 os.path.relpath(live, out)]), have
    for f in foreign:
        assert os.path.isdir(os.path.join(d, f)), f
    # The tree's last kernel deselected: its now-empty directories go, and are logged.
    os.unlink(live)
    shutil.rmtree(os.path.join(out, "debian/12/x86_64/empty"))
    shutil.rmtree(os.path.join(out, "debian/12/notarch"))
    for f in [theirs[1], theirs[3], "debian/12/x86_64/link.btf"]:
        os.unlink(os.path.join(out, f))
    man = os.path.join(d, "m.json")
    write_manifest(man, [])
    rc, so, se = run(["-o", out, "-s", root, "--cache-dir", cache, "-m", man, "--prune", "-v"])
    assert rc == 0, se
    assert "debian/12/x86_64: removed (emptied)" in se and "debian/12: removed (emptied)" in se, se
    assert not os.path.exists(os.path.join(out, "debian/12")), files_under(out)
    assert os.path.isdir(os.path.join(out, "debian/bookworm/x86_64")), "was empty before"


def t_local_manifest_missing(c):
    """local directory source with a manifest: a missing kernel names its path"""
    out, cache, d = c.dirs()
    base = fixtures.data_dir()
    man = os.path.join(d, "m.json")
    write_manifest(man, [kernel(*fixtures.SAMPLE_KEY), kernel("debian", "12", "arm64", "nope")])
    rc, so, se = run(["-s", base, "-o", out, "--cache-dir", cache,
                      "-m", man, "--json", "--update-manifest"])
    s = json.loads(so)
    assert rc == 1 and (s["fetched"], s["failed"]) == (1, 1), (s, se)
    errs = [l for l in se.splitlines() if "error:" in l]
    assert len(errs) == 1 and "debian/12/arm64/nope" in errs[0], se
    for v in ("12", "bookworm"):
        for a in ("arm64", "aarch64"):
            assert "%s/debian/%s/%s/nope.btf.tar.xz" % (base, v, a) in errs[0], se
    m = json.load(open(man))
    archive = os.path.join(base, "debian/12/aarch64/%s.btf.tar.xz" % S_REL)
    assert m["kernels"][0]["sha256"] == sha256(open(archive, "rb").read()), m
    assert "sha256" not in m["kernels"][1], m


def t_local_debian_fixtures(c):
    """the repository's Debian fixtures as a local source"""
    root = os.path.join(os.environ.get("BTFKIT_SOURCE_ROOT", "."), "tests", "data", "btfhub")
    if not os.path.isdir(root):
        raise Skip("no tests/data/btfhub")
    out, cache, _ = c.dirs()
    rc, so, se = run(["-s", root, "-o", out, "--cache-dir", cache, "--json",
                      "--distro", "debian", "--version", "12", "--arch", "x86_64"])
    s = json.loads(so)
    assert rc == 0 and s["failed"] == 0 and s["fetched"] >= 1, (s, se)
    assert all(f.startswith("debian/12/x86_64/") and f.endswith(".btf")
               for f in files_under(out)), files_under(out)


def t_local_output_rewrite(c):
    """an extracted .btf edited in place with its mtime put back is not "cached": redone"""
    root = fixtures.data_dir()
    out, cache, _ = c.dirs()
    sel = ["-s", root, "-o", out, "--cache-dir", cache, "--json", "--distro", "debian",
           "--arch", "x86_64", "--release", "6.1.0-56-amd64"]
    rc, so, se = run(sel)
    s = json.loads(so)
    assert rc == 0 and s["fetched"] == 1, (s, se)
    btf = os.path.join(out, "debian/12/x86_64/6.1.0-56-amd64.btf")
    good = open(btf, "rb").read()
    # Past the settle window, so the stamp vouches for the output by its identity.
    time.sleep(1.2)
    rc, so, se = run(sel)
    assert rc == 0 and json.loads(so)["cached"] == 1, (so, se)
    before = os.stat(btf)
    with open(btf, "r+b") as f:
        f.seek(len(good) // 2)
        f.write(b"X" * 16)
    os.utime(btf, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(btf)
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == \
        (before.st_ino, before.st_size, before.st_mtime_ns)
    rc, so, se = run(sel)
    s = json.loads(so)
    assert rc == 0 and (s["fetched"], s["cached"]) == (1, 0), \
        "an output edited in place, mtime restored, was kept: %r %s" % (s, se)
    assert open(btf, "rb").read() == good, "the output was not restored"
    # Touched only (same bytes, new identity): read again, and still cached.
    os.utime(btf)
    rc, so, se = run(sel)
    assert rc == 0 and json.loads(so)["cached"] == 1, (so, se)


def t_local_selection_names(c):
    """selections as BTFHub names things: aarch64 = arm64, Debian = debian; nothing matched is exit 1 naming what exists; 1/x86_64/ archives counted"""
    root = fixtures.data_dir()
    _, cache, d = c.dirs()
    src = os.path.join(d, "src")
    arm = [p for p in files_under(root) if "/aarch64/" in p][0]
    x86 = [p for p in files_under(root) if "/x86_64/" in p][0]
    # BTFHub's own spellings: arm64 directories, and amzn1 kernels above the layout.
    os.makedirs(os.path.join(src, "debian/12/arm64"))
    os.makedirs(os.path.join(src, "1/x86_64"))
    shutil.copy(os.path.join(root, arm), os.path.join(src, "debian/12/arm64"))
    for r in ("4.14.101-75.76.amzn1.x86_64", "4.14.104-78.84.amzn1.x86_64"):
        shutil.copy(os.path.join(root, x86), os.path.join(src, "1/x86_64", r + ".btf.tar.xz"))
    want = ["debian/12/arm64/" + os.path.basename(arm)[:-len(".btf.tar.xz")]]
    for sel in (["--arch", "aarch64"], ["--arch", "arm64"], ["--arch", "aarch*"],
                ["--distro", "Debian"], ["--distro", "DEB*"]):
        rc, so, se = run(["-s", src, "--list", "--json", "--cache-dir", cache] + sel)
        assert rc == 0 and [k["name"] for k in json.loads(so)["kernels"]] == want, (sel, so, se)
        warns = [l for l in se.splitlines() if "outside <distro>/<version>/<arch>/" in l]
        assert len(warns) == 1 and "2 archives" in warns[0] and "1/x86_64/" in warns[0], se
    for sel, words in ((["--distro", "Ubuntu"], ["--distro Ubuntu", "distros there: debian"]),
                       (["--distro", "debian", "--version", "13"], ["versions there: 12"]),
                       (["--arch", "riscv64"], ["arches there: arm64"])):
        rc, so, se = run(["-s", src, "--list", "--cache-dir", cache] + sel)
        errs = [l for l in se.splitlines() if "error:" in l]
        assert rc == 1 and len(errs) == 1 and all(w in errs[0] for w in words), (sel, rc, se)


def t_local_stale_temps(c):
    """a killed run's temp files in the output tree are swept at the next run's start (not only by --prune); live ones and other names kept"""
    import fcntl
    root = fixtures.data_dir()
    out, cache, _ = c.dirs()
    d = os.path.join(out, "debian/12/x86_64")
    os.makedirs(d)
    stale = os.path.join(d, ".6.1.0-56-amd64.btf.Ab12Cd")
    live = os.path.join(d, ".6.1.0-56-amd64.btf.Live01")
    other = os.path.join(d, ".notes")
    for p in (stale, live, other):
        open(p, "w").write("half")
    holder = open(live, "rb")
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        rc, so, se = run(["-s", root, "-o", out, "--cache-dir", cache, "--distro", "debian",
                          "--arch", "x86_64", "--release", "6.1.0-56-amd64"])
        assert rc == 0, se
        assert not os.path.exists(stale), "a stale temp file survived a run: %r" % files_under(out)
        assert os.path.exists(live) and os.path.exists(other), files_under(out)
    finally:
        holder.close()


def t_local_concurrent_add(c):
    """10 concurrent --add to one manifest record all 10; --add and --prune at once on one output tree leave a state some serial order gives"""
    root = fixtures.data_dir()
    out, cache, d = c.dirs()
    man = os.path.join(d, "m.json")
    write_manifest(man, [])
    procs = [subprocess.Popen([TOOL, "-m", man, "--add", "debian/12/x86_64/6.1.0-%d-amd64" % i],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for i in range(10)]
    rcs = [p.wait(60) for p in procs]
    got = sorted(k["release"] for k in json.load(open(man))["kernels"])
    assert rcs == [0] * 10 and got == sorted("6.1.0-%d-amd64" % i for i in range(10)), \
        (rcs, got, [p.stderr.read() for p in procs])
    # --add K2 (fetching it) and --prune over the same tree and manifest, at once.
    x86 = [k for k in data_kernels() if "/x86_64/" in k]
    k1, k2 = x86[0].rsplit(".", 1)[0], x86[1].rsplit(".", 1)[0]
    for trial in range(4):
        out = os.path.join(d, "out%d" % trial)
        write_manifest(man, [kernel(*k1.split("/"))])
        rc, so, se = run(["-s", root, "-o", out, "--cache-dir", cache, "-m", man])
        assert rc == 0, se
        a = subprocess.Popen([TOOL, "-s", root, "-o", out, "--cache-dir", cache, "-m", man,
                              "--add", k2], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        b = subprocess.Popen([TOOL, "-s", root, "-o", out, "--cache-dir", cache, "-m", man,
                              "--prune"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        ra, rb = a.wait(60), b.wait(60)
        have = files_under(out)
        assert ra == 0 and rb == 0, (ra, rb, a.stderr.read(), b.stderr.read())
        assert k1 + ".btf" in have and k2 + ".btf" in have, (trial, have)
        assert len(json.load(open(man))["kernels"]) == 2


CASES = [v for k, v in sorted(globals().items()) if k.startswith("t_")]
CASES.sort(key=lambda f: f.__code__.co_firstlineno)
if os.environ.get("FETCH_TESTS"):   # a developer's filter: names containing this
    CASES = [f for f in CASES if os.environ["FETCH_TESTS"] in f.__name__]


def main():
    btf = fixtures.real_btf()
    print("1..%d" % len(CASES))
    tmp = tempfile.mkdtemp(prefix="btfkit-fetch-")
    try:
        with BtfhubServer() as srv:
            c = Ctx(srv, tmp)
            c.btf = btf
            c.sample = fixtures.sample_archive(btf)
            c.btf_archive = fixtures.tar_xz([("%s.btf" % REL, "file", btf)])
            return fixtures.tap(CASES, c)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
