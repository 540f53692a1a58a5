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
  sizes     the bundle (btfgen's canonical output) vs solid tar.xz /
            tar.gz / per-file archives of bpftool's bytes (btfgen --raw) of
            the same kernels at 10, 35 and all kernels (evenly spaced in
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


def measure(cmd, watch, env=None, die=None, sample_disk=True):
    """Run cmd; return wall seconds, CPU seconds, peak RSS (bytes) of its
    process tree, and the peak disk use of @watch minus what it held before
    (None without sample_disk: walking the tree every 20 ms costs this
    2-core machine CPU that the timed command then does not get)."""
    base = _disk_usage(watch)
    peak = [base]
    done = threading.Event()

    def sample():
        while not done.wait(0.02):
            peak[0] = max(peak[0], _disk_usage(watch))

    t = threading.Thread(target=sample, daemon=True)
    if sample_disk:
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
    if sample_disk:
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
            "disk": peak[0] - base if sample_disk else None}


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
    build = os.path.join(a.build_root, "btfkit-build", "btfkit-build")
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

    def timed(cmd):
        return measure(cmd, w, env=env, die=die, sample_disk=False)

    def fresh(*names):
        for n in names:
            shutil.rmtree(os.path.join(w, n), ignore_errors=True)

    log("corpus: xz -dc floor")
    res["raw_bytes"] = int(subprocess.run(
        ["sh", "-c", 'for f; do xz -dc "$f"; done | wc -c', "sh"] + files,
        check=True, stdout=subprocess.PIPE, text=True).stdout)
    loop = 'for f; do xz -dc "$f" > /dev/null || exit 1; done'
    res["floor1"] = timed(["sh", "-c", loop, "sh"] + files)

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

    def rerun(cmd):
        """A no-change re-run lasts tens of milliseconds: the disk sampler's tree
        walks would be a good part of it, and one scheduling hiccup all of it.
        The median of three, unsampled (it writes nothing: disk 0)."""
        runs = [timed(cmd) for _ in range(3)]
        r = _median_run(runs)
        r["disk"] = 0
        r["runs_s"] = [x["wall_s"] for x in runs]
        return r

    pl["readme"] = m(chain(fetch_cmd, gen_full, embed(red_full, "readme")))
    pl["readme_rerun"] = rerun(chain(fetch_cmd, gen_full, embed(red_full, "readme")))
    pl["btfgen_rerun"] = rerun(gen_full)
    fresh("full", "red-full", "fetch-cache")
    # Peak disk, in runs of their own: the sampler is off in the timed rounds.
    pl["archives_disk"] = m(chain(gen_arch, embed(red_arch, "archives")))
    pl["overlap_disk"] = m(chain(overlap, embed(red_ovl, "overlap")))

    # The floor and the two fast pipelines, interleaved round by round: the
    # machine's speed drifts (other VMs on the host), and a ratio of runs
    # seconds apart is steadier than one of runs a minute apart. Each row is
    # the round with the median wall time; the target is the median of the
    # per-round ratios.
    log(f"corpus: floor and pipelines, {a.corpus_rounds} interleaved rounds")
    rounds = res["rounds"] = []
    for _ in range(a.corpus_rounds):
        r = {"floor2": two_jobs(files, timed)}
        fresh("red-arch", os.path.basename(red_ovl), "fetch-cache")
        r["archives"] = timed(chain(gen_arch, embed(red_arch, "archives")))
        r["overlap"] = timed(chain(overlap, embed(red_ovl, "overlap")))
        rounds.append(r)
    res["floor2"] = _median_run([r["floor2"] for r in rounds])
    pl["archives"] = _median_run([r["archives"] for r in rounds])
    pl["overlap"] = _median_run([r["overlap"] for r in rounds])
    pl["archives_rerun"] = rerun(chain(gen_arch, embed(red_arch, "archives")))
    pl["overlap_rerun"] = rerun(chain(overlap, embed(red_ovl, "overlap")))
    fresh(os.path.basename(red_ovl), "fetch-cache")

    log("corpus: bundle sizes")
    # The peers ship bpftool's bytes: their formats are measured on a
    # `btfgen --raw` tree, the bundle on btfgen's own (canonical) output.
    red_raw = os.path.join(w, "red-raw")
    timed([btfgen, "-q", "-j", "2", "--raw", "--bpftool", a.bpftool, "-o", red_raw, corpus, obj])
    names = tree_files(red_arch)
    res["sizes"] = []
    for n in sorted({min(10, len(names)), min(35, len(names)), len(names)}):
        pick = [names[i * len(names) // n] for i in range(n)]
        sdir = os.path.join(w, f"sizes-{n}")
        root, raw_root = os.path.join(sdir, "tree"), os.path.join(sdir, "raw")
        for name in pick:
            for src, dst_root in ((red_arch, root), (red_raw, raw_root)):
                dst = os.path.join(dst_root, name)
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                shutil.copyfile(os.path.join(src, name), dst)
        z = sizes_fn(a, sdir, raw_root, pick)
        z["bundle_xz"] = bundle_fn(a, sdir, root, "xz")["bytes"]
        z["bundle_zlib"] = bundle_fn(a, sdir, root, "zlib")["bytes"]
        res["sizes"].append(z)
        shutil.rmtree(os.path.join(sdir, "tracee"), ignore_errors=True)
    return res


def _sq(s):
    return "'" + str(s).replace("'", "'\\''") + "'"


def two_jobs(files, m):
    """xz -dc over a pool of two processes (xargs -P2), each taking the next
    archive when it is free: the pipelines schedule the same way, and a pool
    is a lower floor than dealing the files out alternately in advance."""
    return m(["sh", "-c", 'printf "%s\\0" "$@" | xargs -0 -P2 -n1 xz -dc', "sh"] + files)


def _median_run(runs):
    return sorted(runs, key=lambda r: r["wall_s"])[len(runs) // 2]


def _ratios(c, key):
    return [r[key]["wall_s"] / r["floor2"]["wall_s"] for r in c["rounds"]]


def _median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if len(xs) % 2 else (xs[len(xs) // 2 - 1] + xs[len(xs) // 2]) / 2


def report(c):
    """Markdown for the corpus section."""
    f2 = c["floor2"]["wall_s"]
    n = len(c["rounds"])
    L = ["### Real corpus: the pipeline at the decompression floor (real data)", ""]
    L.append(f"{c['kernels']} real kernels from `{c['corpus']}` "
             f"({c['archive_bytes']:,} bytes of .btf.tar.xz, {c['raw_bytes']:,} bytes of raw "
             "BTF), served from a local directory. Ratios are to the two-job `xz -dc` floor "
             "(a pool of two, `xargs -P2`); disk is the peak extra use of the scratch directory "
             "(outputs, caches, TMPDIR), sampled every 20 ms in a run of its own.")
    L.append("")
    L.append(f"The floor and the two fast pipelines ran in {n} interleaved rounds; their rows "
             "are the median-wall round, and each round's pipeline/floor ratios are listed "
             "below the table. CPU / floor CPU compares the CPU the run spent (whole process "
             "tree) with the floor's: on a shared machine the wall-time ratio moves with the "
             "load, this one much less.")
    L.append("")
    L.append("| run | wall s | / floor (2 jobs) | CPU s | CPU / floor CPU | peak RSS MB "
             "| peak disk MB |")
    L.append("|---|---:|---:|---:|---:|---:|---:|")
    fc = c["floor2"]["cpu_s"]

    def row(name, r, disk=None):
        rss = "?" if r["rss"] is None else f"{r['rss'] / 1e6:.1f}"
        d = (disk or r)["disk"]
        d = "-" if d is None else f"{d / 1e6:.1f}"
        L.append(f"| {name} | {r['wall_s']:.2f} | {r['wall_s'] / f2:.2f}x | {r['cpu_s']:.2f} | "
                 f"{r['cpu_s'] / fc:.2f}x | {rss} | {d} |")

    row("xz -dc floor, 1 job", c["floor1"])
    row("xz -dc floor, 2 jobs", c["floor2"])
    st = c["stages"]
    row("btfhub-fetch -s DIR -o FULL (verify + extract)", st["fetch"])
    row("btfgen -j2 on FULL (extracted .btf)", st["btfgen_extracted"])
    row("btfgen -j2 on the archives", st["btfgen_archives"])
    row("embedgen", st["embedgen"])
    pl = c["pipelines"]
    row("**pipeline, README workflow** (fetch, btfgen FULL, embedgen)", pl["readme"])
    row("pipeline, btfgen on the archives, embedgen", pl["archives"], pl["archives_disk"])
    row("**overlapped pipeline** (btfkit-build -s DIR, embedgen)", pl["overlap"],
        pl["overlap_disk"])
    row("no-change re-run, README workflow", pl["readme_rerun"])
    row("no-change re-run, btfgen alone", pl["btfgen_rerun"])
    row("no-change re-run, archives pipeline", pl["archives_rerun"])
    row("no-change re-run, overlapped pipeline", pl["overlap_rerun"])
    L.append("")
    L.append("No-change re-runs: the median of three unsampled runs (they write nothing); "
             "overlapped " + ", ".join(f"{x:.3f}" for x in pl["overlap_rerun"]["runs_s"])
             + " s; archives " + ", ".join(f"{x:.3f}" for x in pl["archives_rerun"]["runs_s"])
             + " s.")
    L.append("")
    L.append("Per round, pipeline / floor (wall): overlapped "
             + ", ".join(f"{x:.2f}x" for x in _ratios(c, "overlap"))
             + "; archives " + ", ".join(f"{x:.2f}x" for x in _ratios(c, "archives"))
             + "; floor " + ", ".join(f"{r['floor2']['wall_s']:.2f} s" for r in c["rounds"])
             + ".")
    L.append("")
    L.append("Sizes: raw, xz, tar.gz and tar.xz are of bpftool's bytes (`btfgen --raw`), what "
             "the peers ship; the btfkit bundles are of btfgen's canonical output.")
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

    pl = c["pipelines"]
    ro, ra = _median(_ratios(c, "overlap")), _median(_ratios(c, "archives"))
    rm = pl["readme"]["wall_s"] / c["floor2"]["wall_s"]
    L = []
    L.append(f"| real corpus: pipeline <= 1.5x the 2-job xz -dc floor (median of "
             f"{len(c['rounds'])} interleaved rounds) | overlapped {ro:.2f}x, archives {ra:.2f}x, "
             f"README {rm:.2f}x | {ok(min(ro, ra) <= 1.5)} |")
    ab = c["archive_bytes"]
    disks = {"README": pl["readme"]["disk"], "archives": pl["archives_disk"]["disk"],
             "overlapped": pl["overlap_disk"]["disk"]}
    L.append("| real corpus: peak extra disk <= 2x archives | "
             + ", ".join(f"{k} {v / ab:.2f}x" for k, v in disks.items())
             + f" | {ok(min(disks['archives'], disks['overlapped']) <= 2 * ab)} |")
    rr = pl["readme_rerun"]["wall_s"] / pl["readme"]["wall_s"]
    rA = pl["archives_rerun"]["wall_s"] / pl["archives"]["wall_s"]
    rO = pl["overlap_rerun"]["wall_s"] / pl["overlap"]["wall_s"]
    L.append(f"| real corpus: no-change re-run <= 1% of cold | README {100 * rr:.1f}%, "
             f"archives {100 * rA:.1f}%, overlapped {100 * rO:.1f}% "
             f"| {ok(max(rA, rO) <= 0.01)} |")
    r = [z["bundle_xz"] / z["tarxz_solid"] for z in c["sizes"]]
    L.append(f"| real corpus: bundle <= 1.0x solid tar.xz at "
             f"{' / '.join(str(z['kernels']) for z in c['sizes'])} kernels | "
             f"{' / '.join(f'{x:.2f}x' for x in r)} | {ok(max(r) <= 1.0)} |")
    return L
