# SPDX-License-Identifier: BSD-2-Clause
# Issue 23's proof: coretrace here was relinked at test time with the table
# embedgen made from this very kernel's package (btfhub-make, btfkit-build):
# --btf-source=embedded must pick its entry, pass the self-check and trace
# exec, open and connect with the right fields (checked by the harness).
# The guest has no bundle file and no BTF file: only the embedded table.
scenario_run() {
	section btf coretrace btf --btf-source=embedded --json ||
		{ verdict fail "coretrace btf --btf-source=embedded: rc=$?"; return; }
	trace trace --btf-source=embedded ||
		{ verdict fail "coretrace --btf-source=embedded: rc=$?"; return; }
	verdict pass "coretrace (relinked with the made table) --btf-source=embedded traced"
}
