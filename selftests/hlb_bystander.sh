#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bystanders: traffic routed through the router that is neither to a VIP
# (address and port of a service) nor from a server's service port is
# never dropped, changed or counted by hlb (design.md, threat model).
#
# With services configured (stateless and stateful, IPv4 and IPv6, TCP
# and UDP), tools/bystander.py sends from the client, as raw frames, a
# corpus of odd packets to srv2, a host that is no server and owns two
# addresses that are VIPs of TCP and UDP port 80 only, and captures them
# there:
#  - legal ones: TCP and UDP to any port of the host, to the VIPs' other
#    ports; IPv4 options; SCTP, GRE, ESP, an unknown protocol, ICMP echo;
#    an ICMP error to the host about a VIP's packet (an error goes to the
#    packet's sender, or is none of hlb's); IPv6 No Next Header, alone and
#    after extension headers; hop-by-hop, destination options, routing and
#    authentication headers; fragmented datagrams (an IPv6 atomic
#    fragment is left out: nf_defrag_ipv6 takes its fragment header off
#    before hlb sees it, so it does not arrive as sent, hlb or not);
#  - malformed transport headers (truncated TCP, UDP and ICMP headers, a
#    TCP data offset of 4, destination options past the packet): a router
#    forwards them, only their destination may drop them.
# Each must arrive as forwarded (TTL or hop limit one less, every other
# byte the same), and hlb's counters (packets, malformed) must not move.
source "$(dirname "$0")/lib_dp.sh"

require_command jq
"$PYTHON" -c 'import scapy' 2>/dev/null || skip "python3-scapy not installed"
hlb_load || exit "$ksft_fail"
topo_setup 1 2
C=${CLI[1]}
B=${SRV[2]}
VB4=10.9.0.5
VB6=fd09::5

ip -n "$B" addr add "$VB4/32" dev lo
ip -n "$B" addr add "$VB6/128" dev lo
ip -n "$RTR" route add "$VB4/32" via 10.1.2.2
ip -n "$RTR" -6 route add "$VB6/128" via fd01:2::2

for p in tcp udp; do
	echo "service add $p $VIP4:80 mode stateless"
	echo "server add $p $VIP4:80 10.1.1.2:8080"
	echo "service add $p [$VIP6]:80 mode stateless"
	echo "server add $p [$VIP6]:80 [fd01:1::2]:8080"
	echo "service add $p $VB4:80 mode stateful"
	echo "server add $p $VB4:80 10.1.1.2:8081"
	echo "service add $p [$VB6]:80 mode stateful"
	echo "server add $p [$VB6]:80 [fd01:1::2]:8081"
done | hlb_batch "$RTR" || exit "$ksft_fail"

mac=$(ip -n "$RTR" -br link show c1 | awk '{ print $3 }')
OUT=$(ip netns exec "$C" "$PYTHON" "$TESTS_DIR/tools/bystander.py" \
	"$RTR" "$mac" "$HLB" "$B")
log_test "bystander.py ran" eq "$?" 0
echo "$OUT" | sed 's/^/# /'

n=0
while read -r c group sent arrived packets malformed; do
	[[ -n $c && $c != \#* ]] || continue
	n=$((n + 1))
	what="forwarded unchanged, not counted"
	[[ $group == group=malformed ]] && what="malformed to a non-VIP host: $what"
	RET=0
	[[ ${sent#*=} == "${arrived#*=}" ]]
	check_err $? "$c: ${arrived#*=} of ${sent#*=} packets arrived unchanged"
	[[ $packets == packets=0 && $malformed == malformed=0 ]]
	check_err $? "$c: hlb counted it: $packets $malformed"
	log_test "$c: $what"
done <<<"$OUT"
log_test "every case of bystander.py reported" \
	eq "$n" "$(sed -n 's/^# cases //p' <<<"$OUT")"

# The counters read above do move: a datagram to a VIP is counted (and
# so is srv1's port unreachable in reply: nothing listens there).
p0=$(jget "$RTR" .packets stats)
ip netns exec "$C" bash -c "echo hlb >/dev/udp/$VIP4/80"
log_test "a datagram to a VIP is counted (the checks above can fail)" \
	test "$(($(jget "$RTR" .packets stats) - p0))" -ge 1

exit "$EXIT_STATUS"
