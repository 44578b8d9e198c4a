#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module loads and unloads cleanly, with and without configuration in
# several namespaces, and with sessions dying, and answers on its generic
# netlink family in each. No namespace's configuration pins the module
# (unlike IPVS's services): rmmod removes every namespace's, as
# Documentation/admin-guide.rst says.
source "$(dirname "$0")/lib.sh"

hlb_unload
defer hlb_unload

log_test "module loads" hlb_load
log_test "family answers in the initial namespace" \
	eval '"$HLB" version | grep -q "module 0.1.0"'

setup_ns ns1 ns2
log_test "family answers in a new namespace" \
	eval 'hlbn "$ns1" version | grep -q "module 0.1.0"'
log_test "configure a service in ns1" \
	hlbn "$ns1" service add tcp 10.0.0.1:80
log_test "configure a service in ns2" \
	hlbn "$ns2" service add udp [2001:db8::1]:53
log_test "add a server in ns2" \
	hlbn "$ns2" server add udp [2001:db8::1]:53 [2001:db8:1::1]:53
log_test "configure the initial namespace" \
	"$HLB" service add tcp 192.0.2.1:443

# Unloading with configuration everywhere must free all of it (the VM
# runner fails the run on any leak or warning report).
log_test "module unloads with configuration present" rmmod hlb
log_test_err "family gone after unload" 1 "not loaded" "$HLB" version

for i in 1 2 3; do
	log_test "reload $i" hlb_load
	log_test "config is empty after reload $i" \
		eval '[[ -z $(hlbn "$ns1" service show) ]]'
	hlbn "$ns1" service add tcp 10.0.0.$i:80 >/dev/null
	log_test "unload $i" rmmod hlb
done

# Unloading while sessions die: a session's free (an RCU callback) drops
# its service's last reference, whose free drops its servers', one RCU
# generation each. On the debug kernel (KASAN) a module gone before the
# last of them returned would be caught. (The issue asks for rcu_nocbs=all
# too, callbacks run late in kthreads: the debug kernel has no
# RCU_NOCB_CPU yet.) Each round: a stateful service with two
# servers, one TCP connection through it, and rmmod with its session.
topo_setup 1 2
start_servers 8080 --tcp-only || exit "$ksft_fail"
one_round()
{
	hlb_load &&
	hlbn "$RTR" service add tcp "$VIP4:80" mode stateful &&
	hlbn "$RTR" server add tcp "$VIP4:80" 10.1.1.2:8080 &&
	hlbn "$RTR" server add tcp "$VIP4:80" 10.1.2.2:8080 &&
	flows "${CLI[1]}" tcp "$VIP4" 80 1 >/dev/null &&
	[[ $(hlbn "$RTR" session show) == *"$VIP4:80"* ]] &&
	rmmod hlb
}
for i in 1 2 3 4 5; do
	log_test "unload with a session, round $i" one_round
done

hlb_load
hlbn "$ns2" service add tcp 10.0.0.9:80
log_test "namespace with configuration deleted" ip netns del "$ns2"
log_test "still answers in the other namespace" hlbn "$ns1" version
log_test "final unload" rmmod hlb
exit "$EXIT_STATUS"
