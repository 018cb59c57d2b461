/* doctor.c — netbox --doctor: whether netbox works here, and why not, with
 * the exact fix.
 *
 * Runs in netbox itself (no program): first the host's settings, read and
 * then tried for real (doctor_host.c) — the user namespace switches, seccomp
 * filters and their user notification, pidfd_getfd, landlock (information
 * only), the resolver's configuration; then, if a sandbox can be made at
 * all, the probes (doctor_probe.c), run inside one made by the normal code
 * path with the default policy, whose lines come back over a pipe.  Each
 * check is a row of doctor_checks[]; each prints one line:
 *     ok    what was found
 *     FAIL  what was found — the fix (its commands on the lines below)
 *     info  something netbox does not need
 *     skip  not run: what it needs failed above (not held)
 * and a summary.  Exit status 0 only when every check and probe held.
 */
#include "doctor.h"
#include "userns.h"

#include <ares.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#define DOCTOR_PROBE_DEADLINE_NS (60ull * 1000000000ull) /* the whole sandbox run */
#define DOCTOR_PROBE_LINE 1024                           /* a probe's line, at most */
#define DOCTOR_HOME_ENTRIES 16                           /* home entries the probe looks for */

void doctor_set(struct doctor_row *r, enum doctor_verdict v, const char *fix, const char *fmt, ...)
{
	va_list ap;

	r->verdict = v;
	va_start(ap, fmt);
	vsnprintf(r->what, sizeof(r->what), fmt, ap);
	va_end(ap);
	snprintf(r->fix, sizeof(r->fix), "%s", fix ? fix : "");
}

static void doctor_print(struct doctor *d, const struct doctor_row *r)
{
	static const char *const label[] = {
		[DOCTOR_OK] = "ok", [DOCTOR_FAIL] = "FAIL", [DOCTOR_INFO] = "info", [DOCTOR_NOTRUN] = "skip",
	};
	const char *fix = r->fix, *nl = strchr(fix, '\n');

	if (r->verdict == DOCTOR_OK)
		d->held++;
	else if (r->verdict != DOCTOR_INFO)
		d->failed++;
	printf("%-5s %s", label[r->verdict], r->what);
	if (*fix)
		printf(" \u2014 %.*s", nl ? (int)(nl - fix) : (int)strlen(fix), fix);
	/* A fix of several commands: each on a line of its own, indented. */
	while (nl) {
		fix = nl + 1;
		nl = strchr(fix, '\n');
		printf("\n        %.*s", nl ? (int)(nl - fix) : (int)strlen(fix), fix);
	}
	printf("\n");
	fflush(stdout);
}

/* ---- user namespaces: the sysctls --------------------------------------- */

static void doctor_sysctl(struct doctor *d UNUSED, struct doctor_row *r, size_t i)
{
	const struct userns_sysctl *s = &userns_sysctls[i];
	char v[32];

	if (!userns_sysctl_read(i, v, sizeof(v)))
		doctor_set(r, DOCTOR_OK, NULL, "%s: %s", s->name, s->absent);
	else if (userns_sysctl_is_off(i, v))
		doctor_set(r, DOCTOR_FAIL, s->fix, "%s=%s: %s", s->name, v, s->what);
	else
		doctor_set(r, DOCTOR_OK, NULL, "%s=%s", s->name, v);
}

/* A profile for netbox at @exe, as apparmor/netbox.in makes them: named
 * "netbox" for /usr/bin/netbox (the package's), else after the path
 * (home.u.src.build.launcher.netbox), AppArmor's convention, so that it
 * never overwrites the package's nor a source install's. */
static void doctor_apparmor_fix(struct doctor_row *r, const char *exe)
{
	char name[PATH_MAX];
	size_t n = 0;

	if (strcmp(exe, "/usr/bin/netbox") == 0) {
		snprintf(name, sizeof(name), "netbox");
	} else {
		for (const char *p = exe + (exe[0] == '/'); *p && n + 1 < sizeof(name); p++)
			name[n++] = *p == '/' ? '.' : (isalnum((unsigned char)*p) || strchr("._-", *p)) ? *p : '_';
		name[n] = '\0';
	}
	int len = snprintf(r->fix, sizeof(r->fix),
		 "install netbox (its package, or sudo meson install: both install and load a profile "
		 "for the installed binary), or give this one a profile:\n"
		 "sudo tee /etc/apparmor.d/%s <<'EOF'\n"
		 "abi <abi/4.0>,\n"
		 "include <tunables/global>\n"
		 "profile %s \"%s\" flags=(unconfined) {\n"
		 "  userns,\n"
		 "  include if exists <local/%s>\n"
		 "}\n"
		 "EOF\n"
		 "sudo apparmor_parser -r /etc/apparmor.d/%s\n"
		 "(or, for every program: sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0)",
		 name, name, exe, name, name);

	/* Five copies of a path near PATH_MAX do not fit: say it shorter. */
	if (len < 0 || (size_t)len >= sizeof(r->fix))
		snprintf(r->fix, sizeof(r->fix),
			 "install netbox (its package, or sudo meson install), or give this binary an "
			 "AppArmor profile with a userns rule (README.md, \"Install\")");
}

static void doctor_apparmor(struct doctor *d, struct doctor_row *r, size_t i)
{
	char v[32], label[256], strict[32];
	cleanup_free char *shown = NULL;
	const char *also = "";

	doctor_sysctl(d, r, i);
	if (r->verdict != DOCTOR_FAIL)
		return;
	/* With the restriction, only a profile's userns rule lets an
	 * unprivileged process make one: is one attached to this binary?
	 * ("netbox (unconfined)": yes; "unconfined": none.) */
	userns_sysctl_read(i, v, sizeof(v));
	if (userns_proc_read("sys/kernel/apparmor_restrict_unprivileged_unconfined", strict,
			     sizeof(strict)) &&
	    strcmp(strict, "1") == 0)
		also = "; kernel.apparmor_restrict_unprivileged_unconfined=1: an unconfined program "
		       "cannot switch to a profile that allows them (aa-exec): netbox needs its own";
	if (!userns_apparmor_label(label, sizeof(label)) || strcmp(label, "unconfined") == 0) {
		doctor_set(r, DOCTOR_FAIL, NULL, "%s=%s: AppArmor allows user namespaces only to programs "
			   "a profile allows them, and no profile is attached to %s (it runs unconfined)%s",
			   userns_sysctls[i].name, v, d->exe, also);
		doctor_apparmor_fix(r, d->exe);
		return;
	}
	shown = util_escape_dup(label);
	doctor_set(r, DOCTOR_OK, NULL, "%s=%s, and AppArmor profile \"%s\" is attached to %s (its "
		   "userns rule is what counts: the user namespace below is made for real)%s",
		   userns_sysctls[i].name, v, shown, d->exe, also);
}

/* ---- the resolver's configuration ---------------------------------------- */

static bool doctor_is_loopback(const char *ip)
{
	return strncmp(ip, "127.", 4) == 0 || strcmp(ip, "::1") == 0;
}

/* The servers c-ares takes from the host's configuration, as the
 * supervisor's resolver will (dns/ is the supervisor's: asked directly). */
static int doctor_cares_servers(char *out, size_t len)
{
	struct ares_addr_port_node *servers = NULL;
	ares_channel ch;
	size_t o = 0;
	int st = ares_library_init(ARES_LIB_INIT_ALL);

	out[0] = '\0';
	if (st != ARES_SUCCESS)
		return st;
	st = ares_init(&ch);
	if (st != ARES_SUCCESS) {
		ares_library_cleanup();
		return st;
	}
#if ARES_VERSION >= 0x011800
	/* (1.24 deprecates the list for this string) */
	char *csv = ares_get_servers_csv(ch);

	(void)servers;
	(void)o;
	snprintf(out, len, "%s", csv ? csv : "");
	ares_free_string(csv);
#else
	st = ares_get_servers_ports(ch, &servers);
	for (struct ares_addr_port_node *s = servers; st == ARES_SUCCESS && s && o < len; s = s->next) {
		char ip[INET6_ADDRSTRLEN] = "?";

		inet_ntop(s->family, &s->addr, ip, sizeof(ip));
		o += (size_t)snprintf(out + o, len - o, "%s%s", o ? ", " : "", ip);
	}
	ares_free_data(servers);
#endif
	ares_destroy(ch);
	ares_library_cleanup();
	return st;
}

static void doctor_resolver(struct doctor *d UNUSED, struct doctor_row *r, size_t i UNUSED)
{
	FILE *f = fopen("/etc/resolv.conf", "re");
	char line[512], ns[512] = "", servers[512];
	size_t o = 0;
	bool loopback = false;
	int st;

	if (!f) {
		doctor_set(r, DOCTOR_FAIL, "netbox's resolver asks the servers /etc/resolv.conf names: "
			   "write one there (nameserver ADDRESS), or fix the link it is",
			   "/etc/resolv.conf: %s", strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char word[16], ip[INET6_ADDRSTRLEN + 1];

		if (sscanf(line, "%15s %46s", word, ip) != 2 || strcmp(word, "nameserver") != 0 ||
		    o >= sizeof(ns))
			continue;
		loopback |= doctor_is_loopback(ip);
		o += (size_t)snprintf(ns + o, sizeof(ns) - o, "%s%s", o ? ", " : "", ip);
	}
	fclose(f);
	st = doctor_cares_servers(servers, sizeof(servers));
	if (!*ns) {
		doctor_set(r, DOCTOR_FAIL, "add the address of a DNS server: echo 'nameserver ADDRESS' | "
			   "sudo tee -a /etc/resolv.conf",
			   "/etc/resolv.conf names no nameserver: allowed names would not resolve");
	} else if (st != ARES_SUCCESS || !*servers) {
		doctor_set(r, DOCTOR_FAIL, "check /etc/resolv.conf's syntax (resolv.conf(5))",
			   "/etc/resolv.conf names %s, but c-ares (netbox's resolver) cannot use it: %s", ns,
			   st != ARES_SUCCESS ? ares_strerror(st) : "no server");
	} else {
		doctor_set(r, DOCTOR_OK, NULL, "resolver: /etc/resolv.conf names %s; c-ares will ask %s%s", ns,
			   servers, loopback ? " (a local stub is fine: netbox's resolver runs in your "
					       "network namespace, not the sandbox's)" : "");
	}
}

/* ---- the upstream proxy -------------------------------------------------- */

/* What a run would make of the environment's proxy variables (upproxy.c),
 * in a child: a bad URL or a proxy host that does not resolve stops a run
 * with one line (die()), which becomes this row's failure. */
static void doctor_upproxy(struct doctor *d, struct doctor_row *r, size_t i UNUSED)
{
	char out[2048], *p, *dash;
	size_t n = 0;
	int fds[2], status = 0;
	pid_t pid;
	ssize_t k;

	if (pipe2(fds, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		doctor_set(r, DOCTOR_FAIL, NULL, "upstream proxy: cannot check (%s)", strerror(errno));
		return;
	}
	if (pid == 0) {
		struct config cfg = *d->cfg;

		dup2(fds[1], STDOUT_FILENO);
		dup2(fds[1], STDERR_FILENO);
		upproxy_plan(&cfg, environ);
		if (cfg.upstream_proxy)
			upproxy_print(&cfg, false);
		fflush(stdout);
		_exit(0);
	}
	close(fds[1]);
	while (n < sizeof(out) - 1 && (k = read(fds[0], out + n, sizeof(out) - 1 - n)) != 0) {
		if (k < 0 && errno != EINTR)
			break;
		n += k > 0 ? (size_t)k : 0;
	}
	out[n] = '\0';
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		/* "netbox: WHAT — FIX\n" */
		p = strncmp(out, "netbox: ", 8) == 0 ? out + 8 : out;
		p[strcspn(p, "\n")] = '\0';
		dash = strstr(p, " \u2014 ");
		if (dash)
			*dash = '\0';
		doctor_set(r, DOCTOR_FAIL, dash ? dash + 5 : NULL, "upstream proxy: %s", p);
		return;
	}
	if (!n) {
		doctor_set(r, DOCTOR_OK, NULL, "upstream proxy: none (no HTTPS_PROXY, HTTP_PROXY nor "
			   "ALL_PROXY in the environment): connections go direct");
		return;
	}
	/* upproxy_print()'s lines ("  upstream proxy for ...: host:port (...)"),
	 * on one. */
	for (p = out; *p; p++)
		if (*p == '\n')
			*p = p[1] ? ';' : '\0';
	for (p = out; (p = strstr(p, ";  ")); )
		memmove(p + 1, p + 2, strlen(p + 2) + 1);
	p = out + strspn(out, " ");
	doctor_set(r, DOCTOR_OK, NULL, "%s (URL parsed, host resolved)", p);
}

/* ---- the host's rows ---------------------------------------------------- */

typedef void doctor_check_fn(struct doctor *d, struct doctor_row *r, size_t arg);

static void doctor_userns(struct doctor *d, struct doctor_row *r, size_t arg UNUSED)
{
	doctor_host_userns(d, r);
}
static void doctor_seccomp(struct doctor *d, struct doctor_row *r, size_t arg UNUSED)
{
	doctor_host_seccomp(d, r);
}
static void doctor_notify(struct doctor *d, struct doctor_row *r, size_t arg UNUSED)
{
	doctor_host_notify(d, r);
}
static void doctor_pidfd(struct doctor *d, struct doctor_row *r, size_t arg UNUSED)
{
	doctor_host_pidfd(d, r);
}
static void doctor_landlock(struct doctor *d, struct doctor_row *r, size_t arg UNUSED)
{
	doctor_host_landlock(d, r);
}

/* In order: each switch, then the real thing. */
static const struct doctor_check {
	doctor_check_fn *fn;
	size_t arg;
} doctor_checks[] = {
	{ doctor_sysctl, USERNS_CLONE },
	{ doctor_sysctl, USERNS_MAX },
	{ doctor_apparmor, USERNS_APPARMOR },
	{ doctor_userns, 0 },
	{ doctor_seccomp, 0 },
	{ doctor_notify, 0 },
	{ doctor_pidfd, 0 },
	{ doctor_landlock, 0 },
	{ doctor_resolver, 0 },
	{ doctor_upproxy, 0 },
};

/* ---- the probes in a sandbox --------------------------------------------- */

/* What each probe said, by its index in doctor_probes[]. */
struct doctor_answers {
	bool said[32];
	bool ok[32];
	char detail[32][DOCTOR_PROBE_LINE];
};

/* One line "KEY ok|FAIL DETAIL" from the sandbox: an unknown key, a
 * repeated one or a malformed line is ignored (the probe is then "no
 * answer"). */
static void doctor_answer(struct doctor_answers *a, char *line)
{
	char *verdict = strchr(line, ' '), *detail;

	if (!verdict)
		return;
	*verdict++ = '\0';
	detail = strchr(verdict, ' ');
	if (!detail)
		return;
	*detail++ = '\0';
	for (size_t i = 0; i < doctor_nprobes && i < ARRAY_SIZE(a->said); i++) {
		if (strcmp(doctor_probes[i].key, line) != 0 || a->said[i])
			continue;
		if (strcmp(verdict, "ok") != 0 && strcmp(verdict, "FAIL") != 0)
			return;
		a->said[i] = true;
		a->ok[i] = strcmp(verdict, "ok") == 0;
		util_escape(detail, a->detail[i], sizeof(a->detail[i]));
		return;
	}
}

/* Read the sandbox's lines until it closes the pipe or the deadline;
 * false on the deadline. */
static bool doctor_read_answers(int fd, struct doctor_answers *a)
{
	char line[DOCTOR_PROBE_LINE];
	size_t n = 0;
	uint64_t deadline = now_ns() + DOCTOR_PROBE_DEADLINE_NS;

	for (;;) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		uint64_t now = now_ns();
		ssize_t got;
		char c;

		if (now >= deadline || poll(&pf, 1, (int)((deadline - now) / 1000000 + 1)) == 0)
			return false;
		got = read(fd, &c, 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return true;
		if (c != '\n') {
			if (n < sizeof(line) - 1)
				line[n++] = c; /* (a longer line is cut, not overrun) */
			continue;
		}
		line[n] = '\0';
		n = 0;
		doctor_answer(a, line);
	}
}

static int doctor_cmp_names(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The probe's command line: netbox's executable (@exe_fd, passed in),
 * DOCTOR_PROBE_ARG, the home and some of what is in it outside (.ssh
 * first, the rest sorted). */
static char **doctor_probe_argv(const struct config *cfg, int exe_fd)
{
	char **argv = xcalloc(DOCTOR_HOME_ENTRIES + 4, sizeof(*argv));
	size_t n = 0, first;
	DIR *dir = cfg->home ? opendir(cfg->home) : NULL;
	struct dirent *e;

	argv[n++] = xasprintf("/proc/self/fd/%d", exe_fd);
	argv[n++] = xstrdup(DOCTOR_PROBE_ARG);
	if (!cfg->home)
		return argv;
	argv[n++] = xstrdup(cfg->home);
	first = n;
	while (dir && (e = readdir(dir)) && n < DOCTOR_HOME_ENTRIES + 3)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			argv[n++] = xstrdup(e->d_name);
	if (dir)
		closedir(dir);
	qsort(argv + first, n - first, sizeof(*argv), doctor_cmp_names);
	for (size_t i = first; i < n; i++)
		if (strcmp(argv[i], ".ssh") == 0) {
			char *ssh = argv[i];

			memmove(argv + first + 1, argv + first, (i - first) * sizeof(*argv));
			argv[first] = ssh;
		}
	return argv;
}

/* Run the probes in a sandbox made as for any program (@box: main.c's
 * path), with the default policy; their answers in @a.  The sandbox's exit
 * status, or -1 past the deadline. */
static int doctor_run_probes(struct config *cfg, doctor_box_fn *box, struct doctor_answers *a)
{
	int out[2], status;
	int exe_fd = open("/proc/self/exe", O_RDONLY); /* (inherited: the program is this file) */
	bool done;
	pid_t pid;

	if (exe_fd < 0 || pipe2(out, O_CLOEXEC) < 0)
		die_errno(NULL, "--doctor cannot prepare its probes");
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die_errno(NULL, "--doctor cannot start its probes");
	if (pid == 0) {
		/* The program's stdout is this pipe; the probe runs in / (no
		 * directory of yours exposed), quietly, with no rule. */
		if (dup2(out[1], STDOUT_FILENO) < 0)
			_exit(NETBOX_EXIT_FAILURE);
		cfg->argv = doctor_probe_argv(cfg, exe_fd);
		cfg->pass_fds = xcalloc(1, sizeof(int));
		cfg->pass_fds[0] = exe_fd;
		cfg->npass_fds = 1;
		cfg->quiet = util_quiet = true;
		free(cfg->cwd);
		cfg->cwd = xstrdup("/");
		_exit(box(cfg));
	}
	close(out[1]);
	close(exe_fd);
	done = doctor_read_answers(out[0], a);
	close(out[0]);
	if (!done)
		kill(pid, SIGKILL); /* (its supervisor and the sandbox die with it) */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!done)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void doctor_probes_print(struct doctor *d, struct config *cfg, doctor_box_fn *box)
{
	cleanup_free struct doctor_answers *a = xcalloc(1, sizeof(*a));
	struct doctor_row r;
	int status = 0;

	_Static_assert(ARRAY_SIZE(a->said) >= 8, "room for every probe");
	if (d->userns && d->seccomp)
		status = doctor_run_probes(cfg, box, a);
	for (size_t i = 0; i < doctor_nprobes; i++) {
		const struct doctor_probe *p = &doctor_probes[i];

		if (!d->userns || !d->seccomp)
			doctor_set(&r, DOCTOR_NOTRUN, NULL, "probe: %s: not run (no sandbox can be made "
				   "here: see FAIL above)", p->title);
		else if (a->said[i])
			doctor_set(&r, a->ok[i] ? DOCTOR_OK : DOCTOR_FAIL,
				   a->ok[i] ? NULL : "please report this: netbox's sandbox does not hold here",
				   "probe: %s: %s", p->title, a->detail[i]);
		else if (status < 0)
			doctor_set(&r, DOCTOR_FAIL, "see the lines netbox printed above", "probe: %s: no "
				   "answer from the sandbox within %llu s", p->title,
				   DOCTOR_PROBE_DEADLINE_NS / 1000000000ull);
		else
			doctor_set(&r, DOCTOR_FAIL, "see the lines netbox printed above", "probe: %s: no "
				   "answer from the sandbox (it exited with status %d)", p->title, status);
		doctor_print(d, &r);
	}
}

int doctor_main(struct config *cfg, doctor_box_fn *box)
{
	struct doctor d = { .cfg = cfg };
	struct utsname u;
	ssize_t n = readlink("/proc/self/exe", d.exe, sizeof(d.exe) - 1);

	d.exe[n > 0 ? n : 0] = '\0';
	if (uname(&u) < 0)
		snprintf(u.release, sizeof(u.release), "?");
	printf("netbox %s --doctor: %s, Linux %s, uid %u\n", NETBOX_VERSION, d.exe, u.release,
	       (unsigned)getuid());
	for (size_t i = 0; i < ARRAY_SIZE(doctor_checks); i++) {
		struct doctor_row r = { 0 };

		doctor_checks[i].fn(&d, &r, doctor_checks[i].arg);
		doctor_print(&d, &r);
	}
	doctor_probes_print(&d, cfg, box);
	if (d.failed)
		printf("netbox does not work fully here: %u of %u checks did not hold \u2014 each FAIL "
		       "above says how to fix it\n",
		       d.failed, d.failed + d.held);
	else
		printf("netbox works here: all %u checks held\n", d.held);
	fflush(stdout);
	return d.failed ? 1 : 0;
}
