#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make style`: checkpatch.pl --strict over the module, sparse over its
# build, the layering of Documentation/design.rst over its objects
# (scripts/layering.py), and the netlink API's spec against the uapi
# header and Documentation/netlink.rst (scripts/netlink_check.py). All come
# from the Debian kernel source and packages `make deps` installs.
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
exit $status
