#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A packet that reaches PRE_ROUTING with a route already attached: the
# router itself sends UDP to a VIP that is one of its own addresses. The
# datagram leaves through lo, comes back in through PRE_ROUTING with the
# local route it was sent by, and hlb rewrites its destination to srv1;
# unless hlb drops that route (as nf_nat does), the datagram is delivered
# locally, to the VIP, and srv1 never sees it.
#
# One direction only: srv1's answer goes to the VIP's address, which is
# the router's own, so it is delivered locally at the router and never
# crosses POST_ROUTING, where hlb would translate its source back; the
# router's socket would not recognise it. That is how hlb is built
# (replies are translated at POST_ROUTING), not what this test is about.
#
# The router accepts packets from its own addresses arriving on lo for
# forwarding (accept_local): without it, routing the looped-back IPv4
# packet again calls its source a martian (fib_validate_source) and the
# IPv4 case fails even with hlb right; IPv6 has no such check.
source "$(dirname "$0")/lib_dp.sh"

require_command jq socat
hlb_load || exit "$ksft_fail"
topo_setup 0 1
S=${SRV[1]}
VL4=10.9.0.7
VL6=fd09::7

ip -n "$RTR" addr add "$VL4/32" dev lo
ip -n "$RTR" addr add "$VL6/128" dev lo
ip netns exec "$RTR" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
	net.ipv4.conf.lo.rp_filter=0 net.ipv4.conf.lo.accept_local=1
{
	echo "service add udp $VL4:80"
	echo "server add udp $VL4:80 10.1.1.2:8080"
	echo "service add udp [$VL6]:80"
	echo "server add udp [$VL6]:80 [fd01:1::2]:8080"
} | hlb_batch "$RTR" || exit "$ksft_fail"

dir=$(mktemp -d)
defer rm -rf "$dir"
for f in 4 6; do
	ip netns exec "$S" socat -u "UDP$f-RECV:8080$([[ $f == 6 ]] && echo ,ipv6only=1)" "OPEN:$dir/got$f,creat" &
	defer kill "$!"
done
bound() { ip netns exec "$S" ss -Hlun "sport = :8080" | grep -c . | grep -qx 2; }
busywait 10000 bound || log "the receivers did not start"

for f in 4 6; do
	v=$VL4
	[[ $f == 6 ]] && v=$VL6
	p0=$(jget "$RTR" .packets stats)
	ip netns exec "$RTR" bash -c "echo local-vip-$f >/dev/udp/$v/80"
	log_test "udp$f: the router's datagram to its own VIP reaches srv1" \
		busywait 5000 grep -qx "local-vip-$f" "$dir/got$f"
	log_test "udp$f: hlb translated it once" \
		eq "$(($(jget "$RTR" .packets stats) - p0))" 1
done

exit "$EXIT_STATUS"
