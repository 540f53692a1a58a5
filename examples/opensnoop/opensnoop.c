// SPDX-License-Identifier: BSD-2-Clause
/*
 * The loader of a skeleton tool that adopts libbtfbundle with one call
 * (lines marked "btfkit"). It traces its own openat() calls: after
 * attaching it opens /dev/null three times and checks the three events.
 *
 * usage: opensnoop [--full-path] [--no-system] [--bundle FILE.btfb] [--btf FILE]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <btf_bundle.h>
#include "opensnoop.h"
#include "opensnoop.skel.h"

#define MARK "/dev/null"

struct seen {
	int n, bad;
	bool full_path;
};

static void on_event(void *ctx, int cpu, void *data, __u32 size)
{
	const struct event *e = data;
	struct seen *s = ctx;

	(void)cpu;
	if (size < sizeof(*e) || strncmp(e->fname, MARK, sizeof(e->fname)))
		return;
	s->n++;
	/* The parent, read both ways, is ours; without full_path the BTF read never ran. */
	if (e->tgid != getpid() || e->ppid != getppid() ||
	    e->ppid_btf != (s->full_path ? getppid() : -1))
		s->bad++;
	printf("open %s: pid %d ppid %d ppid_btf %d\n", e->fname, e->pid, e->ppid, e->ppid_btf);
}

int main(int argc, char **argv)
{
	const char *bundle = NULL, *btf_file = NULL;
	struct btf_bundle_choice *choice = NULL;
	struct opensnoop_bpf *skel = NULL;
	struct perf_buffer *pb = NULL;
	struct seen s = {};
	bool no_system = false;
	size_t obj_sz;
	const void *obj;
	int i, err;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--full-path"))
			s.full_path = true;
		else if (!strcmp(argv[i], "--no-system"))
			no_system = true;
		else if (!strcmp(argv[i], "--bundle") && i + 1 < argc)
			bundle = argv[++i];
		else if (!strcmp(argv[i], "--btf") && i + 1 < argc)
			btf_file = argv[++i];
		else {
			fprintf(stderr, "usage: opensnoop [--full-path] [--no-system] "
				"[--bundle FILE.btfb] [--btf FILE]\n");
			return 2;
		}
	}
	/* btfkit: the object's bytes on their own line (never inside the initializer). */
	obj = opensnoop_bpf__elf_bytes(&obj_sz);
	LIBBPF_OPTS(bpf_object_open_opts, oo);
	BTF_BUNDLE_OPTS(btf_bundle_select_opts, so,			/* btfkit */
		.btf_file = btf_file, .no_system = no_system,
		.bundle_files = bundle ? &bundle : NULL, .bundle_file_cnt = bundle ? 1 : 0,
		.object = obj, .object_sz = obj_sz, .file_hint = "--btf FILE");
	if (btf_bundle__fill_open_opts(&so, &oo, &choice)) {		/* btfkit */
		fprintf(stderr, "opensnoop: %s\n", choice ? btf_bundle_choice__explain(choice)
							  : "bad BTF options");
		btf_bundle_choice__free(choice);
		return 1;
	}
	printf("BTF: %s\n", btf_bundle_choice__desc(choice));
	skel = opensnoop_bpf__open_opts(&oo);
	err = skel ? 0 : -errno;
	if (!err) {
		skel->rodata->targ_tgid = getpid();
		skel->rodata->full_path = s.full_path;
		err = opensnoop_bpf__load(skel);
	}
	btf_bundle_choice__free(choice);				/* btfkit: after load */
	err = err ?: opensnoop_bpf__attach(skel);
	if (!err) {
		pb = perf_buffer__new(bpf_map__fd(skel->maps.events), 8, on_event, NULL, &s, NULL);
		err = pb ? 0 : -errno;
	}
	if (err) {
		fprintf(stderr, "opensnoop: cannot load or attach: %s\n", strerror(-err));
		opensnoop_bpf__destroy(skel);
		return 1;
	}
	for (i = 0; i < 3; i++)
		close(open(MARK, O_RDONLY));
	for (i = 0; i < 20 && s.n < 3; i++)
		perf_buffer__poll(pb, 100);
	printf("opensnoop: %d opens of %s seen, %d wrong (full_path %s)\n", s.n, MARK, s.bad,
	       s.full_path ? "on" : "off");
	perf_buffer__free(pb);
	opensnoop_bpf__destroy(skel);
	return s.n == 3 && !s.bad ? 0 : 1;
}
