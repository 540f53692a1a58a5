# SPDX-License-Identifier: BSD-2-Clause
"""Craft btfkit bundles (libbtfbundle/FORMAT.md) byte by byte, for tests that
need what embedgen never writes: streams that claim more than they should,
records that disagree with their streams, metadata past the reader's limits.

Raw bytes given for a stream are compressed with the bundle's codec (zlib:
raw deflate; xz: raw LZMA2, without a dictionary); a ready Stream may claim
any raw size. The metadata (records, strings, inline streams) is one such
stream too, which build() can replace by any Stream (a bomb, a liar).
"""
import lzma
import struct
import zlib

MAGIC = b"BTFKITB\0"
HEADER_LEN = 32
META_LEN = 44
VERSION = 4
CODEC_XZ = 1
CODEC_ZLIB = 2
MiB = 1 << 20
# libbtfbundle/bundle_format.h
MAX_RAW_SIZE = 16 * MiB
MAX_DICT_SIZE = 1 * MiB
MAX_INDEX_SIZE = 8 * MiB
MAX_META_SIZE = 8 * MiB


class Stream:
    """Compressed bytes `comp`, whose crc32 is `crc` (format 4: the stored
    bytes'), that decode to `raw` bytes."""

    def __init__(self, comp, raw, crc=None):
        self.comp, self.raw = comp, raw
        self.crc = zlib.crc32(comp) if crc is None else crc


def deflate(data, zdict=None):
    c = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zdict=zdict[-32768:]) if zdict \
        else zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    return Stream(c.compress(data) + c.flush(), len(data))


def lzma2(data):
    """Raw LZMA2 without a preset dictionary (the reader's window is at least this)."""
    f = [{"id": lzma.FILTER_LZMA2, "preset": 0, "dict_size": max(4096, len(data))}]
    return Stream(lzma.compress(data, format=lzma.FORMAT_RAW, filters=f), len(data))


def zeros(mib):
    """A real deflate stream of `mib` MiB of zeros, made in milliseconds: after a
    full flush every MiB of zeros compresses to the same bytes."""
    piece = bytes(MiB)
    c = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
    one = c.compress(piece) + c.flush(zlib.Z_FULL_FLUSH)
    return Stream(one * mib + c.flush(), mib * MiB)


def tiny_btf():
    """The smallest BTF libbpf accepts: a header, no types, the empty string."""
    return struct.pack("<HBBIIIII", 0xeB9F, 1, 0, 24, 0, 0, 0, 1) + b"\0"


def b(s):
    """Key parts may be str (UTF-8) or bytes (anything, for names that are not UTF-8)."""
    return s if isinstance(s, bytes) else s.encode()


def chunk_raw(entries, pad=0):
    """A decoded chunk: entries are (arch, distro, version, release, blob, raw_size),
    in key order; `pad` NULs grow the string table (valid, and costly to decode)."""
    strs, offs = b"", {}
    entries = [tuple(b(p) for p in e[:4]) + tuple(e[4:]) for e in entries]
    for e in entries:
        for s in e[:4]:
            if s not in offs:
                offs[s] = len(strs)
                strs += s + b"\0"
    strs += bytes(pad)
    n = len(entries)
    cols = [[offs[e[0]] for e in entries], [offs[e[1]] for e in entries],
            [offs[e[2]] for e in entries], [offs[e[3]] for e in entries],
            [e[4] for e in entries], [e[5] for e in entries]]
    out = struct.pack("<II", n, len(strs))
    for col in cols:
        prev = 0
        for v in col:
            out += struct.pack("<I", (v - prev) & 0xffffffff)
            prev = v
    return out + strs


def block_raw(blobs):
    return struct.pack("<I", len(blobs)) + b"".join(struct.pack("<I", len(x)) for x in blobs) \
        + b"".join(blobs)


def compress(data, codec, zdict=None):
    return deflate(data, zdict) if codec == CODEC_ZLIB else lzma2(data)


def build(chunks, blocks, dictionary=None, entry_cnt=None, blob_cnt=None, meta_pad=0,
          codec=CODEC_ZLIB, inline=False, meta=None, meta_raw=None, crc_xor=0, stored=False):
    """chunks: [(first_key (arch, distro, version, release), entry_cnt, Stream|bytes)];
    blocks: [(blob_cnt, Stream|bytes)]; dictionary: Stream|bytes|None.
    meta_pad adds unreferenced bytes to the metadata (the string table's tail);
    inline stores the chunks and blocks given as bytes raw in the metadata.
    meta replaces the metadata stream by a ready Stream (its raw size and crc
    are what the header claims), meta_raw overrides the claimed raw size,
    crc_xor damages the header's crc; stored stores the metadata raw
    (meta_comp 0), as the writer does where compressing it saves little."""
    def stream(s, zdict=None):
        return s if isinstance(s, Stream) else compress(s, codec, zdict)
    d = stream(dictionary) if dictionary is not None else None
    dict_bytes = dictionary if isinstance(dictionary, bytes) else None
    cs = [(tuple(b(p) for p in k), n, s) for k, n, s in chunks]
    strings = sorted({b""} | {p for k, _, _ in cs for p in k})
    table, soff = b"", {}
    for s_ in strings:
        soff[s_] = len(table)
        table += s_ + b"\0"
    table += bytes(meta_pad)
    inline_off = META_LEN + 36 * len(cs) + 20 * len(blocks) + len(table)
    data, inl, recs_c, recs_b = b"", b"", b"", b""

    def place(s, zdict=None):
        """(off, comp, raw, crc) of a stream: inline, or appended to the data area."""
        nonlocal data, inl
        if inline and isinstance(s, bytes):
            off = inline_off + len(inl)
            inl += s
            return off, 0, len(s), 0  # inline: the header's crc covers it
        s = stream(s, zdict)
        off = len(data)
        data += s.comp
        return off, len(s.comp), s.raw, s.crc
    dict_rec = (0, 0, 0, 0)
    if d:
        dict_rec = (0, len(d.comp), d.raw, d.crc)
        data += d.comp
    for k, n, s_ in cs:
        recs_c += struct.pack("<9I", *[soff[p] for p in k], n, *place(s_))
    for n, s_ in blocks:
        recs_b += struct.pack("<5I", n, *place(s_, dict_bytes))
    fields = [entry_cnt if entry_cnt is not None else sum(n for _, n, _ in cs),
              blob_cnt if blob_cnt is not None else sum(n for n, _ in blocks),
              0, len(cs), len(blocks), len(table), 0, *dict_rec]
    raw = struct.pack("<11I", *fields) + recs_c + recs_b + table + inl
    m = meta if meta is not None else Stream(raw, len(raw), 0) if stored else compress(raw, codec)
    claimed = meta_raw if meta_raw is not None else m.raw
    total = HEADER_LEN + len(m.comp) + len(data)
    head = MAGIC + struct.pack("<5I", VERSION, codec, 0 if stored else len(m.comp), claimed,
                               total)
    # over the header (crc taken as zero) and the metadata as stored: valid
    # for a ready meta Stream too, so that the reader decodes it
    crc = zlib.crc32(m.comp, zlib.crc32(head + bytes(4)))
    return head + struct.pack("<I", crc ^ crc_xor) + m.comp + data
