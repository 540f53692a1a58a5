#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Seeds for fuzz_apt (run-fuzz.sh calls it with the seed directory): one
# input per parser, first byte 0 (deb822), 1 (Release / InRelease) or 2
# (Packages, plain and xz).
set -eu
dir=$1
hex=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
pkgs="Package: linux-image-6.1.0-1-amd64
Version: 6.1.1-1
Architecture: amd64
Filename: pool/main/l/linux/linux-image-6.1.0-1-amd64_6.1.1-1_amd64.deb
Size: 42
SHA256: $hex
Description: a kernel
 continued
 .

Package: linux-image-amd64
Version: 1
"
release="Origin: Debian
Suite: stable
Codename: bookworm
SHA256:
 $hex 42 main/binary-amd64/Packages.xz
 $hex 99 main/binary-amd64/Packages
"
{ printf '\000'; printf '%s' "$pkgs"; } > "$dir/deb822"
{ printf '\001'; printf '%s' "$release"; } > "$dir/release"
{ printf '\001-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n%s- -dash\n-----BEGIN PGP SIGNATURE-----\n\nabc\n-----END PGP SIGNATURE-----\n' "$release"; } > "$dir/inrelease"
{ printf '\002'; printf '%s' "$pkgs"; } > "$dir/packages"
{ printf '\002'; printf '%s' "$pkgs" | xz -c; } > "$dir/packages-xz"
{ printf '\002'; printf '%s' "$pkgs" | gzip -nc; } > "$dir/packages-gz"
