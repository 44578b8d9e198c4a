#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make style`: checkpatch.pl --strict over the module, sparse over its
# build, the layering of Documentation/design.rst over its objects
# (scripts/layering.py), and the netlink API's spec against the uapi
# header and Documentation/netlink.rst (scripts/netlink_check.py). All come
# from the Debian kernel source and packages `make deps` installs.
#
# Then the module is built for i386 and arm64 with Debian's cross compilers
# (`scripts/deps.sh style` installs them), W=1 and warnings as errors,
# against a small kernel of each built once and cached
# (tools/cross-kernel/build): what the kernel's build bots would flag, a
# 64-bit division that needs libgcc on 32-bit, an atomic of a size an
# architecture lacks, a long that is 32 bits there, fails here first.
# HLB_STYLE_CROSS=0 leaves them out.
set -euo pipefail
cd "$(dirname "$0")/.."

CHECKPATCH=/usr/src/linux-source-6.1/scripts/checkpatch.pl
status=0

mapfile -t files < <(git ls-files -co --exclude-standard \
	':(glob)kmod/*.[ch]' ':(glob)kmod/core/*.[ch]' ':(glob)include/uapi/linux/*.h')
echo "checkpatch --strict: ${#files[@]} files"
# The tree is not the kernel's: no MAINTAINERS, no in-tree checks.
perl "$CHECKPATCH" --strict --no-tree --terse --show-types \
	--ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG \
	-f "${files[@]}" || status=1

echo "netlink spec:"
python3 scripts/netlink_check.py || status=1

echo "sparse:"
touch kmod/*.c kmod/core/*.c
out=$(make -s module C=1 CHECK="sparse -Wno-decl" 2>&1) || status=1
if grep -E 'warning|error' <<<"$out"; then
	status=1
fi

# The objects sparse's build left: which file calls which.
python3 scripts/layering.py Documentation/design.rst build/kbuild/kmod ||
	status=1

# modpost's errors (an unresolved symbol) fail the build; any compiler or
# modpost warning fails the check.
cross_build() {
	local arch=$1 dir out

	dir=$(tools/cross-kernel/build "$arch") || return 1
	out=$(HLB_KBUILD_NAME=kbuild-$arch bash scripts/kbuild.sh \
		"$dir/build" -s ARCH="$arch" \
		CROSS_COMPILE="$(tools/cross-kernel/build "$arch" --cross)" \
		W=1 WERROR=1 2>&1) || {
		printf '%s\n' "$out"
		return 1
	}
	if grep -E -i 'warning|error' <<<"$out"; then
		return 1
	fi
	file -b "build/kbuild-$arch/kmod/hlb.ko" | cut -d, -f1-2
}

if [[ ${HLB_STYLE_CROSS:-1} != 0 ]]; then
	for arch in i386 arm64; do
		echo "cross build, $arch:"
		cross_build "$arch" || status=1
	done
fi
exit $status
