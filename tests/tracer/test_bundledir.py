#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Step 4's system bundle directory: coretrace-bundledir (coretrace built with
CORETRACE_BUNDLE_DIR = build/tests/tracer/bundledir) scans *.btfb there in
name order, refuses a bundle made for another object, skips one without this
host, and uses the first that fits -- with no --btf-bundle option given.
"""
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ctlib  # noqa: E402
import tap  # noqa: E402
from ctlib import check  # noqa: E402

EXE = os.path.join(ctlib.BUILD, "tests", "tracer", "coretrace-bundledir")
DIR = os.path.join(ctlib.BUILD, "tests", "tracer", "bundledir")


def main():
    ctlib.require_bpf()
    check(os.path.exists(EXE), "%s is not built" % EXE)
    tmp = tempfile.mkdtemp(prefix="coretrace-bundledir-")
    shutil.rmtree(DIR, ignore_errors=True)
    os.makedirs(DIR)
    try:
        host = ctlib.host_identity()
        distro, version, arch, release = host.split("/", 3)
        reduced = ctlib.reduce_btf(ctlib.SYSTEM_BTF, os.path.join(tmp, "host.btf"))
        made = {
            "a-other-object": ctlib.make_bundle(tmp, {host: reduced}, obj=ctlib.OTHER_OBJ,
                                                name="a-other-object"),
            "b-no-entry": ctlib.make_bundle(tmp, {"%s/%s/%s/0-none" % (distro, version, arch):
                                                  reduced}, name="b-no-entry"),
            "c-good": ctlib.make_bundle(tmp, {host: reduced}, name="c-good"),
        }
        for name, path in made.items():
            shutil.copy(path, os.path.join(DIR, name + ".btfb"))

        r = ctlib.run([EXE, "btf", "--json", "--btf-source=bundle", "--host", host])
        j = json.loads(r.stdout)
        status = [(os.path.basename(s["where"]), s["status"]) for s in j["steps"]]
        check(status == [("a-other-object.btfb", "refused"), ("b-no-entry.btfb", "none"),
                         ("c-good.btfb", "usable")], "directory scan: %r" % status)
        check(r.returncode == 0 and j["source"] == "bundle" and "c-good.btfb" in j["btf"],
              "decision: %r" % j)

        good = os.path.join(DIR, "c-good.btfb")
        r = ctlib.run([EXE, "-j", "--btf-source=bundle", "--host", host, "-d", "1",
                       "-c", "ctnothing"])
        check(r.returncode == 0, "tracing from the bundle dir failed: %s" % r.stderr.strip())
        check("tracing (BTF: bundle %s" % good in r.stderr, "not traced with %s: %r"
              % (good, r.stderr))
        tap.diag("%s scanned in order: other object refused, missing entry skipped, "
              "c-good.btfb used and self-checked" % DIR)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(DIR, ignore_errors=True)


if __name__ == "__main__":
    tap.main(main)
