#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A large configuration: 10,000 services with 10 servers each go in with
# one batch, and a dump of all 100,000 servers taken while more services
# are being added is complete: every server that existed before the dump
# began appears exactly once. HLB_SCALE_SERVICES scales it down (make
# check-debug: the debug kernel is about ten times slower).
source "$(dirname "$0")/lib.sh"

GEN="$PYTHON $TESTS_DIR/tools/config_gen.py"
NSVC=${HLB_SCALE_SERVICES:-10000}
NSRV=10
NMORE=$((NSVC / 5))
TMP=$(mktemp -d)
defer rm -rf "$TMP"

hlb_load || exit "$ksft_fail"
setup_ns A

$GEN scale "$NSVC" "$NSRV" 0 >"$TMP/batch"
$GEN scale "$NMORE" "$NSRV" "$NSVC" >"$TMP/more"
start=$SECONDS
log_test "$NSVC services, $((NSVC * NSRV)) servers in one batch" \
	hlbn "$A" -b "$TMP/batch"
log "applied in $((SECONDS - start)) s"
log_test "the namespace counts them" \
	eval 'hlbn "$A" config show | grep -q "services $NSVC\b"'

# The dump runs while another batch adds services at the end.
hlbn "$A" -b "$TMP/more" &
adder=$!
start=$SECONDS
log_test "server dump during concurrent adds" \
	eval 'hlbn "$A" -j server show >"$TMP/dump.json"'
log "dumped in $((SECONDS - start)) s"
log_test "the concurrent batch succeeded" wait "$adder"
log_test "every server present before the dump, exactly once" \
	$GEN count "$TMP/dump.json" "$NSVC" "$NSRV"
log_test "service dump is complete" \
	eval '[[ $(hlbn "$A" service show | grep -c "^service") -eq $((NSVC + NMORE)) ]]'
log_test "flush removes them all" \
	eval 'hlbn "$A" service flush && [[ -z $(hlbn "$A" service show) ]]'
exit "$EXIT_STATUS"
