#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Put the source tarball that subprojects/libbpf.wrap pins into
# subprojects/packagecache/, where meson takes it instead of downloading.
# Without internet access it comes from Debian's source package: Debian's
# libbpf_<v>.orig.tar.gz is GitHub's archive of the v<v> tag, byte for byte
# (the wrap's source_hash is checked either way).
#
#   ci/libbpf-source.sh        exit 0: in place; 1: error; 3: not obtainable here
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
wrap=subprojects/libbpf.wrap
field() { sed -n "s/^$1[ \t]*=[ \t]*//p" "$wrap"; }
name=$(field source_filename)
hash=$(field source_hash)
version=$(field directory)
version=${version#libbpf-}
dest=subprojects/packagecache/$name
if [ -f "$dest" ] && echo "$hash  $dest" | sha256sum -c --status; then
	exit 0
fi

apt_dir=${BTFKIT_APT_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/btfkit/apt-src}
# Newest suites first: the pinned release reaches unstable before testing.
suites="sid forky trixie bookworm-backports bookworm"
apt() { bash "$top/ci/apt-private.sh" --dir "$apt_dir" --suites "$suites" --src -- "$@"; }
# The Debian version whose source package carries libbpf_<v>.orig.tar.gz.
debver=$(apt apt-cache showsrc libbpf 2>/dev/null | awk -v orig="libbpf_$version.orig.tar.gz" '
	/^Version:/ { v = $2 } $NF == orig && v != "" { print v; exit }') || true
if [ -z "$debver" ]; then
	echo "libbpf-source.sh: no Debian source package of libbpf $version in $suites" >&2
	exit 3
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/libbpf-src.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if ! (cd "$tmp" && apt apt-get source --download-only -q "libbpf=$debver" > apt.log 2>&1); then
	echo "libbpf-source.sh: apt-get source libbpf=$debver failed: $(tail -1 "$tmp/apt.log")" >&2
	exit 3
fi
orig="$tmp/libbpf_$version.orig.tar.gz"
got=$(sha256sum "$orig" | cut -d' ' -f1)
if [ "$got" != "$hash" ]; then
	echo "libbpf-source.sh: $orig (Debian libbpf $debver): SHA-256 $got, $wrap pins $hash" >&2
	exit 1
fi
mkdir -p "${dest%/*}"
cp "$orig" "$dest.tmp.$$" && mv -f "$dest.tmp.$$" "$dest"
echo "libbpf-source.sh: $dest from Debian libbpf $debver (SHA-256 matches the wrap)" >&2
