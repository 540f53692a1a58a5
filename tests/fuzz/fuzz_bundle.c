// SPDX-License-Identifier: BSD-2-Clause
/*
 * libFuzzer target for libbtfbundle's reader: open the input as a bundle
 * and, if it opens, exercise every read-side API on it. Each input is tried
 * as given, and with its crc recomputed, since a random mutation almost
 * never keeps the crc valid. Records and strings sit behind the compressed
 * metadata stream, which mutations of a whole bundle rarely keep decodable:
 * so the input is also the decoded metadata of a real base bundle,
 * re-encoded with a valid header and crc, and, as a valid stream, the
 * content of one of its index chunks or blob blocks. The same input also
 * feeds the host parsers (btf_host__parse, os-release). Logic errors (a read that succeeds with
 * the wrong size, an exact lookup of an entry's own key that misses) abort,
 * so the fuzzer reports them like crashes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "btf_bundle.h"
#include "bundle_internal.h"
#include "btf_fixtures.h"
#include "bundle_format.h"
#include "bundle_writer.h"
#include "escape.h"
#include "log.h"

/* Enough to cover every code path without letting one input take seconds. */
#define MAX_ENTRIES_READ 32

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_bundle: invariant violated: %s\n", what);
		abort();
	}
}

static void find_host(const struct btf_bundle *b, const char *distro, const char *version,
		      const char *arch, const char *release)
{
	BUNDLE_MATCH(m);
	BTF_BUNDLE_OPTS(btf_bundle_entry, e);
	struct btf_host h = {};
	int idx;

	snprintf(h.distro, sizeof(h.distro), "%s", distro);
	snprintf(h.version, sizeof(h.version), "%s", version);
	snprintf(h.arch, sizeof(h.arch), "%s", arch);
	snprintf(h.release, sizeof(h.release), "%s", release);
	idx = btf_bundle__find(b, &h, &m);
	check(memchr(m.reason, '\0', m.reason_sz) != NULL, "reason NUL-terminated");
	if (idx < 0) {
		/* a miss, or a corrupt index chunk found on the way */
		check(m.kind == BTF_BUNDLE_MATCH_NONE && (idx == -ENOENT || idx == -EBADMSG ||
		      idx == -EILSEQ || idx == -ENOMEM), "miss is NONE with a known error");
		return;
	}
	check(m.kind != BTF_BUNDLE_MATCH_NONE && m.entry == (uint32_t)idx, "hit has a kind");
	check(btf_bundle__entry(b, idx, &e) == 0, "hit is a valid entry");
	check(!strcmp(e.arch, h.arch) && !strcmp(e.distro, h.distro), "hit has host arch/distro");
	if (m.kind == BTF_BUNDLE_MATCH_EXACT)
		check(!strcmp(e.version, h.version) && !strcmp(e.release, h.release), "exact is exact");
}

static void exercise(struct btf_bundle *b)
{
	BTF_BUNDLE_OPTS(btf_bundle_entry, e);
	const char *name;
	uint8_t sha[32] = {};
	uint32_t i, n;

	(void)strlen(btf_bundle__provenance(b));
	for (i = 0; i < btf_bundle__object_cnt(b); i++) {
		check(btf_bundle__object_digest_by_idx(b, i, &name) != NULL, "object in range");
		(void)strlen(name);
	}
	(void)btf_bundle__check_object(b, NULL, 0, sha);
	n = btf_bundle__entry_cnt(b);
	for (i = 0; i < n && i < MAX_ENTRIES_READ; i++) {
		void *raw = NULL;
		size_t raw_len = 0;
		int err;

		err = btf_bundle__entry(b, i, &e);
		if (err) {
			/* index chunks are decoded (and checked) lazily, once: the error stays */
			check(err == -EBADMSG || err == -EILSEQ || err == -ENOMEM, "entry error kind");
			check(err == -ENOMEM || btf_bundle__entry(b, i, &e) == err, "chunk error kept");
			continue;
		}
		check(e.blob < btf_bundle__blob_cnt(b) && e.block < btf_bundle__block_cnt(b),
		      "entry blob and block in range");
		(void)(strlen(e.arch) + strlen(e.distro) + strlen(e.version) + strlen(e.release));
		err = btf_bundle__read(b, i, &raw, &raw_len);
		if (!err) {
			struct btf *btf;

			check(raw_len == e.raw_size, "read returns raw_size bytes");
			/* checksummed bytes: usually a real BTF from a seed */
			btf = btf__new(raw, raw_len);
			btf__free(btf);
			free(raw);
		} else {
			check(err == -EBADMSG || err == -EILSEQ || err == -ENOMEM, "read error kind");
			check(raw == NULL, "no data on error");
		}
		if (i < 4) {
			/* its own key must be found exactly; another version falls back or misses */
			find_host(b, e.distro, e.version, e.arch, e.release);
			find_host(b, e.distro, "zz-other", e.arch, e.release);
		}
	}
	check(btf_bundle__entry(b, n, &e) == -ENOENT, "entry past the end");
	find_host(b, "debian", "12", "x86_64", "6.1.0-18-amd64");
	find_host(b, "ubuntu", "focal", "arm64", "5.4.0-100-generic");
	find_host(b, "", "", "", "");
}

/*
 * The input as a bundle in memory and as a file (a memfd, read header
 * first, streams on demand): both readers must agree on whether it opens.
 */
static void fuzz_one(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct btf_bundle *b, *fb;
	int merr, ferr;

	if (fd < 0) {
		fd = memfd_create("fuzz-bundle", MFD_CLOEXEC);
		check(fd >= 0, "memfd_create");
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	check(ftruncate(fd, 0) == 0 && pwrite(fd, data, size, 0) == (ssize_t)size, "write bundle");
	b = btf_bundle__open_mem(data, size, NULL);
	merr = b ? 0 : errno;
	fb = btf_bundle__open_file(path, NULL);
	ferr = fb ? 0 : errno;
	check(merr == ferr, "memory and file open agree");
	if (b)
		exercise(b);
	if (fb) {
		check(btf_bundle__entry_cnt(fb) == btf_bundle__entry_cnt(b), "same entries");
		exercise(fb);
	}
	btf_bundle__free(b);
	btf_bundle__free(fb);
}

static void check_host(const struct btf_host *h)
{
	char buf[512];

	check(memchr(h->distro, '\0', sizeof(h->distro)) && memchr(h->version, '\0', sizeof(h->version)) &&
	      memchr(h->arch, '\0', sizeof(h->arch)) && memchr(h->release, '\0', sizeof(h->release)),
	      "host fields NUL-terminated");
	check(strcmp(h->arch, "aarch64") != 0, "aarch64 normalised");
	if (!strcmp(h->distro, "centos") || !strcmp(h->distro, "rhel") || !strcmp(h->distro, "ol"))
		check(!strchr(h->version, '.'), "major-only version");
	(void)btf_host__format(h, buf, sizeof(buf));
}

/* escape.h's rule on any bytes: bounded, no control byte left, lengths agree. */
static void fuzz_escape(const uint8_t *data, size_t size)
{
	char buf[ESCAPE_MAX], *dup;
	size_t i, len = escape__len(data, size);

	escape__mem(buf, sizeof(buf), data, size);
	check(strlen(buf) < sizeof(buf), "escape bounded");
	if (size > 4096)
		return;
	dup = escape__dup(data, size);
	check(dup && strlen(dup) == len, "escape__dup is escape__len long");
	for (i = 0; i < len; i++)
		check((unsigned char)dup[i] >= 0x20 && dup[i] != 0x7f, "no control byte escapes");
	if (len < sizeof(buf))
		check(!strcmp(buf, dup), "short text is not cut");
	free(dup);
}

/*
 * The host side parses untrusted text too: the input as a "D/V/A/R" spec
 * and as an os-release file (through a memfd, so that nothing is written).
 */
static void fuzz_host(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	struct btf_host h;
	char spec[600];

	fuzz_escape(data, size);
	if (size >= sizeof(spec))
		return;
	memcpy(spec, data, size);
	spec[size] = '\0';
	if (host__parse(&h, spec) == 0)
		check_host(&h);
	if (fd < 0) {
		fd = memfd_create("fuzz-os-release", MFD_CLOEXEC);
		check(fd >= 0, "memfd_create");
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	check(ftruncate(fd, 0) == 0 && pwrite(fd, data, size, 0) == (ssize_t)size, "write os-release");
	{
		struct btf_host_opts o = { .sz = sizeof(o), .os_release_path = path };

		if (host__detect(&h, &o) == 0)
			check_host(&h);
	}
}

/*
 * Chunk and block contents sit behind a compressed stream and its crc,
 * which mutations of a whole bundle almost never get right. So the input
 * also becomes the raw content of one stream of a real base bundle (built
 * once, zlib and no dictionary for speed), re-encoded with a valid stream, crc and top
 * level: the reader's checks of decoded data get fuzzed directly.
 */
static uint8_t *base, *base_meta;
static size_t base_len, base_meta_len;

static void base_init(void)
{
	static const char *const rel[] = { "6.1.0-18-amd64", "6.1.0-19-amd64", "6.1.0-20-amd64" };
	struct bundle_writer_opts wo = { .codec = BTF_BUNDLE_CODEC_ZLIB, .block_size = 1,
					 .chunk_size = 100, .dict_size = 0 };
	struct bundle_writer *w = bundle_writer__new(&wo);
	void *out = NULL;
	size_t i;
	int err = w ? 0 : -ENOMEM;

	for (i = 0; !err && i < 3; i++) {
		void *d;
		size_t l;

		err = fixture_btf(i == 2 ? 0 : i, &d, &l);
		err = err ?: bundle_writer__add(w, "x86_64", "debian", "12", rel[i], d, l, rel[i]);
		if (!err)
			free(d);
	}
	err = err ?: bundle_writer__finish(w, &out, &base_len, NULL);
	bundle_writer__free(w);
	base = out;
	err = err ?: fixture_meta_get(base, base_len, 0, &base_meta, &base_meta_len);
	check(!err && btfb_le32(base_meta + offsetof(struct btfb_meta, chunk_cnt)) == 2 &&
	      btfb_le32(base_meta + offsetof(struct btfb_meta, block_cnt)) == 2,
	      "base bundle: 2 chunks, 2 blocks");
}

/* The input as the base bundle's decoded metadata. */
static void fuzz_meta(const uint8_t *data, size_t size)
{
	size_t len = base_len;
	uint8_t *p;

	if (size > 1 << 16)
		return;
	p = malloc(len);
	check(p != NULL, "malloc");
	memcpy(p, base, len);
	if (fixture_meta_put(&p, &len, data, size, (int)(size & 1)) == 0)
		fuzz_one(p, len);
	free(p);
}

static void fuzz_decoded(const uint8_t *data, size_t size)
{
	/* the base has no objects: records follow the metadata's fixed part */
	uint32_t chunk_off = BTFB_META_LEN, block_off = chunk_off + 2 * BTFB_CHUNK_LEN;
	size_t len = base_len, rec, raw_len;
	uint8_t *p, *raw;
	unsigned int which;
	bool block;

	if (size < 1 || size > 1 << 16)
		return;
	which = data[0] % 4;
	block = which >= 2;
	rec = block ? block_off + (which - 2) * BTFB_BLOCK_LEN + offsetof(struct btfb_block, s)
		    : chunk_off + which * BTFB_CHUNK_LEN + offsetof(struct btfb_chunk, s);
	/* Keep the leading counts consistent with the record, or nothing gets past them. */
	raw_len = size - 1 + 8;
	raw = malloc(raw_len);
	p = malloc(len);
	check(raw && p, "malloc");
	memcpy(p, base, len);
	memcpy(raw + 8, data + 1, size - 1);
	if (block) {
		btfb_put_le32(raw, btfb_le32(base_meta + rec - offsetof(struct btfb_block, s)));
		memmove(raw + 4, raw + 8, size - 1);	/* sizes follow the count directly */
		raw_len -= 4;
	} else {
		/* the input is the rest: str_len, str_cnt, varint columns, strings */
		btfb_put_le32(raw, btfb_le32(base_meta + rec - offsetof(struct btfb_chunk, s) +
					     offsetof(struct btfb_chunk, entry_cnt)));
		memmove(raw + 4, raw + 8, size - 1);
		raw_len -= 4;
	}
	if (fixture_stream_put(&p, &len, rec, block, raw, raw_len) == 0)
		fuzz_one(p, len);
	free(raw);
	free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	uint8_t *copy;

	if (!init) {
		btf_bundle_set_print(NULL);
		libbpf_set_print(NULL);
		log_init("fuzz_bundle", LOG_LEVEL_QUIET);
		base_init();
		init = 1;
	}
	fuzz_host(data, size);
	fuzz_decoded(data, size);
	fuzz_meta(data, size);
	fuzz_one(data, size);
	if (size < BTFB_HEADER_LEN)
		return 0;
	/* An exact-size heap copy, so that ASan sees any over-read. */
	copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	fixture_fix_crc(copy, size);
	fuzz_one(copy, size);
	free(copy);
	return 0;
}
