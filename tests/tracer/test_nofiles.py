#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The embedded BTF reaches libbpf through a memfd: from start to exit
(self-check included) coretrace creates, writes, renames or removes no file,
in /tmp or anywhere. Observed with strace -f.
"""
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctlib  # noqa: E402
import tap  # noqa: E402
from ctlib import check  # noqa: E402

WRITE_FLAGS = re.compile(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_TMPFILE")
FS_CHANGES = ("creat(", "rename(", "renameat(", "renameat2(", "unlink(", "unlinkat(",
              "mkdir(", "mkdirat(")


def main():
    ctlib.require_bpf()
    strace = shutil.which("strace")
    if not strace:
        ctlib.skip("strace is not installed (ci/packages.txt lists it)")
    if not os.path.exists(ctlib.HOSTEMBED):
        ctlib.skip("coretrace-hostembed not built (no /sys/kernel/btf/vmlinux at build time)")
    tmp = tempfile.mkdtemp(prefix="coretrace-nofiles-")
    try:
        log = os.path.join(tmp, "strace.log")
        r = ctlib.run([strace, "-f", "-qq", "-o", log, "-e",
                       "trace=open,openat,openat2,creat,memfd_create,rename,renameat,renameat2,"
                       "unlink,unlinkat,mkdir,mkdirat",
                       ctlib.HOSTEMBED, "-q", "--btf-source=embedded", "--host", ctlib.host_identity(),
                       "-d", "1", "-c", "ctnothing"])
        check(r.returncode == 0, "coretrace under strace: exit %d: %s"
              % (r.returncode, r.stderr.strip()))
        with open(log) as f:
            calls = [l.rstrip("\n") for l in f if "(" in l]
        memfds = [l for l in calls if "memfd_create(" in l and "= -1" not in l]
        check(memfds, "no memfd_create: the BTF did not go through a memfd")
        for l in calls:
            check(not any(c in l for c in FS_CHANGES), "filesystem change: " + l)
            if re.search(r"\bopen(at2?)?\(", l):
                check(not WRITE_FLAGS.search(l), "opened for writing: " + l)
        tap.diag("%d file calls traced, %d memfd, nothing created or written"
              % (len(calls), len(memfds)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    tap.main(main)
