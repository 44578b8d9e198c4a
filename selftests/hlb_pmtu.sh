#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Packet sizes through hlb, IPv4 and IPv6, stateless and stateful:
#  - a 4000-byte UDP datagram over 1500-byte links: fragmented by the
#    client, reassembled by nf_defrag on the router, translated once as a
#    whole, refragmented, answered intact;
#  - "fragmentation needed" / "packet too big" sent to the VIP from the
#    client's side reaches the flow's server, embedded datagram
#    translated back, and the server lowers its path MTU to the client;
#  - path MTU discovery through hlb: a server behind a 1280-byte link,
#    the router's ICMP errors about client -> server packets are
#    translated to be about client -> VIP, the client lowers its path MTU
#    to the VIP, and a TCP transfer completes;
#  - big TCP transfers: iperf3 with the veth defaults (GSO packets cross
#    hlb), and 10 MB (IPv4) and 4 MB (IPv6) echoed with a SHA-256 check;
#    then TCP and UDP again
#    with checksum offload off on the router's egress links, so that the
#    receivers verify every checksum hlb updated.
source "$(dirname "$0")/lib_dp.sh"

require_command jq iperf3
hlb_load || exit "$ksft_fail"
topo_setup 1 3
C=${CLI[1]}
R=$RTR

# srv1 sits behind a 1280-byte link. It advertises the MSS of a 1500-byte
# path (advmss), as a server would whose own link is wider than a hop in
# between: the client then sends full-size segments that the router
# cannot forward to srv1.
ip -n "$R" link set s1 mtu 1280
ip -n "${SRV[1]}" link set eth0 mtu 1280
ip -n "${SRV[1]}" route replace default via 10.1.1.1 advmss 1460
ip -n "${SRV[1]}" -6 route replace default via fd01:1::1 advmss 1440

start_servers 8080,8081,8082,8083 || exit "$ksft_fail"
burst_agent "$C" || exit "$ksft_fail"
for j in 2 3; do
	ip netns exec "${SRV[j]}" iperf3 -s -p 5201 >/dev/null 2>&1 &
	defer kill "$!"
done

VIP4B=10.9.0.2
VIP6B=fd09::2
vip() { if [[ $1 == 6 ]]; then echo "$VIP6"; else echo "$VIP4"; fi; }
# ep FAM ADDR PORT: ADDR:PORT as the CLI takes it.
ep() { if [[ $1 == 6 ]]; then echo "[$2]:$3"; else echo "$2:$3"; fi; }
# addr J FAM: server J's address.
addr() { srv_addr "$1" "$2"; }

config()
{
	local f j v

	for f in 4 6; do
		# PMTU: srv1 only; stateless on VIP, stateful on VIP B.
		echo "service add tcp $(ep "$f" "$(vip "$f")" 80) mode stateless"
		echo "server add tcp $(ep "$f" "$(vip "$f")" 80) $(ep "$f" "$(addr 1 "$f")" 8080)"
		if [[ $f == 6 ]]; then v=$VIP6B; else v=$VIP4B; fi
		echo "service add tcp $(ep "$f" "$v" 80) mode stateful"
		echo "server add tcp $(ep "$f" "$v" 80) $(ep "$f" "$(addr 1 "$f")" 8083)"
		# Fragments and ICMP to the VIP: UDP 80 stateless, 81 stateful.
		# Bulk: TCP 81 stateless, 82 stateful. iperf3: TCP 5201,
		# hashed by source address so that its control and data
		# connections reach the same server.
		echo "service add udp $(ep "$f" "$(vip "$f")" 80) mode stateless"
		echo "service add udp $(ep "$f" "$(vip "$f")" 81) mode stateful"
		echo "service add tcp $(ep "$f" "$(vip "$f")" 81) mode stateless"
		echo "service add tcp $(ep "$f" "$(vip "$f")" 82) mode stateful"
		echo "service add tcp $(ep "$f" "$(vip "$f")" 5201) hash src"
		for j in 2 3; do
			echo "server add udp $(ep "$f" "$(vip "$f")" 80) $(ep "$f" "$(addr "$j" "$f")" 8080)"
			echo "server add udp $(ep "$f" "$(vip "$f")" 81) $(ep "$f" "$(addr "$j" "$f")" 8081)"
			echo "server add tcp $(ep "$f" "$(vip "$f")" 81) $(ep "$f" "$(addr "$j" "$f")" 8081)"
			echo "server add tcp $(ep "$f" "$(vip "$f")" 82) $(ep "$f" "$(addr "$j" "$f")" 8082)"
			echo "server add tcp $(ep "$f" "$(vip "$f")" 5201) $(ep "$f" "$(addr "$j" "$f")" 5201)"
		done
	done | hlb_batch "$R"
}
config || exit "$ksft_fail"

# S FAM PROTO PORT FIELD: a service counter from the last load_stats.
S() { echo "${ST[svc/$2/$(vip "$1")/$3/$4]}"; }

# 1. A 4000-byte datagram, 4 flows per family and mode.
declare -A FRAG
load_stats "$R"
load_snmp "$R" rtr
load_snmp "$C" cli
for j in 2 3; do load_snmp "${SRV[j]}" srv$j; done
snmp_mark
declare -A PK0
for f in 4 6; do
	for port in 80 81; do
		PK0[$f$port]=$(S "$f" udp "$port" packets)
		FRAG[$f$port]=$(burst "$C" udp "$(vip "$f")" "$port" 4 \
			--payload 4000 --sport-base $((27000 + f * 10 + port % 10 * 4)))
		log_test "udp$f:$port 4000-byte datagrams answered intact" \
			flows_ok "$?" "${FRAG[$f$port]}"
	done
done
load_stats "$R"
load_snmp "$R" rtr
load_snmp "$C" cli
for j in 2 3; do load_snmp "${SRV[j]}" srv$j; done
for f in 4 6; do
	for port in 80 81; do
		# 4 datagrams and 4 answers, each translated once as a whole.
		log_test "udp$f:$port hlb translated 8 whole datagrams, not fragments" \
			eq $(($(S "$f" udp "$port" packets) - PK0[$f$port])) 8
	done
done
# Each way, every datagram crossed the links as 3 fragments: the client
# and the servers fragmented, the router reassembled and refragmented.
# (nf_defrag_ipv6 does not count its reassemblies in Ip6ReasmOKs; the
# receivers' count shows the router's refragmented packets instead.)
log_test "ipv4: the client fragmented 8 datagrams" \
	test "$(snmp_delta cli.IpFragOKs)" -ge 8
log_test "ipv4: the router reassembled 16 datagrams" \
	test "$(snmp_delta rtr.IpReasmOKs)" -ge 16
log_test "ipv4: the router refragmented 16 datagrams" \
	test "$(snmp_delta rtr.IpFragOKs)" -ge 16
log_test "ipv4: servers and client reassembled them" \
	test $(($(snmp_delta srv2.IpReasmOKs) + $(snmp_delta srv3.IpReasmOKs) +
		$(snmp_delta cli.IpReasmOKs))) -ge 16
log_test "ipv6: the client fragmented 8 datagrams" \
	test "$(snmp_delta cli.Ip6FragOKs)" -ge 8
log_test "ipv6: the router refragmented 16 datagrams" \
	test "$(snmp_delta rtr.Ip6FragOKs)" -ge 16
log_test "ipv6: servers and client reassembled them" \
	test $(($(snmp_delta srv2.Ip6ReasmOKs) + $(snmp_delta srv3.Ip6ReasmOKs) +
		$(snmp_delta cli.Ip6ReasmOKs))) -ge 16

# 2. ICMP errors to the VIP about the first flow of each run above.
declare -A TARGET
args=()
for f in 4 6; do
	for port in 80 81; do
		sport=$((27000 + f * 10 + port % 10 * 4))
		TARGET[$f$port]=$(server_of "${FRAG[$f$port]}" "$sport")
		if [[ $f == 6 ]]; then cl=fd00:1::2; else cl=10.0.1.2; fi
		args+=("$(vip "$f"),$cl,$sport,$port,1300")
	done
done
# pmtu_to NS FAM: the path MTU NS has learnt towards the client.
pmtu_to()
{
	local dst=10.0.1.2

	[[ $2 == 6 ]] && dst=fd00:1::2
	ip -n "$1" -"$2" route get "$dst" | sed -n 's/.* mtu \([0-9]*\).*/\1/p'
}
pmtu_is() { [[ $(pmtu_to "$1" "$2") == "$3" ]]; }
load_stats "$R"
for f in 4 6; do
	for port in 80 81; do
		PK0[$f$port]=$(S "$f" udp "$port" packets)
	done
done
log_test "icmp errors sent to the VIPs (scapy)" \
	ip netns exec "$C" "$PYTHON" "$TESTS_DIR/tools/icmp_err.py" "${args[@]}"
for f in 4 6; do
	for port in 80 81; do
		t=${TARGET[$f$port]}
		log_test "udp$f:$port: the error reached $t, which lowered its path MTU" \
			busywait 5000 pmtu_is "${SRV[${t#srv}]}" "$f" 1300
	done
done
load_stats "$R"
for f in 4 6; do
	for port in 80 81; do
		log_test "udp$f:$port: the error was counted by the service" \
			eq $(($(S "$f" udp "$port" packets) - PK0[$f$port])) 1
	done
	log_test "udp$f: srv1 (not in these services) got no error" \
		eq "$(pmtu_to "${SRV[1]}" "$f")" ""
done

# 3. Path MTU discovery through hlb, to srv1 behind 1280 bytes.
load_snmp "$R" rtr
snmp_mark
for f in 4 6; do
	if [[ $f == 6 ]]; then vb=$VIP6B; else vb=$VIP4B; fi
	for v in "$(vip "$f")" "$vb"; do
		mode=stateless
		[[ $v == "$vb" ]] && mode=stateful
		log_test "tcp$f $mode: no path MTU known to the VIP yet" \
			eq "$(ip -n "$C" -"$f" route get "$v" | grep -c ' mtu ')" 0
		out=$(burst "$C" tcp "$v" 80 1 --payload 300000 --timeout 20)
		log_test "tcp$f $mode: 300 kB to srv1 through its 1280-byte link and back" \
			flows_ok "$?" "$out"
		log_test "tcp$f $mode: the client learnt path MTU 1280 to the VIP" \
			eq "$(ip -n "$C" -"$f" route get "$v" |
				sed -n 's/.* mtu \([0-9]*\).*/\1/p')" 1280
	done
done
load_snmp "$R" rtr
log_test "ipv4: the router sent fragmentation-needed errors" \
	test "$(snmp_delta rtr.IcmpOutDestUnreachs)" -gt 0
log_test "ipv6: the router sent packet-too-big errors" \
	test "$(snmp_delta rtr.Icmp6OutPktTooBigs)" -gt 0
log_test "the client never learnt a path MTU to a server's address" \
	eq "$(ip -n "$C" route get 10.1.1.2 | grep -c ' mtu ')/$(ip -n "$C" -6 route get fd01:1::2 | grep -c ' mtu ')" 0/0

# 4. iperf3 with the veth defaults: GSO packets through hlb.
for f in 4 6; do
	load_stats "$R"
	p0=$(S "$f" tcp 5201 packets) b0=$(S "$f" tcp 5201 bytes)
	out=$(ip netns exec "$C" iperf3 -"$f" -c "$(vip "$f")" -p 5201 -t 2 -J)
	log_test "iperf3 -$f through the VIP completes" eq "$?" 0
	got=$(jq -r .end.sum_received.bytes <<<"$out")
	log "iperf3 -$f: $got bytes, $(jq -r '.end.sum_received.bits_per_second / 1e6 | floor' <<<"$out") Mbit/s"
	log_test "iperf3 -$f: the server received over 1 MB" test "${got:-0}" -gt 1000000
	load_stats "$R"
	p=$(($(S "$f" tcp 5201 packets) - p0)) b=$(($(S "$f" tcp 5201 bytes) - b0))
	log "iperf3 -$f: hlb translated $p packets, $((b / (p ? p : 1))) bytes each"
	log_test "iperf3 -$f: hlb saw GSO packets (over 1500 bytes on average)" \
		test $((b / (p ? p : 1))) -gt 1500
done

# 5. Bulk data each way, checked: 10 and 4 MB with the veth defaults;
# then, with TX checksum offload off on the router's links so that the
# client and
# servers verify every checksum hlb updated (in GSO packets too: the
# router segments them in software), 2 MB and 100 UDP flows.
bulk()
{
	local f=$1 port=$2 size=$3 what=$4 out

	out=$(burst "$C" tcp "$(vip "$f")" "$port" 1 --payload "$size" \
		--timeout 120)
	log_test "tcp$f:$port $what: $size bytes through the VIP and back, SHA-256 intact" \
		flows_ok "$?" "$out"
}
bulk 4 81 10000000 "offloads on"
bulk 6 82 4000000 "offloads on"
for d in c1 s2 s3; do
	log_test "router $d: TX checksum offload off" \
		ip netns exec "$R" "$PYTHON" "$TESTS_DIR/tools/offload.py" \
		"$d" tx off
done
load_snmp "$C" cli
for j in 2 3; do load_snmp "${SRV[j]}" srv$j; done
snmp_mark
bulk 4 82 2000000 "checksums computed"
bulk 6 81 2000000 "checksums computed"
for f in 4 6; do
	for port in 80 81; do
		out=$(burst "$C" udp "$(vip "$f")" "$port" 25)
		log_test "udp$f:$port checksums computed: 25 flows answered" \
			flows_ok "$?" "$out"
	done
done
load_snmp "$C" cli
for j in 2 3; do load_snmp "${SRV[j]}" srv$j; done
n=0
for k in cli srv2 srv3; do
	for c in TcpInCsumErrors UdpInCsumErrors Udp6InCsumErrors; do
		n=$((n + $(snmp_delta $k.$c)))
	done
done
log_test "no receiver saw a bad TCP or UDP checksum" eq "$n" 0

exit "$EXIT_STATUS"
