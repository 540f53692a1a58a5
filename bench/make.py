#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""btfhub-make against the shell way, per kernel, on real Debian packages.

Usage: bench/make.py [--build-root build] [--debs DIR] [--record]

For each real linux-image .deb (and -dbg .deb) in DIR (default
~/.cache/btfkit/make-debs, else ~/.cache/btfkit/debs; tests/data/make-fixtures.sh
and `apt-get download` fill them), in one run, each timed as a child process
(wall, and user+sys CPU from wait4):

  image path
    decompress      the vmlinuz payload alone: the codec's CLI on the bytes the
                    bzImage header points at (the floor: no package, no ELF, no packing)
    pack            tar | xz -9 -T1 of the BTF alone (the archive format's own cost)
    shell           dpkg-deb -x + extract-vmlinux's way (find the codec's magic,
                    decompress) + objcopy --dump-section .BTF + tar | xz -9 -T1
    btfhub-make     cold, into an empty tree
    re-run          btfhub-make again, nothing new (median of 3)
  -dbg path
    shell           dpkg-deb -x + pahole --btf_encode_detached + tar | xz -9 -T1
    btfhub-make     cold, --prefer dbg (pahole over the DWARF even where the
                    -dbg vmlinux also has a .BTF), and its re-run

Every row is real data. Prints a table; --record writes bench/MAKE-RESULTS.md.
"""
import argparse
import os
import resource
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MAGIC = {"xz": (b"\xfd7zXZ\x00", ["xz", "-dc"]), "zstd": (b"\x28\xb5\x2f\xfd", ["zstd", "-dcq"]),
         "lz4": (b"\x02\x21\x4c\x18", ["lz4", "-dcq"]), "gzip": (b"\x1f\x8b\x08", ["gzip", "-dc"])}


def measure(cmd):
    """(wall, cpu) of @cmd and all its children (a shell pipeline included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.run(cmd, shell=isinstance(cmd, str), stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode:
        raise RuntimeError("%s: exit %d: %s" % (cmd, p.returncode, p.stderr.decode()[-300:]))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def own_peak_rss(cmd):
    """Run @cmd, polling its own VmHWM (KB): its children (pahole) not counted."""
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while p.poll() is None:
        try:
            with open("/proc/%d/status" % p.pid) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.1)
    if p.returncode:
        raise RuntimeError("%s: exit %d" % (cmd, p.returncode))
    return peak


def payload(vmlinuz):
    """(codec, offset, length) of a bzImage's payload, by its setup header."""
    with open(vmlinuz, "rb") as f:
        h = f.read(0x250)
    start = ((h[0x1F1] or 4) + 1) * 512
    off, length = struct.unpack_from("<II", h, 0x248)
    with open(vmlinuz, "rb") as f:
        f.seek(start + off)
        head = f.read(8)
    for codec, (magic, _) in MAGIC.items():
        if head.startswith(magic):
            return codec, start + off, length
    raise RuntimeError("%s: unknown payload codec %r" % (vmlinuz, head))


def extract_vmlinux_sh(vmlinuz, out):
    """The shell way's extract-vmlinux: try each codec's magic at each offset."""
    data = open(vmlinuz, "rb").read()
    for codec, (magic, cmd) in MAGIC.items():
        i = data.find(magic)
        while i >= 0:
            cmdline = "tail -c +%d %s | %s > %s 2>/dev/null; head -c4 %s | grep -q ELF" % (
                i + 1, vmlinuz, " ".join(cmd), out, out)
            if subprocess.run(cmdline, shell=True).returncode == 0:
                return cmdline
            i = data.find(magic, i + 1)
    raise RuntimeError("%s: no payload" % vmlinuz)


def pack_sh(btf, rel, out):
    return ("cd %s && tar --format=gnu --mtime=@0 --owner=0 --group=0 --numeric-owner "
            "--mode=0644 -cf - %s | xz -9 -T1 > %s" % (os.path.dirname(btf), rel + ".btf", out))


def debs_dir(arg):
    if arg:
        return arg
    base = os.environ.get("BTFKIT_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "btfkit")
    for d in ("make-debs", "debs"):
        if os.path.isdir(os.path.join(base, d)):
            return os.path.join(base, d)
    sys.exit("bench/make.py: no ~/.cache/btfkit/{make-debs,debs}: run tests/data/make-fixtures.sh")


def rerun(make, out, deb, extra=()):
    runs = [measure([make, "-q"] + list(extra) + ["-o", out, deb]) for _ in range(3)]
    return (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))


def image_rows(make, deb, tmp):
    rows = []
    d = tempfile.mkdtemp(dir=tmp)
    # the shell way, whole
    root = os.path.join(d, "root")
    os.makedirs(root)
    w1, c1 = measure(["dpkg-deb", "-x", deb, root])
    vmlinuz = [os.path.join(root, "boot", f) for f in os.listdir(os.path.join(root, "boot"))
               if f.startswith("vmlinuz-")][0]
    rel = os.path.basename(vmlinuz)[len("vmlinuz-"):]
    vmlinux = os.path.join(d, "vmlinux")
    t0 = time.monotonic()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    extract_vmlinux_sh(vmlinuz, vmlinux)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    w2, c2 = time.monotonic() - t0, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    btf = os.path.join(d, rel + ".btf")
    w3, c3 = measure(["objcopy", "--dump-section", ".BTF=" + btf, vmlinux])
    w4, c4 = measure(pack_sh(btf, rel, os.path.join(d, "shell.btf.tar.xz")))
    # the floor: the payload alone through its codec's CLI
    codec, off, length = payload(vmlinuz)
    wd, cd = measure("tail -c +%d %s | head -c %d | %s > /dev/null 2>&1; true" % (
        off + 1, vmlinuz, length, " ".join(MAGIC[codec][1])))
    # btfhub-make cold and re-run
    out = os.path.join(d, "out")
    wm, cm = measure([make, "-q", "-o", out, deb])
    wr, cr = rerun(make, out, deb)
    shutil.rmtree(os.path.join(d, "root"), ignore_errors=True)
    made = os.path.join(out, "debian")
    arc = [os.path.join(r, f) for r, _, fs in os.walk(made) for f in fs][0]
    same = open(arc, "rb").read() == open(os.path.join(d, "shell.btf.tar.xz"), "rb").read()
    rows.append((rel, codec, wd, cd, w4, c4, w1 + w2 + w3 + w4, c1 + c2 + c3 + c4, wm, cm, wr, cr,
                 same))
    shutil.rmtree(d, ignore_errors=True)
    return rows


def dbg_rows(make, deb, tmp):
    d = tempfile.mkdtemp(dir=tmp)
    root = os.path.join(d, "root")
    os.makedirs(root)
    w1, c1 = measure(["dpkg-deb", "-x", deb, root])
    dbgdir = os.path.join(root, "usr/lib/debug/boot")
    vmlinux = os.path.join(dbgdir, [f for f in os.listdir(dbgdir) if f.startswith("vmlinux-")][0])
    rel = os.path.basename(vmlinux)[len("vmlinux-"):]
    btf = os.path.join(d, rel + ".btf")
    rss = os.path.join(d, "rss")
    rss_run = os.path.join(ARGS.build_root, "tests", "lib", "rss_run")
    w2, c2 = measure([rss_run, rss, "pahole", "--btf_encode_detached", btf, vmlinux])
    pahole_rss = int(open(rss).read().split()[0])
    w3, c3 = measure(pack_sh(btf, rel, os.path.join(d, "shell.btf.tar.xz")))
    shutil.rmtree(root, ignore_errors=True)
    out = os.path.join(d, "out")
    wm, cm = measure([make, "-q", "--prefer", "dbg", "-o", out, deb])
    wr, cr = rerun(make, out, deb, ["--prefer", "dbg"])
    # its own peak RSS, pahole's apart: a second cold run, polled
    shutil.rmtree(out)
    make_rss = own_peak_rss([make, "-q", "--prefer", "dbg", "-o", out, deb])
    arc = [os.path.join(r, f) for r, _, fs in os.walk(os.path.join(out, "debian")) for f in fs][0]
    same = open(arc, "rb").read() == open(os.path.join(d, "shell.btf.tar.xz"), "rb").read()
    shutil.rmtree(d, ignore_errors=True)
    return (rel, w1 + w2 + w3, c1 + c2 + c3, w2, c2, pahole_rss, wm, cm, make_rss, wr, cr, same)


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-root", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--debs")
    ap.add_argument("--record", action="store_true")
    ARGS = ap.parse_args()
    make = os.path.join(ARGS.build_root, "tools", "btfhub-make")
    d = debs_dir(ARGS.debs)
    debs = sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith(".deb"))
    images = [x for x in debs if "-dbg_" not in x and "_amd64.deb" in x]
    dbgs = [x for x in debs if "-dbg_" in x]
    tmp = tempfile.mkdtemp(prefix="bench-make-")
    lines = []
    try:
        lines.append("### Image path (real Debian amd64 linux-image .debs), seconds wall / CPU")
        lines.append("")
        lines.append("| kernel | codec | decompress alone | pack alone (xz -9) | shell way | "
                     "btfhub-make | make / (decompress + pack) | re-run | re-run / cold | same bytes |")
        lines.append("|---|---|---|---|---|---|---|---|---|---|")
        for deb in images:
            for r in image_rows(make, deb, tmp):
                (rel, codec, wd, cd, wp, cp, ws, cs, wm, cm, wr, cr, same) = r
                lines.append("| %s | %s | %.2f / %.2f | %.2f / %.2f | %.2f / %.2f | %.2f / %.2f | "
                             "%.2fx CPU | %.3f / %.3f | %.2f%% | %s |" % (
                                 rel, codec, wd, cd, wp, cp, ws, cs, wm, cm, cm / (cd + cp),
                                 wr, cr, 100 * wr / wm, "yes" if same else "NO"))
                print(lines[-1], flush=True)
        if dbgs:
            lines.append("")
            lines.append("### -dbg path (real Debian -dbg .deb, DWARF through pahole %s)" %
                         subprocess.run(["pahole", "--version"], capture_output=True,
                                        text=True).stdout.strip())
            lines.append("")
            lines.append("| kernel | shell way | of which pahole | pahole peak RSS | btfhub-make | "
                         "btfhub-make peak RSS (own) | re-run | same bytes |")
            lines.append("|---|---|---|---|---|---|---|---|")
            for deb in dbgs:
                (rel, ws, cs, wp, cp, prss, wm, cm, mrss, wr, cr, same) = dbg_rows(make, deb, tmp)
                lines.append("| %s | %.1f / %.1f | %.1f / %.1f | %d MB | %.1f / %.1f | %d MB | "
                             "%.3f / %.3f | %s |" % (rel, ws, cs, wp, cp, prss // 1024, wm, cm,
                                                     mrss // 1024, wr, cr, "yes" if same else "NO"))
                print(lines[-1], flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("\n".join(lines))
    if ARGS.record:
        with open(os.path.join(HERE, "MAKE-RESULTS.md"), "w") as f:
            f.write("# btfhub-make benchmark (bench/make.py --record)\n\n"
                    "Generated by bench/make.py; every row is real data (Debian packages), one\n"
                    "run each, on a shared 2-core host: wall times carry other jobs' load, CPU\n"
                    "(user+sys of the command and its children) is the steadier figure.\n\n"
                    "Reading it: `decompress alone` is the vmlinuz payload through its codec's\n"
                    "CLI; `pack alone` is `tar | xz -9 -T1` of the BTF, the archive format's own\n"
                    "cost (BTFHub's format, and the committed fixtures' bytes). btfhub-make does\n"
                    "both and little else: its CPU is ~1.0x their sum (`make / (decompress +\n"
                    "pack)`), 2-3x less than the shell way, whose `dpkg-deb -x` unpacks every\n"
                    "module. Against decompression alone (the issue's 1.2x goal) it is ~4-60x,\n"
                    "all of it xz -9 of the 4-5 MB BTF: the goal is not met as stated, and cannot\n"
                    "be with this archive format; the part btfhub-make adds is within it. A\n"
                    "re-run with nothing new reads no input: under 0.5% of the cold run.\n\n")
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
