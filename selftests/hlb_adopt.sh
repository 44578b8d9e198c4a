#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A switch to stateful breaks no flow. Connections opened while a service
# was stateless have no session; when it keeps sessions again (a hybrid
# service's switch, or `service set mode stateful`), their next segments
# are not SYNs. Without adoption, strict mode drops them, and weighted
# least-connection or a server at its max-conns places them on another
# server, which resets them. hlb adopts them instead: placed by the lookup
# table, as they were while stateless, strictness and connection limits
# waived, with a (learned) session.
#
# Three services side by side, on one VIP: strict on (port 80), sched wlc
# (port 81), max-conns 3 on each server of the hash-scheduled port 82
# (servers on 8080, 8081, 8082: a server serves one service); 20
# long-lived streams each (tools/hybrid_streams.py). Each of them, first
# hybrid pinned stateless and then unpinned (back to stateful, reason
# low), then stateless by mode and set to `mode stateful`: no stream may
# break, and every one must be adopted.
source "$(dirname "$0")/lib_hybrid.sh"

NSTREAMS=20
PORTS=(80 81 82)
# Per port: how it places new flows once stateful.
declare -A OPTS=([80]="strict on" [81]="sched wlc" [82]="")
INTERVAL=$((500 * HLB_SLOW))

hlb_load || exit "$ksft_fail"
topo_setup 1 3
start_servers 8080,8081,8082 --tcp-only || skip "echo servers did not start"

# Transition 0: no flow protection, whose sessions for the SYNs of moved
# buckets would give the streams sessions while stateless. Every hybrid
# watermark 0: only the pin decides, and once unpinned the service goes
# back to stateful after the hold time.
for port in "${PORTS[@]}"; do
	# shellcheck disable=SC2086 # OPTS are words
	hlbn "$RTR" service add tcp "$VIP4:$port" mode hybrid pin stateless \
		transition 0 hold 1s dwell 1s ${OPTS[$port]} ||
		exit "$ksft_fail"
	limit=()
	[[ $port != 82 ]] || limit=(max-conns 3)
	for j in 1 2 3; do
		hlbn "$RTR" server add tcp "$VIP4:$port" "10.1.$j.2:80$port" \
			"${limit[@]}" || exit "$ksft_fail"
	done
done

method_of()
{
	hlbn "$RTR" -j service show tcp "$VIP4:$1" |
		jq -r '(if type == "array" then .[0] else . end).method'
}
all_methods() # METHOD: every service's method is METHOD
{
	local port

	for port in "${PORTS[@]}"; do
		[[ $(method_of "$port") == "$1" ]] || return 1
	done
}
learned_of() { svc_stat tcp "$VIP4:$1" learned; }

# phase NAME CMD...: streams through every service, opened while
# stateless; CMD switches them all to stateful; then every stream must
# move data and none may break; each service adopts all of its streams.
phase()
{
	local name=$1 port rounds l0=() i

	shift
	must "$name: stateless" all_methods stateless
	for port in "${PORTS[@]}"; do
		l0[port]=$(learned_of "$port")
		streams_start "s$port" "${CLI[1]}" "$VIP4" "$port" \
			"$NSTREAMS" --interval \
			"$((INTERVAL / 1000)).$((INTERVAL % 1000 / 100))"
	done
	for port in "${PORTS[@]}"; do
		must "$name: $NSTREAMS streams to port $port" \
			busywait 60000 streams_up "s$port" "$NSTREAMS"
	done
	log_test "$name: no session while stateless" \
		eq "$(hlbn "$RTR" -j config show | jq -r .sessions)" 0
	"$@"
	log_test "$name: stateful" busywait 30000 all_methods stateful
	for port in "${PORTS[@]}"; do
		rounds=$(streams_stat "s$port" min_rounds)
		log_test "$name: port $port (${OPTS[$port]:-max-conns}): the streams move data" \
			busywait 60000 streams_progress "s$port" "$((rounds + 3))"
		log_test "$name: port $port: none broke" streams_stop "s$port"
		i=$(($(learned_of "$port") - l0[port]))
		log "$name: port $port: $i adopted"
		log_test "$name: port $port: every stream adopted" \
			eval "((i >= NSTREAMS))"
	done
}

unpin()
{
	local port

	for port in "${PORTS[@]}"; do
		hlbn "$RTR" service set tcp "$VIP4:$port" pin none
	done
}
phase "hybrid, unpinned" unpin

# The same by hand: stateless by mode, then stateful by mode.
for port in "${PORTS[@]}"; do
	hlbn "$RTR" service set tcp "$VIP4:$port" mode stateless
done
hlbn "$RTR" session flush
to_stateful()
{
	local port

	for port in "${PORTS[@]}"; do
		hlbn "$RTR" service set tcp "$VIP4:$port" mode stateful
	done
}
phase "mode stateful" to_stateful
exit "$EXIT_STATUS"
