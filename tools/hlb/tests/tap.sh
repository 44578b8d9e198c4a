# SPDX-License-Identifier: GPL-2.0
#
# TAP results for the host tests (tools/hlb/tests/*.sh,
# packaging/test_dkms.sh), sourced: a scratch directory $TMP removed on
# exit, and ok/not_ok, which number the results and count the failures
# in $n and $failed. not_ok's further arguments are printed as comments.
# tap_done ends a script: the plan, a summary, exit 0 or 1.

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

n=0
failed=0

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}

not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	shift
	local l
	for l in "$@"; do
		echo "#   $l"
	done
}

tap_done() {
	echo "1..$n"
	if ((failed)); then
		echo "# $failed of $n tests failed"
		exit 1
	fi
	echo "# all $n tests passed"
	exit 0
}
