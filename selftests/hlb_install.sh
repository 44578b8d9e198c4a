#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Installing on a router, in the guest's throwaway root: `make
# install-files` (what `make install` runs after building) puts the module
# where depmod finds it, so `modprobe hlb` works by name and the kernel
# loads the module by itself when hlb first asks for its netlink family;
# the commands of the installed hlb.service restore a configuration saved
# to /etc/hlb/hlb.conf exactly, and its stop command clears it; the man
# page and the bash completion are installed and work; `make uninstall`
# removes all of it (the saved configuration stays).
source "$(dirname "$0")/lib.sh"

require_command make modinfo modprobe depmod man
PREFIX=/usr/local
SBIN=$PREFIX/sbin/hlb
MAN=$PREFIX/share/man/man8/hlb.8
COMPLETION=$PREFIX/share/bash-completion/completions/hlb
UNIT=$PREFIX/lib/systemd/system/hlb.service
KO=/lib/modules/$(uname -r)/updates/hlb.ko
CONF=/etc/hlb/hlb.conf
TMP=$(mktemp -d)
defer rm -rf "$TMP"

# The module under test: kmod/hlb.ko, or check-debug's build for its
# debug kernel (make install-files KO=...).
BUILT_KO=$HLB_KO
[[ $(modinfo -F vermagic "$BUILT_KO") == "$(uname -r) "* ]] ||
	skip "$BUILT_KO is not built for the running kernel $(uname -r)"
[[ ! -e $KO && ! -e $SBIN ]] || skip "hlb is installed already"

# Whatever happens, leave the guest as the other tests expect it: nothing
# installed, and the module under test loaded if it was (the tests after
# this one may count on it).
restore_module()
{
	hlb_unload
	[[ $was_loaded == 0 ]] || hlb_load
}
was_loaded=0
[[ -d /sys/module/hlb ]] && was_loaded=1
defer restore_module
defer rm -rf /etc/hlb
defer make -s -C "$TOP" uninstall

hlb_unload
log_test_err "before installing, the module is not found" 1 "not loaded" \
	"$HLB" version

log_test "make install-files" make -s -C "$TOP" install-files KO="$BUILT_KO"
log_test "module in updates/" cmp -s "$BUILT_KO" "$KO"
log_test "CLI in $PREFIX/sbin" eval '[[ -x $SBIN ]] && cmp -s "$TOP/tools/hlb/hlb" "$SBIN"'
log_test "CLI found by name" eval '[[ $(command -v hlb) == "$SBIN" ]]'
log_test "man page, completion, unit and /etc/hlb installed" \
	eval '[[ -f $MAN && -f $COMPLETION && -f $UNIT && -d /etc/hlb ]]'

# --- modprobe by name, and autoloading -------------------------------
log_test "depmod indexed it: modinfo -n hlb" eval '[[ $(modinfo -n hlb) == "$KO" ]]'
log_test "modprobe hlb" modprobe hlb
log_test "loaded" test -d /sys/module/hlb
log_test "modprobe -r hlb" modprobe -r hlb
log_test "unloaded" test ! -d /sys/module/hlb
log_test "hlb version loads the module" \
	eval 'hlb version | grep -q "^module 0.1.0"'
log_test "loaded by hlb version" test -d /sys/module/hlb
rmmod hlb
log_test "hlb service show loads the module" \
	eval 'hlb service show && test -d /sys/module/hlb'

# --- the unit restores a saved configuration -------------------------
hlb -b - <<'EOF'
config set session-limit 100000 fill-limit 80 est-timeout 10m
service add tcp 10.9.0.1:80 mode hybrid newflow-high 5000 newflow-low 1000 hold 10s dwell 2s transition 30s
server add tcp 10.9.0.1:80 10.1.1.2 weight 3
server add tcp 10.9.0.1:80 10.1.2.2:8080 max-conns 1000
server add tcp 10.9.0.1:80 10.1.3.2 weight 0
service add udp [fd09::1]:53 mode stateless hash src seed 7
server add udp [fd09::1]:53 [fd01:1::2]
EOF
log_test "a configuration" eval '[[ $(hlb service show | grep -c ^service) == 2 ]]'
hlb save >"$TMP/saved"
log_test "hlb save > $CONF" eval 'hlb save >"$CONF" &&
	[[ $(grep -c "^service add" "$CONF") == 2 ]]'

# unit_cmds KEY: the command lines of KEY= in the installed unit, without
# systemd's prefixes (-, @, :, +, !).
unit_cmds()
{
	sed -n "s/^$1=[-@:+!]*//p" "$UNIT"
}

# run_unit KEY: run KEY's command lines as systemd would (no shell).
run_unit()
{
	local line argv

	while read -r line; do
		[[ -n $line ]] || continue
		read -ra argv <<<"$line"
		log "$1: ${argv[*]}"
		"${argv[@]}" || return 1
	done <<<"$(unit_cmds "$1")"
}

log_test "the unit runs only when $CONF exists" \
	eval '[[ $(sed -n "s/^ConditionPathExists=//p" "$UNIT") == "$CONF" ]]'
log_test "ExecStart restores $CONF with the installed hlb" \
	eval '[[ $(unit_cmds ExecStart) == "$SBIN -b $CONF" ]]'
rmmod hlb
log_test "ExecStartPre and ExecStart with the module unloaded" \
	eval 'run_unit ExecStartPre && run_unit ExecStart'
log_test "configuration restored exactly" \
	eval 'hlb save | cmp -s - "$TMP/saved"'
log_test "ExecStop" run_unit ExecStop
log_test "ExecStop removed every service" \
	eval '[[ -z $(hlb service show) && -z $(hlb server show) ]]'
log_test "ExecStartPre and ExecStart again (restart)" \
	eval 'run_unit ExecStartPre && run_unit ExecStart'
log_test "configuration restored exactly again" \
	eval 'hlb save | cmp -s - "$TMP/saved"'
if command -v systemd-analyze >/dev/null; then
	log_test "systemd-analyze verify hlb.service" \
		eval 'systemd-analyze verify "$UNIT" 2>&1 | tee "$TMP/verify" &&
		      [[ ! -s $TMP/verify ]]'
else
	log "systemd-analyze not installed: unit not verified"
fi

# --- man page -------------------------------------------------------
# /usr/local/man may be a link to share/man: the same file either way.
log_test "man -w hlb finds the installed page" eval '[[ $(man -w hlb) -ef $MAN ]]'
log_test "man -l renders it" \
	eval 'MANWIDTH=80 man -l "$MAN" 2>"$TMP/man.err" >"$TMP/man.txt" &&
	      [[ ! -s $TMP/man.err ]] &&
	      grep -q "^NAME" "$TMP/man.txt" &&
	      grep -q "hlb - configure the hybrid" "$TMP/man.txt" &&
	      grep -q "^EXIT STATUS" "$TMP/man.txt"'

# --- bash completion, against the loaded module ----------------------
setup_ns blue
# complete LINE: what the installed completion offers at the end of LINE.
complete_line()
{
	bash --norc --noprofile -c '
		source "$1" || exit 1
		[[ $(complete -p hlb) == "complete -F _hlb hlb" ]] || exit 1
		COMP_LINE=$2 COMP_POINT=${#2}
		_hlb
		printf "%s\n" "${COMPREPLY[@]}" | sort | paste -sd" "' \
		_ "$COMPLETION" "$1"
}
log_test "completion: objects" \
	eq "$(complete_line "hlb ")" \
	"config help monitor save server service session stats version"
log_test "completion: the services of the module" \
	eq "$(complete_line "hlb server add tcp ")" "10.9.0.1:80"
log_test "completion: the servers of a service" \
	eq "$(complete_line "hlb server del tcp 10.9.0.1:80 ")" \
	"10.1.1.2:80 10.1.2.2:8080 10.1.3.2:80"
log_test "completion: IPv6 after the colon" \
	eq "$(complete_line "hlb service set udp [fd09::1]:")" "53"
log_test "completion: namespaces after -n" \
	eval 'complete_line "hlb -n " | grep -qw "$blue"'
log_test "completion: another namespace's services (none)" \
	eq "$(complete_line "hlb -n $blue service del tcp ")" ""

# --- uninstall ------------------------------------------------------
rmmod hlb
log_test "make uninstall" make -s -C "$TOP" uninstall
log_test "everything removed" \
	eval '[[ ! -e $KO && ! -e $SBIN && ! -e $MAN && ! -e $COMPLETION &&
		 ! -e $UNIT ]]'
log_test "the saved configuration stays" cmp -s "$CONF" "$TMP/saved"
log_test "depmod forgot the module" eval '! modinfo -n hlb 2>/dev/null'
log_test_err "no autoloading after uninstall" 1 "not loaded" "$HLB" version
exit "$EXIT_STATUS"
