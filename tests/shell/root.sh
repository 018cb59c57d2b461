#!/bin/bash
# root.sh — netbox invoked by root: the program runs as SUDO_UID/SUDO_GID or
# nobody, never as uid 0, with no capabilities, and cannot write root's files.
#
# Every probe is first run WITHOUT netbox (as root, the same command) and
# must succeed there; only then does its failure under netbox prove something.
# Run as root (meson test --suite launcher); NETBOX is the binary under test.
. "$(dirname "$0")/../lib.sh"

lib_user_up

T=$(mktemp -d /tmp/netbox-root.XXXXXX) # root's, mode 0700
lib_on_exit "rm -rf '$T'"

NOBODY_GID=$(id -g nobody 2>/dev/null || echo 65534)

# root_run [VAR=value...] -- CMD... — CMD as root, in $RDIR, with a clean
# environment (no SUDO_* unless given).
RDIR="$T/cwd"
mkdir "$RDIR"
chmod 755 "$T" "$RDIR"
root_run() {
	local vars=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		vars+=("$1")
		shift
	done
	shift
	(cd "$RDIR" && env -i HOME=/root USER=root LOGNAME=root PATH=/usr/local/bin:/usr/bin:/bin \
		LANG=C.UTF-8 ${vars[@]+"${vars[@]}"} "$@")
}

# --- who the program is ---------------------------------------------------------

cap root_run -- id -u
t_is "$OUT" 0 "without netbox: root's id -u is 0"
cap root_run -- "$NB" id -u
t_is "$RC:$OUT" "0:65534" "netbox as root (no SUDO_*): id -u is 65534 (nobody)"
cap root_run -- "$NB" id -g
t_is "$RC:$OUT" "0:$NOBODY_GID" "netbox as root: id -g is nobody's group ($NOBODY_GID)"
cap root_run -- id -G
t_like " $OUT " ' 0 ' "without netbox: root's groups include 0"
cap root_run -- "$NB" id -G
t_is "$RC" 0 "netbox as root: id -G runs"
t_unlike " $OUT " ' 0 ' "netbox as root: the groups do not include 0 ($OUT)"

cap root_run SUDO_UID="$NB_UID" SUDO_GID="$NB_GID" SUDO_USER="$NB_USER" -- "$NB" id -u
t_is "$RC:$OUT" "0:$NB_UID" "netbox as root with SUDO_UID/SUDO_GID: id -u is the sudo user's"
cap root_run SUDO_UID="$NB_UID" SUDO_GID="$NB_GID" SUDO_USER="$NB_USER" -- "$NB" id -g
t_is "$RC:$OUT" "0:$NB_GID" "netbox as root with SUDO_UID/SUDO_GID: id -g is the sudo user's"
cap root_run SUDO_UID="$NB_UID" SUDO_GID="$NB_GID" -- "$NB" id -G
t_unlike " $OUT " ' 0 ' "netbox as root with SUDO_*: the groups do not include 0 ($OUT)"

for v in "SUDO_UID=0 SUDO_GID=0" "SUDO_UID=0 SUDO_GID=$NB_GID" "SUDO_UID=$NB_UID SUDO_GID=0" \
	"SUDO_UID= SUDO_GID=" "SUDO_UID=0x0 SUDO_GID=0" "SUDO_UID=4294967296 SUDO_GID=4294967296"; do
	# shellcheck disable=SC2086
	cap root_run $v -- "$NB" sh -c 'echo "$(id -u):$(id -g)"'
	t_is "$RC:$OUT" "0:65534:$NOBODY_GID" "netbox as root with $v: runs as nobody"
done

# --- no privilege left ---------------------------------------------------------------

cap root_run -- grep CapEff /proc/self/status
t_unlike "$OUT" 'CapEff:[[:space:]]*0+$' "without netbox: root has effective capabilities"
cap root_run -- "$NB" cat /proc/self/status
t_like "$OUT" 'CapEff:[[:space:]]*0{16}' "netbox as root: CapEff is 0"
t_like "$OUT" 'CapPrm:[[:space:]]*0{16}' "netbox as root: CapPrm is 0"
t_like "$OUT" 'CapBnd:[[:space:]]*0{16}' "netbox as root: CapBnd is 0"
t_like "$OUT" 'NoNewPrivs:[[:space:]]*1' "netbox as root: NoNewPrivs is 1"
t_unlike "$OUT" '^Uid:[[:space:]]*0[[:space:]]' "netbox as root: no uid 0 (real)"
t_like "$OUT" $'Uid:\t65534\t65534\t65534\t65534' "netbox as root: real, effective, saved and fs uid are 65534"
t_like "$OUT" "Gid:	$NOBODY_GID	$NOBODY_GID	$NOBODY_GID	$NOBODY_GID" \
	"netbox as root: real, effective, saved and fs gid are nobody's group"

# --- /root ------------------------------------------------------------------------------

MARK="/root/.netbox-test-root-$(tr -dc a-z0-9 </dev/urandom | head -c 8)"
echo "ROOT-SECRET" >"$MARK"
lib_on_exit "rm -f '$MARK'"
cap root_run -- ls -A /root
t_like "$OUT" "${MARK#/root/}" "without netbox: ls -A /root lists root's files"
cap root_run -- "$NB" ls -A /root
t_is "$RC:$OUT" "0:" "netbox as root: /root is empty"
cap root_run -- "$NB" cat "$MARK"
t_unlike "$RC $OUT" '^0 |ROOT-SECRET' "netbox as root: a file in /root cannot be read"

# --- root's files, even when exposed read-write -------------------------------------------

W="$T/rootdir"
mkdir "$W"
chmod 755 "$W"
echo original >"$W/f"
chmod 644 "$W/f"
cap root_run -- sh -c "echo appended >>'$W/f' && touch '$W/new-root' && echo written"
t_is "$RC:$OUT" "0:written" "without netbox: root writes into its directory"
echo original >"$W/f"
rm -f "$W/new-root"
cap root_run -- "$NB" --rw "$W" sh -c "echo appended >>'$W/f'"
t_unlike "$RC" '^0$' "netbox as root --rw ROOTDIR: appending to a root-owned file fails"
t_is "$(cat "$W/f")" original "netbox as root --rw ROOTDIR: the file is unchanged"
cap root_run -- "$NB" --rw "$W" touch "$W/new"
t_unlike "$RC" '^0$' "netbox as root --rw ROOTDIR: creating a file in a root-owned directory fails"
t_is "$(ls -A "$W")" f "netbox as root --rw ROOTDIR: nothing was created"
cap root_run -- "$NB" --rw "$W" chmod 666 "$W/f"
t_unlike "$RC" '^0$' "netbox as root --rw ROOTDIR: chmod of a root-owned file fails"
t_is "$(stat -c %a "$W/f")" 644 "netbox as root --rw ROOTDIR: the mode is unchanged"

# --- the current directory under /tmp ---------------------------------------------------

echo "cwd-content" >"$RDIR/readme"
chmod 644 "$RDIR/readme"
cap root_run -- sh -c 'pwd; cat readme'
t_is "$OUT" "$RDIR"$'\n'"cwd-content" "without netbox: root runs in $RDIR"
cap root_run -- "$NB" sh -c 'pwd; cat readme'
t_is "$RC:$OUT" "0:$RDIR"$'\n'"cwd-content" \
	"netbox as root from a cwd under /tmp (mktemp -d): runs there and reads its files"
cap root_run -- "$NB" sh -c 'echo x >written-by-nobody'
t_unlike "$RC" '^0$' "netbox as root: the root-owned cwd is not writable by the program"
t_is "$(ls -A "$RDIR")" readme "netbox as root: nothing was written to the cwd"

# A fresh mktemp -d is root's and 0700: the program (nobody) cannot enter it.
P=$(mktemp -d /tmp/netbox-root-priv.XXXXXX)
lib_on_exit "rmdir '$P'"
cap sh -c "cd '$P' && env -i PATH=/usr/bin:/bin '$NB' sh -c 'pwd; ls -A'"
t_is "$RC" 0 "netbox as root from a 0700 mktemp -d: the program runs"
t_unlike "$OUT" "^$P\$" "netbox as root from a 0700 mktemp -d: the program (nobody) is not in it"
t_diag "from a 0700 root directory the program ran in '$(printf '%s' "$OUT" | head -1)'"
# Running somewhere else than asked (whatever it writes lands in a tmpfs that
# vanishes) must at least be said, as netbox says it for an unexposed cwd.
t_like "$ERR" "^netbox: .*$P" "netbox as root from a 0700 mktemp -d: netbox says the program cannot run in $P"

t_done
