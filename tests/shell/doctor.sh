#!/bin/bash
# doctor.sh — netbox --doctor: every row and probe on this machine (all
# held), as the test user and as root; user namespaces refused for real
# (nouserns.py: a clear failure, the probes not run, and netbox's ordinary
# run failing with the same line); seccomp filters refused (noseccomp.py);
# and, with -Dtest_hooks=true, the Debian and Ubuntu sysctls this kernel
# does not have, read from a directory the test makes (NETBOX_TEST_PROC).
# Every run is in a network namespace the test makes: nothing can leave.
# Run as root (meson test --suite launcher); NETBOX is the binary under test.
. "$(dirname "$0")/../lib.sh"

lib_user_up

# The wrappers, where the test user can run them.
cp "$LIB_DIR/shell/nouserns.py" "$LIB_DIR/shell/noseccomp.py" "$NB_TMP/"
chmod 755 "$NB_TMP/nouserns.py" "$NB_TMP/noseccomp.py"

# nb_netns CMD... — as_user, in a network namespace of its own (lo only).
nb_netns() {
	unshare -n -- setpriv --reuid="$NB_UID" --regid="$NB_GID" --init-groups \
		env -i HOME="$NB_HOME" USER="$NB_USER" LOGNAME="$NB_USER" \
		PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 ${NB_ENV[@]+"${NB_ENV[@]}"} \
		sh -c 'cd "$0" && exec "$@"' "$NB_WORK" "$@"
}

# line TEXT PREFIX — the line of TEXT that starts with PREFIX (fixed string)
line() { printf '%s\n' "$1" | grep -F -- "$2" | head -1; }

PROBES=("a name no rule allows does not resolve: example.com: no address"
	"a raw IP address does not connect: 192.0.2.1:443: "
	"DNS sent to another server is answered by netbox: 192.0.2.53:53 answered NXDOMAIN for example.com with 0 addresses"
	"your home is hidden: $NB_HOME: none of the "
	"a nested user namespace is refused: unshare(CLONE_NEWUSER): "
	"no_new_privs is set: NoNewPrivs: 1 in /proc/self/status"
	"the system call filter is on: Seccomp: 2 in /proc/self/status"
	"root cannot be had back: setuid(0): ")

# --- this machine: everything holds ------------------------------------------------

cap nb_netns "$NB" --doctor
t_is "$RC" 0 "--doctor as the test user: exit status 0"
t_like "$OUT" "^netbox [^ ]+ --doctor: $NB, Linux [^ ]+, uid $NB_UID\$" "the first line names the binary, the kernel and the uid"
t_unlike "$OUT" '^(FAIL|skip)' "no row failed or was skipped"
for want in "ok    user.max_user_namespaces=" "ok    a user namespace: made, and the ids mapped in it" \
	"ok    seccomp filters: one loaded" \
	"ok    seccomp user notification: a call notified, its id checked valid and let go on (SECCOMP_USER_NOTIF_FLAG_CONTINUE" \
	"ok    pidfd_getfd and process_vm_readv: a descriptor taken from, and memory read of, a process in a nested user namespace" \
	"info  landlock: " "ok    resolver: /etc/resolv.conf names "; do
	t_is "$(line "$OUT" "$want" | cut -c1-${#want})" "$want" "row: $want"
done
for p in "${PROBES[@]}"; do
	want="ok    probe: $p"
	t_is "$(line "$OUT" "$want" | cut -c1-${#want})" "$want" "probe: $p"
done
t_like "$(line "$OUT" "probe: your home is hidden")" "entries seen outside \(\.ssh, \.\.\.\) is visible\$" \
	"the home probe looked for ~/.ssh first"
t_like "$(printf '%s\n' "$OUT" | tail -1)" '^netbox works here: all [0-9]+ checks held$' "the summary (the last line) says netbox works here"

# --- the upstream proxy the environment names (launcher/upproxy.c) ------------------

t_is "$(line "$OUT" "ok    upstream proxy: none")" \
	"ok    upstream proxy: none (no HTTPS_PROXY, HTTP_PROXY nor ALL_PROXY in the environment): connections go direct" \
	"no proxy variable: the row says connections go direct"
NB_ENV=(HTTPS_PROXY=http://alice:S3CRET-PW@127.0.0.1:3128 http_proxy=socks5h://127.0.0.1 NO_PROXY=.corp.test)
cap nb_netns "$NB" --doctor
t_is "$RC" 0 "HTTPS_PROXY, http_proxy and NO_PROXY that parse and resolve: exit 0"
t_is "$(line "$OUT" "ok    upstream proxy for ")" \
	"ok    upstream proxy for port 80: 127.0.0.1:1080 (SOCKS5, names resolved by the proxy, from http_proxy); upstream proxy for other ports: 127.0.0.1:3128 (HTTP CONNECT, from HTTPS_PROXY, with its user and password); direct, not through the proxy (NO_PROXY): 1 entry (URL parsed, host resolved)" \
	"the proxy row: each proxy, the variable it came from, NO_PROXY"
t_unlike "$OUT$ERR" "S3CRET-PW|alice" "the doctor never prints the proxy's user or password"
NB_ENV=(HTTPS_PROXY=http://alice:S3CRET-PW@proxy.invalid:3128)
cap nb_netns "$NB" --doctor
t_is "$RC" 1 "a proxy host that does not resolve: exit 1"
t_like "$(line "$OUT" "upstream proxy")" "^FAIL  upstream proxy: HTTPS_PROXY: cannot resolve the upstream proxy's host proxy\.invalid: .* — check the proxy's host name, or pass --upstream-proxy none\$" \
	"a proxy host that does not resolve: the row names the variable, the host and the fix"
t_unlike "$OUT$ERR" "S3CRET-PW|alice" "a failing proxy row never prints the user or password either"
NB_ENV=(ALL_PROXY=https://proxy.test:443)
cap nb_netns "$NB" --doctor
t_like "$(line "$OUT" "upstream proxy")" "^FAIL  upstream proxy: ALL_PROXY: https:// proxy: TLS to the proxy is not supported" \
	"an https:// proxy: the row says it is not supported, naming the variable"
NB_ENV=()

cap nb_netns "$NB" --doctor --allow example.com
t_is "$RC" 125 "--doctor with another option: exit status 125"
t_like "$ERR" "^netbox: --doctor takes no other option and no program — run it alone: netbox --doctor\$" \
	"--doctor with another option: one line says so"
cap nb_netns "$NB" --doctor-probe
t_is "$RC" 125 "the probe entry point refuses to run outside a sandbox"

# --- root invoker -----------------------------------------------------------------

cap unshare -n -- env -i HOME=/root USER=root LOGNAME=root PATH=/usr/local/bin:/usr/bin:/bin \
	LANG=C.UTF-8 sh -c 'cd / && exec "$0" --doctor' "$NB"
t_is "$RC" 0 "--doctor as root: exit status 0"
t_unlike "$OUT" '^(FAIL|skip)' "as root: no row failed or was skipped"
for p in "${PROBES[@]}"; do
	p=${p//$NB_HOME/\/root}
	want="ok    probe: $p"
	t_is "$(line "$OUT" "$want" | cut -c1-${#want})" "$want" "as root: probe: $p"
done

# --- user namespaces refused -------------------------------------------------------

FIX="sudo sysctl -w user.max_user_namespaces=15000, and to keep it after a reboot: echo user.max_user_namespaces=15000 | sudo tee /etc/sysctl.d/60-netbox.conf"
cap nb_netns "$PY" "$NB_TMP/nouserns.py" "$NB" --doctor
t_is "$RC" 1 "user namespaces refused: --doctor exits 1"
t_like "$OUT" "^FAIL  user\.max_user_namespaces=0: user namespaces are disabled — ${FIX//[.|]/\\&}" \
	"user namespaces refused: the sysctl is named with the exact fix"
t_like "$OUT" "^FAIL  a user namespace cannot be made: unshare\(CLONE_NEWUSER\): No space left on device — " \
	"user namespaces refused: the real unshare() and its errno"
t_is "$(printf '%s\n' "$OUT" | grep -c '^skip  probe: .*: not run (no sandbox can be made here: see FAIL above)$')" \
	"${#PROBES[@]}" "user namespaces refused: every probe reported as not run"
t_like "$(printf '%s\n' "$OUT" | tail -1)" '^netbox does not work fully here: [0-9]+ of [0-9]+ checks did not hold' \
	"user namespaces refused: the summary (the last line) says so"
cap nb_netns "$PY" "$NB_TMP/nouserns.py" "$NB" --noprofile true
t_is "$RC" 125 "user namespaces refused: an ordinary run exits 125"
t_like "$ERR" "^netbox: cannot create the sandbox's namespaces: No space left on device — user namespaces are disabled \(user\.max_user_namespaces=0\): ${FIX//[.|]/\\&}" \
	"user namespaces refused: an ordinary run says the same, with its errno"

# --- seccomp refused ---------------------------------------------------------------

if [ "$(uname -m)" = x86_64 ]; then
	cap nb_netns "$PY" "$NB_TMP/noseccomp.py" "$NB" --doctor
	t_is "$RC" 1 "seccomp refused: --doctor exits 1"
	t_like "$OUT" "^FAIL  seccomp filters cannot be loaded: prctl\(PR_SET_SECCOMP\): Invalid argument — " \
		"seccomp refused: the filter row fails, naming the call and its errno"
	t_like "$OUT" "^FAIL  seccomp user notification: seccomp\(SECCOMP_FILTER_FLAG_NEW_LISTENER\): Invalid argument .* — Linux 5\.5 or later has it" \
		"seccomp refused: the user notification row fails, naming it"
	t_like "$OUT" "^skip  probe: a name no rule allows does not resolve: not run" "seccomp refused: the probes are not run"
else
	t_skip "seccomp refused" "noseccomp.py's filter is x86_64's"
fi

# --- the sysctls this kernel does not have (test hooks) ----------------------------

if [ "${NETBOX_TEST_HOOKS:-0}" = 1 ]; then
	P="$NB_TMP/proc"
	mkdir -p "$P/sys/kernel" "$P/sys/user" "$P/self/attr/apparmor"
	echo 15000 >"$P/sys/user/max_user_namespaces"
	echo 1 >"$P/sys/kernel/apparmor_restrict_unprivileged_userns"
	echo unconfined >"$P/self/attr/apparmor/current"
	chmod -R a+rX "$P"
	NB_ENV=(NETBOX_TEST_PROC="$P")
	cap nb_netns "$NB" --doctor
	t_is "$RC" 1 "AppArmor restricts, no profile attached: exit 1"
	t_like "$OUT" "^FAIL  kernel\.apparmor_restrict_unprivileged_userns=1: AppArmor allows user namespaces only to programs a profile allows them, and no profile is attached to ${NB//./\\.} \(it runs unconfined\) — install netbox \(its package, or sudo meson install" \
		"AppArmor, no profile: the row names the binary"
	AANAME=$(printf '%s' "${NB#/}" | tr / .)
	t_is "$(sed -n '/sudo tee \/etc\/apparmor\.d\//,/sudo apparmor_parser -r/p' <<<"$OUT")" \
"        sudo tee /etc/apparmor.d/$AANAME <<'EOF'
        abi <abi/4.0>,
        include <tunables/global>
        profile $AANAME \"$NB\" flags=(unconfined) {
          userns,
          include if exists <local/$AANAME>
        }
        EOF
        sudo apparmor_parser -r /etc/apparmor.d/$AANAME" \
		"AppArmor, no profile: the profile to write, named after this binary's path (never the package's /etc/apparmor.d/netbox), and the command that loads it"
	echo 'netbox (unconfined)' >"$P/self/attr/apparmor/current"
	echo 1 >"$P/sys/kernel/apparmor_restrict_unprivileged_unconfined"
	cap nb_netns "$NB" --doctor
	t_is "$RC" 0 "AppArmor restricts, netbox's profile attached: exit 0"
	t_like "$OUT" "^ok    kernel\.apparmor_restrict_unprivileged_userns=1, and AppArmor profile \"netbox \(unconfined\)\" is attached to ${NB//./\\.} " \
		"AppArmor, profile attached: the row says which"
	rm -f "$P/sys/kernel/apparmor_restrict_unprivileged"*
	echo 0 >"$P/sys/kernel/unprivileged_userns_clone"
	cap nb_netns "$NB" --doctor
	t_is "$RC" 1 "kernel.unprivileged_userns_clone=0: exit 1"
	t_like "$OUT" "^FAIL  kernel\.unprivileged_userns_clone=0: unprivileged user namespaces are disabled — sudo sysctl -w kernel\.unprivileged_userns_clone=1, and to keep it after a reboot: echo kernel\.unprivileged_userns_clone=1 \| sudo tee /etc/sysctl\.d/60-netbox\.conf\$" \
		"kernel.unprivileged_userns_clone=0: the row names it with the exact fix"
	NB_ENV=()
else
	t_skip "the Debian and Ubuntu sysctls" "needs -Dtest_hooks=true"
fi

t_done
