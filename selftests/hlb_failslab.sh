#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Memory shortage on the packet path, made with the kernel's failslab
# fault injection on hlb's session caches alone (cache filter): every
# session allocation fails while it is on.
#  - a new flow of a stateful service is dropped and counted as
#    drop_session_fail, not as drop_session_limit: an operator must tell
#    a starving host from a full table;
#  - flows that already have a session keep working;
#  - a stateless service still balances (it needs no memory per flow);
#  - once allocations work again, new flows get sessions, and no session
#    object is left over (the module-wide object count).
# Needs a kernel with CONFIG_FAILSLAB (the debug kernel of
# `make check-debug` has it; Debian's does not: then SKIP), booted with
# slub_debug=A,hlb_session4,hlb_session6, which marks the session caches
# for failslab (6.1's /sys/kernel/slab/*/failslab is read-only), and
# slab_nomerge so that they are caches of their own.
source "$(dirname "$0")/lib_dp.sh"

FS=/sys/kernel/debug/failslab

require_command jq
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
[[ -d $FS ]] || skip "kernel without CONFIG_FAILSLAB (make check-debug has it)"
hlb_load || exit "$ksft_fail"
for c in hlb_session4 hlb_session6; do
	[[ $(cat "/sys/kernel/slab/$c/failslab" 2>/dev/null) == 1 ]] ||
		skip "$c not marked for failslab (boot with slab_nomerge slub_debug=A,$c)"
done
topo_setup 1 3
start_servers 8080,8081 || exit "$ksft_fail"
C=${CLI[1]}
burst_agent "$C" || exit "$ksft_fail"

# Sessions of UDP flows that must stay put: fixed source ports below the
# ephemeral range, one datagram each way, a long UDP timeout.
for v in "$VIP4" "[$VIP6]"; do
	a4=10.1 a6=fd01
	echo "service add udp $v:80 mode stateful udp-timeout 600"
	echo "service add udp $v:81 mode stateless"
	for j in 1 2 3; do
		if [[ $v == \[* ]]; then a="[$a6:$j::2]"; else a="$a4.$j.2"; fi
		echo "server add udp $v:80 $a:8080"
		echo "server add udp $v:81 $a:8081"
	done
done | hlb_batch "$RTR" || exit "$ksft_fail"

# The module's objects but lookup tables: a server added keeps the table
# it replaced for the transition period, which may end during the test.
objects() { "$HLB" -j version | jq -c '.module_objects | del(.tables)'; }

# failslab ON|OFF: every allocation from hlb's session caches (the
# caches marked for failslab) fails, or none does.
failslab()
{
	if [[ $1 == on ]]; then
		echo Y >"$FS/cache-filter"
		echo 100 >"$FS/probability"
		echo 1 >"$FS/interval"
		echo -1 >"$FS/times"
		echo 0 >"$FS/verbose"
		echo N >"$FS/ignore-gfp-wait"
	else
		echo 0 >"$FS/probability"
	fi
}
defer eval 'echo 0 >"$FS/probability"'

base=$(objects)
for v in "$VIP4" "$VIP6"; do
	out=$(burst "$C" udp "$v" 80 10 --sport-base 2000)
	log_test "udp to $v: 10 flows with sessions" flows_ok "$?" "$out"
done
log_test "20 sessions" eq "$(nsessions "$RTR")" 20

failslab on
load_stats "$RTR"
fail0=${ST[ns/drop_session_fail]} lim0=${ST[ns/drop_session_limit]}
for v in "$VIP4" "$VIP6"; do
	out=$(burst "$C" udp "$v" 80 5 --sport-base 3000 --tries 1 --timeout 2)
	log_test "udp to $v, no memory: no new flow gets through" \
		eq "$(count "$out")" 0
	out=$(burst "$C" udp "$v" 80 10 --sport-base 2000)
	log_test "udp to $v, no memory: flows with sessions still work" \
		flows_ok "$?" "$out"
	out=$(burst "$C" udp "$v" 81 10)
	log_test "udp to $v, no memory: the stateless service still balances" \
		flows_ok "$?" "$out"
done
failslab off
load_stats "$RTR"
log_test "each refused flow counted in drop_session_fail" \
	eq "$((ST[ns/drop_session_fail] - fail0))" 10
log_test "none counted in drop_session_limit" \
	eq "$((ST[ns/drop_session_limit] - lim0))" 0
log_test "no session was made for them" eq "${ST[cfg/sessions]}" 20

for v in "$VIP4" "$VIP6"; do
	out=$(burst "$C" udp "$v" 80 5 --sport-base 3000)
	log_test "udp to $v, memory back: new flows work" flows_ok "$?" "$out"
done
log_test "30 sessions" eq "$(nsessions "$RTR")" 30

hlbn "$RTR" session flush
log_test "after a flush, the module's objects are back to the start" \
	busywait 20000 eval '[[ $(objects) == "$base" ]]'
log "objects: before $base, now $(objects)"
exit "$EXIT_STATUS"
