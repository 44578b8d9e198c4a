#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers of the hybrid mode and flow protection tests (hlb_hybrid.sh,
# hlb_flowprot.sh, hlb_synflood.sh), on top of lib.sh. They drive the
# tools selftests/tools/hybrid_*.py and read the balancer's state as JSON
# with jq.

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Where the tools keep their control and status files.
HYB_TMP=$(mktemp -d /tmp/hlb-hybrid.XXXXXX)
defer rm -rf "$HYB_TMP"

require_command jq

# svc_json PROTO VIP:PORT: the service, as one JSON object.
svc_json()
{
	hlbn "$RTR" -j service show "$1" "$2" |
		jq -c 'if type == "array" then .[0] else . end'
}

# svc_method PROTO VIP:PORT: its current method.
svc_method() { svc_json "$1" "$2" | jq -r .method; }

# svc_stat PROTO VIP:PORT NAME: one of its counters. New flows are
# "counter_15" in CLIs that do not know their name.
svc_stat()
{
	hlbn "$RTR" -j stats show "$1" "$2" |
		jq -r ".service.stats | .$3 // .counter_15 // empty"
}

# ns_sessions: the namespace's live sessions.
ns_sessions() { hlbn "$RTR" -j config show | jq -r .sessions; }

# session_of PROTO VIP:PORT SPORT: the session of the client port SPORT
# (client addresses differ, ports are unique enough here), or nothing.
session_of()
{
	hlbn "$RTR" -j session show "$1" "$2" |
		jq -c ".[] | select(.client_port == $3)"
}

# Monitor: `hlb monitor` in the background, its output in $MON_FILE.
# mon_start subscribes and makes sure the subscription is live before it
# returns, by making a change (the config set) and waiting for its event.
mon_start()
{
	MON_FILE=$HYB_TMP/monitor
	: >"$MON_FILE"
	# Not through hlbn: $! must be the monitor, not a subshell.
	"$HLB" -n "$RTR" monitor >"$MON_FILE" 2>&1 &
	defer kill "$!"
	busywait 20000 mon_live
}

mon_live()
{
	hlbn "$RTR" config set fill-limit "$(hlbn "$RTR" -j config show |
		jq -r .fill_limit)" &&
	[[ -s $MON_FILE ]]
}

# mon_mark: the current end of the monitor output, for the functions
# below that only look at what came after.
mon_mark() { wc -l <"$MON_FILE"; }

# mon_switches MARK PROTO VIP:PORT: the switch events of that service
# since MARK.
mon_switches()
{
	tail -n "+$(($1 + 1))" "$MON_FILE" | grep "^switch service $2 $3 " ||
		true
}

# mon_has MARK PROTO VIP:PORT METHOD REASON: a switch to METHOD for
# REASON since MARK.
mon_has()
{
	mon_switches "$1" "$2" "$3" |
		grep -q " method $4 reason $5\( \|$\)"
}

# mon_count MARK PROTO VIP:PORT: how many switches since MARK.
mon_count()
{
	local n

	n=$(mon_switches "$1" "$2" "$3" | wc -l)
	echo "$n"
}

# Load generators (tools/hybrid_load.py), one per mode, each in the
# background with its control file $HYB_TMP/NAME.ctl and status file
# $HYB_TMP/NAME.st.
#   load_start NAME NS MODE VIP PORT [ARGS]
#   load_set NAME LEVEL
#   load_stat NAME FIELD
load_start()
{
	local name=$1 ns=$2

	shift 2
	echo 0 >"$HYB_TMP/$name.ctl"
	rm -f "$HYB_TMP/$name.st"
	ip netns exec "$ns" "$PYTHON" "$TESTS_DIR/tools/hybrid_load.py" \
		"$1" "$2" "$3" "$HYB_TMP/$name.ctl" "$HYB_TMP/$name.st" \
		"${@:4}" &
	defer kill "$!"
}

load_set() { echo "$2" >"$HYB_TMP/$1.ctl"; }

load_stat() { jq -r ".$2" "$HYB_TMP/$1.st" 2>/dev/null; }

load_ready() { [[ -s $HYB_TMP/$1.st ]]; }

# Long-lived streams (tools/hybrid_streams.py), status in $HYB_TMP/NAME.ss.
#   streams_start NAME NS VIP PORT N [ARGS]: start; STREAMS_PID[NAME]
#   streams_stat NAME FIELD
#   streams_stop NAME: SIGTERM, wait; the tool's exit status
declare -A STREAMS_PID
streams_start()
{
	local name=$1 ns=$2

	shift 2
	rm -f "$HYB_TMP/$name.ss"
	ip netns exec "$ns" "$PYTHON" "$TESTS_DIR/tools/hybrid_streams.py" \
		"$1" "$2" "$3" "$HYB_TMP/$name.ss" "${@:4}" \
		>"$HYB_TMP/$name.out" 2>&1 &
	STREAMS_PID[$name]=$!
	defer kill "$!"
}

streams_stat() { jq -r ".$2" "$HYB_TMP/$1.ss" 2>/dev/null; }

# streams_up NAME N: all N streams connected and each has echoed a chunk.
streams_up()
{
	[[ $(streams_stat "$1" connected) == "$2" ]] &&
		(($(streams_stat "$1" min_rounds) >= 1))
}

# streams_progress NAME MIN: every stream not broken has done more than
# MIN rounds.
streams_progress()
{
	(($(streams_stat "$1" min_rounds) > $2))
}

streams_stop()
{
	local rc

	kill "${STREAMS_PID[$1]}"
	wait "${STREAMS_PID[$1]}"
	rc=$?
	cat "$HYB_TMP/$1.out"
	return "$rc"
}

# must DESC CMD...: a subtest that the rest depend on; if it fails, the
# test ends there, failed.
must()
{
	local before=$NFAIL

	log_test "$@"
	((NFAIL == before)) || exit "$EXIT_STATUS"
}
