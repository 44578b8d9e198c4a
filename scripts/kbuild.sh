#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make module`: build kmod/hlb.ko with the kernel's kbuild, with every
# file kbuild writes under build/kbuild, none in the repository's tree.
#
#   kbuild.sh KDIR [KBUILD-ARGUMENTS...]
#
# kbuild writes objects, .cmd files, modules.order and Module.symvers next
# to the sources of the directory M= names (6.1 has no MO=). So M= is
# build/kbuild, a mirror of the module's sources made of relative symlinks
# (Kbuild, VERSION, include/, kmod/Kbuild, kmod/*.[ch], kmod/core/*.[ch]),
# brought up to date on every run: a file added to kmod/ gets its link, a
# link whose source went away is removed. The module is then copied to
# kmod/hlb.ko, where the tests, the VM runner and make install take it.
#
# M= cannot contain a space. When the repository's path has one, kbuild
# gets a space-free symlink to build/kbuild in a new temporary directory,
# removed afterwards (kbuild then recompiles everything: the paths it
# recorded have changed).
#
# Variables on make's command line (W=1, WERROR=1, C=1 CHECK=...) reach
# kbuild through MAKEFLAGS.
#
# $HLB_KBUILD_NAME names another directory of build/ than kbuild, and the
# module then stays there: `make style` builds for other architectures
# (ARCH=, CROSS_COMPILE=) in build/kbuild-ARCH without touching the host's
# build or kmod/hlb.ko. (One level under build/: the links are relative.)
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
KDIR=${1:?usage: kbuild.sh KDIR [KBUILD-ARGUMENTS...]}
shift
OUT=$TOP/build/${HLB_KBUILD_NAME:-kbuild}
MAKE=${MAKE:-make}

[[ -f $KDIR/Makefile ]] || {
	echo "kbuild.sh: no kernel build tree at $KDIR (make deps, or KDIR=)" >&2
	exit 1
}

# link SRC: $OUT/SRC points to $TOP/SRC, relative to where it is.
link() {
	local src=$1 up=../.. d=$1

	while [[ $d == */* ]]; do
		d=${d#*/}
		up=$up/..
	done
	mkdir -p "$OUT/$(dirname "$src")"
	[[ $(readlink "$OUT/$src" 2>/dev/null) == "$up/$src" ]] ||
		ln -sfn "$up/$src" "$OUT/$src"
}

mkdir -p "$OUT"
find "$OUT" -xtype l -delete
cd "$TOP"
for f in Kbuild VERSION include kmod/Kbuild kmod/*.[ch] kmod/core/*.[ch]; do
	# Not kbuild's own output (from a build in the tree before this one).
	[[ $f != *.mod.c && -e $f ]] || continue
	link "$f"
done

m=$OUT tmp=
if [[ $OUT == *[[:space:]]* ]]; then
	tmp=$(mktemp -d /tmp/hlb-kbuild.XXXXXX)
	trap 'rm -rf "$tmp"' EXIT
	ln -s "$OUT" "$tmp/kbuild"
	m=$tmp/kbuild
fi
$MAKE -C "$KDIR" M="$m" "$@" modules
[[ -n ${HLB_KBUILD_NAME:-} ]] ||
	cmp -s "$OUT/kmod/hlb.ko" kmod/hlb.ko || cp "$OUT/kmod/hlb.ko" kmod/hlb.ko
