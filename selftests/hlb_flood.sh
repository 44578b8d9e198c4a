#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Bounded under floods (issue #15): spoofed floods can fill a namespace's
# session table, but not keep legitimate flows out of it.
#
# A. Eviction before refusal. A stateful TCP service (strict off) in a
#    namespace whose session limit is LA = 500: a flood of 2 LA SYNs and
#    2 LA lone ACKs (adopted into established sessions) from spoofed
#    sources, which the servers drop, so that no flood session ever sees
#    a reply. Twice the limit of each, so that either alone would fill
#    the table. While the table is full a legitimate client, from another
#    namespace, makes NLEGIT = 100 connections or more: 99% of them must
#    succeed (one failure allowed), the session count (sampled about
#    once a second) never exceeds LA, and the namespace counts the flood
#    sessions that made room in sessions_evicted. Without eviction new
#    flows are refused at the limit (drop_session_limit), and the flood's
#    sessions keep the table full: the adopted ones for the established
#    timeout (900 s), the SYNs for the SYN timeout, set to 120 s so that
#    they too outlast the test.
# B. Learned sessions are not free. A stateless service with flow
#    protection (transition 300 s, longer than the test), srv1, then srv2
#    added: about half the buckets move. Namespace limit LB = 400, fill
#    limit 50%, so CAP = 200 sessions. 2 CAP spoofed RSTs (about CAP of
#    them in moved buckets) must create no session at all; then 4 CAP
#    spoofed ACKs (about 2 CAP in moved buckets) get learned sessions, but
#    no more than CAP; and since none of them ever sees a reply (the
#    servers drop them), they are gone after the SYN timeout (3 s, while
#    the established timeout stays 900 s), within 3 s more.
# C. A full table admits. Namespace limit LC = 50:
#    1. LC UDP flows (one datagram each way) of a service with a UDP
#       timeout of 2 s fill the table; 2.5 s after the last one (no more
#       than timeout + 1 s), a new TCP connection is admitted at once (no
#       drop_session_limit): the expired sessions are reclaimed when the
#       full table needs room, whether or not the GC (a walk every
#       250 ms) has been there yet. (That part may pass without it.)
#    2. 2 LC spoofed SYNs that the servers drop fill the table with
#       SYN-only sessions (SYN timeout 60 s); NEW = 10 new TCP connections
#       are admitted at once: each evicts an unreplied session, counted
#       in sessions_evicted. Ten, not one: a kernel that looks for a
#       session to evict only near the new one's hash bucket finds none
#       for some tuples when the table is sparse, and one connection
#       would pass or fail by luck.
#
# The floods: tools/tcp_flood.py in client 1 sends segments from random
# addresses of 10.200.0.0/16 (the router routes that prefix back to
# client 1) and random ports; an nftables rule on each server drops
# everything from that prefix, so nothing answers. The legitimate client
# is client 2. The floods ask for 1000 packets a second (TCG manages
# about 600; the servers' path is a drop, no request socket: cheap).
#
# On a slower kernel (HLB_SLOW, lib.sh) the limits, and so the floods,
# are HLB_SLOW times smaller, and so are the rates: every phase lasts as
# long as on Debian's kernel.

source "$(dirname "$0")/lib_dp.sh"

FLOOD_NET=10.200.0.0/16
RATE=$(slow_rate 1000)
LA=$((500 / HLB_SLOW))
NLEGIT=100
# Even: its 50% is a whole number of sessions.
LB=$((400 / HLB_SLOW / 2 * 2))
FB=50
CAP=$((LB * FB / 100))
LC=$((50 / HLB_SLOW))
LC=$((LC > 10 ? LC : 10))
NEW=10

require_command jq nft
hlb_load || exit "$ksft_fail"
topo_setup 2 2
C=${CLI[2]}
start_servers 8080 || exit "$ksft_fail"
burst_agent "$C" || exit "$ksft_fail"
ip -n "$RTR" route add "$FLOOD_NET" via 10.0.1.2
for c in all default c1; do
	ip netns exec "$RTR" sysctl -qw "net.ipv4.conf.$c.rp_filter=0"
done
for j in 1 2; do
	ip netns exec "${SRV[j]}" nft -f - <<EOF || exit "$ksft_fail"
table ip flood {
	chain input {
		type filter hook input priority filter; policy accept;
		ip saddr $FLOOD_NET counter drop
	}
}
EOF
done
TMP=$(mktemp -d)
defer rm -rf "$TMP"

# flood PORT FLAGS=COUNT...: the spoofed flood to VIP4:PORT, from client 1.
flood()
{
	local port=$1

	shift
	ip netns exec "${CLI[1]}" "$PYTHON" "$TESTS_DIR/tools/tcp_flood.py" \
		"$VIP4" "$port" "$FLOOD_NET" "$RATE" "$@"
}

ns_sessions() { jget "$RTR" .sessions config show; }
nlearned() { jget "$RTR" '[.[] | select(.learned)] | length' session show; }
# evicted: the namespace's sessions_evicted, from ST (load_stats); says
# so and prints nothing if the kernel has no such counter.
evicted()
{
	[[ -n ${ST[ns/sessions_evicted]:-} ]] && {
		echo "${ST[ns/sessions_evicted]}"
		return
	}
	log "no sessions_evicted in the namespace's counters:" \
		"$(hlbn "$RTR" -j stats | jq -c .)" >&2
}
drops() { echo "${ST[ns/drop_session_limit]:-0}"; }

#
# A. Eviction before refusal.
#
log "setup: $SECONDS s"
PART_T0=$SECONDS
SVC=(tcp "$VIP4:80")
NSYN=$((2 * LA)) NACK=$((2 * LA))
# The SYN timeout (120 s) outlasts the test, so that without eviction the
# flood's sessions keep the table full all along: nothing but eviction
# makes room for the legitimate client.
hlb_batch "$RTR" <<EOF || exit "$ksft_fail"
config set session-limit $LA
service add ${SVC[*]} transition 0 syn-timeout 120s
server add ${SVC[*]} 10.1.1.2:8080
server add ${SVC[*]} 10.1.2.2:8080
EOF
out=$(burst "$C" tcp "$VIP4" 80 10)
log_test "A: legitimate connections before the flood" flows_ok "$?" "$out"

# Samples of the session count, about one a second (two processes each:
# more often would slow the guest down).
sample()
{
	while :; do
		ns_sessions
		sleep 0.5
	done >>"$TMP/a.sessions"
}
sample &
SAMPLER=$!
defer kill "$SAMPLER"
flood 80 "S=$NSYN" "A=$NACK" >"$TMP/a.flood" &
FLOOD=$!
defer kill "$FLOOD"
T0=$SECONDS
# The legitimate client starts once the table is full.
full() { (($(ns_sessions) >= LA)); }
busywait 30000 full
log_test "A: the flood fills the table ($LA sessions)" full
# The legitimate client, while the flood lasts and until it has made
# NLEGIT connections: bursts of 10 at once, each given 5 s (a SYN
# that hlb drops is sent again after 1 s and 3 s). It stops early once
# more than 1% of NLEGIT have failed: the check has failed then.
ok=0 bad=0
while kill -0 "$FLOOD" 2>/dev/null || ((ok + bad < NLEGIT)); do
	((bad * 100 <= NLEGIT && SECONDS - T0 < 120 * HLB_SLOW)) || break
	out=$(burst "$C" tcp "$VIP4" 80 10 --timeout 5)
	n=$(failed "$out")
	n=${n:-10}
	ok=$((ok + 10 - n)) bad=$((bad + n))
	grep '^# flow' <<<"$out" | head -n 2 >>"$TMP/a.errors"
done
wait "$FLOOD"
kill "$SAMPLER"
log "A: flood $(cat "$TMP/a.flood"), $((SECONDS - T0)) s in all; legitimate: $ok ok, $bad failed"
[[ $bad == 0 ]] || head -n 5 "$TMP/a.errors" | sed 's/^/# /'
log_test "A: 99% of $((ok + bad)) legitimate connections succeed during the flood" \
	eval '((ok + bad >= NLEGIT && ok * 100 >= 99 * (ok + bad)))'
MAXS=$(sort -n "$TMP/a.sessions" | tail -n 1)
log "A: sessions at most $MAXS of $LA in $(wc -l <"$TMP/a.sessions") samples"
log_test "A: sessions never exceed the limit" eval '((MAXS <= LA))'
load_stats "$RTR"
log "A: sessions_created ${ST[svc/tcp/$VIP4/80/sessions_created]}, drop_session_limit $(drops), sessions_evicted $(evicted 2>/dev/null)"
ev=$(evicted)
log_test "A: evictions counted in sessions_evicted" eval '((${ev:-0} > 0))'
hlbn "$RTR" service del "${SVC[@]}"
hlbn "$RTR" session flush
log "A: $((SECONDS - PART_T0)) s"

#
# B. Learned sessions are not free.
#
PART_T0=$SECONDS
SVC=(tcp "$VIP4:81")
hlb_batch "$RTR" <<EOF || exit "$ksft_fail"
config set session-limit $LB fill-limit $FB syn-timeout 3s
service add ${SVC[*]} mode stateless transition 300s syn-timeout 3s
server add ${SVC[*]} 10.1.1.2:8080
server add ${SVC[*]} 10.1.2.2:8080
EOF
out=$(burst "$C" tcp "$VIP4" 81 20)
log_test "B: legitimate connections to the stateless service" flows_ok "$?" "$out"
hlbn "$RTR" session flush
flood 81 "R=$((2 * CAP))" >/dev/null
load_stats "$RTR"
log "B: $((2 * CAP)) RSTs: sessions ${ST[cfg/sessions]}, learned ${ST[svc/tcp/$VIP4/81/learned]}"
log_test "B: no session created by an RST" eq "${ST[cfg/sessions]}" 0
flood 81 "A=$((4 * CAP))" >/dev/null
t=${EPOCHREALTIME/./}
n=$(ns_sessions)
log "B: $((4 * CAP)) ACKs: $n sessions, $(nlearned) learned, fill limit $FB% of $LB"
log_test "B: ACKs in moved buckets get learned sessions" eval '((n > 0))'
log_test "B: learned sessions stay within the fill limit ($CAP)" \
	eval '((n <= CAP))'
# Within the SYN timeout and 3 s more from the last ACK (the first
# went a little earlier).
busywait $((6000 - (${EPOCHREALTIME/./} - t) / 1000)) \
	eval '(($(ns_sessions) == 0))'
log "B: $(ns_sessions) sessions left $(((${EPOCHREALTIME/./} - t) / 1000)) ms after the ACKs"
log_test "B: unreplied learned sessions expire after the SYN timeout" \
	eq "$(ns_sessions)" 0
hlbn "$RTR" service del "${SVC[@]}"
hlbn "$RTR" session flush
log "B: $((SECONDS - PART_T0)) s"

#
# C. A full table admits.
#
PART_T0=$SECONDS
UDP=(udp "$VIP4:82")
SVC=(tcp "$VIP4:83")
hlb_batch "$RTR" <<EOF || exit "$ksft_fail"
config set session-limit $LC fill-limit 90 syn-timeout 30s
service add ${UDP[*]} udp-timeout 2s
server add ${UDP[*]} 10.1.1.2:8080
server add ${UDP[*]} 10.1.2.2:8080
service add ${SVC[*]} transition 0 syn-timeout 60s
server add ${SVC[*]} 10.1.1.2:8080
server add ${SVC[*]} 10.1.2.2:8080
EOF
# 1. Expired sessions. No CLI between the fill and the connection: under
# TCG each call costs a good part of a second.
load_stats "$RTR"
drop0=$(drops)
out=$(burst "$C" udp "$VIP4" 82 "$LC" --sport-base 33000)
rc=$?
t=${EPOCHREALTIME/./}
log_test "C1: $LC UDP flows fill the table" flows_ok "$rc" "$out"
left=$((t / 1000 + 2500 - ${EPOCHREALTIME/./} / 1000))
((left <= 0)) || sleep "$(printf '%d.%03d' $((left / 1000)) $((left % 1000)))"
out=$(burst "$C" tcp "$VIP4" 83 1 --timeout 5)
frc=$?
load_stats "$RTR"
log "C1: drop_session_limit $drop0 -> $(drops), udp sessions created ${ST[svc/udp/$VIP4/82/sessions_created]}"
log_test "C1: after the UDP timeout a new connection is admitted at once" \
	eval 'flows_ok "$frc" "$out" && eq "$(drops)" "$drop0"'
# 2. Unreplied sessions.
hlbn "$RTR" session flush
flood 83 "S=$((2 * LC))" >/dev/null
load_stats "$RTR"
log_test "C2: spoofed SYNs fill the table" eq "${ST[cfg/sessions]}" "$LC"
# NEW new connections at once: each must find an unreplied session to
# evict, wherever its tuple hashes.
drop0=$(drops) ev0=$(evicted)
out=$(burst "$C" tcp "$VIP4" 83 "$NEW" --timeout 5)
frc=$?
load_stats "$RTR"
ev=$(evicted)
log "C2: drop_session_limit $drop0 -> $(drops), sessions_evicted ${ev0:-none} -> ${ev:-none}"
log_test "C2: with a full table of unreplied SYNs $NEW new connections are admitted at once" \
	eval 'flows_ok "$frc" "$out" && eq "$(drops)" "$drop0"'
log_test "C2: each evicted an unreplied session, counted in sessions_evicted" \
	eval '[[ -n $ev && -n $ev0 ]] && ((ev - ev0 >= NEW))'
log "C: $((SECONDS - PART_T0)) s"

exit "$EXIT_STATUS"
