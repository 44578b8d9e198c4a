#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ICMP errors through hlb, case by case (tools/icmp_cases.py sends them
# as raw frames and captures what hlb makes of them at the other end):
#  - an error to a VIP about a packet the VIP sent reaches the server,
#    translated; one from the server about a client's packet reaches the
#    client, translated (both: the control);
#  - an error is translated only when it goes to the sender of the packet
#    it embeds (outer destination = inner source): one sent elsewhere
#    arrives as sent, uncounted;
#  - for a stateful service, only when the flow has a session: without,
#    the error is left alone, uncounted (an error about no flow is
#    likely spoofed; conntrack calls it invalid);
#  - its checksum is verified before hlb recomputes it: a bad one is
#    dropped and counted as malformed;
#  - an embedded first fragment has its ports and is translated; a later
#    fragment has none and is left alone.
# And one UDP case: an IPv6 datagram with a zero checksum (RFC 6935)
# reaches the server with its checksum still zero.
source "$(dirname "$0")/lib_dp.sh"

require_command jq
"$PYTHON" -c 'import scapy' 2>/dev/null || skip "python3-scapy not installed"
hlb_load || exit "$ksft_fail"
topo_setup 1 1
C=${CLI[1]}
S=${SRV[1]}

{
	echo "service add udp $VIP4:80 mode stateless"
	echo "server add udp $VIP4:80 10.1.1.2:8080"
	echo "service add udp [$VIP6]:80 mode stateless"
	echo "server add udp [$VIP6]:80 [fd01:1::2]:8080"
	echo "service add udp $VIP4:81 mode stateful"
	echo "server add udp $VIP4:81 10.1.1.2:8081"
	echo "service add udp [$VIP6]:81 mode stateful"
	echo "server add udp [$VIP6]:81 [fd01:1::2]:8081"
} | hlb_batch "$RTR" || exit "$ksft_fail"

mac_c=$(ip -n "$RTR" -br link show c1 | awk '{ print $3 }')
mac_s=$(ip -n "$RTR" -br link show s1 | awk '{ print $3 }')
OUT=$(ip netns exec "$C" "$PYTHON" "$TESTS_DIR/tools/icmp_cases.py" \
	"$RTR" "$mac_c" "$mac_s" "$HLB" "$S")
log_test "icmp_cases.py ran" eq "$?" 0
echo "$OUT" | sed 's/^/# /'

declare -A R
while read -r c rest; do
	[[ $c == \#* || -z $c ]] && continue
	R[$c]=1
	for kv in $rest; do
		R[$c.${kv%%=*}]=${kv#*=}
	done
done <<<"$OUT"
N=0

# expect CASE DESCRIPTION KEY=VALUE|KEY>=VALUE...
expect()
{
	local c=$1 desc=$2 kv k v got bad=0

	shift 2
	N=$((N + 1))
	if [[ -z ${R[$c]:-} ]]; then
		log_test "$c: $desc" false
		return
	fi
	for kv in "$@"; do
		if [[ $kv == *">="* ]]; then
			k=${kv%%>=*} v=${kv#*>=}
			((${R[$c.$k]:-0} >= v)) && continue
		else
			k=${kv%%=*} v=${kv#*=}
			[[ ${R[$c.$k]:-} == "$v" ]] && continue
		fi
		log "$c: $k is ${R[$c.$k]:-none}, expected $kv"
		bad=1
	done
	log_test "$c: $desc" test $bad = 0
}

for f in 4 6; do
	expect in_ok$f "error to the VIP: reaches the server, translated" \
		arrived=1 packets=1 malformed=0
	expect in_not_sender$f "error about the VIP's packet, not to the VIP: left alone" \
		arrived=1 packets=0 malformed=0
	expect in_stateful_nosession$f "stateful, no session: not translated, not counted" \
		arrived=0 packets=0 malformed=0
	expect in_stateful_session$f "stateful, with a session: translated" \
		arrived=1 'packets>=2' malformed=0
	expect in_bad_csum$f "bad checksum to the VIP: dropped, malformed" \
		arrived=0 packets=0 malformed=1
	expect in_inner_first_frag$f "about a first fragment: translated" \
		arrived=1 packets=1 malformed=0
	expect in_inner_later_frag$f "about a later fragment: left alone" \
		arrived=0 packets=0 malformed=0
	expect out_ok$f "error from the server: reaches the client, translated" \
		arrived=1 packets=1 malformed=0
	expect out_stateful_nosession$f "from the server, stateful, no session: arrives as sent" \
		arrived=1 packets=0 malformed=0
	expect out_bad_csum$f "bad checksum from the server: dropped, malformed" \
		arrived=0 packets=0 malformed=1
done
expect udp6_csum0 "UDP over IPv6 with checksum 0: still 0 at the server" \
	arrived=1 'packets>=1' malformed=0
log_test "every case of icmp_cases.py has an expectation" \
	eq "$N" "$(sed -n 's/^# cases //p' <<<"$OUT")"

exit "$EXIT_STATUS"
