#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# Build the real benchmark corpus: every amd64 kernel image (generic, cloud,
# rt) Debian's archive serves for Debian 11, 12 and 13, as BTFHub-layout
# archives
#   DIR/debian/<11|12|13>/x86_64/<release>.btf.tar.xz  (+ KERNELS.txt each)
# made exactly like the test fixtures (tests/data/make-fixtures.sh downloads,
# btfhub-make extracts and packs; this script only picks the packages).
#
# Other suites are reached through ci/apt-private.sh (a private apt
# configuration under the cache directory whose URIs and keys are derived
# from /etc/apt/sources.list.d/; the system's sources are never edited). The
# Debian version is the suite's (bullseye* -> 11, bookworm* -> 12, trixie* ->
# 13): a 6.12 backport in bookworm-security is a Debian 12 kernel, as in
# BTFHub. bullseye-backports is no longer on deb.debian.org.
#
# Re-running keeps the archives already made (--reuse) and downloads only new
# kernels; .debs are deleted once packed (about 60 MB each).
#
# Usage: tests/data/make-corpus.sh [-o DIR] [-j N] [--list]
#   -o DIR   corpus root (default ${BTFKIT_CACHE:-~/.cache/btfkit}/corpus)
#   -j N     Debian versions built concurrently (default 3: downloads overlap
#            extraction)
#   --list   print "<version> <package>" for every kernel and stop
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prog=make-corpus
. "$here/common.sh"
base=$btfkit_cache
out="$base/corpus"
jobs=3
list_only=0
while [ $# -gt 0 ]; do
	case $1 in
	-o) need_value -o "a directory" $#; out=$2; shift 2 ;;
	-j) need_value -j "a number" $#; jobs=$2; shift 2 ;;
	--list) list_only=1; shift ;;
	-h|--help) sed -n '3,/^set -eu/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) usage_error "unknown argument '$1'" ;;
	esac
done
case $jobs in ''|*[!0-9]*|0) usage_error "-j: '$jobs' is not a positive number" ;; esac
need_tools bash awk sort

suites="bullseye bullseye-updates bullseye-security
	bookworm bookworm-updates bookworm-backports bookworm-security
	trixie trixie-updates trixie-backports trixie-security"
suites=$(echo $suites)
apt="$base/apt"
private() {
	bash "$here/../../ci/apt-private.sh" --dir "$apt" --suites "$suites" -- "$@"
}
mkdir -p "$out"

# "<version> <package>": the suite of each package's newest version (madison
# lists a package's versions newest first).
pkgs=$(private apt-cache search --names-only '^linux-image-.*-amd64-unsigned$' | awk '{ print $1 }' | sort)
[ -n "$pkgs" ] || { echo "make-corpus: no linux-image-*-amd64-unsigned in $suites" >&2; exit 1; }
# shellcheck disable=SC2086
private apt-cache madison $pkgs |
awk -F '|' '{ gsub(/ /, "", $1); split($3, a, " "); s = a[2]; sub(/\/.*/, "", s)
	if (seen[$1]++) next
	if (s ~ /^bullseye/) v = 11; else if (s ~ /^bookworm/) v = 12
	else if (s ~ /^trixie/) v = 13; else next
	print v, $1 }' | sort -k2 > "$out/.kernels.txt"

if [ $list_only = 1 ]; then
	cat "$out/.kernels.txt"
	exit 0
fi
echo "make-corpus: $(wc -l < "$out/.kernels.txt") kernels -> $out" >&2

# One make-fixtures run per Debian version (each owns its KERNELS.txt), up to
# -j at a time.
pids=""
running=0
status=0
for v in 11 12 13; do
	pkgs=$(awk -v v="$v" '$1 == v { print $2 }' "$out/.kernels.txt")
	[ -n "$pkgs" ] || continue
	mkdir -p "$out/debian/$v/x86_64"
	# shellcheck disable=SC2086
	sh "$here/make-fixtures.sh" -o "$out/debian/$v/x86_64" --suites "$suites" \
		--reuse --drop-debs --keep-going $pkgs &
	pids="$pids $!"
	running=$((running + 1))
	if [ $running -ge "$jobs" ]; then
		for p in $pids; do wait "$p" || status=1; done
		pids=""
		running=0
	fi
done
for p in $pids; do wait "$p" || status=1; done
echo "make-corpus: $(find "$out" -name '*.btf.tar.xz' | wc -l) archives," \
	"$(du -sb "$out" | cut -f1) bytes in $out" >&2
[ $status = 0 ] || { echo "make-corpus: some kernels are missing (see above)" >&2; exit 1; }
