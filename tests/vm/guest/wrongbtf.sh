# SPDX-License-Identifier: BSD-2-Clause
# Negative control: coretrace given another kernel series' reduced BTF
# (--btf-source=file) must not trace; its self-check has to catch the wrong
# offsets on this real kernel and exit non-zero with one clear line.
scenario_run() {
	section trace coretrace --btf-source=file --btf /btf/foreign.btf --json --duration 5 &&
		{ verdict fail "coretrace traced with another kernel's BTF"; return; }
	verdict pass "coretrace refused another kernel's BTF"
}
