#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Three hlb routers behind equal-cost multipath routing (lib_ecmp.sh): an
# upstream router spreads the flows to the VIP over them by L4 hash, and
# the servers route their replies back over all three the same way, so
# that most flows go out through one hlb router and come back through
# another.
#  1. Only router 1 is configured by hand; routers 2 and 3 get its
#     `hlb save` through `hlb -b -`, and then save exactly the same.
#  2. Same configuration, same decisions: 10,000 UDP flows sent through
#     router 1 only, then through router 2 only, reach the same server
#     flow by flow (and servers by weight); their replies come back
#     through all three routers. With another seed on router 2 most flows
#     go elsewhere: the comparison can fail.
#  3. Asymmetric paths: TCP connections to a stateless service, to a
#     hybrid one pinned stateless and to a stateful one all work, although
#     most have their replies translated by a router that never saw their
#     requests. A stateful router sees only one direction of those: their
#     sessions never see the SYN-ACK.
#  4. Router 1 fails (its links go down; the neighbours drop it from their
#     multipath routes) under 30 long-lived TCP streams per service,
#     spread over the three routers. No stream of the stateless service,
#     nor of the hybrid one (pinned stateful while they opened, so they
#     had sessions, stateless since), breaks: they go on through routers 2
#     and 3, which pick the same servers. Nor does any stream of the
#     stateful service: routers 2 and 3 adopt each one that reaches them
#     mid-flow, with a session to the server their table gives, the same.
#     With strict on, the stateful service drops the segments of exactly
#     the streams that changed router (not only router 1's: the upstream
#     router's hashing moves some between routers 2 and 3 too), since
#     they do not start with a SYN there; those streams break.
source "$(dirname "$0")/lib_ecmp.sh"
source "$(dirname "$0")/lib_hybrid.sh"

require_command jq nft
hlb_load || exit "$ksft_fail"
ecmp_setup 3 3 || exit "$ksft_fail"
start_servers 7000,8080,8081,8082,8083 || exit "$ksft_fail"
TMP=$HYB_TMP
NSTREAMS=30
TCP_PORTS=(80 81 82 83)
declare -A MODE=([80]=stateless [81]=hybrid [82]=stateful [83]=strict)

#
# 1. Router 1 by hand: a UDP service with a seed and table size of its
# own, servers added in one order and one reweighted afterwards; four TCP
# services. Flow protection off (transition 0): in this test only the
# mode decides which flows have sessions.
#
{
	echo "config set udp-timeout 20 fill-limit 90"
	echo "service add udp $VIP4:7000 mode stateless seed 2718281 table-size 32749"
	echo "server add udp $VIP4:7000 10.1.0.3:7000 weight 3"
	echo "server add udp $VIP4:7000 10.1.0.1:7000"
	echo "server add udp $VIP4:7000 10.1.0.2:7000 weight 5"
	echo "server set udp $VIP4:7000 10.1.0.1:7000 weight 2"
	echo "service add tcp $VIP4:80 mode stateless seed 11 transition 0"
	echo "service add tcp $VIP4:81 mode hybrid pin stateless seed 12 transition 0"
	echo "service add tcp $VIP4:82 mode stateful seed 13 transition 0 fin-timeout 120 close-timeout 120"
	echo "service add tcp $VIP4:83 mode stateful strict on seed 14 transition 0"
	for p in "${TCP_PORTS[@]}"; do
		for j in 3 1 2; do
			echo "server add tcp $VIP4:$p 10.1.0.$j:$((8000 + p))"
		done
	done
} | hlb_batch "${RT[1]}" || exit "$ksft_fail"
for k in 2 3; do
	log_test "router $k: configured from router 1 by hlb save | hlb -b -" \
		eval 'hlbn "${RT[1]}" save | hlbn "${RT[$k]}" -b -'
done

# same_config: every router saves exactly what router 1 saves.
same_config()
{
	local k

	hlbn "${RT[1]}" save >"$TMP/save1" || return 1
	for k in 2 3; do
		hlbn "${RT[k]}" save >"$TMP/save$k" || return 1
		diff -u "$TMP/save1" "$TMP/save$k" || return 1
	done
}
log_test "routers 2 and 3 save exactly what router 1 saves" same_config

#
# 2. The same 10,000 flows through router 1 only, then router 2 only.
#
N=10000

# udp_flows ARGS...: tools/udp_flows.py in the client.
udp_flows()
{
	ip netns exec "$CLIENT" "$PYTHON" "$TESTS_DIR/tools/udp_flows.py" \
		"$@"
}

# udp_counts: "NEW PACKETS" of the UDP service on each router, a line
# each: datagrams without a session to the VIP (requests), all packets.
udp_counts()
{
	local k

	for k in 1 2 3; do
		hlbn "${RT[k]}" -j stats show udp "$VIP4:7000" |
			jq -r '.service.stats | "\(.new_flows) \(.packets)"'
	done
}

# pinned K COUNTS: router K took every request (one at least per flow),
# the others none; every router translated replies, one per flow in all.
pinned()
{
	awk -v k="$1" -v n="$N" '
	{
		printf "# router %d: %d requests, %d replies\n", NR, $1, $2 - $1
		if (NR == k ? $1 < n : $1 != 0)
			bad++
		if ($2 - $1 == 0)
			bad++
		rep += $2 - $1
	}
	END { exit bad || rep < n }' <<<"$2"
}


declare -A DET
for k in 1 2; do
	ecmp_route "$k"
	for r in 1 2 3; do
		hlbn "${RT[r]}" stats reset
	done
	DET[$k]=$(udp_flows "$VIP4" 7000 "$N" --sport-base 20000 --window 256)
	log_test "udp through router $k only: $N flows answered from the VIP" \
		flows_ok "$?" "${DET[$k]}"
	log_test "udp through router $k only: it took every request; replies came back through every router" \
		pinned "$k" "$(udp_counts)"
done
log_test "udp: each of $N flows reaches the same server through router 1 and router 2" \
	eq "$(differ "${DET[1]}" "${DET[2]}")" 0
log_test "udp: and the spread follows the weights 2:5:3" \
	weights_ok "${DET[1]}" 2 5 3

# Another seed on router 2: the comparison must see it (with weights
# 2:5:3, two independent choices differ 62% of the time).
hlbn "${RT[2]}" service set udp "$VIP4:7000" seed 2718282
out=$(udp_flows "$VIP4" 7000 1000 --sport-base 20000 --window 256)
n=$(differ "${DET[1]}" "$out")
log "udp: with another seed on router 2, $n of 1000 flows reach another server"
log_test "udp: another seed on router 2 sends over a third of the flows elsewhere" \
	test "$n" -gt 333
hlbn "${RT[2]}" service set udp "$VIP4:7000" seed 2718281
log_test "router 2 back to router 1's seed: the same configuration again" \
	same_config

#
# 3. Asymmetric paths: all three routers, both ways.
#
ecmp_route 1 2 3
ecmp_record || exit "$ksft_fail"
SNAP=$TMP/snap

# paths PORT FLOWS: for every flow of FLOWS ("SPORT SERVER" lines), from
# $SNAP, "SPORT REQ REP SERVER": the routers that took its requests and
# its replies ("-": none).
paths()
{
	{
		grep -E "^[QP] [0-9]+ [0-9]+ $1\$" "$SNAP"
		sed 's/^/F /' <<<"$2"
	} | awk '
	$1 == "Q" { q[$3] = q[$3] $2; next }
	$1 == "P" { p[$3] = p[$3] $2; next }
	{
		print $2, q[$2] == "" ? "-" : q[$2], p[$2] == "" ? "-" : p[$2], $3
	}'
}

# flows OUT: the answered flows of burst.py's output, "SPORT SERVER".
flows() { awk '/^[0-9]+ / && $2 != "-" { print $1, $2 }' <<<"$1"; }

# streams PORT: the streams of service PORT, "SPORT SERVER ERROR", from
# $STREAMS (see streams_read).
streams() { awk -v p="$1" '$1 == p { print $2, $3, $4 }' "$STREAMS"; }

# streams_read: every stream of every service into $STREAMS, one jq.
streams_read()
{
	local p files=()

	for p in "${TCP_PORTS[@]}"; do
		files+=("$TMP/s$p.ss")
	done
	jq -r '(input_filename | sub(".*/s"; "") | sub("[.]ss$"; "")) as $p |
		.list[] | "\($p) \(.sport) \(.server) \(.error != "")"' \
		"${files[@]}" >"$STREAMS"
}

# asymmetric PATHS [spread]: each flow through one router each way (its
# requests through one, its replies through one), and some flows through
# two; every router both ways, or with "spread" every router took the
# requests of some flows.
asymmetric()
{
	awk -v spread="${2:-}" '
	$2 !~ /^[0-9]$/ || $3 !~ /^[0-9]$/ {
		print "# flow from port " $1 ": requests through router(s) " $2 ", replies through " $3
		bad++
	}
	{ q[$2]++; p[$3]++ }
	$2 != $3 { two++ }
	END {
		for (k = 1; k <= 3; k++)
			if (!q[k] || (!p[k] && spread == "")) {
				print "# router " k ": " q[k] + 0 " requests, " p[k] + 0 " replies"
				bad++
			}
		exit bad || !two
	}' <<<"$1"
}

# sessions_expect PORT WANT: the sessions of service PORT in $SNAP are
# those of WANT, lines "SPORT K STATE SERVER" (router K has a session
# from client port SPORT, in STATE, to SERVER, srvJ) or "SPORT K any"
# (it may have one).
sessions_expect()
{
	{
		grep -E "^S [0-9]+ $1 " "$SNAP"
		sed 's/^/W /' <<<"$2"
	} | awk '
	$1 == "S" {
		k = $4 " " $2
		if (k in s) {
			print "# two sessions from port " $4 " on router " $2
			bad++
		}
		s[k] = $5 " " $6
		next
	}
	$4 == "any" { may[$2 " " $3] = 1; next }
	{ want[$2 " " $3] = $4 " 10.1.0." substr($5, 4); n++ }
	END {
		for (k in want) {
			if (s[k] != want[k]) {
				print "# port, router " k ": session \"" s[k] "\", not \"" want[k] "\""
				bad++
			}
			delete s[k]
		}
		for (k in s) {
			if (!(k in may)) {
				print "# port, router " k ": unexpected session " s[k]
				bad++
			}
		}
		exit bad > 0 || !n
	}'
}

# want_sessions PATHS [BEFORE adopt|keep]: the sessions expected for
# flows with those paths, when they were created: each on its requests'
# router, to its server, established if its replies come back through
# that router (so that it saw the SYN-ACK), syn-sent if not. With the
# paths BEFORE router 1 failed: a flow that stayed on its router keeps the
# session it had; one that moved may still have its old one, and with
# "adopt" (stateful, not strict) has an established session on its new
# router, made for it mid-flow.
want_sessions()
{
	{
		[[ -n ${2:-} ]] && sed 's/^/B /' <<<"$2"
		sed 's/^/A /' <<<"$1"
	} | awk -v how="${3:-}" '
	$1 == "B" { q[$2] = $3; p[$2] = $4; next }
	!($2 in q) || q[$2] == $3 {
		r = ($2 in q) ? p[$2] : $4
		print $2, $3, $3 == r ? "established" : "syn-sent", $5
		next
	}
	{
		if (how == "adopt")
			print $2, $3, "established", $5
		if (q[$2] != 1)
			print $2, q[$2], "any"
	}'
}

# counter PORT NAME K...: the sum of that counter of TCP service PORT on
# routers K, from $SNAP.
counter()
{
	local port=$1 name=$2

	shift 2
	awk -v p="$port" -v c="$name" -v ks=" $* " '
	$1 == "V" && $3 == "tcp" && $4 == p && $5 == c &&
	index(ks, " " $2 " ") { n += $6 }
	END { print n + 0 }' "$SNAP"
}

burst_agent "$CLIENT" || exit "$ksft_fail"
declare -A OUT
ecmp_forget
base=30000
for p in 80 81 82; do
	OUT[$p]=$(burst "$CLIENT" tcp "$VIP4" "$p" 200 --sport-base $base)
	log_test "tcp ${MODE[$p]}: 200 connections through three routers" \
		flows_ok "$?" "${OUT[$p]}"
	base=$((base + 200))
done
ecmp_snapshot "$SNAP"
for p in 80 81 82; do
	pa=$(paths "$p" "$(flows "${OUT[$p]}")")
	log "tcp ${MODE[$p]}: $(awk '$2 != $3' <<<"$pa" | wc -l) of 200 with their replies through another router"
	log_test "tcp ${MODE[$p]}: requests and replies through every router, some flows through two" \
		asymmetric "$pa"
done
# A stateful router sees the replies of its flows only if they come back
# through it: after the close, the session has seen both FINs (time-wait)
# or only the client's (fin-wait). ($pa is the stateful service's.)
closed=$(want_sessions "$pa" | sed 's/established/time-wait/; s/syn-sent/fin-wait/')
log_test "tcp stateful: a session per connection on its requests' router, time-wait if the replies came through it, else fin-wait" \
	sessions_expect 82 "$closed"
for k in 1 2 3; do
	hlbn "${RT[k]}" session flush
done

#
# 4. Router 1 fails under 30 streams per service. The hybrid service's
# streams open while it is pinned stateful, so that they have sessions;
# it is pinned stateless before the failure.
#

# pin_hybrid METHOD: on every router.
pin_hybrid()
{
	local k

	for k in 1 2 3; do
		hlbn "${RT[k]}" service set tcp "$VIP4:81" pin "$1" || return 1
	done
	same_config
}

# progress N: every stream not broken makes N more round trips.
progress()
{
	local p
	local -A r

	for p in "${TCP_PORTS[@]}"; do
		r[$p]=$(streams_stat "s$p" min_rounds)
	done
	for p in "${TCP_PORTS[@]}"; do
		busywait 60000 streams_progress "s$p" $((r[$p] + $1)) || return 1
	done
}

log_test "hybrid: pinned stateful on every router" pin_hybrid stateful
ecmp_forget
for p in "${TCP_PORTS[@]}"; do
	streams_start "s$p" "$CLIENT" "$VIP4" "$p" "$NSTREAMS" --interval 1
done
for p in "${TCP_PORTS[@]}"; do
	must "tcp ${MODE[$p]}: $NSTREAMS streams through three routers" \
		busywait 120000 streams_up "s$p" "$NSTREAMS"
done
log_test "hybrid: pinned stateless on every router" pin_hybrid stateless
log_test "every stream goes on" progress 1

declare -A BEFORE AFTER MOVED
STREAMS=$TMP/streams
ecmp_snapshot "$SNAP"
streams_read
for p in "${TCP_PORTS[@]}"; do
	BEFORE[$p]=$(paths "$p" "$(streams "$p")")
	log "tcp ${MODE[$p]}: streams' requests through routers 1, 2, 3: $(for k in 1 2 3; do awk -v k="$k" '$2 == k' <<<"${BEFORE[$p]}" | wc -l; done | tr '\n' ' ')"
	# A router gets none of 30 streams with probability (2/3)^30 = 5e-6.
	log_test "tcp ${MODE[$p]}: each stream through one router each way, every router the requests of some" \
		asymmetric "${BEFORE[$p]}" spread
done
log_test "tcp stateless: no session anywhere" \
	eq "$(grep -c '^S [0-9]* 80 ' "$SNAP")" 0
for p in 81 82 83; do
	log_test "tcp ${MODE[$p]}: a session per stream on its requests' router, established if the replies come back through it, else syn-sent" \
		sessions_expect "$p" "$(want_sessions "${BEFORE[$p]}")"
done
C81=$(counter 81 sessions_created 2 3)
C82=$(counter 82 sessions_created 2 3)
for k in 1 2 3; do
	log "router $k: packets per service: $(awk -v k="$k" '$1 == "V" && $2 == k && $5 == "packets" { printf "%s:%s ", $4, $6 }' "$SNAP")"
done

ecmp_fail 1
log "up: $(ip -n "$UP" route show "$VIP4/32" | tr -s '\n\t' '  ')"
log_test "router 1 down: every stream not broken goes on" progress 3

# moved PORT: the client ports of streams that changed router.
moved()
{
	{
		sed 's/^/B /' <<<"${BEFORE[$1]}"
		sed 's/^/A /' <<<"${AFTER[$1]}"
	} | awk '$1 == "B" { q[$2] = $3; next } q[$2] != $3 { print $2 }' |
		sort -n | tr '\n' ' '
}

# broken PORT: the client ports of broken streams.
broken()
{
	streams_read
	streams "$1" | awk '$3 == "true" { print $1 }' | sort -n | tr '\n' ' '
}

# settle BEFORE AFTER: AFTER (paths since the streams started, without
# router 1) with each flow's router of BEFORE taken out when the flow was
# seen on another one too: the router it moved to.
settle()
{
	{
		sed 's/^/B /' <<<"$1"
		sed 's/^/A /' <<<"$2"
	} | awk '
	$1 == "B" { q[$2] = $3; next }
	{
		r = $3
		if (length(r) > 1)
			sub(q[$2], "", r)
		print $2, r, $4, $5
	}'
}

# survivors PATHS: every flow's requests through router 2 or 3 only.
survivors()
{
	awk '$2 != 2 && $2 != 3 { print "# stream from port " $1 " through router(s) " $2; bad++ }
	     END { exit bad > 0 }' <<<"$1"
}

ecmp_snapshot "$SNAP"
streams_read
for p in "${TCP_PORTS[@]}"; do
	AFTER[$p]=$(settle "${BEFORE[$p]}" "$(paths "$p" "$(streams "$p")")")
	MOVED[$p]=$(moved "$p")
	from1=$(awk '$2 == 1' <<<"${BEFORE[$p]}" | wc -l)
	m=$(wc -w <<<"${MOVED[$p]}")
	log "tcp ${MODE[$p]}: $m streams changed router: router 1's $from1 and $((m - from1)) between routers 2 and 3"
	log_test "tcp ${MODE[$p]}: every stream's requests now through router 2 or 3" \
		survivors "${AFTER[$p]}"
done
for p in 80 81 82; do
	log_test "tcp ${MODE[$p]}: no stream broken" \
		eq "$(streams_stat "s$p" broken)" 0
done
log_test "tcp hybrid (stateless now): routers 2 and 3 created no session for the streams that moved" \
	eq "$(counter 81 sessions_created 2 3)" "$C81"
log_test "tcp hybrid: the streams that stayed keep their sessions" \
	sessions_expect 81 "$(want_sessions "${AFTER[81]}" "${BEFORE[81]}" keep)"
log_test "tcp stateful: routers 2 and 3 created a session for each stream that moved to them" \
	eq "$(counter 82 sessions_created 2 3)" \
	$((C82 + $(wc -w <<<"${MOVED[82]}")))
log_test "tcp stateful: established, to the stream's server; the streams that stayed keep theirs" \
	sessions_expect 82 "$(want_sessions "${AFTER[82]}" "${BEFORE[82]}" adopt)"

# Strict: a moved stream's segments reach a router without its session,
# and are not SYNs: dropped, until the stream times out (15 s without an
# echo).
want=${MOVED[83]}
log "tcp strict: streams that changed router: $want"
log_test "tcp strict: exactly the streams that changed router break" \
	busywait 60000 eval '[[ $(broken 83) == "$want" ]]'
log "tcp strict: broken: $(broken 83)"
ecmp_snapshot "$SNAP"
log_test "tcp strict: the others keep their sessions, the moved ones get none" \
	sessions_expect 83 "$(want_sessions "${AFTER[83]}" "${BEFORE[83]}" keep)"
log_test "tcp strict: routers 2 and 3 counted the drops" \
	test "$(counter 83 drop_strict 2 3)" -gt 0
for p in 80 81 82; do
	log_test "tcp ${MODE[$p]}: every stream ends cleanly" streams_stop "s$p"
done
streams_stop s83 >/dev/null

exit "$EXIT_STATUS"
