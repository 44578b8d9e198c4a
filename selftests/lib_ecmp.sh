#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Several hlb routers behind equal-cost multipath routing (hlb_ecmp.sh),
# on top of lib_dp.sh: the topology, the upstream route, and per-router
# records of the flows each router forwarded.
#
#   client 10.0.1.2 -- 10.0.1.1 upstream router "up"
#       VIP4/32: a multipath route over every hlb router, L4 hash
#   up rK 10.2.K.1 -- 10.2.K.2 up0 hlb router K (K = 1..NR)
#       each has 10.1.0.J/32 via server J's link
#   hlb router K sJ 10.1K.J.1 -- 10.1K.J.2 rK server J (J = 1..NS)
#       server J: its address 10.1.0.J on lo, and a default route over
#       every hlb router (multipath, L4 hash), source 10.1.0.J
#
# A flow's requests cross the router its 5-tuple hashes to on "up", its
# replies the router they hash to on the server: most flows go out through
# one hlb router and come back through another. Every router and every
# server has one link per peer, and "up" and the servers ignore routes
# over links that are down: a router whose links go down leaves both
# multipath routes at once, as after a crash that the neighbours detect.
#
# Sets: CLIENT, UP, RT[K], SRV[J] (namespace names).
source "$(dirname "${BASH_SOURCE[0]}")/lib_dp.sh"

declare -a RT

# ecmp_setup NR NS: build it all (one `ip -batch` per namespace).
ecmp_setup()
{
	local nr=$1 ns=$2 k j h mp root up
	local -A b

	CLIENT=cli-$(rand_suffix)
	UP=up-$(rand_suffix)
	NS_LIST+=("$CLIENT" "$UP")
	root="netns add $CLIENT
netns add $UP
link add c1 netns $UP type veth peer name eth0 netns $CLIENT
"
	b[$CLIENT]="link set lo up
link set eth0 up
addr add 10.0.1.2/24 dev eth0
route add default via 10.0.1.1
"
	up="link set lo up
link set c1 up
addr add 10.0.1.1/24 dev c1
"
	for ((k = 1; k <= nr; k++)); do
		RT[k]=rtr$k-$(rand_suffix)
		NS_LIST+=("${RT[k]}")
		root+="netns add ${RT[k]}
link add r$k netns $UP type veth peer name up0 netns ${RT[k]}
"
		up+="link set r$k up
addr add 10.2.$k.1/24 dev r$k
"
		b[${RT[k]}]="link set lo up
link set up0 up
addr add 10.2.$k.2/24 dev up0
route add default via 10.2.$k.1
"
	done
	for ((j = 1; j <= ns; j++)); do
		SRV[j]=srv$j-$(rand_suffix)
		NS_LIST+=("${SRV[j]}")
		root+="netns add ${SRV[j]}
"
		b[${SRV[j]}]="link set lo up
addr add 10.1.0.$j/32 dev lo
"
		mp=
		for ((k = 1; k <= nr; k++)); do
			root+="link add s$j netns ${RT[k]} type veth peer name r$k netns ${SRV[j]}
"
			b[${RT[k]}]+="link set s$j up
addr add 10.1$k.$j.1/24 dev s$j
route add 10.1.0.$j/32 via 10.1$k.$j.2
"
			b[${SRV[j]}]+="link set r$k up
addr add 10.1$k.$j.2/24 dev r$k
"
			mp+=" nexthop via 10.1$k.$j.1 dev r$k"
		done
		# The answers of a wildcard UDP socket take the route's
		# source: the address the client sent to, as hlb expects.
		b[${SRV[j]}]+="route add default src 10.1.0.$j$mp
"
	done
	ip -b - <<<"$root" || return 1
	ip -n "$UP" -b - <<<"$up" || return 1
	ip_batch_hosts b
	ecmp_route $(seq "$nr") || return 1
	# L4 hash. Policy 1 would hash the packets' headers, but only when
	# they carry no hash yet: the client's do, since it shares a kernel
	# with "up" and every packet a socket sends carries the socket's
	# random hash (which TCP changes after a retransmission timeout).
	# Policy 3 with the five fields of the 5-tuple always hashes the
	# headers, as policy 1 does for packets from a real link (or takes
	# the NIC's hash of them). Loose reverse-path filter: replies come
	# from the VIP through any hlb router, also one that the route to
	# the VIP does not lead to (pinned to another one, below).
	ip netns exec "$UP" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv4.fib_multipath_hash_policy=3 \
		net.ipv4.fib_multipath_hash_fields=0x0037 \
		net.ipv4.conf.all.ignore_routes_with_linkdown=1 \
		net.ipv4.conf.all.rp_filter=2 >/dev/null || return 1
	for ((k = 1; k <= nr; k++)); do
		ip netns exec "${RT[k]}" sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv4.conf.all.rp_filter=1 >/dev/null || return 1
	done
	for ((j = 1; j <= ns; j++)); do
		ip netns exec "${SRV[j]}" sysctl -qw \
			net.ipv4.fib_multipath_hash_policy=1 \
			net.ipv4.conf.all.ignore_routes_with_linkdown=1 \
			net.ipv4.conf.all.rp_filter=1 >/dev/null || return 1
	done
}

# ecmp_route K...: the upstream route to the VIP over these hlb routers
# only (one: a plain route, pinned to it).
ecmp_route()
{
	local k args=()

	if (($# == 1)); then
		args=(via "10.2.$1.2" dev "r$1")
	else
		for k in "$@"; do
			args+=(nexthop via "10.2.$k.2" dev "r$k")
		done
	fi
	ip -n "$UP" route replace "$VIP4/32" "${args[@]}"
}

# ecmp_fail K: hlb router K loses every link. Its neighbours see their
# ends go down and leave it out of their multipath routes.
declare -A ECMP_DOWN

ecmp_fail()
{
	local dev batch=

	for dev in $(ip -n "${RT[$1]}" -o link show |
		     awk -F': ' '$2 != "lo" { sub(/@.*/, "", $2); print $2 }'); do
		batch+="link set $dev down"$'\n'
	done
	ip -n "${RT[$1]}" -b - <<<"$batch" || return 1
	ECMP_DOWN[$1]=1
}

# ecmp_up: the hlb routers that have not failed.
ecmp_up()
{
	local k

	for k in "${!RT[@]}"; do
		[[ -z ${ECMP_DOWN[$k]:-} ]] && echo "$k"
	done
}

# Flow records: every hlb router remembers, per flow (client address,
# client port, VIP port), whether it took requests of that flow from "up"
# (set "req", before hlb at PRE_ROUTING, so it includes packets that hlb
# drops) and replies of it towards "up" (set "rep", after hlb at
# POST_ROUTING). TCP and UDP.
ecmp_record()
{
	local k

	for k in "${!RT[@]}"; do
		ip netns exec "${RT[k]}" nft -f - <<'EOF' || return 1
table ip ecmp {
	set req {
		type ipv4_addr . inet_service . inet_service
		flags dynamic
		size 65536
	}
	set rep {
		type ipv4_addr . inet_service . inet_service
		flags dynamic
		size 65536
	}
	chain pre {
		type filter hook prerouting priority -500; policy accept;
		iifname "up0" meta l4proto { tcp, udp } add @req { ip saddr . th sport . th dport }
	}
	chain post {
		type filter hook postrouting priority 500; policy accept;
		oifname "up0" meta l4proto { tcp, udp } add @rep { ip daddr . th dport . th sport }
	}
}
EOF
	done
}

# ecmp_forget: empty the records of the routers that are up.
ecmp_forget()
{
	local k

	for k in $(ecmp_up); do
		ip netns exec "${RT[k]}" nft -f - <<<"flush set ip ecmp req
flush set ip ecmp rep" || return 1
	done
}

# ecmp_snapshot FILE: the records, sessions and counters of the routers
# that are up, in FILE, one per line (five processes per router):
#   Q K CLIENT_PORT VIP_PORT     router K took requests of that flow
#   P K CLIENT_PORT VIP_PORT     router K took replies of that flow
#   S K VIP_PORT CLIENT_PORT STATE SERVER_ADDR    a TCP session
#   V K PROTO VIP_PORT COUNTER VALUE              a service's counter
# Flows of the client's address 10.0.1.2 only.
ecmp_snapshot()
{
	local k

	for k in $(ecmp_up); do
		ip netns exec "${RT[k]}" nft list table ip ecmp | awk -v k="$k" '
		/set req/ { t = "Q" }
		/set rep/ { t = "P" }
		/chain/ { t = "" }
		t != "" {
			s = $0
			while (match(s, /10\.0\.1\.2 \. [0-9]+ \. [0-9]+/)) {
				split(substr(s, RSTART, RLENGTH), f, " ")
				print t, k, f[3], f[5]
				s = substr(s, RSTART + RLENGTH)
			}
		}'
		{
			hlbn "${RT[k]}" -j session show
			hlbn "${RT[k]}" -j service show
		} | jq -rs --arg k "$k" '
			(.[0][] | select(.proto == "tcp") |
			 "S \($k) \(.vip_port) \(.client_port) \(.state) \(.server_addr)"),
			(.[1][] | "V \($k) \(.proto) \(.port) " as $p |
			 .stats | to_entries[] | $p + "\(.key) \(.value)")'
	done >"$1"
}
