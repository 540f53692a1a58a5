#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""embedgen's up-to-date stamp (embedgen/stamp.h, issue 18: a no-change
re-run stays instant): the same command on the same inputs rewrites nothing
and prints the same summary; a changed input, option, or an output edited,
removed or replaced is rebuilt, to the bytes a fresh run writes; a garbled
stamp is ignored; standard output gets no stamp. The stamp's mechanics do
not depend on the BTFs' contents, so two small valid BTFs stand in for
reduced ones.

usage: test_embedgen_stamp.py EMBEDGEN        (TAP)
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import btfb  # noqa: E402
from tap import done, ok  # noqa: E402

EMBEDGEN = os.path.realpath(sys.argv[1])


def btf_with_string(s):
    """A valid BTF with no types and one more string: different bytes."""
    strs = b"\0" + s + b"\0"
    return struct.pack("<HBBIIIII", 0xeB9F, 1, 0, 24, 0, 0, 0, len(strs)) + strs


def main():
    work = tempfile.mkdtemp(prefix="test_embedgen_stamp.")
    tree = os.path.join(work, "tree", "debian", "12", "x86_64")
    os.makedirs(tree)
    for rel, data in (("6.1.0-1-amd64.btf", btfb.tiny_btf()),
                      ("6.1.0-2-amd64.btf", btf_with_string(b"task_struct"))):
        with open(os.path.join(tree, rel), "wb") as f:
            f.write(data)
    out = os.path.join(work, "out")
    os.makedirs(out)
    outputs = [os.path.join(out, n) for n in ("b.btfb", "b.h", "b.c")]
    stamp = os.path.join(out, ".b.btfb.embedgen-stamp")
    args = ["-o", "out/b.c", "--header", "out/b.h", "--bundle-file", "out/b.btfb", "tree"]

    def run(*extra, argv=None):
        return subprocess.run([EMBEDGEN, "-v"] + list(extra) + (argv or args), cwd=work,
                              capture_output=True, text=True, errors="replace", timeout=60)

    def snap():
        return {p: (os.stat(p).st_ino, open(p, "rb").read()) for p in outputs}

    def fresh_bytes(argv=None):
        """What a run with no stamp and no old outputs writes."""
        d = tempfile.mkdtemp(dir=work)
        for sub in ("tree", "out"):
            (shutil.copytree if sub == "tree" else os.makedirs)(
                *((os.path.join(work, sub), os.path.join(d, sub)) if sub == "tree"
                  else (os.path.join(d, sub),)))
        subprocess.run([EMBEDGEN, "-v"] + (argv or args), cwd=d, check=True,
                       capture_output=True)
        return {os.path.join(out, n): open(os.path.join(d, "out", n), "rb").read()
                for n in ("b.btfb", "b.h", "b.c")}

    up = "outputs up to date"
    r = run()
    ok(r.returncode == 0 and os.path.isfile(stamp) and up not in r.stderr,
       "first run builds and writes the stamp: %s" % r.stderr.strip()[-200:])
    first, summary = snap(), r.stdout
    ok(summary.startswith("embedgen: 2 kernels"), "summary: %r" % summary)

    r = run()
    ok(r.returncode == 0 and up in r.stderr and snap() == first and r.stdout == summary,
       "same command, same inputs: nothing rewritten (same inodes), same summary")

    # An output edited in place: rebuilt, to the first run's bytes.
    with open(outputs[2], "ab") as f:
        f.write(b"/* edited */\n")
    r = run()
    ok(r.returncode == 0 and up not in r.stderr and
       {p: v[1] for p, v in snap().items()} == {p: v[1] for p, v in first.items()},
       "an edited output is rebuilt to the same bytes")

    os.unlink(outputs[1])
    r = run()
    ok(r.returncode == 0 and up not in r.stderr and os.path.isfile(outputs[1]),
       "a removed output is rebuilt")

    # A directory in an output's place is refused by the writer (never
    # replaced), not taken as up to date.
    os.unlink(outputs[0])
    os.mkdir(outputs[0])
    r = run()
    ok(r.returncode != 0 and up not in r.stderr and os.path.isdir(outputs[0]),
       "a directory in an output's place is not up to date: rc %d %s"
       % (r.returncode, r.stderr.strip()[-200:]))
    os.rmdir(outputs[0])
    r = run()
    ok(r.returncode == 0 and up not in r.stderr, "rebuilt once the directory is gone")

    # A changed input: rebuilt, and the bundle is what a fresh run makes.
    with open(os.path.join(tree, "6.1.0-2-amd64.btf"), "wb") as f:
        f.write(btf_with_string(b"mm_struct"))
    r = run()
    got = {p: v[1] for p, v in snap().items()}
    ok(r.returncode == 0 and up not in r.stderr and got != {p: v[1] for p, v in first.items()}
       and got == fresh_bytes(), "a changed input BTF is rebuilt, as a fresh run writes it")
    r = run()
    ok(up in r.stderr, "and is up to date again after")

    # A new kernel in the tree.
    with open(os.path.join(tree, "6.1.0-3-amd64.btf"), "wb") as f:
        f.write(btf_with_string(b"cred"))
    r = run()
    ok(up not in r.stderr and "3 kernels" in r.stdout, "an added kernel is rebuilt")

    # Another option: rebuilt.
    r = run("--codec", "zlib")
    ok(r.returncode == 0 and up not in r.stderr, "another option (--codec zlib) is rebuilt")
    r = run("--codec", "zlib")
    ok(up in r.stderr, "... and up to date on its own re-run")

    # A rebuilt embedgen (another mtime) is a change, though the command is the same.
    exe = os.path.join(work, "embedgen")
    shutil.copy2(EMBEDGEN, exe)
    mine = [exe, "-v", "--codec", "zlib"] + args
    r1 = subprocess.run(mine, cwd=work, capture_output=True, text=True)
    r2 = subprocess.run(mine, cwd=work, capture_output=True, text=True)
    st = os.stat(exe)
    os.utime(exe, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    r3 = subprocess.run(mine, cwd=work, capture_output=True, text=True)
    ok(up not in r1.stderr and up in r2.stderr and up not in r3.stderr,
       "a rebuilt embedgen (its mtime) rebuilds the outputs")
    # Rebuilt in place, same size, its mtime put back: its ctime still moved.
    r4 = subprocess.run(mine, cwd=work, capture_output=True, text=True)
    st = os.stat(exe)
    data = bytearray(open(exe, "rb").read())
    at = data.find(b"GCC: (")   # .comment: not loaded, the program runs the same
    with open(exe, "r+b") as f:
        f.seek(at)
        f.write(b"gcc: (")
    os.utime(exe, ns=(st.st_atime_ns, st.st_mtime_ns))
    st2 = os.stat(exe)
    r5 = subprocess.run(mine, cwd=work, capture_output=True, text=True)
    ok(at > 0 and up in r4.stderr and (st2.st_ino, st2.st_size, st2.st_mtime_ns) ==
       (st.st_ino, st.st_size, st.st_mtime_ns) and r5.returncode == 0 and up not in r5.stderr,
       "an embedgen rewritten in place with its mtime put back rebuilds the outputs")

    # A garbled or truncated stamp is only a miss.
    for what, data in (("garbled", b"embedgen-stamp 1\ninputs zz\n"), ("empty", b""),
                       ("binary", os.urandom(512))):
        with open(stamp, "wb") as f:
            f.write(data)
        r = run("--codec", "zlib")
        ok(r.returncode == 0 and up not in r.stderr, "a %s stamp is a miss" % what)

    # Standard output: never stamped, never skipped.
    for p in os.listdir(out):
        os.unlink(os.path.join(out, p))
    r = subprocess.run([EMBEDGEN, "-o", "-", "tree"], cwd=work, capture_output=True,
                       timeout=60)
    ok(r.returncode == 0 and r.stdout and not os.listdir(out), "-o - writes no stamp")

    shutil.rmtree(work, ignore_errors=True)
    return done()


if __name__ == "__main__":
    sys.exit(main())
