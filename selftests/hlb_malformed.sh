#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Crafted packets from a client toward the VIPs, sent with scapy as raw
# Ethernet frames (tools/malformed.py): truncated and inconsistent IPv4,
# IPv6, TCP, UDP and ICMP headers, bogus options and extension headers,
# ICMP errors with truncated embedded headers, tiny and overlapping
# fragments. For each, the test states who must drop it:
#  - the IP layer, before PRE_ROUTING and so before hlb: the router's
#    IP counters move and hlb's do not;
#  - hlb, counted as malformed (namespace counter) and dropped;
#  - nobody: hlb translates it (and the receiving host may drop it).
# After each case a UDP datagram through the VIP must still be answered,
# and valid TCP and UDP traffic works before and after the lot. A crash
# or kernel warning fails the run (tools/vm/run, selftests/run.sh).
source "$(dirname "$0")/lib_dp.sh"

require_command jq
"$PYTHON" -c 'import scapy' 2>/dev/null || skip "python3-scapy not installed"
hlb_load || exit "$ksft_fail"
topo_setup 1 3
start_servers 8080 || exit "$ksft_fail"
C=${CLI[1]}
burst_agent "$C" || exit "$ksft_fail"

for p in tcp udp; do
	for v in "$VIP4:80" "[$VIP6]:80"; do
		echo "service add $p $v mode stateless"
		for j in 1 2 3; do
			a=10.1.$j.2
			[[ $v == \[* ]] && a=[fd01:$j::2]
			echo "server add $p $v $a:8080"
		done
	done
done | hlb_batch "$RTR" || exit "$ksft_fail"

valid_traffic()
{
	local p v out

	for p in tcp udp; do
		for v in "$VIP4" "$VIP6"; do
			out=$(burst "$C" "$p" "$v" 80 20)
			log_test "$1: $p to $v works" flows_ok "$?" "$out"
		done
	done
	out=$(burst "$C" udp "$VIP4" 80 3 --payload 0)
	log_test "$1: empty UDP datagrams (length 8) are answered" flows_ok "$?" "$out"
}
valid_traffic before

mac=$(ip -n "$RTR" -br link show c1 | awk '{ print $3 }')
OUT=$(ip netns exec "$C" "$PYTHON" "$TESTS_DIR/tools/malformed.py" \
	"$RTR" "$mac" "$HLB" "${SRV[@]}")
log_test "every marker datagram answered after its case" eq "$?" 0
echo "$OUT" | sed 's/^/# /'

# The report, parsed with shell builtins only (a grep per lookup costs a
# tenth of a second under TCG): R[CASE.KEY]=VALUE, R[CASE]=1.
declare -A R
while read -r c rest; do
	[[ $c == \#* || -z $c ]] && continue
	R[$c]=1
	for kv in $rest; do
		R[$c.${kv%%=*}]=${kv#*=}
	done
done <<<"$OUT"
EXPECTED=()

# expect CASE DESCRIPTION KEY=VALUE|KEY>=VALUE...: the counters that the
# case moved (0 for those not reported).
expect()
{
	local c=$1 desc=$2 kv k v got bad=0

	shift 2
	EXPECTED+=("$c")
	if [[ -z ${R[$c]:-} ]]; then
		log_test "$c: $desc" false
		return
	fi
	for kv in "$@"; do
		if [[ $kv == *">="* ]]; then
			k=${kv%%>=*} v=${kv#*>=}
		else
			k=${kv%%=*} v=${kv#*=}
		fi
		got=${R[$c.$k]:-0}
		if [[ $kv == *">="* ]] && ((got >= v)); then
			continue
		elif [[ $kv != *">="* && $got == "$v" ]]; then
			continue
		fi
		log "$c: $k is $got, expected $kv"
		bad=1
	done
	log_test "$c: $desc" test $bad = 0
}

# IPv4. Dropped by ip_rcv_core() before the hooks:
expect ip4_short "shorter than an IPv4 header: IP layer" \
	IpInHdrErrors=1 malformed=0 packets=0
expect ip4_ihl3 "IHL 3: IP layer" IpInHdrErrors=1 malformed=0 packets=0
expect ip4_ihl_beyond "IHL past the packet: IP layer" \
	IpInHdrErrors=1 malformed=0 packets=0
expect ip4_bad_csum "bad header checksum: IP layer" \
	IpInHdrErrors=1 IpExtInCsumErrors=1 malformed=0 packets=0
expect ip4_totlen_long "total length past the frame: IP layer" \
	IpExtInTruncatedPkts=1 malformed=0 packets=0
# Options are checked after PRE_ROUTING (ip_rcv_finish): hlb has
# translated the datagram by then, ip_rcv_options() drops it and sends a
# parameter problem, which hlb translates back (a second packet).
expect ip4_bad_option "option past the header: translated, then IP layer" \
	IpInHdrErrors=1 malformed=0 'packets>=1'
# hlb's parser:
expect tcp_short "TCP header of 10 bytes: hlb, malformed" malformed=1 packets=0
expect udp_short "UDP header of 3 bytes: hlb, malformed" malformed=1 packets=0
expect tcp_doff4 "TCP data offset 4: hlb, malformed" malformed=1 packets=0
# hlb reads the fixed 20 bytes only; the server's TCP discards it.
expect tcp_doff15 "TCP data offset past the packet: translated" \
	malformed=0 packets=1
# hlb does not check UDP lengths; the server's UDP does.
expect udp_len0 "UDP length 0: translated, the server's UDP drops it" \
	malformed=0 packets=1 srv.UdpInErrors=1
expect udp_csum0 "UDP without checksum (0): stays without, answered" \
	answered=1 malformed=0 packets=2 srv.UdpInCsumErrors=0
expect icmp_short "ICMP header of 4 bytes: hlb, malformed" \
	malformed=1 packets=0
expect icmp_inner_ip_short "ICMP error, embedded IPv4 header of 10 bytes: hlb, malformed" \
	malformed=1 packets=0
expect icmp_inner_ihl3 "ICMP error, embedded IHL 3: hlb, malformed" \
	malformed=1 packets=0
expect icmp_inner_udp_short "ICMP error, embedded UDP header of 4 bytes: hlb, malformed" \
	malformed=1 packets=0
# RFC 792 promises only 8 bytes of the embedded header: enough.
expect icmp_inner_tcp8 "ICMP error, embedded TCP header of 8 bytes: translated" \
	malformed=0 packets=1
# Fragments: nf_defrag reassembles before hlb, or drops.
expect frag_tiny "8-byte fragments: reassembled, translated, answered" \
	answered=1 'IpReasmOKs>=1' malformed=0 packets=2
expect frag_overlap "overlapping fragments: dropped by reassembly" \
	IpExtReasmOverlaps=1 malformed=0 packets=0
expect frag_lone "a lone middle fragment: held by reassembly" \
	malformed=0 packets=0

# IPv6. Dropped by ipv6_rcv() before the hooks (the hop-by-hop header
# is parsed there too):
expect ip6_short "shorter than an IPv6 header: IP layer" \
	Ip6InHdrErrors=1 malformed=0 packets=0
expect ip6_version5 "version 5: IP layer" Ip6InHdrErrors=1 malformed=0 packets=0
expect ip6_plen_long "payload length past the frame: IP layer" \
	Ip6InTruncatedPkts=1 malformed=0 packets=0
expect ip6_hbh_bad "hop-by-hop option past its header: IP layer" \
	Ip6InHdrErrors=1 malformed=0 packets=0
# A router does not read destination options; hlb does, to find L4.
expect ip6_dstopt_beyond "destination options past the packet: hlb, malformed" \
	malformed=1 packets=0
expect tcp6_short "TCP header of 10 bytes: hlb, malformed" malformed=1 packets=0
expect udp6_short "UDP header of 3 bytes: hlb, malformed" malformed=1 packets=0
expect tcp6_doff4 "TCP data offset 4: hlb, malformed" malformed=1 packets=0
expect icmp6_short "ICMPv6 header of 4 bytes: hlb, malformed" \
	malformed=1 packets=0
expect icmp6_inner_ip6_short "ICMPv6 error, embedded IPv6 header of 20 bytes: hlb, malformed" \
	malformed=1 packets=0
expect icmp6_inner_udp_short "ICMPv6 error, embedded UDP header of 4 bytes: hlb, malformed" \
	malformed=1 packets=0
expect frag6_tiny "8-byte fragments: reassembled, translated, answered" \
	answered=1 malformed=0 packets=2
# nf_defrag_ipv6 drops overlapping fragments (RFC 5722) without a count.
expect frag6_overlap "overlapping fragments: dropped by reassembly" \
	malformed=0 packets=0

log_test "every case of malformed.py has an expectation" \
	eq "$(printf '%s\n' "${EXPECTED[@]}" | sort | tr '\n' ' ')" \
	"$(sed -n 's/^def case_\(.*\)():$/\1/p' \
		"$TESTS_DIR/tools/malformed.py" | sort | tr '\n' ' ')"
valid_traffic after

exit "$EXIT_STATUS"
