#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# Build BTFHub-shaped fixtures from real Debian 12 kernels:
#   tests/data/btfhub/debian/12/<arch>/<release>.btf.tar.xz
# (one member, <release>.btf: the vmlinux .BTF section) plus, per arch,
# KERNELS.txt, which names the exact packages (the qemu tests boot the same
# kernels). <arch> is x86_64 for amd64 packages and aarch64 for arm64 ones
# (BTFHub uses both arm64 and aarch64; the fixtures exercise the alias).
# PACKAGE may carry an architecture (linux-image-6.1.0-56-arm64-unsigned:arm64);
# apt must then know it (dpkg --add-architecture arm64, as ci/setup.sh does).
#
# Steps per kernel: apt-get download the image package, dpkg-deb -x it,
# find the compressed vmlinux inside the x86 bzImage by its magic bytes
# (xz, zstd or legacy lz4), decompress, objcopy -O binary --only-section=.BTF
# (arm64's vmlinuz is the uncompressed Image, an EFI PE file with no ELF
# sections: the BTF is carved out of it by its header instead),
# and pack deterministically (sorted, mtime 0, owner 0, xz -9 single-threaded)
# so that re-running the script gives byte-identical archives.
#
# Downloads are cached outside the source tree in
# ${BTFKIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/btfkit}/debs.
#
# Usage: tests/data/make-fixtures.sh [PACKAGE...]
#        tests/data/make-fixtures.sh --btf VMLINUZ OUT
#            only write the kernel image's raw BTF to OUT (tests/vm uses it)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
hub="$here/btfhub/debian/12"
cache="${BTFKIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/btfkit}/debs"

# The kernels: 6.1 generic and cloud flavours of the same ABI, and a 6.12
# backport. -unsigned packages carry the same /boot/vmlinuz-* as the signed
# ones without the Secure Boot wrapper.
if [ $# -eq 0 ]; then
	set -- \
		linux-image-6.1.0-56-amd64-unsigned \
		linux-image-6.1.0-56-cloud-amd64-unsigned \
		linux-image-6.12.117+deb12-cloud-amd64-unsigned \
		linux-image-6.1.0-56-arm64-unsigned:arm64 \
		linux-image-6.12.117+deb12-arm64-unsigned:arm64
fi

btf_only=
if [ "${1:-}" = --btf ]; then
	[ $# -eq 3 ] || { echo "usage: make-fixtures.sh --btf VMLINUZ OUT" >&2; exit 2; }
	btf_only=1
fi

for t in apt-get dpkg-deb objcopy xz zstd lz4 gzip tar python3; do
	command -v "$t" >/dev/null 2>&1 || { echo "make-fixtures: '$t' not found" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$cache"

# Print the byte offsets of every occurrence of a magic (hex) in a file.
find_magic() {
	python3 - "$1" "$2" <<'PY'
import sys
data = open(sys.argv[1], 'rb').read()
magic = bytes.fromhex(sys.argv[2])
i = data.find(magic)
while i >= 0:
    print(i)
    i = data.find(magic, i + 1)
PY
}

# Carve raw BTF out of an uncompressed, non-ELF image (the arm64 Image).
carve_btf() {
	python3 "$here/carve_btf.py" "$1" "$2"
}

is_elf() {
	[ -s "$1" ] && [ "$(head -c 4 "$1" | od -An -tx1 | tr -d ' \n')" = "7f454c46" ]
}

# Decompress the vmlinux ELF out of a bzImage into $2. Tries every candidate
# offset of each format's magic; trailing data after the stream makes the
# decompressors complain, so success is judged by an ELF header on the result.
extract_vmlinux() {
	for fmt in xz zstd lz4 gzip; do
		case $fmt in
		xz)   magic=fd377a585a00; cmd="xz -dc" ;;
		zstd) magic=28b52ffd;     cmd="zstd -dcq" ;;
		lz4)  magic=02214c18;     cmd="lz4 -dcq" ;;
		gzip) magic=1f8b0800;     cmd="gzip -dc" ;;
		esac
		for off in $(find_magic "$1" "$magic"); do
			tail -c +$((off + 1)) "$1" | $cmd > "$2" 2>/dev/null || true
			if is_elf "$2"; then
				echo "$fmt@$off"
				return 0
			fi
		done
	done
	return 1
}

# btf_of VMLINUZ OUT: write the kernel image's raw BTF to OUT and print how
# it was found (elf, FORMAT@OFFSET of the payload, carved); one error line
# naming VMLINUZ otherwise.
btf_of() {
	if is_elf "$1"; then
		how=elf
		cp "$1" "$work/vmlinux"
	elif how=$(extract_vmlinux "$1" "$work/vmlinux"); then
		:
	else
		# arm64: vmlinuz is the raw Image (an EFI PE file), no ELF sections to name.
		how=carved
		carve_btf "$1" "$2" || {
			echo "make-fixtures: $1: no xz/zstd/lz4/gzip payload nor BTF" >&2
			return 1
		}
	fi
	if [ "$how" != carved ]; then
		objcopy -O binary --only-section=.BTF "$work/vmlinux" "$2"
		rm -f "$work/vmlinux"
	fi
	[ "$(head -c 2 "$2" | od -An -tx1 | tr -d ' \n')" = "9feb" ] || {
		echo "make-fixtures: $1: .BTF section missing or not BTF" >&2
		return 1
	}
	echo "$how"
}

if [ -n "$btf_only" ]; then
	btf_of "$2" "$work/btf" >/dev/null
	cp "$work/btf" "$3.tmp"
	mv "$3.tmp" "$3"
	exit 0
fi

for spec in "$@"; do
	pkg=${spec%%:*}
	deb=$(ls "$cache/${pkg}_"*.deb 2>/dev/null | sed -n 1p || true)
	if [ -z "$deb" ]; then
		(cd "$cache" && apt-get download "$spec")
		deb=$(ls "$cache/${pkg}_"*.deb | sed -n 1p)
	fi
	version=$(dpkg-deb -f "$deb" Version)
	case $(dpkg-deb -f "$deb" Architecture) in
	amd64) arch=x86_64 ;;
	arm64) arch=aarch64 ;;
	*) echo "make-fixtures: $pkg: unsupported architecture" >&2; exit 1 ;;
	esac
	out="$hub/$arch"
	mkdir -p "$out"
	rm -rf "$work/root"
	dpkg-deb -x "$deb" "$work/root"
	vmlinuz=$(ls "$work/root/boot/vmlinuz-"* | sed -n 1p)
	release=${vmlinuz##*/vmlinuz-}
	how=$(btf_of "$vmlinuz" "$work/$release.btf") || exit 1
	touch -d @0 "$work/$release.btf"
	tar -C "$work" --format=gnu --sort=name --mtime=@0 --owner=0 --group=0 \
		--numeric-owner --mode=0644 -cf - "$release.btf" |
		xz -9 -T1 -c > "$out/.$release.btf.tar.xz.tmp"
	mv "$out/.$release.btf.tar.xz.tmp" "$out/$release.btf.tar.xz"
	printf '%s\t%s\t%s\t%s\t%s\n' "$release" "$pkg" "$version" \
		"$(wc -c < "$work/$release.btf" | tr -d ' ')" "$how" >> "$work/kernels-$arch.txt"
	echo "make-fixtures: $release ($pkg $version, payload $how): $(wc -c < "$out/$release.btf.tar.xz") bytes"
	rm -rf "$work/root" "$work/vmlinux" "$work/$release.btf"
done

# One KERNELS.txt per arch directory this run wrote to.
for list in "$work"/kernels-*.txt; do
	arch=${list##*/kernels-}
	arch=${arch%.txt}
	{
		echo "# Generated by tests/data/make-fixtures.sh; do not edit."
		echo "# release<TAB>package<TAB>version<TAB>btf_bytes<TAB>payload@offset"
		sort "$list"
	} > "$hub/$arch/.KERNELS.txt.tmp"
	mv "$hub/$arch/.KERNELS.txt.tmp" "$hub/$arch/KERNELS.txt"
done
