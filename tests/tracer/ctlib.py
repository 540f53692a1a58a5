# SPDX-License-Identifier: BSD-2-Clause
"""Helpers shared by the coretrace tests (tests/tracer/test_*.py).

Real-kernel tests: they load coretrace's BPF programs on this machine. Where
that is not permitted they exit 77 (meson's skip) with the reason; they never
pass without having run.
"""
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from testutil import SKIP, check, fail, skip  # noqa: E402,F401  (re-exported: ctlib.fail)

BUILD = os.environ.get("BTFKIT_BUILD_ROOT", "")
SOURCE = os.environ.get("BTFKIT_SOURCE_ROOT", "")
CORETRACE = os.path.join(BUILD, "tracer", "coretrace")
CORETRACE_STATIC = os.path.join(BUILD, "tracer", "coretrace_static")
HOSTEMBED = os.path.join(BUILD, "tests", "tracer", "coretrace-hostembed")
EMBEDGEN = os.path.join(BUILD, "embedgen", "embedgen")
BTFGEN = os.path.join(BUILD, "btfgen", "btfgen")
OBJ = os.path.join(BUILD, "bpf", "coretrace.bpf.o")
# The same program before its DWARF was stripped: the same CO-RE needs.
DBG_OBJ = os.path.join(BUILD, "bpf", "coretrace.dbg.bpf.o")
# Another BPF object (other CO-RE needs): the tests' own probe.
OTHER_OBJ = os.path.join(BUILD, "tests", "core_probe.bpf.o")
SYSTEM_BTF = "/sys/kernel/btf/vmlinux"


def arch_name(machine):
    """BTFHub's arch name for a uname -m or archive directory name."""
    return {"aarch64": "arm64"}.get(machine, machine)


ARCH = arch_name(platform.machine())


def transport_args():
    """Take "--buffer=MODE" out of sys.argv: (args for coretrace, expected transport id)."""
    for a in list(sys.argv[1:]):
        if a.startswith("--buffer="):
            sys.argv.remove(a)
            mode = a.split("=", 1)[1]
            return [a], mode
    return [], "ringbuf"


def check_transport(summary, want):
    if summary.get("transport") != want:
        fail("summary names transport %r, expected %r: %r" % (summary.get("transport"), want,
                                                               summary))


def bpftool():
    return shutil.which("bpftool") or "/usr/sbin/bpftool"


def run(cmd, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 120)
    return subprocess.run(cmd, **kw)


def require_build():
    for path in (CORETRACE, EMBEDGEN, OBJ):
        if not os.path.exists(path):
            fail("%s is not built (BTFKIT_BUILD_ROOT=%r)" % (path, BUILD))


def require_bpf():
    """Skip unless coretrace can trace on this machine with the kernel's BTF."""
    require_build()
    if os.geteuid() != 0:
        skip("BPF tracing needs root; running as uid %d" % os.geteuid())
    if not os.path.exists(SYSTEM_BTF):
        skip("%s is absent: cannot reduce this host's BTF for a test bundle" % SYSTEM_BTF)
    r = run([CORETRACE, "--btf-source=system", "-q", "-e", "exec", "-d", "1"])
    if r.returncode != 0:
        err = r.stderr.strip()
        for why in ("needs root", "ring buffer", "Operation not permitted", "CAP_BPF"):
            if why in err:
                skip("BPF is not permitted here: " + err)
        fail("coretrace cannot trace with the kernel's own BTF: " + err)


def host_identity():
    """This host's DISTRO/VERSION/ARCH/RELEASE as coretrace detects it."""
    r = run([CORETRACE, "btf", "--json"])
    try:
        return json.loads(r.stdout)["host"]
    except (ValueError, KeyError):
        fail("coretrace btf --json: unexpected output %r (stderr %r)" % (r.stdout, r.stderr))


def reduce_btf(btf, out, obj=OBJ):
    """@btf reduced against @obj as bundles hold it: through btfgen (bpftool,
    then btfgen's canonical form), or bpftool alone where btfgen is not
    built (cross builds)."""
    if not os.access(BTFGEN, os.X_OK):
        r = run([bpftool(), "gen", "min_core_btf", btf, out, obj])
        check(r.returncode == 0, "bpftool gen min_core_btf %s: %s" % (btf, r.stderr.strip()))
        return out
    work = tempfile.mkdtemp(prefix="reduce-", dir=os.path.dirname(os.path.abspath(out)))
    try:
        # btfgen reads a BTFHub-shaped tree: one kernel under a made-up key.
        rel = os.path.join("host", "0", {"aarch64": "arm64"}.get(platform.machine(),
                                                                  platform.machine()), "k.btf")
        os.makedirs(os.path.dirname(os.path.join(work, "in", rel)))
        os.symlink(os.path.abspath(btf), os.path.join(work, "in", rel))
        r = run([BTFGEN, "-q", "--all-kernels", "--bpftool", bpftool(), "-o",
                 os.path.join(work, "out"), os.path.join(work, "in"), obj])
        check(r.returncode == 0, "btfgen on %s: %s" % (btf, r.stderr.strip()))
        os.replace(os.path.join(work, "out", rel), out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def make_bundle(tmp, entries, obj=OBJ, name="test"):
    """Bundle {key: btf_path} reduced against @obj; returns the .btfb path."""
    base = os.path.join(tmp, name)
    cmd = [EMBEDGEN, "-q", "--object", obj, "-o", base + ".c", "--header", base + ".h",
           "--bundle-file", base + ".btfb"]
    for key, path in sorted(entries.items()):
        cmd += ["--entry", "%s=%s" % (key, path)]
    r = run(cmd)
    check(r.returncode == 0, "embedgen: %s" % r.stderr.strip())
    return base + ".btfb"


def extract_fixture(tmp):
    """A Debian kernel's full BTF: tests/data/btfhub, else ../shared/btfhub-sample."""
    cands = []
    fixtures = os.path.join(SOURCE, "tests", "data", "btfhub")
    shared = os.environ.get("BTFKIT_SHARED_DIR", "")
    for tree in (fixtures, os.path.join(shared, "btfhub-sample")):
        # This host's arch only: the object is built for it.
        for root, _, files in os.walk(tree):
            if arch_name(os.path.basename(root)) == ARCH:
                cands += [os.path.join(root, f) for f in files if f.endswith(".btf.tar.xz")]
        if cands:
            break
    if not cands:
        skip("no other kernel's BTF: neither tests/data/btfhub nor ../shared/btfhub-sample has one")
    archive = sorted(cands)[0]
    out = os.path.join(tmp, "fixture")
    os.makedirs(out, exist_ok=True)
    r = run(["tar", "-xJf", archive, "-C", out])
    check(r.returncode == 0, "tar %s: %s" % (archive, r.stderr.strip()))
    btfs = [os.path.join(out, f) for f in os.listdir(out) if f.endswith(".btf")]
    check(len(btfs) == 1, "%s: expected one .btf member, got %r" % (archive, btfs))
    return archive, btfs[0]


def my_comm():
    with open("/proc/self/comm") as f:
        return f.read().strip()


def cgroup2_id():
    """The cgroup v2 id (the cgroup dir's inode) of this process, or None."""
    path = None
    with open("/proc/self/cgroup") as f:
        for line in f:
            if line.startswith("0::"):
                path = line[3:].strip()
    if path is None:
        return None
    with open("/proc/mounts") as f:
        for line in f:
            fields = line.split()
            if fields[2] == "cgroup2":
                return os.stat(fields[1] + path).st_ino
    return None


class Tracer:
    """coretrace -j running in the background; stop() returns (events, summary)."""

    def __init__(self, args, exe=CORETRACE, drain=True):
        self.cmd = [exe, "-j"] + list(args)
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        self.out, self.err = [], []
        self.ready = threading.Event()
        # Both pipes are drained all the time (a full pipe stalls the tracer
        # and turns into lost events) unless @drain is False: then stdout is
        # left to fill until start_draining(), to force losses on purpose.
        self.threads = [threading.Thread(target=self._read_err, daemon=True)]
        self.threads[0].start()
        if drain:
            self.start_draining()

    def start_draining(self):
        t = threading.Thread(target=self._read_out, daemon=True)
        t.start()
        self.threads.append(t)

    def _read_out(self):
        for line in self.proc.stdout:
            self.out.append(line)

    def _read_err(self):
        for line in self.proc.stderr:
            self.err.append(line)
            if "coretrace: tracing (BTF:" in line:
                self.ready.set()
        self.ready.set()

    def wait_ready(self, timeout=60):
        self.ready.wait(timeout)
        if self.proc.poll() is not None or not any("tracing (BTF:" in l for l in self.err):
            self.stop()
            fail("%s did not start: %s" % (" ".join(self.cmd), "".join(self.err).strip()))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            fail("coretrace did not exit on SIGINT")
        for t in self.threads:
            t.join(10)
        events, summary = [], None
        for line in self.out:
            try:
                obj = json.loads(line)
            except ValueError:
                fail("coretrace -j printed a line that is not JSON: %r" % line)
            if obj.get("summary"):
                summary = obj
            else:
                events.append(obj)
        return events, summary
