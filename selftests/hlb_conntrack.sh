#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hlb with nf_conntrack and an nftables ruleset on the router: a filter
# forward chain with policy drop that accepts established traffic and
# new connections to the servers' networks only (counting both, and
# dropping, counted, anything addressed to a VIP), and NAT tables with a
# masquerade rule for an unrelated subnet. hlb translates at PRE_ROUTING
# before conntrack and at POST_ROUTING after it, so:
#  - TCP and UDP through the VIPs, IPv4 and IPv6, stateless and stateful,
#    still work: the forward chain sees client -> server, and the
#    servers' answers as established;
#  - conntrack -L holds one entry per flow, client <-> the server that
#    answered it, with the reply tuple its mirror image (no NAT), and
#    never a VIP; no entry stays unreplied.
source "$(dirname "$0")/lib_dp.sh"

require_command jq nft conntrack
hlb_load || exit "$ksft_fail"
topo_setup 1 3
start_servers 8080,8081 || exit "$ksft_fail"
C=${CLI[1]}
burst_agent "$C" || exit "$ksft_fail"
N=30

log_test "nftables ruleset with conntrack and NAT on the router" \
	ip netns exec "$RTR" nft -f - <<'EOF'
table inet filter {
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related counter accept
		ip daddr 10.9.0.0/16 counter drop comment "a VIP"
		ip6 daddr fd09::/16 counter drop comment "a VIP"
		ct state new ip daddr 10.1.0.0/16 counter accept comment "new4"
		ct state new ip6 daddr fd01::/16 counter accept comment "new6"
	}
}
table ip nat {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
	}
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr 192.168.77.0/24 counter masquerade
	}
}
table ip6 nat {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		ip6 saddr fd77::/64 counter masquerade
	}
}
EOF
log_test "nf_conntrack is loaded" grep -q '^nf_conntrack ' /proc/modules

vip() { if [[ $1 == 6 ]]; then echo "$VIP6"; else echo "$VIP4"; fi; }
ep() { if [[ $1 == 6 ]]; then echo "[$2]:$3"; else echo "$2:$3"; fi; }

# Port 80 stateless, 81 stateful; servers on 8080 and 8081.
for p in tcp udp; do
	for f in 4 6; do
		for port in 80 81; do
			mode=stateless
			[[ $port == 81 ]] && mode=stateful
			v=$(ep "$f" "$(vip "$f")" "$port")
			echo "service add $p $v mode $mode"
			for j in 1 2 3; do
				echo "server add $p $v $(ep "$f" "$(srv_addr "$j" "$f")" $((port + 8000)))"
			done
		done
	done
done | hlb_batch "$RTR" || exit "$ksft_fail"

declare -A OUT
base=20000
for p in tcp udp; do
	for f in 4 6; do
		for port in 80 81; do
			k=$p$f:$port
			OUT[$k]=$(burst "$C" "$p" "$(vip "$f")" "$port" "$N" \
				--sport-base "$base")
			log_test "$k: $N flows through the VIP with conntrack and nftables" \
				flows_ok "$?" "${OUT[$k]}"
			base=$((base + N))
		done
	done
done

# ct_match FILE PROTO FAM PORT: every flow of burst.py output FILE has
# exactly one entry in the conntrack listing on stdin: original tuple
# client -> the server that answered, port PORT + 8000; reply tuple the
# mirror image.
ct_match()
{
	local cl=10.0.1.2

	[[ $3 == 6 ]] && cl=fd00:1::2
	awk -v proto="$2" -v fam="$3" -v cl="$cl" -v port=$(($4 + 8000)) '
	NR == FNR {
		if ($0 ~ /^[0-9]+ / && $2 != "-") {
			j = substr($2, 4)
			s = fam == 6 ? "fd01:" j "::2" : "10.1." j ".2"
			want["src=" cl " dst=" s " sport=" $1 " dport=" port \
			     " src=" s " dst=" cl " sport=" port " dport=" $1]
			n++
		}
		next
	}
	$1 == proto {
		# Both tuples, from the first src= on, without the flags.
		t = substr($0, index($0, "src="))
		gsub(/ \[[A-Z]+\]/, "", t)
		sub(/ mark=.*/, "", t)
		got[t]++
	}
	END {
		for (t in want)
			if (got[t] != 1) {
				print "# " (got[t] + 0) " conntrack entries for " t
				bad++
			}
		exit bad > 0 || !n
	}' "$1" -
}

ct=$(ip netns exec "$RTR" conntrack -L -f ipv4 2>/dev/null
     ip netns exec "$RTR" conntrack -L -f ipv6 2>/dev/null)
log "conntrack: $(grep -c . <<<"$ct") entries"
TMP=$(mktemp -d)
defer rm -rf "$TMP"
for p in tcp udp; do
	for f in 4 6; do
		for port in 80 81; do
			k=$p$f:$port
			echo "${OUT[$k]}" >"$TMP/out"
			log_test "$k: conntrack has each flow as client <-> its server, not NATed" \
				eval 'ct_match "$TMP/out" "$p" "$f" "$port" <<<"$ct"'
		done
	done
done
log_test "conntrack never saw a VIP" \
	eq "$(grep -c -e 10.9.0.1 -e fd09::1 <<<"$ct")" 0
log_test "no flow's conntrack entry is unreplied" \
	eq "$(grep -E 'dport=80(80|81) ' <<<"$ct" | grep -c UNREPLIED)" 0

# counter NAME: packets of the nft rule with comment NAME (summed).
counter()
{
	ip netns exec "$RTR" nft -j list table inet filter |
		jq --arg c "$1" '[.nftables[].rule? | select(.comment == $c) |
			.expr[] | .counter?.packets // empty] | add // 0'
}
log_test "forward chain: one new connection per IPv4 flow, each to a server" \
	eq "$(counter new4)" $((4 * N))
log_test "forward chain: one new connection per IPv6 flow, each to a server" \
	eq "$(counter new6)" $((4 * N))
log_test "forward chain: nothing addressed to a VIP" eq "$(counter "a VIP")" 0
load_stats "$RTR"
log_test "hlb dropped nothing" \
	eq "${ST[ns/drop_no_server]}/${ST[ns/drop_session_limit]}/${ST[ns/malformed]}" 0/0/0

exit "$EXIT_STATUS"
