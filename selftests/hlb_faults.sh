#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Faults under traffic: heavy configuration churn on one service while
# others carry long-lived streams, then the router namespace deleted and
# the module unloaded with traffic flowing and sessions alive. No crash,
# no kernel report (run.sh and the VM runner check the log), nothing left
# behind, and flows to untouched servers never break.
source "$(dirname "$0")/lib.sh"

TMP=$(mktemp -d)
defer rm -rf "$TMP"
# Changes for this long, in batches of 2,000 (the CLI reaches 700 to
# 2,000 a second in the VM, depending on what else the host runs).
CHURN_SECONDS=${HLB_CHURN_SECONDS:-30}

hlb_load || exit "$ksft_fail"
topo_setup 2 3
start_servers 8080
# The churned service's servers (10.1.9.x) do not exist: its traffic is
# dropped or unanswered, which is fine, it only has to keep hlb busy.
ip -n "$RTR" route add 10.1.9.0/24 dev s3
hlbn "$RTR" service add tcp $VIP4:80 mode stateful
hlbn "$RTR" server add tcp $VIP4:80 10.1.1.2:8080
hlbn "$RTR" server add tcp $VIP4:80 10.1.2.2:8080
hlbn "$RTR" service add tcp [$VIP6]:80 mode stateless transition 0
hlbn "$RTR" server add tcp [$VIP6]:80 [fd01:3::2]:8080
hlbn "$RTR" service add udp $VIP4:53 mode stateful table-size 251

streams()
{
	# Not on our stdout: $(streams ...) would wait for it to close.
	ip netns exec "$1" "$PYTHON" "$TESTS_DIR/tools/hybrid_streams.py" \
		"$2" 80 "$3" "$4" --interval 0.2 >"$4.log" 2>&1 &
	echo $!
}
s4=$(streams "${CLI[1]}" $VIP4 10 "$TMP/s4")
s6=$(streams "${CLI[2]}" $VIP6 10 "$TMP/s6")
defer kill "$s4" "$s6"
connected() { grep -qs '"connected": 10' "$1"; }
log_test "20 streams to untouched services" \
	busywait 60000 eval 'connected "$TMP/s4" && connected "$TMP/s6"'

# UDP traffic at the churned service, and churn as fast as the CLI goes.
ip netns exec "${CLI[1]}" "$PYTHON" -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setblocking(False)
end = time.time() + 600
p = 0
while time.time() < end:
    for port in range(20000, 20064):
        try:
            s2 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s2.bind(("", port)); s2.sendto(b"x", ("'$VIP4'", 53)); s2.close()
        except OSError:
            pass
    time.sleep(0.05)
' &
udp=$!
defer kill "$udp"
churn()
{
	local start=$SECONDS seed=1

	while ((SECONDS - start < CHURN_SECONDS)); do
		"$PYTHON" "$TESTS_DIR/tools/churn_gen.py" udp $VIP4:53 \
			2000 $seed >"$TMP/churn" || return 1
		# Each batch starts from no servers: flush them first.
		hlbn "$RTR" service del udp $VIP4:53 &&
		hlbn "$RTR" service add udp $VIP4:53 table-size 251 &&
		hlbn "$RTR" -b "$TMP/churn" || return 1
		seed=$((seed + 1))
	done
	log "$(((seed - 1) * 2002)) changes in $((SECONDS - start)) s"
}
log_test "configuration churn for ${CHURN_SECONDS}s under traffic" churn
log_test "no stream to an untouched service broke" \
	eval 'grep -q "\"broken\": 0" "$TMP/s4" && grep -q "\"broken\": 0" "$TMP/s6"'
log_test "and they still move data" \
	eval 'r=$(grep -o "\"rounds\": [0-9]*" "$TMP/s4" | head -1);
	      sleep 1; [[ $(grep -o "\"rounds\": [0-9]*" "$TMP/s4" | head -1) != "$r" ]]'
log_test "sessions alive before the namespace goes" \
	eval '[[ $(hlbn "$RTR" session show | wc -l) -gt 0 ]]'

# The router namespace dies under traffic, with sessions and churn state.
log_test "delete the router namespace during traffic" ip netns del "$RTR"
kill "$s4" "$s6" "$udp" 2>/dev/null
wait "$s4" "$s6" "$udp" 2>/dev/null

# Again, and this time unload the module while traffic flows.
CLI=() SRV=()
topo_setup 1 2
start_servers 8080
hlbn "$RTR" service add tcp $VIP4:80 mode stateful
hlbn "$RTR" server add tcp $VIP4:80 10.1.1.2:8080
hlbn "$RTR" server add tcp $VIP4:80 10.1.2.2:8080
s4=$(streams "${CLI[1]}" $VIP4 10 "$TMP/t4")
log_test "streams before the unload" busywait 60000 connected "$TMP/t4"
log_test "rmmod with live sessions and traffic" rmmod hlb
log_test "the streams notice, the kernel does not mind" \
	busywait 30000 eval 'grep -q "\"broken\": [1-9]" "$TMP/t4"'
kill "$s4" 2>/dev/null
wait "$s4" 2>/dev/null
log_test "the module loads again" hlb_load
log_test "and starts empty" \
	eval '"$HLB" -j version | grep -q "\"services\":0,\"servers\":0,\"tables\":0,\"sessions\":0"'
exit "$EXIT_STATUS"
