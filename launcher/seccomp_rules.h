/* seccomp_rules.h — the filter's rules (seccomp_rules.c), shared by the
 * build-time compiler (seccomp_gen.c) and --check (seccomp_print()). */
#ifndef NETBOX_SECCOMP_RULES_H
#define NETBOX_SECCOMP_RULES_H

#include <seccomp.h>

/* Add every rule, and the extra architectures, to @ctx (default: allow). */
void seccomp_rules_build(scmp_filter_ctx ctx);
/* The filter --seccomp=off still loads: no new user namespace. */
void seccomp_rules_userns(scmp_filter_ctx ctx);

#endif
