/* trust.h — the run's CA inside the sandbox, for runs that inspect requests
 * (issue 13): which runs, which paths (trust.c); the variables are env.c's,
 * the bundle is made by the supervisor (supervisor/cabundle.c). */
#ifndef NETBOX_TRUST_H
#define NETBOX_TRUST_H

#include "config.h"

#include <stddef.h>
#include <stdint.h>

/* The run's CA alone, in the sandbox. */
#define TRUST_CA_DIR "/etc/ssl/certs"
#define TRUST_CA_NAME "netbox-ca.pem"
#define TRUST_CA_PATH TRUST_CA_DIR "/" TRUST_CA_NAME
/* The bundle (the host's CAs and the run's), in the sandbox: always there
 * when the run inspects (trust.c makes it when the host has none), so the
 * variables can name it whatever the distribution. */
#define TRUST_BUNDLE_NAME "ca-certificates.crt"
#define TRUST_BUNDLE_PATH TRUST_CA_DIR "/" TRUST_BUNDLE_NAME

/* Bounds of CHANNEL_TRUST's bundle: Debian's is ~220 KiB. */
#define TRUST_MAX_BUNDLE (16u << 20)
#define TRUST_MAX_CA 16384u

/* The system bundles of the distributions, where the host's is read
 * (after SSL_CERT_FILE and openssl's default) and where the sandbox's is
 * bound when the path exists there. */

/* What the init received: the bundle, its last @ca_len bytes the CA. */
struct trust_bundle {
	char *data;
	size_t len;
	size_t ca_len;
	uint32_t ca_hash;
};

/* netbox, after the options: cfg->inspects. */
void trust_plan(struct config *cfg);

/* --check: the files the sandbox trusts, when the run inspects. */
void trust_print(const struct config *cfg);

/* The init, before it builds the mount tree: wait for the supervisor's
 * bundle (CHANNEL_TRUST on @chan) and check it.  Dies on a bad one. */
void trust_receive(int chan, struct trust_bundle *tb);
void trust_bundle_free(struct trust_bundle *tb);

/* The init, staged (mounts.c), after the planned mounts: the bundle and the
 * CA in a read-only tmpfs of their own, bound over the system bundles that
 * exist under @root (the new root) and at TRUST_CA_PATH. */
void trust_mount(const struct trust_bundle *tb, const char *root);

#endif
