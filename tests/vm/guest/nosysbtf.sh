# SPDX-License-Identifier: BSD-2-Clause
# A kernel without /sys/kernel/btf/vmlinux, simulated on a real kernel by
# mounting an empty tmpfs over /sys/kernel/btf: --btf-source=auto must fall
# back to this kernel's bundle entry ($ENTRY_SOURCE: the embedded one, or the
# bundle made at test time in coretrace's default bundle directory) and
# trace correctly.
scenario_run() {
	mount -t tmpfs none /sys/kernel/btf ||
		{ verdict fail "cannot hide /sys/kernel/btf"; return; }
	[ -e /sys/kernel/btf/vmlinux ] &&
		{ verdict fail "/sys/kernel/btf/vmlinux still visible"; return; }
	section btf coretrace btf --json ||
		{ verdict fail "coretrace btf: rc=$?"; return; }
	trace trace --btf-source=auto ||
		{ verdict fail "coretrace --btf-source=auto without system BTF: rc=$?"; return; }
	verdict pass "coretrace --btf-source=auto fell back to the bundle and traced"
}
