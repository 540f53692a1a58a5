// SPDX-License-Identifier: BSD-2-Clause
/*
 * libbtfbundle's reader: validate a bundle once at open, then answer
 * lookups with a binary search and decode only the delta chain of the
 * entry asked for.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>
#include <bpf/btf.h>

#include "btf_bundle.h"
#include "bundle_codec.h"
#include "bundle_format.h"
#include "bundle_internal.h"
#include "fsutil.h"
#include "sha256.h"

struct btf_bundle {
	const uint8_t *data;
	size_t size;		/* header.total_len */
	void *owned;		/* copy or file contents, freed with the bundle */
	struct btfb_header hdr;	/* host byte order */
	const char *strs;
};

static int default_print(enum btf_bundle_print_level level, const char *fmt, va_list ap)
{
	if (level != BTF_BUNDLE_WARN)
		return 0;
	fputs("libbtfbundle: ", stderr);
	return vfprintf(stderr, fmt, ap);
}

static btf_bundle_print_fn_t bundle_print = default_print;

btf_bundle_print_fn_t btf_bundle_set_print(btf_bundle_print_fn_t fn)
{
	btf_bundle_print_fn_t old = bundle_print;

	bundle_print = fn;
	return old;
}

void bundle_pr(enum btf_bundle_print_level level, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (!bundle_print)
		return;
	va_start(ap, fmt);
	bundle_print(level, fmt, ap);
	va_end(ap);
	errno = saved;
}

static void get_entry(const struct btf_bundle *b, uint32_t i, struct btfb_entry *e)
{
	btfb_load_u32s(e, b->data + b->hdr.entry_off + (size_t)i * BTFB_ENTRY_LEN,
		       BTFB_ENTRY_LEN / 4);
}

static void get_blob(const struct btf_bundle *b, uint32_t i, struct btfb_blob *bl)
{
	btfb_load_u32s(bl, b->data + b->hdr.blob_off + (size_t)i * BTFB_BLOB_LEN,
		       BTFB_BLOB_LEN / 4);
}

static uint32_t get_alt(const struct btf_bundle *b, uint32_t i)
{
	return btfb_le32(b->data + b->hdr.alt_off + (size_t)i * 4);
}

static const char *str_at(const struct btf_bundle *b, uint32_t off)
{
	return b->strs + off;
}

/* A section [off, off + cnt * len) inside the metadata area. */
static int check_section(const struct btfb_header *h, const char *what,
			 uint32_t off, uint64_t cnt, uint32_t len)
{
	uint64_t end = (uint64_t)off + cnt * len;

	if (off < h->hdr_len || end > h->data_off) {
		pr_bdebug("bundle: %s section [%u, %llu) outside metadata [%u, %u)\n",
			  what, off, (unsigned long long)end, h->hdr_len, h->data_off);
		return -EBADMSG;
	}
	return 0;
}

static int check_str(const struct btf_bundle *b, uint32_t off)
{
	return off < b->hdr.str_len ? 0 : -EBADMSG;
}

static int cmp_key(const char *a1, const char *a2, const char *a3, const char *a4,
		   const char *b1, const char *b2, const char *b3, const char *b4)
{
	int c;

	if ((c = strcmp(a1, b1)) || (c = strcmp(a2, b2)) || (c = strcmp(a3, b3)))
		return c;
	return strcmp(a4, b4);
}

/* Index order: (arch, distro, version, release). */
static int cmp_entry(const struct btf_bundle *b, const struct btfb_entry *x,
		     const struct btfb_entry *y)
{
	return cmp_key(str_at(b, x->arch_str), str_at(b, x->distro_str),
		       str_at(b, x->version_str), str_at(b, x->release_str),
		       str_at(b, y->arch_str), str_at(b, y->distro_str),
		       str_at(b, y->version_str), str_at(b, y->release_str));
}

/* Fallback order: (arch, distro, release, version). */
static int cmp_alt(const struct btf_bundle *b, const struct btfb_entry *x,
		   const struct btfb_entry *y)
{
	return cmp_key(str_at(b, x->arch_str), str_at(b, x->distro_str),
		       str_at(b, x->release_str), str_at(b, x->version_str),
		       str_at(b, y->arch_str), str_at(b, y->distro_str),
		       str_at(b, y->release_str), str_at(b, y->version_str));
}

static int check_index(const struct btf_bundle *b)
{
	const struct btfb_header *h = &b->hdr;
	struct btfb_entry e, prev = {};
	struct btfb_blob bl, ref;
	uint8_t *seen = NULL;
	uint32_t i;
	int err = -EBADMSG;

	for (i = 0; i < h->object_cnt; i++) {
		uint32_t name = btfb_le32(b->data + h->obj_off + (size_t)i * BTFB_OBJECT_LEN + 32);

		if (check_str(b, name))
			return -EBADMSG;
	}
	for (i = 0; i < h->blob_cnt; i++) {
		get_blob(b, i, &bl);
		if ((uint64_t)bl.data_off + bl.comp_size > h->data_len ||
		    bl.raw_size > BTFB_MAX_RAW_SIZE || bl.comp_size == 0)
			return -EBADMSG;
		if (bl.ref == BTFB_NO_REF) {
			if (bl.depth)
				return -EBADMSG;
			continue;
		}
		/* ref < i: chains cannot loop and every depth is already checked */
		if (bl.ref >= i)
			return -EBADMSG;
		get_blob(b, bl.ref, &ref);
		if (bl.depth != ref.depth + 1 || bl.depth > h->max_depth)
			return -EBADMSG;
	}
	for (i = 0; i < h->entry_cnt; i++) {
		get_entry(b, i, &e);
		if (check_str(b, e.arch_str) || check_str(b, e.distro_str) ||
		    check_str(b, e.version_str) || check_str(b, e.release_str) ||
		    e.blob >= h->blob_cnt)
			return -EBADMSG;
		if (i && cmp_entry(b, &prev, &e) >= 0)
			return -EBADMSG;	/* unsorted or duplicate key */
		prev = e;
	}
	/* The fallback table must be a permutation of the entries, sorted. */
	seen = calloc(h->entry_cnt / 8 + 1, 1);
	if (!seen)
		return -ENOMEM;
	for (i = 0; i < h->entry_cnt; i++) {
		uint32_t id = get_alt(b, i);

		if (id >= h->entry_cnt || seen[id / 8] & (1u << (id % 8)))
			goto out;
		seen[id / 8] |= 1u << (id % 8);
		get_entry(b, id, &e);
		if (i && cmp_alt(b, &prev, &e) >= 0)
			goto out;
		prev = e;
	}
	err = 0;
out:
	free(seen);
	return err;
}

static int bundle_parse(struct btf_bundle *b, const uint8_t *data, size_t size)
{
	struct btfb_header *h = &b->hdr;
	uint8_t meta_crc_zero[4] = {};
	uLong crc;

	if (size < BTFB_HEADER_LEN || memcmp(data, BTFB_MAGIC, BTFB_MAGIC_LEN)) {
		pr_bdebug("bundle: bad magic or short header (%zu bytes)\n", size);
		return -EBADMSG;
	}
	memcpy(h->magic, data, BTFB_MAGIC_LEN);
	btfb_load_u32s(&h->version, data + BTFB_MAGIC_LEN, (BTFB_HEADER_LEN - BTFB_MAGIC_LEN) / 4);
	if (h->version != BTFB_VERSION) {
		pr_bdebug("bundle: format version %u, this reader knows %u\n", h->version, BTFB_VERSION);
		return -EPROTO;
	}
	if (h->hdr_len < BTFB_HEADER_LEN || h->total_len > size || h->total_len < h->hdr_len ||
	    h->flags || !bundle_codec__valid(h->codec) || h->max_depth > BTFB_MAX_DEPTH)
		return -EBADMSG;
	if (h->data_off < h->hdr_len || (uint64_t)h->data_off + h->data_len != h->total_len)
		return -EBADMSG;
	/* Bit flips in the metadata are caught here, in the streams by blob crc. */
	crc = crc32(0, data, offsetof(struct btfb_header, meta_crc));
	crc = crc32(crc, meta_crc_zero, 4);
	crc = crc32(crc, data + offsetof(struct btfb_header, meta_crc) + 4,
		    h->data_off - offsetof(struct btfb_header, meta_crc) - 4);
	if (crc != h->meta_crc) {
		pr_bdebug("bundle: metadata checksum mismatch\n");
		return -EBADMSG;
	}
	if (check_section(h, "string", h->str_off, h->str_len, 1) ||
	    check_section(h, "object", h->obj_off, h->object_cnt, BTFB_OBJECT_LEN) ||
	    check_section(h, "entry", h->entry_off, h->entry_cnt, BTFB_ENTRY_LEN) ||
	    check_section(h, "alt", h->alt_off, h->entry_cnt, 4) ||
	    check_section(h, "blob", h->blob_off, h->blob_cnt, BTFB_BLOB_LEN))
		return -EBADMSG;
	if (h->str_len == 0 || data[h->str_off + h->str_len - 1] != '\0')
		return -EBADMSG;
	b->data = data;
	b->size = h->total_len;
	b->strs = (const char *)data + h->str_off;
	if (check_str(b, h->prov_str))
		return -EBADMSG;
	return check_index(b);
}

static struct btf_bundle *bundle_open(const void *data, size_t size, void *owned,
				      const struct btf_bundle_open_opts *opts)
{
	const void *obj = OPTS_GET(opts, object, NULL);
	const uint8_t *obj_sha = OPTS_GET(opts, object_sha256, NULL);
	struct btf_bundle *b;
	int err;

	b = calloc(1, sizeof(*b));
	if (!b) {
		free(owned);
		return bundle_err_ptr(-ENOMEM);
	}
	b->owned = owned;
	err = bundle_parse(b, data, size);
	if (!err && (obj || obj_sha))
		err = btf_bundle__check_object(b, obj, OPTS_GET(opts, object_sz, 0), obj_sha);
	if (err) {
		btf_bundle__free(b);
		return bundle_err_ptr(err);
	}
	return b;
}

struct btf_bundle *btf_bundle__open_mem(const void *data, size_t size,
					const struct btf_bundle_open_opts *opts)
{
	void *copy = NULL;

	if (!opts_valid(opts, OPTS_KNOWN_SZ(btf_bundle_open_opts)) || !data)
		return bundle_err_ptr(-EINVAL);
	if (OPTS_GET(opts, copy, false)) {
		copy = malloc(size ?: 1);
		if (!copy)
			return bundle_err_ptr(-ENOMEM);
		memcpy(copy, data, size);
		data = copy;
	}
	return bundle_open(data, size, copy, opts);
}

struct btf_bundle *btf_bundle__open_file(const char *path, const struct btf_bundle_open_opts *opts)
{
	void *data;
	size_t size;
	int err;

	if (!opts_valid(opts, OPTS_KNOWN_SZ(btf_bundle_open_opts)) || !path)
		return bundle_err_ptr(-EINVAL);
	err = read_file(path, &data, &size, UINT32_MAX);
	if (err)
		return bundle_err_ptr(err == -EFBIG ? -EBADMSG : err);
	return bundle_open(data, size, data, opts);
}

void btf_bundle__free(struct btf_bundle *b)
{
	if (!b)
		return;
	free(b->owned);
	free(b);
}

uint32_t btf_bundle__format_version(const struct btf_bundle *b) { return b->hdr.version; }
enum btf_bundle_codec btf_bundle__codec(const struct btf_bundle *b) { return b->hdr.codec; }
uint32_t btf_bundle__entry_cnt(const struct btf_bundle *b) { return b->hdr.entry_cnt; }
uint32_t btf_bundle__blob_cnt(const struct btf_bundle *b) { return b->hdr.blob_cnt; }
size_t btf_bundle__size(const struct btf_bundle *b) { return b->size; }
uint32_t btf_bundle__object_cnt(const struct btf_bundle *b) { return b->hdr.object_cnt; }
const char *btf_bundle__provenance(const struct btf_bundle *b) { return str_at(b, b->hdr.prov_str); }

const char *btf_bundle__codec_name(enum btf_bundle_codec codec)
{
	switch (codec) {
	case BTF_BUNDLE_CODEC_XZ: return "xz";
	case BTF_BUNDLE_CODEC_ZLIB: return "zlib";
	default: return "unknown";
	}
}

const uint8_t *btf_bundle__object_sha256(const struct btf_bundle *b, uint32_t i, const char **name)
{
	const uint8_t *obj;

	if (i >= b->hdr.object_cnt)
		return NULL;
	obj = b->data + b->hdr.obj_off + (size_t)i * BTFB_OBJECT_LEN;
	if (name)
		*name = str_at(b, btfb_le32(obj + 32));
	return obj;
}

int btf_bundle__check_object(const struct btf_bundle *b, const void *obj, size_t obj_sz,
			     const uint8_t *sha256)
{
	uint8_t digest[SHA256_DIGEST_LEN];
	uint32_t i;

	if (obj) {
		sha256_buf(obj, obj_sz, digest);
		sha256 = digest;
	}
	if (!sha256)
		return -EINVAL;
	for (i = 0; i < b->hdr.object_cnt; i++)
		if (!memcmp(btf_bundle__object_sha256(b, i, NULL), sha256, SHA256_DIGEST_LEN))
			return 0;
	return -ESTALE;
}

int btf_bundle__entry(const struct btf_bundle *b, uint32_t idx, struct btf_bundle_entry *out)
{
	struct btfb_entry e;
	struct btfb_blob bl;

	if (idx >= b->hdr.entry_cnt)
		return -ENOENT;
	get_entry(b, idx, &e);
	get_blob(b, e.blob, &bl);
	out->arch = str_at(b, e.arch_str);
	out->distro = str_at(b, e.distro_str);
	out->version = str_at(b, e.version_str);
	out->release = str_at(b, e.release_str);
	out->blob = e.blob;
	out->raw_size = bl.raw_size;
	out->comp_size = bl.comp_size;
	out->depth = bl.depth;
	return 0;
}

/* Lower bound of a key in index order (@alt = 0) or fallback order (@alt = 1). */
static uint32_t lower_bound(const struct btf_bundle *b, int alt, const char *arch,
			    const char *distro, const char *k3, const char *k4)
{
	uint32_t lo = 0, hi = b->hdr.entry_cnt;
	struct btfb_entry e;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c;

		get_entry(b, alt ? get_alt(b, mid) : mid, &e);
		c = cmp_key(str_at(b, e.arch_str), str_at(b, e.distro_str),
			    str_at(b, alt ? e.release_str : e.version_str),
			    str_at(b, alt ? e.version_str : e.release_str),
			    arch, distro, k3, k4);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int find_exact(const struct btf_bundle *b, const char *arch, const char *distro,
		      const char *version, const char *release)
{
	uint32_t i = lower_bound(b, 0, arch, distro, version, release);
	struct btfb_entry e;

	if (i == b->hdr.entry_cnt)
		return -ENOENT;
	get_entry(b, i, &e);
	if (cmp_key(str_at(b, e.arch_str), str_at(b, e.distro_str), str_at(b, e.version_str),
		    str_at(b, e.release_str), arch, distro, version, release))
		return -ENOENT;
	return i;
}

/*
 * BTFHub names some Debian and Ubuntu directories by codename and some by
 * number, and os-release gives the number; both spellings are tried.
 */
static const char *const version_aliases[][3] = {
	{ "debian", "9", "stretch" },
	{ "debian", "10", "buster" },
	{ "debian", "11", "bullseye" },
	{ "debian", "12", "bookworm" },
	{ "debian", "13", "trixie" },
	{ "ubuntu", "16.04", "xenial" },
	{ "ubuntu", "18.04", "bionic" },
	{ "ubuntu", "20.04", "focal" },
	{ "ubuntu", "20.10", "groovy" },
	{ "ubuntu", "21.04", "hirsute" },
	{ "ubuntu", "21.10", "impish" },
	{ "ubuntu", "22.04", "jammy" },
	{ "ubuntu", "24.04", "noble" },
};

static const char *version_alias(const char *distro, const char *version)
{
	size_t i;

	for (i = 0; i < sizeof(version_aliases) / sizeof(version_aliases[0]); i++) {
		const char *const *a = version_aliases[i];

		if (strcmp(distro, a[0]))
			continue;
		if (!strcmp(version, a[1]))
			return a[2];
		if (!strcmp(version, a[2]))
			return a[1];
	}
	return NULL;
}

static void set_reason(struct btf_bundle_match *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->reason, sizeof(m->reason), fmt, ap);
	va_end(ap);
}

int btf_bundle__find(const struct btf_bundle *b, const struct btf_host *host,
		     struct btf_bundle_match *m)
{
	const char *alias = version_alias(host->distro, host->version);
	struct btfb_entry e, best_e = {};
	int idx, best = -1;
	uint32_t i;

	memset(m, 0, sizeof(*m));
	idx = find_exact(b, host->arch, host->distro, host->version, host->release);
	if (idx >= 0) {
		m->kind = BTF_BUNDLE_MATCH_EXACT;
		m->entry = idx;
		set_reason(m, "exact match %s/%s/%s/%s",
			 host->distro, host->version, host->arch, host->release);
		return idx;
	}
	if (alias) {
		idx = find_exact(b, host->arch, host->distro, alias, host->release);
		if (idx >= 0) {
			m->kind = BTF_BUNDLE_MATCH_ALIAS;
			m->entry = idx;
			set_reason(m,
				 "match through version alias %s/%s (host says %s)",
				 host->distro, alias, host->version);
			return idx;
		}
	}
	/* Same kernel build filed under another version of the distro. */
	for (i = lower_bound(b, 1, host->arch, host->distro, host->release, "");
	     i < b->hdr.entry_cnt; i++) {
		uint32_t id = get_alt(b, i);

		get_entry(b, id, &e);
		if (strcmp(str_at(b, e.arch_str), host->arch) ||
		    strcmp(str_at(b, e.distro_str), host->distro) ||
		    strcmp(str_at(b, e.release_str), host->release))
			break;
		if (best < 0 || strverscmp(str_at(b, e.version_str),
					   str_at(b, best_e.version_str)) > 0) {
			best = id;
			best_e = e;
		}
	}
	if (best >= 0) {
		e = best_e;
		m->kind = BTF_BUNDLE_MATCH_FALLBACK;
		m->entry = best;
		set_reason(m,
			 "no entry for %s/%s/%s/%s; fallback to the same release under %s/%s",
			 host->distro, host->version, host->arch, host->release,
			 host->distro, str_at(b, e.version_str));
		return best;
	}
	m->kind = BTF_BUNDLE_MATCH_NONE;
	set_reason(m,
		 "no entry for %s/%s/%s/%s in the bundle (%u kernels), nor for release %s under another %s version",
		 host->distro, host->version, host->arch, host->release, b->hdr.entry_cnt,
		 host->release, host->distro);
	return -ENOENT;
}

/* Decode blob @idx by walking its delta chain from the root down. */
static int blob_decode(const struct btf_bundle *b, uint32_t idx, uint8_t **out, size_t *out_len)
{
	uint32_t chain[BTFB_MAX_DEPTH + 1];
	uint8_t *prev = NULL, *cur = NULL;
	size_t prev_len = 0;
	struct btfb_blob bl;
	int n = 0, err = 0;

	/* Depths were validated at open: the chain has at most max_depth + 1 links. */
	for (;;) {
		get_blob(b, idx, &bl);
		chain[n++] = idx;
		if (bl.ref == BTFB_NO_REF)
			break;
		idx = bl.ref;
		if (n > BTFB_MAX_DEPTH)
			return -EBADMSG;
	}
	while (n--) {
		get_blob(b, chain[n], &bl);
		cur = malloc(bl.raw_size ?: 1);
		if (!cur) {
			err = -ENOMEM;
			break;
		}
		err = bundle_codec__decompress(b->hdr.codec, prev, prev_len,
					       b->data + b->hdr.data_off + bl.data_off, bl.comp_size,
					       cur, bl.raw_size);
		if (!err && crc32(0, cur, bl.raw_size) != bl.crc32)
			err = -EILSEQ;
		if (err) {
			pr_bdebug("bundle: blob %u: %s\n", chain[n],
				  err == -EILSEQ ? "checksum mismatch" : "corrupt stream");
			break;
		}
		free(prev);
		prev = cur;
		prev_len = bl.raw_size;
		cur = NULL;
	}
	free(cur);
	if (err) {
		free(prev);
		return err;
	}
	*out = prev;
	*out_len = prev_len;
	return 0;
}

int btf_bundle__read(const struct btf_bundle *b, uint32_t idx, void **data, size_t *size)
{
	struct btfb_entry e;
	uint8_t *buf;
	size_t len;
	int err;

	if (idx >= b->hdr.entry_cnt)
		return -ENOENT;
	get_entry(b, idx, &e);
	err = blob_decode(b, e.blob, &buf, &len);
	if (err)
		return err;
	*data = buf;
	*size = len;
	return 0;
}

struct btf *btf_bundle__load_btf(const struct btf_bundle *b, uint32_t idx)
{
	struct btf *btf;
	void *data;
	size_t size;
	int err;

	err = btf_bundle__read(b, idx, &data, &size);
	if (err)
		return bundle_err_ptr(err);
	btf = btf__new(data, size);
	err = btf ? 0 : -errno;
	free(data);
	return btf ? btf : bundle_err_ptr(err);
}

int btf_bundle__memfd(const struct btf_bundle *b, uint32_t idx, char *path, size_t path_sz)
{
	void *data;
	size_t size;
	int fd, err;

	err = btf_bundle__read(b, idx, &data, &size);
	if (err)
		return err;
	fd = memfd_create("btfkit-btf", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	err = write_all(fd, data, size);
	/* Sealed: whoever gets the path reads exactly these bytes. */
	if (!err && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL))
		err = -errno;
	if (!err && lseek(fd, 0, SEEK_SET) < 0)
		err = -errno;
	if (!err && path && (size_t)snprintf(path, path_sz, "/proc/self/fd/%d", fd) >= path_sz)
		err = -ENAMETOOLONG;
	if (err) {
		close(fd);
		goto out;
	}
	err = fd;
out:
	free(data);
	return err;
}
