// SPDX-License-Identifier: BSD-2-Clause
/*
 * Test helper for test_embedgen.sh: look a host up in a bundle file with
 * libbtfbundle, the way a tracer does at start-up.
 *
 *   bundle_find FILE.btfb [--object OBJ] (--host D/V/A/R | --detect)
 *               [--dump OUT] [--type NAME] [--load OBJ]
 *
 * Prints "<exact|alias|fallback> D/V/A/R <raw_size>" and exits 0 when found,
 * 3 when not found, 4 when the bundle is for another object, 1 on any other
 * error. --dump writes the entry's bytes; --type requires a named struct in
 * its BTF; --load opens and loads a BPF object with the entry as
 * btf_custom_path (through the memfd path).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "btf_bundle.h"
#include "bundle_internal.h"
#include "errmsg.h"
#include "fsutil.h"

static const char *kind_name(enum btf_bundle_match_kind k)
{
	switch (k) {
	case BTF_BUNDLE_MATCH_EXACT: return "exact";
	case BTF_BUNDLE_MATCH_ALIAS: return "alias";
	case BTF_BUNDLE_MATCH_FALLBACK: return "fallback";
	default: return "none";
	}
}

static int load_object(const struct btf_bundle *b, int idx, const char *obj_path)
{
	struct bpf_object *obj;
	char path[64];
	int fd, err;

	fd = btf_bundle__memfd(b, idx, path, sizeof(path));
	if (fd < 0) {
		fprintf(stderr, "bundle_find: memfd: %s\n", errmsg(fd));
		return fd;
	}
	{
		LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = path);

		obj = bpf_object__open_file(obj_path, &opts);
	}
	err = obj ? bpf_object__load(obj) : -errno;
	if (err)
		fprintf(stderr, "bundle_find: %s with btf_custom_path=%s: %s\n", obj_path, path,
			errmsg(err));
	else
		printf("loaded %s with btf_custom_path %s\n", obj_path, path);
	bpf_object__close(obj);
	close(fd);
	return err;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "object", required_argument, NULL, 'o' },
		{ "host", required_argument, NULL, 'H' },
		{ "detect", no_argument, NULL, 'd' },
		{ "dump", required_argument, NULL, 'w' },
		{ "type", required_argument, NULL, 't' },
		{ "load", required_argument, NULL, 'l' },
		{}
	};
	const char *object = NULL, *spec = NULL, *dump = NULL, *type = NULL, *load = NULL;
	BTF_BUNDLE_OPTS(btf_bundle_open_opts, opts);
	BUNDLE_MATCH(m);
	BTF_BUNDLE_OPTS(btf_bundle_entry, e);
	struct btf_bundle *b = NULL;
	struct btf_host host;
	void *obj = NULL, *data = NULL;
	size_t obj_len = 0, len = 0;
	bool detect = false;
	int c, idx, err, ret = 1;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': object = optarg; break;
		case 'H': spec = optarg; break;
		case 'd': detect = true; break;
		case 'w': dump = optarg; break;
		case 't': type = optarg; break;
		case 'l': load = optarg; break;
		default: return 2;
		}
	}
	if (optind + 1 != argc || (!spec && !detect)) {
		fprintf(stderr, "usage: bundle_find FILE.btfb [--object OBJ] (--host D/V/A/R | --detect) [--dump OUT] [--type NAME] [--load OBJ]\n");
		return 2;
	}
	if (object) {
		err = read_file(object, &obj, &obj_len, 1u << 30);
		if (err) {
			fprintf(stderr, "bundle_find: %s: %s\n", object, errmsg(err));
			return 1;
		}
		opts.object = obj;
		opts.object_sz = obj_len;
	}
	b = btf_bundle__open_file(argv[optind], &opts);
	if (!b) {
		err = errno;
		fprintf(stderr, "bundle_find: %s: %s\n", argv[optind], errmsg(err));
		ret = err == ESTALE ? 4 : 1;
		goto out;
	}
	err = spec ? host__parse(&host, spec) : host__detect(&host, NULL);
	if (err) {
		fprintf(stderr, "bundle_find: host: %s\n", errmsg(err));
		goto out;
	}
	idx = btf_bundle__find(b, &host, &m);
	if (idx < 0) {
		printf("none %s\n", m.reason);
		ret = 3;
		goto out;
	}
	btf_bundle__entry(b, idx, &e);
	printf("%s %s/%s/%s/%s %u\n", kind_name(m.kind), e.distro, e.version, e.arch, e.release,
	       e.raw_size);
	if (dump) {
		err = btf_bundle__read(b, idx, &data, &len);
		err = err ?: write_file_atomic(dump, data, len);
		if (err) {
			fprintf(stderr, "bundle_find: %s: %s\n", dump, errmsg(err));
			goto out;
		}
	}
	if (type) {
		struct btf *btf = btf_bundle__load_btf(b, idx);

		err = btf ? btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT) : -errno;
		btf__free(btf);
		if (err < 0) {
			fprintf(stderr, "bundle_find: struct %s: %s\n", type, errmsg(err));
			goto out;
		}
	}
	if (load && load_object(b, idx, load))
		goto out;
	ret = 0;
out:
	btf_bundle__free(b);
	free(obj);
	free(data);
	return ret;
}
