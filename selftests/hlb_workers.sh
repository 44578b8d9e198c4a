#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# hlb's two per-namespace workers, the session GC and the hybrid policy,
# cost nothing where there is nothing to do and cannot be made to spin:
#
#  A. A namespace without services runs neither: namespaces created with
#     the module loaded add no wakeups; a service starts both, and once it
#     is deleted they stop.
#  B. A hybrid service pinned stateful above its sessions-high watermark,
#     under a flood of new flows (spoofed SYNs: each one a session), asks
#     for one early policy run when it crosses, not one per new session:
#     the policy worker runs about once a second, as without the flood,
#     and `hlb service set` (which waits for the same lock) is answered.
#
# Runs are counted with the workqueue_execute_start tracepoint in a trace
# instance of the test's own; the windows below only bound the counts.
source "$(dirname "$0")/lib_dp.sh"

FLOOD_NET=10.200.0.0/16
WINDOW=4

require_command jq
TRACEFS=/sys/kernel/tracing
[[ -d $TRACEFS/instances ]] ||
	mount -t tracefs nodev "$TRACEFS" 2>/dev/null ||
	skip "no tracefs"
INST=$TRACEFS/instances/hlb_workers.$$
mkdir "$INST" 2>/dev/null || skip "cannot create a trace instance"
defer rmdir "$INST"
echo 1 >"$INST/events/workqueue/workqueue_execute_start/enable" ||
	skip "no workqueue tracepoints"
defer eval "echo 0 >$INST/events/workqueue/workqueue_execute_start/enable"

# runs SECONDS FUNC...: how many times the FUNCs ran in the next SECONDS.
runs()
{
	local t=$1 re

	shift
	re=$(IFS='|'; echo "$*")
	: >"$INST/trace"
	sleep "$t"
	grep -cE "function ($re) " "$INST/trace"
}

# idle SECONDS: neither worker ran for SECONDS.
idle() { (($(runs "$1" hlb_gc_work hlb_hybrid_work) == 0)); }

# A fresh module: no namespace has hlb configuration.
hlb_unload
hlb_load || exit "$ksft_fail"

#
# A. No services, no wakeups.
#
setup_ns N1 N2 N3 N4 N5 N6 N7 N8
n=$(runs 3 hlb_gc_work hlb_hybrid_work)
log "A: 9 namespaces, no service: $n worker runs in 3 s"
log_test "A: no service anywhere, no worker runs" eq "$n" 0
hlbn "$N1" service add tcp 10.9.0.1:80 mode hybrid
gc=$(runs 3 hlb_gc_work)
hy=$(runs 3 hlb_hybrid_work)
log "A: one service: GC $gc, policy $hy runs in 3 s each"
log_test "A: a service starts the GC" eval '((gc >= 1))'
log_test "A: and the policy worker" eval '((hy >= 1))'
hlbn "$N1" service del tcp 10.9.0.1:80
log_test "A: deleted, both stop" busywait 10000 idle 2
hlbn "$N1" service add tcp 10.9.0.1:80
log_test "A: and start again with the next" \
	eval '(($(runs 3 hlb_gc_work) >= 1 && $(runs 3 hlb_hybrid_work) >= 1))'
hlbn "$N1" service flush
log_test "A: a flush stops them too" busywait 10000 idle 2

#
# B. A pinned service over its watermark, flooded.
#
topo_setup 1 2
SVC=(tcp "$VIP4:80")
ip -n "$RTR" route add "$FLOOD_NET" via 10.0.1.2
for c in all default c1; do
	ip netns exec "$RTR" sysctl -qw "net.ipv4.conf.$c.rp_filter=0"
done
# Sessions outlive the test whatever the servers answer: the count stays
# over the watermark once it is crossed.
hlb_batch "$RTR" <<EOF || exit "$ksft_fail"
service add ${SVC[*]} mode hybrid transition 0 sessions-high 100 \
	sessions-low 50 newflow-high 0 newflow-low 0 pps-high 0 pps-low 0 \
	pin stateful syn-timeout 120s close-timeout 120s
server add ${SVC[*]} 10.1.1.2:8080
server add ${SVC[*]} 10.1.2.2:8080
EOF
created() { jget "$RTR" .service.stats.sessions_created stats show "${SVC[@]}"; }
ip netns exec "${CLI[1]}" "$PYTHON" "$TESTS_DIR/tools/tcp_flood.py" \
	"$VIP4" 80 "$FLOOD_NET" 2000 S=1000000 >/dev/null &
FLOOD=$!
defer kill "$FLOOD"
must_sessions() { (($(jget "$RTR" .sessions config show) >= 100)); }
if ! busywait 30000 must_sessions; then
	log_test "B: the flood crossed the watermark" false
	exit "$EXIT_STATUS"
fi
c0=$(created)
hy=$(runs "$WINDOW" hlb_hybrid_work)
c1=$(created)
log "B: $((c1 - c0)) new sessions, $hy policy runs in $WINDOW s"
log_test "B: the flood made sessions meanwhile" eval '((c1 - c0 >= 100))'
# One a second, one early run for the crossing (it may fall in the
# window), one for the window's rounding.
log_test "B: the policy worker ran about once a second" \
	eval "((hy <= WINDOW + 2))"
log_test "B: service set is answered during the flood" \
	timeout 20 "$HLB" -n "$RTR" service set "${SVC[@]}" dwell 1s
method_is()
{
	[[ $(jget "$RTR" '(if type == "array" then .[0] else . end).method' \
		service show "${SVC[@]}") == "$1" ]]
}
log_test "B: still pinned stateful" method_is stateful
# Unpinned, the policy acts on what it measures: over the watermark.
hlbn "$RTR" service set "${SVC[@]}" pin none
log_test "B: unpinned, over the watermark, stateless" \
	busywait 10000 method_is stateless
exit "$EXIT_STATUS"
