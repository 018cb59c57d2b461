#!/bin/bash
# profiles.sh — profile files (launcher/profile.c): lookup order, the shipped
# profiles, syntax, expansion, include, mkdir, errors that name file:line,
# refusal of profiles others can write, and the command line overriding
# them.  No network needed: --check shows the rules, and the program's view
# of files and variables shows the rest.
# Run as root (meson test --suite launcher); NETBOX is the binary under test.
. "$(dirname "$0")/../lib.sh"

lib_user_up

T=$(mktemp -d /tmp/netbox-profiles.XXXXXX)
chmod 755 "$T"
lib_on_exit "rm -rf '$T'"

# put FILE — write stdin to FILE as the test user, mode 0644.
put() { as_user sh -c 'cat >"$0" && chmod 644 "$0"' "$1"; }

CONF="$NB_HOME/.config/netbox"
as_user mkdir -p "$CONF"

# the rule column of --check: "allow TEXT" / "deny TEXT", origin dropped
rules() { printf '%s\n' "$1" | sed -nE 's/^  (allow|deny) +(.*[^ ]) +\([^()]*\)$/\1 \2/p'; }

# --- the shipped profiles -----------------------------------------------------
cap nb --list-profiles
t_is "$RC" 0 "--list-profiles: exit 0"
for p in default npm npm-publish npx yarn pnpm pip pip3 cargo go gem; do
	t_like "$OUT" "^$p\$" "--list-profiles lists the shipped profile $p"
done

cap nb --check npm install
t_like "$OUT" "^profiles: .*/npm\.profile$" "netbox npm: npm's profile is read"
t_like "$OUT" "allow GET,HEAD https://registry\.npmjs\.org/ +\(.*/npm\.profile:[0-9]+\)" "--check shows npm's rule with its file:line"
t_like "$OUT" "requests: GET,HEAD to /\*\*" "... and what it checks: npm's profile is read-only"
t_like "$OUT" "allow POST https://registry\.npmjs\.org/-/npm/v1/security/advisories/bulk " "... but for the audit npm install makes"
t_unlike "$OUT" "allow (PUT|\*) " "... and nothing allows a publish"
t_like "$OUT" "$NB_HOME/\.npm +overlay +\(--overlay \(.*npm\.profile:[0-9]+\)\)" "npm's ~/.npm is a throw-away overlay, from the profile"
t_like "$OUT" "$NB_HOME/\.npm/_cacache/content-v2 +read-write +\(--rw \(.*npm\.profile:[0-9]+\)\)" "npm's hash-checked store ~/.npm/_cacache/content-v2 is read-write, from the profile"
t_ok "$([ -d "$NB_HOME/.npm/_cacache/content-v2" ]; echo $?)" "mkdir ~/.npm/_cacache/content-v2: the store directory was created"
t_is "$(stat -c %U "$NB_HOME/.npm/_cacache/content-v2")" "$NB_USER" "the store directory belongs to the user"

cap nb --check npx cowsay
t_like "$OUT" "allow GET,HEAD https://registry\.npmjs\.org/" "npx includes npm's profile"
cap nb --check pip3 install x
t_like "$OUT" "allow GET,HEAD https://files\.pythonhosted\.org/" "pip3 includes pip's profile"
cap nb --check --profile npm-publish npm publish
t_like "$OUT" "allow PUT https://registry\.npmjs\.org/\* +\(.*/npm-publish\.profile:[0-9]+\)" "npm-publish: the PUT of a package"
t_like "$OUT" "allow GET,HEAD https://registry\.npmjs\.org/ +\(.*/npm\.profile:[0-9]+\)" "npm-publish includes npm's profile"
for p in yarn pnpm pip cargo go gem; do
	cap nb --check --profile "$p" true
	t_is "$(rules "$OUT" | grep -cv '^allow GET,HEAD https://')" 0 "the $p profile only allows GET,HEAD over https"
done
cap nb --check /usr/bin/env true
t_like "$OUT" "^profiles: .*/default\.profile$" "a program without a profile gets default.profile"
t_like "$OUT" "filtered; 0 rules" "default.profile allows nothing"
cap nb --check --noprofile npm install
t_like "$OUT" "^profiles: none \(--noprofile\)" "--noprofile: no profile"
t_unlike "$OUT" "registry\.npmjs\.org" "--noprofile: npm's rule is gone"

# Every shipped profile parses (as its program would read it).
for p in default npm npm-publish npx yarn pnpm pip pip3 cargo go gem; do
	cap nb --check --profile "$p" true
	t_is "$RC:$ERR" "0:" "the shipped profile $p parses cleanly"
done

# --- lookup order: ~/.config/netbox before the shipped ones --------------------
put "$CONF/npm.profile" <<'EOF'
# mine
allow mirror.example.test:8443
EOF
cap nb --check npm install
t_like "$OUT" "^profiles: $CONF/npm\.profile$" "~/.config/netbox/npm.profile wins over the shipped one"
t_like "$OUT" "allow mirror\.example\.test:8443 +\($CONF/npm\.profile:2\)" "its rule, with file:line"
t_unlike "$OUT" "registry\.npmjs\.org" "the shipped npm profile is not read too"
rm -f "$CONF/npm.profile"

# --- syntax, expansion, include ------------------------------------------------
put "$NB_WORK/base.profile" <<'EOF'
allow base.test   # a comment after a blank
setenv FROM_BASE=yes
EOF
put "$NB_WORK/my.profile" <<'EOF'
# a comment line

include ./base.profile
include base
allow=eq.test:9000
	allow   spaced.test
setenv HASH=a#b
setenv WHERE=${HOME}:${CWD}
ro ~/data
rw ${HOME}/rw-data
ro ~/does-not-exist-anywhere
EOF
as_user mkdir -p "$NB_HOME/data" "$NB_HOME/rw-data"
as_user sh -c 'echo data > ~/data/f'
cap nb --check --profile ./my.profile true
t_is "$RC" 0 "a profile with comments, blanks, OPTION=VALUE, tabs and includes parses"
t_like "$OUT" "allow base\.test +\(.*/base\.profile:1\)" "include ./base.profile: its rule, from base.profile:1"
t_is "$(printf '%s\n' "$OUT" | grep -c 'allow base\.test')" 1 "a profile included twice is read once"
t_like "$OUT" "allow eq\.test:9000 " "OPTION=VALUE works"
t_like "$OUT" "allow spaced\.test " "leading tabs and several blanks work"
t_like "$OUT" "ports served: 80 443 9000" "a profile's rule ports are served"
t_like "$OUT" "$NB_HOME/data +read-only" "~ expands in a profile"
t_like "$OUT" "$NB_HOME/rw-data +read-write" "\${HOME} expands in a profile"
t_unlike "$OUT" "does-not-exist-anywhere" "a profile path that does not exist is skipped"
cap nb --profile ./my.profile sh -c 'echo "$FROM_BASE $HASH $WHERE"; cat ~/data/f; echo x >~/data/f 2>/dev/null && echo wrote'
t_is "$OUT" "yes a#b $NB_HOME:$NB_WORK
data" "setenv from profiles (a '#' inside a value stays), \${CWD}, ro data"
cap nb --profile ./my.profile --rw '~/data' --setenv HASH=cli sh -c 'echo "$HASH"; echo x >~/data/f && cat ~/data/f'
t_is "$OUT" "cli
x" "the command line overrides the profile (--setenv, --rw over ro)"

# --- a rule means the same in a profile as on the command line -----------------
# Every form of pattern and ports, as --allow/--deny and as the profile lines
# "allow X", "allow=X", "deny X", "deny=X": --check lists the rules in the
# order they were added, and only the origin column may differ.
forms=()
for pat in example.com =example.com '*.example.com' 203.0.113.7 10.0.0.0/8 \
	'[2001:db8::7]' '[2001:db8::/32]' '*'; do
	for ports in '' :443 :80,443 :8000-8100 ':*'; do
		forms+=("$pat$ports")
	done
done
forms+=(2001:db8::7 2001:db8::/32) # unbracketed IPv6: no port part
# request rules: two words, one rule, in a profile as on the command line
forms+=('GET,HEAD https://registry.npmjs.org/' 'POST https://github.com/*/*/git-upload-pack'
	'PUT https://=x.test:8443/@s%2fp' 'GET *.example.com:8000-8100' '* http://example.com/a/**/b')
cli=()
for f in "${forms[@]}"; do
	cli+=(--allow "$f" --deny "$f")
done
for f in "${forms[@]}"; do
	printf 'allow %s\nallow=%s\ndeny %s\ndeny=%s\n' "$f" "$f" "$f" "$f"
done | put "$NB_WORK/forms.profile"
cap nb --check --noprofile "${cli[@]}" true
t_is "$RC" 0 "every rule form is accepted on the command line"
mapfile -t C < <(rules "$OUT")
cap nb --check --profile ./forms.profile true
t_is "$RC" 0 "every rule form is accepted in a profile"
mapfile -t P < <(rules "$OUT")
t_is "${#C[@]}:${#P[@]}" "$((2 * ${#forms[@]})):$((4 * ${#forms[@]}))" "--check lists every rule of both"
for i in "${!forms[@]}"; do
	f=${forms[$i]}
	t_is "${C[2 * i]:-}|${C[2 * i + 1]:-}" "allow $f|deny $f" "--allow/--deny '$f': the rule as written" &&
		t_is "${P[4 * i]:-}|${P[4 * i + 1]:-}|${P[4 * i + 2]:-}|${P[4 * i + 3]:-}" \
			"allow $f|allow $f|deny $f|deny $f" \
			"'$f' in a profile, as 'NAME X' and 'NAME=X': the same rule as on the command line"
done

# The exact rule --learn writes replays exact: a subdomain is refused (its
# name is not even resolved), through the profile as through --allow.
printf 'allow =www.google.com:443   # 1 connection\n' | put "$NB_WORK/exact.profile"
for how in "--profile ./exact.profile" "--noprofile --allow =www.google.com:443"; do
	# shellcheck disable=SC2086 # $how is two or three words on purpose
	cap nb $how getent hosts api.www.google.com
	t_like "$ERR" "^netbox: denied DNS api\.www\.google\.com" \
		"$how: api.www.google.com is not covered by =www.google.com"
done

# include loops end; deep nesting is refused.
put "$NB_WORK/loop-a.profile" <<<'include ./loop-b.profile'
put "$NB_WORK/loop-b.profile" <<<'include ./loop-a.profile'
cap nb --check --profile ./loop-a.profile true
t_is "$RC" 0 "an include loop ends (each file is read once)"

# mkdir only under the home.
put "$NB_WORK/mk.profile" <<'EOF'
mkdir ~/.cache/made-by-profile/deep
rw ~/.cache/made-by-profile
EOF
cap nb --profile ./mk.profile sh -c 'echo kept >~/.cache/made-by-profile/deep/f'
t_is "$(cat "$NB_HOME/.cache/made-by-profile/deep/f" 2>/dev/null)" "kept" "mkdir + rw: what the program writes in the cache persists"
t_is "$(stat -c %a "$NB_HOME/.cache/made-by-profile")" 700 "mkdir creates 0700 directories"

# --- errors: one line naming file:line, exit 125 --------------------------------
err_case() { # DESCRIPTION REGEX PROFILE-TEXT
	printf '%s\n' "$3" | put "$NB_WORK/bad.profile"
	cap nb --profile ./bad.profile true
	t_is "$RC:$(printf '%s\n' "$ERR" | wc -l)" "125:1" "$1: exit 125, one line"
	t_like "$ERR" "^netbox: $NB_WORK/bad\.profile:[0-9]+: $2" "$1: the line names file:line and what"
	t_like "$ERR" " — " "$1: the line says how to fix it"
}
err_case "a value without a name" "a value without an option name" '=x.test'
err_case "a blank beside '='" "'allow': a blank beside '=' makes the value ambiguous" 'allow = x.test'
err_case "a blank after 'NAME='" "'rw': a blank beside '='" 'rw= ~/x'
err_case "an unknown option" "unknown option 'bogus'" $'allow ok.test\nbogus 1'
err_case "a bad rule" "--allow bad rule 'bad!name'" 'allow bad!name'
err_case "a missing value" "'allow' needs a value" 'allow'
err_case "a request rule with lower-case methods" "--allow bad rule 'get https://x\.test/': method 'get' has lower case" 'allow get https://x.test/'
err_case "a request rule with a query" "--allow bad rule 'GET https://x\.test/a\?b': a query in the URL" 'allow GET https://x.test/a?b   # comment'
err_case "a request rule on an address" "--deny bad rule 'PUT 10\.0\.0\.1': methods on an address" 'deny PUT 10.0.0.1'
err_case "a value on a flag" "'clearenv' takes no value" 'clearenv yes'
err_case "seccomp in a profile" "'seccomp' cannot be set in a profile" 'seccomp off'
err_case "pass-fd in a profile" "'pass-fd' cannot be set in a profile" 'pass-fd 3'
err_case "an unknown variable" "unknown variable" 'ro ${SECRET}/x'
err_case "mkdir outside the home" "mkdir /etc/x: outside" 'mkdir /etc/x'
err_case "a missing include" "include nosuchprofile: no such profile" 'include nosuchprofile'
line=$(printf 'x%.0s' $(seq 5000))
err_case "an over-long line" "line longer than" "allow $line"

cap nb --profile nosuch true
t_is "$RC" 125 "--profile of an unknown name: exit 125"
t_like "$ERR" "^netbox: --profile nosuch: no such profile — " "--profile of an unknown name: says so"
cap nb --profile ./nowhere.profile true
t_like "$RC:$ERR" "^125:netbox: profile .*nowhere\.profile does not exist" "--profile of a missing path: exit 125, says so"
cap nb --profile npm --noprofile true
t_is "$RC" 125 "--profile with --noprofile: exit 125"

# Profiles others can write are refused.
printf 'allow x.test\n' | put "$NB_WORK/open.profile"
chmod 664 "$NB_WORK/open.profile"
cap nb --profile ./open.profile true
t_like "$RC:$ERR" "^125:netbox: profile .*open\.profile is writable by other users — chmod go-w" "a group-writable profile is refused"
chmod 646 "$NB_WORK/open.profile"
cap nb --profile ./open.profile true
t_is "$RC" 125 "a world-writable profile is refused"
chmod 644 "$NB_WORK/open.profile"
cap nb --profile ./open.profile true
t_is "$RC" 0 "the same profile, mode 644, is read"
cp "$NB_WORK/open.profile" "$T/other.profile"
chown nobody "$T/other.profile"
chmod 644 "$T/other.profile"
cap nb --profile "$T/other.profile" true
t_like "$RC:$ERR" "^125:netbox: profile .*other\.profile belongs to another user" "a profile owned by another user is refused"

# net none: rules from a profile are moot, rules on the command line an error.
printf 'net none\nallow x.test\n' | put "$NB_WORK/none.profile"
cap nb --profile ./none.profile true
t_is "$RC" 0 "a profile with 'net none' and rules: runs"
cap nb --profile ./none.profile --allow y.test true
t_is "$RC" 125 "'net none' from a profile with --allow on the command line: exit 125"

# quiet from a profile.
printf 'quiet\n' | put "$NB_WORK/q.profile"
cap nb --profile ./q.profile --allow '*:*' true
t_is "$ERR" "" "'quiet' in a profile silences notices"

# --- the default profile's hint, and the fix a denial suggests ------------------
# Only denied names: netbox answers NXDOMAIN itself, nothing leaves the machine.
# The shipped profiles' rules are compiled in (policy/suggest.c).
HINT='the default profile allows no network: add --allow HOST'
cap nb sh -c 'for n in registry.npmjs.org registry.npmjs.org evil.test files.pythonhosted.org; do getent hosts $n; done; true'
t_is "$(grep -c "$HINT" <<<"$ERR")" 1 "the default profile, no rule: the hint is said once"
t_is "$(grep -m1 -e '^netbox: denied' -e "$HINT" <<<"$ERR")" \
	"netbox: $HINT, or --profile NAME for a tool's (netbox --list-profiles)" \
	"... before the first denial line; getent has no profile: the generic one"
t_like "$ERR" "^netbox: denied DNS registry\.npmjs\.org — the npm, pnpm and yarn profiles allow it: --profile npm\$" \
	"a name shipped profiles allow: the denial names them and suggests the first"
t_is "$(grep -c 'denied DNS registry\.npmjs\.org' <<<"$ERR")" 1 "... once for the two questions"
t_like "$ERR" "^netbox: denied DNS files\.pythonhosted\.org — the pip profile allows it: --profile pip\$" \
	"pip's file host: --profile pip"
t_like "$ERR" "^netbox: denied DNS evil\.test — --allow evil\.test\$" "a name no profile allows: the --allow to add"

# A stand-in npm that only resolves its argument: the script's first word
# is a tool with a shipped profile, so the hint names it.
printf '#!/bin/sh\nexec getent hosts "$@"\n' | put "$NB_WORK/npm"
chmod 755 "$NB_WORK/npm"
cap nb sh -c './npm registry.yarnpkg.com'
t_like "$ERR" "^netbox: $HINT, or run \`netbox npm \.\.\.\` / --profile npm for npm's\$" \
	"sh -c './npm ...' with the default profile: the hint names npm's profile"
t_like "$ERR" "^netbox: denied DNS registry\.yarnpkg\.com — the yarn profile allows it: --profile yarn\$" \
	"registry.yarnpkg.com: --profile yarn"
cap nb bash -ec 'cd . && ./npm evil.test'
t_like "$ERR" "^netbox: $HINT, or run \`netbox npm \.\.\.\` / --profile npm" "bash -ec 'cd . && ./npm ...': npm's too"

cap nb --allow x.test sh -c 'getent hosts evil.test'
t_unlike "$ERR" "default profile" "a rule on the command line: no hint"
t_like "$ERR" "^netbox: denied DNS evil\.test — --allow evil\.test\$" "... the fix all the same"
cap nb --deny evil.test sh -c 'getent hosts evil.test'
t_like "$ERR" "^netbox: denied DNS evil\.test" "--deny evil.test: denied"
t_unlike "$ERR" "evil\.test.* — |default profile" "... no fix (deny wins over any --allow), no hint"
cap nb --noprofile sh -c 'getent hosts evil.test'
t_unlike "$ERR" "default profile" "--noprofile: no hint"
cap nb --quiet sh -c 'getent hosts registry.npmjs.org'
t_is "$ERR" "" "--quiet: neither the hint nor the denial"

t_done
