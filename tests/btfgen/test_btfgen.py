#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""btfgen tests on real kernel BTF, one case per meson test.

Each case builds a BTFHub-shaped input tree in a private temp dir from the
committed Debian fixtures (tests/data), this host's /sys/kernel/btf/vmlinux
and ../shared/btfhub-sample, runs build/btfgen/btfgen --json and checks its
summary, its outputs (parsed with libbpf through ctypes) and its cache.
TAP (tests/lib/tap.py): one result, or "1..0 # SKIP reason". The cases
live in btfgen_*.py by concern; btfgenlib.py is what they share.
"""
import argparse
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'lib'))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402
import btfgen_archives  # noqa: E402
import btfgen_bpftool  # noqa: E402
import btfgen_cli  # noqa: E402
import btfgen_reduce  # noqa: E402

CASES = {name[5:]: fn for m in (btfgen_cli, btfgen_reduce, btfgen_archives, btfgen_bpftool)
         for name, fn in vars(m).items() if name.startswith('case_')}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('case', choices=sorted(CASES))
    ap.add_argument('--btfgen', required=True)
    ap.add_argument('--object', required=True, help='the object to reduce against')
    ap.add_argument('--probe', required=True, help='test CO-RE object')
    ap.add_argument('--probe-v2', required=True, help='its variant')
    ap.add_argument('--load-helper', required=True)
    ap.add_argument('--fixtures', required=True)
    ap.add_argument('--fixtures-arm64', help='the arm64 fixtures (case arch)')
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix='btfgen-test-')
    case = CASES[args.case]
    try:
        tap.main(lambda: case(args, tmp), name='btfgen ' + args.case)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
