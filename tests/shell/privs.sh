#!/bin/bash
# privs.sh — the program's privileges: capabilities, no_new_privs, setuid
# binaries, su/sudo, nested user namespaces on every x86 ABI, mounts, and the
# system calls and ioctls the seccomp filter refuses.
#
# Every probe is first run WITHOUT netbox (same user, same command) and must
# succeed there; only then does its failure under netbox prove something.
# The raw system calls come from tests/probes/sysprobe.c, compiled here.
# Run as root (meson test --suite launcher); NETBOX is the binary under test.
. "$(dirname "$0")/../lib.sh"

lib_user_up

T=$(mktemp -d /tmp/netbox-privs.XXXXXX)
chmod 755 "$T"
lib_on_exit "rm -rf '$T'"

# status_field TEXT NAME — the value of "NAME:<tab>value" in /proc/PID/status
status_field() { printf '%s\n' "$1" | sed -n "s/^$2:[[:space:]]*//p"; }

# --- the probe program ---------------------------------------------------------

lib_probe PROBE sysprobe

# probe NAME [ARG...] — sysprobe NAME outside ($POUT) and inside netbox ($PIN)
probe() {
	POUT=$(as_user "$PROBE" "$@" 2>&1)
	PIN=$(nb "$PROBE" "$@" 2>&1)
}

# --- capabilities, no_new_privs, seccomp in /proc/self/status -------------------

cap as_user cat /proc/self/status
outside=$OUT
t_unlike "$(status_field "$outside" CapBnd)" '^0+$' \
	"without netbox: the bounding set (CapBnd) is not empty"
[ "$(status_field "$outside" NoNewPrivs)" = 1 ] &&
	t_diag "note: this environment already sets no_new_privs outside netbox"
[ "$(status_field "$outside" Seccomp)" = 0 ] ||
	t_diag "note: this environment already has a seccomp filter outside netbox"
cap nb cat /proc/self/status
t_is "$RC" 0 "netbox: /proc/self/status is readable"
for f in CapInh CapPrm CapEff CapBnd CapAmb; do
	t_like "$(status_field "$OUT" "$f")" '^0{16}$' "netbox: $f is 0"
done
t_is "$(status_field "$OUT" NoNewPrivs)" 1 "netbox: NoNewPrivs is 1"
t_is "$(status_field "$OUT" Seccomp)" 2 "netbox: Seccomp is 2 (filter mode)"

if [ -n "$PROBE" ]; then
	# SECBIT_NOROOT, NO_SETUID_FIXUP, NO_CAP_AMBIENT_RAISE, each with its
	# _LOCKED bit, and KEEP_CAPS_LOCKED: 0xef
	probe securebits
	t_is "$POUT" "securebits 0x0" "without netbox: no securebits"
	t_is "$PIN" "securebits 0xef" "netbox: securebits noroot, no_setuid_fixup, no_cap_ambient_raise set and all locked"
else
	t_skip "securebits" "no C compiler"
fi

# --- a setuid-root binary ---------------------------------------------------------

if [ -n "$PROBE" ]; then
	cp "$NB_WORK/sysprobe" "$NB_WORK/suidprobe"
	chown 0:0 "$NB_WORK/suidprobe"
	chmod 4755 "$NB_WORK/suidprobe"
	cap as_user ./suidprobe euid
	t_is "$OUT" "euid 0" "without netbox: a setuid-root copy of the probe runs with euid 0"
	cap nb ./suidprobe euid
	t_is "$RC:$OUT" "0:euid $NB_UID" "netbox: the setuid-root copy keeps the user's euid"
	rm -f "$NB_WORK/suidprobe"
else
	t_skip "setuid-root binary" "no C compiler"
fi

# --- su and sudo ------------------------------------------------------------------

# su to oneself still needs su's setuid root (initgroups, and unix_chkpwd
# reading /etc/shadow): give the throw-away user a password for it.
SU_PW="Pw-$(tr -dc a-z0-9 </dev/urandom | head -c 12)"
if command -v su >/dev/null 2>&1 &&
	echo "$NB_USER:$SU_PW" | flock /tmp/.netbox-test-useradd.lock chpasswd 2>/dev/null; then
	cap pty_user --timeout 15 --expect '[Pp]assword' --send "$SU_PW\n" -- \
		su -c 'echo SU-UID=$(id -u)' "$NB_USER"
	t_is "$RC" 0 "without netbox: su to oneself succeeds"
	t_like "$OUT" "SU-UID=$NB_UID" "without netbox: su (setuid root) authenticates and switches user"
	cap pty_user --timeout 15 --expect '[Pp]assword' --send "$SU_PW\n" -- \
		"$NB" su -c 'echo SU-UID=$(id -u)' "$NB_USER"
	t_unlike "$RC" '^0$' "netbox: the same su fails"
	t_unlike "$OUT" 'SU-UID=' "netbox: su ran nothing"
	cap pty_user --timeout 15 --expect '[Pp]assword' --send "not-the-password\n" -- \
		"$NB" su -c 'echo SU-UID=$(id -u)' root
	t_unlike "$RC $OUT" '^0 |SU-UID=0' "netbox: su root fails, no uid 0"
else
	t_skip "su cannot raise" "su or chpasswd missing"
fi

if command -v sudo >/dev/null 2>&1; then
	# Outside, sudo runs as root: it answers about the sudoers policy.
	cap as_user sudo -n id -u
	t_unlike "$ERR" 'effective uid is not 0|no new privileges' \
		"without netbox: sudo runs with euid 0 (it answers from the sudoers policy)"
	cap nb sudo -n id -u
	t_unlike "$RC:$OUT" '^0:|^[0-9]*:0$' "netbox: sudo -n id -u fails and prints no 0"
	t_like "$ERR" 'effective uid is not 0|no new privileges|not permitted' \
		"netbox: sudo knows it is not root"
else
	t_skip "sudo cannot raise" "sudo is not installed"
fi

# --- nested user namespaces ---------------------------------------------------------

cap as_user unshare -U true
t_is "$RC" 0 "without netbox: unshare -U true works"
cap nb unshare -U true
t_unlike "$RC" '^0$' "netbox: unshare -U true fails"
t_like "$ERR" 'Operation not permitted' "netbox: unshare -U: EPERM"

cap as_user unshare -Ur id -u
t_is "$RC:$OUT" "0:0" "without netbox: unshare -Ur id -u prints 0"
cap nb unshare -Ur id -u
t_unlike "$RC:$OUT" '^0:|^[0-9]*:0$' "netbox: unshare -Ur id -u fails and prints no 0"

UNSHARE_PY='import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
r = libc.unshare(0x10000000)
print("unshare", r, os.strerror(ctypes.get_errno()) if r else "ok")'
cap as_user "$PY" -c "$UNSHARE_PY"
t_is "$OUT" "unshare 0 ok" "without netbox: python unshare(CLONE_NEWUSER) works"
cap nb "$PY" -c "$UNSHARE_PY"
t_is "$OUT" "unshare -1 Operation not permitted" "netbox: python unshare(CLONE_NEWUSER): EPERM"

if [ -n "$PROBE" ]; then
	probe unshare
	t_is "$POUT" "unshare ok 0" "without netbox: raw unshare(CLONE_NEWUSER) works"
	t_is "$PIN" "unshare err EPERM" "netbox: raw unshare(CLONE_NEWUSER): EPERM"
	probe clone
	t_is "$POUT" "clone ok 0" "without netbox: raw clone(CLONE_NEWUSER) works"
	t_is "$PIN" "clone err EPERM" "netbox: raw clone(CLONE_NEWUSER): EPERM"
	probe clone3
	t_unlike "$POUT" 'ENOSYS' "without netbox: clone3 exists (an invalid call: not ENOSYS)"
	t_is "$PIN" "clone3 err ENOSYS" "netbox: clone3: ENOSYS (callers fall back to clone)"

	for p in unshare clone; do
		probe "$p-i386"
		if [ "$POUT" = "$p-i386 err ENOSYS" ]; then
			t_skip "$p(CLONE_NEWUSER) through int \$0x80" "the kernel has no i386 ABI"
		else
			t_is "$POUT" "$p-i386 ok 0" "without netbox: $p(CLONE_NEWUSER) through int \$0x80 (i386 ABI) works"
			t_is "$PIN" "$p-i386 err EPERM" "netbox: $p(CLONE_NEWUSER) through int \$0x80: EPERM"
		fi
	done
	probe unshare-x32
	if [ "$POUT" = "unshare-x32 err ENOSYS" ]; then
		t_diag "x32 outside: $POUT, inside: $PIN"
		t_skip "unshare(CLONE_NEWUSER) through the x32 ABI" "the kernel has no x32 ABI (ENOSYS outside)"
	else
		t_is "$POUT" "unshare-x32 ok 0" "without netbox: unshare(CLONE_NEWUSER) through the x32 ABI works"
		t_is "$PIN" "unshare-x32 err EPERM" "netbox: unshare(CLONE_NEWUSER) through the x32 ABI: EPERM"
	fi
else
	t_skip "raw clone/unshare probes (native, i386, x32)" "no C compiler"
fi

# --- mounts -------------------------------------------------------------------------

as_user mkdir -p "$NB_WORK/mnt"
cap as_user unshare -Urm sh -c 'mount -t tmpfs none mnt && touch mnt/in-tmpfs && ls mnt'
t_is "$RC:$OUT" "0:in-tmpfs" "without netbox: a tmpfs can be mounted (in a user namespace of one's own)"
cap nb mount -t tmpfs none mnt
t_unlike "$RC" '^0$' "netbox: mount -t tmpfs fails"
cap nb sh -c 'mount -t tmpfs none mnt 2>/dev/null; grep -c " $PWD/mnt " /proc/self/mountinfo'
t_is "$OUT" 0 "netbox: no tmpfs appeared on mnt"
t_diag "(mount also fails for want of CAP_SYS_ADMIN; the nested namespace that could give it is tested above)"

# --- the keyring, io_uring, bpf, userfaultfd, perf_event_open ------------------------

KEYCTL_PY='import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
r = libc.syscall(250, 0, -3, 0)   # keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING)
print("keyctl", "ok" if r > 0 else os.strerror(ctypes.get_errno()))'
cap as_user "$PY" -c "$KEYCTL_PY"
t_is "$OUT" "keyctl ok" "without netbox: keyctl(KEYCTL_GET_KEYRING_ID, session) works"
cap nb "$PY" -c "$KEYCTL_PY"
t_is "$OUT" "keyctl Operation not permitted" "netbox: keyctl: EPERM"
if [ -n "$PROBE" ]; then
	probe keyctl-i386
	if [ "$POUT" = "keyctl-i386 err ENOSYS" ]; then
		t_skip "keyctl through int \$0x80" "the kernel has no i386 ABI"
	else
		t_like "$POUT" '^keyctl-i386 ok [0-9]+$' "without netbox: keyctl through int \$0x80 works"
		t_is "$PIN" "keyctl-i386 err EPERM" "netbox: keyctl through int \$0x80: EPERM"
	fi
fi

if [ -n "$PROBE" ]; then
	for p in io_uring_setup bpf userfaultfd perf_event_open; do
		probe "$p"
		case "$POUT" in
		"$p err EPERM")
			# a sysctl refuses it outside already: the filter cannot be told apart
			t_diag "$p: refused outside too ($POUT): only the inside answer is checked"
			t_skip "without netbox: $p is not EPERM" "refused by the host's sysctl"
			;;
		*)
			t_unlike "$POUT" "EPERM|ENOSYS" "without netbox: $p is not refused ($POUT)"
			;;
		esac
		t_is "$PIN" "$p err EPERM" "netbox: $p: EPERM"
	done
else
	t_skip "io_uring_setup, bpf, userfaultfd, perf_event_open" "no C compiler"
fi

# --- personality ---------------------------------------------------------------------

# The query (0xffffffff: every bit set, changes nothing) answers; the flags
# that weaken the process (the kernel drops them on a setuid exec) do not
# get set, with the high 32 bits set too (the kernel reads 32).
if [ -n "$PROBE" ]; then
	probe personality 0xffffffff
	t_is "$POUT $PIN" "personality ok 0 now 0 personality ok 0 now 0" \
		"personality(0xffffffff) answers the persona without netbox and inside"
	cap nb setarch linux32 "$PROBE" personality 0xffffffff
	t_is "$OUT" "personality ok 0x8 now 0x8" "netbox: setarch linux32 works, and the query answers its persona (PER_LINUX32)"
	for v in 0x40000 0x400000 0x100000 0x200000 0x100040000 0xfffffffe; do
		probe personality "$v"
		t_like "$POUT" "^personality ok 0 now 0x" "without netbox: personality($v) sets the persona (${POUT##* now })"
		t_is "$PIN" "personality err EPERM" "netbox: personality($v): EPERM"
	done
	probe personality-i386 0x40000
	if [ "$POUT" = "personality-i386 err ENOSYS" ]; then
		t_skip "personality through int \$0x80" "the kernel has no i386 ABI"
	else
		t_is "$POUT" "personality-i386 ok 0 now 0x40000" "without netbox: personality(ADDR_NO_RANDOMIZE) through int \$0x80 works"
		t_is "$PIN" "personality-i386 err EPERM" "netbox: personality(ADDR_NO_RANDOMIZE) through int \$0x80: EPERM"
		probe personality-i386 0xffffffff
		t_is "$PIN" "personality-i386 ok 0 now 0" "netbox: the query through int \$0x80 answers"
	fi
else
	t_skip "personality" "no C compiler"
fi
cap as_user setarch -R true
t_is "$RC" 0 "without netbox: setarch -R (no ASLR) works"
cap nb setarch -R true
t_unlike "$RC" '^0$' "netbox: setarch -R fails"
t_like "$ERR" 'Operation not permitted' "... with EPERM"

# --- socket families ---------------------------------------------------------------

# What the filter refuses, as "name family type protocol": families no network
# namespace contains (AF_VSOCK reaches the hypervisor of a VM) or that load
# kernel code on socket(), and the netlink protocols but route and sock_diag.
# Outside netbox each must be anything but EAFNOSUPPORT (the kernel has it:
# the socket is made, or refused for want of a privilege); a family this
# kernel lacks says nothing and is skipped.
SOCK_REFUSED='vsock 40 1 0
packet 17 2 0
alg 38 5 0
key 15 3 2
bluetooth 31 3 1
tipc 30 5 0
rds 21 5 0
can 29 3 1
xdp 44 3 0
netlink-generic 16 3 16
netlink-kobject-uevent 16 2 15
netlink-audit 16 3 9
netlink-netfilter 16 3 12
netlink-xfrm 16 3 6'
SOCK_ALLOWED='unix 1 1 0
inet 2 1 0
inet6 10 1 0
netlink-route 16 3 0
netlink-sock-diag 16 3 4'

# refused_sockets ERRNO LIST — each "name family type protocol" of LIST:
# socket() outside must reach the kernel (a family or protocol it lacks,
# EAFNOSUPPORT, EPROTONOSUPPORT or ESOCKTNOSUPPORT outside, says nothing and
# is skipped); socket() and socketpair() inside get ERRNO from the filter.
refused_sockets() {
	local err=$1 name fam type proto
	local -a missing=()
	while read -r name fam type proto; do
		probe socket "$fam" "$type" "$proto"
		case $POUT in
		"socket err EAFNOSUPPORT" | "socket err EPROTONOSUPPORT" | "socket err ESOCKTNOSUPPORT")
			missing+=("$name")
			continue
			;;
		esac
		t_like "$POUT" "^socket (ok|err E)" "without netbox: socket($name) reaches the kernel ($POUT)"
		t_is "$PIN" "socket err $err" "netbox: socket($name): $err"
		probe socketpair "$fam" "$type" "$proto"
		t_is "$PIN" "socketpair err $err" "netbox: socketpair($name): $err (socketpair makes its sockets first)"
	done <<<"$2"
	[ ${#missing[@]} -eq 0 ] ||
		t_skip "socket(${missing[*]})" "this kernel has none of them (EAFNOSUPPORT, EPROTONOSUPPORT or ESOCKTNOSUPPORT outside)"
}
# kept_sockets LIST — socket() of each "name family type protocol" makes a
# socket, or is refused by the kernel for want of a privilege (ping
# sockets: ping_group_range), the same inside as outside.
kept_sockets() {
	local name fam type proto
	while read -r name fam type proto; do
		probe socket "$fam" "$type" "$proto"
		t_like "$POUT" '^socket (ok [0-9]+|err EACCES)$' "without netbox: socket($name): $POUT"
		# (netbox's own lines, the denial and the summary, set apart)
		t_is "$(grep -v '^netbox: \|^  ' <<<"$PIN")" "$POUT" "netbox: socket($name): the same"
		# An ICMP socket the kernel refuses is said, as every attempt.
		if [ "$POUT" = "socket err EACCES" ]; then
			t_like "$PIN" "netbox: denied ICMP socket \\(inet6?\\) \\(ICMP is not proxied\\)" \
				"netbox: socket($name): the attempt is reported"
		fi
	done <<<"$1"
}

if [ -n "$PROBE" ]; then
	refused_sockets EAFNOSUPPORT "$SOCK_REFUSED"
	kept_sockets "$SOCK_ALLOWED"

	# The rest on AF_VSOCK, the family of the issue: it is there outside.
	probe socket 40 1 0
	if [ "$POUT" = "socket err EAFNOSUPPORT" ]; then
		t_skip "AF_VSOCK: high bits, socketpair, i386, x32, --seccomp=off" "this kernel has no AF_VSOCK"
	else
		# The kernel reads an int: the high half of the register must not
		# hide the family from the filter.
		probe socket 0x100000028 1 0
		t_like "$POUT" '^socket ok' "without netbox: socket(AF_VSOCK | 1 << 32) makes an AF_VSOCK socket"
		t_is "$PIN" "socket err EAFNOSUPPORT" "netbox: socket(AF_VSOCK | 1 << 32): EAFNOSUPPORT"
		probe socketpair 40 1 0
		t_is "$POUT" "socketpair err EOPNOTSUPP" "without netbox: socketpair(AF_VSOCK) reaches the family (EOPNOTSUPP)"
		t_is "$PIN" "socketpair err EAFNOSUPPORT" "netbox: socketpair(AF_VSOCK): EAFNOSUPPORT"
		cap nb --seccomp=off "$PROBE" socket 40 1 0
		t_like "$OUT" '^socket ok' "netbox --seccomp=off: AF_VSOCK works in netbox's namespaces (no namespace holds it): the filter is what refuses it"

		probe socket-i386 40 1 0
		if [ "$POUT" = "socket-i386 err ENOSYS" ]; then
			t_skip "sockets through int \$0x80" "the kernel has no i386 ABI"
		else
			t_like "$POUT" '^socket-i386 ok' "without netbox: socket(AF_VSOCK) through int \$0x80 (i386 ABI) works"
			t_is "$PIN" "socket-i386 err EAFNOSUPPORT" "netbox: socket(AF_VSOCK) through int \$0x80: EAFNOSUPPORT"
			probe socket-i386 2 1 0
			t_like "$POUT $PIN" '^socket-i386 ok [0-9]+ socket-i386 ok [0-9]+$' \
				"socket(AF_INET) through int \$0x80 works without netbox and inside"
			probe socketpair-i386 1 1 0
			t_is "$POUT $PIN" "socketpair-i386 ok 0 socketpair-i386 ok 0" \
				"socketpair(AF_UNIX) through int \$0x80 works without netbox and inside"
			# socketcall's arguments are in memory: refused whatever the family
			for fam in 40 2; do
				probe socketcall-i386 "$fam" 1 0
				t_like "$POUT" '^socketcall-i386 ok' "without netbox: socketcall(SYS_SOCKET, family $fam) works"
				t_is "$PIN" "socketcall-i386 err EAFNOSUPPORT" "netbox: socketcall(SYS_SOCKET, family $fam): EAFNOSUPPORT"
			done
			probe socketcall-pair-i386 1 1 0
			t_is "$POUT" "socketcall-pair-i386 ok 0" "without netbox: socketcall(SYS_SOCKETPAIR, AF_UNIX) works"
			t_is "$PIN" "socketcall-pair-i386 err EAFNOSUPPORT" "netbox: socketcall(SYS_SOCKETPAIR): EAFNOSUPPORT"
		fi
		probe socket-x32 40 1 0
		if [ "$POUT" = "socket-x32 err ENOSYS" ]; then
			t_diag "x32 outside: $POUT, inside: $PIN"
			t_skip "socket(AF_VSOCK) through the x32 ABI" "the kernel has no x32 ABI (ENOSYS outside)"
		else
			t_like "$POUT" '^socket-x32 ok' "without netbox: socket(AF_VSOCK) through the x32 ABI works"
			t_is "$PIN" "socket-x32 err EAFNOSUPPORT" "netbox: socket(AF_VSOCK) through the x32 ABI: EAFNOSUPPORT"
		fi
	fi
else
	t_skip "socket families" "no C compiler"
fi

# --- IP protocols and TCP's upper layer protocols -----------------------------------

# AF_INET and AF_INET6 sockets keep the default protocol, TCP, UDP, ICMP and
# ICMPv6; the others (MPTCP, UDP-Lite, and SCTP, DCCP, L2TP, whose modules
# socket() loads on a distribution kernel) get EPROTONOSUPPORT — what Go's
# MPTCP probe takes for "use TCP".  Outside each must reach the kernel: a
# protocol this kernel lacks (EPROTONOSUPPORT, or ESOCKTNOSUPPORT for DCCP's
# socket type) says nothing and is skipped.
PROTO_REFUSED='mptcp 2 1 262
mptcp6 10 1 262
mptcp|1<<32 2 1 0x100000106
udplite 2 2 136
udplite6 10 2 136
sctp 2 1 132
dccp 2 6 33
l2tp 2 2 115'
PROTO_KEPT='default 2 1 0
tcp 2 1 6
udp 2 2 17
tcp6 10 1 6
udp6 10 2 17
ping 2 2 1
ping6 10 2 58'
if [ -n "$PROBE" ]; then
	refused_sockets EPROTONOSUPPORT "$PROTO_REFUSED"
	kept_sockets "$PROTO_KEPT"
	for abi in i386 x32; do
		probe "socket-$abi" 2 1 262
		if [ "$POUT" = "socket-$abi err ENOSYS" ]; then
			t_skip "socket(MPTCP) through the $abi ABI" "the kernel has no $abi ABI"
		elif [ "$POUT" = "socket-$abi err EPROTONOSUPPORT" ]; then
			t_skip "socket(MPTCP) through the $abi ABI" "this kernel has no MPTCP"
		else
			t_like "$POUT" "^socket-$abi ok" "without netbox: socket(MPTCP) through the $abi ABI works"
			t_is "$PIN" "socket-$abi err EPROTONOSUPPORT" "netbox: socket(MPTCP) through the $abi ABI: EPROTONOSUPPORT"
		fi
	done
	MPTCP_PY='import socket
try:
    socket.socket(socket.AF_INET, socket.SOCK_STREAM, 262).close(); print("mptcp ok")
except OSError as e:
    print("mptcp", e.strerror)'
	cap as_user "$PY" -c "$MPTCP_PY"
	if [ "$OUT" = "mptcp ok" ]; then
		cap nb "$PY" -c "$MPTCP_PY"
		t_is "$OUT" "mptcp Protocol not supported" "netbox: Python's MPTCP socket: 'Protocol not supported', as from a kernel without it"
	fi

	# setsockopt(SOL_TCP, TCP_ULP): outside the kernel looks the ULP up
	# (ENOENT when it has none, ENOTCONN on this unconnected socket when it
	# has one), inside the filter answers first.
	for p in setsockopt-ulp setsockopt-ulp-hi setsockopt-ulp-i386 socketcall-setsockopt-i386; do
		probe "$p" tls
		if [ "$POUT" = "$p err ENOSYS" ]; then
			t_skip "$p" "the kernel has no i386 ABI"
			continue
		fi
		t_like "$POUT" "^$p err E(NOENT|NOTCONN)$" "without netbox: $p reaches the kernel ($POUT)"
		t_is "$PIN" "$p err EPERM" "netbox: $p: EPERM"
	done
else
	t_skip "IP protocols, TCP_ULP" "no C compiler"
fi

cap nb --check true
t_like "$OUT" 'socket/socketpair of every family but AF_UNIX, AF_INET, AF_INET6, AF_NETLINK' \
	"netbox --check lists the socket families the program keeps"
t_like "$OUT" 'AF_INET/AF_INET6 sockets of every protocol but 0, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMPV6: EPROTONOSUPPORT' \
	"netbox --check lists the IP protocols the program keeps"
t_like "$OUT" 'setsockopt\(SOL_TCP, TCP_ULP\), i386 socketcall\(SETSOCKOPT\): EPERM' "netbox --check lists TCP_ULP"
t_like "$OUT" 'KD\* \(0x4b00-0x4bff\), VT_\* \(0x5600-0x56ff\)' "netbox --check lists the console's ioctl ranges"

# What the program does with the netlink it keeps.
IP=$(command -v ip)
SS=$(command -v ss)
if [ -n "$IP" ] && [ -n "$SS" ]; then
	cap nb "$IP" -4 -br addr show lo
	t_like "$OUT" '127\.0\.0\.1/8 198\.18\.' "netbox: ip addr reads the sandbox's addresses (NETLINK_ROUTE)"
	cap nb "$SS" -ltn
	t_like "$OUT" 'LISTEN .*:53 ' "netbox: ss -ltn lists the sandbox's listeners (NETLINK_SOCK_DIAG)"
else
	t_skip "ip addr, ss -ltn" "iproute2 is not installed"
fi
if command -v strace >/dev/null 2>&1; then
	# getaddrinfo(AF_INET, AI_ADDRCONFIG) asks netlink which addresses exist
	cap nb strace -f -e trace=socket getent ahostsv4 localhost
	t_like "$ERR" 'socket\(AF_NETLINK, [^)]*NETLINK_ROUTE\) = [0-9]' \
		"netbox: getaddrinfo(AI_ADDRCONFIG) opens its NETLINK_ROUTE socket"
	t_like "$OUT" '^127\.0\.0\.1 +STREAM localhost' "... and resolves localhost"
else
	t_skip "getaddrinfo(AI_ADDRCONFIG) over netlink" "strace is not installed"
fi

# --- terminal injection: TIOCSTI, TIOCLINUX ------------------------------------------

# An interactive shell on a pty runs inject.py, which pushes a command into
# the terminal's input queue: the shell then runs it (INJ42ECTED appears).
cat >"$NB_WORK/inject.py" <<'EOF'
import fcntl, termios
try:
    for c in b"echo INJ$((6*7))ECTED\n":
        fcntl.ioctl(0, termios.TIOCSTI, bytes([c]))
    print("inject: done")
except OSError as e:
    print("inject: failed:", e.strerror)
EOF
chmod 644 "$NB_WORK/inject.py"
cap pty_user --expect '\$ $' --send '$PY inject.py\n' --expect 'INJ42ECTED' --send 'exit 0\n' -- bash --norc -i
t_like "$OUT" 'INJ42ECTED' "without netbox: TIOCSTI injects a command into the invoking shell"
cap pty_user --expect '\$ $' --send '$NB $PY inject.py\n' --expect 'inject: ' \
	--send 'echo end-$((1+1))\n' --expect 'end-2' --send 'exit 0\n' -- bash --norc -i
t_like "$OUT" 'inject: failed: Operation not permitted' "netbox: TIOCSTI: EPERM"
t_unlike "$OUT" 'INJ42ECTED' "netbox: nothing was injected into the invoking shell"

if [ -n "$PROBE" ]; then
	for p in tiocsti tiocsti-hi tiocsti-i386; do
		cap pty_user -- "$PROBE" "$p"
		if [[ "$OUT" == *"$p err ENOSYS"* ]]; then
			t_skip "ioctl($p)" "the kernel has no i386 ABI"
			continue
		fi
		t_like "$OUT" "^x?$p ok 0" "without netbox: ioctl($p) on the controlling terminal works"
		cap pty_user -- "$NB" "$PROBE" "$p"
		t_like "$OUT" "$p err EPERM" "netbox: ioctl($p) on the controlling terminal: EPERM"
	done
	# TIOCLINUX is a virtual-console ioctl: on a pty the kernel answers
	# ENOTTY, the filter EPERM.
	for p in tioclinux tioclinux-hi; do
		cap pty_user -- "$PROBE" "$p"
		t_unlike "$OUT" "EPERM" "without netbox: ioctl($p) on a pty is not refused (${OUT//$'\r'/})"
		cap pty_user -- "$NB" "$PROBE" "$p"
		t_like "$OUT" "$p err EPERM" "netbox: ioctl($p): EPERM"
	done
else
	t_skip "TIOCSTI/TIOCLINUX with the high 32 bits set" "no C compiler"
fi

# --- the terminal after netbox: TIOCSETD, TIOCEXCL; TIOCCONS, TIOCVHANGUP; TIOCSCTTY -

if [ -n "$PROBE" ]; then
	# The probe outside netbox reads the line discipline the run left on
	# the terminal: N_NULL (27) would leave the shell reading nothing.
	rm -f "$NB_WORK/set.out" "$NB_WORK/after.out"
	pty_user -- sh -c '"$1" tiocsetd >set.out; "$1" tiocgetd >after.out' sh "$PROBE" >/dev/null
	if [ "$(cat "$NB_WORK/set.out")" != "tiocsetd ok 0" ]; then
		t_skip "TIOCSETD" "the line discipline N_NULL cannot be set here ($(cat "$NB_WORK/set.out"))"
	else
		t_is "$(cat "$NB_WORK/after.out")" "tiocgetd ok 27" \
			"without netbox: TIOCSETD sets N_NULL on the terminal, and it stays after the program exits"
		rm -f "$NB_WORK/set.out" "$NB_WORK/after.out"
		pty_user -- sh -c '$NB "$1" tiocsetd >set.out; "$1" tiocgetd >after.out' sh "$PROBE" >/dev/null
		t_is "$(cat "$NB_WORK/set.out")" "tiocsetd err EPERM" "netbox: TIOCSETD: EPERM"
		t_is "$(cat "$NB_WORK/after.out")" "tiocgetd ok 0" "after netbox exits, the terminal's line discipline is still N_TTY"
		# The same seen from an interactive shell.
		rm -f "$NB_WORK/set.out"
		cap pty_user --timeout 3 --expect '\$ $' --send "$PROBE tiocsetd >set.out\n" --expect '\$ $' \
			--send 'echo end-$((1+1))\n' --expect 'end-2' --send 'exit 0\n' -- bash --norc -i
		t_is "$(cat "$NB_WORK/set.out")" "tiocsetd ok 0" "without netbox: a program run from an interactive shell sets N_NULL"
		t_unlike "$OUT" 'end-2' "... and the shell is dead"
		cap pty_user --timeout 10 --expect '\$ $' --send "\$NB $PROBE tiocsetd\n" --expect 'tiocsetd ' \
			--send 'echo end-$((1+1))\n' --expect 'end-2' --send 'exit 0\n' -- bash --norc -i
		t_like "$OUT" 'tiocsetd err EPERM' "netbox: TIOCSETD from an interactive shell: EPERM"
		t_like "$OUT" 'end-2' "... and the shell still reads and echoes"
	fi

	cap pty_user -- sh -c '"$1" open-tty; "$1" tiocexcl; "$1" open-tty' sh "$PROBE"
	t_is "${OUT//$'\r'/}" $'open-tty ok 3\ntiocexcl ok 0\nopen-tty err EBUSY' \
		"without netbox: TIOCEXCL outlives the program: /dev/tty cannot be opened after it (EBUSY)"
	cap pty_user -- sh -c '$NB "$1" tiocexcl; "$1" open-tty' sh "$PROBE"
	t_is "${OUT//$'\r'/}" $'tiocexcl err EPERM\nopen-tty ok 3' "netbox: TIOCEXCL: EPERM; /dev/tty opens after netbox exits"

	# On descriptor -1 the kernel answers EBADF; the filter refuses the
	# request before the descriptor is looked at.  TIOCCONS and TIOCVHANGUP
	# want CAP_SYS_ADMIN, so the user gets EPERM from the kernel outside
	# anyway: this is how the filter's own refusal shows.  So for the Linux
	# console's KD* and VT_* requests, whose effect outlives netbox when its
	# terminal is a virtual terminal (KDSKBMODE K_OFF: a dead keyboard;
	# KDSETMODE KD_GRAPHICS: a blank screen; VT_ACTIVATE switches away):
	# no pty here is one, and the whole two ranges are refused (the sweep
	# in tests/unit/test_seccomp.c covers every request of them).
	for req in TIOCSETD TIOCEXCL TIOCCONS TIOCVHANGUP KDSKBMODE KDSETMODE PIO_CMAP KDSETLED KDGKBTYPE \
		VT_ACTIVATE VT_GETSTATE; do
		for p in ioctl-badfd ioctl-badfd-hi ioctl-badfd-i386; do
			probe "$p" "$req"
			if [ "$POUT" = "$p err ENOSYS" ]; then
				t_skip "ioctl($req) through int \$0x80" "the kernel has no i386 ABI"
				continue
			fi
			t_is "$POUT" "$p err EBADF" "without netbox: $p $req reaches the kernel (EBADF)"
			t_is "$PIN" "$p err EPERM" "netbox: $p $req: EPERM from the filter"
		done
	done

	# TIOCSCTTY is left to the kernel: a new pty (script, pty.spawn) must
	# become the controlling terminal of the program's child, and the
	# user's terminal cannot be taken without CAP_SYS_ADMIN.
	probe ioctl-badfd TIOCSCTTY
	t_is "$POUT $PIN" "ioctl-badfd err EBADF ioctl-badfd err EBADF" "TIOCSCTTY is not filtered (EBADF outside and inside)"
	cap "$PY" "$LIB_DIR/ptyrun.py" -- "$NB_WORK/sysprobe" tiocsctty 1
	t_is "${OUT//$'\r'/}" "tiocsctty ok 0" "as root, without netbox: a new session takes the terminal from its session (TIOCSCTTY 1)"
	for arg in 1 0; do
		cap pty_user -- "$PROBE" tiocsctty "$arg"
		t_is "${OUT//$'\r'/}" "tiocsctty err EPERM" "without netbox: the user cannot take the terminal of another session (TIOCSCTTY $arg)"
		cap pty_user -- "$NB" "$PROBE" tiocsctty "$arg"
		t_is "${OUT//$'\r'/}" "tiocsctty err EPERM" "netbox: the program cannot take the user's terminal (TIOCSCTTY $arg): EPERM"
	done
else
	t_skip "TIOCSETD, TIOCEXCL, TIOCCONS, TIOCVHANGUP, TIOCSCTTY" "no C compiler"
fi
CTTY_SH=': </dev/tty && echo CTTY-$((6*7))'
SPAWN_PY='import pty, sys; pty.spawn(["sh", "-c", sys.argv[1]])'
if command -v script >/dev/null 2>&1; then
	cap pty_user -- script -qc "$CTTY_SH" /dev/null
	t_like "$OUT" 'CTTY-42' "without netbox: script gives its command a new controlling terminal"
	cap pty_user -- "$NB" script -qc "$CTTY_SH" /dev/null
	t_like "$OUT" 'CTTY-42' "netbox: script gives its command a new controlling terminal"
else
	t_skip "script" "util-linux's script is not installed"
fi
# pty.spawn (forkpty, login_tty) needs TIOCSCTTY: script also gets the
# terminal by opening it.
cap pty_user -- "$PY" -c "$SPAWN_PY" "$CTTY_SH"
t_like "$OUT" 'CTTY-42' "without netbox: python's pty.spawn gives its child a new controlling terminal"
cap pty_user -- "$NB" "$PY" -c "$SPAWN_PY" "$CTTY_SH"
t_like "$OUT" 'CTTY-42' "netbox: python's pty.spawn gives its child a new controlling terminal (TIOCSCTTY)"

# --- processes outside the sandbox ------------------------------------------------

rm -f "$NB_WORK/sleep.pid"
as_user sh -c 'echo $$ >sleep.pid; exec sleep 300' 2>/dev/null &
for _ in $(seq 50); do
	[ -s "$NB_WORK/sleep.pid" ] && break
	sleep 0.1
done
SLEEP_PID=$(cat "$NB_WORK/sleep.pid")
lib_on_exit "kill $SLEEP_PID"
cap as_user sh -c "kill -0 $SLEEP_PID && test -d /proc/$SLEEP_PID && echo visible"
t_is "$RC:$OUT" "0:visible" "without netbox: the user's own process outside can be signalled and seen"
cap nb sh -c "kill -0 $SLEEP_PID"
t_unlike "$RC" '^0$' "netbox: kill -0 of a process outside fails"
cap nb test -e "/proc/$SLEEP_PID"
t_unlike "$RC" '^0$' "netbox: /proc/PID of a process outside is absent"
PTRACE_PY='import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
r = libc.ptrace(0x4206, int(sys.argv[1]), 0, 0)   # PTRACE_SEIZE: no stop; detached at exit
print("ptrace", "ok" if r == 0 else os.strerror(ctypes.get_errno()))'
cap as_user "$PY" -c "$PTRACE_PY" "$SLEEP_PID"
if [ "$OUT" = "ptrace ok" ]; then
	t_ok 0 "without netbox: ptrace(PTRACE_SEIZE) of the user's own process works"
else
	t_diag "without netbox: $OUT (the host's Yama or LSM forbids it)"
	t_skip "without netbox: ptrace(PTRACE_SEIZE) of the user's own process works" "refused by the host"
fi
cap nb "$PY" -c "$PTRACE_PY" "$SLEEP_PID"
t_is "$OUT" "ptrace No such process" "netbox: ptrace(PTRACE_SEIZE) of a process outside: ESRCH"
kill "$SLEEP_PID" 2>/dev/null

t_done
