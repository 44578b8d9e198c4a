#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tests of the bash completion (hlb.bash-completion) without a kernel
# module: it registers for hlb; what it offers at each position of a
# command line, abbreviations and colons in VIP:PORT included; that its
# keywords and values are exactly those of the CLI's own usage text; and,
# with a stand-in hlb that prints a canned configuration, that it offers
# the services and servers of the namespace given with -n, and never runs
# hlb while the module is not loaded.
#
# TAP output; exit 0 if every test passed, 1 otherwise.
#
#   HLB=path/to/hlb bash tests/completion.sh

set -u

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(dirname "$HERE")
HLB=${HLB:-$SRC/hlb}
COMPLETION=${HLB_COMPLETION:-$SRC/hlb.bash-completion}

source "$HERE/tap.sh"

[[ -x $HLB ]] || make -s -C "$SRC" all >&2 || exit 1

echo "TAP version 13"

# shellcheck source=SCRIPTDIR/../hlb.bash-completion
source "$COMPLETION"

spec=$(complete -p hlb 2>&1)
if [[ $spec == "complete -F _hlb hlb" ]]; then
	ok "registered for hlb: $spec"
else
	not_ok "registered for hlb" "complete -p hlb: $spec"
fi

# comp LINE: what completing at the end of LINE offers, sorted, one line.
# Sets COMP_WORDS and COMP_CWORD as bash would (colons break words).
comp() {
	local line=$1 wb=${COMP_WORDBREAKS:-}

	COMP_LINE=$line
	COMP_POINT=${#line}
	COMP_WORDBREAKS=$' \t\n"\'><=;|&(:'
	read -ra COMP_WORDS <<<"${line//:/ : }"
	[[ $line == *[[:space:]] || $line == *: ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=(stale)
	_hlb 2>"$TMP/comp.err"
	COMP_WORDBREAKS=$wb
	printf '%s\n' "${COMPREPLY[@]}" | sort | paste -sd' '
}

# expect_comp LINE WORDS...: completing LINE offers exactly WORDS.
expect_comp() {
	local line=$1 got want

	shift
	want=$(printf '%s\n' "$@" | sed '/^$/d' | sort | paste -sd' ')
	got=$(comp "$line")
	if [[ $got == "$want" && ! -s $TMP/comp.err ]]; then
		ok "\"$line\" offers: ${want:-nothing}"
	else
		not_ok "\"$line\" offers: ${want:-nothing}" "got: $got" \
			"stderr: $(cat "$TMP/comp.err")"
	fi
}

objects="service server session stats config monitor save version help"
svc_kws="mode hash table-size seed sched strict pin transition syn-timeout
est-timeout fin-timeout close-timeout udp-timeout sessions-high sessions-low
newflow-high newflow-low pps-high pps-low hold dwell"
cfg_kws="session-limit fill-limit syn-timeout est-timeout fin-timeout
close-timeout udp-timeout"

# --- positions of the grammar ----------------------------------------
# shellcheck disable=SC2086 # lists of words, split on purpose
{
expect_comp "hlb " $objects
expect_comp "hlb se" service server session
expect_comp "hlb sa" save
expect_comp "hlb x" ""
expect_comp "hlb --" --json --pretty --netns --batch --version --help
expect_comp "hlb -j " $objects
expect_comp "hlb -json -n blue " $objects
expect_comp "hlb --netns=blue " $objects
expect_comp "hlb -V " ""
expect_comp "hlb -b cmds.txt " ""
expect_comp "hlb service " add set del show flush help
expect_comp "hlb server " add set del show help
expect_comp "hlb session " show flush help
expect_comp "hlb stats " show reset help tcp udp
expect_comp "hlb config " show set help
expect_comp "hlb monitor " help
expect_comp "hlb help " ""
expect_comp "hlb service add " tcp udp
expect_comp "hlb service add tcp 10.0.0.1:80 " $svc_kws
expect_comp "hlb service add tcp 10.0.0.1:80 mode " stateless stateful hybrid
expect_comp "hlb service add tcp 10.0.0.1:80 hash " src src-port
expect_comp "hlb service set tcp 10.0.0.1:80 sched " hash wlc
expect_comp "hlb service set tcp 10.0.0.1:80 strict " on off
expect_comp "hlb service set tcp 10.0.0.1:80 pin " none stateless stateful
expect_comp "hlb service set tcp 10.0.0.1:80 hold " ""
expect_comp "hlb service add tcp 10.0.0.1:80 mode hybrid h" hash hold
expect_comp "hlb service add tcp 10.0.0.1:80 mode hybrid hold 5s dwell 1s p" \
	pin pps-high pps-low
expect_comp "hlb service del tcp 10.0.0.1:80 " ""
expect_comp "hlb service flush " ""
expect_comp "hlb server add tcp 10.0.0.1:80 10.1.0.1:8080 " weight max-conns
expect_comp "hlb server set tcp 10.0.0.1:80 10.1.0.1 weight 0 " max-conns
expect_comp "hlb stats reset " ""
expect_comp "hlb config set " $cfg_kws
expect_comp "hlb config set fill-limit 90 session-limit 1000 " \
	syn-timeout est-timeout fin-timeout close-timeout udp-timeout
}

# --- abbreviations, as hlb resolves them ------------------------------
expect_comp "hlb s a" add
expect_comp "hlb serv s" set show
expect_comp "hlb serve ch tcp 10.0.0.1:80 10.1.0.1 " weight max-conns
expect_comp "hlb ses s" show
expect_comp "hlb st r" reset
expect_comp "hlb c s session-limit 5 fill-limit 1 syn-timeout 1 est-timeout 1 fin-timeout 1 close-timeout 1 " \
	udp-timeout
expect_comp "hlb s s tcp 10.0.0.1:80 m" mode
expect_comp "hlb s sh tcp 10.0.0.1:80 m" ""

# --- the CLI's usage text and the completion agree --------------------
# Every "[ keyword" of a usage text, and the values of the enums.
usage_kws() {
	"$HLB" "$1" help | grep -oE '\[ [a-z-]+ ' | awk '{ print $2 }' |
		sort -u | paste -sd' '
}
usage_vals() {
	"$HLB" service help | grep -oE "\[ $1 [a-z| -]+\]" |
		sed -E "s/^\[ $1 //; s/ ?\]$//; s/ \| /\n/g" | sort | paste -sd' '
}
same() {
	if [[ $2 == "$3" ]]; then
		ok "$1"
	else
		not_ok "$1" "CLI:        $2" "completion: $3"
	fi
}
same "service keywords are the CLI's" "$(usage_kws service)" \
	"$(comp "hlb service add tcp 10.0.0.1:80 ")"
same "server keywords are the CLI's" "$(usage_kws server)" \
	"$(comp "hlb server add tcp 10.0.0.1:80 10.1.0.1 ")"
same "config keywords are the CLI's" "$(usage_kws config)" \
	"$(comp "hlb config set ")"
for kw in mode hash sched strict pin; do
	same "values of $kw are the CLI's" "$(usage_vals "$kw")" \
		"$(comp "hlb service add tcp 10.0.0.1:80 $kw ")"
done
same "objects are the CLI's" \
	"$("$HLB" help | sed -n '/^OBJECT/,/}/p' | tr -d '{}|:=' |
	   tr ' ' '\n' | grep -vx -e '' -e OBJECT | sort | paste -sd' ')" \
	"$(comp "hlb ")"
for obj in service server session stats config; do
	same "commands of $obj are the CLI's" \
		"$("$HLB" "$obj" help |
		   grep -oE "^(Usage:)? +hlb $obj (\[ )?[a-z]+" |
		   awk '{ print $NF }' | sort -u | paste -sd' ')" \
		"$(comp "hlb $obj " | tr ' ' '\n' |
		   grep -vx -e help -e tcp -e udp | paste -sd' ')"
done

# --- services and servers from a stand-in hlb -------------------------
# It logs its arguments and prints what hlb prints for this configuration.
cat >"$TMP/hlb" <<EOF
#!/bin/bash
echo "\$*" >>"$TMP/calls"
case "\$*" in
*"service show")
	cat <<'OUT'
service tcp 10.9.0.1:80 mode hybrid method stateful hash src-port table-size 65537 seed 0 sched hash strict off pin none transition 1m
    sessions-high 0 sessions-low 0 newflow-high 5000 newflow-low 1000 pps-high 0 pps-low 0 hold 5s dwell 1s
    id 1 servers 2 switches 0
service tcp 10.9.0.2:443 mode stateless method stateless hash src-port table-size 65537 seed 0 sched hash strict off pin none transition 1m
    id 2 servers 0 switches 0
service udp [fd09::1]:53 mode stateful method stateful hash src table-size 65537 seed 0 sched hash strict off pin none transition 1m
    id 3 servers 1 switches 0
OUT
	;;
*"server show tcp 10.9.0.1:80")
	cat <<'OUT'
server tcp 10.9.0.1:80 10.1.1.2:80 weight 1 max-conns 0 state active
server tcp 10.9.0.1:80 10.1.2.2:8080 weight 2 max-conns 0 state active
OUT
	;;
*"server show udp [fd09::1]:53")
	echo "server udp [fd09::1]:53 [fd01:1::2]:53 weight 1 max-conns 0 state active"
	;;
esac
EOF
chmod +x "$TMP/hlb"
fake=$TMP/hlb

# The module is "loaded" from here on.
# shellcheck disable=SC2317 # called by the completion
_hlb_loaded() { true; }
expect_comp "$fake service set tcp " 10.9.0.1:80 10.9.0.2:443
expect_comp "$fake service show udp " "[fd09::1]:53"
expect_comp "$fake service add tcp " ""
expect_comp "$fake server add tcp 10.9.0." 10.9.0.1:80 10.9.0.2:443
# After a colon bash replaces only the rest of the word.
expect_comp "$fake server add tcp 10.9.0.1:" 80
expect_comp "$fake session show udp [fd09::" "1]:53"
expect_comp "$fake session show udp [fd09::1]:" 53
expect_comp "$fake server del tcp 10.9.0.1:80 " 10.1.1.2:80 10.1.2.2:8080
expect_comp "$fake server set tcp 10.9.0.1:80 10.1.2.2:" 8080
expect_comp "$fake server del udp [fd09::1]:53 " "[fd01:1::2]:53"
expect_comp "$fake server add tcp 10.9.0.1:80 " ""
expect_comp "$fake stats tcp " 10.9.0.1:80 10.9.0.2:443
expect_comp "$fake st sh tcp 10.9.0.2" 10.9.0.2:443
for opt in "-n blue" "-netns blue" "--netns=blue" "-j -ne blue"; do
	rm -f "$TMP/calls"
	comp "$fake $opt server del tcp 10.9.0.1:80 " >/dev/null
	if [[ $(cat "$TMP/calls" 2>/dev/null) == \
	      "-n blue server show tcp 10.9.0.1:80" ]]; then
		ok "$opt: the namespace is passed on to hlb"
	else
		not_ok "$opt: the namespace is passed on to hlb" \
			"calls: $(cat "$TMP/calls" 2>&1)"
	fi
done

# With the module not loaded, hlb must not run: it would load it.
unset -f _hlb_loaded
# shellcheck source=SCRIPTDIR/../hlb.bash-completion
source "$COMPLETION"
if [[ -d /sys/module/hlb ]]; then
	echo "ok $((n + 1)) - hlb not run without the module # SKIP module loaded"
	n=$((n + 1))
else
	rm -f "$TMP/calls"
	expect_comp "$fake service set tcp " ""
	if [[ ! -e $TMP/calls ]]; then
		ok "hlb not run while the module is not loaded"
	else
		not_ok "hlb not run while the module is not loaded" \
			"calls: $(cat "$TMP/calls")"
	fi
fi

echo "1..$n"
[[ $failed -eq 0 ]]
