// SPDX-License-Identifier: BSD-2-Clause
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <lzma.h>
#include <bpf/libbpf.h>

#include "errmsg.h"

const char *errmsg(int err)
{
	static __thread char buf[128];

	if (err < 0)
		err = -err;
	switch (err) {
	case 0: return "success";
	case EILSEQ: return "checksum mismatch";
	case EBADMSG: return "corrupt, or not in the expected format";
	case EPROTO: return "unsupported format version";
	case ESTALE: return "bundle reduced against another BPF object";
	case ENOMSG: return "BPF object without BTF (.BTF section)";
	case EFBIG: return "over the size limit";
	case ESPIPE: return "not a regular file";
	}
	if (err >= __LIBBPF_ERRNO__START && err < __LIBBPF_ERRNO__END) {
		if (libbpf_strerror(err, buf, sizeof(buf)))
			snprintf(buf, sizeof(buf), "libbpf error %d", err);
		return buf;
	}
	/* strerror_r (GNU) may return a static string instead of filling buf. */
	return strerror_r(err, buf, sizeof(buf));
}

int errmsg__lzma(int lzma_ret)
{
	switch (lzma_ret) {
	case LZMA_OK:
	case LZMA_STREAM_END:
		return 0;
	case LZMA_MEM_ERROR:
		return -ENOMEM;
	case LZMA_MEMLIMIT_ERROR:
		return -EFBIG;
	case LZMA_UNSUPPORTED_CHECK:
		return -ENOTSUP;
	case LZMA_PROG_ERROR:
		return -EINVAL;
	default:	/* FORMAT, OPTIONS, DATA, BUF: the stream is not what it claims */
		return -EBADMSG;
	}
}
