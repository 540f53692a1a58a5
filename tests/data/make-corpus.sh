#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# Build the real benchmark corpus: every amd64 kernel image (generic, cloud,
# rt) Debian's archive serves for Debian 11, 12 and 13, as a BTFHub-layout
# tree
#   DIR/debian/<11|12|13>/x86_64/<release>.btf.tar.xz  + DIR/btfhub-index.json
# by btfhub-make --apt (tools/apt/): it reads each suite's InRelease (its
# signature checked with gpgv against the keyring ci/apt-private.sh names) and
# Packages, selects every linux-image-*-amd64-unsigned package, takes each
# kernel's newest upload, maps its suite to the Debian version (bullseye* ->
# 11, bookworm* -> 12, trixie* -> 13: a 6.12 backport in bookworm-security is
# a Debian 12 kernel, as in BTFHub), downloads and verifies the package
# against the SHA-256 chain and makes its archive. This script only names the
# repositories: Debian's archive and its security archive, at the URIs
# ci/apt-private.sh --uris derives from /etc/apt/sources.list.d/ (the
# system's sources are never edited); one btfhub-make run each, the security
# archive last (a kernel both serve is one package in both).
#
# The archives are made with --xz-preset 9, as the corpus always was (for a
# BTF under 8 MiB, the same compression as BTFHub's own xz -6; btfhub-make's
# dictionary is the BTF's size at both).
#
# Re-running downloads and rewrites nothing already made (btfhub-make's
# stamps under DIR/.btfhub-make/, by each package's SHA-256). A tree made by
# the older version of this script (apt-get download + btfhub-make on the
# files, and a KERNELS.txt per directory, no longer written: btfhub-index.json
# lists the tree) has no stamps: the first run makes every kernel once more
# (the same members; the archives' bytes differ: the dictionary, now the
# BTF's size, is in the xz header and can change a match). Packages are downloaded into a temporary cache removed on exit
# (about 60 MB each; the stamps, not the packages, make re-runs cheap)
# unless --cache-dir names one to keep.
#
# Usage: tests/data/make-corpus.sh [-o DIR] [-j N] [--packages GLOB[,GLOB...]]
#                                  [--cache-dir DIR]
#   -o DIR       corpus root (default ${BTFKIT_CACHE:-~/.cache/btfkit}/corpus)
#   -j N         downloads in parallel (btfhub-make --transfers; default 4)
#   --packages G the packages, btfhub-make's globs (default
#                'linux-image-*-amd64-unsigned'; a narrower one makes part of
#                the corpus, e.g. to check the script)
#   --cache-dir DIR  keep the indexes and packages in DIR (btfhub-make's
#                --cache-dir, e.g. ~/.cache/btfkit/make, which the tests share)
# A kernel that is listed but cannot be downloaded is one error line; the
# others are still made, and the exit status is 1.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
prog=make-corpus
. "$here/common.sh"
out="$btfkit_cache/corpus"
jobs=4
globs='linux-image-*-amd64-unsigned'
cache=
while [ $# -gt 0 ]; do
	case $1 in
	-o) need_value -o "a directory" $#; out=$2; shift 2 ;;
	-j) need_value -j "a number" $#; jobs=$2; shift 2 ;;
	--packages) need_value --packages "globs" $#; globs=$2; shift 2 ;;
	--cache-dir) need_value --cache-dir "a directory" $#; cache=$2; shift 2 ;;
	-h|--help) sed -n '3,/^set -eu/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) usage_error "unknown argument '$1'" ;;
	esac
done
case $jobs in ''|*[!0-9]*|0) usage_error "-j: '$jobs' is not a positive number" ;; esac
need_tools bash
make=${BTFHUB_MAKE:-${BTFKIT_BUILD_ROOT:-$here/../../build}/tools/btfhub-make}
[ -x "$make" ] || { echo "make-corpus: $make: not built (meson compile -C build, or set BTFHUB_MAKE)" >&2; exit 1; }

uris=$(bash "$here/../../ci/apt-private.sh" --uris)
mkdir -p "$out" "$btfkit_cache"
if [ -z "$cache" ]; then
	cache=$(mktemp -d "$btfkit_cache/make-corpus.XXXXXX")
	trap 'rm -rf "$cache"' EXIT INT TERM
fi

# make_repo REPOSITORY SUITES: one btfhub-make --apt run
status=0
make_repo() {
	uri=$(echo "$uris" | awk -v k="$1" '$1 == k { print $2 }')
	key=$(echo "$uris" | awk -v k="$1" '$1 == k { print $3 }')
	[ -n "$uri" ] || { echo "make-corpus: ci/apt-private.sh --uris names no $1 repository" >&2; exit 1; }
	set -- --apt "$uri" --suite "$2" --arch amd64 --packages "$globs" \
		--xz-preset 9 --transfers "$jobs" --cache-dir "$cache" -o "$out"
	[ "$key" = - ] || set -- "$@" --keyring "$key"
	"$make" "$@" || status=1
}
make_repo archive bullseye,bullseye-updates,bookworm,bookworm-updates,bookworm-backports,trixie,trixie-updates,trixie-backports
make_repo security bullseye-security,bookworm-security,trixie-security
echo "make-corpus: $(find "$out" -name '*.btf.tar.xz' | wc -l) archives," \
	"$(du -sb --exclude=.btfhub-make "$out" | cut -f1) bytes in $out" >&2
[ $status = 0 ] || { echo "make-corpus: some kernels are missing (see above)" >&2; exit 1; }
