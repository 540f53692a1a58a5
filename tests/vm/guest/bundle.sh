# SPDX-License-Identifier: BSD-2-Clause
# A bundle FILE instead of the embedded table: --btf-source=bundle with
# --btf-bundle /btf/coretrace.btfb (the .btfb the build wrote beside the
# tracer) picks this kernel's entry, passes the self-check and traces.
scenario_run() {
	section btf coretrace btf --btf-source=bundle --btf-bundle /btf/coretrace.btfb --json ||
		{ verdict fail "coretrace btf --btf-source=bundle: rc=$?"; return; }
	trace trace --btf-source=bundle --btf-bundle /btf/coretrace.btfb ||
		{ verdict fail "coretrace --btf-source=bundle: rc=$?"; return; }
	verdict pass "coretrace --btf-source=bundle traced"
}
