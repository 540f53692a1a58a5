#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""btfhub-fetch over a remote listing (TAP): the GitHub trees API, an index
mirror and plain autoindex servers, imitated on loopback (remote_server.py),
plus listing bombs and hostile keys.

The archives are the repository's real Debian 12 fixtures (tests/data/btfhub);
the other kernels of the fake trees wrap the same real BTF under other names.

Usage: test_remote.py PATH/TO/btfhub-fetch [PATH/TO/fuzz-listing-replay]
"""
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixtures                                   # noqa: E402
import remote_server as rs                        # noqa: E402
import tap                                        # noqa: E402

TOOL = os.path.abspath(sys.argv[1])
REPLAY = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else None
SRC = os.environ.get("BTFKIT_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.join(SRC, "tests", "data", "btfhub")
FAST = ["--retry-delay", "50", "--connect-timeout", "5", "--timeout", "20", "--retries", "1"]
TOKEN = "ghp_loopbacktesttoken0123456789"


def run(args, env=None, timeout=60):
    e = dict(os.environ)
    for k in ("GITHUB_TOKEN", "BTFKIT_GITHUB_URL", "BTFKIT_GITHUB_API_URL",
              "BTFKIT_GITHUB_RAW_URL"):
        e.pop(k, None)
    e.update(env or {})
    p = subprocess.run([TOOL] + args, capture_output=True, text=True, timeout=timeout, env=e,
                       errors="surrogateescape")
    return p.returncode, p.stdout, p.stderr


def sha256(b):
    return hashlib.sha256(b).hexdigest()


def files_under(d):
    out = []
    for root, _, names in os.walk(d):
        out += [os.path.relpath(os.path.join(root, n), d) for n in names]
    return sorted(out)


def errors(se):
    return [l for l in se.splitlines() if "error:" in l]


def debian_archives():
    """{relpath: bytes} of the real Debian fixtures."""
    d = os.path.join(DATA, "debian", "12", "x86_64")
    return {"debian/12/x86_64/" + n: open(os.path.join(d, n), "rb").read()
            for n in sorted(os.listdir(d)) if n.endswith(".btf.tar.xz")}


def wrapped(release, btf):
    return fixtures.tar_xz([("%s.btf" % release, "file", btf)])


class Ctx:
    def __init__(self, srv, tmp):
        self.srv, self.tmp, self.n = srv, tmp, 0
        self.deb = debian_archives()
        first = next(iter(self.deb.values()))
        with tarfile.open(fileobj=io.BytesIO(first), mode="r:xz") as t:
            self.btf = t.extractfile(t.getmembers()[0]).read()
        self.tree = dict(self.deb)
        for rel in ("ubuntu/20.04/x86_64/5.4.0-100-generic", "ubuntu/20.04/arm64/5.4.0-100-generic",
                    "ubuntu/18.04/x86_64/4.15.0-20-generic", "centos/8/x86_64/4.18.0-305.el8.x86_64"):
            self.tree[rel + ".btf.tar.xz"] = wrapped(rel.split("/")[-1], self.btf)

    def dirs(self):
        self.n += 1
        d = os.path.join(self.tmp, "case%02d" % self.n)
        os.makedirs(d)
        return os.path.join(d, "out"), os.path.join(d, "cache"), d

    def gh_env(self, token=True):
        e = {"BTFKIT_GITHUB_API_URL": self.srv.url("127.0.0.1"),
             "BTFKIT_GITHUB_RAW_URL": self.srv.url("localhost")}
        if token:
            e["GITHUB_TOKEN"] = TOKEN
        return e


def names(so):
    return [k["name"] for k in json.loads(so)["kernels"]]


DEB_NAMES = ["debian/12/x86_64/6.1.0-56-amd64", "debian/12/x86_64/6.1.0-56-cloud-amd64",
             "debian/12/x86_64/6.12.117+deb12-cloud-amd64"]


# --- index mirror ---------------------------------------------------------

def t_write_index(c):
    """--write-index: every archive's key, size and sha256, sorted; same tree, same bytes"""
    _, _, d = c.dirs()
    root = os.path.join(d, "mirror")
    for rel, data in c.tree.items():
        os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
        open(os.path.join(root, rel), "wb").write(data)
    open(os.path.join(root, "README.md"), "w").write("not an archive\n")
    open(os.path.join(root, "debian/12/x86_64/bad\x01name.btf.tar.xz"), "wb").write(b"x")
    rc, so, se = run(["--write-index", root])
    assert rc == 0, se
    assert "bad" in se and "skipped" in se, "hostile name not warned: %r" % se
    first = open(os.path.join(root, "btfhub-index.json"), "rb").read()
    idx = json.loads(first)
    assert idx["format"] == "btfhub-index" and idx["version"] == 1, idx
    want = [{"key": k, "size": len(v), "sha256": sha256(v)} for k, v in sorted(c.tree.items())]
    assert idx["archives"] == want, idx["archives"]
    assert first.endswith(b"]\n}\n"), first[-20:]
    os.utime(os.path.join(root, "README.md"), (0, 0))
    rc, _, se = run(["--write-index", root])
    assert rc == 0 and open(os.path.join(root, "btfhub-index.json"), "rb").read() == first
    assert [f for f in os.listdir(root) if f.startswith(".")] == [], "temp file left"
    rc, _, se = run(["--write-index", os.path.join(d, "nope")])
    assert rc == 1 and len(errors(se)) == 1 and "nope" in errors(se)[0], se


def index_of(files, sha_override=None):
    arch = [{"key": k, "size": len(v), "sha256": (sha_override or {}).get(k, sha256(v))}
            for k, v in sorted(files.items())]
    return json.dumps({"format": "btfhub-index", "version": 1, "archives": arch},
                      indent=2).encode() + b"\n"


def t_index_mirror(c):
    """index mirror: globs over it, -j 4 fetch, a no-change re-run costs one 304"""
    files = dict(c.tree)
    files["btfhub-index.json"] = index_of(c.tree)
    c.srv.mount("/idx/", rs.StaticTree(files, "python"))
    base = c.srv.url() + "/idx"
    out, cache, d = c.dirs()
    rc, so, se = run(["-s", base, "--list", "--json", "--cache-dir", cache, "--arch", "x86_64",
                      "--version", "2*"])
    assert rc == 0, se
    ks = json.loads(so)["kernels"]
    assert [k["name"] for k in ks] == ["ubuntu/20.04/x86_64/5.4.0-100-generic"], ks
    rel = "ubuntu/20.04/x86_64/5.4.0-100-generic.btf.tar.xz"
    assert ks[0]["size"] == len(c.tree[rel]) and ks[0]["sha256"] == sha256(c.tree[rel])
    rc, so, se = run(["-s", base, "--list", "--cache-dir", cache, "--distro", "debian"])
    assert rc == 0 and so.splitlines()[0].split() == ["SIZE", "KERNEL"], so
    assert [l.split() for l in so.splitlines()[1:]] == \
        [[str(len(c.deb[n + ".btf.tar.xz"])), n] for n in DEB_NAMES], so

    rc, so, se = run(["-s", base, "-o", out, "--cache-dir", cache, "--distro", "debian",
                      "-j", "4", "--json"] + FAST)
    s = json.loads(so)
    assert rc == 0 and (s["fetched"], s["failed"]) == (3, 0), (s, se)
    assert files_under(out) == [n + ".btf" for n in DEB_NAMES]
    n0, b0 = len(c.srv.requests("/idx/")), c.srv.body_bytes
    rc, so, se = run(["-s", base, "-o", out, "--cache-dir", cache, "--distro", "debian",
                      "--json"] + FAST)
    s = json.loads(so)
    assert rc == 0 and (s["cached"], s["bytes_transferred"]) == (3, 0), (s, se)
    again = c.srv.requests("/idx/")[n0:]
    assert [(r["path"], r["status"]) for r in again] == [("/idx/btfhub-index.json", 304)], again
    assert again[0]["if_modified_since"] == rs.LAST_MODIFIED
    assert c.srv.body_bytes == b0

    # The resolved selection into a new lockfile, with each archive's hash.
    man = os.path.join(d, "kernels.json")
    rc, so, se = run(["-s", base, "-o", out, "--cache-dir", cache, "-m", man,
                      "--update-manifest", "--distro", "ubuntu", "--release", "5.4*"] + FAST)
    assert rc == 0, se
    m = json.load(open(man))
    want = [{"distro": "ubuntu", "version": "20.04", "arch": a, "release": "5.4.0-100-generic",
             "sha256": sha256(c.tree["ubuntu/20.04/%s/5.4.0-100-generic.btf.tar.xz" % a])}
            for a in ("arm64", "x86_64")]
    assert m == {"kernels": want}, m
    # From then on the lockfile alone: nothing listed.
    n0 = len(c.srv.requests("/idx/btfhub-index.json"))
    rc, so, se = run(["-s", base, "-o", out, "--cache-dir", cache, "-m", man, "--json"] + FAST)
    assert rc == 0 and json.loads(so)["cached"] == 2, (so, se)
    assert len(c.srv.requests("/idx/btfhub-index.json")) == n0


def t_index_sha_mismatch(c):
    """an index whose sha256 disagrees with the archive: that kernel fails, nothing written"""
    bad = "debian/12/x86_64/6.1.0-56-amd64.btf.tar.xz"
    files = dict(c.deb)
    files["btfhub-index.json"] = index_of(c.deb, {bad: "ab" * 32})
    c.srv.mount("/idxbad/", rs.StaticTree(files, "nginx"))
    out, cache, _ = c.dirs()
    rc, so, se = run(["-s", c.srv.url() + "/idxbad", "-o", out, "--cache-dir", cache,
                      "--version", "12", "--json"] + FAST)
    s = json.loads(so)
    assert rc == 1 and (s["fetched"], s["failed"]) == (2, 1), (s, se)
    errs = errors(se)
    assert len(errs) == 1 and "sha256 mismatch: index has " + "ab" * 32 in errs[0], se
    assert c.srv.url() + "/idxbad/" + bad in errs[0] and sha256(c.deb[bad]) in errs[0], errs
    assert files_under(out) == [n + ".btf" for n in DEB_NAMES[1:]], files_under(out)
    assert not [f for f in files_under(cache) if f.endswith("6.1.0-56-amd64.btf.tar.xz")]


def t_index_hostile(c):
    """hostile index keys: refused, escaped in one warning each, never fetched"""
    good = "debian/12/x86_64/6.1.0-56-amd64.btf.tar.xz"
    hostile = ["../../../tmp/x/y.btf.tar.xz", "debian/../x86_64/r.btf.tar.xz",
               "debian/12/x86_64/a/b.btf.tar.xz", "debian/12/x86_64/ev\x01il\x1b[31m.btf.tar.xz",
               "/debian/12/x86_64/r.btf.tar.xz", "debian/12//r.btf.tar.xz"]
    arch = [{"key": k, "size": 1, "sha256": "00" * 32} for k in hostile]
    arch.append({"key": good, "size": len(c.deb[good]), "sha256": sha256(c.deb[good])})
    files = {good: c.deb[good], "btfhub-index.json": json.dumps(
        {"format": "btfhub-index", "version": 1, "archives": arch}).encode()}
    c.srv.mount("/idxh/", rs.StaticTree(files))
    out, cache, _ = c.dirs()
    rc, so, se = run(["-s", c.srv.url() + "/idxh", "-o", out, "--cache-dir", cache, "--json",
                      "--distro", "*"] + FAST)
    s = json.loads(so)
    assert rc == 0 and [k["name"] for k in s["kernels"]] == [DEB_NAMES[0]], (s, se)
    warns = [l for l in se.splitlines() if "ignoring" in l]
    assert len(warns) == len(hostile), se
    assert "\x01" not in se and "\x1b" not in se and "ev\\x01il\\x1b[31m" in se, se
    assert files_under(out) == [DEB_NAMES[0] + ".btf"]
    # A malformed entry is an error, not a guess.
    files["btfhub-index.json"] = json.dumps({"format": "btfhub-index", "version": 1,
                                             "archives": [{"key": good, "size": -1}]}).encode()
    c.srv.mount("/idxm/", rs.StaticTree(files))
    rc, so, se = run(["-s", c.srv.url() + "/idxm", "--list", "--cache-dir", cache])
    assert rc == 1 and len(errors(se)) == 1 and "archives[0]" in se, se


# --- autoindex --------------------------------------------------------------

STRAY = ["../", "/", "http://evil.example/debian/", "?C=N;O=D", "%2e%2e/", "a%2Fb/", "#top",
         "//evil.example/x/", "javascript:alert(1)"]


def t_autoindex_styles(c):
    """nginx, Apache and http.server pages: the same kernels; stray links ignored"""
    for style in ("nginx", "apache", "python"):
        extra = {"": STRAY, "ubuntu/20.04/x86_64": ["../../../../etc/passwd.btf.tar.xz",
                                                    "%2e%2e.btf.tar.xz"]}
        c.srv.mount("/ai-%s/" % style, rs.StaticTree(c.tree, style, extra))
        _, cache, _ = c.dirs()
        rc, so, se = run(["-s", c.srv.url() + "/ai-" + style, "--list", "--json",
                          "--cache-dir", cache, "-v"])
        assert rc == 0, (style, se)
        want = sorted(k[:-len(".btf.tar.xz")] for k in c.tree)
        assert names(so) == want, (style, names(so))
        assert "autoindex" in se, se
        reqs = c.srv.requests("/ai-%s/" % style)
        assert not [r for r in reqs if "evil" in r["path"] or "?" in r["path"]], reqs
    # The Python pages again, fetched with -j 2 (names with '+' on the way).
    out, cache, _ = c.dirs()
    rc, so, se = run(["-s", c.srv.url() + "/ai-python", "-o", out, "--cache-dir", cache,
                      "--json", "--distro", "debian", "-j", "2"] + FAST)
    s = json.loads(so)
    assert rc == 0 and s["fetched"] == 3, (s, se)
    assert files_under(out) == [n + ".btf" for n in DEB_NAMES]


def t_autoindex_hostile(c):
    """autoindex names that decode to control bytes or '/': refused and escaped"""
    tree = dict(c.deb)
    tree["debian/12/x86_64/ev\x01il.btf.tar.xz"] = b"x"
    tree["debian/12/x86\x7f/r.btf.tar.xz"] = b"x"
    c.srv.mount("/aih/", rs.StaticTree(tree, "nginx"))
    _, cache, _ = c.dirs()
    rc, so, se = run(["-s", c.srv.url() + "/aih", "--list", "--json", "--cache-dir", cache])
    assert rc == 0 and names(so) == DEB_NAMES, (so, se)
    assert "ev\\x01il" in se and "x86\\x7f" in se and "\x01" not in se, se


class RawNames:
    """Directory pages whose hrefs decode to raw bytes (%FF, %0A, %C2%9B), beside a good kernel."""

    BAD = ["6.1.0-%FF-amd64.btf.tar.xz", "6.1.0-%0A-amd64.btf.tar.xz",
           "6.1.0-%C2%9B-amd64.btf.tar.xz"]

    def __init__(self, good, data):
        self.good, self.data = good, data

    def serve(self, h, req, rest):
        pages = {"": ["debian/"], "debian/": ["12/"], "debian/12/": ["x86_64/"],
                 "debian/12/x86_64/": [self.good] + self.BAD}
        if rest in pages:
            body = "".join('<a href="%s">x</a>\n' % n for n in pages[rest]).encode()
            return h.reply(req, 200, {"Content-Type": "text/html"}, body)
        if rest == "debian/12/x86_64/" + self.good or rest[len("debian/12/x86_64/"):] in self.BAD:
            return h.reply(req, 200, {}, self.data)
        return h.reply(req, 404, {}, b"not found\n")


def t_listing_not_utf8(c):
    """names with 0xff, a newline, a C1 control: one escaped refusal each; --json whole"""
    # --json (list and fetch) keeps every field of the rest; the refused are never fetched.
    good = "debian/12/x86_64/6.1.0-56-amd64.btf.tar.xz"
    c.srv.mount("/raw/", RawNames(good.split("/")[-1], c.deb[good]))
    out, cache, _ = c.dirs()
    fields = ["name", "distro", "version", "arch", "release"]
    for args in (["--list", "--json"], ["-o", out, "--json"] + FAST):
        p = subprocess.run([TOOL, "-s", c.srv.url() + "/raw", "--cache-dir", cache] + args,
                           capture_output=True, timeout=60)
        s = json.loads(p.stdout.decode("utf-8"))     # strict: valid UTF-8
        se = p.stderr.decode("utf-8", "surrogateescape")
        assert p.returncode == 0, (args, se)
        assert [k["name"] for k in s["kernels"]] == [DEB_NAMES[0]], (args, s)
        assert all(f in k for k in s["kernels"] for f in fields), (args, s)
        warns = [l for l in se.splitlines() if "ignoring" in l]
        assert len(warns) == 3 and len(se.splitlines()) == 3, (args, se)
        assert b"\xff" not in p.stderr and b"\xc2\x9b" not in p.stderr, (args, p.stderr)
        for esc in ("6.1.0-\\xff-amd64", "6.1.0-\\n-amd64", "6.1.0-\\xc2\\x9b-amd64"):
            assert len([w for w in warns if esc in w]) == 1, (esc, warns)
    assert s["fetched"] == 1 and files_under(out) == [DEB_NAMES[0] + ".btf"], (s, files_under(out))
    assert not [r for r in c.srv.requests("/raw/") if "%" in r["path"]], c.srv.requests("/raw/")


# --- GitHub -----------------------------------------------------------------

def t_github(c):
    """GitHub trees API: listed, raw files via a redirect to another host, token on the API only"""
    repo = rs.GitHubRepo(c.srv, "aquasecurity", "btfhub-archive", "HEAD", c.tree).mount()
    repo.files["README.md"] = b"# BTFHub Archive\n"
    src = "https://github.com/aquasecurity/btfhub-archive"
    out, cache, _ = c.dirs()
    rc, so, se = run(["-s", src, "--list", "--json", "--cache-dir", cache, "--distro", "ubuntu",
                      "--arch", "arm64"], c.gh_env())
    assert rc == 0 and names(so) == ["ubuntu/20.04/arm64/5.4.0-100-generic"], (so, se)
    api = c.srv.requests("/repos/")
    assert [r["path"] for r in api] == \
        ["/repos/aquasecurity/btfhub-archive/git/trees/HEAD?recursive=1"], api
    assert api[0]["auth"] == "Bearer " + TOKEN and api[0]["host"] == "127.0.0.1"
    assert api[0]["accept"] == "application/vnd.github+json" and api[0]["api_version"], api

    rc, so, se = run(["-s", src, "-o", out, "--cache-dir", cache, "--json", "--distro", "debian",
                      "-j", "3"] + FAST, c.gh_env())
    s = json.loads(so)
    assert rc == 0 and s["fetched"] == 3, (s, se)
    assert files_under(out) == [n + ".btf" for n in DEB_NAMES]
    raw = [r for r in c.srv.requests() if r["path"].startswith("/aquasecurity/")]
    cdn = c.srv.requests("/cdn/")
    assert len(raw) == 3 and all(r["host"] == "localhost" and r["status"] == 302 for r in raw), raw
    assert len(cdn) == 3 and all(r["status"] == 200 for r in cdn), cdn
    leaked = [r for r in c.srv.requests() if r["auth"] and not r["path"].startswith("/repos/")]
    assert not leaked, "token sent off the API host: %r" % leaked

    # A re-run costs one conditional request, answered 304: the blobs are the
    # ones fetched and hashed before, so no archive is asked for again.
    n0 = len(c.srv.requests())
    rc, so, se = run(["-s", src, "-o", out, "--cache-dir", cache, "--json", "--distro",
                      "debian"] + FAST, c.gh_env())
    assert rc == 0 and json.loads(so)["cached"] == 3, (so, se)
    again = c.srv.requests()[n0:]
    assert [(r["path"][:7], r["status"]) for r in again] == [("/repos/", 304)], again
    assert again[0]["if_none_match"], again

    # One archive changes upstream: a new blob, fetched again (and only it).
    changed = "debian/12/x86_64/6.1.0-56-amd64"
    assert wrapped("6.1.0-56-amd64", c.btf) != repo.files[changed + ".btf.tar.xz"]
    repo.files[changed + ".btf.tar.xz"] = wrapped("6.1.0-56-amd64", c.btf)
    n0 = len(c.srv.requests())
    rc, so, se = run(["-s", src, "-o", out, "--cache-dir", cache, "--json", "--distro",
                      "debian"] + FAST, c.gh_env())
    s = json.loads(so)
    assert rc == 0 and (s["fetched"], s["cached"]) == (1, 2), (s, se)
    again = c.srv.requests()[n0:]
    assert [r["path"].split("/")[1] for r in again] == ["repos", "aquasecurity", "cdn"], again

    # /tree/REF names the ref; a ref that does not exist is one clear line.
    rc, so, se = run(["-s", src + "/tree/nope", "--list", "--cache-dir", cache], c.gh_env(False))
    assert rc == 1 and len(errors(se)) == 1, se
    assert "/git/trees/nope?recursive=1" in se and "404" in se and "GITHUB_TOKEN" in se, se
    rc, so, se = run(["-s", "https://github.com/aquasecurity", "--list", "--cache-dir", cache])
    assert rc == 2 and "invalid source" in se, se     # a usage error


def t_github_blob_mismatch(c):
    """a GitHub download is checked against its tree entry's git blob SHA-1 before it is pinned or extracted: other bytes are that kernel's error"""
    repo = rs.GitHubRepo(c.srv, "tamper", "archive", "HEAD", c.deb).mount()
    src = "https://github.com/tamper/archive"
    victim = "debian/12/x86_64/6.1.0-56-amd64"
    # Valid archive, other bytes (another kernel's): only the blob SHA can tell.
    other = [p for p in c.deb if p != victim + ".btf.tar.xz" and "/x86_64/" in p][0]
    repo.cdn_files[victim + ".btf.tar.xz"] = c.deb[other]
    out, cache, _ = c.dirs()
    rc, so, se = run(["-s", src, "-o", out, "--cache-dir", cache, "--json", "--distro",
                      "debian"] + FAST, c.gh_env())
    s = json.loads(so)
    errs = errors(se)
    assert rc == 1 and s["failed"] == 1 and s["fetched"] == len(c.deb) - 1, (s, se)
    assert len(errs) == 1 and "git blob SHA-1 mismatch" in errs[0] and victim in errs[0], se
    assert victim + ".btf" not in files_under(out), files_under(out)
    # Nothing was pinned to the wrong bytes: served right, the next run takes them.
    del repo.cdn_files[victim + ".btf.tar.xz"]
    rc, so, se = run(["-s", src, "-o", out, "--cache-dir", cache, "--json", "--distro",
                      "debian"] + FAST, c.gh_env())
    s = json.loads(so)
    assert rc == 0 and s["fetched"] == 1 and s["failed"] == 0, (s, se)
    with open(os.path.join(out, victim + ".btf"), "rb") as f:
        got = f.read()
    assert hashlib.sha256(got).hexdigest() != hashlib.sha256(
        open(os.path.join(out, other[:-len(".tar.xz")]), "rb").read()).hexdigest(), \
        "the kept output is the other kernel's"


def t_github_truncated(c):
    """"truncated": true: the subtrees are walked one by one, and cached by SHA"""
    repo = rs.GitHubRepo(c.srv, "trunc", "archive", "main", c.tree, truncate_over=3).mount()
    src = "https://github.com/trunc/archive/tree/main"
    _, cache, _ = c.dirs()
    rc, so, se = run(["-s", src, "--list", "--json", "--cache-dir", cache], c.gh_env())
    assert rc == 0, se
    assert names(so) == sorted(k[:-len(".btf.tar.xz")] for k in c.tree), names(so)
    paths = [r["path"] for r in c.srv.requests("/repos/trunc/")]
    base = "/repos/trunc/archive/git/trees/"
    assert paths[:2] == [base + "main?recursive=1", base + "main"], paths
    assert base + repo.tree_sha("debian/12/x86_64") + "?recursive=1" in paths, paths
    assert base + repo.tree_sha("debian") in paths, paths   # truncated again below
    n0 = len(paths)
    rc, so2, se = run(["-s", src, "--list", "--json", "--cache-dir", cache], c.gh_env())
    again = c.srv.requests("/repos/trunc/")[n0:]
    assert rc == 0 and so2 == so, se
    assert [(r["path"], r["status"]) for r in again] == \
        [(base + "main?recursive=1", 304), (base + "main", 304)], again


def t_github_cut_not_cached(c):
    """an answer cut short is refused in one line and never cached: the next run asks again"""
    repo = rs.GitHubRepo(c.srv, "cut", "archive", "main", c.tree, truncate_over=3).mount()
    repo.cut_once.add("debian/12/x86_64")
    src = "https://github.com/cut/archive/tree/main"
    base = "/repos/cut/archive/git/trees/"
    sub = base + repo.tree_sha("debian/12/x86_64") + "?recursive=1"
    _, cache, _ = c.dirs()
    rc, so, se = run(["-s", src, "--list", "--json", "--cache-dir", cache], c.gh_env())
    errs = errors(se)
    assert rc == 1 and len(errs) == 1 and "not a git tree" in errs[0] and sub in errs[0], se
    assert not [f for f in files_under(cache) if "/." in "/" + f], files_under(cache)
    n0 = len(c.srv.requests(base))
    rc, so, se = run(["-s", src, "--list", "--json", "--cache-dir", cache], c.gh_env())
    assert rc == 0, se
    assert names(so) == sorted(k[:-len(".btf.tar.xz")] for k in c.tree), names(so)
    again = [(r["path"], r["status"]) for r in c.srv.requests(base)[n0:]]
    assert (sub, 200) in again, again


def t_github_redirect_token(c):
    """the API redirects to another host name: the token does not follow"""
    rs.GitHubRepo(c.srv, "newowner", "archive", "HEAD", c.deb).mount()
    c.srv.mount("/repos/oldowner/archive/git/trees/",
                rs.Redirect(c.srv.url("localhost") + "/repos/newowner/archive/git/trees/"))
    _, cache, _ = c.dirs()
    rc, so, se = run(["-s", "https://github.com/oldowner/archive", "--list", "--json",
                      "--cache-dir", cache], c.gh_env())
    assert rc == 0 and names(so) == DEB_NAMES, (so, se)
    first = c.srv.requests("/repos/oldowner/")
    moved = c.srv.requests("/repos/newowner/")
    assert first[0]["auth"] == "Bearer " + TOKEN and first[0]["status"] == 301, first
    assert moved[0]["host"] == "localhost" and moved[0]["auth"] is None, moved


def t_github_rate_limit(c):
    """403 with X-RateLimit-Remaining: 0, and 429 with Retry-After: one clear line each"""
    repo = rs.GitHubRepo(c.srv, "limited", "archive", "HEAD", c.deb).mount()
    _, cache, _ = c.dirs()
    repo.rate_limited = "primary"
    rc, so, se = run(["-s", "https://github.com/limited/archive", "--list", "--json",
                      "--cache-dir", cache], c.gh_env(False))
    errs = errors(se)
    assert rc == 1 and len(errs) == 1 and json.loads(so)["error"], (so, se)
    for w in ("rate limit exceeded", "HTTP 403", "resets at 2030-01-01 00:00:00 UTC",
              "set GITHUB_TOKEN", "/repos/limited/archive/git/trees/HEAD"):
        assert w in errs[0], (w, errs[0])
    repo.rate_limited = "secondary"
    rc, so, se = run(["-s", "https://github.com/limited/archive", "--list",
                      "--cache-dir", cache], c.gh_env())
    errs = errors(se)
    assert rc == 1 and len(errs) == 1 and "HTTP 429" in errs[0] and \
        "retry after 30 s" in errs[0] and "secondary rate limit" in errs[0], se


def t_github_hostile(c):
    """hostile tree paths: refused and escaped; symlinks and other files skipped"""
    repo = rs.GitHubRepo(c.srv, "hostile", "archive", "HEAD", c.deb).mount()
    repo.hostile_paths = ["../../x/y/z.btf.tar.xz", "debian/12/x86_64/a\x1b]0;pwn\x07.btf.tar.xz",
                          "debian/12/x86_64/deep/r.btf.tar.xz", "debian/12/./r.btf.tar.xz"]
    _, cache, _ = c.dirs()
    rc, so, se = run(["-s", "https://github.com/hostile/archive", "--list", "--json",
                      "--cache-dir", cache], c.gh_env())
    assert rc == 0 and names(so) == DEB_NAMES, (so, se)
    assert len([l for l in se.splitlines() if "ignoring" in l]) == 4, se
    assert "\x1b" not in se and "\x07" not in se and "a\\x1b]0;pwn\\x07" in se, se


# --- bombs and the rest -----------------------------------------------------

def t_listing_bombs(c):
    """endless JSON (index, trees API), endless and bottomless HTML: capped errors; endless malformed answers refused as they stream in"""
    sha = b"ab" * 32
    c.srv.mount("/bj/btfhub-index.json", rs.Endless(
        b'{"format": "btfhub-index", "version": 1, "archives": [',
        b'{"key": "a/b/c/d.btf.tar.xz", "size": 1, "sha256": "%s"},' % sha * 64))
    c.srv.mount("/bh/", rs.Endless(b"<html><body>", b"<a href='x/'>x</a>" * 256))
    c.srv.mount("/bh/btfhub-index.json", rs.Status(404))
    c.srv.mount("/bx/", rs.Endless(b"<html><body>", b"<a href='x/'>x</a>" * 256))
    c.srv.mount("/bd/", rs.Endless(b"", b"", deep=True))
    c.srv.mount("/repos/big/archive/git/trees/",
                rs.Endless(b'{"tree": [', b'{"path": "x", "type": "blob"},' * 64))
    c.srv.mount("/bm/btfhub-index.json", rs.Endless(b'{"format": "btfhub-index", "archives": [',
                                                   b'{"key": "a/b/c/d.btf.tar.xz"},' * 64))
    c.srv.mount("/repos/bad/archive/git/trees/", rs.Endless(b'{"tree": [', b'{"path": "x"},' * 64))
    cases = [(c.srv.url() + "/bj", {}, "/bj/btfhub-index.json", "cap"),
             (c.srv.url() + "/bh", {}, "/bh/", "cap"),
             (c.srv.url() + "/bd", {}, "/bd/", "cap"),
             ("https://github.com/big/archive", c.gh_env(), "/repos/big/archive/git/trees/",
              "cap"),
             (c.srv.url() + "/bm", {}, "/bm/btfhub-index.json", "archives[0]: want"),
             (c.srv.url() + "/bx", {}, "/bx/btfhub-index.json", "invalid index: not a JSON"),
             ("https://github.com/bad/archive", c.gh_env(), "/repos/bad/archive/git/trees/",
              "tree[0]: no \"path\" or \"type\"")]
    for src, env, where, why in cases:
        _, cache, _ = c.dirs()
        t0 = time.monotonic()
        rc, so, se = run(["-s", src, "--list", "--cache-dir", cache, "--max-listing", "2M",
                          "--distro", "x"], env, timeout=60)
        errs = errors(se)
        assert rc == 1 and len(errs) == 1 and why in errs[0], (src, se)
        assert where in errs[0], (where, errs[0])
        assert time.monotonic() - t0 < 30, "took %.1fs" % (time.monotonic() - t0)
        assert not [f for f in files_under(cache) if f.endswith(".body") or "/." in f], \
            files_under(cache)


def t_literal_no_listing(c):
    """four literal names over HTTP ask for the archive only, as before"""
    c.srv.mount("/lit/", rs.StaticTree(c.deb))
    out, cache, _ = c.dirs()
    rc, so, se = run(["-s", c.srv.url() + "/lit", "-o", out, "--cache-dir", cache, "--json",
                      "--distro", "debian", "--version", "bookworm", "--arch", "amd64",
                      "--release", "6.1.0-56-amd64"] + FAST)
    assert rc == 0 and json.loads(so)["fetched"] == 1, (so, se)
    assert [r["path"] for r in c.srv.requests("/lit/")] == \
        ["/lit/debian/12/x86_64/6.1.0-56-amd64.btf.tar.xz"], c.srv.requests("/lit/")
    rc, so, se = run(["-s", c.srv.url() + "/none", "--list", "--json", "--cache-dir", cache])
    assert rc == 1 and "no btfhub-index.json and no directory listing" in se, se
    assert json.loads(so)["error"]


def t_fuzz_listing_replay(c):
    """the listing fuzz target replays hostile bodies of all three parsers: no crash"""
    if not REPLAY:
        raise tap.Skip("no fuzz-listing-replay given")
    _, _, d = c.dirs()
    good_tree = json.dumps(rs.GitHubRepo(c.srv, "o", "r", "HEAD", c.tree).tree(
        "http://api", "", True)).encode()
    deep = b"<a href='" + b"x/" * 5000 + b"'>" + b"<div>" * 20000
    inputs = {
        "index-good": b"\0" + index_of(c.tree),
        "index-hostile": b"\0" + json.dumps({"format": "btfhub-index", "version": 1, "archives": [
            {"key": k, "size": 1, "sha256": "ab" * 32} for k in
            ("../a/b/c.btf.tar.xz", "a/b/c/\u0000.btf.tar.xz", "a/b/c/" + "r" * 5000 +
             ".btf.tar.xz", "a/b/c/d.btf.tar.xz")]}).encode(),
        "index-types": b"\0" + b'{"format": 1, "version": "1", "archives": {"key": []}}',
        "index-cut": b"\0" + index_of(c.tree)[:300],
        "tree-good": b"\1" + good_tree,
        "tree-hostile": b"\1" + json.dumps({"tree": [
            {"path": p, "type": t, "sha": "x", "size": -5, "mode": m} for p, t, m in
            (("../../e/t/c.btf.tar.xz", "blob", "100644"), ("a/b/c/d.btf.tar.xz", "blob", 7),
             ("a/b/c/l.btf.tar.xz", "blob", "120000"), (None, "blob", None),
             ("a/b/c/d.btf.tar.xz", "tree", "040000"))], "truncated": "yes"}).encode(),
        "tree-dup-keys": b"\1" + b'{"tree": [], "tree": []}',
        "html-nginx": b"\2" + rs.StaticTree(c.tree, "nginx").page("debian", "/debian/"),
        "html-apache": b"\2" + rs.StaticTree(c.tree, "apache").page("debian", "/debian/"),
        "html-links": b"\2" + "".join("<a href='%s'>x</a>" % h for h in STRAY).encode(),
        "html-deep": b"\2" + deep,
        "html-binary": b"\2" + bytes(range(256)) * 64,
        "empty": b"",
    }
    fixtures.replay(REPLAY, d, inputs)


CASES = [v for k, v in sorted(globals().items()) if k.startswith("t_")]
CASES.sort(key=lambda f: f.__code__.co_firstlineno)
if os.environ.get("FETCH_TESTS"):   # a developer's filter: names containing this
    CASES = [f for f in CASES if os.environ["FETCH_TESTS"] in f.__name__]


def main():
    tmp = tempfile.mkdtemp(prefix="btfkit-remote-")
    try:
        with rs.Server() as srv:
            return tap.run(CASES, Ctx(srv, tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
