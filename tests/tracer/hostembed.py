#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Embed this host's reduced BTF under this host's own identity.

usage: hostembed.py CORETRACE EMBEDGEN OBJECT BTF OUT.c OUT.h OUT.btfb

The key is what coretrace itself detects (os-release + uname, normalised),
so the test binary finds its entry with no --host override, exactly as a
portable tracer does on a kernel its bundle holds.
"""
import json
import subprocess
import sys

coretrace, embedgen, obj, btf, out_c, out_h, out_b = sys.argv[1:8]
info = json.loads(subprocess.run([coretrace, "btf", "--json"], check=True,
                                 capture_output=True, text=True).stdout)
host = info["host"]
subprocess.run([embedgen, "-q", "--object", obj, "--name", "btfkit_bundle",
                "--entry", "%s=%s" % (host, btf), "-o", out_c, "--header", out_h,
                "--bundle-file", out_b], check=True)
