# SPDX-License-Identifier: BSD-2-Clause
# Shared by the pipeline tests (sourced). TAP (tests/lib/tap.sh): fail
# ends the test with a failing result, skip_all skips it with the reason.
set -euo pipefail
SRC=${BTFKIT_SOURCE_ROOT:?run from meson test}
BUILD=${BTFKIT_BUILD_ROOT:?run from meson test}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/btfkit-pipeline.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

. "$SRC/tests/lib/tap.sh"

# A copy of the source tree (tracked files plus the working tree's edits), so
# that a test may change sources and configure builds without touching ours.
copy_source() {
	local dst=$1
	mkdir -p "$dst"
	if git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
		(cd "$SRC" && git ls-files -z --cached --others --exclude-standard |
			xargs -0 cp --parents -t "$dst" 2>/dev/null) || fail "cannot copy $SRC"
	else
		(cd "$SRC" && tar c --exclude='./build*' .) | (cd "$dst" && tar x)
	fi
}

json_get() {	# json_get FILE KEY -> value of a top-level key
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}
