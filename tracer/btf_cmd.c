// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <jansson.h>

#include "bpf_audit.h"
#include "btf_bundle_data.h"
#include "btf_cmd.h"
#include "escape_json.h"
#include "log.h"

int btf_setup(const struct ct_config *cfg, struct bpf_image *img, bool report,
	      struct btf_bundle_choice **choice)
{
	const char *bundle_files[1] = { cfg->bundle_file };
	struct btf_host *host = NULL;
	int err;

	*choice = NULL;
	if (cfg->host_spec) {
		host = btf_host__parse(cfg->host_spec);
		if (!host) {
			err = -errno;
			pr_err("--host %s: expected DISTRO/VERSION/ARCH/RELEASE", ESC(cfg->host_spec));
			return err;
		}
	}
	err = bpf_image__get(img, cfg->bpf_object);
	if (err) {
		pr_err("%s: cannot read BPF object: %s", cfg->bpf_object, strerror(-err));
		btf_host__free(host);
		return err;
	}
	BTF_BUNDLE_OPTS(btf_bundle_select_opts, opts,
		.source = cfg->btf_source,
		.btf_file = cfg->btf_file,
		.embedded = btfkit_bundle,
		.embedded_sz = btfkit_bundle_size,
		.bundle_files = cfg->bundle_file ? bundle_files : NULL,
		.bundle_file_cnt = cfg->bundle_file ? 1 : 0,
		.bundle_dir = CORETRACE_BUNDLE_DIR,
		.host = host,
		.object = img->data,
		.object_sz = img->size,
		.report = report,
		.file_hint = "--btf FILE or BTFKIT_BTF_FILE",
	);
	err = btf_bundle__select(&opts, choice);
	btf_host__free(host);
	return err;
}

/* The BPF object's minimum kernel, from bpf_audit.h. */
static void print_audit(const struct audit_report *a, const char *obj_name)
{
	char kv[16], akv[16];
	int i;

	printf("BPF object %s: runs on Linux %s and later (set by %s)%s\n", obj_name,
	       audit__kv_str(a->floor, kv, sizeof(kv)), a->why,
	       a->unknown ? "; facilities not in the audit's table: the floor may be higher" : "");
	if (a->cond_floor)
		printf("  Linux %s only under a load-time condition: %s\n",
		       audit__kv_str(a->cond_floor, kv, sizeof(kv)), a->cond_why);
	printf("  %-30s %-6s %6s  %s\n", "PROGRAM", "FLOOR", "INSNS", "SET BY");
	for (i = 0; i < a->prog_cnt; i++) {
		const struct audit_prog *p = &a->progs[i];

		printf("  %-30s %-6s %6zu  %s%s", p->name, audit__kv_str(p->floor, kv, sizeof(kv)),
		       p->insn_cnt, p->why, p->chosen ? "" : " (alternative)");
		if (p->optional)
			printf("; optional: %s is from %s", p->attach,
			       audit__kv_str(p->attach_floor, akv, sizeof(akv)));
		printf("\n");
	}
}

static json_t *audit_json(const struct audit_report *a)
{
	json_t *progs = json_array();
	char kv[16], akv[16];
	int i;

	for (i = 0; i < a->prog_cnt; i++) {
		const struct audit_prog *p = &a->progs[i];

		json_array_append_new(progs, json_pack("{s:s,s:s,s:s,s:s,s:I,s:b,s:b,s:b,s:s,s:s,s:i}",
			"name", p->name, "section", p->section,
			"floor", audit__kv_str(p->floor, kv, sizeof(kv)), "why", p->why,
			"insns", (json_int_t)p->insn_cnt, "loops", p->loops, "chosen", p->chosen,
			"optional", p->optional, "attach", p->attach,
			"attach_floor", audit__kv_str(p->attach_floor, akv, sizeof(akv)),
			"unknown", p->unknown));
	}
	return json_pack("{s:s,s:s,s:s?,s:s?,s:i,s:o}", "floor", audit__kv_str(a->floor, kv, sizeof(kv)),
			 "why", a->why,
			 "cond_floor", a->cond_floor ? audit__kv_str(a->cond_floor, akv, sizeof(akv)) : NULL,
			 "cond_why", a->cond_floor ? a->cond_why : NULL,
			 "unknown", a->unknown, "programs", progs);
}

int btf_cmd__floor(const struct bpf_image *img, char *buf, size_t size)
{
	struct audit_report *a;
	char kv[16];
	int err;

	err = audit__object(img->data, img->size, &a);
	if (err)
		return err;
	snprintf(buf, size, "Linux %s (%s)", audit__kv_str(a->floor, kv, sizeof(kv)), a->why);
	audit__free(a);
	return 0;
}

static const char *step_status(int err)
{
	switch (err) {
	case 0: return "usable";
	case -ENOENT: return "none";
	case -ESTALE: return "refused";
	default: return "error";
	}
}

/* The embedded kernels, in index order; NULL-safe on an unreadable bundle. */
static json_t *embedded_json(struct btf_bundle *b)
{
	json_t *arr = json_array();
	uint32_t i;

	BTF_BUNDLE_OPTS(btf_bundle_entry, e);

	for (i = 0; b && i < btf_bundle__entry_cnt(b); i++) {
		if (btf_bundle__entry(b, i, &e))
			continue;
		json_array_append_new(arr, json_pack("{s:o,s:o,s:o,s:o,s:I,s:I}",
			"distro", escape__json(e.distro), "version", escape__json(e.version),
			"arch", escape__json(e.arch), "release", escape__json(e.release),
			"raw_size", (json_int_t)e.raw_size,
			"block", (json_int_t)e.block));
	}
	return arr;
}

static void print_plain(struct btf_bundle *b, const char *host_str,
			const struct btf_bundle_choice *c, int err)
{
	uint32_t i, n = b ? btf_bundle__entry_cnt(b) : 0;

	BTF_BUNDLE_OPTS(btf_bundle_entry, e);
	BTF_BUNDLE_OPTS(btf_bundle_step, s);

	printf("embedded bundle: %u kernel%s", n, n == 1 ? "" : "s");
	if (b)
		printf(", %s, %zu bytes", btf_bundle__codec_name(btf_bundle__codec(b)),
		       btf_bundle__size(b));
	printf("\n");
	if (n)
		printf("  %-10s %-10s %-8s %-40s %10s\n", "DISTRO", "VERSION", "ARCH", "RELEASE",
		       "BTF BYTES");
	for (i = 0; i < n; i++) {
		if (btf_bundle__entry(b, i, &e))
			continue;
		printf("  %-10s %-10s %-8s %-40s %10u\n", ESC(e.distro), ESC(e.version), ESC(e.arch),
		       ESC(e.release), e.raw_size);
	}
	printf("host: %s\n", ESC(host_str));
	for (i = 0; !btf_bundle_choice__step(c, i, &s); i++) {
		const char *src = btf_bundle__source_name(s.source);
		bool where = strcmp(s.where, "-") && strcmp(s.where, src);

		printf("  %-8s %-8s %s%s%s\n", src, step_status(s.err),
		       where ? ESC_N(s.where, 1024) : "", where ? ": " : "", ESC_N(s.detail, 1024));
	}
	if (err)
		printf("decision: none: %s\n", ESC_N(btf_bundle_choice__explain(c), 4096));
	else
		printf("decision: %s (%s)\n", btf_bundle__source_name(btf_bundle_choice__source(c)),
		       ESC_N(btf_bundle_choice__desc(c), 1024));
}

/* A thin printer of btf_bundle__select() in report mode. */
int btf_cmd__run(const struct ct_config *cfg)
{
	struct btf_bundle_choice *c = NULL;
	struct bpf_image img = {};
	struct btf_bundle *b = NULL;
	struct audit_report *audit = NULL;
	char host_str[512] = "unknown";
	json_t *j, *steps;
	uint32_t k;
	int err, aerr;

	BTF_BUNDLE_OPTS(btf_bundle_step, s);
	err = btf_setup(cfg, &img, true, &c);
	if (!c) {
		bpf_image__release(&img);
		return 1;
	}
	if (btf_bundle_choice__host(c))
		btf_host__format(btf_bundle_choice__host(c), host_str, sizeof(host_str));
	/* The listing ignores the object check: it shows what is linked in. */
	if (btfkit_bundle_size)
		b = btf_bundle__open_mem(btfkit_bundle, btfkit_bundle_size, NULL);

	aerr = audit__object(img.data, img.size, &audit);
	if (aerr) {
		pr_err("%s: cannot audit the BPF object: %s", img.name, strerror(-aerr));
		btf_bundle_choice__free(c);
		bpf_image__release(&img);
		btf_bundle__free(b);
		return 1;
	}

	if (!cfg->json) {
		print_plain(b, host_str, c, err);
		print_audit(audit, img.name);
	} else {
		steps = json_array();
		for (k = 0; !btf_bundle_choice__step(c, k, &s); k++)
			json_array_append_new(steps, json_pack("{s:s,s:s,s:o,s:o}",
				"source", btf_bundle__source_name(s.source),
				"status", step_status(s.err), "where", escape__json(s.where),
				"detail", escape__json(s.detail)));
		/* Every untrusted string escaped (escape.h): json_pack() never drops the object. */
		j = json_pack("{s:o,s:o,s:s?,s:s,s:o,s:o?}",
			"host", escape__json(host_str),
			"embedded", embedded_json(b),
			"source", err ? NULL : btf_bundle__source_name(btf_bundle_choice__source(c)),
			"forced", btf_bundle__source_name(cfg->btf_source),
			"steps", steps,
			"btf", err ? NULL : escape__json(btf_bundle_choice__desc(c)));
		if (!j) {
			pr_err("out of memory");
			err = -ENOMEM;
			goto out;
		}
		if (err)
			json_object_set_new(j, "error", escape__json(btf_bundle_choice__explain(c)));
		json_object_set_new(j, "bpf_object", audit_json(audit));
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(j);
	}
out:
	btf_bundle_choice__free(c);
	btf_bundle__free(b);
	audit__free(audit);
	bpf_image__release(&img);
	return err ? 1 : 0;
}
