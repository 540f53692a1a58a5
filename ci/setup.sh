#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Install what btfkit needs on a fresh Debian 12 machine (idempotent).
#
#   ci/setup.sh [--arch arm64]
#
# --arch arm64 also installs ci/packages-arm64.txt (cross toolchain, :arm64
# libraries, qemu-system-aarch64), adding the arm64 architecture to dpkg
# first; Debian's archive serves arm64 from the same sources.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
lists=(ci/packages.txt)
arm64=0
while [ $# -gt 0 ]; do
	case $1 in
	--arch) a=${2:-}; shift 2 || { echo "ci/setup.sh: --arch needs a value" >&2; exit 2; } ;;
	--arch=*) a=${1#--arch=}; shift ;;
	*) echo "usage: ci/setup.sh [--arch x86_64|arm64]" >&2; exit 2 ;;
	esac
	case $a in
	x86_64) ;;
	arm64|aarch64) arm64=1; lists+=(ci/packages-arm64.txt) ;;
	*) echo "ci/setup.sh: unsupported arch '$a' (x86_64, arm64)" >&2; exit 2 ;;
	esac
done
update=0
if [ $arm64 = 1 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
	echo "ci/setup.sh: dpkg --add-architecture arm64"
	$SUDO dpkg --add-architecture arm64
	update=1
fi
mapfile -t pkgs < <(cat "${lists[@]}" | grep -v '^\s*#' | grep -v '^\s*$' | sort -u)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ] || [ $update = 1 ]; then
	$SUDO apt-get update -q
fi
if [ ${#missing[@]} -gt 0 ]; then
	echo "ci/setup.sh: installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
