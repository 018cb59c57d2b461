/* supervise.c — netbox's side of a run with a filtered network: one libevent
 * loop serving the sandbox's DNS (dns/resolver.c) and TCP (netproxy/) on the
 * listeners handed over by the sandbox init, until the init exits.
 *
 * The loop is single-threaded: the resolver's c-ares sockets, the proxy's
 * connections and SIGCHLD all arrive as events.  When the init exits, the
 * open connections are closed (the program is gone), the summary printed,
 * and the program's status returned.
 */
#include "supervise.h"
#include "ondemand.h"
#include "outputs.h"
#include "dns/resolver.h"
#include "netproxy/proxy.h"
#include "report.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

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

int supervise_run(const struct config *cfg, pid_t init_pid, struct listener *ls, size_t n, int chan)
{
	struct ondemand *ondemand = NULL;
	struct supervise s = { .init_pid = init_pid, .status = NETBOX_EXIT_FAILURE };
	struct event_config *ec = event_config_new();
	struct report *report = report_new(cfg->quiet, cfg->log);
	struct resolver *resolver;
	struct proxy *proxy;
	struct event *chld;

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

	resolver = resolver_new(s.base, cfg->policy, report);
	proxy = proxy_new(s.base, cfg->policy, resolver, report);
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
		}
		if (r < 0) {
			errno = -r;
			die_errno(NULL, "cannot serve the sandbox's port %u", ls[i].port);
		}
	}

	/* Blocks until the init passes the program's notification descriptor:
	 * the program has not started before, so nothing waits on this loop. */
	if (chan >= 0)
		ondemand = ondemand_new(s.base, chan, proxy, cfg->policy, cfg->listen_ports, cfg->quiet);
	/* The init may have exited before the handler was in place. */
	supervise_sigchld(SIGCHLD, 0, &s);
	while (!s.done && event_base_loop(s.base, EVLOOP_ONCE) >= 0)
		;

	ondemand_free(ondemand);
	proxy_free(proxy);
	resolver_free(resolver);
	report_summary(report);
	if (cfg->learn)
		outputs_write_learned(cfg, report);
	report_free(report);
	event_free(chld);
	event_base_free(s.base);
	return s.status;
}
