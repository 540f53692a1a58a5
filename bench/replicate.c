// SPDX-License-Identifier: BSD-2-Clause
/*
 * bench-replicate: grow a handful of real (reduced or full) BTFs into a
 * realistic BTFHub-shaped tree of N kernels for the benchmarks.
 *
 * Copies would flatter every compressor, so each replica is a real BTF
 * whose struct layouts drift the way real kernels do:
 *
 *   - kernels come in series (ubuntu 20.04 5.4.0-N-<flavour>, debian 11
 *     5.10.0-N-<flavour>, centos 8 4.18.0-N.el8.x86_64, ...), N consecutive;
 *   - a series starts from one real BTF; each next release moves 0-3
 *     "insertion points" (a field added or removed before some member of a
 *     struct) by +-8 or +-16 bytes, so consecutive releases differ in a few
 *     member offsets and struct sizes;
 *   - flavours (aws, azure, gcp, cloud-amd64) carry a fixed config delta of
 *     their own on top of the series, but in ~30% of releases a flavour's BTF
 *     is byte-identical to the first flavour's (as happens on BTFHub).
 *
 * Only structs never embedded by value are reshaped (a pointer-only struct
 * can grow without moving its containers), member offsets stay sorted and
 * never overlap their predecessor, and every replica is re-parsed with
 * btf__new(), so all outputs are valid BTF. Everything derives from --seed:
 * the same arguments give the same bytes.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "fsutil.h"
#include "log.h"

struct series {
	const char *distro;
	const char *version;
	const char *fmt;		/* release printf format: (N, flavour) */
	int first;			/* first N */
	int weight;			/* share of the replicas */
	const char *flavours[4];
};

/* Release naming of real BTFHub trees (numbers consecutive for simplicity). */
static const struct series series_tab[] = {
	{ "ubuntu", "18.04", "4.15.0-%d-%s", 20, 3, { "generic", "aws", "azure", "gcp" } },
	{ "ubuntu", "20.04", "5.4.0-%d-%s", 26, 4, { "generic", "aws", "azure", "gcp" } },
	{ "ubuntu", "22.04", "5.15.0-%d-%s", 25, 3, { "generic", "aws", "azure", "gcp" } },
	{ "debian", "10", "4.19.0-%d-%s", 5, 1, { "amd64", "cloud-amd64" } },
	{ "debian", "11", "5.10.0-%d-%s", 8, 1, { "amd64", "cloud-amd64" } },
	{ "centos", "8", "4.18.0-%d.el8.x86_64%s", 80, 1, { "" } },
	{ "amzn", "2", "4.14.%d-1.amzn2.x86_64%s", 173, 1, { "" } },
};
#define SERIES_CNT (sizeof(series_tab) / sizeof(series_tab[0]))
#define FLAVOUR_IDENTICAL_PCT 30
#define MAX_SHIFT 64		/* bytes a slot may grow over its base */
#define MIN_STRUCT_SIZE 128

/* One place a field can be inserted: before member @member of struct @type_off. */
struct slot {
	size_t type_off;	/* offset of the struct's btf_type in the raw data */
	uint32_t member;	/* member index; == vlen: the struct's tail */
	uint32_t vlen;
	int min_delta;		/* bytes: -(gap before this member in the base) */
};

struct base {
	const char *path;
	void *raw;
	uint32_t raw_sz;
	struct slot *slots;
	size_t slot_cnt;
};

static uint64_t rng_next(uint64_t *s)
{
	/* splitmix64: tiny, deterministic on every platform */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rng_below(uint64_t *s, uint32_t n)
{
	return n ? (uint32_t)(rng_next(s) % n) : 0;
}

static uint32_t member_bit_off(const struct btf_type *t, const struct btf_member *m)
{
	return btf_kflag(t) ? m->offset & 0xffffff : m->offset;
}

/*
 * Collect the insertion points of every reshapeable struct: kind STRUCT,
 * not embedded by value anywhere, members sorted by offset, no bitfields
 * (a bitfield would need its storage unit kept intact).
 */
static int base__scan(struct base *b)
{
	struct btf *btf = btf__new(b->raw, b->raw_sz);
	const void *types;
	uint32_t raw_sz, n, id, i;
	bool *embedded = NULL;
	int err = 0;

	if (!btf)
		return -errno;
	types = btf__raw_data(btf, &raw_sz);
	n = btf__type_cnt(btf);
	embedded = calloc(n, sizeof(*embedded));
	if (!embedded) {
		err = -ENOMEM;
		goto out;
	}
	/* mark what is embedded by value (through typedefs, modifiers, arrays) */
	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_member *m;

		if (!btf_is_composite(t))
			continue;
		m = btf_members(t);
		for (i = 0; i < btf_vlen(t); i++, m++) {
			uint32_t tid = m->type;
			const struct btf_type *e = btf__type_by_id(btf, tid);

			while (e && (btf_is_typedef(e) || btf_is_mod(e) || btf_is_array(e))) {
				tid = btf_is_array(e) ? btf_array(e)->type : e->type;
				e = btf__type_by_id(btf, tid);
			}
			if (e && btf_is_composite(e) && tid < n)
				embedded[tid] = true;
		}
	}
	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_member *m;
		uint32_t vlen = btf_vlen(t), prev_end = 0;
		/*
		 * Small structs and pt_regs are ABI (uapi, tracepoint args,
		 * registers): their layout does not drift between kernels.
		 */
		bool ok = btf_is_struct(t) && !embedded[id] && vlen > 0 &&
			  t->size >= MIN_STRUCT_SIZE &&
			  strcmp(btf__name_by_offset(btf, t->name_off), "pt_regs");
		struct slot *s;
		long sz;

		if (!ok)
			continue;
		m = btf_members(t);
		for (i = 0; i < vlen && ok; i++) {
			uint32_t off = member_bit_off(t, &m[i]);

			if ((btf_kflag(t) && (m[i].offset >> 24)) || off % 8 || off / 8 < prev_end) {
				ok = false;
				break;
			}
			sz = btf__resolve_size(btf, m[i].type);
			if (sz < 0) {
				ok = false;
				break;
			}
			prev_end = off / 8 + sz;
		}
		if (!ok || prev_end > t->size)
			continue;
		s = realloc(b->slots, (b->slot_cnt + vlen + 1) * sizeof(*s));
		if (!s) {
			err = -ENOMEM;
			goto out;
		}
		b->slots = s;
		prev_end = 0;
		for (i = 0; i <= vlen; i++) {
			uint32_t off = i < vlen ? member_bit_off(t, &m[i]) / 8 : t->size;

			s = &b->slots[b->slot_cnt++];
			s->type_off = (const char *)t - (const char *)types;
			s->member = i;
			s->vlen = vlen;
			s->min_delta = -(int)((off - prev_end) / 8 * 8);
			if (i < vlen)
				prev_end = off + btf__resolve_size(btf, m[i].type);
		}
	}
	if (!b->slot_cnt)
		err = -ENOENT;
out:
	free(embedded);
	btf__free(btf);
	return err;
}

/* Apply per-slot byte deltas to a copy of the base and check it parses. */
static int base__render(const struct base *b, const int *delta, void *out)
{
	struct btf *btf;
	size_t i = 0;

	memcpy(out, b->raw, b->raw_sz);
	while (i < b->slot_cnt) {
		struct btf_type *t = (struct btf_type *)((char *)out + b->slots[i].type_off);
		struct btf_member *m = btf_members(t);
		uint32_t vlen = b->slots[i].vlen, j;
		int shift = 0;

		for (j = 0; j <= vlen; j++, i++) {
			shift += delta[i];
			if (j < vlen)
				m[j].offset += shift * 8;	/* no bitfields: plain bit offset */
			else
				t->size += shift;
		}
	}
	btf = btf__new(out, b->raw_sz);
	if (!btf)
		return -errno;
	btf__free(btf);
	return 0;
}

/* Move one random slot of @d by +-8/+-16 bytes within its bounds. */
static void drift(const struct base *b, int *d, uint64_t *rng, bool grow_only)
{
	size_t k = rng_below(rng, b->slot_cnt);
	int step = 8 * (1 + (int)rng_below(rng, 2));

	if (!grow_only && rng_below(rng, 2))
		step = -step;
	if (d[k] + step < b->slots[k].min_delta || d[k] + step > MAX_SHIFT)
		step = -step;
	if (d[k] + step >= b->slots[k].min_delta && d[k] + step <= MAX_SHIFT)
		d[k] += step;
}

static int emit(const char *outdir, const struct series *s, const char *release,
		const void *data, size_t sz)
{
	char path[PATH_MAX];
	int err;

	if (snprintf(path, sizeof(path), "%s/%s/%s/x86_64/%s.btf", outdir, s->distro,
		     s->version, release) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	err = write_file_atomic(path, data, sz);
	if (err)
		pr_err("%s: %s", path, strerror(-err));
	return err;
}

/*
 * Generate @cnt entries of series @si from base @b: release by release, all
 * flavours of a release before the next one.
 */
static int series__generate(const struct series *s, size_t si, const struct base *b,
			    uint32_t cnt, uint64_t seed, const char *outdir)
{
	size_t nflav = 0, f, k;
	int *state = NULL, *flav[4] = { 0 }, *tmp = NULL;
	void *first = NULL, *buf = NULL;
	uint64_t rng = seed ^ (0x5851f42d4c957f2dULL * (si + 1));
	uint32_t done = 0;
	int n, err = 0;
	char release[256];

	while (nflav < 4 && s->flavours[nflav])
		nflav++;
	state = calloc(b->slot_cnt, sizeof(int));
	tmp = calloc(b->slot_cnt, sizeof(int));
	first = malloc(b->raw_sz);
	buf = malloc(b->raw_sz);
	if (!state || !tmp || !first || !buf) {
		err = -ENOMEM;
		goto out;
	}
	/* a flavour's own config: 1-3 fields added for good */
	for (f = 1; f < nflav; f++) {
		int extra = 1 + rng_below(&rng, 3);

		flav[f] = calloc(b->slot_cnt, sizeof(int));
		if (!flav[f]) {
			err = -ENOMEM;
			goto out;
		}
		while (extra--)
			drift(b, flav[f], &rng, true);
	}
	for (n = s->first; done < cnt; n++) {
		/* 0 changes 20%, 1: 40%, 2: 25%, 3: 15% */
		uint32_t r = rng_below(&rng, 100);
		int changes = r < 20 ? 0 : r < 60 ? 1 : r < 85 ? 2 : 3;

		while (changes--)
			drift(b, state, &rng, false);
		for (f = 0; f < nflav && done < cnt; f++, done++) {
			const void *data = buf;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
			/* formats come from series_tab above: "%d" then "%s" */
			snprintf(release, sizeof(release), s->fmt, n, s->flavours[f]);
#pragma GCC diagnostic pop
			if (f == 0 || rng_below(&rng, 100) < FLAVOUR_IDENTICAL_PCT) {
				data = first;
			} else {
				for (k = 0; k < b->slot_cnt; k++) {
					tmp[k] = state[k] + flav[f][k];
					if (tmp[k] > MAX_SHIFT + 32)
						tmp[k] = state[k];
				}
				err = base__render(b, tmp, buf);
			}
			if (f == 0)
				err = base__render(b, state, first);
			if (err) {
				pr_err("%s: replica %s/%s/%s is not valid BTF: %s", b->path,
				       s->distro, s->version, release, strerror(-err));
				goto out;
			}
			err = emit(outdir, s, release, data, b->raw_sz);
			if (err)
				goto out;
		}
	}
out:
	for (f = 0; f < 4; f++)
		free(flav[f]);
	free(state);
	free(tmp);
	free(first);
	free(buf);
	return err;
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: bench-replicate -n COUNT [--seed N] -o OUTDIR BASE.btf...\n"
"\n"
"Write COUNT replicas of the BASE BTFs as OUTDIR/<distro>/<version>/x86_64/<release>.btf,\n"
"in realistic kernel series with drifting struct layouts (deterministic).\n"
"\n"
"  -n, --count N     number of kernels to write\n"
"  -s, --seed N      random seed (default 1)\n"
"  -o, --output DIR  output tree\n"
"  -v, --verbose     more output\n"
"  -h, --help        this help\n"
"  -V, --version     version\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct base *bases = NULL;
	const char *outdir = NULL;
	unsigned long count = 0, seed = 1, total_w = 0, given = 0;
	int opt, verbose = 0, nbase, i, err = 0;
	size_t si;

	log_init("bench-replicate", 0);
	while ((opt = getopt_long(argc, argv, "n:s:o:vhV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n':
		case 's': {
			char *end;

			errno = 0;
			*(opt == 'n' ? &count : &seed) = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg) {
				pr_err("-%c %s: not a number", opt, optarg);
				return 2;
			}
			break;
		}
		case 'o': outdir = optarg; break;
		case 'v': verbose++; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("bench-replicate %s\n", BTFKIT_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	log_init("bench-replicate", verbose);
	libbpf_set_print(log_libbpf_print);
	nbase = argc - optind;
	if (!outdir || !count || nbase < 1) {
		usage(stderr);
		return 2;
	}
	bases = calloc(nbase, sizeof(*bases));
	if (!bases)
		return 1;
	for (i = 0; i < nbase; i++) {
		size_t len;

		bases[i].path = argv[optind + i];
		err = read_file(bases[i].path, &bases[i].raw, &len, 256 << 20);
		err = err ?: (len > UINT32_MAX ? -EFBIG : 0);
		bases[i].raw_sz = len;
		err = err ?: base__scan(&bases[i]);
		if (err) {
			pr_err("%s: cannot use as a base BTF: %s", bases[i].path, strerror(-err));
			goto out;
		}
		pr_info("%s: %zu insertion points", bases[i].path, bases[i].slot_cnt);
	}
	for (si = 0; si < SERIES_CNT; si++)
		total_w += series_tab[si].weight;
	for (si = 0; si < SERIES_CNT && !err; si++) {
		/* proportional share; the last series takes the rounding rest */
		unsigned long cnt = si + 1 < SERIES_CNT ? count * series_tab[si].weight / total_w
							: count - given;

		given += cnt;
		if (cnt)
			err = series__generate(&series_tab[si], si, &bases[si % nbase], cnt, seed,
					       outdir);
	}
out:
	for (i = 0; bases && i < nbase; i++) {
		free(bases[i].raw);
		free(bases[i].slots);
	}
	free(bases);
	return err ? 1 : 0;
}
