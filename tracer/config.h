/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * coretrace's run-time configuration: what main() parses from the command
 * line and the environment, read by every other module. Filled once, then
 * read-only.
 */
#ifndef CORETRACE_CONFIG_H
#define CORETRACE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "btf_bundle.h"
#include "transport.h"

/* Step 4's directory: meson passes <prefix>/<bundle_dir> (option bundle_dir). */
#ifndef CORETRACE_BUNDLE_DIR
#define CORETRACE_BUNDLE_DIR "/usr/share/btfkit"
#endif

struct ct_config {
	/* BTF decision: btf_bundle__select() (libbtfbundle) does it all. */
	enum btf_bundle_source btf_source;	/* default BTF_BUNDLE_SRC_AUTO */
	const char *btf_file;		/* --btf or env BTFKIT_BTF_FILE; NULL: unset */
	const char *bundle_file;	/* --btf-bundle; NULL: only the system dir */
	const char *host_spec;		/* --host D/V/A/R; NULL: detect */
	const char *bpf_object;		/* --bpf-object; NULL: the skeleton's own */

	/* Filters, applied in the kernel (coretrace.bpf.c). */
	uint32_t event_mask;		/* default CT_EV_ALL */
	uint32_t pid;			/* -p: process (tgid); 0 = any */
	uint32_t tid;			/* -t: thread; 0 = any */
	const char *comm;		/* -c; NULL = any */

	/* When to stop: whichever comes first; 0 = never (until a signal). */
	unsigned int duration_s;
	unsigned long long count;

	enum ct_transport transport;	/* --buffer; default CT_TRANSPORT_AUTO */
	uint32_t buffer_kb;		/* event buffer size, KiB (all CPUs); default 1024 */
	bool json;			/* -j: one JSON object per line */
	bool selfcheck;			/* default true; --no-selfcheck for diagnosis */
};

#endif
