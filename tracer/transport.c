// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "coretrace.skel.h"
#include "transport.h"

static const char *const names[] = {
	[CT_TRANSPORT_AUTO] = "auto",
	[CT_TRANSPORT_RINGBUF] = "ring buffer",
	[CT_TRANSPORT_PERF] = "perf buffer",
};
static const char *const ids[] = {
	[CT_TRANSPORT_AUTO] = "auto",
	[CT_TRANSPORT_RINGBUF] = "ringbuf",
	[CT_TRANSPORT_PERF] = "perf",
};

int transport__parse(const char *s, enum ct_transport *t)
{
	unsigned int i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		if (!strcmp(s, ids[i])) {
			*t = i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *transport__name(enum ct_transport t)
{
	return t <= CT_TRANSPORT_PERF ? names[t] : "?";
}

const char *transport__id(enum ct_transport t)
{
	return t <= CT_TRANSPORT_PERF ? ids[t] : "?";
}

int transport__resolve(enum ct_transport want, enum ct_transport *out)
{
	int ret;

	if (want == CT_TRANSPORT_PERF) {
		*out = want;
		return 0;
	}
	/* 1: the kernel created a ring buffer; 0: it does not know the type. */
	ret = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL);
	if (ret > 0) {
		*out = CT_TRANSPORT_RINGBUF;
		return 0;
	}
	if (want == CT_TRANSPORT_RINGBUF)
		return ret < 0 ? ret : -EOPNOTSUPP;
	*out = CT_TRANSPORT_PERF;
	return 0;
}

struct ct_reader {
	enum ct_transport t;
	struct ring_buffer *rb;
	struct perf_buffer *pb;
	ct_record_fn fn;
	void *ctx;
	int cb_err;		/* perf: the callback's first error, which stops delivery */
	unsigned long long lost;
};

static int rb_sample(void *ctx, void *data, size_t size)
{
	struct ct_reader *r = ctx;

	return r->fn(r->ctx, data, size);
}

static void perf_sample(void *ctx, int cpu, void *data, __u32 size)
{
	struct ct_reader *r = ctx;

	(void)cpu;
	if (!r->cb_err)
		r->cb_err = r->fn(r->ctx, data, size);
}

static void perf_lost(void *ctx, int cpu, __u64 cnt)
{
	struct ct_reader *r = ctx;

	(void)cpu;
	r->lost += cnt;
}

/* Pages per CPU: a power of two (perf_buffer's rule), at least one. */
static size_t perf_pages(unsigned int buffer_kb)
{
	long page = sysconf(_SC_PAGESIZE);
	int ncpu = libbpf_num_possible_cpus();
	size_t want, pages = 1;

	if (page <= 0)
		page = 4096;
	if (ncpu <= 0)
		ncpu = 1;
	want = (size_t)buffer_kb * 1024 / ncpu / page;
	while (pages * 2 <= want)
		pages *= 2;
	return pages;
}

struct ct_reader *reader__new(struct coretrace *skel, enum ct_transport t, unsigned int buffer_kb,
			      ct_record_fn fn, void *ctx)
{
	struct ct_reader *r = calloc(1, sizeof(*r));
	int err;

	if (!r)
		return NULL;
	r->t = t;
	r->fn = fn;
	r->ctx = ctx;
	if (t == CT_TRANSPORT_RINGBUF)
		r->rb = ring_buffer__new(bpf_map__fd(skel->maps.events), rb_sample, r, NULL);
	else
		r->pb = perf_buffer__new(bpf_map__fd(skel->maps.perf_events), perf_pages(buffer_kb),
					 perf_sample, perf_lost, r, NULL);
	if (!r->rb && !r->pb) {
		err = errno;
		free(r);
		errno = err;
		return NULL;
	}
	return r;
}

void reader__set_callback(struct ct_reader *r, ct_record_fn fn, void *ctx)
{
	r->fn = fn;
	r->ctx = ctx;
	r->cb_err = 0;
}

static int perf_result(struct ct_reader *r, int ret)
{
	if (r->cb_err)
		return r->cb_err;
	return ret;
}

int reader__poll(struct ct_reader *r, int timeout_ms)
{
	if (r->rb)
		return ring_buffer__poll(r->rb, timeout_ms);
	return perf_result(r, perf_buffer__poll(r->pb, timeout_ms));
}

int reader__consume(struct ct_reader *r)
{
	if (r->rb)
		return ring_buffer__consume(r->rb);
	return perf_result(r, perf_buffer__consume(r->pb));
}

unsigned long long reader__lost(const struct ct_reader *r)
{
	return r->lost;
}

void reader__free(struct ct_reader *r)
{
	if (!r)
		return;
	ring_buffer__free(r->rb);
	perf_buffer__free(r->pb);
	free(r);
}
