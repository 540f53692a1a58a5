/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * "coretrace btf": list the embedded kernels, say which BTF this host
 * would use and why, and the oldest kernel the BPF object runs on. Also the set-up shared with tracing: the host identity,
 * the BPF object and the selection options, from the configuration.
 */
#ifndef CORETRACE_BTF_CMD_H
#define CORETRACE_BTF_CMD_H

#include "btf_bundle.h"
#include "config.h"
#include "loader.h"

/*
 * Run libbtfbundle's decision for @cfg: the host (detected, or --host), the
 * BPF object @img (read here; release it with bpf_image__release()), the
 * embedded table and bundle directory. @report: "coretrace btf" mode. On
 * failure prints one error line and returns -errno; *@choice is set (to
 * free) when the decision itself ran.
 */
int btf_setup(const struct ct_config *cfg, struct bpf_image *img, bool report,
	      struct btf_bundle_choice **choice);

/*
 * "Linux 4.18 (<what sets it>)": the oldest kernel @img loads on, from its
 * audit (bpf_audit.h). 0 or -errno.
 */
int btf_cmd__floor(const struct bpf_image *img, char *buf, size_t size);

/* The subcommand (which also prints the object's audit); returns the exit code. */
int btf_cmd__run(const struct ct_config *cfg);

#endif
