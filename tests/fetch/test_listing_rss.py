#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""btfhub-fetch's listing under its memory bound (issue 27 item 5; TAP).

SYNTHETIC answers (tests/fetch/biglisting.py) served from loopback: a
GitHub trees answer, an index and an nginx directory page of up to ~64 MB.
Each run is `btfhub-fetch -s SRC --list --distro debian` under rss_run
(wait4's ru_maxrss of the process itself), and must either list what the
answer holds or refuse it in one line naming its URL, within 64 MB of peak
RSS. The answers were buffered whole and parsed at ~3x-77x their size
before (a 63 MiB trees answer 148 MB, an 8 MB page 290 MB). `--list --json`
of all 99,000 archives of an index is streamed: no more RSS than the table
(its document was built whole before: 213 MB against 112 MB).

Usage: test_listing_rss.py PATH/TO/btfhub-fetch PATH/TO/rss_run
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..", "lib")]
import biglisting                                 # noqa: E402
import remote_server as rs                        # noqa: E402
import tap                                        # noqa: E402

TOOL, RSS_RUN = (os.path.abspath(a) for a in sys.argv[1:3])
CEILING_KB = 64 << 10
MB63 = 63 << 20
MAX_ENTRIES = 100000        # LISTING_MAX_ENTRIES (tools/fetch/listing.h)


def listing_run(srv, src, tmp, extra=(), env=None, select=("--distro", "debian"), json_out=True):
    """(rc, stdout, stderr, peak RSS in KB) of one listing."""
    e = dict(os.environ, BTFKIT_GITHUB_API_URL=srv.url(), BTFKIT_GITHUB_RAW_URL=srv.url())
    e.pop("GITHUB_TOKEN", None)
    e.update(env or {})
    stats = os.path.join(tmp, "rss")
    cache = tempfile.mkdtemp(dir=tmp)
    p = subprocess.run([RSS_RUN, stats, TOOL, "-s", src, "--list", "-v", "--cache-dir", cache] +
                       (["--json"] if json_out else []) + list(select) + list(extra),
                       capture_output=True, text=True, timeout=300, env=e,
                       errors="surrogateescape")
    kb = int(open(stats).read().split()[0])
    return p.returncode, p.stdout, p.stderr, kb


def errors(se):
    return [l for l in se.splitlines() if "error:" in l]


def accepted(srv, tmp, src, size, listed, what):
    rc, so, se, kb = listing_run(srv, src, tmp)
    tap.diag("%s (%d bytes, %d archives): peak RSS %d KB" % (what, size, listed, kb))
    assert rc == 0, se[-2000:]
    assert "%d archives listed" % listed in se, se[-2000:]
    assert len(json.loads(so)["kernels"]) == biglisting.DEBIAN, so[:2000]
    assert kb <= CEILING_KB, "%s: peak RSS %d KB over %d KB" % (what, kb, CEILING_KB)


def refused(srv, tmp, src, size, why, where, what, extra=()):
    rc, so, se, kb = listing_run(srv, src, tmp, extra)
    tap.diag("%s (%d bytes): refused, peak RSS %d KB" % (what, size, kb))
    errs = errors(se)
    assert rc == 1 and len(errs) == 1 and why in errs[0] and where in errs[0], se[-2000:]
    assert kb <= CEILING_KB, "%s: peak RSS %d KB over %d KB" % (what, kb, CEILING_KB)


# --- GitHub trees API ------------------------------------------------------

def t_trees_64mb(srv, tmp):
    """a 63 MiB trees answer listing 99,000 archives: listed within 64 MB of RSS"""
    body = biglisting.trees(MB63, 99000)
    srv.mount("/repos/o/big/git/trees/", biglisting.Fixed(body))
    accepted(srv, tmp, "https://github.com/o/big", len(body), 99000, "trees answer")


def t_trees_too_many(srv, tmp):
    """a 63 MiB trees answer of 240,000 archives: refused in one line within 64 MB"""
    body = biglisting.trees(MB63, 240000)
    srv.mount("/repos/o/many/git/trees/", biglisting.Fixed(body))
    refused(srv, tmp, "https://github.com/o/many", len(body),
            "more than %d archives listed" % MAX_ENTRIES, "/repos/o/many/git/trees/",
            "trees answer, too many archives")


def t_trees_over_cap(srv, tmp):
    """a 63 MiB trees answer over --max-listing 16M: one 'cap' line, small RSS"""
    body = biglisting.trees(MB63, 99000)
    srv.mount("/repos/o/capped/git/trees/", biglisting.Fixed(body))
    refused(srv, tmp, "https://github.com/o/capped", len(body), "cap",
            "/repos/o/capped/git/trees/", "trees answer over --max-listing",
            ["--max-listing", "16M"])


# --- index ----------------------------------------------------------------

def t_index_biggest(srv, tmp):
    """an index of 99,000 archives (~15 MB, the most a listing holds): listed within 64 MB"""
    body = biglisting.index(99000)
    srv.mount("/ib/btfhub-index.json", biglisting.Fixed(body))
    accepted(srv, tmp, srv.url() + "/ib", len(body), 99000, "index")


def t_index_list_all_json(srv, tmp):
    """--list --json of all 99,000 archives of an index: the document is streamed (jansson's bytes, valid JSON), no more memory than the table"""
    body = biglisting.index(99000)
    srv.mount("/ia/btfhub-index.json", biglisting.Fixed(body))
    rc, table, se, table_kb = listing_run(srv, srv.url() + "/ia", tmp, select=(), json_out=False)
    assert rc == 0 and len(table.splitlines()) == 99001, se[-2000:]
    rc, so, se, kb = listing_run(srv, srv.url() + "/ia", tmp, select=())
    tap.diag("index of 99,000 archives, all listed: peak RSS %d KB with --json, %d KB as a "
             "table" % (kb, table_kb))
    assert rc == 0, se[-2000:]
    doc = json.loads(so)
    assert doc["count"] == 99000 == len(doc["kernels"]), so[:2000]
    assert all(k.get("sha256") and k.get("size") for k in doc["kernels"]), so[:2000]
    # The whole document as json_dumpf(JSON_INDENT(2)) wrote it before: same bytes.
    assert so == json.dumps(doc, indent=2, ensure_ascii=False) + "\n", so[:2000]
    # Built whole, the document took 213 MB against the table's 112 MB.
    assert kb <= table_kb + (4 << 10), "--list --json: peak RSS %d KB, %d KB as a table" % (
        kb, table_kb)


def t_index_64mb(srv, tmp):
    """a 63 MiB index (~350,000 archives): refused in one line within 64 MB"""
    body = biglisting.index_of_size(MB63)
    srv.mount("/im/btfhub-index.json", biglisting.Fixed(body))
    refused(srv, tmp, srv.url() + "/im", len(body), "more than %d archives listed" % MAX_ENTRIES,
            "/im/btfhub-index.json", "index, too many archives")


def t_index_long_names(srv, tmp):
    """an index of 99,000 archives of the longest names (~46 MB): refused in one line within 64 MB"""
    body = biglisting.index(99000, biglisting.long_key)
    srv.mount("/il/btfhub-index.json", biglisting.Fixed(body))
    refused(srv, tmp, srv.url() + "/il", len(body), "MiB of their names): refused",
            "/il/btfhub-index.json", "index, longest names")


# --- directory pages ------------------------------------------------------

def t_autoindex_8mb(srv, tmp):
    """an 8 MiB nginx directory page (~67,000 links): listed within 64 MB of RSS"""
    leaf, names = biglisting.autoindex(8 << 20, "/ai/ubuntu/20.04/x86_64/")
    biglisting.mount_tree(srv, "/ai/", leaf)
    accepted(srv, tmp, srv.url() + "/ai", len(leaf), len(names) + biglisting.DEBIAN,
             "directory page")


def t_autoindex_64mb(srv, tmp):
    """a 63 MiB directory page (~530,000 links): refused in one line within 64 MB"""
    leaf, _ = biglisting.autoindex(MB63, "/al/")
    # At the root, directories are the level of the layout that counts.
    leaf = leaf.replace(b'.btf.tar.xz">', b'/">')
    srv.mount("/al/", biglisting.Pages({"": leaf}))
    refused(srv, tmp, srv.url() + "/al", len(leaf), "more than %d links" % MAX_ENTRIES, "/al/",
            "directory page, too many links")


CASES = [v for k, v in sorted(globals().items()) if k.startswith("t_")]
CASES.sort(key=lambda f: f.__code__.co_firstlineno)


def main():
    with tempfile.TemporaryDirectory(prefix="btfkit-listing-rss-") as tmp:
        with rs.Server() as srv:
            return tap.run(CASES, srv, tmp)


if __name__ == "__main__":
    sys.exit(main())
