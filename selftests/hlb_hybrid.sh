#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hybrid mode, end to end: a hybrid service switches to the stateless
# method when a watermark is crossed (new flows/s, active sessions,
# packets/s), creates no sessions while stateless but keeps serving the
# flows it has sessions for, and switches back once every measure has been
# low for the hold time; the dwell time stops flapping; a pin overrides
# the thresholds. `hlb monitor` must show every switch with its reason,
# and 20 long-lived TCP streams, opened before the first switch, must
# carry their data intact through all of them.
#
# Rates under TCG are low and noisy (python opens some 30-60 connections
# per second here, or sends a few thousand small messages): every
# watermark below has a margin of two or more on both sides of the load
# that should or should not cross it, and no timing is asserted, only the
# order of events. On a slower kernel (HLB_SLOW, lib.sh) every rate, of
# a load or a watermark, is divided by the same factor, and the streams
# send that much less often.

source "$(dirname "$0")/lib_hybrid.sh"

SVC=(tcp "$VIP4:80")
NSTREAMS=20
# The rates below, in new flows or packets a second on Debian's kernel.
NF_HI=$(slow_rate 15) NF_LO=$(slow_rate 5)
CONN_HI=$(slow_rate 40) CONN_LO=$(slow_rate 2) CONN_HALF=$(slow_rate 8)
PPS_HI=$(slow_rate 1000) PPS_LO=$(slow_rate 400) PKT=$(slow_rate 4000)
# A stream's chunk interval, in ms.
INTERVAL=$((500 * HLB_SLOW))

hlb_load || exit "$ksft_fail"
topo_setup 1 3
start_servers 8080 --tcp-only || skip "echo servers did not start"

# Transition 0: no flow protection, whose sessions for new flows in moved
# buckets (for the 60 s after each server is added here) would otherwise
# be counted against "no new sessions while stateless". Short closing
# timeouts, so that the sessions of closed connections go within a second
# or two. Dwell 1 s: each part below sets what it tests.
hlbn "$RTR" service add "${SVC[@]}" mode hybrid transition 0 hold 2s \
	dwell 1s fin-timeout 2s close-timeout 1s newflow-high 1000000
for j in 1 2 3; do
	hlbn "$RTR" server add "${SVC[@]}" "10.1.$j.2:8080"
done
must "hlb monitor shows events" mon_start

hyb_set() { hlbn "$RTR" service set "${SVC[@]}" "$@"; }
# hyb_only OPTION VALUE...: set those; the watermarks not named are 0,
# so that only the measures named take part.
hyb_only()
{
	local -A v=([sessions-high]=0 [sessions-low]=0 [newflow-high]=0
		    [newflow-low]=0 [pps-high]=0 [pps-low]=0)
	local args=() k

	while (($# >= 2)); do
		v[$1]=$2
		shift 2
	done
	for k in "${!v[@]}"; do
		args+=("$k" "${v[$k]}")
	done
	hyb_set "${args[@]}"
}
switched() { mon_has "$MARK" "${SVC[@]}" "$@"; }
method_is() { eq "$(svc_method "${SVC[@]}")" "$1"; }
created() { svc_stat "${SVC[@]}" sessions_created; }
nsessions() { hlbn "$RTR" -j session show "${SVC[@]}" | jq length; }

# The load: short connections, idle connections, a packet stream, all
# from the client; and the streams that must survive it all.
load_start conn "${CLI[1]}" conn "$VIP4" 80
load_start hold "${CLI[1]}" hold "$VIP4" 80
load_start pkt "${CLI[1]}" pkt "$VIP4" 80
# A chunk every INTERVAL, 0.5 s on Debian's kernel: with 20 streams, some
# 40 round trips and at most ~160 packets a second, far below the packet
# watermark further down.
streams_start long "${CLI[1]}" "$VIP4" 80 "$NSTREAMS" \
	--interval "$((INTERVAL / 1000)).$((INTERVAL % 1000 / 100))"
must "$NSTREAMS streams through the service" \
	busywait 60000 streams_up long "$NSTREAMS"
for g in conn hold pkt; do
	must "load generator $g ready" busywait 60000 load_ready $g
done
log_test "the service starts stateful" method_is stateful
log_test "every stream has a session" \
	eq "$(nsessions)" "$NSTREAMS"
LONG_SPORT=$(streams_stat long "list[0].sport")

# no_new_sessions LEVEL NAME: with short connections at LEVEL/s while the
# service is stateless, 20 of them complete and no session is created,
# none is added, and the first stream's session keeps being used.
no_new_sessions()
{
	local c0 n0 ok0 rounds0 sess

	c0=$(created)
	n0=$(nsessions)
	ok0=$(load_stat conn ok)
	rounds0=$(streams_stat long min_rounds)
	load_set conn "$1"
	busywait 30000 eval '(($(load_stat conn ok) >= ok0 + 20))'
	log_test "$2: short connections complete while stateless" \
		eval '(($(load_stat conn ok) >= ok0 + 20))'
	log_test "$2: still stateless" method_is stateless
	log_test "$2: no session created while stateless" eq "$(created)" "$c0"
	log_test "$2: the session count does not grow" \
		eval '(($(nsessions) <= n0))'
	# The stream sends every INTERVAL: its session, idle for more than
	# six of them if it had stopped being used, is touched all the time.
	sess=$(session_of "${SVC[@]}" "$LONG_SPORT")
	log "$2: stream session $sess"
	log_test "$2: the stream's session is in use (idle < $((6 * INTERVAL)) ms)" \
		eval '[[ -n $sess ]] &&
		      (($(jq .idle_ms <<<"$sess") < 6 * INTERVAL))'
	log_test "$2: the streams go on while stateless" \
		streams_progress long "$rounds0"
}

#
# 1. No flapping: one watermark (low == high), no hold time, a dwell of
# 20 s, and a load that goes above and below it every 2 s for 12 s. The
# first rise switches; every fall after it would switch back at once but
# for the dwell. (First, because the dwell also counts from the switch
# before: the service has not switched yet.)
#
hyb_only newflow-high "$NF_HI" newflow-low "$NF_HI" hold 0 dwell 20s
MARK=$(mon_mark)
for i in 1 2 3; do
	load_set conn "$CONN_HI"
	sleep 2
	load_set conn 0
	sleep 2
done
log "flapping: $(mon_switches "$MARK" "${SVC[@]}")"
log_test "flapping: one switch in 12 s of oscillation" \
	eq "$(mon_count "$MARK" "${SVC[@]}")" 1
log_test "flapping: that switch is to stateless" \
	switched stateless newflow-rate
busywait 30000 switched stateful low
log_test "flapping: back to stateful once the dwell time is over" \
	switched stateful low

#
# 2. New flows per second. The load alternates between 2/s and 40/s
# (which TCG turns into 25-40/s); the watermarks are 15 and 5. A hold of
# 5 s: on a host busy with other guests the 40/s load can stall for a
# second or two, and that is not the load going down.
#
hyb_only newflow-high "$NF_HI" newflow-low "$NF_LO" hold 5s dwell 1s
load_set conn "$CONN_LO"
MARK=$(mon_mark)
load_set conn "$CONN_HI"
busywait 30000 switched stateless newflow-rate
log_test "newflow: switch to stateless, reason newflow-rate" \
	switched stateless newflow-rate
no_new_sessions "$CONN_HI" newflow
C0=$(created)
load_set conn "$CONN_LO"
busywait 30000 switched stateful low
log_test "newflow: back to stateful after the hold time, reason low" \
	switched stateful low
log_test "newflow: exactly two switches" eq "$(mon_count "$MARK" "${SVC[@]}")" 2
busywait 30000 eval '(($(created) > C0))'
log_test "newflow: stateful again, new flows get sessions" \
	eval '(($(created) > C0))'

#
# 3. Active sessions. 20 streams, then 150 idle connections (170
# sessions, or as many as the service creates before it stops); the
# watermarks are 100 and 40. The idle connections closed, their sessions
# go within the closing timeouts, and 20 remain.
#
load_set conn 0
hyb_only sessions-high 100 sessions-low 40 hold 2s dwell 1s
MARK=$(mon_mark)
load_set hold 150
busywait 30000 switched stateless sessions
log_test "sessions: switch to stateless, reason sessions" \
	switched stateless sessions
busywait 30000 eval '(($(load_stat hold open) == 150))'
log_test "sessions: 150 idle connections open" \
	eq "$(load_stat hold open)" 150
no_new_sessions 10 sessions
load_set conn 0
load_set hold 0
busywait 30000 switched stateful low
log_test "sessions: back to stateful after the hold time, reason low" \
	switched stateful low
log_test "sessions: exactly two switches" eq "$(mon_count "$MARK" "${SVC[@]}")" 2

#
# 4. Packets per second: one connection sending 4000 small messages a
# second (TCG: 1500-3000 packets/s through the balancer) against the
# streams' ~100-160; the watermarks are 1000 and 400.
#
hyb_only pps-high "$PPS_HI" pps-low "$PPS_LO" hold 2s dwell 1s
MARK=$(mon_mark)
load_set pkt "$PKT"
busywait 30000 switched stateless packet-rate
# What the load came to, for the log: the watermark is about the rate.
P0=$(svc_stat "${SVC[@]}" packets)
sleep 2
log "packets: $((($(svc_stat "${SVC[@]}" packets) - P0) / 2)) packets/s"
log_test "packets: switch to stateless, reason packet-rate" \
	switched stateless packet-rate
no_new_sessions 5 packets
load_set conn 0
load_set pkt 0
busywait 30000 switched stateful low
log_test "packets: back to stateful after the hold time, reason low" \
	switched stateful low
log_test "packets: exactly two switches" eq "$(mon_count "$MARK" "${SVC[@]}")" 2
log_test "packets: the packet stream was not broken" \
	eq "$(load_stat pkt failed)" 0

#
# 5. Pin: at once, whatever the load; none gives the thresholds back.
#
# pin_at_once METHOD: pin METHOD; the service has switched to it by the
# time the command is done, not at the policy's next run: the event of
# the change (sent when it is done, under the lock the policy's runs
# take) already shows the new method.
set_event() { tail -n "+$(($1 + 1))" "$MON_FILE" | grep "^set service $2 $3 "; }
pin_at_once()
{
	local pin=$1 mark line

	mark=$(mon_mark)
	hyb_set pin "$pin"
	busywait 10000 eval 'set_event "$mark" "${SVC[@]}" | grep -q " pin $pin "'
	line=$(set_event "$mark" "${SVC[@]}" | grep " pin $pin " | head -n 1)
	log "pin $pin: $line"
	[[ $line == *" method $pin "* ]]
}

hyb_only newflow-high "$NF_HI" newflow-low "$NF_LO" hold 2s dwell 1s
MARK=$(mon_mark)
log_test "pin: stateless at once" pin_at_once stateless
busywait 10000 switched stateless pin
log_test "pin: event, reason pin" switched stateless pin
MARK=$(mon_mark)
log_test "pin: stateful at once" pin_at_once stateful
busywait 10000 switched stateful pin
log_test "pin: event back, reason pin" switched stateful pin
MARK=$(mon_mark)
OK0=$(load_stat conn ok)
C0=$(created)
load_set conn "$CONN_HI"
busywait 30000 eval '(($(load_stat conn ok) >= OK0 + 80))'
log_test "pin: pinned stateful, high load switches nothing" \
	eq "$(mon_count "$MARK" "${SVC[@]}")" 0
log_test "pin: pinned stateful, new flows get sessions" \
	eval '(($(created) >= C0 + 80))'
hyb_set pin none
busywait 30000 switched stateless newflow-rate
log_test "pin: none, the thresholds decide: stateless, reason newflow-rate" \
	switched stateless newflow-rate
load_set conn 0
busywait 30000 switched stateful low
log_test "pin: none, back to stateful, reason low" switched stateful low

#
# 6. Configuration changes are not load. A change runs the policy at once
# (for a new pin), on what part of a second has been counted so far: that
# count is not to be scaled up to a rate. One new flow 30 ms into the
# second is not 33 a second. 8 new flows a second, about half the
# watermark, and 100 changes at random times: no switch. (When partial
# counts were scaled up, 1-2% of such changes switched the service.)
#
hyb_only newflow-high "$NF_HI" newflow-low "$NF_LO" hold 2s dwell 1s
load_set conn "$CONN_HALF"
OK0=$(load_stat conn ok)
busywait 30000 eval '(($(load_stat conn ok) >= OK0 + CONN_HALF))'
MARK=$(mon_mark)
for _ in $(seq 100); do
	hyb_set hold 2s
	sleep "0.0$((RANDOM % 10))"
done
log "changes: $(mon_switches "$MARK" "${SVC[@]}")"
log_test "changes: 100 changes under half the watermark switch nothing" \
	eq "$(mon_count "$MARK" "${SVC[@]}")" 0
load_set conn 0

#
# All along: no short connection failed, no stream broke.
#
log_test "no short connection failed" eq "$(load_stat conn failed)" 0
log_test "no idle connection failed" eq "$(load_stat hold failed)" 0
log_test "the streams went through every switch intact" streams_stop long
log "switches: $(svc_json "${SVC[@]}" | jq -c '{switches, last_reason}')"
exit "$EXIT_STATUS"
