#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: hlb balancing real HTTP traffic, narrated, in a few minutes.
# Runs as root inside the VM (tools/vm/run -- demo/demo.sh):
#
#   client1..3 --- router (hlb, VIP 10.9.0.1:80) --- srv1..srv4 (HTTP :8080)
#
# Each step says what should happen, shows the commands it runs, and
# checks that it happened. Exits 0 only if every step behaved as narrated.
#
# HLB_DEMO_BREAK=1 kills one server's HTTP process in the middle of the
# downloads of step 4, to show that the demo then fails loudly.

# shellcheck disable=SC2317 # functions that busywait calls
source "$(dirname "$0")/../selftests/lib.sh"

PORT=8080
VIP=$VIP4
SVC=(tcp "$VIP:80")
FILE_MIB=4			# the download, paced by the server ...
RATE=$((200 * 1024))		# ... to 200 KiB/s: about 20 s
NDL=10
BREAK=${HLB_DEMO_BREAK:-0}
DEMO=$TOP/demo
WORK=$(mktemp -d /tmp/hlb-demo.XXXXXX)
defer rm -rf "$WORK"
MONLOG=$WORK/monitor.log
T0=$SECONDS
declare -a STEP_NAME STEP_OK
declare -A WEIGHT HTTPD

# --- narration ----------------------------------------------------------

step()
{
	STEP_NAME+=("$1")
	STEP_OK+=(1)
	printf '\n[%d] %s\n' "${#STEP_NAME[@]}" "$1"
}

say() { echo "    $*"; }

# ok TEXT / bad TEXT: the verdict on one thing the current step claims.
ok() { echo "    ok: $*"; }
bad()
{
	echo "    FAIL: $*"
	STEP_OK[${#STEP_OK[@]} - 1]=0
}

# verdict STATUS TEXT: ok TEXT if STATUS is 0, else FAIL TEXT.
verdict()
{
	local rc=$1

	shift
	if ((rc == 0)); then ok "$*"; else bad "$*"; fi
}

# router ARGS...: hlb ARGS on the router, the command shown first; after
# a change, its event from the monitor (shown in the background) too.
router()
{
	local mark rc

	mark=$(mon_mark)
	echo "  router# hlb $*"
	hlbn "$RTR" "$@" 2>&1 | sed 's/^/    /'
	rc=${PIPESTATUS[0]}
	if [[ $rc == 0 && $2 =~ ^(add|set|del)$ ]]; then
		busywait 2000 mon_after "$mark"
		sleep 0.3
	fi
	return "$rc"
}

# on HOST CMD...: CMD on HOST (client1..3, srv1..4).
on()
{
	local h=$1

	shift
	case $h in
	client*) ip netns exec "${CLI[${h#client}]}" "$@" ;;
	srv*) ip netns exec "${SRV[${h#srv}]}" "$@" ;;
	esac
}

# requests CLIENT ARGS...: demo/client.py on CLIENT.
requests() { local c=$1; shift; on "$c" "$PYTHON" "$DEMO/client.py" "$VIP" "$@"; }

# count NAME LINE: NAME's count in a "srv1=N srv2=N failed=N" line.
count()
{
	local re="(^| )$1=([0-9]+)"

	if [[ $2 =~ $re ]]; then echo "${BASH_REMATCH[2]}"; else echo 0; fi
}

# sum_counts FILE...: the first lines of client.py outputs, added up.
sum_counts()
{
	local -A tot=()
	local f kv out=""

	for f in "$@"; do
		for kv in $(head -1 "$f"); do
			[[ $kv == *=* ]] || continue
			tot[${kv%%=*}]=$((${tot[${kv%%=*}]:-0} + ${kv#*=}))
		done
	done
	for kv in $(printf '%s\n' "${!tot[@]}" | sort); do
		out+="$kv=${tot[$kv]} "
	done
	echo "${out% }"
}

# first_error FILE...: the first error a client reported, if any.
first_error() { cat "$@" 2>/dev/null | grep -m1 '^first error' | sed 's/^/    /'; }

# share_table LINE NAME...: per server, its count and share of LINE's
# requests next to the share its weight gives it. Fails if any share is
# more than 10 points off.
share_table()
{
	local line=$1 n total=0 wsum=0 got exp rc=0 s

	shift
	for s in "$@"; do
		total=$((total + $(count "$s" "$line")))
		wsum=$((wsum + WEIGHT[$s]))
	done
	((total > 0)) || return 1
	printf '    %-6s %6s %9s %6s\n' server weight expected got
	for s in "$@"; do
		n=$(count "$s" "$line")
		got=$(((200 * n / total + 1) / 2))
		exp=$(((200 * WEIGHT[$s] / wsum + 1) / 2))
		printf '    %-6s %6s %8s%% %5s%%  (%d)\n' "$s" "${WEIGHT[$s]}" \
			"$exp" "$got" "$n"
		((got - exp <= 10 && exp - got <= 10)) || rc=1
	done
	return $rc
}

# share_line LINE NAME...: the same, on one line, no verdict.
share_line()
{
	local line=$1 wsum=0 total=0 s out=""

	shift
	for s in "$@"; do
		wsum=$((wsum + WEIGHT[$s]))
		total=$((total + $(count "$s" "$line")))
	done
	for s in "$@"; do
		out+="$s $(count "$s" "$line") (~$(((total * WEIGHT[$s] + wsum / 2) / wsum))), "
	done
	say "got (~expected by weight): ${out%, }"
}

# field NAME TEXT: the value after NAME in TEXT (hlb's output).
field()
{
	local re="(^|[[:space:]])$1 ([^[:space:]]+)"

	[[ $2 =~ $re ]] && echo "${BASH_REMATCH[2]}"
}

# svc_field NAME: the value after NAME in `hlb service show` (which has
# the service's counters too).
svc_field() { field "$1" "$(hlbn "$RTR" service show "${SVC[@]}" 2>/dev/null)"; }

# mon_mark / mon_since MARK: the monitor's events after a mark.
mon_mark() { wc -l <"$MONLOG"; }
mon_since() { tail -n +$(($1 + 1)) "$MONLOG"; }
mon_after() { (($(mon_mark) > $1)); }

# established SRV: TCP connections established to SRV's HTTP server.
established() { on "$1" ss -Htn state established "( sport = :$PORT )" | wc -l; }

# alive PID...: true while any of them runs.
alive()
{
	local p

	for p in "$@"; do kill -0 "$p" 2>/dev/null && return 0; done
	return 1
}

# --- set-up -------------------------------------------------------------

if [[ $(id -u) -ne 0 ]] || ! hlb_load 2>/dev/null; then
	echo "demo: needs root and a kernel that can load kmod/hlb.ko:" >&2
	echo "      run it with 'make demo' (tools/vm/run -- demo/demo.sh)" >&2
	exit 1
fi

cat <<EOF
hlb demo: a layer-4 load balancer, hybrid stateless/stateful, on real HTTP.

  client1 --+                       +-- srv1  10.1.1.2:$PORT
  client2 --+-- router (hlb) -------+-- srv2  10.1.2.2:$PORT
  client3 --+   VIP $VIP:80     +-- srv3  10.1.3.2:$PORT
                                    +-- srv4  10.1.4.2:$PORT (spare)

Each host is a network namespace. Each server runs an HTTP server that
answers / with its name and serves a $FILE_MIB MiB big.bin at 200 KiB/s.
EOF
[[ $BREAK == 1 ]] && echo "HLB_DEMO_BREAK=1: a server will be killed in step 4; the demo must fail."

topo_setup 3 4
head -c $((FILE_MIB << 20)) /dev/urandom >"$WORK/big.bin"
SHA=$(sha256sum <"$WORK/big.bin")
SHA=${SHA%% *}
for j in 1 2 3 4; do
	# Not through on(): $! must be the server's own process.
	ip netns exec "${SRV[j]}" "$PYTHON" "$DEMO/http_server.py" "srv$j" $PORT \
		"$WORK/big.bin" $RATE &
	HTTPD[srv$j]=$!
	defer kill "${HTTPD[srv$j]}"
done
for j in 1 2 3 4; do
	busywait 30000 listening "${SRV[j]}" $PORT ||
		{ echo "demo: srv$j's HTTP server did not start" >&2; exit 1; }
done

# hlb monitor in the background, its events in the narration.
: >"$MONLOG"
hlbn "$RTR" monitor >"$MONLOG" &
MON=$!
defer kill "$MON"
# Shown without counters, defaults and unset watermarks.
tail -n +1 -s 0.2 --pid=$MON -f "$MONLOG" | sed -u -E \
	-e 's/ (id|packets) [0-9].*//' \
	-e 's/ (hash|table-size|seed|sched|strict|pin|transition) [^ ]+//g' \
	-e 's/ (sessions|newflow|pps)-(high|low) 0//g; s/ max-conns 0//' \
	-e 's/^/    [monitor] /' &
sleep 1

# --- 1: the service -----------------------------------------------------

step "A hybrid service, configured with the CLI"
say "Stateful (a session per flow) while new flows stay under 40/s, stateless"
say "above, stateful again after 2 s at or under 10/s. Weights 1:2:3. After a"
say "server change, flow protection holds for 10 s (transition)."
echo "  router# hlb monitor &      (its events are shown as [monitor])"
mark=$(mon_mark)
router service add "${SVC[@]}" mode hybrid newflow-high 40 newflow-low 10 hold 2s dwell 3s \
	transition 10s ||
	bad "service add failed"
for j in 1 2 3; do
	WEIGHT[srv$j]=$j
	router server add "${SVC[@]}" 10.1.$j.2:$PORT weight $j || bad "server add srv$j failed"
done
WEIGHT[srv4]=0
busywait 5000 grep -q "^new server .*10.1.3.2:$PORT" "$MONLOG"
router service show "${SVC[@]}"
echo "  client1\$ curl -sS -m 10 http://$VIP/"
ans=$(on client1 curl -sS -m 10 "http://$VIP/" 2>&1)
say "$ans"
[[ $ans == srv[123] ]]
verdict $? "the VIP answers, from one of the servers"
eq "$(mon_since "$mark" | grep -cE '^new (service|server)')" 4
verdict $? "the monitor saw the service and its 3 servers appear"
eq "$(svc_field method)" stateful
verdict $? "the service starts stateful"

# --- 2: weights ---------------------------------------------------------

step "Requests spread by weight"
say "300 requests, each a new connection: 100 from each client at 7/s, so"
say "about 21 new flows/s, under the watermark: the service stays stateful."
echo "  clientN\$ demo/client.py $VIP --count 100 --rate 7      (N = 1, 2, 3)"
pids=()
for i in 1 2 3; do
	requests "client$i" --count 100 --rate 7 --workers 4 \
		>"$WORK/spread$i" 2>"$WORK/spread$i.err" &
	pids+=($!)
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
line=$(sum_counts "$WORK"/spread[123])
share_table "$line" srv1 srv2 srv3
verdict $? "every server's share is within 10 points of its weight's"
first_error "$WORK"/spread[123].err
((rc == 0))
verdict $? "$(count failed "$line") of 300 requests failed"
eq "$(svc_field method)" stateful
verdict $? "still stateful, $(svc_field sessions_active) sessions active"

# --- 3: load ramp -------------------------------------------------------

step "A load ramp: stateful -> stateless -> stateful"
say "Real requests all along, 3/s from client1 and 3/s from client2. On top,"
say "client3 floods SYNs (half-open connections): none for 3 s, 20/s for 3 s,"
say "200/s for 5 s, then none. About once a second below, from hlb: new flows"
say "and new sessions per second, active sessions, the method."
echo "  client1\$ demo/client.py $VIP --phase 3:19              (and client2)"
echo "  client3\$ demo/client.py $VIP --syn-only --phase 0:3 --phase 20:3 --phase 200:5"
mark=$(mon_mark)
pids=()
for i in 1 2; do
	requests "client$i" --phase 3:19 >"$WORK/ramp$i" 2>"$WORK/ramp$i.err" &
	pids+=($!)
done
requests client3 --syn-only --phase 0:3 --phase 20:3 --phase 200:5 \
	>"$WORK/flood" 2>&1 &
pids+=($!)
t_start=$(date +%s%N)
t_prev=$t_start out=$(hlbn "$RTR" service show "${SVC[@]}")
nf_prev=$(field new_flows "$out") sc_prev=$(field sessions_created "$out")
sample()
{
	local now out nf sc dt

	out=$(hlbn "$RTR" service show "${SVC[@]}")
	now=$(date +%s%N)
	nf=$(field new_flows "$out")
	sc=$(field sessions_created "$out")
	dt=$(((now - t_prev) / 1000000))
	printf '    t=%4.1fs  new flows %3d/s  new sessions %3d/s  active %3d  %s\n' \
		"$(((now - t_start) / 1000000))e-3" \
		$(((nf - nf_prev) * 1000 / dt)) $(((sc - sc_prev) * 1000 / dt)) \
		"$(field sessions_active "$out")" "$(field method "$out")"
	nf_prev=$nf sc_prev=$sc t_prev=$now method=$(field method "$out")
}
# Until the clients are done and the service is back to stateful (which
# takes 2 s of calm), for at most a minute.
method=stateful
deadline=$((SECONDS + 60))
while alive "${pids[@]}" || [[ $method != stateful ]]; do
	((SECONDS < deadline)) || break
	sleep 0.8
	sample
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=1; done
line=$(sum_counts "$WORK"/ramp[12])
sw=$(mon_since "$mark" | grep '^switch ')
head -1 <<<"$sw" | grep -q 'method stateless reason newflow-rate'
verdict $? "the flood switched it stateless (reason newflow-rate)"
tail -1 <<<"$sw" | grep -q 'method stateful reason low'
verdict $? "the calm switched it back to stateful (reason low)"
first_error "$WORK"/ramp[12].err
((rc == 0))
verdict $? "$(count failed "$line") real requests failed in the ramp" \
	"(answered: $(count srv1 "$line") + $(count srv2 "$line") + $(count srv3 "$line");" \
	"SYNs sent: $(count syn "$(head -1 "$WORK/flood")"))"

# --- 4: changes under load ----------------------------------------------

step "A server added, another drained, during $NDL long downloads"
say "$NDL downloads of big.bin ($FILE_MIB MiB, ~20 s each), 5 from client2 and 5 from"
say "client3. Sessions keep each on its server whatever the mapping becomes."
echo "  clientN\$ curl -sS -o dl.K http://$VIP/big.bin      (x$NDL, in the background)"
t_dl=$SECONDS
for ((k = 1; k <= NDL; k++)); do
	(
		on "client$((2 + (k - 1) % 2))" curl -sS -m 120 -o "$WORK/dl.$k" \
			-w '%{http_code} %header{x-server}\n' "http://$VIP/big.bin" \
			>"$WORK/dl.$k.meta" 2>"$WORK/dl.$k.err"
		echo $? >"$WORK/dl.$k.rc"
	) &
done
# inflight: "srv1=N ... srv4=N", downloads established per server;
# fails until all of them are.
inflight()
{
	local j n all=0 out=""

	for j in 1 2 3 4; do
		n=$(established "srv$j")
		all=$((all + n))
		out+="srv$j=$n "
	done
	echo "${out% }"
	((all >= NDL))
}
# running: how many downloads have not ended.
running()
{
	local k n=0

	for ((k = 1; k <= NDL; k++)); do [[ -e $WORK/dl.$k.rc ]] || n=$((n + 1)); done
	echo $n
}
all_ended() { (($(running) == 0)); }
busywait 30000 inflight >/dev/null
dl_line=$(inflight)
say "downloads in flight: $dl_line"

# Add srv4; drain the server with the most downloads in flight.
drain=srv3 most=-1
for j in 1 2 3; do
	n=$(count "srv$j" "$dl_line")
	((n > most)) && most=$n drain=srv$j
done
mark=$(mon_mark)
router server add "${SVC[@]}" 10.1.4.2:$PORT weight 2 || bad "server add srv4 failed"
WEIGHT[srv4]=2
say "drain $drain, the server with the most downloads in flight ($most):"
router server set "${SVC[@]}" 10.1.${drain#srv}.2:$PORT weight 0 || bad "server set $drain failed"
WEIGHT[$drain]=0
eq "$(running)" $NDL
verdict $? "all $NDL downloads still running after both changes"
if [[ $BREAK == 1 ]]; then
	say "HLB_DEMO_BREAK=1: killing $drain's HTTP server (pid ${HTTPD[$drain]}) mid-download"
	kill -9 "${HTTPD[$drain]}"
	{ wait "${HTTPD[$drain]}"; } 2>/dev/null
fi

# The probe uses source ports no earlier connection used: hlb gives a new
# connection whose tuple still has a finished session (time-wait, 10 s)
# that session's server, even a drained one.
say "new requests now:"
echo "  client1\$ demo/client.py $VIP --count 90 --rate 15 --sport-base 20000"
line=$(requests client1 --count 90 --rate 15 --workers 4 --sport-base 20000 2>"$WORK/probe.err")
share_line "$line" srv1 srv2 srv3 srv4
first_error "$WORK/probe.err"
(($(count srv4 "$line") > 0))
verdict $? "the new server srv4 gets new requests"
(($(count "$drain" "$line") == 0 && $(count failed "$line") == 0))
verdict $? "the drained server $drain gets none, and none failed"
mon_since "$mark" | grep -q "^new server .*10.1.4.2:$PORT" &&
	mon_since "$mark" | grep -q "^set server .*10.1.${drain#srv}.2:$PORT weight 0"
verdict $? "the monitor saw both changes"

say "waiting for the downloads..."
busywait 120000 all_ended
failed=0 by=""
declare -A per=()
for ((k = 1; k <= NDL; k++)); do
	rc=timeout code="" srv=""
	[[ -e $WORK/dl.$k.rc ]] && rc=$(<"$WORK/dl.$k.rc")
	[[ -e $WORK/dl.$k.meta ]] && read -r code srv <"$WORK/dl.$k.meta"
	srv=${srv:-?}
	sum=$(sha256sum <"$WORK/dl.$k" 2>/dev/null)
	if [[ $rc != 0 || $code != 200 || ${sum%% *} != "$SHA" ]]; then
		failed=$((failed + 1))
		say "download $k from $srv FAILED: curl exit $rc, HTTP ${code:-none}," \
			"$(stat -c %s "$WORK/dl.$k" 2>/dev/null || echo 0) bytes;" \
			"$(head -c 120 "$WORK/dl.$k.err")"
	fi
	per[$srv]=$((${per[$srv]:-0} + 1))
done
for s in $(printf '%s\n' "${!per[@]}" | sort); do by+="$s ${per[$s]}, "; done
say "done after $((SECONDS - t_dl)) s; by server: ${by%, } ($drain drained mid-way)"
if ((failed == 0)); then
	ok "all $NDL downloads complete, each with big.bin's sha256"
else
	bad "$failed of $NDL downloads failed"
fi

# --- 5: the end ---------------------------------------------------------

step "Final counters and configuration"
router stats "${SVC[@]}"
router service show "${SVC[@]}"
eq "$(svc_field drop_no_server)" 0
verdict $? "no packet was dropped for want of a server"

# --- summary ------------------------------------------------------------

sleep 0.5	# the last monitor lines
nbad=0 which=""
for i in "${!STEP_OK[@]}"; do
	((STEP_OK[i])) && continue
	nbad=$((nbad + 1))
	which+=" [$((i + 1))] ${STEP_NAME[i]};"
done
took=$((SECONDS - T0))
echo
if ((nbad == 0)); then
	echo "hlb demo: PASS - all ${#STEP_OK[@]} steps behaved as narrated ($((took / 60))m$((took % 60))s in the VM)"
	exit 0
fi
echo "hlb demo: FAIL - $nbad of ${#STEP_OK[@]} steps did not behave as narrated:${which%;}"
exit 1
