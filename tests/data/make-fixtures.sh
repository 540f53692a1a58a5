#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# Build BTFHub-shaped fixtures from real Debian 12 kernels:
#   tests/data/btfhub/debian/12/x86_64/<release>.btf.tar.xz
#   tests/data/btfhub/debian/12/aarch64/<release>.btf.tar.xz   (--arch arm64)
# (one member, <release>.btf: the vmlinux .BTF section) plus KERNELS.txt,
# which names the exact packages (the qemu tests boot the same kernels).
#
# A thin caller of `btfhub-make --apt` (docs/btfhub-make.md): it verifies
# the repository's Release signature (gpgv, Debian's keyring) and every
# index and package against the SHA-256 the chain above it names, reads
# each package's boot/vmlinuz-*, takes the vmlinux's .BTF and packs it
# deterministically (GNU tar, mtime 0, owner 0, xz single-threaded; the
# committed fixtures with --xz-preset 9, the smallest, not btfhub-make's
# faster default), so that re-running the script gives byte-identical
# archives. Here: which packages, from where, and the fixtures' layout
# (BTFHub's "aarch64" spelling for arm64, which the fixtures exercise;
# KERNELS.txt from btfhub-make's --json). btfhub-make comes from
# $BTFHUB_MAKE, else ${BTFKIT_BUILD_ROOT:-build}/tools/btfhub-make; its
# download cache is its own (~/.cache/btfkit/make).
#
# Usage: tests/data/make-fixtures.sh [-o DIR] [--apt URL] [--suite S[,S...]]
#                                    [--arch amd64|arm64] [--xz-preset N] [PACKAGE...]
#        tests/data/make-fixtures.sh --btf VMLINUZ OUT
#            only write the kernel image's raw BTF to OUT (tests/vm uses it)
#   (the fifth column of KERNELS.txt is btfhub-make's account of how it found
#   the BTF, e.g. deb:vmlinuz:bzimage:xz:elf)
#   -o DIR       write the archives and KERNELS.txt to DIR (default: the
#                fixtures of --arch)
#   --apt URL    the repository (default http://deb.debian.org/debian-security,
#                where the fixtures' packages are)
#   --suite S    its suites (default bookworm-security)
#   --arch A     Debian's architecture name: amd64 (default) or arm64
#   --xz-preset N  btfhub-make's --xz-preset (default 9: tests/make compares
#                the committed fixtures with btfhub-make --xz-preset 9)
#   PACKAGE...   kernel image packages (default: the fixtures' of --arch)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prog=make-fixtures
. "$here/common.sh"
out=
url=http://deb.debian.org/debian-security
suite=bookworm-security
arch=amd64
xz_preset=9
while [ $# -gt 0 ]; do
	case $1 in
	-o) need_value -o "a directory" $#; out=$2; shift 2 ;;
	--apt) need_value --apt "a URL" $#; url=$2; shift 2 ;;
	--suite) need_value --suite "a list" $#; suite=$2; shift 2 ;;
	--arch) need_value --arch "amd64 or arm64" $#; arch=$2; shift 2 ;;
	--xz-preset) need_value --xz-preset "a preset" $#; xz_preset=$2; shift 2 ;;
	--) shift; break ;;
	--btf) break ;;
	-*) usage_error "unknown option '$1'" ;;
	*) break ;;
	esac
done

# The kernels: 6.1 generic and cloud flavours of the same ABI, and a 6.12
# backport. -unsigned packages carry the same /boot/vmlinuz-* as the signed
# ones without the Secure Boot wrapper.
case $arch in
amd64)
	btfhub_arch=x86_64
	[ -n "$out" ] || out="$here/btfhub/debian/12/x86_64"
	[ $# -gt 0 ] || set -- \
		linux-image-6.1.0-56-amd64-unsigned \
		linux-image-6.1.0-56-cloud-amd64-unsigned \
		linux-image-6.12.117+deb12-cloud-amd64-unsigned ;;
arm64)
	btfhub_arch=arm64
	[ -n "$out" ] || out="$here/btfhub/debian/12/aarch64"
	[ $# -gt 0 ] || set -- \
		linux-image-6.1.0-56-arm64-unsigned \
		linux-image-6.12.117+deb12-arm64-unsigned ;;
*) usage_error "--arch: amd64 or arm64, not '$arch'" ;;
esac

need_tools tar xz python3
make=${BTFHUB_MAKE:-${BTFKIT_BUILD_ROOT:-$here/../../build}/tools/btfhub-make}
[ -x "$make" ] || { echo "make-fixtures: $make: not built (meson compile -C build, or set BTFHUB_MAKE)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

if [ "${1:-}" = --btf ]; then
	[ $# -eq 3 ] || { echo "usage: make-fixtures.sh --btf VMLINUZ OUT" >&2; exit 2; }
	# Any key: only the member's bytes are kept.
	"$make" -q -o "$work/tree" --xz-preset "$xz_preset" "$2" --key make-fixtures/0/any/vmlinuz || {
		echo "make-fixtures: btfhub-make $2 failed" >&2
		exit 1
	}
	xz -dc "$work/tree/make-fixtures/0/any/vmlinuz.btf.tar.xz" | tar -xO > "$3.tmp"
	mv "$3.tmp" "$3"
	exit 0
fi

# btfhub-make prints one line per failure and goes on with the others; the
# archives it made are installed whatever its status, and the status kept.
globs=$(printf '%s,' "$@")
rc=0
"$make" --apt "$url" --suite "$suite" --arch "$arch" --packages "${globs%,}" \
	-o "$work/tree" --xz-preset "$xz_preset" --json > "$work/made.json" || rc=$?
[ $rc -ne 2 ] || exit 2
mkdir -p "$out"
python3 - "$work/made.json" "$work/tree/debian/12/$btfhub_arch" "$out" "$@" <<'PY'
import json, os, sys
made, tree, out, want = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
rows = []
for k in json.load(open(made))["kernels"]:
    if k["status"] not in ("made", "unchanged"):
        continue
    release = k["key"].split("/")[3]
    name = release + ".btf.tar.xz"
    os.replace(os.path.join(tree, name), os.path.join(out, "." + name + ".tmp"))
    os.replace(os.path.join(out, "." + name + ".tmp"), os.path.join(out, name))
    print("make-fixtures: %s (%s %s, %s): %d bytes" % (release, k["package"], k["version"],
          k["how"], os.path.getsize(os.path.join(out, name))))
    rows.append("%s\t%s\t%s\t%d\t%s\n" % (release, k["package"], k["version"], k["btf_size"],
                                         k["how"]))
# KERNELS.txt names what this run made; a run that made nothing leaves it be.
if rows:
    with open(os.path.join(out, ".KERNELS.txt.tmp"), "w") as f:
        f.write("# Generated by tests/data/make-fixtures.sh; do not edit.\n"
                "# release<TAB>package<TAB>version<TAB>btf_bytes<TAB>how (btfhub-make)\n")
        f.writelines(sorted(rows))
    os.replace(os.path.join(out, ".KERNELS.txt.tmp"), os.path.join(out, "KERNELS.txt"))
missing = sorted(set(want) - {r.split("\t")[1] for r in rows})
if missing:
    sys.exit("make-fixtures: not made from the repository: " + ", ".join(missing))
PY
exit $rc
