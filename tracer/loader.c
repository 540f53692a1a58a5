// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "coretrace.h"
#include "coretrace.skel.h"
#include "fsutil.h"
#include "loader.h"
#include "log.h"
#include "sysenv.h"

#define MAX_OBJECT_SIZE (64u << 20)

int bpf_image__get(struct bpf_image *img, const char *file)
{
	void *data;
	size_t len;
	int err;

	memset(img, 0, sizeof(*img));
	if (!file) {
		img->data = coretrace__elf_bytes(&img->size);
		img->name = "embedded coretrace.bpf.o";
		return 0;
	}
	err = read_file(file, &data, &len, MAX_OBJECT_SIZE);
	if (err)
		return err;
	img->data = img->owned = data;
	img->size = len;
	img->name = file;
	return 0;
}

void bpf_image__release(struct bpf_image *img)
{
	free(img->owned);
	memset(img, 0, sizeof(*img));
}

/* Programs of one event type, switched off together. */
static void disable_type(struct coretrace *skel, uint32_t type)
{
	switch (type) {
	case CT_EV_EXEC:
		bpf_program__set_autoload(skel->progs.handle_exec, false);
		break;
	case CT_EV_FORK:
		bpf_program__set_autoload(skel->progs.handle_fork, false);
		break;
	case CT_EV_EXIT:
		bpf_program__set_autoload(skel->progs.handle_exit, false);
		break;
	case CT_EV_OPEN:
		bpf_program__set_autoload(skel->progs.handle_openat, false);
		bpf_program__set_autoload(skel->progs.handle_open, false);
		bpf_program__set_autoload(skel->progs.handle_openat2, false);
		break;
	case CT_EV_CONNECT:
		bpf_program__set_autoload(skel->progs.handle_inet_sock_set_state, false);
		break;
	}
}

static int configure(const struct ct_config *cfg, struct coretrace *skel, const char *obj_name)
{
	size_t rodata_sz = 0;
	uint32_t t;
	int err;

	/*
	 * The skeleton maps .rodata with its own compile-time layout; a
	 * --bpf-object built from other source would have its filters
	 * written at the wrong offsets.
	 */
	if (!bpf_map__initial_value(skel->maps.rodata, &rodata_sz) ||
	    rodata_sz != sizeof(*skel->rodata)) {
		pr_err("%s: not a coretrace BPF object of this version (.rodata is %zu bytes, expected %zu)",
		       obj_name, rodata_sz, sizeof(*skel->rodata));
		return -EINVAL;
	}
	skel->rodata->targ_tgid = cfg->pid;
	skel->rodata->targ_pid = cfg->tid;
	/* Not applied in the self-check window (see want() in coretrace.bpf.c). */
	skel->rodata->event_mask = cfg->event_mask;
	if (cfg->comm)
		strncpy((char *)skel->rodata->targ_comm, cfg->comm, CT_COMM_LEN - 1);
	skel->rodata->self_tgid = getpid();

	err = bpf_map__set_max_entries(skel->maps.events, cfg->ringbuf_kb * 1024);
	if (err) {
		pr_err("cannot size the ring buffer to %u KiB: %s", cfg->ringbuf_kb, strerror(-err));
		return err;
	}

	/* Unused programs stay unloaded, except what the self-check needs. */
	for (t = CT_EV_EXEC; t < CT_EV_MAX; t++) {
		bool need = cfg->event_mask & CT_EV_BIT(t);

		if (cfg->selfcheck && (t == CT_EV_EXEC || t == CT_EV_OPEN))
			need = true;
		if (!need)
			disable_type(skel, t);
	}
	if (!sysenv__has_tracepoint("syscalls", "sys_enter_openat")) {
		if (cfg->event_mask & CT_EV_BIT(CT_EV_OPEN))
			pr_warn("kernel has no syscalls tracepoints (CONFIG_FTRACE_SYSCALLS): no open events");
		disable_type(skel, CT_EV_OPEN);
	}
	/* Optional: open(2) does not exist on arm64, openat2(2) before 5.6. */
	if (!sysenv__has_tracepoint("syscalls", "sys_enter_open"))
		bpf_program__set_autoload(skel->progs.handle_open, false);
	if (!sysenv__has_tracepoint("syscalls", "sys_enter_openat2"))
		bpf_program__set_autoload(skel->progs.handle_openat2, false);
	return 0;
}

int loader__start(const struct ct_config *cfg, const struct bpf_image *img,
		  const char *btf_custom_path, const char *btf_desc, bool system_btf,
		  struct coretrace **out)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts,
		.btf_custom_path = btf_custom_path,
	);
	struct coretrace *skel;
	int err;

	skel = calloc(1, sizeof(*skel));
	if (!skel)
		return -ENOMEM;
	err = coretrace__create_skeleton(skel);
	if (err) {
		free(skel);
		pr_err("cannot create the BPF skeleton: %s", strerror(-err));
		return err;
	}
	/* --bpf-object: the skeleton opens these bytes instead of its own. */
	skel->skeleton->data = (void *)img->data;
	skel->skeleton->data_sz = img->size;

	err = bpf_object__open_skeleton(skel->skeleton, &opts);
	if (err) {
		pr_err("%s: cannot open BPF object: %s", img->name, strerror(-err));
		goto fail;
	}
	err = configure(cfg, skel, img->name);
	if (err)
		goto fail;
	err = coretrace__load(skel);
	if (err) {
		if (err == -EPERM || err == -EACCES)
			pr_err("cannot load BPF programs: %s (need root or CAP_BPF and CAP_PERFMON)",
			       strerror(-err));
		else if (!system_btf)
			pr_err("BTF does not match this kernel (source: %s): BPF programs fail to load: %s",
			       btf_desc, strerror(-err));
		else
			pr_err("%s: cannot load BPF programs: %s (-v shows libbpf's log)",
			       img->name, strerror(-err));
		goto fail;
	}
	err = coretrace__attach(skel);
	if (err) {
		pr_err("cannot attach BPF programs: %s (-v shows libbpf's log)", strerror(-err));
		goto fail;
	}
	*out = skel;
	return 0;
fail:
	coretrace__destroy(skel);
	return err;
}
