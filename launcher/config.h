/* config.h — the effective configuration of one netbox run.
 *
 * options.c fills it from the command line and the profiles; the planners
 * (mountplan.c, paths.c, protect.c, ...) complete it in netbox; every later
 * stage (mounts.c, env.c, sandbox.c, and the network side) only reads it.
 * Paths in it are absolute and resolved (realpath) by the time options.c
 * returns.
 */
#ifndef NETBOX_CONFIG_H
#define NETBOX_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* The kinds of mount the plan holds (mountplan.c), applied by mounts.c. */
enum mount_kind {
	/* The user's, one per option (--ro, ...), and netbox's own too: */
	MOUNT_RO,    /* bind the host path read-only */
	MOUNT_RW,    /* bind the host path read-write */
	MOUNT_HIDE,  /* cover with an empty, read-only directory or file */
	MOUNT_TMPFS, /* cover with an empty, writable tmpfs */
	MOUNT_OVERLAY, /* the host path, with writes kept in a throw-away layer */
	/* netbox's defaults only: */
	MOUNT_DEV,   /* minimal /dev */
	MOUNT_PROC,  /* fresh /proc of the new pid namespace */
	MOUNT_SYS,   /* fresh sysfs of the new network namespace */
	MOUNT_COVER, /* writable empty tmpfs owned by the user (a home, /tmp) */
	MOUNT_SOCKET, /* a unix socket of the host, or a directory of them, hidden
		       * if still there when the sandbox is made (unixsock.c) */
};

struct mount_req {
	enum mount_kind kind;
	char *path;         /* absolute, symlinks resolved */
	char *given;        /* as the user named it, made absolute but links
			     * not resolved (paths.c checks it); NULL for
			     * netbox's own */
	bool is_dir;        /* what the host path is (tmpfs: always a directory) */
	const char *origin; /* why: "--ro", "default: homes", "current directory" */
	int depth;          /* path components, for ordering parents first */
	int seq;            /* insertion order, the tie-breaker: later wins */
};

enum net_mode {
	NET_FILTER, /* the default: resolver + proxy, only what rules allow */
	NET_NONE,   /* --net=none: loopback only, no proxy at all */
};

struct policy;
struct protect;
struct proxyconf;

/* A file netbox writes for the user (outputs.c). */
struct output_file {
	int fd;       /* open for writing, or -1 */
	int dirfd;    /* its directory (O_PATH), or -1 when it is not a
		       * regular file (a pipe, a terminal: written as is) */
	char *name;   /* its name in that directory */
	dev_t dev;    /* what netbox created or opened there */
	ino_t ino;
};

/* Which of the program's calls the supervisor hears of before they happen
 * (launcher/notify.c says why each). */
enum notify_calls {
	NOTIFY_SOCKET = 1,  /* socket() of raw and ICMP sockets */
	NOTIFY_CONNECT = 2, /* connect() */
	NOTIFY_SEND = 4,    /* sendto() with an address, sendmsg(), sendmmsg() */
};

/* Who made each attempt (supervisor/attrib.c): on by default when the run
 * writes a log or learns, since the cost (a notification per connect and
 * datagram) is only worth it when someone reads the answer. */
enum attribute_mode { ATTRIBUTE_AUTO, ATTRIBUTE_ON, ATTRIBUTE_OFF };

struct config {
	char **argv;          /* the program and its arguments */
	char *prog_path;      /* where the program was found on the host, or NULL */

	struct mount_req *mounts;
	size_t nmounts;

	char **keep_env;      /* --keep-env NAMEs on the command line: as is */
	size_t nkeep_env;
	char **keep_env_profile; /* keep-env NAMEs in profiles: past the name
				  * rules, not the value rules (env.c) */
	size_t nkeep_env_profile;
	char **set_env;       /* --setenv NAME=VALUE */
	size_t nset_env;
	char **unset_env;     /* --unsetenv NAME */
	size_t nunset_env;
	bool clearenv;

	int *pass_fds;        /* --pass-fd N */
	size_t npass_fds;

	unsigned long long tmpfs_size; /* --tmpfs-size: all throw-away places together */
	unsigned long max_procs;       /* --max-procs: RLIMIT_NPROC in the sandbox */
	char **host_sockets;           /* the host's path sockets (/proc/net/unix), sorted */
	size_t nhost_sockets;
	char **allow_unix;             /* --allow-unix PATH, resolved */
	size_t nallow_unix;

	enum net_mode net;
	struct policy *policy;   /* --allow/--deny rules (policy/policy.h) */
	size_t nrules;
	uint8_t *listen_ports;   /* 65536-bit map of the TCP ports to serve */
	bool ondemand;           /* a rule allows every port: listeners made
				  * when the program connects (supervisor/ondemand.c) */
	bool inspects;           /* request rules: some hosts' requests are
				  * inspected, with a CA made for the run that
				  * the sandbox trusts (trust.c) */
	const char *upstream_proxy_arg; /* --upstream-proxy URL|none, or NULL */
	struct proxyconf *upstream_proxy; /* the proxies connections go through
				  * (launcher/upproxy.c), or NULL: direct */
	enum attribute_mode attribute; /* --attribute, --no-attribute */
	unsigned notify;         /* the calls the supervisor is told of
				  * (enum notify_calls; launcher/notify.c), 0: none */
	size_t nrules_cmdline;   /* of nrules, those from the command line */
	bool seccomp;
	bool check;
	bool doctor;            /* --doctor: no program (doctor.c) */
	bool quiet;
	char *first_denial_hint; /* said before the first denial line, when
				  * the default profile left no rule
				  * (profilehint.c); NULL: none */

	FILE *log;               /* --log: JSON Lines (report.h), or NULL */
	char *log_path;
	bool log_query;          /* --log-query: the requests' query strings too */
	bool learn;              /* --learn[=FILE] */
	char *learn_path;        /* as given, or the default (outputs.c) */
	struct output_file learn_file;

	/* Profiles: those read, in order, for --check. */
	char **profiles_read;
	size_t nprofiles_read;
	char **profile_args;     /* --profile NAME|PATH, in order */
	size_t nprofile_args;
	bool noprofile;
	const char *origin;      /* the source of the options being applied:
				  * NULL = command line, else "FILE:LINE" */

	/* Who runs the program, and where. */
	uid_t uid;
	gid_t gid;
	bool invoked_by_root;
	char *home;           /* the invoking user's home ($HOME, else the
			       * password database's), resolved; NULL if none */
	char *passwd_home;    /* the invoking user's home in the password
			       * database, resolved, when $HOME names another
			       * (hidden all the same); else NULL */
	char *target_home;    /* HOME for the program */
	char *user;           /* the program's user name, for USER/LOGNAME */
	char *cwd;            /* current directory, resolved */
	bool cwd_exposed;     /* bound read-write into the sandbox */
	char *cwd_hidden_why; /* why it is not, or NULL */

	/* The trees the program can write (paths.c): the current directory
	 * when exposed and every --rw directory, resolved. */
	char **writable;
	size_t nwritable;
	/* Protected names (protect.c): what was found at start, and the
	 * ones --rw lets the program create. */
	struct protect *protect;
	char **protect_allowed;
	size_t nprotect_allowed;
};

/* options.c */
void options_parse(struct config *cfg, int argc, char **argv);
void options_usage(void);

/* upproxy.c: --upstream-proxy; after the options, the proxies from it or
 * from the environment, each resolved (a setup error dies); the --check
 * lines; is @entry (NAME=VALUE) a variable naming a proxy? */
void upproxy_option(struct config *cfg, const char *opt, const char *arg);
void upproxy_plan(struct config *cfg, char **environ_in);
void upproxy_print(const struct config *cfg, bool note);
bool upproxy_env_name(const char *entry);

/* env.c */
char **env_build(const struct config *cfg, char **environ_in);
void env_print_changes(const struct config *cfg, char **environ_in);

struct trust_bundle;

/* mounts.c, in the sandbox init: build the file system mountplan.c planned
 * (cfg->mounts, sorted), and for a run that inspects, with @trust's CAs
 * (trust.c; NULL otherwise). */
void mounts_setup(const struct config *cfg, const struct trust_bundle *trust);

#endif
