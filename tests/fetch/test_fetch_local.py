#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""btfhub-fetch's command line, manifest and local-directory source (TAP):
usage errors, SIGTERM, --add, broken manifests, the ../shared sample and
the repository's fixtures as a tree, -j, --prune.

Usage: test_fetch_local.py PATH/TO/btfhub-fetch [PATH/TO/fuzz-extract-replay]
"""
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fetchlib                      # noqa: E402
import fixtures                      # noqa: E402
from fetchlib import REL, S_REL, TOOL, Skip, files_under, kernel, run, sha256, write_manifest  # noqa: E402


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
        # Streamed one kernel at a time, in the bytes jansson's JSON_INDENT(2) gives.
        assert so == json.dumps(json.loads(so), indent=2, ensure_ascii=False) + "\n", so
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



if __name__ == "__main__":
    sys.exit(fetchlib.main(sys.modules[__name__]))
