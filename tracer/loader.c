// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "coretrace.h"
#include "coretrace.skel.h"
#include "errmsg.h"
#include "escape.h"
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

/*
 * Every hook has a ring-buffer entry point and a perf-buffer one (CT_HOOK in
 * coretrace.bpf.c); optional hooks name the tracepoint they need.
 */
struct hook {
	uint32_t type;
	struct bpf_program *rb, *pb;
	const char *tp;		/* "syscalls/sys_enter_open": load only if present */
};

#define HOOK(t, name, tp) { t, skel->progs.name, skel->progs.name##_pb, tp }

static void set_hook(const struct hook *h, bool on, enum ct_transport t)
{
	bpf_program__set_autoload(h->rb, on && t == CT_TRANSPORT_RINGBUF);
	bpf_program__set_autoload(h->pb, on && t == CT_TRANSPORT_PERF);
}

static int configure(const struct ct_config *cfg, enum ct_transport t, struct coretrace *skel,
		     const char *obj_name)
{
	const struct hook hooks[] = {
		HOOK(CT_EV_EXEC, handle_exec, NULL),
		HOOK(CT_EV_FORK, handle_fork, NULL),
		HOOK(CT_EV_EXIT, handle_exit, NULL),
		HOOK(CT_EV_OPEN, handle_openat, "sys_enter_openat"),
		/* Optional: open(2) does not exist on arm64, openat2(2) before 5.6. */
		HOOK(CT_EV_OPEN, handle_open, "sys_enter_open"),
		HOOK(CT_EV_OPEN, handle_openat2, "sys_enter_openat2"),
		HOOK(CT_EV_CONNECT, handle_inet_sock_set_state, NULL),
		/* The assigned source port, read when connect(2) returns (coretrace.bpf.c). */
		HOOK(CT_EV_CONNECT, handle_connect_exit, "sys_exit_connect"),
	};
	bool rb = t == CT_TRANSPORT_RINGBUF;
	unsigned int i;
	int err;

	/*
	 * The skeleton reads the filters with its own compile-time layout; a
	 * --bpf-object built from other source would have them at the wrong
	 * offsets.
	 */
	if (bpf_map__value_size(skel->maps.filters) != sizeof(struct ct_bpf_config)) {
		pr_err("%s: not a coretrace BPF object of this version (filters are %u bytes, expected %zu)",
		       obj_name, bpf_map__value_size(skel->maps.filters),
		       sizeof(struct ct_bpf_config));
		return -EINVAL;
	}
	/* The other transport's maps are not even created: old kernels lack the ring buffer. */
	bpf_map__set_autocreate(skel->maps.events, rb);
	bpf_map__set_autocreate(skel->maps.perf_events, !rb);
	bpf_map__set_autocreate(skel->maps.heap, !rb);
	if (rb) {
		err = bpf_map__set_max_entries(skel->maps.events, cfg->buffer_kb * 1024);
		if (err) {
			pr_err("cannot size the ring buffer to %u KiB: %s", cfg->buffer_kb,
			       strerror(-err));
			return err;
		}
	}

	for (i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++) {
		const struct hook *h = &hooks[i];
		/* Unused programs stay unloaded, except what the self-check needs. */
		bool on = cfg->event_mask & CT_EV_BIT(h->type);

		if (cfg->selfcheck && (h->type == CT_EV_EXEC || h->type == CT_EV_OPEN))
			on = true;
		if (h->tp && !sysenv__has_tracepoint("syscalls", h->tp)) {
			if (on && h->type == CT_EV_OPEN && !strcmp(h->tp, "sys_enter_openat"))
				pr_warn("kernel has no syscalls tracepoints (CONFIG_FTRACE_SYSCALLS): no open events");
			on = false;
		}
		set_hook(h, on, t);
	}
	return 0;
}

/* Element 0 of the filters map, as the BPF side reads it. */
static void filters_from(const struct ct_config *cfg, struct ct_bpf_config *f)
{
	memset(f, 0, sizeof(*f));
	f->tgid = cfg->pid;
	f->pid = cfg->tid;
	/* Not applied in the self-check window (see want() in coretrace.bpf.c). */
	f->event_mask = cfg->event_mask;
	if (cfg->comm)
		strncpy(f->comm, cfg->comm, CT_COMM_LEN - 1);
	f->self_tgid = getpid();
}

int loader__set_selfcheck(struct coretrace *skel, uint32_t tgid)
{
	struct ct_bpf_config f;
	uint32_t zero = 0;
	int fd = bpf_map__fd(skel->maps.filters);

	if (bpf_map_lookup_elem(fd, &zero, &f))
		return -errno;
	f.selfcheck_tgid = tgid;
	if (bpf_map_update_elem(fd, &zero, &f, BPF_ANY))
		return -errno;
	return 0;
}

int loader__start(const struct ct_config *cfg, enum ct_transport t, const struct bpf_image *img,
		  const char *btf_custom_path, const char *btf_desc, bool system_btf,
		  struct coretrace **out)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts,
		.btf_custom_path = btf_custom_path,
	);
	struct ct_bpf_config filters;
	struct coretrace *skel;
	uint32_t zero = 0;
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
	err = configure(cfg, t, skel, img->name);
	if (err)
		goto fail;
	/*
	 * BTF that does not even parse (a garbage blob behind a valid bundle
	 * checksum) is not "another kernel's BTF": say what it is.
	 */
	if (btf_custom_path) {
		struct btf *btf = btf__parse(btf_custom_path, NULL);

		if (!btf) {
			err = -errno;
			pr_err("%s: not valid BTF: %s", ESC_N(btf_desc, 1024), errmsg(err));
			goto fail;
		}
		btf__free(btf);
	}
	err = coretrace__load(skel);
	if (err) {
		if (err == -EPERM || err == -EACCES)
			pr_err("cannot load BPF programs: %s (need root or CAP_BPF and CAP_PERFMON)",
			       errmsg(err));
		else if (!system_btf)
			pr_err("BTF does not match this kernel (source: %s): BPF programs fail to load: %s",
			       ESC_N(btf_desc, 1024), errmsg(err));
		else
			pr_err("%s: cannot load BPF programs: %s (-v shows libbpf's log)",
			       ESC(img->name), errmsg(err));
		goto fail;
	}
	filters_from(cfg, &filters);
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.filters), &zero, &filters, BPF_ANY)) {
		err = -errno;
		pr_err("cannot set the filters: %s", strerror(-err));
		goto fail;
	}
	*out = skel;
	return 0;
fail:
	coretrace__destroy(skel);
	return err;
}

int loader__attach(struct coretrace *skel)
{
	int err = coretrace__attach(skel);

	if (err)
		pr_err("cannot attach BPF programs: %s (-v shows libbpf's log)", strerror(-err));
	return err;
}
