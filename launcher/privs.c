/* privs.c — the program's last steps before execve(): drop every privilege.
 *
 * Called in the program's process (a child of the sandbox init), in stages,
 * each needing what the previous one leaves (passt isolation.c, OpenBSD
 * pledge order):
 *   1. privs_set_identity(): the target uid/gid (a root invoker's program
 *      runs as SUDO_UID or nobody) and no supplementary groups where the
 *      namespace lets us drop them;
 *   2. privs_drop(): securebits locked (no root semantics, no keep-caps, no
 *      ambient raise), bounding and ambient sets emptied, then no
 *      effective/permitted/inheritable capabilities, then no_new_privs so
 *      setuid binaries and file capabilities gain nothing;
 *   3. seccomp_apply() (seccomp.c), last, as it forbids what 1–2 use.
 */
#include "privs.h"
#include "util.h"

#include <errno.h>
#include <grp.h>
#include <linux/securebits.h>
#include <sys/capability.h>
#include <sys/prctl.h>

void privs_set_identity(uid_t uid, gid_t gid, bool drop_groups)
{
	/* setgroups() is denied in a namespace set up by an unprivileged user
	 * ("deny" in /proc/PID/setgroups, CVE-2014-8989): then the program keeps
	 * the invoker's groups, which is exactly what it had outside. */
	if (drop_groups && setgroups(0, NULL) < 0)
		die_errno(NULL, "cannot drop supplementary groups");
	if (setresgid(gid, gid, gid) < 0)
		die_errno(NULL, "cannot set gid %u", (unsigned)gid);
	if (setresuid(uid, uid, uid) < 0)
		die_errno(NULL, "cannot set uid %u", (unsigned)uid);
}

void privs_drop(void)
{
	cap_t caps;
	int last = CAP_LAST_CAP;
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");

	/* Newer kernels may know capabilities this libcap was built without. */
	if (f) {
		if (fscanf(f, "%d", &last) != 1 || last < 0 || last > 63)
			last = CAP_LAST_CAP;
		fclose(f);
	}
	if (prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
					     SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |
					     SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |
					     SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED) < 0)
		die_errno(NULL, "cannot lock the securebits");
	for (int c = 0; c <= last; c++)
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			die_errno(NULL, "cannot drop capability %d from the bounding set", c);
	if (cap_reset_ambient() < 0)
		die_errno(NULL, "cannot clear the ambient capabilities");
	caps = cap_init();
	if (!caps || cap_set_proc(caps) < 0)
		die_errno(NULL, "cannot clear the capabilities");
	cap_free(caps);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die_errno(NULL, "cannot set no_new_privs");
}
