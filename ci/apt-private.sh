#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Run an apt-get / apt-cache command against Debian suites other than the
# machine's own (bullseye, trixie, sid, deb-src, another architecture)
# through a private apt configuration under DIR. The system's sources are
# never edited: the archive URIs and keyrings are derived from them.
#
#   ci/apt-private.sh --dir DIR --suites "trixie sid" [--src] [--arch arm64] \
#                     -- apt-get source --download-only libbpf=1.7.0-1
#   ci/apt-private.sh --uris
#       only print "archive URI KEYRING" and "security URI KEYRING" (what
#       btfhub-make --apt and its tests read the same archives through)
#
# The lists are refreshed when missing or older than a day. Exit status is
# the command's; a failed refresh is reported in one line and exits 1.
set -euo pipefail

usage() {
	sed -n '/^#   ci/,/^#  *btfhub-make --apt/p' "$0" | sed 's/^# *//' >&2
	exit 2
}
dir= suites= src=0 arch= uris=0
while [ $# -gt 0 ]; do
	case $1 in
	--uris) uris=1; shift ;;
	--dir) dir=$2; shift 2 ;;
	--suites) suites=$2; shift 2 ;;
	--src) src=1; shift ;;
	--arch) arch=$2; shift 2 ;;
	--) shift; break ;;
	-h|--help) usage ;;
	*) echo "apt-private.sh: unknown option '$1'" >&2; usage ;;
	esac
done
[ $uris = 1 ] || { [ -n "$dir" ] && [ -n "$suites" ] && [ $# -gt 0 ]; } || usage

# "URI KEYRING" of the machine's Debian archive and of its security archive,
# from deb822 .sources files and one-line sources.list entries.
system_sources() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk 'BEGIN { RS = ""; FS = "\n" }
		     { uri = ""; key = ""
		       for (i = 1; i <= NF; i++) {
			       if ($i ~ /^URIs:/) { split($i, a, /[ \t]+/); uri = a[2] }
			       if ($i ~ /^Signed-By:/) { split($i, a, /[ \t]+/); key = a[2] }
		       }
		       if (uri ~ /debian(-security)?\/?$/) print uri, key }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -n 's/^deb[ \t]\+\(\[[^]]*signed-by=\([^] ]*\)[^]]*\][ \t]\+\)\?\([^ \t]*debian\(-security\)\?\/\?\)[ \t].*/\3 \2/p' "$f"
	done
}
archive= archive_key= security= security_key=
while read -r uri key; do
	case $uri in
	*debian-security*) [ -n "$security" ] || { security=$uri; security_key=$key; } ;;
	*) [ -n "$archive" ] || { archive=$uri; archive_key=$key; } ;;
	esac
done < <(system_sources)
if [ -z "$archive" ]; then
	echo "apt-private.sh: no Debian archive URI in /etc/apt/sources.list{,.d/}" >&2
	exit 1
fi
[ -n "$security" ] || { security=${archive%/debian*}/debian-security; security_key=$archive_key; }
if [ $uris = 1 ]; then
	echo "archive ${archive%/} ${archive_key:--}"
	echo "security ${security%/} ${security_key:--}"
	exit 0
fi

mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
list="$dir/sources.list.new.$$"
: > "$list"
types=deb
[ $src = 1 ] && types=deb-src	# source packages only: no binary lists to fetch
opts=
[ -n "$arch" ] && opts="arch=$arch "
for suite in $suites; do
	uri=$archive key=$archive_key
	case $suite in *-security) uri=$security key=$security_key ;; esac
	for t in $types; do
		echo "$t [${opts}${key:+signed-by=$key}] $uri $suite main" >> "$list"
	done
done
sed -i 's/ \[\] / /' "$list"
apt_opts=(-o "Dir::Etc::SourceList=$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
	  -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache"
	  -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
[ -n "$arch" ] && apt_opts+=(-o "APT::Architectures::=$arch")

stale=1
if cmp -s "$list" "$dir/sources.list" &&
   [ -n "$(find "$dir/lists" -maxdepth 1 -name '*Release' -mmin -1440 -print -quit)" ]; then
	stale=0
fi
# Replacing an identical list would make apt rebuild its package cache.
if cmp -s "$list" "$dir/sources.list"; then
	rm -f "$list"
else
	mv -f "$list" "$dir/sources.list"
fi
if [ $stale = 1 ]; then
	if ! apt-get "${apt_opts[@]}" update -q > "$dir/update.log" 2>&1; then
		echo "apt-private.sh: apt-get update for '$suites' failed (see $dir/update.log)" >&2
		exit 1
	fi
fi
cmd=$1
shift
exec "$cmd" "${apt_opts[@]}" "$@"
