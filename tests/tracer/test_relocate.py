#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""CO-RE across the 4.x -> 6.x renames: coretrace.bpf.o relocated against a
real 4.19 kernel's BTF (BTFHub, bclinux 4.19.90 x86_64, from ../shared) and
against this kernel's. Every relocation must resolve (the object loads and
attaches), and the exit event's process start time must come from
task_struct.real_start_time on 4.19 and task_struct.start_boottime (its name
since 5.5) here. Checked from libbpf's own relocation log (-vvv).

  test_relocate.py [--buffer=perf]
      --buffer=perf: the old-kernel code path (the perf-buffer programs,
      *_pb, and no ring buffer map), as on the 4.19 kernel itself.
"""
import glob
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctlib  # noqa: E402
import tap  # noqa: E402
from ctlib import check  # noqa: E402


def relocations(btf_args, buffer_args, transport):
    r = ctlib.run([ctlib.CORETRACE, "-vvv", "--no-selfcheck", "-e", "exit", "-d", "1",
                   "-c", "ctnothing"] + btf_args + buffer_args)
    check(r.returncode == 0, "coretrace %s did not load and attach: %s"
          % (" ".join(btf_args), r.stderr.strip().splitlines()[-1:]))
    prog = "handle_exit_pb" if transport == "perf" else "handle_exit"
    other = "handle_exit" if transport == "perf" else "handle_exit_pb"
    check(not any("prog '%s': relo #" % other in l for l in r.stderr.splitlines()),
          "the other transport's program %s was relocated (loaded) too" % other)
    check(("%s; BTF:" % {"perf": "perf buffer", "ringbuf": "ring buffer"}[transport]) in r.stderr,
          "summary does not name the %s transport: %r" % (transport, r.stderr[-300:]))
    return [l for l in r.stderr.splitlines() if "prog '%s': relo #" % prog in l]


def main():
    buffer_args, transport = ctlib.transport_args()
    ctlib.require_bpf()
    if ctlib.ARCH != "x86_64":
        ctlib.skip("the 4.19 BTF at hand is x86_64; this host is " + ctlib.ARCH)
    shared = os.environ.get("BTFKIT_SHARED_DIR", "")
    archives = sorted(glob.glob(os.path.join(shared, "btfhub-sample", "*", "*", "x86_64",
                                             "4.19.*.btf.tar.xz")))
    if not archives:
        ctlib.skip("no 4.19 x86_64 BTF in %s/btfhub-sample" % shared)
    tmp = tempfile.mkdtemp(prefix="coretrace-reloc-")
    try:
        r = ctlib.run(["tar", "-xJf", archives[0], "-C", tmp])
        check(r.returncode == 0, "tar: " + r.stderr)
        btf = glob.glob(os.path.join(tmp, "*.btf"))[0]

        old = relocations(["--btf", btf], buffer_args, transport)
        check(any("matching candidate" in l and "struct task_struct.real_start_time" in l
                  for l in old), "4.19: real_start_time not relocated:\n" + "\n".join(old))
        check(not any("matching candidate" in l and "start_boottime" in l for l in old),
              "4.19: start_boottime matched a kernel that does not have it")

        new = relocations(["--btf-source=system"], buffer_args, transport)
        check(any("matching candidate" in l and "struct task_struct.start_boottime" in l
                  for l in new), "this kernel: start_boottime not relocated:\n" + "\n".join(new))
        tap.diag("(%s): %s: real_start_time; this kernel: start_boottime; both load and attach"
              % (transport, os.path.basename(btf)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    tap.main(main)
