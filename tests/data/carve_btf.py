#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Carve a kernel's raw BTF out of an image with no ELF sections (the arm64
Image Debian ships as vmlinuz): the first BTF header (magic 0xeB9F, version
1) whose sections fit in the data and whose string section is NUL-delimited;
the BTF is hdr_len + max(type_off + type_len, str_off + str_len) bytes.
Used by make-fixtures.sh and tests/vm/vmtest.py.

  carve_btf.py IMAGE OUT.btf      exit 1 if no BTF is found
"""
import struct
import sys

MAGIC = b'\x9f\xeb\x01'


def carve(data):
    """The raw BTF bytes in @data, or None."""
    i = data.find(MAGIC)
    while i >= 0:
        if i + 24 <= len(data):
            hdr_len, type_off, type_len, str_off, str_len = struct.unpack_from('<5I', data, i + 4)
            end = hdr_len + max(type_off + type_len, str_off + str_len)
            s = i + hdr_len + str_off
            if (hdr_len >= 24 and str_len > 0 and i + end <= len(data) and
                    data[s] == 0 and data[s + str_len - 1] == 0):
                return data[i:i + end]
        i = data.find(MAGIC, i + 1)
    return None


def main():
    if len(sys.argv) != 3:
        sys.exit('usage: carve_btf.py IMAGE OUT.btf')
    with open(sys.argv[1], 'rb') as f:
        btf = carve(f.read())
    if btf is None:
        return 1
    with open(sys.argv[2], 'wb') as f:
        f.write(btf)
    return 0


if __name__ == '__main__':
    sys.exit(main())
