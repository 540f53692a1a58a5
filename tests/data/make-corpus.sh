#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# Build the real benchmark corpus: every amd64 kernel image (generic, cloud,
# rt) Debian's archive serves for Debian 11, 12 and 13, as BTFHub-layout
# archives
#   DIR/debian/<11|12|13>/x86_64/<release>.btf.tar.xz  (+ KERNELS.txt each)
# made exactly like the test fixtures (tests/data/make-fixtures.sh does the
# download and the BTF extraction; this script only picks the packages).
#
# Other suites are reached through a private apt configuration under the
# cache directory (never the system's sources): its URIs are the Debian
# mirrors named in /etc/apt/sources.list.d/ and /etc/apt/sources.list, and a
# suite is used only if its InRelease is served (bullseye-backports is gone
# from deb.debian.org, for instance). The Debian version is the suite's
# (bullseye* -> 11, bookworm* -> 12, trixie* -> 13): a 6.12 backport in
# bookworm-security is a Debian 12 kernel, as in BTFHub.
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
base="${BTFKIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/btfkit}"
out="$base/corpus"
jobs=3
list_only=0
while [ $# -gt 0 ]; do
	case $1 in
	-o) [ $# -ge 2 ] || { echo "make-corpus: -o needs a directory" >&2; exit 2; }
	    out=$2; shift 2 ;;
	-j) [ $# -ge 2 ] || { echo "make-corpus: -j needs a number" >&2; exit 2; }
	    jobs=$2; shift 2 ;;
	--list) list_only=1; shift ;;
	-h|--help) sed -n '3,27p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "make-corpus: unknown argument '$1'" >&2; exit 2 ;;
	esac
done
case $jobs in ''|*[!0-9]*|0) echo "make-corpus: -j: '$jobs' is not a positive number" >&2; exit 2 ;; esac

apt="$base/corpus-apt"
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/none" "$out"

# The system's Debian mirrors: deb822 "URIs:" (with their Signed-By) and
# one-line "deb URI suite" entries; only .../debian and .../debian-security.
mirrors() {
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '
			/^[ \t]*#/ { next }
			/^URIs:/ { for (i = 2; i <= NF; i++) uris[++n] = $i; next }
			/^Signed-By:/ { key = $2; next }
			/^[ \t]*$/ { for (i = 1; i <= n; i++) print uris[i], key; n = 0; key = ""; next }
			$1 == "deb" { u = ($2 ~ /^\[/) ? $3 : $2; print u, "-" }
			END { for (i = 1; i <= n; i++) print uris[i], key }
		' "$f"
	done | awk '$1 ~ /\/debian(-security)?\/?$/ { sub(/\/$/, "", $1); if (!seen[$1]++) print }'
}

conf="$apt/apt.conf"
cat > "$conf" <<EOF
Dir::Etc::SourceList "$apt/sources.list";
Dir::Etc::SourceParts "$apt/none";
Dir::Etc::Preferences "$apt/none/preferences";
Dir::Etc::PreferencesParts "$apt/none";
Dir::State::Lists "$apt/lists";
Dir::Cache "$apt/cache";
APT::Architectures { "amd64"; };
APT::Get::List-Cleanup "false";
APT::Sandbox::User "root";
Acquire::Languages "none";
EOF
export APT_CONFIG="$conf"

: > "$apt/sources.list.tmp"
mirrors | while read -r uri key; do
	case $uri in
	*-security) suites="bullseye-security bookworm-security trixie-security" ;;
	*) suites="bullseye bullseye-updates bullseye-backports bookworm bookworm-updates bookworm-backports trixie trixie-updates trixie-backports" ;;
	esac
	for s in $suites; do
		if /usr/lib/apt/apt-helper download-file "$uri/dists/$s/InRelease" "$apt/probe" >/dev/null 2>&1; then
			if [ "$key" = - ] || [ -z "$key" ]; then
				echo "deb $uri $s main"
			else
				echo "deb [signed-by=$key] $uri $s main"
			fi >> "$apt/sources.list.tmp"
		else
			echo "make-corpus: $uri $s: not served, skipped" >&2
		fi
		rm -f "$apt/probe"
	done
done
[ -s "$apt/sources.list.tmp" ] || {
	echo "make-corpus: no Debian mirror found in /etc/apt/sources.list{,.d/}" >&2
	exit 1
}
mv "$apt/sources.list.tmp" "$apt/sources.list"
apt-get -q update >/dev/null || { echo "make-corpus: apt-get update (private config $conf) failed" >&2; exit 1; }

# "<version> <package>": the suite of each package's newest version (madison
# lists a package's versions newest first).
# shellcheck disable=SC2046
apt-cache madison $(apt-cache search --names-only '^linux-image-.*-amd64-unsigned$' |
	awk '{ print $1 }' | sort) |
awk -F '|' '{ gsub(/ /, "", $1); split($3, a, " "); s = a[2]; sub(/\/.*/, "", s)
	if (seen[$1]++) next
	if (s ~ /^bullseye/) v = 11; else if (s ~ /^bookworm/) v = 12
	else if (s ~ /^trixie/) v = 13; else next
	print v, $1 }' | sort -k2 > "$apt/kernels.txt"

if [ $list_only = 1 ]; then
	cat "$apt/kernels.txt"
	exit 0
fi
echo "make-corpus: $(wc -l < "$apt/kernels.txt") kernels -> $out" >&2

# One make-fixtures run per Debian version (each owns its KERNELS.txt), up to
# -j at a time.
pids=""
running=0
status=0
for v in 11 12 13; do
	pkgs=$(awk -v v="$v" '$1 == v { print $2 }' "$apt/kernels.txt")
	[ -n "$pkgs" ] || continue
	mkdir -p "$out/debian/$v/x86_64"
	# shellcheck disable=SC2086
	sh "$here/make-fixtures.sh" -o "$out/debian/$v/x86_64" --reuse --drop-debs $pkgs &
	pids="$pids $!"
	running=$((running + 1))
	if [ $running -ge "$jobs" ]; then
		for p in $pids; do wait "$p" || status=1; done
		pids=""
		running=0
	fi
done
for p in $pids; do wait "$p" || status=1; done
[ $status = 0 ] || { echo "make-corpus: some kernels failed (see above)" >&2; exit 1; }
echo "make-corpus: $(find "$out" -name '*.btf.tar.xz' | wc -l) archives," \
	"$(du -sb "$out" | cut -f1) bytes in $out" >&2
