#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Flow protection: 50 long-lived TCP streams through a stateless service
# (no sessions: every packet is placed by the lookup table) survive two
# servers being added and one of the first two being drained, because for
# the transition period the previous table still places established flows
# whose bucket moved, and gives them a (learned) session. New connections
# after the changes reach the new servers and not the drained one.
#
# The same with flow protection off (transition 0) must break streams: a
# packet of a moved flow reaches a server that has no socket for it and is
# answered with a reset. That part proves that the first can fail.
#
# Each stream sends a chunk every 150 ms and checks its echo, so every
# stream has packets through the balancer between two changes: the test
# waits for two more rounds of every stream after each change, since only
# the table before the last change is kept.

source "$(dirname "$0")/lib_hybrid.sh"

SVC=(tcp "$VIP4:80")
NSTREAMS=50

hlb_load || exit "$ksft_fail"
topo_setup 1 4
start_servers 8080 --tcp-only || skip "echo servers did not start"

nsessions() { hlbn "$RTR" -j session show "${SVC[@]}" | jq length; }
nlearned()
{
	hlbn "$RTR" -j session show "${SVC[@]}" | jq '[.[] | select(.learned)] | length'
}
learned() { svc_stat "${SVC[@]}" learned; }

# change NAME CMD...: make a mapping change, then wait until every stream
# that is not broken has done two more round trips, so that each has sent
# packets through the table that follows the change.
change()
{
	local name=$1 r

	shift
	r=$(streams_stat "$name" min_rounds)
	"$@" || return 1
	busywait 60000 streams_progress "$name" $((r + 2))
}

# stream_servers NAME: "SERVER COUNT" lines, where the streams went.
stream_servers()
{
	streams_stat "$1" 'list[].server' | sort | uniq -c |
		awk '{print $2 "=" $1}' | tr '\n' ' '
}

# run_changes TRANSITION NAME: a stateless service on srv1 and srv2 with
# that transition period, NAME's 50 streams through it, then srv3 and
# srv4 added, then srv1 drained.
run_changes()
{
	local t=$1 name=$2 j

	# The service takes its transition period only once its first two
	# servers are in: no table before them, no sessions for the streams.
	hlbn "$RTR" service add "${SVC[@]}" mode stateless transition 0
	for j in 1 2; do
		hlbn "$RTR" server add "${SVC[@]}" "10.1.$j.2:8080"
	done
	hlbn "$RTR" service set "${SVC[@]}" transition "$t"
	streams_start "$name" "${CLI[1]}" "$VIP4" 80 "$NSTREAMS" \
		--interval 0.15
	must "$name: $NSTREAMS streams through the service" \
		busywait 90000 streams_up "$name" "$NSTREAMS"
	log "$name: streams on $(stream_servers "$name")"
	log_test "$name: stateless, the streams have no sessions" \
		eq "$(nsessions)" 0
	log_test "$name: add srv3" change "$name" \
		hlbn "$RTR" server add "${SVC[@]}" 10.1.3.2:8080
	log_test "$name: add srv4" change "$name" \
		hlbn "$RTR" server add "${SVC[@]}" 10.1.4.2:8080
	log_test "$name: drain srv1" change "$name" \
		hlbn "$RTR" server set "${SVC[@]}" 10.1.1.2:8080 weight 0
	log "$name: learned $(learned), sessions $(nsessions)"
}

#
# Flow protection on (60 s, the default).
#
run_changes 60s prot
log_test "prot: moved flows got learned sessions" eval '(($(learned) > 0))'
log_test "prot: 'session show' lists them as learned" eval '(($(nlearned) > 0))'
# Every stream of the drained server moved: each must have its session.
ok=true
for sport in $(streams_stat prot \
		'list[] | select(.server == "srv1" and .error == "") | .sport'); do
	s=$(session_of "${SVC[@]}" "$sport")
	[[ $(jq -r '.learned and .server_addr == "10.1.1.2"' <<<"$s") == true ]] ||
		{ log "srv1 stream $sport: session '$s'"; ok=false; }
done
log_test "prot: every stream of the drained server has a learned session to it" $ok
out=$(flows "${CLI[1]}" tcp "$VIP4" 80 40)
rc=$?
servers=$(tail -n 1 <<<"$out")
log "prot: new flows: $servers"
log_test "prot: new connections succeed" eq "$rc" 0
log_test "prot: new connections reach srv3" grep -q "srv3=" <<<"$servers"
log_test "prot: new connections reach srv4" grep -q "srv4=" <<<"$servers"
log_test "prot: no new connection reaches the drained srv1" \
	eval '! grep -q "srv1=" <<<"$servers"'
log_test "prot: all $NSTREAMS streams intact" streams_stop prot
hlbn "$RTR" service del "${SVC[@]}"

#
# Flow protection off: the same changes must break streams.
#
run_changes 0 noprot
log_test "noprot: no learned sessions" eq "$(learned)" 0
streams_stop noprot
broken=$(streams_stat noprot broken)
log "noprot: $broken of $NSTREAMS streams broken"
log_test "noprot: without flow protection streams break" \
	eval '((broken >= 1))'
exit "$EXIT_STATUS"
