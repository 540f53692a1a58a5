/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * How events travel from the BPF programs to coretrace: the BPF ring buffer
 * (Linux 5.8+) or, on older kernels, a per-CPU perf event array (4.3+).
 * "auto" asks the kernel (libbpf's map-type probe), never its version
 * string, which backports make meaningless. A reader hides the difference:
 * the same records reach the same callback either way.
 */
#ifndef CORETRACE_TRANSPORT_H
#define CORETRACE_TRANSPORT_H

#include <stddef.h>

enum ct_transport {
	CT_TRANSPORT_AUTO,
	CT_TRANSPORT_RINGBUF,
	CT_TRANSPORT_PERF,
};

/* "auto", "ringbuf" or "perf". 0 or -EINVAL. */
int transport__parse(const char *s, enum ct_transport *t);
/* "ring buffer", "perf buffer" (or "auto"). */
const char *transport__name(enum ct_transport t);
/* Short, stable name for JSON: "ringbuf", "perf". */
const char *transport__id(enum ct_transport t);
/*
 * Resolve @want (AUTO: the ring buffer if the kernel can create one, else
 * the perf buffer). A forced RINGBUF on a kernel without it is -EOPNOTSUPP.
 */
int transport__resolve(enum ct_transport want, enum ct_transport *out);

struct coretrace;
struct ct_reader;

/* Called once per record; a non-zero return stops the reader (see poll). */
typedef int (*ct_record_fn)(void *ctx, void *data, size_t size);

/*
 * A reader of @skel's events over @t (resolved, not AUTO). @buffer_kb is
 * the ring buffer's size, or the perf buffers' total over all CPUs (each
 * CPU gets a power-of-two number of pages, at least one). NULL + errno.
 */
struct ct_reader *reader__new(struct coretrace *skel, enum ct_transport t, unsigned int buffer_kb,
			      ct_record_fn fn, void *ctx);
/* Deliver the next records to @fn instead (the self-check, then the trace). */
void reader__set_callback(struct ct_reader *r, ct_record_fn fn, void *ctx);
/* Wait up to @timeout_ms and deliver. >= 0, or -errno, or the callback's error. */
int reader__poll(struct ct_reader *r, int timeout_ms);
/* Deliver what is already there, without waiting. Same returns as poll. */
int reader__consume(struct ct_reader *r);
/*
 * Records the kernel dropped and said so to the reader (perf buffer's
 * PERF_RECORD_LOST; always 0 for the ring buffer, whose losses only the
 * BPF side sees).
 */
unsigned long long reader__lost(const struct ct_reader *r);
void reader__free(struct ct_reader *r);

#endif
