#!/bin/bash
# upstreamproxy.sh — netbox behind an upstream proxy (issue 14).  netbox runs
# in the lab's EDGE namespace (tests/lab/lab.sh, lab_edge_up), whose only
# link is to the proxy and whose resolver answers nothing: every success
# below went through the proxy, and every lab name was resolved on the
# proxy's side.  Proxies: the tests' own (tests/lab/upstream-proxy.py: HTTP
# CONNECT and SOCKS5, with credentials, a JSON line per request) and
# tinyproxy (BasicAuth) as the real-world one.
# Checked: curl https and http, Node's fetch, npm install, git clone, python
# urllib through HTTP CONNECT (by name, with the credentials, which the box
# never sees: no *_proxy variable inside, no password); socks5h:// and
# socks5:// (a raw address sent as such); a wrong password (the client
# fails, netbox's line names 407 and the variable, the log record says so);
# NO_PROXY (direct, no request at the proxy); a name only '*' or --learn
# allows: never resolved by the proxy (no address when the host cannot
# resolve it, else a tunnel to the checked address: rebinding to the
# proxy's loopback fails); --upstream-proxy over the
# environment, --upstream-proxy none; a denied name never reaches the
# proxy; bad URLs (exit 125, one line, no password).
# Run as root (meson test --suite net); NETBOX is the binary under test.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lab/lab.sh"

lib_user_up
lab_up
lab_edge_up || { echo "Bail out! cannot make the EDGE namespace"; exit 1; }

PLOG=$LAB_DIR/proxy.jsonl
: >"$PLOG"
# EDGE's resolver (the test proxy's --dns) knows direct.test (the proxy
# itself), pub.test and rebind.test (registry.test's address); the lab's,
# which the proxy uses, knows pub.test the same and rebind.test as
# 127.0.0.1, HOST's own loopback (the proxy's; its secret on 7777).
lab_add_name pub.test "$LAB_IP4_REGISTRY_TEST" -
lab_add_name rebind.test 127.0.0.1 -
ip netns exec "$LAB_HOSTNS" "$LAB_PY" -I -B "$LAB_SRC_DIR/upstream-proxy.py" --parent $$ --bind "$LAB_PROXY_IP" \
	--log "$PLOG" --http 3128:puser:p@ss:w0rd --http 3129 --socks 1080:suser:s3cret --socks 1081 \
	--direct 80 --dns direct.test --dns "pub.test=$LAB_IP4_REGISTRY_TEST" \
	--dns "rebind.test=$LAB_IP4_REGISTRY_TEST" </dev/null >>"$LAB_DIR/upstream-proxy.log" 2>&1 &
disown $! 2>/dev/null || true
port_up() { lab_edge_exec "$PY" -c 'import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), 1)' "$@" 2>/dev/null; }
wait_for 10 port_up "$LAB_PROXY_IP" 1081 || { echo "Bail out! the test proxy does not start"; exit 1; }

cp "$LAB_CA" "$NB_WORK/ca.pem"
chmod 644 "$NB_WORK/ca.pem"
CA=$NB_WORK/ca.pem
CA_ENV=(SSL_CERT_FILE="$CA" NODE_EXTRA_CA_CERTS="$CA" GIT_SSL_CAINFO="$CA" CURL_CA_BUNDLE="$CA" npm_config_cafile="$CA")
GOOD=http://puser:p%40ss%3Aw0rd@proxy.test:3128

# ex [VAR=value...] netbox-args... — netbox as the test user in EDGE, with
# the CA variables and the given ones.
ex() {
	local envs=()
	while [[ $# -gt 0 && $1 == *=* && $1 != -* ]]; do
		envs+=("$1")
		shift
	done
	cap lab_edge_exec setpriv --reuid="$NB_UID" --regid="$NB_GID" --init-groups \
		env -i HOME="$NB_HOME" USER="$NB_USER" LOGNAME="$NB_USER" \
		PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 "${CA_ENV[@]}" ${envs[@]+"${envs[@]}"} \
		sh -c 'cd "$0" && exec "$@"' "$NB_WORK" "$NB" --noprofile "$@"
}
line() { sed -n "s/^$1: //p" <<<"$OUT" | head -1; }
# plog FILTER — the proxy's log lines since the mark, filtered (python expr on r)
mark() { PMARK=$(wc -l <"$PLOG"); }
plog() { tail -n +"$((PMARK + 1))" "$PLOG" | "$PY" -c '
import json, sys
for l in sys.stdin:
    r = json.loads(l)
    if eval(sys.argv[1]):
        print(r["proto"], r.get("method"), r.get("target") or r.get("host"), r.get("auth"), r.get("user"), r.get("password"), r.get("status"))' "$1"; }

# --- the shape: EDGE reaches nothing but the proxy -------------------------------------
cap lab_edge_exec curl -sS --max-time 3 --cacert "$LAB_CA" https://registry.test/
t_ok "$([ "$RC" != 0 ]; echo $?)" "without netbox, EDGE cannot reach registry.test (resolves nothing)"
cap lab_edge_exec curl -sS --max-time 3 --cacert "$LAB_CA" --resolve "registry.test:443:$LAB_IP4_REGISTRY_TEST" https://registry.test/
t_ok "$([ "$RC" != 0 ]; echo $?)" "... nor its address (no route)"

# --- HTTP CONNECT with credentials: real clients ---------------------------------------
mark
LOG=$(lib_log connect)
mkdir -p "$NB_WORK/app" && printf '{"name":"app","version":"1.0.0"}\n' >"$NB_WORK/app/package.json"
chown -R "$NB_UID:$NB_GID" "$NB_WORK/app"
ex HTTPS_PROXY="$GOOD" HTTP_PROXY="$GOOD" npm_config_https_proxy="$GOOD" \
	--log "$LOG" --allow registry.test --allow git.test --allow www.google.com sh -c '
echo "curl: $(curl -sS --max-time 20 https://registry.test/echo-host 2>&1)"
echo "http: $(curl -sS --max-time 20 http://www.google.com/echo-host 2>&1)"
echo "node: $(node -e "fetch(\"https://registry.test/echo-host\").then(r => r.text()).then(t => console.log(t.trim()), e => console.log(String(e.cause || e)))")"
echo "python: $(python3 -c "import urllib.request as u; print(u.urlopen(\"https://www.google.com/echo-host\").read().decode().strip())" 2>&1 | tail -1)"
cd app && npm install --no-audit --no-fund --fetch-retries=0 --registry https://registry.test/ lab-hello >/dev/null 2>npm.err; echo "npm: $? $(node -p "require(\"lab-hello\")" 2>&1)"
cd .. && git clone -q https://git.test/repo.git repo 2>&1; echo "git: $? $(cat repo/hello.txt 2>&1)"
echo "env: $(env | grep -ic "proxy")"
echo "environ: $(tr "\0" "\n" </proc/self/environ | grep -c -e w0rd -e puser -i -e _proxy)"'
t_is "$RC" 0 "through http:// with credentials: the run exits 0"
t_is "$(line curl)" registry.test "curl https through the proxy"
t_is "$(line http)" www.google.com "curl http (port 80) through the proxy"
t_is "$(line node)" registry.test "Node's own fetch through the proxy"
t_is "$(line python)" www.google.com "python urllib through the proxy"
t_like "$(line npm)" "^0 $LAB_NPM_GREETING" "npm install from registry.test through the proxy"
t_like "$(line git)" "^0 $LAB_GIT_CONTENT" "git clone over https from git.test through the proxy"
t_is "$(line env)" 0 "the box's environment has no *_proxy variable (env)"
t_is "$(line environ)" 0 "... nor the user or password (/proc/self/environ)"
P=$(plog 'r["proto"] == "http"')
t_like "$P" "^http CONNECT registry.test:443 ok puser p@ss:w0rd 200$" "the proxy saw CONNECT registry.test:443 by name, with the user and password percent-decoded"
t_like "$P" "^http CONNECT www.google.com:80 ok " "port 80 went through CONNECT too"
t_like "$P" "^http CONNECT git.test:443 ok " "git.test by name"
t_unlike "$P" "CONNECT [0-9]" "no CONNECT by address: the names were resolved by the proxy"
t_unlike "$P" " (bad|none) " "every request carried the right credentials"
"$PY" - "$LOG" >"$NB_TMP/via.txt" <<'EOF'
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["event"] == "connection":
        print(r["name"], r["port"], r["verdict"], r.get("via"), r["ip"])
EOF
t_like "$(cat "$NB_TMP/via.txt")" "^registry.test 443 allow proxy.test:3128 None$" "log: the connection names its proxy as host:port (via), no address (the proxy resolved it)"
t_unlike "$(grep -v '"event":"start"' "$LOG")" "w0rd|puser" "the log never holds the user or password (but where the command line named them)"
t_like "$ERR" "registry.test .*\(via proxy.test:3128\)" "the summary names the proxy that carried it"

# --- SOCKS5 -----------------------------------------------------------------------------
mark
ex ALL_PROXY=socks5h://suser:s3cret@proxy.test:1080 --allow registry.test --allow "$LAB_IP4_WWW_GOOGLE_COM:80" sh -c '
echo "h: $(curl -sS --max-time 20 https://registry.test/echo-host 2>&1)"
echo "raw: $(curl -sS --max-time 20 http://'"$LAB_IP4_WWW_GOOGLE_COM"'/hello 2>&1 | head -c 40)"'
t_is "$(line h)" registry.test "socks5h:// with user/password: curl https"
t_like "$(line raw)" "." "socks5h://: a raw address allowed by address"
P=$(plog 'r["proto"] == "socks5"')
t_like "$P" "^socks5 CONNECT registry.test:443 ok suser s3cret 0$" "the SOCKS5 proxy got the name (ATYP 3) and RFC 1929 credentials"
t_like "$P" "^socks5 CONNECT $LAB_IP4_WWW_GOOGLE_COM:80 ok " "a raw address goes as the address"
mark
ex ALL_PROXY=socks5://proxy.test:1081 --allow registry.test sh -c '
echo "s: $(curl -sS --max-time 20 https://registry.test/echo-host 2>&1)"'
t_is "$(line s)" registry.test "socks5:// without credentials: by name when the host cannot resolve it"
t_like "$(plog 'r["proto"] == "socks5"')" "^socks5 CONNECT registry.test:443 none " "... the proxy saw the name"

# --- tinyproxy, the real-world proxy ----------------------------------------------------
if command -v tinyproxy >/dev/null; then
	mkdir -m 777 "$LAB_DIR/tinyproxy"
	cat >"$LAB_DIR/tinyproxy/tinyproxy.conf" <<-EOF
		User nobody
		Group nogroup
		Port 8888
		Listen $LAB_PROXY_IP
		Timeout 30
		LogFile "$LAB_DIR/tinyproxy/tinyproxy.log"
		LogLevel Connect
		MaxClients 20
		Allow 192.0.2.0/24
		BasicAuth tuser tpass
		ConnectPort 443
	EOF
	ip netns exec "$LAB_HOSTNS" tinyproxy -d -c "$LAB_DIR/tinyproxy/tinyproxy.conf" </dev/null >>"$LAB_DIR/tinyproxy/out.log" 2>&1 &
	disown $! 2>/dev/null || true
	if wait_for 10 port_up "$LAB_PROXY_IP" 8888; then
		ex HTTPS_PROXY=http://tuser:tpass@proxy.test:8888 --allow registry.test \
			curl -sS --max-time 20 https://registry.test/echo-host
		t_is "$RC:$OUT" "0:registry.test" "tinyproxy with BasicAuth: curl https through it"
		ex HTTPS_PROXY=http://tuser:nope@proxy.test:8888 --allow registry.test \
			curl -sS --max-time 20 https://registry.test/echo-host
		# (tinyproxy answers 401, not 407, when its BasicAuth refuses)
		t_like "$RC:$ERR" "^[1-9][0-9]*:.*upstream proxy proxy.test:8888 \(HTTPS_PROXY\) refused registry.test:443: 40[17] .* — check the user and password in HTTPS_PROXY" "tinyproxy, wrong password: said, with the fix"
	else
		t_ok 1 "tinyproxy does not start: $(tail -3 "$LAB_DIR/tinyproxy/out.log")"
	fi
else
	t_skip "tinyproxy" "not installed (scripts/install-deps installs it)"
fi

# --- a wrong password -------------------------------------------------------------------
LOG=$(lib_log wrongpw)
ex HTTPS_PROXY=http://puser:wrong@proxy.test:3128 --log "$LOG" --allow registry.test sh -c '
curl -sS --max-time 20 https://registry.test/ >/dev/null 2>&1; echo "first: $?"
curl -sS --max-time 20 https://registry.test/ >/dev/null 2>&1; echo "again: $?"'
t_like "$(line first)" "^[1-9]" "a wrong password: the client fails"
t_like "$ERR" "netbox: upstream proxy proxy.test:3128 \(HTTPS_PROXY\) refused registry.test:443: 407 Proxy Authentication Required — check the user and password in HTTPS_PROXY" \
	"netbox's line names the proxy, 407 and the variable"
t_is "$(grep -c "refused registry.test:443" <<<"$ERR")" 1 "... once per destination"
t_unlike "$ERR" "wrong" "... never the password"
t_like "$(grep '"via_error"' "$LOG" | head -1)" '"verdict":"allow".*"via":"proxy.test:3128","via_error":"upstream proxy proxy.test:3128 \(HTTPS_PROXY\) refused registry.test:443: 407 ' \
	"the log record says why"
ex HTTPS_PROXY=socks5h://suser:wrong@proxy.test:1080 --allow registry.test curl -sS --max-time 20 https://registry.test/
t_like "$RC:$ERR" "^[1-9][0-9]*:.*refused registry.test:443: user/password authentication failed — check the user and password in HTTPS_PROXY" "SOCKS5, a wrong password: said"
ex HTTPS_PROXY=http://proxy.test:3999 --allow registry.test curl -sS --max-time 20 https://registry.test/
t_like "$RC:$ERR" "^[1-9][0-9]*:.*upstream proxy proxy.test:3999 \(HTTPS_PROXY\) unreachable for registry.test:443: Connection refused" "a proxy that does not listen: said"

# --- NO_PROXY ---------------------------------------------------------------------------
mark
ex HTTP_PROXY="$GOOD" HTTPS_PROXY="$GOOD" NO_PROXY=.direct.test,localhost --allow direct.test --allow registry.test sh -c '
echo "direct: $(curl -sS --max-time 20 http://direct.test/x 2>&1)"
echo "proxied: $(curl -sS --max-time 20 https://registry.test/echo-host 2>&1)"'
t_is "$(line direct)" "direct direct.test" "NO_PROXY: direct.test reached directly"
t_is "$(line proxied)" registry.test "... while registry.test still goes through the proxy"
t_unlike "$(plog 'r["proto"] == "http"')" "direct.test" "the proxy saw no request for direct.test"
t_like "$(plog 'r["proto"] == "direct"')" "^direct None direct.test" "the direct server did"

# --- the host's own loopback never goes to the proxy ---------------------------------
ip netns exec "$LAB_EDGENS" "$LAB_PY" -I -B "$LAB_SRC_DIR/upstream-proxy.py" --parent $$ --bind 127.0.0.1 \
	--log "$PLOG" --direct 7001 </dev/null >>"$LAB_DIR/upstream-proxy.log" 2>&1 &
disown $! 2>/dev/null || true
if wait_for 10 port_up 127.0.0.1 7001; then
	mark
	ex HTTPS_PROXY="$GOOD" --allow 127.0.0.1:7001 curl -sS --max-time 10 http://127.0.0.1:7001/x
	t_is "$OUT" "direct 127.0.0.1" "--allow 127.0.0.1:7001 with a proxy: the host's loopback is reached directly"
	t_unlike "$(plog 'r["proto"] != "direct"')" "127.0.0.1" "... the proxy saw nothing of it"
else
	t_ok 1 "the loopback server does not start"
fi

# --- precedence -------------------------------------------------------------------------
mark
ex HTTPS_PROXY=http://proxy.test:3999 --upstream-proxy "socks5h://suser:s3cret@proxy.test:1080" \
	--allow registry.test curl -sS --max-time 20 https://registry.test/echo-host
t_is "$RC:$OUT" "0:registry.test" "--upstream-proxy beats HTTPS_PROXY"
t_like "$(plog 'True')" "^socks5 CONNECT registry.test:443 ok " "... its proxy carried the connection"
mark
ex HTTPS_PROXY="$GOOD" --upstream-proxy none --allow registry.test curl -sS --max-time 10 https://registry.test/
t_ok "$([ "$RC" != 0 ]; echo $?)" "--upstream-proxy none: the environment's proxy is ignored (registry.test is unreachable)"
t_is "$(plog 'True')" "" "... and the proxy saw nothing"
ex HTTPS_PROXY="$GOOD" --upstream-proxy none --allow registry.test sh -c 'env | grep "^HTTPS_PROXY="'
t_is "$OUT" "HTTPS_PROXY=http://proxy.test:3128" "... and the program keeps its variable (no proxy of netbox's), without the credentials (as before)"

# --- policy unchanged -------------------------------------------------------------------
mark
ex HTTPS_PROXY="$GOOD" --allow registry.test sh -c '
echo "evil: $(curl -sS --max-time 10 https://evil.test/ 2>&1 | head -c 60)"
echo "mismatch: $(curl -sS --max-time 10 -H "Host: evil.test" --connect-to registry.test:443:evil.test:443 https://registry.test/ 2>&1 | head -c 60)"'
t_like "$(line evil)" "resolve" "a denied name through a proxy is still denied (no address)"
t_like "$ERR" "denied DNS evil.test" "... said"
t_unlike "$(plog 'True')" "evil" "the proxy saw no request for it"

# --- an address dressed as a name is never the proxy's to resolve ----------------------
# (red team, issue 14) Under --allow '*' a DNS query for "127.1", "2130706433",
# "0x7f000001" or "127.0.0.1" itself is a name the host cannot resolve; the
# proxy would read it as an address (inet_aton) and reach its own loopback,
# metadata or private ranges, which '*' never reaches.
mark
ex HTTP_PROXY="$GOOD" HTTPS_PROXY="$GOOD" --allow '*' python3 -c '
import socket, struct
for name in ["127.1", "2130706433", "0x7f000001", "0177.0.0.1", "127.0.0.1", "169.254.169.254", "x.localhost"]:
    qn = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(10)
    s.sendto(struct.pack(">HHHHHH", 7, 0x100, 1, 0, 0, 0) + qn + struct.pack(">HH", 1, 1), ("192.0.2.53", 53))
    r = s.recv(2000)
    an = struct.unpack(">H", r[6:8])[0]
    if an:
        a = socket.inet_ntoa(r[-4:])
        try:
            c = socket.create_connection((a, 80), 10)
            c.sendall(b"GET /x HTTP/1.0\r\nHost: " + name.encode() + b"\r\n\r\n")
            print("%s: %s %r" % (name, a, c.recv(200)[:40]))
        except OSError as e:
            print("%s: %s %s" % (name, a, e))
    else:
        print("%s: no address, rcode %d" % (name, r[3] & 15))
'
t_is "$(grep -c ": no address, rcode" <<<"$OUT")" 7 "--allow '*' through a proxy: an address dressed as a name gets no address ($(tr '\n' ' ' <<<"$OUT"))"
t_is "$(plog 'r["proto"] != "direct"')" "" "... and the proxy is never asked for it"

# --- a name only '*' allows: nothing of it is left to the proxy --------------------------
# (issue 14) Under '*' (or --learn) the program may own a name's DNS: answer
# the host NXDOMAIN or a public address and the proxy 127.0.0.1, 10.x or the
# metadata address (rebinding; a local proxy shares the host's resolver).
# So the host resolves it, its addresses are checked here, and the tunnel
# goes to the checked address; a name the host cannot resolve gets what the
# host said.  A rule that names the host keeps the tunnel by name.
cat >"$NB_WORK/secret.py" <<'EOF'
import socket, sys
try:
    c = socket.create_connection((sys.argv[1], 7777), 10)
    c.sendall(b"GET / HTTP/1.0\r\nHost: " + sys.argv[1].encode() + b"\r\n\r\n")
    print(repr(c.recv(200)))
except OSError as e:
    print(e)
EOF
chmod 644 "$NB_WORK/secret.py"
conn_ips() {
	"$PY" - "$1" <<'EOF'
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["event"] == "connection":
        print(r["name"], r["port"], r["verdict"], r.get("via"), r["ip"])
    elif r["event"] == "dns" and r["verdict"] == "deny":
        print("dns", r["name"], r["reason"])
EOF
}
for mode in allow learn; do
	if [ $mode = allow ]; then
		opts=(--allow '*')
		rule="'\*' \(command line\)"
	else
		opts=(--learn=learned.profile)
		rule="'\*:\*' \(--learn\)"
	fi
	mark
	LOG=$(lib_log "catchall-$mode")
	ex HTTP_PROXY="$GOOD" HTTPS_PROXY="$GOOD" --log "$LOG" "${opts[@]}" sh -c '
echo "unresolved: $(curl -sS --max-time 10 https://registry.test/echo-host 2>&1 | head -c 80)"
echo "pub: $(curl -sS --max-time 20 http://pub.test/echo-host 2>&1 | head -c 80)"
echo "rebind: $(curl -sS --max-time 20 http://rebind.test/echo-host 2>&1 | head -c 80)"'
	P=$(plog 'r["proto"] == "http"')
	t_like "$(line unresolved)" "resolve" "${opts[*]} through a proxy: a name the host cannot resolve (the proxy can) gets no address"
	t_like "$ERR" "netbox: denied DNS registry.test \(allowed only by $rule: its address must be checked here, and this host cannot resolve it; allow it by name \(--allow registry.test\) to let the proxy resolve it\)( by curl)?$" \
		"... said, with the fix"
	t_unlike "$P" "registry.test" "... and the proxy is never asked for it"
	t_is "$(line pub)" pub.test "${opts[*]}: a name the host resolves to a public address: the program gets its bytes"
	t_like "$P" "^http CONNECT $LAB_IP4_REGISTRY_TEST:80 ok " "... through CONNECT to the checked address"
	t_unlike "$P" "CONNECT (pub|rebind)\.test" "... never by name"
	t_is "$(line rebind)" rebind.test "rebinding (the host's DNS says $LAB_IP4_REGISTRY_TEST, the proxy's 127.0.0.1): the checked address is reached"
	t_like "$(conn_ips "$LOG")" "^pub.test 80 allow proxy.test:3128 $LAB_IP4_REGISTRY_TEST$" "log: the connection's address (ip) is the one the tunnel went to"
	t_like "$(conn_ips "$LOG")" "^dns registry.test allowed only by $rule: its address must be checked here" "log: the DNS denial and its reason"
done

mark
ex ALL_PROXY=socks5h://suser:s3cret@proxy.test:1080 --allow '*' curl -sS --max-time 20 http://pub.test/echo-host
t_is "$OUT" pub.test "--allow '*' through socks5h://: reached"
t_like "$(tail -n +"$((PMARK + 1))" "$PLOG")" "\"target\": \"$LAB_IP4_REGISTRY_TEST:80\", \"atyp\": 1," "... the proxy got the checked address (ATYP 1), not the name"

# Rebinding to the proxy's own loopback: --allow '*:*', a port HOST serves
# on 127.0.0.1 (the lab's secret).  By name, the proxy would resolve
# rebind.test there.
: >"$LAB_SECRET_LOG"
mark
ex HTTPS_PROXY="$GOOD" --allow '*:*' python3 secret.py rebind.test
t_unlike "$OUT" "$LAB_SECRET" "--allow '*:*', rebind.test:7777 through the proxy: HOST's loopback secret is not reached ($OUT)"
t_is "$(grep -c . "$LAB_SECRET_LOG")" 0 "... no connection to it at all"
t_like "$(plog 'r["proto"] == "http"')" "^http CONNECT $LAB_IP4_REGISTRY_TEST:7777 " "... the proxy was asked for the checked address"
# (red team 14b) A whole top-level domain ('test', '*.test': 'com',
# '*.com') names no host: anyone registers a name under it and owns its
# DNS.  It is a catch-all: rebind.test:7777 goes as the checked address.
for rule in 'test:7777' '*.test:7777'; do
	: >"$LAB_SECRET_LOG"
	mark
	ex HTTPS_PROXY="$GOOD" --allow "$rule" python3 secret.py rebind.test
	t_unlike "$OUT" "$LAB_SECRET" "--allow '$rule' (a whole TLD), rebind.test:7777 through the proxy: HOST's loopback secret is not reached ($OUT)"
	t_is "$(grep -c . "$LAB_SECRET_LOG")" 0 "... no connection to it at all"
	t_like "$(plog 'r["proto"] == "http"')" "^http CONNECT $LAB_IP4_REGISTRY_TEST:7777 " "... the proxy was asked for the checked address"
done
mark
ex HTTP_PROXY="$GOOD" HTTPS_PROXY="$GOOD" --allow pub.test --allow rebind.test:7777 sh -c '
echo "pub: $(curl -sS --max-time 20 http://pub.test/echo-host 2>&1 | head -c 80)"
echo "rebind: $(python3 secret.py rebind.test)"'
P=$(plog 'r["proto"] == "http"')
t_is "$(line pub)" pub.test "--allow pub.test: reached"
t_like "$P" "^http CONNECT pub.test:80 ok " "... by name, as before"
t_like "$P" "^http CONNECT rebind.test:7777 ok " "--allow rebind.test:7777: by name"
t_like "$(line rebind)" "$LAB_SECRET" "... and the proxy's resolution is trusted, as documented: the rule names the host, and so trusts its DNS"

# --- the box never sees --upstream-proxy's credentials ------------------------------------
# (red team, issue 14) The sandbox's init is a fork of netbox: its
# /proc/1/cmdline is netbox's command line, readable by the program.
ex --upstream-proxy="$GOOD" --allow registry.test sh -c 'tr "\0" " " </proc/1/cmdline; echo; echo "curl: $(curl -sS --max-time 20 https://registry.test/echo-host 2>&1)"'
t_like "$OUT" "--upstream-proxy=http://\*\*\*@proxy.test:3128" "/proc/1/cmdline in the box: --upstream-proxy without its user and password"
t_unlike "$OUT" "puser" "... no user"
t_unlike "$OUT" "w0rd" "... no password"
t_is "$(line curl)" registry.test "... which netbox still uses"

# --- bad URLs ---------------------------------------------------------------------------
bad() { # VAR=value|--upstream-proxy URL, what the line says
	local want=$1
	shift
	ex "$@" --allow registry.test true
	t_is "$RC" 125 "bad proxy ($*): exit 125"
	t_is "$(grep -c . <<<"$ERR")" 1 "... one line"
	t_like "$ERR" "$want" "... saying: $want"
	t_unlike "$ERR" "s3cret" "... without the password"
}
bad "^netbox: HTTPS_PROXY: https:// proxy: TLS to the proxy is not supported" HTTPS_PROXY=https://u:s3cret@proxy.test:443
bad "^netbox: ALL_PROXY: socks4:// proxy" ALL_PROXY=socks4://u:s3cret@proxy.test
bad "^netbox: --upstream-proxy: unknown proxy scheme 'ftp'" --upstream-proxy ftp://u:s3cret@proxy.test
bad "^netbox: http_proxy: the proxy's port is not a number" http_proxy=http://u:s3cret@proxy.test:x
bad "^netbox: HTTPS_PROXY: the proxy URL does not start with a scheme" HTTPS_PROXY=u:s3cret://x@proxy.test:3128
bad "^netbox: HTTPS_PROXY: cannot resolve the upstream proxy's host nothere.invalid" HTTPS_PROXY=http://u:s3cret@nothere.invalid:3128

# --- --check ----------------------------------------------------------------------------
ex HTTPS_PROXY="$GOOD" NO_PROXY=direct.test --allow registry.test --check true
t_like "$OUT" "upstream proxy for ports other than 80: proxy.test:3128 \(HTTP CONNECT, from HTTPS_PROXY, with its user and password\)" "--check names the proxy, not the password"
t_like "$OUT" "drop  HTTPS_PROXY .*upstream proxy" "--check: the variable is dropped from the box"
t_unlike "$OUT" "w0rd" "--check never shows the password"

t_done
