# SPDX-License-Identifier: BSD-2-Clause
# Issue 8, scenario 3: --btf-source=auto uses the guest kernel's own
# /sys/kernel/btf/vmlinux, and traces with the right fields.
scenario_run() {
	[ -r /sys/kernel/btf/vmlinux ] ||
		{ verdict fail "no /sys/kernel/btf/vmlinux on this kernel"; return; }
	section btf coretrace btf --json ||
		{ verdict fail "coretrace btf: rc=$?"; return; }
	trace trace --btf-source=auto ||
		{ verdict fail "coretrace --btf-source=auto: rc=$?"; return; }
	verdict pass "coretrace --btf-source=auto traced"
}
