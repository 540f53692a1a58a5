#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""bench/listing_rss.py: btfhub-fetch's peak RSS per listing answer size and
kind (issue 27 item 5), against the 64 MB bound.

Every answer is SYNTHETIC (tests/fetch/biglisting.py): GitHub trees answers,
btfhub-index.json files and nginx directory pages generated to a size with
BTFHub-shaped keys, served from a loopback server in this process. BTFHub's
real trees answer is ~1.5 MB. Each row is one
`btfhub-fetch -s SRC --list --json --distro debian` under tests/lib/rss_run
(wait4's ru_maxrss of the process itself); --before BIN adds a column for
another build (the buffered parser before, for the record).

Prints a markdown table, or JSON with --json. bench/run includes it.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(SRC, "tests", "fetch"), os.path.join(SRC, "tests", "lib")]
import biglisting                                 # noqa: E402
import remote_server as rs                        # noqa: E402

MIB = 1 << 20


def answers():
    """(kind, label, mount path, source suffix or GitHub repo, body, archives)."""
    out = []
    for mib in (1, 8, 32, 63):
        n = min(99000, mib * MIB // 430)      # an archive and its .sha256 beside it
        out.append(("trees", "%d MiB, %d archives" % (mib, n), "/repos/b/t%d/git/trees/" % mib,
                    "gh:b/t%d" % mib, biglisting.trees(mib * MIB - 4096, n), n))
    out.append(("trees", "63 MiB, 240000 archives", "/repos/b/tmany/git/trees/", "gh:b/tmany",
                biglisting.trees(63 * MIB, 240000), 240000))
    for n in (5000, 45000, 99000):
        body = biglisting.index(n)
        out.append(("index", "%.1f MiB, %d archives" % (len(body) / MIB, n),
                    "/i%d/btfhub-index.json" % n, "/i%d" % n, body, n))
    body = biglisting.index_of_size(63 * MIB)
    out.append(("index", "63 MiB, %d archives" % body.count(b'"key"'), "/imany/btfhub-index.json",
                "/imany", body, body.count(b'"key"')))
    for mib in (1, 8):
        leaf, names = biglisting.autoindex(mib * MIB, "/a%d/ubuntu/20.04/x86_64/" % mib)
        out.append(("directory page", "%d MiB, %d links" % (mib, len(names)), "/a%d/" % mib,
                    "/a%d" % mib, leaf, len(names) + biglisting.DEBIAN))
    leaf, names = biglisting.autoindex(63 * MIB, "/amany/ubuntu/20.04/x86_64/")
    out.append(("directory page", "63 MiB, %d links" % len(names), "/amany/", "/amany", leaf,
                len(names) + biglisting.DEBIAN))
    return out


def measure(tool, rss_run, srv, src, tmp):
    env = dict(os.environ, BTFKIT_GITHUB_API_URL=srv.url(), BTFKIT_GITHUB_RAW_URL=srv.url())
    env.pop("GITHUB_TOKEN", None)
    stats = os.path.join(tmp, "rss")
    cache = tempfile.mkdtemp(dir=tmp)
    p = subprocess.run([rss_run, stats, tool, "-s", src, "--list", "--json", "--distro", "debian",
                        "--cache-dir", cache], capture_output=True, text=True, env=env,
                       timeout=600)
    kb, secs = open(stats).read().split()
    err = [l for l in p.stderr.splitlines() if "error:" in l]
    what = "listed" if p.returncode == 0 else (err[0].split(": ", 3)[-1] if err else
                                               "exit %d" % p.returncode)
    return {"rss_kb": int(kb), "seconds": float(secs), "rc": p.returncode, "result": what}


def bench(tool, rss_run, before=None):
    rows = []
    with tempfile.TemporaryDirectory(prefix="btfkit-listing-rss-") as tmp:
        with rs.Server() as srv:
            for kind, label, mount, src, body, n in answers():
                if kind == "directory page" and mount != "/amany/":
                    biglisting.mount_tree(srv, mount, body)
                elif kind == "directory page":
                    srv.mount(mount, biglisting.Pages({"": body.replace(b'.btf.tar.xz">',
                                                                        b'/">')}))
                else:
                    srv.mount(mount, biglisting.Fixed(body))
                url = ("https://github.com/" + src[3:]) if src.startswith("gh:") else \
                    srv.url() + src
                row = {"kind": kind, "answer": label, "bytes": len(body), "archives": n,
                       "now": measure(tool, rss_run, srv, url, tmp)}
                if before:
                    row["before"] = measure(before, rss_run, srv, url, tmp)
                rows.append(row)
    return {"rows": rows, "ceiling_kb": 64 << 10}


def table(res):
    before = any("before" in r for r in res["rows"])
    L = ["SYNTHETIC answers (tests/fetch/biglisting.py) from a loopback server; "
         "`btfhub-fetch --list --distro debian`, peak RSS of the process (wait4). "
         "Bound: 64 MB, or a one-line refusal.", ""]
    L.append("| answer | kind | bytes | peak RSS MB | s | result |" +
             (" before: RSS MB | before: result |" if before else ""))
    L.append("|---|---|---:|---:|---:|---|" + ("---:|---|" if before else ""))
    for r in res["rows"]:
        now = r["now"]
        line = "| %s | %s | %s | %.1f | %.1f | %s |" % (
            r["answer"], r["kind"], f"{r['bytes']:,}", now["rss_kb"] / 1024, now["seconds"],
            now["result"])
        if before:
            b = r.get("before", {})
            line += " %.1f | %s |" % (b.get("rss_kb", 0) / 1024, b.get("result", "-"))
        L.append(line)
    L.append("")
    return "\n".join(L)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--fetch", required=True, help="btfhub-fetch to measure")
    p.add_argument("--rss-run", required=True, help="tests/lib/rss_run of the build")
    p.add_argument("--before", help="another btfhub-fetch, for a before column")
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    res = bench(os.path.abspath(a.fetch), os.path.abspath(a.rss_run),
                os.path.abspath(a.before) if a.before else None)
    print(json.dumps(res, indent=2) if a.json else table(res))
    return 0 if all(r["now"]["rss_kb"] <= res["ceiling_kb"] for r in res["rows"]) else 1


if __name__ == "__main__":
    sys.exit(main())
