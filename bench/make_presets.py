#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""What each xz preset costs on real kernel BTF: the measurement behind
btfhub-make's default --xz-preset (tools/make/writer.c).

Usage: bench/make_presets.py [--presets 0,1,...] [--extreme 6,9] [--nocap 9]
                             ARCHIVE|BTF...

Each input is a BTFHub archive (<release>.btf.tar.xz: its member is used) or
raw BTF. For each preset (and preset|extreme where asked) the member is packed
as btfhub-make packs it (GNU tar, one member) and compressed by liblzma
(Python's lzma module: the same library) with the LZMA2 dictionary capped to
the tar's size rounded up to 2^n or 3*2^(n-1), as writer.c does; --nocap
presets also run with the preset's own dictionary, for comparison. Each
compression runs in its own child process with MALLOC_PERTURB_ set (as under
meson test: every allocated byte is touched), which reports its CPU
(user+sys, best of --runs) and the growth of its peak RSS. Then the xz
decompression CPU of the result (what btfhub-fetch and btfgen pay per
archive). Prints a markdown table: per preset, the sum over the inputs of
compressed size and CPU, and the largest RSS growth.

Every row is real data when the inputs are real (the corpus:
~/.cache/btfkit/corpus, tests/data/make-corpus.sh).
"""
import argparse
import io
import json
import lzma
import os
import subprocess
import sys
import tarfile

CHILD = r"""
import io, json, lzma, resource, sys, tarfile
data = open(sys.argv[1], "rb").read()
preset, extreme, cap = int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4] == "1"
b = io.BytesIO()
with tarfile.open(fileobj=b, mode="w", format=tarfile.GNU_FORMAT) as t:
    ti = tarfile.TarInfo("k.btf"); ti.size = len(data); ti.mode = 0o644
    t.addfile(ti, io.BytesIO(data))
tar = b.getvalue()
f = {"id": lzma.FILTER_LZMA2, "preset": preset | (lzma.PRESET_EXTREME if extreme else 0)}
if cap:
    d = 4096
    while d < len(tar):
        d = d * 3 // 2 if d & (d - 1) == 0 else d // 3 * 4
    own = {0: 1 << 18, 1: 1 << 20, 2: 1 << 21, 3: 1 << 22, 4: 1 << 22, 5: 1 << 23, 6: 1 << 23,
           7: 1 << 24, 8: 1 << 25, 9: 1 << 26}[preset]
    f["dict_size"] = min(d, own)
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
r0 = resource.getrusage(resource.RUSAGE_SELF)
out = lzma.compress(tar, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64, filters=[f])
r1 = resource.getrusage(resource.RUSAGE_SELF)
cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
rss = r1.ru_maxrss - rss0
r0 = resource.getrusage(resource.RUSAGE_SELF)
back = lzma.decompress(out)
r1 = resource.getrusage(resource.RUSAGE_SELF)
assert back == tar
dcpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
print(json.dumps({"size": len(out), "cpu": cpu, "rss_kb": rss, "dcpu": dcpu,
                  "dict": f.get("dict_size", 0)}))
"""


def member(path, tmp):
    """Path of the raw BTF of @path (an archive's one member, or @path itself)."""
    with open(path, "rb") as f:
        head = f.read(6)
    if head != b"\xfd7zXZ\x00":
        return path
    with tarfile.open(path, "r:xz") as t:
        m = t.next()
        raw = t.extractfile(m).read()
    out = os.path.join(tmp, os.path.basename(path) + ".btf")
    with open(out, "wb") as f:
        f.write(raw)
    return out


def one(btf, preset, extreme, cap, runs):
    env = dict(os.environ, MALLOC_PERTURB_="165")
    best = None
    for _ in range(runs):
        p = subprocess.run([sys.executable, "-c", CHILD, btf, str(preset), "1" if extreme else "0",
                            "1" if cap else "0"], env=env, capture_output=True, text=True,
                           check=True)
        r = json.loads(p.stdout)
        if best is None or r["cpu"] < best["cpu"]:
            best = r
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--presets", default="0,1,2,3,4,5,6,7,8,9")
    ap.add_argument("--extreme", default="", help="presets also measured with -e")
    ap.add_argument("--nocap", default="", help="presets also measured with their own dictionary")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("inputs", nargs="+")
    args = ap.parse_args()
    ints = lambda s: [int(x) for x in s.split(",") if x]
    rows = [(p, False, True) for p in ints(args.presets)]
    rows += [(p, True, True) for p in ints(args.extreme)]
    rows += [(p, False, False) for p in ints(args.nocap)]
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        btfs = [member(x, tmp) for x in args.inputs]
        raw = sum(os.path.getsize(b) for b in btfs)
        print("%d inputs, %.1f MB of BTF; sums over the inputs, RSS the largest growth"
              % (len(btfs), raw / 1e6))
        print("| preset | dictionary | compressed bytes | ratio | CPU s | CPU s per MB "
              "| peak RSS growth (MALLOC_PERTURB_) | xz -d CPU s |")
        print("|---|---|---|---|---|---|---|---|")
        for preset, extreme, cap in rows:
            res = [one(b, preset, extreme, cap, args.runs) for b in btfs]
            size = sum(r["size"] for r in res)
            cpu = sum(r["cpu"] for r in res)
            print("| %d%s | %s | %d | %.3f | %.2f | %.3f | %d MB | %.2f |" % (
                preset, "e" if extreme else "",
                "capped (%s)" % ",".join(sorted({"%d KiB" % (r["dict"] >> 10) for r in res}))
                if cap else "preset's own", size, size / raw, cpu, cpu / (raw / 1e6),
                max(r["rss_kb"] for r in res) // 1024, sum(r["dcpu"] for r in res)), flush=True)


if __name__ == "__main__":
    main()
