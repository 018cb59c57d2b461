#!/bin/bash
# inspect.sh — HTTP inspection (issue 13: netproxy/inspect.c) against the lab
# (tests/lab/lab.sh): the program's TLS is terminated with the run's CA,
# netbox's own TLS to the host is verified, every request is checked.
#
# Until the rule language has request rules, the runs use the test hook of
# builds with -Dtest_hooks=true: NETBOX_TEST_INSPECT=NAMES inspects those
# names, allowing GET and HEAD (and any method on /sha256, the lab's upload
# sink) and refusing the rest with the pseudo-rule '* NAME'; the supervisor
# writes its CA's certificate to NETBOX_TEST_INSPECT_CA for the clients to
# trust (curl --cacert, SSL_CERT_FILE, NODE_EXTRA_CA_CERTS), and prints each
# request's record ("netbox-test-inspect: allow|deny NAME:PORT METHOD PATH
# ...") on stderr.  netbox itself trusts the lab's CA (SSL_CERT_FILE): the
# upstream side reads the invoker's trust store.
# Checked: curl GET allowed, PUT refused with a 403 naming the rule and never
# reaching the host, keep-alive (the connection reused, after a 403 too),
# HEAD, bodies both ways (Content-Length, chunked, 100-continue), pipelined
# requests answered in order, another Host on the same connection refused,
# CONNECT, WebSocket and malformed requests refused, port 80 the same
# without TLS, hosts with an expired, self-signed or misnamed certificate
# refused with a 502 naming the error, python's urllib and Node's fetch.
# Run as root (meson test --suite net); NETBOX is the binary under test.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lab/lab.sh"

if [ "${NETBOX_TEST_HOOKS:-0}" != 1 ]; then
	echo "1..0 # SKIP needs a build with -Dtest_hooks=true (NETBOX_TEST_INSPECT)"
	exit 0
fi
lib_user_up
lab_up

cp "$LAB_CA" "$NB_WORK/lab-ca.pem"
cp "$(dirname "$0")/inspect-client.py" "$NB_WORK/client.py"
head -c 3000000 /dev/urandom >"$NB_WORK/up.bin"
chmod 644 "$NB_WORK/lab-ca.pem" "$NB_WORK/client.py" "$NB_WORK/up.bin"
chown -R "$NB_UID:$NB_GID" "$NB_WORK"
UP_SHA=$(sha256sum <"$NB_WORK/up.bin" | cut -d' ' -f1)
UP100K_SHA=$(head -c 100000 "$NB_WORK/up.bin" | sha256sum | cut -d' ' -f1)
NB_ENV=(SSL_CERT_FILE="$NB_WORK/lab-ca.pem" NETBOX_TEST_INSPECT_CA="$NB_WORK/run-ca.pem")

# ins NAMES ARGS... — netbox ARGS in the lab, inspecting NAMES, captured.
ins() {
	local names=$1
	shift
	rm -f "$NB_WORK/run-ca.pem"
	cap hx env NETBOX_TEST_INSPECT="$names" "$NB" "$@"
}
# What a program runs first: the run's CA is written by the supervisor.
WAIT='until grep -q "END CERTIFICATE" run-ca.pem 2>/dev/null; do sleep 0.05; done'
C='curl -sS --max-time 20 --cacert run-ca.pem'
N='--next -sS --max-time 20 --cacert run-ca.pem' # (--next forgets the options)
# line KEY — the line "KEY: ..." of $OUT, without the key.
line() { sed -n "s/^$1: //p" <<<"$OUT" | head -1; }
# rec REGEX — a record line of $ERR matching REGEX exists.
rec() { grep -qE -- "^netbox-test-inspect: $1" <<<"$ERR"; }
sane() { t_unlike "$ERR" "internal error|system call|Sanitizer|runtime error" "$1: the supervisor kept serving"; }

# --- curl over TLS ---------------------------------------------------------------
ins www.google.com --allow www.google.com sh -c "$WAIT
echo \"get: \$($C https://www.google.com/hello)\"
echo \"reuse: \$($C -o /dev/null -o /dev/null -w '%{http_code}/%{num_connects} ' https://www.google.com/hello https://www.google.com/echo-host)\"
echo \"put: \$($C -X PUT -d secret=1 -w '%{http_code}' https://www.google.com/x | tr '\n' ' ')\"
echo \"put-then-get: \$($C -o /dev/null -w '%{http_code}/%{num_connects} ' -X PUT -d a https://www.google.com/x $N -o /dev/null -w '%{http_code}/%{num_connects}' https://www.google.com/hello)\"
echo \"head: \$($C -I -o /dev/null -w '%{http_code}/%{num_connects} ' https://www.google.com/hello $N -o /dev/null -w '%{http_code}/%{num_connects}' https://www.google.com/hello)\"
echo \"query: \$($C 'https://www.google.com/echo-host?token=QUERYSECRET')\"
echo \"big: \$($C 'https://www.google.com/bytes?n=5000000' | sha256sum | cut -d' ' -f1)\"
echo \"post: \$($C --data-binary @up.bin https://www.google.com/sha256)\"
echo \"chunked: \$(head -c 100000 up.bin | $C -T - https://www.google.com/sha256)\"
echo \"put-big: \$($C -X PUT --data-binary @up.bin -o /dev/null -w '%{http_code}' https://www.google.com/x)\"
for i in \$(seq 20); do $C -o par\$i 'https://www.google.com/bytes?n=300000&seed='\$i & done; wait
echo \"parallel: \$(for i in \$(seq 20); do sha256sum <par\$i | cut -c1-16; done | tr '\n' ' ')\"
echo \"untrusted: \$(curl -sS --max-time 10 https://www.google.com/hello 2>&1 | head -1)\""
t_is "$RC" 0 "curl through inspection: exit 0"
sane "curl"
t_is "$(line get)" "hello from www.google.com" "GET allowed: the host's answer, the program trusting the run's CA"
t_is "$(line reuse)" "200/1 200/0 " "two URLs: one connection, kept alive"
t_is "$(line put)" "netbox refused PUT https://www.google.com/x: rule '* www.google.com' (NETBOX_TEST_INSPECT) 403" \
	"PUT refused: 403, the body names the rule"
t_unlike "$(cat "$LAB_HTTP_LOG")" " PUT /x " "... and the PUT never reached the host"
t_is "$(line put-then-get)" "403/1 200/0" "a refused PUT with a body keeps the connection: the next GET reuses it"
t_is "$(line head)" "200/1 200/0" "HEAD, then GET on the same connection"
t_is "$(line query)" "www.google.com" "a query goes through"
t_is "$(line big)" "$(lab_bytes_sha256 5000000)" "a 5 MB download is intact"
t_is "$(line post)" "$UP_SHA" "a 3 MB upload (Content-Length, Expect: 100-continue) is intact"
t_is "$(line chunked)" "$UP100K_SHA" "a chunked upload is intact"
t_is "$(line put-big)" "403" "a refused 3 MB PUT (Expect: 100-continue): 403"
want=$(for i in $(seq 20); do lab_bytes_sha256 300000 "$i" | cut -c1-16; done | tr '\n' ' ')
t_is "$(line parallel)" "$want" "20 inspected downloads at once: each intact"
t_like "$(line untrusted)" "curl: \(60\)" "a client that does not trust the run's CA fails its handshake"
t_ok "$(rec 'allow www\.google\.com:443 GET /hello query=0 status=200 up=[1-9][0-9]* down=[1-9][0-9]* ms=[0-9]+ rule=GET,HEAD www\.google\.com origin=NETBOX_TEST_INSPECT reason=- '; echo $?)" \
	"record: GET allowed, status, bytes, rule"
t_ok "$(rec "deny www\.google\.com:443 PUT /x query=0 status=403 up=0 down=[1-9][0-9]* ms=[0-9]+ rule=\* www\.google\.com origin=NETBOX_TEST_INSPECT reason=rule '\* www\.google\.com' \(NETBOX_TEST_INSPECT\)"; echo $?)" \
	"record: PUT refused, nothing sent up, the rule and the reason"
t_ok "$(rec 'allow www\.google\.com:443 GET /echo-host query=1 '; echo $?)" "record: the path without its query, query=1"
t_unlike "$ERR" "QUERYSECRET" "the query is in no record"
t_ok "$(rec 'allow www\.google\.com:443 POST /sha256 query=0 status=200 up=30[0-9]{5} '; echo $?)" \
	"record: the upload's bytes up"
t_ok "$(rec 'deny www\.google\.com:443 - - query=0 status=0 .*reason=the TLS handshake failed: .*unknown ca'; echo $?)" \
	"record: the untrusting client's failed handshake, with openssl's reason"

# --- raw clients: pipelining, Host, upgrades, malformed ---------------------------
P="\"\$PY\" client.py pipe"
ins www.google.com --allow www.google.com sh -c "$WAIT
echo \"pipe: \$($P www.google.com 443 run-ca.pem 'GET /hello' 'GET /echo-host' 'PUT /x body=abc' 'GET /echo-sni')\"
echo \"host: \$($P www.google.com 443 run-ca.pem 'GET /hello' 'GET /hello host=allowed.test' 'GET /echo-host')\"
echo \"ws: \$($P www.google.com 443 run-ca.pem 'GET /ws upgrade=websocket' 'GET /hello')\"
echo \"connect: \$($P www.google.com 443 run-ca.pem 'CONNECT www.google.com:443' 'GET /hello')\"
echo \"bad: \$($P www.google.com 443 run-ca.pem 'GET /hello' 'raw=GET%20/%20HTTP/1.1%0AHost:%20www.google.com%0A%0A')\"
echo \"close: \$($P www.google.com 443 run-ca.pem 'GET /hello close' 'GET /echo-host')\"
echo \"gone: \$($P www.google.com 443 run-ca.pem 'GET /hello body=x' 'GET /echo-host')\"
echo \"retry: \$($C -o /dev/null -w '%{http_code}/%{num_connects} ' -X GET -d x https://www.google.com/hello $N -w '%{http_code}/%{num_connects}' https://www.google.com/echo-host | tr '\n' ' ')\"
echo \"plain: \$($P www.google.com 80 - 'GET /hello' 'PUT /x body=abc' 'GET /echo-host')\"
echo \"http: \$(curl -sS --max-time 10 -X DELETE -w '%{http_code}' http://www.google.com/x | tr '\n' ' ')\""
t_is "$RC" 0 "raw clients through inspection: exit 0"
sane "raw clients"
t_is "$(line pipe)" "200 hello from www.google.com | 200 www.google.com | 403 netbox refused PUT https://www.google.com/x: rule '* www.google.com' (NETBOX_TEST_INSPECT) | 200 www.google.com | open" \
	"four pipelined requests in one write: answered in order, the refused one with its 403, the connection open"
t_is "$(line host)" "200 hello from www.google.com | 403 netbox refused GET https://www.google.com/hello: Host allowed.test is not www.google.com, the host this connection is for | 200 www.google.com | open" \
	"a second request with another Host on the same connection: refused (no domain fronting), the next one served"
t_like "$(line ws)" "^403 netbox refused GET https://www\.google\.com/ws: a WebSocket upgrade is not allowed .* \| 200 hello from www\.google\.com \| open\$" \
	"a WebSocket upgrade: refused, the connection kept"
t_like "$(line connect)" "^403 netbox refused CONNECT .*CONNECT is not allowed" "CONNECT: refused"
t_like "$(line bad)" "^200 hello from www\.google\.com \| 400 netbox refused a request to www\.google\.com: malformed request: a line ended by LF alone \| closed\$" \
	"a malformed request (bare LF): 400, closed"
t_is "$(line close)" "200 hello from www.google.com | closed" "Connection: close: answered, closed, the next request dropped"
t_is "$(line gone)" "200 hello from www.google.com | closed" \
	"the host closes after a response (the lab does after a GET with a body): the next request unanswered, closed"
t_is "$(line retry)" "200/1 www.google.com 200/1" "... which curl retries on a new connection (no 502 for it)"
t_like "$(line plain)" "^200 hello from www\.google\.com \| 403 netbox refused PUT http://www\.google\.com/x: .* \| 200 www\.google\.com \| open\$" \
	"port 80: the same checks without TLS"
t_like "$(line http)" "^netbox refused DELETE http://www\.google\.com/x: rule .* 403\$" "curl DELETE over http: 403"
t_is "$(grep ' PUT /x \| DELETE \| /ws \|CONNECT' "$LAB_HTTP_LOG")" "" "no refused request reached the host"
t_ok "$(rec 'deny www\.google\.com:443 GET /hello .*reason=Host allowed\.test is not www\.google\.com'; echo $?)" \
	"record: the other Host's refusal"
t_ok "$(rec 'deny www\.google\.com:443 - - query=0 status=400 .*reason=malformed request: a line ended by LF alone'; echo $?)" \
	"record: the malformed request"

# --- bad upstream certificates --------------------------------------------------------
BAD=expired.test,selfsigned.test,wrongname.test
: >"$LAB_HTTP_LOG"
ins "$BAD" --allow expired.test --allow selfsigned.test --allow wrongname.test sh -c "$WAIT
for n in expired.test selfsigned.test wrongname.test; do echo \"\$n: \$($C -w '%{http_code}' https://\$n/hello | tr '\n' ' ')\"; done"
t_is "$RC" 0 "hosts with bad certificates: exit 0"
sane "bad certificates"
t_is "$(line expired.test)" "netbox cannot reach expired.test safely: its certificate does not verify: certificate has expired 502" \
	"an expired certificate: 502 naming the error"
t_is "$(line selfsigned.test)" "netbox cannot reach selfsigned.test safely: its certificate does not verify: self-signed certificate 502" \
	"a self-signed certificate: 502 naming the error"
t_is "$(line wrongname.test)" "netbox cannot reach wrongname.test safely: its certificate does not verify: hostname mismatch 502" \
	"a certificate for other names: 502 naming the error"
t_is "$(wc -l <"$LAB_HTTP_LOG")" 0 "no request reached those hosts"
t_ok "$(rec 'deny expired\.test:443 GET /hello query=0 status=502 .*reason=netbox cannot reach expired\.test safely: its certificate does not verify: certificate has expired'; echo $?)" \
	"record: the refusal, with the certificate's error"

# --- python urllib, Node's fetch ---------------------------------------------------------
NODE_JS='const u = "https://www.google.com/";
(async () => {
  const a = await fetch(u + "hello"); console.log("node-get: " + a.status + " " + (await a.text()).trim());
  const b = await fetch(u + "x", { method: "PUT", body: "data" }); console.log("node-put: " + b.status + " " + (await b.text()).trim());
  const c = await fetch(u + "echo-host"); console.log("node-again: " + c.status + " " + (await c.text()).trim());
})().catch(e => console.log("node-error: " + e + " " + (e.cause || "")));'
ins www.google.com --allow www.google.com sh -c "$WAIT
echo \"py-get: \$(SSL_CERT_FILE=run-ca.pem \"\$PY\" client.py urllib https://www.google.com/hello)\"
echo \"py-put: \$(SSL_CERT_FILE=run-ca.pem \"\$PY\" client.py urllib https://www.google.com/x PUT data)\"
if command -v node >/dev/null; then NODE_EXTRA_CA_CERTS=run-ca.pem node -e '$NODE_JS'; fi"
t_is "$RC" 0 "python and node through inspection: exit 0"
sane "python and node"
t_is "$(line py-get)" "200 hello from www.google.com" "python urllib GET (SSL_CERT_FILE = the run's CA)"
t_like "$(line py-put)" "^HTTPError 403 netbox refused PUT https://www\.google\.com/x: rule" "python urllib PUT: HTTPError 403 naming the rule"
if command -v node >/dev/null; then
	t_is "$(line node-get)" "200 hello from www.google.com" "Node's fetch GET (NODE_EXTRA_CA_CERTS = the run's CA)"
	t_like "$(line node-put)" "^403 netbox refused PUT https://www\.google\.com/x: rule" "Node's fetch PUT: 403 naming the rule"
	t_is "$(line node-again)" "200 www.google.com" "Node's fetch after the 403: served"
	t_is "$(line node-error)" "" "Node's fetch: no error"
else
	t_skip "Node's fetch" "no node"
fi

# --- the log: the inspected connection --------------------------------------------------
LOG=$(lib_log inspect)
ins www.google.com --log "$LOG" --allow www.google.com sh -c "$WAIT; $C -o /dev/null 'https://www.google.com/bytes?n=100000'"
t_is "$RC" 0 "--log with inspection: exit 0"
t_ok "$("$PY" -c '
import json, sys
c = [l for l in map(json.loads, open(sys.argv[1])) if l.get("event") == "connection" and l.get("name") == "www.google.com"]
sys.exit(not (len(c) == 1 and c[0]["verdict"] == "allow" and 100000 < c[0]["bytes_received"] < 120000 and c[0]["bytes_sent"] > 50))
' "$LOG"; echo $?)" "the inspected connection's log record: allowed, its plaintext bytes"

t_done
