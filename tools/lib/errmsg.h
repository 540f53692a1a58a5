/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The one translation of error codes into words, for every message btfkit
 * prints. Besides errno it knows libbpf's own codes (LIBBPF_ERRNO__*, 4000
 * and up, which strerror() calls "Unknown error 4001") and the meaning some
 * errnos have throughout btfkit, where the C library's text misleads:
 *   EILSEQ   a checksum mismatch (not "multibyte or wide character")
 *   EBADMSG  corrupt, or not in the expected format
 *   EPROTO   an unsupported format version
 *   ESTALE   a bundle reduced against another BPF object
 *   ENOMSG   a BPF object without BTF (no .BTF section)
 *   EFBIG    over a size limit
 *   ESPIPE   not a regular file (a FIFO, device or socket was given)
 * liblzma's status codes become errnos through errmsg__lzma(), so they reach
 * the user through the same words.
 */
#ifndef BTFKIT_ERRMSG_H
#define BTFKIT_ERRMSG_H

/*
 * Text for @err, a negative (or positive) errno or libbpf code. Returns a
 * static string, or a thread-local buffer for libbpf codes and unknown
 * errnos (valid until the next call in the same thread).
 */
const char *errmsg(int err);

/* A liblzma lzma_ret as a negative errno (0 for LZMA_OK/LZMA_STREAM_END). */
int errmsg__lzma(int lzma_ret);

#endif
