/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The start-up BTF decision (issue 7), in this order:
 *   1. file      an explicit BTF file (--btf FILE or env BTFKIT_BTF_FILE);
 *   2. system    the kernel's own /sys/kernel/btf/vmlinux;
 *   3. embedded  the bundle linked into coretrace (exact host match, then the
 *                reader's documented fallback, btf_bundle__find());
 *   4. bundle    an external bundle: --btf-bundle FILE, then every *.btfb in
 *                the system bundle directory (CORETRACE_BUNDLE_DIR), by name;
 *   5. otherwise an error saying what was tried.
 * A bundle reduced against another BPF object is refused (-ESTALE) at every
 * step. A forced source (--btf-source=X) tries only step X.
 *
 * The chosen BTF reaches libbpf as btf_custom_path: the file itself, NULL for
 * the kernel's own, or a sealed memfd ("/proc/self/fd/N") for a bundle entry,
 * so nothing is written to disk.
 */
#ifndef CORETRACE_BTF_SELECT_H
#define CORETRACE_BTF_SELECT_H

#include <stdbool.h>
#include <stddef.h>

#include "btf_bundle.h"

enum btf_source {
	BTF_SRC_AUTO = 0,
	BTF_SRC_FILE,
	BTF_SRC_SYSTEM,
	BTF_SRC_EMBEDDED,
	BTF_SRC_BUNDLE,
	BTF_SRC_CNT,
};

#define BTF_SYSTEM_PATH "/sys/kernel/btf/vmlinux"
/* Step 4's directory: meson passes <prefix>/<bundle_dir> (option bundle_dir). */
#ifndef CORETRACE_BUNDLE_DIR
#define CORETRACE_BUNDLE_DIR "/usr/share/btfkit"
#endif

/* "auto", "file", ... and back; parse returns -EINVAL for an unknown name. */
const char *btf_source__name(enum btf_source src);
int btf_source__parse(const char *name, enum btf_source *src);

struct btf_select_opts {
	enum btf_source source;		/* BTF_SRC_AUTO: the order above */
	const char *btf_file;		/* step 1; NULL: unset */
	const char *bundle_file;	/* step 4 first; NULL: none */
	const char *bundle_dir;		/* step 4 then; NULL: none */
	const struct btf_host *host;	/* identity to look up (required) */
	const void *object;		/* BPF object the BTF is for (required) */
	size_t object_sz;
	const void *embedded;		/* embedded bundle bytes; size 0: none */
	size_t embedded_sz;
	/*
	 * Report mode ("coretrace btf"): try every step even after one
	 * succeeds and open no memfd. Default false.
	 */
	bool report;
};

/* What one step found. */
struct btf_step {
	enum btf_source source;
	int err;		/* 0 usable, -ENOENT none/no entry, -ESTALE refused, ... */
	char where[256];	/* file, bundle path or "embedded" */
	char detail[320];	/* one line */
};

#define BTF_MAX_STEPS 16

struct btf_choice {
	enum btf_source source;		/* the step used; BTF_SRC_AUTO if none */
	const char *custom_path;	/* for libbpf; NULL = the kernel's own */
	char path[4096];		/* storage for custom_path */
	int memfd;			/* -1 unless a bundle entry was used */
	char desc[512];			/* "embedded bundle: debian/12/...": for messages */
	struct btf_step steps[BTF_MAX_STEPS];
	int step_cnt;
};

/*
 * Decide which BTF to use. Returns 0 with @c filled, or a negative errno
 * (-ENOENT: no step found BTF for this host; -ESTALE: a forced bundle was
 * refused) with c->steps explaining each attempt; the caller prints the
 * one-line summary from btf_choice__explain(). Release with
 * btf_choice__release() in both cases.
 */
int btf_choice__select(const struct btf_select_opts *opts, struct btf_choice *c);
/* Close the memfd, if any. Safe on a zeroed or released choice. */
void btf_choice__release(struct btf_choice *c);
/* One line listing every step tried, for the final error. */
void btf_choice__explain(const struct btf_choice *c, const struct btf_host *host,
			 char *buf, size_t sz);

#endif
