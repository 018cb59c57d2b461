#!/bin/bash
# tests/lab/smoke.sh — proves the test lab (tests/lab/lab.sh) works, WITHOUT
# netbox: brings the lab up, talks to it from the HOST namespace with plain
# clients (getent, curl, git, npm, python3), runs a second lab beside it,
# then tears it down and checks that nothing is left.  TAP output; exit 0 only
# if every check passed.  Run as root:  bash tests/lab/smoke.sh
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lab.sh
. "$HERE/lab.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP needs root (network namespaces)"
	exit 0
fi

n=0
failed=0
ok() { # STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		echo "not ok $n - $2" >&2 # meson prints a failed test's stderr
		failed=$((failed + 1))
	fi
}
is() { # GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf 'got:  %s\nwant: %s\n' "$1" "$2" | head -20 | sed 's/^/#   /'
	fi
}
like() { # TEXT REGEX DESCRIPTION
	if grep -qE -- "$2" < <(printf '%s' "$1"); then
		ok 0 "$3"
	else
		ok 1 "$3"
		printf 'text: %s\nwant match: %s\n' "$(printf '%s' "$1" | head -c 800)" "$2" | sed 's/^/#   /'
	fi
}
skip() { # DESCRIPTION REASON
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}
run() { "$@" 2>&1 || echo "[exit $?]"; } # output (and failure) of CMD, never fails
ms() { echo $(($(date +%s%N) / 1000000)); }
have() { command -v "$1" >/dev/null 2>&1; }
alive() { # PID...: prints those still running (zombies are dead: init reaps them late)
	local p
	for p in "$@"; do
		if [ -e "/proc/$p" ] && ! grep -q '^[^)]*) Z' "/proc/$p/stat" 2>/dev/null; then printf ' %s' "$p"; fi
	done
}
in_host() { run lab_host_exec "$@"; }

T=$(mktemp -d /tmp/netbox-lab-smoke.XXXXXX)
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT # lab_up chains this trap after its own lab_down

# ---------------------------------------------------------------- up
t0=$(ms)
if ! lab_up; then
	ok 1 "lab_up"
	echo "1..$n"
	exit 1
fi
t1=$(ms)
ok 0 "lab_up ($LAB_HOSTNS, $LAB_INETNS, $LAB_DIR)"
# How long it took is a figure, not a check (a loaded CI machine is slow).
echo "# lab_up took $((t1 - t0)) ms"
case $(trap -p EXIT) in
*lab_down*'rm -rf'*) ok 0 "lab_up chained the existing EXIT trap" ;;
*) ok 1 "lab_up chained the existing EXIT trap: $(trap -p EXIT)" ;;
esac
is "$(run setpriv --reuid=65534 --regid=65534 --clear-groups head -1 "$LAB_CA")" \
	"-----BEGIN CERTIFICATE-----" "an unprivileged user can read \$LAB_CA"

# ---------------------------------------------------------------- routes
like "$(ip -n "$LAB_HOSTNS" route get 192.0.2.77 2>&1)" "via $LAB_DNS_IP4 dev $LAB_VETH_HOST" \
	"HOST routes any IPv4 address to INET"
like "$(ip -n "$LAB_HOSTNS" -6 route get 2001:db8:ffff::1 2>&1)" "via $LAB_DNS_IP6 dev $LAB_VETH_HOST" \
	"HOST routes any IPv6 address to INET"
is "$(ip -n "$LAB_INETNS" route show default; ip -n "$LAB_INETNS" -6 route show default)" "" \
	"INET has no default route"
if have ping; then
	for a in "$LAB_ECHO_IP4" "$LAB_ECHO_IP6"; do
		like "$(in_host ping -c 1 -W 2 "$a")" "1 received" "ping $a from HOST"
	done
else
	skip "ping" "ping not installed"
fi

# ---------------------------------------------------------------- DNS
is "$(in_host cat /etc/resolv.conf)" "nameserver 203.0.113.2" "HOST sees the lab DNS in /etc/resolv.conf"
like "$(in_host getent hosts google.com)" '^(203\.0\.113\.10|2001:db8:113::10) +google\.com$' \
	"getent hosts google.com is the lab's address"
is "$(in_host getent ahostsv4 google.com | awk '{ print $1; exit }')" "$LAB_IP4_GOOGLE_COM" \
	"getent ahostsv4 google.com = $LAB_IP4_GOOGLE_COM"
is "$(in_host getent ahostsv6 www.google.com | awk '{ print $1; exit }')" "$LAB_IP6_WWW_GOOGLE_COM" \
	"getent ahostsv6 www.google.com = $LAB_IP6_WWW_GOOGLE_COM"
is "$(in_host getent ahostsv6 v6only.test | awk '{ print $1; exit }')" 2001:db8:113::20 \
	"v6only.test has an AAAA"
is "$(in_host getent ahostsv4 v6only.test)" "[exit 2]" "v6only.test has no A"
is "$(in_host getent ahostsv4 metadata.test | awk '{ print $1; exit }')" 169.254.169.254 \
	"metadata.test -> 169.254.169.254"
is "$(in_host getent ahostsv4 loopback.test | awk '{ print $1; exit }')" 127.0.0.1 \
	"loopback.test -> 127.0.0.1"
is "$(in_host getent hosts nosuch.example)" "[exit 2]" "an unknown name does not resolve (NXDOMAIN)"
lab_add_name extra.test 203.0.113.50 2001:db8:113::50
is "$(lab_ip4 extra.test) $(lab_ip6 extra.test) $(lab_ip4 www.google.com) $(lab_ip6 v4only.test)" \
	"203.0.113.50 2001:db8:113::50 203.0.113.11 " "lab_ip4/lab_ip6, also for a name added by lab_add_name"
is "$(in_host getent ahostsv4 extra.test | awk '{ print $1; exit }')" 203.0.113.50 "lab_add_name: the DNS knows the new name"
is "$(in_host curl -sS --max-time 10 -6 http://extra.test/hello)" "hello from extra.test" "lab_add_name: INET serves its address"
is "$(lab_dns_query nosuch.example A)" "rcode=NXDOMAIN tc=0" "raw query: NXDOMAIN for an unknown name"
is "$(lab_dns_query google.com AAAA --server "$LAB_DNS_IP6" --tcp)" \
	$'rcode=NOERROR tc=0\nAAAA 2001:db8:113::10' "raw query over TCP to the IPv6 server"
is "$(lab_dns_query google.com MX --no-edns)" "rcode=NOERROR tc=0" "raw query: NODATA for MX, no EDNS"
is "$(lab_dns_query tc.test A)" "rcode=NOERROR tc=1" "tc.test over UDP is truncated"
is "$(in_host getent ahostsv4 tc.test | awk '{ print $1; exit }')" "$LAB_IP4_TC_TEST" \
	"glibc resolves tc.test (falls back to TCP)"

# ---------------------------------------------------------------- HTTP(S)
C=(curl -sS --max-time 20 --cacert "$LAB_CA")
if have curl; then
	like "$(in_host "${C[@]}" -L http://google.com)" "lab www.google.com" \
		"curl -L http://google.com reaches lab www.google.com"
	is "$(in_host "${C[@]}" -o /dev/null -w '%{http_code} %{redirect_url}' http://google.com/)" \
		"301 http://www.google.com/" "http://google.com/ is a 301 to http://www.google.com/"
	like "$(in_host "${C[@]}" -L https://google.com)" "lab www.google.com" \
		"curl -L https://google.com reaches lab www.google.com"
	is "$(in_host "${C[@]}" -o /dev/null -w '%{http_code} %{redirect_url}' https://google.com/x?y=1)" \
		"301 https://www.google.com/x?y=1" "https://google.com/x?y=1 is a 301 to https://www.google.com/x?y=1"
	is "$(in_host "${C[@]}" https://www.google.com/hello)" "hello from www.google.com" \
		"https://www.google.com/hello (cert checked against \$LAB_CA)"
	is "$(in_host "${C[@]}" https://registry.test/hello)" "hello from registry.test" "https://registry.test/hello"
	like "$(in_host curl -sS -o /dev/null https://www.google.com/)" "exit 60" \
		"without \$LAB_CA the certificate is refused"
	like "$(in_host "${C[@]}" https://expired.test/hello)" "certificate has expired" \
		"https://expired.test: its certificate has expired"
	like "$(in_host "${C[@]}" https://selfsigned.test/hello)" "self-signed certificate" \
		"https://selfsigned.test: a self-signed certificate"
	like "$(in_host "${C[@]}" https://wrongname.test/hello)" "no alternative certificate subject name" \
		"https://wrongname.test: the certificate does not name it"
	is "$(in_host "${C[@]}" -k https://expired.test/hello)" "hello from expired.test" \
		"... the bad certificates' hosts serve as the others (curl -k)"
	is "$(in_host "${C[@]}" -4 https://allowed.test.evil.test/whoami)" \
		"scheme=https host=allowed.test.evil.test sni=allowed.test.evil.test local=203.0.113.16 port=443 peer=203.0.113.1" \
		"/whoami over IPv4 (host, SNI, local and peer address)"
	is "$(in_host "${C[@]}" -6 https://sub.allowed.test/whoami)" \
		"scheme=https host=sub.allowed.test sni=sub.allowed.test local=2001:db8:113::15 port=443 peer=2001:db8:113::1" \
		"/whoami over IPv6"
	is "$(in_host "${C[@]}" -H 'Host: evilallowed.test' https://allowed.test/echo-host)" "evilallowed.test" \
		"/echo-host returns the Host header"
	is "$(in_host "${C[@]}" https://allowed.test/echo-sni)" "allowed.test" "/echo-sni returns the SNI"
	is "$(in_host "${C[@]}" http://metadata.test/hello)" "hello from metadata.test" \
		"http://metadata.test (169.254.169.254) answers in the lab: a leak would show"
	is "$(in_host "${C[@]}" -6 http://private.test/hello)" "hello from private.test" \
		"http://private.test over IPv6 (fd00::1) answers in the lab"
	is "$(in_host "${C[@]}" -o /dev/null -w '%{http_code}' https://evil.test/nope)" "404" "unknown path: 404"
	t0=$(ms)
	is "$(in_host "${C[@]}" 'https://big.test/slow?ms=300')" "slept 300 ms" "/slow?ms=300"
	t1=$(ms)
	ok $((t1 - t0 < 300)) "... took >= 300 ms ($((t1 - t0)))"

	N=$((50 * 1024 * 1024))
	want=$(run lab_bytes_sha256 "$N")
	t0=$(ms)
	got=$(in_host "${C[@]}" "https://big.test/bytes?n=$N" | sha256sum | cut -d' ' -f1)
	t1=$(ms)
	is "$got" "$want" "50 MB https /bytes matches labnet.py's bytes ($((t1 - t0)) ms)"
	is "$(in_host "${C[@]}" "http://big.test/bytes?n=1000&seed=7" | sha256sum | cut -d' ' -f1)" \
		"$(lab_bytes_sha256 1000 7)" "/bytes?n=1000&seed=7 over http"

	head -c $((20 * 1024 * 1024)) /dev/urandom >"$T/post.bin"
	want=$(sha256sum <"$T/post.bin" | cut -d' ' -f1)
	is "$(in_host "${C[@]}" --data-binary @"$T/post.bin" https://big.test/sha256)" "$want" \
		"POST /sha256 of 20 MB (Content-Length, Expect: 100-continue)"
	is "$(in_host "${C[@]}" -H 'Transfer-Encoding: chunked' --data-binary @"$T/post.bin" http://big.test/sha256)" \
		"$want" "POST /sha256 of 20 MB (chunked)"
	is "$(printf 'abc' | in_host "${C[@]}" -T - https://big.test/sha256)" \
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" "PUT /sha256 (chunked, small)"
else
	skip "HTTP(S) checks" "curl not installed"
fi

# Other real clients: python's urllib (with the strict X.509 checks that
# Python 3.13 turns on by default) and node's fetch (undici).
cat >"$T/fetch-urllib.py" <<'EOF'
import ssl, sys, urllib.request
ctx = ssl.create_default_context(cafile=sys.argv[2])
ctx.verify_flags |= getattr(ssl, "VERIFY_X509_STRICT", 0)
body = urllib.request.urlopen(sys.argv[1], context=ctx, timeout=10).read().decode()
print("ok" if "lab www.google.com" in body else body)
EOF
is "$(in_host "$LAB_PY" "$T/fetch-urllib.py" https://google.com/ "$LAB_CA")" "ok" \
	"python urllib https://google.com follows to www.google.com (strict X.509)"
if have node; then
	js='fetch(process.argv[1]).then(r => r.text()).then(t => console.log(t.includes("lab www.google.com") ? "ok" : t), e => console.log(String(e.cause || e)))'
	for u in http://google.com https://google.com/; do
		is "$(in_host env NODE_EXTRA_CA_CERTS="$LAB_CA" node -e "$js" "$u")" "ok" "node fetch $u follows to www.google.com"
	done
else
	skip "node fetch" "node not installed"
fi

# 250 connections open at once, each waiting 500 ms: served in parallel?
cat >"$T/concurrent.py" <<'EOF'
import socket, ssl, sys, threading, time
n, host, addr, ca = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(cafile=ca)
socks, results = [], []
for i in range(n):  # all connected (and TLS done) before any request
    s = socket.create_connection((addr, 443 if i % 2 else 80), timeout=20)
    if i % 2:
        s = ctx.wrap_socket(s, server_hostname=host)
    socks.append(s)
def go(s):
    s.sendall(b"GET /slow?ms=500 HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % host.encode())
    data = b""
    while True:
        d = s.recv(4096)
        if not d:
            break
        data += d
    results.append(data.endswith(b"slept 500 ms\n"))
t = time.monotonic()
threads = [threading.Thread(target=go, args=(s,)) for s in socks]
for th in threads: th.start()
for th in threads: th.join()
print(sum(results), "%.1f" % (time.monotonic() - t))
EOF
out=$(in_host "$LAB_PY" "$T/concurrent.py" 250 www.google.com "$LAB_IP4_WWW_GOOGLE_COM" "$LAB_CA")
like "$out" '^250 (0\.[5-9]|1\.[0-9]|2\.[0-9])$' "250 concurrent http+https connections served in parallel (ok, seconds: $out)"

# ---------------------------------------------------------------- git
if have git; then
	out=$(in_host env GIT_SSL_CAINFO="$LAB_CA" HOME="$T" GIT_CONFIG_NOSYSTEM=1 \
		git clone -q "$LAB_GIT_URL" "$T/clone")
	is "$out" "" "git clone $LAB_GIT_URL (dumb HTTP over https)"
	is "$(run cat "$T/clone/$LAB_GIT_FILE")" "$LAB_GIT_CONTENT" "the clone has $LAB_GIT_FILE"
	is "$(run git -C "$T/clone" rev-parse HEAD)" "$LAB_GIT_HEAD" "HEAD is \$LAB_GIT_HEAD"
	is "$(run git -C "$T/clone" rev-list --count HEAD)" "3" "3 commits"
else
	skip "git clone" "git not installed"
fi

# ---------------------------------------------------------------- npm
if have npm && have node; then
	mkdir -p "$T/npm/home" "$T/npm/proj"
	out=$(cd "$T/npm/proj" && in_host env HOME="$T/npm/home" npm_config_cache="$T/npm/cache" \
		npm_config_userconfig="$T/npm/home/.npmrc" npm_config_update_notifier=false \
		npm install --registry "$LAB_NPM_REGISTRY" --cafile "$LAB_CA" --no-audit --no-fund \
		--loglevel=error "$LAB_NPM_PKG" "$LAB_NPM_SCOPED")
	like "$out" "added 2 packages" "npm install $LAB_NPM_PKG $LAB_NPM_SCOPED"
	is "$(cd "$T/npm/proj" && run node -e 'console.log(require("lab-hello"))')" "$LAB_NPM_GREETING" \
		"require(\"lab-hello\")"
	is "$(cd "$T/npm/proj" && run node -e 'console.log(require("@lab/scoped"))')" \
		"hello from @lab/scoped 1.0.0 + $LAB_NPM_GREETING" "require(\"@lab/scoped\") (a dependency)"
	like "$(cat "$LAB_HTTP_LOG")" "https registry.test GET /lab-hello/-/lab-hello-1.0.0.tgz 200" \
		"the HTTP log shows the tarball download"
else
	skip "npm install" "npm or node not installed"
fi

# ---------------------------------------------------------------- other services
is "$(in_host bash -c 'exec 3<>/dev/tcp/127.0.0.1/7777 && cat <&3')" "HOST-LOOPBACK-SECRET" \
	"HOST's 127.0.0.1:7777 gives the secret"
is "$(in_host bash -c 'exec 3<>/dev/tcp/::1/7777 && cat <&3')" "HOST-LOOPBACK-SECRET" \
	"HOST's [::1]:7777 gives the secret"
like "$(run lab_inet_exec bash -c 'exec 3<>/dev/tcp/127.0.0.1/7777')" \
	"refused" "... but INET's loopback has no secret (it lives in HOST only)"
cat >"$T/echo.py" <<'EOF'
import socket, sys
addr, tport, uport = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
with socket.create_connection((addr, tport), timeout=5) as s:
    s.sendall(b"tcp-echo-test")
    s.shutdown(socket.SHUT_WR)
    got = b""
    while True:
        d = s.recv(100)
        if not d:
            break
        got += d
with socket.socket(fam, socket.SOCK_DGRAM) as u:
    u.settimeout(5)
    u.sendto(b"udp-echo-test", (addr, uport))
    got += b" " + u.recv(100)
print(got.decode())
EOF
for a in "$LAB_ECHO_IP4" "$LAB_ECHO_IP6"; do
	is "$(in_host "$LAB_PY" "$T/echo.py" "$a" "$LAB_ECHO_PORT_TCP" "$LAB_ECHO_PORT_UDP")" \
		"tcp-echo-test udp-echo-test" "TCP echo :$LAB_ECHO_PORT_TCP and UDP echo :$LAB_ECHO_PORT_UDP on $a"
done
like "$(cat "$LAB_ECHO_LOG")" "udp 2001:db8:113::1 2001:db8:113::13 13" "the echo log records the datagrams"
like "$(cat "$LAB_SECRET_LOG")" "tcp ::1" "the secret log records the connections"
if have setpriv && have unshare; then
	is "$(in_host setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Urn sh -c 'id -u')" "0" \
		"an unprivileged user can create user+net namespaces inside HOST (as netbox will)"
else
	skip "unprivileged namespaces" "setpriv/unshare missing"
fi

# ---------------------------------------------------------------- logs
dnslog=$(cat "$LAB_DNS_LOG")
for q in "A google.com" "AAAA www.google.com" "A registry.test" "A git.test" "A nosuch.example" "A tc.test" "MX google.com"; do
	if grep -qx -- "$q" <<<"$dnslog"; then
		ok 0 "the DNS log has '$q'"
	else
		ok 1 "the DNS log has '$q'"
		printf '%s\n' "$dnslog" | sed 's/^/#   /' | tee /dev/stderr
	fi
done
if grep -q 'probe' <<<"$dnslog"; then ok 1 "the DNS log has none of lab_up's probes"; else ok 0 "the DNS log has none of lab_up's probes"; fi

# ---------------------------------------------------------------- a second lab, at the same time
cat >"$T/child.sh" <<'EOF'
set -euo pipefail
. "$1/lab.sh"
trap 'echo prev-trap-ran >"$2/child-trap"' EXIT
lab_up
echo "$LAB_HOSTNS $LAB_INETNS $LAB_DIR" >"$2/child-names"
lab_host_exec curl -sS --cacert "$LAB_CA" https://www.google.com/hello >"$2/child-out"
exit 7
EOF
rc=0
bash "$T/child.sh" "$HERE" "$T" 2>"$T/child-err" || rc=$?
is "$rc:$(cat "$T/child-out" 2>/dev/null)" "7:hello from www.google.com" \
	"a second lab in another script, at the same time, works (exit status kept)"
is "$(cat "$T/child-trap" 2>/dev/null)" "prev-trap-ran" "... its earlier EXIT trap still ran"
read -r chost cinet cdir <"$T/child-names" || true
left=$(ip netns list | grep -E "^(${chost:-none}|${cinet:-none})( |$)" || true)
is "$left$(ls -d "/etc/netns/${chost:-none}" "${cdir:-/none}" 2>/dev/null)" "" "... and was torn down by its EXIT trap"
is "$(in_host "${C[@]}" https://www.google.com/hello)" "hello from www.google.com" "our lab still works"

# A script killed with SIGKILL: its servers die with it, lab_gc removes the rest.
cat >"$T/killed.sh" <<'EOF'
. "$1/lab.sh"
lab_up
echo "$LAB_HOSTNS $LAB_INETNS $LAB_DIR" >"$2/killed-names"
cp "$LAB_DIR/pids" "$2/killed-pids"
kill -KILL $$
EOF
(bash "$T/killed.sh" "$HERE" "$T" || true) 2>/dev/null # no "Killed" report
read -r khost kinet kdir <"$T/killed-names" || true
kpids=()
if [ -f "$T/killed-pids" ]; then mapfile -t kpids <"$T/killed-pids"; fi
for ((i = 0; i < 100; i++)); do # up to 1 s
	[ -n "$(alive ${kpids[@]+"${kpids[@]}"})" ] || break
	sleep 0.01
done
is "${#kpids[@]}:$(alive ${kpids[@]+"${kpids[@]}"})" "3:" "the servers of a SIGKILLed script die with it"
lab_gc
left=$(ip netns list | grep -E "^(${khost:-none}|${kinet:-none})( |$)" || true)
is "$left$(ls -d "/etc/netns/${khost:-none}" "${kdir:-/none}" 2>/dev/null)" "" "lab_gc removes what it left"

# ---------------------------------------------------------------- down
mapfile -t lpids <"$LAB_DIR/pids"
hostns=$LAB_HOSTNS inetns=$LAB_INETNS dir=$LAB_DIR vh=$LAB_VETH_HOST vi=$LAB_VETH_INET
ip netns exec "$LAB_HOSTNS" sleep 1000 &
sleeper=$!
disown "$sleeper"
sleep 0.1
rc=0
lab_down || rc=$?
ok "$rc" "lab_down"
rc=0
lab_down || rc=$?
ok "$rc" "lab_down again is a no-op"
is "$(ip netns list | grep -E "^($hostns|$inetns)( |$)" || true)" "" "no namespace left"
is "$(ls -d "/etc/netns/$hostns" "/etc/netns/$inetns" 2>/dev/null || true)" "" "no /etc/netns dir left"
is "$(ip link show "$vh" 2>/dev/null; ip link show "$vi" 2>/dev/null; ip -o link | grep -E "$vh|$vi" || true)" "" \
	"no veth left (not in the root namespace either)"
is "$(alive "${lpids[@]}" "$sleeper")" "" "no lab process left (servers ${lpids[*]} and a process started in HOST)"
is "$(env -u LAB_DIR grep -l -a -F "LAB_DIR=$dir" /proc/[0-9]*/environ 2>/dev/null || true)" "" \
	"no process has this lab's LAB_DIR in its environment"
is "$(ls -d "$dir" 2>/dev/null || true)" "" "\$LAB_DIR removed"

echo "1..$n"
[ "$failed" -eq 0 ]
