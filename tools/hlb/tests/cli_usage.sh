#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Command-line tests of hlb that need no kernel module: help, usage errors
# and their exit statuses, the "module not loaded" failure, batch parsing,
# and a fuzz of random lines through "hlb -b -" on the ASan/UBSan build
# (no crash, no sanitizer report, exit status 1 or 2, or 0 for the lines
# that are help or comments).
#
# TAP output; exit 0 if every test passed, 1 otherwise.
#
#   HLB=path/to/hlb HLB_ASAN=path/to/hlb-asan bash tests/cli_usage.sh
#
# Tests that expect the module to be absent are skipped when it is loaded
# (the fuzz could otherwise change a live configuration).

set -u

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(dirname "$HERE")
HLB=${HLB:-$SRC/hlb}
HLB_ASAN=${HLB_ASAN:-$SRC/hlb-asan}
FUZZ_LINES=${FUZZ_LINES:-2000}
FUZZ_SEED=${FUZZ_SEED:-20240517}

source "$HERE/tap.sh"

skip() {
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

# Build what is missing, quietly.
[[ -x $HLB ]] || make -s -C "$SRC" all >&2 || exit 1
[[ -x $HLB_ASAN ]] || make -s -C "$SRC" SANITIZE=1 all >&2 || exit 1

export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=abort_on_error=1:print_stacktrace=1

# run BIN ARGS...: sets rc, out, err (stdin from /dev/null).
run() {
	"$@" </dev/null >"$TMP/out" 2>"$TMP/err"
	rc=$?
	out=$(cat "$TMP/out")
	err=$(cat "$TMP/err")
}

sanitizer_clean() {
	! grep -qE 'Sanitizer|runtime error' "$TMP/err"
}

# expect RC PATTERN DESC -- ARGS: exit status RC and stderr matching the
# extended regex PATTERN (empty: anything), on both builds.
expect() {
	local want=$1 pat=$2 desc=$3 bin
	shift 4
	for bin in "$HLB" "$HLB_ASAN"; do
		run "$bin" "$@"
		if [[ $rc -ne $want ]]; then
			not_ok "$desc" "$(basename "$bin") $*: exit $rc, want $want" \
				"stderr: $err"
			return
		fi
		if [[ -n $pat ]] && ! grep -qE -- "$pat" <<<"$err"; then
			not_ok "$desc" "$(basename "$bin") $*: stderr does not match /$pat/" \
				"stderr: $err"
			return
		fi
		if ! sanitizer_clean; then
			not_ok "$desc" "$(basename "$bin") $*: sanitizer report" "$err"
			return
		fi
	done
	ok "$desc"
}

usage_err() {
	local desc=$1
	shift
	expect 2 'Error: |is unknown|not complete' "$desc" -- "$@"
}

module_loaded=0
run "$HLB" version
[[ $rc -eq 0 ]] && module_loaded=1

echo "TAP version 13"

# --- help -------------------------------------------------------------
run "$HLB" help
if [[ $rc -eq 0 && $out == *"Usage: hlb"* && -z $err ]]; then
	ok "hlb help: usage on stdout, exit 0"
else
	not_ok "hlb help: usage on stdout, exit 0" "exit $rc" "$err"
fi
for args in "-h" "--help" "service help" "server help" "session help" \
	    "stats help" "config help" "monitor help" "save help" \
	    "version help"; do
	# shellcheck disable=SC2086
	run "$HLB" $args
	if [[ $rc -eq 0 && $out == *Usage* ]]; then
		ok "hlb $args: exit 0"
	else
		not_ok "hlb $args: exit 0" "exit $rc" "$err"
	fi
done
run "$HLB" -V
if [[ $rc -eq 0 && $out =~ ^hlb\ [0-9] ]]; then
	ok "hlb -V prints the CLI version"
else
	not_ok "hlb -V prints the CLI version" "exit $rc out $out"
fi
run "$HLB"
if [[ $rc -eq 2 && $err == *Usage* ]]; then
	ok "hlb without arguments: usage on stderr, exit 2"
else
	not_ok "hlb without arguments: usage on stderr, exit 2" "exit $rc"
fi

# Abbreviations resolve like iproute2's: earlier objects win.
for pair in "serv:Usage: hlb service" "s:Usage: hlb service" \
	    "serve:Usage: hlb server" "ses:Usage: hlb session" \
	    "st:Usage: hlb stats" "c:Usage: hlb config"; do
	run "$HLB" "${pair%%:*}" help
	if [[ $rc -eq 0 && $out == "${pair#*:}"* ]]; then
		ok "abbreviation \"${pair%%:*}\" is ${pair#*Usage: hlb }"
	else
		not_ok "abbreviation \"${pair%%:*}\"" "exit $rc" "$out"
	fi
done

# --- usage errors: exit 2 with a message ------------------------------
expect 2 'Object "frob" is unknown' "unknown object" -- frob
expect 2 'Command "frob" is unknown' "unknown service command" -- service frob
expect 2 'Command "x" is unknown' "unknown server command" -- server x
expect 2 'Option "-x" is unknown' "unknown option" -- -x service show
expect 2 'needs an argument' "-n without its argument" -- -n
usage_err "bad protocol" service add sctp 10.0.0.1:80
usage_err "bad protocol (case)" service add TCP 10.0.0.1:80
expect 2 'invalid IPv4 address' "bad IPv4 address" -- service add tcp 10.0.0.300:80
expect 2 'invalid IPv4 address' "hostname instead of address" -- service add tcp foo:80
expect 2 'invalid IPv6 address' "bad IPv6 address" -- service add tcp '[2001:db8::g]:80'
expect 2 'missing port' "missing port" -- service add tcp 10.0.0.1
expect 2 'missing port' "missing IPv6 port" -- service add tcp '[2001:db8::1]'
expect 2 'unbalanced' "unbalanced [::1" -- service add tcp '[::1'
expect 2 'expected ":PORT"' "garbage after ]" -- service add tcp '[::1]80'
expect 2 'in brackets' "IPv6 without brackets" -- service add tcp 2001:db8::1:80
expect 2 'port must be' "port 0" -- service add tcp 10.0.0.1:0
expect 2 'port must be' "port 70000" -- service add tcp 10.0.0.1:70000
expect 2 'port must be' "empty port" -- service add tcp 10.0.0.1:
expect 2 'port must be' "port with sign" -- service add tcp 10.0.0.1:+80
expect 2 'weight must be' "non-numeric weight" -- server add tcp 10.0.0.1:80 10.1.0.1 weight abc
expect 2 'weight must be' "weight above 65535" -- server add tcp 10.0.0.1:80 10.1.0.1 weight 65536
expect 2 'weight must be' "negative weight" -- server add tcp 10.0.0.1:80 10.1.0.1 weight -1
expect 2 'seed must be' "seed above u32" -- service add tcp 10.0.0.1:80 seed 4294967296
expect 2 'port must be' "server port 0" -- server add tcp 10.0.0.1:80 10.1.0.1:0
expect 2 'same family' "server family differs" -- server add tcp '[::1]:80' 10.1.0.1
expect 2 'not a duration' "bad duration unit" -- service add tcp 10.0.0.1:80 transition 5x
expect 2 'not a duration' "fractional duration" -- service add tcp 10.0.0.1:80 hold 1.5s
expect 2 'not a duration' "empty duration" -- service add tcp 10.0.0.1:80 dwell ''
expect 2 'whole number of seconds' "1500ms for a seconds attribute" -- service add tcp 10.0.0.1:80 syn-timeout 1500ms
expect 2 'out of range' "duration overflows u32" -- service add tcp 10.0.0.1:80 est-timeout 5000000000s
expect 2 'out of range' "duration overflows u64" -- service add tcp 10.0.0.1:80 hold 99999999999999999999h
expect 2 'unknown keyword' "unknown keyword" -- service add tcp 10.0.0.1:80 frobnicate 1
expect 2 'not complete' "keyword without value" -- service add tcp 10.0.0.1:80 mode
expect 2 'duplicate "mode"' "duplicate keyword" -- service add tcp 10.0.0.1:80 mode hybrid mode stateless
expect 2 'mode must be' "bad mode" -- service add tcp 10.0.0.1:80 mode fast
expect 2 'on or off' "bad strict" -- service add tcp 10.0.0.1:80 strict maybe
expect 2 'hash must be' "bad hash" -- service set tcp 10.0.0.1:80 hash dst
expect 2 'table-size must be' "table size above the maximum" -- service add tcp 10.0.0.1:80 table-size 2000000
expect 2 'nothing to change' "service set without options" -- service set tcp 10.0.0.1:80
expect 2 'nothing to change' "server set without options" -- server set tcp 10.0.0.1:80 10.1.0.1
expect 2 'nothing to change' "config set without settings" -- config set
expect 2 'fill-limit must be' "fill-limit 101" -- config set fill-limit 101
expect 2 'unexpected argument' "extra argument to del" -- service del tcp 10.0.0.1:80 extra
expect 2 'unexpected argument' "extra argument to flush" -- service flush now
expect 2 'unexpected argument' "extra argument to save" -- save now
expect 2 'not complete' "server add without server" -- server add tcp 10.0.0.1:80
expect 2 'not complete' "service add without VIP" -- service add tcp
expect 2 'PROTO must be' "stats with a bad service" -- stats show sctp 10.0.0.1:80
expect 2 'Command "frob" is unknown' "unknown stats command" -- stats frob
expect 2 'unexpected argument' "-b with extra arguments" -- -b /dev/null service show

# --- no module: failures exit 1 ---------------------------------------
if ((module_loaded)); then
	skip "hlb version without the module" "module loaded"
	skip "valid commands without the module" "module loaded"
else
	expect 1 'hlb kernel module not loaded \(generic netlink family "hlb" not found\)' \
		"hlb version without the module: exit 1" -- version
	for args in "service show" "service add tcp 10.0.0.1:80 mode hybrid" \
		    "server add udp [2001:db8::1]:53 [2001:db8::2]" \
		    "session flush" "stats" "config show" "save" "monitor"; do
		# shellcheck disable=SC2086
		expect 1 'not loaded' "valid \"$args\" reaches netlink, exit 1" -- $args
	done
fi
expect 1 'Cannot open network namespace' "-n with a missing namespace" -- -n hlb-test-nonexistent-$$ version

# --- batch ------------------------------------------------------------
cat >"$TMP/garbage.batch" <<'EOF'
# a comment, then a blank line

   # an indented comment
service add tcp 10.0.0.1:80 mode warp
service show
EOF
run "$HLB" -b "$TMP/garbage.batch"
if [[ $rc -ne 0 && $err == *"Command failed $TMP/garbage.batch:4"* && \
      $err == *'argument "warp" is wrong'* ]]; then
	ok "batch: garbage line fails with \"Command failed FILE:4\""
else
	not_ok "batch: garbage line fails with \"Command failed FILE:4\"" \
		"exit $rc" "$err"
fi

printf 'help\n\n# nothing else\n' >"$TMP/ok.batch"
run "$HLB" -b "$TMP/ok.batch"
if [[ $rc -eq 0 && $out == *Usage* ]]; then
	ok "batch: comments, blank lines and help succeed"
else
	not_ok "batch: comments, blank lines and help succeed" "exit $rc" "$err"
fi

printf 'service add tcp "10.0.0.1:80" mode "bogus value"\n' >"$TMP/quote.batch"
run "$HLB" -b "$TMP/quote.batch"
if [[ $rc -eq 1 && $err == *'argument "bogus value" is wrong'* && \
      $err == *"quote.batch:1"* ]]; then
	ok "batch: double quotes group words"
else
	not_ok "batch: double quotes group words" "exit $rc" "$err"
fi

printf 'help\nservice add tcp "10.0.0.1:80\n' >"$TMP/unbalanced.batch"
run "$HLB" -b "$TMP/unbalanced.batch"
if [[ $rc -eq 1 && $err == *"unbalanced quote"* && \
      $err == *"unbalanced.batch:2"* ]]; then
	ok "batch: unbalanced quote fails at its line"
else
	not_ok "batch: unbalanced quote fails at its line" "exit $rc" "$err"
fi

printf 'help\nfoo bar\n' | "$HLB" -b - >/dev/null 2>"$TMP/err"
rc=$?
if [[ $rc -eq 1 ]] && grep -q 'Command failed -:2' "$TMP/err"; then
	ok "batch from stdin: \"Command failed -:2\", exit 1"
else
	not_ok "batch from stdin: \"Command failed -:2\", exit 1" "exit $rc" \
		"$(cat "$TMP/err")"
fi

expect 1 'Cannot open file' "batch: missing file, exit 1" -- -b "$TMP/nonexistent"

if ((module_loaded)); then
	skip "batch: a valid line without the module" "module loaded"
else
	printf 'service flush\n' >"$TMP/valid.batch"
	run "$HLB" -b "$TMP/valid.batch"
	if [[ $rc -eq 1 && $err == *"not loaded"* && $err == *"valid.batch:1"* ]]; then
		ok "batch: a valid line without the module fails at line 1"
	else
		not_ok "batch: a valid line without the module fails at line 1" \
			"exit $rc" "$err"
	fi
fi

# --- fuzz -------------------------------------------------------------
fuzz() {
	local dir=$TMP/fuzz f bad=0 crashed=()

	mkdir -p "$dir"
	python3 - "$dir" "$FUZZ_LINES" "$FUZZ_SEED" <<'EOF' || return 1
import os, random, sys

out, count, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(seed)
words = """service server session stats config save version help show list
add set change del delete flush reset serv s se ses st sa sh a d f h tcp udp
sctp mode stateless stateful hybrid hash src src-port table-size seed sched
wlc strict on off pin none transition syn-timeout est-timeout fin-timeout
close-timeout udp-timeout sessions-high sessions-low newflow-high newflow-low
pps-high pps-low hold dwell weight max-conns session-limit fill-limit""".split()
values = ["0", "1", "80", "65535", "65536", "70000", "-1", "+5",
          "4294967295", "4294967296", "99999999999999999999999", "1.5",
          "10ms", "1500ms", "5s", "2m", "3h", "7d", "0x10", "80%", "101%",
          "10.0.0.1:80", "10.0.0.1", "10.0.0.1:", "10.0.0.1:0",
          "10.0.0.256:1", "[::1]:80", "[::1]", "[::1", "::1]:80", "[]:80",
          "[2001:db8::1]:443", "2001:db8::1", "[10.0.0.1]:80", ":80", "",
          "[", "]", ":", "\"\"", "\"a b\"", "#", "a#b", "%s%n%x",
          "\\", "\t", "\u00e9\u00e8", "\U0001F600"]

objects = ["service", "server", "session", "stats", "config", "save",
           "version", "serv", "s", "serve", "ses", "st", "c", "help"]
commands = ["add", "set", "change", "del", "delete", "show", "list", "flush",
            "reset", "sh", "a", "d", "help", ""]
keywords = [w for w in words if w not in objects]

def token():
    r = rnd.random()
    if r < 0.45:
        return rnd.choice(words)
    if r < 0.80:
        return rnd.choice(values)
    if r < 0.95:
        n = rnd.randrange(0, 40)
        return "".join(chr(rnd.randrange(33, 127)) for _ in range(n))
    return "A" * rnd.randrange(1, 100000)

def value():
    return token() if rnd.random() < 0.3 else rnd.choice(values)

def structured():
    # Mostly well-formed up to a point, so parsing gets deep.
    t = [rnd.choice(objects), rnd.choice(commands)]
    if rnd.random() < 0.8:
        t += [rnd.choice(["tcp", "udp", "tcp", "sctp"]), value()]
    if rnd.random() < 0.4:
        t.append(value())
    for _ in range(rnd.randrange(0, 8)):
        t += [rnd.choice(keywords) if rnd.random() < 0.8 else token(),
              value()]
    if rnd.random() < 0.2:
        del t[rnd.randrange(len(t))]
    return t

for i in range(count):
    r = rnd.random()
    if r < 0.85:
        if r < 0.6:
            t = structured()
        else:
            t = [token() for _ in range(rnd.randrange(1, 14))]
        data = " ".join(t).encode("utf-8", "surrogatepass")
    else:
        # raw bytes, NUL and high bytes included, no newline
        data = bytes(rnd.choice([b for b in range(256) if b != 10])
                     for _ in range(rnd.randrange(1, 300)))
    with open(os.path.join(out, "%04d" % i), "wb") as f:
        f.write(data + b"\n")
EOF
	for f in "$dir"/*; do
		timeout 20 "$HLB_ASAN" -b - <"$f" >/dev/null 2>"$TMP/err"
		rc=$?
		# 0 is right for "help ..." and comment-only lines.
		if ((rc > 2)) || ! sanitizer_clean; then
			bad=$((bad + 1))
			crashed+=("$(basename "$f"): exit $rc $(grep -m1 -E 'Sanitizer|runtime error' "$TMP/err")")
			((${#crashed[@]} > 5)) && break
		fi
	done
	if ((bad)); then
		not_ok "fuzz: $FUZZ_LINES random lines through hlb-asan -b - (seed $FUZZ_SEED)" \
			"${crashed[@]}"
	else
		ok "fuzz: $FUZZ_LINES random lines through hlb-asan -b -: exit 0-2, no sanitizer report (seed $FUZZ_SEED)"
	fi
}

if ((module_loaded)); then
	skip "fuzz" "module loaded: random lines could change its configuration"
elif ! command -v python3 >/dev/null; then
	skip "fuzz" "python3 not found"
else
	fuzz
fi

tap_done
