#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check-debug`: every selftest in one VM boot on the debug kernel
# (tools/debug-kernel/build: KASAN, UBSAN, lockdep, DEBUG_OBJECTS,
# kmemleak...), with a kmemleak scan after the suite. Any kernel report
# fails it, as does any test. Output as selftests/check.sh's.
#
# hlb.ko is built against the debug kernel's tree from a copy of the
# module's sources in build/debug/, so kmod/hlb.ko (Debian's kernel) stays
# as it is. HLB_SLOW=1 tells the tests that they run on a slow kernel.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
# The guest sees the repository only: the module must be built inside it.
OUT=$TOP/build/debug

KERNEL=$("$TOP/tools/debug-kernel/build")

# Copy the sources that changed, keeping their times, so that kbuild
# rebuilds only what it has to.
mkdir -p "$OUT"
(
	cd "$TOP"
	for f in Kbuild kmod/Kbuild include/uapi/linux/hlb.h \
		kmod/*.[ch] kmod/core/*.[ch]; do
		[[ $f != *.mod.c ]] || continue
		cmp -s "$f" "$OUT/$f" || cp -p --parents "$f" "$OUT/"
	done
)
flock "$OUT/.lock" make -s -C "$KERNEL/build" M="$OUT" W="${W:-1}" modules

export HLB_KO=$OUT/kmod/hlb.ko HLB_SLOW=1
exec bash "$TOP/selftests/check.sh" --vm-only \
	--log "${HLB_BUILD:-$TOP/build}/check-debug.log" -- \
	-k "$KERNEL/bzImage" --no-pvh --modules "$KERNEL/modules" --kmemleak \
	-t "${HLB_VM_TIMEOUT:-4800}"
