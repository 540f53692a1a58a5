# SPDX-License-Identifier: BSD-2-Clause
"""The pipeline on a real corpus (issue 18), for bench/run --corpus DIR.

DIR is a BTFHub-layout tree of real archives (tests/data/make-corpus.sh
builds every Debian 11/12/13 amd64 kernel). Measured, each stage in a fresh
directory under the bench's scratch directory:

  floor     xz -dc of every archive to /dev/null, 1 and 2 jobs: every
            archive must be decompressed once, whatever the pipeline;
  stages    btfhub-fetch -s DIR -o FULL (verify + extract), btfgen -j2 on
            FULL, btfgen -j2 straight on the archives, embedgen;
  pipeline  the README's workflow (fetch, then btfgen on its output, then
            embedgen), the same with btfgen reading the archives, and the
            overlapped one (btfkit-build -s DIR: each kernel reduced as soon
            as its archive is verified, then embedgen);
  re-run    the README workflow again with nothing changed;
  sizes     the bundle vs solid tar.xz / tar.gz / per-file archives of the
            same reduced files at 10, 35 and all kernels (evenly spaced in
            key order).

Peak disk is the most the scratch directory (outputs, caches and the
tools' TMPDIR) held while a command ran, sampled every 20 ms; peak RSS is
the largest process of the command's tree (wait4's ru_maxrss).
"""
import os
import shutil
import subprocess
import threading
import time


def _disk_usage(root):
    total = 0
    for d, _, files in os.walk(root):
        for f in files:
            try:
                total += os.lstat(os.path.join(d, f)).st_blocks * 512
            except OSError:
                pass
    return total


def measure(cmd, watch, env=None, die=None):
    """Run cmd; return wall seconds, CPU seconds, peak RSS (bytes) of its
    process tree, and the peak disk use of @watch minus what it held before."""
    base = _disk_usage(watch)
    peak = [base]
    done = threading.Event()

    def sample():
        while not done.wait(0.02):
            peak[0] = max(peak[0], _disk_usage(watch))

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    # RSS through GNU time: a child forked from this Python process would
    # count Python's own pages in its ru_maxrss.
    rss_file = os.path.join(watch, ".rss")
    timer = ["/usr/bin/time", "-f", "%M", "-o", rss_file] if os.access("/usr/bin/time", os.X_OK) else []
    t0 = time.monotonic()
    p = subprocess.Popen(timer + list(cmd), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         env=env)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    t.join()
    peak[0] = max(peak[0], _disk_usage(watch))
    if p.returncode != 0 and die:
        die(f"{' '.join(map(str, cmd))}: exit {p.returncode}: {err.decode(errors='replace').strip()}")
    rss = None
    if timer:
        try:
            rss = int(open(rss_file).read().split()[-1]) * 1024
        except (OSError, ValueError, IndexError):
            pass
        os.unlink(rss_file)
    return {"wall_s": wall, "cpu_s": ru.ru_utime + ru.ru_stime, "rss": rss,
            "disk": peak[0] - base}


def archives(corpus):
    out = []
    for d, _, files in os.walk(corpus):
        for f in files:
            if f.endswith(".btf.tar.xz") and not f.startswith("."):
                out.append(os.path.join(d, f))
    return sorted(out)


def corpus_bench(a, work, corpus, sizes_fn, bundle_fn, tree_files, die, log):
    fetch = os.path.join(a.build_root, "tools", "btfhub-fetch")
    btfgen = os.path.join(a.build_root, "btfgen", "btfgen")
    build = os.path.join(a.build_root, "tools", "btfkit-build")
    for exe in (fetch, btfgen, build):
        if not os.access(exe, os.X_OK):
            die(f"{exe}: not built")
    files = archives(corpus)
    if not files:
        die(f"{corpus}: no <distro>/<version>/<arch>/<release>.btf.tar.xz")
    res = {"corpus": corpus, "kernels": len(files),
           "archive_bytes": sum(os.path.getsize(f) for f in files)}
    w = os.path.join(work, "corpus")
    shutil.rmtree(w, ignore_errors=True)
    os.makedirs(os.path.join(w, "tmp"))
    env = dict(os.environ, TMPDIR=os.path.join(w, "tmp"))

    def m(cmd):
        return measure(cmd, w, env=env, die=die)

    def fresh(*names):
        for n in names:
            shutil.rmtree(os.path.join(w, n), ignore_errors=True)

    log("corpus: xz -dc floor")
    res["raw_bytes"] = int(subprocess.run(
        ["sh", "-c", 'for f; do xz -dc "$f"; done | wc -c', "sh"] + files,
        check=True, stdout=subprocess.PIPE, text=True).stdout)
    loop = 'for f; do xz -dc "$f" > /dev/null || exit 1; done'
    res["floor1"] = m(["sh", "-c", loop, "sh"] + files)
    res["floor2"] = two_jobs(files, m)

    obj = a.object
    full, red_full, red_arch = (os.path.join(w, n) for n in ("full", "red-full", "red-arch"))
    fcache = os.path.join(w, "fetch-cache")
    fetch_cmd = [fetch, "-q", "-s", corpus, "-o", full, "--cache-dir", fcache]
    gen_full = [btfgen, "-q", "-j", "2", "--bpftool", a.bpftool, "-o", red_full, full, obj]
    gen_arch = [btfgen, "-q", "-j", "2", "--bpftool", a.bpftool, "-o", red_arch, corpus, obj]
    red_ovl = os.path.join(w, "red-overlap")
    overlap = [build, "-q", "-j", "2", "--bpftool", a.bpftool, "-s", corpus, "-o", red_ovl,
               "--cache-dir", fcache, obj]

    def embed(src, tag):
        base = os.path.join(w, f"bundle-{tag}")
        return [a.embedgen, "-q", "--object", obj, "-o", base + ".c", "--bundle-file",
                base + ".btfb", src]

    log("corpus: stages alone")
    st = res["stages"] = {}
    st["fetch"] = m(fetch_cmd)
    st["btfgen_extracted"] = m(gen_full)
    st["btfgen_archives"] = m(gen_arch)
    st["embedgen"] = m(embed(red_arch, "alone"))
    fresh("full", "red-full", "red-arch", "fetch-cache")

    log("corpus: pipelines")
    pl = res["pipelines"] = {}
    def chain(*cmds):
        script = " && ".join(" ".join(_sq(x) for x in c) for c in cmds)
        return ["sh", "-c", script]

    pl["readme"] = m(chain(fetch_cmd, gen_full, embed(red_full, "readme")))
    pl["readme_rerun"] = m(chain(fetch_cmd, gen_full, embed(red_full, "readme")))
    pl["btfgen_rerun"] = m(gen_full)
    fresh("full", "red-full", "fetch-cache")
    pl["archives"] = m(chain(gen_arch, embed(red_arch, "archives")))
    pl["archives_rerun"] = m(chain(gen_arch, embed(red_arch, "archives")))
    pl["overlap"] = m(chain(overlap, embed(red_ovl, "overlap")))
    pl["overlap_rerun"] = m(chain(overlap, embed(red_ovl, "overlap")))
    fresh(os.path.basename(red_ovl), "fetch-cache")

    log("corpus: bundle sizes")
    names = tree_files(red_arch)
    res["sizes"] = []
    for n in sorted({min(10, len(names)), min(35, len(names)), len(names)}):
        pick = [names[i * len(names) // n] for i in range(n)]
        sdir = os.path.join(w, f"sizes-{n}")
        root = os.path.join(sdir, "tree")
        for name in pick:
            dst = os.path.join(root, name)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copyfile(os.path.join(red_arch, name), dst)
        z = sizes_fn(a, sdir, root, pick)
        z["bundle_xz"] = bundle_fn(a, sdir, root, "xz")["bytes"]
        z["bundle_zlib"] = bundle_fn(a, sdir, root, "zlib")["bytes"]
        res["sizes"].append(z)
        shutil.rmtree(os.path.join(sdir, "tracee"), ignore_errors=True)
    return res


def _sq(s):
    return "'" + str(s).replace("'", "'\\''") + "'"


def two_jobs(files, m):
    """xz -dc over two processes, files dealt alternately (a pool of two)."""
    loop = 'for f; do xz -dc "$f" > /dev/null || exit 1; done'
    a = " ".join(_sq(f) for f in files[0::2])
    b = " ".join(_sq(f) for f in files[1::2])
    script = (f"sh -c {_sq(loop)} sh {a} & p=$!; sh -c {_sq(loop)} sh {b} || exit 1; "
              "wait $p")
    return m(["sh", "-c", script])


def report(c):
    """Markdown for the corpus section."""
    f2 = c["floor2"]["wall_s"]
    L = ["### Real corpus: the pipeline at the decompression floor (real data)", ""]
    L.append(f"{c['kernels']} real kernels from `{c['corpus']}` "
             f"({c['archive_bytes']:,} bytes of .btf.tar.xz, {c['raw_bytes']:,} bytes of raw "
             "BTF), served from a local directory. Ratios are to the two-job `xz -dc` floor; "
             "disk is the peak extra use of the scratch directory (outputs, caches, TMPDIR).")
    L.append("")
    L.append("CPU / floor CPU compares the CPU the run spent (whole process tree) with the "
             "floor's: on a shared machine the wall-time ratio moves with the load, this one "
             "much less.")
    L.append("")
    L.append("| run | wall s | / floor (2 jobs) | CPU s | CPU / floor CPU | peak RSS MB "
             "| peak disk MB |")
    L.append("|---|---:|---:|---:|---:|---:|---:|")
    fc = c["floor2"]["cpu_s"]

    def row(name, r):
        rss = "?" if r["rss"] is None else f"{r['rss'] / 1e6:.1f}"
        L.append(f"| {name} | {r['wall_s']:.2f} | {r['wall_s'] / f2:.2f}x | {r['cpu_s']:.2f} | "
                 f"{r['cpu_s'] / fc:.2f}x | {rss} | {r['disk'] / 1e6:.1f} |")

    row("xz -dc floor, 1 job", c["floor1"])
    row("xz -dc floor, 2 jobs", c["floor2"])
    st = c["stages"]
    row("btfhub-fetch -s DIR -o FULL (verify + extract)", st["fetch"])
    row("btfgen -j2 on FULL (extracted .btf)", st["btfgen_extracted"])
    row("btfgen -j2 on the archives", st["btfgen_archives"])
    row("embedgen", st["embedgen"])
    pl = c["pipelines"]
    row("**pipeline, README workflow** (fetch, btfgen FULL, embedgen)", pl["readme"])
    row("pipeline, btfgen on the archives, embedgen", pl["archives"])
    if "overlap" in pl:
        row("**overlapped pipeline** (btfkit-build -s DIR, embedgen)", pl["overlap"])
    row("no-change re-run, README workflow", pl["readme_rerun"])
    row("no-change re-run, btfgen alone", pl["btfgen_rerun"])
    row("no-change re-run, archives pipeline", pl["archives_rerun"])
    if "overlap" in pl:
        row("no-change re-run, overlapped pipeline", pl["overlap_rerun"])
    L.append("")
    L.append("| kernels | raw | xz -9 each | .btf.tar.xz each | tar.gz | solid tar.xz -9 "
             "| btfkit xz | btfkit zlib | xz / solid tar.xz | xz / tar.gz |")
    L.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for z in c["sizes"]:
        L.append(f"| {z['kernels']} | {z['raw']:,} | {z['xz_each']:,} | {z['tarxz_each']:,} | "
                 f"{z['targz']:,} | {z['tarxz_solid']:,} | {z['bundle_xz']:,} | "
                 f"{z['bundle_zlib']:,} | {z['bundle_xz'] / z['tarxz_solid']:.2f}x | "
                 f"{z['bundle_xz'] / z['targz']:.2f}x |")
    L.append("")
    return L


def targets(c):
    """Issue 18's targets on the real corpus."""
    def ok(cond):
        return "met" if cond else "**MISSED**"

    f2 = c["floor2"]["wall_s"]
    pl = c["pipelines"]
    ov = pl.get("overlap")
    best = min(pl["readme"]["wall_s"], pl["archives"]["wall_s"], ov["wall_s"] if ov else 1e9)
    L = []
    ovs = f", overlapped {ov['wall_s'] / f2:.2f}x" if ov else ""
    L.append(f"| real corpus: pipeline <= 1.5x the 2-job xz -dc floor | README "
             f"{pl['readme']['wall_s'] / f2:.2f}x, archives {pl['archives']['wall_s'] / f2:.2f}x"
             f"{ovs} | {ok(best <= 1.5 * f2)} |")
    disk = min(pl["readme"]["disk"], pl["archives"]["disk"], ov["disk"] if ov else 1e18)
    ovd = f", overlapped {ov['disk'] / c['archive_bytes']:.2f}x" if ov else ""
    L.append(f"| real corpus: peak extra disk <= 2x archives | README "
             f"{pl['readme']['disk'] / c['archive_bytes']:.2f}x, archives "
             f"{pl['archives']['disk'] / c['archive_bytes']:.2f}x{ovd} "
             f"| {ok(disk <= 2 * c['archive_bytes'])} |")
    rr = pl["readme_rerun"]["wall_s"] / pl["readme"]["wall_s"]
    ra = pl["archives_rerun"]["wall_s"] / pl["archives"]["wall_s"]
    ro = pl["overlap_rerun"]["wall_s"] / ov["wall_s"] if ov else 1.0
    ovr = f", overlapped {100 * ro:.1f}%" if ov else ""
    L.append(f"| real corpus: no-change re-run <= 1% of cold | README {100 * rr:.1f}%, "
             f"archives {100 * ra:.1f}%{ovr} | {ok(min(rr, ra, ro) <= 0.01)} |")
    r = [z["bundle_xz"] / z["tarxz_solid"] for z in c["sizes"]]
    L.append(f"| real corpus: bundle <= 1.0x solid tar.xz at "
             f"{' / '.join(str(z['kernels']) for z in c['sizes'])} kernels | "
             f"{' / '.join(f'{x:.2f}x' for x in r)} | {ok(max(r) <= 1.0)} |")
    return L
