#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run hlb's selftests through the kernel's kselftest runner
# (run_kselftest.sh and kselftest/runner.sh of linux-source-6.1), as root
# in the VM (tools/vm/run); selftests/check.sh drives it.
#
#   run.sh [TEST...]     default: every test of build/kselftest, which
#                        `make -C selftests ksft_install` makes; a TEST
#                        is named as the runner does (hlb_config.sh,
#                        hlb_nl_api) or by a path ending so
#
# The runner runs each test with the timeout in selftests/settings and
# prints its TAP. What the 6.1 runner does not do is done here, around it:
#  - the timeout is HLB_SLOW times longer (a slower kernel, see lib.sh);
#  - a test during which the kernel log got a report (the patterns in
#    tools/vm/report-patterns) fails, even if it passed: its result line
#    is rewritten as it streams by;
#  - each test's time is printed after its result;
#  - hlb is loaded first: the C tests talk to it but do not load it (the
#    runner runs them first).
# HLB_TAP_START numbers the first result (check.sh puts the host tests
# first); HLB_TAP_PLAN=0 leaves out the runner's "TAP version" and "1..N".
set -u
shopt -s lastpipe

DIR=$(cd "$(dirname "$0")" && pwd -P)
TOP=$(cd "$DIR/.." && pwd -P)
SRC=$TOP/build/kselftest
n=${HLB_TAP_START:-1}
failed=0

if [[ ! -r $SRC/kselftest-list.txt ]]; then
	echo "run.sh: no $SRC; make -C selftests ksft_install first" >&2
	exit 2
fi
# The runner runs a copy in the guest's own /tmp: it does not quote its
# paths (a clone in a directory with a space in its name), and the copy's
# settings get the slower kernel's timeout.
KSFT=$(mktemp -d /tmp/kselftest.XXXXXX)
PATTERNS=$KSFT/report-patterns
trap 'rm -rf "$KSFT"' EXIT
cp -a "$SRC/." "$KSFT/" || exit 2
grep -v '^#' "$TOP/tools/vm/report-patterns" >"$PATTERNS"
timeout=$(($(sed -n 's/^timeout=//p' "$DIR/settings") * ${HLB_SLOW:-1}))
sed -i "s/^timeout=.*/timeout=$timeout/" "$KSFT/net/hlb/settings"
# The runner writes the tests' output to /dev/stdout, which the guest's
# devtmpfs lacks (no udev): it would write a file there instead.
[[ -L /dev/stdout ]] || ln -sfn /proc/self/fd/1 /dev/stdout
# The tests run from the copy; lib.sh finds the CLI and module here.
export HLB_TOP=$TOP

# The selection, in the list's order (C tests first, as the runner would).
sel=()
mapfile -t list <"$KSFT/kselftest-list.txt"
for t in "${list[@]}"; do
	if (($#)); then
		for a in "$@"; do
			[[ ${a##*/} == "${t#*:}" ]] && sel+=(-t "$t")
		done
	else
		sel+=(-t "$t")
	fi
done
if (($# && ${#sel[@]} / 2 != $#)); then
	echo "run.sh: unknown test in: $*" >&2
	exit 2
fi

# Kernel reports since line $1 of dmesg.
kernel_reports()
{
	dmesg | tail -n "+$(($1 + 1))" | grep -E -f "$PATTERNS" || true
}

(source "$DIR/lib.sh" && hlb_load) 2>&1 | sed -u 's/^/# /'

# The loop stops at the last result rather than at the end of the
# output: a process a test left behind keeps the runner's output open (it
# inherits the runner's file descriptors 3 and 4).
name="?" before=0 start=$SECONDS total=$((${#sel[@]} / 2)) seen=0
"$KSFT/run_kselftest.sh" "${sel[@]}" 2>&1 |
while IFS= read -r line; do
	case $line in
	"TAP version "* | 1..*)
		[[ ${HLB_TAP_PLAN:-1} == 0 ]] || echo "$line"
		;;
	"# selftests: net/hlb: "*)
		echo "$line"
		name=${line#"# selftests: net/hlb: "}
		before=$(dmesg | wc -l)
		start=$SECONDS
		;;
	"ok "* | "not ok "*)
		res=${line%%ok *}ok
		rest=${line#"$res" }
		rest=${rest#* }
		echo "# $name: $((SECONDS - start)) s"
		reports=$(kernel_reports "$before")
		if [[ -n $reports ]]; then
			sed 's/^/# kernel: /' <<<"$reports"
			res="not ok" rest="${rest%% # *} # kernel report"
		fi
		[[ $res == ok ]] || failed=1
		echo "$res $n $rest"
		n=$((n + 1))
		((++seen < total)) || break
		;;
	*)
		echo "$line"
		;;
	esac
done
rc=${PIPESTATUS[0]}
((rc == 0)) || echo "# run_kselftest.sh: exit $rc"
exit $((failed || rc))
