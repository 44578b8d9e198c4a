#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: the userspace unit tests on the host, then every selftest in
# one VM boot through the kernel's kselftest runner (selftests/run.sh), as
# one kselftest TAP stream, and last the totals line "N passed, N failed,
# N skipped". Exits non-zero if anything failed, including a kernel report
# in the guest's log.
#
#   check.sh [--vm-only] [--log FILE] [-- RUNNER-OPTIONS...]
#
# --vm-only leaves out the host tests; RUNNER-OPTIONS go to tools/vm/run
# (selftests/check-debug.sh boots the debug kernel that way); --log is
# where the guest's output is kept (default $HLB_BUILD/check.log).
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${HLB_BUILD:-$TOP/build}
LOG=$BUILD/check.log
HOST=1
VM_OPTS=()
pass=0 fail=0 skip=0 n=0

while (($#)); do
	case $1 in
	--vm-only) HOST=0; shift ;;
	--log) LOG=$2; shift 2 ;;
	--) shift; VM_OPTS=("$@"); break ;;
	*) echo "usage: $0 [--vm-only] [--log FILE] [-- RUNNER-OPTIONS...]" >&2
	   exit 2 ;;
	esac
done

result()
{
	local line=$1

	echo "$line"
	case $line in
	"not ok "*) fail=$((fail + 1)) ;;
	*"# SKIP"*) skip=$((skip + 1)) ;;
	*) pass=$((pass + 1)) ;;
	esac
}

# run_host NAME CMD...: one test that runs on the host.
run_host()
{
	local name=$1 rc

	shift
	n=$((n + 1))
	echo "# $name"
	"$@" 2>&1 | sed -u 's/^/# /'
	rc=${PIPESTATUS[0]}
	if [[ $rc -eq 0 ]]; then
		result "ok $n $name"
	elif [[ $rc -eq 4 ]]; then
		result "ok $n $name # SKIP"
	else
		result "not ok $n $name # exit=$rc"
	fi
}

# The guest prints its own result lines; count them as they stream by.
# The whole suite takes 15-20 minutes on a quiet 2-core host and twice
# that on a busy one: the guest gets 75 minutes, inside CI's 90.
# slab_nomerge keeps hlb's session caches apart, so tests can count them.
run_vm()
{
	local line rc

	HLB_TAP_START=$((n + 1)) HLB_TAP_PLAN=0 \
		"$TOP/tools/vm/run" -a slab_nomerge -t "${HLB_VM_TIMEOUT:-4500}" \
		"${VM_OPTS[@]}" -- \
		"$TOP/selftests/run.sh" "${sel[@]}" 2>&1 |
		tee "$LOG"
	rc=${PIPESTATUS[0]}
	while IFS= read -r line; do
		case $line in
		"ok "* | "not ok "*) result "$line" >/dev/null ;;
		esac
	done <"$LOG"
	n=$((n + nsel))
	return "$rc"
}

mkdir -p "$BUILD" "$(dirname "$LOG")"
# build/kselftest: the suite as lib.mk installs it, and the kernel's runner.
make -s -C "$TOP/selftests" ksft_install || exit 1
units=()
if ((HOST)); then
	make -s -C "$TOP/kmod/core/tests" >/dev/null || exit 1
	mapfile -t units < <(find "$BUILD/unit" -maxdepth 1 -type f \
		-name 'test_*' -perm -u+x | sort)
fi
# The selftests as the runner names them, in its order; HLB_TESTS="a.sh
# ..." (names, or paths ending so) runs only those.
mapfile -t all < <(sed 's/^net\/hlb://' "$TOP/build/kselftest/kselftest-list.txt")
sel=()
for t in "${all[@]}"; do
	if [[ -n ${HLB_TESTS:-} ]]; then
		for a in $HLB_TESTS; do
			[[ ${a##*/} != "$t" ]] || sel+=("$t")
		done
	else
		sel+=("$t")
	fi
done
if [[ -n ${HLB_TESTS:-} && ${#sel[@]} -ne $(wc -w <<<"$HLB_TESTS") ]]; then
	echo "check.sh: HLB_TESTS names a test that does not exist: $HLB_TESTS" >&2
	exit 2
fi
nsel=${#sel[@]}
# Tests that run on the host: the VM runner's own, the CLI's (usage,
# fuzzed batch input, a fake kernel, each on a normal and an ASan build;
# bash completion), a dkms build of the module in a scratch tree, the
# documentation and manual page, which fail on any warning, and make style
# (checkpatch, sparse, the layering of design.rst, the netlink spec),
# without its i386 and arm64 builds: their kernels would take minutes of
# a CI run on a new machine (Documentation/testing.rst, Cross builds).
host_names=("host: tools/vm/tests/test_runner.sh" "host: tools/hlb check"
	    "host: packaging/test_dkms.sh" "host: make docs man"
	    "host: make style")
host_cmds=("bash tools/vm/tests/test_runner.sh"
	   "make -s -C tools/hlb check"
	   "bash packaging/test_dkms.sh"
	   "make -s docs man"
	   "env HLB_STYLE_CROSS=0 make -s style")
((HOST)) || host_names=() host_cmds=()

echo "TAP version 13"
# Units, host tests, selftests, and one more: the VM and its kernel log.
echo "1..$((${#units[@]} + ${#host_names[@]} + nsel + 1))"
for t in "${units[@]}"; do
	run_host "unit: ${t##*/}" "$t"
done
cd "$TOP" || exit 1
for i in "${!host_names[@]}"; do
	# shellcheck disable=SC2086 # a command line, split on purpose
	run_host "${host_names[i]}" ${host_cmds[i]}
done

first=$((n + 1))
run_vm
rc=$?
# A guest that died early leaves results missing: each one is a failure.
reported=$(grep -cE '^(not )?ok ' "$LOG")
for ((i = first + reported; i < first + nsel; i++)); do
	result "not ok $i ${sel[i - first]} # not run: the VM stopped"
done
n=$((n + 1))
case $rc in
0 | 1) result "ok $n guest kernel log clean" ;;
124) result "not ok $n guest kernel log clean # VM timed out" ;;
125) result "not ok $n guest kernel log clean # kernel report, see above" ;;
*) result "not ok $n guest kernel log clean # VM failed (exit $rc)" ;;
esac

echo "$pass passed, $fail failed, $skip skipped"
[[ $fail -eq 0 ]]
