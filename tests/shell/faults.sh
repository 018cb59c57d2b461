#!/bin/bash
# faults.sh — netbox when things go wrong, against the lab (tests/lab/lab.sh).
# Every fault is bounded in time, and each check says how long it took:
#   - the upstream DNS down (port unreachable), slow (1.5 s: answered),
#     late or silent (past netbox's timeout: SERVFAIL by then), answering
#     SERVFAIL or garbage (a compression loop); denied names still get
#     NXDOMAIN at once and never reach it; 200 queries at once for a name
#     whose lookup takes 1.5 s all wait for it and all get the answer;
#   - an upstream host refusing, resetting mid-transfer (both ways), or never
#     answering the SYN: the program sees a reset, promptly (never answering:
#     when netbox's connect deadline, 10 s, ends);
#   - slowloris on the 80/443 peek: silent clients and one byte every 0.2 s
#     are refused at the 10 s peek deadline and logged, 50 silent clients do
#     not stop a normal request meanwhile;
#   - the program exiting with transfers in flight; netbox receiving SIGTERM
#     or SIGKILL with transfers in flight (the upstream side sees every
#     connection end, nothing of the sandbox stays);
#   - a program that forks 1,000 children (half of them orphans) that each
#     ask netbox's resolver something;
#   - the program closing its stdin/stdout, and netbox started with them
#     closed;
#   - hostile DNS from the sandbox (tests/shell/faults-helper.py hostile-dns):
#     malformed queries, compression loops, TCP length prefixes that lie,
#     pipelining, connection and query floods — FORMERR or silence, and the
#     resolver keeps serving;
#   - the supervisor out of memory while it serves one connection (each of
#     that connection's allocations failing in turn, tests/probes/
#     oominject.c): that connection works or is reset, the next is served,
#     the log and the learned profile are still written, and netbox exits
#     with the program's status.
# netbox runs as the unprivileged test user in the lab's HOST namespace.
# Run as root (meson test --suite faults); NETBOX is the binary under test.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lab/lab.sh"

lib_user_up
lab_up

T=$(mktemp -d /tmp/netbox-faults.XXXXXX)
chmod 755 "$T"
lib_on_exit "rm -rf '$T'"
HELPER="$(cd "$(dirname "$0")" && pwd)/faults-helper.py"
cp "$HELPER" "$NB_WORK/fh.py"
chmod 644 "$NB_WORK/fh.py"
chown -R "$NB_UID:$NB_GID" "$NB_WORK"

# cap CMD... — run CMD; $OUT, $ERR (stdout, stderr), $RC and $SECS (wall time).
cap() {
	local t0
	t0=$(date +%s%N)
	OUT=$("$@" 2>"$T/stderr")
	RC=$?
	SECS=$((($(date +%s%N) - t0) / 1000000))
	SECS=$((SECS / 1000)).$(printf '%03d' $((SECS % 1000)) | cut -c1)
	ERR=$(cat "$T/stderr")
}

# secs_le TEXT MAX — the "t=S" in TEXT is at most MAX ("t=A..B": B is);
# secs_ge TEXT MIN — it is at least MIN ("t=A..B": A is).
secs_re='t=([0-9]+(\.[0-9]+)?)(\.\.([0-9]+(\.[0-9]+)?))?'
secs_le() {
	[[ $1 =~ $secs_re ]] || return 1
	awk -v t="${BASH_REMATCH[4]:-${BASH_REMATCH[1]}}" -v m="$2" 'BEGIN { exit !(t <= m) }'
}
secs_ge() {
	[[ $1 =~ $secs_re ]] || return 1
	awk -v t="${BASH_REMATCH[1]}" -v m="$2" 'BEGIN { exit !(t >= m) }'
}
# line TEXT KEY — the line of TEXT that starts with "KEY "
line() { printf '%s\n' "$1" | grep -m1 "^$2 " || true; }

# ---------------------------------------------------------------------------
# The lab's misbehaving hosts.
#   203.0.113.53  no DNS server (the upstream DNS "down": port unreachable)
#   203.0.113.54  faults-helper.py fakedns (slow, late, drop, servfail,
#                 garbage; forwards the rest to the lab's DNS)
#   faults.test   203.0.113.80: TCP 9100 resets after 256 KiB, 9101 sinks
#                 (logs eof or reset), 9102 streams forever, 9103 refuses
#   silent.test   198.51.100.80: blackholed in INET, a SYN is never answered
ip -n "$LAB_INETNS" addr add 203.0.113.53/32 dev "$LAB_VETH_INET"
ip -n "$LAB_INETNS" addr add 203.0.113.54/32 dev "$LAB_VETH_INET"
ip -n "$LAB_INETNS" route add blackhole 198.51.100.0/24
lab_add_name faults.test 203.0.113.80 -
printf 'silent.test 198.51.100.80 -\n' >>"$LAB_DIR/names" # no address in INET: nobody answers
FAKEDNS_LOG=$T/fakedns.log SINK_LOG=$T/sink.log STREAM_LOG=$T/stream.log RESET_LOG=$T/reset.log
: >"$FAKEDNS_LOG"
: >"$SINK_LOG"
: >"$STREAM_LOG"
: >"$RESET_LOG"
# Started as simple commands (not functions) so that --parent is their parent.
ip netns exec "$LAB_INETNS" "$PY" -I -B "$HELPER" fakedns 203.0.113.54 "$LAB_DNS_IP4" "$FAKEDNS_LOG" \
	--parent $$ </dev/null >>"$T/servers.log" 2>&1 &
disown $! # no job report when lab_down kills it
ip netns exec "$LAB_INETNS" "$PY" -I -B "$HELPER" tcpserv 203.0.113.80 9100 reset "$RESET_LOG" \
	--parent $$ </dev/null >>"$T/servers.log" 2>&1 &
disown $! # no job report when lab_down kills it
ip netns exec "$LAB_INETNS" "$PY" -I -B "$HELPER" tcpserv 203.0.113.80 9101 sink "$SINK_LOG" \
	--parent $$ </dev/null >>"$T/servers.log" 2>&1 &
disown $! # no job report when lab_down kills it
ip netns exec "$LAB_INETNS" "$PY" -I -B "$HELPER" tcpserv 203.0.113.80 9102 stream "$STREAM_LOG" \
	--parent $$ </dev/null >>"$T/servers.log" 2>&1 &
disown $! # no job report when lab_down kills it
servers_ready() { [ "$(grep -c ready "$T/servers.log" 2>/dev/null)" -ge 4 ]; }
wait_for 10 servers_ready || t_diag "the fault servers did not start: $(cat "$T/servers.log")"

RESOLV=/etc/netns/$LAB_HOSTNS/resolv.conf
set_upstream_dns() { printf 'nameserver %s\n' "$1" >"$RESOLV"; }

# ---------------------------------------------------------------------------
# Upstream DNS down: nothing listens on 203.0.113.53.

set_upstream_dns 203.0.113.53
cat >"$NB_WORK/dns-down.sh" <<'EOF'
$PY fh.py dnsq 203.0.113.2 www.google.com >allowed.out &
$PY fh.py dnsq 203.0.113.2 evil.test >denied.out &
s=$(date +%s); curl -sS -m 30 http://www.google.com/hello 2>curl.err; echo "curl=$? t=$(($(date +%s) - s))" >curl.out
wait
cat allowed.out denied.out curl.out
EOF
cap hx "$NB" --allow www.google.com sh dns-down.sh
t_like "$(line "$OUT" SERVFAIL)" "^SERVFAIL t=" "upstream DNS down: an allowed name gets SERVFAIL"
t_ok "$(secs_le "$(line "$OUT" SERVFAIL)" 7; echo $?)" "... within the upstream timeout ($(line "$OUT" SERVFAIL); bound 7 s)"
l=$(line "$OUT" NXDOMAIN)
t_ok "$([[ $l == NXDOMAIN* ]] && secs_le "$l" 1; echo $?)" "upstream DNS down: a denied name still gets NXDOMAIN at once ($l)"
t_like "$OUT" "curl=6 " "upstream DNS down: curl says it cannot resolve (exit 6), no hang"
t_ok "$(secs_le "$(printf '%s\n' "$OUT" | grep curl=)" 25; echo $?)" "... within 25 s ($(printf '%s\n' "$OUT" | grep curl=))"
t_is "$RC" 0 "upstream DNS down: netbox exits with the program's status"

# ---------------------------------------------------------------------------
# One run, every probe at once (each bounded): a misbehaving upstream DNS,
# misbehaving upstream hosts, and slowloris clients.

set_upstream_dns 203.0.113.54
: >"$LAB_DNS_LOG"
# Hostile DNS from the sandbox (checked further down) runs meanwhile, in a
# netbox of its own: its 10 s idle TCP probe overlaps the 10 s ones here.
hx "$NB" --quiet --allow www.google.com --allow flood.test "$PY" fh.py hostile-dns 203.0.113.2 \
	www.google.com evil.test flood.test >"$T/hostile.out" 2>"$T/hostile.err" &
HOSTILE=$!
HOSTILE_T0=$(date +%s)
cat >"$NB_WORK/many.sh" <<'EOF'
for n in www.google.com slow.x.test late.x.test drop.x.test servfail.x.test garbage.x.test evil.test; do
	$PY fh.py dnsq 203.0.113.2 $n >"dns-$n.out" &
done
$PY fh.py dnsburst 203.0.113.2 slow.burst.x.test 200 >burst.out &
$PY fh.py tcpread faults.test 9103 >refuse.out &
$PY fh.py tcpread faults.test 9100 >reset.out &
$PY fh.py upreset faults.test 9101 1048576 >upreset.out &
$PY fh.py tcpread silent.test 9100 >silent.out &
$PY fh.py slowloris www.google.com http://www.google.com/hello >slowloris.out &
wait
sleep 1 # slow.x.test's cached answer is used below
curl -sS -m 10 http://slow.x.test/hello >slow-http.out 2>&1
for f in dns-*.out; do echo "${f#dns-} $(cat "$f")"; done
cat burst.out
echo "refuse $(cat refuse.out)"
echo "reset $(cat reset.out)"
echo "upreset $(cat upreset.out)"
echo "silent $(cat silent.out)"
cat slowloris.out
echo "slow-http $(cat slow-http.out)"
EOF
cap hx "$NB" --log "$(lib_log many)" --allow www.google.com --allow x.test --allow faults.test:9100-9103 --allow silent.test:9100 sh many.sh
t_diag "one run with every probe at once: ${SECS} s"
t_like "$(line "$OUT" www.google.com.out)" " NOERROR 198\.1[89]\.[0-9.]+ t=" "fake upstream DNS: a normal name still resolves (forwarded)"
t_like "$(line "$OUT" slow.x.test.out)" " NOERROR 198\.1[89]\.[0-9.]+ t=" "upstream DNS slow (1.5 s): the answer arrives"
t_ok "$(secs_ge "$(line "$OUT" slow.x.test.out)" 1.4 && secs_le "$(line "$OUT" slow.x.test.out)" 3; echo $?)" \
	"... after the delay and no later ($(line "$OUT" slow.x.test.out))"
t_like "$(line "$OUT" burst)" "^burst 200 NOERROR:200 t=" \
	"200 queries at once for a name that takes 1.5 s upstream: all wait for the one lookup, all answered"
for n in late drop; do
	t_like "$(line "$OUT" $n.x.test.out)" " SERVFAIL t=" "upstream DNS $n (9 s / never): SERVFAIL"
	t_ok "$(secs_le "$(line "$OUT" $n.x.test.out)" 7; echo $?)" "... when netbox's upstream timeout ends ($(line "$OUT" $n.x.test.out); bound 7 s)"
done
l=$(line "$OUT" servfail.x.test.out)
t_ok "$([[ $l == *" SERVFAIL "* ]] && secs_le "$l" 1.5; echo $?)" "upstream DNS answers SERVFAIL: SERVFAIL at once ($l)"
t_like "$(line "$OUT" garbage.x.test.out)" " SERVFAIL t=[0-6]\." "upstream DNS answers a compression loop: SERVFAIL, no crash"
l=$(line "$OUT" evil.test.out)
t_ok "$([[ $l == *" NXDOMAIN "* ]] && secs_le "$l" 1; echo $?)" "a denied name: NXDOMAIN at once ($l)"
t_unlike "$(cat "$FAKEDNS_LOG" "$LAB_DNS_LOG")" "evil\.test" "the denied name never reached an upstream DNS"
t_like "$(line "$OUT" refuse)" "^refuse (ECONNRESET|ECONNREFUSED)" "upstream host refusing: the program sees a reset"
t_ok "$(secs_le "$(line "$OUT" refuse)" 2; echo $?)" "... at once ($(line "$OUT" refuse))"
t_like "$(line "$OUT" reset)" "^reset ECONNRESET [0-9]+ t=" "upstream host resetting mid-transfer: the program sees ECONNRESET, not a clean end"
t_ok "$(secs_le "$(line "$OUT" reset)" 3; echo $?)" "... promptly ($(line "$OUT" reset))"
t_is "$(cat "$RESET_LOG")" "reset-sent" "... (the server did reset after sending)"
t_is "$(line "$OUT" upreset)" "upreset sent 1048576" "the program resets its connection mid-upload"
t_like "$(cat "$SINK_LOG")" "^reset [0-9]+$" "... the upstream host sees a reset too, not a clean end ($(cat "$SINK_LOG"))"
t_like "$(line "$OUT" silent)" "^silent (ECONNRESET|eof) 0 t=" "upstream host never answering: the program sees a reset"
t_ok "$(secs_ge "$(line "$OUT" silent)" 9 && secs_le "$(line "$OUT" silent)" 13; echo $?)" \
	"... when netbox's connect deadline (10 s) ends ($(line "$OUT" silent))"
for k in silent-443 silent-80 drip-443 drip-80 silent-443-x50; do
	l=$(line "$OUT" $k)
	t_like "$l" "^$k (ECONNRESET|eof) " "slowloris $k: refused"
	t_ok "$(secs_ge "$l" 9 && secs_le "$l" 12; echo $?)" "... at the 10 s peek deadline ($l)"
done
l=$(line "$OUT" normal-request)
t_ok "$([[ $l == "normal-request 200 "* ]] && secs_le "$l" 3; echo $?)" "with 54 slow clients waiting, a normal request is served at once ($l)"
# (stderr says each destination once, the first refused: the log has every
# connection, the silent and the dripping clients apart)
t_like "$(cat "$(lib_log many)")" '"port":443,"verdict":"deny",.*"reason":"the client sent no TLS ClientHello within 10 s"' \
	"a silent TLS client is logged"
t_like "$(cat "$(lib_log many)")" '"port":443,"verdict":"deny",.*"reason":"the client sent no complete TLS ClientHello within 10 s"' \
	"a dripping TLS client is logged"
t_like "$(cat "$(lib_log many)")" '"port":80,"verdict":"deny",.*"reason":"the client sent no request within 10 s"' \
	"a silent HTTP client is logged"
t_like "$ERR" "netbox: denied www\.google\.com:443 \(the client sent no (complete )?TLS ClientHello within 10 s\)" \
	"stderr says the refused TLS clients' destination once"
t_like "$(line "$OUT" slow-http)" "hello from slow\.x\.test" "a name that resolved slowly connects"
t_is "$RC" 0 "netbox exits with the program's status after all of it"
t_unlike "$ERR" "AddressSanitizer|runtime error|LeakSanitizer" "no sanitizer report"
set_upstream_dns "$LAB_DNS_IP4"

# ---------------------------------------------------------------------------
# Hostile DNS from the sandbox.

wait "$HOSTILE"
RC=$?
OUT=$(cat "$T/hostile.out")
ERR=$(cat "$T/hostile.err")
t_diag "hostile DNS: done $(($(date +%s) - HOSTILE_T0)) s after it started"
for c in short-5-bytes empty response-bit; do
	t_is "$(line "$OUT" $c)" "$c drop" "hostile DNS, $c: dropped"
done
for c in qdcount-0 qdcount-2 pointer-to-itself pointer-loop-2 pointer-past-end label-past-end name-over-255 \
	bad-label-type no-type-class arcount-65535 opt-rdlen-past-end oversized-65000 ancount-1-in-query; do
	t_is "$(line "$OUT" $c)" "$c FORMERR" "hostile DNS, $c: FORMERR (with the query's ID)"
done
t_is "$(line "$OUT" opcode-status)" "opcode-status NOTIMP" "hostile DNS, opcode STATUS: NOTIMP"
for c in "tcp-length-65535:TCP length prefix 65535 with 20 bytes" "tcp-length-5:TCP length prefix shorter than a header" \
	"tcp-short-frame-eof:TCP prefix 100, 10 bytes, then EOF"; do
	l=$(line "$OUT" "${c%%:*}")
	t_ok "$([[ $l =~ ^${c%%:*}\ (eof|ECONNRESET)\ replies=-\  ]] && secs_le "$l" 2; echo $?)" "${c#*:}: closed at once, no reply ($l)"
done
l=$(line "$OUT" tcp-short-frame-idle)
t_like "$l" "^tcp-short-frame-idle (eof|ECONNRESET) replies=- " "TCP prefix 100, 10 bytes, then silence: closed"
t_ok "$(secs_ge "$l" 9 && secs_le "$l" 13; echo $?)" "... when idle for 10 s ($l)"
t_like "$(line "$OUT" tcp-pointer-loop)" "replies=FORMERR:1 " "a compression loop over TCP: FORMERR"
t_like "$(line "$OUT" tcp-pipeline-500)" "replies=NXDOMAIN:500 " "500 pipelined TCP queries for a denied name: 500 NXDOMAIN"
t_like "$(line "$OUT" tcp-flood)" "opened=300" "300 TCP connections to the resolver left open"
t_like "$(line "$OUT" tcp-after-flood)" "^tcp-after-flood NOERROR 198\.1[89]\." "... a new TCP query is still answered"
l=$(line "$OUT" udp-flood-denied)
t_like "$l" "sent=5000 replies=[0-9]+ NXDOMAIN:[0-9]+ t=" "5,000 UDP queries for a denied name: only NXDOMAIN ($l)"
t_ok "$([ "$(printf '%s' "$l" | sed -n 's/.*replies=\([0-9]*\).*/\1/p')" -ge 1000 ]; echo $?)" "... most answered (UDP may drop some under a flood)"
l=$(line "$OUT" udp-flood-allowed)
t_like "$l" "sent=2000 replies=[0-9]+ " "2,000 UDP queries for different allowed names: answered or dropped, bounded ($l)"
t_unlike "$l" "NOERROR" "... (none of them exists upstream: no fake address handed out)"
t_like "$(line "$OUT" "after udp")" "^after udp NOERROR 198\.1[89]\." "after all that, a UDP query is answered"
t_like "$(line "$OUT" "after tcp")" "^after tcp NOERROR 198\.1[89]\." "after all that, a TCP query is answered"
t_unlike "$(cat "$LAB_DNS_LOG" "$FAKEDNS_LOG")" "evil" "no denied name reached an upstream DNS"
t_is "$RC" 0 "hostile DNS: netbox exits with the program's status"
t_unlike "$ERR" "AddressSanitizer|runtime error|LeakSanitizer" "hostile DNS: no sanitizer report"

# ---------------------------------------------------------------------------
# Transfers in flight: the program exits; netbox gets SIGTERM; SIGKILL.

gone_lines() { grep -c '^gone' "$STREAM_LOG"; }
have_gone() { [ "$(gone_lines)" -ge "$1" ]; }

: >"$STREAM_LOG"
cap hx "$NB" --allow faults.test:9102 "$PY" fh.py inflight faults.test 9102 20 3
t_is "$RC:$OUT" "3:flowing 20" "the program exits (3) with 20 downloads in flight: netbox exits 3"
t_ok "$(awk -v t="$SECS" 'BEGIN { exit !(t <= 5) }'; echo $?)" "... promptly (${SECS} s in all)"
wait_for 3 have_gone 20
t_is "$(gone_lines)" 20 "... and the upstream host sees all 20 connections end" || t_why <"$STREAM_LOG"

for sig in TERM KILL; do
	: >"$STREAM_LOG"
	# The previous round's "flowing" must not be read as this one's: the
	# job truncates if.out only once it runs, maybe after the first grep.
	rm -f "$T/if.out" "$T/if.err"
	hx "$NB" --allow faults.test:9102 "$PY" fh.py inflight faults.test 9102 20 -1 >"$T/if.out" 2>"$T/if.err" &
	job=$!
	wait_for 20 grep -q flowing "$T/if.out" 2>/dev/null
	flowing=$?
	pid=
	have_pid() { pid=$(netbox_pid); [ -n "$pid" ]; }
	wait_for 5 have_pid
	t_ok "$([ -n "$pid" ] && [ "$flowing" = 0 ]; echo $?)" "SIG$sig: netbox runs, the 20 transfers flowing"
	t0=$(date +%s%N)
	if [ -n "$pid" ]; then
		kill -$sig "$pid"
	else
		# Never hang the suite on a run that did not start: fail below.
		t_diag "SIG$sig: no netbox process found; output: $(cat "$T/if.out" "$T/if.err" 2>/dev/null)"
		pkill -KILL -u "$NB_USER"
	fi
	wait "$job"
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	want=$([ $sig = TERM ] && echo 143 || echo 137)
	t_is "$rc" "$want" "SIG$sig to netbox with 20 transfers in flight: exit $want"
	t_ok "$([ "$ms" -le 3000 ]; echo $?)" "... within 3 s (${ms} ms)"
	wait_for 3 have_gone 20
	t_is "$(gone_lines)" 20 "SIG$sig: the upstream host sees all 20 connections end" ||
		{ cat "$STREAM_LOG"; ip netns exec "$LAB_INETNS" ss -tn state all "( sport = :9102 )"; } | t_why
	wait_for 3 sh -c "! pgrep -u '$NB_USER' >/dev/null"
	t_is "$(pgrep -u "$NB_USER" -l | tr '\n' ' ')" "" "SIG$sig: no process of the sandbox remains"
	t_unlike "$(cat "$T/if.err")" "AddressSanitizer|runtime error|LeakSanitizer" "SIG$sig: no sanitizer report"
done

# ---------------------------------------------------------------------------
# A program that forks 1,000 children; half of them leave an orphan behind.
# Each (child or orphan) asks netbox's resolver and reports over a pipe.

cat >"$NB_WORK/forks.py" <<'EOF'
import os, socket, struct, sys
N = 1000
r, w = os.pipe()
def ask():
    q = struct.pack("!6H", os.getpid() & 0xffff, 0x0100, 1, 0, 0, 0) + b"\x03www\x06google\x03com\x00\x00\x01\x00\x01"
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    for _ in range(3):
        try:
            s.sendto(q, ("203.0.113.2", 53))
            return s.recv(512)[3] & 15 == 0
        except OSError:
            pass
    return False
kids = 0
for i in range(N):
    try:
        pid = os.fork()
    except OSError as e:
        print("fork failed at", i, e.strerror)
        break
    if pid == 0:
        os.close(r)
        if i % 2 and os.fork() != 0:
            os._exit(0)  # the grandchild is an orphan now, reaped by init
        os.write(w, b"y" if ask() else b"n")
        os._exit(0)
    kids += 1
os.close(w)
got = b""
while True:
    d = os.read(r, 4096)
    if not d:
        break
    got += d
for _ in range(kids):
    os.wait()
print("forked", kids, "answered", got.count(b"y"), "failed", got.count(b"n"))
sys.exit(0 if got.count(b"y") == N else 1)
EOF
chmod 644 "$NB_WORK/forks.py"
cap hx "$NB" --allow www.google.com "$PY" forks.py
t_is "$RC:$OUT" "0:forked 1000 answered 1000 failed 0" "1,000 children (500 orphans) each get an answer from netbox"
t_ok "$(awk -v t="$SECS" 'BEGIN { exit !(t <= 30) }'; echo $?)" "... and netbox exits once they are done (${SECS} s)"
t_unlike "$ERR" "AddressSanitizer|runtime error|LeakSanitizer" "1,000 children: no sanitizer report"

# ---------------------------------------------------------------------------
# Out of memory in the supervisor.  tests/probes/oominject.c, preloaded into
# netbox, fails allocations while the supervisor serves the program's first
# connection: NETBOX_OOM=1:N the N-th of them, 1:N+ the N-th and every one
# after it, for N = 1, 2, ... until the connection makes fewer than N (the
# same connection allocates the same way each run).  The program makes a
# connection of one kind below first, then a normal request that must be
# served; it exits 3, as netbox must then.

OOM_ENV=()
[[ ${NETBOX_SANITIZE:-none} == *address* ]] && OOM_ENV=(ASAN_OPTIONS=verify_asan_link_order=0)
NO_OOM=
if ! err=$(cc -O1 -shared -fPIC -o "$NB_WORK/oominject.so" "$LIB_DIR/probes/oominject.c" -ldl 2>&1); then
	t_diag "cannot compile tests/probes/oominject.c" "$err"
	NO_OOM="no C compiler"
fi
chmod 755 "$NB_WORK/oominject.so" 2>/dev/null
cat >"$NB_WORK/oom.sh" <<'EOF'
case $1 in
http) echo "first $(curl -sS -m 5 -o /dev/null -w '%{http_code} t=%{time_total}' "$2" 2>/dev/null)" ;;
https) echo "first $(curl -sS -m 5 -o /dev/null -w '%{http_code} t=%{time_total}' "$2" 2>/dev/null)" ;;
tcp) echo "first $($PY fh.py tcpread "$2" "$3" --timeout 5)" ;;
esac
echo "next $(curl -sS -m 5 http://www.google.com/hello 2>&1)"
exit 3
EOF

# oom_run SPEC NETBOX-ARGS... — netbox with the injector set to SPEC (and
# the variables of OOM_MORE_ENV).
OOM_MORE_ENV=()
oom_run() {
	local spec=$1
	shift
	NB_ENV=("LD_PRELOAD=$NB_WORK/oominject.so" "NETBOX_OOM=$spec" ${OOM_ENV[@]+"${OOM_ENV[@]}"}
		${OOM_MORE_ENV[@]+"${OOM_MORE_ENV[@]}"})
	cap hx "$NB" --unsetenv LD_PRELOAD "$@"
	NB_ENV=()
}

# Every line of the --log file a JSON object, the next request's last.
oom_log_ok() {
	[ -s "$NB_WORK/oom.jsonl" ] && ! grep -qv '^{.*}$' "$NB_WORK/oom.jsonl" &&
		grep '"event":"connection"' "$NB_WORK/oom.jsonl" | tail -1 |
		grep -q '"name":"www.google.com".*"verdict":"allow".*"bytes_received":[1-9]'
}

# oom_sweep WHAT NETBOX-OPTIONS -- oom.sh-ARGS — both sweeps for one kind of
# first connection: allocations 1 to 40, then every OOM_FAR_STEP-th up to
# OOM_FAR if set (openssl's thousands).  Each run: netbox exits 3, the next request is served,
# the first connection ended within 3 s (reset, not left hanging), the --log
# and --learn outputs are whole.
OOM_SAID=0 OOM_UNCOUNTED=0 OOM_INCOMPLETE=0 OOM_LOGS=0
oom_sweep() {
	local what=$1 opts=() mode n runs=0 reset=0 most=0 bad=() allocs failed first
	shift
	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	for mode in "" +; do
		for n in $(seq 1 40) ${OOM_FAR:+$(seq 41 "$OOM_FAR_STEP" "$OOM_FAR")}; do
			rm -f "$NB_WORK/oom.jsonl" "$NB_WORK/oom.profile"
			oom_run "1:$n$mode" "${opts[@]}" sh oom.sh "$@"
			lib_log_keep "$NB_WORK/oom.jsonl" "oom-$((++OOM_LOGS))" # the next run removes it
			runs=$((runs + 1))
			allocs= failed=
			read -r allocs failed < <(sed -n 's/^netbox-oom: connection 1: \([0-9]*\) allocations, \([0-9]*\) failed$/\1 \2/p' <<<"$ERR")
			[ "${allocs:-0}" -gt "$most" ] && most=$allocs
			first=$(line "$OUT" first)
			[[ $first == "first 200 "* || $first == "first ECONNRESET 262144 "* ]] || reset=$((reset + 1))
			grep -q "^netbox: out of memory" <<<"$ERR" && OOM_SAID=$((OOM_SAID + 1))
			grep -q "^netbox: out of memory during the run: [0-9]* network decisions\? not counted below" <<<"$ERR" &&
				OOM_UNCOUNTED=$((OOM_UNCOUNTED + 1))
			grep -q "^# incomplete: netbox ran out of memory" "$NB_WORK/oom.profile" 2>/dev/null &&
				OOM_INCOMPLETE=$((OOM_INCOMPLETE + 1))
			if [ "$RC" != 3 ] || [ "$(line "$OUT" next)" != "next hello from www.google.com" ] ||
				[ -z "$allocs" ] || ! secs_le "$first" 3 ||
				grep -qE "AddressSanitizer|runtime error|LeakSanitizer" <<<"$ERR" ||
				{ [[ " ${opts[*]} " == *" --log "* ]] && ! oom_log_ok; } ||
				{ [[ " ${opts[*]} " == *" --learn="* ]] &&
					! grep -q "^allow =www\.google\.com:80 " "$NB_WORK/oom.profile" 2>/dev/null; }; then
				bad+=("1:$n$mode: exit $RC, $(tr '\n' ' ' <<<"$OUT")| $(grep -v '^  ' <<<"$ERR" | tr '\n' ' ')")
			fi
			# The N-th allocation never came: this sweep is over.
			[ "${failed:-0}" = 0 ] && break
		done
	done
	t_is "${#bad[@]}" 0 "out of memory serving $what: the next request is served, netbox exits 3 ($runs runs, up to $most allocations, $reset first connections reset)" ||
		printf '%s\n' "${bad[@]}" | head -5 | t_why
}

if [ -n "$NO_OOM" ]; then
	t_skip "out of memory in the supervisor" "$NO_OOM"
else
	oom_sweep "a request by name, with --log" --allow www.google.com --log oom.jsonl -- http http://www.google.com/hello
	oom_sweep "a raw address, with --learn" --learn=oom.profile -- http http://203.0.113.13/hello
	oom_sweep "a denied raw address" --allow www.google.com -- http http://203.0.113.13/hello
	oom_sweep "a silent client the server speaks first to" --allow www.google.com --allow faults.test:9100 -- \
		tcp faults.test 9100
	# Inspected connections (request rules: netproxy/inspect.c): the
	# program's TLS, netbox's own to the host (trusting the lab's CA), the
	# leaf minted for the name, the parsers; and plain HTTP on port 80.
	cp "$LAB_CA" "$NB_WORK/lab-ca.pem" && chmod 644 "$NB_WORK/lab-ca.pem"
	OOM_MORE_ENV=("SSL_CERT_FILE=$NB_WORK/lab-ca.pem")
	OOM_FAR=6500 OOM_FAR_STEP=211 oom_sweep "an inspected request over TLS" --allow 'GET www.google.com' -- \
		https https://www.google.com/hello
	oom_sweep "an inspected request on port 80" --allow 'GET www.google.com' -- http http://www.google.com/hello
	OOM_MORE_ENV=()
	t_ok "$([ "$OOM_SAID" -gt 0 ]; echo $?)" "out of memory: netbox said so, on stderr ($OOM_SAID runs)"
	t_ok "$([ "$OOM_UNCOUNTED" -gt 0 ] && [ "$OOM_INCOMPLETE" -gt 0 ]; echo $?)" \
		"... and, when it could not count a decision, its summary ($OOM_UNCOUNTED runs) and the learned profile ($OOM_INCOMPLETE) say so"
	oom_run 1:1 --allow www.google.com sh oom.sh http http://www.google.com/hello
	t_like "$ERR" "^netbox: out of memory with [0-9]+ connections open: new connections fail while it lasts" \
		"... a connection it had no memory for: said, and that new ones fail meanwhile"
	t_like "$(line "$OUT" first)" "^first 000 t=" "... that connection reset, at once"
fi

# ---------------------------------------------------------------------------
# Closed stdin/stdout.

rm -f "$NB_WORK/got" "$NB_WORK/got2" "$NB_WORK/fds"
cap hx "$NB" --allow www.google.com sh -c 'exec <&- >&-; curl -sS -m 10 -o got http://www.google.com/hello; exit 4'
t_is "$RC" 4 "the program closes its stdin and stdout, then exits 4: netbox exits 4"
t_is "$(cat "$NB_WORK/got" 2>/dev/null)" "hello from www.google.com" "... and its connection worked meanwhile"
t_like "$ERR" "network summary: 1 host allowed" "... netbox's summary still reaches stderr"
hx "$NB" --allow www.google.com sh -c 'ls -l /proc/self/fd/ >fds 2>&1; curl -sS -m 10 -o got2 http://www.google.com/hello 2>>fds' \
	<&- >&- 2>"$T/stderr"
RC=$?
t_is "$RC:$(cat "$NB_WORK/got2" 2>/dev/null)" "0:hello from www.google.com" "netbox started with stdin and stdout closed works"
t_unlike "$(cat "$NB_WORK/fds")" "socket:|pipe:\[|anon_inode" "... and none of its descriptors took the program's fd 0 or 1 ($(awk 'NR > 1 { print $9, $10, $11 }' "$NB_WORK/fds" | tr '\n' ';'))"

t_done
