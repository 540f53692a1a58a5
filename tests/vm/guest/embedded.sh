# SPDX-License-Identifier: BSD-2-Clause
# Issue 8, scenario 1: the guest's bundle entry ($ENTRY_SOURCE: embedded
# when the default bundle, embedded in coretrace, has this kernel, else
# bundle: the one the harness made from this kernel's BTF, in coretrace's
# default bundle directory) is picked, passes the self-check and traces
# exec, open and connect with the right fields (checked by the harness).
# btf2: the bundle made at test time has this kernel's entry in any case.
scenario_run() {
	src=${ENTRY_SOURCE:-embedded}
	section btf coretrace btf --btf-source=$src --json ||
		{ verdict fail "coretrace btf --btf-source=$src: rc=$?"; return; }
	section btf2 coretrace btf --btf-source=bundle --json ||
		{ verdict fail "coretrace btf --btf-source=bundle: rc=$?"; return; }
	trace trace --btf-source=$src ||
		{ verdict fail "coretrace --btf-source=$src: rc=$?"; return; }
	verdict pass "coretrace --btf-source=$src traced"
}
