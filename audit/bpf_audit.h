/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bpf_audit: the oldest Linux kernel a BPF object can load on, computed from
 * the object itself -- its programs' types and attach points, the helpers
 * their instructions call, the maps they reference, global data, loops,
 * instruction set and length -- against a table of the release that
 * introduced each facility (facilities.c, which cites its sources).
 *
 * Programs in the same ELF section attach to the same hook and are taken as
 * alternatives: a loader keeps one of them (coretrace keeps the ring-buffer
 * or the perf-buffer one), so a hook's floor is its most portable
 * program's. The object's floor is the highest hook floor. A hook whose
 * attach point (tracepoint) is newer than that is optional: it cannot
 * exist on older kernels, so a loader has to check for it anyway, and it
 * does not raise the floor; it is reported as such.
 *
 * What a program needs only on one side of a branch on a read-only global
 * (a `const volatile` in .rodata, which libbpf freezes, or a .kconfig
 * extern) is not part of its floor: the verifier knows the value and never
 * walks the side it rules out (opensnoop calls bpf_get_current_task_btf(),
 * 5.11, only when `full_path` is set). So is what a program needs only
 * where a CO-RE existence check holds (bpf_core_field_exists(),
 * bpf_core_type_exists(), bpf_core_type_matches(),
 * bpf_core_enum_value_exists()), whose constant libbpf patches to 0 or 1
 * before load: "only if field task_struct.__state exists". That need is
 * reported apart, with its condition (cond_floor, cond_why); the floor is
 * what every setting and every kernel's types need, the gate the build
 * tools apply.
 *
 * Kernel versions are encoded as AUDIT_KV(major, minor).
 */
#ifndef BTFKIT_BPF_AUDIT_H
#define BTFKIT_BPF_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUDIT_KV(maj, min)	((uint32_t)(maj) << 8 | (uint32_t)(min))
#define AUDIT_KV_MAJOR(kv)	((kv) >> 8)
#define AUDIT_KV_MINOR(kv)	((kv) & 0xff)

struct audit_prog {
	char *name;
	char *section;
	size_t insn_cnt;		/* its own instructions, subprograms included */
	uint32_t floor;			/* what its code always needs */
	char why[128];			/* the facility that sets floor */
	uint32_t cond_floor;		/* above floor, needed only under a load-time condition; 0: none */
	char cond_why[192];		/* "calls helper 158, bpf_get_current_task_btf, only if 'full_path' != 0" */
	uint32_t attach_floor;		/* its attach point's first release; 0 if not in the table */
	char attach[64];		/* that attach point, "" if none */
	bool loops;			/* has a back edge */
	bool chosen;			/* the most portable program of its hook */
	bool optional;			/* attach point newer than the object's floor */
	int unknown;			/* helpers, map or program types not in the table */
};

struct audit_report {
	uint32_t floor;			/* the object's floor */
	char why[192];			/* "<facility> in <program>" */
	uint32_t cond_floor;		/* the chosen programs' highest cond_floor above floor; 0: none */
	char cond_why[320];		/* "<program> <its cond_why>" */
	int unknown;			/* sum over programs: the floor may be too low */
	int prog_cnt;
	struct audit_prog *progs;	/* in the object's order */
};

/*
 * Audit the BPF ELF object in @data/@size (not modified, need not outlive
 * the call). No privileges or kernel needed. 0 and *out (free with
 * audit__free()), or -errno (-EINVAL: not a BPF object we can read).
 */
int audit__object(const void *data, size_t size, struct audit_report **out);
/* The same for a file. */
int audit__file(const char *path, struct audit_report **out);
void audit__free(struct audit_report *r);

/* "4.18" into @buf. Returns @buf. */
const char *audit__kv_str(uint32_t kv, char *buf, size_t size);
/*
 * The major.minor of a kernel release string ("4.18.0-305.el8.x86_64",
 * "5.10.0-35-amd64"). 0 or -EINVAL.
 */
int audit__parse_release(const char *release, uint32_t *kv);

/* The build tools' gate over a set of objects. */
struct audit_floor {
	uint32_t floor;			/* kernels older than this are left out */
	char why[320];			/* "<object>: <what sets it>", or "--floor X.Y" */
	uint32_t cond_floor;		/* higher need under a load-time condition; 0: none */
	char cond_why[384];		/* "<object>: <program> <what>, only if <condition>" */
	bool manual;			/* set by --floor, not by the audit */
};

/*
 * The highest floor of the @n objects at @paths, and their highest
 * conditional need above it. 0 or -errno (the failing object's path in
 * f->why).
 */
int audit__objects_floor(const char *const *paths, int n, struct audit_floor *f);
/* A floor set by hand ("5.4", for --floor). 0 or -EINVAL. */
int audit__floor_set(struct audit_floor *f, const char *arg);
/*
 * The one line every tool prints (even under -q) when it left kernels out:
 * the count, the floor, what sets it, a conditional need, how to change it.
 */
void audit__gate_summary(const struct audit_floor *f, size_t skipped, const char *example,
			 char *buf, size_t size);
/* True when @release is a kernel release older than @floor (unparseable: false). */
bool audit__release_below(const char *release, uint32_t floor);

#endif
