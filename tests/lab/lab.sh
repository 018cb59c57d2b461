# tests/lab/lab.sh — netbox's test "fake internet", made of Linux network
# namespaces.  Source it from a bash test script that runs as root:
#
#     . "$(dirname "$0")/../lab/lab.sh"
#     lab_up                 # < 1 s; silent on success; EXIT trap installed
#     lab_host_exec curl -sS --cacert "$LAB_CA" https://www.google.com/hello
#     lab_down               # optional: the EXIT trap does it too
#
# Shape:
#   HOST ns  ($LAB_HOSTNS)  veth 203.0.113.1/24, 2001:db8:113::1/64, lo up,
#            default routes via the veth (every address leads to INET),
#            /etc/netns/$LAB_HOSTNS/{resolv.conf,hosts,nsswitch.conf}: the lab
#            DNS is the system resolver, /etc/hosts holds only localhost.
#            127.0.0.1:7777 and [::1]:7777 write "HOST-LOOPBACK-SECRET\n", close.
#            netbox runs here (lab_host_exec).
#   INET ns  ($LAB_INETNS)  every lab address below on its veth; no route
#            anywhere else.  DNS on 203.0.113.2 / 2001:db8:113::2 port 53
#            UDP+TCP; HTTP :80 and HTTPS :443 on every address, content by
#            Host header (tests/lab/labnet.py, class Handler, lists the paths:
#            /hello /bytes?n=N /sha256 /echo-host /echo-sni /whoami /headers
#            /slow?ms=N; google.com -> 301 www.google.com; registry.test is an
#            npm registry; git.test serves /repo.git by dumb HTTP); HTTP :8080
#            on every address, the same content for any method (PROPFIND,
#            lower-case get, ...), after empty lines, in HTTP/0.9 (GET), and
#            for the host of an absolute-form target (as nginx picks its
#            virtual host) whatever the Host header says (a lenient server for
#            the Host check on a rule's port); TCP echo :9000 and UDP echo
#            :9999 on evil.test (v4 and v6).
#   EDGE ns ($LAB_EDGENS, only after lab_edge_up)  veth 192.0.2.1/24 to HOST's
#            192.0.2.2/24 and nothing else: no route beyond, HOST does not
#            forward, and /etc/netns/$LAB_EDGENS/resolv.conf names HOST's
#            192.0.2.2, where nothing answers unless the test runs a server
#            there (every lab name fails to resolve at once); its
#            /etc/hosts: proxy.test = 192.0.2.2.  For
#            upstream proxies (issue 14): a proxy the test runs in HOST on
#            192.0.2.2 is EDGE's only way to the lab (lab_edge_exec).
#   Nothing in the lab can reach the real network: INET has no route out,
#   HOST's only route is INET.
#
# Names (A / AAAA; each has its own address, "-" none; any other name is
# NXDOMAIN; all but the last five are served by INET's servers):
#   google.com 203.0.113.10 2001:db8:113::10   www.google.com .11 ::11
#   registry.test .12 ::12    evil.test .13 ::13    allowed.test .14 ::14
#   sub.allowed.test .15 ::15    allowed.test.evil.test .16 ::16
#   evilallowed.test .17 ::17    git.test .18 ::18    big.test .19 ::19
#   v6only.test - ::20    tc.test .21 ::21 (over UDP always truncated, TC=1:
#   glibc then asks over TCP)    v4only.test .22 -
#   expired.test .23 ::23 (its certificate, from the lab CA, expired in 2020)
#   selfsigned.test .24 ::24 (a self-signed certificate for its name)
#   wrongname.test .25 ::25 (the lab's certificate, which does not name it)
#   metadata.test 169.254.169.254 fd00:ec2::254 (served by INET: a leak shows)
#   private.test 10.0.0.1 fd00::1 (served by INET)
#   loopback.test 127.0.0.1 ::1 (HOST's own loopback: the secret service)
#   zero.test 0.0.0.0 ::       mapped-loopback.test - ::ffff:127.0.0.1
#   nat64-loopback.test - 64:ff9b::7f00:1   mapped-metadata.test - ::ffff:169.254.169.254
#   The TLS certificate covers every name (but the three above) and every
#   INET address.
#
# Functions:
#   lab_up           build it all; fails loudly (log tails on stderr) after
#                    cleaning up.  Installs an EXIT trap that runs lab_down and
#                    then any EXIT trap already set (the exit status is kept).
#                    A trap set AFTER lab_up replaces it: then call lab_down
#                    yourself (LAB_NO_TRAP=1 skips the trap altogether).  Call
#                    it in the main shell, not in $(...) or ( ): the servers
#                    die with the shell that started them.
#   lab_down         kill every lab process (by pid, and whatever else runs in
#                    the lab's namespaces: ip netns pids), delete the veth, the
#                    namespaces and /etc/netns dirs, remove $LAB_DIR (kept when
#                    LAB_KEEP=1).  Idempotent.
#   lab_edge_up      add the EDGE namespace (above); lab_down removes it.
#   lab_edge_exec CMD...  run CMD in the EDGE namespace (its resolv.conf/hosts).
#   lab_host_exec CMD...  run CMD in the HOST namespace (ip netns exec: with
#                    the lab's resolv.conf/hosts).  lab_inet_exec likewise.
#                    CMD is a program, not a shell function; as a test user:
#                    lab_host_exec setpriv --reuid=U --regid=G --init-groups CMD
#   lab_ip4 NAME / lab_ip6 NAME   print a name's lab address (empty if none)
#   lab_add_name NAME IPV4|- IPV6|-   add a name to the DNS (and its address
#                    to INET when it is a "public" one; not in the TLS cert)
#   lab_bytes_sha256 N [SEED]   sha256 of what /bytes?n=N[&seed=SEED] serves
#   lab_dns_query NAME [TYPE] [--tcp] [--server IP]   one raw DNS query from HOST
#   lab_gc           remove labs left by dead (SIGKILLed) scripts; lab_up runs it
#
# Variables (exported by lab_up unless marked *, which are set on sourcing):
#   LAB_ID LAB_HOSTNS LAB_INETNS LAB_VETH_HOST LAB_VETH_INET LAB_DIR
#   LAB_CA (CA cert, PEM) LAB_CA_KEY LAB_CERT LAB_KEY (leaf: every name)
#   LAB_CERT_EXPIRED LAB_KEY_EXPIRED LAB_CERT_SELF LAB_KEY_SELF (expired.test's,
#                selfsigned.test's: HTTPS picks them by SNI)
#   LAB_DNS_LOG  one "QTYPE name" line per query received (lowercase, no
#                trailing dot; e.g. "A google.com", "AAAA www.google.com",
#                "HTTPS x.test", "TYPE99 x.test"; "FORMERR -" for garbage)
#   LAB_HTTP_LOG one line per HTTP request: "SCHEME HOST METHOD PATH STATUS
#                local=ADDR peer=ADDR sni=SNI"
#   LAB_ECHO_LOG "tcp PEER LOCAL" / "udp PEER LOCAL LEN" per echo connection/datagram
#   LAB_SECRET_LOG "tcp PEER" per connection to the host loopback secret
#   (all four logs are emptied at the end of lab_up: they hold only the test's traffic)
#   LAB_GIT_URL=https://git.test/repo.git LAB_GIT_DIR (the bare repo)
#   LAB_GIT_HEAD (sha of main, 3 commits, fixed dates: always the same)
#   * LAB_GIT_FILE=hello.txt LAB_GIT_CONTENT="hello from git.test"
#   * LAB_NPM_REGISTRY=https://registry.test/ LAB_NPM_PKG=lab-hello
#   * LAB_NPM_VERSION=1.0.0 LAB_NPM_GREETING (what require("lab-hello") gives)
#   * LAB_NPM_SCOPED=@lab/scoped (depends on lab-hello)
#   LAB_NPM_DIR (the tarballs, as the registry serves them)
#   * LAB_HOST_IP4 LAB_HOST_IP6 LAB_DNS_IP4 LAB_DNS_IP6 LAB_ECHO_IP4 LAB_ECHO_IP6
#   * LAB_ECHO_PORT_TCP=9000 LAB_ECHO_PORT_UDP=9999 LAB_HTTP_ANY_PORT=8080
#   * LAB_SECRET_PORT=7777 LAB_SECRET=HOST-LOOPBACK-SECRET
#   * LAB_IP4_<NAME> LAB_IP6_<NAME>: NAME upper-cased, "." and "-" -> "_"
#     (LAB_IP4_WWW_GOOGLE_COM=203.0.113.11, LAB_IP6_V4ONLY_TEST= empty)
#   * LAB_PY: the python3 the lab uses (/usr/bin/python3)
#   LAB_BASE (set it before lab_up; default /tmp): where $LAB_DIR is made.
#     Inside netbox /tmp is a fresh tmpfs, so a sandboxed program does not
#     see $LAB_CA there: give netbox --ro "$LAB_CA", or a LAB_BASE that the
#     sandbox shows (any 0755 directory outside /tmp, /var/tmp, /run, homes).
#   LAB_KEEP=1: lab_down keeps $LAB_DIR (logs) and says where.
#
# Names are unique per run (nblab-PID-RANDOM-host/-inet, veth nbhRANDOM/
# nbiRANDOM), so several test scripts may run labs at once.  Works under
# set -euo pipefail.  Needs: ip (iproute2), openssl, git, flock, python3.
# shellcheck shell=bash

LAB_SRC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_PY=${LAB_PY:-/usr/bin/python3}
if [ ! -x "$LAB_PY" ]; then LAB_PY=$(command -v python3 || echo /usr/bin/python3); fi
export LAB_SRC_DIR LAB_PY

# NAME IPV4 IPV6 ("-": none).  labnet.py reads it from $LAB_DIR/names.
LAB_NAMES='
google.com              203.0.113.10     2001:db8:113::10
www.google.com          203.0.113.11     2001:db8:113::11
registry.test           203.0.113.12     2001:db8:113::12
evil.test               203.0.113.13     2001:db8:113::13
allowed.test            203.0.113.14     2001:db8:113::14
sub.allowed.test        203.0.113.15     2001:db8:113::15
allowed.test.evil.test  203.0.113.16     2001:db8:113::16
evilallowed.test        203.0.113.17     2001:db8:113::17
git.test                203.0.113.18     2001:db8:113::18
big.test                203.0.113.19     2001:db8:113::19
v6only.test             -                2001:db8:113::20
tc.test                 203.0.113.21     2001:db8:113::21
v4only.test             203.0.113.22     -
expired.test            203.0.113.23     2001:db8:113::23
selfsigned.test         203.0.113.24     2001:db8:113::24
wrongname.test          203.0.113.25     2001:db8:113::25
metadata.test           169.254.169.254  fd00:ec2::254
private.test            10.0.0.1         fd00::1
loopback.test           127.0.0.1        ::1
zero.test               0.0.0.0          ::
mapped-loopback.test    -                ::ffff:127.0.0.1
nat64-loopback.test     -                64:ff9b::7f00:1
mapped-metadata.test    -                ::ffff:169.254.169.254
'

export LAB_HOST_IP4=203.0.113.1 LAB_HOST_IP6=2001:db8:113::1
export LAB_DNS_IP4=203.0.113.2 LAB_DNS_IP6=2001:db8:113::2
export LAB_ECHO_IP4=203.0.113.13 LAB_ECHO_IP6=2001:db8:113::13
export LAB_ECHO_PORT_TCP=9000 LAB_ECHO_PORT_UDP=9999 LAB_HTTP_ANY_PORT=8080
export LAB_SECRET_PORT=7777 LAB_SECRET=HOST-LOOPBACK-SECRET
export LAB_GIT_URL=https://git.test/repo.git LAB_GIT_FILE=hello.txt
export LAB_GIT_CONTENT="hello from git.test"
export LAB_NPM_REGISTRY=https://registry.test/ LAB_NPM_PKG=lab-hello
export LAB_NPM_VERSION=1.0.0 LAB_NPM_GREETING="hello from lab-hello 1.0.0"
export LAB_NPM_SCOPED=@lab/scoped

_lab_load_names() {
	local n a4 a6 v
	while read -r n a4 a6; do
		[ -n "$n" ] || continue
		v=${n^^}
		v=${v//./_}
		v=${v//-/_}
		[ "$a4" != - ] || a4=
		[ "$a6" != - ] || a6=
		export "LAB_IP4_$v=$a4" "LAB_IP6_$v=$a6"
	done
}
_lab_load_names <<<"$LAB_NAMES"

# State of this shell's lab (not exported: a child script has its own lab).
LAB_UP=${LAB_UP:-0}
if ! declare -p _LAB_PIDS >/dev/null 2>&1; then _LAB_PIDS=(); fi
_LAB_LOCK=/run/netbox-lab.lock # serialises ip netns add and /etc/netns

_lab_names_file() {
	if [ "$LAB_UP" = 1 ] && [ -f "$LAB_DIR/names" ]; then
		cat "$LAB_DIR/names"
	else
		printf '%s\n' "$LAB_NAMES"
	fi
}

lab_ip4() { _lab_names_file | awk -v n="$1" '$1 == n && $2 != "-" { print $2; exit }'; }
lab_ip6() { _lab_names_file | awk -v n="$1" '$1 == n && $3 != "-" { print $3; exit }'; }

# Addresses INET holds: every lab address but loopback, unspecified, mapped, NAT64.
_lab_inet_addr() {
	case $1 in
	- | 127.* | 0.0.0.0 | :: | ::1 | ::ffff:* | 64:ff9b:*) return 1 ;;
	esac
	return 0
}

lab_host_exec() { ip netns exec "$LAB_HOSTNS" "$@"; }
lab_edge_exec() { ip netns exec "$LAB_EDGENS" "$@"; }
export LAB_EDGE_IP=192.0.2.1 LAB_PROXY_IP=192.0.2.2

lab_edge_up() {
	[ "$LAB_UP" = 1 ] || { echo "lab_edge_up: the lab is not up" >&2; return 1; }
	local e
	LAB_EDGENS=nblab-$LAB_ID-edge
	LAB_VETH_EDGE=nbe${LAB_ID#*-}
	LAB_VETH_PROXY=nbp${LAB_ID#*-}
	export LAB_EDGENS LAB_VETH_EDGE LAB_VETH_PROXY
	e=/etc/netns/$LAB_EDGENS
	flock -w 10 "$_LAB_LOCK" ip netns add "$LAB_EDGENS" >>"$LAB_DIR/setup.log" 2>&1 &&
		flock -w 10 "$_LAB_LOCK" mkdir -p "$e" || return 1
	printf 'nameserver %s\noptions timeout:1 attempts:1\n' "$LAB_PROXY_IP" >"$e/resolv.conf"
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n%s\tproxy.test\n' "$LAB_PROXY_IP" >"$e/hosts"
	if [ -f /etc/nsswitch.conf ]; then
		sed 's/^hosts:.*/hosts:          files dns/' /etc/nsswitch.conf >"$e/nsswitch.conf"
	fi
	ip -n "$LAB_HOSTNS" link add "$LAB_VETH_PROXY" type veth peer name "$LAB_VETH_EDGE" netns "$LAB_EDGENS" >>"$LAB_DIR/setup.log" 2>&1 &&
		ip -n "$LAB_HOSTNS" addr add "$LAB_PROXY_IP/24" dev "$LAB_VETH_PROXY" &&
		ip -n "$LAB_HOSTNS" link set "$LAB_VETH_PROXY" up &&
		ip -n "$LAB_EDGENS" link set lo up &&
		ip -n "$LAB_EDGENS" addr add "$LAB_EDGE_IP/24" dev "$LAB_VETH_EDGE" &&
		ip -n "$LAB_EDGENS" link set "$LAB_VETH_EDGE" up &&
		ip netns exec "$LAB_HOSTNS" sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0
}
lab_inet_exec() { ip netns exec "$LAB_INETNS" "$@"; }

lab_bytes_sha256() { "$LAB_PY" -I -B "$LAB_SRC_DIR/labnet.py" bytes-sha256 "$@"; }

lab_dns_query() { lab_host_exec "$LAB_PY" -I -B "$LAB_SRC_DIR/labnet.py" query "$@"; }

lab_add_name() { # NAME IPV4|- IPV6|-
	[ "$LAB_UP" = 1 ] || { echo "lab_add_name: the lab is not up" >&2; return 1; }
	local a
	for a in "$2" "$3"; do
		if _lab_inet_addr "$a"; then
			case $a in
			*:*) ip -n "$LAB_INETNS" addr add "$a/128" dev "$LAB_VETH_INET" nodad 2>/dev/null || true ;;
			*) ip -n "$LAB_INETNS" addr add "$a/32" dev "$LAB_VETH_INET" 2>/dev/null || true ;;
			esac
		fi
	done
	printf '%s %s %s\n' "$1" "$2" "$3" >>"$LAB_DIR/names"
}

_lab_ret() { return "$1"; }

_lab_install_trap() {
	if [ "${LAB_NO_TRAP:-0}" = 1 ]; then return 0; fi
	local prev
	local -a words
	prev=$(trap -p EXIT)
	case $prev in *lab_down*) return 0 ;; esac
	if [ -n "$prev" ]; then
		eval "words=($prev)" # trap -- 'CMD' EXIT
		# shellcheck disable=SC2064,SC2154 # the old trap is expanded now, on purpose
		# "_lab_ret N && :" sets $? back to the exit status (for the old
		# trap) without tripping set -e
		trap "_lab_rc=\$?; lab_down || true; _lab_ret \$_lab_rc && :; ${words[2]}" EXIT
	else
		trap 'lab_down || true' EXIT
	fi
}

# Remove labs whose owner (the PID in their names) is dead: a script killed
# with SIGKILL runs no trap.  (Its servers died with it: PR_SET_PDEATHSIG.)
lab_gc() {
	local ns pid p f
	local -a names=()
	for f in /run/netns/nblab-* /etc/netns/nblab-*; do
		[ -e "$f" ] && names+=("${f##*/}")
	done
	for ns in ${names[@]+"${names[@]}"}; do
		pid=${ns#nblab-}
		pid=${pid%%-*}
		case $pid in '' | *[!0-9]*) continue ;; esac
		if kill -0 "$pid" 2>/dev/null; then continue; fi
		if [ -e "/run/netns/$ns" ]; then
			for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
			ip netns del "$ns" 2>/dev/null || true
		fi
		rm -rf "/etc/netns/$ns"
	done
	for f in "${LAB_BASE:-/tmp}"/nblab-*.*; do
		if [ ! -d "$f" ] || [ -e "$f/KEPT" ]; then continue; fi
		pid=${f##*/nblab-}
		pid=${pid%%-*}
		case $pid in '' | *[!0-9]*) continue ;; esac
		if ! kill -0 "$pid" 2>/dev/null; then rm -rf "$f"; fi
	done
	flock -w 10 "$_LAB_LOCK" rmdir /etc/netns 2>/dev/null || true
	return 0
}

_lab_fail() {
	local f
	echo "lab_up: $*" >&2
	for f in "$LAB_DIR"/*.log; do
		if [ -s "$f" ]; then
			echo "--- $f (last lines)" >&2
			tail -n 15 "$f" >&2
		fi
	done
	lab_down || true
	return 1
}

# Names whose certificate is bad on purpose: not in the lab's certificate.
_LAB_BADCERT_NAMES=" expired.test selfsigned.test wrongname.test "

_lab_certs() { # test keys only: world-readable on purpose (see lab_up)
	local d=$LAB_DIR san="" n a4 a6
	while read -r n a4 a6; do
		[ -n "$n" ] || continue
		case $_LAB_BADCERT_NAMES in *" $n "*) continue ;; esac
		san+="DNS:$n,"
		if _lab_inet_addr "$a4"; then san+="IP:$a4,"; fi
		if _lab_inet_addr "$a6"; then san+="IP:$a6,"; fi
	done <<<"$LAB_NAMES"
	cat >"$d/openssl.cnf" <<-EOF
		[req]
		distinguished_name = dn
		prompt = no
		[dn]
		CN = netbox lab
		[ca]
		basicConstraints = critical,CA:TRUE
		keyUsage = critical,keyCertSign,cRLSign
		subjectKeyIdentifier = hash
		[leaf]
		basicConstraints = critical,CA:FALSE
		keyUsage = critical,digitalSignature,keyEncipherment
		extendedKeyUsage = serverAuth
		subjectKeyIdentifier = hash
		authorityKeyIdentifier = keyid
		subjectAltName = ${san%,}
		[expired]
		basicConstraints = critical,CA:FALSE
		keyUsage = critical,digitalSignature,keyEncipherment
		extendedKeyUsage = serverAuth
		subjectAltName = DNS:expired.test
		[ca_sign]
		database = $d/ca.index
		new_certs_dir = $d
		serial = $d/ca.serial
		default_md = sha256
		policy = ca_any
		[ca_any]
		commonName = supplied
	EOF
	: >"$d/ca.index"
	echo 01 >"$d/ca.serial"
	local out # openssl's chatter ("-----") goes to setup.log only on failure
	if ! out=$(openssl req -x509 -config "$d/openssl.cnf" -extensions ca -days 30 \
		-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$LAB_CA_KEY" -out "$LAB_CA" -subj "/CN=netbox lab test CA $LAB_ID" 2>&1) ||
		! out=$(openssl req -x509 -config "$d/openssl.cnf" -extensions leaf -days 30 \
			-CA "$LAB_CA" -CAkey "$LAB_CA_KEY" \
			-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout "$LAB_KEY" -out "$LAB_CERT" -subj "/CN=www.google.com" 2>&1) ||
		! out=$(openssl req -new -config "$d/openssl.cnf" -newkey ec \
			-pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$LAB_KEY_EXPIRED" \
			-out "$d/expired.csr" -subj "/CN=expired.test" 2>&1) ||
		! out=$(openssl ca -batch -config "$d/openssl.cnf" -name ca_sign -extensions expired \
			-cert "$LAB_CA" -keyfile "$LAB_CA_KEY" -in "$d/expired.csr" -out "$LAB_CERT_EXPIRED" \
			-startdate 20200101000000Z -enddate 20200201000000Z -notext 2>&1) ||
		! out=$(openssl req -x509 -config "$d/openssl.cnf" -days 30 -newkey ec \
			-pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$LAB_KEY_SELF" \
			-out "$LAB_CERT_SELF" -subj "/CN=selfsigned.test" \
			-addext "subjectAltName=DNS:selfsigned.test" 2>&1); then
		printf '%s\n' "$out" >>"$d/setup.log"
		return 1
	fi
}

_lab_fi_blob() { printf 'M 100644 inline %s\ndata %d\n%s\n' "$1" "${#2}" "$2"; }

_lab_git() { # a bare repo, 3 commits with fixed dates (so LAB_GIT_HEAD is fixed)
	local g=$LAB_GIT_DIR i=0 msg
	git init -q --bare -b main "$g" >>"$LAB_DIR/setup.log" 2>&1 || return 1
	{
		for msg in "add README" "add $LAB_GIT_FILE" "add numbers"; do
			i=$((i + 1))
			printf 'commit refs/heads/main\n'
			printf 'author Lab <lab@git.test> %d +0000\n' $((1700000000 + i))
			printf 'committer Lab <lab@git.test> %d +0000\n' $((1700000000 + i))
			printf 'data %d\n%s\n' "${#msg}" "$msg"
			case $i in
			1) _lab_fi_blob README.md $'netbox lab repository\n' ;;
			2) _lab_fi_blob "$LAB_GIT_FILE" "$LAB_GIT_CONTENT"$'\n' ;;
			3) _lab_fi_blob data/numbers.txt "$(seq 1 100)"$'\n' ;;
			esac
			printf '\n'
		done
	} | LC_ALL=C git -C "$g" fast-import --quiet >>"$LAB_DIR/setup.log" 2>&1 &&
		git -C "$g" update-server-info >>"$LAB_DIR/setup.log" 2>&1 &&
		LAB_GIT_HEAD=$(git -C "$g" rev-parse main 2>>"$LAB_DIR/setup.log")
}

_lab_etc_netns() { # NS: resolv.conf, hosts, nsswitch.conf seen by ip netns exec
	local e=/etc/netns/$1
	flock -w 10 "$_LAB_LOCK" mkdir -p "$e" || return 1
	printf 'nameserver %s\n' "$LAB_DNS_IP4" >"$e/resolv.conf" &&
		printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$e/hosts" || return 1
	if [ -f /etc/nsswitch.conf ]; then # hosts from files and DNS only (no nscd/resolved/mdns)
		sed 's/^hosts:.*/hosts:          files dns/' /etc/nsswitch.conf >"$e/nsswitch.conf"
	fi
}

_lab_netns() {
	local n a4 a6 d=$LAB_DIR
	flock -w 10 "$_LAB_LOCK" ip netns add "$LAB_HOSTNS" >>"$d/setup.log" 2>&1 &&
		flock -w 10 "$_LAB_LOCK" ip netns add "$LAB_INETNS" >>"$d/setup.log" 2>&1 &&
		_lab_etc_netns "$LAB_HOSTNS" && _lab_etc_netns "$LAB_INETNS" || return 1
	{
		echo "link set lo up"
		echo "link set $LAB_VETH_HOST up"
		echo "addr add $LAB_HOST_IP4/24 dev $LAB_VETH_HOST"
		echo "addr add $LAB_HOST_IP6/64 dev $LAB_VETH_HOST nodad"
		echo "route add default via $LAB_DNS_IP4"
		echo "route add default via $LAB_DNS_IP6"
	} >"$d/host.ip"
	{
		echo "link set lo up"
		echo "link set $LAB_VETH_INET up"
		echo "addr add $LAB_DNS_IP4/24 dev $LAB_VETH_INET"
		echo "addr add $LAB_DNS_IP6/64 dev $LAB_VETH_INET nodad"
		while read -r n a4 a6; do
			[ -n "$n" ] || continue
			if _lab_inet_addr "$a4"; then echo "addr add $a4/32 dev $LAB_VETH_INET"; fi
			if _lab_inet_addr "$a6"; then echo "addr add $a6/128 dev $LAB_VETH_INET nodad"; fi
		done <<<"$LAB_NAMES"
	} >"$d/inet.ip"
	ip -n "$LAB_HOSTNS" link add "$LAB_VETH_HOST" type veth peer name "$LAB_VETH_INET" netns "$LAB_INETNS" >>"$d/setup.log" 2>&1 &&
		ip -n "$LAB_INETNS" -batch "$d/inet.ip" >>"$d/setup.log" 2>&1 &&
		ip -n "$LAB_HOSTNS" -batch "$d/host.ip" >>"$d/setup.log" 2>&1
}

_lab_start() { # NS WHAT OWNER-PID: one labnet.py server, its output in $LAB_DIR/server-WHAT.log
	ip netns exec "$1" "$LAB_PY" -I -B "$LAB_SRC_DIR/labnet.py" "$2" --parent "$3" \
		</dev/null >>"$LAB_DIR/server-$2.log" 2>&1 &
	_LAB_PIDS+=("$!")
	echo "$!" >>"$LAB_DIR/pids"
	disown "$!" 2>/dev/null || true # no "Killed" job reports at lab_down
}

lab_up() {
	if [ "$LAB_UP" = 1 ]; then
		echo "lab_up: this shell's lab is already up ($LAB_HOSTNS)" >&2
		return 1
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "lab_up: needs root (network namespaces)" >&2
		return 1
	fi
	local t old_umask owner=$BASHPID
	for t in ip openssl git flock "$LAB_PY"; do
		if ! command -v "$t" >/dev/null; then
			echo "lab_up: $t not found" >&2
			return 1
		fi
	done
	_lab_install_trap
	lab_gc
	LAB_ID=$owner-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
	LAB_HOSTNS=nblab-$LAB_ID-host
	LAB_INETNS=nblab-$LAB_ID-inet
	LAB_VETH_HOST=nbh${LAB_ID#*-} # 11 characters (< IFNAMSIZ)
	LAB_VETH_INET=nbi${LAB_ID#*-}
	LAB_DIR=$(mktemp -d "${LAB_BASE:-/tmp}/nblab-$LAB_ID.XXXXXX") || return 1
	_LAB_PIDS=()
	LAB_EDGENS=
	LAB_UP=1 # from here on lab_down cleans up whatever exists
	# The lab's files must be readable by the unprivileged test user: the
	# directory 0755, files 0644 — the keys too: they are throw-away test keys.
	chmod 755 "$LAB_DIR"
	old_umask=$(umask)
	umask 022
	LAB_CA=$LAB_DIR/ca.pem LAB_CA_KEY=$LAB_DIR/ca.key
	LAB_CERT=$LAB_DIR/cert.pem LAB_KEY=$LAB_DIR/key.pem
	LAB_CERT_EXPIRED=$LAB_DIR/expired.pem LAB_KEY_EXPIRED=$LAB_DIR/expired.key
	LAB_CERT_SELF=$LAB_DIR/selfsigned.pem LAB_KEY_SELF=$LAB_DIR/selfsigned.key
	LAB_DNS_LOG=$LAB_DIR/dns-queries.log LAB_HTTP_LOG=$LAB_DIR/http-requests.log
	LAB_ECHO_LOG=$LAB_DIR/echo.log LAB_SECRET_LOG=$LAB_DIR/secret-connections.log
	LAB_GIT_DIR=$LAB_DIR/git/repo.git LAB_NPM_DIR=$LAB_DIR/npm LAB_GIT_HEAD=
	export LAB_ID LAB_HOSTNS LAB_INETNS LAB_VETH_HOST LAB_VETH_INET LAB_DIR \
		LAB_CA LAB_CA_KEY LAB_CERT LAB_KEY LAB_CERT_EXPIRED LAB_KEY_EXPIRED \
		LAB_CERT_SELF LAB_KEY_SELF LAB_DNS_LOG LAB_HTTP_LOG LAB_ECHO_LOG \
		LAB_SECRET_LOG LAB_GIT_DIR LAB_NPM_DIR LAB_GIT_HEAD
	printf '%s\n' "$LAB_NAMES" | awk 'NF == 3' >"$LAB_DIR/names"
	: >"$LAB_DIR/setup.log"

	_lab_certs || { umask "$old_umask"; _lab_fail "cannot make the test CA (openssl)"; return 1; }
	_lab_git || { umask "$old_umask"; _lab_fail "cannot make the git repository"; return 1; }
	export LAB_GIT_HEAD
	chmod -R a+rX "$LAB_DIR"
	_lab_netns || { umask "$old_umask"; _lab_fail "cannot create the namespaces"; return 1; }
	_lab_start "$LAB_INETNS" dns "$owner"
	_lab_start "$LAB_INETNS" web "$owner"
	_lab_start "$LAB_HOSTNS" secret "$owner"
	if ! ip netns exec "$LAB_HOSTNS" "$LAB_PY" -I -B "$LAB_SRC_DIR/labnet.py" probe --timeout 10 \
		--watch "$(IFS=,; echo "${_LAB_PIDS[*]}")" \
		</dev/null >>"$LAB_DIR/probe.log" 2>&1; then
		umask "$old_umask"
		_lab_fail "the lab's servers do not answer"
		return 1
	fi
	# the probe's own traffic is not the test's
	: >"$LAB_DNS_LOG"
	: >"$LAB_HTTP_LOG"
	: >"$LAB_ECHO_LOG"
	: >"$LAB_SECRET_LOG"
	umask "$old_umask"
	return 0
}

lab_down() {
	[ "${LAB_UP:-0}" = 1 ] || return 0
	LAB_UP=0
	local pid ns i alive st
	local -a pids=(${_LAB_PIDS[@]+"${_LAB_PIDS[@]}"})
	for ns in "$LAB_HOSTNS" "$LAB_INETNS" ${LAB_EDGENS:+"$LAB_EDGENS"}; do
		if [ -e "/run/netns/$ns" ]; then
			for pid in $(ip netns pids "$ns" 2>/dev/null); do pids+=("$pid"); done
		fi
	done
	for pid in ${pids[@]+"${pids[@]}"}; do
		if [ "$pid" != "$$" ] && [ "$pid" != "$BASHPID" ]; then
			kill -KILL "$pid" 2>/dev/null || true
		fi
	done
	for ((i = 0; i < 200; i++)); do # until gone (zombies count as gone), <= 2 s
		alive=0
		for pid in ${pids[@]+"${pids[@]}"}; do
			st=
			{ read -r st <"/proc/$pid/stat"; } 2>/dev/null || true
			st=${st##*) }
			if [ -n "$st" ] && [ "${st%% *}" != Z ]; then
				alive=1
				break
			fi
		done
		[ "$alive" = 1 ] || break
		sleep 0.01
	done
	ip -n "$LAB_HOSTNS" link del "$LAB_VETH_HOST" 2>/dev/null || true
	for ns in "$LAB_HOSTNS" "$LAB_INETNS" ${LAB_EDGENS:+"$LAB_EDGENS"}; do
		if [ -e "/run/netns/$ns" ]; then ip netns del "$ns" 2>/dev/null || true; fi
		rm -rf "/etc/netns/$ns"
	done
	LAB_EDGENS=
	flock -w 10 "$_LAB_LOCK" rmdir /etc/netns 2>/dev/null || true
	if [ "${LAB_KEEP:-0}" = 1 ]; then
		: >"$LAB_DIR/KEPT" 2>/dev/null || true
		echo "lab: kept $LAB_DIR" >&2
	else
		rm -rf "$LAB_DIR"
	fi
	_LAB_PIDS=()
	return 0
}
