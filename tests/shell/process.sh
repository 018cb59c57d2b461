#!/bin/bash
# process.sh — the program as a process: exit statuses, signals sent to
# netbox, SIGKILL of netbox, the terminal (Ctrl-C, an interactive shell,
# Ctrl-Z/fg), reaping, orphans, stdio and inherited descriptors.
#
# Every probe is first run WITHOUT netbox (same user, same command) and must
# succeed there; only then does its failure under netbox prove something.
# Run as root (meson test --suite launcher); NETBOX is the binary under test.
. "$(dirname "$0")/../lib.sh"

lib_user_up

T=$(mktemp -d /tmp/netbox-process.XXXXXX)
chmod 755 "$T"
lib_on_exit "rm -rf '$T'"
RAND=$(tr -dc a-z0-9 </dev/urandom | head -c 8)

now_ms() { date +%s%3N; }

# bg_start NAME CMD... — start CMD as the test user in the background, with
# SIGINT and SIGQUIT at their defaults (a script's background jobs ignore
# them), its pid in $BG_PID (the process CMD execs: netbox, or the program);
# its exit status goes to $T/NAME.rc.
bg_start() {
	local name=$1
	shift
	rm -f "$NB_WORK/$name.pid" "$T/$name.rc"
	BG_NAME=$name
	(
		env --default-signal=INT,QUIT setpriv --reuid="$NB_UID" --regid="$NB_GID" --init-groups \
			env -i HOME="$NB_HOME" USER="$NB_USER" LOGNAME="$NB_USER" \
			PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 \
			sh -c 'cd "$0" && echo $$ >"$1.pid" && shift && exec "$@"' "$NB_WORK" "$name" "$@" \
			>"$T/$name.out" 2>"$T/$name.err"
		echo $? >"$T/$name.rc.tmp"
		mv "$T/$name.rc.tmp" "$T/$name.rc"
	) 2>/dev/null &
	for _ in $(seq 100); do
		[ -s "$NB_WORK/$name.pid" ] && break
		sleep 0.05
	done
	BG_PID=$(cat "$NB_WORK/$name.pid")
	sleep 0.5 # let the program start
}

# bg_kill SIG — send SIG to $BG_PID as the test user; $RC its exit status,
# $MS the milliseconds it took to exit (RC=timeout after 5 s).
bg_kill() {
	local t0
	t0=$(now_ms)
	as_user kill "-$1" "$BG_PID"
	for _ in $(seq 100); do
		[ -e "$T/$BG_NAME.rc" ] && break
		sleep 0.05
	done
	MS=$(($(now_ms) - t0))
	if [ -e "$T/$BG_NAME.rc" ]; then
		RC=$(cat "$T/$BG_NAME.rc")
	else
		RC=timeout
		kill -KILL "$BG_PID" 2>/dev/null
	fi
}

# --- exit statuses ------------------------------------------------------------

printf 'echo hi\n' >"$NB_WORK/noexec.sh"
chmod 644 "$NB_WORK/noexec.sh"
for c in "3:exit 3:sh -c 'exit 3'" \
	"143:kill -TERM \$\$:sh -c 'kill -TERM \$\$'" \
	"139:kill -SEGV \$\$:sh -c 'kill -SEGV \$\$'"; do
	want=${c%%:*}
	rest=${c#*:}
	script=${rest%%:*}
	what=${rest#*:}
	cap as_user sh -c "$script"
	t_is "$RC" "$want" "without netbox: $what exits $want"
	cap nb sh -c "$script"
	t_is "$RC" "$want" "netbox: $what exits $want" || printf 'stderr: %s\n' "$ERR" | t_why
done
cap as_user "no-such-program-$RAND"
t_is "$RC" 127 "without netbox: a program not found: 127"
cap nb "no-such-program-$RAND"
t_is "$RC" 127 "netbox: a program not found: 127"
cap as_user ./noexec.sh
t_is "$RC" 126 "without netbox: a file without x permission: 126"
cap nb ./noexec.sh
t_is "$RC" 126 "netbox: a file without x permission: 126"

# --- signals sent to netbox by another process --------------------------------------

bg_start plain sleep 100
bg_kill TERM
t_is "$RC" 143 "without netbox: kill -TERM of sleep 100: 143"
bg_start nbterm "$NB" sleep 100
bg_kill TERM
t_is "$RC" 143 "netbox: kill -TERM of netbox running sleep 100: 143"
t_ok $((MS >= 2000)) "netbox: ... within 2 s (${MS} ms)"

bg_start plainint sleep 100
bg_kill INT
t_is "$RC" 130 "without netbox: kill -INT of sleep 100: 130"
bg_start nbint "$NB" sleep 100
bg_kill INT
t_is "$RC" 130 "netbox: kill -INT of netbox running sleep 100: 130"
t_ok $((MS >= 2000)) "netbox: ... within 2 s (${MS} ms)"

TRAP='trap "echo got-TERM >trapped; kill \$!; exit 5" TERM; sleep 100 & wait'
rm -f "$NB_WORK/trapped"
bg_start trapout sh -c "$TRAP"
bg_kill TERM
t_is "$RC:$(cat "$NB_WORK/trapped" 2>/dev/null)" "5:got-TERM" \
	"without netbox: a program trapping SIGTERM gets it and exits 5"
rm -f "$NB_WORK/trapped"
bg_start trapin "$NB" sh -c "$TRAP"
bg_kill TERM
t_is "$RC:$(cat "$NB_WORK/trapped" 2>/dev/null)" "5:got-TERM" \
	"netbox: the program trapping SIGTERM gets it (marker file) and netbox exits 5"

for s in HUP USR1; do
	TRAP="trap 'echo got-$s >trapped; kill \$!; exit 6' $s; sleep 100 & wait"
	rm -f "$NB_WORK/trapped"
	bg_start "trap$s" "$NB" sh -c "$TRAP"
	bg_kill "$s"
	t_is "$RC:$(cat "$NB_WORK/trapped" 2>/dev/null)" "6:got-$s" "netbox: SIG$s is passed on to the program"
done

# nohup: a SIGHUP that the invoker ignores stays ignored (exec keeps SIG_IGN).
cap as_user nohup sh -c 'kill -HUP $$; echo survived-$((1+1))'
t_is "$RC:$OUT" "0:survived-2" "without netbox: under nohup, the program ignores SIGHUP"
cap as_user nohup "$NB" sh -c 'kill -HUP $$; echo survived-$((1+1))'
t_is "$RC:$OUT" "0:survived-2" "netbox: under nohup, the program still ignores SIGHUP"
rm -f "$NB_WORK/nohup.done"
bg_start nohup nohup "$NB" sh -c 'sleep 1; echo done >nohup.done'
bg_kill HUP
t_is "$RC:$(cat "$NB_WORK/nohup.done" 2>/dev/null)" "0:done" \
	"netbox: nohup netbox survives a SIGHUP (the logout of its terminal)"

# --- SIGKILL of netbox leaves nothing behind -----------------------------------------

MARK="nbmark$RAND"
N=5$RANDOM
bg_start nbkill "$NB" sh -c 'sleep "${1}1" & sleep "${1}2" & sleep "${1}3"; :' "$MARK" "$N"
cap pgrep -u "$NB_USER" -f "$MARK"
t_like "$OUT" '[0-9]' "without SIGKILL: pgrep -f MARKER finds the sandbox's processes"
cap pgrep -u "$NB_USER" -f "^sleep ${N}[123]\$"
t_is "$(printf '%s\n' "$OUT" | grep -c .)" 3 "without SIGKILL: the program's three sleeps run"
bg_kill KILL
t_is "$RC" 137 "netbox: kill -KILL of netbox: 137"
left=x
for _ in $(seq 40); do
	left=$(pgrep -u "$NB_USER" -f "$MARK"; pgrep -u "$NB_USER" -f "^sleep ${N}[123]\$")
	[ -z "$left" ] && break
	sleep 0.05
done
t_is "$left" "" "netbox: within 2 s of SIGKILL no process of the sandbox remains"

# --- the terminal --------------------------------------------------------------------

# Ctrl-C on the terminal, with an interactive bash around.
for w in without netbox; do
	pre=
	[ $w = netbox ] && pre='$NB '
	cap pty_user --expect '\$ $' --send "${pre}sleep 100\n" --expect 'sleep 100\r?\n' \
		--send '\x03' --expect '\$ $' --send 'echo alive-$?\n' --expect 'alive-[0-9]+' \
		--send 'echo still-$((40+2))\n' --expect 'still-42' --send 'exit 0\n' -- bash --norc -i
	t_like "$OUT" 'alive-130' "$w: Ctrl-C kills sleep 100: 130"
	t_like "$OUT" 'still-42' "$w: the outer shell survives Ctrl-C and keeps working"
	t_is "$RC" 0 "$w: the outer shell exits normally"
done

# An interactive shell in the sandbox.
cap pty_user --expect '\$ $' --send '$NB bash --norc -i\n' --expect '\$ $' \
	--send 'echo in-$((6*7)) uid-$(id -u)\n' --expect 'in-42' --send 'exit 7\n' \
	--expect '\$ $' --send 'echo outer-$?\n' --expect 'outer-[0-9]+' --send 'exit 0\n' -- bash --norc -i
t_like "$OUT" "in-42 uid-$NB_UID" "netbox bash -i on a terminal: a command runs and shows its output"
t_like "$OUT" 'outer-7' "netbox bash -i: exit 7 returns 7 to the outer shell"
t_is "$RC" 0 "netbox bash -i: the outer shell exits normally"

# Ctrl-Z, then fg.
for w in without netbox; do
	pre=
	[ $w = netbox ] && pre='$NB '
	cap pty_user --timeout 20 --expect '\$ $' \
		--send "${pre}sh -c 'echo start-\$((1+1)); sleep 2; echo end-\$((2+2))'\n" \
		--expect 'start-2' --send '\x1a' --expect '[Ss]topped' --send 'jobs\n' \
		--expect '\$ $' --send 'fg\n' --expect 'end-4' --send 'echo fg-$?\n' \
		--expect 'fg-[0-9]+' --send 'exit 0\n' -- bash --norc -i
	t_like "$OUT" '[Ss]topped' "$w: Ctrl-Z stops the job"
	t_like "$OUT" 'end-4' "$w: fg resumes it and it finishes"
	t_like "$OUT" 'fg-0' "$w: ... with its status 0"
done

# netbox ignores SIGTTOU and SIGTTIN itself (below): the program still gets
# the dispositions it would get without netbox.
cap as_user grep SigIgn /proc/self/status
DIRECT=$OUT
cap nb grep SigIgn /proc/self/status
t_is "$RC:$OUT" "0:$DIRECT" "the program ignores the same signals with netbox as without"

# The program takes the terminal (its own process group in the foreground)
# and sets TOSTOP, then makes netbox write a line (a denied name): netbox,
# now in the background, must not be stopped by that write — the shell
# would print "Stopped" and its prompt while the program reads the terminal.
TAKE_TTY='import os, signal, socket, sys, termios, time
signal.signal(signal.SIGTTOU, signal.SIG_IGN)
os.setpgid(0, 0)
fd = os.open("/dev/tty", os.O_RDWR)
os.tcsetpgrp(fd, os.getpgrp())
a = termios.tcgetattr(fd); a[3] |= termios.TOSTOP; termios.tcsetattr(fd, termios.TCSANOW, a)
signal.signal(signal.SIGTTOU, signal.SIG_DFL)
try: socket.getaddrinfo("tostop.invalid", 80)
except OSError: pass
time.sleep(0.5)
print("ready-" + str(6 * 7), flush=True)
print("got-" + sys.stdin.readline().strip(), flush=True)'
printf '%s\n' "$TAKE_TTY" >"$NB_WORK/take_tty.py"
chmod 644 "$NB_WORK/take_tty.py"
lib_on_exit "rm -f '$NB_WORK/take_tty.py'"
for w in without netbox; do
	pre=
	[ $w = netbox ] && pre='$NB '
	cap pty_user --timeout 20 --expect '\$ $' --send "${pre}python3 take_tty.py\n" \
		--expect 'ready-42' --send 'hello\n' --expect 'got-hello' --send '' --expect '\$ $' \
		--send 'echo after-$?\n' --expect 'after-[0-9]+' --send 'exit 0\n' -- bash --norc -i
	t_like "$OUT" 'got-hello' "$w: a program that takes the terminal with TOSTOP reads its input"
	t_unlike "$OUT" '[Ss]topped' "$w: ... and the job is never shown as stopped"
	t_like "$OUT" 'after-0' "$w: ... and exits 0 to the shell"
done
t_like "$OUT" 'denied DNS tostop\.invalid' "netbox: its line written while in the background reached the terminal"

# --- reaping and orphans ---------------------------------------------------------------

# The zombie counter is checked first: a python whose child has exited and
# is not waited for shows one zombie.
ZOMBIES='ps -eo stat= | grep -c "^Z"'
cap nb "$PY" -c "import os, time
if os.fork() == 0: os._exit(0)
time.sleep(0.3); os.system('$ZOMBIES')"
t_is "$OUT" 1 "netbox: the zombie counter sees an unreaped child"
t0=$(now_ms)
cap nb sh -c 'i=0; while [ $i -lt 200 ]; do (sh -c "exit 3" &); i=$((i+1)); done
sleep 0.5; '"$ZOMBIES"'; exit 9'
MS=$(($(now_ms) - t0))
t_is "$RC:$OUT" "9:0" "netbox: 200 orphaned children that exit are all reaped; netbox exits 9"
t_ok $((MS >= 5000)) "netbox: ... promptly (${MS} ms)"

S="10$RANDOM.25"
cap as_user sh -c '(sleep "$0" </dev/null >/dev/null 2>&1 &); exit 0' "$S"
cap pgrep -u "$NB_USER" -f "sleep $S"
t_like "$OUT" '[0-9]' "without netbox: an orphan (sleep $S) outlives its parent"
pkill -u "$NB_USER" -f "sleep $S"
t0=$(now_ms)
cap nb sh -c '(sleep "$0" </dev/null >/dev/null 2>&1 &); exit 0' "$S"
MS=$(($(now_ms) - t0))
t_is "$RC" 0 "netbox: sh -c '(sleep &); exit 0' returns 0"
t_ok $((MS >= 2000)) "netbox: ... promptly (${MS} ms)"
sleep 0.2
cap pgrep -u "$NB_USER" -f "sleep $S"
t_is "$OUT" "" "netbox: the orphan is gone"

# --- stdio ---------------------------------------------------------------------------

OUT=$(echo "hi-$RAND" | nb cat)
t_is "$OUT" "hi-$RAND" "netbox: stdin passes through (echo | netbox cat)"
cap nb sh -c 'echo OUT-1; echo ERR-2 >&2'
t_is "$OUT" "OUT-1" "netbox: stdout has only what went to stdout"
t_like "$ERR" 'ERR-2' "netbox: stderr has what went to stderr"
t_unlike "$ERR" 'OUT-1' "netbox: ... and not stdout's"

# --- inherited descriptors --------------------------------------------------------------

echo "fd-content-$RAND" >"$T/fdfile"
chmod 644 "$T/fdfile"
cap as_user sh -c 'cat <&7' 3<"$T/fdfile" 7<"$T/fdfile" 100<"$T/fdfile"
t_is "$OUT" "fd-content-$RAND" "without netbox: descriptor 7 opened by the invoker is readable"
cap as_user ls -l /proc/self/fd 3<"$T/fdfile" 7<"$T/fdfile" 100<"$T/fdfile"
t_like "$OUT" " (3|7|100) -> $T/fdfile" "without netbox: ls -l /proc/self/fd shows 3, 7, 100"
cap nb ls -l /proc/self/fd 3<"$T/fdfile" 7<"$T/fdfile" 100<"$T/fdfile"
t_is "$(printf '%s\n' "$OUT" | awk '$1 ~ /^l/ { print $9 }' | sort -n | tr '\n' ' ')" "0 1 2 3 " \
	"netbox: ls -l /proc/self/fd shows only 0 1 2 and ls's own 3"
t_like "$OUT" ' 3 -> /proc/[0-9]+/fd' "netbox: ... 3 being ls's directory"
t_unlike "$OUT" 'fdfile' "netbox: no descriptor of the invoker's file"
cap nb sh -c 'cat <&7' 7<"$T/fdfile"
t_unlike "$RC $OUT" "^0 |fd-content" "netbox: descriptor 7 is closed inside"
cap nb --pass-fd 7 sh -c 'cat <&7; cat <&3' 3<"$T/fdfile" 7<"$T/fdfile"
t_like "$OUT" "^fd-content-$RAND\$" "netbox --pass-fd 7: descriptor 7 is readable inside"
t_is "$(printf '%s\n' "$OUT" | grep -c fd-content)" 1 "netbox --pass-fd 7: ... but not 3"

t_done
