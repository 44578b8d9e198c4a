#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module loads and unloads cleanly, with and without configuration in
# several namespaces, and answers on its generic netlink family in each.
source "$(dirname "$0")/lib.sh"

hlb_unload
on_exit hlb_unload

check "module loads" hlb_load
check "family answers in the initial namespace" \
	eval '"$HLB" version | grep -q "module 0.1.0"'

setup_ns ns1 ns2
check "family answers in a new namespace" \
	eval 'hlbn "$ns1" version | grep -q "module 0.1.0"'
check "configure a service in ns1" \
	hlbn "$ns1" service add tcp 10.0.0.1:80
check "configure a service in ns2" \
	hlbn "$ns2" service add udp [2001:db8::1]:53
check "add a server in ns2" \
	hlbn "$ns2" server add udp [2001:db8::1]:53 [2001:db8:1::1]:53
check "configure the initial namespace" \
	"$HLB" service add tcp 192.0.2.1:443

# Unloading with configuration everywhere must free all of it (the VM
# runner fails the run on any leak or warning report).
check "module unloads with configuration present" rmmod hlb
check_fail "family gone after unload" 1 "not loaded" "$HLB" version

for i in 1 2 3; do
	check "reload $i" hlb_load
	check "config is empty after reload $i" \
		eval '[[ -z $(hlbn "$ns1" service show) ]]'
	hlbn "$ns1" service add tcp 10.0.0.$i:80 >/dev/null
	check "unload $i" rmmod hlb
done

hlb_load
hlbn "$ns2" service add tcp 10.0.0.9:80
check "namespace with configuration deleted" ip netns del "$ns2"
check "still answers in the other namespace" hlbn "$ns1" version
check "final unload" rmmod hlb
finish
