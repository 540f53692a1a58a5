#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The house's shape, checked (TAP): ci/includes.py (unique header names, no
include circle, every room arrow downwards) and ci/funclen.py --check (no
function over 80 lines without a "Kept whole:" comment saying why) on the
source tree; and each checker on a small tree of its own that breaks its
rule, so that a checker that stopped seeing would fail here.
"""
import atexit
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import tap  # noqa: E402

SRC = os.environ.get("BTFKIT_SOURCE_ROOT", os.path.join(HERE, "..", ".."))
INCLUDES = os.path.join(SRC, "ci", "includes.py")
FUNCLEN = os.path.join(SRC, "ci", "funclen.py")


def run(*args):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True)


def tree(files):
    """A git work tree holding @files ({path: text}); the checkers read git ls-files."""
    d = tempfile.mkdtemp(prefix="btfkit-house.")
    atexit.register(shutil.rmtree, d, ignore_errors=True)
    for path, text in files.items():
        os.makedirs(os.path.join(d, os.path.dirname(path)), exist_ok=True)
        with open(os.path.join(d, path), "w") as f:
            f.write(text)
    subprocess.run(["git", "-C", d, "init", "-q"], check=True)
    subprocess.run(["git", "-C", d, "add", "."], check=True)
    return d


def case_includes():
    """ci/includes.py: the source tree has no circle, no arrow up, no name twice"""
    if not os.path.isdir(os.path.join(SRC, ".git")) and not os.path.isfile(os.path.join(SRC, ".git")):
        tap.skip("not a git checkout")
    r = run(INCLUDES, SRC)
    tap.check(r.returncode == 0, r.stdout + r.stderr)


def case_includes_sees():
    """ci/includes.py fails on a circle, an arrow up and a header name twice"""
    d = tree({
        "tools/lib/a.c": '#include "a.h"\n',
        "tools/lib/a.h": '#include "b.h"\n',
        "tools/lib/b.h": '#include "a.h"\n',
        "tools/lib/up.c": '#include "gen.h"\n',
        "btfgen/gen.h": "\n",
        "btfgen/b.h": "\n",
    })
    r = run(INCLUDES, d)
    tap.check(r.returncode == 1, "exit %d" % r.returncode)
    for want in ("include circle: tools/lib/a <-> tools/lib/b",
                 "arrow up or sideways: tools/lib (floor 0) -> btfgen",
                 "module name b.h twice"):
        tap.check(want in r.stdout, "no '%s' in:\n%s" % (want, r.stdout))


# Being rewritten as this landed (tools/fetch's transfer code, issue 24's
# last long functions): listed as diagnostics, not failures, until then.
PENDING = {"tools/fetch/transfer.c": {"xfer_done", "xfer_start"},
           "tools/fetch/httpget.c": {"http__get"}}


def case_funclen():
    """ci/funclen.py --check: no function over 80 lines without a reason"""
    if not os.path.exists(os.path.join(SRC, ".git")):
        tap.skip("not a git checkout")
    r = run(FUNCLEN, "--check", SRC)
    tap.check(r.returncode in (0, 1) and not r.stderr, r.stderr)
    bad = []
    for line in r.stdout.splitlines():
        where, name = line.split()[1:3]
        if name in PENDING.get(where.split(":")[0], ()):
            tap.diag("pending: " + line.strip())
        else:
            bad.append(line)
    tap.check(not bad, "\n".join(bad))


def case_funclen_sees():
    """ci/funclen.py --check fails on an 81-line function, not on one kept whole"""
    body = "".join("\tx++;\n" for _ in range(76))
    fn = "int %s(void)\n{\n\tint x = 0;\n" + body + "\treturn x;\n}\n"
    d = tree({"tools/lib/long.c": fn % "too_long" + "\n/* Kept whole: a test. */\n" +
              fn % "kept"})
    r = run(FUNCLEN, "--check", d)
    tap.check(r.returncode == 1, "exit %d" % r.returncode)
    tap.check("  81 tools/lib/long.c:1 too_long" in r.stdout, r.stdout)
    tap.check("kept" not in r.stdout, r.stdout)


sys.exit(tap.run([case_includes, case_includes_sees, case_funclen, case_funclen_sees]))
