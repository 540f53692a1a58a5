#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""coretrace's output errors (issue 27): standard output that fails
(/dev/full: ENOSPC) is exit 1 with one line naming it, in both formats;
a reader that goes away (EPIPE: `| head -1`) is a normal end, exit 0.
Needs root and BPF (77 otherwise).
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctlib  # noqa: E402
from ctlib import check  # noqa: E402


def workload(stop_after=8.0):
    """Execs until coretrace exits: events keep coming whatever it waits for."""
    return subprocess.Popen(["sh", "-c", "end=$(($(date +%%s) + %d)); "
                             "while [ $(date +%%s) -lt $end ]; do /bin/true; sleep 0.05; done"
                             % int(stop_after)])


def main():
    ctlib.require_build()
    # What needs no BPF: --version, --help, `btf` (table and JSON).
    for args in (["--version"], ["--help"], ["btf"], ["btf", "--json"]):
        with open("/dev/full", "w") as full:
            r = subprocess.run([ctlib.CORETRACE] + args, stdout=full, stderr=subprocess.PIPE,
                               text=True, timeout=60)
        check(r.returncode == 1 and r.stderr.count("error:") == 1 and
              "standard output: No space left on device" in r.stderr,
              "coretrace %s > /dev/full: exit %d: %r" % (" ".join(args), r.returncode, r.stderr))
    print("ok: --version, --help, btf > /dev/full: exit 1, one line")
    ctlib.require_bpf()
    base = [ctlib.CORETRACE, "--btf-source=system", "-e", "exec", "-d", "6"]

    for fmt in ([], ["--json"]):
        w = workload()
        with open("/dev/full", "w") as full:
            r = subprocess.run(base + fmt, stdout=full, stderr=subprocess.PIPE, text=True,
                               timeout=60)
        w.kill()
        w.wait()
        errs = [l for l in r.stderr.splitlines() if "error:" in l]
        check(r.returncode == 1, "%s > /dev/full: exit %d (events lost silently): %r"
              % (" ".join(fmt) or "table", r.returncode, r.stderr))
        check(len(errs) == 1 and "standard output" in errs[0] and
              "No space left on device" in errs[0], "%s > /dev/full: want one line naming "
              "standard output and ENOSPC: %r" % (" ".join(fmt) or "table", r.stderr))
        print("ok: %s > /dev/full: %s" % (" ".join(fmt) or "table", errs[0]))

    # The reader goes away after one line: EPIPE is a normal end.
    for fmt in ([], ["--json"]):
        w = workload()
        p = subprocess.Popen(base + fmt, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        first = p.stdout.readline()
        p.stdout.close()
        t0 = time.time()
        rc = p.wait(60)
        err = p.stderr.read().decode(errors="replace")
        w.kill()
        w.wait()
        check(first and rc == 0 and "error:" not in err,
              "%s, reader gone: exit %d: %r" % (" ".join(fmt) or "table", rc, err))
        check(time.time() - t0 < 4, "did not stop when its reader went away")
        print("ok: %s | head -1: exit 0" % (" ".join(fmt) or "table"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
