#!/bin/bash
# trust.sh — the run's CA inside the sandbox (launcher/trust.c,
# supervisor/cabundle.c): for a run that inspects, the per-run CA at
# /etc/ssl/certs/netbox-ca.pem, the host's CAs and the run's in every system
# bundle the sandbox has, the variables TLS clients read pointing at them;
# a new CA each run; its private key nowhere the program can read; and for
# a run that does not inspect, none of it.
#
# Until the rule language has request rules, a run is made one that
# inspects by the test hook NETBOX_TEST_INSPECT=1 (-Dtest_hooks=true).
# Run as root (meson test --suite launcher); NETBOX is the binary under test.
. "$(dirname "$0")/../lib.sh"

if [ "${NETBOX_TEST_HOOKS:-0}" != 1 ]; then
	echo "1..0 # SKIP needs -Dtest_hooks=true (NETBOX_TEST_INSPECT makes a run inspect)"
	exit 0
fi
lib_user_up

SANITIZED=0
[ "${NETBOX_SANITIZE:-none}" != none ] && SANITIZED=1
CA=/etc/ssl/certs/netbox-ca.pem
BUNDLE=/etc/ssl/certs/ca-certificates.crt
VARS="SSL_CERT_FILE NODE_EXTRA_CA_CERTS REQUESTS_CA_BUNDLE CURL_CA_BUNDLE GIT_SSL_CAINFO PIP_CERT CARGO_HTTP_CAINFO npm_config_cafile DENO_CERT"

# nbi ARGS... — netbox as the test user, in a run that inspects.
nbi() { as_user env NETBOX_TEST_INSPECT=1 "$NB" "$@"; }

# --- the CA and the bundle ---------------------------------------------------

cap nbi --quiet openssl x509 -in "$CA" -noout -subject
t_like "$RC:$OUT" "^0:subject=CN ?= ?netbox per-run CA [0-9a-f]{16}\$" "$CA is the run's CA (its subject)"
SUBJECT1=$OUT
cap nbi --quiet openssl x509 -in "$CA" -noout -subject
t_like "$OUT" "netbox per-run CA" "a second run has one too"
[ "$OUT" != "$SUBJECT1" ]
t_ok $? "... another one: each run makes its own CA ($SUBJECT1 / $OUT)"

if [ -f "$BUNDLE" ]; then
	HOST_N=$(grep -c -- '-----BEGIN CERTIFICATE-----' "$BUNDLE")
	cap nbi --quiet sh -c 'grep -c -- "-----BEGIN CERTIFICATE-----" "$0"; tail -c "$(wc -c <"$1")" "$0" | cmp - "$1" && echo last' "$BUNDLE" "$CA"
	t_is "$OUT" "$((HOST_N + 1))
last" "$BUNDLE: the host's $HOST_N certificates, then the run's CA"
	cap nbi --quiet python3 -c 'import ssl; print(ssl.create_default_context().cert_store_stats()["x509_ca"])'
	t_is "$RC:$OUT" "0:$((HOST_N + 1))" "python3's ssl.create_default_context() loads the bundle: every CA, the run's too"
	cap nb --quiet sh -c 'sha256sum <"$0"' "$BUNDLE"
	t_is "$OUT" "$(sha256sum <"$BUNDLE")" "without inspection the sandbox's $BUNDLE is the host's"
else
	t_skip "$BUNDLE holds the host's certificates and the run's CA" "the host has no $BUNDLE"
	t_skip "python3 loads the bundle" "the host has no $BUNDLE"
	t_skip "without inspection the bundle is the host's" "the host has no $BUNDLE"
fi
cap nbi --quiet sh -c 'openssl verify -CAfile "$0" "$1" && openssl verify -CApath /etc/ssl/certs "$1"' "$BUNDLE" "$CA"
t_is "$RC:$(grep -c ': OK$' <<<"$OUT")" "0:2" "openssl trusts the run's CA through the bundle and through the directory (its c_rehash link)"
cap nbi --quiet sh -c 'for v in '"$VARS"'; do eval "printf \"%s=%s \" $v \"\${$v:-}\""; done'
t_is "$OUT" "SSL_CERT_FILE=$BUNDLE NODE_EXTRA_CA_CERTS=$CA REQUESTS_CA_BUNDLE=$BUNDLE CURL_CA_BUNDLE=$BUNDLE GIT_SSL_CAINFO=$BUNDLE PIP_CERT=$BUNDLE CARGO_HTTP_CAINFO=$BUNDLE npm_config_cafile=$BUNDLE DENO_CERT=$BUNDLE " \
	"the variables TLS clients read name the bundle (node: the CA alone)"
cap as_user env NETBOX_TEST_INSPECT=1 SSL_CERT_FILE=/elsewhere NPM_CONFIG_CAFILE=/elsewhere "$NB" --quiet --setenv CURL_CA_BUNDLE=/mine \
	sh -c 'echo "$SSL_CERT_FILE ${NPM_CONFIG_CAFILE:-unset} $npm_config_cafile $CURL_CA_BUNDLE"'
t_is "$OUT" "$BUNDLE unset $BUNDLE /mine" "they replace the environment's (npm's in any case), but not --setenv"
cap nbi --quiet sh -c 'ls -A /etc/ssl/certs | LC_ALL=C sort'
HOST_LS=$(ls -A /etc/ssl/certs | LC_ALL=C sort)
NEW="HASH netbox-ca.pem "
[ -e "$BUNDLE" ] || NEW="HASH ca-certificates.crt netbox-ca.pem "
t_is "$(LC_ALL=C comm -13 <(printf '%s\n' "$HOST_LS") <(printf '%s\n' "$OUT") | sed 's/^[0-9a-f]\{8\}\.[0-9]$/HASH/' | LC_ALL=C sort | tr '\n' ' ')" \
	"$NEW" "/etc/ssl/certs holds the host's names and the CA's (and its hashed name) ..."
t_is "$(LC_ALL=C comm -23 <(printf '%s\n' "$HOST_LS") <(printf '%s\n' "$OUT") | wc -l)" 0 "... none of the host's missing"
cap nbi --quiet sh -c 'touch /etc/ssl/certs/x; echo x >>"$0"; echo x >>"$1"' "$CA" "$BUNDLE"
t_is "$(grep -c 'Read-only file system' <<<"$ERR")" 3 "the CA, the bundle and their directory are read-only"
cap nbi --check true
t_like "$OUT" "trust: .*request rules" "--check: the trust section ..."
t_like "$OUT" "/etc/ssl/certs/netbox-ca.pem +read-only" "--check: ... names the CA's file"
t_like "$OUT" "set +NODE_EXTRA_CA_CERTS=$CA \(TLS inspection" "--check: ... and the variables"

# --- the key: nowhere the program can read ---------------------------------

# Every readable file that holds a private key's PEM label ("PRIVATE" "KEY"
# apart: the command line is readable too), in the places netbox adds to or
# the program can read of the init; a run that inspects must show no more
# than one that does not.  A key of the current directory's is the control
# that the scan finds one.
printf -- '-----BEGIN %s-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END %s-----\n' "PRIVATE KEY" "PRIVATE KEY" >"$NB_WORK/control.key"
chown "$NB_UID:$NB_GID" "$NB_WORK/control.key"
# shellcheck disable=SC2016 # for the sandbox's shell
KEYSCAN='p="PRIVATE"; p="$p KEY"
grep -rlsI -- "$p" /etc /tmp "$PWD" /proc/self/environ /proc/1/environ /proc/1/cmdline /proc/1/status /proc/1/maps 2>/dev/null | sort
for f in /proc/1/mem /proc/1/environ; do head -c1 "$f" >/dev/null 2>&1 && echo "readable: $f"; done
ls -l /proc/[0-9]*/fd/ 2>/dev/null | grep -c memfd'
cap nb --quiet sh -c "$KEYSCAN"
PLAIN=$OUT
t_like "$PLAIN" "/control.key" "control: the scan finds a key the program can read"
cap nbi --quiet sh -c "$KEYSCAN"
t_is "$OUT" "$PLAIN" "no private key in any file the program can read that a run without inspection does not show too"
t_unlike "$OUT" "readable:" "the init's memory and environment are unreadable (it is not dumpable)"
t_is "$(tail -1 <<<"$OUT")" 0 "no memfd (the bundle's) is open in any process of the sandbox"
cap nbi --quiet cat /proc/1/mem
t_like "$ERR" "Permission denied" "... reading /proc/1/mem: Permission denied"

if [ "$SANITIZED" = 0 ]; then
	cap as_user env NETBOX_TEST_INSPECT=1 NETBOX_TEST_HOOK=mint:registry.npmjs.org "$NB" --quiet sh -c 'sleep 0.5'
	t_like "$RC:$ERR" "^0:.*netbox-test-hook: mint succeeded" "the isolated supervisor (its filter loaded) makes a host's certificate with the CA, and a client that trusts the CA alone completes a TLS handshake with it"
else
	t_skip "the isolated supervisor makes a host's certificate" "a sanitizer build loads no filter"
fi

# --- runs that do not inspect ------------------------------------------------

cap nb --quiet sh -c 'ls "$0" 2>&1; env | grep -cE "^(SSL_CERT_FILE|NODE_EXTRA_CA_CERTS|REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE|GIT_SSL_CAINFO|PIP_CERT|CARGO_HTTP_CAINFO|npm_config_cafile|DENO_CERT)="' "$CA"
t_like "$(tr '\n' ' ' <<<"$OUT")" "No such file.* 0 \$" "without request rules: no $CA, none of the variables"
cap nb --check true
t_unlike "$OUT" "trust:|NODE_EXTRA_CA_CERTS" "--check without request rules: no trust section, no variables"
cap as_user env NETBOX_TEST_INSPECT=1 "$NB" --quiet --net=none sh -c 'ls "$0" 2>&1' "$CA"
t_like "$OUT" "No such file" "--net=none never inspects"

# --- other distributions' layouts --------------------------------------------

# As root, in a mount namespace of its own: an /etc of binds of the host's,
# but for ssl/ and pki/, which take a distribution's shape; netbox as the
# test user there.  $1: a script that builds $E/ssl and $E/pki; the rest:
# the program.
layout() {
	local build=$1
	shift
	# Under the harnesses' useradd lock: /etc is copied entry by entry (here
	# and by netbox's layer), and a parallel useradd renaming /etc/passwd
	# into place can hide it from a readdir.
	flock /tmp/.netbox-test-useradd.lock unshare -m --propagation private sh -c '
		set -e
		E=$2
		mount -t tmpfs -o mode=0755 tmpfs "$E"
		for f in /etc/* /etc/.[!.]*; do
			[ -e "$f" ] || [ -L "$f" ] || continue
			n=${f#/etc/}
			case $n in ssl | pki) continue ;; esac
			if [ -L "$f" ]; then cp -P "$f" "$E/$n"
			elif [ -d "$f" ]; then mkdir "$E/$n"; mount --rbind "$f" "$E/$n"
			else touch "$E/$n"; mount --bind "$f" "$E/$n"; fi
		done
		B=$(cat "$1")
		cd "$E"; eval "$B"; cd /
		mount --rbind "$E" /etc
		shift 2
		exec "$@"' layout "$build" "$T/etc" setpriv --reuid="$NB_UID" --regid="$NB_GID" --init-groups \
		env -i HOME="$NB_HOME" PATH=/usr/bin:/bin NETBOX_TEST_INSPECT=1 ${LAYOUT_CERTS:+SSL_CERT_FILE="$LAYOUT_CERTS"} \
		sh -c 'cd "$0" && exec "$@"' "$NB_WORK" "$NB" --quiet "$@"
}
T=$(mktemp -d /tmp/netbox-trust.XXXXXX)
chmod 755 "$T"
mkdir "$T/etc"
lib_on_exit "rm -rf '$T'"
HOSTCA=$(grep -l -- '-----BEGIN CERTIFICATE-----' /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt 2>/dev/null | head -1)
# Fedora's: /etc/ssl/certs a relative link to pki's, the bundle reached
# through two links; and /etc/ssl/cert.pem, a link as on Alpine.
cat >"$T/fedora" <<EOF
mkdir -p ssl pki/tls/certs pki/ca-trust/extracted/pem
ln -s ../pki/tls/certs ssl/certs
ln -s /etc/pki/tls/certs/ca-bundle.crt ssl/cert.pem
ln -s /etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem pki/tls/certs/ca-bundle.crt
cp "$HOSTCA" pki/ca-trust/extracted/pem/tls-ca-bundle.pem
EOF
# None at all: the CA's directory is made in a layer over /etc.
: >"$T/none"
chmod 644 "$T/fedora" "$T/none"
# Which bundle paths show the bundle; that it ends with the CA, which is the
# run's; that /etc/passwd is still there.
# shellcheck disable=SC2016 # for the sandbox's shell
PROBE='B=/etc/ssl/certs/ca-certificates.crt C=/etc/ssl/certs/netbox-ca.pem
for f in /etc/pki/tls/certs/ca-bundle.crt /etc/ssl/ca-bundle.pem /etc/ssl/cert.pem /etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem; do
	if [ -e "$f" ]; then cmp -s "$f" "$B" && printf "%s " "$f"; fi
done
openssl x509 -in "$C" -noout -subject | grep -q "netbox per-run CA" && printf "ca "
tail -c "$(wc -c <"$C")" "$B" | cmp -s - "$C" && echo ends-with-ca; head -c 4 /etc/passwd'
if [ -n "$HOSTCA" ] && command -v unshare >/dev/null; then
	cap layout "$T/fedora" sh -c "$PROBE; echo; readlink /etc/ssl/certs; grep -c BEGIN /etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem"
	t_is "$RC:$(head -2 <<<"$OUT" | tr '\n' ' ')" "0:/etc/pki/tls/certs/ca-bundle.crt /etc/ssl/cert.pem /etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem ca ends-with-ca root " \
		"Fedora's layout: the CA beside pki's bundle, and every bundle path, links followed, shows the bundle"
	t_is "$(tail -2 <<<"$OUT" | tr '\n' ' ')" "../pki/tls/certs $(($(grep -c BEGIN "$HOSTCA") + 1)) " "... the link kept, the bundle the host's CAs and the run's"
	# No certificates at all: nothing to verify inspected hosts against —
	# said at start (a run may inspect plain HTTP only; HTTPS gets 502s).
	cap layout "$T/none" true
	t_like "$RC:$ERR" "^0:netbox: no trusted certificates .* the hosts netbox inspects over HTTPS will be refused .* point SSL_CERT_FILE at a PEM bundle" \
		"no /etc/ssl and no SSL_CERT_FILE: said at start, with the fix"
	cp "$HOSTCA" "$T/hostca.pem"
	chmod 644 "$T/hostca.pem"
	LAYOUT_CERTS=$T/hostca.pem cap layout "$T/none" sh -c "$PROBE; echo; ls /etc/ssl/certs | wc -l"
	t_is "$RC:$(head -1 <<<"$OUT")" "0:ca ends-with-ca" \
		"no /etc/ssl at all, SSL_CERT_FILE elsewhere: the CA and the bundle are made there all the same"
	t_is "$(tail -2 <<<"$OUT" | tr '\n' ' ')" "root 3 " "... /etc is still the host's (a layer of binds), the new directory holds the CA, the bundle, the hashed name"
else
	t_skip "other distributions' layouts" "no CA bundle on the host, or no unshare"
	t_skip "... the link kept" "as above"
	t_skip "no /etc/ssl at all" "as above"
	t_skip "... /etc is still the host's" "as above"
fi

t_done
