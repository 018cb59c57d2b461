/* supervise.c — the supervisor: netbox's child that creates the sandbox and
 * then serves it — its DNS (dns/resolver.c) and TCP (netproxy/) on the
 * listeners the sandbox init hands over, and the listeners made on demand
 * (ondemand.c), and reports what no listener sees (netproxy/watch.c) — on
 * one libevent loop, until the init exits.
 *
 * It is the part of netbox that reads hostile bytes all day (DNS packets,
 * ClientHellos, HTTP heads from the sandbox; answers from the network), so
 * it is a process of its own, and once the sandbox runs it holds nothing it
 * does not need (isolate.c).  What needs the file system later (the
 * learned profile, the exit sweep) is netbox's, which hears from it over a
 * channel (channel.c).  Theory of operation:
 *   supervise_main()  create the sandbox (launcher/sandbox.c); for a run
 *                     that inspects, make the run's CA and send the init
 *                     the bundle it trusts (cabundle.c); take its
 *                     listeners (handover.c) and pass its throw-away mounts
 *                     on to netbox; then isolate (isolate.c) and serve;
 *   supervise_run()   the loop: single-threaded, the resolver's c-ares
 *                     sockets, the proxy's connections and SIGCHLD all
 *                     arrive as events.  When the init exits, the open
 *                     connections are closed (the program is gone), the
 *                     summary printed, the learned profile's text sent to
 *                     netbox, and the program's status returned.
 */
#include "supervise.h"
#include "cabundle.h"
#include "channel.h"
#include "discard.h"
#include "handover.h"
#include "isolate.h"
#include "attrib.h"
#include "notify.h"
#include "ondemand.h"
#include "sandbox.h"
#include "dns/resolver.h"
#include "netproxy/proxy.h"
#include "netproxy/tlsca.h"
#include "netproxy/watch.h"
#include "policy/policy.h"
#include "report.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

struct supervise {
	struct event_base *base;
	pid_t init_pid;
	int status;
	bool done;
};

static void supervise_sigchld(evutil_socket_t sig UNUSED, short what UNUSED, void *arg)
{
	struct supervise *s = arg;
	int st;
	pid_t r;

	while ((r = waitpid(-1, &st, WNOHANG)) > 0) {
		if (r != s->init_pid)
			continue;
		s->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		s->done = true;
		event_base_loopbreak(s->base);
	}
}

/* Each connection holds up to six descriptors (two sockets, two pipes). */
static void supervise_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

#ifdef NETBOX_TEST_HOOKS
/* Tests only (meson -Dtest_hooks=true): show from outside that the
 * isolated supervisor cannot do what an exploit would: NETBOX_TEST_HOOK=
 * open:PATH, openrw:PATH, stderr: (control characters), exec:PATH, ptrace:PID, kill:PID (signal 0),
 * killgroup:MS (SIGKILL to its process group after MS ms), vmread:PID
 * (process_vm_readv) or mint:NAME (the run's CA makes NAME's certificate,
 * as the proxy will for an inspected host, and a client that trusts the
 * CA completes a TLS handshake with it, in memory), tried once it serves; the result on
 * stderr ("netbox-test-hook: open ENOENT").  A call its filter refuses ends
 * the supervisor with a report instead (isolate.c). */
/* NETBOX_TEST_HOOK=learned:TEXT ("\n" for a newline, "\0" for a NUL):
 * the learned text a lying supervisor would send, for netbox to judge. */
static void supervise_test_learned(char **text, size_t *len)
{
	const char *hook = getenv("NETBOX_TEST_HOOK");
	size_t n = 0;

	if (!hook || strncmp(hook, "learned:", 8) != 0)
		return;
	hook += 8;
	free(*text);
	*text = xmalloc(strlen(hook) + 1);
	for (const char *p = hook; *p; p++) {
		if (p[0] == '\\' && (p[1] == 'n' || p[1] == '0')) {
			(*text)[n++] = p[1] == 'n' ? '\n' : '\0';
			p++;
		} else {
			(*text)[n++] = *p;
		}
	}
	*len = n;
}

static void supervise_test_hook(struct tlsca *ca)
{
	const char *hook = getenv("NETBOX_TEST_HOOK");
	int r = 0;

	if (!hook)
		return;
	if (strncmp(hook, "open:", 5) == 0) {
		r = open(hook + 5, O_RDONLY | O_CLOEXEC);
	} else if (strncmp(hook, "exec:", 5) == 0) {
		char *const argv[] = { (char *)(hook + 5), NULL };

		r = execve(hook + 5, argv, argv + 1);
	} else if (strncmp(hook, "ptrace:", 7) == 0) {
		r = (int)ptrace(PTRACE_ATTACH, (pid_t)atoi(hook + 7), NULL, NULL);
	} else if (strcmp(hook, "stderr:") == 0) {
		static const char text[] = "netbox-test-hook-text: \x1b[31mred\x1b[0m \xc2\x9b"
					   "2J bell\x07 tab\tem \xe2\x80\x94 end\n";

		r = write_all(STDERR_FILENO, text, sizeof(text) - 1);
	} else if (strncmp(hook, "openrw:", 7) == 0) {
		r = open(hook + 7, O_RDWR | O_CLOEXEC);
	} else if (strncmp(hook, "killgroup:", 10) == 0) {
		struct timespec ts = { atoi(hook + 10) / 1000, (atoi(hook + 10) % 1000) * 1000000L };

		nanosleep(&ts, NULL);
		r = kill(0, SIGKILL);
	} else if (strncmp(hook, "kill:", 5) == 0) {
		r = kill((pid_t)atoi(hook + 5), 0);
	} else if (strncmp(hook, "vmread:", 7) == 0) {
		char buf[8];
		struct iovec local = { buf, sizeof(buf) }, remote = { (void *)0x400000, sizeof(buf) };

		r = (int)process_vm_readv((pid_t)atoi(hook + 7), &local, 1, &remote, 1, 0);
	} else if (strncmp(hook, "mint:", 5) == 0) {
		errno = ENOENT;
		r = ca ? cabundle_test_handshake(ca, hook + 5) : -1;
		if (r < -1) {
			errno = -r;
			r = -1;
		}
	}
	fprintf(stderr, "netbox-test-hook: %.*s %s\n", (int)strcspn(hook, ":"), hook,
		r < 0 ? strerrorname_np(errno) : "succeeded");
}
#endif

/* The learned profile's text to netbox, in CHANNEL_LEARNED pieces; an
 * empty last piece when there is none (netbox waits for one). */
static void supervise_send_learned(const struct config *cfg, struct report *report, int back)
{
	struct channel_text t = { 0 };
	char command[512], *text = NULL;
	size_t len = 0, off = 0, n;
	FILE *f = open_memstream(&text, &len);

	command[0] = '\0';
	for (char **a = cfg->argv; *a && off + 1 < sizeof(command); a++)
		off += (size_t)snprintf(command + off, sizeof(command) - off, "%s%s", off ? " " : "", *a);
	if (!f || report_learned(report, f, command) < 0 || fclose(f) != 0)
		len = 0; /* (out of memory: netbox says the profile is missing) */
#ifdef NETBOX_TEST_HOOKS
	supervise_test_learned(&text, &len);
#endif
	for (off = 0;; off += n) {
		n = len - off < sizeof(t.text) ? len - off : sizeof(t.text);
		memcpy(t.text, text + off, n);
		t.len = (uint32_t)n;
		t.last = off + n == len;
		if (channel_send(back, CHANNEL_LEARNED, &t, sizeof(t), NULL, 0) < 0 || t.last)
			break;
	}
	free(text);
}

/* The fix a denial line suggests (policy/suggest.c), under the run's
 * rules (@ctx): none for a name they allow or deny. */
static bool supervise_hint(void *ctx, const char *name, uint16_t port, char *out, size_t len)
{
	return policy_suggest_denied(ctx, name, port, out, len);
}

static int supervise_run(const struct config *cfg, pid_t init_pid, struct listener *ls, size_t n,
			 int chan, int back, struct tlsca *ca)
{
	struct ondemand *ondemand = NULL;
	struct notify *notify = NULL;
	struct attrib *attrib = cfg->attribute == ATTRIBUTE_ON ? attrib_new() : NULL;
	struct supervise s = { .init_pid = init_pid, .status = NETBOX_EXIT_FAILURE };
	struct event_config *ec = event_config_new();
	struct report *report = report_new(cfg->quiet, cfg->log);
	struct resolver *resolver;
	struct proxy *proxy;
	struct watch *watch;
	struct event *chld;

	report_set_hinter(report, supervise_hint, cfg->policy);
	report_set_first_denial_hint(report, cfg->first_denial_hint);
	supervise_raise_nofile();
	signal(SIGPIPE, SIG_IGN);
	/* No locking: the loop is single-threaded. */
	event_config_set_flag(ec, EVENT_BASE_FLAG_NOLOCK);
	s.base = event_base_new_with_config(ec);
	event_config_free(ec);
	if (!s.base)
		die(NULL, "cannot create the event loop");
	chld = evsignal_new(s.base, SIGCHLD, supervise_sigchld, &s);
	if (!chld || evsignal_add(chld, NULL) < 0)
		die(NULL, "cannot watch the sandbox init");

	if (attrib)
		report_set_attrib(report, attrib_lookup, attrib);
	report_set_log_query(report, cfg->log_query);
	report_start(report, cfg->argv);
	resolver = resolver_new(s.base, cfg->policy, report);
	proxy = proxy_new(s.base, cfg->policy, resolver, report);
	proxy_set_tlsca(proxy, ca);
	proxy_set_upstream_proxies(proxy, cfg->upstream_proxy);
	resolver_set_upstream_proxies(resolver, cfg->upstream_proxy);
	watch = watch_new(s.base, report, resolver, cfg->policy);
	for (size_t i = 0; i < n; i++) {
		int r = 0;

		switch (ls[i].kind) {
		case LISTENER_DNS_UDP4:
		case LISTENER_DNS_UDP6:
			r = resolver_add_udp(resolver, ls[i].fd);
			break;
		case LISTENER_DNS_TCP:
			r = resolver_add_tcp(resolver, ls[i].fd);
			break;
		case LISTENER_PROXY:
			r = proxy_add_listener(proxy, ls[i].fd);
			break;
		case LISTENER_WATCH_TCP4:
		case LISTENER_WATCH_UDP4:
		case LISTENER_WATCH_TCP6:
		case LISTENER_WATCH_UDP6:
			r = watch_add(watch, ls[i].fd, ls[i].kind);
			if (r < 0) {
				errno = -r;
				die_errno(NULL, "cannot watch the sandbox's network");
			}
			break;
		}
		if (r < 0) {
			errno = -r;
			die_errno(NULL, "cannot serve the sandbox's port %u", ls[i].port);
		}
	}

	/* Blocks until the init passes the program's notification descriptor:
	 * the program has not started before, so nothing waits on this loop. */
	if (chan >= 0) {
		if (cfg->ondemand)
			ondemand = ondemand_new(chan, proxy, cfg->policy, cfg->listen_ports);
		notify = notify_new(s.base, chan, &(struct notify_deps){
			.report = report, .policy = cfg->policy, .ondemand = ondemand,
			.attrib = attrib, .host_sockets = cfg->host_sockets,
			.nhost_sockets = cfg->nhost_sockets, .quiet = cfg->quiet });
		if (!ondemand)
			close(chan);
	}
	/* Everything the loop needs is open: from here on it holds nothing
	 * else (isolate.c). */
	isolate_supervisor(cfg);
#ifdef NETBOX_TEST_HOOKS
	supervise_test_hook(ca);
#endif
	/* The init may have exited before the handler was in place. */
	supervise_sigchld(SIGCHLD, 0, &s);
	while (!s.done && event_base_loop(s.base, EVLOOP_ONCE) >= 0)
		;

	notify_free(notify);
	ondemand_free(ondemand);
	watch_free(watch);
	proxy_free(proxy);
	tlsca_free(ca);
	resolver_free(resolver);
	report_end(report, s.status);
	report_summary(report);
	if (cfg->learn)
		supervise_send_learned(cfg, report, back);
	report_free(report);
	attrib_free(attrib);
	event_free(chld);
	event_base_free(s.base);
	return s.status;
}

int supervise_main(const struct config *cfg, char **envp, int back)
{
	struct discard_covers covers;
	struct listener *ls = NULL;
	struct tlsca *ca = NULL;
	size_t n = 0;
	int chan, status, r;
	pid_t pid;

	isolate_initial(cfg, back);
	pid = sandbox_start(cfg, envp, &chan);
	isolate_sandbox_made(cfg, back);
	/* The CA after the fork: its key is never in the init's memory. */
	if (cfg->inspects)
		ca = cabundle_send(chan);

	/* What the init says, in its order: the listeners (a filtered
	 * network), then the throw-away mounts once the tree is built. */
	if (cfg->net == NET_FILTER && (r = handover_listeners(chan, &ls, &n)) < 0) {
		status = sandbox_wait(pid);
		tlsca_free(ca);
		/* The init died and said why; or it sent garbage. */
		if (r == -EPROTO)
			die(NULL, "bad message from the sandbox init");
		return status ? status : NETBOX_EXIT_FAILURE;
	}
	discard_receive(cfg, chan, &covers);
	channel_send(back, CHANNEL_COVERS, &covers.places, sizeof(covers.places), covers.fds,
		     covers.nfds);
	for (size_t i = 0; i < covers.nfds; i++)
		close(covers.fds[i]);
	if (cfg->net != NET_FILTER) {
		close(chan);
		tlsca_free(ca);
		return sandbox_wait(pid);
	}
	if (!cfg->notify) {
		close(chan);
		chan = -1;
	}
	status = supervise_run(cfg, pid, ls, n, chan, back, ca);
	free(ls);
	return status;
}
