# SPDX-License-Identifier: BSD-2-Clause
"""btfkit-build (btfkit-build/) end to end, as TAP.

The server serves BTFHub-layout archives of real BTF (the committed Debian
fixtures, each also repacked under a second release name so that there are
six kernels). Cases: the reduction of the first kernels finishes while the
last archive is still held back by the server (the overlap, seen in the
order of the -v log, not in wall times); the reduced tree and the bundle
are byte-identical to btfhub-fetch + btfgen + embedgen run one by one; one
corrupt and one missing archive fail their kernels alone, in one line
each naming it, and the run exits 1; a
no-change re-run reduces nothing; a local directory source leaves no copy
and no raw BTF on disk. The knobs: a kernel below the object's floor is
never requested (server log) and the tree is otherwise the same; --list
prints the gated selection and fetches nothing; --shard parts are disjoint
and their union is the whole; --retries, --speed-limit/--speed-time and
--max-size reach the transfers; --update-manifest records sha256s by
replacing the manifest; --fail-fast stops after a failed reduction or fetch.
And 400 kernels under a 128-descriptor limit: each verified archive is
reduced from the descriptor it was hashed from, and the feed's bound keeps
those open descriptors few.
"""
import argparse
import filecmp
import hashlib
import io
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fetch"))
from btfhub_server import BtfhubServer  # noqa: E402
from fixtures import corrupt, tar_xz  # noqa: E402
import tap  # noqa: E402

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


def manifest(ctx, rels=None, name="manifest.json"):
    """The kernels as a manifest: literal names, so the server is asked no listing."""
    path = os.path.join(ctx.tmp, name)
    d, v, a = PREFIX.split("/")
    with open(path, "w") as f:
        json.dump({"kernels": [{"distro": d, "version": v, "arch": a, "release": r}
                               for r in sorted(ctx.ks if rels is None else rels)]}, f)
    return path


def build_cmd(ctx, base, out, cache, *extra, m=None):
    outargs = ["-o", out] if out else []
    return [ctx.a.build, "-s", base, *outargs, "--cache-dir", cache, "-j", "2",
            "--transfers", "8", "-m", m or manifest(ctx), *extra, ctx.a.object]


def build(ctx, base, out, cache, *extra, m=None):
    return run(build_cmd(ctx, base, out, cache, *extra, m=m), ok=(0, 1))


# How long the server holds a "slow" archive at most when a test releases it
# on an event: reached only when that event never comes, i.e. when the
# behaviour under test is broken, and the test's ordering check then fails.
HOLD_CAP = 120


def build_held(ctx, srv, until, *args, **kw):
    """build(), with the server's "slow" archives held back until until(lines)
    holds for the -v lines seen so far: an order of events, whatever the load"""
    srv.httpd.release = threading.Event()
    srv.httpd.slow_seconds = HOLD_CAP
    cmd = [str(c) for c in build_cmd(ctx, srv.base, *args, **kw)]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []

    def watch():
        for line in p.stderr:
            lines.append(line)

    def poll():
        # until() may also look at the server's requests: poll, not per line.
        while p.poll() is None and not srv.httpd.release.is_set():
            if until([l.rstrip("\n") for l in list(lines)]):
                srv.httpd.release.set()
            time.sleep(0.02)
    threads = [threading.Thread(target=watch), threading.Thread(target=poll)]
    for t in threads:
        t.start()
    out = p.stdout.read()
    p.wait(240)
    for t in threads:
        t.join(10)
    assert p.returncode in (0, 1), (cmd, p.returncode, out, "".join(lines))
    return subprocess.CompletedProcess(cmd, p.returncode, out, "".join(lines))


def n_reduced(n):
    """until() for build_held: n kernels reduced"""
    return lambda lines: sum(l.endswith(": reduced") for l in lines) >= n


def archive_path(rel):
    return "/%s/%s.btf.tar.xz" % (PREFIX, rel)


def same_trees(a, b):
    names = tree(a)
    assert names == tree(b), (names, tree(b))
    _, mismatch, errors = filecmp.cmpfiles(a, b, names, shallow=False)
    assert not mismatch and not errors, (mismatch, errors)
    return names


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
        serve(srv, ks, slow=last)
        w = os.path.join(ctx.tmp, "overlap")
        # The last archive is held until the others are reduced (or HOLD_CAP):
        # a build that reduces nothing before every archive is in never
        # prints those lines early, and fails the order checks below.
        p = build_held(ctx, srv, n_reduced(len(ks) - 1), os.path.join(w, "out"),
                       os.path.join(w, "cache"), "-v")
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


def case_interrupt(ctx):
    """SIGINT while an archive is on the wire: exit 130, nothing half-written, resumable"""
    ks = ctx.ks
    last = sorted(ks)[-1]
    with BtfhubServer() as srv:
        # Held until the server ends (or HOLD_CAP), whatever the load.
        srv.httpd.release = threading.Event()
        srv.httpd.slow_seconds = HOLD_CAP
        serve(srv, ks, slow=last)
        w = os.path.join(ctx.tmp, "intr")
        out, cache = os.path.join(w, "out"), os.path.join(w, "cache")
        cmd = [ctx.a.build, "-s", srv.base, "-o", out, "--cache-dir", cache, "-j", "2",
               "--transfers", "8", "-m", manifest(ctx), "-v", ctx.a.object]
        p = subprocess.Popen([str(c) for c in cmd], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        seen = []
        # Once every other kernel is reduced, only the held-back transfer is left.
        for line in p.stderr:
            seen.append(line)
            if sum(l.rstrip().endswith(": reduced") for l in seen) == len(ks) - 1:
                break
        p.send_signal(signal.SIGINT)
        rest = p.stderr.read()
        p.wait(60)
        assert p.returncode == 130, (p.returncode, "".join(seen) + rest)
        assert "interrupted" in rest, rest
        names = tree(out)
        assert names == sorted("%s/%s.btf" % (PREFIX, r) for r in ks if r != last), names
        left = [f for d, _, fs in os.walk(out) for f in fs if f.startswith(".") and
                ".btfgen-cache" not in d]
        assert not left, left
        srv.httpd.routes["/%s/%s.btf.tar.xz" % (PREFIX, last)].fault = None
        p = build(ctx, srv.base, out, cache)
        assert p.returncode == 0 and "1 reduced, %d cached" % (len(ks) - 1) in p.stdout, \
            (p.stdout, p.stderr)


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
    """a directory source is read in place: no archive copy, no raw BTF on disk, no OUTDIR in it"""
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
    # The reduced tree may not be written into the source tree it reads.
    p = build(ctx, os.path.join(w, "src"), os.path.join(w, "src") + "/", os.path.join(w, "cache"))
    assert p.returncode == 1 and "must not be the source" in p.stderr, (p.returncode, p.stderr)


def case_many_fds(ctx):
    """400 kernels under a 128-descriptor limit: fed archives stay open, but at most 64 wait"""
    # The verified archive's descriptor is what btfgen reduces (never the path
    # again); a local source verifies far faster than bpftool reduces, so
    # without the feed's bound every kernel would hold one.
    w = os.path.join(ctx.tmp, "manyfds")
    first = sorted(ctx.ks)[0]
    seed = os.path.join(w, "seed", PREFIX)
    os.makedirs(seed)
    with open(os.path.join(seed, first + ".btf.tar.xz"), "wb") as f:
        f.write(ctx.ks[first])
    run([ctx.a.btfgen, "-o", os.path.join(w, "small"), os.path.join(w, "seed"), ctx.a.object])
    with open(os.path.join(w, "small", PREFIX, first + ".btf"), "rb") as f:
        small = f.read()              # real BTF, reduced: ~1 KB, quick to pack and reduce
    src = os.path.join(w, "src", PREFIX)
    os.makedirs(src)
    rels = ["6.1.0-%d-amd64" % i for i in range(400)]
    for rel in rels:
        with open(os.path.join(src, rel + ".btf.tar.xz"), "wb") as f:
            f.write(tar_xz([(rel + ".btf", "file", small)]))
    limit = lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (128, 128))
    p = subprocess.run([ctx.a.build, "-s", os.path.join(w, "src"), "-o", os.path.join(w, "out"),
                        "--cache-dir", os.path.join(w, "cache"), "-j", "2",
                        "-m", manifest(ctx, rels, "manyfds.json"), "--json", ctx.a.object],
                       capture_output=True, text=True, timeout=240, preexec_fn=limit)
    assert p.returncode == 0, (p.returncode, p.stderr[-2000:])
    s = json.loads(p.stdout)
    assert (s["kernels"], s["reduced"], s["failed"]) == (400, 400, 0), \
        {k: s[k] for k in ("kernels", "reduced", "failed")}
    assert len(tree(os.path.join(w, "out"))) == 400


# A kernel named older than coretrace.bpf.o's floor (4.18): its BTF is real (a
# fixture's), only the name is old, which is all the gate reads.
OLD = "4.14.0-99-amd64"


def with_old(ctx):
    ks = dict(ctx.ks)
    with tarfile.open(fileobj=io.BytesIO(ctx.ks[sorted(ctx.ks)[0]])) as t:
        raw = t.extractfile(t.getmembers()[0]).read()
    ks[OLD] = tar_xz([(OLD + ".btf", "file", raw)])
    return ks


def case_gate(ctx):
    """a kernel below the objects' floor is never requested; the output is otherwise the same"""
    ks = with_old(ctx)
    w = os.path.join(ctx.tmp, "gate")
    m_all = manifest(ctx, ks, "gate-all.json")
    with BtfhubServer() as srv:
        serve(srv, ks)
        p = build(ctx, srv.base, os.path.join(w, "out"), os.path.join(w, "cache"), "-v",
                  "--json", m=m_all)
        assert p.returncode == 0, p.stderr
        assert not srv.requests(archive_path(OLD)), srv.requests()
        assert len(srv.requests("/%s/" % PREFIX)) == len(ctx.ks), srv.requests()
        why = [l for l in p.stderr.splitlines() if "/%s: skipped: older than Linux 4.18" % OLD in l]
        assert len(why) == 1, p.stderr
        doc = json.loads(p.stdout)
        assert doc["below_floor"] == 1 and doc["floor"] == "4.18", doc
        assert doc["kernels"] == len(ctx.ks) and doc["reduced"] == len(ctx.ks), doc
        # Without -v: one warning with the count, no line per kernel.
        p = build(ctx, srv.base, os.path.join(w, "out"), os.path.join(w, "cache"), m=m_all)
        assert "skipped 1 kernel older than Linux 4.18" in p.stderr, p.stderr
        assert ": skipped: older" not in p.stderr, p.stderr
        # -q hides warnings, not kernels a floor dropped: one line, count and cause.
        p = build(ctx, srv.base, os.path.join(w, "out"), os.path.join(w, "cache"), "-q", m=m_all)
        said = [l for l in p.stderr.splitlines() if "skipped" in l]
        assert p.returncode == 0 and len(said) == 1, p.stderr
        assert "skipped 1 kernel older than Linux 4.18, the floor set by" in said[0], said
        # --floor sets it by hand: a floor above every kernel fetches nothing.
        p = build(ctx, srv.base, os.path.join(w, "floor"), os.path.join(w, "cache"), "-q",
                  "--list", "--floor", "9.0", m=m_all)
        assert "older than Linux 9.0, the floor set by --floor 9.0" in p.stderr, p.stderr
        # The same tree as a manifest without the old kernel at all.
        p = build(ctx, srv.base, os.path.join(w, "ref"), os.path.join(w, "cache2"))
        assert p.returncode == 0, p.stderr
        same_trees(os.path.join(w, "out"), os.path.join(w, "ref"))
        # --all-kernels fetches and reduces it.
        p = build(ctx, srv.base, os.path.join(w, "all"), os.path.join(w, "cache3"), "--json",
                  "--all-kernels", m=m_all)
        assert p.returncode == 0, p.stderr
        assert len(srv.requests(archive_path(OLD))) == 1, srv.requests()
        res = {r["kernel"]: r["status"] for r in json.loads(p.stdout)["results"]}
        assert res["%s/%s" % (PREFIX, OLD)] == "reduced", res


def case_list(ctx):
    """--list prints the gated selection (sizes from the listing) and fetches nothing"""
    ks = with_old(ctx)
    w = os.path.join(ctx.tmp, "list")
    src = os.path.join(w, "src", PREFIX)
    os.makedirs(src)
    for rel, data in ks.items():
        with open(os.path.join(src, rel + ".btf.tar.xz"), "wb") as f:
            f.write(data)
    run([ctx.a.fetch, "--write-index", os.path.join(w, "src")])
    with BtfhubServer() as srv:
        serve(srv, ks)
        with open(os.path.join(w, "src", "btfhub-index.json"), "rb") as f:
            srv.add("/btfhub-index.json", f.read())
        # No manifest: the selection comes from the mirror's index.
        cmd = [ctx.a.build, "--list", "-s", srv.base, "--cache-dir", os.path.join(w, "cache"),
               "--distro", "debian", "--arch", "x86_64", "--version", "1*", ctx.a.object]
        # "--version GLOB" selects (as btfhub-fetch's); "--version" alone prints ours.
        p = run(cmd)
        lines = p.stdout.splitlines()
        assert lines[0].split() == ["SIZE", "KERNEL"], p.stdout
        listed = sorted(l.split()[1] for l in lines[1:])
        assert listed == sorted("%s/%s" % (PREFIX, r) for r in ctx.ks), p.stdout
        sizes = {l.split()[1]: int(l.split()[0]) for l in lines[1:]}
        assert all(sizes["%s/%s" % (PREFIX, r)] == len(d) for r, d in ctx.ks.items()), sizes
        assert not [r for r in srv.requests() if r["path"].endswith(".btf.tar.xz")], \
            srv.requests()
        p = run(cmd + ["--json"])
        doc = json.loads(p.stdout)
        assert doc["count"] == len(ctx.ks), doc
        assert doc["bytes"] == sum(len(d) for d in ctx.ks.values()), doc
        # --all-kernels lists the old one too; still no -o and nothing fetched.
        p = run(cmd + ["--all-kernels"])
        assert "%s/%s" % (PREFIX, OLD) in p.stdout, p.stdout
        assert not [r for r in srv.requests() if r["path"].endswith(".btf.tar.xz")]
    assert not os.path.exists(os.path.join(w, "out"))


def case_shard(ctx):
    """--shard I/N fetches and reduces disjoint parts whose union is the whole, byte for byte"""
    w = os.path.join(ctx.tmp, "shard")
    parts = []
    with BtfhubServer() as srv:
        serve(srv, ctx.ks)
        p = build(ctx, srv.base, os.path.join(w, "whole"), os.path.join(w, "cw"))
        assert p.returncode == 0, p.stderr
        for i in range(3):
            before = len(srv.requests())
            out = os.path.join(w, "part%d" % i)
            lst = build(ctx, srv.base, None, os.path.join(w, "cl"), "--list", "--shard",
                        "%d/3" % i)
            p = build(ctx, srv.base, out, os.path.join(w, "c%d" % i), "--shard", "%d/3" % i,
                      "--json")
            assert p.returncode == 0, p.stderr
            doc = json.loads(p.stdout)
            assert doc["shard"] == {"index": i, "count": 3}, doc
            names = tree(out)
            # Only this shard's archives were requested, and --list said which.
            got = sorted(r["path"] for r in srv.requests()[before:])
            assert got == sorted("/%s" % n[:-len(".btf")] + ".btf.tar.xz" for n in names), \
                (got, names)
            assert sorted(l.split()[1] + ".btf" for l in lst.stdout.splitlines()[1:]) == names
            parts.append(names)
    assert sum(len(n) for n in parts) == len(ctx.ks), parts
    assert sorted(sum(parts, [])) == tree(os.path.join(w, "whole")), parts
    assert sum(1 for n in parts if n) >= 2, parts   # a real split, not all in one
    for i, names in enumerate(parts):
        _, mismatch, errors = filecmp.cmpfiles(os.path.join(w, "part%d" % i),
                                               os.path.join(w, "whole"), names, shallow=False)
        assert not mismatch and not errors, (mismatch, errors)
    p = run([ctx.a.build, "--shard", "3/3", "-o", w, ctx.a.object], ok=(2,))
    assert "--shard" in p.stderr, p.stderr


def case_retries(ctx):
    """--retries reaches the transfers: a 503 once fails with 0, succeeds with 1"""
    rel = sorted(ctx.ks)[0]
    w = os.path.join(ctx.tmp, "retry")
    m1 = manifest(ctx, [rel], "one.json")
    with BtfhubServer() as srv:
        srv.add(archive_path(rel), ctx.ks[rel], fault="503after")
        p = build(ctx, srv.base, os.path.join(w, "out"), os.path.join(w, "cache"),
                  "--retries", "0", m=m1)
        url = srv.base + archive_path(rel)
        assert p.returncode == 1, (p.returncode, p.stderr)
        errs = [l for l in p.stderr.splitlines() if url in l]
        assert len(errs) == 1 and "503" in errs[0], p.stderr
        assert len(srv.requests(archive_path(rel))) == 1
        srv.add(archive_path(rel), ctx.ks[rel], fault="503after")
        t0 = time.monotonic()
        p = build(ctx, srv.base, os.path.join(w, "out"), os.path.join(w, "cache"),
                  "--retries", "1", m=m1)
        assert p.returncode == 0, p.stderr
        assert len(srv.requests(archive_path(rel))) == 3, srv.requests()
        # The server's Retry-After: 2 was honoured (--retry-after-max 300 by default).
        assert time.monotonic() - t0 >= 1.9
        assert tree(os.path.join(w, "out")) == ["%s/%s.btf" % (PREFIX, rel)]


def case_speed(ctx):
    """--speed-limit/--speed-time reach libcurl: a stalled transfer ends in about a second"""
    rel = sorted(ctx.ks)[0]
    w = os.path.join(ctx.tmp, "speed")
    with BtfhubServer() as srv:
        srv.add(archive_path(rel), ctx.ks[rel], fault="stall")
        t0 = time.monotonic()
        p = build(ctx, srv.base, os.path.join(w, "out"), os.path.join(w, "cache"),
                  "--retries", "0", "--speed-limit", "1K", "--speed-time", "1",
                  m=manifest(ctx, [rel], "one.json"))
        assert p.returncode == 1, (p.returncode, p.stderr)
        assert time.monotonic() - t0 < 20, "the stall (30 s) was not cut by --speed-time 1"
        errs = [l for l in p.stderr.splitlines() if srv.base + archive_path(rel) in l]
        assert len(errs) == 1, p.stderr


def case_max_size(ctx):
    """--max-size refuses a big archive in one line naming its URL; the others are reduced"""
    big = max(ctx.ks, key=lambda r: len(ctx.ks[r]))
    cap = sorted(len(d) for d in ctx.ks.values())[-2]      # all but the biggest fit
    assert cap < len(ctx.ks[big])
    w = os.path.join(ctx.tmp, "maxsize")
    with BtfhubServer() as srv:
        serve(srv, ctx.ks)
        p = build(ctx, srv.base, os.path.join(w, "out"), os.path.join(w, "cache"),
                  "--max-size", str(cap) if cap < 1024 else "%dK" % ((cap + 1023) // 1024))
        url = srv.base + archive_path(big)
        assert p.returncode == 1, (p.returncode, p.stderr)
        errs = [l for l in p.stderr.splitlines() if "/%s" % big in l]
        assert len(errs) == 1 and url in errs[0] and "cap" in errs[0], p.stderr
        assert big + ".btf" not in "".join(tree(os.path.join(w, "out")))
        assert len(tree(os.path.join(w, "out"))) == len(ctx.ks) - 1
    p = run([ctx.a.build, "--max-size", "lots", "-o", w, ctx.a.object], ok=(2,))
    assert "invalid size: 'lots'" in p.stderr, p.stderr


def case_update_manifest(ctx):
    """--update-manifest records each fetched archive's sha256, replacing the file atomically"""
    ks = with_old(ctx)
    w = os.path.join(ctx.tmp, "upd")
    m = manifest(ctx, ks, "upd.json")
    ino = os.stat(m).st_ino
    with BtfhubServer() as srv:
        serve(srv, ks)
        p = build(ctx, srv.base, os.path.join(w, "out"), os.path.join(w, "cache"),
                  "--update-manifest", m=m)
        assert p.returncode == 0, p.stderr
        with open(m) as f:
            doc = json.load(f)
        assert os.stat(m).st_ino != ino, "the manifest was rewritten in place"
        left = [f for f in os.listdir(os.path.dirname(m)) if f.startswith(".upd") or
                f.startswith("upd.json.")]
        assert not left, left
        sums = {e["release"]: e.get("sha256") for e in doc["kernels"]}
        for rel, data in ctx.ks.items():
            assert sums[rel] == hashlib.sha256(data).hexdigest(), (rel, sums)
        assert sums[OLD] is None, sums      # gated out, never fetched: nothing recorded
        # A pinned archive that changes is now that kernel's hard error.
        rel = sorted(ctx.ks)[0]
        srv.replace(archive_path(rel), ks[OLD])
        p = build(ctx, srv.base, os.path.join(w, "out"), os.path.join(w, "cache2"), m=m)
        assert p.returncode == 1, p.stderr
        assert [l for l in p.stderr.splitlines() if "/%s" % rel in l and "sha256" in l.lower()], \
            p.stderr


def case_fail_fast(ctx):
    """--fail-fast: after a reduction or a fetch fails, kernels verified later are not reduced"""
    first, rest = sorted(ctx.ks)[0], sorted(ctx.ks)[1:]
    # Valid archive, valid BTF header, garbage types: fetch verifies it, bpftool fails.
    with tarfile.open(fileobj=io.BytesIO(ctx.ks[first])) as t:
        raw = bytearray(t.extractfile(t.getmembers()[0]).read())
    hdr = 24
    raw[hdr + 64:hdr + 4096] = b"\xff" * (4096 - 64)
    bad = tar_xz([(first + ".btf", "file", bytes(raw))])
    w = os.path.join(ctx.tmp, "ff")
    # The first kernel's archive fails bpftool, or is missing (404); the others
    # are held back until that failure has happened: bpftool's error line, or
    # every URL tried for it answered 404 in full (the one-line error comes
    # at the end of the run).
    def first_failed(srv):
        def until(lines):
            if any("error:" in l and "/%s.btf" % first in l for l in lines):
                return True
            with srv.httpd.lock:
                reqs = [r for r in srv.httpd.requests if r["path"].endswith("/%s.btf.tar.xz" % first)]
            return len(reqs) >= 2 and all(r.get("status") == 404 and r.get("done") for r in reqs)
        return until
    for ff, missing in ((False, False), (True, False), (True, True)):
        with BtfhubServer() as srv:
            if not missing:
                srv.add(archive_path(first), bad)
            for r in rest:
                srv.add(archive_path(r), ctx.ks[r], fault="slow")
            tag = "%s-%s" % (ff, missing)
            p = build_held(ctx, srv, first_failed(srv), os.path.join(w, tag),
                           os.path.join(w, "c" + tag), "--json", "-v",
                           *(["--fail-fast"] if ff else []))
        assert p.returncode == 1, (p.returncode, p.stderr)
        res = {r["kernel"].split("/")[-1]: r["status"] for r in json.loads(p.stdout)["results"]}
        assert res[first] == "failed", (res, p.stderr)
        want = "skipped" if ff else "reduced"
        assert all(res[r] == want for r in rest), (ff, res, p.stderr)


def main():
    ap = argparse.ArgumentParser()
    for opt in ("--build", "--fetch", "--btfgen", "--embedgen", "--object", "--fixtures"):
        ap.add_argument(opt, required=True)
    ap.add_argument("--only", help="run the cases whose name contains this (debugging)")
    a = ap.parse_args()
    cases = [case_overlap, case_identical, case_failure, case_interrupt, case_nochange, case_local,
             case_gate, case_list, case_shard, case_retries, case_speed, case_max_size,
             case_update_manifest, case_fail_fast, case_many_fds]
    cases = [c for c in cases if not a.only or a.only in c.__name__]
    with tempfile.TemporaryDirectory() as tmp:
        ctx = argparse.Namespace(a=a, tmp=tmp, ks=kernels(a.fixtures))
        return tap.run(cases, ctx)


if __name__ == "__main__":
    sys.exit(main())
