# SPDX-License-Identifier: BSD-2-Clause
# Issue 8, scenario 2: on a kernel the bundle has no entry for,
# --btf-source=embedded fails with one clear error line and a non-zero exit
# (the harness checks the line names this kernel).
scenario_run() {
	section btf coretrace btf --btf-source=embedded --json &&
		{ verdict fail "coretrace btf --btf-source=embedded succeeded"; return; }
	section trace coretrace --btf-source=embedded --json --duration 5 &&
		{ verdict fail "coretrace --btf-source=embedded succeeded"; return; }
	verdict pass "coretrace --btf-source=embedded refused"
}
