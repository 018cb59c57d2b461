#!/bin/bash
# attempts.sh — every attempt is seen (issue 12): what no netbox listener
# takes (netproxy/watch.c) is reported on stderr and in --log.  A program
# (attempts-probe.py) tries TCP to a raw address on a port no rule names,
# to an allowed name on a port no rule names, to a port a rule denies, to
# the sandbox's own loopback and to an IPv6 address; UDP from an
# unconnected and from a connected socket.  Each gives exactly one denial
# line, without attribution (the watch alone sees them) and with --log
# (attribution on: the notifications see the unconnected UDP first), and
# one log record with the right protocol, port, name or address, reason
# and process; the program's DNS, its allowed HTTP and its own loopback
# traffic give none.
# netbox runs as the unprivileged test user in the lab's HOST namespace
# (tests/lab/lab.sh): nothing here leaves the lab (and no attempt leaves
# the sandbox: every address is local there).
# Run as root (meson test --suite net); NETBOX is the binary under test.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lab/lab.sh"

lib_user_up
lab_up

T=$(mktemp -d /tmp/netbox-attempts.XXXXXX)
chmod 755 "$T"
lib_on_exit "rm -rf '$T'"
cp "$(dirname "$0")/attempts-probe.py" "$NB_WORK/attempts.py"
chmod 644 "$NB_WORK/attempts.py"
chown "$NB_UID:$NB_GID" "$NB_WORK/attempts.py"

nbx() { cap hx "$NB" "$@"; }

V6=
[ -e /proc/net/if_inet6 ] && V6=v6

# count REGEX TEXT — how many lines of TEXT match.
count() { printf '%s\n' "$2" | grep -cE -- "$1"; }

# log_check FILE DESCRIPTION PYTHON-EXPRESSION — over `recs`, the parsed
# records of FILE, and `conns(**fields)`, its connection records with those
# fields; a failure prints the records.
log_check() {
	local out
	out=$("$PY" - "$1" "$3" <<'EOF' 2>&1
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
def conns(**kw):
    return [r for r in recs if r.get("event") == "connection" and all(r.get(k) == v for k, v in kw.items())]
ok = eval(sys.argv[2])
print("PASS" if ok else "FAIL")
if not ok:
    for r in recs:
        print(json.dumps(r))
EOF
)
	if [ "$(printf '%s\n' "$out" | head -1)" = PASS ]; then
		t_ok 0 "log: $2"
	else
		t_ok 1 "log: $2"
		printf '%s\n' "$out" | head -30 | t_why
	fi
}

# check_lines WHAT — the denial lines of the attempts run just made ($ERR):
# one per destination, each with its reason (and, with attribution, " by
# PROGRAM" after it), and no other.
check_lines() {
	local end='( by [^ ].*)?$' want=6
	t_is "$(count "^netbox: denied 198\.51\.100\.30:4444 \(no rule\)$end" "$ERR")" 1 \
		"$1: a raw address on a port no rule names: one denial line"
	t_is "$(count "^netbox: denied www\.google\.com:4444 \(no rule allows port 4444\)( |$)" "$ERR")" 1 \
		"$1: an allowed name on another port: one line, by name, saying which port is missing"
	t_is "$(count "^netbox: denied 198\.51\.100\.32:4447 \(rule '198\.51\.100\.32:4447' \(command line\)\)$end" "$ERR")" 1 \
		"$1: a port a rule denies: one line naming the rule"
	t_is "$(count "^netbox: denied 127\.0\.0\.1:4446 \(nothing listens there in the sandbox" "$ERR")" 1 \
		"$1: the sandbox's own loopback: one line saying nothing listens there"
	t_is "$(count "^netbox: denied UDP 198\.51\.100\.30:5555 \(only DNS leaves the sandbox over UDP\)$end" "$ERR")" 1 \
		"$1: UDP sendto() (twice): one denial line"
	t_is "$(count "^netbox: denied UDP 198\.51\.100\.31:5556 \(only DNS leaves the sandbox over UDP\)$end" "$ERR")" 1 \
		"$1: UDP send() on a connected socket: one denial line"
	if [ -n "$V6" ]; then
		t_is "$(count "^netbox: denied \[2001:db8::30\]:4445 \(no rule\)$end" "$ERR")" 1 \
			"$1: an IPv6 address: one denial line"
		want=7
	else
		t_skip "$1: an IPv6 address: one denial line" "no IPv6 in this kernel"
	fi
	t_is "$(count '^netbox: denied ' "$ERR")" "$want" "$1: no other denial (not the DNS, not the resolver's answers)"
}

# --- the attempts, without attribution -----------------------------------------------
# Only the watch (netproxy/watch.c) sees them: the UDP datagrams leave the
# program's sockets, and nothing stops the calls on their way.
nbx --allow www.google.com --deny 198.51.100.32:4447 "$PY" attempts.py denied $V6
t_is "$RC" 0 "the attempts run to their end"
for dst in "198.51.100.30 4444" "www.google.com 4444" "198.51.100.32 4447" "127.0.0.1 4446"; do
	t_like "$OUT" "^tcp $dst ECONNREFUSED$" "TCP to ${dst/ /:}: refused at once (ECONNREFUSED)"
done
t_like "$OUT" "^udp 198.51.100.30 5555 sent$" "UDP sendto() without attribution: sent, into nothing"
t_like "$OUT" "^udp 198.51.100.31 5556 sent$" "UDP send() on a connected socket: sent, into nothing"
t_unlike "$ERR" "netbox: denied .* by " "without attribution no denial names a process"
check_lines "no attribution"

# --- with --log: attribution ------------------------------------------------------------
# A UDP sendto() with an address now fails (EPERM) and is reported by the
# supervisor's notifications (supervisor/notify.c); send() on a connected
# socket still leaves, and the watch reports it.
rm -f "$NB_WORK/denied.jsonl"
nbx --log denied.jsonl --allow www.google.com --deny 198.51.100.32:4447 "$PY" attempts.py denied $V6
t_is "$RC" 0 "--log: the attempts run to their end"
t_like "$OUT" "^udp 198.51.100.31 5556 sent$" "--log: UDP send() on a connected socket was tried"
check_lines "--log"
want=6
[ -n "$V6" ] && want=7

L="$NB_WORK/denied.jsonl"
log_check "$L" "the raw address: one tcp record, deny, its ip and port, no name" \
	"len(conns(protocol='tcp', ip='198.51.100.30', port=4444, verdict='deny', name=None, reason='no rule')) == 1"
log_check "$L" "the allowed name: one tcp record, deny, by name, its fake address" \
	"[(r['fake_ip'][:7], r['ip'], r['reason']) for r in conns(protocol='tcp', name='www.google.com', port=4444, verdict='deny')] in ([('198.18.', None, 'no rule allows port 4444')], [('198.19.', None, 'no rule allows port 4444')])"
log_check "$L" "the denied port: one tcp record with the rule and where it came from" \
	"len(conns(protocol='tcp', ip='198.51.100.32', port=4447, verdict='deny', rule='198.51.100.32:4447', rule_source='command line')) == 1"
log_check "$L" "the loopback: one tcp record" \
	"len(conns(protocol='tcp', ip='127.0.0.1', port=4446, verdict='deny')) == 1"
log_check "$L" "UDP sendto() twice from one socket: one udp record" \
	"len(conns(protocol='udp', ip='198.51.100.30', port=5555, verdict='deny', reason='only DNS leaves the sandbox over UDP')) == 1"
log_check "$L" "connected UDP: one udp record" \
	"len(conns(protocol='udp', ip='198.51.100.31', port=5556, verdict='deny')) == 1"
if [ -n "$V6" ]; then
	log_check "$L" "the IPv6 address: one tcp record" \
		"len(conns(protocol='tcp', ip='2001:db8::30', port=4445, verdict='deny')) == 1"
fi
log_check "$L" "no other denied connection" \
	"len(conns(verdict='deny')) == $want"
log_check "$L" "each refused TCP connection names the process that made it (python3)" \
	"all(r['proc'] and 'python3' in (r['proc']['exe'] or '') for r in conns(verdict='deny', protocol='tcp'))"
log_check "$L" "... and so does the connected UDP send the watch saw" \
	"all(r['proc'] and 'python3' in (r['proc']['exe'] or '') for r in conns(verdict='deny', protocol='udp', port=5556))"

# --- what must stay silent -----------------------------------------------------------
rm -f "$NB_WORK/allowed.jsonl"
nbx --log allowed.jsonl --allow www.google.com "$PY" attempts.py allowed $V6
t_is "$RC" 0 "allowed traffic runs to its end"
t_like "$OUT" "^get 200 hello from www\.google\.com$" "an HTTP GET through an allowed name works"
t_like "$OUT" "^loop tcp ok$" "the program's own TCP loopback works"
t_like "$OUT" "^loop udp ok$" "the program's own UDP loopback works"
[ -n "$V6" ] && t_like "$OUT" "^loop udp6 ok$" "the program's own UDP loopback over ::1 works"
t_unlike "$ERR" "netbox: denied" "allowed traffic, DNS and the program's loopback: no denial line"
log_check "$NB_WORK/allowed.jsonl" "the GET is an allowed connection, and nothing is denied" \
	"len(conns(protocol='tcp', name='www.google.com', port=80, verdict='allow')) == 1 and not conns(verdict='deny')"

# --- quiet ----------------------------------------------------------------------------
rm -f "$NB_WORK/quiet.jsonl"
nbx --quiet --log quiet.jsonl --allow www.google.com "$PY" attempts.py denied
t_unlike "$ERR" "netbox: denied" "--quiet: no denial line"
log_check "$NB_WORK/quiet.jsonl" "--quiet: the records are written all the same" \
	"len(conns(verdict='deny', port=4444)) == 2"

t_done
