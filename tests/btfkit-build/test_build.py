# SPDX-License-Identifier: BSD-2-Clause
"""btfkit-build (tools/pipeline) end to end, as TAP.

The server serves BTFHub-layout archives of real BTF (the committed Debian
fixtures, each also repacked under a second release name so that there are
six kernels). Cases: the reduction of the first kernels finishes while the
last archive is still held back by the server (the overlap, seen in the
order of the -v log, not in wall times); the reduced tree and the bundle
are byte-identical to btfhub-fetch + btfgen + embedgen run one by one; one
corrupt and one missing archive fail their kernels alone, in one line
each naming it, and the run exits 1; a
no-change re-run reduces nothing; a local directory source leaves no copy
and no raw BTF on disk.
"""
import argparse
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fetch"))
from btfhub_server import BtfhubServer  # noqa: E402
from fixtures import corrupt, tap, tar_xz  # noqa: E402

PREFIX = "debian/12/x86_64"


def kernels(fixtures):
    """{release: archive bytes}: each fixture as is, and repacked as "<release>-b"."""
    out = {}
    for f in sorted(os.listdir(fixtures)):
        if not f.endswith(".btf.tar.xz"):
            continue
        rel = f[:-len(".btf.tar.xz")]
        with open(os.path.join(fixtures, f), "rb") as fh:
            out[rel] = fh.read()
        with tarfile.open(os.path.join(fixtures, f), "r:xz") as t:
            raw = t.extractfile(t.getmembers()[0]).read()
        out[rel + "-b"] = tar_xz([(rel + "-b.btf", "file", raw)])
    assert len(out) >= 4, out.keys()
    return out


def serve(srv, ks, slow=None, bad=None):
    for rel, data in ks.items():
        srv.add("/%s/%s.btf.tar.xz" % (PREFIX, rel), corrupt(data) if rel == bad else data,
                fault="slow" if rel == slow else None)


def run(cmd, ok=(0,)):
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=240)
    assert p.returncode in ok, (cmd, p.returncode, p.stdout, p.stderr)
    return p


def manifest(ctx):
    """The kernels as a manifest: literal names, so the server is asked no listing."""
    path = os.path.join(ctx.tmp, "manifest.json")
    d, v, a = PREFIX.split("/")
    with open(path, "w") as f:
        json.dump({"kernels": [{"distro": d, "version": v, "arch": a, "release": r}
                               for r in sorted(ctx.ks)]}, f)
    return path


def build(ctx, base, out, cache, *extra):
    return run([ctx.a.build, "-s", base, "-o", out, "--cache-dir", cache, "-j", "2",
                "--transfers", "8", "-m", manifest(ctx), *extra, ctx.a.object], ok=(0, 1))


def tree(root):
    out = []
    for d, dirs, files in os.walk(root):
        dirs[:] = [x for x in dirs if not x.startswith(".")]
        out += [os.path.relpath(os.path.join(d, f), root) for f in files
                if f.endswith(".btf")]
    return sorted(out)


def case_overlap(ctx):
    """the first kernels are reduced while the last archive is still on the wire"""
    ks = ctx.ks
    last = sorted(ks)[-1]
    with BtfhubServer() as srv:
        srv.httpd.slow_seconds = 4
        serve(srv, ks, slow=last)
        w = os.path.join(ctx.tmp, "overlap")
        p = build(ctx, srv.base, os.path.join(w, "out"), os.path.join(w, "cache"), "-v")
    assert p.returncode == 0, p.stderr
    lines = p.stderr.splitlines()
    verified = [i for i, l in enumerate(lines) if re.search(r": verified ", l)]
    reduced = [i for i, l in enumerate(lines) if l.endswith(": reduced")]
    assert len(verified) == len(ks) and len(reduced) == len(ks), p.stderr
    last_verified = [i for i in verified if "/%s: verified" % last in lines[i]]
    assert last_verified == [max(verified)], p.stderr
    # Every other kernel was reduced before the held-back archive arrived.
    early = [i for i in reduced if i < last_verified[0]]
    assert len(early) == len(ks) - 1, p.stderr
    assert lines[max(reduced)].endswith("/%s: reduced" % last), p.stderr


def case_identical(ctx):
    """the reduced tree and the bundle equal fetch + btfgen + embedgen run one by one"""
    with BtfhubServer() as srv:
        serve(srv, ctx.ks)
        w = os.path.join(ctx.tmp, "same")
        p = build(ctx, srv.base, os.path.join(w, "red"), os.path.join(w, "cache"))
        assert p.returncode == 0, p.stderr
        run([ctx.a.fetch, "-q", "-s", srv.base, "-o", os.path.join(w, "full"), "--cache-dir",
             os.path.join(w, "cache2"), "-m", manifest(ctx)])
    run([ctx.a.btfgen, "-q", "-o", os.path.join(w, "red2"), os.path.join(w, "full"),
         ctx.a.object])
    names = tree(os.path.join(w, "red"))
    assert len(names) == len(ctx.ks) and names == tree(os.path.join(w, "red2")), names
    match, mismatch, errors = filecmp.cmpfiles(os.path.join(w, "red"), os.path.join(w, "red2"),
                                               names, shallow=False)
    assert not mismatch and not errors, (mismatch, errors)
    for t in ("red", "red2"):
        run([ctx.a.embedgen, "-q", "--object", ctx.a.object, "-o", os.path.join(w, t + ".c"),
             "--bundle-file", os.path.join(w, t + ".btfb"), os.path.join(w, t)])
    for ext in (".c", ".btfb"):
        assert filecmp.cmp(os.path.join(w, "red" + ext), os.path.join(w, "red2" + ext),
                           shallow=False), ext


def case_failure(ctx):
    """a corrupt and a missing archive fail their kernels alone, one line each"""
    bad, gone = sorted(ctx.ks)[1], sorted(ctx.ks)[2]
    with BtfhubServer() as srv:
        serve(srv, {r: d for r, d in ctx.ks.items() if r != gone}, bad=bad)
        w = os.path.join(ctx.tmp, "fail")
        args = (srv.base, os.path.join(w, "out"), os.path.join(w, "cache"))
        p = build(ctx, *args)
        url = "%s/%s/%s.btf.tar.xz" % (srv.base, PREFIX, gone)
        assert p.returncode == 1, (p.returncode, p.stderr)
        errs = [l for l in p.stderr.splitlines() if "/%s.btf" % bad in l]
        assert len(errs) == 1 and "corrupt" in errs[0], p.stderr
        errs = [l for l in p.stderr.splitlines() if "/%s" % gone in l]
        assert len(errs) == 1 and url in errs[0], p.stderr
        names = tree(os.path.join(w, "out"))
        assert names == sorted("%s/%s.btf" % (PREFIX, r) for r in ctx.ks
                               if r not in (bad, gone)), names
        left = [f for d, _, fs in os.walk(os.path.join(w, "out")) for f in fs
                if f.startswith(".") and "cache" not in d]
        assert not left, left
        # The corrupt copy was forgotten (no 304 will bring it back), the good kept.
        cached = [f for _, _, fs in os.walk(os.path.join(w, "cache")) for f in fs]
        assert bad + ".btf.tar.xz" not in cached and bad + ".btf.tar.xz.meta" not in cached, \
            cached
        assert sorted(ctx.ks)[0] + ".btf.tar.xz" in cached, cached
        srv.replace("/%s/%s.btf.tar.xz" % (PREFIX, bad), ctx.ks[bad])
        p = build(ctx, *args, "--json")
        assert p.returncode == 1, (p.returncode, p.stderr)
        res = {r["kernel"]: r for r in json.loads(p.stdout)["results"]}
        assert res["%s/%s" % (PREFIX, bad)]["status"] == "reduced", res
        assert res["%s/%s" % (PREFIX, gone)]["status"] == "failed", res
        assert url in res["%s/%s" % (PREFIX, gone)]["error"], res
        assert sum(r["status"] == "cached" for r in res.values()) == len(ctx.ks) - 2, res


def case_nochange(ctx):
    """a no-change re-run reduces nothing and transfers no archive body"""
    with BtfhubServer() as srv:
        serve(srv, ctx.ks)
        w = os.path.join(ctx.tmp, "again")
        args = (srv.base, os.path.join(w, "out"), os.path.join(w, "cache"))
        p = build(ctx, *args)
        assert p.returncode == 0 and "%d reduced, 0 cached" % len(ctx.ks) in p.stdout, p.stdout
        before = srv.body_bytes
        p = build(ctx, *args)
        assert p.returncode == 0, p.stderr
        assert "0 reduced, %d cached" % len(ctx.ks) in p.stdout, p.stdout
        assert srv.body_bytes == before, (before, srv.body_bytes)


def case_local(ctx):
    """a directory source is read in place: no archive copy, no raw BTF on disk"""
    w = os.path.join(ctx.tmp, "local")
    src = os.path.join(w, "src", PREFIX)
    os.makedirs(src)
    for rel, data in ctx.ks.items():
        with open(os.path.join(src, rel + ".btf.tar.xz"), "wb") as f:
            f.write(data)
    p = build(ctx, os.path.join(w, "src"), os.path.join(w, "out"), os.path.join(w, "cache"))
    assert p.returncode == 0, p.stderr
    assert len(tree(os.path.join(w, "out"))) == len(ctx.ks)
    big = [os.path.join(d, f) for d, _, fs in os.walk(os.path.join(w, "cache")) for f in fs
           if os.path.getsize(os.path.join(d, f)) > 4096]
    assert not big, big


def main():
    ap = argparse.ArgumentParser()
    for opt in ("--build", "--fetch", "--btfgen", "--embedgen", "--object", "--fixtures"):
        ap.add_argument(opt, required=True)
    a = ap.parse_args()
    cases = [case_overlap, case_identical, case_failure, case_nochange, case_local]
    print("1..%d" % len(cases))
    with tempfile.TemporaryDirectory() as tmp:
        ctx = argparse.Namespace(a=a, tmp=tmp, ks=kernels(a.fixtures))
        return tap(cases, ctx)


if __name__ == "__main__":
    sys.exit(main())
