/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * "coretrace btf": list the embedded kernels, say which BTF this host
 * would use and why, and the oldest kernel the BPF object runs on. Also the set-up shared with tracing: the host identity,
 * the BPF object and the selection options, from the configuration.
 */
#ifndef CORETRACE_BTF_CMD_H
#define CORETRACE_BTF_CMD_H

#include "btf_select.h"
#include "config.h"
#include "loader.h"

/*
 * Fill @host (detected, or --host), @img (the BPF object) and @sopts (which
 * point into @cfg, @host and @img). Prints one error line and returns
 * -errno on failure; release @img with bpf_image__release().
 */
int btf_setup(const struct ct_config *cfg, struct btf_host *host, struct bpf_image *img,
	      struct btf_select_opts *sopts);

/*
 * "Linux 4.18 (<what sets it>)": the oldest kernel @img loads on, from its
 * audit (bpf_audit.h). 0 or -errno.
 */
int btf_cmd__floor(const struct bpf_image *img, char *buf, size_t size);

/* The subcommand (which also prints the object's audit); returns the exit code. */
int btf_cmd__run(const struct ct_config *cfg);

#endif
