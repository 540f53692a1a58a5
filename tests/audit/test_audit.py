#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The minimum-kernel audit (audit/bpf_audit.h) on objects whose floor is
known by construction, then on coretrace.bpf.o, which must stay at the floor
the README documents: a change that makes the tracer need a newer kernel
(a newer helper, map or program type, global data, a loop, a program over
4096 instructions in the perf-buffer set) fails here.

A need behind a read-only global (opensnoop's bpf_get_current_task_btf()
behind `const volatile bool full_path`) is reported with its condition and
does not raise the floor; one behind a writable global does. So is one
behind a CO-RE existence check (bpf_core_field_exists() & co.), which libbpf
resolves to 0 or 1 before load: the condition names the field, type or
enumerator; the side where a check fails still counts.

  test_audit.py AUDIT_OBJECT CORETRACE CORETRACE_BPF_O HELPER58_O LOOP53_O UNROLLED_O
                FULLPATH511_O RWBRANCH58_O COREEXISTS511_O COREABSENT511_O
"""
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import tap  # noqa: E402
from tap import check, fail  # noqa: E402,F401

DOCUMENTED_FLOOR = "4.18"   # README.md, "Kernel support"


def audit(tool, obj):
    r = subprocess.run([tool, obj], capture_output=True, text=True, timeout=60)
    check(r.returncode == 0, "audit_object %s: exit %d: %s" % (obj, r.returncode, r.stderr.strip()))
    return json.loads(r.stdout)


def refused_btf_ext(obj):
    """A copy of @obj whose .BTF.ext libbpf refuses (func_info record size 0): libbpf
    ignores the section with a warning and patches no CO-RE constant."""
    data = bytearray(open(obj, "rb").read())
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3a)
    stroff, = struct.unpack_from("<Q", data, shoff + shstrndx * shentsize + 0x18)
    for i in range(shnum):
        sh = shoff + i * shentsize
        name, = struct.unpack_from("<I", data, sh)
        if data[stroff + name:].split(b"\0", 1)[0] == b".BTF.ext":
            off, = struct.unpack_from("<Q", data, sh + 0x18)
            hdr_len, func_off = struct.unpack_from("<II", data, off + 4)
            struct.pack_into("<I", data, off + hdr_len + func_off, 0)
            f = tempfile.NamedTemporaryFile(suffix=".bpf.o", delete=False)
            f.write(data)
            f.close()
            return f.name
    fail("%s: no .BTF.ext" % obj)


def main():
    (tool, coretrace, ct_obj, helper58, loop53, unrolled, fullpath, rwbranch, coreexists,
     coreabsent) = sys.argv[1:11]

    a = audit(tool, helper58)
    check(a["floor"] == "5.8" and "bpf_ktime_get_boot_ns" in a["why"],
          "helper58: floor %s (%s), expected 5.8 from bpf_ktime_get_boot_ns" % (a["floor"], a["why"]))
    check(a["unknown"] == 0, "helper58: unknown facilities %r" % a)

    a = audit(tool, loop53)
    check(a["floor"] == "5.3" and "loop" in a["why"],
          "loop53: floor %s (%s), expected 5.3 from its loop" % (a["floor"], a["why"]))
    check(a["programs"][0]["loops"], "loop53: no loop found: %r" % a)

    a = audit(tool, unrolled)
    progs = {p["name"]: p for p in a["programs"]}
    check(a["floor"] == "4.7", "unrolled: floor %s (%s), expected 4.7" % (a["floor"], a["why"]))
    check(progs["out_rb"]["floor"] == "5.8" and not progs["out_rb"]["chosen"],
          "unrolled: the ring-buffer alternative: %r" % progs["out_rb"])
    check(progs["out_pb"]["chosen"] and not progs["out_pb"]["loops"],
          "unrolled: the perf-buffer program: %r" % progs["out_pb"])

    # opensnoop's pattern: 5.11 only if 'full_path' is set; the floor is global data's.
    a = audit(tool, fullpath)
    check(a["floor"] == "5.2" and "global data" in a["why"],
          "fullpath511: floor %s (%s), expected 5.2 from global data" % (a["floor"], a["why"]))
    check(a["cond_floor"] == "5.11" and "bpf_get_current_task_btf" in a["cond_why"]
          and "'full_path' != 0" in a["cond_why"] and "needs the kernel's own BTF" in a["cond_why"],
          "fullpath511: conditional need %s (%s), expected 5.11 only if 'full_path' != 0"
          % (a["cond_floor"], a["cond_why"]))
    a = audit(tool, rwbranch)
    check(a["floor"] == "5.8" and "bpf_ktime_get_boot_ns" in a["why"] and not a["cond_floor"],
          "rwbranch58: a writable global's branch must count: floor %s (%s), conditional %r"
          % (a["floor"], a["why"], a["cond_floor"]))
    for p in a["programs"]:
        check(p["floor"] == "5.8" and not p["cond_floor"],
              "rwbranch58: %s: a branch the verifier walks both ways must count: %r" % (p["name"], p))

    # libbpf-tools' renamed-field pattern: 5.11 only where task_struct.__state exists (the
    # local flavour task_struct___new names the kernel's task_struct); the floor is the
    # program's own, bpf_get_current_task() (4.8).
    a = audit(tool, coreexists)
    progs = {p["name"]: p for p in a["programs"]}
    f = progs["field_check"]
    check(f["floor"] == "4.8" and "bpf_get_current_task" in f["why"],
          "coreexists511: field_check: floor %s (%s), expected 4.8 from bpf_get_current_task"
          % (f["floor"], f["why"]))
    check(f["cond_floor"] == "5.11" and "bpf_ktime_get_coarse_ns" in f["cond_why"]
          and "only if field task_struct.__state exists" in f["cond_why"],
          "coreexists511: field_check: conditional need %s (%s), expected 5.11 only if field "
          "task_struct.__state exists" % (f["cond_floor"], f["cond_why"]))
    t = progs["type_check"]
    check(t["floor"] == "4.7" and "program type" in t["why"],
          "coreexists511: type_check: floor %s (%s), expected 4.7 (a tracepoint)"
          % (t["floor"], t["why"]))
    check(t["cond_floor"] == "5.11" and "bpf_ktime_get_coarse_ns" in t["cond_why"]
          and "only if type struct bpf_iter__task exists" in t["cond_why"],
          "coreexists511: type_check: conditional need %s (%s), expected 5.11 only if "
          "type struct bpf_iter__task exists" % (t["cond_floor"], t["cond_why"]))
    e = progs["enum_check"]
    check(e["floor"] == "4.7" and e["cond_floor"] == "5.11"
          and "only if enumerator BPF_FUNC_ktime_get_coarse_ns of enum bpf_func_id exists"
          in e["cond_why"],
          "coreexists511: enum_check: floor %s, conditional need %s (%s), expected 4.7 and 5.11 "
          "only if enumerator BPF_FUNC_ktime_get_coarse_ns of enum bpf_func_id exists"
          % (e["floor"], e["cond_floor"], e["cond_why"]))
    check(a["floor"] == "4.8" and a["cond_floor"] == "5.11" and a["unknown"] == 0,
          "coreexists511: object floor %s (%s), conditional %s (%s), expected 4.8 and 5.11"
          % (a["floor"], a["why"], a["cond_floor"], a["cond_why"]))

    # libbpf ignores a .BTF.ext it refuses: the checks stay 1 and their side always runs.
    bad = refused_btf_ext(coreexists)
    try:
        a = audit(tool, bad)
    finally:
        os.unlink(bad)
    f = {p["name"]: p for p in a["programs"]}["field_check"]
    check(f["floor"] == "5.11" and not f["cond_floor"],
          "coreexists511 with a .BTF.ext libbpf refuses: field_check: floor %s (%s), conditional "
          "%r; expected 5.11, no condition" % (f["floor"], f["why"], f["cond_why"]))

    # The side where the check fails: kernels before 4.20 walk it even where the field exists.
    a = audit(tool, coreabsent)
    check(a["floor"] == "5.11" and "bpf_ktime_get_coarse_ns" in a["why"] and not a["cond_floor"],
          "coreabsent511: a need where a check fails must count: floor %s (%s), conditional %r"
          % (a["floor"], a["why"], a["cond_why"]))

    # coretrace.bpf.o: the documented floor, set by the perf-buffer set.
    a = audit(tool, ct_obj)
    check(a["floor"] == DOCUMENTED_FLOOR,
          "coretrace.bpf.o: floor %s (%s), documented %s" % (a["floor"], a["why"], DOCUMENTED_FLOOR))
    check(a["unknown"] == 0, "coretrace.bpf.o: facilities not in the table: %r" % a)
    check(not a["cond_floor"], "coretrace.bpf.o: an unexpected conditional need: %r" % a["cond_why"])
    chosen = [p for p in a["programs"] if p["chosen"]]
    check(chosen and all(p["name"].endswith("_pb") for p in chosen),
          "coretrace.bpf.o: the programs that set the floor are not the perf-buffer set: %r"
          % [p["name"] for p in chosen])
    for p in a["programs"]:
        if p["name"].endswith("_pb"):
            check(not p["loops"] and p["insns"] <= 4096,
                  "coretrace.bpf.o: %s has a loop or over 4096 instructions: %r" % (p["name"], p))
        else:
            check(p["floor"] == "5.8", "coretrace.bpf.o: ring-buffer program %s: %r"
                  % (p["name"], p))

    # Where a user looks: coretrace btf --json and --version say the same.
    r = subprocess.run([coretrace, "btf", "--json"], capture_output=True, text=True, timeout=60)
    try:
        j = json.loads(r.stdout)["bpf_object"]
    except (ValueError, KeyError):
        fail("coretrace btf --json: no bpf_object: %r %r" % (r.stdout[:300], r.stderr))
    check(j["floor"] == DOCUMENTED_FLOOR, "coretrace btf: floor %r" % j["floor"])
    opt = sorted(p["name"] for p in j["programs"] if p["optional"])
    check(opt == ["handle_openat2", "handle_openat2_pb"],
          "coretrace btf: optional programs %r, expected only openat2's (5.6)" % opt)
    r = subprocess.run([coretrace, "--version"], capture_output=True, text=True, timeout=60)
    check(("runs on: Linux %s (" % DOCUMENTED_FLOOR) in r.stdout,
          "coretrace --version does not state the floor: %r" % r.stdout)

    # And the README documents that floor.
    readme = open(os.path.join(os.environ.get("BTFKIT_SOURCE_ROOT", "."), "README.md")).read()
    m = re.search(r"^## Kernel support\n(.*?)(^## |\Z)", readme, re.S | re.M)
    check(m and ("Linux %s" % DOCUMENTED_FLOOR) in m.group(1),
          "README.md: no 'Kernel support' section stating Linux %s" % DOCUMENTED_FLOOR)
    tap.diag("helper58 5.8, loop53 5.3, unrolled 4.7 (ring-buffer alternative 5.8); "
          "fullpath511 5.2 (5.11 only if full_path); rwbranch58 5.8; "
          "coreexists511 4.8 (5.11 only if field task_struct.__state exists); coreabsent511 5.11; "
          "coretrace.bpf.o %s (%s), %d programs" % (a["floor"], a["why"], len(a["programs"])))


if __name__ == "__main__":
    tap.main(main)
