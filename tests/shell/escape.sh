#!/bin/bash
# escape.sh — escape attempts added by the hardening pass (the earlier ones
# live in files.sh, privs.sh, network.sh and net.sh, all in the "escape"
# suite too; README.md, "The escape suite", lists every probe):
#   - a fake address after the program changes its own view of host names
#     (/etc/hosts is not writable; curl --resolve is the program's own
#     override): another name sent to an allowed name's fake address, an
#     address the resolver never handed out, another port;
#   - io_uring: a socket made and connected without socket(2)/connect(2);
#     and, with the filter off, where such a socket lands;
#   - AF_UNIX abstract sockets of the network namespace netbox runs in;
#   - the listeners netbox holds: /proc/*/fd, pidfd_getfd() on the init,
#     binding their ports to steal the program's connections;
#   - signals sent to the sandbox init;
#   - ptrace of the init;
#   - reading netbox's memory (and the init's, a copy of it): a canary in
#     netbox's environment, which netbox drops for the program.
# Every probe is first shown to work WITHOUT netbox (same user, same lab),
# where that is meaningful; only then does its failure under netbox count.
# Run as root (meson test --suite escape); NETBOX is the binary under test.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lab/lab.sh"

lib_user_up
lab_up

T=$(mktemp -d /tmp/netbox-escape.XXXXXX)
chmod 755 "$T"
lib_on_exit "rm -rf '$T'"
RAND=$(tr -dc a-z0-9 </dev/urandom | head -c 10)
cp "$(dirname "$0")/escape-probe.py" "$NB_WORK/ep.py"
cp "$(dirname "$0")/net-probe.py" "$NB_WORK/np.py"
cp "$LAB_CA" "$NB_WORK/ca.pem"
chmod 644 "$NB_WORK/ep.py" "$NB_WORK/np.py" "$NB_WORK/ca.pem"
chown -R "$NB_UID:$NB_GID" "$NB_WORK"

nbx() { cap hx "$NB" "$@"; }
plain() { cap hx "$@"; }
EP="$PY ep.py"

# ---------------------------------------------------------------------------
# Host names in the program's own view, and fake addresses.

plain curl -sS -m 5 --resolve evil.test:80:203.0.113.13 http://evil.test/hello
t_is "$OUT" "hello from evil.test" "baseline: a program's own name override (curl --resolve) reaches evil.test"
nbx $EP hosts-write
t_like "$OUT" "^(EROFS|EACCES|EPERM)$" "netbox: /etc/hosts cannot be changed ($OUT)"
: >"$LAB_HTTP_LOG"
cat >"$NB_WORK/fake.sh" <<'EOF'
F=$(getent ahostsv4 www.google.com | awk 'NR == 1 { print $1 }')
echo "fake $F"
curl -sS -m 5 --resolve evil.test:80:$F http://evil.test/hello; echo "http rc=$?"
curl -sS -m 5 --cacert ca.pem --resolve evil.test:443:$F https://evil.test/hello; echo "https rc=$?"
curl -sS -m 5 --resolve evil.test:80:198.19.255.254 http://evil.test/hello; echo "unassigned rc=$?"
$PY np.py tcp "$F" 9000 x | sed 's/^/port9000 /'
EOF
chmod 644 "$NB_WORK/fake.sh"
nbx --allow www.google.com --allow evil.test:9000 sh fake.sh
FAKE=$(printf '%s\n' "$OUT" | sed -n 's/^fake //p')
t_like "$FAKE" "^198\.1[89]\." "netbox: www.google.com has a fake address ($FAKE)"
t_like "$OUT" "http rc=[1-9][0-9]*$" "evil.test mapped to www.google.com's fake address, over http: refused"
t_like "$ERR" "denied www\.google\.com:80 \(Host evil\.test does not match www\.google\.com\)" "... netbox says why (Host)"
t_like "$OUT" "https rc=[1-9][0-9]*$" "... over https: refused"
t_like "$ERR" "denied www\.google\.com:443 \(SNI evil\.test does not match www\.google\.com\)" "... netbox says why (SNI)"
t_like "$OUT" "unassigned rc=[1-9][0-9]*$" "evil.test mapped to a fake address never handed out: refused"
t_like "$ERR" "198\.19\.255\.254 is not an address netbox's resolver handed out" "... netbox says why"
t_unlike "$(printf '%s\n' "$OUT" | grep '^port9000')" "reply x" "www.google.com's fake address on port 9000 (a rule names 9000 for evil.test only): refused"
t_like "$ERR" "denied www\.google\.com:9000 \(no rule\)" "... netbox says why"
t_unlike "$(cat "$LAB_HTTP_LOG")" "evil\.test" "nothing reached evil.test's web server"

# ---------------------------------------------------------------------------
# io_uring.

lib_probe URING uringprobe
if [ -n "$URING" ]; then
	: >"$LAB_ECHO_LOG"
	plain "$URING" connect 203.0.113.13 9000
	if [[ "$OUT" == "setup err"* ]]; then
		t_diag "io_uring is refused outside netbox too ($OUT: kernel.io_uring_disabled?)"
		t_skip "baseline: io_uring connects to the lab" "io_uring refused by the host"
	else
		t_is "$OUT" $'setup ok\nsocket ok\nconnect ok\nreply ping' \
			"baseline: io_uring makes a socket and connects it (no socket(2), no connect(2)) to the lab's echo"
	fi
	: >"$LAB_ECHO_LOG"
	nbx --allow evil.test:9000 "$URING" connect 203.0.113.13 9000
	t_is "$OUT" "setup err EPERM" "netbox: io_uring_setup: EPERM"
	for op in enter register; do
		plain "$URING" $op
		t_unlike "$OUT" "EPERM" "baseline: io_uring_$op(-1) is not refused ($OUT)"
		nbx "$URING" $op
		t_is "$OUT" "$op err EPERM" "netbox: io_uring_$op: EPERM"
	done
	# With the filter off the ring works, but its socket is the sandbox's:
	# it lands on netbox's listener and the policy decides.
	nbx --seccomp=off --allow evil.test:9000 "$URING" connect 203.0.113.13 9000
	t_like "$OUT" "setup ok" "netbox --seccomp=off: io_uring works"
	t_unlike "$OUT" "reply ping" "... but its connection to a raw address gets no echo"
	t_like "$ERR" "denied 203\.0\.113\.13:9000 \(no rule\)" "... netbox's proxy refused it"
	t_is "$(grep -c . "$LAB_ECHO_LOG")" 0 "nothing reached the lab's echo"
else
	t_skip "io_uring probes" "no C compiler"
fi

# ---------------------------------------------------------------------------
# AF_UNIX abstract sockets in the namespace netbox itself runs in.

ABSTRACT="netbox-escape-$RAND"
ip netns exec "$LAB_HOSTNS" "$PY" - "$ABSTRACT" "$T/abstract.ready" >/dev/null 2>&1 <<'EOF' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind("\0" + sys.argv[1])
s.listen(8)
open(sys.argv[2], "w").close()
s.settimeout(60)
while True:
    c, _ = s.accept()
    c.sendall(b"hello-abstract\n")
    c.close()
EOF
lib_on_exit "kill $!"
disown $! # no job report when lab_down kills it
wait_for 10 test -e "$T/abstract.ready"
ABS_PY='import socket, sys, errno
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
try:
    s.connect("\0" + sys.argv[1]); print("connected", s.recv(64).decode().strip())
except OSError as e:
    print(errno.errorcode.get(e.errno, e))'
plain "$PY" -c "$ABS_PY" "$ABSTRACT"
t_is "$OUT" "connected hello-abstract" "baseline: an abstract socket in netbox's own network namespace answers"
nbx --allow www.google.com "$PY" -c "$ABS_PY" "$ABSTRACT"
t_like "$OUT" "^(ECONNREFUSED|ENOENT)$" "netbox: that abstract socket is not reachable ($OUT)"

# ---------------------------------------------------------------------------
# The listeners netbox holds.

# Outside, the supervisor holding them (netbox's child) is closed even to
# the user's other processes: not dumpable (supervisor/isolate.c).
hx "$NB" --allow evil.test:9000 sleep 20 >/dev/null 2>&1 &
BG=$!
wait_for 10 sh -c "[ -n \"\$(pgrep -u '$NB_USER' -x netbox)\" ]"
sleep 0.5
NBPID=$(netbox_pid)
SUPPID=$(pgrep -P "$NBPID" -x netbox | head -1)
plain $EP proc-fds
t_like "$OUT" "fd-dir $SUPPID (EACCES|EPERM)" "outside, the user's other processes cannot list the supervisor's /proc/PID/fd"
plain $EP pidfd-getfd "$SUPPID" 12
t_like "$OUT" "getfd EPERM" "outside, pidfd_getfd() of the supervisor's descriptors: EPERM ($(tr '\n' ' ' <<<"$OUT"))"
kill "$NBPID" 2>/dev/null
wait "$BG" 2>/dev/null

nbx --allow evil.test:9000 $EP proc-fds
t_like "$OUT" "sockets 0 opened 0" "netbox: no process the program can see holds a socket it can list ($(tr '\n' ' ' <<<"$OUT"))"
t_like "$OUT" "fd-dir 1 (EACCES|EPERM)" "netbox: the init's /proc/1/fd cannot be listed"
nbx --allow evil.test:9000 $EP pidfd-getfd-child
t_like "$OUT" "^getfd ok" "netbox: pidfd_getfd() works on the program's own child"
nbx --allow evil.test:9000 $EP pidfd-getfd 1 64
t_is "$OUT" "getfd EPERM 65" "netbox: pidfd_getfd() on the init: EPERM for every descriptor 0..64"
nbx --net=none $EP bind 9000
t_is "$OUT" "v6 ok v4 ok v6-reuseport ok" "baseline (--net=none): the program can listen on port 9000"
nbx --allow evil.test:9000 $EP bind 9000
t_is "$OUT" "v6 EADDRINUSE v4 EADDRINUSE v6-reuseport EADDRINUSE" \
	"netbox: a rule's port (9000) cannot be bound to steal the program's connections (even with SO_REUSEPORT)"
nbx --allow evil.test:9000 $EP bind 443
t_like "$OUT" "^v6 (EACCES|EADDRINUSE) v4 (EACCES|EADDRINUSE) v6-reuseport (EACCES|EADDRINUSE)$" \
	"netbox: port 443 cannot be bound either ($OUT)"

# ---------------------------------------------------------------------------
# Signals to the init.

nbx --allow www.google.com sh -c "$EP signal-init; curl -sS -m 5 http://www.google.com/hello; exit 7"
t_like "$OUT" "^KILL sent TERM sent INT sent HUP sent QUIT sent USR1 sent SEGV sent BUS sent FPE sent STOP sent$" \
	"netbox: the program sends SIGKILL, TERM, INT, HUP, QUIT, USR1, SEGV, BUS, FPE, STOP to pid 1"
t_like "$OUT" "init S" "... the init is still there, not stopped"
t_like "$OUT" "term-back no" "... and does not pass them back to the program"
t_like "$OUT" "hello from www\.google\.com" "... the network still works afterwards"
t_is "$RC" 7 "... and netbox exits with the program's status (7)"

# ---------------------------------------------------------------------------
# ptrace of the init.

nbx $EP ptrace-child
t_is "$OUT" "attach ok seize ok" "baseline, inside netbox: the program can ptrace its own child"
nbx $EP ptrace 1
t_is "$OUT" "attach EPERM seize EPERM" "netbox: PTRACE_ATTACH and PTRACE_SEIZE of the init: EPERM"

# ---------------------------------------------------------------------------
# Reading netbox's memory: a canary in netbox's environment.

CANARY="canary-$RAND-memory"
printf '%s\n' "$CANARY" >"$NB_WORK/canary"
chmod 644 "$NB_WORK/canary"
NB_ENV=("NB_CANARY_TOKEN=$CANARY")
# Outside: a process of the same user (netbox itself) is readable.
hx "$NB" --allow www.google.com sleep 20 >/dev/null 2>&1 &
BG=$!
wait_for 10 sh -c "[ -n \"\$(pgrep -u '$NB_USER' -x netbox)\" ]"
sleep 0.5
NBPID=$(netbox_pid)
NB_ENV=()
plain $EP memscan @canary "$NBPID"
t_like "$OUT" "found $NBPID (environ|mem|process_vm_readv)" \
	"baseline: a process of the same user finds the canary in netbox's environment and memory"
kill "$NBPID" 2>/dev/null
wait "$BG" 2>/dev/null

# Inside: the program waits for netbox's host pid (written by this script),
# then looks everywhere it can.
rm -f "$NB_WORK/nbpid"
NB_ENV=("NB_CANARY_TOKEN=$CANARY")
hx "$NB" --allow www.google.com sh -c 'while [ ! -s nbpid ]; do sleep 0.1; done; echo "env:$(env | grep -c CANARY)"; $PY ep.py memscan @canary 1 $(cat nbpid)' \
	>"$T/mem.out" 2>"$T/mem.err" &
BG=$!
NB_ENV=()
wait_for 10 sh -c "[ -n \"\$(pgrep -u '$NB_USER' -x netbox)\" ]"
sleep 0.3
NBPID=$(netbox_pid)
echo "$NBPID" >"$NB_WORK/nbpid"
wait "$BG"
OUT=$(cat "$T/mem.out")
t_like "$OUT" "^env:0$" "netbox: the canary variable is not in the program's environment"
t_like "$OUT" "notfound pids=[0-9]+" "netbox: the canary is nowhere the program can read (every /proc/PID: environ, cmdline, mem, process_vm_readv)"
t_like "$OUT" "pid 1 environ (EACCES|EPERM) mem (EACCES|EPERM) vm (EPERM|EACCES|ESRCH)" \
	"netbox: the init (a copy of netbox's memory): environ, mem and process_vm_readv refused"
t_like "$OUT" "pid $NBPID environ ENOENT mem ENOENT vm ESRCH kill ESRCH" \
	"netbox: netbox's own pid ($NBPID) does not exist for the program"
t_unlike "$(cat "$T/mem.err")" "AddressSanitizer|runtime error|LeakSanitizer" "no sanitizer report"

t_done
