#!/bin/bash
# env.sh — the program's environment: secrets dropped, the rest passed
# through, --keep-env, --clearenv, --setenv, --unsetenv, --check.
#
# Each variable is first shown to reach a program run WITHOUT netbox (same
# user, same environment), so that its absence under netbox means netbox
# dropped it.
. "$(dirname "$0")/../lib.sh"

lib_user_up

T=$(mktemp -d /tmp/netbox-env.XXXXXX)
lib_on_exit "rm -rf '$T'"

# NAME=value of one variable in env(1) output $1, or "(unset)".
env_get() {
	local line
	line=$(printf '%s\n' "$1" | grep -m1 "^$2=") || { echo "(unset)"; return; }
	echo "$line"
}

SECRETS=(
	"SSH_AUTH_SOCK=/tmp/ssh-netboxtest/agent.1"
	"AWS_SECRET_ACCESS_KEY=SECRET-VALUE-AWS"
	"GITHUB_TOKEN=SECRET-VALUE-GITHUB"
	"NPM_TOKEN=SECRET-VALUE-NPM"
	"MY_API_KEY=SECRET-VALUE-MYAPI"
	"FOO_PASSWORD=SECRET-VALUE-FOOPW"
	"XDG_RUNTIME_DIR=/run/user/4242"
	"DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/4242/bus"
	"GPG_AGENT_INFO=/tmp/gpg-netboxtest/S.gpg-agent:1:1"
	"SOME_CI_TOKEN=SECRET-VALUE-CI"
	"DB_SECRET=SECRET-VALUE-DB"
)
ORDINARY=(
	"FOO=bar"
	"LANGUAGE=en_US:en"
	"EDITOR=vi"
	"TOKEN_FILE_HINT=not-a-secret-name"
)
NB_ENV=("${SECRETS[@]}" "${ORDINARY[@]}")

cap as_user env
BASE=$OUT
for kv in "${SECRETS[@]}" "${ORDINARY[@]}"; do
	t_is "$(env_get "$BASE" "${kv%%=*}")" "$kv" "without netbox: ${kv%%=*} reaches the program"
done
for n in PATH LANG TERM HOME USER; do
	t_unlike "$(env_get "$BASE" $n)" '^\(unset\)$' "without netbox: $n is set"
done

cap nb env
t_is "$RC" 0 "netbox env: exit 0"
IN=$OUT
for kv in "${SECRETS[@]}"; do
	t_is "$(env_get "$IN" "${kv%%=*}")" "(unset)" "netbox: ${kv%%=*} is dropped"
done
t_unlike "$IN" "SECRET-VALUE" "netbox: no secret value anywhere in the environment"
for kv in "${ORDINARY[@]}"; do
	t_is "$(env_get "$IN" "${kv%%=*}")" "$kv" "netbox: ${kv%%=*} is passed through"
done
for n in PATH LANG TERM HOME USER LOGNAME; do
	t_is "$(env_get "$IN" $n)" "$(env_get "$BASE" $n)" "netbox: $n is passed through unchanged"
done

# --keep-env
cap nb --keep-env GITHUB_TOKEN env
t_is "$(env_get "$OUT" GITHUB_TOKEN)" "GITHUB_TOKEN=SECRET-VALUE-GITHUB" "netbox --keep-env GITHUB_TOKEN: kept"
t_is "$(env_get "$OUT" NPM_TOKEN)" "(unset)" "netbox --keep-env GITHUB_TOKEN: NPM_TOKEN still dropped"
cap nb --keep-env MY_API_KEY --keep-env=SSH_AUTH_SOCK env
t_is "$(env_get "$OUT" MY_API_KEY) $(env_get "$OUT" SSH_AUTH_SOCK)" \
	"MY_API_KEY=SECRET-VALUE-MYAPI SSH_AUTH_SOCK=/tmp/ssh-netboxtest/agent.1" \
	"netbox --keep-env twice (also --keep-env=NAME): both kept"
cap nb --keep-env NOT_SET_ANYWHERE env
t_is "$(env_get "$OUT" NOT_SET_ANYWHERE)" "(unset)" "netbox --keep-env of an unset name does not invent it"

# --clearenv
CLEAR_OK='^(PATH|HOME|TERM|USER|LOGNAME|LANG|LC_ALL|TZ|COLORTERM)='
cap nb --clearenv env
t_is "$RC" 0 "netbox --clearenv env: exit 0"
t_is "$(printf '%s\n' "$OUT" | grep -vE "$CLEAR_OK")" "" "netbox --clearenv: only PATH HOME TERM USER LOGNAME LANG (LC_ALL TZ COLORTERM) are left"
for n in PATH HOME TERM USER LANG; do
	t_is "$(env_get "$OUT" $n)" "$(env_get "$BASE" $n)" "netbox --clearenv: $n kept"
done
t_is "$(env_get "$OUT" FOO)" "(unset)" "netbox --clearenv: FOO is gone"
cap nb --clearenv --keep-env FOO --keep-env GITHUB_TOKEN env
t_is "$(env_get "$OUT" FOO) $(env_get "$OUT" GITHUB_TOKEN) $(env_get "$OUT" EDITOR)" \
	"FOO=bar GITHUB_TOKEN=SECRET-VALUE-GITHUB (unset)" "netbox --clearenv --keep-env: the kept names survive, no others"

# --setenv / --unsetenv
cap nb --setenv FOO=baz --setenv NEWVAR=a=b=c --setenv EMPTY= env
t_is "$(env_get "$OUT" FOO)" "FOO=baz" "netbox --setenv FOO=baz overrides FOO=bar"
t_is "$(printf '%s\n' "$OUT" | grep -c '^FOO=')" 1 "netbox --setenv: FOO appears once"
t_is "$(env_get "$OUT" NEWVAR)" "NEWVAR=a=b=c" "netbox --setenv NEWVAR=a=b=c: value kept whole"
t_is "$(env_get "$OUT" EMPTY)" "EMPTY=" "netbox --setenv EMPTY=: an empty value"
cap nb --setenv GITHUB_TOKEN=given-explicitly env
t_is "$(env_get "$OUT" GITHUB_TOKEN)" "GITHUB_TOKEN=given-explicitly" "netbox --setenv of a secret name sets it"
cap nb --clearenv --setenv FOO=set env
t_is "$(env_get "$OUT" FOO)" "FOO=set" "netbox --clearenv --setenv: set after clearing"
cap nb --unsetenv FOO --unsetenv EDITOR env
t_is "$(env_get "$OUT" FOO) $(env_get "$OUT" EDITOR) $(env_get "$OUT" LANGUAGE)" \
	"(unset) (unset) LANGUAGE=en_US:en" "netbox --unsetenv FOO --unsetenv EDITOR: both gone, others kept"
cap nb --unsetenv PATH env
t_is "$RC:$(env_get "$OUT" PATH)" "0:(unset)" "netbox --unsetenv PATH: env still found, and PATH is unset"
cap nb --unsetenv GITHUB_TOKEN --keep-env GITHUB_TOKEN env
t_is "$(env_get "$OUT" GITHUB_TOKEN)" "(unset)" "netbox --unsetenv wins over --keep-env"

# --check
cap nb --check sh -c 'touch "$0"' check-marker
t_is "$RC" 0 "netbox --check: exit 0"
t_ok "$([ ! -e "$NB_WORK/check-marker" ] && echo 0 || echo 1)" "netbox --check: the program did not run"
DROPS=$(printf '%s\n' "$OUT" | grep -E '^  drop ')
for kv in "${SECRETS[@]}"; do
	t_like "$DROPS" "drop +${kv%%=*} .*--keep-env ${kv%%=*}" "netbox --check: lists the drop of ${kv%%=*} and how to keep it"
done
for kv in "${ORDINARY[@]}"; do
	t_unlike "$DROPS" "drop +${kv%%=*} " "netbox --check: does not list ${kv%%=*} as dropped"
done
t_unlike "$OUT" "SECRET-VALUE" "netbox --check: does not print secret values"
cap nb --check --keep-env GITHUB_TOKEN --unsetenv FOO --setenv NEWVAR=1 true
t_like "$OUT" "keep +GITHUB_TOKEN .*--keep-env" "netbox --check --keep-env: lists the kept variable"
t_unlike "$OUT" "drop +GITHUB_TOKEN" "netbox --check --keep-env: it is not also listed as dropped"
t_like "$OUT" "drop +FOO .*--unsetenv" "netbox --check --unsetenv FOO: listed"
t_like "$OUT" "set +NEWVAR=1 .*--setenv" "netbox --check --setenv: listed"
cap nb --check --clearenv true
t_like "$OUT" "environment: cleared" "netbox --check --clearenv: says the environment is cleared"

NB_ENV=()
cap nb --check true
t_like "$OUT" "nothing to drop" "netbox --check with no secrets: nothing to drop"

t_done
