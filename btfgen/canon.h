/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * canon: the canonical form of a reduced BTF, so that two kernels whose
 * reduced type graphs are the same give the same bytes (one blob per layout
 * in a bundle).
 *
 * bpftool numbers a reduced BTF's types in the order the kernel's BTF had
 * them, and that order moves from release to release while the layout the
 * BPF objects see does not. The canonical form renumbers the types by a rule
 * that looks only at the type graph, never at a type ID:
 *
 *   1. Each type gets a structural hash: its own content (kind, flags, vlen,
 *      name, size, member names and bit offsets, enum values, array length,
 *      int encoding, ...) refined by its referenced types' hashes, in order,
 *      until the partition of types into hash classes stops splitting
 *      (colour refinement), or for 64 rounds at most. Two types with the
 *      same final hash unfold into the same tree of content (to that depth).
 *   2. Roots, in this order: named types by (name, kind, hash), then
 *      anonymous ones by (kind, hash).
 *   3. IDs are handed out by a depth-first pre-order walk from each root
 *      not yet numbered, following each type's references in their own order
 *      (pointee, array element then index, members, return then parameters).
 *   4. The BTF is rebuilt with libbpf's btf__add_*() in that order (same
 *      endianness), and checked: every type must have its own content and
 *      its references renumbered, nothing else changed. The string section
 *      holds each name once, in order of first use by the types so ordered
 *      (a type's name, then its members', enumerators' or parameters').
 *
 * Types of one hash class that are also tied on name and kind are the same
 * structure; the only order left between them is the input's, which is
 * deterministic and does not change what any reference resolves to.
 */
#ifndef BTFGEN_CANON_H
#define BTFGEN_CANON_H

#include <stdint.h>
#include <bpf/btf.h>

/*
 * The rule's version. Outputs of another version are different bytes, so
 * it is part of btfgen's cache key: change it whenever the rule changes.
 */
#define CANON_VERSION 1

/*
 * A new BTF with @src's types in canonical form; @src (no base BTF) is not
 * changed. The caller frees the result with btf__free(). Returns NULL with
 * errno set: EOPNOTSUPP for a kind it does not know, EPROTO if the rebuilt
 * BTF would not be @src renumbered (a libbpf adder that cannot express a
 * type), ENOMEM, or libbpf's error. Thread-safe (no shared state).
 */
struct btf *canon__btf(const struct btf *src);

/*
 * @src with its types renumbered by @order, a permutation of 0..n-1 with
 * order[0] = 0 (n = btf__type_cnt(src)): the type @src numbers order[i]
 * becomes type i. Strings as in the canonical form. Rebuilt and checked as
 * canon__btf() does (the tests shuffle a BTF with it: its canonical form
 * must not change). Returns NULL with errno set: EINVAL if @order is not
 * such a permutation, else as canon__btf().
 */
struct btf *canon__renumber(const struct btf *src, const uint32_t *order);

/*
 * Rewrite the BTF file at @path (the caller's private file: written in
 * place, not replaced) in canonical form. Returns 0 or a negative errno
 * (as canon__btf(), or from parsing, reading or writing @path).
 */
int canon__file(const char *path);

#endif
