/* userns.h — the host's settings that allow or forbid unprivileged user
 * namespaces (userns.c): read by netbox when creating the sandbox fails and
 * by --doctor (doctor.c). */
#ifndef NETBOX_USERNS_H
#define NETBOX_USERNS_H

#include <stdbool.h>
#include <stddef.h>

/* One sysctl that can turn unprivileged user namespaces off. */
struct userns_sysctl {
	const char *name; /* as sysctl(8) names it */
	const char *path; /* under /proc */
	const char *off;  /* the value that turns them off ("0": also any value <= 0) */
	const char *what; /* what that value means */
	const char *fix;  /* the exact commands that undo it */
	const char *absent; /* what it means that this kernel has no such file */
};

enum {
	USERNS_APPARMOR, /* kernel.apparmor_restrict_unprivileged_userns */
	USERNS_CLONE,    /* kernel.unprivileged_userns_clone */
	USERNS_MAX,      /* user.max_user_namespaces */
	USERNS_NSYSCTLS,
};
extern const struct userns_sysctl userns_sysctls[USERNS_NSYSCTLS];

/* The value of sysctl @i in @buf; false if this kernel has none. */
bool userns_sysctl_read(size_t i, char *buf, size_t len);
/* Whether sysctl @i's value @v turns user namespaces off. */
bool userns_sysctl_is_off(size_t i, const char *v);

/* A file under /proc (@rel: "sys/kernel/x", "self/attr/current"): its first
 * line in @buf; false if there is none.  With test hooks, NETBOX_TEST_PROC
 * names a directory read instead of /proc. */
bool userns_proc_read(const char *rel, char *buf, size_t len);

/* This process's AppArmor label ("unconfined", "netbox (unconfined)") in
 * @buf; false if there is no AppArmor (or no label can be read). */
bool userns_apparmor_label(char *buf, size_t len);

/* Why creating or using a user namespace failed with @err, as a die() fix
 * text: the first sysctl that turns them off, else what @err suggests. */
const char *userns_hint(int err);

#endif
