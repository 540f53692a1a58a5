#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# Build BTFHub-shaped fixtures from real Debian 12 kernels:
#   tests/data/btfhub/debian/12/x86_64/<release>.btf.tar.xz
# (one member, <release>.btf: the vmlinux .BTF section) plus KERNELS.txt,
# which names the exact packages (the qemu tests boot the same kernels).
#
# Steps per kernel: apt-get download the image package, then btfhub-make
# (tools/make/): it reads the .deb, finds boot/vmlinuz-*, decompresses the
# bzImage payload (xz, zstd, lz4, gzip, bzip2) or carves the BTF out of an
# uncompressed arm64 Image, takes the vmlinux's .BTF and packs it
# deterministically (GNU tar, mtime 0, owner 0, xz single-threaded; the
# committed fixtures with --xz-preset 9, the smallest, not btfhub-make's
# faster default), so that re-running the script gives byte-identical archives. btfhub-make comes
# from $BTFHUB_MAKE, else ${BTFKIT_BUILD_ROOT:-build}/tools/btfhub-make.
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
# Usage: tests/data/make-fixtures.sh [-o DIR] [--suites S] [--reuse] [--drop-debs]
#                                    [--xz-preset N] [PACKAGE...]
#        tests/data/make-fixtures.sh --btf VMLINUZ OUT
#            only write the kernel image's raw BTF to OUT (tests/vm uses it)
#   (the fifth column of KERNELS.txt is btfhub-make's account of how it found
#   the BTF, e.g. deb:vmlinuz:bzimage:xz:elf)
#   -o DIR       write the archives and KERNELS.txt to DIR (default: the fixtures)
#   --suites S   download from these Debian suites ("bullseye trixie-security")
#                through ci/apt-private.sh (lists under the cache's apt/), not
#                from the machine's own sources (tests/data/make-corpus.sh)
#   --reuse      keep an archive already in DIR whose package is
#                in DIR/KERNELS.txt instead of rebuilding it (no download)
#   --drop-debs  delete each .deb this run downloads once its BTF is packed
#   --keep-going a package that cannot be downloaded is reported and skipped
#                (the exit status is still 1)
#   --xz-preset N  btfhub-make's --xz-preset (default 9: tests/make compares
#                the committed fixtures with btfhub-make --xz-preset 9)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prog=make-fixtures
. "$here/common.sh"
out="$here/btfhub/debian/12/x86_64"
cache="$btfkit_cache/debs"
reuse=0
drop_debs=0
keep_going=0
xz_preset=9
missing=0
suites=
while [ $# -gt 0 ]; do
	case $1 in
	-o) need_value -o "a directory" $#; out=$2; shift 2 ;;
	--suites) need_value --suites "a list" $#; suites=$2; shift 2 ;;
	--reuse) reuse=1; shift ;;
	--drop-debs) drop_debs=1; shift ;;
	--keep-going) keep_going=1; shift ;;
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

need_tools apt-get dpkg-deb tar xz python3
make=${BTFHUB_MAKE:-${BTFKIT_BUILD_ROOT:-$here/../../build}/tools/btfhub-make}
[ -x "$make" ] || { echo "make-fixtures: $make: not built (meson compile -C build, or set BTFHUB_MAKE)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$cache" "$out"

# make_one INPUT [--key K]: btfhub-make INPUT into $work/tree; prints
# "<release>\t<btf_bytes>\t<how>" and leaves the archive at $work/archive.
make_one() {
	rm -rf "$work/tree"
	"$make" -q -o "$work/tree" --json --xz-preset "$xz_preset" "$@" > "$work/made.json" || {
		echo "make-fixtures: btfhub-make $1 failed" >&2
		return 1
	}
	python3 - "$work/made.json" "$work/tree" "$work/archive" <<'PY'
import json, os, sys
k = json.load(open(sys.argv[1]))["kernels"][0]
os.rename(os.path.join(sys.argv[2], k["key"] + ".btf.tar.xz"), sys.argv[3])
print("%s\t%d\t%s" % (k["key"].split("/")[3], k["btf_size"], k["how"]))
PY
}

if [ -n "$btf_only" ]; then
	# any key: only the member's bytes are kept
	make_one "$2" --key make-fixtures/0/any/vmlinuz >/dev/null
	xz -dc "$work/archive" | tar -xO > "$3.tmp"
	mv "$3.tmp" "$3"
	exit 0
fi

# KERNELS.txt: the rows made so far, plus (with --reuse) the old rows of
# requested packages not reached yet, so an interrupted run loses nothing.
write_list() {
	{
		echo "# Generated by tests/data/make-fixtures.sh; do not edit."
		echo "# release<TAB>package<TAB>version<TAB>btf_bytes<TAB>how (btfhub-make)"
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
	made=$(make_one "$deb") || exit 1
	release=${made%%	*}
	rest=${made#*	}
	mv "$work/archive" "$out/.$release.btf.tar.xz.tmp"
	mv "$out/.$release.btf.tar.xz.tmp" "$out/$release.btf.tar.xz"
	printf '%s\t%s\t%s\t%s\n' "$release" "$pkg" "$version" "$rest" >> "$work/kernels.txt"
	echo "make-fixtures: $release ($pkg $version, ${rest#*	}): $(wc -c < "$out/$release.btf.tar.xz") bytes"
	[ $drop_debs = 0 ] || ! grep -qxF "$pkg" "$work/fetched.txt" || rm -f "$deb"
	write_list
done

write_list
[ $missing = 0 ] || { echo "make-fixtures: $missing package(s) could not be downloaded" >&2; exit 1; }
