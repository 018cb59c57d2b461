/* userns.c — the host's settings that allow or forbid unprivileged user
 * namespaces, in one table: netbox's message when creating the sandbox
 * fails (sandbox.c) and --doctor's rows (doctor.c) both come from it.
 *
 * Runs in netbox (and its --doctor), before any namespace exists or right
 * after creating one failed: it only reads /proc.
 */
#include "userns.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct userns_sysctl userns_sysctls[USERNS_NSYSCTLS] = {
	[USERNS_APPARMOR] = {
		.name = "kernel.apparmor_restrict_unprivileged_userns",
		.path = "sys/kernel/apparmor_restrict_unprivileged_userns",
		.off = "1",
		.what = "AppArmor restricts unprivileged user namespaces to the programs a profile "
			"allows them (Ubuntu 23.10+)",
		.fix = "install netbox (its package, or sudo meson install: both install an AppArmor "
		       "profile for the installed binary), or give this binary one (netbox --doctor "
		       "prints it), or for every program: sudo sysctl -w "
		       "kernel.apparmor_restrict_unprivileged_userns=0",
		.absent = "not on this kernel (no AppArmor restriction of user namespaces)",
	},
	[USERNS_CLONE] = {
		.name = "kernel.unprivileged_userns_clone",
		.path = "sys/kernel/unprivileged_userns_clone",
		.off = "0",
		.what = "unprivileged user namespaces are disabled",
		.fix = "sudo sysctl -w kernel.unprivileged_userns_clone=1, and to keep it after a "
		       "reboot: echo kernel.unprivileged_userns_clone=1 | sudo tee "
		       "/etc/sysctl.d/60-netbox.conf",
		.absent = "not on this kernel (only Debian's older kernels have this switch)",
	},
	[USERNS_MAX] = {
		.name = "user.max_user_namespaces",
		.path = "sys/user/max_user_namespaces",
		.off = "0",
		.what = "user namespaces are disabled",
		.fix = "sudo sysctl -w user.max_user_namespaces=15000, and to keep it after a "
		       "reboot: echo user.max_user_namespaces=15000 | sudo tee "
		       "/etc/sysctl.d/60-netbox.conf (inside a container, its runtime sets it)",
		.absent = "not on this kernel (a kernel without user namespaces: CONFIG_USER_NS)",
	},
};

bool userns_proc_read(const char *rel, char *buf, size_t len)
{
	char path[PATH_MAX];
	const char *root = "/proc";

#ifdef NETBOX_TEST_HOOKS
	/* The Debian and Ubuntu sysctls cannot be set on the test machine's
	 * kernel: the tests name a directory of such files instead. */
	if (getenv("NETBOX_TEST_PROC"))
		root = getenv("NETBOX_TEST_PROC");
#endif
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", root, rel) >= sizeof(path))
		return false;
	return read_file_line(path, buf, len);
}

bool userns_sysctl_read(size_t i, char *buf, size_t len)
{
	return i < USERNS_NSYSCTLS && userns_proc_read(userns_sysctls[i].path, buf, len);
}

bool userns_sysctl_is_off(size_t i, const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (i >= USERNS_NSYSCTLS || end == v)
		return false;
	/* A count, for max_user_namespaces: 0 and below allow none. */
	if (strcmp(userns_sysctls[i].off, "0") == 0)
		return n <= 0;
	return strcmp(v, userns_sysctls[i].off) == 0;
}

bool userns_apparmor_label(char *buf, size_t len)
{
	/* The first is AppArmor's own (Linux 5.8+, with LSM stacking); the
	 * second is whichever LSM is the main one, AppArmor's on older ones. */
	return userns_proc_read("self/attr/apparmor/current", buf, len) ||
	       userns_proc_read("self/attr/current", buf, len);
}

/* AppArmor's restriction applies only to an unconfined process: a profile
 * attached to netbox is what lifts it (its userns rule). */
static bool userns_apparmor_restricts(void)
{
	char v[32], label[256];

	if (!userns_sysctl_read(USERNS_APPARMOR, v, sizeof(v)) ||
	    !userns_sysctl_is_off(USERNS_APPARMOR, v))
		return false;
	return !userns_apparmor_label(label, sizeof(label)) || strcmp(label, "unconfined") == 0;
}

/* errno is kept: the caller's die_errno() reads it after this returns. */
const char *userns_hint(int err)
{
	static char hint[1024];
	char v[32];
	int saved = errno;
	const char *r = NULL;

	for (size_t i = 0; i < USERNS_NSYSCTLS; i++) {
		const struct userns_sysctl *s = &userns_sysctls[i];

		if (i == USERNS_APPARMOR ? !userns_apparmor_restricts()
					 : !userns_sysctl_read(i, v, sizeof(v)) || !userns_sysctl_is_off(i, v))
			continue;
		snprintf(hint, sizeof(hint), "%s (%s=%s): %s", s->what, s->name,
			 i == USERNS_APPARMOR ? "1" : v, s->fix);
		r = hint;
		break;
	}
	errno = saved;
	if (r)
		return r;
	if (err == ENOSPC)
		return "too many user namespaces exist: raise user.max_user_namespaces (sudo sysctl -w "
		       "user.max_user_namespaces=15000)";
	if (err == EINVAL)
		return "this kernel was built without user namespaces (CONFIG_USER_NS)";
	return "user namespaces are not permitted here (a container's seccomp profile, or an LSM?): "
	       "run netbox on the host or in a VM; netbox --doctor says more";
}
