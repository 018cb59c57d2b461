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

# The secret forms the name patterns, the value rules and the userinfo
# stripping are for: NAME=value|what the program sees|what --check says why.
# "(unset)": dropped.  Lower-case names are the same variables to the tools
# that read them (curl reads https_proxy, libpq does not care).
FORMS=(
	"PGPASSWORD=SECRET-VALUE-PG|(unset)|name matches \*PASSWORD\*"
	"pgpassword=SECRET-VALUE-PGLOW|(unset)|name matches \*PASSWORD\*"
	"MYSQL_PWD=SECRET-VALUE-MYSQL|(unset)|name matches \*_PWD"
	"SENTRY_DSN=https://SECRET-VALUE-SENTRY@o1.ingest.sentry.test/2|(unset)|name matches \*_DSN"
	"SECRET_KEY=SECRET-VALUE-DJANGO|(unset)|name matches \*SECRET\*"
	"SSH_PRIVATE_KEY=SECRET-VALUE-SSHKEY|(unset)|name matches \*PRIVATE_KEY\*"
	"GITHUB_PAT=SECRET-VALUE-PAT|(unset)|name matches \*_PAT"
	"github_token=SECRET-VALUE-GHLOW|(unset)|forge token"
	"BW_SESSION=SECRET-VALUE-BW|(unset)|password manager session"
	"AZURE_STORAGE_CONNECTION_STRING=DefaultEndpointsProtocol=https;AccountName=a;AccountKey=SECRET-VALUE-AZ|(unset)|name matches \*_CONNECTION_STRING"
	"SMTP_PASS=SECRET-VALUE-SMTP|(unset)|name matches \*_PASS"
	"CI_JOB_JWT=SECRET-VALUE-JWT|(unset)|name matches \*_JWT"
	"SLACK_WEBHOOK_URL=https://hooks.slack.test/services/SECRET-VALUE-HOOK|(unset)|name matches \*WEBHOOK\*"
	"APP_DB=host=db.test user=app password=SECRET-VALUE-KV|(unset)|value holds 'password='"
	"UPLOAD_URL=https://acct.blob.test/c/f?sv=2022-11-02&sig=SECRET-VALUE-SAS|(unset)|value holds 'sig='"
	"GIT_CONFIG_VALUE_0=Authorization: Basic SECRET-VALUE-HDR|(unset)|value holds 'authorization:'"
	"DATABASE_URL=postgres://app:SECRET-VALUE-PGURL@db.test:5432/app?sslmode=require|DATABASE_URL=postgres://db.test:5432/app?sslmode=require|user:password@ of a URL"
	"PIP_INDEX_URL=https://__token__:SECRET-VALUE-PIPURL@pypi.corp.test/simple|PIP_INDEX_URL=https://pypi.corp.test/simple|user:password@ of a URL"
	"PIP_EXTRA_INDEX_URL=https://a.test/simple https://u:SECRET-VALUE-EXTRA@b.test/simple|PIP_EXTRA_INDEX_URL=https://a.test/simple https://b.test/simple|user:password@ of a URL"
	"https_proxy=http://me:SECRET-VALUE-PROXY@proxy.test:3128|https_proxy=http://proxy.test:3128|user:password@ of a URL"
	"HTTP_PROXY=me:SECRET-VALUE-BAREPROXY@proxy.test:3128|HTTP_PROXY=proxy.test:3128|user:password@ of a URL"
	# (red team, issue 14) a password with an unencoded '#' or '?': python's
	# urllib (pip, requests) still reads it as the password
	"all_proxy=http://me:SECRET-VALUE-PXHASH#x@proxy.test:3128|all_proxy=http://proxy.test:3128|user:password@ of a URL"
	"ftp_proxy=me:SECRET-VALUE-PXQUERY?x@proxy.test:3128|ftp_proxy=proxy.test:3128|user:password@ of a URL"
	"CI_REPOSITORY_URL=https://gitlab-ci-token:SECRET-VALUE-GLCI@gitlab.test/g/p.git|CI_REPOSITORY_URL=https://gitlab.test/g/p.git|user:password@ of a URL"
	"REDIS_URL=redis://:SECRET-VALUE-REDIS@cache.test:6379/0|REDIS_URL=redis://cache.test:6379/0|user:password@ of a URL"
	"REPO_TOKEN_URL=https://SECRET-VALUE-USERONLY@github.test/o/r.git|(unset)|name matches \*_TOKEN_\*"
	"GIT_REMOTE=https://SECRET-VALUE-USERONLY@github.test/o/r.git|GIT_REMOTE=https://github.test/o/r.git|user:password@ of a URL"
	# CI systems and build tools
	"SYSTEM_ACCESSTOKEN=SECRET-VALUE-AZP|(unset)|CI token \(Azure Pipelines\)"
	"MY_ACCESSTOKEN=SECRET-VALUE-GLUED|(unset)|name matches \*ACCESSTOKEN\*"
	"SSHPASS=SECRET-VALUE-SSHPASS|(unset)|a password \(sshpass"
	"BUNDLE_GITHUB__COM=x-access-token:SECRET-VALUE-BUNDLE|(unset)|name matches BUNDLE_\*__\*"
	"BUNDLE_GEM__FURY__IO=SECRET-VALUE-FURY|(unset)|name matches BUNDLE_\*__\*"
	"YARN_NPM_AUTH_IDENT=me:SECRET-VALUE-YARN|(unset)|name matches \*_AUTH_IDENT"
	"GOOGLE_CLOUD_KEYFILE_JSON={\"type\":\"service_account\",\"private_key\":\"SECRET-VALUE-GCKEY\"}|(unset)|name matches \*_KEYFILE_JSON"
	"ORG_GRADLE_PROJECT_signingInMemoryKey=SECRET-VALUE-GRADLEKEY|(unset)|name matches \*_KEY:"
	"ORG_GRADLE_PROJECT_sonatypeToken=SECRET-VALUE-SONATYPE|(unset)|name matches \*_TOKEN:"
	"INPUT_GITHUB-TOKEN=SECRET-VALUE-INPUT|(unset)|name matches \*_TOKEN:"
	"TOKEN=SECRET-VALUE-BARE|(unset)|looks like a token"
	"SIGNING_KEY_B64=SECRET-VALUE-B64|(unset)|name matches \*_KEY_B64"
	"COOKIE=session=SECRET-VALUE-COOKIE|(unset)|an HTTP cookie"
	"HTTP_COOKIE=sid=SECRET-VALUE-CGI|(unset)|name matches \*_COOKIE"
	"DEPLOY_CREDS=me:SECRET-VALUE-CREDS|(unset)|name matches \*_CREDS"
	"DEPLOY_CREDS_PSW=SECRET-VALUE-PSW|(unset)|name matches \*_PSW"
	# secrets in values, whatever the name
	"JAVA_TOOL_OPTIONS=-Djavax.net.ssl.keyStorePassword=SECRET-VALUE-JTO|(unset)|value holds 'password='"
	"MAVEN_OPTS=-Xmx1g -Dgpg.passphrase=SECRET-VALUE-GPG|(unset)|value holds 'passphrase='"
	"SPRING_APPLICATION_JSON={\"spring.datasource.password\": \"SECRET-VALUE-SPRING\"}|(unset)|value holds '\"password\":'"
	"ORACLE_CONN=scott/SECRET-VALUE-ORA@db|(unset)|value holds 'user/password@'"
	"JDBC_URL=jdbc:oracle:thin:scott/SECRET-VALUE-JDBC@//db.test:1521/svc|(unset)|value holds 'user/password@'"
	"SA_JSON={\"private_key\": \"-----BEGIN PRIVATE KEY-----\\nSECRET-VALUE-PEM\\n-----END PRIVATE KEY-----\\n\"}|(unset)|value holds '-----BEGIN \.\.\. PRIVATE KEY-----'"
	"DEPLOY_SSH=-----BEGIN OPENSSH PRIVATE KEY----- SECRET-VALUE-OPENSSH -----END OPENSSH PRIVATE KEY-----|(unset)|value holds '-----BEGIN"
	"CARRY_GHP=ghp_SECRET-VALUE-GHP0123456789abcdefghijklmnop|(unset)|value holds 'ghp_'"
	"CARRY_GHO=gho_SECRET-VALUE-GHO0123456789abcdefghijklmnop|(unset)|value holds 'gho_'"
	"CARRY_GHS=ghs_SECRET-VALUE-GHS0123456789abcdefghijklmnop|(unset)|value holds 'ghs_'"
	"CARRY_GHU=ghu_SECRET-VALUE-GHU0123456789abcdefghijklmnop|(unset)|value holds 'ghu_'"
	"CARRY_FGPAT=github_pat_11SECRET-VALUE-FGPAT_0123456789abcdefghijklmnopqrstuvwxyz|(unset)|value holds 'github_pat_'"
	"CARRY_GLPAT=glpat-SECRET-VALUE-GLPAT01234|(unset)|value holds 'glpat-'"
	"CARRY_SLACK=xoxb-123456789012-SECRET-VALUE-SLACK|(unset)|value holds 'xoxb-'"
	"CARRY_OPENAI=sk-proj-SECRET-VALUE-OPENAI0123456789abcdef|(unset)|value holds 'sk-'"
	"CARRY_ANTHROPIC=sk-ant-api03-SECRET-VALUE-ANTHROPIC0123456789|(unset)|value holds 'sk-'"
	"CARRY_AWS=AKIAIOSFODNN7EXAMPLE|(unset)|value holds 'AKIA'"
	"CARRY_AWS_STS=aws_access_key_id ASIAQ2VSECRETVALUE7Q|(unset)|value holds 'ASIA'"
	"CARRY_GOOGLE=AIzaSECRET-VALUE-GOOGLE0123456789abcdefgh|(unset)|value holds 'AIza'"
	"CARRY_NPM=//registry.npmjs.test/:_authToken=npm_SECRET-VALUE-NPM0123456789abcdefghijk|(unset)|value holds"
	"CARRY_PYPI=pypi-AgEIcHlwaS5vcmcSECRET-VALUE-PYPI0123456789abcdefghijklmnopqrstuvwxyz|(unset)|value holds 'pypi-'"
	"CARRY_STRIPE=sk_live_SECRET-VALUE-STRIPE0123456789|(unset)|value holds 'sk_live_'"
	"CARRY_STRIPE_RK=rk_live_SECRET-VALUE-STRIPERK012345|(unset)|value holds 'rk_live_'"
	"CARRY_HF=hf_SECRET-VALUE-HF0123456789abcdefghijklm|(unset)|value holds 'hf_'"
	# a token that was a URL's password goes with the userinfo; the URL stays
	"UV_INDEX_URL=https://__token__:pypi-AgEIcHlwaS5vcmcSECRET-VALUE-UVURL0123456789abcdefghijklmnopq@pypi.corp.test/simple|UV_INDEX_URL=https://pypi.corp.test/simple|user:password@ of a URL"
	"GH_REMOTE=https://x-access-token:ghs_SECRET-VALUE-GHSURL0123456789abcdef@github.test/o/r.git|GH_REMOTE=https://github.test/o/r.git|user:password@ of a URL"
)

# Look-alikes of a desktop session and of CI runners, and what the rules do
# to each: NAME=value|kept or dropped, and why that is the decision.
LOOKALIKES=(
	"KEYTIMEOUT=1|kept|zsh: no pattern ends in or holds KEY alone"
	"XDG_SESSION_TYPE=wayland|kept|*_SESSION matches the end of a name only"
	"XDG_SESSION_ID=2|kept|same"
	"DESKTOP_SESSION=gnome|kept|matches *_SESSION; env_harmless_table: xdg-open and toolkits read it"
	"KDE_FULL_SESSION=true|kept|matches *_SESSION; env_harmless_table"
	"WT_SESSION=0c5b2c3e-0000-4000-8000-000000000000|kept|matches *_SESSION; env_harmless_table (WSL)"
	"GDMSESSION=gnome|kept|no underscore before SESSION"
	"SESSION_MANAGER=local/host:@/tmp/.ICE-unix/1|kept|SESSION_ at the start matches nothing; '@' is not after ://"
	"SSH_ASKPASS=/usr/bin/ssh-askpass|kept|ASKPASS is not *_PASS"
	"GIT_ASKPASS=/usr/bin/git-askpass|kept|same"
	"GPG_TTY=/dev/pts/1|kept|nothing matches"
	"XKB_DEFAULT_LAYOUT=us|kept|nothing matches"
	"HUDSON_COOKIE=3f0c|kept|Jenkins' process marker, no pattern"
	"ACTIONS_RUNTIME_URL=https://pipelines.actions.test/abc/|kept|a URL without userinfo"
	"CI_REGISTRY_USER=gitlab-ci-token|kept|a user name"
	"GOPROXY=https://proxy.golang.test,direct|kept|a URL without userinfo"
	"NO_PROXY=localhost,.corp.test|kept|no URL"
	"NPM_CONFIG_REGISTRY=https://npm.pkg.github.test/@owner|kept|'@' in the path is not userinfo"
	"LS_COLORS=rs=0:di=01;34:ln=01;36:*.tar=01;31|kept|no key= of the value table after a separator"
	"GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D|dropped|*_KEY: a fingerprint, public, but the name cannot tell it from a secret key"
	"PASSWORD_STORE_DIR=/home/u/.password-store|dropped|*PASSWORD*: pass cannot work in the box anyway (home and gpg-agent hidden)"
	"POSTGRES_PASSWORD_FILE=/run/secrets/db|dropped|*PASSWORD*: names where a secret is; /run is empty inside"
	"KONSOLE_DBUS_SESSION=/Sessions/1|dropped|*_SESSION: a D-Bus path; the bus is not reachable inside"
	"ACTIONS_ID_TOKEN_REQUEST_URL=https://token.actions.test/x|dropped|*_TOKEN_*: half of the OIDC token request"
	"TOKENIZERS_PARALLELISM=false|kept|Hugging Face's switch: TOKEN is not a word of its own there"
	"JENKINS_NODE_COOKIE=dontKillMe|kept|matches *_COOKIE; env_harmless_table: Jenkins' process marker"
	"BUNDLE_PATH=vendor/bundle|kept|no double underscore: a Bundler setting"
	"BUNDLE_BUILD__NOKOGIRI=--use-system-libraries|kept|build.nokogiri: Bundler's build flags, one word after BUILD"
	"BUNDLE_GEM__CI=github|kept|gem.ci: a Bundler setting, one word after GEM"
	"BUNDLE_LOCAL__RACK=/src/rack|kept|local.rack: a Bundler setting"
	"ORG_GRADLE_PROJECT_signingKeyId=24875D73|kept|camelCase words signing Key Id: not *_KEY (a public key's id)"
	"INPUT_FETCH-DEPTH=1|kept|hyphenated words, none a secret's"
	"JDK_JAVA_OPTIONS=-Dfile.encoding=UTF-8 -Xmx2g|kept|no key of the value table"
	"CA_CERT=-----BEGIN CERTIFICATE----- MIIBkTCB+wIJAKHHIG -----END CERTIFICATE-----|kept|a certificate is public: only PRIVATE KEY blocks are dropped"
	"TASK_ID=task-0123456789abcdefghijklmnopqrstuvwxyz01234|kept|sk- inside a word is no token prefix"
	"CONTINENT=ASIA|kept|AKIA/ASIA need 16 more [A-Z0-9]"
	"SKIN=sk-light|kept|sk- needs 32 more token bytes"
	"GIT_AUTHOR_EMAIL=jane@example.test|kept|no user/password@"
	"BASE_IMAGE=library/alpine@sha256:0a1b2c3d|kept|an image pinned by digest is not user/password@"
	"ACTION_REF=actions/checkout@v4|dropped|owner/repo@ref has the shape of Oracle's user/password@db"
)
field() { # field LINE N — the Nth |-separated field
	printf '%s\n' "$1" | cut -d'|' -f"$2"
}
# Names a POSIX shell cannot pass on (INPUT_GITHUB-TOKEN: GitHub Actions
# keeps the hyphen of an input's name) go in RAW_ENV, which env(1) sets
# after the sh that as_user runs: dash would drop them.
FORM_ENV=() LOOK_ENV=() RAW_ENV=()
shell_name() { [[ "${1%%=*}" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; }
for f in "${FORMS[@]}"; do
	kv=$(field "$f" 1)
	if shell_name "$kv"; then FORM_ENV+=("$kv"); else RAW_ENV+=("$kv"); fi
done
for f in "${LOOKALIKES[@]}"; do
	kv=$(field "$f" 1)
	if shell_name "$kv"; then LOOK_ENV+=("$kv"); else RAW_ENV+=("$kv"); fi
done
NB_ENV=("${SECRETS[@]}" "${ORDINARY[@]}" "${FORM_ENV[@]}" "${LOOK_ENV[@]}")
# as_user / netbox with RAW_ENV too
raw_user() { as_user env "${RAW_ENV[@]}" "$@"; }
# The proxy variables above name a proxy.test no one runs: these runs go
# direct (--upstream-proxy none), as before upstream proxies (issue 14),
# so that they show what happens to proxy variables that netbox does not
# use (tests/shell/upstreamproxy.sh has the runs that do).
raw_nb() { raw_user "$NB" --upstream-proxy none "$@"; }
nb() { as_user "$NB" --upstream-proxy none "$@"; }

cap raw_user env
BASE=$OUT
for kv in "${SECRETS[@]}" "${ORDINARY[@]}" "${FORM_ENV[@]}" "${LOOK_ENV[@]}" "${RAW_ENV[@]}"; do
	t_is "$(env_get "$BASE" "${kv%%=*}")" "$kv" "without netbox: ${kv%%=*} reaches the program"
done
# PWD and OLDPWD come from the shell as_user runs (cd): *_PWD must not
# catch them.
for n in PATH LANG TERM HOME USER PWD OLDPWD; do
	t_unlike "$(env_get "$BASE" $n)" '^\(unset\)$' "without netbox: $n is set"
done

cap raw_nb env
t_is "$RC" 0 "netbox env: exit 0"
IN=$OUT
for kv in "${SECRETS[@]}"; do
	t_is "$(env_get "$IN" "${kv%%=*}")" "(unset)" "netbox: ${kv%%=*} is dropped"
done
for f in "${FORMS[@]}"; do
	kv=$(field "$f" 1)
	want=$(field "$f" 2)
	t_is "$(env_get "$IN" "${kv%%=*}")" "$want" "netbox: ${kv%%=*}: $([ "$want" = "(unset)" ] && echo dropped || echo "userinfo stripped, the rest kept")"
done
t_unlike "$IN" "SECRET-VALUE" "netbox: no secret value anywhere in the environment"
for kv in "${ORDINARY[@]}"; do
	t_is "$(env_get "$IN" "${kv%%=*}")" "$kv" "netbox: ${kv%%=*} is passed through"
done
for n in PATH LANG TERM HOME USER LOGNAME PWD OLDPWD; do
	t_is "$(env_get "$IN" $n)" "$(env_get "$BASE" $n)" "netbox: $n is passed through unchanged"
done
for f in "${LOOKALIKES[@]}"; do
	kv=$(field "$f" 1)
	if [ "$(field "$f" 2)" = kept ]; then want=$kv; else want="(unset)"; fi
	t_is "$(env_get "$IN" "${kv%%=*}")" "$want" "netbox: look-alike ${kv%%=*} $(field "$f" 2) ($(field "$f" 3))"
done

# --keep-env
cap nb --keep-env GITHUB_TOKEN env
t_is "$(env_get "$OUT" GITHUB_TOKEN)" "GITHUB_TOKEN=SECRET-VALUE-GITHUB" "netbox --keep-env GITHUB_TOKEN: kept"
t_is "$(env_get "$OUT" NPM_TOKEN)" "(unset)" "netbox --keep-env GITHUB_TOKEN: NPM_TOKEN still dropped"
cap nb --keep-env MY_API_KEY --keep-env=SSH_AUTH_SOCK env
t_is "$(env_get "$OUT" MY_API_KEY) $(env_get "$OUT" SSH_AUTH_SOCK)" \
	"MY_API_KEY=SECRET-VALUE-MYAPI SSH_AUTH_SOCK=/tmp/ssh-netboxtest/agent.1" \
	"netbox --keep-env twice (also --keep-env=NAME): both kept"
cap nb --keep-env DATABASE_URL --keep-env PGPASSWORD --keep-env https_proxy env
t_is "$(env_get "$OUT" DATABASE_URL)" "DATABASE_URL=postgres://app:SECRET-VALUE-PGURL@db.test:5432/app?sslmode=require" \
	"netbox --keep-env DATABASE_URL: kept as it is, userinfo included (the user typed it)"
t_is "$(env_get "$OUT" PGPASSWORD) $(env_get "$OUT" https_proxy)" \
	"PGPASSWORD=SECRET-VALUE-PG https_proxy=http://me:SECRET-VALUE-PROXY@proxy.test:3128" \
	"netbox --keep-env PGPASSWORD --keep-env https_proxy: both kept as they are"
t_is "$(env_get "$OUT" PIP_INDEX_URL)" "PIP_INDEX_URL=https://pypi.corp.test/simple" \
	"netbox --keep-env of other names: PIP_INDEX_URL still stripped"
cap raw_nb --keep-env INPUT_GITHUB-TOKEN env
t_is "$(env_get "$OUT" INPUT_GITHUB-TOKEN)" "INPUT_GITHUB-TOKEN=SECRET-VALUE-INPUT" \
	"netbox --keep-env INPUT_GITHUB-TOKEN: a name with a hyphen can be kept"
cap nb --keep-env pgpassword env
t_is "$(env_get "$OUT" pgpassword) $(env_get "$OUT" PGPASSWORD)" "pgpassword=SECRET-VALUE-PGLOW (unset)" \
	"netbox --keep-env pgpassword: names are exact for --keep-env (PGPASSWORD still dropped)"

# keep-env in a profile: past the name rules, never the value rules.
P="$T/keep.profile"
printf 'keep-env PGPASSWORD\nkeep-env PIP_INDEX_URL\nkeep-env APP_DB\n' >"$P"
chmod 755 "$T"
chmod 644 "$P"
cap nb --profile "$P" env
t_is "$(env_get "$OUT" PGPASSWORD)" "PGPASSWORD=SECRET-VALUE-PG" "keep-env PGPASSWORD in a profile: kept (a name rule only)"
t_is "$(env_get "$OUT" PIP_INDEX_URL)" "PIP_INDEX_URL=https://pypi.corp.test/simple" \
	"keep-env PIP_INDEX_URL in a profile: the URL's userinfo is still removed"
t_is "$(env_get "$OUT" APP_DB)" "(unset)" "keep-env APP_DB in a profile: a password= in the value still drops it"
cap nb --profile "$P" --keep-env PIP_INDEX_URL env
t_is "$(env_get "$OUT" PIP_INDEX_URL)" "PIP_INDEX_URL=https://__token__:SECRET-VALUE-PIPURL@pypi.corp.test/simple" \
	"a profile's keep-env and --keep-env on the command line: kept whole"
cap nb --profile pip env
t_is "$RC:$(env_get "$OUT" PIP_INDEX_URL)" "0:PIP_INDEX_URL=https://pypi.corp.test/simple" \
	"the shipped pip profile (keep-env PIP_INDEX_URL): no credentials get through"
cap nb --profile pip --check true
t_like "$OUT" "strip +PIP_INDEX_URL .*keep-env in a profile does not pass credentials; --keep-env PIP_INDEX_URL does" \
	"netbox --check with the pip profile: says why PIP_INDEX_URL is stripped and how to keep it"
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
cap raw_nb --check sh -c 'touch "$0"' check-marker
t_is "$RC" 0 "netbox --check: exit 0"
t_ok "$([ ! -e "$NB_WORK/check-marker" ] && echo 0 || echo 1)" "netbox --check: the program did not run"
DROPS=$(printf '%s\n' "$OUT" | grep -E '^  drop ')
for kv in "${SECRETS[@]}"; do
	t_like "$DROPS" "drop +${kv%%=*} .*--keep-env ${kv%%=*}" "netbox --check: lists the drop of ${kv%%=*} and how to keep it"
done
for f in "${FORMS[@]}"; do
	kv=$(field "$f" 1)
	if [ "$(field "$f" 2)" = "(unset)" ]; then what=drop; else what=strip; fi
	t_like "$OUT" "^  $what +${kv%%=*} +\\($(field "$f" 3).*--keep-env ${kv%%=*} keeps it" \
		"netbox --check: ${kv%%=*}: $what, why, and how to keep it"
done
for kv in "${ORDINARY[@]}"; do
	t_unlike "$DROPS" "drop +${kv%%=*} " "netbox --check: does not list ${kv%%=*} as dropped"
done
for f in "${LOOKALIKES[@]}"; do
	kv=$(field "$f" 1)
	if [ "$(field "$f" 2)" = kept ]; then
		t_unlike "$OUT" "^  (drop|strip) +${kv%%=*} " "netbox --check: look-alike ${kv%%=*} not listed"
	else
		t_like "$OUT" "^  drop +${kv%%=*} +\\((name matches|value holds)" "netbox --check: look-alike ${kv%%=*} listed as dropped, with the rule"
	fi
done
t_unlike "$OUT" "SECRET-VALUE" "netbox --check: does not print secret values"
cap nb --check --keep-env GITHUB_TOKEN --unsetenv FOO --setenv NEWVAR=1 true
t_like "$OUT" "keep +GITHUB_TOKEN .*--keep-env" "netbox --check --keep-env: lists the kept variable"
t_unlike "$OUT" "drop +GITHUB_TOKEN" "netbox --check --keep-env: it is not also listed as dropped"
t_like "$OUT" "drop +FOO .*--unsetenv" "netbox --check --unsetenv FOO: listed"
t_like "$OUT" "set +NEWVAR=1 .*--setenv" "netbox --check --setenv: listed"
cap nb --check --keep-env DATABASE_URL true
t_like "$OUT" "keep +DATABASE_URL +\\(--keep-env: as it is\\)" "netbox --check --keep-env DATABASE_URL: kept as it is"
t_unlike "$OUT" "strip +DATABASE_URL" "netbox --check --keep-env DATABASE_URL: not also listed as stripped"
cap nb --check --clearenv true
t_like "$OUT" "environment: cleared" "netbox --check --clearenv: says the environment is cleared"

NB_ENV=()
cap nb --check true
t_like "$OUT" "nothing to drop" "netbox --check with no secrets: nothing to drop"

t_done
