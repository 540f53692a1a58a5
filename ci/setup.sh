#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# Install what btfkit needs on a fresh Debian 12 machine (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
mapfile -t pkgs < <(grep -v '^\s*#' ci/packages.txt | grep -v '^\s*$' | sort -u)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "ci/setup.sh: installing ${missing[*]}"
	$SUDO apt-get update -q
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
