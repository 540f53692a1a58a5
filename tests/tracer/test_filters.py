#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Filters and stop conditions, on the real kernel:
  -p PID -e open      only that process's opens, though others open the same file
  -c COMM             only tasks with that comm
  -n N                stops by itself after exactly N events
  -d SEC              stops by itself after SEC seconds
  SIGTERM             clean exit with the summary line
  --bpf-object FILE   an explicit object (the debug-info build of the same program)
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctlib  # noqa: E402
import tap  # noqa: E402
from ctlib import check  # noqa: E402

# Unique per run: the tracer suite of another build on this machine may run at the same time.
COMM = ("ctf%d" % os.getpid())[:15]

HELPER = r"""
import os, sys
sys.stdout.write("ready\n"); sys.stdout.flush()
for line in sys.stdin:
    os.close(os.open(line.strip(), os.O_RDONLY))
    sys.stdout.write("done\n"); sys.stdout.flush()
"""


def main():
    ctlib.require_bpf()
    tmp = tempfile.mkdtemp(prefix="coretrace-filter-")
    try:
        marker = os.path.join(tmp, "marker")
        open(marker, "w").close()

        # -p: the helper's opens pass, this process's opens of the same path do not.
        helper = subprocess.Popen([sys.executable, "-c", HELPER], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        check(helper.stdout.readline().strip() == "ready", "helper did not start")
        tracer = ctlib.Tracer(["--btf-source=system", "-p", str(helper.pid), "-e", "open"])
        tracer.wait_ready()
        for _ in range(3):
            os.close(os.open(marker, os.O_RDONLY))
            helper.stdin.write(marker + "\n")
            helper.stdin.flush()
            check(helper.stdout.readline().strip() == "done", "helper did not open")
        time.sleep(0.3)
        events, summary = tracer.stop()
        helper.stdin.close()
        helper.wait(10)
        check(events and all(e["tgid"] == helper.pid and e["event"] == "open" for e in events),
              "-p/-e let through: %r" % [(e["event"], e["tgid"]) for e in events
                                         if e["tgid"] != helper.pid or e["event"] != "open"][:5])
        hits = [e for e in events if e["path"] == marker]
        check(len(hits) == 3, "-p: %d marker opens from the helper, expected 3" % len(hits))

        # -c: only this comm (a copy of true under a unique name).
        exe = os.path.join(tmp, COMM)
        shutil.copy(shutil.which("true") or "/bin/true", exe)
        tracer = ctlib.Tracer(["--btf-source=system", "-c", COMM])
        tracer.wait_ready()
        for _ in range(5):
            subprocess.run([exe])
        subprocess.run(["true"])
        time.sleep(0.3)
        events, summary = tracer.stop()
        check(all(e["comm"] == COMM for e in events), "-c let other comms through")
        check(len([e for e in events if e["event"] == "exec"]) == 5,
              "-c: %d execs, expected 5" % len([e for e in events if e["event"] == "exec"]))

        # -n: exits by itself after exactly N events, summary included.
        t0 = time.monotonic()
        p = subprocess.Popen([ctlib.CORETRACE, "-j", "-q", "--btf-source=system", "-n", "3",
                              "-c", COMM], stdout=subprocess.PIPE, text=True)
        time.sleep(1.5)
        for _ in range(5):
            subprocess.run([exe])
        out, _ = p.communicate(timeout=30)
        lines = [json.loads(l) for l in out.splitlines()]
        check(p.returncode == 0, "-n: exit %d" % p.returncode)
        check(len(lines) == 4 and lines[-1].get("summary") and lines[-1]["events"] == 3,
              "-n 3: %r" % lines)

        # -d: exits by itself.
        t0 = time.monotonic()
        r = ctlib.run([ctlib.CORETRACE, "-j", "-q", "--btf-source=system", "-d", "1",
                       "-c", "ctnothing"])
        took = time.monotonic() - t0
        check(r.returncode == 0 and json.loads(r.stdout.splitlines()[-1])["summary"],
              "-d 1: exit %d, %r" % (r.returncode, r.stdout))
        check(took < 10, "-d 1 took %.1fs" % took)

        # SIGTERM: clean exit, summary, and --bpf-object with another build of the program.
        tracer = ctlib.Tracer(["--btf-source=system", "--bpf-object", ctlib.DBG_OBJ,
                               "-c", COMM, "-e", "exec"])
        tracer.wait_ready()
        subprocess.run([exe])
        time.sleep(0.3)
        tracer.proc.terminate()
        events, summary = tracer.stop()
        check(tracer.proc.returncode == 0, "SIGTERM: exit %d" % tracer.proc.returncode)
        check(summary is not None and summary["events"] == 1 and len(events) == 1,
              "SIGTERM / --bpf-object: %r %r" % (events, summary))
        tap.diag("-p, -e, -c, -n, -d, SIGTERM and --bpf-object behave")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    tap.main(main)
