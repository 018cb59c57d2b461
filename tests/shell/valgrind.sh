#!/bin/bash
# valgrind.sh — netbox's proxy and resolver under valgrind (memcheck): a short
# https download and upload, a half-closed echo, 20 concurrent connections,
# DNS lookups allowed and denied, a Host mismatch — with no memory error and
# no definite leak (--error-exitcode).  valgrind follows clone() without
# CLONE_VM as it follows fork(), so the sandbox init runs under it too;
# --trace-children=no leaves the program (after execve) alone.  The known
# false positives are in valgrind.supp, each with its reason.
# Skipped when valgrind is missing, and for a sanitizer build (ASan and
# valgrind cannot share a process: that build has its own leak checker).
# Run as root (meson test --suite valgrind); NETBOX is the binary under test.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lab/lab.sh"

if ! command -v valgrind >/dev/null 2>&1; then
	echo "1..0 # SKIP valgrind is not installed (apt-get install valgrind)"
	exit 0
fi
if ldd "$NETBOX" 2>/dev/null | grep -q 'libasan\|libubsan' || nm "$NETBOX" 2>/dev/null | grep -q ' __asan_init'; then
	echo "1..0 # SKIP $NETBOX is built with sanitizers (valgrind runs on the normal build)"
	exit 0
fi

lib_user_up
lab_up

T=$(mktemp -d /tmp/netbox-valgrind.XXXXXX)
chmod 755 "$T"
lib_on_exit "rm -rf '$T'"
SUPP="$T/valgrind.supp"
cp "$(dirname "$0")/valgrind.supp" "$SUPP"
chmod 644 "$SUPP"
cp "$LAB_CA" "$NB_WORK/ca.pem"
cp "$(dirname "$0")/net-probe.py" "$NB_WORK/np.py"
chmod 644 "$NB_WORK/ca.pem" "$NB_WORK/np.py"
chown -R "$NB_UID:$NB_GID" "$NB_WORK"

N=$((4 * 1024 * 1024))
cat >"$NB_WORK/work.sh" <<WORK
curl -sS -m 60 --cacert ca.pem 'https://big.test/bytes?n=$N&seed=3' | sha256sum | sed 's/ .*//; s/^/download /'
\$PY np.py upload https://big.test/sha256 ca.pem $((1024 * 1024)) | sed 's/^/upload /'
\$PY np.py halfclose evil.test 9000 $((2 * 1024 * 1024)) | sed 's/^/halfclose /'
\$PY np.py concurrent evil.test 9000 20 | sed 's/^/concurrent /'
curl -sS -m 10 http://denied.test/ >/dev/null 2>&1; echo "denied-dns rc=\$?"
curl -sS -m 10 -H 'Host: evil.test' http://big.test/hello >/dev/null 2>&1; echo "host-mismatch rc=\$?"
echo x >/dev/shm/x && echo "shm written"; touch /dev/x 2>/dev/null || echo "dev read-only"
exit 5
WORK
chmod 644 "$NB_WORK/work.sh"

t0=$(date +%s)
OUT=$(hx valgrind --error-exitcode=99 --trace-children=no --leak-check=full \
	--errors-for-leak-kinds=definite --suppressions="$SUPP" \
	"$NB" --allow big.test --allow evil.test:9000 sh work.sh 2>"$T/stderr")
RC=$?
ERR=$(cat "$T/stderr")
t_diag "netbox under valgrind: $(($(date +%s) - t0)) s"
t_is "$RC" 5 "under valgrind: netbox exits with the program's status (99 would be a valgrind error)"
t_is "$(printf '%s\n' "$OUT" | sed -n 's/^download //p')" "$(lab_bytes_sha256 "$N" 3)" "under valgrind: a 4 MiB https download arrives intact"
t_is "$(printf '%s\n' "$OUT" | sed -n 's/^upload //p')" "match" "under valgrind: a 1 MiB https upload arrives intact"
t_is "$(printf '%s\n' "$OUT" | sed -n 's/^halfclose //p')" "match $((2 * 1024 * 1024))" "under valgrind: a half-closed 2 MiB echo comes back whole"
t_is "$(printf '%s\n' "$OUT" | sed -n 's/^concurrent //p')" "20 ok" "under valgrind: 20 concurrent connections"
t_like "$OUT" "denied-dns rc=6" "under valgrind: a denied name does not resolve"
t_like "$ERR" "denied DNS denied\.test" "... and is reported"
t_like "$OUT" "host-mismatch rc=[1-9]" "under valgrind: a Host mismatch is refused"
t_like "$ERR" "Host evil\.test does not match big\.test" "... and is reported"
# valgrind answers mount_setattr() with ENOSYS: the mount tree is made
# read-only by the walk older kernels need, and /dev/shm writable after it.
t_like "$OUT" "shm written" "under valgrind (read-only by the walk): /dev/shm is writable"
t_like "$OUT" "dev read-only" "... and /dev is not"
SUMMARIES=$(printf '%s\n' "$ERR" | grep -c 'ERROR SUMMARY:')
t_ok "$([ "$SUMMARIES" -ge 1 ]; echo $?)" "netbox really ran under valgrind ($SUMMARIES error summaries: netbox, and its init)"
t_is "$(printf '%s\n' "$ERR" | grep 'ERROR SUMMARY:' | grep -vc 'ERROR SUMMARY: 0 errors')" 0 "every error summary says 0 errors"
t_unlike "$ERR" "==[0-9]+== +(Invalid|Conditional|Use of uninitialised|Syscall param|Mismatched|Source and destination|[0-9,]+ bytes in [0-9,]+ blocks are definitely lost)" \
	"valgrind reports no memory error and no definite leak"
[ "$RC" = 5 ] || t_diag "$(printf '%s\n' "$ERR" | grep '^==' | head -40)"

t_done
