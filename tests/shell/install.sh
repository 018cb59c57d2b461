#!/bin/bash
# install.sh — `meson install` into a scratch DESTDIR: the layout (binary,
# manual page, the three shell completions, the shipped profiles, the log's
# schema), that the installed binary finds its profiles relative to itself,
# that man renders the page without a warning, that each completion file
# loads and completes, and that the manual page and the completions name
# every option of `netbox --help` (so that they cannot drift from
# launcher/options.c).
#
# The build directory is NETBOX_BUILD_DIR if set, else the one $NETBOX was
# built in (BUILD/launcher/netbox).
. "$(dirname "$0")/../lib.sh"

SRC=$(cd "$LIB_DIR/.." && pwd)
B=${NETBOX_BUILD_DIR:-$(cd "$(dirname "$NETBOX")/.." && pwd)}
if [ ! -f "$B/meson-private/coredata.dat" ]; then
	echo "1..0 # SKIP $B is not a meson build directory (set NETBOX_BUILD_DIR)"
	exit 0
fi
MESON=${MESON:-$(command -v meson)}
if [ -z "$MESON" ]; then
	echo "1..0 # SKIP meson is not in PATH"
	exit 0
fi

T=$(mktemp -d /tmp/netbox-install.XXXXXX)
lib_on_exit "rm -rf '$T'"
D="$T/dest"

# --- meson install -------------------------------------------------------------

OUT=$("$MESON" install -C "$B" --destdir "$D" --no-rebuild 2>&1)
RC=$?
t_is "$RC" 0 "meson install --destdir succeeds"
[ "$RC" -eq 0 ] || printf '%s\n' "$OUT" | tail -20 | sed 's/^/#   /'

# The directories, from the build's own options (prefix, bindir, ...).
eval "$("$MESON" introspect "$B" --buildoptions | "$PY" -c '
import json, shlex, sys
opts = {o["name"]: o["value"] for o in json.load(sys.stdin)}
for k in ("prefix", "bindir", "mandir", "datadir", "libexecdir"):
    v = opts[k] if k == "prefix" or opts[k].startswith("/") else opts["prefix"] + "/" + opts[k]
    print("%s=%s" % (k.upper(), shlex.quote(v)))
')"
t_diag "prefix $PREFIX, bindir $BINDIR, mandir $MANDIR, datadir $DATADIR"

BIN="$D$BINDIR/netbox"
MAN="$D$MANDIR/man1/netbox.1"
[ -f "$MAN" ] || MAN="$MAN.gz"
BASHC="$D$DATADIR/bash-completion/completions/netbox"
ZSHC="$D$DATADIR/zsh/site-functions/_netbox"
FISHC="$D$DATADIR/fish/vendor_completions.d/netbox.fish"
PROFDIR="$D$DATADIR/netbox/profiles"
SCHEMA="$D$DATADIR/netbox/log.schema.json"

[ -f "$BIN" ] && [ -x "$BIN" ]
t_ok $? "the binary: ${BIN#"$D"}, executable"
t_is "$("$BIN" --version 2>&1)" "$("$NETBOX" --version 2>&1)" "the installed binary is the one built"
[ -f "$MAN" ]
t_ok $? "the manual page: ${MAN#"$D"}"
for f in "$BASHC" "$ZSHC" "$FISHC"; do
	[ -f "$f" ] && [ -s "$f" ]
	t_ok $? "a completion file: ${f#"$D"}"
done
cmp -s "$SCHEMA" "$SRC/docs/log.schema.json"
t_ok $? "the log's schema: ${SCHEMA#"$D"}"

if [ -d "$SRC/profiles" ]; then
	n_src=$(find "$SRC/profiles" -maxdepth 1 -name '*.profile' | wc -l)
	n_inst=$(find "$PROFDIR" -maxdepth 1 -name '*.profile' 2>/dev/null | wc -l)
	t_is "$n_inst" "$n_src" "the shipped profiles: ${PROFDIR#"$D"} holds all $n_src"
	bad=$(find "$PROFDIR" -maxdepth 1 -name '*.profile' -perm /022 2>/dev/null)
	t_is "$bad" "" "no installed profile is group- or world-writable (netbox would refuse it)"
	# Found relative to the binary (PREFIX/bin -> PREFIX/share/netbox/profiles),
	# (HOME empty: no user profile in the way).
	mkdir -p "$T/home"
	listed=$(HOME="$T/home" XDG_CONFIG_HOME="$T/home/.config" "$BIN" --list-profiles 2>&1)
	want=$(find "$PROFDIR" -maxdepth 1 -name '*.profile' -printf '%f\n' 2>/dev/null | sed 's/\.profile$//' | sort)
	missing=$(comm -23 <(printf '%s\n' "$want") <(printf '%s\n' "$listed" | sort) | xargs)
	t_is "$missing" "" "the installed binary finds the installed profiles (netbox --list-profiles)"
else
	t_skip "the shipped profiles are installed" "no profiles/ in the source tree yet"
fi

# --- the AppArmor profile (apparmor/meson.build) ------------------------------------
# -Dapparmor=auto installs it when the machine has /etc/apparmor.d; always
# into /etc/apparmor.d (AppArmor reads nothing else), named after the binary.
AAOPT=$("$MESON" introspect "$B" --buildoptions | "$PY" -c '
import json, sys
print([o["value"] for o in json.load(sys.stdin) if o["name"] == "apparmor"][0])')
if [ "$AAOPT" = enabled ] || { [ "$AAOPT" = auto ] && [ -d /etc/apparmor.d ]; }; then
	AANAME=$(printf '%s' "${BINDIR#/}/netbox" | tr / .)
	[ "$BINDIR" = /usr/bin ] && AANAME=netbox
	AAPROF="$D/etc/apparmor.d/$AANAME"
	grep -qx "profile $AANAME $BINDIR/netbox flags=(unconfined) {" "$AAPROF" 2>/dev/null
	t_ok $? "-Dapparmor=$AAOPT: the AppArmor profile /etc/apparmor.d/$AANAME names $BINDIR/netbox"
	grep -qx "  userns," "$AAPROF" 2>/dev/null
	t_ok $? "the AppArmor profile grants userns"
	[ -x "$D$LIBEXECDIR/netbox/apparmor-setup" ]
	t_ok $? "apparmor-setup, which loads it, is installed: $LIBEXECDIR/netbox/apparmor-setup"
	[ ! -e "$D/etc/apparmor.d/disable" ]
	t_ok $? "a staged install (DESTDIR) loads and disables nothing"
else
	[ ! -e "$D/etc/apparmor.d" ]
	t_ok $? "-Dapparmor=$AAOPT and no /etc/apparmor.d here: no AppArmor profile installed"
fi

# --- the manual page -------------------------------------------------------------

man_src() { case $MAN in *.gz) zcat "$MAN" ;; *) cat "$MAN" ;; esac; }
ROFF=$(man_src)
if command -v man >/dev/null; then
	WARN=$(MANWIDTH=80 man --warnings -E UTF-8 -l "$MAN" 2>&1 >/dev/null)
	t_is "$WARN" "" "man -l renders the page without a warning"
	TEXT=$(MANWIDTH=80 man -E UTF-8 -l "$MAN" 2>/dev/null | col -b)
elif command -v groff >/dev/null; then
	WARN=$(man_src | groff -k -man -ww -z 2>&1)
	t_is "$WARN" "" "groff renders the page without a warning"
	TEXT=$(man_src | groff -k -man -Tutf8 -P-cbou 2>/dev/null)
else
	t_skip "the page renders without a warning" "neither man nor groff is installed"
	TEXT=
fi
if [ -n "$TEXT" ]; then
	missing=
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS RULES PROFILES DEFAULTS "THE NETWORK" \
		"EXIT STATUS" FILES EXAMPLES SECURITY "SEE ALSO"; do
		printf '%s\n' "$TEXT" | grep -qx "$s" || missing="$missing [$s]"
	done
	t_is "$missing" "" "the page has every section"
	t_like "$TEXT" "netbox $("$NETBOX" --version | cut -d' ' -f2)" "the page carries the version"
	t_like "$TEXT" "bwrap\(1\), firejail\(1\), unshare\(1\)" "SEE ALSO names bwrap, firejail, unshare"
fi
if command -v lexgrog >/dev/null; then
	t_like "$(lexgrog "$MAN" 2>&1)" '"netbox - run one untrusted program' "lexgrog (whatis) parses the NAME section"
fi

# --- what `netbox --help` lists ------------------------------------------------------

# One line per option: LONG SHORT KIND (SHORT "-" if none; KIND arg, optarg
# for --opt[=ARG], or flag).
HELP=$("$NETBOX" --help)
OPTS=$(printf '%s\n' "$HELP" | "$PY" -c '
import re, sys
for line in sys.stdin:
    m = re.match(r"^ +(?:-([A-Za-z]), )?--([a-z][a-z0-9-]*)(\[=\S+\]| \S+)? +\S", line)
    if m:
        kind = "flag" if not m.group(3) else ("optarg" if m.group(3).startswith("[=") else "arg")
        print(m.group(2), m.group(1) or "-", kind)
')
n_opts=$(printf '%s\n' "$OPTS" | grep -c .)
[ "$n_opts" -ge 15 ]
t_ok $? "netbox --help lists the options ($n_opts found)"

# --- drift: the manual page -----------------------------------------------------------

# Each option is a definition under OPTIONS: a roff line that starts with it
# in bold (\fB--ro\fR \fIPATH\fR, \fB-q\fR, \fB--quiet\fR).
missing=
while read -r long short kind; do
	printf '%s\n' "$ROFF" | grep -qE "^(\\\\fB-[A-Za-z]\\\\fR, )?\\\\fB--$long\\\\fR" ||
		missing="$missing --$long"
	if [ "$short" != - ]; then
		printf '%s\n' "$ROFF" | grep -qE "^\\\\fB-$short\\\\fR, " || missing="$missing -$short"
	fi
done <<<"$OPTS"
t_is "$missing" "" "the manual page documents every option of netbox --help"

# --- the bash completion -------------------------------------------------------------

if command -v bash >/dev/null; then
	OUT=$(bash --norc --noprofile -c 'source "$1"' _ "$BASHC" 2>&1)
	t_is "$?:$OUT" "0:" "bash: the completion file sources without an error"

	# bcomp [-b] NETBOX-PATH WORDS... — what _netbox offers for the last
	# word, one per line (-b: with bash-completion loaded).
	bcomp() {
		local pre=
		if [ "$1" = -b ]; then
			pre='source /usr/share/bash-completion/bash_completion 2>/dev/null;'
			shift
		fi
		bash --norc --noprofile -c "$pre"'
			fakecmd() { :; }
			_fakecmd() { COMPREPLY=("fake:$COMP_CWORD:${COMP_WORDS[0]}:${COMP_WORDS[COMP_CWORD]}"); }
			complete -F _fakecmd fakecmd
			source "$1" || exit 3
			shift
			COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
			COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
			_netbox "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>/dev/null
			printf "%s\n" "${COMPREPLY[@]}"' _ "$BASHC" "$@" 2>&1
	}
	t_is "$(bcomp netbox --al)" "--allow
--allow-unix" "bash: netbox --al<TAB> offers --allow and --allow-unix"
	t_is "$(bcomp netbox --net '' | sort | xargs)" "filter none" "bash: netbox --net <TAB> offers filter none"
	t_is "$(bcomp netbox --net = f | xargs)" "filter" "bash: netbox --net=f<TAB> offers filter"
	t_is "$(bcomp netbox --seccomp = '' | sort | xargs)" "off on" "bash: netbox --seccomp=<TAB> offers on off"
	mkdir -p "$T/paths/some-dir"
	t_is "$(bcomp netbox --ro "$T/paths/so")" "$T/paths/some-dir" "bash: netbox --ro PATH<TAB> completes paths"
	t_like "$(cd "$T" && bcomp netbox -q --hide pa)" "^paths$" "bash: netbox --hide <TAB> completes paths (relative)"
	t_like "$(bcomp netbox --allow x.test bas)" "^bash$" "bash: after the options, the program's name completes"
	if [ -d "$SRC/profiles" ]; then
		t_like "$(HOME="$T/home" bcomp "$BIN" --profile np)" "^npm$" \
			"bash: netbox --profile np<TAB> offers npm (from netbox --list-profiles)"
	fi
	t_is "$(bcomp /nonexistent/netbox --profile np)" "" "bash: --profile completes nothing from a netbox that fails"
	if [ -f /usr/share/bash-completion/bash_completion ]; then
		t_is "$(bcomp -b netbox --allow x.test -q fakecmd a)" "fake:1:fakecmd:a" \
			"bash: after the program, its own completion runs (_command_offset)"
		t_is "$(bcomp -b netbox -- fakecmd '')" "fake:1:fakecmd:" \
			"bash: after --, the program's own completion runs"
	else
		t_skip "bash: the program's own completion runs" "bash-completion is not installed"
	fi

	# Drift: every option of --help completes, and the options that take an
	# argument in the next word are known as such.
	OFFERED=$(bcomp netbox -)
	missing=
	wrong=
	ARGOPTS=$(bash --norc --noprofile -c 'source "$1"; printf "%s\n" "${_netbox_opts_arg[@]}"' _ "$BASHC")
	while read -r long short kind; do
		printf '%s\n' "$OFFERED" | grep -qxF -- "--$long" || missing="$missing --$long"
		[ "$short" = - ] || printf '%s\n' "$OFFERED" | grep -qxF -- "-$short" || missing="$missing -$short"
		if printf '%s\n' "$ARGOPTS" | grep -qxF -- "--$long"; then
			[ "$kind" = arg ] || wrong="$wrong --$long"
		else
			[ "$kind" != arg ] || wrong="$wrong --$long"
		fi
	done <<<"$OPTS"
	t_is "$missing" "" "bash: the completion offers every option of netbox --help"
	t_is "$wrong" "" "bash: the completion knows which options take an argument"
	extra=$(printf '%s\n' "$OFFERED" | while read -r o; do
		printf '%s\n' "$HELP" | grep -qE -- "(^| )$o([ ,[]|$)" || printf ' %s' "$o"
	done)
	[ -z "$extra" ] || t_diag "note: the bash completion offers options that --help does not list:$extra"
else
	t_skip "bash completion" "bash is not installed"
fi

# --- zsh and fish ---------------------------------------------------------------------

missing=
while read -r long short kind; do
	grep -qE -- "--$long(=-?)?\[|,--$long\}" "$ZSHC" || missing="$missing --$long"
	[ "$short" = - ] || grep -qF -- "{-$short," "$ZSHC" || missing="$missing -$short"
done <<<"$OPTS"
t_is "$missing" "" "zsh: the completion names every option of netbox --help"
t_is "$(head -1 "$ZSHC")" "#compdef netbox" "zsh: the file starts with the compdef line"
if command -v zsh >/dev/null; then
	OUT=$(zsh -n "$ZSHC" 2>&1)
	t_is "$?:$OUT" "0:" "zsh -n parses the completion"
else
	t_skip "zsh -n parses the completion" "zsh is not installed"
fi

missing=
while read -r long short kind; do
	grep -qE -- "-l $long( |$)" "$FISHC" || missing="$missing --$long"
	[ "$short" = - ] || grep -qE -- "-s $short( |$)" "$FISHC" || missing="$missing -$short"
done <<<"$OPTS"
t_is "$missing" "" "fish: the completion names every option of netbox --help"
if command -v fish >/dev/null; then
	OUT=$(fish --no-config -n "$FISHC" 2>&1)
	t_is "$?:$OUT" "0:" "fish -n parses the completion"
	# shellcheck disable=SC2016 # $argv is fish's
	fcomp() { fish --no-config -c 'source $argv[1]; complete -C $argv[2]' "$FISHC" "$1" 2>&1 | cut -f1; }
	t_is "$(fcomp 'netbox --al')" "--allow
--allow-unix" "fish: netbox --al<TAB> offers --allow and --allow-unix"
	t_is "$(fcomp 'netbox --net=' | xargs)" "--net=filter --net=none" "fish: netbox --net=<TAB> offers filter none"
	t_like "$(fcomp 'netbox --allow x.test bas')" "^bash$" "fish: after the options, the program's name completes"
else
	t_skip "fish -n parses the completion" "fish is not installed"
fi

t_done
