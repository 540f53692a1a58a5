# SPDX-License-Identifier: BSD-2-Clause
# The case btfkit exists for: a kernel built without BTF (nobtf/), so no
# /sys/kernel/btf/vmlinux. Without a bundle entry coretrace cannot run; with
# the bundle the pipeline (btfgen, embedgen) made from the kernel's
# pahole-generated BTF, --btf-source=auto falls back to that entry and
# traces correctly (checked by the harness).
scenario_run() {
	[ -e /sys/kernel/btf/vmlinux ] &&
		{ verdict fail "this kernel has /sys/kernel/btf/vmlinux"; return; }
	section plain coretrace --json --duration 5 &&
		{ verdict fail "coretrace ran with no BTF for this kernel"; return; }
	section btf coretrace btf --btf-bundle /btf/nobtf.btfb --json ||
		{ verdict fail "coretrace btf --btf-bundle: rc=$?"; return; }
	trace trace --btf-source=auto --btf-bundle /btf/nobtf.btfb ||
		{ verdict fail "coretrace --btf-source=auto --btf-bundle: rc=$?"; return; }
	verdict pass "no system BTF: refused alone, traced with the pipeline's bundle"
}
