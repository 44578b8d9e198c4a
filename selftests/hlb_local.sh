#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The router's own connections to a VIP are balanced, as a client's are:
# a proxy or a health prober on the router itself can use a service.
# They leave through LOCAL_OUT (translated there, then routed again to the
# server) and their replies come in through LOCAL_IN (translated back to
# the VIP before the socket sees them). The VIPs are routed upstream, as
# on a real router: the router's default route points at client 1.
#
# TCP and UDP, IPv4 and IPv6, stateless and stateful: 20 flows each from
# the router (tools/flows.py: every answer must come from the VIP, with
# its payload intact) reach the servers, both of them; a stateful
# service keeps one session per flow, a stateless one none. (Clients'
# flows, through the same hooks, are every other test's.)
source "$(dirname "$0")/lib_dp.sh"

N=20

hlb_load || exit "$ksft_fail"
topo_setup 1 2
start_servers 8080 || exit "$ksft_fail"
ip -n "$RTR" route add default via 10.0.1.2
ip -n "$RTR" -6 route add default via fd00:1::2

# all_answered STATUS OUTPUT N: flows.py exited STATUS with OUTPUT, and
# each of the N flows got its answer (from the VIP, intact: flows.py
# fails otherwise), from one of the two servers.
all_answered()
{
	[[ $1 == 0 ]] || grep -v '^[0-9]' <<<"$2" | head -5
	[[ $1 == 0 ]] && (($(served "$2" srv1) + $(served "$2" srv2) == $3))
}

# check MODE PROTO VIP: N flows from the router to VIP:80 of a service
# in MODE.
check()
{
	local mode=$1 proto=$2 vip=$3 svc out n

	svc="$vip:80"
	[[ $vip != *:* ]] || svc="[$vip]:80"
	hlb_batch "$RTR" <<EOF || return 1
service add $proto $svc mode $mode transition 0
server add $proto $svc ${4}:8080
server add $proto $svc ${5}:8080
EOF
	out=$(flows "$RTR" "$proto" "$vip" 80 "$N")
	log_test "$mode $proto $vip: $N flows from the router" \
		all_answered "$?" "$out" "$N"
	log "$mode $proto $vip: $(tail -n 1 <<<"$out")"
	log_test "$mode $proto $vip: both servers answered" \
		eval '(($(served "$out" srv1) > 0 && $(served "$out" srv2) > 0))'
	n=$(nsessions "$RTR")
	if [[ $mode == stateful ]]; then
		log_test "$mode $proto $vip: one session per flow" eq "$n" "$N"
	else
		log_test "$mode $proto $vip: no session" eq "$n" 0
	fi
	hlbn "$RTR" service flush
}

for mode in stateless stateful; do
	for proto in tcp udp; do
		check "$mode" "$proto" "$VIP4" 10.1.1.2 10.1.2.2
		check "$mode" "$proto" "$VIP6" "[fd01:1::2]" "[fd01:2::2]"
	done
done
exit "$EXIT_STATUS"
