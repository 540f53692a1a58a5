# SPDX-License-Identifier: BSD-2-Clause
# Issue 8, scenario 1: on a kernel of the bundle, --btf-source=embedded picks
# this kernel's own entry, passes the self-check and traces exec, open and
# connect with the right fields (checked by the harness).
scenario_run() {
	section btf coretrace btf --btf-source=embedded --json ||
		{ verdict fail "coretrace btf --btf-source=embedded: rc=$?"; return; }
	trace trace --btf-source=embedded ||
		{ verdict fail "coretrace --btf-source=embedded: rc=$?"; return; }
	verdict pass "coretrace --btf-source=embedded traced"
}
