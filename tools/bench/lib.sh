#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers of the benchmarks (tools/bench/bench.sh), on top of
# selftests/lib.sh. Run as root in the VM.
#
# Every configuration under test gets its own three namespaces, built once
# and kept for the whole run, so that configurations can be measured turn
# about without rebuilding anything between rounds:
#
#   client  eth0 10.0.1.2/24; pktgen sends from eth0 (sources 10.96.0.0/11)
#   router  c1 10.0.1.1/24, s1 10.1.1.1/24, forwarding; hlb, IPVS or nft
#   server  eth0 10.1.1.2-5/24: four servers' addresses in one namespace,
#           an nft ingress chain that counts and drops what arrives
#
# Clients send 64-byte UDP datagrams to the VIP 10.9.0.1:80 (or, for plain
# forwarding, straight to 10.1.1.2-5:8080); the router rewrites them to
# one of 10.1.1.2-5:8080. The server counts, in the named counter "ok",
# the IPv4 UDP packets to 10.1.1.0/28 port 8080 (what the router should
# deliver) and in "other" every other IPv4 packet: the benchmark credits
# a configuration with "ok" packets only, counted at the server.
#
# The server namespace also holds 10.1.1.8-11, hosts that serve no
# service: bystanders' traffic goes there through the router, and that
# configuration's "ok" counts 10.1.1.8/30 only, so that a bystander packet
# hlb rewrote towards a server would be "other".

source "$(dirname "${BASH_SOURCE[0]}")/../../selftests/lib.sh"

VIP=10.9.0.1
VPORT=80
SPORT=8080
SRVS=(10.1.1.2 10.1.1.3 10.1.1.4 10.1.1.5)
# Hosts behind the router that are no service's servers, and the prefix
# that counts them (a prefix, as 10.1.1.0/28: the same rule, the same
# instructions at the server).
BYST=(10.1.1.8 10.1.1.9 10.1.1.10 10.1.1.11)
BYST_NET=10.1.1.8/30
# A source range per use; the router routes 10.96.0.0/11 to the client.
SRC_NET=10.96.0.0/11

BENCH_DIR=${HLB_BENCH_DIR:-$TOP/build/bench}
RAW=$BENCH_DIR/raw.jsonl

die()
{
	echo "bench: FAIL: $*" >&2
	echo "{\"part\":\"error\",\"message\":\"${*//\"/\'}\"}" >>"$RAW"
	exit 1
}

# mark_begin / mark_end: the window of one timed measurement, for the
# host (tools/bench/run), which samples how much CPU time the guest got
# in it. mark_begin sets MARK, the measurement's id for its record.
MARK=0

mark_begin()
{
	MARK=$((MARK + 1))
	echo "B $MARK" >>"$BENCH_DIR/marks"
}

mark_end() { echo "E $MARK" >>"$BENCH_DIR/marks"; }

# record JSON: one line of raw results.
record() { echo "$1" >>"$RAW"; }

# Namespaces: bench-<cfg>-{c,r,s}. A "holder" process sleeps in the client
# and server namespaces so that /proc/PID/net/ reads their pktgen and
# device files without a process per read.
declare -A CLI_NS RTR_NS SRV_NS CLI_PID SRV_PID
SRV_FAM=netdev

# topo CFG [OK_NET]: the three namespaces of configuration CFG; the
# server counts as "ok" UDP to OK_NET port 8080 (default 10.1.1.0/28).
topo()
{
	local cfg=$1 ok=${2:-10.1.1.0/28} c=bench-$1-c r=bench-$1-r s=bench-$1-s
	local mac b a

	CLI_NS[$cfg]=$c
	RTR_NS[$cfg]=$r
	SRV_NS[$cfg]=$s
	NS_LIST+=("$c" "$r" "$s")
	ip -b - <<-EOF || return 1
	netns add $c
	netns add $r
	netns add $s
	link add c1 netns $r type veth peer name eth0 netns $c
	link add s1 netns $r type veth peer name eth0 netns $s
	EOF
	b="link set lo up
link set eth0 up
"
	# Every topology has the bystander hosts too: plain forwarding and
	# the bystander configuration then differ by hlb alone.
	for a in "${SRVS[@]}" "${BYST[@]}"; do
		b+="addr add $a/24 dev eth0
"
	done
	ip -n "$s" -b - <<<"$b
route add default via 10.1.1.1" || return 1
	ip -n "$c" -b - <<-EOF || return 1
	link set lo up
	link set eth0 up
	addr add 10.0.1.2/24 dev eth0
	route add default via 10.0.1.1
	EOF
	mac=$(ip -n "$s" -j link show eth0 | jq -r '.[0].address')
	b="link set lo up
link set c1 up
link set s1 up
addr add 10.0.1.1/24 dev c1
addr add 10.1.1.1/24 dev s1
route add $SRC_NET via 10.0.1.2
"
	# Static neighbours: no ARP resolution in the first packets' way.
	for a in "${SRVS[@]}" "${BYST[@]}"; do
		b+="neigh add $a lladdr $mac dev s1 nud permanent
"
	done
	ip -n "$r" -b - <<<"$b" || return 1
	ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1 || return 1
	# A kernel without nftables' netdev family and named counters (the
	# debug kernel of tools/debug-kernel) gets the same chain in the
	# inet family's ingress hook, which sees IPv4 and IPv6 only (all
	# that is counted), with the rules' own counters, told apart by
	# their comments.
	ip netns exec "$s" nft add table "$SRV_FAM" bench 2>/dev/null || {
		SRV_FAM=inet
		log "no nftables netdev family: the servers count at inet ingress"
	}
	if [[ $SRV_FAM == netdev ]]; then
		ip netns exec "$s" nft -f - <<-EOF || return 1
		table netdev bench {
			counter ok {}
			counter other {}
			chain in {
				type filter hook ingress device eth0 priority 0;
				ip daddr $ok udp dport $SPORT counter name ok drop
				meta protocol ip counter name other drop
			}
		}
		EOF
	else
		ip netns exec "$s" nft -f - <<-EOF || return 1
		table inet bench {
			chain in {
				type filter hook ingress device eth0 priority 0;
				ip daddr $ok udp dport $SPORT counter drop comment "ok"
				meta protocol ip counter drop comment "other"
			}
		}
		EOF
	fi
	ip netns exec "$c" sleep infinity &
	CLI_PID[$cfg]=$!
	defer kill "${CLI_PID[$cfg]}"
	ip netns exec "$s" sleep infinity &
	SRV_PID[$cfg]=$!
	defer kill "${SRV_PID[$cfg]}"
	pg_setup "$cfg"
}

# IPv6, for the IPv6 sessions of part scale, added to a configuration's
# namespaces by topo6: client eth0 fd00:1::2/64 (pktgen's sources are
# fd00:1::1:0 on), router c1 fd00:1::1/64 and s1 fd00:2::1/64 (static
# neighbours, forwarding), servers fd00:2::2-5 on the server's eth0, the
# VIP [fd00:9::1]:80. The server counts UDP to fd00:2::/64 port 8080 in
# "ok6" and drops it.
VIP6=fd00:9::1
SRVS6=(fd00:2::2 fd00:2::3 fd00:2::4 fd00:2::5)
SRC6_PREFIX=fd00:1::1:

topo6()
{
	local cfg=$1 r=${RTR_NS[$1]} s=${SRV_NS[$1]} mac a b=

	for a in "${SRVS6[@]}"; do
		b+="addr add $a/64 dev eth0 nodad
"
	done
	ip -n "$s" -b - <<<"$b" || return 1
	ip -n "${CLI_NS[$cfg]}" addr add fd00:1::2/64 dev eth0 nodad || return 1
	mac=$(ip -n "$s" -j link show eth0 | jq -r '.[0].address')
	b="addr add fd00:1::1/64 dev c1 nodad
addr add fd00:2::1/64 dev s1 nodad
"
	for a in "${SRVS6[@]}"; do
		b+="neigh add $a lladdr $mac dev s1 nud permanent
"
	done
	ip -n "$r" -b - <<<"$b" || return 1
	ip netns exec "$r" sysctl -qw net.ipv6.conf.all.forwarding=1 || return 1
	if [[ $SRV_FAM == netdev ]]; then
		ip netns exec "$s" nft -f - <<-EOF
		add counter netdev bench ok6
		insert rule netdev bench in ip6 daddr fd00:2::/64 udp dport $SPORT counter name ok6 drop
		EOF
	else
		ip netns exec "$s" nft insert rule inet bench in ip6 daddr \
			fd00:2::/64 udp dport "$SPORT" counter drop comment '"ok6"'
	fi
}

# srv_count CFG NAME: the server's count NAME (ok, other or ok6), from
# its named counter or, at inet ingress, its rule's counter.
srv_count()
{
	if [[ $SRV_FAM == netdev ]]; then
		ip netns exec "${SRV_NS[$1]}" nft list counter netdev bench "$2" |
			awk '/packets/ { print $2; exit }'
	else
		ip netns exec "${SRV_NS[$1]}" nft list chain inet bench in |
			awk -v c="comment \"$2\"" 'index($0, c) {
				for (i = 1; i < NF; i++)
					if ($i == "packets") { print $(i + 1); exit }
			}'
	fi
}

# srv_ok6 CFG: the server's "ok6" count (topo6).
srv_ok6() { srv_count "$1" ok6; }

# topo_del CFG: delete its namespaces (frees its sessions, entries...).
topo_del()
{
	local cfg=$1 ns

	kill "${CLI_PID[$cfg]}" "${SRV_PID[$cfg]}" 2>/dev/null
	for ns in "${CLI_NS[$cfg]}" "${RTR_NS[$cfg]}" "${SRV_NS[$cfg]}"; do
		ip netns del "$ns"
	done
}

# rtr CFG CMD...: CMD in CFG's router namespace.
rtr() { local ns=${RTR_NS[$1]}; shift; ip netns exec "$ns" "$@"; }

# hlbr CFG ARGS...: the CLI in CFG's router namespace.
hlbr() { local ns=${RTR_NS[$1]}; shift; "$HLB" -n "$ns" "$@"; }

# pktgen in the client namespace: one device, eth0, on the thread of the
# only CPU. 64-byte frames (60 bytes without the FCS), UDP checksums
# filled in, one fresh packet per send (clone_skb 0: the router rewrites
# them), to the router's MAC.
pg_dev() { echo "/proc/${CLI_PID[$1]}/net/pktgen/eth0"; }

pg()
{
	local cfg=$1 w

	shift
	for w in "$@"; do
		echo "$w" >"$(pg_dev "$cfg")" || die "pktgen $cfg: '$w' refused"
	done
}

pg_setup()
{
	local cfg=$1 mac ctl

	mac=$(ip -n "${RTR_NS[$cfg]}" -j link show c1 | jq -r '.[0].address')
	ctl=/proc/${CLI_PID[$cfg]}/net/pktgen/kpktgend_0
	[[ -e $ctl ]] || die "no pktgen in the client namespace (modprobe pktgen)"
	echo rem_device_all >"$ctl"
	echo "add_device eth0" >"$ctl"
	pg "$cfg" "count 0" "clone_skb 0" "burst 1" "pkt_size 60" "delay 0" \
		"dst_mac $mac" "flag UDPCSUM" "flag !UDPSRC_RND" "flag !IPSRC_RND"
	pg_target "$cfg" vip
}

# pg_target CFG vip|direct|bystander: to the VIP, round robin over the
# servers (plain forwarding), or round robin over the bystander hosts
# (four addresses, as direct: the same route and neighbour work).
pg_target()
{
	case $2 in
	vip)
		pg "$1" "dst_min $VIP" "dst_max $VIP" \
			"udp_dst_min $VPORT" "udp_dst_max $VPORT" ;;
	direct)
		pg "$1" "dst_min ${SRVS[0]}" "dst_max ${SRVS[-1]}" \
			"udp_dst_min $SPORT" "udp_dst_max $SPORT" ;;
	bystander)
		pg "$1" "dst_min ${BYST[0]}" "dst_max ${BYST[-1]}" \
			"udp_dst_min $SPORT" "udp_dst_max $SPORT" ;;
	*) die "pg_target: $2?" ;;
	esac
}

# flows_shape N: FLOW_ADDRS source addresses times FLOW_PORTS source ports,
# at least N flows. pktgen steps the address and the port together, one
# per packet, so the two counts must be coprime for every pair to come up
# (FLOW_ADDRS * FLOW_PORTS distinct flows per period).
gcd() { local a=$1 b=$2 t; while ((b)); do t=$((a % b)); a=$b; b=$t; done; echo "$a"; }

flows_shape()
{
	local n=$1

	FLOW_ADDRS=$(((n + 59999) / 60000))
	FLOW_PORTS=$(((n + FLOW_ADDRS - 1) / FLOW_ADDRS))
	while (($(gcd "$FLOW_ADDRS" "$FLOW_PORTS") != 1)); do
		FLOW_PORTS=$((FLOW_PORTS + 1))
	done
	FLOWS=$((FLOW_ADDRS * FLOW_PORTS))
}

# pg_flows CFG BASE N: flows from addresses BASE, BASE+1... (BASE a.b.c.d
# in 10.96.0.0/11) and ports from 1024, at least N of them (FLOWS).
ip_add()
{
	local IFS=. a

	read -ra a <<<"$1"
	local v=$(((a[0] << 24 | a[1] << 16 | a[2] << 8 | a[3]) + $2))
	echo "$((v >> 24 & 255)).$((v >> 16 & 255)).$((v >> 8 & 255)).$((v & 255))"
}

pg_flows()
{
	local cfg=$1 base=$2

	flows_shape "$3"
	pg "$cfg" "src_min $base" "src_max $(ip_add "$base" $((FLOW_ADDRS - 1)))" \
		"udp_src_min 1024" "udp_src_max $((1024 + FLOW_PORTS))"
}

# pg_unique CFG BASE: every packet a new flow: 65536 addresses from BASE
# (a /16) times 64511 ports (odd, so coprime): 4.2e9 flows before one
# repeats.
pg_unique()
{
	pg "$1" "src_min $2" "src_max $(ip_add "$2" 65535)" \
		"udp_src_min 1024" "udp_src_max 65535"
}

# pgctrl CFG WORD: start (blocks until done) or stop pktgen in CFG's client.
pgctrl()
{
	ip netns exec "${CLI_NS[$1]}" sh -c "echo $2 > /proc/net/pktgen/pgctrl"
}

# pg_result CFG: PG_USEC and PG_SENT from pktgen's last result.
pg_result()
{
	local line

	line=$(grep -m1 '^Result: OK' "$(pg_dev "$1")") ||
		die "pktgen $1: $(grep -m1 '^Result' "$(pg_dev "$1")")"
	# Result: OK: 3999866(c3999553+d313) usec, 400000 (60byte,0frags)
	[[ $line =~ OK:\ ([0-9]+)\(.*usec,\ ([0-9]+)\  ]] ||
		die "pktgen $1: cannot parse '$line'"
	PG_USEC=${BASH_REMATCH[1]}
	PG_SENT=${BASH_REMATCH[2]}
}

# pg_count CFG COUNT: send COUNT packets, wait for the end.
pg_count()
{
	pg "$1" "count $2"
	pgctrl "$1" start
	pg_result "$1"
}

# pg_for CFG SECONDS: send for about SECONDS (pktgen measures the time
# itself: the result is exact whatever stop's latency).
pg_for()
{
	local pid

	pg "$1" "count 0"
	pgctrl "$1" start &
	pid=$!
	sleep "$2"
	pgctrl "$1" stop
	wait "$pid"
	pg_result "$1"
}

# srv_counters CFG: OK and OTHER, the server's counters.
srv_counters()
{
	local out

	if [[ $SRV_FAM != netdev ]]; then
		OK=$(srv_count "$1" ok) OTHER=$(srv_count "$1" other)
		[[ -n $OK && -n $OTHER ]] || die "server counters of $1"
		return
	fi
	out=$(ip netns exec "${SRV_NS[$1]}" nft list counters table netdev bench) ||
		die "cannot read the server counters of $1"
	OK=$(awk '/counter ok/ { f = 1 } f && /packets/ { print $2; exit }' <<<"$out")
	OTHER=$(awk '/counter other/ { f = 1 } f && /packets/ { print $2; exit }' <<<"$out")
	[[ -n $OK && -n $OTHER ]] || die "server counters of $1: $out"
}

# slab NAME: SLAB_OBJSIZE, SLAB_ACTIVE (objects in use) and SLAB_BYTES
# (pages of the cache's slabs) from /proc/slabinfo.
slab()
{
	local line f

	line=$(grep -m1 "^$1 " /proc/slabinfo) || {
		SLAB_OBJSIZE=0 SLAB_ACTIVE=0 SLAB_BYTES=0
		return 1
	}
	read -ra f <<<"$line"
	# name active_objs num_objs objsize objperslab pagesperslab : tunables
	# ... : slabdata active_slabs num_slabs sharedavail
	SLAB_ACTIVE=${f[1]}
	SLAB_OBJSIZE=${f[3]}
	SLAB_BYTES=$((f[14] * f[5] * 4096))
}

# kmem: kernel memory that grows with connection tables, in bytes: slab
# (every cache, including the kmalloc ones that hold conntrack's
# extensions) and vmalloc (large hash bucket arrays).
kmem()
{
	awk '/^(Slab|VmallocUsed):/ { s += $2 } END { print s * 1024 }' \
		/proc/meminfo
}

# settle: let deferred work (rhashtable resizes, RCU frees) finish.
settle() { sleep "${1:-2}"; }
