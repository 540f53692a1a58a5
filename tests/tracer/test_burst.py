#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Burst: N short processes exec a uniquely named binary while coretrace
traces (filtered on that comm). Every exec must be reported, or the summary
must account for exactly the missing ones as lost:
    reported + lost[exec] == N, reported pids unique and all ours.

  test_burst.py N [BUFFER_KB [stall]] [--buffer=perf]
      stall: stdout is not read during the burst, so the tracer blocks on
      its output, the (small) buffer fills and events are really lost;
      the accounting must still be exact, and losses must have happened.
      --buffer=perf: through the per-CPU perf buffers (the pre-5.8 path);
      then the kernel's own count of drops (PERF_RECORD_LOST, which the
      reader hears once a CPU's buffer has room again) may not exceed the
      BPF side's.
"""
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctlib  # noqa: E402
import tap  # noqa: E402
from ctlib import check  # noqa: E402

# Unique per run: other test runs on the machine may burst at the same time.
COMM = ("ctb%d" % os.getpid())[:15]


def main():
    buffer_args, transport = ctlib.transport_args()
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    kb = sys.argv[2] if len(sys.argv) > 2 else None
    stall = len(sys.argv) > 3 and sys.argv[3] == "stall"
    ctlib.require_bpf()
    tmp = tempfile.mkdtemp(prefix="coretrace-burst-")
    try:
        exe = os.path.join(tmp, COMM)
        shutil.copy(shutil.which("true") or "/bin/true", exe)
        args = ["--btf-source=system", "-e", "exec", "-c", COMM] + buffer_args
        if kb:
            args += ["--buffer-kb", kb]
        tracer = ctlib.Tracer(args, drain=not stall)
        tracer.wait_ready()
        t0 = time.monotonic()
        pids = set()
        # posix_spawn: no Python between fork and exec, so the burst is dense.
        for _ in range(n):
            pids.add(os.posix_spawn(exe, [COMM], {}))
        for pid in pids:
            os.waitpid(pid, 0)
        spawn_s = time.monotonic() - t0
        if stall:
            tracer.start_draining()
        time.sleep(0.5)
        events, summary = tracer.stop()

        check(summary is not None, "no summary; stderr %s" % "".join(tracer.err))
        execs = [e for e in events if e["event"] == "exec"]
        seen = {e["pid"] for e in execs}
        lost = summary["lost_by_event"]["exec"]
        check(len(seen) == len(execs), "duplicate exec events")
        check(seen <= pids, "exec events for pids not spawned here: %r" % sorted(seen - pids)[:5])
        check(all(e["comm"] == COMM and e["filename"] == exe for e in execs),
              "an exec event has the wrong comm/filename")
        check(len(execs) + lost == n,
              "%d execs: %d reported + %d lost != %d" % (n, len(execs), lost, n))
        check(summary["lost"] == lost, "losses of other types under an exec-only filter: %r"
              % summary)
        check(not stall or lost > 0, "stalled reader, yet nothing lost: the test proved nothing")
        ctlib.check_transport(summary, transport)
        tap.diag("%d execs in %.2fs (%s, %s KiB): %d reported, %d lost, sum exact"
              % (n, spawn_s, transport, kb or "1024", len(execs), lost))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    tap.main(main)
