#!/bin/bash
# network.sh — the sandbox's network: only a working loopback of its own.
# Nothing else is reachable, and every other destination fails at once
# (ENETUNREACH), never after a timeout; the host's loopback services and
# abstract unix sockets are out of reach.
#
# Every probe is first run WITHOUT netbox (same user, same command) and must
# succeed there; only then does its failure under netbox prove something.
# Run as root (meson test --suite launcher); NETBOX is the binary under test.
. "$(dirname "$0")/../lib.sh"

lib_user_up

T=$(mktemp -d /tmp/netbox-network.XXXXXX)
chmod 755 "$T"
lib_on_exit "rm -rf '$T'"
RAND=$(tr -dc a-z0-9 </dev/urandom | head -c 8)

# conn.py ADDR PORT [tcp|udp|unix] — one connection attempt (timeout 5 s):
# prints "connected GREETING", "sent" (udp) or the errno name, and the seconds
# it took.  For unix, ADDR is an abstract name (without the leading NUL).
cat >"$NB_WORK/conn.py" <<'EOF'
import errno, socket, sys, time
addr, port, kind = sys.argv[1], int(sys.argv[2]), (sys.argv[3:] or ["tcp"])[0]
t = time.monotonic()
try:
    if kind == "unix":
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        target = "\0" + addr
    else:
        fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_DGRAM if kind == "udp" else socket.SOCK_STREAM)
        target = (addr, port)
    s.settimeout(5)
    if kind == "udp":
        s.sendto(b"x", target)
        r = "sent"
    else:
        s.connect(target)
        r = "connected " + s.recv(64).decode(errors="replace").strip()
except socket.timeout:
    r = "TIMEOUT"
except OSError as e:
    r = errno.errorcode.get(e.errno, str(e))
print(r, "%.2f" % (time.monotonic() - t))
EOF

# selfconn.py PORT — listen on 127.0.0.1:PORT and connect to it, one program.
cat >"$NB_WORK/selfconn.py" <<'EOF'
import socket, sys, threading
port = int(sys.argv[1])
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(1)
def serve():
    c, _ = srv.accept()
    c.sendall(c.recv(64).upper())
    c.close()
threading.Thread(target=serve, daemon=True).start()
cl = socket.create_connection(("127.0.0.1", port), timeout=5)
cl.sendall(b"ping-self")
print("reply", cl.recv(64).decode())
EOF
chmod 644 "$NB_WORK/conn.py" "$NB_WORK/selfconn.py"

# ms_of TEXT — the seconds conn.py reported, in milliseconds
ms_of() { awk '{ printf "%d", $NF * 1000 }' <<<"$1"; }

# --- interfaces ------------------------------------------------------------------

cap as_user ip -o link
t_like "$OUT" '^1: lo:' "without netbox: ip -o link works (shows lo)"
cap nb ip -o link
t_is "$RC" 0 "netbox: ip -o link works"
t_is "$(printf '%s\n' "$OUT" | grep -c .)" 1 "netbox: exactly one interface"
t_like "$OUT" '^1: lo: <[^>]*[<,]UP[,>]' "netbox: it is lo, and it is UP"
cap nb ip -o addr show dev lo
t_like "$OUT" 'inet 127\.0\.0\.1/8' "netbox: lo has 127.0.0.1/8"

# --- loopback of its own -------------------------------------------------------------

FREE_PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cap as_user "$PY" selfconn.py "$FREE_PORT"
t_is "$OUT" "reply PING-SELF" "without netbox: a program listens on 127.0.0.1 and talks to itself"
cap nb "$PY" selfconn.py 3000
t_is "$RC:$OUT" "0:reply PING-SELF" "netbox: listen on 127.0.0.1:3000 and connect to it, in one program"
[ "$RC" = 0 ] || t_diag "stderr: $ERR"

# --- a host service on 127.0.0.1, and an abstract unix socket ------------------------

ABSTRACT="netbox-test-$RAND"
"$PY" - "$T/host.port" "$ABSTRACT" >/dev/null 2>&1 <<'EOF' &
import os, select, socket, sys
tcp = socket.socket()
tcp.bind(("127.0.0.1", 0))
tcp.listen(8)
uni = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
uni.bind("\0" + sys.argv[2])
uni.listen(8)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(tcp.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    for s in select.select([tcp, uni], [], [], 60)[0]:
        c, _ = s.accept()
        c.sendall(b"hello-host\n")
        c.close()
EOF
HOST_PID=$!
lib_on_exit "kill $HOST_PID"
for _ in $(seq 100); do
	[ -s "$T/host.port" ] && break
	sleep 0.05
done
HOST_PORT=$(cat "$T/host.port" 2>/dev/null)

if [ -n "$HOST_PORT" ]; then
	cap as_user "$PY" conn.py 127.0.0.1 "$HOST_PORT"
	t_like "$OUT" '^connected hello-host' "without netbox: the host's service on 127.0.0.1:$HOST_PORT answers"
	cap nb "$PY" conn.py 127.0.0.1 "$HOST_PORT"
	t_like "$OUT" '^ECONNREFUSED ' "netbox: the host's 127.0.0.1:$HOST_PORT is not reachable (refused by the sandbox's own lo)"
	cap as_user "$PY" conn.py "$ABSTRACT" 0 unix
	t_like "$OUT" '^connected hello-host' "without netbox: the host's abstract unix socket @$ABSTRACT answers"
	cap nb "$PY" conn.py "$ABSTRACT" 0 unix
	t_like "$OUT" '^(ECONNREFUSED|ENOENT) ' "netbox: the host's abstract unix socket is not reachable"
else
	t_ok 1 "cannot start the host's service on 127.0.0.1"
fi

# --- everything else fails at once ----------------------------------------------------

# The outside answer depends on the host's network (it may well reach
# 203.0.113.1 through a proxy, or time out): only logged.  conn.py itself
# was shown to connect above.  Checked with --net=none (loopback only, in
# every version of netbox), and for the default mode when --check says it
# is loopback only too (a filtered default answers through netbox's proxy
# and resolver instead: the filter's own harness covers that).
modes=("--net=none")
cap as_user "$NB" --check true
if printf '%s\n' "$OUT" | grep -qE '^network: +none'; then
	modes+=("")
else
	t_diag "the default network mode is not loopback-only: $(printf '%s\n' "$OUT" | grep -E '^network:')"
fi
for mode in "${modes[@]}"; do
	label="netbox${mode:+ $mode}"
	for target in "203.0.113.1 80 tcp" "2001:db8::1 80 tcp" "203.0.113.1 53 udp" "2001:db8::1 53 udp"; do
		# shellcheck disable=SC2086
		set -- $target
		if [ "$mode" = "${modes[0]}" ]; then
			cap as_user "$PY" conn.py "$@"
			t_diag "without netbox, $3 $1 port $2: $OUT"
		fi
		cap nb ${mode:+"$mode"} "$PY" conn.py "$@"
		if [ "$3" = udp ]; then
			t_like "$OUT" '^(ENETUNREACH|EHOSTUNREACH|EADDRNOTAVAIL|EPERM|EACCES) ' \
				"$label: udp sendto $1 port $2 fails ($OUT)"
		else
			t_like "$OUT" '^(ENETUNREACH|EHOSTUNREACH|EADDRNOTAVAIL|EPERM|EACCES|ECONNREFUSED) ' \
				"$label: tcp connect to $1 port $2 fails ($OUT)"
		fi
		t_ok $(($(ms_of "$OUT") >= 1000)) "$label: ... at once, no hang (< 1 s)"
	done
	cap nb ${mode:+"$mode"} ip -o link
	t_is "$(printf '%s\n' "$OUT" | awk -F': ' '{ print $2 }' | tr '\n' ' ')" "lo " "$label: the only interface is lo"
	cap nb ${mode:+"$mode"} "$PY" selfconn.py 3000
	t_is "$OUT" "reply PING-SELF" "$label: loopback works"
done

# DNS over UDP to any address is netbox's resolver, IPv6 too: the answer
# must come back from the address asked (a resolv.conf naming an IPv6
# server timed out once: IPv6 takes only an interface's address as a
# source).  A denied name needs no upstream: NXDOMAIN.
cat >"$NB_WORK/dns6.py" <<'EOF'
import socket, struct, sys
q = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
for label in sys.argv[2].split("."):
    q += bytes([len(label)]) + label.encode()
q += b"\0" + struct.pack(">HH", 1, 1)
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.sendto(q, (sys.argv[1], 53))
try:
    r, peer = s.recvfrom(512)
    print("rcode", r[3] & 15, "from", peer[0])
except socket.timeout:
    print("timeout")
EOF
chmod 644 "$NB_WORK/dns6.py"
for server in 2001:db8:113::2 ::1 192.0.2.53; do
	cap nb --quiet "$PY" dns6.py "$server" "denied-$RAND.test"
	t_is "$OUT" "rcode 3 from $server" "netbox: a DNS query over UDP to $server is answered from $server (NXDOMAIN)"
done

t_done
