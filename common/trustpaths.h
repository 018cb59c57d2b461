/* trustpaths.h — where distributions keep the system's CA bundle: the
 * sandbox's trust files are bound over these (launcher/trust.c), the
 * supervisor reads the first that exists for the bundle it hands the
 * sandbox (supervisor/cabundle.c) and, after openssl's defaults, for its own
 * trust store of inspected hosts (netproxy/inspect_tls.c). */
#ifndef NETBOX_TRUSTPATHS_H
#define NETBOX_TRUSTPATHS_H

#include <stddef.h>

static const char *const trustpaths_bundles[] = {
	"/etc/ssl/certs/ca-certificates.crt",                /* Debian, Ubuntu, Arch, Alpine, Gentoo */
	"/etc/pki/tls/certs/ca-bundle.crt",                  /* Fedora, RHEL (a link to the last) */
	"/etc/ssl/ca-bundle.pem",                            /* openSUSE */
	"/etc/ssl/cert.pem",                                 /* Alpine, Arch, libressl */
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", /* Fedora, RHEL */
};
#define TRUSTPATHS_N (sizeof(trustpaths_bundles) / sizeof(trustpaths_bundles[0]))

#endif
