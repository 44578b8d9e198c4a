#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for hlb's selftests, sourced by every test script. The
# tests run as root inside the VM (tools/vm/run); each one creates its own
# namespaces with random suffixes and removes them on exit.

set -u

readonly KSFT_PASS=0
readonly KSFT_FAIL=1
readonly KSFT_SKIP=4

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HLB=${HLB:-$TOP/tools/hlb/hlb}
HLB_KO=${HLB_KO:-$TOP/kmod/hlb.ko}
# Debian's python3 with scapy, not whatever python3 is first in PATH.
PYTHON=/usr/bin/python3

NS_LIST=()
CLEANUP_CMDS=()
NFAIL=0
NCHECK=0

log() { echo "# $*"; }

cleanup()
{
	local i ns

	for ((i = ${#CLEANUP_CMDS[@]} - 1; i >= 0; i--)); do
		eval "${CLEANUP_CMDS[i]}" >/dev/null 2>&1 || true
	done
	for ns in "${NS_LIST[@]}"; do
		ip netns del "$ns" >/dev/null 2>&1 || true
	done
}
trap cleanup EXIT

# on_exit CMD: run CMD (a string) when the test exits, last first.
on_exit() { CLEANUP_CMDS+=("$1"); }

# setup_ns VAR...: create one namespace per VAR, named VAR-<random>, with
# loopback up, and store its name in VAR.
setup_ns()
{
	local var name

	for var in "$@"; do
		name="$var-$(mktemp -u XXXXXX)"
		ip netns add "$name" || return 1
		ip -n "$name" link set lo up
		NS_LIST+=("$name")
		printf -v "$var" '%s' "$name"
	done
}

skip() { log "SKIP: $*"; exit "$KSFT_SKIP"; }

require_cmd()
{
	local c

	for c in "$@"; do
		command -v "$c" >/dev/null || skip "$c not installed"
	done
}

# hlb_load: make sure the module under test is loaded.
hlb_load()
{
	grep -q '^hlb ' /proc/modules && return 0
	insmod "$HLB_KO"
}

hlb_unload()
{
	grep -q '^hlb ' /proc/modules || return 0
	rmmod hlb
}

# hlbn NS ARGS...: the CLI in namespace NS.
hlbn() { local ns=$1; shift; "$HLB" -n "$ns" "$@"; }

# check DESC CMD...: one subtest; passes when CMD succeeds.
check()
{
	local desc=$1

	shift
	NCHECK=$((NCHECK + 1))
	if "$@"; then
		echo "# ok $NCHECK - $desc"
	else
		echo "# not ok $NCHECK - $desc"
		NFAIL=$((NFAIL + 1))
	fi
}

# check_fail DESC STATUS MESSAGE CMD...: CMD must exit STATUS and print
# MESSAGE (a fixed string) on stderr.
check_fail()
{
	local desc=$1 want=$2 msg=$3 out rc

	shift 3
	out=$("$@" 2>&1 >/dev/null)
	rc=$?
	if [[ $rc -eq $want ]] && grep -qF -- "$msg" <<<"$out"; then
		check "$desc" true
	else
		log "expected exit $want and '$msg', got exit $rc: $out"
		check "$desc" false
	fi
}

# eq A B: true if equal; says what differed if not.
eq()
{
	[[ "$1" == "$2" ]] && return 0
	log "expected '$2', got '$1'"
	return 1
}

# poll SECONDS CMD...: retry CMD every 0.1 s until it succeeds or time
# runs out; no fixed sleeps in tests.
poll()
{
	local deadline=$((SECONDS + $1))

	shift
	while ! "$@"; do
		((SECONDS < deadline)) || return 1
		sleep 0.1
	done
}

# finish: the test's exit status from its subtests.
finish()
{
	log "$((NCHECK - NFAIL))/$NCHECK subtests passed"
	[[ $NCHECK -gt 0 && $NFAIL -eq 0 ]] && exit "$KSFT_PASS"
	exit "$KSFT_FAIL"
}
