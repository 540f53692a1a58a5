#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""btfhub-fetch refusing what is not one regular .btf member (TAP): corrupt
xz, hostile tar members, bombs and lying headers, a full disk, a wrong
SHA-256, and the extract fuzz target replaying hostile archives.

Usage: test_fetch_extract.py PATH/TO/btfhub-fetch [PATH/TO/fuzz-extract-replay]
"""
import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fetchlib                      # noqa: E402
import fixtures                      # noqa: E402
from fetchlib import FAST, REL, REPLAY, S_REL, TOOL, Skip, expect_failure, files_under, \
    kernel, sha256, write_manifest  # noqa: E402


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
    """an 85 KB archive of 500 MB of zeros: fails on its first block, RSS near baseline"""
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


if __name__ == "__main__":
    sys.exit(fetchlib.main(sys.modules[__name__]))
