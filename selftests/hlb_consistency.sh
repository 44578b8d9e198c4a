#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Which server a flow reaches, and that it keeps it:
#  - session precedence: a TCP connection opened while its service is
#    stateful keeps its server after the service goes stateless and after
#    the mapping changes under it (a server added, others reweighted, its
#    own server drained), because the session table is looked up first.
#    A control connection opened while stateless, with no session and
#    flow protection off, breaks at the same change: proof that the
#    change did move the flows' buckets;
#  - determinism: two routers with the same configuration and seed, their
#    servers added in different orders, send each of 1,000 flows to the
#    same server; another seed does not.
# IPv4 and IPv6 throughout.
source "$(dirname "$0")/lib_dp.sh"

require_command jq
hlb_load || exit "$ksft_fail"
topo_setup 1 4
start_servers 8080 || exit "$ksft_fail"
C=${CLI[1]}
burst_agent "$C" || exit "$ksft_fail"
TMP=$(mktemp -d)
defer rm -rf "$TMP"

svc() { if [[ $1 == 6 ]]; then echo "[$VIP6]:80"; else echo "$VIP4:80"; fi; }
svc7() { if [[ $1 == 6 ]]; then echo "[$VIP6]:7000"; else echo "$VIP4:7000"; fi; }
vip() { if [[ $1 == 6 ]]; then echo "$VIP6"; else echo "$VIP4"; fi; }
# addr J FAM: server J's address as the CLI takes it.
addr() { if [[ $2 == 6 ]]; then echo "[fd01:$1::2]"; else echo "10.1.$1.2"; fi; }

# Session precedence.
for f in 4 6; do
	echo "service add tcp $(svc "$f") mode stateful transition 0"
	for j in 1 2 3; do
		echo "server add tcp $(svc "$f") $(addr "$j" "$f"):8080"
	done
done | hlb_batch "$RTR" || exit "$ksft_fail"

declare -A PID
declare -a A B R
for f in 4 6; do
	longconn "$C" "$(vip "$f")" 80 "$TMP/a$f"
	PID[a$f]=$LONGCONN_PID
done
for f in 4 6; do
	log_test "tcp$f: long-lived connection A, opened while stateful" \
		busywait 30000 lc_rounds_ge "$TMP/a$f" 2
	A[f]=$(lc_get "$TMP/a$f" server)
	log "tcp$f: A from port $(lc_get "$TMP/a$f" sport) is on ${A[f]}"
done

# session_of FAM SPORT: "SERVER_ADDR STATE" of the session from SPORT.
session_of()
{
	hlbn "$RTR" -j session show tcp "$(svc "$1")" |
		jq -r --argjson p "$2" '.[] | select(.client_port == $p) |
			"\(.server_addr) \(.state)"'
}

# server_addr NAME FAM: srvJ's address as sessions show it.
server_addr() { srv_addr "${1#srv}" "$2"; }

for f in 4 6; do
	log_test "tcp$f: A has an established session to its server" \
		eq "$(session_of "$f" "$(lc_get "$TMP/a$f" sport)")" \
		"$(server_addr "${A[f]}" "$f") established"
done

# Stateless from now on: A's session still wins.
for f in 4 6; do
	echo "service set tcp $(svc "$f") mode stateless"
done | hlb_batch "$RTR"
for f in 4 6; do
	R[f]=$(lc_get "$TMP/a$f" rounds)
done
for f in 4 6; do
	log_test "tcp$f: A keeps working after the service goes stateless" \
		busywait 30000 lc_rounds_ge "$TMP/a$f" $((R[f] + 5))
done

# Control connection B: opened while stateless, so it has no session.
for f in 4 6; do
	longconn "$C" "$(vip "$f")" 80 "$TMP/b$f"
	PID[b$f]=$LONGCONN_PID
done
for f in 4 6; do
	log_test "tcp$f: control connection B, opened while stateless" \
		busywait 30000 lc_rounds_ge "$TMP/b$f" 2
	B[f]=$(lc_get "$TMP/b$f" server)
	log "tcp$f: B from port $(lc_get "$TMP/b$f" sport) is on ${B[f]}"
	log_test "tcp$f: B has no session, A still has one" \
		eq "$(nsessions "$RTR" tcp "$(svc "$f")")/$(session_of "$f" "$(lc_get "$TMP/b$f" sport)")" "1/"
done

# The mapping changes: a new server, new weights, and the servers of A
# and B drained (weight 0: out of the lookup table), so that neither
# flow's bucket can still point to its server.
for f in 4 6; do
	echo "server add tcp $(svc "$f") $(addr 4 "$f"):8080 weight 3"
	for j in 1 2 3; do
		w=$((j + 1))
		[[ srv$j == "${A[f]}" || srv$j == "${B[f]}" ]] && w=0
		echo "server set tcp $(svc "$f") $(addr "$j" "$f"):8080 weight $w"
	done
done | hlb_batch "$RTR"
for f in 4 6; do
	R[f]=$(lc_get "$TMP/a$f" rounds)
done
for f in 4 6; do
	log_test "tcp$f: A keeps its drained server after the mapping changed" \
		busywait 30000 lc_rounds_ge "$TMP/a$f" $((R[f] + 5))
	log_test "tcp$f: A's session still names its server" \
		eq "$(session_of "$f" "$(lc_get "$TMP/a$f" sport)")" \
		"$(server_addr "${A[f]}" "$f") established"
	# B's packets now reach a server without its socket: reset.
	log_test "tcp$f: control B (no session) breaks at the same change" \
		busywait 30000 lc_errored "$TMP/b$f"
	log "tcp$f: B: $(lc_get "$TMP/b$f" error)"
done
for f in 4 6; do
	kill -TERM "${PID[a$f]}"
	wait "${PID[a$f]}"
	log_test "tcp$f: A ends cleanly, every round trip answered" eq "$?" 0
	log "tcp$f: A made $(lc_get "$TMP/a$f" rounds) round trips"
	wait "${PID[b$f]}"
done

# Determinism: the same configuration on this router (A) and on a second
# one (B) with its own client and servers at the same addresses. Servers
# are added in a different order; the seed and table size are not the
# defaults. Stateless UDP: one datagram per flow from 1,000 fixed ports.
N=1000
det_config()
{
	local rtr=$1 f j

	shift
	for f in 4 6; do
		echo "service add udp $(svc7 "$f") mode stateless seed 4242 table-size 4093"
		for j in "$@"; do
			echo "server add udp $(svc7 "$f") $(addr "$j" "$f"):8080 weight $j"
		done
	done | hlb_batch "$rtr"
}
log_test "router A: udp services, servers added 1, 2, 3" det_config "$RTR" 1 2 3
RTR_A=$RTR C_A=$C
topo_setup 1 3
start_servers 8080 --udp-only || exit "$ksft_fail"
RTR_B=$RTR C_B=${CLI[1]}
burst_agent "$C_B" || exit "$ksft_fail"
log_test "router B: the same, servers added 3, 1, 2" det_config "$RTR_B" 3 1 2

declare -A DET
for r in A B; do
	for f in 4 6; do
		c=C_$r
		DET[$r$f]=$(burst "${!c}" udp "$(vip "$f")" 7000 "$N" \
			--sport-base $((20000 + f * 1000)) --concurrency 64)
		log_test "udp$f through router $r: $N flows answered" \
			flows_ok "$?" "${DET[$r$f]}"
	done
done
for f in 4 6; do
	log_test "udp$f: each of $N flows reaches the same server through A and B" \
		eq "$(differ "${DET[A$f]}" "${DET[B$f]}")" 0
	log_test "udp$f: and the spread follows the weights" \
		weights_ok "${DET[A$f]}" 1 2 3
done

# Another seed on B: the same check must now see differences (about 61%
# of flows move with weights 1:2:3), or it proves nothing.
hlbn "$RTR_B" service set udp "$VIP4:7000" seed 4243
out=$(burst "$C_B" udp "$VIP4" 7000 "$N" --sport-base 24000 --concurrency 64)
n=$(differ "${DET[A4]}" "$out")
log "udp4: $n of $N flows differ with another seed"
log_test "udp4: another seed on B sends over a third of the flows elsewhere" \
	test "$n" -gt $((N / 3))

exit "$EXIT_STATUS"
