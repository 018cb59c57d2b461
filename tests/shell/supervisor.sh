#!/bin/bash
# supervisor.sh — the supervisor (netbox's child that serves the sandbox and
# reads hostile bytes: supervisor/isolate.c) holds nothing it does not need
# while the program runs.  Judged from outside: its /proc/PID/status, what
# the user's other processes can see of it, and — in a build with
# -Dtest_hooks=true — what it can do when asked to try (an exploit's first
# moves: open a file of the home, execve, ptrace).
# Run as root (meson test --suite launcher); NETBOX is the binary under test.
. "$(dirname "$0")/../lib.sh"

lib_user_up

SANITIZED=0
[ "${NETBOX_SANITIZE:-none}" != none ] && SANITIZED=1

STDIN_FILE=$(mktemp /tmp/netbox-supervisor-stdin.XXXXXX)
chmod 644 "$STDIN_FILE"
lib_on_exit "rm -f '$STDIN_FILE'"
as_user "$NB" --allow www.google.com sleep 5 <"$STDIN_FILE" >/dev/null 2>&1 &
BG=$!
wait_for 10 sh -c '[ -n "$(pgrep -u "$0" -x netbox)" ]' "$NB_USER"
sleep 0.5
NBPID=$(netbox_pid)
SUP=$(supervisor_pid)
t_ok "$([ -n "$SUP" ]; echo $?)" "netbox has a supervisor child (pid ${SUP:-none})"
STATUS=$(cat "/proc/$SUP/status" 2>/dev/null)
t_like "$STATUS" $'NoNewPrivs:\t1' "the supervisor has no_new_privs"
if [ "$SANITIZED" = 0 ]; then
	t_like "$STATUS" $'Seccomp:\t2' "the supervisor runs under a seccomp filter"
	t_is "$(ls -A "/proc/$SUP/root" 2>&1 | tr '\n' ' ')" "etc " "its root is empty but for /etc's resolver files"
	t_is "$(ls "/proc/$SUP/root/etc" 2>&1 | tr '\n' ' ' | grep -c passwd)" 0 "... no /etc/passwd there"
else
	t_skip "the supervisor runs under a seccomp filter" "a sanitizer build ($NETBOX_SANITIZE) leaves the filter and the empty root out"
	t_skip "its root is empty" "a sanitizer build"
	t_skip "no /etc/passwd there" "a sanitizer build"
fi
t_like "$STATUS" $'NSpid:\t[0-9]+\t1\n' "the supervisor is pid 1 of a pid namespace of its own (it sees only the sandbox)"
# (/dev/null shows as "/null" once the supervisor left the host's root)
t_like "$(readlink "/proc/$NBPID/fd/0"):$(readlink "/proc/$SUP/fd/0"):$(readlink "/proc/$SUP/fd/1")" \
	"^$STDIN_FILE:(/dev)?/null:(/dev)?/null\$" "netbox keeps its stdin; the supervisor's stdin and stdout are /dev/null"
cap as_user cat "/proc/$SUP/environ"
t_like "$RC:$ERR" "^1:.*Permission denied" "the user's other processes cannot read its environment (not dumpable)"
cap as_user ls "/proc/$SUP/fd"
t_like "$RC:$ERR" "^[12]:.*Permission denied" "... nor list its descriptors"
cap as_user cat "/proc/$NBPID/environ"
t_is "$RC" 0 "control: netbox's own process (not the supervisor) stays readable to its user"
wait "$BG"

# --check says what the supervisor holds and what it can still do.
cap nb --check --allow www.google.com true
t_like "$OUT" "host side: a supervisor process" "--check: the host side has its own section"
t_like "$OUT" "seccomp allow-list of [0-9]+ system calls" "--check: ... with the allow-list's size"
t_like "$OUT" "it can still connect anywhere the host's network reaches" "--check: ... and what it can still do"
cap nb --check --allow 'www.google.com:*' true
t_like "$OUT" "take their descriptors \(for the ports made on demand\)" "--check: every-port rules: the on-demand powers are named"

# What an exploit would try first, from inside the running loop.
if [ "${NETBOX_TEST_HOOKS:-0}" = 1 ] && [ "$SANITIZED" = 0 ]; then
	cap as_user env NETBOX_TEST_HOOK="open:$NB_HOME/.ssh/id_rsa" "$NB" --quiet sh -c 'sleep 0.3; exit 3'
	t_like "$RC:$ERR" "^3:.*netbox-test-hook: open ENOENT" "the supervisor cannot open a file of the home (not in its root); the run goes on"
	cap as_user env NETBOX_TEST_HOOK="exec:/bin/sh" "$NB" --quiet sh -c 'sleep 0.3; exit 3'
	t_like "$RC:$ERR" "^125:.*supervisor made system call [0-9]+ \(execve\), which its filter refuses" \
		"execve in the supervisor: trapped, reported, the run ends (125)"
	cap as_user env NETBOX_TEST_HOOK="ptrace:$$" "$NB" --quiet sh -c 'sleep 0.3; exit 3'
	t_like "$RC:$ERR" "^125:.*system call [0-9]+ \(ptrace\)" "ptrace in the supervisor: trapped, reported"
	# A process of the same user outside: the supervisor's pid namespace
	# holds only the sandbox, so it can neither signal nor read it.
	as_user sleep 30 &
	OTHER=$!
	lib_on_exit "kill $OTHER 2>/dev/null"
	OTHER_USER_PID=$(pgrep -u "$NB_UID" -x sleep -P "$OTHER" || echo "$OTHER")
	cap as_user kill -0 "$OTHER_USER_PID"
	t_is "$RC" 0 "control: the user's own sleep can be signalled without netbox"
	cap as_user env NETBOX_TEST_HOOK="kill:$OTHER_USER_PID" "$NB" --quiet sh -c 'sleep 0.3; exit 3'
	t_like "$RC:$ERR" "^3:.*netbox-test-hook: kill ESRCH" "the supervisor cannot signal the user's processes outside (its own pid namespace)"
	cap as_user env NETBOX_TEST_HOOK="vmread:$OTHER_USER_PID" "$NB" --quiet sh -c 'sleep 0.3; exit 3'
	t_like "$RC:$ERR" "^3:.*netbox-test-hook: vmread ESRCH" "... nor read their memory"
	kill "$OTHER" 2>/dev/null
	cap as_user env NETBOX_TEST_HOOK="open:/etc/hosts" "$NB" --quiet sh -c 'sleep 0.3; exit 3'
	t_like "$RC:$ERR" "^3:.*netbox-test-hook: open succeeded" "control: the resolver's /etc/hosts stays readable (the hook works)"
else
	t_skip "the supervisor's test hooks" "a build without -Dtest_hooks=true, or a sanitizer build"
fi

t_done
