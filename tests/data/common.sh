# SPDX-License-Identifier: BSD-2-Clause
# Sourced by the tests/data scripts (POSIX sh) after setting $prog: where
# downloads and caches go (outside the source tree), usage errors, and the
# check for the tools a script runs.

# ${BTFKIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/btfkit}
btfkit_cache="${BTFKIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/btfkit}"

# usage_error MESSAGE...: one line, exit 2.
usage_error() {
	echo "$prog: $*" >&2
	exit 2
}

# need_value OPTION WHAT ARGC: usage error unless the option has its value
# (ARGC: "$#" where the option is $1).
need_value() {
	[ "$3" -ge 2 ] || usage_error "$1 needs $2"
}

# need_tools TOOL...: each on PATH, or one line naming the first missing.
need_tools() {
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || { echo "$prog: '$t' not found" >&2; exit 1; }
	done
}
