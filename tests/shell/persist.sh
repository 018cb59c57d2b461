#!/bin/bash
# persist.sh — what the program writes is hostile input to the next run and
# to the user's own tools (DESIGN.md "Threat model, second pass").
#
# Each attack is first shown to work WITHOUT netbox (same user, same
# script), then run under netbox, and judged from OUTSIDE: the host's files
# after netbox exits, and the user's own git run afterwards (a hook or
# fsmonitor that runs leaves a marker file).
# Run as root (meson test --suite launcher); NETBOX is the binary under test.
# shellcheck disable=SC2016 # the scripts are for the sandboxed shell
. "$(dirname "$0")/../lib.sh"

lib_user_up

MARK="$NB_HOME/PWNED"
# git as the user, outside any sandbox, in $NB_WORK/repo
ugit() { as_user sh -c 'cd repo && exec git "$@"' git "$@"; }
fresh_repo() {
	rm -rf "$NB_WORK/repo" "$MARK"
	as_user sh -c 'git init -q repo && cd repo && git config user.email t@t && git config user.name t &&
		echo one > f && git add f && git commit -qm one && mkdir .husky && echo "exit 0" > .husky/pre-commit'
}
nb_repo() { as_user sh -c 'cd repo && exec "$0" "$@"' "$NB" "$@"; }
gone() { [ ! -e "$1" ] && [ ! -L "$1" ]; }

# The attack: everything a postinstall could leave in the project for later.
ATTACK='
git config core.fsmonitor "touch $HOME/PWNED; false"
git config core.hooksPath .evilhooks
mkdir -p .evilhooks && printf "#!/bin/sh\ntouch $HOME/PWNED\n" > .evilhooks/pre-commit && chmod +x .evilhooks/pre-commit
printf "#!/bin/sh\ntouch $HOME/PWNED\n" > .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit
printf "touch $HOME/PWNED\n" >> .husky/pre-commit
echo "touch $HOME/PWNED" > .envrc
mkdir -p .vscode && echo "{\"tasks\":[{\"command\":\"touch $HOME/PWNED\",\"runOptions\":{\"runOn\":\"folderOpen\"}}]}" > .vscode/tasks.json
echo "{\"mcpServers\":{}}" > .mcp.json
true'

# --- control: the attack works without netbox ----------------------------------
fresh_repo
as_user sh -c 'cd repo && sh -c "$0"' "$ATTACK"
cap ugit status --short
t_ok "$([ -e "$MARK" ]; echo $?)" "without netbox: after the attack, the user's git status runs the planted fsmonitor"
t_ok "$([ -s "$NB_WORK/repo/.envrc" ] && [ -s "$NB_WORK/repo/.vscode/tasks.json" ]; echo $?)" \
	"without netbox: .envrc and .vscode/tasks.json are planted"

# --- under netbox -----------------------------------------------------------------
fresh_repo
T_CONFIG="$NB_TMP/git-config.orig"
cp "$NB_WORK/repo/.git/config" "$T_CONFIG"
cap nb_repo sh -c "$ATTACK"
t_is "$RC" 0 "netbox: the attack script runs to its end"
t_like "$ERR" "Read-only file system" "netbox: writes into .git are refused inside (EROFS)"
t_ok "$(cmp -s "$T_CONFIG" "$NB_WORK/repo/.git/config"; echo $?)" "netbox: .git/config is unchanged on the host"
t_ok "$(gone "$NB_WORK/repo/.git/hooks/pre-commit"; echo $?)" "netbox: no .git/hooks/pre-commit on the host"
t_is "$(cat "$NB_WORK/repo/.husky/pre-commit")" "exit 0" "netbox: the existing .husky/pre-commit is unchanged"
for n in .envrc .vscode .mcp.json; do
	t_ok "$(gone "$NB_WORK/repo/$n"; echo $?)" "netbox: the new $n is gone from the host after exit"
	t_ok "$([ -e "$NB_WORK/repo/$n.netbox-refused" ]; echo $?)" "netbox: ... moved aside to $n.netbox-refused"
	t_like "$ERR" "^netbox: refused: the program created $n " "netbox: ... and the exit report names it"
done
cap ugit status --short
cap ugit commit -qam two --allow-empty
t_ok "$(gone "$MARK"; echo $?)" "netbox: the user's git status and git commit afterwards run nothing planted"

# Opting out by exact path: --rw .git lets git inside write its own repository.
fresh_repo
cap nb_repo --rw .git sh -c 'echo two > f && git commit -qam two && git log --oneline | wc -l'
t_is "$RC:$OUT" "0:2" "--rw .git: git commit works inside the box"
t_is "$(ugit log --oneline | wc -l)" 2 "--rw .git: the commit is in the host's repository"
cap nb_repo --rw .envrc sh -c 'echo "export A=1" > .envrc'
t_is "$RC:$(cat "$NB_WORK/repo/.envrc" 2>&1)" "0:export A=1" "--rw .envrc (not there yet): the program may create it"
t_unlike "$ERR" "refused" "--rw .envrc: nothing is reported as refused"

# A repository the program makes further down (git clone) stays, with a word.
fresh_repo
cap nb_repo sh -c 'mkdir -p clone/.git && echo "[core]" > clone/.git/config'
t_ok "$([ -d "$NB_WORK/repo/clone/.git" ]; echo $?)" "a new repository below the top (git clone) is left in place"
t_like "$ERR" "^netbox: the program created clone/\.git " "... and named at exit"

# ... but one that replaces an existing repository there (a submodule's .git,
# after renaming its directory away) is moved aside.
fresh_repo
as_user sh -c 'cd repo && git init -q sub'
cap nb_repo sh -c 'mv sub sub.old && mkdir -p sub/.git && echo "[core] fsmonitor = evil" > sub/.git/config'
t_ok "$(gone "$NB_WORK/repo/sub/.git"; echo $?)" "a repository replaced below the top is moved aside"
t_like "$ERR" "^netbox: refused: the program replaced sub/\.git " "... and reported"

# The repository's own .git inside a subdirectory is read-only too.
fresh_repo
as_user sh -c 'cd repo && git init -q sub2'
cap nb_repo sh -c 'echo x > sub2/.git/description'
t_like "$RC:$ERR" "^[1-9][0-9]*:.*Read-only file system" "sub2/.git (two levels down) is read-only inside"

# A .git file (worktree) and core.hooksPath: what they name is protected.
fresh_repo
as_user sh -c 'cd repo && mkdir -p tools/hooks && git config core.hooksPath tools/hooks && git worktree add -q wt 2>/dev/null'
cap nb_repo sh -c 'printf "#!/bin/sh\ntouch $HOME/PWNED\n" > tools/hooks/pre-commit; chmod +x tools/hooks/pre-commit'
t_like "$RC:$ERR" "^[1-9][0-9]*:.*(Read-only file system|Permission denied)" "core.hooksPath (tools/hooks) is read-only inside"
cap as_user sh -c 'cd repo/wt && exec "$0" sh -c "echo x >> ../.git/worktrees/wt/HEAD"' "$NB"
t_ok "$([ "$RC" != 0 ]; echo $?)" "a worktree's git directory (named by its .git file) is not writable inside"
cap ugit commit -qm x --allow-empty
t_ok "$(gone "$MARK"; echo $?)" "nothing planted ran at the user's next commit"

# git takes a directory holding HEAD, objects/ and refs/ for a repository:
# planted in a directory that was there before (no .git anywhere), it is
# undone like a .git; so is a .git made three levels down in an existing
# directory (the sweep enters every directory the run changed).
fresh_repo
as_user sh -c 'cd repo && mkdir -p src/a/b lib/x/y && echo x > src/a/b/f && echo y > lib/x/y/f'
BARE='b=$(mktemp -d) && git init -q --bare $b && cp -r $b/HEAD $b/objects $b/refs $b/config src/ &&
	git config --file src/config core.bare false && git config --file src/config core.worktree .. &&
	git config --file src/config core.fsmonitor "touch $HOME/PWNED; false";
	git init -q lib/x/y && git -C lib/x/y config core.fsmonitor "touch $HOME/PWNED; false"; true'
cap nb_repo sh -c "$BARE"
t_like "$ERR" "refused: the program created src \(git takes it for a repository.* moved its HEAD to src/HEAD\.netbox-refused" \
	"HEAD/objects/refs planted in an existing src/: its HEAD is moved aside"
t_like "$ERR" "refused: the program created lib/x/y/\.git " "a .git made three levels down, in an existing directory: moved aside"
t_is "$(stat -c %a "$NB_WORK/repo/lib/x/y/.git.netbox-refused" 2>&1)" 0 "... and made unreadable (no cd, no git prompt inside)"
as_user sh -c 'cd repo/src/a/b && git status >/dev/null 2>&1; cd ../../../lib/x/y && git status >/dev/null 2>&1'
t_ok "$(gone "$MARK"; echo $?)" "the user's git in src/a/b and lib/x/y afterwards runs nothing planted"
# control: the same planting without netbox does run
fresh_repo
as_user sh -c 'cd repo && mkdir -p src/a/b lib/x/y && eval "$0" && cd src/a/b && git status >/dev/null 2>&1' "$BARE"
t_ok "$([ -e "$MARK" ]; echo $?)" "control: without netbox, git in src/a/b runs the planted fsmonitor"
rm -f "$MARK"

# What git reads beyond .git, in the project: an included config file, the
# hooks directory your own ~/.gitconfig names, a .git that is a link.
fresh_repo
as_user sh -c 'cd repo && echo "[user]" > .gitconfig.shared && git config include.path ../.gitconfig.shared &&
	mkdir -p .hooks && git config --global core.hooksPath .hooks'
cap nb_repo sh -c 'echo "[core] fsmonitor = touch ~/PWNED" >> .gitconfig.shared; printf "#!/bin/sh\ntouch ~/PWNED\n" > .hooks/pre-commit; chmod +x .hooks/pre-commit'
t_is "$(cat "$NB_WORK/repo/.gitconfig.shared")" "[user]" "a config file .git/config includes is read-only inside"
t_ok "$(gone "$NB_WORK/repo/.hooks/pre-commit"; echo $?)" "the hooks directory ~/.gitconfig's core.hooksPath names is read-only inside"
as_user git config --global --unset core.hooksPath
as_user sh -c 'rm -rf linked && mkdir linked && cd linked && git init -q && mv .git .gitdir && ln -s .gitdir .git'
cap as_user sh -c 'cd linked && exec "$0" sh -c "git config core.fsmonitor x"' "$NB"
t_unlike "$(cat "$NB_WORK/linked/.gitdir/config")" "fsmonitor" "a .git that is a link: what it points to is read-only inside"

# The walk's budget cannot be spent to unprotect what was protected: netbox
# remembers it (~/.local/state/netbox/protected).
fresh_repo
as_user sh -c 'cd repo && mkdir -p tools && git init -q tools/helper'
cap nb_repo true
cap nb_repo sh -c 'for i in $(seq 1200); do mkdir d$i; done'
cap nb_repo sh -c 'git -C tools/helper config core.fsmonitor "touch $HOME/PWNED; false"'
t_ok "$([ "$RC" != 0 ]; echo $?)" "after 1,200 directories planted, tools/helper/.git stays read-only (remembered)"
t_like "$ERR" "Read-only file system" "... git inside says so"
t_unlike "$ERR" "moved tools/helper/\.git away" "... and netbox does not claim it was moved"
t_like "$(cat "$NB_HOME/.local/state/netbox/protected" | tr '\0' '\n')" "repo/tools/helper/\.git$" "... the memory lists it"
rm -rf "$NB_WORK/repo"/d*

# Names beyond git: rust-toolchain.toml at the top is moved aside.
fresh_repo
cap nb_repo sh -c 'printf "[toolchain]\npath = \"/tmp/evil\"\n" > rust-toolchain.toml'
t_ok "$(gone "$NB_WORK/repo/rust-toolchain.toml"; echo $?)" "a new rust-toolchain.toml is moved aside"
# ... and a name made below the top is named even with --quiet.
cap nb_repo --quiet sh -c 'mkdir -p fresh/x && echo "touch ~/PWNED" > fresh/x/.envrc'
t_like "$ERR" "the program created fresh/x/\.envrc .*in a new directory" "--quiet: a protected name made in a new directory is still named"

# The program cannot stop netbox before its sweep: kill(0) would reach
# netbox's process group (the one your shell made for the job).
fresh_repo
cap nb_repo sh -c 'echo "touch $HOME/PWNED" > .envrc; kill -KILL 0; echo still-running'
t_like "$OUT" "still-running" "kill -KILL 0 inside is refused (netbox shares the program's process group)"
t_ok "$(gone "$NB_WORK/repo/.envrc"; echo $?)" "... so netbox lives to move the planted .envrc aside"
# ... nor leave a file that runs as you for other local users.
cap nb_repo sh -c 'cp /bin/true .t && chmod 4755 .t; chmod 2755 .t; python3 -c "import os; os.open(\"s\", os.O_CREAT | os.O_WRONLY, 0o4755)"; chmod 755 .t && echo plain-chmod-works'
t_like "$OUT" "plain-chmod-works" "chmod without setuid/setgid still works inside"
t_is "$(stat -c %a "$NB_WORK/repo/.t")" 755 "chmod 4755 and 2755 are refused: no setuid file for other users"
t_ok "$(gone "$NB_WORK/repo/s"; echo $?)" "open(O_CREAT, 04755) is refused"

# Nothing at exit changes the program's status: a memory netbox cannot keep
# (a HOME it cannot write) is said, not fatal.
fresh_repo
cap as_user sh -c 'cd repo && HOME=/nonexistent-home exec "$0" sh -c "exit 3"' "$NB"
t_is "$RC" 3 "the program's exit status stays when netbox cannot keep its memory at exit"

# --- netbox's own files: links planted by an earlier run -------------------------
as_user sh -c 'echo "# my bashrc" > ~/.bashrc; mkdir -p ~/.config/netbox; echo "# mine" > ~/.config/netbox/default.profile'
cp "$NB_HOME/.bashrc" "$NB_TMP/bashrc.orig"
as_user ln -sf "$NB_HOME/.bashrc" "$NB_WORK/conns.jsonl"
cap nb --log conns.jsonl true
t_like "$RC:$ERR" "^125:netbox: --log conns\.jsonl: is a symbolic link" "--log through a planted symbolic link: refused, exit 125"
t_ok "$(cmp -s "$NB_HOME/.bashrc" "$NB_TMP/bashrc.orig"; echo $?)" "... and ~/.bashrc is untouched"
as_user sh -c 'rm -f conns.jsonl && ln ~/.bashrc conns.jsonl' 2>/dev/null
if [ "$(stat -c %h "$NB_HOME/.bashrc")" = 2 ]; then
	cap nb --log conns.jsonl true
	t_like "$RC:$ERR" "^125:netbox: --log conns\.jsonl: has 2 names" "--log on a planted hard link: refused, exit 125"
	t_ok "$(cmp -s "$NB_HOME/.bashrc" "$NB_TMP/bashrc.orig"; echo $?)" "... and ~/.bashrc is untouched"
else
	t_skip "--log on a planted hard link" "the home and the work directory are on different file systems"
fi
as_user rm -f "$NB_WORK/conns.jsonl"
as_user ln -sf "$NB_HOME/.config/netbox/default.profile" "$NB_WORK/tool.profile"
cap nb --learn=tool.profile true
t_like "$RC:$ERR" "^125:netbox: --learn tool\.profile: is a symbolic link" "--learn=FILE through a planted link: refused, exit 125"
t_is "$(cat "$NB_HOME/.config/netbox/default.profile")" "# mine" "... and ~/.config/netbox/default.profile is untouched"
as_user rm -f "$NB_WORK/tool.profile"
as_user mkfifo "$NB_WORK/fifo.jsonl"
cap as_user timeout 10 "$NB" --log fifo.jsonl true
t_like "$RC:$ERR" "^125:netbox: --log fifo\.jsonl: (a named pipe nobody reads|is a named pipe in)" "--log on a planted named pipe: refused at once, no hang"
as_user rm -f "$NB_WORK/fifo.jsonl"

# The log is out of the program's reach while netbox writes it.
cap nb --log conns.jsonl sh -c 'echo "{\"forged\":1}" >> conns.jsonl; true'
t_like "$ERR" "(Read-only file system|Permission denied)" "the log cannot be written inside"
t_unlike "$(cat "$NB_WORK/conns.jsonl")" "^\{\"forged\"" "the host's log holds no forged line"
cap nb --log conns.jsonl sh -c 'mv conns.jsonl x.jsonl; true'
t_ok "$([ -f "$NB_WORK/conns.jsonl" ] && gone "$NB_WORK/x.jsonl"; echo $?)" "the log cannot be renamed inside"

# The learned profile: the program renames a profile of its own into place.
cap nb --learn=tool.profile sh -c 'printf "rw ~\nallow *\n" > x.profile; mv x.profile tool.profile; true'
t_unlike "$(cat "$NB_WORK/tool.profile")" "^(rw|allow)" "--learn=FILE: a profile the program renamed into place is not what netbox wrote"
t_like "$ERR" "learned profile written to tool\.profile .*--profile \./tool\.profile" "... netbox wrote its own and says how to replay it"
cap nb --profile ./tool.profile cat "$NB_HOME/.ssh/id_rsa"
t_is "$RC:$OUT" "1:" "replaying it: the home stays hidden"
# ... or renames the directory above it and makes the path again.
as_user mkdir -p "$NB_WORK/sub"
cap nb --learn=sub/t.profile sh -c 'mv sub sub.old && mkdir sub && printf "rw ~\n" > sub/t.profile'
t_like "$ERR" "sub/t\.profile is no longer the file netbox created" "--learn=sub/FILE after the program swapped sub/: netbox says so"
t_like "$ERR" "^# netbox profile learned" "... and prints the profile instead"
t_unlike "$ERR" "learned profile written" "... and does not claim to have written it"

# A profile in the current directory is read-only for the run (and said so).
as_user sh -c 'echo "allow example.test" > x.profile'
cap nb --profile ./x.profile sh -c 'echo "rw ~" >> x.profile'
t_ok "$([ "$RC" != 0 ]; echo $?)" "--profile ./x.profile: the program cannot edit it"
t_is "$(cat "$NB_WORK/x.profile")" "allow example.test" "... it is unchanged on the host"
t_like "$ERR" "^netbox: profile .*x\.profile lies in .*read-only for this run" "... and netbox says where profiles belong"

# --- user paths through planted links -----------------------------------------------
as_user sh -c 'ln -sfn ~/.aws data; mkdir -p conf && echo decoy > conf/secret.env; ln -sfn conf conflink'
cap as_user cat "$NB_WORK/data/credentials"
t_like "$OUT" "TEST-SECRET-AWS" "without netbox: ./data (a planted link) leads to ~/.aws"
for opt in --ro --rw; do
	cap nb "$opt" ./data cat data/credentials
	t_like "$RC:$ERR" "^125:netbox: $opt .*data is a symbolic link to $NB_HOME/\.aws" "$opt ./data -> ~/.aws: refused, exit 125"
	t_unlike "$OUT" "TEST-SECRET" "$opt ./data: no secret"
done
cap nb --ro "$NB_HOME/.aws" cat data/credentials
t_is "$RC" 0 "naming the target itself (--ro ~/.aws) still works"
t_like "$OUT" "TEST-SECRET-AWS" "... and shows it"
cap nb --hide conflink/secret.env true
t_like "$RC:$ERR" "^125:netbox: --hide .*conflink is a symbolic link" "--hide through a link in the current directory: refused"
# --hide holds when the program renames the directory above it.
cap nb --hide conf/secret.env sh -c 'mv conf conf.moved && cat conf.moved/secret.env; mv conf.moved conf'
t_is "$OUT" "" "--hide conf/secret.env: still hidden after the program renames conf/"

# The current directory reached through a planted link.
as_user ln -sfn "$NB_HOME/.ssh" "$NB_WORK/build"
cap as_user sh -c 'cd build && PWD=$(pwd) exec "$0" sh -c "cat id_rsa; echo planted > x"' "$NB"
t_unlike "$OUT" "TEST-SECRET" "cwd ./build -> ~/.ssh: the key is not readable"
t_ok "$(gone "$NB_HOME/.ssh/x"; echo $?)" "cwd ./build -> ~/.ssh: nothing is written into ~/.ssh"
t_like "$ERR" "not exposed \((you reached it through a link|it lies in a hidden directory of your home)" "... and netbox says why"

# A program path through a planted link into a hidden tool directory.
as_user sh -c 'mkdir -p ~/.cargo/bin && echo TOKEN-SECRET > ~/.cargo/credentials.toml &&
	printf "#!/bin/sh\ncat ~/.cargo/credentials.toml\n" > ~/.cargo/bin/tool && chmod 755 ~/.cargo/bin/tool &&
	mkdir -p bin && ln -sfn ~/.cargo/bin/tool bin/tool'
cap nb ./bin/tool
t_unlike "$OUT" "TOKEN-SECRET" "./bin/tool -> ~/.cargo/bin/tool: ~/.cargo is not exposed"
t_like "$ERR" "bin/tool is a symbolic link to $NB_HOME/\.cargo/bin/tool, in .*does not expose where it leads" \
	"... and netbox says why"
# The user's own link (~/.local/bin/tool -> ~/.cargo/bin/tool): the bin
# directory is exposed, not ~/.cargo above it with its credentials.
as_user sh -c 'mkdir -p ~/.local/bin && ln -sfn ~/.cargo/bin/tool ~/.local/bin/tool'
cap nb "$NB_HOME/.local/bin/tool"
t_unlike "$OUT" "TOKEN-SECRET" "~/.local/bin/tool -> ~/.cargo/bin/tool: ~/.cargo/credentials.toml stays hidden"
t_like "$ERR" "$NB_HOME/\.cargo/bin is hidden in the sandbox: making it visible read-only" "... only ~/.cargo/bin is exposed"

# The current directory inside a hidden directory of the home, however the
# caller got there (env -C sets no $PWD through the link).
cap as_user sh -c 'env -u PWD env -C build "$0" sh -c "cat id_rsa; echo planted > x"' "$NB"
t_unlike "$OUT" "TEST-SECRET" "cwd entered through a planted link without \$PWD (env -C): the key is not readable"
t_ok "$(gone "$NB_HOME/.ssh/x"; echo $?)" "... and nothing is written into ~/.ssh"
t_like "$ERR" "not exposed \(it lies in a hidden directory of your home" "... and netbox says why"

# A user install (~/.local/bin/netbox, ~/.local/share/netbox/profiles): its
# shipped profiles are protected when a run writes ~/.local.
as_user sh -c 'mkdir -p ~/.local/bin ~/.local/share/netbox' && cp "$NB" "$NB_HOME/.local/bin/netbox" &&
	cp -r "$NB_TMP/profiles" "$NB_HOME/.local/share/netbox/profiles" && chown -R "$NB_UID:$NB_GID" "$NB_HOME/.local"
cp "$NB_HOME/.local/share/netbox/profiles/npm.profile" "$NB_TMP/npm.profile.orig"
cap as_user "$NB_HOME/.local/bin/netbox" --rw "$NB_HOME/.local" sh -c 'echo "rw ~/.ssh" >> ~/.local/share/netbox/profiles/npm.profile'
t_ok "$(cmp -s "$NB_HOME/.local/share/netbox/profiles/npm.profile" "$NB_TMP/npm.profile.orig"; echo $?)" \
	"a user install's shipped profiles are read-only in a run that writes ~/.local"

# --- --rw ~: the home's own protected paths -------------------------------------------
cp "$NB_HOME/.bashrc" "$NB_TMP/bashrc.orig"
cap as_user sh -c 'cd && exec "$0" --rw ~ sh -c "echo evil >> .bashrc; echo evil > .bash_profile; mkdir -p .config/autostart; true"' "$NB"
t_ok "$(cmp -s "$NB_HOME/.bashrc" "$NB_TMP/bashrc.orig"; echo $?)" "--rw ~: ~/.bashrc is read-only"
t_ok "$(gone "$NB_HOME/.bash_profile"; echo $?)" "--rw ~: a new ~/.bash_profile is moved aside"
t_like "$ERR" "refused: the program created (~/)?\.bash_profile" "... and reported"
as_user sh -c 'echo "# aliases" > ~/.bash_aliases'
cap as_user sh -c 'cd && exec "$0" --rw ~ sh -c "echo evil >> .bash_aliases; echo evil > .local/lib/x.pth"' "$NB"
t_is "$(cat "$NB_HOME/.bash_aliases")" "# aliases" "--rw ~: ~/.bash_aliases is read-only"
t_unlike "$ERR" "profile .*default\.profile lies in" "--rw ~: netbox's own profiles are protected, so no notice about them"

# --- discarded writes ---------------------------------------------------------------
cap nb sh -c 'mkdir -p ~/.npm-global/lib && for i in 1 2 3; do echo $i > ~/.npm-global/lib/f$i; done; echo t > /tmp/t1'
t_like "$ERR" "^netbox: discarded at exit: 3 files .* in your hidden home: ~/\.npm-global \(3\) .*--rw ~/\.npm-global" \
	"writes into the hidden home are counted at exit, with the option that keeps them"
t_like "$ERR" "^netbox: discarded at exit: 1 file .* in /tmp" "... and those in /tmp"
# The names are the program's: shown escaped (common/util.c), one line each.
cap nb sh -c 'touch "/tmp/$(printf "x\033[2J\nnetbox: all good")"'
t_like "$ERR" "^netbox: discarded at exit: 1 file .* in /tmp: /tmp/x\\\\x1b\[2J\\\\x0anetbox: all good\$" \
	"a discarded file's name with ESC and a newline is shown escaped"
t_is "$(printf '%s' "${ERR//—/}" | LC_ALL=C tr -d '\040-\176\n')" "" "... and nothing but printable lines reach stderr"
cap nb true
t_unlike "$ERR" "discarded" "a run that leaves nothing says nothing"
cap nb --quiet sh -c 'echo x > ~/y'
t_unlike "$ERR" "discarded" "--quiet: no report"

t_done
