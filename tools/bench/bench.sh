#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmarks of `make bench`, run as root in one VM boot
# (tools/bench/run boots it). Writes one JSON object per measurement to
# $HLB_BENCH_DIR/raw.jsonl, the mode-switch timeline to timeline.dat,
# and leaves the tables and plots to tools/bench/report.py on the host.
#
#   fwd      packet rate of plain forwarding, hlb in every method, hlb
#            with services but traffic to other hosts (bystander), IPVS
#            NAT, nft DNAT with conntrack, nft stateless rewrite
#   scale    stateful packet rate with 1k, 100k and 1M sessions; memory;
#            memory of 100k IPv6 sessions; every table flushed at the end
#   newflow  sessions created per second: hlb, IPVS, conntrack; memory
#   switch   a load ramp against a hybrid service, sampled once a second
#   ctl      applying 10,000 services / 100,000 servers; table rebuilds
#
# Knobs (environment): HLB_BENCH_PARTS (default all, in that order),
# HLB_BENCH_REPS (5), HLB_BENCH_SECS (seconds per run, 3),
# HLB_BENCH_SCALE (session counts, "1000 100000 1000000"),
# HLB_BENCH_SCALE6 (IPv6 sessions made for their memory, 100000; 0: none),
# HLB_BENCH_SERVICES (10000). tools/bench/run passes HLB_BENCH_VM_ARGS
# to tools/vm/run, e.g. another kernel, and HLB_KO a module built for it.
#
# Nothing here asserts a rate. A configuration fails the run when the
# server does not receive what it is credited with, or when the sessions,
# entries or connections a measurement relies on are not there.
source "$(dirname "$0")/lib.sh"

PARTS=${HLB_BENCH_PARTS:-fwd scale newflow switch ctl}
REPS=${HLB_BENCH_REPS:-5}
SECS=${HLB_BENCH_SECS:-3}
SCALE=${HLB_BENCH_SCALE:-1000 100000 1000000}
SCALE6=${HLB_BENCH_SCALE6:-100000}
NSVC=${HLB_BENCH_SERVICES:-10000}
FWD_FLOWS=10000

# order N REP: 0..N-1 rotated by REP, so that no configuration is always
# measured first or last in a round.
order()
{
	local i

	for ((i = 0; i < $1; i++)); do
		echo $(((i + $2) % $1))
	done
}

# json_num JSON KEY: the first number under KEY in JSON, 0 if none: jq
# takes half a second to start under TCG, this nothing.
json_num()
{
	if [[ $1 =~ \"$2\":([0-9]+) ]]; then
		echo "${BASH_REMATCH[1]}"
	else
		echo 0
	fi
}

#
# Router configurations.
#
hlb_service()
{
	local cfg=$1 a b

	shift
	b="service add udp $VIP:$VPORT $* udp-timeout 3600
"
	for a in "${SRVS[@]}"; do
		b+="server add udp $VIP:$VPORT $a:$SPORT
"
	done
	hlbr "$cfg" config set session-limit 4000000 fill-limit 0 || return 1
	hlbr "$cfg" -b - <<<"$b"
}

# hlb_bystander CFG: the services of the hlb configurations, a stateless
# and a stateful one, side by side, for traffic that is for neither: hlb
# must pass it at the cost of its hooks alone. A server's address and
# port serve one service only, so the stateful one's listen on 8081.
hlb_bystander()
{
	local cfg=$1 a b svc="udp $VIP:$((VPORT + 1))"

	hlb_service "$cfg" mode stateless || return 1
	b="service add $svc mode stateful udp-timeout 3600
"
	for a in "${SRVS[@]}"; do
		b+="server add $svc $a:$((SPORT + 1))
"
	done
	hlbr "$cfg" -b - <<<"$b"
}

ipvs_service()
{
	local cfg=$1 a

	rtr "$cfg" ip addr add "$VIP/32" dev lo || return 1
	# Maglev hashing on address and port: the same placement as hlb.
	rtr "$cfg" ipvsadm -A -u "$VIP:$VPORT" -s mh -b mh-port || return 1
	for a in "${SRVS[@]}"; do
		rtr "$cfg" ipvsadm -a -u "$VIP:$VPORT" -r "$a:$SPORT" -m ||
			return 1
	done
	rtr "$cfg" ipvsadm --set 0 0 3600
}

# The jhash map over the four servers, for nft.
NFT_MAP="jhash ip saddr . udp sport mod 4 map { 0 : ${SRVS[0]}, 1 : ${SRVS[1]}, 2 : ${SRVS[2]}, 3 : ${SRVS[3]} }"

nft_dnat()
{
	rtr "$1" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=3600 \
		net.netfilter.nf_conntrack_udp_timeout_stream=3600 || return 1
	rtr "$1" nft -f - <<-EOF
	table ip bench {
		chain pre {
			type nat hook prerouting priority dstnat;
			ip daddr $VIP udp dport $VPORT dnat to $NFT_MAP : $SPORT
		}
	}
	EOF
}

nft_notrack()
{
	rtr "$1" nft -f - <<-EOF
	table ip bench {
		chain pre {
			type filter hook prerouting priority raw;
			ip daddr $VIP udp dport $VPORT notrack ip daddr set $NFT_MAP udp dport set $SPORT
		}
	}
	EOF
}

# is_hlb KIND: hlb is loaded with services in KIND's router, and its
# counters are read around every run.
is_hlb() { [[ $1 == hlb-* || $1 == bystander ]]; }

# setup_cfg CFG KIND: build CFG's namespaces and configure KIND.
setup_cfg()
{
	local cfg=$1 ok=

	# The bystander's server credits only what reaches the bystander
	# hosts: a packet hlb sent to a server instead is "other".
	[[ $2 != bystander ]] || ok=$BYST_NET
	topo "$cfg" "$ok" || die "$cfg: cannot build the namespaces"
	case $2 in
	fwd) pg_target "$cfg" direct ;;
	bystander) hlb_bystander "$cfg" && pg_target "$cfg" bystander ;;
	hlb-stateless) hlb_service "$cfg" mode stateless ;;
	hlb-stateful) hlb_service "$cfg" mode stateful ;;
	hlb-hybrid-stateless) hlb_service "$cfg" mode hybrid pin stateless ;;
	hlb-hybrid-stateful) hlb_service "$cfg" mode hybrid pin stateful ;;
	ipvs) ipvs_service "$cfg" ;;
	nft-dnat) nft_dnat "$cfg" ;;
	nft-notrack) nft_notrack "$cfg" ;;
	*) false ;;
	esac || die "$cfg: cannot configure $2"
}

# state_count CFG KIND: the entries KIND keeps for its flows: hlb
# sessions, IPVS connections, conntrack entries; 0 for the others.
state_count()
{
	local j

	case $2 in
	hlb-* | bystander)
		j=$(hlbr "$1" -j config show)
		json_num "$j" sessions ;;
	# Live connections: the servers' active and inactive counts (the
	# totals in /proc/net/ip_vs_stats lag up to 2 s behind).
	ipvs)
		rtr "$1" ipvsadm -Ln |
			awk '$1 == "->" && NF == 6 { n += $5 + $6 } END { print n + 0 }' ;;
	nft-dnat) rtr "$1" cat /proc/sys/net/netfilter/nf_conntrack_count ;;
	*) echo 0 ;;
	esac
}

# hlb_snap CFG: hlb's counters in CFG, in one process: HITS_S and HITS_M
# (session and mapping hits), CREATED (sessions created), SESS (live),
# HPKTS and HMALF (the namespace's packets and malformed: what hlb took
# for its own, translated or dropped).
hlb_snap()
{
	local j

	j=$(hlbr "$1" -j -b - <<<$'stats\nconfig show') || die "hlb stats in $1"
	HPKTS=$(json_num "$j" packets)
	HMALF=$(json_num "$j" malformed)
	HITS_S=$(json_num "$j" session_hits)
	HITS_M=$(json_num "$j" mapping_hits)
	CREATED=$(json_num "$j" sessions_created)
	SESS=$(json_num "$j" sessions)
}

# snap CFG KIND: the counters measure() compares, kept per configuration:
# nothing but CFG's own runs changes them, so one run's "after" is the
# next one's "before".
declare -A S_OK S_OTH S_HS S_HM S_HP S_HMF

snap()
{
	srv_counters "$1"
	S_OK[$1]=$OK S_OTH[$1]=$OTHER
	if is_hlb "$2"; then
		hlb_snap "$1"
		S_HS[$1]=$HITS_S S_HM[$1]=$HITS_M
		S_HP[$1]=$HPKTS S_HMF[$1]=$HMALF
	fi
}

# calibrate CFG: one second of pktgen, not measured, for the packet
# count of a run of about SECS seconds at that rate (CAL). Runs are then
# timed by the count: no process starts while one is measured.
declare -A CAL

calibrate()
{
	local n

	pg_for "$1" 1
	n=$((PG_SENT * SECS * 1000000 / PG_USEC))
	CAL[$1]=$((n > 1000 ? n : 1000))
}

# measure PART CFG KIND REP EXTRA_JSON: one timed run of about SECS
# seconds with the flows pktgen is set to, counted at the server;
# appends a record and sets PPS and DELIVERED (and, with hlb, HIT_S,
# HIT_M and HCOUNT: its hits and the packets it counted in the run).
measure()
{
	local part=$1 cfg=$2 kind=$3 rep=$4 extra=$5 ok0 oth0 hits=

	[[ -n ${S_OK[$cfg]:-} ]] || snap "$cfg" "$kind"
	ok0=${S_OK[$cfg]} oth0=${S_OTH[$cfg]}
	HIT_S=${S_HS[$cfg]:-0} HIT_M=${S_HM[$cfg]:-0}
	HCOUNT=${S_HP[$cfg]:-0} HMALF_RUN=${S_HMF[$cfg]:-0}
	[[ -n ${CAL[$cfg]:-} ]] || die "$cfg: not calibrated"
	mark_begin
	pg_count "$cfg" "${CAL[$cfg]}"
	mark_end
	snap "$cfg" "$kind"
	if is_hlb "$kind"; then
		HIT_S=$((HITS_S - HIT_S)) HIT_M=$((HITS_M - HIT_M))
		HCOUNT=$((HPKTS - HCOUNT)) HMALF_RUN=$((HMALF - HMALF_RUN))
		hits=",\"session_hits\":$HIT_S,\"mapping_hits\":$HIT_M"
		hits+=",\"hlb_packets\":$HCOUNT,\"hlb_malformed\":$HMALF_RUN"
	fi
	DELIVERED=$((OK - ok0))
	PPS=$((DELIVERED * 1000000 / PG_USEC))
	record "{\"part\":\"$part\",\"config\":\"$kind\",\"cfg\":\"$cfg\",\"rep\":$rep,\"mark\":$MARK,\"usec\":$PG_USEC,\"sent\":$PG_SENT,\"delivered\":$DELIVERED,\"other\":$((OTHER - oth0)),\"pps\":$PPS$hits$extra}"
	log "$part $kind run $rep: $PPS pps delivered ($DELIVERED of $PG_SENT sent in $((PG_USEC / 1000)) ms)"
	# Credited with what the server got, rewritten: ~0 means broken.
	((DELIVERED * 2 >= PG_SENT && DELIVERED > 1000)) ||
		die "$kind: the server received $DELIVERED packets where they belong, of $PG_SENT sent"
	(((OTHER - oth0) * 100 <= DELIVERED)) ||
		die "$kind: the server received $((OTHER - oth0)) packets not addressed as they should be"
}

#
# 1. Forwarding packet rate.
#
FWD_KINDS=(fwd bystander hlb-stateless hlb-stateful hlb-hybrid-stateless
	hlb-hybrid-stateful ipvs nft-dnat nft-notrack)

part_fwd()
{
	local kind rep i n st want seq

	log "== fwd: ${#FWD_KINDS[@]} configurations, $FWD_FLOWS flows, $REPS x ${SECS}s"
	for kind in "${FWD_KINDS[@]}"; do
		setup_cfg "$kind" "$kind"
		pg_flows "$kind" 10.96.0.1 "$FWD_FLOWS"
		# Warm up: every flow once (sessions, entries); they stay
		# for the hour their timeouts are set to.
		pg_count "$kind" "$FLOWS"
		calibrate "$kind"
	done
	n=$((${#FWD_KINDS[@]} - 1))
	for ((rep = 1; rep <= REPS; rep++)); do
		# Plain forwarding, the limit, first and halfway through
		# every round; the others in an order that turns round by
		# round.
		seq=(fwd)
		for i in $(order "$n" "$rep"); do
			((${#seq[@]} != n / 2 + 1)) || seq+=(fwd)
			seq+=("${FWD_KINDS[i + 1]}")
		done
		for i in "${!seq[@]}"; do
			kind=${seq[i]}
			measure fwd "$kind" "$kind" "$rep" ",\"flows\":$FLOWS,\"seq\":$i"
			if is_hlb "$kind"; then
				st=$SESS
			else
				st=$(state_count "$kind" "$kind")
			fi
			case $kind in
			hlb-stateful | hlb-hybrid-stateful | ipvs | nft-dnat)
				want=$FLOWS ;;
			*) want=0 ;;
			esac
			record "{\"part\":\"fwd-state\",\"config\":\"$kind\",\"rep\":$rep,\"entries\":$st}"
			((st == want)) ||
				die "$kind: $st sessions/entries for $FLOWS flows, expected $want"
			[[ $kind != hlb-* ]] || hits_ok "$kind" "$want"
			[[ $kind != bystander ]] || bystander_ok
		done
	done
	for kind in "${PROFILE_KINDS[@]}"; do
		profile "$kind" "$kind"
	done
	for kind in "${FWD_KINDS[@]}"; do
		topo_del "$kind"
	done
}

# profile CFG NAME: where the CPU goes (perf, cpu-clock: TCG has no PMU)
# in one more run of CFG; reported on the host against the guest's
# kallsyms. Not a rate measurement: perf costs some. pktgen starts first,
# so that perf's own start-up is not in the profile.
PROFILE_KINDS=(fwd bystander hlb-stateless hlb-stateful ipvs nft-dnat)

profile()
{
	local cfg=$1 name=$2 pid

	[[ ${HLB_BENCH_PROFILE:-1} == 1 ]] || return 0
	if ! command -v perf >/dev/null; then
		log "no perf: no profile of $name"
		return 0
	fi
	[[ -s $BENCH_DIR/kallsyms ]] || cp /proc/kallsyms "$BENCH_DIR/kallsyms"
	pg "$cfg" "count 0"
	pgctrl "$cfg" start &
	pid=$!
	sleep 0.5
	# Into the guest's tmpfs: writing to the share would be profiled.
	perf record -e cpu-clock -a -q -o "/tmp/perf-$name.data" \
		-- sleep "$SECS" 2>/dev/null || log "perf record failed for $name"
	pgctrl "$cfg" stop
	wait "$pid"
	mv "/tmp/perf-$name.data" "$BENCH_DIR/"
}

# hits_ok KIND SESSIONS: hlb translated the measured run from sessions
# only (SESSIONS > 0) or from the mapping only.
hits_ok()
{
	if (($2)); then
		((HIT_M == 0 && HIT_S >= DELIVERED)) && return
	else
		((HIT_S == 0 && HIT_M >= DELIVERED)) && return
	fi
	die "$1: $HIT_S session hits and $HIT_M mapping hits for $DELIVERED packets"
}

# bystander_ok: hlb took none of the bystander run for its own (no hit,
# next to nothing counted; the exact count is in the record, for the
# report): else the run measured something other than passing traffic.
bystander_ok()
{
	((HIT_S == 0 && HIT_M == 0 && (HCOUNT + HMALF_RUN) * 100 <= DELIVERED)) &&
		return
	die "bystander: hlb counted $HCOUNT packets ($HMALF_RUN malformed), $HIT_S session and $HIT_M mapping hits for $DELIVERED packets to other hosts"
}

#
# 2. Session scale: the same stateful service with 1k, 100k and 1M
# sessions, one after the other (the session walk of a large table costs
# CPU on the whole machine: a small table measured next to it would pay
# for it); memory from the session cache and from the kernel's slab and
# vmalloc totals while the sessions are created.
#
part_scale()
{
	local n cfg rep k0 k1 st

	log "== scale: sessions $SCALE, $REPS x ${SECS}s"
	for n in $SCALE; do
		cfg=scale-$n
		setup_cfg "$cfg" hlb-stateful
		pg_flows "$cfg" 10.96.0.1 "$n"
		settle 1
		k0=$(kmem)
		# One packet per flow makes every session; a second pass
		# catches flows whose packet was dropped.
		mark_begin
		pg_count "$cfg" "$FLOWS"
		mark_end
		st=$(state_count "$cfg" hlb-stateful)
		if ((st != FLOWS)); then
			pg_count "$cfg" "$FLOWS"
			st=$(state_count "$cfg" hlb-stateful)
		fi
		((st == FLOWS)) || die "$cfg: $st sessions for $FLOWS flows"
		settle 3
		k1=$(kmem)
		slab hlb_session4 || die "no hlb_session4 in /proc/slabinfo"
		record "{\"part\":\"scale-fill\",\"config\":\"$cfg\",\"sessions\":$st,\"usec\":$PG_USEC,\"mark\":$MARK,\"kmem_delta\":$((k1 - k0)),\"slab_objsize\":$SLAB_OBJSIZE,\"slab_active\":$SLAB_ACTIVE,\"slab_bytes\":$SLAB_BYTES}"
		log "$cfg: $st sessions in $((PG_USEC / 1000)) ms, kernel memory +$(((k1 - k0) / st)) bytes per session"
		calibrate "$cfg"
		for ((rep = 1; rep <= REPS; rep++)); do
			measure scale "$cfg" hlb-stateful "$rep" ",\"sessions\":$st"
			hits_ok "$cfg" 1
			((SESS == st)) || die "$cfg: $SESS sessions, expected $st"
		done
		slab hlb_session4
		record "{\"part\":\"slab\",\"cache\":\"hlb_session4\",\"objsize\":$SLAB_OBJSIZE,\"active\":$SLAB_ACTIVE,\"bytes\":$SLAB_BYTES}"
		[[ $n != "${SCALE##* }" ]] || profile "$cfg" "hlb-stateful-$st"
		flush_sessions "$cfg"
		topo_del "$cfg"
		settle 2
	done
	((SCALE6 == 0)) || scale6 "$SCALE6"
}

# flush_sessions CFG: `hlb session flush` of the whole table, timed, and
# none may be left: deleting the namespaces would free the sessions too,
# but by another path; this one is the command's (and, run on the debug
# kernel with 1M sessions, the check of issue #15 that a full table
# flushes cleanly).
flush_sessions()
{
	local cfg=$1 t0 us st

	t0=$EPOCHREALTIME
	hlbr "$cfg" session flush || die "$cfg: session flush failed"
	us=$((${EPOCHREALTIME/./} - ${t0/./}))
	st=$(state_count "$cfg" hlb-stateful)
	if ((st != 0)); then
		settle 3
		st=$(state_count "$cfg" hlb-stateful)
	fi
	record "{\"part\":\"scale-flush\",\"config\":\"$cfg\",\"usec\":$us,\"left\":$st}"
	log "$cfg: sessions flushed in $((us / 1000)) ms, $st left"
	((st == 0)) || die "$cfg: $st sessions left after session flush"
}

# scale6 N: the memory of IPv6 sessions: a stateful service on the IPv6
# VIP (topo6) alone in its namespaces, at least N sessions made by one
# packet each, kernel memory measured as for IPv4; no packet rate.
# pktgen varies an IPv6 source address at random only, so the flows are
# made one source address at a time: ADDRS passes of PORTS packets over
# PORTS ports, in order (pktgen's port counter wraps, so every pass sends
# every port once wherever it starts).
scale6()
{
	local n=$1 cfg=scale6-$1 addrs ports want i st k0 k1 us ok a b=

	log "== scale: $n IPv6 sessions (memory)"
	topo "$cfg" || die "$cfg: cannot build the namespaces"
	topo6 "$cfg" || die "$cfg: cannot add IPv6 to the namespaces"
	for a in "${SRVS6[@]}"; do
		b+="server add udp [$VIP6]:$VPORT [$a]:$SPORT
"
	done
	b="service add udp [$VIP6]:$VPORT mode stateful udp-timeout 3600
$b"
	hlbr "$cfg" config set session-limit 4000000 fill-limit 0 ||
		die "$cfg: cannot set the session limit"
	hlbr "$cfg" -b - <<<"$b" || die "$cfg: cannot configure the IPv6 service"
	addrs=$(((n + 59999) / 60000))
	ports=$(((n + addrs - 1) / addrs))
	want=$((addrs * ports))
	# 78 bytes: the IPv4 frames' 18 bytes of payload (pktgen's header).
	pg "$cfg" "pkt_size 78" "dst6 $VIP6" "udp_dst_min $VPORT" \
		"udp_dst_max $VPORT" "udp_src_min 1024" \
		"udp_src_max $((1024 + ports))"
	settle 1
	k0=$(kmem)
	# A second pass catches flows whose packet was dropped.
	for _ in 1 2; do
		us=0
		mark_begin
		for ((i = 0; i < addrs; i++)); do
			pg "$cfg" "src6 $SRC6_PREFIX$(printf %x "$i")"
			pg_count "$cfg" "$ports"
			us=$((us + PG_USEC))
		done
		mark_end
		st=$(state_count "$cfg" hlb-stateful)
		((st != want)) || break
	done
	((st == want)) || die "$cfg: $st IPv6 sessions for $want flows"
	settle 3
	k1=$(kmem)
	ok=$(srv_ok6 "$cfg")
	((ok > 0)) || die "$cfg: no IPv6 packet reached the servers"
	slab hlb_session6 || die "no hlb_session6 in /proc/slabinfo"
	record "{\"part\":\"scale6-fill\",\"config\":\"$cfg\",\"sessions\":$st,\"usec\":$us,\"mark\":$MARK,\"delivered\":$ok,\"kmem_delta\":$((k1 - k0)),\"slab_objsize\":$SLAB_OBJSIZE,\"slab_active\":$SLAB_ACTIVE,\"slab_bytes\":$SLAB_BYTES}"
	record "{\"part\":\"slab\",\"cache\":\"hlb_session6\",\"objsize\":$SLAB_OBJSIZE,\"active\":$SLAB_ACTIVE,\"bytes\":$SLAB_BYTES}"
	log "$cfg: $st IPv6 sessions in $((us / 1000)) ms ($ok packets delivered), kernel memory +$(((k1 - k0) / st)) bytes per session, object $SLAB_OBJSIZE bytes"
	flush_sessions "$cfg"
	topo_del "$cfg"
	settle 2
}

#
# 3. New flows per second: every packet a new flow (unique source address
# and port); entries counted before and after each run.
#
NF_KINDS=(hlb-stateful ipvs nft-dnat)

nf_entries()
{
	case $2 in
	hlb-stateful) hlb_snap "$1"; echo "$CREATED" ;;
	ipvs) state_count "$1" ipvs ;;
	nft-dnat) state_count "$1" nft-dnat ;;
	esac
}

part_newflow()
{
	local kind cfg rep i e0 e1 k0 k1 made
	local -A E

	log "== newflow: ${NF_KINDS[*]}, $REPS x ${SECS}s"
	for kind in "${NF_KINDS[@]}"; do
		setup_cfg "nf-$kind" "$kind"
		pg_unique "nf-$kind" 10.99.0.0
		calibrate "nf-$kind"
		E[$kind]=$(nf_entries "nf-$kind" "$kind")
	done
	for ((rep = 1; rep <= REPS; rep++)); do
		for i in $(order "${#NF_KINDS[@]}" "$rep"); do
			kind=${NF_KINDS[i]}
			cfg=nf-$kind
			# A /16 of sources of its own per round: no flow repeats.
			pg_unique "$cfg" "10.$((100 + rep)).0.0"
			e0=${E[$kind]}
			k0=$(kmem)
			measure newflow "$cfg" "$kind" "$rep" ""
			# (hlb's count comes with measure's counters.)
			if [[ $kind == hlb-* ]]; then
				e1=$CREATED
			else
				e1=$(nf_entries "$cfg" "$kind")
			fi
			E[$kind]=$e1
			settle 1
			k1=$(kmem)
			made=$((e1 - e0))
			record "{\"part\":\"newflow-made\",\"config\":\"$kind\",\"cfg\":\"$cfg\",\"rep\":$rep,\"mark\":$MARK,\"created\":$made,\"usec\":$PG_USEC,\"kmem_delta\":$((k1 - k0))}"
			log "newflow $kind run $rep: $((made * 1000000 / PG_USEC)) entries/s ($made)"
			# Every packet the server got was a new flow that
			# went through the entry it made.
			((made >= DELIVERED - DELIVERED / 100 && made <= PG_SENT)) ||
				die "$kind: $made entries created for $DELIVERED new flows delivered"
		done
	done
	for kind in hlb_session4 nf_conntrack ip_vs_conn; do
		slab "$kind" || die "no $kind in /proc/slabinfo"
		record "{\"part\":\"slab\",\"cache\":\"$kind\",\"objsize\":$SLAB_OBJSIZE,\"active\":$SLAB_ACTIVE,\"bytes\":$SLAB_BYTES}"
	done
	# Where a new session's time goes: one more run, of flows never
	# seen (a /16 no round used).
	pg_unique nf-hlb-stateful "10.$((101 + REPS)).0.0"
	profile nf-hlb-stateful hlb-newflow
	for kind in "${NF_KINDS[@]}"; do
		topo_del "nf-$kind"
	done
}

#
# 4. Mode switch: new flows at rising then falling rates against a
# hybrid service; its method, sessions and counters sampled once a
# second into timeline.dat.
#
SW_STEP_SECS=5

# sw_sampler: `hlb -j service show` once a second, with the time, into
# timeline.dat (parsed on the host: jq costs half a second here).
sw_sampler()
{
	local next=${EPOCHREALTIME%.*} line us

	while [[ -e $BENCH_DIR/sampling ]]; do
		line=$(hlbr sw -j service show)
		echo "$EPOCHREALTIME $line" >>"$BENCH_DIR/timeline.dat"
		# On to the next whole second (skipping any already gone).
		while ((next <= ${EPOCHREALTIME%.*})); do
			next=$((next + 1))
		done
		us=$((next * 1000000 - ${EPOCHREALTIME/./}))
		printf -v us '%d.%06d' $((us / 1000000)) $((us % 1000000))
		sleep "$us"
	done
}

part_switch()
{
	local step base=100 pid max high low steps

	setup_cfg sw hlb-stateless
	# The most new flows per second the service takes (stateless, so
	# a little more than stateful); the ramp and watermarks follow.
	pg_unique sw 10.100.0.0
	pg_for sw 2
	max=$((PG_SENT * 1000000 / PG_USEC))
	high=$((max / 3)) low=$((max / 8))
	steps="$((max / 30)) $((max / 10)) max max $((max / 5)) $((max / 15)) $((max / 30)) 0"
	log "== switch: new flows per second $steps, ${SW_STEP_SECS}s each; watermarks $high, $low"
	hlbr sw service set udp "$VIP:$VPORT" mode hybrid newflow-high "$high" \
		newflow-low "$low" hold 3s dwell 2s udp-timeout 8 ||
		die "cannot make the switch service hybrid"
	: >"$BENCH_DIR/timeline.dat"
	: >"$BENCH_DIR/sampling"
	record "{\"part\":\"switch-conf\",\"max_rate\":$max,\"newflow_high\":$high,\"newflow_low\":$low,\"hold_s\":3,\"dwell_s\":2,\"udp_timeout_s\":8,\"step_secs\":$SW_STEP_SECS}"
	# Real-time priority: the samples must not wait for pktgen.
	chrt -f 10 bash -c "$(declare -f sw_sampler hlbr); $(declare -p RTR_NS HLB BENCH_DIR); sw_sampler" &
	pid=$!
	sleep 3
	for step in $steps; do
		base=$((base + 1))
		echo "# $EPOCHREALTIME step $step" >>"$BENCH_DIR/timeline.dat"
		if [[ $step == 0 ]]; then
			sleep $((2 * SW_STEP_SECS))
			continue
		fi
		pg_unique sw "10.$base.0.0"
		if [[ $step == max ]]; then
			pg sw "delay 0"
			pg_for sw "$SW_STEP_SECS"
		else
			pg sw "ratep $step"
			pg_count sw $((step * SW_STEP_SECS))
		fi
		log "switch: step $step: $PG_SENT packets in $((PG_USEC / 1000)) ms"
	done
	echo "# $EPOCHREALTIME end" >>"$BENCH_DIR/timeline.dat"
	rm -f "$BENCH_DIR/sampling"
	wait "$pid"
	pg sw "delay 0"
	grep -q '"method":"stateless"' "$BENCH_DIR/timeline.dat" ||
		die "switch: the hybrid service never went stateless"
	topo_del sw
}

#
# 5. Control plane: 10,000 services with 10 servers each in one batch
# (table size 101, as in hlb_scale.sh: 10,000 tables of the default 65537
# entries would take 1.3 GB); and rebuilding the lookup table (65537
# entries) of a service with 1,000 servers, as one more server comes or
# a weight changes. Batches made on the host by tools/bench/run.
#
# timed NAME CMD...: run CMD, record its wall time (and mark it).
timed()
{
	local name=$1 t0 t1

	shift
	mark_begin
	t0=$EPOCHREALTIME
	"$@" || die "$name: $* failed"
	t1=$EPOCHREALTIME
	mark_end
	T_USEC=$((${t1/./} - ${t0/./}))
	record "{\"part\":\"ctl\",\"what\":\"$name\",\"rep\":$REP,\"mark\":$MARK,\"usec\":$T_USEC}"
}

part_ctl()
{
	local ns=bench-ctl b=$BENCH_DIR n k=10 i

	log "== ctl: $NSVC services x 10 servers; rebuilds with 1000 servers"
	[[ -s $b/services.batch && -s $b/rebuild.batch ]] ||
		die "no batches in $b (made by tools/bench/run)"
	ip netns add "$ns"
	NS_LIST+=("$ns")
	for ((REP = 1; REP <= REPS; REP++)); do
		timed apply "$HLB" -n "$ns" -b "$b/services.batch"
		n=$("$HLB" -n "$ns" -j config show | jq -r .services)
		((n == NSVC)) || die "ctl: $n services after the batch, expected $NSVC"
		if ((REP == 1)); then
			n=$("$HLB" -n "$ns" -j service show | jq '[.[].servers] | add')
			((n == NSVC * 10)) ||
				die "ctl: $n servers after the batch, expected $((NSVC * 10))"
		fi
		log "ctl: $NSVC services, $((NSVC * 10)) servers applied in $((T_USEC / 1000)) ms"
		timed flush "$HLB" -n "$ns" service flush
	done
	# One service, 1000 servers, a small table while they go in, then
	# the default size: the rebuild under test.
	"$HLB" -n "$ns" -b "$b/rebuild.batch" || die "ctl: rebuild batch"
	"$HLB" -n "$ns" service set udp 10.8.0.1:80 table-size 65537 ||
		die "ctl: table-size 65537"
	for ((REP = 1; REP <= REPS; REP++)); do
		# K weight changes, K sets that change nothing (the cost of a
		# command without a rebuild), K servers added, K removed.
		timed "weight-x$k" "$HLB" -n "$ns" -b "$b/weight$((REP % 2)).batch"
		timed "noop-x$k" "$HLB" -n "$ns" -b "$b/noop.batch"
		timed "add-x$k" "$HLB" -n "$ns" -b "$b/add.batch"
		timed "del-x$k" "$HLB" -n "$ns" -b "$b/del.batch"
	done
	n=$("$HLB" -n "$ns" -j service show | jq '.[0].servers')
	((n == 1000)) || die "ctl: $n servers in the rebuild service, expected 1000"
	ip netns del "$ns"
}

main()
{
	local p t

	mkdir -p "$BENCH_DIR"
	: >"$RAW"
	echo "S 0" >"$BENCH_DIR/marks"
	hlb_load || die "cannot load hlb"
	modprobe pktgen || die "no pktgen module"
	# IPVS and conntrack only for the parts that measure them: the
	# debug kernel (HLB_BENCH_VM_ARGS) has no ip_vs_mh.
	if [[ " $PARTS " =~ \ (fwd|newflow)\  ]]; then
		modprobe nf_conntrack hashsize=1048576 || die "no nf_conntrack"
		sysctl -qw net.netfilter.nf_conntrack_max=4194304
		modprobe ip_vs conn_tab_bits=20 || die "no ip_vs"
		modprobe ip_vs_mh || die "no ip_vs_mh"
	fi
	record "{\"part\":\"guest\",\"kernel\":\"$(uname -r)\",\"cpus\":$(nproc),\"mem_kb\":$(awk '/MemTotal/ { print $2 }' /proc/meminfo),\"cmdline\":\"$(cat /proc/cmdline)\"}"
	for p in $PARTS; do
		t=$SECONDS
		"part_$p"
		log "== $p: $((SECONDS - t)) s"
		record "{\"part\":\"time\",\"what\":\"$p\",\"seconds\":$((SECONDS - t))}"
	done
	log "done"
}

main
