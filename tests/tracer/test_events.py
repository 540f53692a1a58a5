#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""coretrace on this kernel with a bundle whose only entry is this host's BTF
reduced against coretrace.bpf.o, the BTF path forced:

  test_events.py bundle     --btf-source=bundle --btf-bundle B --host <this host>
  test_events.py embedded   coretrace-hostembed (the same BTF linked in),
                            --btf-source=embedded --host <its test key>
  test_events.py static     as bundle, with the static coretrace_static
  ... --buffer=perf         the same through the perf buffer (the pre-5.8 path)

A child forked here opens a known file, connects to listening 127.0.0.1 and ::1
port and execs a known binary with known argv; each of its events (fork,
open, connect, exec, exit) must be reported with the right fields.
"""
import os
import shutil
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctlib  # noqa: E402
from ctlib import check, fail  # noqa: E402


# Not UTF-8, and a terminal escape: printed as escape.h says, never dropped.
ODD_SUFFIX = b"\xff\x1b[31m"
ODD_ESCAPED = "\\xff\\x1b[31m"
# Unique per run (see main): another build's tracer suite may run on this machine too.
COMM = ("cte%d" % os.getpid())[:15]


def workload(marker, port, port6, exe, argv):
    """Fork a child that opens, connects (IPv4, IPv6), then execs. Returns
    (pid, t0, t1, the source ports the kernel gave its two connects)."""
    t0 = time.monotonic_ns()
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(rfd)
            os.close(os.open(marker, os.O_RDONLY))
            try:	# a name no terminal or JSON parser should get raw (issue 12)
                os.close(os.open(marker.encode() + ODD_SUFFIX, os.O_RDONLY))
            except OSError:
                pass
            s = socket.create_connection(("127.0.0.1", port))
            sports = [s.getsockname()[1]]
            s.close()
            if port6:
                s = socket.create_connection(("::1", port6))
                sports.append(s.getsockname()[1])
                s.close()
            os.write(wfd, (" ".join(map(str, sports)) + "\n").encode())
            os.close(wfd)
            os.execv(exe, argv)
        finally:
            os._exit(127)
    os.close(wfd)
    with os.fdopen(rfd) as r:
        sports = [int(x) for x in r.read().split()]
    _, status = os.waitpid(pid, 0)
    t1 = time.monotonic_ns()
    check(os.WIFEXITED(status) and os.WEXITSTATUS(status) == 1,
          "workload child: status %#x, expected exit 1 from %s" % (status, exe))
    return pid, t0, t1, sports


def one(events, kind, pred, what):
    got = [e for e in events if e["event"] == kind and pred(e)]
    check(len(got) == 1, "%s: expected 1 %s event, got %d" % (what, kind, len(got)))
    return got[0]


def expect(ev, field, want, what):
    check(ev.get(field) == want, "%s event: %s = %r, expected %r (event %r)"
          % (what, field, ev.get(field), want, ev))


def main():
    buffer_args, transport = ctlib.transport_args()
    mode = sys.argv[1] if len(sys.argv) > 1 else "bundle"
    ctlib.require_bpf()
    tmp = tempfile.mkdtemp(prefix="coretrace-test-")
    try:
        if mode == "embedded":
            if not os.path.exists(ctlib.HOSTEMBED):
                ctlib.skip("coretrace-hostembed not built (no /sys/kernel/btf/vmlinux at build time)")
            # Embedded under this host's own identity: found with no --host.
            exe, host = ctlib.HOSTEMBED, ctlib.host_identity()
            args = ["--btf-source=embedded"]
            source_desc = "embedded bundle, entry " + host
        else:
            exe, host = ctlib.CORETRACE, ctlib.host_identity()
            if mode == "static":
                exe = ctlib.CORETRACE_STATIC
                if not os.path.exists(exe):
                    ctlib.skip("%s is not built (a static archive is missing; see meson's "
                               "configure messages)" % exe)
            reduced = ctlib.reduce_btf(ctlib.SYSTEM_BTF, os.path.join(tmp, "host.btf"))
            bundle = ctlib.make_bundle(tmp, {host: reduced})
            args = ["--btf-source=bundle", "--btf-bundle", bundle, "--host", host]
            source_desc = "bundle " + bundle

        marker = os.path.join(tmp, "marker-%d.txt" % os.getpid())
        with open(marker, "w") as f:
            f.write("coretrace\n")
        # Only this test's events pass the tracer (-c): the suites of another build
        # may run at the same time, and their events must neither be confused with
        # the workload's nor fill the buffer (lost must be 0). This process and its
        # child carry a comm unique to the run; the child execs a copy of false
        # under the same name.
        with open("/proc/self/comm", "w") as f:
            f.write(COMM)
        false_bin = os.path.join(tmp, COMM)
        shutil.copy(shutil.which("false") or "/bin/false", false_bin)
        argv = ["false", "coretrace-test", str(os.getpid()), "two words"]
        lsock = socket.socket()
        lsock.bind(("127.0.0.1", 0))
        lsock.listen(8)
        port = lsock.getsockname()[1]
        try:
            lsock6 = socket.socket(socket.AF_INET6)
            lsock6.bind(("::1", 0))
            lsock6.listen(8)
            port6 = lsock6.getsockname()[1]
        except OSError as e:
            print("note: no IPv6 loopback (%s): IPv6 connect not checked" % e)
            lsock6, port6 = None, 0

        tracer = ctlib.Tracer(args + buffer_args + ["-c", COMM], exe=exe)
        tracer.wait_ready()
        check(any(source_desc in l and host in l for l in tracer.err),
              "tracer does not name its BTF source %r / %r: %r" % (source_desc, host, tracer.err))
        child, t0, t1, sports = workload(marker, port, port6, false_bin, argv)
        time.sleep(0.5)
        events, summary = tracer.stop()
        lsock.close()
        if lsock6:
            lsock6.close()

        check(summary is not None, "no summary line; stderr: %s" % "".join(tracer.err))
        check(summary["events"] == len(events),
              "summary says %d events, %d printed" % (summary["events"], len(events)))
        check(summary["lost"] == 0, "events lost in a quiet test: %r" % summary)
        ctlib.check_transport(summary, transport)
        me, uid, comm = os.getpid(), os.getuid(), ctlib.my_comm()
        cgid = ctlib.cgroup2_id()
        mine = [e for e in events if e["tgid"] == child or e["pid"] == child]

        fork = one(mine, "fork", lambda e: True, "fork")
        opn = one(mine, "open", lambda e: e.get("path") == marker, "open of %s" % marker)
        one(mine, "open", lambda e: e.get("path") == marker + ODD_ESCAPED,
            "open of %s%s, escaped" % (marker, ODD_ESCAPED))
        conn = one(mine, "connect", lambda e: e.get("dport") == port, "connect to port %d" % port)
        exe_ev = one(mine, "exec", lambda e: True, "exec")
        ext = one(mine, "exit", lambda e: True, "exit")

        for ev, name, want_comm in ((fork, "fork", comm), (opn, "open", comm),
                                    (conn, "connect", comm), (exe_ev, "exec", COMM),
                                    (ext, "exit", COMM)):
            expect(ev, "pid", child, name)
            expect(ev, "tgid", child, name)
            expect(ev, "ppid", me, name)
            expect(ev, "uid", uid, name)
            expect(ev, "comm", want_comm, name)
            if cgid is not None:
                expect(ev, "cgroup_id", cgid, name)
            check(t0 <= ev["ts_ns"] <= t1, "%s event: ts_ns %d outside [%d, %d]"
                  % (name, ev["ts_ns"], t0, t1))
        check(fork["ts_ns"] <= opn["ts_ns"] <= conn["ts_ns"] <= exe_ev["ts_ns"] <= ext["ts_ns"],
              "events out of order: fork, open, connect, exec, exit")

        expect(fork, "parent_tgid", me, "fork")
        expect(opn, "flags", os.O_RDONLY | os.O_CLOEXEC, "open")
        expect(opn, "syscall", "openat", "open")
        expect(conn, "family", "ipv4", "connect")
        expect(conn, "daddr", "127.0.0.1", "connect")
        expect(conn, "saddr", "127.0.0.1", "connect")
        # The port the kernel assigned, not the 0 the socket had before (issue 27).
        expect(conn, "sport", sports[0], "connect")
        if port6:
            conn6 = one(mine, "connect", lambda e: e.get("dport") == port6,
                        "connect to [::1]:%d" % port6)
            for field, want in (("pid", child), ("tgid", child), ("ppid", me),
                                ("family", "ipv6"), ("daddr", "::1"), ("saddr", "::1"),
                                ("sport", sports[1])):
                expect(conn6, field, want, "connect6")
            check(conn["ts_ns"] <= conn6["ts_ns"] <= exe_ev["ts_ns"], "connect6 out of order")
        expect(exe_ev, "filename", false_bin, "exec")
        expect(exe_ev, "argv", argv, "exec")
        expect(exe_ev, "argv_truncated", False, "exec")
        expect(ext, "exit_status", 1, "exit")
        expect(ext, "signal", 0, "exit")
        expect(ext, "exit_code", 1 << 8, "exit")
        check(0 < ext["age_ns"] < t1 - t0 + 1, "exit event: age_ns %d" % ext["age_ns"])
        print("ok: %s path, %s: fork/open/connect/exec/exit of child %d decoded correctly "
              "(%d events in all, 0 lost)" % (mode, transport, child, len(events)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
