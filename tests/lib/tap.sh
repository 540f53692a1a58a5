# SPDX-License-Identifier: BSD-2-Clause
# TAP for the shell tests (sourced by bash; meson protocol: 'tap'): the
# shell face of tap.py and tap.h, with the same rules. Results are numbered
# as they come and the plan is printed last.
#   ok DESCRIPTION            one passing result
#   not_ok DESCRIPTION        one failing result (the test goes on)
#   check DESCRIPTION CMD...  run CMD: ok if it exits 0, else not ok with the
#                             last 20 lines of its output as diagnostics; the
#                             output stays in $TAP_OUT when the test sets it
#   skipped DESCRIPTION REASON  a result that cannot be checked here
#   fail DESCRIPTION          a failing result, then the plan and exit 1
#   skip_all REASON           before any result: "1..0 # SKIP REASON", exit 0
#   diag TEXT                 a comment line
#   tap_done                  the plan; exit status 1 if anything failed
tap_n=0 tap_failed=0

# A result is one line: newlines in what it names become spaces.
ok() { local d="$*"; tap_n=$((tap_n + 1)); echo "ok $tap_n - ${d//$'\n'/ }"; }
not_ok() {
	local d="$*"
	tap_n=$((tap_n + 1)) tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n - ${d//$'\n'/ }"
}
skipped() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1 # SKIP $2"; }
diag() { printf '%s\n' "$*" | sed 's/^/# /'; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
tap_done() { echo "1..$tap_n"; [ "$tap_failed" -eq 0 ]; }
fail() { not_ok "$*"; tap_done; exit 1; }
check() {
	local what=$1 out
	shift
	out=${TAP_OUT:-$(mktemp "${TMPDIR:-/tmp}/tap-check.XXXXXX")}
	if "$@" >"$out" 2>&1; then
		ok "$what"
	else
		not_ok "$what"
		tail -n 20 "$out" | sed 's/^/#   /'
	fi
	[ -n "${TAP_OUT:-}" ] || rm -f "$out"
}
