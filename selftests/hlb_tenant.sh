#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Another tenant cannot take the pool (issue #15). Any user may own a
# user+net namespace and configure hlb there (hlb_perm.sh); what it may
# take must be bounded:
#  - the module parameter ns_max_sessions (default 65536) caps the
#    session-limit of a namespace owned by a user namespace other than
#    the initial one: as nobody in `unshare -Urn`, a session-limit above
#    it is refused with a message that names it, one up to it is taken,
#    and the default is no larger; a namespace of the initial user
#    namespace is not capped;
#  - a flood that fills such a namespace's table to its limit changes
#    nothing in a namespace of the initial user namespace (P, which
#    stands for the host's): P's session count does not move, P's new
#    flows still get sessions (no drop_session_limit there), and P's
#    hybrid service does not switch: fill-limit decisions use only the
#    namespace's own occupancy. The module is loaded again for this with
#    a max_sessions just above the tenant's limit plus what P needs, so
#    that a tenant that could take the host's pool would be seen doing so;
#  - with cgroup v2 and its memory controller, the tenant's sessions are
#    charged to the memory cgroup of the process that configured its
#    namespace (created in softirq, charged all the same): their slab
#    leaves that cgroup when they are flushed.
#
# The flood: SYNs from distinct spoofed sources, as Ethernet frames sent
# out of one end of a veth pair (tools/tenant_flood.py, an AF_PACKET
# socket, which the root of `unshare -Urn` may open) to the other end in
# the same namespace: they go through PRE_ROUTING there, where hlb gives
# each a session before the translated packet goes nowhere.
source "$(dirname "$0")/lib_dp.sh"

require_command jq unshare setpriv
hlb_load || exit "$ksft_fail"

VIP=10.9.0.1
# The tenant's (U's) session limit and flood; P's limit, fill limit and
# flows before and after the flood. On a slower kernel the flood is
# smaller, but no smaller than 200: the memory check needs the sessions'
# slab (some 88 bytes each, their 64 at least, on Debian's kernel) to
# stand out from the per-CPU caching of charges (a page per CPU either
# way).
LIMIT_U=$((1000 / HLB_SLOW))
((LIMIT_U >= 200)) || LIMIT_U=200
NFLOOD=$((2 * LIMIT_U))
LIMIT_P=200 FILL_P=50 P_BEFORE=10 P_AFTER=40
# max_sessions for part 2: the tenant at its limit and P before the flood
# leave room for half of P's later flows only, and hold more than FILL_P
# percent of it, so that a tenant that takes from the host's pool shows
# up as refused flows and a fill-limit switch in P. A tenant's share of
# max_sessions must leave P's P_BEFORE + P_AFTER.
MAXS=$((LIMIT_U + P_BEFORE + P_AFTER / 2))
PARAM=/sys/module/hlb/parameters/ns_max_sessions

as_nobody()
{
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		--bounding-set=-all "$@"
}
# u_hlb ARGS...: the CLI as nobody, root of a user+net namespace of its own.
u_hlb() { as_nobody unshare -Urn "$HLB_ANY" "$@"; }

must()
{
	local before=$NFAIL

	log_test "$@"
	((NFAIL == before)) || exit "$EXIT_STATUS"
}

hlb_for_users HLB_ANY || skip "cannot install the CLI where nobody can run it"
as_nobody unshare -Urn true 2>/dev/null ||
	skip "nobody cannot create user namespaces here"
setup_ns P

#
# 1. The cap, with the module as loaded.
#
log_test "ns_max_sessions is a module parameter, default 65536" \
	eq "$(cat "$PARAM" 2>/dev/null)" 65536
NSMAX=$(cat "$PARAM" 2>/dev/null) || NSMAX=65536
log "ns_max_sessions $NSMAX"

# refused VALUE: as nobody, session-limit VALUE fails, naming the cap.
refused()
{
	local out rc

	out=$(u_hlb config set session-limit "$1" 2>&1 >/dev/null)
	rc=$?
	((rc != 0)) && grep -qF ns_max_sessions <<<"$out" && return 0
	log "session-limit $1: exit $rc: $out"
	return 1
}
log_test "unprivileged: session-limit ns_max_sessions + 1 refused, naming ns_max_sessions" \
	refused "$((NSMAX + 1))"
log_test "unprivileged: session-limit 16777216 refused, naming ns_max_sessions" \
	refused 16777216

# As nobody, in one namespace (each costs a second or two under TCG):
# the default session-limit, then the limits it may take, as shown.
U1=$(as_nobody unshare -Urn sh -c '"$1" -j config show &&
	"$1" config set session-limit "$2" && "$1" -j config show &&
	"$1" config set session-limit 1000 && "$1" -j config show' \
	sh "$HLB_ANY" "$NSMAX" 2>&1)
mapfile -t LIMS <<<"$(jq -r .session_limit <<<"$U1" 2>/dev/null)"
[[ ${#LIMS[@]} -eq 3 ]] || log "unprivileged: $U1"
log "unprivileged: default session-limit ${LIMS[0]}"
log_test "unprivileged: default session-limit at most ns_max_sessions" \
	eval '[[ ${LIMS[0]} =~ ^[0-9]+$ ]] && ((LIMS[0] <= NSMAX))'
log_test "unprivileged: session-limit ns_max_sessions taken" \
	eq "${LIMS[1]:-}" "$NSMAX"
log_test "unprivileged: session-limit 1000 taken" eq "${LIMS[2]:-}" 1000
log_test "initial user namespace: session-limit above ns_max_sessions taken" \
	hlbn "$P" config set session-limit "$((NSMAX + 1))"

#
# 2. A full tenant next to P, under a small max_sessions.
#
hlb_load_with()
{
	local dep

	hlb_unload || return 1
	[[ -e $HLB_KO ]] || { modprobe hlb "$@"; return; }
	for dep in $(modinfo -F depends "$HLB_KO" | tr , ' '); do
		modprobe "$dep" || return 1
	done
	insmod "$HLB_KO" "$@"
}
# The next test loads the module with its defaults again.
defer hlb_unload
must "module loaded again with max_sessions=$MAXS" \
	hlb_load_with "max_sessions=$MAXS"

# P: a veth pair va-vb, flows sent out of va arrive on vb; the server is on
# vb's subnet, where nothing answers.
p_setup()
{
	ip -n "$P" -b - <<-EOF || return 1
	link add name va type veth peer name vb
	link set va up
	link set vb up
	addr add 10.8.0.1/24 dev vb
	EOF
	hlb_batch "$P" <<-EOF
	config set session-limit $LIMIT_P fill-limit $FILL_P
	service add tcp $VIP:80 mode hybrid transition 0 syn-timeout 600
	server add tcp $VIP:80 10.8.0.2:8080
	EOF
}
must "P: a hybrid service, session-limit $LIMIT_P, fill-limit $FILL_P%" p_setup

# p_flood SRC_BASE COUNT: COUNT new flows in P.
p_flood()
{
	ip netns exec "$P" "$PYTHON" "$TESTS_DIR/tools/tenant_flood.py" \
		va vb "$VIP" 80 "$1" "$2" >/dev/null
}
p_sessions() { hlbn "$P" -j config show | jq -r .sessions; }
# p_counts: P's "SESSIONS/DROP_SESSION_LIMIT" (not load_stats: two CLI
# calls, not four).
p_counts()
{
	echo "$(p_sessions)/$(hlbn "$P" -j stats | jq -r .drop_session_limit)"
}
# p_svc: P's service, "METHOD SWITCHES REASON".
p_svc()
{
	hlbn "$P" -j service show tcp "$VIP:80" |
		jq -r 'if type == "array" then .[0] else . end |
		       "\(.method) \(.switches // 0) \(.last_reason // "none")"'
}
p_switched() { [[ $(p_svc) != "stateful 0 "* ]]; }
p_flood 10.200.0.0 "$P_BEFORE"
must "P: $P_BEFORE sessions before the flood" \
	busywait 10000 eval '[[ $(p_sessions) == "$P_BEFORE" ]]'
log_test "P: the hybrid service is stateful, never switched" \
	eval '! p_switched'

# U runs from its own memory cgroup, when there is one.
CG=
cg_setup()
{
	local root=/sys/fs/cgroup

	if [[ ! -e $root/cgroup.controllers ]]; then
		root=$(mktemp -d) || return 1
		defer rmdir "$root"
		mount -t cgroup2 none "$root" || return 1
		defer umount "$root"
	fi
	grep -qw memory "$root/cgroup.controllers" || return 1
	if ! grep -qw memory "$root/cgroup.subtree_control"; then
		echo +memory >"$root/cgroup.subtree_control" || return 1
		defer eval "echo -memory >$root/cgroup.subtree_control"
	fi
	CG=$root/hlb-tenant-$(rand_suffix)
	mkdir "$CG" || { CG=; return 1; }
	# Once U's last process has gone (it may have been killed).
	defer busywait 2000 rmdir "$CG"
}
cg_slab() { awk '$1 == "slab" { print $2 }' "$CG/memory.stat"; }
cg_setup || log "no cgroup v2 memory controller: session memory not checked"

# U: the tenant, nobody as root of its own user+net namespace, from a
# script in a directory nobody may write to; it stops until told to go
# on before the flood (its tool running: python's start is no part of
# what is measured) and after it, so that its namespace and sessions live
# while this script looks. Its files: u.log (what went wrong), u.sent, u.stats,
# u.config.
UDIR=$(mktemp -d) || exit "$ksft_fail"
defer rm -rf "$UDIR"
cp "$TESTS_DIR/tools/tenant_flood.py" "$UDIR/" &&
	chown 65534:65534 "$UDIR" && chmod 755 "$UDIR" || exit "$ksft_fail"
cat >"$UDIR/tenant.sh" <<'EOF'
hlb=$1 py=$2 dir=$3 vip=$4 limit=$5 n=$6
# Waits without a process a tenth of a second (read -t on a FIFO nobody
# writes): a sleep's fork and exit would move the cgroup's slab by more
# than the memory check's margin.
mkfifo "$dir/tick" && exec 9<>"$dir/tick" || exit 1
wait_for()
{
	local i

	for ((i = 0; i < 6000; i++)); do
		[[ -e $dir/$1 ]] && return 0
		read -rt 0.1 -u 9
	done
	return 1
}
exec 2>>"$dir/u.log"
ip -b - <<EOB || exit 1
link set lo up
link add name va type veth peer name vb
link set va up
link set vb up
addr add 10.8.0.1/24 dev vb
EOB
"$hlb" config set session-limit "$limit" ||
	echo "session-limit $limit refused" >&2
"$hlb" service add tcp "$vip:80" mode stateful syn-timeout 600 &&
	"$hlb" server add tcp "$vip:80" 10.8.0.2:8080 || exit 1
# The flood's tool says when it is ready, then waits for go.
"$py" "$dir/tenant_flood.py" va vb "$vip" 80 10.200.0.0 "$n" \
	"$dir/ready" "$dir/go" >"$dir/u.sent" || exit 1
"$hlb" -j stats >"$dir/u.stats" &&
	"$hlb" -j config show >"$dir/u.config" || exit 1
touch "$dir/flooded"
# Its sessions go when told, for the memory check; then it waits to end.
wait_for flush || exit 1
"$hlb" session flush && touch "$dir/flushed"
wait_for done
EOF
# A subshell that joins the cgroup, then becomes U: U configures hlb
# from there.
(
	[[ -z $CG ]] || echo "$BASHPID" >"$CG/cgroup.procs" || exit 1
	exec setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all \
		unshare -Urn bash "$UDIR/tenant.sh" "$HLB_ANY" "$PYTHON" \
		"$UDIR" "$VIP" "$LIMIT_U" "$NFLOOD"
) &
UPID=$!
# At exit: U stops (told to, or killed) before its cgroup is removed.
u_stop()
{
	touch "$UDIR/done"
	kill "$UPID" 2>/dev/null
	wait "$UPID"
}
defer u_stop
u_failed() { log "tenant: $(cat "$UDIR/u.log")"; exit "$EXIT_STATUS"; }
busywait 30000 eval '[[ -e $UDIR/ready ]] || ! kill -0 "$UPID"'
must "unprivileged: the tenant's namespace is configured" test -e "$UDIR/ready"
[[ -s $UDIR/u.log ]] && log "tenant: $(cat "$UDIR/u.log")"

touch "$UDIR/go"
busywait 60000 eval '[[ -e $UDIR/flooded ]] || ! kill -0 "$UPID"'
[[ -e $UDIR/flooded ]] || { log_test "unprivileged: the flood" false; u_failed; }
T_FLOOD=${EPOCHREALTIME/./}

# What the tenant saw.
U_SENT=$(cat "$UDIR/u.sent")
# (No process substitution: the VM has no /dev/fd.)
read -r U_SESS U_LIMIT <<<"$(jq -r '"\(.sessions) \(.session_limit)"' \
	"$UDIR/u.config")"
read -r U_DROP U_EVICT U_CREATED <<<"$(jq -r '[.drop_session_limit,
	.sessions_evicted // 0, .sessions_created] | map(tostring) | join(" ")' \
	"$UDIR/u.stats")"
log "tenant: $U_SENT SYNs sent, $U_SESS sessions of limit $U_LIMIT," \
	"$U_CREATED created, $U_DROP refused at a limit, $U_EVICT evicted"
log_test "unprivileged: $NFLOOD SYNs sent" eq "$U_SENT" "$NFLOOD"
# Its own limit, or the tenants' share of max_sessions, whichever is
# lower: new flows refused there, or older sessions evicted for them.
log_test "unprivileged: the flood filled the tenant's table to a limit" \
	eval '((U_DROP + U_EVICT > 0 && U_SESS > 0 && U_SESS <= U_LIMIT))'

# P, the tenant still full: its table as it was.
log_test "P: session fill unchanged by the flood (sessions/drop_session_limit)" \
	eq "$(p_counts)" "$P_BEFORE/0"

# P's hybrid worker looks once a second: give it three looks since the
# flood ended.
WAIT=$((3000 - (${EPOCHREALTIME/./} - T_FLOOD) / 1000 / HLB_SLOW))
((WAIT <= 0)) || busywait "$WAIT" p_switched
log "P: service $(p_svc)"
log_test "P: no hybrid switch (fill-limit) with the tenant full" \
	eval '! p_switched'

# P's new flows, the tenant still full: every one gets a session.
p_flood 10.201.0.0 "$P_AFTER"
# (Sessions are made as the packets arrive: the tool has returned.)
PC=$(p_counts)
log "P: sessions/refused $PC, service $(p_svc)"
log_test "P: new flows get sessions with the tenant full" \
	eq "${PC%/*}" "$((P_BEFORE + P_AFTER))"
log_test "P: no flow refused at a session limit" eq "${PC#*/}" 0
log_test "P: still stateful, never switched" eval '! p_switched'

# The tenant's sessions, in its cgroup's slab: 64 bytes each at least go
# when they are flushed. (Measured on the way down, not up: python, its
# socket and its exit would be counted too. memory.stat is flushed every
# 2 s at the latest.)
if [[ -n $CG ]]; then
	SLAB1=$(cg_slab)
	touch "$UDIR/flush"
	busywait 30000 eval '[[ -e $UDIR/flushed ]] || ! kill -0 "$UPID"'
	# One reading decides, and is the one logged: memory.stat moves
	# (per-CPU counts, flushed now and then), so reading it again
	# could see another value.
	cg_freed()
	{
		SLAB2=$(cg_slab)
		((SLAB1 - SLAB2 >= 64 * U_SESS))
	}
	busywait 15000 cg_freed
	freed=$?
	log "tenant's cgroup: slab $SLAB1 bytes with $U_SESS sessions," \
		"$SLAB2 once flushed"
	log_test "unprivileged: the sessions are charged to the configurer's memory cgroup" \
		eval '[[ -e $UDIR/flushed ]] && ((U_SESS > 0 && freed == 0))'
fi
exit "$EXIT_STATUS"
