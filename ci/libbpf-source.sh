#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Put the source tarball that subprojects/libbpf.wrap pins into
# subprojects/packagecache/, where meson takes it instead of downloading.
# Without internet access it comes from Debian's archive: Debian's
# libbpf_<v>.orig.tar.gz is GitHub's archive of the v<v> tag, byte for byte.
#
#   ci/libbpf-source.sh        exit 0: in place; 1: error; 3: not obtainable here
#
# Only what names the file is fetched, as apt would verify it: a suite's
# InRelease (its signature checked with gpgv against the keyring the
# machine's sources name: ci/apt-private.sh --uris), that suite's
# main/source/Sources.xz (the SHA-256 and size InRelease gives), and the
# tarball (the SHA-256 Sources gives, and the wrap's). About 13 MB where a
# private `apt-get update` of the same suites took 90 MB of lists. The
# tarball is kept in ${XDG_CACHE_HOME:-~/.cache}/btfkit/libbpf-src and
# reused from there only if it still has the wrap's SHA-256.
set -euo pipefail
cd "$(dirname "$0")/.."
wrap=subprojects/libbpf.wrap
field() { sed -n "s/^$1[ \t]*=[ \t]*//p" "$wrap"; }
name=$(field source_filename)
hash=$(field source_hash)
version=$(field directory)
version=${version#libbpf-}
dest=subprojects/packagecache/$name
has_hash() { [ -f "$1" ] && echo "$2  $1" | sha256sum -c --status; }
# Into place through a temporary name: never a half-written file.
place() { mkdir -p "${2%/*}"; cp "$1" "$2.tmp.$$" && mv -f "$2.tmp.$$" "$2"; }
has_hash "$dest" "$hash" && exit 0
cache=${XDG_CACHE_HOME:-$HOME/.cache}/btfkit/libbpf-src/$name
if has_hash "$cache" "$hash"; then
	place "$cache" "$dest"
	exit 0
fi

read -r _ archive key < <(bash ci/apt-private.sh --uris | grep '^archive ') ||
	{ echo "libbpf-source.sh: no Debian archive in the machine's apt sources" >&2; exit 3; }
[ "$key" != - ] || key=/usr/share/keyrings/debian-archive-keyring.gpg
tmp=$(mktemp -d "${TMPDIR:-/tmp}/libbpf-src.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
get() { curl -fsSL --retry 2 -o "$2" "$1" 2>"$tmp/curl.log"; }
# "SHA256 SIZE" of @2 in a checksum section ("SHA256:", "Checksums-Sha256:").
sum_of() { awk -v sec="$1" -v f="$2" '$0 ~ "^" sec ":" { s = 1; next } /^[^ ]/ { s = 0 }
					s && $3 == f { print $1, $2; exit }'; }
orig=libbpf_$version.orig.tar.gz
# Newest suites first: the pinned release reaches unstable before testing.
for suite in sid forky trixie bookworm-backports bookworm; do
	url=$archive/dists/$suite
	get "$url/InRelease" "$tmp/InRelease" || continue
	if ! gpgv --keyring "$key" --output "$tmp/Release" "$tmp/InRelease" 2>"$tmp/gpgv.log"; then
		echo "libbpf-source.sh: $url/InRelease: bad signature ($(tail -1 "$tmp/gpgv.log"))" >&2
		exit 1
	fi
	read -r want size < <(sum_of SHA256 main/source/Sources.xz < "$tmp/Release") || continue
	get "$url/main/source/Sources.xz" "$tmp/Sources.xz" || continue
	if [ "$(stat -c %s "$tmp/Sources.xz")" != "$size" ] || ! has_hash "$tmp/Sources.xz" "$want"; then
		echo "libbpf-source.sh: $url/main/source/Sources.xz is not what its InRelease says" >&2
		exit 1
	fi
	# The libbpf paragraph that carries the orig tarball: "DIR SHA256 SIZE".
	# awk reads to the end (an early exit would fail xz with SIGPIPE).
	found=$(xz -dc "$tmp/Sources.xz" | awk -v RS= -v orig="$orig" '
		!done && /(^|\n)Package: libbpf\n/ && index($0, " " orig "\n") {
			n = split($0, l, "\n"); s = 0
			for (i = 1; i <= n; i++) {
				if (l[i] ~ /^Directory:/) { split(l[i], d, " "); dir = d[2] }
				if (l[i] ~ /^[^ ]/) s = (l[i] ~ /^Checksums-Sha256:/)
				else if (s) { split(l[i], c, " "); if (c[3] == orig) { sum = c[1]; sz = c[2] } }
			}
			if (dir != "" && sum != "") { print dir, sum, sz; done = 1 }
		}') || { echo "libbpf-source.sh: $url/main/source/Sources.xz: cannot read" >&2; exit 1; }
	[ -n "$found" ] || continue
	read -r dir want size <<<"$found"
	if ! get "$archive/$dir/$orig" "$tmp/$orig"; then
		echo "libbpf-source.sh: $archive/$dir/$orig: $(tail -1 "$tmp/curl.log")" >&2
		exit 3
	fi
	if [ "$(stat -c %s "$tmp/$orig")" != "$size" ] || ! has_hash "$tmp/$orig" "$want"; then
		echo "libbpf-source.sh: $archive/$dir/$orig is not what $suite's Sources says" >&2
		exit 1
	fi
	got=$(sha256sum "$tmp/$orig" | cut -d' ' -f1)
	if [ "$got" != "$hash" ]; then
		echo "libbpf-source.sh: $archive/$dir/$orig: SHA-256 $got, $wrap pins $hash" >&2
		exit 1
	fi
	place "$tmp/$orig" "$cache"
	place "$tmp/$orig" "$dest"
	echo "libbpf-source.sh: $dest from $archive/$dir/$orig ($suite; SHA-256 matches the wrap)" >&2
	exit 0
done
echo "libbpf-source.sh: no Debian source package of libbpf $version in $archive (sid to bookworm)" >&2
exit 3
