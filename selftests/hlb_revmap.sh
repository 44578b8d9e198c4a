#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What a stateless reverse mapping implies (Documentation/admin-guide.rst,
# "Servers' service ports"): every packet from a server's service port is
# translated to the VIP at POST_ROUTING, whatever flow it belongs to. A
# client that connects through the router to a server's own address and
# service port gets its SYN-ACK from the VIP, not from the address it
# called, and the connection fails; another port of the same server
# answers. This test pins that behaviour down, so that a change to it is
# a decision, made in the admin guide too.
source "$(dirname "$0")/lib_dp.sh"

hlb_load || exit "$ksft_fail"
topo_setup 1 1
C=${CLI[1]}
start_servers 8080,9090 --tcp-only || exit "$ksft_fail"
busywait 10000 listening "${SRV[1]}" 9090 || exit "$ksft_fail"
{
	echo "service add tcp $VIP4:80 mode stateless"
	echo "server add tcp $VIP4:80 10.1.1.2:8080"
	echo "service add tcp [$VIP6]:80 mode stateless"
	echo "server add tcp [$VIP6]:80 [fd01:1::2]:8080"
} | hlb_batch "$RTR" || exit "$ksft_fail"

# connects ADDR PORT: a TCP connection from the client opens in 3 s.
connects()
{
	ip netns exec "$C" timeout 3 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}
refused() { ! connects "$@"; }

for a in 10.1.1.2 fd01:1::2; do
	log_test "$a:9090 (no service port) answers through the router" \
		connects "$a" 9090
	log_test "$a:8080 (a service port) does not: its SYN-ACK comes from the VIP" \
		refused "$a" 8080
done

exit "$EXIT_STATUS"
