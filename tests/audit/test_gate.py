#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""btfgen and embedgen leave out kernels older than the object's floor (the
audit's), saying how many and why, and keep them with --all-kernels.

A tree with a real Debian 6.1 BTF (tests/data/btfhub) under its own name and,
a copy, under an Amazon Linux 2 4.14 release name: 4.14 is below
coretrace.bpf.o's floor of 4.18.

  test_gate.py BTFGEN EMBEDGEN CORETRACE_BPF_O
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import tap  # noqa: E402
from tap import check  # noqa: E402

OLD = "amzn/2/x86_64/4.14.200-116.320.amzn2.x86_64"
NEW = "debian/12/x86_64/6.1.0-56-amd64"


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def main():
    btfgen, embedgen, obj = sys.argv[1:4]
    src = os.path.join(os.environ["BTFKIT_SOURCE_ROOT"], "tests", "data", "btfhub", NEW + ".btf.tar.xz")
    tmp = tempfile.mkdtemp(prefix="audit-gate-")
    try:
        tree = os.path.join(tmp, "in")
        for key in (NEW, OLD):
            os.makedirs(os.path.join(tree, os.path.dirname(key)), exist_ok=True)
        r = run(["tar", "-xJf", src, "-C", os.path.join(tree, os.path.dirname(NEW))])
        check(r.returncode == 0, "tar: " + r.stderr)
        shutil.copy(os.path.join(tree, NEW + ".btf"), os.path.join(tree, OLD + ".btf"))

        # btfgen: skipped by default, with the count and the reason.
        out = os.path.join(tmp, "out")
        r = run([btfgen, "--json", "-o", out, tree, obj])
        check(r.returncode == 0, "btfgen: exit %d: %s" % (r.returncode, r.stderr))
        j = json.loads(r.stdout)
        check(j["kernels"] == 1 and j["below_floor"] == 1 and j["floor"] == "4.18",
              "btfgen --json: %r" % {k: j[k] for k in ("kernels", "below_floor", "floor")})
        check("skipped 1 kernel older than Linux 4.18" in r.stderr and OLD in r.stderr
              and "bpf_get_current_cgroup_id" in r.stderr,
              "btfgen does not say what it skipped and why: %r" % r.stderr)
        check(os.path.exists(os.path.join(out, NEW + ".btf"))
              and not os.path.exists(os.path.join(out, OLD + ".btf")), "btfgen output tree")

        # --all-kernels keeps it.
        out_all = os.path.join(tmp, "out-all")
        r = run([btfgen, "--json", "--all-kernels", "-o", out_all, tree, obj])
        check(r.returncode == 0 and json.loads(r.stdout)["kernels"] == 2,
              "btfgen --all-kernels: %s %s" % (r.stdout[:200], r.stderr))
        check(os.path.exists(os.path.join(out_all, OLD + ".btf")), "btfgen --all-kernels output")

        # embedgen on the tree that has both: the same gate.
        for extra, want in (([], 1), (["--all-kernels"], 2)):
            b = os.path.join(tmp, "b%d.btfb" % want)
            r = run([embedgen, "--json", "--object", obj, "--bundle-file", b] + extra + [out_all])
            check(r.returncode == 0, "embedgen %r: %s" % (extra, r.stderr))
            check(json.loads(r.stdout)["kernels"] == want,
                  "embedgen %r: %s kernels, expected %d" % (extra, r.stdout, want))
            check((want == 1) == ("skipped 1 kernel older than Linux 4.18" in r.stderr),
                  "embedgen %r: stderr %r" % (extra, r.stderr))
        tap.diag("btfgen and embedgen skip %s (below 4.18) with the reason; --all-kernels keeps it"
              % OLD)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    tap.main(main)
