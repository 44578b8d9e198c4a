#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the data-path tests (hlb_datapath.sh and friends), on top of
# lib.sh: concurrent flows, counters and sessions read as JSON, and the
# checks that compare them.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# burst_agent NS: a tools/burst.py agent in NS, fed through two FIFOs, so
# that every later `burst NS ...` costs no process at all (Python takes
# seconds to start under TCG). Call it in the test's own shell, not in a
# subshell: it sets BURST_IN/BURST_OUT[NS] to file descriptors.
declare -A BURST_IN BURST_OUT

burst_agent()
{
	local ns=$1 dir in out

	dir=$(mktemp -d)
	defer rm -rf "$dir"
	mkfifo "$dir/in" "$dir/out" || return 1
	# Read-write opens: neither side blocks waiting for the other.
	exec {in}<>"$dir/in" {out}<>"$dir/out"
	ip netns exec "$ns" "$PYTHON" "$TESTS_DIR/tools/burst.py" \
		--agent "$dir/in" "$dir/out" &
	defer kill "$!"
	BURST_IN[$ns]=$in
	BURST_OUT[$ns]=$out
}

# burst NS ARGS...: tools/burst.py (many concurrent flows) in NS, through
# NS's agent if it has one; same output and status either way.
burst()
{
	local ns=$1 line rc=2

	shift
	if [[ -z ${BURST_IN[$ns]:-} ]]; then
		ip netns exec "$ns" "$PYTHON" "$TESTS_DIR/tools/burst.py" "$@"
		return
	fi
	printf '%q ' "$@" >&"${BURST_IN[$ns]}"
	printf '\n' >&"${BURST_IN[$ns]}"
	while IFS= read -r -t 300 line <&"${BURST_OUT[$ns]}"; do
		if [[ $line == "## rc "* ]]; then
			rc=${line#"## rc "}
			break
		fi
		printf '%s\n' "$line"
	done
	return "$rc"
}

# hlb_batch NS: the CLI in NS running the commands on stdin, one per line
# (hlb -b -): a whole configuration for the cost of one process.
hlb_batch() { hlbn "$1" -b -; }

# jget NS FILTER ARGS...: `hlb -j ARGS` in NS through jq FILTER.
jget()
{
	local ns=$1 filter=$2

	shift 2
	hlbn "$ns" -j "$@" | jq -r "$filter"
}

# load_stats NS: every counter of NS, its services and servers, and its
# session count, into the associative array ST, keyed
#   ns/FIELD                    namespace counters
#   cfg/sessions                live sessions (config show)
#   svc/PROTO/VIP/PORT/FIELD    service counters (VIP without brackets)
#   srv/PROTO/ADDR/PORT/FIELD   server counters
# Four CLI calls and one jq: under TCG each process costs 0.1-0.5 s, so
# tests read everything at once and check from ST. (No process
# substitution: the VM has no /dev/fd.)
declare -A ST

load_stats()
{
	local ns=$1 k v

	ST=()
	while read -r k v; do
		ST[$k]=$v
	done <<<"$({
		hlbn "$ns" -j stats
		hlbn "$ns" -j config show
		hlbn "$ns" -j service show
		hlbn "$ns" -j server show
	} | jq -rs '
		(.[0] | to_entries[] | "ns/\(.key) \(.value)"),
		"cfg/sessions \(.[1].sessions)",
		(.[2][] | "svc/\(.proto)/\(.vip)/\(.port)" as $p |
			.stats | to_entries[] | "\($p)/\(.key) \(.value)"),
		(.[3][] | "srv/\(.service.proto)/\(.addr)/\(.port)" as $p |
			.stats | to_entries[] | "\($p)/\(.key) \(.value)")')"
	[[ -n ${ST[cfg/sessions]:-} ]]
}

# nsessions NS [PROTO VIP:PORT]: live sessions (of one service).
nsessions() { local ns=$1; shift; jget "$ns" length session show "$@"; }

# differ OUT1 OUT2: flows (source ports) of burst output OUT2 that OUT1
# sent to another server.
differ()
{
	FIRST=$1 awk 'BEGIN {
		n = split(ENVIRON["FIRST"], l, "\n")
		for (i = 1; i <= n; i++)
			if (l[i] ~ /^[0-9]+ /) {
				split(l[i], f)
				s[f[1]] = f[2]
			}
	}
	/^[0-9]+ / && s[$1] != $2 { d++ }
	END { print d + 0 }' <<<"$2"
}

# count OUTPUT: flows answered in burst.py/flows.py output.
count() { awk '/^[0-9]+ / && $2 != "-" { n++ } END { print n + 0 }' <<<"$1"; }

# failed OUTPUT: flows that failed in burst.py output.
failed() { sed -n 's/^# failed //p' <<<"$1"; }

# flows_ok STATUS OUTPUT: burst.py exited STATUS with OUTPUT: every flow
# answered; says why the first few failed if not.
flows_ok()
{
	grep '^# flow' <<<"$2" | head -5
	[[ $1 == 0 && $(failed "$2") == 0 ]]
}

# served OUTPUT NAME: flows that server NAME answered.
served() { awk -v s="$2" '/^[0-9]+ / && $2 == s { n++ } END { print n + 0 }' <<<"$1"; }

# server_of OUTPUT SPORT: the server that answered the flow from SPORT.
server_of() { awk -v p="$2" '$1 == p { print $2 }' <<<"$1"; }

# srv_addr J FAMILY: server J's address (4 or 6).
srv_addr()
{
	if [[ $2 == 6 ]]; then echo "fd01:$1::2"; else echo "10.1.$1.2"; fi
}

# weights_ok OUTPUT W1 W2...: the flows of OUTPUT (servers srv1, srv2...)
# are spread in proportion to the weights. Flows pick servers
# independently, so server j's count is binomial(n, p_j), p_j = w_j / sum
# w; it must be within 4.5 standard deviations of n * p_j. A false alarm
# has odds of about 7e-6 per server; with n = 300 and weights 1:2:3, an
# even spread (100 each) is 50 from the expected count of srv1 and srv3,
# where the tolerance is 29 and 39.
weights_ok()
{
	local out=$1

	shift
	awk -v w="$*" -v k=4.5 '
	/^[0-9]+ / && $2 != "-" { n++; c[$2]++ }
	END {
		nw = split(w, W, " ")
		for (i = 1; i <= nw; i++)
			tot += W[i]
		ok = n > 0
		for (i = 1; i <= nw; i++) {
			p = W[i] / tot
			e = n * p
			d = k * sqrt(n * p * (1 - p))
			got = c["srv" i] + 0
			bad = got < e - d || got > e + d
			printf "# srv%d weight %d: %d of %d flows, expected %.1f +- %.1f%s\n",
				i, W[i], got, n, e, d, bad ? "  <-- out of range" : ""
			if (bad)
				ok = 0
		}
		exit !ok
	}' <<<"$out"
}

# sessions_match OUTPUT SESSIONS_JSON FAMILY PROTO [STATE]: the live
# sessions of PROTO and FAMILY (4 or 6) in SESSIONS_JSON (`hlb -j session
# show`) are exactly one per answered flow of OUTPUT: from the flow's
# source port, to the server that answered it (srvJ is 10.1.J.2 or
# fd01:J::2), in STATE if given (an extended regexp: "a|b"); and there is
# no other.
sessions_match()
{
	local out=$1 sess=$2 fam=$3 proto=$4 state=${5:-} family=inet

	[[ $fam == 6 ]] && family=inet6
	{
		jq -r --arg f "$family" --arg p "$proto" '.[] |
			select(.family == $f and .proto == $p) |
			"S \(.client_port) \(.server_addr) \(.state)"' <<<"$sess"
		awk '/^[0-9]+ / && $2 != "-" { print "F", $1, $2 }' <<<"$out"
	} | awk -v fam="$fam" -v state="$state" '
	$1 == "S" {
		if ($2 in s) {
			print "# two sessions from port " $2
			bad++
		}
		s[$2] = $3
		st[$2] = $4
		next
	}
	$1 == "F" { f[$2] = $3; n++ }
	END {
		for (p in f) {
			j = substr(f[p], 4)
			want = fam == 6 ? "fd01:" j "::2" : "10.1." j ".2"
			if (!(p in s)) {
				print "# no session for the flow from port " p
				bad++
			} else if (s[p] != want) {
				print "# flow from " p " answered by " f[p] \
				      ", its session says " s[p]
				bad++
			} else if (state != "" && st[p] !~ "^(" state ")$") {
				print "# session from " p " is " st[p] ", not " state
				bad++
			}
			delete s[p]
		}
		for (p in s) {
			print "# session from port " p " belongs to no flow"
			bad++
		}
		if (!n)
			print "# no flow to match"
		exit bad > 0 || !n
	}'
}

# longconn NS VIP PORT STATUS: tools/longconn.py in NS, in the background;
# sets LONGCONN_PID.
longconn()
{
	ip netns exec "$1" "$PYTHON" "$TESTS_DIR/tools/longconn.py" \
		"$2" "$3" "$4" &
	LONGCONN_PID=$!
	defer kill "$LONGCONN_PID"
}

# lc_get STATUS KEY: a field of a longconn status file.
lc_get() { sed -n "s/^$2 //p" "$1" 2>/dev/null; }

# lc_rounds_ge STATUS N: the connection has made N round trips, no error.
lc_rounds_ge()
{
	[[ -z $(lc_get "$1" error) ]] || return 1
	(($(lc_get "$1" rounds) + 0 >= $2))
}

# lc_errored STATUS: the connection failed.
lc_errored() { [[ -n $(lc_get "$1" error) ]]; }

# load_snmp NS TAG: the IP-layer counters of NS (/proc/net/snmp, netstat
# and snmp6) into the associative array SN, keyed TAG.NAME with NAME as
# nstat has it: rtr.IpReasmOKs, srv.Ip6FragCreates, UdpInErrors...
# snmp_mark saves SN in SN0; snmp_delta TAG.NAME is the growth since.
declare -A SN SN0

load_snmp()
{
	local tag=$2 k v

	while read -r k v; do
		SN[$tag.$k]=$v
	done <<<"$(ip netns exec "$1" cat /proc/net/snmp /proc/net/netstat \
		/proc/net/snmp6 | awk '
		/^[A-Za-z]+: / {
			p = substr($1, 1, length($1) - 1)
			if (!(p in hdr)) {
				hdr[p] = $0
				next
			}
			n = split(hdr[p], h)
			for (i = 2; i <= n; i++)
				print p h[i], $i
			delete hdr[p]
			next
		}
		NF == 2 { print $1, $2 }')"
	[[ -n ${SN[$tag.IpInReceives]:-} ]]
}

snmp_mark()
{
	local k

	SN0=()
	for k in "${!SN[@]}"; do
		SN0[$k]=${SN[$k]}
	done
}

snmp_delta() { echo $((${SN[$1]:-0} - ${SN0[$1]:-0})); }
