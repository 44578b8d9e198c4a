#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Limits of stateful services, IPv4 and IPv6:
#  - the namespace session limit: at the limit new flows are refused and
#    counted (drop_session_limit) while flows that have a session keep
#    working; `hlb session flush` empties the table, new flows work
#    again, and the session caches give their objects back (this part
#    needs the caches unmerged: boot with slab_nomerge, else it is
#    skipped);
#  - per-server max-conns: new flows go to servers with room; when none
#    has room they are dropped and counted (drop_max_conns), while
#    existing flows keep working;
#  - weighted least-connection (sched wlc): 60 new sessions over weights
#    1:2:3 land exactly 10/20/30;
#  - strict mode drops a TCP segment that is not a SYN and has no
#    session (drop_strict), also while flow protection would learn it;
#    a service without strict adopts it into an established session.
# Sessions of UDP flows are used where a flow must stay put: one datagram
# each way, from fixed source ports (below the ephemeral range, so that
# no other flow can have the same ones), with a long UDP timeout.
source "$(dirname "$0")/lib_dp.sh"

require_command jq
"$PYTHON" -c 'import scapy' 2>/dev/null || skip "python3-scapy not installed"
hlb_load || exit "$ksft_fail"
topo_setup 1 3
start_servers 8080,8081,8082 || exit "$ksft_fail"
C=${CLI[1]}
burst_agent "$C" || exit "$ksft_fail"

vip() { if [[ $1 == 6 ]]; then echo "$VIP6"; else echo "$VIP4"; fi; }
ep() { if [[ $1 == 6 ]]; then echo "[$2]:$3"; else echo "$2:$3"; fi; }
svc() { ep "$1" "$(vip "$1")" "$2"; }
sa() { srv_addr "$1" "$2"; }
S() { echo "${ST[svc/$2/$(vip "$1")/$3/$4]}"; }
V() { echo "${ST[srv/$2/$(sa "$3" "$1")/$4/$5]}"; }

# add_service FAM PROTO PORT SERVER_PORT OPTIONS...: the commands for a
# service and its three servers, for hlb_batch.
add_service()
{
	local f=$1 p=$2 port=$3 sport=$4 j

	shift 4
	echo "service add $p $(svc "$f" "$port") $*"
	for j in 1 2 3; do
		echo "server add $p $(svc "$f" "$port") $(ep "$f" "$(sa "$j" "$f")" "$sport")"
	done
}

for f in 4 6; do
	add_service "$f" udp 82 8080 mode stateful udp-timeout 600
	add_service "$f" udp 83 8081 mode stateful udp-timeout 600
	add_service "$f" udp 84 8082 mode stateful udp-timeout 600 sched wlc
	echo "server set udp $(svc "$f" 84) $(ep "$f" "$(sa 2 "$f")" 8082) weight 2"
	echo "server set udp $(svc "$f" 84) $(ep "$f" "$(sa 3 "$f")" 8082) weight 3"
	echo "server set udp $(svc "$f" 83) $(ep "$f" "$(sa 1 "$f")" 8081) max-conns 1"
	# Strict, one server for now; flow protection on.
	echo "service add tcp $(svc "$f" 80) mode stateful strict on transition 60s"
	echo "server add tcp $(svc "$f" 80) $(ep "$f" "$(sa 1 "$f")" 8080)"
	# Port 81, not strict, has one server that does not exist
	# (10.1.1.99): an adopted segment goes nowhere, so nothing answers
	# it with a reset that would close the session under the test's eyes.
	echo "service add tcp $(svc "$f" 81) mode stateful transition 0"
	echo "server add tcp $(svc "$f" 81) $(ep "$f" "$(sa 1 "$f" | sed 's/2$/99/')" 8080)"
done | hlb_batch "$RTR" || exit "$ksft_fail"

# 1. Session limit: 20 sessions in the namespace, 12 IPv4 and 8 IPv6.
# slab_active CACHE: active objects, after flushing per-CPU slabs, or
# nothing if the cache is merged with others (no slab_nomerge).
slab_active()
{
	[[ -d /sys/kernel/slab/$1 && ! -L /sys/kernel/slab/$1 ]] || return 0
	grep -q "^$1 " /proc/slabinfo || return 0
	echo 1 >"/sys/kernel/slab/$1/shrink"
	awk -v c="$1" '$1 == c { print $2 }' /proc/slabinfo
}
slab_back() { [[ $(slab_active hlb_session4) == "$1" && $(slab_active hlb_session6) == "$2" ]]; }
# The previous test's namespace is torn down in the background (netns
# cleanup runs from a workqueue, sessions are freed after a grace
# period): its sessions must be gone before the caches are counted.
no_sessions() { [[ $("$HLB" -j version | jq .module_objects.sessions) == 0 ]]; }
busywait 60000 no_sessions || log "sessions of another namespace still exist"
base4=$(slab_active hlb_session4) base6=$(slab_active hlb_session6)
hlbn "$RTR" config set session-limit 20
out4=$(burst "$C" udp "$VIP4" 82 12 --sport-base 30000 --concurrency 1)
log_test "udp4: 12 flows below the limit" flows_ok "$?" "$out4"
out6=$(burst "$C" udp "$VIP6" 82 8 --sport-base 30000 --concurrency 1)
log_test "udp6: 8 flows up to the limit" flows_ok "$?" "$out6"
load_stats "$RTR"
log_test "the namespace holds 20 sessions" eq "${ST[cfg/sessions]}" 20
if [[ -n $base4 && -n $base6 ]]; then
	log_test "the session caches grew by 12 and 8 objects at least" \
		test $(($(slab_active hlb_session4) - base4)) -ge 12 -a \
		$(($(slab_active hlb_session6) - base6)) -ge 8
fi
for f in 4 6; do
	out=$(burst "$C" udp "$(vip "$f")" 82 5 --sport-base 30100 --tries 1 \
		--timeout 2)
	log_test "udp$f at the limit: 5 new flows get no answer" \
		eq "$(failed "$out")" 5
done
load_stats "$RTR"
for f in 4 6; do
	log_test "udp$f: each refused flow counted in drop_session_limit" \
		eq "$(S "$f" udp 82 drop_session_limit)" 5
done
log_test "namespace: drop_session_limit counts both" \
	eq "${ST[ns/drop_session_limit]}" 10
out=$(burst "$C" udp "$VIP4" 82 12 --sport-base 30000 --concurrency 1)
log_test "udp4 at the limit: the 12 flows with sessions keep working" \
	flows_ok "$?" "$out"
out=$(burst "$C" udp "$VIP6" 82 8 --sport-base 30000 --concurrency 1)
log_test "udp6 at the limit: the 8 flows with sessions keep working" \
	flows_ok "$?" "$out"
load_stats "$RTR"
log_test "udp: their second datagrams were session hits" \
	eq "$(S 4 udp 82 session_hits)/$(S 6 udp 82 session_hits)" \
	$((12 * 3))/$((8 * 3))
log_test "still 20 sessions, no new refusals" \
	eq "${ST[cfg/sessions]}/${ST[ns/drop_session_limit]}" 20/10
log_test "session flush" hlbn "$RTR" session flush
load_stats "$RTR"
log_test "no session left, sessions_active back to 0" \
	eq "${ST[cfg/sessions]}/$(S 4 udp 82 sessions_active)/$(S 6 udp 82 sessions_active)" \
	0/0/0
if [[ -n $base4 && -n $base6 ]]; then
	log_test "the session caches are back to their $base4 and $base6 objects" \
		busywait 10000 slab_back "$base4" "$base6"
else
	log "SKIP: session caches merged with others; boot with slab_nomerge to check them"
fi
out=$(burst "$C" udp "$VIP4" 82 5 --sport-base 30100 --concurrency 1)
log_test "udp4: the refused flows work after the flush" flows_ok "$?" "$out"
hlbn "$RTR" config set session-limit 1048576
hlbn "$RTR" session flush

# 2. max-conns: srv1 takes one session, the others the rest.
for f in 4 6; do
	out=$(burst "$C" udp "$(vip "$f")" 83 30 --sport-base 31000 \
		--concurrency 1)
	log_test "udp$f: 30 flows with srv1 at max-conns 1" flows_ok "$?" "$out"
	load_stats "$RTR"
	# The hash alone would give srv1 about 10 of them.
	log_test "udp$f: srv1 holds exactly 1 session, srv2 and srv3 the other 29" \
		eq "$(V "$f" udp 1 8081 sessions_active)/$(($(V "$f" udp 2 8081 sessions_active) + $(V "$f" udp 3 8081 sessions_active)))" \
		1/29
	for j in 2 3; do
		echo "server set udp $(svc "$f" 83) $(ep "$f" "$(sa "$j" "$f")" 8081) max-conns $(V "$f" udp "$j" 8081 sessions_active)"
	done | hlb_batch "$RTR"
	out=$(burst "$C" udp "$(vip "$f")" 83 2 --sport-base 31100 --tries 1 \
		--timeout 2)
	log_test "udp$f: every server full, 2 new flows get no answer" \
		eq "$(failed "$out")" 2
	load_stats "$RTR"
	log_test "udp$f: counted in drop_max_conns" \
		eq "$(S "$f" udp 83 drop_max_conns)" 2
	out=$(burst "$C" udp "$(vip "$f")" 83 30 --sport-base 31000)
	log_test "udp$f: the 30 flows with sessions keep working" flows_ok "$?" "$out"
done
load_stats "$RTR"
log_test "namespace: drop_max_conns counts both families" \
	eq "${ST[ns/drop_max_conns]}" 4

# 3. Weighted least-connection: new sessions by conns / weight.
for f in 4 6; do
	out=$(burst "$C" udp "$(vip "$f")" 84 60 --sport-base 32000 \
		--concurrency 1)
	log_test "udp$f wlc: 60 flows" flows_ok "$?" "$out"
	load_stats "$RTR"
	log_test "udp$f wlc: sessions 10/20/30 over weights 1:2:3" \
		eq "$(V "$f" udp 1 8082 sessions_active)/$(V "$f" udp 2 8082 sessions_active)/$(V "$f" udp 3 8082 sessions_active)" \
		10/20/30
	log_test "udp$f wlc: so are the flows the client saw" \
		eq "$(served "$out" srv1)/$(served "$out" srv2)/$(served "$out" srv3)" \
		10/20/30
done

# 4. Strict: connections starting with a SYN pass, lone ACKs do not, not
# even during flow protection's transition period: the strict service's
# only server is drained for a new one, so every bucket has moved, and a
# segment without a session would be learned if strict did not come first.
for f in 4 6; do
	out=$(burst "$C" tcp "$(vip "$f")" 80 10)
	log_test "tcp$f strict: 10 connections pass" flows_ok "$?" "$out"
done
for f in 4 6; do
	echo "server add tcp $(svc "$f" 80) $(ep "$f" "$(sa 2 "$f")" 8080)"
	echo "server set tcp $(svc "$f" 80) $(ep "$f" "$(sa 1 "$f")" 8080) weight 0"
done | hlb_batch "$RTR"
load_stats "$RTR"
before=${ST[ns/drop_strict]}
acks=()
for f in 4 6; do
	for ((p = 21000; p < 21010; p++)); do
		acks+=("$(vip "$f"),80,$p")
	done
	acks+=("$(vip "$f"),81,21010")
done
log_test "scapy: lone ACKs to the strict and the non-strict service" \
	ip netns exec "$C" "$PYTHON" "$TESTS_DIR/tools/tcp_ack.py" "${acks[@]}"
load_stats "$RTR"
sessions=$(hlbn "$RTR" -j session show)
# sess FAM PORT CLIENT_PORT...: "SERVER STATE" of those sessions.
sess()
{
	jq -r --arg v "$(vip "$1")" --argjson p "$2" --argjson c "[$3]" \
		'.[] | select(.vip == $v and .vip_port == $p and
			      (.client_port | IN($c[]))) |
		 "\(.server_addr) \(.state)"' <<<"$sessions"
}
for f in 4 6; do
	log_test "tcp$f strict: 10 lone ACKs dropped, counted in drop_strict" \
		eq "$(S "$f" tcp 80 drop_strict)" 10
	log_test "tcp$f strict: and none got a session, learned or not" \
		eq "$(sess "$f" 80 "$(seq -s, 21000 21009)")" ""
	if [[ $f == 6 ]]; then a=fd01:1::99; else a=10.1.1.99; fi
	log_test "tcp$f not strict: the ACK is adopted into an established session" \
		eq "$(sess "$f" 81 21010)" "$a established"
	log_test "tcp$f not strict: created from the mapping" \
		eq "$(S "$f" tcp 81 sessions_created)/$(S "$f" tcp 81 mapping_hits)" 1/1
done
log_test "namespace: drop_strict counts both" \
	eq $((${ST[ns/drop_strict]} - before)) 20

exit "$EXIT_STATUS"
