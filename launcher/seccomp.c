/* seccomp.c — load the system call filter in the program's process, just
 * before execve().  The filter was compiled to BPF at build time from the
 * rules in seccomp_rules.c (see seccomp_gen.c): loading it is one prctl(),
 * with no libseccomp work on every start.
 */
#include "privs.h"
#include "util.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>

#include "seccomp-filter.h"

static void seccomp_load(const struct sock_filter *insns, size_t n)
{
	struct sock_fprog prog = {
		.len = (unsigned short)n,
		.filter = (struct sock_filter *)insns,
	};

	/* no_new_privs is already set (privs_drop()); setting it again is
	 * what lets an unprivileged process install a filter at all. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		die_errno(NULL, "seccomp: cannot load the filter");
}

void seccomp_apply(void)
{
	seccomp_load(seccomp_filter_insns, ARRAY_SIZE(seccomp_filter_insns));
}

void seccomp_apply_userns(void)
{
	seccomp_load(seccomp_userns_insns, ARRAY_SIZE(seccomp_userns_insns));
}
