#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms.conf works: `make dkms DESTDIR=...` copies the module's sources, and
# `dkms install` builds, signs and installs hlb.ko from them for the kernel
# the tests boot, all in a temporary directory (--sourcetree, --dkmstree,
# --installtree, --no-depmod, a throwaway signing key): nothing outside it
# changes. The module installed has the version of the file VERSION (which
# dkms.conf is made with) and the kernel's vermagic.
#
# TAP output; exit 0 if every test passed, 1 if one failed, 4 (skip) without
# dkms or the kernel's headers. Runs on the host; root (dkms insists).

set -u

TOP=$(cd "$(dirname "$0")/.." && pwd)
KVER=${KVER:-$(find /boot -maxdepth 1 -name 'vmlinuz-*' -printf '%f\n' |
	       sed 's/^vmlinuz-//' | sort -V | tail -n1)}
KSRC=/lib/modules/$KVER/build

skip() {
	echo "1..0 # SKIP $*"
	exit 4
}

command -v dkms >/dev/null || skip "dkms not installed (make deps)"
[[ -n $KVER && -d $KSRC ]] || skip "no headers for kernel ${KVER:-?} at $KSRC"
[[ $(id -u) == 0 ]] || skip "dkms wants root"

source "$(dirname "$0")/../tools/hlb/tests/tap.sh"
# check DESC CMD...: CMD's output is shown only if it fails.
check() {
	local desc=$1

	shift
	if "$@" >"$TMP/out" 2>&1; then
		ok "$desc"
	else
		not_ok "$desc" "$(tail -n 20 "$TMP/out")"
	fi
}

echo "TAP version 13"
version=$(<"$TOP/VERSION")
src=$TMP/root/usr/src
check "make dkms DESTDIR=... copies the sources" \
	make -s -C "$TOP" dkms DESTDIR="$TMP/root"
check "sources for dkms in hlb-$version" \
	test -f "$src/hlb-$version/dkms.conf" -a -f "$src/hlb-$version/kmod/main.c"
check "dkms.conf has PACKAGE_VERSION=\"$version\"" \
	grep -qx "PACKAGE_VERSION=\"$version\"" "$src/hlb-$version/dkms.conf"
check "nothing built is copied" \
	test -z "$(find "$src" -name '*.o' -o -name '*.ko' -o -name '*.mod.c')"

mkdir -p "$TMP/tree" "$TMP/inst/$KVER"
# Read by dkms' signing step instead of /var/lib/dkms/mok.*.
export mok_signing_key=$TMP/mok.key mok_certificate=$TMP/mok.pub
check "dkms install hlb/$version -k $KVER" \
	dkms install "hlb/$version" -k "$KVER" --kernelsourcedir "$KSRC" \
		--sourcetree "$src" --dkmstree "$TMP/tree" \
		--installtree "$TMP/inst" --no-depmod
ko=$TMP/inst/$KVER/updates/dkms/hlb.ko
if [[ -f $ko ]]; then
	ok "installed in updates/dkms"
	check "its version is $version" \
		test "$(modinfo -F version "$ko")" == "$version"
	check "built for $KVER" \
		test "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" == "$KVER"
else
	not_ok "installed in updates/dkms" "$(find "$TMP/inst" -type f)" \
		"$(cat "$TMP/tree/hlb/$version/$KVER/"*/log/make.log 2>/dev/null |
		   tail -n 20)"
fi

echo "1..$n"
[[ $failed -eq 0 ]]
