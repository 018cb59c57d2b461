#!/bin/bash
# logs.sh — the connection log (--log, JSON Lines), learn mode (--learn) and
# the shipped npm profile, with real clients against the lab
# (tests/lab/lab.sh).  Every log line must parse and carry the right fields
# for traffic whose shape the test knows; a learned profile must replay the
# run it came from and refuse anything new.
# Run as root (meson test --suite net); NETBOX is the binary under test.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lab/lab.sh"

lib_user_up
lab_up

T=$(mktemp -d /tmp/netbox-logs.XXXXXX)
chmod 755 "$T"
lib_on_exit "rm -rf '$T'"
cp "$LAB_CA" "$NB_WORK/ca.pem"
chmod 644 "$NB_WORK/ca.pem"

nbx() { cap hx "$NB" "$@"; }

# run_checks LOG CHECKS... — tests/logchecks.py over LOG (tests/lib.sh).
run_checks() { lib_log_checks "log: " "$@"; }

# --- the log --------------------------------------------------------------------
printf '# rules for logs.sh\nallow www.google.com\n' >"$NB_WORK/g.profile"
chown "$NB_UID:$NB_GID" "$NB_WORK/g.profile"
chmod 644 "$NB_WORK/g.profile"
before=$(date -u +%s)
LOG=$(lib_log conns)
nbx --log "$LOG" --profile ./g.profile --allow '*' --deny evil.test sh -c '
	curl -sS --max-time 10 --cacert ca.pem -o /dev/null "https://www.google.com/bytes?n=100000"
	curl -sS --max-time 10 -o /dev/null http://allowed.test/hello
	curl -sS --max-time 10 http://evil.test/ 2>/dev/null
	curl -sS --max-time 10 http://203.0.113.13/ 2>/dev/null
	curl -sS --max-time 10 --cacert ca.pem --connect-to allowed.test:443:www.google.com:443 https://allowed.test/ 2>/dev/null
	true'
after=$(date -u +%s)
t_is "$RC" 0 "a run with --log: exit 0"
t_ok "$([ -s "$LOG" ]; echo $?)" "--log FILE: the file is written"
# (the fields of every record: docs/log.schema.json, checked by t_done)
run_checks "$LOG" \
	"DNS and connection records, each with a time and a verdict|ev('dns') and ev('connection') and all(TIME.match(l['time']) and l['verdict'] in ('allow','deny') for l in ev('dns') + ev('connection'))" \
	"times lie within the run|all($before - 1 <= __import__('calendar').timegm(__import__('time').strptime(l['time'][:19], '%Y-%m-%dT%H:%M:%S')) <= $after + 1 for l in lines)" \
	"DNS www.google.com A: allow, by g.profile:2|any(l['qtype'] == 'A' and l['rule'] == 'www.google.com' and l['rule_source'].endswith('/g.profile:2') for l in ev('dns', name='www.google.com', verdict='allow'))" \
	"DNS evil.test: deny by the rule evil.test (command line)|any(l['rule'] == 'evil.test' and l['rule_source'] == 'command line' and 'evil.test' in l['reason'] for l in ev('dns', name='evil.test', verdict='deny'))" \
	"DNS allowed.test: allow by '*'|any(l['rule'] == '*' for l in ev('dns', name='allowed.test', verdict='allow'))" \
	"www.google.com:443: one allowed connection|len(ev('connection', name='www.google.com', port=443, verdict='allow')) == 1" \
	"www.google.com:443: real IP, fake IP, SNI, rule|[(c['ip'] in ('203.0.113.11', '2001:db8:113::11'), c['fake_ip'].startswith('198.1'), c['sni'], c['rule'], c['rule_source'].endswith('g.profile:2')) for c in ev('connection', name='www.google.com', port=443, verdict='allow')] == [(True, True, 'www.google.com', 'www.google.com', True)]" \
	"www.google.com:443: bytes received cover the 100000-byte body, bytes sent a request|all(100000 < c['bytes_received'] < 120000 and 200 < c['bytes_sent'] < 5000 and c['duration_ms'] > 0 for c in ev('connection', name='www.google.com', port=443, verdict='allow'))" \
	"allowed.test:80: allowed by '*', Host seen|any(c['rule'] == '*' and c['sni'] == 'allowed.test' and c['bytes_received'] > 0 for c in ev('connection', name='allowed.test', port=80, verdict='allow'))" \
	"203.0.113.13:80: a public raw address, allowed by '*', no name|any(c['name'] is None and c['ip'] == '203.0.113.13' and c['fake_ip'] is None and c['rule'] == '*' for c in ev('connection', port=80, verdict='allow'))" \
	"www.google.com:443 with SNI allowed.test: denied, the mismatch is the reason|any(c['sni'] == 'allowed.test' and 'does not match' in c['reason'] and c['rule'] is None for c in ev('connection', name='www.google.com', verdict='deny'))" \
	"no line for evil.test's connection (it never resolved)|not ev('connection', name='evil.test')"

nbx --quiet --log - --allow www.google.com sh -c 'curl -sS --max-time 10 -o /dev/null http://www.google.com/hello; curl -sS --max-time 10 http://203.0.113.13/ 2>/dev/null; true'
printf '%s\n' "$ERR" >"$(lib_log stderr)"
run_checks "$(lib_log stderr)" \
	"--log - with --quiet: stderr holds only JSON lines, the connection among them|len(ev('connection', name='www.google.com', verdict='allow')) == 1" \
	"203.0.113.13:80 without '*': denied raw address, no name, no rule|any(c['name'] is None and c['ip'] == '203.0.113.13' and c['rule'] is None and c['reason'] == 'no rule' and c['bytes_sent'] == 0 for c in ev('connection', port=80, verdict='deny'))"

# The same host allowed by a profile and on the command line: the command
# line's rule is credited (read after the profile: the later wins), for the
# DNS answer and the connection both.
nbx --log cred.jsonl --profile ./g.profile --allow www.google.com --allow allowed.test:8080 sh -c '
	curl -sS --max-time 10 -o /dev/null http://www.google.com/hello
	curl -sS --max-time 10 http://www.google.com:8080/ 2>/dev/null
	true'
run_checks "$NB_WORK/cred.jsonl" \
	"g.profile and --allow both allow www.google.com: the DNS answer credits the command line|[(l['rule'], l['rule_source']) for l in ev('dns', name='www.google.com', qtype='A', verdict='allow')][:1] == [('www.google.com', 'command line')]" \
	"... and so does the connection|[(c['rule'], c['rule_source']) for c in ev('connection', name='www.google.com', port=80, verdict='allow')] == [('www.google.com', 'command line')]" \
	"www.google.com:8080, a port no rule of it names: denied, no rule|any(c['rule'] is None for c in ev('connection', name='www.google.com', port=8080, verdict='deny'))"
t_like "$ERR" "^netbox: denied www\.google\.com:8080 \(no rule\)( by curl)? — --allow www\.google\.com:8080\$" \
	"a name denied on a port: the denial line suggests --allow NAME:PORT"
t_unlike "$ERR" "default profile" "a run with rules: no default-profile hint"

nbx --check --log "$T/never/there.jsonl" true
t_is "$RC" 0 "--check does not open the log file"
nbx --log /proc/nonexistent/x.jsonl true
t_like "$RC:$ERR" "^125:netbox: --log /proc/nonexistent/x\.jsonl: cannot open" "--log to an unwritable path: exit 125 before anything runs"

# --- learn ------------------------------------------------------------------------
RUN='curl -sS --max-time 10 --cacert ca.pem https://www.google.com/hello; curl -sS --max-time 10 http://allowed.test/hello; curl -sS --max-time 10 http://allowed.test/echo-host'
rm -f "$NB_WORK/learned.profile"
nbx --learn=learned.profile sh -c "$RUN; curl -sS --max-time 10 http://loopback.test/ 2>/dev/null; true"
t_is "$OUT" "hello from www.google.com
hello from allowed.test
allowed.test" "--learn: every public host is reached"
L="$NB_WORK/learned.profile"
t_like "$ERR" "learned profile written to learned\.profile .* replay with: netbox --profile \./learned\.profile sh" "--learn=FILE says where the profile went, and how to replay it"
t_is "$(grep '^allow' "$L" | sed 's/ *#.*//')" "allow =allowed.test:80
allow =www.google.com:443" "the learned profile: exactly the hosts and ports used, exact names, sorted"
t_like "$(cat "$L")" "=allowed\.test:80 +# 2 connections, " "the learned profile counts connections"
t_like "$(cat "$L")" "^# refused: loopback\.test:80 \(.*loopback" "loopback stays refused under --learn, and the profile says so"
t_is "$(stat -c %a "$L")" 644 "the learned profile is 0644 (netbox reads it back whatever the umask)"

nbx --profile ./learned.profile sh -c "$RUN"
t_is "$RC:$(printf '%s\n' "$ERR" | grep -c '^netbox: denied')" "0:0" "replaying with the learned profile: the same run passes, nothing denied"
nbx --profile ./learned.profile curl -sS --max-time 10 http://evil.test/hello
t_is "$RC" 6 "replaying: a new host is denied (curl cannot resolve it)"
t_like "$ERR" "^netbox: denied DNS evil\.test" "replaying: ... and netbox says so"
nbx --profile ./learned.profile curl -sS --max-time 10 http://sub.allowed.test/hello
t_is "$RC" 6 "replaying: the learned =allowed.test does not cover sub.allowed.test"
t_like "$ERR" "^netbox: denied DNS sub\.allowed\.test" "replaying: ... and netbox says so"
nbx --profile ./learned.profile curl -sS --max-time 10 --cacert ca.pem https://allowed.test/hello
t_ok "$([ "$RC" != 0 ]; echo $?)" "replaying: a new port of a learned host is refused"
t_like "$ERR" "denied allowed\.test:443" "replaying: the refusal is reported"

nbx --learn curl -sS --max-time 10 -o /dev/null http://www.google.com/hello
t_like "$ERR" "learned profile written to ~/\.config/netbox/learned/curl\.profile .* --profile ~/\.config/netbox/learned/curl\.profile curl" \
	"--learn without a file: the profile goes to ~/.config/netbox/learned/PROGRAM.profile, and netbox says so"
t_like "$(cat "$NB_HOME/.config/netbox/learned/curl.profile" 2>&1)" "^allow =www\.google\.com:80 " "... with the learned rule"
nbx --profile '~/.config/netbox/learned/curl.profile' curl -sS --max-time 10 -o /dev/null http://www.google.com/hello
t_is "$RC" 0 "... and the replay command netbox printed works"
# (a pipe of the user's own: netbox reopens /dev/stdout, and the harness's are root's)
cap hx sh -c '"$0" --learn=/dev/stdout curl -sS --max-time 10 -o /dev/null http://www.google.com/hello | cat' "$NB"
t_like "$OUT" "^allow =www\.google\.com:80 " "--learn=/dev/stdout (a pipe): the profile goes there"
t_is "$RC" 0 "... and netbox exits 0"
# Not a regular file: never chmod'ed (it once made --learn=/dev/null fail, and
# would have made a terminal readable by everyone).
nbx --learn=/dev/null true
t_is "$RC:$(stat -c %a /dev/null)" "0:666" "--learn=/dev/null works and leaves /dev/null's mode alone"

# --- every port: listeners made on demand (supervisor/ondemand.c) -------------------
# --learn and `host:*` rules allow ports no rule names: netbox is told of each
# connect() and listens on a port when the program first uses it.
cat >"$NB_WORK/echo.py" <<'EOF'
import socket, sys, threading
host, port = sys.argv[1], int(sys.argv[2])
def run():
    try:
        s = socket.create_connection((host, port), timeout=5)
        s.sendall(b"hi\n")
        print("reply", s.recv(100).decode().strip())
    except OSError as e:
        print("error", e.__class__.__name__)
if sys.argv[3:] == ["thread"]:  # connect() from a thread that is not the leader
    t = threading.Thread(target=run)
    t.start()
    t.join()
else:
    run()
EOF
cat >"$NB_WORK/own.py" <<'EOF'
import socket
# A UDP connect() to a port nobody serves; a health check before the
# server is up, as test runners do (refused, and the port stays free); then
# the program's own server on loopback, reached by a connect() netbox is
# told of.
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.connect(("203.0.113.13", 7777))
try:
    socket.create_connection(("127.0.0.1", 3334), timeout=5)
    print("connected?")
except OSError as e:
    print("check", e.__class__.__name__)
l = socket.socket()
l.bind(("127.0.0.1", 3334))
l.listen(1)
c = socket.create_connection(("127.0.0.1", 3334), timeout=5)
a, _ = l.accept()
a.sendall(b"up")
print("server", c.recv(10).decode())
EOF
rm -f "$NB_WORK/lp.profile"
nbx --learn=lp.profile "$PY" echo.py evil.test 9000
t_is "$OUT" "reply hi" "--learn: a port no rule names (evil.test:9000) is reached"
t_is "$(grep '^allow' "$NB_WORK/lp.profile" | sed 's/ *#.*//')" "allow =evil.test:9000" "... and learned"
t_unlike "$ERR" "cannot tell netbox" "... (this kernel tells netbox of connect())"
nbx --profile ./lp.profile "$PY" echo.py evil.test 9000
t_is "$RC:$OUT" "0:reply hi" "replaying it: evil.test:9000 reached through the port its rule names"
nbx --allow 'evil.test:*' "$PY" echo.py evil.test 9000
t_is "$OUT" "reply hi" "--allow evil.test:*: port 9000 is reached"
nbx --allow 'evil.test:*' "$PY" echo.py evil.test 9000 thread
t_is "$OUT" "reply hi" "--allow evil.test:*: port 9000 is reached from a thread too"
nbx --allow 'evil.test:*' "$PY" echo.py 203.0.113.13 9000
t_is "$OUT" "error ConnectionResetError" "--allow evil.test:*: the raw address on the same port is still refused"
t_like "$ERR" "denied 203\.0\.113\.13:9000" "... and reported: a listener made on demand decides nothing"
nbx --learn "$PY" own.py
t_is "$RC:$OUT" "0:check ConnectionRefusedError
server up" "--learn: a connect() to a free loopback port is refused, the port stays the program's, its own server is reached"

# --- npm through its shipped profile ----------------------------------------------
# In the lab: the shipped profile allows registry.npmjs.org only, so the lab
# registry is denied — and reported.
nbx npm install --no-audit --no-fund --fetch-retries=0 --registry "$LAB_NPM_REGISTRY" --cafile ca.pem "$LAB_NPM_PKG"
t_ok "$([ "$RC" != 0 ]; echo $?)" "netbox npm install (shipped profile) from registry.test: refused"
t_like "$ERR" "^netbox: denied DNS registry\.test" "the refusal names registry.test"

# --- a full disk never cuts a record --------------------------------------------------
# The program may fill the disk the log is on (its project directory): a
# record written half when the room ran out was continued by the next one on
# the same line (invalid JSON, records silently gone).  Now a record is
# written whole or not at all, said once, and counted in the end record.
SMALL="$NB_WORK/small"
mkdir -p "$SMALL"
mount -t tmpfs -o size=64k,mode=0755,uid="$NB_UID",gid="$NB_GID" tmpfs "$SMALL"
lib_on_exit "umount -l '$SMALL' 2>/dev/null"
cat >"$SMALL/fill.py" <<'EOF'
import os, socket
def attempt(port):
    s = socket.socket()
    s.connect_ex(("198.51.100.9", port))
    s.close()
attempt(1001)
f = open("filler", "wb", buffering=0)
try:
    while True:
        f.write(b"x" * 512)
except OSError:
    pass
for p in range(1002, 1020):
    attempt(p)
os.unlink("filler")
for p in range(1020, 1023):
    attempt(p)
EOF
chown "$NB_UID:$NB_GID" "$SMALL/fill.py"
cap hx sh -c 'cd small && exec "$0" --log full.jsonl "$1" fill.py' "$NB" "$PY"
t_like "$ERR" "^netbox: cannot write the --log file \(No space left on device\): records are missing" \
	"a program fills the log's disk: netbox says once that records are missing"
cp "$SMALL/full.jsonl" "$T/full.jsonl"
run_checks "$T/full.jsonl" \
	"... none is cut: the end record counts those left out, the others are all there|ev('end') and ev('end')[0]['records_lost'] > 0 and ev('end')[0]['records_lost'] + len(ev('connection')) == ev('end')[0]['connections_denied']"
lib_log_keep "$T/full.jsonl" full-disk

# Against the real registry (the only test here that leaves the lab, and only
# to registry.npmjs.org): the shipped profile is all it takes.
if curl -sS -m 10 -o /dev/null https://registry.npmjs.org/is-number 2>/dev/null; then
	as_user rm -rf "$NB_WORK/real" && as_user mkdir "$NB_WORK/real"
	cap as_user sh -c 'cd real && exec "$0" --log "$1" npm install --no-audit --no-fund --loglevel=error is-number@7.0.0' "$NB" "$(lib_log npm)"
	t_is "$RC" 0 "netbox npm install is-number: the shipped npm profile is all it needs"
	t_ok "$([ -f "$NB_WORK/real/node_modules/is-number/package.json" ]; echo $?)" "is-number is installed"
	run_checks "$(lib_log npm)" \
		"npm's connections went to registry.npmjs.org:443 only, by the npm profile|ev('connection', verdict='allow') and all(c['name'] == 'registry.npmjs.org' and c['port'] == 443 and c['rule_source'].endswith('npm.profile:15') for c in ev('connection', verdict='allow'))"
	t_ok "$([ -n "$(find "$NB_HOME/.npm/_cacache/content-v2" -type f 2>/dev/null)" ]; echo $?)" "npm's hash-checked store persisted in ~/.npm/_cacache/content-v2 (the profile's rw)"
	t_ok "$([ ! -e "$NB_HOME/.npm/_cacache/index-v5" ]; echo $?)" "npm's cache index did not persist (the profile's overlay)"
else
	t_skip "netbox npm install with the shipped profile (real registry)" "registry.npmjs.org unreachable"
fi

t_done
