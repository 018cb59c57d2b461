#!/bin/bash
# package.sh — the Debian package (debian/, README.md "Install"), built and
# installed for real:
#   - dpkg-buildpackage -b -us -uc from a copy of the checkout, as an
#     unprivileged user, as a user would; what the .deb holds (binary, manual
#     page, completions, profiles, /etc/apparmor.d/netbox as a conffile, no
#     setuid bit); lintian finds nothing (every tag up to pedantic, but the
#     overrides debian/netbox.lintian-overrides justifies);
#   - the AppArmor profile: it grants `userns` to /usr/bin/netbox and nothing
#     else; parsed by this machine's apparmor_parser (AppArmor 4 parses it
#     whole; AppArmor 3, Debian 12's, has no `userns` rule: everything else
#     is parsed, and the postinst keeps it out of the boot-time load, which
#     the parser then passes over /etc/apparmor.d as a whole);
#   - dpkg -i into a throw-away root: the harness runs in its own mount
#     namespace, with overlays on /usr, /etc and /var that vanish with it, so
#     the machine's own packages never change;
#   - the installed /usr/bin/netbox end to end as the test user in the lab:
#     its profiles found under /usr/share/netbox, npm install from the lab
#     registry, a denied name, the hidden home, the manual page;
#   - the maintainer scripts where AppArmor 4 runs (a parser and the kernel's
#     AppArmor files stood in for: this kernel has no AppArmor): the profile
#     is loaded on configure and unloaded on remove; purge leaves nothing.

# All of it in a mount namespace of its own (before lib.sh makes anything).
if [ -z "${NB_PACKAGE_NS:-}" ] && [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null 2>&1; then
	exec unshare --mount --propagation private env NB_PACKAGE_NS=1 bash "$0" "$@"
fi
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lab/lab.sh"

SRC=$(cd "$LIB_DIR/.." && pwd)
if [ "${NETBOX_SANITIZE:-none}" != none ]; then
	echo "1..0 # SKIP the package is built by debian/rules, not by this sanitized build"
	exit 0
fi
lib_require_root
missing=""
for tool in dpkg-buildpackage dh lintian apparmor_parser; do
	command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
if [ -n "$missing" ]; then
	# CI installs them (scripts/install-deps): there, their absence is a failure.
	if [ "${CI:-}" = true ]; then
		t_ok 1 "the packaging tools are installed (missing:$missing)"
		t_done
	fi
	echo "1..0 # SKIP missing:$missing (scripts/install-deps installs them)"
	exit 0
fi

T=$(mktemp -d /tmp/netbox-package.XXXXXX)
chmod 755 "$T"
lib_on_exit "rm -rf '$T'"

# The test user first, in the real /etc: harnesses running beside this one
# pick their users' uids from it (under a lock), and one made in the overlay
# could get a uid another harness's user has too.
lib_user_up

# --- the throw-away root ---------------------------------------------------------

for d in usr etc var; do
	mkdir -p "$T/ov/$d/up" "$T/ov/$d/work"
	mount -t overlay overlay -o "lowerdir=/$d,upperdir=$T/ov/$d/up,workdir=$T/ov/$d/work" "/$d" ||
		{ echo "Bail out! cannot mount an overlay on /$d"; exit 1; }
done
lib_on_exit "umount -l /usr /etc /var"
dpkg-query -W netbox >/dev/null 2>&1 && dpkg --purge netbox >/dev/null 2>&1

# --- build -----------------------------------------------------------------------

B="$T/build"
mkdir -p "$B/netbox"
if git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$SRC" && git ls-files -z --cached --others --exclude-standard |
		tar --null --ignore-failed-read -cf - -T -) | tar -xf - -C "$B/netbox"
else
	tar -C "$SRC" --exclude='./build*' --exclude='./obj-*' -cf - . | tar -xf - -C "$B/netbox"
fi
chown -R "$NB_UID:$NB_GID" "$B"
as_user_raw sh -c 'cd "$0" && exec dpkg-buildpackage -b -us -uc' "$B/netbox" >"$T/build.log" 2>&1
RC=$?
t_is "$RC" 0 "dpkg-buildpackage -b -us -uc, as an unprivileged user, from a copy of the checkout"
[ "$RC" -eq 0 ] || tail -30 "$T/build.log" | t_why

VERSION=$(dpkg-parsechangelog -l "$SRC/debian/changelog" -S Version)
ARCH=$(dpkg --print-architecture)
DEB="$B/netbox_${VERSION}_$ARCH.deb"
CHANGES="$B/netbox_${VERSION}_$ARCH.changes"
[ -f "$DEB" ]
t_ok $? "it made ${DEB##*/}"
t_is "$VERSION" "$(sed -n "s/^ *version : '\\(.*\\)',/\\1/p" "$SRC/meson.build")" \
	"the package's version (debian/changelog) is meson.build's"

# --- what the package holds ------------------------------------------------------

LIST=$(dpkg-deb -c "$DEB" 2>&1)
has() { grep -qE " \\./$1\$" <<<"$LIST"; }
for f in usr/bin/netbox usr/share/man/man1/netbox.1.gz \
	usr/share/bash-completion/completions/netbox usr/share/zsh/vendor-completions/_netbox \
	usr/share/fish/vendor_completions.d/netbox.fish usr/share/netbox/log.schema.json \
	usr/libexec/netbox/apparmor-setup etc/apparmor.d/netbox usr/share/doc/netbox/copyright; do
	has "$f"
	t_ok $? "the package holds /$f"
done
want=$(find "$SRC/profiles" -maxdepth 1 -name '*.profile' -printf '%f\n' | LC_ALL=C sort | xargs)
got=$(sed -n 's|.* \./usr/share/netbox/profiles/\([^/]*\.profile\)$|\1|p' <<<"$LIST" | LC_ALL=C sort | xargs)
t_is "$got" "$want" "the package holds every shipped profile under /usr/share/netbox/profiles"
t_is "$(awk '$1 ~ /^-..[sS]|^-.....[sS]/' <<<"$LIST")" "" "nothing in it is setuid or setgid"
t_is "$(dpkg-deb --ctrl-tarfile "$DEB" | tar -xOf - ./conffiles 2>/dev/null)" "/etc/apparmor.d/netbox" \
	"/etc/apparmor.d/netbox is its one conffile (an administrator's change survives upgrades)"
t_is "$(dpkg-deb --ctrl-tarfile "$DEB" | tar -xOf - ./triggers 2>/dev/null | grep -v '^#' | xargs)" \
	"interest-noawait /sbin/apparmor_parser interest-noawait /usr/sbin/apparmor_parser" \
	"it watches apparmor_parser (an AppArmor installed or upgraded later)"
t_like "$(dpkg-deb -f "$DEB" Depends)" "libseccomp2.*|libseccomp2" "it depends on the libraries it links (shlibs)"

# --- the AppArmor profile --------------------------------------------------------

AA="$T/apparmor-netbox"
dpkg-deb --fsys-tarfile "$DEB" | tar -xOf - ./etc/apparmor.d/netbox >"$AA"
rules=$(sed -e 's/#.*//' -e 's/^[[:space:]]*//' -e '/^$/d' "$AA")
t_is "$rules" "abi <abi/4.0>,
include <tunables/global>
profile netbox /usr/bin/netbox flags=(unconfined) {
userns,
include if exists <local/netbox>
}" "the AppArmor profile: unconfined, userns, for /usr/bin/netbox only"
if [ -f /etc/apparmor.d/abi/4.0 ]; then
	cap apparmor_parser --skip-kernel-load --skip-cache "$AA"
	t_is "$RC" 0 "AppArmor 4's parser reads the profile"
	AA4=1
else
	sed -e 's|^abi <abi/4.0>,|abi <abi/3.0>,|' -e '/^[[:space:]]*userns,/d' "$AA" >"$AA.3"
	cap apparmor_parser --skip-kernel-load --skip-cache "$AA.3"
	t_is "$RC" 0 "AppArmor 3's parser reads the profile but for its two AppArmor 4 lines (abi/4.0, userns)"
	cap apparmor_parser --skip-kernel-load --skip-cache "$AA"
	t_is "$RC" 1 "AppArmor 3's parser refuses the profile whole (what the postinst keeps from the boot-time load)"
	AA4=0
fi

# --- lintian ---------------------------------------------------------------------

cap as_user_raw lintian --pedantic --display-info --display-experimental \
	--fail-on error,warning,info,pedantic,experimental "$CHANGES"
t_is "$RC" 0 "lintian --pedantic: no tag but the justified overrides"
[ "$RC" -eq 0 ] || printf '%s\n%s\n' "$OUT" "$ERR" | t_why

# --- dpkg -i ---------------------------------------------------------------------

cap dpkg -i "$DEB"
t_is "$RC" 0 "dpkg -i ${DEB##*/}"
[ "$RC" -eq 0 ] || printf '%s\n%s\n' "$OUT" "$ERR" | tail -20 | t_why
t_is "$(dpkg-query -W -f='${Status}' netbox 2>/dev/null)" "install ok installed" "dpkg: netbox is installed"
t_is "$(/usr/bin/netbox --version 2>&1)" "$("$NETBOX" --version 2>&1)" "/usr/bin/netbox is this version"
t_is "$(stat -c %a /usr/bin/netbox)" 755 "/usr/bin/netbox: mode 755, no setuid bit"
if [ "$AA4" = 0 ]; then
	t_is "$(readlink /etc/apparmor.d/disable/netbox)" /etc/apparmor.d/netbox \
		"AppArmor 3: the postinst links the profile into /etc/apparmor.d/disable"
	cap apparmor_parser --skip-kernel-load --skip-cache /etc/apparmor.d
	t_is "$RC" 0 "AppArmor 3: the boot-time load of /etc/apparmor.d passes over it (no failed apparmor.service)"
	[ "$RC" -eq 0 ] || printf '%s\n' "$ERR" | t_why
fi

# apparmor_parser installed after netbox (here: as if it had been absent at
# install, the link undone): its file trigger runs the postinst again.
if [ "$AA4" = 0 ]; then
	rm -f /etc/apparmor.d/disable/netbox /var/lib/netbox/apparmor-disabled/netbox
	dpkg-trigger --no-await /sbin/apparmor_parser && dpkg --triggers-only --pending >/dev/null 2>&1
	t_is "$(readlink /etc/apparmor.d/disable/netbox)" /etc/apparmor.d/netbox \
		"AppArmor 3 installed after netbox: the apparmor_parser file trigger links the profile into disable/ again"
fi

# --- the installed netbox, end to end --------------------------------------------

listed=$(as_user /usr/bin/netbox --list-profiles 2>&1 | LC_ALL=C sort | xargs)
t_is "$listed" "$(printf '%s\n' $want | sed 's/\.profile$//' | LC_ALL=C sort | xargs)" "netbox --list-profiles: the profiles under /usr/share/netbox"
cap as_user /usr/bin/netbox --check npm install
t_like "$OUT" "profiles: /usr/share/netbox/profiles/npm\\.profile" "netbox --check npm install reads /usr/share/netbox/profiles/npm.profile"

lab_up
cp "$LAB_CA" "$NB_WORK/ca.pem"
chmod 644 "$NB_WORK/ca.pem"
cap hx /usr/bin/netbox --allow registry.test npm install --no-audit --no-fund --loglevel=error \
	--registry "$LAB_NPM_REGISTRY" --cafile ca.pem "$LAB_NPM_PKG"
t_is "$RC" 0 "installed netbox: npm install from the lab registry (its npm profile and --allow registry.test)"
[ "$RC" -eq 0 ] || printf '%s\n' "$ERR" | tail -10 | t_why
cap hx /usr/bin/netbox node -e "console.log(require('$LAB_NPM_PKG'))"
t_is "$OUT" "$LAB_NPM_GREETING" "installed netbox: the package npm installed works"
cap hx /usr/bin/netbox --allow registry.test curl -sS --max-time 10 --cacert ca.pem https://evil.test/hello
t_like "$RC:$ERR" "^6:.*denied DNS evil\\.test" "installed netbox: a name not allowed does not resolve (curl exit 6, netbox names it)"
cap hx /usr/bin/netbox sh -c 'ls -A ~; cat ~/.ssh/id_rsa'
t_unlike "$OUT" "TEST-SECRET|\\.ssh|\\.aws" "installed netbox: the home is hidden"
cap env MANPAGER=cat MANWIDTH=80 man --warnings -E UTF-8 netbox
t_like "exit $RC" "^exit 0$" "man netbox: exit 0"
t_like "$OUT" "^ +netbox - run one untrusted program" "man netbox renders the installed page (NAME)"
t_is "$ERR" "" "man netbox: no warning"
lab_down

# --- where AppArmor 4 runs: load on configure, unload on remove ------------------
# A parser that takes the profile and says what it was asked, and the
# kernel's AppArmor files: tmpfs in this mount namespace only.
mkdir -p "$T/aa4/bin"
cat >"$T/aa4/bin/apparmor_parser" <<EOF
#!/bin/sh
echo "apparmor_parser \$*" >>"$T/aa4/calls"
exit 0
EOF
chmod 755 "$T/aa4/bin/apparmor_parser"
mount -t tmpfs tmpfs /sys/module && mkdir -p /sys/module/apparmor/parameters &&
	echo Y >/sys/module/apparmor/parameters/enabled &&
	mount -t tmpfs tmpfs /sys/kernel/security && mkdir /sys/kernel/security/apparmor
t_ok $? "AppArmor stood in for: /sys/module/apparmor/parameters/enabled = Y, /sys/kernel/security/apparmor"
lib_on_exit "umount /sys/kernel/security; umount /sys/module"

: >"$T/aa4/calls"
cap env PATH="$T/aa4/bin:$PATH" dpkg-reconfigure -fnoninteractive netbox
t_is "$RC" 0 "AppArmor 4: dpkg-reconfigure netbox"
t_like "$(cat "$T/aa4/calls")" "apparmor_parser --replace --skip-read-cache --write-cache /etc/apparmor.d/netbox" \
	"AppArmor 4: the postinst loads /etc/apparmor.d/netbox"
[ -e /etc/apparmor.d/disable/netbox ]
t_ok $((!$?)) "AppArmor 4: the link into /etc/apparmor.d/disable that AppArmor 3 needed is gone"

: >"$T/aa4/calls"
cap env PATH="$T/aa4/bin:$PATH" dpkg -r netbox
t_is "$RC" 0 "dpkg -r netbox"
t_like "$(cat "$T/aa4/calls")" "apparmor_parser --remove /etc/apparmor.d/netbox" "AppArmor 4: the prerm unloads the profile"
[ ! -e /usr/bin/netbox ] && [ -f /etc/apparmor.d/netbox ]
t_ok $? "dpkg -r: the binary is gone, the profile (a conffile) stays until purge"
umount /sys/kernel/security /sys/module

# --- purge leaves nothing --------------------------------------------------------

cap dpkg -i "$DEB"
t_is "$RC" 0 "dpkg -i again (this machine's own AppArmor)"
cap dpkg --purge netbox
t_is "$RC" 0 "dpkg --purge netbox"
left=$(ls -d /etc/apparmor.d/netbox /etc/apparmor.d/disable/netbox /var/lib/netbox /usr/libexec/netbox \
	/usr/share/netbox 2>/dev/null | xargs)
t_is "$left" "" "dpkg --purge: no profile, no disable link, no marker, no file left"

# --- the other path: meson install from the build directory, for real ------------
# (README.md "Install", from source), into the same throw-away root.
MB=$(cd "$(dirname "$NETBOX")/.." && pwd)
PREFIX=$(meson introspect "$MB" --buildoptions | "$PY" -c '
import json, sys
print([o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"][0])')
cap meson install -C "$MB" --no-rebuild --quiet
t_is "$RC" 0 "meson install (prefix $PREFIX)"
[ "$RC" -eq 0 ] || printf '%s\n' "$ERR" | tail -10 | t_why
AANAME=$(printf '%s' "${PREFIX#/}/bin/netbox" | tr / .)
[ "$PREFIX" = /usr ] && AANAME=netbox
grep -qx "profile $AANAME $PREFIX/bin/netbox flags=(unconfined) {" "/etc/apparmor.d/$AANAME" 2>/dev/null
t_ok $? "meson install: /etc/apparmor.d/$AANAME names $PREFIX/bin/netbox"
if [ "$AA4" = 0 ]; then
	t_is "$(readlink "/etc/apparmor.d/disable/$AANAME")" "/etc/apparmor.d/$AANAME" \
		"meson install, AppArmor 3: its install script keeps the profile from the boot-time load too"
	cap apparmor_parser --skip-kernel-load --skip-cache /etc/apparmor.d
	t_is "$RC" 0 "meson install, AppArmor 3: /etc/apparmor.d still loads as a whole"
fi
listed=$(as_user "$PREFIX/bin/netbox" --list-profiles 2>&1 | LC_ALL=C sort | xargs)
t_is "$listed" "$(printf '%s\n' $want | sed 's/\.profile$//' | LC_ALL=C sort | xargs)" \
	"meson install: $PREFIX/bin/netbox finds its profiles"

t_done
