#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""btfgen and embedgen leave out kernels older than the object's floor (the
audit's), saying how many and why, and keep them with --all-kernels.

A tree with a real Debian 6.1 BTF (tests/data/btfhub) under its own name and,
a copy, under an Amazon Linux 2 4.14 release name: 4.14 is below
coretrace.bpf.o's floor of 4.18.

Then opensnoop's pattern (fullpath511.bpf.o: 5.11 only behind a
`const volatile` flag, floor 5.2) keeps a 5.4 kernel, and what is dropped is
said in one line even under -q, as is a floor set by hand (--floor).

  test_gate.py BTFGEN EMBEDGEN CORETRACE_BPF_O FULLPATH511_O
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from testutil import check  # noqa: E402

OLD = "amzn/2/x86_64/4.14.200-116.320.amzn2.x86_64"
NEW = "debian/12/x86_64/6.1.0-56-amd64"
MID = "ubuntu/20.04/x86_64/5.4.0-42-generic"


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def main():
    btfgen, embedgen, obj, fullpath = sys.argv[1:5]
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
        # opensnoop's pattern: the 5.4 kernel stays; under -q the dropped one is still said.
        os.makedirs(os.path.join(tree, os.path.dirname(MID)), exist_ok=True)
        shutil.copy(os.path.join(tree, NEW + ".btf"), os.path.join(tree, MID + ".btf"))
        out_fp = os.path.join(tmp, "out-fp")
        r = run([btfgen, "-q", "--json", "-o", out_fp, tree, fullpath])
        check(r.returncode == 0, "btfgen fullpath511: exit %d: %s" % (r.returncode, r.stderr))
        j = json.loads(r.stdout)
        check(j["floor"] == "5.2" and j["below_floor"] == 1 and j["kernels"] == 2
              and "bpf_get_current_task_btf" in (j["floor_conditional"] or ""),
              "btfgen fullpath511 --json: %r" % {k: j.get(k) for k in
                                                 ("floor", "below_floor", "kernels", "floor_conditional")})
        lines = [ln for ln in r.stderr.splitlines() if "skipped" in ln]
        check(len(lines) == 1 and "skipped 1 kernel older than Linux 5.2" in lines[0]
              and "global data" in lines[0] and "'full_path' != 0" in lines[0],
              "btfgen -q must still say in one line what the floor dropped: %r" % r.stderr)
        check(os.path.exists(os.path.join(out_fp, MID + ".btf")), "btfgen fullpath511: 5.4 dropped")
        # --floor by hand: 5.11 drops the 5.4 kernel too, and says who set it.
        r = run([btfgen, "-q", "--json", "--floor", "5.11", "-o", os.path.join(tmp, "out-511"),
                 tree, fullpath])
        check(r.returncode == 0 and json.loads(r.stdout)["below_floor"] == 2
              and "skipped 2 kernels older than Linux 5.11, the floor set by --floor 5.11" in r.stderr,
              "btfgen --floor 5.11: %s %s" % (r.stdout[:300], r.stderr))
        r = run([btfgen, "--floor", "five", "-o", out_fp, tree, fullpath])
        check(r.returncode == 2 and "--floor" in r.stderr, "btfgen --floor five: %d %s"
              % (r.returncode, r.stderr))
        for extra, want, said in (([], 2, "skipped 1 kernel older than Linux 5.2"),
                                  (["--floor", "5.11"], 1, "the floor set by --floor 5.11")):
            b = os.path.join(tmp, "fp%d.btfb" % want)
            r = run([embedgen, "-q", "--json", "--object", fullpath, "--bundle-file", b] + extra
                    + [tree])
            check(r.returncode == 0 and json.loads(r.stdout)["kernels"] == want and said in r.stderr,
                  "embedgen -q %r: %s %s" % (extra, r.stdout[:300], r.stderr))
        print("ok: btfgen and embedgen skip %s (below 4.18) with the reason; --all-kernels keeps it; "
              "fullpath511 keeps 5.4 (floor 5.2), -q still names what was dropped, --floor sets it"
              % OLD)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
