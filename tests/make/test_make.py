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
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "fetch"))
sys.path.insert(0, HERE)
import fixtures                      # noqa: E402
import tap                           # noqa: E402  (fixtures put tests/lib on the path)
import synth                         # noqa: E402
from fixtures import files_under     # noqa: E402

MAKE = os.path.abspath(sys.argv[1])
FETCH = os.path.abspath(sys.argv[2])
RSS_RUN = os.path.abspath(sys.argv[3]) if len(sys.argv) > 3 else None
BUILD = os.path.abspath(sys.argv[4]) if len(sys.argv) > 4 else None      # btfkit-build
PROBE = os.path.abspath(sys.argv[5]) if len(sys.argv) > 5 else None      # a CO-RE object
REPLAY = os.path.abspath(sys.argv[6]) if len(sys.argv) > 6 else None     # fuzz-make-replay
Skip = tap.Skip
# The committed fixtures (tests/data/make-fixtures.sh): real Debian 12 kernels,
# packed with --xz-preset 9 (FIXTURE_XZ: the cases that compare bytes with them
# ask for it; the default preset is checked against the xz CLI instead).
FIXTURE_XZ = ["--xz-preset", "9"]
X86 = ["6.1.0-56-amd64", "6.1.0-56-cloud-amd64", "6.12.117+deb12-cloud-amd64"]
ARM = ["6.1.0-56-arm64", "6.12.117+deb12-arm64"]


def run(args, tool=MAKE, timeout=300):
    p = subprocess.run([tool] + args, capture_output=True, text=True, timeout=timeout,
                       errors="surrogateescape")
    return p.returncode, p.stdout, p.stderr


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
            rc, so, se = run(["-o", out, "--key", "debian/12/%s/%s" % (arch, rel), "--json"] +
                             FIXTURE_XZ + [c.btf(rel, arch)])
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


def t_output_feeds_btfkit_build(c):
    """btfkit-build -s OUT (directory and file:// mirror) reduces every kernel made"""
    if not BUILD or not PROBE:
        raise Skip("no btfkit-build / BPF object given")
    d = c.dir()
    out = os.path.join(d, "out")
    rc, _, se = run(["-o", out, "--key", "debian/12/x86_64/" + X86[1], c.btf(X86[1])])
    assert rc == 0, se
    for i, src in enumerate((out, "file://" + out)):
        red = os.path.join(d, "reduced%d" % i)
        rc, so, se = run(["-s", src, "-o", red, "--cache-dir", red + ".cache", "--arch", "x86_64",
                          "--all-kernels", PROBE], tool=BUILD)
        assert rc == 0, (so, se)
        made = [f for f in files_under(red) if not f.startswith(".")]
        assert made == ["debian/12/x86_64/%s.btf" % X86[1]], files_under(red)
        assert 0 < os.path.getsize(os.path.join(red, made[0])) < len(read(c.btf(X86[1])))


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


# --- formats, on a small real BTF (pahole's of a tiny object) and the real ones ---

def small_btf(c):
    """Real BTF made by pahole from a small object's DWARF (cached per run)."""
    if not hasattr(c, "_small"):
        d = os.path.join(c.tmp, "small")
        os.makedirs(d, exist_ok=True)
        c.dwarf = synth.dwarf_object(d)
        obj = write(os.path.join(d, "dwarf-only.o"), c.dwarf)
        out = os.path.join(d, "small.btf")
        p = subprocess.run(["pahole", "--btf_encode_detached", out, obj], capture_output=True)
        if p.returncode:
            raise Skip("pahole cannot encode BTF here: %r" % p.stderr)
        c._small = read(out)
    return c._small


def member(archive):
    """The (name, bytes) of a made archive's one member."""
    import tarfile
    with tarfile.open(archive, "r:xz") as t:
        m = t.getmembers()
        assert len(m) == 1 and m[0].isfile(), m
        assert (m[0].mtime, m[0].uid, m[0].gid, m[0].mode) == (0, 0, 0, 0o644), m[0]
        return m[0].name, t.extractfile(m[0]).read()


def make_one(c, data, name, args=(), expect=0):
    """Run btfhub-make on @data (written as @name); returns (summary kernel, out, stderr)."""
    d = c.dir()
    out = os.path.join(d, "out")
    p = write(os.path.join(d, name), data)
    rc, so, se = run(["-o", out, "--json"] + list(args) + [p])
    s = json.loads(so)
    assert rc == expect, (rc, so, se)
    return s["kernels"][0], out, se


def check_made(k, out, key, btf):
    assert k["status"] == "made" and k["key"] == key, k
    name, data = member(os.path.join(out, key + ".btf.tar.xz"))
    assert name == key.split("/")[3] + ".btf" and data == btf, (name, len(data))


def t_bzimage_each_codec(c):
    """x86 bzImage with a gzip, xz, zstd, lz4 (legacy frame) and bzip2 payload -> its vmlinux's .BTF"""
    btf = small_btf(c)
    vmlinux = synth.elf([(".text", b"\x90" * 4096), (".BTF", btf), (".data", b"d" * 100)])
    for codec in synth.CODECS:
        key = "debian/12/x86_64/6.1.0-test-" + codec
        k, out, se = make_one(c, synth.bzimage(synth.compress(vmlinux, codec)), "vmlinuz",
                              ["--key", key])
        check_made(k, out, key, btf)
        assert k["how"] == "bzimage:%s:elf" % codec, k


def t_bzimage_real_btf(c):
    """a bzImage around a real kernel's BTF (6.12, zstd, as Debian ships it) -> the fixture's bytes"""
    rel = X86[2]
    vmlinux = synth.elf([(".text", b"\x90" * 65536), (".BTF", read(c.btf(rel)))])
    k, out, se = make_one(c, synth.bzimage(synth.compress(vmlinux, "zstd")), "vmlinuz-" + rel,
                          ["--key", "debian/12/x86_64/" + rel] + FIXTURE_XZ)
    assert read(os.path.join(out, "debian/12/x86_64", rel + ".btf.tar.xz")) == read(fixture(rel))


def t_arm64_images(c):
    """arm64 Image raw (BTF found past a decoy magic), Image.gz, EFI zboot (gzip, zstd)"""
    btf = small_btf(c)
    image = synth.arm64_image(btf)
    for name, data, how in (("Image", image, "image"),
                            ("Image.gz", synth.compress(image, "gzip"), "gzip:image"),
                            ("vmlinuz.efi", synth.zboot(image, "gzip"), "zboot:gzip:image"),
                            ("vmlinuz.zst.efi", synth.zboot(image, "zstd"), "zboot:zstd:image")):
        key = "debian/12/arm64/6.1.0-test-" + name.replace(".", "-")
        k, out, se = make_one(c, data, name, ["--key", key])
        check_made(k, out, key, btf)
        assert k["how"] == how, (name, k)


def t_vmlinux_elf_and_raw(c):
    """a vmlinux ELF -> its .BTF section; aarch64 in --key is filed as arm64"""
    btf = small_btf(c)
    k, out, _ = make_one(c, synth.elf([(".text", b"x" * 64), (".BTF", btf)]), "vmlinux",
                         ["--key", "ubuntu/22.04/aarch64/5.15.0-91-generic"])
    check_made(k, out, "ubuntu/22.04/arm64/5.15.0-91-generic", btf)
    assert k["how"] == "elf", k


def t_dwarf_through_pahole(c):
    """DWARF-only vmlinux -> pahole --btf_encode_detached, byte-equal to pahole run by hand; version recorded"""
    btf = small_btf(c)
    ver = subprocess.run(["pahole", "--version"], capture_output=True, text=True).stdout.strip()
    k, out, _ = make_one(c, c.dwarf, "vmlinux", ["--key", "debian/12/x86_64/6.1.0-dwarf"])
    check_made(k, out, "debian/12/x86_64/6.1.0-dwarf", btf)
    assert k["how"] == "dwarf:pahole=" + ver.lstrip("v"), k
    # --pahole names another one; a missing one is one clear line
    k, out, se = make_one(c, c.dwarf, "vmlinux", ["--key", "debian/12/x86_64/x",
                                                  "--pahole", "/nonexistent/pahole"], expect=1)
    errs = errors(se)
    assert len(errs) == 1 and "/nonexistent/pahole" in errs[0] and "not found" in errs[0], se
    # a pahole that fails: its last words on the one line
    fake = write(os.path.join(c.tmp, "fake-pahole"),
                 b"#!/bin/sh\n[ \"$1\" = --version ] && { echo v9.99; exit 0; }\n"
                 b"echo 'die: no DWARF for you' >&2; exit 3\n")
    os.chmod(fake, 0o755)
    k, out, se = make_one(c, c.dwarf, "vmlinux", ["--key", "debian/12/x86_64/x",
                                                  "--pahole", fake], expect=1)
    errs = errors(se)
    assert len(errs) == 1 and "no DWARF for you" in errs[0] and "vmlinux" in errs[0], se
    assert files_under(out) == ["btfhub-index.json"], files_under(out)


def t_deb_keys(c):
    """.deb: key from control fields and file names; the version table (12, 13, 11); none -> --key"""
    btf = small_btf(c)
    vmlinuz = synth.bzimage(synth.compress(synth.elf([(".BTF", btf)]), "xz"))
    for rel, ver, want in (("6.1.0-56-amd64", "6.1.192-2", "12"),
                           ("6.12.57-amd64", "6.12.57-1", "13"),
                           ("6.1.0-0.deb11.48-amd64", "6.1.172-1~deb11u1", "11"),
                           ("6.12.117+deb12-amd64", "6.12.117-1~deb12u1", "12")):
        k, out, _ = make_one(c, synth.image_deb(rel, vmlinuz, ver), "k.deb")
        check_made(k, out, "debian/%s/x86_64/%s" % (want, rel), btf)
        assert k["how"] == "deb:vmlinuz:bzimage:xz:elf", k
    # a version no rule knows: an error naming the part, never a guess; --key settles it
    pkg = synth.image_deb("7.3.0-1-amd64", vmlinuz, "7.3.1-1")
    k, out, se = make_one(c, pkg, "new.deb", expect=1)
    assert "does not say its kernel's version: give --key" in errors(se)[0], se
    k, out, _ = make_one(c, pkg, "new.deb", ["--key", "debian/14/x86_64/7.3.0-1-amd64"])
    check_made(k, out, "debian/14/x86_64/7.3.0-1-amd64", btf)
    # arm64 package: Architecture arm64, raw Image inside
    pkg = synth.image_deb("6.1.0-56-arm64", synth.arm64_image(btf), arch="arm64")
    k, out, _ = make_one(c, pkg, "arm.deb")
    check_made(k, out, "debian/12/arm64/6.1.0-56-arm64", btf)


def t_dbg_deb_and_ddeb(c):
    """Debian -dbg .deb and Ubuntu .ddeb: usr/lib/debug/boot/vmlinux-R through pahole"""
    btf = small_btf(c)
    k, out, _ = make_one(c, synth.dbg_deb("6.1.0-56-amd64", c.dwarf), "k-dbg.deb")
    check_made(k, out, "debian/12/x86_64/6.1.0-56-amd64", btf)
    assert k["how"].startswith("deb:vmlinux-dbg:dwarf:pahole="), k
    k, out, _ = make_one(c, synth.dbg_deb("5.15.0-91-generic", c.dwarf, "5.15.0-91.101",
                                          ubuntu=True), "k.ddeb")
    check_made(k, out, "ubuntu/22.04/x86_64/5.15.0-91-generic", btf)
    k, out, _ = make_one(c, synth.dbg_deb("5.15.0-91-generic", c.dwarf, "5.15.0-91.101~20.04.1",
                                          ubuntu=True), "hwe.ddeb")
    check_made(k, out, "ubuntu/20.04/x86_64/5.15.0-91-generic", btf)


def t_rpm(c):
    """RPM kernel-core (lib/modules/R/vmlinuz) and kernel-debuginfo (DWARF): key from the header"""
    btf = small_btf(c)
    vmlinuz = synth.bzimage(synth.compress(synth.elf([(".BTF", btf)]), "gzip"))
    rel = "5.14.0-362.8.1.el9_3.x86_64"
    pkg = synth.rpm("kernel-core", "5.14.0", "362.8.1.el9_3", "x86_64",
                    [("./lib/modules/%s/vmlinuz" % rel, vmlinuz)],
                    vendor="Rocky Enterprise Software Foundation")
    k, out, _ = make_one(c, pkg, "kernel-core.rpm")
    check_made(k, out, "rocky/9/x86_64/" + rel, btf)
    assert k["how"] == "rpm:vmlinuz:bzimage:gzip:elf", k
    rel = "6.5.6-300.fc39.aarch64"
    pkg = synth.rpm("kernel-debuginfo", "6.5.6", "300.fc39", "aarch64",
                    [("./usr/lib/debug/lib/modules/%s/vmlinux" % rel, c.dwarf)], compressor="gzip")
    k, out, _ = make_one(c, pkg, "kernel-debuginfo.rpm")
    check_made(k, out, "fedora/39/arm64/" + rel, btf)
    # an .el kernel of a vendor the table does not know: --key, not a guess
    pkg = synth.rpm("kernel", "4.18.0", "513.el8", "x86_64",
                    [("./boot/vmlinuz-4.18.0-513.el8.x86_64", vmlinuz)], vendor="Somebody")
    k, out, se = make_one(c, pkg, "k.rpm", expect=1)
    assert "distro: give --key" in errors(se)[0], se


def t_prefer_image_or_dbg(c):
    """an image .deb and its -dbg .deb: the image's .BTF kept (default), DWARF with --prefer dbg"""
    dwarf_btf = small_btf(c)
    d = c.dir()
    obj = synth.dwarf_object(d, "struct extra_type { int only_in_the_image; } extra;\n")
    p = subprocess.run(["pahole", "--btf_encode_detached", d + "/img.btf", d + "/dwarf%d.o" % len(
        "struct extra_type { int only_in_the_image; } extra;\n")], capture_output=True)
    assert p.returncode == 0, p.stderr
    image_btf = read(d + "/img.btf")
    assert image_btf != dwarf_btf
    rel = "6.1.0-56-amd64"
    img = write(os.path.join(d, "linux-image.deb"), synth.image_deb(
        rel, synth.bzimage(synth.compress(synth.elf([(".BTF", image_btf)]), "gzip"))))
    dbg = write(os.path.join(d, "linux-image-dbg.deb"), synth.dbg_deb(rel, c.dwarf))
    # one vmlinux with both .BTF and DWARF (a -dbg vmlinux of a BTF-enabled kernel)
    both = os.path.join(d, "vmlinux-both")
    subprocess.run(["objcopy", "--add-section", ".BTF=" + d + "/img.btf",
                    os.path.join(c.tmp, "small", "dwarf-only.o"), both], check=True)
    out = os.path.join(d, "both")
    for prefer, want, how in ((None, image_btf, "elf"), ("dbg", dwarf_btf, "dwarf:pahole=")):
        rc, so, se = run(["-o", out, "--json", "--key", "debian/12/x86_64/both", both] +
                         (["--prefer", prefer] if prefer else []))
        k = json.loads(so)["kernels"][0]
        assert rc == 0 and k["how"].startswith(how) and k["status"] == "made", (so, se)
        assert member(os.path.join(out, "debian/12/x86_64/both.btf.tar.xz"))[1] == want
    for prefer, want in ((None, image_btf), ("dbg", dwarf_btf)):
        for order in ([img, dbg], [dbg, img]):
            out = os.path.join(d, "out-%s-%s" % (prefer, os.path.basename(order[0])))
            args = ["-o", out, "--json", "-j", "2"] + (["--prefer", prefer] if prefer else [])
            rc, so, se = run(args + order)
            s = json.loads(so)
            assert rc == 0 and s["skipped"] + s["made"] == 2 and s["made"] >= 1, (so, se)
            assert member(os.path.join(out, "debian/12/x86_64", rel + ".btf.tar.xz"))[1] == want


def debs_dir():
    for d in ("make-debs", "debs"):
        p = os.path.join(os.environ.get("BTFKIT_CACHE") or os.path.join(
            os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "btfkit"), d)
        if os.path.isdir(p):
            yield p


def real_deb(pkg):
    for d in debs_dir():
        for f in sorted(os.listdir(d)):
            if f.startswith(pkg + "_") and f.endswith(".deb"):
                return os.path.join(d, f)
    raise Skip("%s not in ~/.cache/btfkit/{make-debs,debs} (tests/data/make-fixtures.sh downloads it)"
               % pkg)


def real_debs_made(c, rels, arch, fixture_arch):
    """Make the real .debs of @rels in one run (RSS checked); each archive == its fixture."""
    debs = [real_deb("linux-image-%s-unsigned" % r) for r in rels]
    d = c.dir()
    out = os.path.join(d, "out")
    rc, so, se = rss_run(c, ["-o", out, "--json", "-j", "4"] + FIXTURE_XZ + debs)
    s = json.loads(so)
    assert rc == 0 and s["made"] == len(rels), (so, se)
    for r in rels:
        assert read(os.path.join(out, "debian/12", arch, r + ".btf.tar.xz")) == \
            read(fixture(r, fixture_arch)), r
    return out, debs


def t_real_debian_debs(c):
    """real Debian linux-image .debs (lz4, xz, zstd payloads) -> the committed fixtures' very bytes"""
    out, debs = real_debs_made(c, X86, "x86_64", "x86_64")
    # nothing new: nothing rewritten, the index left alone
    st = os.stat(os.path.join(out, "btfhub-index.json"))
    rc, so, se = run(["-o", out, "--json"] + FIXTURE_XZ + debs)
    s = json.loads(so)
    assert rc == 0 and s["unchanged"] == 3 and s["made"] == 0, (so, se)
    assert os.stat(os.path.join(out, "btfhub-index.json")).st_ino == st.st_ino


def t_real_debian_arm64_debs(c):
    """real Debian arm64 linux-image .debs (uncompressed Image) -> the committed aarch64 fixtures"""
    real_debs_made(c, ARM, "arm64", "aarch64")


def rss_run(c, args, limit_kb=256 * 1024, env=None):
    """Run btfhub-make under tests/lib/rss_run and assert its peak RSS."""
    if not RSS_RUN:
        return run(args)
    f = os.path.join(c.tmp, "rss.txt")
    p = subprocess.run([RSS_RUN, f, MAKE] + args, capture_output=True, text=True,
                       timeout=600, errors="surrogateescape", env=env)
    kb = int(read(f).split()[0])
    assert kb <= limit_kb, "peak RSS %d KB over %d KB" % (kb, limit_kb)
    return p.returncode, p.stdout, p.stderr


def xz_dict(n, own):
    """writer.c's dictionary for an @n-byte tar: 2^k or 3 * 2^(k-1) >= n, 4 KiB to @own."""
    d = 4096
    while d < n and d < own:
        d = d // 3 * 4 if d & (d - 1) else d * 3 // 2
    return min(d, own)


def t_xz_presets(c):
    """--xz-preset: the default (0), 3 and 9e are the xz CLI's bytes with the dictionary cut to the tar; a new preset makes the archive again"""
    rel = X86[1]
    btf = c.btf(rel)
    d = c.dir()
    shutil.copyfile(btf, os.path.join(d, rel + ".btf"))
    tar = subprocess.run(["tar", "--format=gnu", "--mtime=@0", "--owner=0", "--group=0",
                          "--numeric-owner", "--mode=0644", "-C", d, "-cf", "-", rel + ".btf"],
                         capture_output=True, check=True).stdout
    out = os.path.join(d, "out")
    key = "debian/12/x86_64/" + rel
    arc = os.path.join(out, key + ".btf.tar.xz")
    sizes = {}
    # liblzma's own dictionaries: preset 0 256 KiB, 3 4 MiB, 9 64 MiB
    for preset, own in ((None, 256 << 10), ("3", 4 << 20), ("9e", 64 << 20)):
        args = ["--xz-preset", preset] if preset else []
        rc, so, se = run(["-o", out, "--key", key, "--json"] + args + [btf])
        s = json.loads(so)
        # the preset is part of the stamp: another preset is not "unchanged"
        assert rc == 0 and s["made"] == 1, (preset, so, se)
        want = subprocess.run(["xz", "-T1", "--lzma2=preset=%s,dict=%d" % (
            preset or "0", xz_dict(len(tar), own))], input=tar, capture_output=True,
            check=True).stdout
        assert read(arc) == want, preset
        sizes[preset] = len(want)
    # 9e's 64 MiB became the tar's size rounded up: ~10x less memory
    assert len(tar) <= xz_dict(len(tar), 64 << 20) < 2 * len(tar), len(tar)
    assert sizes["9e"] < sizes["3"] < sizes[None], sizes
    for bad in ("10", "a", "9ee", "-1", "", "e"):
        rc, so, se = run(["-o", out, "--key", key, "--xz-preset", bad, btf])
        assert rc == 2 and "--xz-preset" in errors(se)[0], (bad, rc, se)


def t_peak_rss_perturbed(c):
    """own peak RSS under MALLOC_PERTURB_ (every allocated byte touched): 3 real 4-6 MB BTFs in packages, -j 4, default and 9e presets: <= 256 MB"""
    if not RSS_RUN:
        raise Skip("no rss_run")
    d = c.dir()
    debs = []
    for rel, arch in [(r, "x86_64") for r in X86[:2]] + [(ARM[1], "aarch64")]:
        vmlinux = synth.elf([(".text", b"\x90" * 4096), (".BTF", read(c.btf(rel, arch)))])
        ver = "6.12.117-1~deb12u1" if rel.startswith("6.12") else "6.1.192-2"
        debs.append(write(os.path.join(d, rel + ".deb"), synth.image_deb(
            rel, synth.bzimage(synth.compress(vmlinux, "zstd")), ver)))
    env = dict(os.environ, MALLOC_PERTURB_="165")
    for preset in ("0", "9e"):
        out = os.path.join(d, "out" + preset)
        rc, so, se = rss_run(c, ["-o", out, "--json", "-j", "4", "--xz-preset", preset] + debs,
                             env=env)
        s = json.loads(so)
        assert rc == 0 and s["made"] == len(debs), (preset, so, se)
        kb = int(read(os.path.join(c.tmp, "rss.txt")).split()[0])
        tap.diag("--xz-preset %s: peak RSS %d KB" % (preset, kb))


def t_incremental_identity(c):
    """re-run: skipped by inode+size+ctime; an input rewritten in place, or an archive changed, is made again"""
    btf = small_btf(c)
    d = c.dir()
    out = os.path.join(d, "out")
    src = write(os.path.join(d, "vmlinux"), synth.elf([(".BTF", btf)]))
    key = "debian/12/x86_64/6.1.0-inc"
    arc = os.path.join(out, key + ".btf.tar.xz")
    stamps = os.path.join(out, ".btfhub-make", "stamps")
    # an input read within a second of its last change gets no identity stamp (fileid.h)
    rc, so, _ = run(["-o", out, "--key", key, "--json", src])
    assert json.loads(so)["kernels"][0]["status"] == "made", so
    assert not os.path.isdir(stamps) or os.listdir(stamps) == [], os.listdir(stamps)
    time.sleep(1.2)
    for want in ("unchanged", "unchanged"):
        rc, so, _ = run(["-o", out, "--key", key, "--json", src])
        assert json.loads(so)["kernels"][0]["status"] == want, so
    assert len(os.listdir(stamps)) == 1, os.listdir(stamps)
    ino = os.stat(arc).st_ino
    # rewritten in place with the same bytes: ctime moves, the input is read again,
    # and the archive it gives is the same: left alone
    write(src, read(src))
    rc, so, _ = run(["-o", out, "--key", key, "--json", src])
    assert json.loads(so)["kernels"][0]["status"] == "unchanged" and os.stat(arc).st_ino == ino
    # the archive damaged behind our back: made again
    with open(arc, "r+b") as f:
        f.write(b"X")
    rc, so, _ = run(["-o", out, "--key", key, "--json", src])
    assert json.loads(so)["kernels"][0]["status"] == "made", so
    assert member(arc)[1] == btf
    # a different key for the same file is another output, not "unchanged"
    rc, so, _ = run(["-o", out, "--key", key + "b", "--json", src])
    assert json.loads(so)["kernels"][0]["status"] == "made", so


def t_shards_and_merge(c):
    """--shard I/N splits inputs by name; merged trees + --index == one unsharded run's index"""
    btf = small_btf(c)
    d = c.dir()
    debs = []
    for i in range(6):
        rel = "6.1.0-%d-amd64" % i
        vmlinuz = synth.bzimage(synth.compress(synth.elf([(".BTF", btf), (".x", b"%d" % i)]), "gzip"))
        debs.append(write(os.path.join(d, "linux-image-%s.deb" % rel), synth.image_deb(rel, vmlinuz)))
    whole = os.path.join(d, "whole")
    rc, _, se = run(["-o", whole, "-j", "2"] + debs)
    assert rc == 0, se
    merged = os.path.join(d, "merged")
    got = []
    for i in range(3):
        out = os.path.join(d, "shard%d" % i)
        rc, so, se = run(["-o", out, "--shard", "%d/3" % i, "--json"] + debs)
        assert rc == 0, se
        got += [k["key"] for k in json.loads(so)["kernels"]]
        shutil.copytree(out, merged, dirs_exist_ok=True)
    assert sorted(got) == sorted(set(got)) and len(got) == 6, got
    rc, _, se = run(["-o", merged, "--index"])
    assert rc == 0, se
    assert read(os.path.join(merged, "btfhub-index.json")) == read(os.path.join(whole, "btfhub-index.json"))


def t_kill9_leaves_nothing_half_written(c):
    """kill -9 while an archive is written: no file at its path; the next run completes and sweeps the temp"""
    d = c.dir()
    out = os.path.join(d, "out")
    key = "debian/12/x86_64/" + X86[0]
    arc = os.path.join(out, key + ".btf.tar.xz")
    dest = os.path.dirname(arc)
    p = subprocess.Popen([MAKE, "-o", out, "--key", key] + FIXTURE_XZ + [c.btf(X86[0])],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # wait for the temporary file, then kill
    for _ in range(400):
        if os.path.isdir(dest) and [f for f in os.listdir(dest) if f.startswith(".")]:
            break
        time.sleep(0.05)
    p.kill()
    p.wait()
    assert not os.path.exists(arc), "a half-written archive at its final path"
    left = os.listdir(dest)
    assert left and all(f.startswith(".") for f in left), left
    rc, so, se = run(["-o", out, "--key", key, "-v"] + FIXTURE_XZ + [c.btf(X86[0])])
    assert rc == 0 and read(arc) == read(fixture(X86[0])), se
    assert os.listdir(dest) == [os.path.basename(arc)], os.listdir(dest)
    assert "left by a killed run" in se, se
    # An unlocked temporary file no older than the run is a writer between
    # creating it and taking its lock (another job, another run): never swept.
    young = os.path.join(dest, "." + os.path.basename(arc) + ".Young1")
    write(young, b"being written")
    t = time.time() + 3600
    os.utime(young, (t, t))
    rc, so, se = run(["-o", out, "--key", key, "--force", "-v"] + FIXTURE_XZ + [c.btf(X86[0])])
    assert rc == 0 and os.path.exists(young) and "left by a killed run" not in se, se


def t_fuzz_replay_mutations(c):
    """mutated packages, images and ELF files through the fuzz target: archive or nothing, never a crash"""
    if not REPLAY:
        raise Skip("no fuzz-make-replay given")
    import random
    rnd = random.Random(23)
    btf = small_btf(c)
    vmlinux = synth.elf([(".text", b"x" * 256), (".BTF", btf)])
    seeds = [vmlinux, btf, c.dwarf, synth.arm64_image(btf), synth.zboot(synth.arm64_image(btf)),
             synth.image_deb("6.1.0-1-amd64", synth.bzimage(synth.compress(vmlinux, "xz"))),
             synth.rpm("kernel-core", "5.14.0", "362.el9", "x86_64",
                       [("./lib/modules/5.14.0-362.el9.x86_64/vmlinuz",
                         synth.bzimage(synth.compress(vmlinux, "gzip")))], vendor="CentOS")]
    seeds += [synth.bzimage(synth.compress(vmlinux, codec)) for codec in synth.CODECS]
    inputs = {}
    for i, seed in enumerate(seeds):
        inputs["seed%02d" % i] = seed
        for j in range(12):
            b = bytearray(seed)
            how = j % 3
            if how == 0:        # flip bytes
                for _ in range(1 + j):
                    b[rnd.randrange(len(b))] ^= 1 << rnd.randrange(8)
            elif how == 1:      # truncate
                b = b[:rnd.randrange(1, len(b))]
            else:               # overwrite a 32-bit field with a huge value
                off = rnd.randrange(max(1, len(b) - 4))
                b[off:off + 4] = rnd.choice([b"\xff\xff\xff\x7f", b"\0\0\0\x80", b"\xff" * 4])
            inputs["mut%02d-%02d" % (i, j)] = bytes(b)
    d = c.dir()
    paths = [write(os.path.join(d, n), data) for n, data in sorted(inputs.items())]
    p = subprocess.run([REPLAY] + paths, capture_output=True, text=True, timeout=900,
                       errors="surrogateescape")
    assert p.returncode == 0 and "replayed %d" % len(paths) in p.stdout, (p.returncode, p.stderr)


# --- hostile inputs: one line naming the file, nothing half-written ----------

def expect_hostile(c, data, name, words, args=("--key", "debian/12/x86_64/6.1.0-bad"), rss=False):
    d = c.dir()
    out = os.path.join(d, "out")
    p = write(os.path.join(d, name), data)
    argv = ["-o", out, "--json"] + list(args) + [p]
    rc, so, se = rss_run(c, argv) if rss else run(argv)
    s = json.loads(so)
    errs = errors(se)
    assert rc == 1 and s["failed"] == 1, (rc, so, se)
    assert len(errs) == 1 and p in errs[0], se
    for w in words:
        assert w in errs[0], (w, errs[0])
    assert files_under(out) == ["btfhub-index.json"], files_under(out)
    return errs[0]


def t_hostile_packages(c):
    """truncated and garbage packages, ../ and absolute members, a symlinked vmlinuz"""
    btf = small_btf(c)
    vmlinuz = synth.bzimage(synth.compress(synth.elf([(".BTF", btf)]), "xz"))
    good = synth.image_deb("6.1.0-56-amd64", vmlinuz)
    expect_hostile(c, good[:len(good) // 2], "truncated.deb", [], args=())
    expect_hostile(c, b"!<arch>\n" + os.urandom(3000), "garbage.deb", [], args=())
    ctrl = synth.control("linux-image-x", "6.1.192-2")
    for members, words in (
            ([("../../etc/passwd", "file", b"x")], ["'../../etc/passwd'", "'..' path"]),
            ([("/boot/vmlinuz-6.1.0-1-amd64", "file", vmlinuz)], ["absolute"]),
            ([("./boot/vmlinuz-6.1.0-1-amd64", "symlink", "/etc/shadow")], ["not a regular file"]),
            ([("./lib/modules/x.ko", "file", b"x")], ["no boot/vmlinuz"])):
        expect_hostile(c, synth.deb(ctrl, members), "hostile.deb", words, args=())
    expect_hostile(c, synth.deb(ctrl, [("./boot/vmlinuz-6.1.0-1-amd64", "file", vmlinuz)],
                                control_first=False), "order.deb", ["before control"], args=())
    # the control file goes through the one bounded deb822 parser (tools/deb)
    for bad, words in ((ctrl + b"no colon here\n", ["control file: line 7: neither a field"]),
                       (ctrl + b"version: 9\n", ["control file: field Version given twice"])):
        expect_hostile(c, synth.deb(bad, [("./boot/vmlinuz-6.1.0-1-amd64", "file", vmlinuz)]),
                       "control.deb", words, args=())
    # RPM: a header that claims 2^31 tags; a truncated one
    rpm = synth.rpm("kernel-core", "5.14.0", "362.el9", "x86_64",
                    [("./lib/modules/5.14.0-362.el9.x86_64/vmlinuz", vmlinuz)], vendor="CentOS")
    lie = bytearray(rpm)
    sig_end = 96 + 16 + 16 + 4   # lead, signature intro, one index entry, 4-byte store
    sig_end += (-sig_end) % 8
    lie[sig_end + 8:sig_end + 12] = b"\x80\0\0\0"
    expect_hostile(c, bytes(lie), "lie.rpm", ["claims 2147483648 tags"], args=())
    expect_hostile(c, rpm[:200], "short.rpm", ["ends early"], args=())


def t_hostile_elf(c):
    """ELF with an absurd section count, a section table or .BTF past the end"""
    btf = small_btf(c)
    sections = [(".text", b"x" * 64), (".BTF", btf)]
    expect_hostile(c, synth.elf(sections, shnum=0xffff), "vmlinux", ["ELF"])
    expect_hostile(c, synth.elf(sections, shoff=1 << 40), "vmlinux", ["ELF"])
    expect_hostile(c, synth.elf(sections, btf_offset=1 << 33), "vmlinux", ["outside the file"])
    expect_hostile(c, synth.elf([(".text", b"x")]), "vmlinux", ["without .BTF and without DWARF"])
    # BTF that libbpf rejects
    bad = bytearray(btf)
    bad[8:12] = b"\xff\xff\xff\x7f"
    expect_hostile(c, synth.elf([(".BTF", bytes(bad))]), "vmlinux", ["not valid BTF"])


def t_hostile_images(c):
    """a bzImage whose payload is a decompression bomb, or lies outside the file; an Image with no BTF"""
    d = os.path.join(c.tmp, "bomb.xz")
    if not os.path.exists(d):
        write(d, fixtures.xz_zeros(b"\x7fELF" + bytes(60), 600 << 20))
    line = expect_hostile(c, synth.bzimage(read(d)), "vmlinuz-bomb", ["decompression bomb"], rss=True)
    assert "512 MiB" in line, line
    expect_hostile(c, synth.bzimage(b"\x1f\x8b" + bytes(100), payload_len=1 << 30), "vmlinuz",
                   ["outside the file"])
    expect_hostile(c, synth.bzimage(b"\x1f\x8b\x08\x00" + os.urandom(5000)), "vmlinuz", ["gzip"])
    expect_hostile(c, synth.bzimage(b"", version=0x0206), "vmlinuz", ["older than 2.08"])
    expect_hostile(c, synth.arm64_image(b"no btf here"), "Image", ["no BTF found"])


CASES = [v for k, v in sorted(globals().items()) if k.startswith("t_")]
CASES.sort(key=lambda f: f.__code__.co_firstlineno)
if os.environ.get("MAKE_TESTS"):   # a developer's filter: names containing this
    CASES = [f for f in CASES if os.environ["MAKE_TESTS"] in f.__name__]


def main():
    tmp = tempfile.mkdtemp(prefix="btfkit-make-")
    try:
        return tap.run(CASES, Ctx(tmp))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
