#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""bench/fetch_remote.py: list and fetch N archives from a loopback mirror
(issue 14), with btfhub-fetch -j 1/4/8 against a serial curl loop over the
same URLs, and the cost of a re-run when nothing changed.

The archives are SYNTHETIC: N small .btf.tar.xz files generated here into a
temporary directory, each holding a minimal valid BTF (one named INT type)
under a BTFHub-shaped path, so the figures measure listing, transfer,
verification and extraction overheads, not BTFHub's real archive sizes.

The mirror is Python's http.server (HTTP/1.1, Last-Modified) in this
process, serving the tree after `btfhub-fetch --write-index`; a second one
hides the index so the listing falls back to the directory pages. The
server counts requests and body bytes. curl (one process per URL, as a
shell loop does) only downloads: it neither verifies nor extracts.

Prints a markdown table, or JSON with --json. bench/run includes it.
"""
import argparse
import functools
import io
import json
import lzma
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

DISTROS = [("ubuntu", ["18.04", "20.04", "22.04"]), ("centos", ["7", "8"]),
           ("debian", ["10", "11", "12"]), ("fedora", ["34", "35"])]
ARCHES = ["x86_64", "arm64"]


def tiny_btf(name):
    """A minimal valid BTF: one 32-bit INT named @name."""
    strs = b"\0" + name.encode() + b"\0"
    types = struct.pack("<III", 1, 1 << 24, 4) + struct.pack("<I", 32)
    hdr = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(types), len(types), len(strs))
    return hdr + types + strs


def archive(release, btf):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as t:
        info = tarfile.TarInfo(release + ".btf")
        info.size, info.mtime = len(btf), 1700000000
        t.addfile(info, io.BytesIO(btf))
    return lzma.compress(buf.getvalue(), preset=6)


def generate(root, n):
    """N archives spread over distro/version/arch directories; their relative paths."""
    dirs = [(d, v, a) for d, vs in DISTROS for v in vs for a in ARCHES]
    paths = []
    for i in range(n):
        d, v, a = dirs[i % len(dirs)]
        rel = "%s/%s/%s/5.4.0-%d-generic.btf.tar.xz" % (d, v, a, i)
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(archive("5.4.0-%d-generic" % i, tiny_btf("int_k%05d" % i)))
        paths.append(rel)
    return paths


class Counting(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers go out line by line: without this, Nagle + delayed ACK stall each response.
    disable_nagle_algorithm = True
    hide_index = False

    def log_message(self, fmt, *args):
        pass

    def send_head(self):
        with self.server.lock:
            self.server.requests += 1
        if self.hide_index and self.path.split("?")[0].endswith("/btfhub-index.json"):
            self.send_error(404)
            return None
        return super().send_head()

    def copyfile(self, src, dst):
        data = src.read()
        dst.write(data)
        with self.server.lock:
            self.server.bytes += len(data)


class Hidden(Counting):
    hide_index = True


class Mirror:
    def __init__(self, root, handler):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0),
                                         functools.partial(handler, directory=root))
        self.httpd.daemon_threads = True
        self.httpd.lock = threading.Lock()
        self.httpd.requests = self.httpd.bytes = 0
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.httpd.server_address[1]

    def counters(self):
        with self.httpd.lock:
            return self.httpd.requests, self.httpd.bytes

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def measure(mirror, cmd, **kw):
    r0, b0 = mirror.counters()
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    wall = time.monotonic() - t0
    if p.returncode:
        sys.exit("bench/fetch_remote.py: %s: exit %d: %s" % (cmd[0], p.returncode,
                                                             p.stderr.strip()[-500:]))
    r1, b1 = mirror.counters()
    return {"wall_s": round(wall, 3), "requests": r1 - r0, "bytes": b1 - b0, "stdout": p.stdout}


def fetch_all(fetch, mirror, work, j, label, counted):
    """Every archive of @mirror with -j @j into out-j<j> (cache-j<j>): a table row."""
    out, cache = os.path.join(work, "out-j%d" % j), os.path.join(work, "cache-j%d" % j)
    r = measure(mirror, [fetch, "-s", mirror.url, "-o", out, "--cache-dir", cache,
                         "--distro", "*", "-j", str(j), "--json"])
    r.update(run="%s, -j %d" % (label, j), kernels=json.loads(r.pop("stdout"))[counted])
    return r


def bench(fetch, n, jobs, work):
    root = os.path.join(work, "mirror")
    t0 = time.monotonic()
    paths = generate(root, n)
    gen_s = time.monotonic() - t0
    archive_bytes = sum(os.path.getsize(os.path.join(root, p)) for p in paths)
    rows = []
    t0 = time.monotonic()
    subprocess.run([fetch, "--write-index", root, "-q"], check=True)
    rows.append({"run": "btfhub-fetch --write-index (hash %d archives)" % n,
                 "wall_s": round(time.monotonic() - t0, 3), "requests": None, "bytes": None,
                 "kernels": n})
    idx = Mirror(root, Counting)
    plain = Mirror(root, Hidden)
    try:
        for m, what in ((idx, "index"), (plain, "directory pages")):
            cache = os.path.join(work, "cache-list-" + what.split()[0])
            r = measure(m, [fetch, "-s", m.url, "--list", "--json", "--cache-dir", cache])
            r["kernels"] = json.loads(r.pop("stdout"))["count"]
            r["run"] = "--list, %s" % what
            rows.append(r)
            r = measure(m, [fetch, "-s", m.url, "--list", "--json", "--cache-dir", cache])
            r["kernels"] = json.loads(r.pop("stdout"))["count"]
            r["run"] = "--list again, %s (conditional)" % what
            rows.append(r)
        for j in jobs:
            rows.append(fetch_all(fetch, idx, work, j, "fetch + verify + extract", "fetched"))
        curl_out = os.path.join(work, "curl")
        os.makedirs(curl_out)
        r0, b0 = idx.counters()
        t0 = time.monotonic()
        for i, p in enumerate(paths):
            subprocess.run(["curl", "-sSf", "-o", os.path.join(curl_out, "%d.tar.xz" % i),
                            idx.url + "/" + p], check=True)
        r1, b1 = idx.counters()
        rows.append({"run": "serial curl loop (download only)", "wall_s":
                     round(time.monotonic() - t0, 3), "requests": r1 - r0, "bytes": b1 - b0,
                     "kernels": n})
        rows.append(fetch_all(fetch, idx, work, max(jobs), "re-run, nothing changed", "cached"))
    finally:
        idx.close()
        plain.close()
    return {"archives": n, "archive_bytes": archive_bytes, "generate_s": round(gen_s, 1),
            "rows": rows}


def table(res):
    L = ["%d SYNTHETIC archives (%d bytes in all, one tiny valid BTF each) on a loopback "
         "Python http.server mirror; requests and body bytes counted by the server."
         % (res["archives"], res["archive_bytes"]), "",
         "| run | wall s | requests | body bytes | kernels |", "|---|---:|---:|---:|---:|"]
    for r in res["rows"]:
        L.append("| %s | %.2f | %s | %s | %d |" % (
            r["run"], r["wall_s"], "-" if r["requests"] is None else r["requests"],
            "-" if r["bytes"] is None else "{:,}".format(r["bytes"]), r["kernels"]))
    return "\n".join(L) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--fetch", required=True, help="path to btfhub-fetch")
    p.add_argument("--archives", type=int, default=1000)
    p.add_argument("--jobs", default="1,4,8")
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    if not shutil.which("curl"):
        sys.exit("bench/fetch_remote.py: curl not found")
    work = tempfile.mkdtemp(prefix="btfkit-bench-fetch-")
    try:
        res = bench(os.path.abspath(a.fetch), a.archives,
                    [int(j) for j in a.jobs.split(",")], work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if a.json:
        json.dump(res, sys.stdout, indent=2)
        print()
    else:
        print(table(res), end="")


if __name__ == "__main__":
    main()
