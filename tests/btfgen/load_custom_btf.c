// SPDX-License-Identifier: BSD-2-Clause
/*
 * Load a BPF object with a reduced BTF as btf_custom_path, as the tracer
 * does on a kernel without /sys/kernel/btf/vmlinux: proves btfgen's output
 * is enough for libbpf to relocate the object on this kernel.
 *
 * Usage: load_custom_btf [--expect-fail] OBJECT.bpf.o BTF
 * --expect-fail is the negative control: with a BTF lacking the object's
 * types the load must fail, which shows libbpf really used BTF rather than
 * the running kernel's own.
 * Exit: 0 as expected, 1 not as expected, 77 BPF not permitted here.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return level == LIBBPF_DEBUG ? 0 : vfprintf(stderr, fmt, ap);
}

int main(int argc, char **argv)
{
	struct bpf_object *obj = NULL;
	const char *custom_path;
	int expect_fail = 0, err, ret = 1;

	if (argc == 4 && strcmp(argv[1], "--expect-fail") == 0) {
		expect_fail = 1;
		argv++;
		argc--;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: %s [--expect-fail] OBJECT.bpf.o BTF\n", argv[0]);
		return 99;
	}
	custom_path = argv[2];
	libbpf_set_print(print_fn);
	if (geteuid() != 0) {
		printf("SKIP: loading BPF needs root\n");
		return 77;
	}
	LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = custom_path);
	obj = bpf_object__open_file(argv[1], &opts);
	if (!obj) {
		fprintf(stderr, "%s: open failed: %s\n", argv[1], strerror(errno));
		return 1;
	}
	err = bpf_object__load(obj);
	if (err == -EPERM || err == -EACCES) {
		printf("SKIP: BPF not permitted here (%s)\n", strerror(-err));
		ret = 77;
	} else if (err && expect_fail) {
		printf("as expected, %s does not load with %s: %s\n", argv[1], custom_path,
		       strerror(-err));
		ret = 0;
	} else if (err) {
		fprintf(stderr, "%s: load with btf_custom_path=%s failed: %s\n", argv[1],
			custom_path, strerror(-err));
	} else if (expect_fail) {
		fprintf(stderr, "%s loaded with %s, which lacks its types: custom BTF ignored?\n",
			argv[1], custom_path);
	} else {
		printf("loaded %s with %s\n", argv[1], custom_path);
		ret = 0;
	}
	bpf_object__close(obj);
	return ret;
}
