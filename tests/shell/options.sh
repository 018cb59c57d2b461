#!/bin/bash
# options.sh — the command line: --help/--version, every bad option and
# value (exit 125, one line "netbox: what — how", the program not run),
# 126/127, --check, --, --pass-fd, --quiet, --net, --seccomp.
# shellcheck disable=SC2088 # literal ~ arguments are for netbox to expand
. "$(dirname "$0")/../lib.sh"

lib_user_up

RAND=$(tr -dc a-z0-9 </dev/urandom | head -c 8)
T=$(mktemp -d /tmp/netbox-options.XXXXXX)
lib_on_exit "rm -rf '$T'"

absent() { [ ! -e "$1" ] && echo 0 || echo 1; }

nb_in() {
	local dir=$1
	shift
	as_user sh -c 'cd "$0" || exit 99; exec "$@"' "$dir" "$NB" "$@"
}

ALL_OPTS="--ro --rw --hide --tmpfs --overlay --keep-env --setenv --unsetenv --clearenv --pass-fd --net --seccomp --check --quiet --help --version"

# --- help and version --------------------------------------------------------

for h in --help -h; do
	cap nb "$h"
	t_is "$RC:$ERR" "0:" "netbox $h: exit 0, nothing on stderr"
	t_like "$OUT" "^usage: netbox \[OPTIONS\] \[--\] CMD" "netbox $h: a usage line"
	missing=
	for o in $ALL_OPTS; do
		printf '%s\n' "$OUT" | grep -qE -- "(^| )$o( |=|$)" || missing="$missing $o"
	done
	t_is "$missing" "" "netbox $h: every option is documented"
	t_like "$OUT" "125" "netbox $h: the exit statuses are documented"
done
for v in --version -V; do
	cap nb "$v"
	t_is "$RC:$ERR" "0:" "netbox $v: exit 0, nothing on stderr"
	t_like "$OUT" '^netbox [0-9]+\.[0-9]+\.[0-9]+$' "netbox $v: one line, netbox X.Y.Z"
done
cap nb --version sh -c 'touch "$0"' version-marker
t_is "$RC:$(absent "$NB_WORK/version-marker")" "0:0" "netbox --version PROG: does not run PROG"
cap nb --quiet --help
t_is "$RC" 0 "netbox --quiet --help: --help after another option works"

# --- the marker program: it runs when nothing is wrong -----------------------

cap nb sh -c 'touch "$0"' marker-control
t_is "$RC:$(absent "$NB_WORK/marker-control")" "0:1" "control: netbox runs the marker program, which creates its marker"

# --- bad command lines -------------------------------------------------------

echo data >"$NB_WORK/plainfile"
chown "$NB_UID:$NB_GID" "$NB_WORK/plainfile"
n_bad=0
# bad DESCRIPTION ARGS... — PROG in ARGS stands for the marker program.
bad() {
	local desc=$1 a args=() m
	shift
	n_bad=$((n_bad + 1))
	m="marker-bad-$n_bad"
	for a in "$@"; do
		if [ "$a" = PROG ]; then
			args+=(sh -c 'touch "$0"' "$m")
		else
			args+=("$a")
		fi
	done
	cap nb ${args[@]+"${args[@]}"}
	t_is "$RC" 125 "$desc: exit 125"
	t_is "$(printf '%s\n' "$ERR" | wc -l)" 1 "$desc: one line on stderr"
	t_like "$ERR" '^netbox: .+ — .+' "$desc: 'netbox: what — how'"
	t_is "$OUT" "" "$desc: nothing on stdout"
	t_ok "$(absent "$NB_WORK/$m")" "$desc: the program did not run"
}

bad "no arguments at all"
bad "only options, no program" --quiet
bad "-- and no program" --
bad "empty program name" ''
for o in --ro --rw --hide --tmpfs --overlay --keep-env --setenv --unsetenv --pass-fd --net --seccomp; do
	bad "$o without its argument" "$o"
done
bad "unknown long option" --bogus-option PROG
bad "unknown short option -z" -z PROG
bad "combined short options -qh" -qh PROG
bad "--check=foo (takes no argument)" --check=foo PROG
bad "--quiet=yes (takes no argument)" --quiet=yes PROG
bad "--clearenv=1 (takes no argument)" --clearenv=1 PROG
bad "--help=x (takes no argument)" --help=x PROG
bad "--version=1 (takes no argument)" --version=1 PROG
bad "--seccomp=maybe" --seccomp=maybe PROG
bad "--seccomp maybe" --seccomp maybe PROG
bad "--seccomp=ON (case)" --seccomp=ON PROG
bad "--net=bogus" --net=bogus PROG
bad "--net bogus" --net bogus PROG
bad "--net= (empty)" --net= PROG
bad "--keep-env 1BAD" --keep-env 1BAD PROG
bad "--keep-env A/B" --keep-env A/B PROG
bad "--keep-env ''" --keep-env '' PROG
bad "--unsetenv 1BAD" --unsetenv 1BAD PROG
bad "--setenv NOEQ" --setenv NOEQ PROG
bad "--setenv =value" --setenv =value PROG
bad "--setenv 1A=b" --setenv 1A=b PROG
bad "--pass-fd 99 (not open)" --pass-fd 99 PROG
bad "--pass-fd abc" --pass-fd abc PROG
bad "--pass-fd -1" --pass-fd -1 PROG
bad "--pass-fd 3x" --pass-fd 3x PROG
bad "--pass-fd ''" --pass-fd '' PROG
bad "--pass-fd 99999999999" --pass-fd 99999999999 PROG
for o in --ro --rw --hide --tmpfs --overlay; do
	bad "$o ''" "$o" '' PROG
	bad "$o NONEXISTENT" "$o" "/nonexistent-$RAND" PROG
done
bad "--tmpfs of a file" --tmpfs plainfile PROG
bad "--overlay of a file" --overlay plainfile PROG
bad "--hide /" --hide / PROG
bad "--tmpfs /" --tmpfs / PROG
bad "--overlay /" --overlay / PROG
bad "--hide /. (resolves to /)" --hide /. PROG
bad "--ro ~root/x (~USER)" --ro '~root/x' PROG
bad "a good option, then a bad one" --ro plainfile --seccomp=maybe PROG

cap nb --ro "/nonexistent-$RAND/deeper" true
t_like "$ERR" "/nonexistent-$RAND/deeper" "netbox --ro NONEXISTENT: the message names the path"
# --rw of a missing name first asks whether it is a protected one (.git),
# which resolves its parent: the message must still be about the name.
for o in --ro --rw; do
	cap nb "$o" "nonexistent-$RAND" true
	t_like "$RC:$ERR" "^125:netbox: $o nonexistent-$RAND: .*/nonexistent-$RAND does not exist — create it" \
		"netbox $o MISSING (in an existing directory): says it does not exist"
done
cap nb --pass-fd 99 true
t_like "$ERR" "99.*not open" "netbox --pass-fd 99: the message says the descriptor is not open"
cap nb --bogus-option true
t_like "$ERR" "--bogus-option.*--help" "netbox --bogus-option: the message names it and points at --help"

# --- 126 and 127 -------------------------------------------------------------

cap as_user sh -c 'command -v "$0"' "netbox-no-such-cmd-$RAND"
t_ok "$([ "$RC" -ne 0 ] && echo 0 || echo 1)" "without netbox: netbox-no-such-cmd-$RAND is not a command"
cap nb "netbox-no-such-cmd-$RAND" arg
t_is "$RC" 127 "netbox NOT-FOUND: exit 127"
t_like "$ERR" "^netbox: netbox-no-such-cmd-$RAND: .*not found — " "netbox NOT-FOUND: the message names it"
cap nb "./no-such-file-$RAND"
t_is "$RC" 127 "netbox ./NOT-FOUND: exit 127"
# A program name (anyone's bytes) cannot write control bytes or a line of
# its own: messages and --check show it escaped (common/util.c).
hostile=$'nb-\e[2J-\nnetbox: all good-'"$RAND"
cap nb "$hostile"
t_is "$RC:$(printf '%s' "${ERR//—/}" | LC_ALL=C tr -d '\040-\176')" "127:" \
	"netbox HOSTILE-NAME: exit 127, one line of printable text"
t_like "$ERR" "^netbox: nb-\\\\x1b\[2J-\\\\x0anetbox: all good-$RAND: command not found — " \
	"netbox HOSTILE-NAME: the name shown escaped"
cap nb --check true "$hostile"
t_like "$OUT" "^program:  true nb-\\\\x1b\[2J-\\\\x0anetbox: all good-$RAND\$" \
	"netbox --check true HOSTILE-ARG: the argument shown escaped"
t_unlike "$OUT" "^netbox: all good" "netbox --check true HOSTILE-ARG: no line of its own"

printf '#!/bin/sh\necho RAN\n' >"$NB_WORK/notexec.sh"
chmod 644 "$NB_WORK/notexec.sh"
chown "$NB_UID:$NB_GID" "$NB_WORK/notexec.sh"
cap as_user sh notexec.sh
t_is "$OUT" RAN "without netbox: notexec.sh is a working script (run by sh)"
cap nb ./notexec.sh
t_is "$RC:$OUT" "126:" "netbox ./notexec.sh (mode 644): exit 126"
t_like "$ERR" "^netbox: \./notexec\.sh: .* — " "netbox ./notexec.sh: a message with a fix"
mkdir "$NB_WORK/adir"
cap nb ./adir
t_is "$RC" 126 "netbox ./DIRECTORY: exit 126"
chmod 755 "$NB_WORK/notexec.sh"
cap nb ./notexec.sh
t_is "$RC:$OUT" "0:RAN" "control: the same script, made executable, runs"

# --- exit status -------------------------------------------------------------

cap nb sh -c 'exit 7'
t_is "$RC" 7 "netbox: the program's exit status is netbox's"
cap nb sh -c 'kill -KILL $$'
t_is "$RC" 137 "netbox: a program killed by signal 9 gives 128+9"

# --- --check -----------------------------------------------------------------

mkdir "$NB_WORK/rwdir" "$NB_WORK/tmpdir" "$NB_WORK/ovdir"
echo hide >"$NB_WORK/hideme"
chown -R "$NB_UID:$NB_GID" "$NB_WORK/rwdir" "$NB_WORK/tmpdir" "$NB_WORK/ovdir" "$NB_WORK/hideme"
NB_ENV=("GITHUB_TOKEN=SECRET-VALUE-GH")
cap nb --check --ro '~/.test_me' --rw rwdir --tmpfs tmpdir --overlay ovdir --hide hideme --pass-fd 1 sh -c 'touch "$0"' check-marker
NB_ENV=()
t_is "$RC:$ERR" "0:" "netbox --check: exit 0, nothing on stderr"
t_ok "$(absent "$NB_WORK/check-marker")" "netbox --check: the program did not run"
t_like "$OUT" "found at /usr/bin/sh|found at /bin/sh" "netbox --check: where the program was found"
W=$(printf '%s' "$NB_WORK" | sed 's/[.]/\\./g')
H=$(printf '%s' "$NB_HOME" | sed 's/[.]/\\./g')
for re in \
	"^  / +read-only " \
	"^  /home +empty tmpfs " \
	"^  /tmp +empty tmpfs " \
	"^  /run +empty tmpfs " \
	"^  /root +empty tmpfs " \
	"^  /proc +fresh procfs" \
	"^  /dev +minimal" \
	"^  $H +empty tmpfs +\(default: your home\)" \
	"^  $W +read-write +\(current directory\)" \
	"^  $H/\.test_me +read-only +\(--ro\)" \
	"^  $W/rwdir +read-write +\(--rw\)" \
	"^  $W/tmpdir +empty tmpfs +\(--tmpfs\)" \
	"^  $W/ovdir +overlay +\(--overlay\)" \
	"^  $W/hideme +hidden +\(--hide\)" \
	"^cwd: +$W \(read-write\)" \
	"^  drop +GITHUB_TOKEN " \
	"^descriptors passed: 1$"; do
	t_like "$OUT" "$re" "netbox --check shows: $re"
done
t_unlike "$OUT" "SECRET-VALUE" "netbox --check: no secret value printed"
cap nb_in "$NB_HOME" --check true
t_like "$OUT" "not exposed.*--rw" "netbox --check in ~: the current directory is not exposed, pass --rw"

# --- -- ends the options -----------------------------------------------------

cap nb --weird-prog
t_is "$RC" 125 "netbox --weird-prog: an unknown option (125)"
cap nb -- --weird-prog
t_is "$RC" 127 "netbox -- --weird-prog: a program name, not found (127)"
t_like "$ERR" "^netbox: --weird-prog: .*not found" "netbox -- --weird-prog: the message names the program"
printf '#!/bin/sh\necho WEIRD-RAN "$@"\n' >"$NB_WORK/--weird-prog"
chmod 755 "$NB_WORK/--weird-prog"
chown "$NB_UID:$NB_GID" "$NB_WORK/--weird-prog"
cap nb -- ./--weird-prog --ro x
t_is "$RC:$OUT" "0:WEIRD-RAN --ro x" "netbox -- ./--weird-prog --ro x: runs it with its arguments"
cap nb echo --ro x -- --check
t_is "$RC:$OUT" "0:--ro x -- --check" "netbox echo --ro x: options after the program are its arguments"

# --- --pass-fd ---------------------------------------------------------------

echo FD-CONTENT >"$NB_WORK/fdin.txt"
chown "$NB_UID:$NB_GID" "$NB_WORK/fdin.txt"
cap as_user sh -c 'sh -c "cat <&5" 5<fdin.txt'
t_is "$OUT" FD-CONTENT "without netbox: the program reads fd 5"
cap as_user sh -c 'ls /proc/self/fd 5<fdin.txt | tr "\n" " "'
t_like "$OUT" "(^| )5( |$)" "without netbox: fd 5 is open in the program"
cap as_user sh -c '"$0" --pass-fd 5 sh -c "cat <&5" 5<fdin.txt' "$NB"
t_is "$RC:$OUT" "0:FD-CONTENT" "netbox --pass-fd 5: the program reads fd 5"
cap as_user sh -c '"$0" --pass-fd 5 ls /proc/self/fd 5<fdin.txt | tr "\n" " "' "$NB"
t_is "$OUT" "0 1 2 3 5 " "netbox --pass-fd 5: fds 0 1 2, 5 and ls's own"
cap as_user sh -c '"$0" sh -c "cat <&5" 5<fdin.txt' "$NB"
t_like "$RC:$OUT" "^[1-9][0-9]*:$" "netbox without --pass-fd: fd 5 cannot be read"
cap as_user sh -c '"$0" ls /proc/self/fd 5<fdin.txt 7<fdin.txt | tr "\n" " "' "$NB"
t_is "$OUT" "0 1 2 3 " "netbox without --pass-fd: only fds 0 1 2 and ls's own"

# --- --quiet -----------------------------------------------------------------

cap nb_in "$NB_HOME" true
t_like "$ERR" "^netbox: .*not exposed" "control: in ~ netbox prints a notice"
for q in --quiet -q; do
	cap nb_in "$NB_HOME" "$q" true
	t_is "$RC:$ERR" "0:" "netbox $q in ~: no notice"
done

# --- --net ---------------------------------------------------------------------

IFACES='tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | sort | tr "\n" " "'
cap as_user sh -c "$IFACES"
if [ "$OUT" = "lo " ]; then
	t_skip "netbox --net=none: only lo" "the host has no interface but lo"
else
	t_ok 0 "without netbox: the host has interfaces besides lo ($OUT)"
	for n in --net=none "--net none" ""; do
		# shellcheck disable=SC2086
		cap nb $n sh -c "$IFACES"
		t_is "$RC:$OUT" "0:lo " "netbox ${n:-(default)}: only lo"
	done
fi

# --- --seccomp -----------------------------------------------------------------

cap nb --seccomp=on true
t_is "$RC:$ERR" "0:" "netbox --seccomp=on: runs, nothing on stderr"
cap nb --seccomp=off true
t_is "$RC" 0 "netbox --seccomp=off: runs"
t_like "$ERR" "^netbox: .*seccomp=off" "netbox --seccomp=off: a warning"
cap nb --quiet --seccomp=off true
t_like "$ERR" "^netbox: .*seccomp=off" "netbox --quiet --seccomp=off: the warning is not silenced"
if command -v unshare >/dev/null; then
	cap as_user unshare -U true
	if [ "$RC" -ne 0 ]; then
		t_skip "netbox --seccomp=on|off and unshare -U" "unshare -U fails outside netbox: $ERR"
	else
		t_ok 0 "without netbox: unshare -U works"
		cap nb unshare -U true
		t_ok "$([ "$RC" -ne 0 ] && echo 0 || echo 1)" "netbox (seccomp on by default): unshare -U is refused"
		cap nb --seccomp=on unshare -U true
		t_ok "$([ "$RC" -ne 0 ] && echo 0 || echo 1)" "netbox --seccomp=on: unshare -U is refused"
		cap nb --seccomp=off unshare -U true
		t_ok "$([ "$RC" -ne 0 ] && echo 0 || echo 1)" \
			"netbox --seccomp=off: unshare -U is still refused (under AppArmor's restriction, netbox's profile would lend it to the program)"
		if [ "$(uname -m)" = x86_64 ]; then # the system call numbers below
			cap nb --seccomp=off "$PY" -c 'import ctypes, os; l = ctypes.CDLL(None, use_errno=True); r = l.syscall(272, 0x10000000); print(r, os.strerror(ctypes.get_errno()) if r else "")'
			t_is "$OUT" "-1 Operation not permitted" "netbox --seccomp=off: unshare(CLONE_NEWUSER) by system call number: EPERM"
			cap nb --seccomp=off "$PY" -c 'import ctypes, os; l = ctypes.CDLL(None, use_errno=True); r = l.syscall(435, 0, 0); print(r, os.strerror(ctypes.get_errno()) if r else "")'
			t_is "$OUT" "-1 Function not implemented" "netbox --seccomp=off: clone3 is ENOSYS (its flags are out of the filter's reach)"
		fi
		cap nb --seccomp=off sh -c 'echo ok'
		t_is "$OUT" "ok" "netbox --seccomp=off: the rest is unfiltered (a shell runs)"
	fi
else
	t_skip "netbox --seccomp=on|off and unshare -U" "no unshare(1)"
fi

t_done
