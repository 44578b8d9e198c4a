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
# as it is.
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
	for f in Kbuild VERSION kmod/Kbuild include/uapi/linux/hlb.h \
		kmod/*.[ch] kmod/core/*.[ch]; do
		[[ $f != *.mod.c ]] || continue
		cmp -s "$f" "$OUT/$f" || cp -p --parents "$f" "$OUT/"
	done
)
flock "$OUT/.lock" make -s -C "$KERNEL/build" M="$OUT" W="${W:-1}" WERROR=1 \
	modules

# no5lvl: with the 5-level page tables of QEMU's "-cpu max", KASAN reports
# a wild access in the kernel's own early boot. kasan_multi_shot: every
# report, not only the first. slub_debug=A: failslab may fail hlb's
# session caches (hlb_failslab.sh; 6.1's sysfs no longer sets that).
# The debug kernel under TCG is about ten times slower in the kernel:
# the scale test gets a tenth of its configuration, and the tests that
# drive a load at a rate scale it by HLB_SLOW (lib.sh; a python load
# generator spends most of its time in userspace, as fast as on Debian's
# kernel, so a third of the rate is enough; testing.rst has the details).
export HLB_KO=$OUT/kmod/hlb.ko
export HLB_SCALE_SERVICES=${HLB_SCALE_SERVICES:-1000}
export HLB_SLOW=${HLB_SLOW:-3}
exec bash "$TOP/selftests/check.sh" --vm-only \
	--log "${HLB_BUILD:-$TOP/build}/check-debug.log" -- \
	-k "$KERNEL/bzImage" --no-pvh --modules "$KERNEL/modules" --kmemleak \
	-a no5lvl -a kasan_multi_shot -a slub_debug=A,hlb_session4,hlb_session6 \
	-t "${HLB_VM_TIMEOUT:-4800}"
