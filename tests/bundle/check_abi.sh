#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# libbtfbundle's ABI against its checked-in baseline (libbtfbundle/libbtfbundle.abi),
# with libabigail as distributions check it: abidw records the public types
# and functions of the .so (private types dropped, through the public
# headers), abidiff compares. Any change fails: an intended one (a new
# function, a bumped 0.x) regenerates the baseline in the same commit:
#   tests/bundle/check_abi.sh --update BASELINE LIBBTFBUNDLE.so SRC_HDR_DIR GEN_HDR_DIR
set -u
update=false
if [ "${1:-}" = --update ]; then update=true; shift; fi
baseline=$1 so=$2 hdr=$3 gen=$4
if ! command -v abidw >/dev/null || ! command -v abidiff >/dev/null; then
	echo "1..0 # SKIP abigail-tools (abidw, abidiff) not installed"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/h"
cp "$hdr/btf_bundle.h" "$gen/btf_bundle_version.h" "$tmp/h/"
# The ABI of what is declared public, not of wherever the build happened.
abidw --no-corpus-path --drop-private-types --headers-dir "$tmp/h" --type-id-style hash \
	--out-file "$tmp/now.abi" "$so" || { echo "not ok 1 - abidw $so"; echo 1..1; exit 1; }
if $update; then
	cp "$tmp/now.abi" "$baseline"
	echo "updated $baseline"
	exit 0
fi
echo "1..1"
out=$(abidiff --no-added-syms "$baseline" "$tmp/now.abi" 2>&1)
rc=$?
added=$(abidiff "$baseline" "$tmp/now.abi" 2>&1 | grep -c "Added function\|added function" || true)
if [ $rc -eq 0 ] && [ "$added" -eq 0 ]; then
	echo "ok 1 - libbtfbundle.so's ABI is the baseline's (libbtfbundle/libbtfbundle.abi)"
	exit 0
fi
echo "not ok 1 - libbtfbundle.so's ABI differs from libbtfbundle/libbtfbundle.abi (abidiff exit $rc)"
abidiff "$baseline" "$tmp/now.abi" 2>&1 | head -60 | sed 's/^/#   /'
echo "#   intended? bump the version (0.x: the minor) and regenerate: $0 --update $*"
exit 1
