// SPDX-License-Identifier: BSD-2-Clause
/*
 * coretrace: a CO-RE eBPF tracer of exec, fork, exit, open and TCP connect
 * that picks its kernel's BTF at start-up (btf_bundle__select()). main() only parses
 * options and dispatches: "coretrace [OPTIONS]" traces, "coretrace btf"
 * reports the BTF decision.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "btf_cmd.h"
#include "coretrace.h"
#include "config.h"
#include "cli.h"
#include "log.h"
#include "output.h"
#include "selfcheck.h"
#include "trace.h"
#include "transport.h"

enum {
	OPT_BTF = 256,
	OPT_BTF_SOURCE,
	OPT_BTF_BUNDLE,
	OPT_HOST,
	OPT_BPF_OBJECT,
	OPT_NO_SELFCHECK,
	OPT_BUFFER_KB,
	OPT_BUFFER,
};

static const struct option long_opts[] = {
	{ "events", required_argument, NULL, 'e' },
	{ "pid", required_argument, NULL, 'p' },
	{ "tid", required_argument, NULL, 't' },
	{ "comm", required_argument, NULL, 'c' },
	{ "duration", required_argument, NULL, 'd' },
	{ "count", required_argument, NULL, 'n' },
	{ "json", no_argument, NULL, 'j' },
	{ "btf", required_argument, NULL, OPT_BTF },
	{ "btf-source", required_argument, NULL, OPT_BTF_SOURCE },
	{ "btf-bundle", required_argument, NULL, OPT_BTF_BUNDLE },
	{ "host", required_argument, NULL, OPT_HOST },
	{ "bpf-object", required_argument, NULL, OPT_BPF_OBJECT },
	{ "no-selfcheck", no_argument, NULL, OPT_NO_SELFCHECK },
	{ "buffer", required_argument, NULL, OPT_BUFFER },
	{ "buffer-kb", required_argument, NULL, OPT_BUFFER_KB },
	{ "ringbuf-kb", required_argument, NULL, OPT_BUFFER_KB },	/* its first name */
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{},
};

/*
 * What went to standard output really got there: a full disk or an I/O
 * error is exit 1 with one line (a reader gone, EPIPE, is not an error).
 * Tracing checks each event itself (trace.c); this covers everything else.
 */
static int close_stdout(int ret)
{
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return ret;
	if (errno == EPIPE)
		return ret;
	pr_err("standard output: %s", strerror(errno ?: EIO));
	return 1;
}

static void usage(FILE *fp)
{
	fprintf(fp,
"Usage: coretrace [OPTIONS]        trace exec, fork, exit, open and TCP connect\n"
"       coretrace btf [OPTIONS]    list the embedded kernels and the BTF this host would use\n"
"\n"
"Filters and stopping:\n"
"  -e, --events LIST      comma-separated: exec,fork,exit,open,connect (default: all)\n"
"  -p, --pid PID          only this process (tgid)\n"
"  -t, --tid TID          only this thread\n"
"  -c, --comm NAME        only tasks with this comm\n"
"  -d, --duration SEC     stop after SEC seconds\n"
"  -n, --count N          stop after N events\n"
"Output:\n"
"  -j, --json             one JSON object per line, then a summary object\n"
"  -v, --verbose          show the BTF decision and libbpf's log (-vv: debug)\n"
"  -q, --quiet            errors only\n"
"BTF (tried in this order by --btf-source=auto, the default):\n"
"      --btf FILE         1. this BTF file (also env BTFKIT_BTF_FILE)\n"
"                         2. the kernel's own /sys/kernel/btf/vmlinux\n"
"                         3. the embedded bundle (exact host match, then fallback)\n"
"      --btf-bundle FILE  4. this bundle file, then " CORETRACE_BUNDLE_DIR "/*.btfb\n"
"      --btf-source SRC   only one source: auto, file, system, embedded or bundle\n"
"      --host D/V/A/R     host identity for bundle lookups (DISTRO/VERSION/ARCH/RELEASE)\n"
"Other:\n"
"      --bpf-object FILE  load this coretrace.bpf.o instead of the built-in one\n"
"      --no-selfcheck     skip the post-attach check that the BTF decodes correctly\n"
"      --buffer MODE      event transport: auto (default: the ring buffer if the\n"
"                         kernel has one, 5.8+), ringbuf, or perf (per-CPU perf buffers)\n"
"      --buffer-kb KB     event buffer size, all CPUs together (power of two, >= 4;\n"
"                         default 1024; also --ringbuf-kb)\n"
"  -h, --help, -V, --version\n");
}

/* The version, and the oldest kernel the BPF object runs on (its audit). */
static void print_version(const struct ct_config *cfg)
{
	struct bpf_image img;
	char floor[256] = "unknown";

	if (!bpf_image__get(&img, cfg->bpf_object)) {
		if (btf_cmd__floor(&img, floor, sizeof(floor)))
			snprintf(floor, sizeof(floor), "unknown (the object cannot be audited)");
		bpf_image__release(&img);
	}
	printf("coretrace %s (libbpf %s)\nBPF object runs on: %s\n", BTFKIT_VERSION,
	       libbpf_version_string(), floor);
}

/*
 * Kept whole: one flat switch over the options, as bpftool's: a decision
 * table read row by row, which splitting would only scatter.
 */
static int parse_args(int argc, char **argv, struct ct_config *cfg, int *verbosity)
{
	unsigned long long v;
	int opt;

	opterr = 0;	/* errors are reported below, in the usual one-line form */
	while ((opt = getopt_long(argc, argv, ":e:p:t:c:d:n:jvqhV", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'e':
			if (ct_event__parse_mask(optarg, &cfg->event_mask)) {
				pr_err("--events %s: expected a list of exec,fork,exit,open,connect", optarg);
				return -EINVAL;
			}
			break;
		case 'p':
		case 't':
			if (cli__parse_ull(optarg, INT_MAX, &v) || !v) {
				pr_err("-%c %s: expected a positive id", opt, optarg);
				return -EINVAL;
			}
			*(opt == 'p' ? &cfg->pid : &cfg->tid) = v;
			break;
		case 'c':
			if (!*optarg || strlen(optarg) >= CT_COMM_LEN) {
				pr_err("--comm %s: 1 to %d characters", optarg, CT_COMM_LEN - 1);
				return -EINVAL;
			}
			cfg->comm = optarg;
			break;
		case 'd':
			if (cli__parse_ull(optarg, UINT_MAX, &v) || !v) {
				pr_err("--duration %s: expected seconds > 0", optarg);
				return -EINVAL;
			}
			cfg->duration_s = v;
			break;
		case 'n':
			if (cli__parse_ull(optarg, ULLONG_MAX, &v) || !v) {
				pr_err("--count %s: expected a number > 0", optarg);
				return -EINVAL;
			}
			cfg->count = v;
			break;
		case 'j':
			cfg->json = true;
			break;
		case OPT_BTF:
			cfg->btf_file = optarg;
			break;
		case OPT_BTF_SOURCE:
			if (btf_bundle__source_parse(optarg, &cfg->btf_source)) {
				pr_err("--btf-source %s: expected auto, file, system, embedded or bundle",
				       optarg);
				return -EINVAL;
			}
			break;
		case OPT_BTF_BUNDLE:
			cfg->bundle_file = optarg;
			break;
		case OPT_HOST:
			cfg->host_spec = optarg;
			break;
		case OPT_BPF_OBJECT:
			cfg->bpf_object = optarg;
			break;
		case OPT_NO_SELFCHECK:
			cfg->selfcheck = false;
			break;
		case OPT_BUFFER_KB:
			/* The kernel wants a power-of-two multiple of the page size. */
			if (cli__parse_ull(optarg, 1u << 20, &v) || v < 4 || (v & (v - 1))) {
				pr_err("--buffer-kb %s: expected a power of two from 4 to 1048576", optarg);
				return -EINVAL;
			}
			cfg->buffer_kb = v;
			break;
		case OPT_BUFFER:
			if (transport__parse(optarg, &cfg->transport)) {
				pr_err("--buffer %s: expected auto, ringbuf or perf", optarg);
				return -EINVAL;
			}
			break;
		case 'v':
			(*verbosity)++;
			break;
		case 'q':
			*verbosity = LOG_LEVEL_QUIET;
			break;
		case 'h':
			usage(stdout);
			exit(close_stdout(0));
		case 'V':
			print_version(cfg);
			exit(close_stdout(0));
		case ':':
			pr_err("option %s needs an argument", argv[optind - 1]);
			usage(stderr);
			return -EINVAL;
		default:
			if (optopt)
				pr_err("unknown option -%c", optopt);
			else
				pr_err("unknown option %s", argv[optind - 1]);
			usage(stderr);
			return -EINVAL;
		}
		log_init("coretrace", *verbosity);
	}
	if (optind < argc) {
		pr_err("unexpected argument '%s'", argv[optind]);
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

/* log_libbpf_print() takes the level as an int. */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return log_libbpf_print(level, fmt, ap);
}

/* The bundle reader logs through the same -v/-q filter as libbpf. */
static int bundle_print(enum btf_bundle_print_level level, const char *fmt, va_list ap)
{
	int lvl = level == BTF_BUNDLE_WARN ? LOG_LEVEL_WARN :
		  level == BTF_BUNDLE_INFO ? LOG_LEVEL_INFO : LOG_LEVEL_DEBUG;

	log_vprint(lvl, fmt, ap);
	return 0;
}

int main(int argc, char **argv)
{
	struct ct_config cfg = {
		.btf_source = BTF_BUNDLE_SRC_AUTO,
		.event_mask = CT_EV_ALL,
		.transport = CT_TRANSPORT_AUTO,
		.buffer_kb = 1024,
		.selfcheck = true,
	};
	int verbosity = LOG_LEVEL_WARN;
	bool btf_cmd = false;

	/* The self-check's child execs us again: it only has to exit. */
	if (argc == 2 && !strcmp(argv[1], SELFCHECK_CHILD_ARG))
		return SELFCHECK_STATUS;

	log_init("coretrace", verbosity);
	if (argc > 1 && !strcmp(argv[1], "btf")) {
		btf_cmd = true;
		argv[1] = argv[0];	/* getopt then sees "coretrace [OPTIONS]" */
		argc--;
		argv++;
	}
	cfg.btf_file = getenv("BTFKIT_BTF_FILE");
	if (cfg.btf_file && !*cfg.btf_file)
		cfg.btf_file = NULL;
	if (parse_args(argc, argv, &cfg, &verbosity))
		return 2;
	libbpf_set_print(libbpf_print);
	btf_bundle_set_print(bundle_print);
	return btf_cmd ? close_stdout(btf_cmd__run(&cfg)) : trace__run(&cfg);
}
