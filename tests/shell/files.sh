#!/bin/bash
# files.sh — the sandbox's file system view, as an unprivileged user.
#
# Every probe is first run WITHOUT netbox (same user, same command) and must
# succeed there; only then does its failure under netbox prove something.
# Run as root (meson test --suite launcher); NETBOX is the binary under test.
# shellcheck disable=SC2088 # literal ~ arguments are for netbox to expand
. "$(dirname "$0")/../lib.sh"

lib_user_up

RAND=$(tr -dc a-z0-9 </dev/urandom | head -c 8)
T=$(mktemp -d /tmp/netbox-files.XXXXXX)
chmod 755 "$T"
lib_on_exit "rm -rf '$T'"

# nb_in DIR ARGS... — netbox as the test user with DIR as current directory.
nb_in() {
	local dir=$1
	shift
	as_user sh -c 'cd "$0" || exit 99; exec "$@"' "$dir" "$NB" "$@"
}

# --- secrets in the home -----------------------------------------------------

for f in .ssh/id_rsa .aws/credentials .test_me .bash_history; do
	cap as_user cat "$NB_HOME/$f"
	t_is "$RC:$([ -n "$OUT" ] && echo content)" "0:content" "without netbox: ~/$f is readable"
	cap nb cat "$NB_HOME/$f"
	t_is "$RC" 1 "netbox: cat ~/$f fails"
	t_like "$ERR" "No such file or directory" "netbox: ~/$f does not exist (ENOENT)"
	t_unlike "$OUT" "TEST-" "netbox: no secret content of ~/$f on stdout"
done

cap as_user ls -A "$NB_HOME"
t_like "$OUT" '\.test_me' "without netbox: ls -A ~ lists the secrets"
cap nb ls -A "$NB_HOME"
# ~/work is the current directory, so its mount point is all there is.
t_is "$RC:$OUT" "0:work" "netbox: ls -A ~ shows only the current directory's mount point"
mkdir "$T/cwd" && chown "$NB_UID:$NB_GID" "$T/cwd"
cap nb_in "$T/cwd" ls -A "$NB_HOME"
t_is "$RC:$OUT" "0:" "netbox (cwd outside the home): ls -A ~ is empty"

# --- other users' homes and /root --------------------------------------------

OTHER1="nbo${RAND}a"
OTHER2="nbo${RAND}b"
OTHER2_HOME="/srv/netbox-test-$RAND"
flock /tmp/.netbox-test-useradd.lock useradd -m -s /bin/sh -K UMASK=022 "$OTHER1" &&
	lib_on_exit "flock /tmp/.netbox-test-useradd.lock userdel -r -f '$OTHER1'"
flock /tmp/.netbox-test-useradd.lock useradd -m -d "$OTHER2_HOME" -s /bin/sh -K UMASK=022 "$OTHER2" &&
	lib_on_exit "flock /tmp/.netbox-test-useradd.lock userdel -r -f '$OTHER2'; rm -rf '$OTHER2_HOME'"
OTHER1_HOME=$(getent passwd "$OTHER1" | cut -d: -f6)
for h in "$OTHER1_HOME" "$OTHER2_HOME"; do
	echo "OTHER-USER-SECRET" >"$h/notes.txt"
	chmod 755 "$h"
	chmod 644 "$h/notes.txt"
	cap as_user cat "$h/notes.txt"
	t_is "$OUT" "OTHER-USER-SECRET" "without netbox: another user's $h/notes.txt is readable"
	cap nb cat "$h/notes.txt"
	t_is "$RC:$OUT" "1:" "netbox: another user's $h/notes.txt cannot be read"
	t_like "$ERR" "No such file or directory" "netbox: $h/notes.txt does not exist"
done

# A home removed and re-created while netbox starts (userdel -r, or tests
# adding users in parallel): it is covered if there, skipped if gone, and
# the run never fails on it (it used to: "cannot mount a tmpfs on ...").
OTHER3="nbo${RAND}c"
OTHER3_HOME="/srv/netbox-race-$RAND"
flock /tmp/.netbox-test-useradd.lock useradd -M -d "$OTHER3_HOME" -s /bin/sh "$OTHER3" &&
	lib_on_exit "flock /tmp/.netbox-test-useradd.lock userdel -f '$OTHER3'; rm -rf '$OTHER3_HOME'"
(while :; do mkdir -p "$OTHER3_HOME" && rmdir "$OTHER3_HOME"; done) 2>/dev/null &
CHURN=$!
lib_on_exit "kill $CHURN"
fails=0 errs=
for _ in $(seq 100); do
	cap nb true
	[ "$RC" = 0 ] || { fails=$((fails + 1)) errs=$ERR; }
done
kill "$CHURN"
wait "$CHURN" 2>/dev/null
t_is "$fails" 0 "netbox: 100 runs while another user's home comes and goes all start" ||
	printf '%s\n' "$errs" | t_why

cap as_user stat -c %u /root
t_is "$OUT" 0 "without netbox: /root is root's directory"
cap as_user ls -A /root
t_ok "$([ "$RC" -ne 0 ] && echo 0 || echo 1)" "without netbox: the test user cannot list /root (it is not covered)"
cap nb sh -c 'stat -c %u /root && ls -A /root'
t_is "$RC:$OUT" "0:$NB_UID" "netbox: /root is an empty tmpfs of the sandbox"

# --- your account's home, when HOME names another ---------------------------

# HOME=/elsewhere must not uncover the home your account has (the one
# getpwuid() gives): the test user's, and a system user's (uid < 1000, home
# outside /home), which is no other user's home to be covered as such.
mkdir -m 755 "$T/elsewhere" && chown "$NB_UID:$NB_GID" "$T/elsewhere"
NB_ENV=(HOME="$T/elsewhere")
cap as_user cat "$NB_HOME/.ssh/id_rsa"
t_like "$RC:$OUT" "^0:.*TEST-SECRET-KEY" "without netbox, HOME=$T/elsewhere: ~$NB_USER/.ssh/id_rsa is readable"
cap nb cat "$NB_HOME/.ssh/id_rsa"
t_is "$RC:$OUT" "1:" "netbox, HOME=$T/elsewhere: your account's ~/.ssh/id_rsa cannot be read"
NB_ENV=()

SYS="nbs${RAND}"
SYS_HOME="/srv/netbox-sys-$RAND"
flock /tmp/.netbox-test-useradd.lock useradd -r -m -d "$SYS_HOME" -s /bin/sh "$SYS" &&
	lib_on_exit "flock /tmp/.netbox-test-useradd.lock userdel -r -f '$SYS'; rm -rf '$SYS_HOME'"
SYS_UID=$(id -u "$SYS")
SYS_GID=$(id -g "$SYS")
echo "SYS-HOME-SECRET" >"$SYS_HOME/secret.txt"
chown "$SYS_UID:$SYS_GID" "$SYS_HOME/secret.txt"
chmod 600 "$SYS_HOME/secret.txt"
mkdir -m 700 "$T/syshome" "$SYS_HOME/work" && chown "$SYS_UID:$SYS_GID" "$T/syshome" "$SYS_HOME/work"
# as_sys DIR CMD... — as the system user, HOME=$T/syshome, in DIR.
as_sys() {
	local dir=$1
	shift
	setpriv --reuid="$SYS_UID" --regid="$SYS_GID" --init-groups \
		env -i HOME="$T/syshome" USER="$SYS" LOGNAME="$SYS" PATH=/usr/local/bin:/usr/bin:/bin \
		LANG=C.UTF-8 sh -c 'cd "$0" && exec "$@"' "$dir" "$@"
}
t_ok "$([ "$SYS_UID" -lt 1000 ] && echo 0 || echo 1)" "the system user's uid ($SYS_UID) is below 1000"
cap as_sys "$T/syshome" cat "$SYS_HOME/secret.txt"
t_is "$RC:$OUT" "0:SYS-HOME-SECRET" "without netbox: the system user reads $SYS_HOME/secret.txt"
cap as_sys "$T/syshome" "$NB" cat "$SYS_HOME/secret.txt"
t_is "$RC:$OUT" "1:" "netbox, HOME elsewhere: the system user's own $SYS_HOME/secret.txt cannot be read"
t_like "$ERR" "No such file or directory" "netbox: $SYS_HOME/secret.txt does not exist"
cap as_sys "$T/syshome" "$NB" --check true
t_like "$OUT" "^  $SYS_HOME +empty tmpfs +\(default: your account's home\)" \
	"netbox --check: the account's home is covered, named as such"
cap as_sys "$SYS_HOME" "$NB" --check true
t_like "$OUT" "current directory $SYS_HOME is not exposed" \
	"netbox --check in the account's home (HOME elsewhere): it is not exposed as the current directory"
cap as_sys "$SYS_HOME/work" "$NB" sh -c 'ls -A "$0"; cat "$0/secret.txt"' "$SYS_HOME"
t_is "$RC:$OUT" "1:work" "netbox in a directory of the account's home: only its mount point shows there"

# --- sockets of the session --------------------------------------------------

cat >"$T/srv.py" <<'EOF'
import os, socket, sys
p = sys.argv[1]
s = socket.socket(socket.AF_UNIX)
s.bind("\0" + p[1:] if p.startswith("@") else p)
if len(sys.argv) > 2:
    os.chmod(p, int(sys.argv[2], 8))
s.listen(16)
while True:
    c, _ = s.accept()
    c.sendall(b"HELLO\n")
    c.close()
EOF
# Inline: the client must run inside too, where $T (in /tmp) is not visible.
CLI='
import os, socket, sys
p = sys.argv[1]
if p.startswith("ENV:"):
    p = os.environ.get(p[4:])
    if p is None:
        print("ERR no variable"); sys.exit(2)
s = socket.socket(socket.AF_UNIX)
s.settimeout(3)
try:
    s.connect("\0" + p[1:] if p.startswith("@") else p)
    print(s.recv(16).decode().strip())
except Exception as e:
    print("ERR", type(e).__name__, e); sys.exit(1)
'
wait_listen() { # wait_listen PATH-or-@ABSTRACT
	local i
	for i in $(seq 100); do
		case $1 in
		@*) grep -q " $1\$" /proc/net/unix && return 0 ;;
		*) [ -S "$1" ] && return 0 ;;
		esac
		sleep 0.05
	done
	t_diag "listener on $1 did not come up"
	return 1
}

AGENT_DIR=$(as_user mktemp -d /tmp/ssh-XXXXXXXXXX)
lib_on_exit "rm -rf '$AGENT_DIR'"
AGENT="$AGENT_DIR/agent.$$"
as_user "$PY" "$T/srv.py" "$AGENT" </dev/null >/dev/null 2>&1 &
lib_on_exit "kill $!"

RUN_USER_CREATED=
[ -d /run/user ] || { mkdir -p /run/user && RUN_USER_CREATED=1; }
[ -n "$RUN_USER_CREATED" ] && lib_on_exit "rmdir /run/user"
mkdir -m 700 "/run/user/$NB_UID" && chown "$NB_UID:$NB_GID" "/run/user/$NB_UID"
BUS="/run/user/$NB_UID/bus"
as_user "$PY" "$T/srv.py" "$BUS" </dev/null >/dev/null 2>&1 &
lib_on_exit "kill $!"

DOCKER="/run/netbox-test-docker-$$-$RAND.sock"
"$PY" "$T/srv.py" "$DOCKER" 666 </dev/null >/dev/null 2>&1 &
lib_on_exit "kill $!; rm -f '$DOCKER'"

ABSTRACT="@netbox-test-abstract-$$-$RAND"
as_user "$PY" "$T/srv.py" "$ABSTRACT" </dev/null >/dev/null 2>&1 &
lib_on_exit "kill $!"

for s in "$AGENT" "$BUS" "$DOCKER" "$ABSTRACT"; do
	wait_listen "$s"
	cap as_user "$PY" -c "$CLI" "$s"
	t_is "$OUT" HELLO "without netbox: the test user can connect to $s"
	cap nb "$PY" -c "$CLI" "$s"
	t_like "$RC:$OUT" "^1:ERR (FileNotFoundError|ConnectionRefusedError)" "netbox: $s cannot be connected"
done

NB_ENV=("SSH_AUTH_SOCK=$AGENT")
cap as_user "$PY" -c "$CLI" ENV:SSH_AUTH_SOCK
t_is "$OUT" HELLO "without netbox: \$SSH_AUTH_SOCK leads to the agent"
cap nb "$PY" -c "$CLI" ENV:SSH_AUTH_SOCK
t_is "$RC:$OUT" "2:ERR no variable" "netbox: \$SSH_AUTH_SOCK is not passed"
cap nb --keep-env SSH_AUTH_SOCK "$PY" -c "$CLI" ENV:SSH_AUTH_SOCK
t_like "$RC:$OUT" "^1:ERR FileNotFoundError" "netbox --keep-env SSH_AUTH_SOCK: the variable is there, the agent is not"
NB_ENV=()

# --- writing -----------------------------------------------------------------

cap nb sh -c 'printf "WRITTEN-%s\n" inside > out.txt'
t_is "$RC" 0 "netbox: writing a file in the current directory works"
t_is "$(cat "$NB_WORK/out.txt" 2>&1)" "WRITTEN-inside" "the file is there after exit, with its content"
t_is "$(stat -c %u:%g "$NB_WORK/out.txt" 2>&1)" "$NB_UID:$NB_GID" "the file belongs to the test user"

# Host directories the test user may write to, in read-only places.
for parent in / /etc /usr; do
	d="${parent%/}/netbox-test-$RAND"
	if ! mkdir "$d" 2>/dev/null; then
		t_skip "netbox: writing below $parent fails" "cannot create $d"
		continue
	fi
	lib_on_exit "rm -rf '$d'"
	chown "$NB_UID:$NB_GID" "$d"
	cap as_user sh -c 'echo x > "$0/outside" && rm "$0/outside"' "$d"
	t_is "$RC" 0 "without netbox: the test user can write in $d"
	cap nb sh -c 'echo x > "$0/inside"' "$d"
	t_like "$RC:$ERR" "^[1-9][0-9]*:.*Read-only file system" "netbox: writing in $d fails: read-only"
	t_ok "$([ ! -e "$d/inside" ] && echo 0 || echo 1)" "netbox: nothing was written in $d"
done

for f in .test_me .bashrc; do
	cap as_user sh -c 'echo >> "$HOME/$0"' "$f"
	t_is "$RC" 0 "without netbox: the test user can append to ~/$f"
done
as_user sh -c 'cp ~/.bashrc ~/.bashrc.orig' 2>/dev/null
cap nb sh -c 'echo EVIL > ~/.test_me && echo "echo EVIL" >> ~/.bashrc && echo EVIL > ~/dropped && cat ~/.test_me'
t_is "$OUT" EVIL "netbox: ~ is a writable tmpfs (the program wrote to it)"
t_is "$(head -1 "$NB_HOME/.test_me")" "TEST-ME-CONTENT" "netbox: the host's ~/.test_me is unchanged"
t_ok "$(cmp -s "$NB_HOME/.bashrc" "$NB_HOME/.bashrc.orig" && echo 0 || echo 1)" "netbox: the host's ~/.bashrc is unchanged"
t_ok "$([ ! -e "$NB_HOME/dropped" ] && echo 0 || echo 1)" "netbox: a file written in ~ does not appear on the host"

LEAK="/tmp/netbox-leak-$RAND"
cap as_user sh -c 'echo x > "$0" && rm "$0"' "$LEAK"
t_is "$RC" 0 "without netbox: the test user can write $LEAK"
cap nb sh -c 'echo LEAK > "$0" && cat "$0"' "$LEAK"
t_is "$RC:$OUT" "0:LEAK" "netbox: /tmp is writable inside"
t_ok "$([ ! -e "$LEAK" ] && echo 0 || echo 1)" "netbox: a file written in /tmp does not appear in the host's /tmp"
LEAK2="/var/tmp/netbox-leak-$RAND"
cap as_user sh -c 'echo x > "$0" && rm "$0"' "$LEAK2"
t_is "$RC" 0 "without netbox: the test user can write $LEAK2"
cap nb sh -c 'echo LEAK > "$0"' "$LEAK2"
t_ok "$([ ! -e "$LEAK2" ] && echo 0 || echo 1)" "netbox: a file written in /var/tmp does not appear on the host"
rm -f "$LEAK" "$LEAK2"

# --- --ro / --rw / --hide / --tmpfs ------------------------------------------

cap nb --ro '~/.test_me' cat "$NB_HOME/.test_me"
t_is "$RC:$(echo "$OUT" | head -1)" "0:TEST-ME-CONTENT" "netbox --ro ~/.test_me: readable, with its content"
cap nb --ro '~/.test_me' sh -c ': >> ~/.test_me'
t_like "$RC:$ERR" "^[1-9][0-9]*:.*Read-only file system" "netbox --ro ~/.test_me: not writable"
cap nb --ro '~/.test_me' cat "$NB_HOME/.ssh/id_rsa"
t_is "$RC:$OUT" "1:" "netbox --ro ~/.test_me: the rest of ~ stays hidden"

as_user sh -c 'mkdir -p ~/proj && echo ORIGINAL > ~/proj/file'
cap nb --rw '~/proj' sh -c 'cat ~/proj/file && echo CHANGED > ~/proj/file && echo NEW > ~/proj/new'
t_is "$RC:$OUT" "0:ORIGINAL" "netbox --rw ~/proj: readable inside"
t_is "$(cat "$NB_HOME/proj/file" "$NB_HOME/proj/new" 2>&1 | tr '\n' ' ')" "CHANGED NEW " \
	"netbox --rw ~/proj: changes are visible outside"

echo HIDE-ME >"$NB_WORK/secret.txt"
mkdir "$NB_WORK/secretdir"
echo HIDE-ME >"$NB_WORK/secretdir/inner"
chown -R "$NB_UID:$NB_GID" "$NB_WORK/secret.txt" "$NB_WORK/secretdir"
cap as_user sh -c 'cat secret.txt && : >> secret.txt && ls secretdir && touch secretdir/x && rm secretdir/x'
t_is "$RC:$(echo "$OUT" | tr '\n' ' ')" "0:HIDE-ME inner " "without netbox: secret.txt and secretdir are readable and writable"
cap nb --hide secret.txt cat secret.txt
t_is "$RC:$OUT" "0:" "netbox --hide FILE: the file is empty"
cap nb --hide secret.txt sh -c 'echo x >> secret.txt'
# The cover is a read-only bind of a mode-0444 file: EACCES may come first.
t_like "$RC:$ERR" "^[1-9][0-9]*:.*(Read-only file system|Permission denied)" "netbox --hide FILE: not writable"
cap nb --hide secretdir sh -c 'ls -A secretdir; cat secretdir/inner'
t_is "$RC:$OUT" "1:" "netbox --hide DIR: the directory is empty"
cap nb --hide secretdir sh -c 'touch secretdir/x'
t_like "$RC:$ERR" "^[1-9][0-9]*:.*Read-only file system" "netbox --hide DIR: nothing can be created in it"
t_is "$(cat "$NB_WORK/secret.txt" "$NB_WORK/secretdir/inner" | tr '\n' ' ')" "HIDE-ME HIDE-ME " "the hidden files are intact on the host"

mkdir "$NB_WORK/scratch"
echo KEEP >"$NB_WORK/scratch/orig"
chown -R "$NB_UID:$NB_GID" "$NB_WORK/scratch"
cap nb --tmpfs scratch sh -c 'ls -A scratch; echo NEW > scratch/made && cat scratch/made'
t_is "$RC:$OUT" "0:NEW" "netbox --tmpfs DIR: empty and writable"
t_is "$(ls -A "$NB_WORK/scratch")" "orig" "netbox --tmpfs DIR: changes are not visible outside"

for opt in --ro --rw --hide --tmpfs; do
	m="marker-${opt#--}"
	cap nb "$opt" "nope-$RAND" sh -c 'touch "$0"' "$m"
	t_is "$RC" 125 "netbox $opt NONEXISTENT: exit 125"
	t_like "$ERR" "nope-$RAND" "netbox $opt NONEXISTENT: the message names the path"
	t_ok "$([ ! -e "$NB_WORK/$m" ] && echo 0 || echo 1)" "netbox $opt NONEXISTENT: the program did not run"
done
cap nb sh -c 'touch "$0"' marker-control
t_ok "$([ -e "$NB_WORK/marker-control" ] && echo 0 || echo 1)" "netbox: the marker program does create its marker"

# --- the current directory is the home ---------------------------------------

cap as_user sh -c 'cd ~ && ls -A'
t_like "$OUT" '\.test_me' "without netbox: ls -A in ~ lists ~/.test_me"
cap nb_in "$NB_HOME" sh -c 'ls -A; cat .test_me'
t_like "$ERR" "^netbox: .*not exposed.*--rw" "netbox in ~: a notice says the home is not exposed and mentions --rw"
t_is "$OUT" "" "netbox in ~: the home's files are invisible"
cap nb_in "$NB_HOME" --rw '~' cat .test_me
t_is "$RC:$(echo "$OUT" | head -1)" "0:TEST-ME-CONTENT" "netbox --rw ~ in ~: the home is exposed"
t_unlike "$ERR" "not exposed" "netbox --rw ~ in ~: no notice"

# --- /proc and /dev ----------------------------------------------------------

SLEEPN=$((3000 + RANDOM % 1000))
as_user sleep "$SLEEPN" </dev/null >/dev/null 2>&1 &
lib_on_exit "kill $!"
sleep 0.2
PS='for p in /proc/[0-9]*; do tr "\0" " " < $p/cmdline 2>/dev/null; echo; done'
cap as_user sh -c "$PS"
t_like "$OUT" "^sleep $SLEEPN" "without netbox: the test user sees its sleep in /proc"
cap nb sh -c "$PS"
t_unlike "$OUT" "sleep $SLEEPN" "netbox: the host's processes are not in /proc"
cap nb sh -c 'echo $$; ls /proc | grep -c "^[0-9]"'
t_is "$(echo "$OUT" | head -1)" 2 "netbox: the program is pid 2"
t_ok "$([ "$(echo "$OUT" | tail -1)" -le 4 ] && echo 0 || echo 1)" "netbox: only a handful of processes in /proc ($(echo "$OUT" | tail -1))"

DEV_WANT="fd full null ptmx pts random shm stderr stdin stdout tty urandom zero"
cap as_user sh -c 'ls /dev | tr "\n" " "'
t_ok "$([ "${OUT% }" != "$DEV_WANT" ] && echo 0 || echo 1)" "without netbox: the host's /dev has more"
cap nb sh -c 'ls /dev | tr "\n" " "'
t_is "${OUT% }" "$DEV_WANT" "netbox: /dev is minimal"

# /dev is read-only, /dev/shm is not: POSIX semaphores and shared memory
# live there (python's multiprocessing, chromium).  Nothing runs from it.
cap nb sh -c 'touch /dev/new 2>&1; echo "dev=$?"'
t_like "$OUT" "dev=1" "netbox: nothing can be created in /dev"
cap nb "$PY" -c 'import multiprocessing; multiprocessing.Lock(); print("LOCK-OK")'
t_is "$RC:$OUT" "0:LOCK-OK" "netbox: python's multiprocessing.Lock() works (a writable /dev/shm)"
cap nb sh -c 'echo x >/dev/shm/f && cat /dev/shm/f && cp /bin/true /dev/shm/t && /dev/shm/t; echo "exec=$?"'
t_is "$OUT" $'x\nexec=126' "netbox: /dev/shm takes files, and runs none (noexec)"
cap nb sh -c 'grep " /dev/shm " /proc/self/mountinfo | tail -1'
t_like "$OUT" " rw,nosuid,nodev,noexec" "netbox: /dev/shm is rw,nosuid,nodev,noexec"
cap nb --tmpfs-size 2M sh -c 'head -c 1M /dev/zero >/tmp/a && head -c 2M /dev/zero >/dev/shm/b; echo "shm=$?"'
t_like "$OUT:$ERR" "^shm=1:.*No space left on device" \
	"netbox --tmpfs-size 2M: /dev/shm shares the budget with /tmp (ENOSPC past 2M)"

# --- a program under the hidden home -----------------------------------------

as_user sh -c 'mkdir -p ~/bin && cat > ~/bin/tool && chmod 755 ~/bin/tool' <<'EOF'
#!/bin/sh
echo TOOL-RAN
cat ~/.test_me ~/.ssh/id_rsa 2>/dev/null
touch ~/bin/x 2>/dev/null && echo WROTE
exit 0
EOF
cap as_user "$NB_HOME/bin/tool"
t_like "$OUT" "^TOOL-RAN" "without netbox: ~/bin/tool runs"
t_like "$OUT" "TEST-ME-CONTENT" "without netbox: ~/bin/tool reads ~/.test_me"
t_like "$OUT" "WROTE" "without netbox: ~/bin/tool writes in ~/bin"
rm -f "$NB_HOME/bin/x"
cap nb "$NB_HOME/bin/tool"
t_is "$RC:$(echo "$OUT" | head -1)" "0:TOOL-RAN" "netbox ~/bin/tool: runs"
t_like "$ERR" "^netbox: $NB_HOME/bin is hidden.*visible read-only" "netbox ~/bin/tool: a notice names its directory"
t_unlike "$OUT" "TEST-" "netbox ~/bin/tool: the rest of the home (~/.test_me, ~/.ssh/id_rsa) stays hidden"
t_unlike "$ERR" "netbox: $NB_HOME is hidden" "netbox ~/bin/tool: the home itself is not exposed"
t_unlike "$OUT" "WROTE" "netbox ~/bin/tool: its directory is read-only"

t_done
