// SPDX-License-Identifier: BSD-2-Clause
/*
 * The loader of a tool that adopts libbtfbundle: libbpf as usual, plus the
 * lines marked "btfkit" that pick the kernel's BTF (its own, or this tool's
 * entry in a bundle) and say why.
 *
 * usage: getpid OBJECT.bpf.o [BUNDLE.btfb] [--no-system]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <btf_bundle.h>

static void *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	void *buf = NULL;
	long n;

	if (f && !fseek(f, 0, SEEK_END) && (n = ftell(f)) > 0 && !fseek(f, 0, SEEK_SET) &&
	    (buf = malloc(n)) && fread(buf, 1, n, f) == (size_t)n)
		*len = n;
	else
		buf = (free(buf), NULL);
	if (f)
		fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	const char *bundle = argc > 2 && strcmp(argv[2], "--no-system") ? argv[2] : NULL;
	bool no_system = !strcmp(argv[argc - 1], "--no-system");
	struct btf_bundle_choice *choice = NULL;
	struct bpf_object *obj = NULL;
	struct bpf_link *link = NULL;
	__u64 count = 0, who = 0;
	__u32 k0 = 0, k1 = 1;
	size_t obj_sz = 0;
	void *obj_data;
	int err, i, tgid = getpid();

	if (argc < 2 || !(obj_data = slurp(argv[1], &obj_sz))) {
		fprintf(stderr, "usage: getpid OBJECT.bpf.o [BUNDLE.btfb] [--no-system]\n");
		return 2;
	}
	/* btfkit: which BTF, and why, into libbpf's open opts (one call). */
	LIBBPF_OPTS(bpf_object_open_opts, oo);
	BTF_BUNDLE_OPTS(btf_bundle_select_opts, sel,
		.bundle_files = bundle ? &bundle : NULL,
		.bundle_file_cnt = bundle ? 1 : 0,
		.no_system = no_system,
		.object = obj_data, .object_sz = obj_sz);
	err = btf_bundle__fill_open_opts(&sel, &oo, &choice);
	if (err) {
		fprintf(stderr, "getpid: %s\n", choice ? btf_bundle_choice__explain(choice)
						       : btf_bundle__strerror(err));
		btf_bundle_choice__free(choice);
		return 1;
	}
	printf("BTF: %s\n", btf_bundle_choice__desc(choice));

	obj = bpf_object__open_mem(obj_data, obj_sz, &oo);
	err = libbpf_get_error(obj);
	if (!err)
		err = bpf_map__set_initial_value(bpf_object__find_map_by_name(obj, ".rodata"),
						 &tgid, sizeof(tgid));
	err = err ?: bpf_object__load(obj);
	btf_bundle_choice__free(choice);	/* btfkit: after load, not before */
	if (!err) {
		link = bpf_program__attach(bpf_object__find_program_by_name(obj, "on_getpid"));
		err = libbpf_get_error(link);
	}
	if (err) {
		fprintf(stderr, "getpid: cannot load or attach: %s\n", strerror(-err));
		return 1;
	}
	for (i = 0; i < 3; i++)
		syscall(SYS_getpid);
	err = bpf_map_lookup_elem(bpf_map__fd(bpf_object__find_map_by_name(obj, "seen")), &k0,
				  &count);
	err = err ?: bpf_map_lookup_elem(bpf_map__fd(bpf_object__find_map_by_name(obj, "seen")),
					 &k1, &who);
	printf("getpid calls: %llu, tgid %u pid %u (mine: %d)\n", (unsigned long long)count,
	       (unsigned int)(who >> 32), (unsigned int)who, tgid);
	bpf_link__destroy(link);
	bpf_object__close(obj);
	free(obj_data);
	return !err && count == 3 && (int)(who >> 32) == tgid ? 0 : 1;
}
