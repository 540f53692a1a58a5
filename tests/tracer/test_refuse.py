#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""coretrace must refuse a bundle it cannot trust, with one clear error line
and a non-zero exit, and never start tracing:

  test_refuse.py missing-kernel  the bundle has no entry for this host
  test_refuse.py other-object    the bundle was reduced against another BPF object
  test_refuse.py other-object-embedded
                                 the same through the embedded bundle: another
                                 object given with --bpf-object
  test_refuse.py wrong-kernel    this host's entry holds another kernel's
                                 reduced BTF (a Debian fixture): it loads, so
                                 the post-attach self-check must catch it
  test_refuse.py stripped-object a bundle reduced against the unstripped object
                                 is NOT refused: the binding is by CO-RE digest
  test_refuse.py wrong-kernel-embedded
                                 the same through coretrace's real embedded
                                 bundle: --host names one of its (Debian) kernels
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


def run_refused(bundle, host, expect, exe=ctlib.CORETRACE, args=None):
    if args is None:
        args = ["--btf-source=bundle", "--btf-bundle", bundle]
    cmd = [exe, "-j", "--host", host, "-d", "5"] + args
    r = ctlib.run(cmd)
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    tap.diag("$ %s\n-> exit %d, stderr: %s" % (" ".join(cmd), r.returncode, r.stderr.strip()))
    check(r.returncode != 0, "coretrace accepted the bundle (exit 0)")
    check(not any("tracing (BTF:" in l for l in lines), "coretrace started tracing")
    check(r.stdout.strip() == "", "coretrace printed events: %r" % r.stdout[:200])
    check(len(lines) == 1, "expected one error line, got %d: %r" % (len(lines), lines))
    for text in expect:
        check(text in lines[0], "error line lacks %r: %r" % (text, lines[0]))
    return lines[0]


def main():
    mode = sys.argv[1]
    ctlib.require_bpf()
    tmp = tempfile.mkdtemp(prefix="coretrace-refuse-")
    try:
        host = ctlib.host_identity()
        distro, version, arch, release = host.split("/", 3)
        if mode == "missing-kernel":
            reduced = ctlib.reduce_btf(ctlib.SYSTEM_BTF, os.path.join(tmp, "host.btf"))
            # Same distro/version/arch, another release: no exact match, and
            # the reader's fallback (same release, other version) must not fire.
            other = "%s/%s/%s/0.0.0-not-%s" % (distro, version, arch, release)
            bundle = ctlib.make_bundle(tmp, {other: reduced})
            run_refused(bundle, host, ["no usable BTF for " + host, bundle,
                                       "none for this host", "btfhub-archive"])
        elif mode == "other-object":
            reduced = ctlib.reduce_btf(ctlib.SYSTEM_BTF, os.path.join(tmp, "host.btf"))
            bundle = ctlib.make_bundle(tmp, {host: reduced}, obj=ctlib.OTHER_OBJ)
            run_refused(bundle, host, [bundle, "reduced against another BPF object"])
        elif mode == "stripped-object":
            reduced = ctlib.reduce_btf(ctlib.SYSTEM_BTF, os.path.join(tmp, "host.btf"))
            bundle = ctlib.make_bundle(tmp, {host: reduced}, obj=ctlib.DBG_OBJ)
            r = ctlib.run([ctlib.CORETRACE, "btf", "--json", "--host", host,
                           "--btf-source=bundle", "--btf-bundle", bundle])
            j = json.loads(r.stdout)
            check(r.returncode == 0 and j["source"] == "bundle",
                  "bundle for the unstripped object refused: %r %s" % (j, r.stderr))
            tap.diag("a bundle bound to coretrace.dbg.bpf.o serves coretrace.bpf.o")
            return
        elif mode == "other-object-embedded":
            if not os.path.exists(ctlib.HOSTEMBED):
                ctlib.skip("coretrace-hostembed not built (no /sys/kernel/btf/vmlinux at build time)")
            run_refused(None, ctlib.host_identity(), ["embedded", "reduced against another BPF object"],
                        exe=ctlib.HOSTEMBED,
                        args=["--btf-source=embedded", "--bpf-object", ctlib.OTHER_OBJ])
        elif mode == "wrong-kernel":
            archive, full = ctlib.extract_fixture(tmp)
            reduced = ctlib.reduce_btf(full, os.path.join(tmp, "other-kernel.btf"))
            bundle = ctlib.make_bundle(tmp, {host: reduced})
            line = run_refused(bundle, host, ["BTF does not match this kernel",
                                              "source: bundle " + bundle])
            # The point: this BTF loads and attaches, and only the self-check
            # sees that it decodes garbage (not a relocation failure at load).
            check(" event: " in line and "fail to load" not in line,
                  "refused, but not by the self-check: %r" % line)
            tap.diag("%s BTF from %s refused by the self-check" % (mode, os.path.basename(archive)))
            return
        elif mode == "wrong-kernel-embedded":
            r = ctlib.run([ctlib.CORETRACE, "btf", "--json"])
            kernels = json.loads(r.stdout)["embedded"]
            others = ["%(distro)s/%(version)s/%(arch)s/%(release)s" % k for k in kernels
                      if k["release"] != release]
            if not others:
                ctlib.skip("the embedded bundle holds no other kernel (built with -Dempty_bundle?)")
            line = run_refused(None, others[0], ["BTF does not match this kernel",
                                                 "source: embedded bundle", others[0]],
                               args=["--btf-source=embedded"])
            check(" event: " in line, "refused, but not by the self-check: %r" % line)
            tap.diag("embedded %s refused by the self-check on %s" % (others[0], host))
            return
        else:
            ctlib.fail("unknown mode " + mode)
        tap.diag("%s refused" % mode)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    tap.main(main)
