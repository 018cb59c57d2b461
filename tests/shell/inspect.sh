#!/bin/bash
# inspect.sh — HTTP inspection (issue 13: netproxy/inspect.c) against the lab
# (tests/lab/lab.sh), with request rules: the program's TLS is terminated
# with the run's CA (which the sandbox trusts: launcher/trust.c), netbox's
# own TLS to the host is verified, every request is checked and logged.
# netbox itself trusts the lab's CA (SSL_CERT_FILE): the upstream side reads
# the invoker's trust store.
# Checked: curl GET allowed, PUT refused with a 403 naming the deny rule
# (PATCH: no rule) and never reaching the host, keep-alive (the connection
# reused, after a 403 too), HEAD, bodies both ways (Content-Length, chunked,
# 100-continue), 20 connections at once, pipelined requests answered in
# order, another Host on the same connection refused, CONNECT, WebSocket
# and malformed requests refused, port 80 the same without TLS, a host that
# closes a kept-alive connection (the client retries), hosts with an
# expired, self-signed or misnamed certificate refused with a 502 naming
# the error, python's urllib and Node's fetch without flags, and each
# request's log record (query only with --log-query).
# Run as root (meson test --suite net); NETBOX is the binary under test.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lab/lab.sh"

lib_user_up
lab_up

cp "$LAB_CA" "$NB_WORK/lab-ca.pem"
cp "$(dirname "$0")/inspect-client.py" "$NB_WORK/client.py"
head -c 3000000 /dev/urandom >"$NB_WORK/up.bin"
chmod 644 "$NB_WORK/lab-ca.pem" "$NB_WORK/client.py" "$NB_WORK/up.bin"
chown -R "$NB_UID:$NB_GID" "$NB_WORK"
UP_SHA=$(sha256sum <"$NB_WORK/up.bin" | cut -d' ' -f1)
UP100K_SHA=$(head -c 100000 "$NB_WORK/up.bin" | sha256sum | cut -d' ' -f1)
NB_ENV=(SSL_CERT_FILE="$NB_WORK/lab-ca.pem")

# The rules: GET and HEAD on www.google.com (80 and 443), POST to the lab's
# upload sink, PUT and DELETE refused by name.
RULES=(--allow 'GET,HEAD www.google.com' --allow 'POST https://www.google.com/sha256'
	--deny 'PUT,DELETE www.google.com')
# nbx ARGS... — netbox ARGS in the lab, captured.
nbx() { cap hx "$NB" "$@"; }
C='curl -sS --max-time 20'
N='--next -sS --max-time 20' # (--next forgets the options)
# line KEY — the line "KEY: ..." of $OUT, without the key.
line() { sed -n "s/^$1: //p" <<<"$OUT" | head -1; }
sane() { t_unlike "$ERR" "internal error|system call|Sanitizer|runtime error" "$1: the supervisor kept serving"; }
# reqs FILE CHECKS... — each CHECK "DESCRIPTION|PYTHON EXPRESSION" over
# `r`, the log's request records (q(METHOD, PATH, key=value...) picks some).
reqs() {
	local file=$1 out l
	shift
	out=$("$PY" - "$file" "$@" <<-'EOF'
		import json, sys
		r = [l for l in map(json.loads, open(sys.argv[1])) if l.get("event") == "request"]
		def q(method, path, **kw):
		    return [x for x in r if x["method"] == method and x["path"] == path
		            and all(x.get(k) == v for k, v in kw.items())]
		for check in sys.argv[2:]:
		    desc, expr = check.split("|", 1)
		    try:
		        good = eval(expr)
		    except Exception as e:
		        good, desc = False, "%s (%s: %s)" % (desc, type(e).__name__, e)
		    print(("PASS " if good else "FAIL ") + desc)
		print("DUMP " + json.dumps(r)[:1500])
	EOF
	)
	while IFS= read -r l; do
		case $l in
		PASS\ *) t_ok 0 "log: ${l#PASS }" ;;
		FAIL\ *) t_ok 1 "log: ${l#FAIL }" ;;
		DUMP\ *) [ "$t_failed" = 0 ] || t_diag "${l#DUMP }" ;;
		esac
	done <<<"$out"
}

# --- curl over TLS ---------------------------------------------------------------
LOG=$(lib_log curl)
nbx --log "$LOG" "${RULES[@]}" sh -c "
echo \"get: \$($C https://www.google.com/hello)\"
echo \"reuse: \$($C -o /dev/null -o /dev/null -w '%{http_code}/%{num_connects} ' https://www.google.com/hello https://www.google.com/echo-host)\"
echo \"put: \$($C -X PUT -d secret=1 -w '%{http_code}' https://www.google.com/x | tr '\n' ' ')\"
echo \"patch: \$($C -X PATCH -d secret=1 -w '%{http_code}' https://www.google.com/x | tr '\n' ' ')\"
echo \"put-then-get: \$($C -o /dev/null -w '%{http_code}/%{num_connects} ' -X PUT -d a https://www.google.com/x $N -o /dev/null -w '%{http_code}/%{num_connects}' https://www.google.com/hello)\"
echo \"head: \$($C -I -o /dev/null -w '%{http_code}/%{num_connects} ' https://www.google.com/hello $N -o /dev/null -w '%{http_code}/%{num_connects}' https://www.google.com/hello)\"
echo \"query: \$($C 'https://www.google.com/echo-host?token=QUERYSECRET')\"
echo \"big: \$($C 'https://www.google.com/bytes?n=5000000' | sha256sum | cut -d' ' -f1)\"
echo \"post: \$($C --data-binary @up.bin https://www.google.com/sha256)\"
echo \"chunked: \$(head -c 100000 up.bin | $C -H 'Transfer-Encoding: chunked' --data-binary @- https://www.google.com/sha256)\"
echo \"put-big: \$($C -X PUT --data-binary @up.bin -o /dev/null -w '%{http_code}' https://www.google.com/x)\"
for i in \$(seq 20); do $C -o par\$i 'https://www.google.com/bytes?n=300000&seed='\$i & done; wait
echo \"parallel: \$(for i in \$(seq 20); do sha256sum <par\$i | cut -c1-16; done | tr '\n' ' ')\"
mkdir -p nocerts
echo \"untrusted: \$(curl -sS --max-time 10 --cacert lab-ca.pem --capath nocerts https://www.google.com/hello 2>&1 | head -1)\""
t_is "$RC" 0 "curl through inspection: exit 0"
sane "curl"
t_is "$(line get)" "hello from www.google.com" "GET allowed: the host's answer, curl trusting the run's CA without flags"
t_is "$(line reuse)" "200/1 200/0 " "two URLs: one connection, kept alive"
t_is "$(line put)" "netbox refused PUT https://www.google.com/x: rule 'PUT,DELETE www.google.com' (command line) 403" \
	"PUT refused: 403, the body names the deny rule"
t_is "$(line patch)" "netbox refused PATCH https://www.google.com/x: no rule allows PATCH on this path 403" \
	"PATCH, which no rule allows: 403 saying so"
t_unlike "$(cat "$LAB_HTTP_LOG")" " PUT /x | PATCH " "... and neither reached the host"
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
t_like "$ERR" "denied PUT www\.google\.com/x" "stderr: the refused PUT"
reqs "$LOG" \
	"GET /hello: allowed, 200, its rule, bytes both ways|any(x['verdict'] == 'allow' and x['status'] == 200 and x['rule'] == 'GET,HEAD www.google.com' and x['rule_source'] == 'command line' and x['port'] == 443 and x['bytes_sent'] > 0 and x['bytes_received'] > 0 for x in q('GET', '/hello'))" \
	"PUT /x: refused, 403, the deny rule, nothing sent up|all(x['verdict'] == 'deny' and x['status'] == 403 and x['rule'] == 'PUT,DELETE www.google.com' and 'PUT,DELETE www.google.com' in x['reason'] and x['bytes_sent'] == 0 for x in q('PUT', '/x')) and len(q('PUT', '/x')) == 3" \
	"PATCH /x: refused, no rule|[(x['status'], x['rule'], x['reason']) for x in q('PATCH', '/x')] == [(403, None, 'no rule allows PATCH on this path')]" \
	"the query: neither in the path nor in the record (no --log-query)|[(x['query']) for x in q('GET', '/echo-host')][-1:] == [None] and not any('QUERYSECRET' in x['path'] for x in r)" \
	"POST /sha256: the 3 MB upload's bytes up|any(x['bytes_sent'] > 3000000 and x['status'] == 200 for x in q('POST', '/sha256'))" \
	"the 5 MB download's bytes down|any(x['bytes_received'] > 5000000 for x in q('GET', '/bytes'))" \
	"every request of the run is a record (no handshake failure among them)|len(r) == 34"

# --log-query keeps it.
LOG=$(lib_log query)
nbx --log "$LOG" --log-query "${RULES[@]}" $C -o /dev/null 'https://www.google.com/echo-host?token=QUERYSECRET'
reqs "$LOG" "--log-query: the query in the record|[x['query'] for x in q('GET', '/echo-host')] == ['token=QUERYSECRET']"

# --- raw clients: pipelining, Host, upgrades, malformed ---------------------------
P="\"\$PY\" client.py pipe www.google.com"
: >"$LAB_HTTP_LOG"
LOG=$(lib_log raw)
nbx --log "$LOG" "${RULES[@]}" sh -c "
echo \"pipe: \$($P 443 tls 'GET /hello' 'GET /echo-host' 'PUT /x body=abc' 'GET /echo-sni')\"
echo \"host: \$($P 443 tls 'GET /hello' 'GET /hello host=allowed.test' 'GET /echo-host')\"
echo \"ws: \$($P 443 tls 'GET /ws upgrade=websocket' 'GET /hello')\"
echo \"connect: \$($P 443 tls 'CONNECT www.google.com:443' 'GET /hello')\"
echo \"bad: \$($P 443 tls 'GET /hello' 'raw=GET%20/%20HTTP/1.1%0AHost:%20www.google.com%0A%0A')\"
echo \"close: \$($P 443 tls 'GET /hello close' 'GET /echo-host')\"
echo \"gone: \$($P 443 tls 'GET /hello body=x' 'GET /echo-host')\"
echo \"retry: \$($C -o /dev/null -w '%{http_code}/%{num_connects} ' -X GET -d x https://www.google.com/hello $N -w '%{http_code}/%{num_connects}' https://www.google.com/echo-host | tr '\n' ' ')\"
echo \"plain: \$($P 80 plain 'GET /hello' 'PUT /x body=abc' 'GET /echo-host')\"
echo \"http: \$($C -X DELETE -w '%{http_code}' http://www.google.com/x | tr '\n' ' ')\""
t_is "$RC" 0 "raw clients through inspection: exit 0"
sane "raw clients"
t_is "$(line pipe)" "200 hello from www.google.com | 200 www.google.com | 403 netbox refused PUT https://www.google.com/x: rule 'PUT,DELETE www.google.com' (command line) | 200 www.google.com | open" \
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
reqs "$LOG" \
	"the other Host: refused, its reason|any(x['status'] == 403 and x['reason'] == 'Host allowed.test is not www.google.com, the host this connection is for' for x in q('GET', '/hello'))" \
	"the malformed request: 400, its reason, no method or path|[(x['status'], x['reason']) for x in q('', '')] == [(400, 'malformed request: a line ended by LF alone')]" \
	"port 80: PUT refused on it|any(x['port'] == 80 and x['status'] == 403 for x in q('PUT', '/x'))"

# --- bad upstream certificates --------------------------------------------------------
: >"$LAB_HTTP_LOG"
LOG=$(lib_log badcert)
nbx --log "$LOG" --allow 'GET https://expired.test/' --allow 'GET https://selfsigned.test/' \
	--allow 'GET https://wrongname.test/' sh -c "
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
reqs "$LOG" \
	"each refused: 502, the certificate's error|sorted((x['name'], x['status'], x['verdict'], x['reason'].split(': ')[-1]) for x in q('GET', '/hello')) == [('expired.test', 502, 'deny', 'certificate has expired'), ('selfsigned.test', 502, 'deny', 'self-signed certificate'), ('wrongname.test', 502, 'deny', 'hostname mismatch')]"

# --- python urllib, Node's fetch ---------------------------------------------------------
NODE_JS='const u = "https://www.google.com/";
(async () => {
  const a = await fetch(u + "hello"); console.log("node-get: " + a.status + " " + (await a.text()).trim());
  const b = await fetch(u + "x", { method: "PUT", body: "data" }); console.log("node-put: " + b.status + " " + (await b.text()).trim());
  const c = await fetch(u + "echo-host"); console.log("node-again: " + c.status + " " + (await c.text()).trim());
})().catch(e => console.log("node-error: " + e + " " + (e.cause || "")));'
nbx "${RULES[@]}" sh -c "
echo \"py-get: \$(\"\$PY\" client.py urllib https://www.google.com/hello)\"
echo \"py-put: \$(\"\$PY\" client.py urllib https://www.google.com/x PUT data)\"
if command -v node >/dev/null; then node -e '$NODE_JS'; fi"
t_is "$RC" 0 "python and node through inspection: exit 0"
sane "python and node"
t_is "$(line py-get)" "200 hello from www.google.com" "python urllib GET, trusting the run's CA without flags"
t_like "$(line py-put)" "^HTTPError 403 netbox refused PUT https://www\.google\.com/x: rule" "python urllib PUT: HTTPError 403 naming the rule"
if command -v node >/dev/null; then
	t_is "$(line node-get)" "200 hello from www.google.com" "Node's fetch GET, trusting the run's CA without flags"
	t_like "$(line node-put)" "^403 netbox refused PUT https://www\.google\.com/x: rule" "Node's fetch PUT: 403 naming the rule"
	t_is "$(line node-again)" "200 www.google.com" "Node's fetch after the 403: served"
	t_is "$(line node-error)" "" "Node's fetch: no error"
else
	t_skip "Node's fetch" "no node"
fi

# --- npm and git with read-only rules ----------------------------------------------------
if command -v npm >/dev/null; then
	mkdir -p "$NB_WORK/pub" && chown "$NB_UID:$NB_GID" "$NB_WORK/pub"
	printf '{"name":"lab-pub","version":"1.0.0","description":"x","license":"MIT"}\n' >"$NB_WORK/pub/package.json"
	chmod 644 "$NB_WORK/pub/package.json"
	LOG=$(lib_log npm)
	nbx --log "$LOG" --allow 'GET,HEAD https://registry.test/' sh -c "
npm install --no-audit --no-fund --loglevel=error --registry '$LAB_NPM_REGISTRY' '$LAB_NPM_PKG' >/dev/null 2>&1; echo \"install: \$?\"
node -e \"console.log('require: ' + require('$LAB_NPM_PKG'))\"
cd pub && npm publish --registry '$LAB_NPM_REGISTRY' --//registry.test/:_authToken=x --fetch-retries=0 2>&1 | grep -m1 -o 'E403\\|403 Forbidden' | sed 's/^/publish: /'"
	t_is "$(line install)" 0 "npm install from the lab registry with 'GET,HEAD https://registry.test/', trusting the run's CA without flags"
	t_is "$(line require)" "$LAB_NPM_GREETING" "... the package works"
	t_like "$(line publish)" "E403|403 Forbidden" "npm publish: refused with 403"
	reqs "$LOG" \
		"npm's GETs allowed|len([x for x in r if x['method'] == 'GET' and x['verdict'] == 'allow']) >= 2" \
		"the publish's PUT refused and logged|[(x['status'], x['rule']) for x in q('PUT', '/lab-pub')] == [(403, None)]"
else
	t_skip "npm through inspection" "no npm"
fi
rm -rf "$NB_WORK/repo"
nbx --allow 'GET https://git.test/' sh -c "git clone -q '$LAB_GIT_URL' repo && git -C repo rev-parse HEAD"
t_is "$RC:$OUT" "0:$LAB_GIT_HEAD" "git clone over https (dumb HTTP) with 'GET https://git.test/', trusting the run's CA without flags"

# --- the connection's own record --------------------------------------------------------
LOG=$(lib_log conn)
nbx --log "$LOG" "${RULES[@]}" $C -o /dev/null 'https://www.google.com/bytes?n=100000'
t_is "$RC" 0 "--log with inspection: exit 0"
t_ok "$("$PY" -c '
import json, sys
c = [l for l in map(json.loads, open(sys.argv[1])) if l.get("event") == "connection" and l.get("name") == "www.google.com"]
sys.exit(not (len(c) == 1 and c[0]["verdict"] == "allow" and 100000 < c[0]["bytes_received"] < 120000 and c[0]["bytes_sent"] > 50))
' "$LOG"; echo $?)" "the inspected connection's record: allowed, its plaintext bytes"

t_done
