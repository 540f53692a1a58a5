#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# Build BTFHub-shaped fixtures from real Debian 12 kernels:
#   tests/data/btfhub/debian/12/x86_64/<release>.btf.tar.xz
# (one member, <release>.btf: the vmlinux .BTF section) plus KERNELS.txt,
# which names the exact packages (the qemu tests boot the same kernels).
#
# Steps per kernel: apt-get download the image package, take its vmlinuz,
# find the compressed vmlinux inside the x86 bzImage by its magic bytes
# (xz, zstd or legacy lz4), decompress, objcopy -O binary --only-section=.BTF
# (an uncompressed arm64 Image has no sections: the BTF is carved out by its
# header instead),
# and pack deterministically (sorted, mtime 0, owner 0, xz -9 single-threaded)
# so that re-running the script gives byte-identical archives.
#
# Downloads are cached outside the source tree in
# ${BTFKIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/btfkit}/debs.
#
# arm64: tests/data/make-fixtures.sh -o tests/data/btfhub/debian/12/aarch64 \
#            linux-image-6.1.0-56-arm64-unsigned:arm64 linux-image-6.12.117+deb12-arm64-unsigned:arm64
# (PACKAGE:ARCH through the machine's apt: dpkg --add-architecture arm64, as
# ci/setup.sh --arch arm64 does; aarch64 is BTFHub's other name of arm64, and
# the fixtures exercise the alias).
#
# Usage: tests/data/make-fixtures.sh [-o DIR] [--suites S] [--reuse] [--drop-debs] [PACKAGE...]
#        tests/data/make-fixtures.sh --btf VMLINUZ OUT
#            only write the kernel image's raw BTF to OUT (tests/vm uses it)
#   -o DIR       write the archives and KERNELS.txt to DIR (default: the fixtures)
#   --suites S   download from these Debian suites ("bullseye trixie-security")
#                through ci/apt-private.sh (lists under the cache's apt/), not
#                from the machine's own sources (tests/data/make-corpus.sh)
#   --reuse      keep an archive already in DIR whose package is
#                in DIR/KERNELS.txt instead of rebuilding it (no download)
#   --drop-debs  delete each .deb this run downloads once its BTF is packed
#   --keep-going a package that cannot be downloaded is reported and skipped
#                (the exit status is still 1)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prog=make-fixtures
. "$here/common.sh"
out="$here/btfhub/debian/12/x86_64"
cache="$btfkit_cache/debs"
reuse=0
drop_debs=0
keep_going=0
missing=0
suites=
while [ $# -gt 0 ]; do
	case $1 in
	-o) need_value -o "a directory" $#; out=$2; shift 2 ;;
	--suites) need_value --suites "a list" $#; suites=$2; shift 2 ;;
	--reuse) reuse=1; shift ;;
	--drop-debs) drop_debs=1; shift ;;
	--keep-going) keep_going=1; shift ;;
	--) shift; break ;;
	--btf) break ;;
	-*) usage_error "unknown option '$1'" ;;
	*) break ;;
	esac
done

# The kernels: 6.1 generic and cloud flavours of the same ABI, and a 6.12
# backport. -unsigned packages carry the same /boot/vmlinuz-* as the signed
# ones without the Secure Boot wrapper.
if [ $# -eq 0 ]; then
	set -- \
		linux-image-6.1.0-56-amd64-unsigned \
		linux-image-6.1.0-56-cloud-amd64-unsigned \
		linux-image-6.12.117+deb12-cloud-amd64-unsigned
fi

btf_only=
if [ "${1:-}" = --btf ]; then
	[ $# -eq 3 ] || { echo "usage: make-fixtures.sh --btf VMLINUZ OUT" >&2; exit 2; }
	btf_only=1
fi

need_tools apt-get dpkg-deb objcopy xz zstd lz4 gzip tar python3

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$cache" "$out"

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

# Carve raw BTF out of an uncompressed, non-ELF image (the arm64 Image):
# the first BTF header (magic 0xeB9F, version 1) whose sections fit in the
# file and whose string section is NUL-delimited, hdr_len +
# max(type_off + type_len, str_off + str_len) bytes long.
carve_btf() {
	python3 - "$1" "$2" <<'PY'
import struct, sys
data = open(sys.argv[1], 'rb').read()
i = data.find(b'\x9f\xeb\x01')
while i >= 0:
    if i + 24 <= len(data):
        hdr_len, type_off, type_len, str_off, str_len = struct.unpack_from('<5I', data, i + 4)
        end = hdr_len + max(type_off + type_len, str_off + str_len)
        s = i + hdr_len + str_off
        if (hdr_len >= 24 and str_len > 0 and i + end <= len(data) and
                data[s] == 0 and data[s + str_len - 1] == 0):
            open(sys.argv[2], 'wb').write(data[i:i + end])
            sys.exit(0)
    i = data.find(b'\x9f\xeb\x01', i + 1)
sys.exit(1)
PY
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
		# arm64: vmlinuz is the raw Image, no ELF sections to name.
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

# KERNELS.txt: the rows made so far, plus (with --reuse) the old rows of
# requested packages not reached yet, so an interrupted run loses nothing.
write_list() {
	{
		echo "# Generated by tests/data/make-fixtures.sh; do not edit."
		echo "# release<TAB>package<TAB>version<TAB>btf_bytes<TAB>payload@offset"
		awk -F '\t' 'FILENAME == ARGV[1] { want[$1] = 1; next }
			FILENAME == ARGV[2] { done[$2] = 1; print; next }
			want[$2] && !done[$2]' "$work/pkgs.txt" "$work/kernels.txt" "$work/old.txt" |
			sort
	} > "$out/.KERNELS.txt.tmp"
	mv "$out/.KERNELS.txt.tmp" "$out/KERNELS.txt"
}

: > "$work/kernels.txt"
: > "$work/old.txt"
: > "$work/fetched.txt"
[ $reuse = 0 ] || [ ! -f "$out/KERNELS.txt" ] || grep -v '^#' "$out/KERNELS.txt" > "$work/old.txt" || true
printf '%s\n' "$@" | sed 's/:[a-z0-9]*$//' > "$work/pkgs.txt"
for spec in "$@"; do
	pkg=${spec%%:*}
	if [ $reuse = 1 ]; then
		row=$(awk -F '\t' -v p="$pkg" '$2 == p' "$work/old.txt" | sed -n 1p)
		if [ -n "$row" ] && [ -f "$out/${row%%	*}.btf.tar.xz" ]; then
			printf '%s\n' "$row" >> "$work/kernels.txt"
			continue
		fi
	fi
	deb=$(ls "$cache/${pkg}_"*.deb 2>/dev/null | sed -n 1p || true)
	if [ -z "$deb" ]; then
		if [ -n "$suites" ]; then
			# Each apt run through a private configuration rebuilds its
			# package cache from every suite's lists: fetch a batch at once.
			batch=$(awk -v p="$pkg" 'found && n < 7 { print; n++ } $0 == p { found = 1 }' \
				"$work/pkgs.txt" | while read -r q; do
					ls "$cache/${q}_"*.deb >/dev/null 2>&1 || echo "$q"
				done)
			# shellcheck disable=SC2086
			(cd "$cache" && bash "$here/../../ci/apt-private.sh" --dir "${cache%/debs}/apt" \
				--suites "$suites" -- apt-get -q download "$pkg" $batch) ||
				[ $keep_going = 1 ] || exit 1
			printf '%s\n' $batch >> "$work/fetched.txt"
		else
			(cd "$cache" && apt-get download "$spec") || [ $keep_going = 1 ] || exit 1
		fi
		deb=$(ls "$cache/${pkg}_"*.deb 2>/dev/null | sed -n 1p || true)
		if [ -z "$deb" ]; then
			echo "make-fixtures: $pkg: listed by the archive but not downloadable; skipped" >&2
			missing=$((missing + 1))
			continue
		fi
		echo "$pkg" >> "$work/fetched.txt"
	fi
	version=$(dpkg-deb -f "$deb" Version)
	rm -rf "$work/root"
	mkdir "$work/root"
	# Only the image: the modules are most of the package. tar stops at the
	# first match (dpkg-deb then dies of SIGPIPE, which is fine).
	dpkg-deb --fsys-tarfile "$deb" 2>/dev/null |
		tar -C "$work/root" -x --occurrence=1 --wildcards './boot/vmlinuz-*' 2>/dev/null || true
	vmlinuz=$(ls "$work/root/boot/vmlinuz-"* 2>/dev/null | sed -n 1p)
	[ -n "$vmlinuz" ] || { echo "make-fixtures: $deb: no /boot/vmlinuz-*" >&2; exit 1; }
	release=${vmlinuz##*/vmlinuz-}
	how=$(btf_of "$vmlinuz" "$work/$release.btf") || exit 1
	touch -d @0 "$work/$release.btf"
	tar -C "$work" --format=gnu --sort=name --mtime=@0 --owner=0 --group=0 \
		--numeric-owner --mode=0644 -cf - "$release.btf" |
		xz -9 -T1 -c > "$out/.$release.btf.tar.xz.tmp"
	mv "$out/.$release.btf.tar.xz.tmp" "$out/$release.btf.tar.xz"
	printf '%s\t%s\t%s\t%s\t%s\n' "$release" "$pkg" "$version" \
		"$(wc -c < "$work/$release.btf" | tr -d ' ')" "$how" >> "$work/kernels.txt"
	echo "make-fixtures: $release ($pkg $version, payload $how): $(wc -c < "$out/$release.btf.tar.xz") bytes"
	rm -rf "$work/root" "$work/vmlinux" "$work/$release.btf"
	[ $drop_debs = 0 ] || ! grep -qxF "$pkg" "$work/fetched.txt" || rm -f "$deb"
	write_list
done

write_list
[ $missing = 0 ] || { echo "make-fixtures: $missing package(s) could not be downloaded" >&2; exit 1; }
