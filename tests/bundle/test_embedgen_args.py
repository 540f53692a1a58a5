#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""What embedgen must refuse or warn about (issue 12, item 12), on a tree of
one tiny BTF so that it runs in a second: a --name that is not a C identifier
(injected or empty), file names that would land raw inside the generated C, a
missing output directory (an error, not created), outputs that are not
regular files (never replaced), an empty tree (a warning), the usage
errors of --format incbin, and -j (no longer --json's short form). Every
refusal is one line and writes nothing.

usage: test_embedgen_args.py EMBEDGEN CC        (TAP)
"""
import os
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import btfb  # noqa: E402
from tap import done, ok  # noqa: E402

EMBEDGEN, CC = os.path.realpath(sys.argv[1]), sys.argv[2]


def run(*args, cwd):
    return subprocess.run([EMBEDGEN] + list(args), cwd=cwd, capture_output=True, text=True,
                          errors="replace", timeout=60)


def main():
    work = tempfile.mkdtemp(prefix="test_embedgen_args.")
    tree = os.path.join(work, "tree", "debian", "12", "x86_64")
    os.makedirs(tree)
    with open(os.path.join(tree, "6.1.0-1-amd64.btf"), "wb") as f:
        f.write(btfb.tiny_btf())
    os.makedirs(os.path.join(work, "empty"))
    out = os.path.join(work, "out")
    os.makedirs(out)

    def refused(what, rc, pattern, *args):
        r = run(*args, cwd=work)
        lines = r.stderr.strip().splitlines()
        ok(r.returncode == rc and len(lines) == 1 and pattern in r.stderr and not os.listdir(out),
           "%s: exit %d, %s" % (what, r.returncode, r.stderr.strip()))

    refused("--name with injected C", 2, "--name: not a C identifier",
            "--name", "x[1]; int evil", "-o", "out/x.c", "tree")
    refused("--name ''", 2, "--name: empty", "--name", "", "-o", "out/x.c", "tree")
    refused("--name starting with a digit", 2, "--name: not a C identifier",
            "--name", "9lives", "-o", "out/x.c", "tree")
    refused("--name a keyword", 2, "--name: a C keyword", "--name", "int", "-o", "out/x.c", "tree")
    refused("--name reserved (__x)", 2, "--name: a C keyword or reserved",
            "--name", "__attribute__", "-o", "out/x.c", "tree")
    refused("--name of 64 characters", 2, "--name: longer than 63",
            "--name", "a" * 64, "-o", "out/x.c", "tree")
    refused("--header whose name holds a quote", 2, "--header:",
            "-o", "out/x.c", "--header", 'out/a"b.h', "tree")
    refused("--format incbin without --bundle-file", 2, "--format incbin needs --bundle-file",
            "--format", "incbin", "-o", "out/x.c", "tree")
    refused("--format incbin with a newline in the path", 2, "--format incbin: the bundle path",
            "--format", "incbin", "-o", "out/x.c", "--bundle-file", "out/a\nb.btfb", "tree")
    refused("--format foo", 2, "unknown format", "--format", "foo", "-o", "out/x.c", "tree")
    # -j was --json's short form; -j N is jobs in the house, and embedgen has none.
    refused("-j", 2, "use --json", "-j", "-o", "out/x.c", "tree")
    refused("-j 4", 2, "use --json", "-j", "4", "-o", "out/x.c", "tree")
    refused("a missing output directory", 1, "its directory does not exist",
            "-o", "out/no/such/dir/x.c", "tree")
    ok(not os.path.exists(os.path.join(out, "no")), "... and it is not created")
    # A FIFO is written in place (issue 11), never replaced by a regular file.
    os.mkfifo(os.path.join(work, "fifo.btfb"))
    reader = subprocess.Popen(["cat", os.path.join(work, "fifo.btfb")], stdout=subprocess.PIPE)
    r = run("--bundle-file", "fifo.btfb", "tree", cwd=work)
    got = reader.communicate(timeout=60)[0]
    ok(r.returncode == 0 and got[:8] == b"BTFKITB\0" and
       stat.S_ISFIFO(os.lstat(os.path.join(work, "fifo.btfb")).st_mode),
       "a FIFO as output is written in place, not replaced: %s" % r.stderr.strip())
    os.makedirs(os.path.join(work, "adir.c"))
    r = run("-o", "adir.c", "tree", cwd=work)
    ok(r.returncode == 1 and "directory" in r.stderr, "a directory as output: %s" %
       r.stderr.strip())

    r = run("-o", "out/empty.c", "empty", cwd=work)
    ok(r.returncode == 0 and "warning: empty: no kernels" in r.stderr,
       "an empty tree warns: %s" % r.stderr.strip())
    r = run("-q", "-o", "out/empty.c", "empty", cwd=work)
    ok(r.returncode == 0 and r.stderr == "", "... and -q silences the warning")

    # The accepted spellings still build C that compiles.
    r = run("-q", "--name", "_my_btfs2", "-o", "out/ok.c", "--header", "out/ok.h", "tree",
            cwd=work)
    ok(r.returncode == 0, "--name _my_btfs2 accepted %s" % r.stderr.strip())
    c = subprocess.run([CC, "-fsyntax-only", "-Wall", "-Werror", "-I", out,
                        os.path.join(out, "ok.c")], capture_output=True, text=True)
    ok(c.returncode == 0, "... and its C compiles %s" % c.stderr.strip())
    return done()


if __name__ == "__main__":
    sys.exit(main())
