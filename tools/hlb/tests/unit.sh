#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The hlb CLI against a fake kernel (tests/unit.c, tests/fake_kernel.c):
# text and JSON output of every show command, save and an exact restore
# into a namespace with other defaults, extended ACK messages, dump
# retries, events as the monitor prints them, a 100,000-server dump. Runs
# the normal and the ASan/UBSan builds, and valgrind when it is installed.
#
# TAP output; exit 0 if every test passed, 1 otherwise.

set -u

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(dirname "$HERE")
UNITS=("$SRC/.build/normal/unit" "$SRC/.build/asan/unit")

source "$HERE/tap.sh"

[[ -x ${UNITS[0]} ]] || make -s -C "$SRC" unit >&2 || exit 1
[[ -x ${UNITS[1]} ]] || make -s -C "$SRC" SANITIZE=1 unit >&2 || exit 1

export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=abort_on_error=1:print_stacktrace=1

cat >"$TMP/setup" <<'EOF'
# three services, four servers, namespace settings
config set session-limit 200000 fill-limit 80% est-timeout 10m
service add tcp 10.0.0.1:80 mode hybrid sessions-high 1000 sessions-low 800 newflow-high 5000 hold 3s dwell 1500ms seed 42
service add udp [2001:db8::1]:53 mode stateless hash src
service add "tcp" 10.0.0.2:443 syn-timeout 5s strict on table-size 251 transition 30s pin stateful
server add tcp 10.0.0.1:80 10.1.0.2 weight 3
server add tcp 10.0.0.1:80 10.1.0.1:8080 max-conns 100
server add udp [2001:db8::1]:53 [2001:db8::1:2]:5353 weight 0
server add tcp 10.0.0.2:443 10.1.0.9
EOF

# batch NAME OPTIONS -- LINES...: setup, then LINES, into $TMP/NAME.
batch() {
	local name=$1 opts=()
	shift
	while [[ $1 != -- ]]; do
		opts+=("$1")
		shift
	done
	shift
	{ cat "$TMP/setup"; printf '%s\n' "$@"; } >"$TMP/$name.batch"
	"$UNIT" "${opts[@]}" -b "$TMP/$name.batch" >"$TMP/$name.out" \
		2>"$TMP/$name.err"
	rc=$?
}

# same DESC FILE: FILE equals stdin.
same() {
	local desc=$1 file=$2

	cat >"$TMP/expected"
	if diff -u "$TMP/expected" "$file" >"$TMP/diff"; then
		ok "$desc"
	else
		not_ok "$desc" "$(cat "$TMP/diff")"
	fi
}

clean() {
	local desc=$1 file=$2

	if grep -qE 'Sanitizer|runtime error' "$file"; then
		not_ok "$desc" "$(cat "$file")"
		return 1
	fi
	return 0
}

json_ok() {
	python3 -c '
import json, sys
for line in open(sys.argv[1]):
    json.loads(line)
' "$1" 2>"$TMP/jsonerr"
}

suite() {
	local tag=$1

	# --- text output ----------------------------------------------
	batch show -- "service show" "server show tcp 10.0.0.1:80" \
		"session show"
	same "$tag: service, server and session show (text)" "$TMP/show.out" <<'EOF'
service tcp 10.0.0.2:443 mode stateful method stateful hash src-port table-size 251 seed 0 sched hash strict on pin stateful transition 30s
    syn-timeout 5s
    id 3 servers 1 switches 0
    packets 30 bytes 1920 sessions_active 3 counter_40 7
service udp [2001:db8::1]:53 mode stateless method stateless hash src table-size 65537 seed 0 sched hash strict off pin none transition 0ms
    id 2 servers 1 switches 0
    packets 20 bytes 1280 sessions_active 2 counter_40 7
service tcp 10.0.0.1:80 mode hybrid method stateful hash src-port table-size 65537 seed 42 sched hash strict off pin none transition 0ms
    sessions-high 1000 sessions-low 800 newflow-high 5000 newflow-low 0 pps-high 0 pps-low 0 hold 3s dwell 1500ms
    id 1 servers 2 switches 1 last-switch 2023-11-14T22:13:20.123Z reason newflow-rate
    packets 10 bytes 640 sessions_active 1 counter_40 7
server tcp 10.0.0.1:80 10.1.0.1:8080 weight 1 max-conns 100 state active
    packets 80800 bytes 5171200 sessions_active 8080 counter_40 7
server tcp 10.0.0.1:80 10.1.0.2:80 weight 3 max-conns 0 state active
    packets 800 bytes 51200 sessions_active 80 counter_40 7
tcp 10.9.0.1:40000 -> 10.0.0.1:80 via 10.1.0.1:8080 state established idle 1200ms expires 299s learned
udp [2001:db8::9]:40000 -> [2001:db8::1]:53 via [2001:db8::102]:5353 idle 0ms expires 29500ms
EOF
	clean "$tag: show" "$TMP/show.err"

	batch cfg -- "config show" "stats show tcp 10.0.0.2:443" "stats" \
		"version"
	same "$tag: config, stats and version (text)" "$TMP/cfg.out" <<'EOF'
session-limit 200000 fill-limit 80 syn-timeout 10s est-timeout 600s fin-timeout 30s close-timeout 10s udp-timeout 30s
    sessions 2 services 3
service tcp 10.0.0.2:443
    packets 30 bytes 1920 sessions_active 3 counter_40 7
server tcp 10.0.0.2:443 10.1.0.9:443 weight 1 max-conns 0 state active
    packets 4430 bytes 283520 sessions_active 443 counter_40 7
packets 1000
bytes 64000
sessions_active 100
counter_40 7
hlb 0.1.0
module 0.0-fake genl-version 1
EOF

	# --- JSON ---------------------------------------------------------
	batch json -j -- "service show" "server show" "session show" \
		"stats" "stats udp [2001:db8::1]:53" "config show" "version"
	if [[ $rc -eq 0 ]] && json_ok "$TMP/json.out" &&
	   [[ $(wc -l <"$TMP/json.out") -eq 7 ]]; then
		ok "$tag: -j prints one valid JSON document per command"
	else
		not_ok "$tag: -j prints one valid JSON document per command" \
			"exit $rc" "$(cat "$TMP/jsonerr" "$TMP/json.err")"
	fi
	python3 - "$TMP/json.out" >"$TMP/keys" 2>&1 <<'EOF'
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
svc = {s["port"]: s for s in docs[0]}[80]
want = ["family", "proto", "vip", "port", "mode", "method", "hash",
        "table_size", "seed", "sched", "strict", "pin", "transition_ms",
        "timeouts", "hybrid", "id", "servers", "switches", "last_switch",
        "last_reason", "stats"]
assert list(svc) == want, list(svc)
assert svc["strict"] is False and svc["hybrid"]["hold_ms"] == 3000
assert list(svc["timeouts"]) == ["syn", "est", "fin", "close", "udp"]
assert list(svc["hybrid"]) == ["sessions_high", "sessions_low",
    "newflow_high", "newflow_low", "pps_high", "pps_low", "hold_ms",
    "dwell_ms"]
v6 = {s["port"]: s for s in docs[0]}[53]
assert v6["family"] == "inet6" and v6["vip"] == "2001:db8::1"
srv = docs[1][0]
assert list(srv) == ["service", "addr", "port", "weight", "max_conns",
                     "state", "stats"], list(srv)
assert list(srv["service"]) == ["family", "proto", "vip", "port"]
sess = docs[2][0]
assert list(sess) == ["family", "proto", "client_addr", "client_port",
    "vip", "vip_port", "server_addr", "server_port", "state", "idle_ms",
    "expires_ms", "learned"], list(sess)
assert sess["learned"] is True and docs[2][1]["learned"] is False
assert docs[3]["packets"] == 1000 and docs[3]["counter_40"] == 7
assert docs[4]["service"]["stats"]["packets"] == 20
assert docs[4]["servers"][0]["addr"] == "2001:db8::1:2"
cfg = docs[5]
assert list(cfg) == ["session_limit", "fill_limit", "timeouts", "sessions",
                     "services"], list(cfg)
assert cfg["timeouts"]["est"] == 600
assert docs[6] == {"cli": "0.1.0", "module": "0.0-fake", "genl_version": 1}
EOF
	if [[ $? -eq 0 ]]; then
		ok "$tag: JSON keys, types and order"
	else
		not_ok "$tag: JSON keys, types and order" "$(cat "$TMP/keys")"
	fi

	"$UNIT" -j service show >"$TMP/empty" 2>&1
	same "$tag: -j service show with no service is []" "$TMP/empty" <<'EOF'
[]
EOF
	"$UNIT" -p session show >"$TMP/pretty" 2>&1
	if json_ok /dev/null && python3 -c 'import json,sys; json.load(open(sys.argv[1]))' \
		"$TMP/pretty" 2>/dev/null && [[ $(wc -l <"$TMP/pretty") -gt 10 ]]; then
		ok "$tag: -p pretty-prints valid JSON on several lines"
	else
		not_ok "$tag: -p pretty-prints valid JSON" "$(cat "$TMP/pretty")"
	fi

	# --- save and restore -------------------------------------------------
	batch save -- save
	same "$tag: save prints every option, sorted by key" "$TMP/save.out" <<'EOF'
config set session-limit 200000 fill-limit 80 syn-timeout 10s est-timeout 600s fin-timeout 30s close-timeout 10s udp-timeout 30s
service add tcp 10.0.0.1:80 mode hybrid hash src-port table-size 65537 seed 42 sched hash strict off pin none transition 0ms syn-timeout 0s est-timeout 0s fin-timeout 0s close-timeout 0s udp-timeout 0s sessions-high 1000 sessions-low 800 newflow-high 5000 newflow-low 0 pps-high 0 pps-low 0 hold 3s dwell 1500ms
server add tcp 10.0.0.1:80 10.1.0.1:8080 weight 1 max-conns 100
server add tcp 10.0.0.1:80 10.1.0.2:80 weight 3 max-conns 0
service add tcp 10.0.0.2:443 mode stateful hash src-port table-size 251 seed 0 sched hash strict on pin stateful transition 30s syn-timeout 5s est-timeout 0s fin-timeout 0s close-timeout 0s udp-timeout 0s sessions-high 0 sessions-low 0 newflow-high 0 newflow-low 0 pps-high 0 pps-low 0 hold 5s dwell 1s
server add tcp 10.0.0.2:443 10.1.0.9:443 weight 1 max-conns 0
service add udp [2001:db8::1]:53 mode stateless hash src table-size 65537 seed 0 sched hash strict off pin none transition 0ms syn-timeout 0s est-timeout 0s fin-timeout 0s close-timeout 0s udp-timeout 0s sessions-high 0 sessions-low 0 newflow-high 0 newflow-low 0 pps-high 0 pps-low 0 hold 5s dwell 1s
server add udp [2001:db8::1]:53 [2001:db8::1:2]:5353 weight 0 max-conns 0
EOF
	{ cat "$TMP/save.out"; echo save; } >"$TMP/restore.batch"
	FAKE_ALT_DEFAULTS=1 "$UNIT" -b "$TMP/restore.batch" >"$TMP/save2" \
		2>"$TMP/restore.err"
	same "$tag: save | hlb -b - restores exactly, other defaults" \
		"$TMP/save2" <"$TMP/save.out"
	echo save | FAKE_ALT_DEFAULTS=1 "$UNIT" -b - >"$TMP/alt" 2>&1
	rc=$?
	if [[ $rc -eq 0 ]] &&
	   ! diff -q "$TMP/alt" <(head -1 "$TMP/save.out") >/dev/null; then
		ok "$tag: (the other defaults do differ)"
	else
		not_ok "$tag: (the other defaults do differ)" "exit $rc" \
			"$(cat "$TMP/alt")"
	fi

	# --- errors -----------------------------------------------------------
	local nocap
	for nocap in "" 1; do
		printf 'service add tcp 10.0.0.1:80\nservice add tcp 10.0.0.1:80\n' |
			FAKE_NOCAP=$nocap "$UNIT" -j -b - >"$TMP/e.out" 2>"$TMP/e.err"
		rc=$?
		if [[ $rc -eq 1 && ! -s $TMP/e.out ]] &&
		   grep -qx 'Error: service exists' "$TMP/e.err" &&
		   grep -qx 'Command failed -:2' "$TMP/e.err"; then
			ok "$tag: extended ACK message${nocap:+ (request echoed)}, exit 1"
		else
			not_ok "$tag: extended ACK message${nocap:+ (request echoed)}" \
				"exit $rc" "$(cat "$TMP/e.err")"
		fi
	done
	"$UNIT" -j service show tcp 10.9.9.9:1 >"$TMP/e.out" 2>"$TMP/e.err"
	rc=$?
	if [[ $rc -eq 1 && ! -s $TMP/e.out ]] &&
	   grep -qx 'Error: service not found' "$TMP/e.err"; then
		ok "$tag: a failed show prints nothing on stdout"
	else
		not_ok "$tag: a failed show prints nothing on stdout" "exit $rc" \
			"$(cat "$TMP/e.out" "$TMP/e.err")"
	fi
	"$UNIT" service add tcp 10.0.0.1:80 table-size 100 2>"$TMP/e.err"
	rc=$?
	if [[ $rc -eq 1 ]] && grep -q 'TABLE_SIZE: must be a prime' "$TMP/e.err"; then
		ok "$tag: kernel refusal of a value, exit 1"
	else
		not_ok "$tag: kernel refusal of a value" "exit $rc" "$(cat "$TMP/e.err")"
	fi

	# --- dumps ------------------------------------------------------------
	batch intr -- "service show"
	FAKE_INTR=4 "$UNIT" -b "$TMP/intr.batch" >"$TMP/intr4" 2>&1
	rc=$?
	if [[ $rc -eq 0 ]] && diff -q "$TMP/intr4" "$TMP/intr.out" >/dev/null; then
		ok "$tag: dump interrupted 4 times is retried, printed once"
	else
		not_ok "$tag: dump interrupted 4 times is retried" "exit $rc" \
			"$(cat "$TMP/intr4")"
	fi
	FAKE_INTR=5 "$UNIT" -b "$TMP/intr.batch" >"$TMP/intr5" 2>"$TMP/intr5.err"
	rc=$?
	if [[ $rc -eq 1 && ! -s $TMP/intr5 ]] &&
	   grep -q 'dump interrupted' "$TMP/intr5.err"; then
		ok "$tag: dump interrupted 5 times fails clearly"
	else
		not_ok "$tag: dump interrupted 5 times fails clearly" "exit $rc" \
			"$(cat "$TMP/intr5.err")"
	fi
	FAKE_DUMP_ERR=1 "$UNIT" -j server show >"$TMP/de" 2>"$TMP/de.err"
	rc=$?
	if [[ $rc -eq 1 && ! -s $TMP/de ]] &&
	   grep -qx 'Error: fake dump error' "$TMP/de.err"; then
		ok "$tag: error in NLMSG_DONE with its extended ACK message"
	else
		not_ok "$tag: error in NLMSG_DONE" "exit $rc" "$(cat "$TMP/de.err")"
	fi

	printf 'service add tcp 10.0.0.1:80\nsave\n' >"$TMP/bulk.batch"
	FAKE_BULK=100000 "$UNIT" -b "$TMP/bulk.batch" >"$TMP/bulk" 2>&1
	rc=$?
	if [[ $rc -eq 0 && $(grep -c '^server add' "$TMP/bulk") -eq 100000 ]] &&
	   grep -qx 'server add tcp 10.0.0.1:80 172.17.134.159:8000 weight 99 max-conns 99999' \
		"$TMP/bulk"; then
		ok "$tag: a 100,000-server dump is saved whole"
	else
		not_ok "$tag: a 100,000-server dump" "exit $rc" \
			"$(tail -3 "$TMP/bulk")"
	fi

	# --- events ---------------------------------------------------------
	local ev=("service set tcp 10.0.0.1:80 pin stateless"
		  "server set tcp 10.0.0.1:80 10.1.0.2 weight 0"
		  "server del tcp 10.0.0.1:80 10.1.0.2"
		  "session flush tcp 10.0.0.1:80" "stats reset"
		  "service del udp [2001:db8::1]:53" "service flush")
	{ cat "$TMP/setup"; printf '%s\n' "${ev[@]}"; } >"$TMP/ev.batch"
	FAKE_EVENTS=1 "$UNIT" -b "$TMP/ev.batch" >"$TMP/ev.out" 2>"$TMP/ev.err"
	tail -n 7 "$TMP/ev.out" >"$TMP/ev.tail"
	same "$tag: monitor lines for each event" "$TMP/ev.tail" <<'EOF'
set service tcp 10.0.0.1:80 mode hybrid method stateful hash src-port table-size 65537 seed 42 sched hash strict off pin stateless transition 0ms sessions-high 1000 sessions-low 800 newflow-high 5000 newflow-low 0 pps-high 0 pps-low 0 hold 3s dwell 1500ms id 1 servers 2 switches 1 last-switch 2023-11-14T22:13:20.123Z reason newflow-rate packets 10 bytes 640 sessions_active 1 counter_40 7
set server tcp 10.0.0.1:80 10.1.0.2:80 weight 0 max-conns 0 state draining packets 800 bytes 51200 sessions_active 80 counter_40 7
del server tcp 10.0.0.1:80 10.1.0.2:80
flush sessions service tcp 10.0.0.1:80
reset stats
del service udp [2001:db8::1]:53
flush
EOF
	if [[ $(head -1 "$TMP/ev.out") == "set config session-limit 200000 fill-limit 80 "* ]]; then
		ok "$tag: set config event"
	else
		not_ok "$tag: set config event" "$(head -1 "$TMP/ev.out")"
	fi
	# The switch event needs a service: replay without the flush.
	unset 'ev[${#ev[@]}-1]'
	{ cat "$TMP/setup"; printf '%s\n' "${ev[@]}"; } >"$TMP/ev2.batch"
	FAKE_EVENTS=1 "$UNIT" -b "$TMP/ev2.batch" 2>&1 | tail -n 1 >"$TMP/sw"
	same "$tag: switch event line" "$TMP/sw" <<'EOF'
switch service tcp 10.0.0.1:80 method stateless reason newflow-rate value 1234 threshold 1000
EOF
	FAKE_EVENTS=1 "$UNIT" -j -b "$TMP/ev2.batch" >"$TMP/evj" 2>&1
	python3 - "$TMP/evj" >"$TMP/evj.check" 2>&1 <<'EOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
names = [e["event"] for e in ev]
assert names == ["set-config"] + ["new-service"] * 3 + ["new-server"] * 4 + \
    ["set-service", "set-server", "del-server", "flush-sessions",
     "reset-stats", "del-service", "switch"], names
assert ev[-1] == {"event": "switch", "service": {"family": "inet",
    "proto": "tcp", "vip": "10.0.0.1", "port": 80}, "method": "stateless",
    "reason": "newflow-rate", "value": 1234, "threshold": 1000,
    "time": 1700000000000000000}, ev[-1]
assert ev[4]["server"]["addr"] == "10.1.0.2"
assert ev[0]["config"]["session_limit"] == 200000
EOF
	if [[ $? -eq 0 ]]; then
		ok "$tag: -j events: one object per line with an \"event\" key"
	else
		not_ok "$tag: -j events" "$(cat "$TMP/evj.check")"
	fi

	local f
	for f in "$TMP"/*.err "$TMP/e.err" "$TMP/de.err"; do
		clean "$tag: no sanitizer report in $(basename "$f")" "$f" || return
	done
}

echo "TAP version 13"
for UNIT in "${UNITS[@]}"; do
	suite "$(basename "$(dirname "$UNIT")")"
done

if command -v valgrind >/dev/null; then
	UNIT=${UNITS[0]}
	batch vg -- "service show" "server show" "session show" "stats" \
		"stats tcp 10.0.0.1:80" "config show" "save" "version"
	if FAKE_INTR=2 valgrind -q --leak-check=full --errors-for-leak-kinds=all \
		--error-exitcode=99 "$UNIT" -j -b "$TMP/vg.batch" \
		>/dev/null 2>"$TMP/vg.err"; then
		ok "valgrind: no error and no leak"
	else
		not_ok "valgrind: no error and no leak" "$(head -30 "$TMP/vg.err")"
	fi
fi

tap_done
