#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run hlb's selftests as kselftest TAP, one after the other. Meant to run as
# root inside the VM (tools/vm/run); selftests/check.sh drives it.
#
#   run.sh [TEST...]     default: every test `make -C selftests list` gives
#
# HLB_TAP_START numbers the first result (check.sh puts the unit tests
# first); HLB_TAP_PLAN=0 leaves out the "1..N" plan line for the same reason.
set -u

DIR=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$DIR/.." && pwd)
n=${HLB_TAP_START:-1}
# Per test; HLB_SLOW times that on a slower kernel (see lib.sh).
timeout=$(($(sed -n 's/^timeout=//p' "$DIR/settings") * ${HLB_SLOW:-1}))
failed=0

# Kernel reports since line $1 of dmesg: a test that causes one fails,
# even if tools/vm/run would also fail the whole run at the end.
PATTERNS=$(mktemp)
trap 'rm -f "$PATTERNS"' EXIT
grep -v '^#' "$TOP/tools/vm/report-patterns" >"$PATTERNS"

kernel_reports()
{
	dmesg | tail -n "+$(($1 + 1))" | grep -E -f "$PATTERNS" || true
}

run_one()
{
	local t=$1 name rc before reports start=$SECONDS

	name=${t#"$TOP"/}
	echo "# selftests: hlb: $name"
	before=$(dmesg | wc -l)
	# The C tests talk to the module but do not load it: a script
	# test does (hlb_load), and might have unloaded it.
	[[ $t == *.sh ]] || (source "$DIR/lib.sh" && hlb_load) 2>&1 |
		sed -u 's/^/# /'
	(cd "$(dirname "$t")" && timeout -k 10 "$timeout" "$t") 2>&1 |
		sed -u 's/^/# /'
	rc=${PIPESTATUS[0]}
	echo "# $name: $((SECONDS - start)) s"
	reports=$(kernel_reports "$before")
	if [[ -n $reports ]]; then
		sed 's/^/# kernel: /' <<<"$reports"
		echo "not ok $n selftests: hlb: $name # kernel report"
		failed=1
	elif [[ $rc -eq 0 ]]; then
		echo "ok $n selftests: hlb: $name"
	elif [[ $rc -eq 4 ]]; then
		echo "ok $n selftests: hlb: $name # SKIP"
	elif [[ $rc -eq 124 ]]; then
		echo "not ok $n selftests: hlb: $name # TIMEOUT ${timeout}s"
		failed=1
	else
		echo "not ok $n selftests: hlb: $name # exit=$rc"
		failed=1
	fi
	n=$((n + 1))
}

if (($#)); then
	tests=("$@")
else
	# No process substitution: the guest has no /dev/fd.
	mapfile -t tests <<<"$(make -s -C "$DIR" list)"
fi
if [[ ${HLB_TAP_PLAN:-1} != 0 ]]; then
	echo "TAP version 13"
	echo "1..${#tests[@]}"
fi
for t in "${tests[@]}"; do
	[[ $t == /* ]] || t=$TOP/$t
	run_one "$t"
done
exit $failed
