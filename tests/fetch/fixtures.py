# SPDX-License-Identifier: BSD-2-Clause
"""BTFHub-shaped archives for the fetch tests, built from real BTF.

Every case's archives are packed at test time (tar_xz: GNU tar, fixed
mtime, xz; the same bytes every run) from the real Debian BTFs committed
under tests/data/btfhub, so the suite runs in a plain clone. Only the cases
about ../shared/btfhub-sample's own archives (other distros, a 27 MB
member) need it, and skip one by one without it.
"""
import io
import lzma
import os
import subprocess
import sys
import tarfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import tap  # noqa: E402

# The sample kernel: real Debian 12 arm64 BTF, served under arm64's second
# BTFHub directory name (aarch64); another kernel for "changed upstream".
SAMPLE_KEY = ("debian", "12", "arm64", "6.1.0-56-arm64")
OTHER_REL = "6.12.117+deb12-arm64"


def data_dir():
    """tests/data/btfhub of this source tree."""
    src = os.environ.get("BTFKIT_SOURCE_ROOT") or \
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    return os.path.join(src, "tests", "data", "btfhub")


def data_btf(release, path="debian/12/aarch64"):
    """The BTF member of the committed fixture archive @path/@release.btf.tar.xz."""
    p = os.path.join(data_dir(), path, release + ".btf.tar.xz")
    with tarfile.open(p, "r:xz") as t:
        m = t.getmembers()
        assert len(m) == 1 and m[0].isfile() and m[0].name == release + ".btf", (p, m)
        return t.extractfile(m[0]).read()


def real_btf():
    """Raw BTF bytes of the sample kernel."""
    return data_btf(SAMPLE_KEY[3])


def real_btf_other():
    """Different real BTF bytes (another kernel), for 'changed upstream'."""
    return data_btf(OTHER_REL)


def sample_archive(btf):
    """The sample kernel's BTFHub archive (xz -6, unlike tar_xz's default -1)."""
    return tar_xz([("%s.btf" % SAMPLE_KEY[3], "file", btf)], preset=6)


def shared_dir():
    """../shared/btfhub-sample (or $BTFKIT_SHARED_DIR/btfhub-sample): real BTFHub archives."""
    src = os.environ.get("BTFKIT_SOURCE_ROOT", ".")
    d = os.environ.get("BTFKIT_SHARED_DIR") or os.path.join(src, "..", "shared")
    if not os.path.isdir(d):
        # A git worktree lives elsewhere: ../shared is beside the main checkout.
        try:
            common = subprocess.run(
                ["git", "-C", src, "rev-parse", "--path-format=absolute", "--git-common-dir"],
                capture_output=True, text=True, check=True).stdout.strip()
            d = os.path.join(os.path.dirname(os.path.dirname(common)), "shared")
        except (OSError, subprocess.CalledProcessError):
            pass
    return os.path.join(d, "btfhub-sample")


def need_shared():
    """The sample tree, or Skip for a case that is about its archives."""
    d = shared_dir()
    if not os.path.isdir(d):
        raise tap.Skip("no ../shared/btfhub-sample (real BTFHub archives of other distros)")
    return d


def tar_members(members):
    """An uncompressed GNU tar of (name, kind, payload), kind 'file', 'dir',
    'chardev', 'symlink' or 'hardlink' (payload: the link's target); every
    mtime fixed, so the same members give the same bytes."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as t:
        for name, kind, payload in members:
            info = tarfile.TarInfo(name)
            info.mtime = 1700000000
            if kind == "file":
                info.size = len(payload)
                t.addfile(info, io.BytesIO(payload))
            elif kind == "dir":
                info.type = tarfile.DIRTYPE
                t.addfile(info)
            elif kind == "chardev":
                info.type = tarfile.CHRTYPE
                info.devmajor, info.devminor = 1, 3
                t.addfile(info)
            else:
                info.type = tarfile.SYMTYPE if kind == "symlink" else tarfile.LNKTYPE
                info.linkname = payload
                t.addfile(info)
    return buf.getvalue()


def tar_xz(members, preset=1):
    """tar_members() of @members, xz-compressed at @preset."""
    return lzma.compress(tar_members(members), preset=preset)


def bomb(name, size):
    """A tar.xz whose single member is @size zero bytes: a few KiB on the wire."""
    return tar_xz([(name, "file", bytes(size))], preset=0)


def corrupt(data):
    """Flip bytes in the middle of an xz stream (its CRCs must catch it)."""
    b = bytearray(data)
    mid = len(b) // 2
    for i in range(mid, mid + 64):
        b[i] ^= 0x5A
    return bytes(b)


def files_under(d):
    """Every file below @d (hidden ones too), relative, sorted."""
    out = []
    for root, _, names in os.walk(d):
        out += [os.path.relpath(os.path.join(root, n), d) for n in names]
    return sorted(out)


def replay(driver, d, inputs):
    """Write @inputs ({name: bytes}) under @d and run the fuzz replay @driver on them all."""
    paths = []
    for name, data in inputs.items():
        paths.append(os.path.join(d, name))
        with open(paths[-1], "wb") as f:
            f.write(data)
    p = subprocess.run([driver] + paths, capture_output=True, text=True, timeout=60,
                       errors="surrogateescape")
    assert p.returncode == 0 and "replayed %d" % len(paths) in p.stdout, (p.returncode, p.stderr)


def xz_zeros(prefix, size, tail=b""):
    """@prefix, @size zero bytes and @tail as .xz: one or more streams, as
    the format allows. The first holds @prefix and the first 8 MiB, where
    any reader judges the data; the rest is one 8 MiB stream of zeros
    compressed once and repeated, then the last zeros and @tail. The bytes
    it decompresses to are a single stream's; only the zeros are not run
    through the encoder again (500 MiB: 0.2 CPU-s, not 4.5; ~80 KiB)."""
    step = 8 << 20
    head = min(size, step)
    full, rest = divmod(size - head, step)
    out = [lzma.compress(prefix + bytes(head), preset=0)]
    if full:
        out += [lzma.compress(bytes(step), preset=0)] * full
    if rest or tail:
        out.append(lzma.compress(bytes(rest) + tail, preset=0))
    return b"".join(out)


def zero_member(name, size):
    """A tar.xz whose member is @size zero bytes (500 MiB: ~80 KiB)."""
    info = tarfile.TarInfo(name)
    info.size, info.mtime = size, 1700000000
    return xz_zeros(info.tobuf(format=tarfile.GNU_FORMAT), size, bytes((-size) % 512 + 1024))
