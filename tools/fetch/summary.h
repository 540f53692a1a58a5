/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * End-of-run report: one error line per failed kernel (stderr), and either a
 * one-line count summary or, with --json, a JSON document on stdout:
 *
 *   { "fetched": N, "cached": N, "failed": N, "bytes_transferred": N,
 *     "kernels": [ { "name", "distro", "version", "arch", "release", "status",
 *                    "url", "output", "sha256", "bytes", "error" }, ... ] }
 *
 * Kernels appear in selection order; absent values are omitted.
 */
#ifndef BTFHUB_FETCH_SUMMARY_H
#define BTFHUB_FETCH_SUMMARY_H

#include <stdbool.h>

#include "kernel.h"

struct summary_counts {
	size_t fetched, cached, failed;
	uint64_t bytes;
};

void summary__count(const struct kernel_list *l, struct summary_counts *c);
/* Print the error lines and the summary. Returns 0 or a negative errno. */
int summary__print(const struct kernel_list *l, bool json, bool quiet);
/*
 * --list: the selected kernels with their archive sizes, as a table
 * ("SIZE  KERNEL", "-" for a size the listing did not give) or as JSON:
 *   { "count": N, "bytes": N, "kernels": [ { "name", "distro", "version",
 *     "arch", "release", "size"?, "sha256"? }, ... ] }
 * "bytes" sums the known sizes. The document is written one kernel at a
 * time (memory does not grow with the selection beyond the list itself):
 * on a failure, stdout may hold part of it. Returns 0 or a negative errno.
 */
int summary__list(const struct kernel_list *l, bool json);
/* With --json, errors that stop the run early still leave parseable stdout. */
void summary__json_error(const char *msg);

#endif
