// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <jansson.h>

#include "bpf_audit.h"
#include "btf_bundle.h"
#include "bundle_format.h"
#include "bundle_writer.h"
#include "embedgen.h"
#include "errmsg.h"
#include "escape_json.h"
#include "fsutil.h"
#include "layout.h"
#include "log.h"
#include "sha256.h"
#include "stamp.h"

/* What the inputs go into, and the floor gate (bpf_audit.h) in front of it. */
struct adder {
	struct bundle_writer *w;
	struct stamp *stamp;	/* every input read goes into its digest */
	struct audit_floor floor;	/* floor 0: no gate */
	size_t skipped;
	size_t found;		/* kernel files seen in the trees */
	char example[256];
};

static int add_btf(struct adder *a, const char *path, const char *distro,
		   const char *version, const char *arch, const char *release)
{
	struct bundle_writer *w = a->w;
	char key[LAYOUT_KEY_MAX + 4];
	struct btf *btf;
	void *data;
	size_t len;
	int err;

	if (a->floor.floor && audit__release_below(release, a->floor.floor)) {
		if (!a->skipped++)
			snprintf(a->example, sizeof(a->example), "%s", path);
		return 0;
	}
	err = read_file(path, &data, &len, BTFB_MAX_RAW_SIZE);
	if (err == -EFBIG) {
		pr_err("%s: over the bundle format's limit of %u MiB per BTF (reduce it with btfgen)",
		       ESC(path), BTFB_MAX_RAW_SIZE >> 20);
		return err;
	}
	if (err) {
		pr_err("%s: cannot read: %s", ESC(path), errmsg(err));
		return err;
	}
	/* A bundle that hands libbpf garbage would only fail on the target. */
	btf = btf__new(data, len);
	if (!btf) {
		err = -errno;
		pr_err("%s: not a valid BTF file (%s)", ESC(path), errmsg(err));
		goto out;
	}
	btf__free(btf);
	snprintf(key, sizeof(key), "%s/%s/%s/%s", distro, version, arch, release);
	stamp__add(a->stamp, "btf", key, data, len);
	err = bundle_writer__add(w, layout__arch_name(arch), distro, version, release,
				 data, len, path);
	if (err)
		pr_err("%s: %s", ESC(path), errmsg(err));
	else
		pr_debug("%s: %s/%s/%s/%s, %zu bytes", ESC(path), ESC(distro), ESC(version),
			 ESC(arch), ESC(release), len);
out:
	free(data);
	return err;
}

static int tree_cb(const char *path, const struct layout_key *k, enum layout_file kind,
		   uint64_t size, void *ctx)
{
	struct adder *a = ctx;

	a->found++;
	return add_btf(a, path, k->distro, k->version, k->arch, k->release);
}

/* A tree without kernels is most likely the wrong directory: say so. */
static int scan_tree(struct adder *a, const char *dir)
{
	/* Strict: a stray file in a tree is a mistake, not something to skip. */
	const struct layout_walk_opts walk = { .files = LAYOUT_FILE_RAW, .strict = true };
	size_t before = a->found;
	int err;

	err = layout__walk(dir, &walk, tree_cb, a);
	if (!err && a->found == before)
		pr_warn("%s: no kernels (<distro>/<version>/<arch>/<release>.btf) in this tree",
			ESC(dir));
	return err;
}

static int add_entry_spec(struct adder *w, const char *spec)
{
	const char *eq = strchr(spec, '=');
	char buf[LAYOUT_KEY_MAX + 1], why[128] = "has no '='";
	struct layout_key k;

	if (!eq || !eq[1] ||
	    layout__parse_key(spec, eq - spec, buf, &k, why, sizeof(why))) {
		if (eq && !eq[1])
			snprintf(why, sizeof(why), "has no PATH after '='");
		pr_err("--entry %s: key %s (expected DISTRO/VERSION/ARCH/RELEASE=PATH)",
		       ESC(spec), why);
		return -EINVAL;
	}
	return add_btf(w, eq + 1, k.distro, k.version, k.arch, k.release);
}

static char *provenance_text(const struct embedgen_opts *o)
{
	size_t i, len = 1;
	char *text;

	for (i = 0; i < o->provenance_cnt; i++)
		len += strlen(o->provenance[i]) + 1;
	text = calloc(1, len);
	for (i = 0; text && i < o->provenance_cnt; i++) {
		strcat(text, o->provenance[i]);
		strcat(text, "\n");
	}
	return text;
}

static void print_summary(const struct embedgen_opts *o, const struct bundle_stats *st)
{
	const char *codec = btf_bundle__codec_name(o->codec);

	if (o->json) {
		json_t *j = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:s}",
				      "kernels", (json_int_t)st->entries,
				      "unique_blobs", (json_int_t)st->blobs,
				      "blocks", (json_int_t)st->blocks,
				      "chunks", (json_int_t)st->chunks,
				      "dict_bytes", (json_int_t)st->dict_raw,
				      "meta_bytes", (json_int_t)st->meta_bytes,
				      "raw_bytes", (json_int_t)st->raw_bytes,
				      "unique_bytes", (json_int_t)st->unique_bytes,
				      "bundle_bytes", (json_int_t)st->bundle_bytes,
				      "codec", codec);

		if (j) {
			json_dumpf(j, stdout, JSON_SORT_KEYS | JSON_COMPACT);
			putchar('\n');
			json_decref(j);
		}
		return;
	}
	if (log_level() >= LOG_LEVEL_WARN)
		printf("embedgen: %u kernels, %u unique blobs in %u blocks, %llu raw bytes, %llu bundle bytes (%s)\n",
		       st->entries, st->blobs, st->blocks, (unsigned long long)st->raw_bytes,
		       (unsigned long long)st->bundle_bytes, codec);
}

enum { OUT_BUNDLE, OUT_HEADER, OUT_SOURCE, OUT_CNT };

/*
 * Every output is written to its temporary file first and renamed into
 * place only when all of them are complete, so a failure leaves neither a
 * half-written file nor a bundle file beside a stale C source.
 */
static int write_outputs(const struct embedgen_opts *o, const void *bundle, size_t len,
			 const struct emit_opts *eopts)
{
	const char *paths[OUT_CNT] = { o->out_bundle, o->out_h, o->out_c };
	struct atomic_file af[OUT_CNT];
	int i, n, err = 0;

	for (n = 0; n < OUT_CNT && !err; n++) {
		FILE *f;

		if (!paths[n])
			continue;
		/* A missing directory is a typo more often than a wish: not created. */
		err = atomic_file__open_in(&af[n], paths[n]);
		if (err) {
			pr_err("%s: cannot write: %s", ESC(paths[n]),
			       err == -ENOENT ? "its directory does not exist" : atomic_file__strerror(err));
			break;
		}
		f = atomic_file__stdio(&af[n]);
		if (!f) {
			err = -errno;
		} else if (n == OUT_BUNDLE) {
			if (fwrite(bundle, 1, len, f) != len)
				err = -(errno ?: EIO);
		} else if (n == OUT_HEADER) {
			emit__header(f, len, eopts);
		} else {
			emit__source(f, bundle, len, eopts);
		}
		if (!err && (fflush(f) || ferror(f)))
			err = -(errno ?: EIO);
		if (err)
			pr_err("%s: cannot write: %s", ESC(paths[n]), errmsg(err));
	}
	/* n outputs were opened; commit them all or none */
	for (i = 0; i < n; i++) {
		int cerr;

		if (!paths[i])
			continue;
		if (err) {
			atomic_file__abort(&af[i]);
			continue;
		}
		cerr = atomic_file__commit(&af[i]);
		if (cerr) {
			pr_err("%s: cannot write: %s", ESC(paths[i]), errmsg(cerr));
			err = cerr;
		}
	}
	return err;
}

/*
 * The object digests as the bundle lists them (its order, which the writer
 * fixes), read back through the library, so the header cannot disagree
 * with the table it describes. *@out is malloc()ed (NULL when none).
 */
static int listed_digests(const void *bundle, size_t len,
			  uint8_t (**out)[BTF_BUNDLE_DIGEST_LEN], size_t *cnt)
{
	struct btf_bundle *b = btf_bundle__open_mem(bundle, len, NULL);
	uint8_t (*d)[BTF_BUNDLE_DIGEST_LEN] = NULL;
	uint32_t i, n;

	*out = NULL;
	*cnt = 0;
	if (!b)
		return -errno;
	n = btf_bundle__object_cnt(b);
	if (n && !(d = calloc(n, sizeof(*d)))) {
		btf_bundle__free(b);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		memcpy(d[i], btf_bundle__object_digest_by_idx(b, i, NULL), BTF_BUNDLE_DIGEST_LEN);
	btf_bundle__free(b);
	*out = d;
	*cnt = n;
	return 0;
}

/* The objects: each one's CO-RE digest into the bundle, its bytes into the stamp. */
static int add_objects(const struct embedgen_opts *o, struct adder *add)
{
	size_t i;
	int err = 0;

	for (i = 0; i < o->object_cnt && !err; i++) {
		uint8_t digest[BTF_BUNDLE_DIGEST_LEN];
		const char *base = strrchr(o->objects[i], '/');
		void *obj;
		size_t obj_len;

		err = read_file(o->objects[i], &obj, &obj_len, LAYOUT_BTF_MAX);
		if (err) {
			pr_err("%s: cannot read BPF object: %s", ESC(o->objects[i]), errmsg(err));
			break;
		}
		stamp__add(add->stamp, "object", o->objects[i], obj, obj_len);
		err = btf_bundle__object_digest(obj, obj_len, digest);
		free(obj);
		if (err)
			pr_err("%s: not a BPF object with BTF: %s", ESC(o->objects[i]),
			       errmsg(err));
		else
			err = bundle_writer__add_object(add->w, base ? base + 1 : o->objects[i],
							digest);
	}
	return err;
}

/* The kernels: trees and --entry specs, gated by the objects' floor. */
static int add_kernels(const struct embedgen_opts *o, struct adder *add)
{
	char line[1024];
	size_t i;
	int err = 0;

	/*
	 * Kernels the objects cannot load on would only be dead weight. An
	 * object the audit cannot read (the bundle only records its hash)
	 * leaves every kernel in.
	 */
	if (o->floor && !o->all_kernels) {
		add->floor = *o->floor;
	} else if (o->object_cnt && !o->all_kernels &&
		   audit__objects_floor(o->objects, o->object_cnt, &add->floor)) {
		pr_warn("%s: not a BPF object the audit can read: no kernel skipped",
			add->floor.why);
		add->floor.floor = 0;
	}
	for (i = 0; i < o->dir_cnt && !err; i++)
		err = scan_tree(add, o->dirs[i]);
	for (i = 0; i < o->entry_cnt && !err; i++)
		err = add_entry_spec(add, o->entries[i]);
	if (!err && add->skipped) {
		audit__gate_summary(&add->floor, add->skipped, add->example, line, sizeof(line));
		pr_notice("%s", line);
	}
	return err;
}

static int finish_bundle(struct bundle_writer *w, void **bundle, size_t *len,
			 struct bundle_stats *st)
{
	int err = bundle_writer__finish(w, bundle, len, st);

	if (err == -EFBIG)
		pr_err("cannot build bundle: over the format's limits (4 GiB, %u MiB of index, %u MiB of metadata)",
		       BTFB_MAX_INDEX_SIZE >> 20, BTFB_MAX_META_SIZE >> 20);
	else if (err && err != -EEXIST)
		pr_err("cannot build bundle: %s", errmsg(err));
	return err;
}

/* The bundle file, header and C, then the stamp that makes the next run a no-op. */
static int emit_all(const struct embedgen_opts *o, struct stamp *stamp, const char **outputs,
		    const void *bundle, size_t len, struct bundle_stats *st)
{
	uint8_t (*digests)[BTF_BUNDLE_DIGEST_LEN] = NULL;
	struct emit_opts eopts = o->emit;
	char summary[256];
	int err;

	snprintf(summary, sizeof(summary), "%u kernels, %u distinct BTFs, codec %s, %zu bytes",
		 st->entries, st->blobs, btf_bundle__codec_name(o->codec), len);
	eopts.summary = summary;
	eopts.header_path = o->out_h;
	if (o->out_h) {
		err = listed_digests(bundle, len, &digests, &eopts.digest_cnt);
		if (err) {
			pr_err("cannot read back the bundle's objects: %s", errmsg(err));
			return err;
		}
		eopts.digests = (const uint8_t (*)[BTF_BUNDLE_DIGEST_LEN])digests;
	}
	err = write_outputs(o, bundle, len, &eopts);
	free(digests);
	if (err)
		return err;
	/* Without it the next run only does the work again. */
	if (stamp__write(stamp, outputs, OUT_CNT, st))
		pr_warn("cannot write the up-to-date stamp beside %s",
			ESC(o->out_bundle ?: o->out_h ?: o->out_c));
	print_summary(o, st);
	return 0;
}

int embedgen__run(const struct embedgen_opts *o)
{
	struct bundle_writer_opts wopts = {
		.codec = o->codec, .block_size = o->block_size, .chunk_size = o->chunk_size,
		.dict_size = o->dict_size,
	};
	struct bundle_writer *w;
	struct adder add = {};
	struct bundle_stats st = {};
	const char *outputs[OUT_CNT] = { o->out_bundle, o->out_h, o->out_c };
	struct stamp stamp;
	char *prov = NULL;
	void *bundle = NULL;
	size_t len = 0;
	int err;

	w = bundle_writer__new(&wopts);
	if (!w) {
		pr_err("out of memory");
		return -ENOMEM;
	}
	add.w = w;
	add.stamp = &stamp;
	stamp__init(&stamp, o->argc, o->argv);

	err = add_objects(o, &add);
	err = err ?: add_kernels(o, &add);
	if (!err) {
		prov = provenance_text(o);
		err = prov ? bundle_writer__set_provenance(w, prov) : -ENOMEM;
	}
	if (!err && stamp__check(&stamp, outputs, OUT_CNT, &st)) {
		pr_info("outputs up to date (same inputs, same embedgen)");
		print_summary(o, &st);
	} else if (!err) {
		err = finish_bundle(w, &bundle, &len, &st);
		err = err ?: emit_all(o, &stamp, outputs, bundle, len, &st);
	}
	free(prov);
	free(bundle);
	bundle_writer__free(w);
	return err;
}

/* One entry as JSON; every string escaped (escape.h), so none is dropped. */
static json_t *entry_json(const struct btf_bundle_entry *e)
{
	json_t *j = json_object();

	if (!j || json_object_set_new(j, "arch", escape__json(e->arch)) ||
	    json_object_set_new(j, "distro", escape__json(e->distro)) ||
	    json_object_set_new(j, "version", escape__json(e->version)) ||
	    json_object_set_new(j, "release", escape__json(e->release)) ||
	    json_object_set_new(j, "blob", json_integer(e->blob)) ||
	    json_object_set_new(j, "raw_size", json_integer(e->raw_size)) ||
	    json_object_set_new(j, "block", json_integer(e->block))) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static json_t *list_json_head(const char *path, struct btf_bundle *b)
{
	json_t *j = json_object();

	if (!j || json_object_set_new(j, "file", escape__json(path)) ||
	    json_object_set_new(j, "format_version", json_integer(btf_bundle__format_version(b))) ||
	    json_object_set_new(j, "codec",
				json_string(btf_bundle__codec_name(btf_bundle__codec(b)))) ||
	    json_object_set_new(j, "size", json_integer(btf_bundle__size(b))) ||
	    json_object_set_new(j, "kernels", json_integer(btf_bundle__entry_cnt(b))) ||
	    json_object_set_new(j, "unique_blobs", json_integer(btf_bundle__blob_cnt(b))) ||
	    json_object_set_new(j, "blocks", json_integer(btf_bundle__block_cnt(b))) ||
	    json_object_set_new(j, "provenance", escape__json(btf_bundle__provenance(b)))) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static void list_plain_head(const char *path, struct btf_bundle *b)
{
	const char *p = btf_bundle__provenance(b);

	printf("bundle:     %s\nformat:     %u\ncodec:      %s\nsize:       %zu bytes\n"
	       "kernels:    %u\nblobs:      %u\nblocks:     %u\n", ESC(path),
	       btf_bundle__format_version(b), btf_bundle__codec_name(btf_bundle__codec(b)),
	       btf_bundle__size(b), btf_bundle__entry_cnt(b), btf_bundle__blob_cnt(b),
	       btf_bundle__block_cnt(b));
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		printf("provenance: %s\n", escape__mem((char[ESCAPE_MAX]){ 0 }, ESCAPE_MAX, p, n));
		p += n + (nl ? 1 : 0);
	}
}

/*
 * Every name in a bundle is untrusted: printed through escape.h's rule, on
 * the terminal and in JSON alike, so a listing never drops an entry nor
 * lets a release name move the cursor.
 */
int embedgen__list(const char *path, bool json)
{
	struct btf_bundle *b;
	BTF_BUNDLE_OPTS(btf_bundle_entry, e);
	char hex[SHA256_HEX_LEN];
	json_t *root = NULL, *arr = NULL, *objs = NULL, *item;
	uint32_t i;
	int err = 0;

	b = btf_bundle__open_file(path, NULL);
	if (!b) {
		err = -errno;
		pr_err("%s: cannot open bundle: %s", ESC(path), errmsg(err));
		return err;
	}
	if (json) {
		root = list_json_head(path, b);
		objs = json_array();
		arr = json_array();
		if (!root || !objs || !arr)
			goto nomem;
	} else {
		list_plain_head(path, b);
	}
	for (i = 0; i < btf_bundle__object_cnt(b); i++) {
		const char *name;

		sha256_hex(btf_bundle__object_digest_by_idx(b, i, &name), hex);
		if (!json) {
			printf("object:     %s digest:%s\n", ESC(name), hex);
			continue;
		}
		item = json_pack("{s:o,s:s}", "name", escape__json(name), "digest", hex);
		if (json_array_append_new(objs, item))
			goto nomem;
	}
	if (!json)
		printf("\n%-8s %-12s %-10s %-48s %8s %6s %6s\n", "ARCH", "DISTRO", "VERSION",
		       "RELEASE", "RAW", "BLOB", "BLOCK");
	for (i = 0; i < btf_bundle__entry_cnt(b); i++) {
		err = btf_bundle__entry(b, i, &e);
		if (err) {
			pr_err("%s: index entry %u: %s", ESC(path), i, errmsg(err));
			goto out;
		}
		if (!json) {
			printf("%-8s %-12s %-10s %-48s %8u %6u %6u\n", ESC(e.arch), ESC(e.distro),
			       ESC(e.version), ESC(e.release), e.raw_size, e.blob, e.block);
			continue;
		}
		if (json_array_append_new(arr, entry_json(&e)))
			goto nomem;
	}
	if (json) {
		/* "kernels" and "entries" agree: a failed append is an error above. */
		if (json_object_set(root, "objects", objs) || json_object_set(root, "entries", arr))
			goto nomem;
		json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	}
	goto out;
nomem:
	err = -ENOMEM;
	pr_err("%s: %s", ESC(path), errmsg(err));
out:
	json_decref(root);
	json_decref(objs);
	json_decref(arr);
	btf_bundle__free(b);
	return err;
}
