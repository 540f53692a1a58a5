#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""An explicit --btf FILE / BTFKIT_BTF_FILE is bounded before it is read
(issue 27): raw BTF over 64 MiB, or an ELF whose .BTF section is, is one
clear error ("too large") at once and in little memory (sparse files: 1.5
GiB raw, 64 MiB + 1, a 100 MiB .BTF section); the largest real kernel BTF
known (BTFHub's CentOS 8 aarch64, 27 MB, from ../shared) is still taken.
No BPF needed.
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctlib  # noqa: E402
from ctlib import check  # noqa: E402

RSS_RUN = os.path.join(ctlib.BUILD, "tests", "lib", "rss_run")
CAP = 64 << 20
BTF_HDR = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, 0, 0, 0)


def sparse(path, head, size):
    with open(path, "wb") as f:
        f.write(head)
        f.truncate(size)


def elf_with_btf(path, btf_size):
    """An x86_64 ELF64 relocatable whose .BTF section is @btf_size bytes (sparse)."""
    shstr = b"\0.BTF\0.shstrtab\0"
    btf_off = 64
    str_off = btf_off + btf_size
    sh_off = (str_off + len(shstr) + 7) & ~7
    eh = (b"\x7fELF" + bytes([2, 1, 1]) + bytes(9) +
          struct.pack("<HHIQQQIHHHHHH", 1, 62, 1, 0, 0, sh_off, 0, 64, 0, 0, 64, 3, 2))
    sh = bytes(64)
    sh += struct.pack("<IIQQQQIIQQ", 1, 1, 0, 0, btf_off, btf_size, 0, 0, 1, 0)
    sh += struct.pack("<IIQQQQIIQQ", 6, 3, 0, 0, str_off, len(shstr), 0, 0, 1, 0)
    with open(path, "wb") as f:
        f.write(eh)
        f.write(BTF_HDR)
        f.seek(str_off)
        f.write(shstr)
        f.seek(sh_off)
        f.write(sh)


def btf_json(path, env):
    stat = os.path.join(os.path.dirname(path), "rss")
    cmd = [ctlib.CORETRACE, "btf", "--json", "--btf-source=file", "--btf", path]
    if os.path.exists(RSS_RUN):
        cmd = [RSS_RUN, stat] + cmd
    r = ctlib.run(cmd, env=env, timeout=60)
    try:
        j = json.loads(r.stdout)
    except ValueError:
        ctlib.fail("%s: not JSON: %r %r" % (path, r.stdout, r.stderr))
    kb, secs = (0, 0.0)
    if os.path.exists(stat):
        kb, secs = open(stat).read().split()
        kb, secs = int(kb), float(secs)
    return r.returncode, j, kb, secs


def main():
    ctlib.require_build()
    env = dict(os.environ)
    env.pop("BTFKIT_BTF_FILE", None)
    tmp = tempfile.mkdtemp(prefix="coretrace-btfcap-")
    try:
        cases = [("raw 1.5 GiB", "big.btf", lambda p: sparse(p, BTF_HDR, 3 << 29)),
                 ("raw 64 MiB + 1", "cap1.btf", lambda p: sparse(p, BTF_HDR, CAP + 1)),
                 ("ELF with a 100 MiB .BTF", "vmlinux", lambda p: elf_with_btf(p, 100 << 20))]
        for what, name, make in cases:
            path = os.path.join(tmp, name)
            make(path)
            rc, j, kb, secs = btf_json(path, env)
            check(rc == 1 and "too large" in j.get("error", "") and "64 MiB" in j["error"]
                  and path in j["error"], "%s: exit %d, %r" % (what, rc, j.get("error", j)))
            check(kb < 64 * 1024 and secs < 5, "%s: %d KB peak RSS, %.1f s before refusing"
                  % (what, kb, secs))
            print("ok: %s refused: %d KB peak RSS, %.2f s" % (what, kb, secs))
        # Just under the cap is not refused for its size (it is not valid BTF).
        path = os.path.join(tmp, "under.btf")
        sparse(path, BTF_HDR, 4096)
        rc, j, _, _ = btf_json(path, env)
        check(rc == 1 and "too large" not in j.get("error", ""), "small file: %r" % j)

        shared = os.environ.get("BTFKIT_SHARED_DIR", "")
        arc = os.path.join(shared, "btfhub-sample", "centos", "8", "aarch64",
                           "4.18.0-147.5.1.el8_1.aarch64.btf.tar.xz")
        if not shared or not os.path.exists(arc):
            print("note: %s absent: the largest real BTF not checked" % arc)
        else:
            with tarfile.open(arc) as t:
                m = t.getmembers()[0]
                real = os.path.join(tmp, "centos8.btf")
                with open(real, "wb") as f:
                    shutil.copyfileobj(t.extractfile(m), f)
            rc, j, kb, _ = btf_json(real, env)
            check(rc == 0 and j.get("source") == "file",
                  "the largest real BTF (%d bytes) not taken: %r" % (os.path.getsize(real), j))
            print("ok: CentOS 8 aarch64's %d-byte BTF is taken (%d KB peak RSS)"
                  % (os.path.getsize(real), kb))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
