/* doctor.h — netbox --doctor: whether netbox works here, and why not
 * (doctor.c: the rows and the sandbox's probes, read; doctor_host.c: the
 * kernel's features, tried in children; doctor_probe.c: the probes, run
 * inside a sandbox by netbox's own executable). */
#ifndef NETBOX_DOCTOR_H
#define NETBOX_DOCTOR_H

#include "config.h"
#include "util.h"

#include <limits.h>

enum doctor_verdict {
	DOCTOR_OK,     /* held */
	DOCTOR_FAIL,   /* netbox cannot work (or work fully) here: a fix follows */
	DOCTOR_INFO,   /* something netbox does not need */
	DOCTOR_NOTRUN, /* not tried: what it needs failed above (counts as not held) */
};

/* One line of the doctor's output. */
struct doctor_row {
	enum doctor_verdict verdict;
	char what[PATH_MAX + 1024]; /* what was found */
	char fix[PATH_MAX + 2048]; /* for a failure: the exact commands, maybe several lines */
};

/* What the rows learn and the later ones need. */
struct doctor {
	const struct config *cfg;
	char exe[PATH_MAX]; /* netbox's own executable, resolved */
	bool userns;        /* a user namespace could be made */
	bool seccomp;       /* a seccomp filter could be loaded */
	unsigned held, failed;
};

void doctor_set(struct doctor_row *r, enum doctor_verdict v, const char *fix, const char *fmt, ...)
	PRINTF(4, 5);

/* doctor_host.c: each tried for real in a child, as netbox will use it. */
void doctor_host_userns(struct doctor *d, struct doctor_row *r);
void doctor_host_seccomp(struct doctor *d, struct doctor_row *r);
void doctor_host_notify(struct doctor *d, struct doctor_row *r);
void doctor_host_pidfd(struct doctor *d, struct doctor_row *r);
void doctor_host_landlock(struct doctor *d, struct doctor_row *r);

/* The part of main() that plans and runs a sandbox for @cfg: its exit status. */
typedef int doctor_box_fn(struct config *cfg);

/* netbox --doctor: prints the rows, then the probes' results; 0 if every
 * check and probe held, 1 otherwise. */
int doctor_main(struct config *cfg, doctor_box_fn *box);

/* doctor_probe.c.  The probes, in the order they run and are reported. */
struct doctor_probe {
	const char *key;   /* its word in the probe's output */
	const char *title; /* what held, as the doctor prints it */
	/* Writes "KEY ok|FAIL DETAIL" on stdout; @argv: the home and its entries seen outside. */
	void (*fn)(const struct doctor_probe *p, int argc, char **argv);
};
extern const struct doctor_probe doctor_probes[];
extern const size_t doctor_nprobes;

#define DOCTOR_PROBE_ARG "--doctor-probe"
/* Inside the sandbox: netbox DOCTOR_PROBE_ARG HOME [ENTRY...]. */
int doctor_probe_main(int argc, char **argv);

#endif
