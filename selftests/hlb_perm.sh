#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Who may configure hlb: CAP_NET_ADMIN in the user namespace that owns the
# network namespace. An unprivileged user, and root of a user namespace
# that does not own the netns, may only read; the owner of its own
# user+net namespace may configure hlb there, and that changes nothing
# outside it.
source "$(dirname "$0")/lib.sh"

hlb_load || exit "$KSFT_FAIL"
require_cmd unshare setpriv
setup_ns A
hlbn "$A" service add tcp 10.9.0.1:80
before=$(hlbn "$A" save)

as_nobody()
{
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		--bounding-set=-all "$@"
}

check_fail "an unprivileged user may not configure" 1 \
	"Operation not permitted" \
	ip netns exec "$A" setpriv --reuid=65534 --regid=65534 \
	--clear-groups --inh-caps=-all --bounding-set=-all \
	"$HLB" service add tcp 10.9.0.2:80
check "an unprivileged user may read" \
	eval 'ip netns exec "$A" setpriv --reuid=65534 --regid=65534 \
		--clear-groups --inh-caps=-all "$HLB" service show |
		grep -q 10.9.0.1:80'

# Root of a new user namespace is not root of the namespaces it did not
# create: unshare -U keeps the netns, owned by the initial user namespace.
check_fail "root of another user namespace may not configure" 1 \
	"Operation not permitted" \
	ip netns exec "$A" unshare -Ur "$HLB" service add tcp 10.9.0.3:80
check "nothing changed" eval '[[ $(hlbn "$A" save) == "$before" ]]'

# The owner of its own user and network namespaces configures hlb there.
if ! unshare -Urn true 2>/dev/null; then
	skip "cannot create user namespaces here"
fi
check "the owner of a user+net namespace may configure it" \
	unshare -Urn sh -c "'$HLB' service add tcp 10.9.0.4:80 &&
		'$HLB' server add tcp 10.9.0.4:80 10.1.0.1:80 &&
		'$HLB' service show | grep -q 10.9.0.4:80"
check "an unprivileged user's own user+net namespace too" \
	as_nobody unshare -Urn sh -c "'$HLB' service add tcp 10.9.0.5:80"
check "which changes nothing outside" \
	eval '[[ $(hlbn "$A" save) == "$before" ]] &&
	      ! "$HLB" service show | grep -q "10.9.0.[45]"'
finish
