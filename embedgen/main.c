// SPDX-License-Identifier: BSD-2-Clause
/* embedgen: turn trees of reduced BTFs into a btfkit bundle (C source and/or .btfb). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "bpf_audit.h"
#include "btf_bundle.h"
#include "cli.h"
#include "embedgen.h"
#include "escape.h"
#include "log.h"

static void usage(FILE *f)
{
	fprintf(f,
"Usage: embedgen -o OUT.c [--header OUT.h] [--bundle-file OUT.btfb] [--object X.bpf.o]...\n"
"                [--codec xz|zlib] [--name SYMBOL] [--entry D/V/A/R=PATH]... DIR...\n"
"       embedgen --list FILE.btfb [--json]\n"
"\n"
"Build an indexed, compressed bundle of reduced BTFs from trees laid out as\n"
"DIR/<distro>/<version>/<arch>/<release>.btf (several trees merge into one).\n"
"\n"
"  -o, --output FILE         generated C source defining the bundle\n"
"      --header FILE         generated header declaring SYMBOL and SYMBOL_size\n"
"  -b, --bundle-file FILE    also write the bundle as a standalone file\n"
"      --object FILE         BPF object the BTFs were reduced against (repeatable);\n"
"                            readers refuse the bundle for any other object\n"
"      --entry D/V/A/R=PATH  add one BTF file under an explicit key (repeatable)\n"
"      --all-kernels         also bundle kernels older than the objects' floor\n"
"                            (the oldest kernel they load on, from their audit);\n"
"                            by default those are skipped, with a count and why\n"
"                            (printed even with -q)\n"
"      --floor X.Y           skip kernels older than Linux X.Y instead of the\n"
"                            objects' audited floor (needs no --object)\n"
"  -c, --codec CODEC         xz (default) or zlib\n"
"      --name SYMBOL         C symbol of the table (default btfkit_bundle)\n"
"      --format FMT          string (default) or incbin (needs --bundle-file)\n"
"      --provenance K=V      provenance line recorded in the header (repeatable)\n"
"      --block-size BYTES    BTF bytes per solid block, the most one lookup\n"
"                            decompresses (default 131072)\n"
"      --dict-size BYTES     shared dictionary budget (default 4096; 0: none)\n"
"      --chunk-size BYTES    index bytes per chunk (default 32768)\n"
"  -l, --list FILE           print a bundle's header and entries\n"
"      --json                machine-readable summary / listing\n"
"  -v, --verbose             more output (twice for debug)\n"
"  -q, --quiet               errors only\n"
"  -h, --help                this help\n"
"  -V, --version             version\n");
}

/* Every list is given in argv, one element each: argc entries are enough. */
static int lists_alloc(struct embedgen_opts *o, int argc)
{
	o->objects = calloc(argc, sizeof(*o->objects));
	o->entries = calloc(argc, sizeof(*o->entries));
	o->provenance = calloc(argc, sizeof(*o->provenance));
	o->dirs = calloc(argc, sizeof(*o->dirs));
	return o->objects && o->entries && o->provenance && o->dirs ? 0 : -ENOMEM;
}

enum { OPT_HEADER = 256, OPT_JSON, OPT_OBJECT, OPT_ENTRY, OPT_NAME, OPT_FORMAT, OPT_PROV,
       OPT_BLOCK, OPT_DICT, OPT_CHUNK, OPT_ALL_KERNELS, OPT_FLOOR };

/* Checks that need every option: 0, or 2 (a usage error, reported). */
static int check_build_opts(struct embedgen_opts *o)
{
	const char *why;

	if (!o->out_c && !o->out_bundle) {
		pr_err("nothing to write: give -o OUT.c and/or --bundle-file FILE");
		usage(stderr);
		return 2;
	}
	if (o->emit.format == EMIT_INCBIN) {
		if (!o->out_bundle) {
			pr_err("--format incbin needs --bundle-file");
			return 2;
		}
		o->emit.incbin_path = o->out_bundle;
	}
	o->emit.header_path = o->out_h;
	why = emit__invalid(&o->emit);
	if (why) {
		pr_err("%s", why);
		return 2;
	}
	return 0;
}

static const struct option longopts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "header", required_argument, NULL, OPT_HEADER },
	{ "bundle-file", required_argument, NULL, 'b' },
	{ "object", required_argument, NULL, OPT_OBJECT },
	{ "entry", required_argument, NULL, OPT_ENTRY },
	{ "all-kernels", no_argument, NULL, OPT_ALL_KERNELS },
	{ "floor", required_argument, NULL, OPT_FLOOR },
	{ "codec", required_argument, NULL, 'c' },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "provenance", required_argument, NULL, OPT_PROV },
	{ "block-size", required_argument, NULL, OPT_BLOCK },
	{ "dict-size", required_argument, NULL, OPT_DICT },
	{ "chunk-size", required_argument, NULL, OPT_CHUNK },
	{ "list", required_argument, NULL, 'l' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{}
};
/*
 * Returns 0 to go on, 1 to exit successfully (--help, --version) or the exit
 * status of a bad option (2, reported).
 */
static int parse_args(int argc, char **argv, struct embedgen_opts *o, struct audit_floor *floor,
		      const char **list, int *level)
{
	int c;

	while ((c = getopt_long(argc, argv, "o:b:c:l:jvqhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': o->out_c = optarg; break;
		case OPT_HEADER: o->out_h = optarg; break;
		case 'b': o->out_bundle = optarg; break;
		case OPT_OBJECT: o->objects[o->object_cnt++] = optarg; break;
		case OPT_ENTRY: o->entries[o->entry_cnt++] = optarg; break;
		case OPT_ALL_KERNELS: o->all_kernels = true; break;
		case OPT_FLOOR:
			if (audit__floor_set(floor, optarg)) {
				pr_err("--floor: expected a kernel version such as 5.4, got '%s'",
				       optarg);
				return 2;
			}
			o->floor = floor;
			break;
		case OPT_PROV: o->provenance[o->provenance_cnt++] = optarg; break;
		case OPT_NAME: o->emit.symbol = optarg; break;
		case 'l': *list = optarg; break;
		case OPT_JSON: o->json = true; break;
		case 'j':
			/*
			 * -j was --json here once; the house's -j N is jobs, which
			 * embedgen has none of (its output is one deterministic
			 * stream). Refused by name rather than as an unknown option.
			 */
			pr_err("-j is no longer short for --json (-j N is jobs in btfkit's tools, "
			       "and embedgen has none): use --json");
			return 2;
		case 'v': (*level)++; break;
		case 'q': *level = LOG_LEVEL_QUIET; break;
		case 'c':
			if (!strcmp(optarg, "xz")) {
				o->codec = BTF_BUNDLE_CODEC_XZ;
			} else if (!strcmp(optarg, "zlib")) {
				o->codec = BTF_BUNDLE_CODEC_ZLIB;
			} else {
				pr_err("unknown codec '%s' (xz, zlib)", ESC(optarg));
				return 2;
			}
			break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "string")) {
				o->emit.format = EMIT_STRING;
			} else if (!strcmp(optarg, "incbin")) {
				o->emit.format = EMIT_INCBIN;
			} else {
				pr_err("unknown format '%s' (string, incbin)", ESC(optarg));
				return 2;
			}
			break;
		case OPT_BLOCK:
		case OPT_DICT:
		case OPT_CHUNK:
			if (cli__parse_uint(optarg, 256u << 20, c == OPT_BLOCK ? &o->block_size :
					    c == OPT_DICT ? &o->dict_size : &o->chunk_size)) {
				pr_err("invalid number '%s'", ESC(optarg));
				return 2;
			}
			break;
		case 'h': usage(stdout); return 1;
		case 'V': printf("embedgen (btfkit) %s\n", BTFKIT_VERSION); return 1;
		default: usage(stderr); return 2;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct embedgen_opts o = {
		.codec = BTF_BUNDLE_CODEC_XZ,
		.block_size = 128 << 10,
		.dict_size = 4 << 10,
		.chunk_size = 32 << 10,
	};
	struct audit_floor floor;
	const char *list = NULL;
	int level = LOG_LEVEL_WARN, rc;

	log_init(argv[0], level);
	if (lists_alloc(&o, argc)) {
		pr_err("out of memory");
		rc = 1;
		goto out;
	}
	rc = parse_args(argc, argv, &o, &floor, &list, &level);
	if (rc) {
		rc = rc == 1 ? 0 : rc;
		goto out;
	}
	log_init(argv[0], level);
	libbpf_set_print(log_libbpf_print);
	if (list) {
		rc = embedgen__list(list, o.json) ? 1 : 0;
		goto out;
	}
	for (; optind < argc; optind++)
		o.dirs[o.dir_cnt++] = argv[optind];
	o.argc = argc;
	o.argv = argv;
	rc = check_build_opts(&o);
	if (!rc)
		rc = embedgen__run(&o) ? 1 : 0;
out:
	free(o.objects);
	free(o.entries);
	free(o.provenance);
	free(o.dirs);
	return rc;
}
