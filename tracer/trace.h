/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Tracing: check the environment, choose the BTF, load and attach, run the
 * self-check, then print events until --duration, --count or a signal, and
 * end with a summary of events seen and lost.
 */
#ifndef CORETRACE_TRACE_H
#define CORETRACE_TRACE_H

#include "config.h"

/* Returns the process exit code; every error is printed once, as one line. */
int trace__run(const struct ct_config *cfg);

#endif
