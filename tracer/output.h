/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Decoding and printing of coretrace events: one JSON object per line
 * (jansson) or an aligned table. Output goes to stdout, line-buffered, so a
 * reader of a pipe sees each event as it happens.
 */
#ifndef CORETRACE_OUTPUT_H
#define CORETRACE_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "transport.h"

/* Name of an event type ("exec", ...), NULL if unknown. */
const char *ct_event__name(uint32_t type);
/* Parse "exec,open,..." into a CT_EV_BIT mask. 0 or -EINVAL. */
int ct_event__parse_mask(const char *list, uint32_t *mask);
/*
 * Validate a raw ring-buffer record: 0 if it holds a whole event of a known
 * type, -EBADMSG otherwise. Callers check this before reading any field.
 */
int ct_event__check(const void *data, size_t size);

struct output;

/* @json: JSON lines, else a table. NULL + errno on error; free with output__free(). */
struct output *output__new(FILE *fp, bool json);
void output__free(struct output *o);
/*
 * Print one event (already checked with ct_event__check()). 0 or the write
 * error as -errno (-EPIPE: the reader went away; -ENOSPC, -EIO: events are
 * being lost). The first error sticks: every later call returns it.
 */
int output__event(struct output *o, const void *data, size_t size);
/* The first write error (-errno), or 0. */
int output__error(const struct output *o);
/*
 * Final line: events seen, lost (per type in @lost, indexed by type, as the
 * BPF side counted them; @lost_total in all, which the perf buffer's reader
 * may know better), the transport and the BTF. Flushes the output; returns
 * the first write error (-errno) or 0.
 */
int output__summary(struct output *o, unsigned long long events,
		    const unsigned long long *lost, int lost_cnt, unsigned long long lost_total,
		    enum ct_transport t, const char *btf_desc);

#endif
