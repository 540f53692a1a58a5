#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""btfhub-fetch over HTTP (TAP), against a local server with fault injection:
conditional re-runs, retries and backoff, resumes, timeouts, Retry-After,
parallel transfers and a shared cache.

Usage: test_fetch_http.py PATH/TO/btfhub-fetch [PATH/TO/fuzz-extract-replay]
"""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fetchlib                      # noqa: E402
import fixtures                      # noqa: E402
from fetchlib import FAST, REL, S_REL, TOOL, Skip, expect_failure, files_under, kernel, run, \
    sha256, write_manifest  # noqa: E402


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


if __name__ == "__main__":
    sys.exit(fetchlib.main(sys.modules[__name__]))
