#!/bin/bash
# surface.sh — kernel surface the network namespace and the read-only root
# do not close by themselves: unix sockets by path, mounts the host makes
# during a run, the host's /sys and /proc entries, and resources (one
# budget for every throw-away tmpfs, a process limit).
#
# Each probe is first run WITHOUT netbox (same user, same command) and
# shown to work; only then does its failure under netbox prove something.
# Run as root (meson test --suite launcher); NETBOX is the binary under test.
. "$(dirname "$0")/../lib.sh"

lib_user_up

RAND=$(tr -dc a-z0-9 </dev/urandom | head -c 8)

# --- unix sockets by path ----------------------------------------------------------
# A root daemon's socket in the read-only host tree, mode 0777 (a daemon
# that lets anyone in: the Nix daemon, LXD, SSSD are real ones).
SOCKDIR="/var/lib/netbox-test-$RAND"
mkdir -p "$SOCKDIR" "/run/netbox-test-$RAND"
lib_on_exit "rm -rf '$SOCKDIR' '/run/netbox-test-$RAND'"
SERVER='
import os, socket, sys, threading
def serve(path):
    s = socket.socket(socket.AF_UNIX)
    s.bind(path); os.chmod(path, 0o777); s.listen(8)
    while True:
        c, _ = s.accept(); c.sendall(b"daemon says hi\n"); c.close()
for p in sys.argv[1:]:
    threading.Thread(target=serve, args=(p,), daemon=True).start()
threading.Event().wait()'
"$PY" -c "$SERVER" "$SOCKDIR/sock" "/run/netbox-test-$RAND/sock" &
lib_on_exit "kill $!"
wait_for 5 test -S "/run/netbox-test-$RAND/sock"
CONNECT='import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1]); print(s.recv(100).decode().strip())
except OSError as e:
    print("refused:", e.strerror)'
cap as_user "$PY" -c "$CONNECT" "$SOCKDIR/sock"
t_is "$OUT" "daemon says hi" "without netbox: a root daemon's socket under /var/lib answers"
cap nb "$PY" -c "$CONNECT" "$SOCKDIR/sock"
t_like "$OUT" "^refused:" "netbox: that socket is covered (connect refused)"
# With attribution the attempt is said — and sharing the daemon is not
# suggested: a hostile program's attempt on docker's or the ssh agent's
# socket is no reason to hand it over (the line once ended in a
# copy-paste --allow-unix PATH).
cap nb --attribute=on "$PY" -c "$CONNECT" "$SOCKDIR/sock"
t_like "$ERR" "^netbox: denied unix socket $SOCKDIR/sock \(hidden by netbox\)" "with attribution: the connect() to the host daemon's socket is said"
t_unlike "$ERR" "allow-unix" "... with no suggestion to share the daemon's socket with the program"
cap nb --check true
t_like "$OUT" "$SOCKDIR +hidden +\(default: a directory of the host's unix sockets\)" "--check: a directory of nothing but sockets is hidden whole"
# ... so a daemon that restarts and binds anew during the run is out of
# reach too.
rm -f "$NB_WORK/go"
as_user sh -c "cd \"\$0\" && exec \"\$1\" sh -c 'while [ ! -e go ]; do sleep 0.05; done; exec \"\$0\" -c \"\$1\" \"\$2\"' \"\$2\" \"\$3\" \"\$4\"" \
	"$NB_WORK" "$NB" "$PY" "$CONNECT" "$SOCKDIR/restarted" >"$NB_WORK/restart.out" 2>&1 &
RJOB=$!
sleep 1
"$PY" -c "$SERVER" "$SOCKDIR/restarted" &
lib_on_exit "kill $!"
wait_for 5 test -S "$SOCKDIR/restarted"
touch "$NB_WORK/go"
wait "$RJOB"
t_like "$(cat "$NB_WORK/restart.out")" "^refused:" "a socket the daemon binds during the run, in that directory: refused"
cap as_user "$PY" -c "$CONNECT" "$SOCKDIR/restarted"
t_is "$OUT" "daemon says hi" "... which answers without netbox"

# A directory holding other files too: the socket alone is hidden, the rest
# stays readable.
MIXED="/var/lib/netbox-mixed-$RAND"
mkdir -p "$MIXED" && echo readable >"$MIXED/notes" && chmod 644 "$MIXED/notes"
lib_on_exit "rm -rf '$MIXED'"
# The daemon binds through a path with ".." and a link (/var/run is one on
# Debian): the list shows the path as bound.
ln -s "$MIXED" "/var/lib/netbox-link-$RAND"
lib_on_exit "rm -f '/var/lib/netbox-link-$RAND'"
"$PY" -c "$SERVER" "/tmp/../var/lib/netbox-link-$RAND/sock" &
lib_on_exit "kill $!"
wait_for 5 test -S "$MIXED/sock"
cap as_user "$PY" -c "$CONNECT" "$MIXED/sock"
t_is "$OUT" "daemon says hi" "without netbox: a socket bound as /tmp/../var/lib/LINK/sock answers at its real path"
cap nb "$PY" -c "$CONNECT" "$MIXED/sock"
t_like "$OUT" "^refused:" "netbox: the listed path is resolved, and the real one hidden"
cap nb cat "$MIXED/notes"
t_is "$RC:$OUT" "0:readable" "... while the other files of its directory stay readable"
# A bind mount of the directory elsewhere shows the same socket.
ALIAS="/srv/netbox-alias-$RAND"
mkdir -p "$ALIAS"
lib_on_exit "umount -l '$ALIAS' 2>/dev/null; rm -rf '$ALIAS'"
mount --bind "$MIXED" "$ALIAS"
cap as_user "$PY" -c "$CONNECT" "$ALIAS/sock"
t_is "$OUT" "daemon says hi" "without netbox: the socket answers through a bind mount of its directory"
cap nb "$PY" -c "$CONNECT" "$ALIAS/sock"
t_like "$OUT" "^refused:" "netbox: ... and is hidden there too"
# A socket whose listed path leads through a link into a covered tree
# (/var/run/lock/x: /var/run is /run) was once a fatal cover.
mkdir -p /run/lock
"$PY" -c "$SERVER" "/var/run/lock/netbox-$RAND.sock" &
lib_on_exit "kill $!; rm -f '/run/lock/netbox-$RAND.sock'"
wait_for 5 test -S "/run/lock/netbox-$RAND.sock"
cap nb true
t_is "$RC:$ERR" "0:" "a host socket listed under a link into /run: netbox runs, silently"
# netbox in a network namespace of its own (ip netns exec) sees none of the
# host's sockets in its /proc/net/unix: pid 1's list is read too.
NS="nbsurf$RAND"
ip netns add "$NS"
lib_on_exit "ip netns del '$NS' 2>/dev/null"
cap ip netns exec "$NS" setpriv --reuid="$NB_UID" --regid="$NB_GID" --init-groups \
	env -i HOME="$NB_HOME" PATH=/usr/bin:/bin sh -c 'cd "$0" && exec "$@"' "$NB_WORK" \
	"$NB" "$PY" -c "$CONNECT" "$MIXED/sock"
t_like "$OUT" "^refused:" "netbox run by ip netns exec: the host's socket is hidden too"

cap nb --allow-unix "$SOCKDIR/sock" "$PY" -c "$CONNECT" "$SOCKDIR/sock"
t_is "$OUT" "daemon says hi" "--allow-unix PATH: the program may connect to it"
cap nb --allow-unix "/run/netbox-test-$RAND/sock" "$PY" -c "$CONNECT" "/run/netbox-test-$RAND/sock"
t_is "$OUT" "daemon says hi" "--allow-unix PATH under the covered /run: bound into the sandbox"
cap nb "$PY" -c "$CONNECT" "/run/netbox-test-$RAND/sock"
t_like "$OUT" "^refused:" "... and without it, /run's socket stays out of reach"
# The program's own sockets in its trees stay its own.
cap nb "$PY" -c '
import os, socket
s = socket.socket(socket.AF_UNIX); s.bind("own.sock"); s.listen(1)
c = socket.socket(socket.AF_UNIX); c.connect("own.sock"); print("own socket works")
os.unlink("own.sock")'
t_is "$OUT" "own socket works" "the program's own unix socket in the current directory works"

# --- mounts the host makes during the run ---------------------------------------------
LATE="/srv/netbox-late-$RAND"
mkdir -p "$LATE"
lib_on_exit "umount -l '$LATE' 2>/dev/null; umount -l '$LATE' 2>/dev/null; rm -rf '$LATE'"
# A shared mount point, as systemd makes every mount by default (this
# machine's may be private): what the host mounts below it propagates.
mount --bind "$LATE" "$LATE" && mount --make-shared "$LATE"
rm -f "$NB_WORK/go" "$NB_WORK/seen"
PROBE='while [ ! -e go ]; do sleep 0.05; done; ls "$0" > seen; echo x > "$0/written" 2>/dev/null && echo wrote >> seen; true'
as_user sh -c "cd \"\$0\" && exec \"\$1\" sh -c '$PROBE' \"\$2\"" "$NB_WORK" "$NB" "$LATE" &
NBJOB=$!
sleep 1
mount -t tmpfs -o mode=0777 netbox-late "$LATE" && echo "late mount content" >"$LATE/inside" && chmod 666 "$LATE/inside"
touch "$NB_WORK/go"
wait "$NBJOB"
t_is "$(cat "$NB_WORK/seen" 2>&1)" "" "netbox: a mount the host makes during the run does not appear inside"
cap as_user sh -c 'ls "$0"; echo y > "$0/written" && echo wrote' "$LATE"
t_like "$OUT" "inside" "without netbox: the late mount is there (and writable: the control)"
umount "$LATE"
umount "$LATE"

# --- /sys and /proc ------------------------------------------------------------------
cap as_user ls /sys/class/net
t_like "$OUT" "[a-z]" "without netbox: /sys/class/net lists the host's interfaces"
cap nb ls /sys/class/net
t_is "$RC:$OUT" "0:lo" "netbox: /sys/class/net shows only the sandbox's lo"
cap nb sh -c 'ls /sys/fs/cgroup | wc -l'
t_is "$OUT" 0 "netbox: no cgroup tree under /sys/fs/cgroup"
# a key in the user's keyring: /proc/keys lists its description
ADDKEY='import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
KEY_SPEC_USER_KEYRING = -4
r = libc.syscall(248, b"user", b"netbox-test-key-description", b"secret", 6, KEY_SPEC_USER_KEYRING)
print("added" if r > 0 else "failed")'
cap as_user "$PY" -c "$ADDKEY"
if [ "$OUT" = added ]; then
	cap as_user cat /proc/keys
	t_like "$OUT" "netbox-test-key-description" "without netbox: /proc/keys lists the user's key descriptions"
	cap nb cat /proc/keys
	t_is "$RC:$OUT" "0:" "netbox: /proc/keys is empty"
else
	t_skip "/proc/keys" "cannot add a key here (add_key: $OUT)"
fi
for f in kcore timer_list sched_debug; do
	if [ -e "/proc/$f" ]; then
		cap nb sh -c "wc -c < /proc/$f"
		t_is "$OUT" 0 "netbox: /proc/$f is covered (empty)"
	fi
done

# --- resources --------------------------------------------------------------------------
cap nb sh -c 'a=$(df -k ~ | awk "NR==2 {print \$4}"); dd if=/dev/zero of=/tmp/f bs=1M count=8 2>/dev/null; b=$(df -k ~ | awk "NR==2 {print \$4}"); echo $((a - b))'
t_ok "$([ "$OUT" -ge 8192 ]; echo $?)" "netbox: 8 MiB written in /tmp leave 8 MiB less room in the home: one budget ($OUT KiB)"
cap nb --tmpfs-size 16M sh -c 'dd if=/dev/zero of=/tmp/a bs=1M count=10 2>/dev/null; dd if=/dev/zero of=$HOME/b bs=1M count=10 2>/dev/null; echo $?; du -ck /tmp/a $HOME/b | tail -1 | cut -f1'
t_is "$(echo "$OUT" | head -1)" 1 "--tmpfs-size 16M: writing 20 MiB across /tmp and the home fails (ENOSPC)"
t_ok "$([ "$(echo "$OUT" | tail -1)" -le 16384 ]; echo $?)" "... at most 16 MiB were written ($(echo "$OUT" | tail -1) KiB)"
t_like "$ERR" "throw-away space \(16\.0 MiB.*was full.*--tmpfs-size" "... and netbox says the space was full, and how to give more"
cap nb --tmpfs-size 1k true
t_like "$RC:$ERR" "^125:netbox: --tmpfs-size: '1k' is too small" "--tmpfs-size below 1M: exit 125"
cap nb --tmpfs-size lots true
t_like "$RC:$ERR" "^125:netbox: --tmpfs-size: 'lots' is not a size" "--tmpfs-size of a word: exit 125"

# 40 children that stay, counted by the parent (no fork needed to report).
SPAWN='import errno, os, time
n, err = 0, ""
for _ in range(40):
    try:
        if os.fork() == 0:
            time.sleep(2); os._exit(0)
        n += 1
    except OSError as e:
        err = errno.errorcode[e.errno]
print(n, err)'
cap as_user "$PY" -c "$SPAWN"
t_is "$OUT" "40 " "without netbox: 40 child processes start"
cap nb "$PY" -c "$SPAWN"
t_is "$OUT" "40 " "netbox (default limit 4096): 40 start"
cap nb --max-procs 20 "$PY" -c "$SPAWN"
t_like "$OUT" "^1[0-9] EAGAIN$" "--max-procs 20: fork fails with EAGAIN past the limit (started: ${OUT% *})"
# Counted in the sandbox's user namespace: the user's processes outside
# (40 here) do not count.
(for _ in $(seq 40); do as_user sleep 5 & done; wait) >/dev/null 2>&1 &
sleep 0.5
cap nb --max-procs 30 sh -c 'sleep 1 & sleep 1 & wait; echo ran'
t_is "$OUT" ran "--max-procs counts the sandbox's processes, not the user's 40 outside"
cap nb --max-procs 1 true
t_like "$RC:$ERR" "^125:netbox: --max-procs: '1' is not a process count" "--max-procs 1: exit 125"

# inotify instances count per user, across namespaces: the program takes
# what it can, and the user's own tools outside can still watch files.
INOTIFY='import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
fds = []
while len(fds) < 100000:
    fd = libc.inotify_init()
    if fd < 0: break
    fds.append(fd)
print(len(fds), flush=True)
if len(sys.argv) > 1:
    open(sys.argv[1], "w").close()
    time.sleep(3)'
HOSTMAX=$(cat /proc/sys/user/max_inotify_instances)
cap as_user "$PY" -c "$INOTIFY"
t_is "$RC" 0 "without netbox: the user can make inotify instances ($OUT of $HOSTMAX)"
rm -f "$NB_WORK/taken"
as_user "$NB" "$PY" -c "$INOTIFY" taken >"$NB_WORK/inotify.out" 2>&1 &
IJOB=$!
wait_for 10 test -e "$NB_WORK/taken"
cap as_user "$PY" -c "$INOTIFY"
OUTSIDE=$OUT
wait "$IJOB"
TAKEN=$(head -1 "$NB_WORK/inotify.out")
t_is "$TAKEN" "$((HOSTMAX / 2))" "netbox: the program gets half the user's inotify instances"
[ "$OUTSIDE" -gt 0 ] 2>/dev/null
t_is "$?" 0 "... and the user's tools outside still get some meanwhile ($OUTSIDE)"

t_done
