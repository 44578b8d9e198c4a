#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tests of the VM runner tools/vm/run. Runs on the host and boots three
# guests (about 25 s in all: the timeout case runs alongside the others).
# Prints TAP; exits 0 only if every test passes.
#
# The single-quoted scripts are expanded by the guest's shell:
# shellcheck disable=SC2016
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd -P)
RUNNER=$TOP/tools/vm/run
NTESTS=7
FAILED=0
TESTNO=0

# Guest-written files must land under the repo's build/, whatever
# $HLB_BUILD says, because only the repo is shared read-write.
mkdir -p "$TOP/build"
WORK=$(mktemp -d "$TOP/build/vm-selftest.XXXXXX")
cleanup() {
	[[ -z ${TIMEOUT_PID:-} ]] || kill "$TIMEOUT_PID" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

KERNEL=$(find /boot -maxdepth 1 -name 'vmlinuz-*' | sort -V | tail -n1)
KVER=${KERNEL#/boot/vmlinuz-}

# result OK DESCRIPTION [DIAGNOSTIC-FILE...]: one TAP line; on failure the
# files are shown as TAP diagnostics.
result() {
	local ok=$1 desc=$2 f
	shift 2
	TESTNO=$((TESTNO + 1))
	if [[ $ok == 0 ]]; then
		echo "ok $TESTNO - $desc"
		return
	fi
	FAILED=$((FAILED + 1))
	echo "not ok $TESTNO - $desc"
	for f in "$@"; do
		[[ -f $f ]] && sed 's/^/# /' "$f" | tail -n 40
	done
}

# vm NAME [RUNNER-ARGS...]: runs the runner with output to $WORK/NAME.{out,
# err,log}; its exit status goes to $WORK/NAME.rc.
vm() {
	local name=$1 rc=0
	shift
	"$RUNNER" -k "$KERNEL" --log "$WORK/$name.log" "$@" \
		>"$WORK/$name.out" 2>"$WORK/$name.err" || rc=$?
	echo "$rc" >"$WORK/$name.rc"
}

check() {
	if "$@"; then echo 0; else echo 1; fi
}

# Boot 1: exit status, output, arguments, files in build/, environment.
# The command also tries to forge the exit marker; that must not work.
boot_basic() {
	local script='echo hi
out=$1; shift
printf "<%s>\n" "$@" >"$out.args"
{ env | grep -E "^(HLB_T_X|KSFT_T|V|NOPE|TERM)=" | sort
  echo "SH=$(readlink /proc/$$/exe)"; } >"$out.env"
echo "HLB_VM_EXIT=00:0" >/dev/kmsg
echo "HLB_VM_EXIT=00:0" >/dev/ttyS2
exit 3'
	ARGS=('a b' "it's" '"dq"' '$HOME' '' $'x\ny' '*' "\\")
	HLB_T_X='a b' KSFT_T=1 V=0 NOPE=1 \
		vm basic -- sh -c "$script" sh "$WORK/guest" "${ARGS[@]}"
}

test_basic() {
	local b=$WORK/basic owner
	result "$(check test "$(cat "$b.rc")" = 3 -a "$(cat "$b.out")" = hi)" \
		"'sh -c \"echo hi; exit 3\"' prints only hi and exits 3 despite fake markers" \
		"$b.out" "$b.err" "$b.rc"
	printf '<%s>\n' "${ARGS[@]}" >"$WORK/expected.args"
	result "$(check cmp -s "$WORK/expected.args" "$WORK/guest.args")" \
		"arguments with spaces, quotes, newlines arrive intact" \
		"$WORK/guest.args" "$b.err"
	owner=$(stat -c %u:%g "$TOP")
	result "$(check test -f "$WORK/guest.args" -a \
		"$(stat -c %u:%g "$WORK/guest.args" 2>/dev/null)" = "$owner")" \
		"a file written in the guest under build/ is on the host, owned by $owner" \
		"$b.err"
	printf '%s\n' 'HLB_T_X=a b' 'KSFT_T=1' 'TERM=dumb' 'V=0' \
		"SH=$(readlink -f /bin/sh)" >"$WORK/expected.env"
	result "$(check cmp -s "$WORK/expected.env" "$WORK/guest.env")" \
		"HLB_*, KSFT_*, V, TERM=dumb are passed, no others; sh is the host's" \
		"$WORK/guest.env" "$b.err"
}

# Builds the WARN_ON module out of tree in build/vm-warn-mod.
build_warn_mod() {
	local dir=$TOP/build/vm-warn-mod
	mkdir -p "$dir"
	cp "$TOP"/tools/vm/tests/warn_mod/{warn_mod.c,Kbuild} "$dir/"
	make -C "/usr/src/linux-headers-$KVER" M="$dir" modules \
		>"$WORK/warn-build.log" 2>&1 || return 1
	WARN_KO=$dir/warn_mod.ko
}

# Boot 2: a module warning at load fails the run. It also shares a
# directory owned by another user: files the guest creates there must end
# up owned by that user, not by root.
boot_warn() {
	SHARE=$WORK/share
	mkdir -p "$SHARE"
	chown 65534:65534 "$SHARE" 2>/dev/null || true
	vm warn -s "$SHARE" -- sh -c 'insmod "$1" && touch "$2/new"' \
		sh "$WARN_KO" "$SHARE"
}

test_warn() {
	local w=$WORK/warn
	result "$(check test "$(cat "$w.rc")" = 125 -a \
		"$(grep -c 'WARNING.*warn_mod' "$w.err")" -ge 1)" \
		"a module's WARN_ON fails the run (125) and names the WARNING" \
		"$w.err" "$w.rc" "$WORK/warn-build.log"
	if ((EUID != 0)); then
		result 0 "share ownership fix-up # SKIP needs root"
		return
	fi
	result "$(check test "$(stat -c %u "$SHARE/new" 2>/dev/null)" = 65534)" \
		"files the guest (root) creates in a share belong to its owner" \
		"$w.err"
}

test_timeout() {
	local t=$WORK/timeout
	wait "$TIMEOUT_PID" || true
	TIMEOUT_PID=
	result "$(check test "$(cat "$t.rc")" = 124 -a \
		"$(grep -c 'timed out' "$t.err")" -ge 1)" \
		"a hanging guest (sleep 1000, -t 20) fails with a timeout message" \
		"$t.err" "$t.rc"
}

main() {
	cd "$TOP"
	echo "TAP version 13"
	echo "1..$NTESTS"
	# Boot 3 mostly sleeps: run it alongside the others to save time.
	vm timeout -t 20 -- sleep 1000 &
	TIMEOUT_PID=$!
	boot_basic
	test_basic
	if build_warn_mod; then
		boot_warn
		test_warn
	else
		result 1 "build the WARN_ON test module" "$WORK/warn-build.log"
		result 1 "share ownership (not run)"
	fi
	test_timeout
	((FAILED == 0))
}

main "$@"
