# SPDX-License-Identifier: BSD-2-Clause
# Negative control through the table: --host names another kernel of the
# embedded bundle (/etc/btfkit-foreign-host), so coretrace takes that
# kernel's entry; its self-check must catch the wrong offsets on this kernel.
scenario_run() {
	section trace coretrace --btf-source=embedded --host "$(cat /etc/btfkit-foreign-host)" \
		--json --duration 5 &&
		{ verdict fail "coretrace traced with another kernel's entry"; return; }
	verdict pass "coretrace refused another kernel's entry"
}
