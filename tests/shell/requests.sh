#!/bin/bash
# requests.sh — HTTP request rules end to end (issue 13): real rules, the
# run's CA trusted inside the box without any client flag (the bundle and
# the variables netbox sets), every request judged, logged and learned.
# Against the lab: registry.test (an npm registry), git.test (git over dumb
# HTTP), www.google.com (echo and sinks).  netbox itself trusts the lab's
# CA through SSL_CERT_FILE, as an invoker behind a corporate CA would.
# Checked: curl, python urllib, Node's fetch, npm install and publish, git
# clone and push, each allowed or refused (403, never reaching the host) as
# the rules say; a request record per request with its process; --learn
# writing request rules that replay; the real npm registry with the shipped
# read-only profile (skipped when unreachable).
# Run as root (meson test --suite net); NETBOX is the binary under test.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lab/lab.sh"

lib_user_up
lab_up

cp "$LAB_CA" "$NB_WORK/lab-ca.pem"
chmod 644 "$NB_WORK/lab-ca.pem"
NB_ENV=(SSL_CERT_FILE="$NB_WORK/lab-ca.pem")
nbx() { cap hx "$NB" "$@"; }
line() { sed -n "s/^$1: //p" <<<"$OUT" | head -1; }
RO=(--allow 'GET,HEAD https://registry.test/')

# --- curl, python, node: no flag, the run's CA trusted ------------------------------
LOG=$(lib_log curl)
nbx --log "$LOG" "${RO[@]}" sh -c '
echo "get: $(curl -sS --max-time 20 -o /dev/null -w %{http_code} https://registry.test/lab-hello)"
echo "put: $(curl -sS --max-time 20 -X PUT -d "{\"secret\":1}" -o put.body -w %{http_code} https://registry.test/lab-hello) $(head -1 put.body)"
echo "get-outside: $(curl -sS --max-time 20 -o /dev/null -w %{http_code} -X DELETE https://registry.test/lab-hello)"
echo "python: $(python3 -c "import urllib.request as u; print(u.urlopen(\"https://registry.test/lab-hello\").status)" 2>&1 | tail -1)"
echo "python-post: $(python3 -c "
import urllib.request as u, urllib.error as e
try: u.urlopen(u.Request(\"https://registry.test/x\", data=b\"secret\", method=\"POST\"))
except e.HTTPError as x: print(x.code)" 2>&1 | tail -1)"
echo "node: $(node -e "fetch(\"https://registry.test/lab-hello\").then(r => console.log(r.status), e => console.log(String(e.cause || e)))")"
echo "node-put: $(node -e "fetch(\"https://registry.test/lab-hello\", {method: \"PUT\", body: \"x\"}).then(r => console.log(r.status), e => console.log(String(e)))")"
echo "fronting: $(curl -sS --max-time 20 -o /dev/null -w %{http_code} -H "Host: evil.test" https://registry.test/lab-hello)"
echo "env: $CURL_CA_BUNDLE $NODE_EXTRA_CA_CERTS"'
t_is "$RC" 0 "request rules: the run exits 0"
t_is "$(line get)" 200 "curl GET under 'GET,HEAD https://registry.test/': 200, trusting the run's CA without a flag"
t_like "$(line put)" "^403 netbox refused PUT https://registry\.test/lab-hello: no rule allows PUT" "curl PUT: 403 with a body naming why"
t_is "$(line get-outside)" 403 "curl DELETE: 403"
t_is "$(line python)" 200 "python urllib GET: 200"
t_is "$(line python-post)" 403 "python urllib POST: 403"
t_is "$(line node)" 200 "Node's fetch GET: 200 (NODE_EXTRA_CA_CERTS)"
t_is "$(line node-put)" 403 "Node's fetch PUT: 403"
t_is "$(line fronting)" 403 "another Host than the SNI (domain fronting): 403"
t_is "$(line env)" "/etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/netbox-ca.pem" "the variables clients read point at the bundle and the CA"
t_like "$ERR" "^netbox: denied PUT registry\.test/lab-hello" "stderr: the refused PUT is said"
t_unlike "$(cat "$LAB_DIR"/server-*.log 2>/dev/null)" '"PUT /lab-hello' "the refused PUT never reached the host"
"$PY" - "$LOG" >"$NB_TMP/req.txt" <<'EOF'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
for r in recs:
    if r["event"] == "request":
        print(r["method"], r["path"], r["status"], r["verdict"], r["rule"], (r["proc"] or {}).get("exe", "").rsplit("/", 1)[-1])
EOF
REQS=$(cat "$NB_TMP/req.txt")
t_like "$REQS" "^GET /lab-hello 200 allow GET,HEAD https://registry.test/ curl$" "log: the GET, its status, its rule, by curl"
t_like "$REQS" "^PUT /lab-hello 403 deny None curl$" "log: the PUT refused, status 403"
t_like "$REQS" "^POST /x 403 deny None python3" "log: python's POST, by python3"
t_like "$REQS" "^GET /lab-hello 200 allow .* node$" "log: node's GET, by node"

# --- npm: install read-only, publish refused ------------------------------------------
mkdir -p "$NB_WORK/app" "$NB_WORK/pub"
printf '{"name":"app","version":"1.0.0"}\n' >"$NB_WORK/app/package.json"
printf '{"name":"lab-evil","version":"6.6.6"}\n' >"$NB_WORK/pub/package.json"
chown -R "$NB_UID:$NB_GID" "$NB_WORK/app" "$NB_WORK/pub"
nbx --log "$(lib_log npm)" --rw "$NB_WORK/app" --rw "$NB_WORK/pub" "${RO[@]}" sh -c '
cd app && npm install --no-audit --no-fund --fetch-retries=0 --registry https://registry.test/ lab-hello >/dev/null 2>npm.err; echo "install: $? $(node -p "require(\"lab-hello\")" 2>&1)"
cd ../pub && npm publish --registry https://registry.test/ --//registry.test/:_authToken=t >/dev/null 2>npm.err; echo "publish: $? $(grep -o "403[^\"]*" npm.err | head -1)"'
t_like "$(line install)" "^0 $LAB_NPM_GREETING" "npm install with the read-only rule: installed, through inspection"
t_like "$(line publish)" "^[1-9][0-9]* 403" "npm publish: refused with 403 (a PUT)"
t_like "$ERR" "denied PUT registry\.test/lab-evil" "... said on stderr"

# --- git: clone allowed, push refused ---------------------------------------------------
nbx --allow 'GET,HEAD https://git.test/' sh -c '
git clone -q https://git.test/repo.git r 2>&1 | tail -1; echo "clone: $(cat r/hello.txt 2>/dev/null)"
cd r && git -c user.email=a@b -c user.name=a commit -q --allow-empty -m x && echo "push: $(git push -q origin HEAD:main 2>&1 | grep -o "403\|error" | head -1)"'
t_is "$(line clone)" "$LAB_GIT_CONTENT" "git clone over https with 'GET,HEAD https://git.test/': works"
t_like "$(line push)" "403|error" "git push: refused"
t_like "$ERR" "netbox: denied (PROPFIND|PUT|POST|MKCOL|LOCK) git\.test" "... the push's request said"

# --- --learn with request rules: the requests learned, and they replay ----------------
nbx --learn=learned.profile "${RO[@]}" sh -c 'curl -sS -o /dev/null https://registry.test/lab-hello; curl -sS -o /dev/null -I https://registry.test/lab-hello/-/lab-hello-1.0.0.tgz'
t_is "$RC" 0 "--learn with a request rule: exit 0"
LEARNED=$(cat "$NB_WORK/learned.profile" 2>/dev/null)
t_like "$LEARNED" "allow (GET|GET,HEAD) https://=registry\.test/lab-hello$" "learned: the path it asked for, exactly"
t_like "$LEARNED" "allow (GET,HEAD|HEAD,GET) https://=registry\.test/lab-hello/" "learned: the methods used below /lab-hello/"
nbx --profile ./learned.profile sh -c 'echo "replay-get: $(curl -sS -o /dev/null -w %{http_code} https://registry.test/lab-hello)"; echo "replay-put: $(curl -sS -o /dev/null -w %{http_code} -X PUT https://registry.test/lab-hello)"'
t_is "$(line replay-get)" 200 "learned profile replayed: the GET it saw, 200"
t_is "$(line replay-put)" 403 "... a PUT it never saw, 403"

# --- the real registry with the shipped read-only npm profile ---------------------------
if curl -sS -m 10 -o /dev/null https://registry.npmjs.org/is-number 2>/dev/null; then
	mkdir -p "$NB_HOME/real" && printf '{"name":"real","version":"1.0.0"}\n' >"$NB_HOME/real/package.json"
	chown -R "$NB_UID:$NB_GID" "$NB_HOME/real"
	NB_ENV=()
	cap as_user sh -c 'cd ~/real && exec "$0" --log "$1" npm install --no-fund --loglevel=error is-number@7.0.0' "$NB" "$(lib_log real)"
	t_is "$RC" 0 "the real registry: npm install is-number with the shipped read-only npm profile"
	t_like "$(cat "$(lib_log real)")" '"event":"request","name":"registry.npmjs.org","port":443,"method":"GET"' \
		"... its requests inspected and logged"
else
	t_skip "the real registry with the shipped read-only npm profile" "registry.npmjs.org unreachable"
fi

t_done
