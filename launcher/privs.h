/* privs.h — dropping privileges and the system call filter (privs.c,
 * seccomp.c), applied in the program's process just before execve(). */
#ifndef NETBOX_PRIVS_H
#define NETBOX_PRIVS_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

void privs_set_identity(uid_t uid, gid_t gid, bool drop_groups);
void privs_drop(void);

/* Load the filter; dies on failure.  Must be the last step before exec. */
void seccomp_apply(void);
/* --seccomp=off: only the rules that keep new user namespaces out
 * (seccomp_rules_userns()). */
void seccomp_apply_userns(void);
/* For --check: one line per rule. */
void seccomp_print(FILE *out);

#endif
