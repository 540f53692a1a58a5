/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Small but real BTFs for the bundle tests and the fuzzer's seed corpus,
 * built with libbpf's BTF writer API. Shared by tests/bundle and tests/fuzz.
 */
#ifndef BTFKIT_TEST_BTF_FIXTURES_H
#define BTFKIT_TEST_BTF_FIXTURES_H

#include <stddef.h>

/*
 * Raw BTF bytes of kernel "variant" @v (malloc()ed, caller frees). The same
 * @v always gives byte-identical BTF; neighbouring variants differ in a few
 * struct sizes and member offsets, like reduced BTFs of consecutive kernels.
 * Returns 0 or a negative errno.
 */
int fixture_btf(unsigned int v, void **data, size_t *len);

#endif
