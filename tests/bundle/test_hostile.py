#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Hostile bundle files against the reader's bounds (issue 12, items 3, 4, 10):
whatever a file says, embedgen --list and a tracer-like lookup (bundle_find:
open, find, read) fail fast or succeed within 64 MB of RSS beyond the same
program's baseline on a small valid bundle, measured per process
(wait4's ru_maxrss, by rss_run) under a hard 1 GiB address-space limit.

usage: test_hostile.py EMBEDGEN BUNDLE_FIND RSS_RUN        (TAP)
"""
import json
import os
import resource
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import btfb  # noqa: E402
from tap import done, ok  # noqa: E402
from btfb import MiB  # noqa: E402

CEILING_KB = 64 * 1024		# issue 12: opening, listing or looking up any bundle
HARD_LIMIT = 1 << 30		# a regression dies here instead of eating the machine
FAST_S = 3.0			# "fails fast": a refused file is refused from its first bytes

EMBEDGEN, FIND, RSS_RUN = (os.path.realpath(a) for a in sys.argv[1:4])


def measure(cmd, timeout=60):
    """Run cmd; return (rc, stdout, stderr, peak RSS in KB, seconds), from rss_run."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (HARD_LIMIT, HARD_LIMIT))
    with tempfile.NamedTemporaryFile() as stats:
        try:
            r = subprocess.run([RSS_RUN, stats.name] + cmd, capture_output=True,
                               stdin=subprocess.DEVNULL, preexec_fn=limit, timeout=timeout)
        except subprocess.TimeoutExpired:
            return "timeout", "", "", 0, timeout
        kb, secs = stats.read().decode().split() or ("0", "0")
        return r.returncode, r.stdout.decode(errors="replace"), \
            r.stderr.decode(errors="replace"), int(kb), float(secs)


def listing(path, json_out=False):
    return [EMBEDGEN, "--list", path] + (["--json"] if json_out else [])


def lookup(path, host, dump):
    return [FIND, path, "--host", host, "--dump", dump]


def key(version, release="r"):
    return ("x86_64", "debian", version, release)


def small_bundle(work):
    """A valid bundle of one tiny BTF: the baseline every ceiling is measured from."""
    blob = btfb.tiny_btf()
    path = os.path.join(work, "small.btfb")
    with open(path, "wb") as f:
        f.write(btfb.build([(key("12"), 1, btfb.chunk_raw([key("12") + (0, len(blob))]))],
                           [(1, btfb.block_raw([blob]))]))
    return path


def write(work, name, data):
    path = os.path.join(work, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def refused(what, cmd, base_kb, pattern):
    rc, out, err, kb, secs = measure(cmd)
    first = err.strip().splitlines()[0] if err.strip() else ""
    ok(rc == 1 and pattern in err and secs < FAST_S and kb - base_kb <= CEILING_KB,
       "%s: exit %s in %.2f s, RSS %+d KB over baseline: %s" % (what, rc, secs, kb - base_kb,
                                                               first))


def within(what, cmd, base_kb, expect):
    rc, out, err, kb, secs = measure(cmd)
    good = rc == 0 and expect(out) and kb - base_kb <= CEILING_KB
    ok(good, "%s: exit %s in %.2f s, RSS %d KB = %+d KB over baseline (ceiling %d)" %
       (what, rc, secs, kb, kb - base_kb, CEILING_KB))
    if not good:
        print("#   stdout: %r\n#   stderr: %r" % (out[:300], err[-600:]))


def main():
    work = tempfile.mkdtemp(prefix="test_hostile.")
    dump = os.path.join(work, "dump.btf")
    small = small_bundle(work)
    rc, _, err, base_list, _ = measure(listing(small))
    ok(rc == 0, "baseline: embedgen --list of a small bundle, RSS %d KB %s" % (base_list, err))
    rc, out, err, base_find, _ = measure(lookup(small, "debian/12/x86_64/r", dump))
    ok(rc == 0 and out.startswith("exact"),
       "baseline: bundle_find of a small bundle, RSS %d KB %s" % (base_find, err))

    # --- item 3: the file itself --------------------------------------------
    zeros = os.path.join(work, "zeros.btfb")
    with open(zeros, "wb") as f:
        f.truncate(3 << 30)	# sparse: 3 GB of zeros, no disk used
    refused("3 GB of zeros, --list", listing(zeros), base_list, "corrupt")
    refused("3 GB of zeros, lookup", lookup(zeros, "debian/12/x86_64/r", dump), base_find,
            "corrupt")
    refused("/dev/zero, --list", listing("/dev/zero"), base_list, "not a regular file")
    refused("/dev/zero, lookup", lookup("/dev/zero", "debian/12/x86_64/r", dump), base_find,
            "not a regular file")
    fifo = os.path.join(work, "fifo.btfb")
    os.mkfifo(fifo)
    refused("a FIFO with no writer, --list (not blocking)", listing(fifo), base_list,
            "not a regular file")
    refused("a directory, --list", listing(work), base_list, "Is a directory")
    data = open(small, "rb").read()
    refused("a truncated bundle, --list", listing(write(work, "trunc.btfb", data[:-3])),
            base_list, "corrupt")
    # Metadata past BTFB_MAX_META_SIZE: refused from the header, before it is read.
    big_meta = btfb.build([(key("12"), 1, btfb.chunk_raw([key("12") + (0, 25)]))],
                          [(1, btfb.block_raw([btfb.tiny_btf()]))],
                          meta_pad=btfb.MAX_META_SIZE)
    refused("8 MiB of metadata, --list", listing(write(work, "meta.btfb", big_meta)),
            base_list, "corrupt")

    # --- the metadata stream: decoded whole at open, bounded by the header ---
    blob = btfb.tiny_btf()
    chunk = btfb.chunk_raw([key("12") + (0, len(blob))])
    one = ([(key("12"), 1, chunk)], [(1, btfb.block_raw([blob]))])
    refused("metadata claiming 4 GiB, --list",
            listing(write(work, "meta4g.btfb", btfb.build(*one, meta_raw=0xffffffff))),
            base_list, "corrupt")
    bomb = btfb.build(*one, meta=btfb.zeros(512), meta_raw=btfb.MAX_META_SIZE)
    print("# a metadata stream of %d bytes decoding to 512 MiB, claiming 8 MiB" % len(bomb))
    path = write(work, "metabomb.btfb", bomb)
    refused("metadata bomb (512 MiB of zeros, claims 8 MiB), --list", listing(path), base_list,
            "corrupt")
    refused("metadata bomb, lookup", lookup(path, "debian/12/x86_64/r", dump), base_find,
            "corrupt")
    real = btfb.build(*one)
    raw_len = int.from_bytes(real[20:24], "little")
    refused("metadata decoding to less than it claims, --list",
            listing(write(work, "metashort.btfb", btfb.build(*one, meta_raw=raw_len + 1))),
            base_list, "corrupt")
    refused("metadata decoding to more than it claims, lookup",
            lookup(write(work, "metalong.btfb", btfb.build(*one, meta_raw=raw_len - 1)),
                   "debian/12/x86_64/r", dump), base_find, "corrupt")
    lying = bytearray(real)
    lying[16:20] = (len(real)).to_bytes(4, "little")	# meta_comp past the file's end
    refused("metadata stream longer than the file, --list",
            listing(write(work, "metacomp.btfb", bytes(lying))), base_list, "corrupt")
    refused("metadata crc mismatch, --list",
            listing(write(work, "metacrc.btfb", btfb.build(*one, crc_xor=1))), base_list,
            "corrupt")
    refused("metadata crc mismatch, lookup",
            lookup(write(work, "metacrc.btfb", btfb.build(*one, crc_xor=1 << 31)),
                   "debian/12/x86_64/r", dump), base_find, "corrupt")
    path = write(work, "stored.btfb", btfb.build(*one, stored=True))
    within("stored metadata, lookup", lookup(path, "debian/12/x86_64/r", dump), base_find,
           lambda out: out.startswith("exact debian/12/x86_64/r %d" % len(blob)))
    refused("stored metadata claiming 8 MiB in a small file, --list",
            listing(write(work, "storedbig.btfb",
                          btfb.build(*one, stored=True, meta_raw=btfb.MAX_META_SIZE))),
            base_list, "corrupt")
    # At the limit: 8 MiB of metadata, most of it one inline block, decoded at open.
    fat = btfb.tiny_btf() + bytes(btfb.MAX_META_SIZE - 4096)
    at = btfb.build([(key("12"), 1, btfb.chunk_raw([key("12") + (0, len(fat))]))],
                    [(1, btfb.block_raw([fat]))], inline=True)
    within("8 MiB of metadata with an inline block, lookup + read",
           lookup(write(work, "metalimit.btfb", at), "debian/12/x86_64/r", dump), base_find,
           lambda out: out.startswith("exact debian/12/x86_64/r %d" % len(fat)))

    # --- item 4: small files that decode to gigabytes -----------------------
    z512 = btfb.zeros(512)
    four = btfb.build([(key(v), 1, z512) for v in ("10", "11", "12", "13")],
                      [(1, btfb.block_raw([blob]))])
    path = write(work, "chunks512.btfb", four)
    print("# four index chunks claiming 512 MiB each: %d bytes" % len(four))
    refused("4 chunks of 512 MiB, --list", listing(path), base_list, "corrupt")
    refused("4 chunks of 512 MiB, fallback lookup", lookup(path, "debian/9/x86_64/r", dump),
            base_find, "corrupt")
    dict512 = write(work, "dict512.btfb", btfb.build([(key("12"), 1, chunk)],
                                                      [(1, btfb.block_raw([blob]))],
                                                      dictionary=z512))
    refused("a dictionary of 512 MiB, lookup", lookup(dict512, "debian/12/x86_64/r", dump),
            base_find, "corrupt")
    # A chunk whose front-coded strings claim to rebuild past the index
    # budget: refused before its table is allocated.
    fat = bytearray(chunk)
    fat[4:8] = btfb.MAX_INDEX_SIZE.to_bytes(4, "little")
    rc, out, err, kb, secs = measure(lookup(write(work, "chunkfat.btfb", btfb.build(
        [(key("12"), 1, bytes(fat))], [(1, btfb.block_raw([blob]))])), "debian/12/x86_64/r",
        dump))
    ok(rc == 3 and "bundle index is corrupt" in out and kb - base_find <= 1024,
       "a chunk rebuilding to 8 MiB of strings, lookup: exit %d, RSS %+d KB over baseline: %s"
       % (rc, kb - base_find, out.strip()))
    block512 = write(work, "block512.btfb", btfb.build([(key("12"), 1, chunk)], [(1, z512)]))
    refused("a block of 512 MiB, lookup", lookup(block512, "debian/12/x86_64/r", dump),
            base_find, "corrupt")

    # Just inside every limit: an 8 MiB index in four 2 MiB chunks, a 1 MiB
    # dictionary and a 16 MiB BTF. Listing decodes the whole index; the
    # fallback lookup scans all four chunks and reads the 16 MiB block.
    big = btfb.tiny_btf() + bytes(btfb.MAX_RAW_SIZE - len(blob))
    chunks = []
    for v in ("10", "11", "12", "13"):
        raw = btfb.chunk_raw([key(v) + (0, len(big))])
        # an empty string is two encoded bytes
        raw = btfb.chunk_raw([key(v) + (0, len(big))],
                             pad=(btfb.MAX_INDEX_SIZE // 4 - len(raw)) // 2)
        chunks.append((key(v), 1, raw))
    for codec, name in ((btfb.CODEC_ZLIB, "zlib"), (btfb.CODEC_XZ, "xz")):
        limits = btfb.build(chunks, [(1, btfb.block_raw([big]))], codec=codec,
                            dictionary=bytes(btfb.MAX_DICT_SIZE) if codec == btfb.CODEC_ZLIB
                            else None)
        path = write(work, "limits-%s.btfb" % name, limits)
        print("# at the limits (%s): %d bytes" % (name, len(limits)))
        within("at the limits (%s), --list of 4 entries" % name, listing(path, True), base_list,
               lambda out: len(json.loads(out)["entries"]) == 4)
        within("at the limits (%s), fallback lookup + read of a 16 MiB BTF" % name,
               lookup(path, "debian/9/x86_64/r", dump), base_find,
               lambda out: out.startswith("fallback debian/13/x86_64/r %d" % len(big)))
    over = btfb.build([(key("12"), 1, btfb.chunk_raw([key("12") + (0, len(big) + 1)]))],
                      [(1, btfb.block_raw([big + b"\0"]))])
    rc, out, err, kb, secs = measure(lookup(write(work, "over.btfb", over), "debian/12/x86_64/r",
                                            dump))
    ok(rc == 3 and "bundle index is corrupt" in out and kb - base_find <= CEILING_KB,
       "a BTF one byte over 16 MiB: its index entry is refused: exit %s, %s" % (rc, out.strip()))

    # --- misleading messages: a checksum mismatch says so ----------------------
    s = btfb.deflate(chunk)
    bad = btfb.build([(key("12"), 1, btfb.Stream(s.comp, s.raw, s.crc ^ 1))],
                     [(1, btfb.block_raw([blob]))])
    rc, out, err, _, _ = measure(listing(write(work, "crc.btfb", bad)))
    ok(rc == 1 and "index entry 0: checksum mismatch" in err and "multibyte" not in err,
       "a chunk whose crc does not match: %s" % err.strip())

    # --- item 10: names that are not UTF-8 or hold escapes ---------------------
    names = sorted([b"6.1\xff", b"6.2\n\x1b[31mred", b"6.3 plain", "6.4\u00e9t\u00e9".encode()])
    keys = [(b"x86_64", b"debian", b"12", r) for r in names]
    path = write(work, "names.btfb", btfb.build(
        [(keys[0], 4, btfb.chunk_raw([k + (0, len(blob)) for k in keys]))],
        [(1, btfb.block_raw([blob]))]))
    rc, out, err, _, _ = measure(listing(path, True))
    try:
        j = json.loads(out)
    except ValueError:
        j = {}
    rels = [e["release"] for e in j.get("entries", [])]
    ok(rc == 0 and j.get("kernels") == 4 and len(rels) == 4,
       "--json --list: \"kernels\" %s, %d entries listed %s" % (j.get("kernels"), len(rels), err))
    ok("6.1\\xff" in rels and "6.2\\n\\x1b[31mred" in rels and "6.4\u00e9t\u00e9" in rels,
       "--json: non-UTF-8 and control bytes escaped as \\xNN, valid UTF-8 kept: %r" % rels)
    rc, out, err, _, _ = measure(listing(path))
    ok(rc == 0 and "6.1\\xff" in out and "6.2\\n\\x1b[31mred" in out and "\x1b" not in out
       and len(out.splitlines()) == 9 + 4,
       "--list: the same escapes, one line per kernel, no raw escape byte")

    return done()



if __name__ == "__main__":
    sys.exit(main())
