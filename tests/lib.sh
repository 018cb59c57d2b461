# tests/lib.sh — sourced by the shell harnesses in tests/shell/.
#
# Gives each harness, as root (as CI runs):
#   - TAP output:   t_ok COND-EXIT-STATUS "what" / t_is GOT WANT "what" /
#                   t_skip "why" / t_done (prints the plan, sets the exit status)
#   - a throw-away unprivileged user with secrets in its home (lib_user_up):
#       $NB_USER $NB_UID $NB_GID $NB_HOME, work directory $NB_WORK (the
#       current directory of every run), files ~/.ssh/id_rsa,
#       ~/.aws/credentials, ~/.test_me, ~/.bash_history
#   - $NB: a copy of the netbox binary the test user can execute
#   - as_user CMD...: run CMD as that user, in $NB_WORK, with a clean
#     environment (HOME, USER, PATH, TERM, LANG) plus NB_ENV_* exported as
#     they are given in the NB_ENV array
#   - logs: every --log record a harness makes is checked against the log's
#     schema, docs/log.schema.json (tests/lint/logschema.py), by t_done
#     before the plan, one TAP line ('not ok' with each record that does not
#     match): the files lib_log named or lib_log_keep copied, and any
#     *.jsonl left in $NB_WORK
# Everything is removed at exit (lib_cleanup runs from the EXIT trap; a
# harness adds its own steps with lib_on_exit "cmd").
#
# NETBOX (the binary under test) comes from meson test's environment.

set -u

: "${NETBOX:?NETBOX must point at the netbox binary (meson test sets it)}"
LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export LIB_DIR

t_n=0
t_failed=0
lib_exit_cmds=()

t_ok() { # t_ok STATUS DESCRIPTION — STATUS 0 is a pass
	t_n=$((t_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $t_n - $2"
	else
		echo "not ok $t_n - $2"
		# meson prints a failed test's stderr: the failure and its
		# diagnostics (t_why) are repeated there, for CI logs.
		echo "not ok $t_n - $2" >&2
		t_failed=$((t_failed + 1))
	fi
}

# Diagnostics: every line starts with "#" (a value may span lines, and a
# line of it such as "ok 1" or "Bail out!" must not be read as TAP).
# t_why: a failure's diagnostics, read from stdin, to stdout and stderr.
t_why() {
	local d
	d=$(
		cat
		# what the last cap()tured command said: often the reason
		if [ -n "${LIB_CAP_CMD:-}" ]; then
			printf 'last cap: %s\n  exit %s, stderr:\n' "$LIB_CAP_CMD" "$RC"
			printf '%s\n' "$ERR" | head -8 | sed 's/^/  /'
		fi
	)
	d=$(printf '%s\n' "$d" | sed 's/^/#   /')
	printf '%s\n' "$d"
	printf '%s\n' "$d" >&2
}

t_is() { # t_is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then
		t_ok 0 "$3"
	else
		t_ok 1 "$3"
		{
			printf 'got:  %s\n' "$1" | head -10
			printf 'want: %s\n' "$2" | head -10
		} | t_why
		return 1
	fi
}

# A REGEX of several lines would be grep's alternation of them, and an empty
# line among them matches anything: refused, as a failed check.
lib_regex_one_line() {
	case "$1" in
	*$'\n'*)
		t_ok 1 "$2"
		printf 'the regex has a newline (grep -E reads each line as an alternative): %s\n' "$1" | t_why
		return 1
		;;
	esac
}

t_like() { # t_like TEXT REGEX DESCRIPTION (grep -E, REGEX on one line)
	lib_regex_one_line "$2" "$3" || return 1
	if grep -qE -- "$2" < <(printf '%s' "$1"); then
		t_ok 0 "$3"
	else
		t_ok 1 "$3"
		printf 'text: %s\ndoes not match: %s\n' "$(printf '%s' "$1" | head -c 600)" "$2" | t_why
		return 1
	fi
}

t_unlike() { # t_unlike TEXT REGEX DESCRIPTION (REGEX on one line)
	lib_regex_one_line "$2" "$3" || return 1
	if grep -qE -- "$2" < <(printf '%s' "$1"); then
		t_ok 1 "$3"
		printf 'text: %s\nmatches: %s\n' "$(printf '%s' "$1" | head -c 600)" "$2" | t_why
		return 1
	else
		t_ok 0 "$3"
	fi
}

t_skip() { # t_skip DESCRIPTION REASON
	t_n=$((t_n + 1))
	echo "ok $t_n - $1 # SKIP $2"
}

t_diag() { printf '# %s\n' "$@"; }

t_done() {
	lib_logs_check
	echo "1..$t_n"
	[ "$t_failed" -eq 0 ]
	exit $?
}

lib_on_exit() { lib_exit_cmds+=("$1"); }

lib_cleanup() {
	local i
	for ((i = ${#lib_exit_cmds[@]} - 1; i >= 0; i--)); do
		eval "${lib_exit_cmds[$i]}" >/dev/null 2>&1 || true
	done
}
trap lib_cleanup EXIT

lib_require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		echo "1..0 # SKIP needs root to create the test user and the lab"
		exit 0
	fi
}

# A private copy of the binary: the build directory may not be readable by
# the test user (CI clones under /root).
# The build tree's layout is kept (launcher/netbox beside profiles/), since
# netbox finds its shipped profiles relative to its own path.
lib_binary() {
	NB_TMP=$(mktemp -d /tmp/netbox-test.XXXXXX)
	chmod 755 "$NB_TMP"
	lib_on_exit "rm -rf '$NB_TMP'"
	mkdir -m 755 "$NB_TMP/launcher"
	NB="$NB_TMP/launcher/netbox"
	cp "$NETBOX" "$NB"
	chmod 755 "$NB"
	if [ -d "$(dirname "$NETBOX")/../profiles" ]; then
		cp -r "$(dirname "$NETBOX")/../profiles" "$NB_TMP/profiles"
		chmod -R u=rwX,go=rX "$NB_TMP/profiles"
	fi
	export NB NB_TMP
}

lib_user_up() {
	lib_require_root
	lib_binary
	NB_USER="nbt$(tr -dc a-z0-9 </dev/urandom | head -c 8)"
	# useradd takes a lock on /etc/passwd; harnesses run in parallel.
	flock /tmp/.netbox-test-useradd.lock useradd -m -s /bin/bash -K UMASK=022 "$NB_USER" ||
		{ echo "Bail out! cannot create the test user"; exit 1; }
	lib_on_exit "lib_user_down"
	NB_UID=$(id -u "$NB_USER")
	NB_GID=$(id -g "$NB_USER")
	NB_HOME=$(getent passwd "$NB_USER" | cut -d: -f6)
	NB_WORK="$NB_HOME/work"
	export NB_USER NB_UID NB_GID NB_HOME NB_WORK
	as_user_raw sh -c '
		set -e
		mkdir -p ~/.ssh ~/.aws ~/work
		echo "-----BEGIN OPENSSH PRIVATE KEY----- TEST-SECRET-KEY" > ~/.ssh/id_rsa
		chmod 700 ~/.ssh; chmod 600 ~/.ssh/id_rsa
		printf "[default]\naws_secret_access_key = TEST-SECRET-AWS\n" > ~/.aws/credentials
		echo "TEST-ME-CONTENT" > ~/.test_me
		echo "secret-command --password TEST-SECRET-HISTORY" > ~/.bash_history'
}

# lib_log NAME — the path to give --log: NAME.jsonl in the harness's log
# directory ($NB_TMP/logs, the test user's), checked by t_done.
lib_log() {
	if [ ! -d "$NB_TMP/logs" ]; then
		mkdir -m 755 "$NB_TMP/logs" && chown "$NB_UID:$NB_GID" "$NB_TMP/logs"
	fi
	printf '%s\n' "$NB_TMP/logs/$1.jsonl"
}

# lib_log_checks PREFIX LOG CHECKS... — tests/logchecks.py's verdicts on
# the --log file LOG as TAP results (each description after PREFIX), the
# records as a diagnostic.
lib_log_checks() {
	local prefix=$1 line dump=""
	shift
	while IFS= read -r line; do
		case "$line" in
		PASS\ *) t_ok 0 "$prefix${line#PASS }" ;;
		FAIL\ *) t_ok 1 "$prefix${line#FAIL }" ;;
		DUMP\ *) dump=${line#DUMP } ;;
		esac
	done < <("$PY" "$LIB_DIR/logchecks.py" "$@")
	[ -z "$dump" ] || t_diag "log: $dump"
}

# lib_log_keep FILE NAME — keep a copy of the log FILE for t_done's check
# (a log written on stderr, one a loop removes); nothing if FILE is not
# there.
lib_log_keep() {
	[ -f "$1" ] || return 0
	lib_log "$2" >/dev/null
	cp "$1" "$NB_TMP/logs/$2.jsonl"
}

# The check of every log (see the top): skipped without python3-jsonschema.
lib_logs_check() {
	local files=() out rc
	if [ -d "${NB_TMP:-}/logs" ]; then
		mapfile -t files < <(find "$NB_TMP/logs" -type f)
	fi
	if [ -n "${NB_WORK:-}" ] && [ -d "$NB_WORK" ]; then
		mapfile -t -O "${#files[@]}" files < <(find "$NB_WORK" -maxdepth 2 -name '*.jsonl' -type f)
	fi
	[ "${#files[@]}" -gt 0 ] || return 0
	out=$("$PY" "$LIB_DIR/lint/logschema.py" "${files[@]}" 2>&1)
	rc=$?
	if [ "$rc" = 77 ]; then
		t_skip "every --log record matches docs/log.schema.json" "$out"
	elif [ "$rc" = 0 ]; then
		t_ok 0 "every --log record matches docs/log.schema.json ($(tail -1 <<<"$out"))"
	else
		t_ok 1 "every --log record matches docs/log.schema.json"
		head -60 <<<"$out" | LIB_CAP_CMD='' t_why
	fi
}

lib_user_down() {
	pkill -KILL -u "$NB_USER" 2>/dev/null
	sleep 0.1
	flock /tmp/.netbox-test-useradd.lock userdel -r -f "$NB_USER" 2>/dev/null
	rm -rf "/run/user/$NB_UID"
}

# NB_ENV=(NAME=value ...) adds variables to the user's environment.
NB_ENV=()

as_user_raw() {
	setpriv --reuid="$NB_UID" --regid="$NB_GID" --init-groups \
		env -i HOME="$NB_HOME" USER="$NB_USER" LOGNAME="$NB_USER" \
		PATH=/usr/local/bin:/usr/bin:/bin TERM="${TERM:-dumb}" LANG=C.UTF-8 \
		${NB_ENV[@]+"${NB_ENV[@]}"} "$@"
}

# as_user CMD... — as the test user, in $NB_WORK.
as_user() {
	setpriv --reuid="$NB_UID" --regid="$NB_GID" --init-groups \
		env -i HOME="$NB_HOME" USER="$NB_USER" LOGNAME="$NB_USER" \
		PATH=/usr/local/bin:/usr/bin:/bin TERM="${TERM:-dumb}" LANG=C.UTF-8 \
		${NB_ENV[@]+"${NB_ENV[@]}"} sh -c 'cd "$0" && exec "$@"' "$NB_WORK" "$@"
}

# nb ARGS... — netbox as the test user, in its work directory.
nb() { as_user "$NB" "$@"; }

# pty_user [ptyrun.py options] -- CMD... — CMD as the test user, in $NB_WORK,
# on a new pseudo-terminal (its controlling terminal); $NB and $PY are set.
pty_user() {
	local opts=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	"$PY" "$LIB_DIR/ptyrun.py" "${opts[@]}" -- \
		setpriv --reuid="$NB_UID" --regid="$NB_GID" --init-groups \
		env -i HOME="$NB_HOME" USER="$NB_USER" LOGNAME="$NB_USER" \
		PATH=/usr/local/bin:/usr/bin:/bin TERM=dumb LANG=C.UTF-8 NB="$NB" PY="$PY" \
		sh -c 'cd "$0" && exec "$@"' "$NB_WORK" "$@"
}

# netbox_pid — the pid of netbox itself (not its supervisor nor the sandbox
# init, netbox processes too, each a child of a netbox), or nothing.
netbox_pid() {
	local p pp
	for p in $(pgrep -u "$NB_USER" -x netbox); do
		pp=$(awk '{ print $4 }' "/proc/$p/stat" 2>/dev/null) || continue
		if [ "$(cat "/proc/$pp/comm" 2>/dev/null)" != netbox ]; then
			echo "$p"
			return
		fi
	done
}

# supervisor_pid — the supervisor of the netbox run of the test user: netbox's
# child that serves the sandbox (its listeners, its event loop), or nothing.
supervisor_pid() {
	local nb
	nb=$(netbox_pid)
	[ -n "$nb" ] && pgrep -P "$nb" -x netbox | head -1
}

# lib_probe VAR NAME — compile tests/probes/NAME.c into the test user's work
# directory and set VAR to ./NAME (run from there); VAR empty, and a
# diagnostic, if there is no compiler or it fails: the caller skips those
# probes.
lib_probe() {
	local err
	printf -v "$1" '%s' ""
	if err=$(cc -O1 -o "$NB_WORK/$2" "$LIB_DIR/probes/$2.c" 2>&1) && chmod 755 "$NB_WORK/$2"; then
		printf -v "$1" '%s' "./$2"
	else
		t_diag "cannot compile tests/probes/$2.c: its probes are skipped" "$err"
	fi
}

# wait_for SECONDS CMD... — until CMD succeeds, polled every 0.1 s; 1 if it
# still fails after SECONDS.
wait_for() {
	local i n=$(($1 * 10))
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# cap CMD... — run CMD; $OUT and $ERR (its stdout and stderr), $RC.
LIB_CAP_ERR=$(mktemp /tmp/netbox-cap.XXXXXX)
lib_on_exit "rm -f '$LIB_CAP_ERR'"
cap() {
	OUT=$("$@" 2>"$LIB_CAP_ERR")
	RC=$?
	ERR=$(cat "$LIB_CAP_ERR")
	LIB_CAP_CMD=$(printf '%s ' "$@" | head -c 200)
}

# hx CMD... — as_user, but in the lab's HOST namespace (tests/lab/lab.sh,
# after lab_up): netbox there reaches only the lab.
hx() {
	lab_host_exec setpriv --reuid="$NB_UID" --regid="$NB_GID" --init-groups \
		env -i HOME="$NB_HOME" USER="$NB_USER" LOGNAME="$NB_USER" \
		PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 PY="$PY" \
		${NB_ENV[@]+"${NB_ENV[@]}"} sh -c 'cd "$0" && exec "$@"' "$NB_WORK" "$@"
}

# A python3 that every user can run (CI's may live under /root/.pyenv).
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
export PY
