#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The CLI talks to the family in two namespaces, and each namespace has its
# own configuration: what is set in one is invisible in the other.
source "$(dirname "$0")/lib.sh"

hlb_load || exit "$ksft_fail"
setup_ns ns1 ns2

log_test "add a service in ns1 (-n)" \
	hlbn "$ns1" service add tcp 10.0.0.1:80
log_test "add a service in ns2 (ip netns exec)" \
	ip netns exec "$ns2" "$HLB" service add tcp 10.0.0.2:80
log_test "ns1 sees its own service" \
	eval 'hlbn "$ns1" service show | grep -q "10.0.0.1:80"'
log_test "ns1 does not see ns2's service" \
	eval '! hlbn "$ns1" service show | grep -q "10.0.0.2"'
log_test "ns2 does not see ns1's service" \
	eval '! hlbn "$ns2" service show | grep -q "10.0.0.1"'
log_test "the initial namespace sees neither" \
	eval '! "$HLB" service show | grep -q "10.0.0."'
log_test "same VIP may exist in both namespaces" \
	hlbn "$ns2" service add tcp 10.0.0.1:80
log_test "server in ns1" \
	hlbn "$ns1" server add tcp 10.0.0.1:80 10.1.0.1:8080
log_test "same server key allowed in ns2's own mapping" \
	hlbn "$ns2" server add tcp 10.0.0.1:80 10.1.0.1:8080
log_test "deleting in ns1 leaves ns2 alone" \
	eval 'hlbn "$ns1" service del tcp 10.0.0.1:80 &&
	      hlbn "$ns2" server show | grep -q "10.1.0.1:8080"'

# Deleting a namespace frees everything hlb had there: the module-wide
# object counts (allocation to free, which the host's root sees) come
# back to where they were.
# objects [KEY [NETNS]]: "services servers tables sessions" of KEY
# (module_objects, or objects: the namespace's own).
objects()
{
	local -a ns=()

	[[ -z ${2:-} ]] || ns=(-n "$2")
	"$HLB" "${ns[@]}" -j version | "$PYTHON" -c 'import json, sys
o = json.load(sys.stdin)[sys.argv[1]]
print(o["services"], o["servers"], o["tables"], o["sessions"])' \
		"${1:-module_objects}"
}
base=$(objects)
log_test "module-wide object counts" eval '[[ $base =~ ^[0-9]+\ [0-9]+\ [0-9]+\ [0-9]+$ ]]'
topo_setup 1 2
start_servers 8080 --udp-only
hlbn "$RTR" service add udp $VIP4:53 mode stateful
hlbn "$RTR" server add udp $VIP4:53 10.1.1.2:8080
hlbn "$RTR" server add udp $VIP4:53 10.1.2.2:8080 weight 3
hlbn "$RTR" server set udp $VIP4:53 10.1.2.2:8080 weight 2
for i in $(seq 50); do
	hlbn "$RTR" service add tcp 10.50.0.$i:80
	hlbn "$RTR" server add tcp 10.50.0.$i:80 10.51.0.$i:80
done
log_test "sessions through the router" \
	eval 'flows "${CLI[1]}" udp $VIP4 53 20 >/dev/null'
log_test "objects were counted" eval '[[ $(objects) != "$base" ]]'
log "objects before: $base, with the router: $(objects)"
# A namespace's own objects are its own: the router's 51 services, 52
# servers, and its sessions (its tables depend on flow protection's
# transition); none of them in ns2's counts (two services, one server,
# one table) nor in the initial namespace's.
read -r -a own <<<"$(objects objects "$RTR")"
log "the router's own objects: ${own[*]}"
log_test "the router's objects are its own" \
	eval '[[ ${own[0]} == 51 && ${own[1]} == 52 && ${own[3]} -gt 0 ]]'
log_test "ns2's objects are its own" eq "$(objects objects "$ns2")" "2 1 1 0"
log_test "the initial namespace's objects are its own" \
	eq "$(objects objects)" "0 0 0 0"
ip netns del "$RTR"
log_test "deleting the router namespace frees every object" \
	busywait 20000 eval '[[ $(objects) == "$base" ]]'
exit "$EXIT_STATUS"
