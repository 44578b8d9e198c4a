#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: the userspace unit tests on the host, then every selftest in
# one VM boot, as one kselftest TAP stream, and last the totals line
# "N passed, N failed, N skipped". Exits non-zero if anything failed,
# including a kernel report in the guest's log.
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${HLB_BUILD:-$TOP/build}
LOG=$BUILD/check.log
pass=0 fail=0 skip=0 n=0

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
# slab_nomerge keeps hlb's session caches apart, so tests can count them.
run_vm()
{
	local line rc

	HLB_TAP_START=$((n + 1)) HLB_TAP_PLAN=0 \
		"$TOP/tools/vm/run" -a slab_nomerge -- \
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

mkdir -p "$BUILD"
make -s -C "$TOP/selftests/unit" >/dev/null || exit 1
make -s -C "$TOP/selftests" all || exit 1
mapfile -t units < <(find "$BUILD/unit" -maxdepth 1 -type f -name 'test_*' \
	-perm -u+x | sort)
# HLB_TESTS="selftests/a.sh ..." runs only those selftests.
if [[ -n ${HLB_TESTS:-} ]]; then
	read -ra sel <<<"$HLB_TESTS"
else
	mapfile -t sel < <(make -s -C "$TOP/selftests" list)
fi
nsel=${#sel[@]}
# Tests that run on the host: the VM runner's own, and the CLI's (usage,
# fuzzed batch input, a fake kernel), each on a normal and an ASan build.
host_names=("host: selftests/vm/test_runner.sh" "host: tools/hlb check")
host_cmds=("bash $TOP/selftests/vm/test_runner.sh"
	   "make -s -C $TOP/tools/hlb check")

echo "TAP version 13"
# Units, host tests, selftests, and one more: the VM and its kernel log.
echo "1..$((${#units[@]} + ${#host_names[@]} + nsel + 1))"
for t in "${units[@]}"; do
	run_host "unit: ${t##*/}" "$t"
done
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
