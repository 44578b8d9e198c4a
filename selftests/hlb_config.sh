#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The control plane through the CLI: a varied IPv4/IPv6 configuration
# applied with `hlb -b` reads back exactly; `hlb save | hlb -b -` into a
# fresh namespace reproduces it; refused changes print the kernel's
# message and change nothing; unprivileged callers may only read; every
# change is announced to `hlb monitor`.
source "$(dirname "$0")/lib.sh"

GEN="$PYTHON $TESTS_DIR/tools/config_gen.py"
SEED=20261126
TMP=$(mktemp -d)
defer rm -rf "$TMP"

hlb_load || exit "$ksft_fail"
setup_ns A B C

# A service dump without what is not configuration (ids, counters).
STRIP='import json, sys
out = []
for s in json.load(sys.stdin):
    for k in ("id", "stats", "method", "switches", "last_switch",
              "last_reason"):
        s.pop(k, None)
    out.append(json.dumps(s, sort_keys=True))
print("\n".join(sorted(out)))'

# Everything `hlb save` prints.
snapshot()
{
	hlbn "$1" save
}

$GEN batch "$SEED" >"$TMP/batch"
log_test "apply a $(wc -l <"$TMP/batch")-line configuration with -b" \
	hlbn "$A" -b "$TMP/batch"
hlbn "$A" -j service show >"$TMP/svc.json"
hlbn "$A" -j server show >"$TMP/srv.json"
log_test "read back (-j) exactly as configured" \
	$GEN check "$SEED" "$TMP/svc.json" "$TMP/srv.json"

hlbn "$A" config set session-limit 12345 fill-limit 75 syn-timeout 7 \
	udp-timeout 2m
# Two services for the refusals below.
hlbn "$A" service add tcp 10.99.0.1:80 mode hybrid pps-high 100 pps-low 50
hlbn "$A" server add tcp 10.99.0.1:80 10.98.0.1:80
hlbn "$A" service add tcp 10.99.0.2:80
snapshot "$A" >"$TMP/save.A"
log_test "save | -b - into a fresh namespace" \
	eval 'hlbn "$A" save | hlbn "$B" -b -'
snapshot "$B" >"$TMP/save.B"
log_test "the copy saves identically" cmp -s "$TMP/save.A" "$TMP/save.B"
hlbn "$B" -j service show >"$TMP/svc.B.json"
hlbn "$B" -j server show >"$TMP/srv.B.json"
log_test "the copy's services and servers are the original's" \
	eval 'hlbn "$B" -j service show | $PYTHON -c "$STRIP" >"$TMP/b" &&
	      hlbn "$A" -j service show | $PYTHON -c "$STRIP" >"$TMP/a" &&
	      cmp -s "$TMP/a" "$TMP/b"' 
log_test "namespace settings copied" \
	eval 'hlbn "$B" config show | grep -q "session-limit 12345 fill-limit 75 syn-timeout 7s .* udp-timeout 120s"'

# Refusals: exit 1, the kernel's message, nothing changed.
refused()
{
	local desc=$1 msg=$2

	shift 2
	log_test_err "$desc" 1 "Error: $msg" hlbn "$A" "$@"
}
refused "non-prime table" "HLB_SVC_A_TABLE_SIZE: not a prime number" \
	service add tcp 10.9.9.9:80 table-size 1000
refused "duplicate service" "HLB_A_SERVICE: service exists" \
	service add tcp 10.99.0.1:80
refused "server for a missing service" "HLB_A_SERVICE: no such service" \
	server add tcp 10.9.9.9:80 10.1.1.1:80
refused "ambiguous reverse mapping" \
	"HLB_SRV_A_ADDR: address and port already serve another service" \
	server add tcp 10.99.0.2:80 10.98.0.1:80
refused "low watermark above high" \
	"HLB_HYB_A_PACKET_LOW: above HLB_HYB_A_PACKET_HIGH" \
	service set tcp 10.99.0.1:80 pps-low 200
refused "multicast VIP" "HLB_SVC_A_ADDR: not a unicast address" \
	service add udp 224.0.0.5:80
refused "delete a missing server" \
	"HLB_A_SERVER: no such server in this service" \
	server del tcp 10.99.0.1:80 10.98.0.1:81
refused "set a missing service" "HLB_A_SERVICE: no such service" \
	service set udp 10.99.0.1:80 mode stateless
# Over 30 days, whatever the kernel's HZ (HLB_TIMEOUT_MAX, kmod/config.h).
refused "namespace timeout over 30 days" \
	"HLB_TO_A_TCP_EST: over the longest timeout" \
	config set est-timeout 2592001
refused "service timeout over 30 days" \
	"HLB_TO_A_UDP: over the longest timeout" \
	service set tcp 10.99.0.1:80 udp-timeout 2592001
# What the CLI can tell by itself is a usage error (exit 2).
log_test_err "oversized table is a usage error" 2 "table-size" \
	hlbn "$A" service add tcp 10.9.9.9:80 table-size 2000003
log_test_err "server of another family is a usage error" 2 "same family" \
	hlbn "$A" server add tcp 10.99.0.1:80 [2001:db8::7]:80
snapshot "$A" >"$TMP/save.A2"
log_test "refusals changed nothing" cmp -s "$TMP/save.A" "$TMP/save.A2"
log_test_err "usage error exits 2" 2 "" hlbn "$A" service add tcp 10.9.9.9
log_test "isolation: a third namespace sees nothing" \
	eval '[[ -z $(hlbn "$C" service show) ]]'

# The longest timeout: 2^31 - 1 jiffies fit in a session's expiry stamp,
# 2147483 s at HZ=1000 (the highest HZ of x86 and arm64), so that many
# seconds are accepted on every kernel; 30 days only where HZ <= 828.
log_test "a 24.8-day timeout is accepted" \
	eval 'hlbn "$C" config set est-timeout 2147483 &&
	      hlbn "$C" config show | grep -q "est-timeout 2147483s"'
hz=$(sed -n 's/^CONFIG_HZ=//p' "/boot/config-$(uname -r)" 2>/dev/null)
if [[ -n $hz ]] && ((2592000 * hz <= 2147483647)); then
	log_test "a 30-day timeout is accepted at HZ=$hz" \
		eval 'hlbn "$C" config set est-timeout 720h &&
		      hlbn "$C" config show | grep -q "est-timeout 2592000s"'
elif [[ -n $hz ]]; then
	log_test_err "a 30-day timeout is refused at HZ=$hz" 1 \
		"HLB_TO_A_TCP_EST: over the longest timeout" \
		hlbn "$C" config set est-timeout 720h
fi
hlbn "$C" config set est-timeout 900

# Unprivileged: reading works, every change is refused. Nobody runs a
# copy of the CLI: the tree may be out of its reach.
nobody()
{
	ip netns exec "$A" setpriv --reuid=65534 --regid=65534 \
		--clear-groups --inh-caps=-all --bounding-set=-all "$HLB_ANY" "$@"
}
if command -v setpriv >/dev/null && hlb_for_users HLB_ANY; then
	log_test "unprivileged may read" eval 'nobody service show >/dev/null'
	log_test_err "unprivileged may not add" 1 "Operation not permitted" \
		nobody service add tcp 10.9.9.9:80
	log_test_err "unprivileged may not delete" 1 "Operation not permitted" \
		nobody service del tcp 10.99.0.1:80
	log_test_err "unprivileged may not reset stats" 1 \
		"Operation not permitted" nobody stats reset
	log_test_err "unprivileged may not change the namespace" 1 \
		"Operation not permitted" nobody config set session-limit 1
	snapshot "$A" >"$TMP/save.A3"
	log_test "unprivileged changed nothing" \
		cmp -s "$TMP/save.A" "$TMP/save.A3"
fi

# Events: one per change, in order.
# Not through hlbn: $! must be the monitor itself, not a subshell that
# a kill would leave it running behind.
"$HLB" -n "$B" monitor >"$TMP/events" 2>&1 &
mon=$!
defer kill "$mon"
busywait 10000 eval 'hlbn "$B" service add tcp 10.9.8.1:80 && true' >/dev/null
busywait 10000 grep -q "new service tcp 10.9.8.1:80" "$TMP/events"
: >"$TMP/events"
hlbn "$B" service set tcp 10.9.8.1:80 mode stateless
hlbn "$B" server add tcp 10.9.8.1:80 10.8.0.1:80
hlbn "$B" server set tcp 10.9.8.1:80 10.8.0.1:80 weight 0
hlbn "$B" server del tcp 10.9.8.1:80 10.8.0.1:80
hlbn "$B" config set session-limit 99
hlbn "$B" stats reset
hlbn "$B" session flush
hlbn "$B" service del tcp 10.9.8.1:80
hlbn "$B" service flush
log_test "monitor saw all 9 changes" busywait 10000 eval '[[ $(wc -l <"$TMP/events") -ge 9 ]]'
log_test "events in order" eval 'cut -d" " -f1-2 "$TMP/events" | tr "\n" , |
	grep -q "^set service,new server,set server,del server,set config,reset stats,flush sessions,del service,flush,"' ||
	log "$(cat "$TMP/events")"
exit "$EXIT_STATUS"
