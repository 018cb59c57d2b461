#!/bin/bash
# caches.sh — throw-away overlays (--overlay, `overlay` in profiles) and the
# shipped profiles' caches.  What a sandboxed program writes into a tool's
# cache is read later by that tool outside the box: it must not be there
# after netbox exits, except where the tool checks it on use (npm's
# _cacache/content-v2).  Attacks are judged from outside: the host's files
# after the run, compared with a snapshot taken before it.
# Run as root (meson test --suite launcher); NETBOX is the binary under test.
# shellcheck disable=SC2016 # the sh -c scripts expand inside the sandbox
# shellcheck disable=SC2088 # literal ~ arguments are for netbox to expand
. "$(dirname "$0")/../lib.sh"

lib_user_up

# state DIR — every entry under DIR but the work directory: path, type,
# owner, mode, modification time, and each file's hash.  The same before
# and after a run: the run changed nothing there.
state() {
	(cd "$1" && find . -path ./work -prune -o -printf '%p %y %U %m %T@\n' | sort &&
		find . -path ./work -prune -o -type f -print0 | sort -z | xargs -0r sha256sum)
}

# host_files FILE... — create each FILE (under ~) as the test user, holding
# "HOST FILE".
host_files() {
	local f
	for f in "$@"; do
		as_user sh -c 'mkdir -p "${0%/*}" && echo "HOST $0" >"$0"' "$NB_HOME/$f"
	done
}

# The attack, run in the box with the files as arguments: read each one (the
# host's content must show), overwrite it (the write must succeed inside) and
# plant a file beside it.
ATTACK='for f; do cat "$f"; echo EVIL >"$f" && cat "$f"; echo PLANT >"${f%/*}/planted-by-box" && echo planted; done'

# attack_case NAME NETBOX-OPTIONS... -- FILE... — the attack on FILEs (under
# ~) with those options: inside, the host's content, then EVIL, then the
# plant; outside, afterwards, the home exactly as it was.
attack_case() {
	local name=$1 opts=() files=() want='' f before
	shift
	while [ "$1" != -- ]; do
		opts+=("$1")
		shift
	done
	shift
	for f in "$@"; do
		files+=("$NB_HOME/$f")
		want+="HOST $NB_HOME/$f"$'\n'"EVIL"$'\n'"planted"$'\n'
	done
	nb "${opts[@]}" --check true >/dev/null 2>&1 # a profile's mkdir lines, before the snapshot
	before=$(state "$NB_HOME")
	cap nb "${opts[@]}" sh -c "$ATTACK" sh "${files[@]}"
	t_is "$RC:$OUT" "0:${want%$'\n'}" "$name: inside, the host's files show and the writes succeed"
	t_is "$(state "$NB_HOME")" "$before" "$name: outside, after the run, the host's files are unchanged"
	t_is "$(find "$NB_HOME" -name planted-by-box)" "" "$name: outside, nothing the box planted exists"
}

# --- --overlay on the command line -----------------------------------------

as_user sh -c 'mkdir -p ovl/sub && echo orig >ovl/keep.txt && echo deep >ovl/sub/deep.txt'
# Control: the probe works where nothing stops it (a copy of the tree).
as_user cp -a ovl ovl-control
cap as_user sh -c 'cd ovl-control && echo EVIL >keep.txt && echo new >planted && rm sub/deep.txt && cat keep.txt planted'
t_is "$RC:$OUT" "0:EVIL
new" "without netbox: the probe changes the tree"
before=$(state "$NB_WORK/ovl")
cap nb --overlay ovl sh -c 'cat ovl/keep.txt; echo EVIL >ovl/keep.txt && echo new >ovl/planted && rm ovl/sub/deep.txt && mkdir ovl/newdir &&
	cat ovl/keep.txt ovl/planted && ls ovl ovl/sub; awk -v p="$PWD/ovl" '"'"'$5 == p { print $(NF - 2) }'"'"' /proc/self/mountinfo'
t_is "$RC:$OUT" "0:orig
EVIL
new
ovl:
keep.txt
newdir
planted
sub

ovl/sub:
overlay" "--overlay DIR: inside, the host's files show, writes and removals succeed, and it is an overlayfs mount"
t_is "$ERR" "" "--overlay DIR: nothing on stderr (no fallback notice)"
t_is "$(state "$NB_WORK/ovl")" "$before" "--overlay DIR: outside, the tree is unchanged"
t_ok "$([ ! -e "$NB_WORK/ovl/planted" ] && [ -f "$NB_WORK/ovl/sub/deep.txt" ]; echo $?)" "--overlay DIR: outside, no planted file, the removed one is still there"

# overlayfs splits its options at ',' and ':' and escapes with '\'.
odd='odd,dir:with\back'
as_user sh -c 'mkdir -p "$0" && echo odd >"$0/f"' "$odd"
cap nb --overlay "$odd" sh -c 'cat "$0/f" && echo x >"$0/g" && cat "$0/g"' "$odd"
t_is "$RC:$OUT:$ERR" "0:odd
x:" "--overlay of a path with ',', ':' and '\\': mounted (no fallback), writes succeed inside"
t_is "$(ls "$NB_WORK/$odd")" "f" "--overlay of a path with ',', ':' and '\\': outside, nothing new"

cap nb --overlay nonexistent-dir true
t_is "$RC" 125 "--overlay of a missing path: exit 125"
t_like "$ERR" "^netbox: --overlay nonexistent-dir: .*/nonexistent-dir does not exist — " "--overlay of a missing path: one line that names it and says how to fix it"

# A file of another user: readable, not changeable (copy-up needs an owner the
# sandbox cannot map: EOVERFLOW), removable where the directory is ours.
echo others >"$NB_WORK/ovl/others.txt"
mkdir "$NB_WORK/ovl/othersdir"
chown 65534:65534 "$NB_WORK/ovl/others.txt" "$NB_WORK/ovl/othersdir"
chmod 666 "$NB_WORK/ovl/others.txt"
chmod 777 "$NB_WORK/ovl/othersdir"
cp -a "$NB_WORK/ovl/others.txt" "$NB_WORK/others-control.txt"
cap as_user sh -c 'echo more >>others-control.txt && touch ovl/othersdir/control && rm ovl/othersdir/control'
t_is "$RC" 0 "without netbox: the user may write the other user's file (mode 666) and directory (777)"
before=$(state "$NB_WORK/ovl")
cap nb --overlay ovl sh -c 'stat -c "%U %a" ovl/others.txt; cat ovl/others.txt
	echo more >>ovl/others.txt || echo append-failed
	touch ovl/othersdir/new || echo create-failed
	rm ovl/others.txt && echo removed'
t_is "$RC:$OUT" "0:nobody 666
others
append-failed
create-failed
removed" "--overlay: another user's file shows as nobody's, can be read and removed, not changed"
t_like "$ERR" "others\.txt: Value too large for defined data type" "--overlay: writing another user's file fails with EOVERFLOW"
t_like "$ERR" "othersdir/new.*Value too large for defined data type" "--overlay: creating a file in another user's directory fails with EOVERFLOW"
t_is "$(state "$NB_WORK/ovl")" "$before" "--overlay: outside, the other user's file and directory are unchanged"

# Where overlayfs cannot be mounted the program gets an empty tmpfs, and is
# told.  (overlayfs refuses procfs as a lower layer: that failure stands in
# for a kernel without unprivileged overlayfs.)
cap nb --overlay /proc/sys sh -c 'ls -A /proc/sys; echo x >/proc/sys/made && cat /proc/sys/made'
t_is "$RC:$OUT" "0:x" "--overlay that cannot be mounted: an empty, writable directory instead"
t_like "$ERR" "^netbox: cannot mount an overlay on /proc/sys \(.*\): the program gets an empty throw-away directory there instead" "--overlay that cannot be mounted: a notice names the path"
cap nb -q --overlay /proc/sys true
t_is "$ERR" "" "--overlay that cannot be mounted, --quiet: no notice"

# A program under an overlay runs from it (no read-only bind over it), and
# the home as an overlay counts as exposing the current directory.
host_files tools/run.sh
as_user sh -c 'printf "#!/bin/sh\necho ran >\"\${0%%/*}/out\" && cat \"\${0%%/*}/out\"\n" >~/tools/run.sh && chmod 755 ~/tools/run.sh'
cap nb --overlay '~/tools' "$NB_HOME/tools/run.sh"
t_is "$RC:$OUT:$ERR" "0:ran:" "a program under an overlay writes beside itself, no notice"
t_ok "$([ ! -e "$NB_HOME/tools/out" ]; echo $?)" "a program under an overlay: outside, nothing it wrote"
cap as_user sh -c 'cd && exec "$0" "$@"' "$NB" --overlay '~' sh -c 'cat ~/.test_me && echo x >~/planted-by-box && echo wrote'
t_is "$RC:$OUT" "0:TEST-ME-CONTENT
wrote" "--overlay ~: the home shows and can be written"
t_unlike "$ERR" "not exposed" "--overlay ~ from the home: the current directory counts as exposed"
t_ok "$([ ! -e "$NB_HOME/planted-by-box" ]; echo $?)" "--overlay ~: outside, nothing planted"

# In a profile, a missing path is an empty throw-away tmpfs (not a silent
# write into the hidden home, which the exit report would call lost).
printf 'overlay ~/no-such-cache\noverlay ~/tools\n' | as_user sh -c 'cat >ov.profile && chmod 644 ov.profile'
cap nb --check --profile ./ov.profile true
t_is "$RC" 0 "a profile overlay of a missing path: the profile is read"
t_like "$OUT" "no-such-cache +empty tmpfs +\(--overlay .*not on this machine" "a profile overlay of a missing path: an empty tmpfs"
t_like "$OUT" "$NB_HOME/tools +overlay +\(--overlay \(.*ov\.profile:2\)\)" "--check shows a profile's overlay with its file:line"
cap nb --profile ./ov.profile sh -c 'echo x > ~/no-such-cache/f && cat ~/no-such-cache/f'
t_is "$RC:$OUT" "0:x" "... writable inside"
t_unlike "$ERR" "discarded" "... and not reported as lost in the hidden home"
t_ok "$([ ! -e "$NB_HOME/no-such-cache" ]; echo $?)" "... and nothing appears on the host"

# --- the shipped profiles: a cache the box changes is unchanged outside ------

host_files .npm/_npx/1415fee72ff6294b/node_modules/x/index.js \
	.npm/_npx/1415fee72ff6294b/package.json \
	.npm/_cacache/index-v5/3a/4f/9c0b5e8c3d \
	.npm/_prebuilds/x-1.0.0-linux-x64.tar.gz
attack_case "npm profile: ~/.npm/_npx, the cache index, prebuilds" --profile npm -- \
	.npm/_npx/1415fee72ff6294b/node_modules/x/index.js \
	.npm/_npx/1415fee72ff6294b/package.json \
	.npm/_cacache/index-v5/3a/4f/9c0b5e8c3d \
	.npm/_prebuilds/x-1.0.0-linux-x64.tar.gz
attack_case "npx profile: ~/.npm/_npx" --profile npx -- .npm/_npx/1415fee72ff6294b/node_modules/x/index.js

# npm's content-addressed store is the part that persists.
cap nb --profile npm sh -c 'mkdir -p ~/.npm/_cacache/content-v2/sha512/ab/cd && echo blob >~/.npm/_cacache/content-v2/sha512/ab/cd/ef01'
t_is "$RC:$(cat "$NB_HOME/.npm/_cacache/content-v2/sha512/ab/cd/ef01" 2>&1)" "0:blob" "npm profile: what the box writes in ~/.npm/_cacache/content-v2 persists (npm re-hashes it on read)"

REG=index.crates.io-1949cf8c6b5b557f
host_files ".cargo/registry/src/$REG/foo-1.0.0/build.rs" \
	".cargo/registry/src/$REG/foo-1.0.0/.cargo-ok" \
	".cargo/registry/cache/$REG/foo-1.0.0.crate" \
	".cargo/registry/index/$REG/.cache/fo/o/foo" \
	.cargo/git/checkouts/bar-0123456789abcdef/1a2b3c4/src/lib.rs
attack_case "cargo profile: ~/.cargo/registry (src, cache, index) and ~/.cargo/git" --profile cargo -- \
	".cargo/registry/src/$REG/foo-1.0.0/build.rs" \
	".cargo/registry/src/$REG/foo-1.0.0/.cargo-ok" \
	".cargo/registry/cache/$REG/foo-1.0.0.crate" \
	".cargo/registry/index/$REG/.cache/fo/o/foo" \
	.cargo/git/checkouts/bar-0123456789abcdef/1a2b3c4/src/lib.rs

# go keeps unpacked modules read-only; the box makes them writable first.
host_files go/pkg/mod/example.com/m@v1.0.0/m.go \
	go/pkg/mod/golang.org/toolchain@v0.0.1-go1.99.0.linux-amd64/bin/go \
	go/pkg/mod/cache/download/example.com/m/@v/v1.0.0.zip \
	.cache/go-build/ab/abcdef0123456789-d
chmod -R a-w "$NB_HOME/go/pkg/mod/example.com/m@v1.0.0" "$NB_HOME/go/pkg/mod/golang.org"
ATTACK="chmod -R u+w ~/go/pkg/mod/example.com ~/go/pkg/mod/golang.org && $ATTACK" \
	attack_case "go profile: ~/go/pkg/mod (modules, toolchains, zips) and ~/.cache/go-build" --profile go -- \
	go/pkg/mod/example.com/m@v1.0.0/m.go \
	go/pkg/mod/golang.org/toolchain@v0.0.1-go1.99.0.linux-amd64/bin/go \
	go/pkg/mod/cache/download/example.com/m/@v/v1.0.0.zip \
	.cache/go-build/ab/abcdef0123456789-d

host_files .cache/pip/wheels/3c/9d/7e/pkg-1.0-py3-none-any.whl .cache/pip/http-v2/a/b/c/d/e/0123456789abcdef.body
attack_case "pip profile: ~/.cache/pip (wheels, HTTP cache)" --profile pip -- \
	.cache/pip/wheels/3c/9d/7e/pkg-1.0-py3-none-any.whl .cache/pip/http-v2/a/b/c/d/e/0123456789abcdef.body

host_files .cache/yarn/v6/npm-x-1.0.0-0123-integrity/node_modules/x/index.js .yarn/berry/cache/x-npm-1.0.0-0123abcd-10c0.zip
attack_case "yarn profile: ~/.cache/yarn and ~/.yarn/berry" --profile yarn -- \
	.cache/yarn/v6/npm-x-1.0.0-0123-integrity/node_modules/x/index.js .yarn/berry/cache/x-npm-1.0.0-0123abcd-10c0.zip

host_files .local/share/pnpm/store/v10/files/ab/cdef0123 .cache/pnpm/metadata/registry.npmjs.org/x.json
attack_case "pnpm profile: the store and ~/.cache/pnpm" --profile pnpm -- \
	.local/share/pnpm/store/v10/files/ab/cdef0123 .cache/pnpm/metadata/registry.npmjs.org/x.json

host_files .local/share/gem/ruby/3.1.0/gems/x-1.0/lib/x.rb .gem/specs/rubygems.org%443/specs.4.8 .cache/gem/specs/rubygems.org%443/latest_specs.4.8
attack_case "gem profile: installed gems and the spec caches" --profile gem -- \
	.local/share/gem/ruby/3.1.0/gems/x-1.0/lib/x.rb .gem/specs/rubygems.org%443/specs.4.8 .cache/gem/specs/rubygems.org%443/latest_specs.4.8

# Credentials inside an overlaid directory stay hidden.
host_files .gem/credentials
cap nb --profile gem sh -c 'cat ~/.gem/credentials; ls ~/.gem'
t_is "$RC:$OUT" "0:credentials
specs" "gem profile: ~/.gem shows, but ~/.gem/credentials is empty inside"

# --- npm install through its profile (the real registry, when reachable) ----

if curl -sS -m 10 -o /dev/null https://registry.npmjs.org/is-number 2>/dev/null; then
	as_user sh -c 'rm -rf ~/.npm && mkdir real && echo "{}" >real/package.json'
	cap as_user sh -c 'cd real && exec "$0" npm install --no-audit --no-fund --loglevel=error is-number@7.0.0' "$NB"
	t_is "$RC" 0 "netbox npm install is-number (shipped profile, real registry): exit 0"
	t_ok "$([ -f "$NB_WORK/real/node_modules/is-number/package.json" ]; echo $?)" "npm install: is-number is installed"
	t_ok "$([ -n "$(find "$NB_HOME/.npm/_cacache/content-v2" -type f)" ]; echo $?)" "npm install: the tarball persisted in ~/.npm/_cacache/content-v2"
	t_is "$(ls -A "$NB_HOME/.npm") $(ls -A "$NB_HOME/.npm/_cacache")" "_cacache content-v2" "npm install: nothing else of ~/.npm persisted (no index-v5, no _logs)"
	# Outside, npm installs from what persisted, checking it: intact, it
	# works offline; changed by the box, npm refuses it and installs nothing.
	cap as_user sh -c 'cd real && rm -rf node_modules && npm ci --offline --no-audit --no-fund --loglevel=error'
	t_is "$RC" 0 "outside, npm ci --offline installs from the persisted store"
	cap nb --profile npm sh -c 'find ~/.npm/_cacache/content-v2 -type f -exec sh -c "for f; do echo \"module.exports = 1\" >\"\$f\" && echo changed; done" sh {} +'
	t_is "$RC:$(printf '%s\n' "$OUT" | sort -u)" "0:changed" "the box changes the files of the store (it is read-write)"
	cap as_user sh -c 'cd real && rm -rf node_modules && npm ci --offline --no-audit --no-fund --loglevel=error'
	t_ok "$([ "$RC" != 0 ] && [ ! -e "$NB_WORK/real/node_modules/is-number" ]; echo $?)" "outside, npm refuses a changed file in the store (installs nothing)"
else
	t_skip "netbox npm install with the shipped profile (real registry)" "registry.npmjs.org unreachable"
fi

t_done
