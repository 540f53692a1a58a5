# SPDX-License-Identifier: BSD-2-Clause
"""Small kernel inputs for the btfhub-make tests, built at test time around
real BTF (tests/data) or a tiny object's DWARF: vmlinux ELF files, x86
bzImages with each payload codec, arm64 Images (raw, gzip, EFI zboot),
Debian .deb / Ubuntu .ddeb packages and RPMs, plus hostile variants of each.
Nothing here is committed as a binary: every file is a few lines of format.
"""
import bz2
import gzip
import lzma
import struct
import subprocess

# tests/fetch's fixtures (test_make.py puts tests/fetch on the path): the one
# tar builder of the tests.
from fixtures import tar_members

# --- ELF ---------------------------------------------------------------


def elf(sections, shnum=None, shoff=None, btf_offset=None):
    """An ELF64 LE relocatable with @sections [(name, data)] (PROGBITS), a
    .shstrtab, and optionally a lying e_shnum / e_shoff / .BTF sh_offset."""
    names = b"\0"
    offs = []
    for name, _ in sections + [(".shstrtab", None)]:
        offs.append(len(names))
        names += name.encode() + b"\0"
    body = b""
    pos = 64
    placed = []
    for (name, data) in sections:
        pad = (-pos) % 8
        body += b"\0" * pad
        pos += pad
        placed.append((pos, len(data)))
        body += data
        pos += len(data)
    shstr_off = pos
    body += names
    pos += len(names)
    pad = (-pos) % 8
    body += b"\0" * pad
    pos += pad
    sh = struct.pack("<IIQQQQIIQQ", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    for i, (name, data) in enumerate(sections):
        off, size = placed[i]
        if name == ".BTF" and btf_offset is not None:
            off = btf_offset
        sh += struct.pack("<IIQQQQIIQQ", offs[i], 1, 0, 0, off, size, 0, 0, 1, 0)
    sh += struct.pack("<IIQQQQIIQQ", offs[-1], 3, 0, 0, shstr_off, len(names), 0, 0, 1, 0)
    n = len(sections) + 2
    hdr = b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\0" * 8
    hdr += struct.pack("<HHIQQQIHHHHHH", 1, 62, 1, 0, 0, shoff if shoff is not None else pos,
                       0, 64, 0, 0, 64, shnum if shnum is not None else n, n - 1)
    return hdr + body + sh


def dwarf_object(tmp, extra=""):
    """A small object file with DWARF only (no .BTF): pahole's input."""
    src = tmp + "/dwarf%d.c" % len(extra)
    with open(src, "w") as f:
        f.write("struct task_struct { int pid; int tgid; char comm[16];"
                " struct task_struct *parent; };\n"
                "struct file { unsigned long f_mode; long long f_pos; };\n"
                "struct task_struct init_task; struct file some_file;\n" + extra)
    obj = tmp + "/dwarf%d.o" % len(extra)
    subprocess.run(["cc", "-g", "-O0", "-c", src, "-o", obj], check=True)
    with open(obj, "rb") as f:
        return f.read()


# --- compression --------------------------------------------------------

def compress(data, codec):
    if codec == "gzip":
        return gzip.compress(data, mtime=0)
    if codec == "xz":
        return lzma.compress(data, check=lzma.CHECK_CRC32)
    if codec == "bzip2":
        return bz2.compress(data)
    # zstd and lz4 (the kernel's legacy lz4 frame) through their tools
    cmd = {"zstd": ["zstd", "-q", "-c", "-"], "lz4": ["lz4", "-l", "-q", "-c", "-"]}[codec]
    return subprocess.run(cmd, input=data, capture_output=True, check=True).stdout


CODECS = ["gzip", "xz", "zstd", "lz4", "bzip2"]

# --- kernel images ------------------------------------------------------


def bzimage(payload, version=0x020F, payload_offset=0x100, payload_len=None, trailer=None):
    """An x86 bzImage whose setup header points at @payload (compressed),
    followed, like the kernel's, by the 4-byte decompressed size (all but gzip)."""
    if trailer is None:
        trailer = payload[:2] != b"\x1f\x8b"
    setup_sects = 3
    img = bytearray(512 * (setup_sects + 1))
    img[0x1F1] = setup_sects
    img[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", img, 0x206, version)
    body = bytearray(payload_offset) + payload + (struct.pack("<I", 1 << 20) if trailer else b"")
    if payload_len is None:
        payload_len = len(payload) + (4 if trailer else 0)
    struct.pack_into("<II", img, 0x248, payload_offset, payload_len)
    return bytes(img + body + bytes(64))


def arm64_image(btf, pre=0x1000, post=0x800):
    """An uncompressed arm64 Image: its 64-byte header ("ARM\\x64" at 0x38),
    code bytes, the BTF 4-byte aligned, more bytes after it."""
    img = bytearray(pre)
    img[0x38:0x3C] = b"ARM\x64"
    # decoys: the magic without a sane header must be skipped
    img[0x200:0x204] = b"\x9f\xeb\x01\x00"
    return bytes(img) + btf + bytes((-len(btf)) % 4) + b"\xff" * post


def zboot(image, codec="gzip"):
    """An EFI zboot image: "MZ", "zimg", payload offset/size, codec name."""
    payload = compress(image, codec)
    hdr = bytearray(0x200)
    hdr[0:2] = b"MZ"
    hdr[4:8] = b"zimg"
    struct.pack_into("<II", hdr, 8, len(hdr), len(payload))
    hdr[24:24 + len(codec)] = codec.encode()
    return bytes(hdr) + payload + bytes(0x100)


# --- packages -----------------------------------------------------------

def _tar(members, compression="xz"):
    """members as fixtures.tar_members() takes them; (raw tar, suffix, compressed)."""
    raw = tar_members(members)
    if compression == "xz":
        return raw, ".xz", lzma.compress(raw)
    if compression == "gz":
        return raw, ".gz", gzip.compress(raw, mtime=0)
    if compression == "zst":
        return raw, ".zst", compress(raw, "zstd")
    return raw, "", raw


def ar(members):
    """An ar archive of (name, data)."""
    out = b"!<arch>\n"
    for name, data in members:
        out += b"%-16s%-12d%-6d%-6d%-8s%-10d`\n" % (name.encode(), 1700000000, 0, 0, b"100644",
                                                   len(data))
        out += data + (b"\n" if len(data) % 2 else b"")
    return out


def control(package, version, arch="amd64", maintainer="Debian Kernel Team <debian-kernel@lists.debian.org>"):
    return ("Package: %s\nSource: linux-signed-amd64\nVersion: %s\nArchitecture: %s\n"
            "Maintainer: %s\nDescription: Linux for 64-bit PCs\n"
            % (package, version, arch, maintainer)).encode()


def deb(ctrl, data_members, compression="xz", control_first=True):
    """A .deb: debian-binary, control.tar.*, data.tar.* (@data_members as for _tar)."""
    _, cext, ctar = _tar([("./", "dir", None), ("./control", "file", ctrl)], "gz")
    _, dext, dtar = _tar(data_members, compression)
    members = [("debian-binary", b"2.0\n"), ("control.tar" + cext, ctar),
               ("data.tar" + dext, dtar)]
    if not control_first:
        members[1], members[2] = members[2], members[1]
    return ar(members)


def image_deb(release, vmlinuz, version="6.1.192-2", **kw):
    """A linux-image-<release>-unsigned .deb with boot/vmlinuz-<release> and modules after it."""
    data = [("./", "dir", None), ("./boot/", "dir", None),
            ("./boot/System.map-" + release, "file", b"ffffffff81000000 T _text\n"),
            ("./boot/vmlinuz-" + release, "file", vmlinuz),
            ("./lib/modules/%s/kernel/x.ko" % release, "file", b"\0" * 4096)]
    return deb(control("linux-image-%s-unsigned" % release, version, **kw), data)


def dbg_deb(release, vmlinux, version="6.1.192-2", ubuntu=False):
    """A -dbg .deb (Debian) or -dbgsym .ddeb (Ubuntu) with usr/lib/debug/boot/vmlinux-R."""
    maint = ("Ubuntu Kernel Team <kernel-team@lists.ubuntu.com>" if ubuntu else
             "Debian Kernel Team <debian-kernel@lists.debian.org>")
    pkg = ("linux-image-unsigned-%s-dbgsym" if ubuntu else "linux-image-%s-dbg") % release
    data = [("./", "dir", None), ("./usr/lib/debug/boot/vmlinux-" + release, "file", vmlinux)]
    return deb(control(pkg, version, maintainer=maint), data)


# --- RPM ----------------------------------------------------------------

def _rpm_header(tags):
    """An RPM header structure: tags [(tag, type, value)] (6 = STRING, 4 = INT32)."""
    index, store = b"", b""
    for tag, typ, val in tags:
        if typ == 6:
            off = len(store)
            store += val.encode() + b"\0"
            count = 1
        else:
            store += b"\0" * ((-len(store)) % 4)
            off = len(store)
            store += struct.pack(">I", val)
            count = 1
        index += struct.pack(">IIII", tag, typ, off, count)
    return b"\x8e\xad\xe8\x01\0\0\0\0" + struct.pack(">II", len(tags), len(store)) + index + store


def cpio(members):
    """cpio "newc" of (name, data)."""
    out = b""
    for i, (name, data) in enumerate(members + [("TRAILER!!!", b"")]):
        n = name.encode() + b"\0"
        hdr = b"070701" + b"".join(b"%08X" % v for v in (
            i + 1, 0o100644 if data or name != "TRAILER!!!" else 0, 0, 0, 1, 1700000000,
            len(data), 0, 0, 0, 0, len(n), 0))
        out += hdr + n + b"\0" * ((-(len(hdr) + len(n))) % 4)
        out += data + b"\0" * ((-len(data)) % 4)
    return out


def rpm(name, version, release, arch, files, vendor=None, compressor="xz", dist_header=None):
    """A binary RPM: lead, signature header, header (NAME, VERSION, RELEASE,
    ARCH, VENDOR, payload format/compressor), cpio payload of @files."""
    lead = b"\xed\xab\xee\xdb\x03\x00\x00\x00\x00\x01" + (name.encode() + b"\0" * 66)[:66] + \
        b"\x00\x01\x00\x05" + b"\0" * 16
    sig = _rpm_header([(1000, 4, 0)])
    sig += b"\0" * ((-len(sig)) % 8)
    tags = [(1000, 6, name), (1001, 6, version), (1002, 6, release), (1022, 6, arch)]
    if vendor:
        tags.append((1011, 6, vendor))
    tags += [(1124, 6, "cpio"), (1125, 6, compressor)]
    hdr = dist_header if dist_header is not None else _rpm_header(tags)
    payload = cpio(files)
    payload = lzma.compress(payload) if compressor == "xz" else gzip.compress(payload, mtime=0)
    return lead + sig + hdr + payload
