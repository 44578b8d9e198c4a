#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared helpers for hlb's selftests, sourced by every test script. The
# tests run as root inside the VM (tools/vm/run); each one creates its own
# namespaces with random suffixes and removes them on exit.

set -u

# Sourced once, whichever lib_*.sh sources it first.
[[ -z ${HLB_LIB_SH:-} ]] || return 0
HLB_LIB_SH=1

# kselftest exit codes.
ksft_pass=0
ksft_fail=1
ksft_skip=4

# This directory: selftests/ in hlb's tree, or a copy installed by
# lib.mk (`make -C selftests install`, as selftests/check.sh does), which
# holds everything in TEST_FILES.
TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# hlb's tree, for the CLI, the module and its Makefile (hlb_install.sh):
# HLB_TOP, or the parent of this directory.
TOP=${HLB_TOP:-$(cd "$TESTS_DIR/.." && pwd -P)}
# Outside hlb's tree (dropped into a kernel's tools/testing/selftests),
# the installed hlb and `modprobe hlb`.
if [[ -z ${HLB:-} ]]; then
	HLB=$TOP/tools/hlb/hlb
	[[ -x $HLB ]] || HLB=$(command -v hlb || echo "$HLB")
fi
HLB_KO=${HLB_KO:-$TOP/kmod/hlb.ko}
# Debian's python3 with scapy, not whatever python3 is first in PATH.
PYTHON=/usr/bin/python3

NS_LIST=()
DEFERRED=()
NFAIL=0
NCHECK=0
# The test's exit status: log_test sets it to ksft_fail on a failure.
EXIT_STATUS=$ksft_pass
# The status of the subtest in progress, for log_test without a command.
RET=0

log() { echo "# $*"; }

# cleanup_ns NS...: delete these namespaces.
cleanup_ns()
{
	local ns

	for ns in "$@"; do
		ip netns del "$ns" >/dev/null 2>&1 || true
	done
}

# On exit: the deferred commands, last first, then the namespaces. A
# selftest (hlb_*.sh) that would pass without a single subtest fails.
cleanup()
{
	local rc=$? i

	for ((i = ${#DEFERRED[@]} - 1; i >= 0; i--)); do
		eval "${DEFERRED[i]}" >/dev/null 2>&1 || true
	done
	cleanup_ns "${NS_LIST[@]}"
	[[ $rc -ne $ksft_skip ]] || exit "$rc"
	[[ $NCHECK -gt 0 || ${0##*/} == hlb_*.sh ]] || exit "$rc"
	log "$((NCHECK - NFAIL))/$NCHECK subtests passed"
	[[ $rc -ne $ksft_pass || $NCHECK -gt 0 ]] || rc=$ksft_fail
	exit "$rc"
}
trap cleanup EXIT

# defer CMD [ARGS...]: run CMD when the test exits, last deferred first.
# The words are kept as they are now: `defer rm -rf "$dir"`.
defer()
{
	local cmd

	printf -v cmd '%q ' "$@"
	DEFERRED+=("$cmd")
}

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

skip() { log "SKIP: $*"; exit "$ksft_skip"; }

require_command()
{
	local c

	for c in "$@"; do
		command -v "$c" >/dev/null || skip "$c not installed"
	done
}

# hlb_load: make sure the module under test is loaded: HLB_KO, or the
# installed module when there is no such file.
hlb_load()
{
	local dep

	grep -q '^hlb ' /proc/modules && return 0
	[[ -e $HLB_KO ]] || { modprobe hlb; return; }
	# insmod does not resolve dependencies; modprobe loads them.
	for dep in $(modinfo -F depends "$HLB_KO" | tr , ' '); do
		modprobe "$dep" || return 1
	done
	insmod "$HLB_KO"
}

hlb_unload()
{
	grep -q '^hlb ' /proc/modules || return 0
	rmmod hlb
}

# hlbn NS ARGS...: the CLI in namespace NS.
hlbn() { local ns=$1; shift; "$HLB" -n "$ns" "$@"; }

# hlb_for_users VAR: a copy of the CLI that any user can run, its path in
# VAR, for tests that run it as another user: the tree may be where only
# its owner can reach it (a clone in /root, mode 700).
hlb_for_users()
{
	local dir

	dir=$(mktemp -d) || return 1
	defer rm -rf "$dir"
	chmod 755 "$dir" && install -m 755 "$HLB" "$dir/hlb" || return 1
	printf -v "$1" '%s' "$dir/hlb"
}

# check_err ERR [MSG]: the subtest in progress fails if ERR is not 0.
# check_fail ERR [MSG]: ... if ERR is 0. The first failure's MSG is
# logged by log_test.
check_err()
{
	[[ $RET -eq 0 && $1 -ne 0 ]] || return 0
	RET=$1
	RETMSG=${2:-}
}

check_fail()
{
	[[ $RET -eq 0 && $1 -eq 0 ]] || return 0
	RET=$ksft_fail
	RETMSG=${2:-}
}

# log_test DESC [CMD...]: log one subtest, "# ok N - DESC" or "# not ok N
# - DESC". With CMD, the subtest passes when CMD succeeds; without, when
# RET is 0 (check_err and check_fail set it), and RET is reset.
log_test()
{
	local desc=$1 rc

	shift
	if (($#)); then
		"$@"
		rc=$?
	else
		rc=$RET
		[[ $rc -eq 0 || -z ${RETMSG:-} ]] || log "$RETMSG"
		RET=0 RETMSG=
	fi
	NCHECK=$((NCHECK + 1))
	if [[ $rc -eq 0 ]]; then
		echo "# ok $NCHECK - $desc"
	else
		echo "# not ok $NCHECK - $desc"
		NFAIL=$((NFAIL + 1))
		# shellcheck disable=SC2034 # the tests exit with it
		EXIT_STATUS=$ksft_fail
	fi
	return 0
}

# log_test_err DESC STATUS MESSAGE CMD...: a subtest that passes when CMD
# exits STATUS and prints MESSAGE (a fixed string) on stderr.
log_test_err()
{
	local desc=$1 want=$2 msg=$3 out rc

	shift 3
	out=$("$@" 2>&1 >/dev/null)
	rc=$?
	if [[ $rc -eq $want ]] && grep -qF -- "$msg" <<<"$out"; then
		log_test "$desc" true
	else
		log "expected exit $want and '$msg', got exit $rc: $out"
		log_test "$desc" false
	fi
}

# eq A B: true if equal; says what differed if not.
eq()
{
	[[ "$1" == "$2" ]] && return 0
	log "expected '$2', got '$1'"
	return 1
}

# HLB_SLOW: how many times slower than Debian's kernel the guest's kernel
# is under TCG; selftests/check-debug.sh sets it for the debug kernel. The
# tests that drive a load at a rate scale it with slow_rate, and busywait
# waits that much longer.
HLB_SLOW=${HLB_SLOW:-1}

# slow_rate N: the rate N (per second, on Debian's kernel) for this
# kernel: N / HLB_SLOW, rounded, at least 1.
slow_rate()
{
	local r=$(((2 * $1 + HLB_SLOW) / (2 * HLB_SLOW)))

	echo $((r > 0 ? r : 1))
}

# busywait TIMEOUT_MS CMD...: retry CMD every 0.1 s until it succeeds or
# TIMEOUT_MS (on Debian's kernel; times HLB_SLOW) have passed; no fixed
# sleeps in tests. Unlike the kernel's net/lib.sh busywait, CMD's output
# is not collected: every try's output passes through.
busywait()
{
	local now deadline

	now=${EPOCHREALTIME/./}
	deadline=$((now / 1000 + $1 * HLB_SLOW))
	shift
	while ! "$@"; do
		now=${EPOCHREALTIME/./}
		((now / 1000 < deadline)) || return 1
		sleep 0.1
	done
}

# ip_batch_hosts ARRAY: one `ip -batch` per namespace, from the
# associative array named ARRAY (namespace -> its commands).
ip_batch_hosts()
{
	local -n batches=$1
	local h

	for h in "${!batches[@]}"; do
		ip -n "$h" -b - <<<"${batches[$h]}" || return 1
	done
}

# The usual topology: clients <-> router running hlb <-> servers, each host
# in its own namespace, one veth pair per host to the router.
#   client i: 10.0.i.2/24 fd00:i::2/64, default route via the router
#   server j: 10.1.j.2/24 fd01:j::2/64, default route via the router
#   router:   10.0.i.1 fd00:i::1, 10.1.j.1 fd01:j::1, forwarding on
# The VIPs (VIP4, VIP6) are addresses nobody owns: clients reach them
# through their default route. Sets RTR, CLI[i], SRV[j] (1-based).
VIP4=10.9.0.1
VIP6=fd09::1
declare -a CLI SRV

# Under TCG every process costs a tenth of a second or more, so the
# topology is built by one `ip -batch` in the initial namespace (the
# namespaces and veth pairs) and one per namespace (addresses, routes),
# not by one `ip` per step.
rand_suffix()
{
	local c=abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789
	local i s=

	for ((i = 0; i < 6; i++)); do
		s+=${c:RANDOM % ${#c}:1}
	done
	echo "$s"
}

# topo_host VAR NAME V4NET V6NET: one host's namespace, veth pair to the
# router (NAME on the router side, eth0 on the host) and addresses, as
# batch lines in ROOT_B, RTR_B and its own batch in HOST_B[VAR].
declare -A HOST_B

topo_host()
{
	local ns=$1 name=$2 v4=$3 v6=$4

	ROOT_B+="netns add $ns"$'\n'
	ROOT_B+="link add $name netns $RTR type veth peer name eth0 netns $ns"$'\n'
	RTR_B+="link set $name up"$'\n'
	RTR_B+="addr add $v4.1/24 dev $name"$'\n'
	RTR_B+="addr add $v6::1/64 dev $name nodad"$'\n'
	HOST_B[$ns]="link set lo up
link set eth0 up
addr add $v4.2/24 dev eth0
addr add $v6::2/64 dev eth0 nodad
route add 0.0.0.0/0 via $v4.1
route add ::/0 via $v6::1
"
}

topo_setup()
{
	local nc=$1 ns=$2 i h ROOT_B RTR_B

	RTR=RTR-$(rand_suffix)
	ROOT_B="netns add $RTR"$'\n'
	RTR_B="link set lo up"$'\n'
	HOST_B=()
	NS_LIST+=("$RTR")
	for ((i = 1; i <= nc; i++)); do
		CLI[i]=cli$i-$(rand_suffix)
		printf -v "cli$i" '%s' "${CLI[i]}"
		NS_LIST+=("${CLI[i]}")
		topo_host "${CLI[i]}" "c$i" "10.0.$i" "fd00:$i"
	done
	for ((i = 1; i <= ns; i++)); do
		SRV[i]=srv$i-$(rand_suffix)
		printf -v "srv$i" '%s' "${SRV[i]}"
		NS_LIST+=("${SRV[i]}")
		topo_host "${SRV[i]}" "s$i" "10.1.$i" "fd01:$i"
	done
	ip -b - <<<"$ROOT_B" || return 1
	ip -n "$RTR" -b - <<<"$RTR_B" || return 1
	ip_batch_hosts HOST_B
	ip netns exec "$RTR" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1 >/dev/null
}

# tcp_out_rsts NS...: the TCP resets the namespaces' own stacks have sent
# (IPv4 and IPv6 share the counter).
tcp_out_rsts()
{
	local ns n=0 v

	for ns in "$@"; do
		v=$(ip netns exec "$ns" awk '$1 != "Tcp:" { next }
			!c { for (i = 2; i <= NF; i++) if ($i == "OutRsts") c = i
			     next }
			{ print $c }' /proc/net/snmp)
		n=$((n + v))
	done
	echo "$n"
}

# start_servers PORT[,PORT...] [--tcp-only|--udp-only]: echo servers named
# srvJ on every server, all from one process (tools/echo_ns.py).
start_servers()
{
	local port=$1 ready i args=()

	shift
	ready=$(mktemp -u /tmp/hlb-ready.XXXXXX)
	for i in "${!SRV[@]}"; do
		args+=("srv$i=${SRV[i]}")
	done
	"$PYTHON" "$TESTS_DIR/tools/echo_ns.py" --ready "$ready" "$@" \
		"$port" "${args[@]}" &
	defer kill "$!"
	defer rm -f "$ready"
	busywait 30000 test -e "$ready"
}

listening()
{
	ip netns exec "$1" ss -Hltn "sport = :$2" | grep -q LISTEN
}

# flows NS ARGS...: tools/flows.py in namespace NS.
flows()
{
	local ns=$1

	shift
	ip netns exec "$ns" "$PYTHON" "$TESTS_DIR/tools/flows.py" "$@"
}
