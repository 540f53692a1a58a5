/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Open, configure, load and attach the coretrace BPF object through its
 * skeleton. The object bytes are the skeleton's own, or those of an
 * explicit --bpf-object file (which must be built from the same
 * coretrace.bpf.c: the skeleton looks its maps and programs up by name).
 */
#ifndef CORETRACE_LOADER_H
#define CORETRACE_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct coretrace;

/* The BPF object the tracer will load: its bytes and where they come from. */
struct bpf_image {
	const void *data;
	size_t size;
	void *owned;		/* malloc()ed file contents, or NULL */
	const char *name;	/* "embedded coretrace.bpf.o" or the file path */
};

/* Fill @img from @file, or from the skeleton when @file is NULL. 0 or -errno. */
int bpf_image__get(struct bpf_image *img, const char *file);
void bpf_image__release(struct bpf_image *img);

/*
 * Open @img with @btf_custom_path (NULL: the kernel's BTF), keep the
 * programs and maps of transport @t (resolved), load and apply the filters
 * of @cfg; loader__attach() then attaches, once a reader is there (a perf
 * buffer without its reader refuses every record). On success *skel is set (destroy it
 * with coretrace__destroy()). Errors are printed here, once, as one line
 * naming @btf_desc when the BTF is the likely cause; returns -errno.
 */
int loader__start(const struct ct_config *cfg, enum ct_transport t, const struct bpf_image *img,
		  const char *btf_custom_path, const char *btf_desc, bool system_btf,
		  struct coretrace **skel);
/* Attach the loaded programs. 0, or -errno (printed). */
int loader__attach(struct coretrace *skel);
/*
 * While @tgid is non-zero only that process's events pass the filters (the
 * self-check's window); 0 restores them. 0 or -errno.
 */
int loader__set_selfcheck(struct coretrace *skel, uint32_t tgid);

#endif
