#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Who may configure hlb: CAP_NET_ADMIN in the user namespace that owns the
# network namespace. An unprivileged user, and root of a user namespace
# that does not own the netns, may only read, and not the sessions
# (clients' addresses, as conntrack's); the owner of its own user+net
# namespace may configure hlb there and list its sessions, and that
# changes nothing outside it.
source "$(dirname "$0")/lib.sh"

hlb_load || exit "$ksft_fail"
require_command unshare setpriv
# The CLI as nobody runs it: the tree may be out of nobody's reach.
hlb_for_users HLB_ANY || skip "cannot install the CLI where nobody can run it"
setup_ns A
hlbn "$A" service add tcp 10.9.0.1:80
before=$(hlbn "$A" save)

as_nobody()
{
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		--bounding-set=-all "$@"
}

log_test_err "an unprivileged user may not configure" 1 \
	"Operation not permitted" \
	ip netns exec "$A" setpriv --reuid=65534 --regid=65534 \
	--clear-groups --inh-caps=-all --bounding-set=-all \
	"$HLB_ANY" service add tcp 10.9.0.2:80
log_test "an unprivileged user may read" \
	eval 'ip netns exec "$A" setpriv --reuid=65534 --regid=65534 \
		--clear-groups --inh-caps=-all "$HLB_ANY" service show |
		grep -q 10.9.0.1:80'
log_test_err "an unprivileged user may not list the sessions" 1 \
	"Operation not permitted" \
	ip netns exec "$A" setpriv --reuid=65534 --regid=65534 \
	--clear-groups --inh-caps=-all "$HLB_ANY" session show

# Root of a new user namespace is not root of the namespaces it did not
# create: unshare -U keeps the netns, owned by the initial user namespace.
log_test_err "root of another user namespace may not configure" 1 \
	"Operation not permitted" \
	ip netns exec "$A" unshare -Ur "$HLB" service add tcp 10.9.0.3:80
log_test_err "root of another user namespace may not list the sessions" 1 \
	"Operation not permitted" \
	ip netns exec "$A" unshare -Ur "$HLB" session show
log_test "nothing changed" eval '[[ $(hlbn "$A" save) == "$before" ]]'

# The owner of its own user and network namespaces configures hlb there.
if ! unshare -Urn true 2>/dev/null; then
	skip "cannot create user namespaces here"
fi
log_test "the owner of a user+net namespace may configure it" \
	unshare -Urn sh -c '"$1" service add tcp 10.9.0.4:80 &&
		"$1" server add tcp 10.9.0.4:80 10.1.0.1:80 &&
		"$1" service show | grep -q 10.9.0.4:80' sh "$HLB"
log_test "an unprivileged user's own user+net namespace too" \
	as_nobody unshare -Urn "$HLB_ANY" service add tcp 10.9.0.5:80

# own_sessions: as root of a user+net namespace of its own, a stateful
# service there and three SYNs sent through a veth pair in it (out of va,
# in at vb: PRE_ROUTING, where each gets a session); then the sessions
# that namespace lists.
own_sessions()
{
	unshare -Urn sh -c '
	ip link add va type veth peer name vb && ip link set va up &&
	ip link set vb up && ip addr add 10.8.0.1/24 dev vb &&
	"$1" service add tcp 10.9.0.6:80 mode stateful &&
	"$1" server add tcp 10.9.0.6:80 10.8.0.2:8080 &&
	"$2" "$3" va vb 10.9.0.6 80 10.200.0.0 3 >/dev/null || exit 1
	for i in 1 2 3 4 5 6 7 8 9 10; do
		out=$("$1" session show) || exit 1
		[ "$(echo "$out" | grep -c 10.9.0.6:80)" = 3 ] && break
		sleep 0.2
	done
	echo "$out"' sh "$HLB" "$PYTHON" "$TESTS_DIR/tools/tenant_flood.py"
}
OWN=$(own_sessions 2>&1)
log "own namespace's sessions: $OWN"
log_test "the owner of a user+net namespace lists its own sessions" \
	eq "$(grep -c "10.9.0.6:80 via 10.8.0.2:8080" <<<"$OWN")" 3
log_test "which changes nothing outside" \
	eval '[[ $(hlbn "$A" save) == "$before" ]] &&
	      ! "$HLB" service show | grep -q "10.9.0.[45]"'
exit "$EXIT_STATUS"
