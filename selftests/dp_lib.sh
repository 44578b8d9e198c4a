#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the data-path tests (hlb_datapath.sh and friends), on top of
# lib.sh: concurrent flows, counters and sessions read as JSON, and the
# checks that compare them.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# burst NS ARGS...: tools/burst.py (many concurrent flows) in NS.
burst()
{
	local ns=$1

	shift
	ip netns exec "$ns" "$PYTHON" "$TOP/selftests/tools/burst.py" "$@"
}

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
# tests read everything at once and check from ST.
declare -A ST

load_stats()
{
	local ns=$1 k v

	ST=()
	while read -r k v; do
		ST[$k]=$v
	done < <({
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
			.stats | to_entries[] | "\($p)/\(.key) \(.value)")')
	[[ -n ${ST[cfg/sessions]:-} ]]
}

# nsessions NS [PROTO VIP:PORT]: live sessions (of one service).
nsessions() { local ns=$1; shift; jget "$ns" length session show "$@"; }

# count OUTPUT: flows answered in burst.py/flows.py output.
count() { awk '/^[0-9]+ / && $2 != "-" { n++ } END { print n + 0 }' <<<"$1"; }

# failed OUTPUT: flows that failed in burst.py output.
failed() { sed -n 's/^# failed //p' <<<"$1"; }

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

# sessions_match OUTPUT SESSIONS_JSON FAMILY [STATE]: the live sessions
# are exactly one per answered flow of OUTPUT: from the flow's source
# port, to the server that answered it (srvJ is fd01:J::2 or 10.1.J.2),
# in STATE if given; and no other session exists.
sessions_match()
{
	"$PYTHON" - "$@" <<'EOF'
import json
import sys

out, sess, fam = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
state = sys.argv[4] if len(sys.argv) > 4 else None
flows = {}
for line in out.splitlines():
    f = line.split()
    if len(f) == 2 and f[0].isdigit() and f[1] != "-":
        flows[int(f[0])] = f[1]
bad = 0
by_port = {}
for s in sess:
    if s["client_port"] in by_port:
        print(f"# two sessions from port {s['client_port']}")
        bad += 1
    by_port[s["client_port"]] = s
for port, name in flows.items():
    j = name[3:]
    want = f"fd01:{j}::2" if fam == "6" else f"10.1.{j}.2"
    s = by_port.pop(port, None)
    if s is None:
        print(f"# no session for the flow from port {port}")
        bad += 1
    elif s["server_addr"] != want:
        print(f"# flow from {port} answered by {name}, session says "
              f"{s['server_addr']}")
        bad += 1
    elif state and s["state"] != state:
        print(f"# session from {port} is {s['state']}, not {state}")
        bad += 1
for port in by_port:
    print(f"# session from port {port} belongs to no flow")
    bad += 1
if bad:
    print(f"# {bad} mismatches, {len(flows)} flows, {len(sess)} sessions")
sys.exit(1 if bad else 0)
EOF
}

# longconn NS VIP PORT STATUS: tools/longconn.py in NS, in the background;
# sets LONGCONN_PID.
longconn()
{
	ip netns exec "$1" "$PYTHON" "$TOP/selftests/tools/longconn.py" \
		"$2" "$3" "$4" &
	LONGCONN_PID=$!
	on_exit "kill $LONGCONN_PID"
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
