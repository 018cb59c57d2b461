/* test_report.c — unit tests of common/report.c given hostile names and
 * reasons (an ESC [ 2 J, a newline followed by "allow *", bytes >= 0x80):
 * the stderr lines and the summary stay one printable line each, the JSON
 * log stays valid JSON on one line per event, and the learned profile,
 * read back through the profile parser (launcher/profileparse.c) and the
 * policy, holds exactly the rule that was learned, as exact as written.
 * TAP output.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "launcher/profileparse.h"
#include "policy/policy.h"
#include "report.h"
#include "tap.h"

static const char esc_name[] = "\x1b[2Jevil.test";
static const char high_name[] = "\xc2\x9b\xff\"q.test";
static const char inject[] = "SNI x\nallow *\n# does not match";

static struct in6_addr addr(const char *s)
{
	struct in6_addr a;

	inet_pton(AF_INET6, s, &a);
	return a;
}

/* The run the outputs below describe: denied DNS names, a denied and an
 * allowed connection, a denied raw address. */
static void run(struct report *r)
{
	report_dns(r, &(struct report_dns){ .name = esc_name, .qtype = 1,
					    .reason = "invalid name\nallow *" });
	report_dns(r, &(struct report_dns){ .name = high_name, .qtype = 28 });
	report_connection(r, &(struct report_conn){ .name = "www.google.com", .port = 443,
						    .dst = addr("::ffff:198.18.0.5"), .reason = inject,
						    .sni = "x\nallow *" });
	struct report_conn ok_conn = { .name = "registry.test", .port = 443, .allowed = true,
				       .dst = addr("::ffff:198.18.0.6"), .rule = "registry.test",
				       .origin = "command line", .bytes_up = 10, .bytes_down = 20 };
	report_connection(r, &ok_conn);
	report_connection_end(r, &ok_conn);
	report_connection(r, &(struct report_conn){ .port = 80, .dst = addr("::ffff:203.0.113.13"),
						    .reason = "x\r\nallow *" });
}

/* Does every line of @s start with one of the @n prefixes? */
static bool lines_start(const char *s, const char *const *prefixes, size_t n)
{
	for (const char *l = s; *l; l = strchr(l, '\n') + 1) {
		size_t i;

		for (i = 0; i < n && strncmp(l, prefixes[i], strlen(prefixes[i])) != 0; i++)
			;
		if (i == n || !strchr(l, '\n'))
			return false;
	}
	return true;
}

/* Is @l (one line, no newline) an object whose strings are valid JSON
 * strings?  Checks what escaping decides: quotes, backslash escapes, no
 * raw control byte, no byte >= 0x80. */
static bool json_line(const char *l, size_t len)
{
	bool in = false;

	if (len < 2 || l[0] != '{' || l[len - 1] != '}')
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)l[i];

		if (c < 0x20 || c >= 0x7f)
			return false;
		if (!in) {
			in = c == '"';
			continue;
		}
		if (c == '"') {
			in = false;
		} else if (c == '\\') {
			if (i + 1 >= len)
				return false;
			if (l[i + 1] == 'u') {
				if (i + 5 >= len || strspn(l + i + 2, "0123456789abcdefABCDEF") < 4)
					return false;
				i += 5;
			} else if (strchr("\"\\/bfnrt", l[i + 1])) {
				i++;
			} else {
				return false;
			}
		}
	}
	return !in;
}

static void stderr_lines(const char *err)
{
	static const char *const prefixes[] = { "netbox: ", "  " };

	is_int(tap_text_lines(err), 11, "stderr: 4 denials and a 7-line summary, printable");
	ok(err[0] && err[strlen(err) - 1] == '\n', "stderr: the last line is ended");
	ok(lines_start(err, prefixes, 2), "stderr: every line is netbox's ('netbox: ' or a summary row)");
	ok(strstr(err, "netbox: denied DNS \\x1b[2Jevil.test (invalid name\\x0aallow *)\n") != NULL,
	   "stderr: the name and the reason of a DNS denial, escaped");
	ok(strstr(err, "netbox: denied DNS \\xc2\\x9b\\xff\"q.test\n") != NULL,
	   "stderr: bytes >= 0x80 (a C1 CSI) escaped");
	ok(strstr(err, "netbox: denied www.google.com:443 (SNI x\\x0aallow *\\x0a# does not match)\n") != NULL,
	   "stderr: a connection's reason, escaped");
	ok(strstr(err, "netbox: denied 203.0.113.13:80 (x\\x0d\\x0aallow *)\n") != NULL,
	   "stderr: a raw address's reason, escaped");
	ok(strstr(err, "  denied  \\x1b[2Jevil.test ") != NULL, "summary: the host escaped");
	ok(strstr(err, "(SNI x\\x0aallow *\\x0a# does not match)\n") != NULL, "summary: the reason escaped");
}

static void json_log(const char *log)
{
	size_t n = 0;
	bool valid = true;

	for (const char *l = log; *l; l = strchr(l, '\n') + 1, n++) {
		if (!strchr(l, '\n'))
			return (void)ok(0, "log: every line is ended");
		valid = valid && json_line(l, (size_t)(strchr(l, '\n') - l));
	}
	is_int(n, 5, "log: one line per event (2 DNS, 2 refusals, 1 connection end)");
	ok(valid, "log: every line a JSON object with valid strings, ASCII only");
	ok(strstr(log, "\"name\":\"\\u001b[2Jevil.test\"") != NULL, "log: ESC as \\u001b");
	ok(strstr(log, "\"name\":\"\\u00c2\\u009b\\u00ff\\\"q.test\"") != NULL,
	   "log: bytes >= 0x80 and a quote escaped");
	ok(strstr(log, "\"sni\":\"x\\u000aallow *\"") != NULL, "log: a newline in the SNI escaped");
}

/* What the learned profile allows once read back. */
static const struct {
	const char *name;
	uint16_t port;
	enum policy_verdict want;
	const char *what;
} replay[] = {
	{ "registry.test", 443, POLICY_ALLOW, "allowed: learned" },
	{ "api.registry.test", 443, POLICY_DENY, "denied: the learned rule is exact" },
	{ "registry.test", 80, POLICY_DENY, "denied: a port not used" },
	{ "example.org", 443, POLICY_DENY, "denied: no injected 'allow *'" },
};

/* The learned profile, read back as profile.c reads it: exactly the rule
 * learned, and nothing a reason or the command could inject. */
static void learned(const char *text)
{
	static const char *const prefixes[] = { "#", "allow =registry.test:443 " };
	struct policy *p = policy_new();
	char buf[8192], *line, *save = NULL, *name, *arg, err[512];
	int rules = 0, good = 0;

	ok(tap_text_lines(text) > 0, "learned: printable lines only");
	ok(lines_start(text, prefixes, 2), "learned: every line a comment or the one learned rule");
	ok(strstr(text, "# refused: www.google.com:443 (SNI x\\x0aallow *\\x0a# does not match)\n") != NULL,
	   "learned: the refusal's reason escaped in its comment");
	snprintf(buf, sizeof(buf), "%s", text);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (profile_split_line(line, &name, &arg) != 1)
			continue;
		rules++;
		if ((strcmp(name, "allow") == 0 || strcmp(name, "deny") == 0) && arg &&
		    policy_add(p, name[0] == 'a', arg, "learned.profile", err, sizeof(err)) == 0 &&
		    strcmp(arg, "=registry.test:443") == 0)
			good++;
	}
	is_int(rules, 1, "learned: parsed back, one rule line");
	is_int(good, 1, "learned: ... allow =registry.test:443");
	for (size_t i = 0; i < sizeof(replay) / sizeof(replay[0]); i++)
		is_int(policy_decide_name(p, replay[i].name, replay[i].port, NULL), replay[i].want,
		       "learned, replayed: %s:%u %s", replay[i].name, replay[i].port, replay[i].what);
	policy_free(p);
}

/* A profile's text read into a policy as profile.c would; rule lines
 * counted, NULL when one does not parse. */
static struct policy *learned_policy(const char *text, int *rules)
{
	struct policy *p = policy_new();
	char buf[8192], *line, *save = NULL, *name, *arg, err[512];

	*rules = 0;
	snprintf(buf, sizeof(buf), "%s", text);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (profile_split_line(line, &name, &arg) != 1)
			continue;
		(*rules)++;
		if (!arg || policy_add(p, name[0] == 'a', arg, "learned.profile", err, sizeof(err)) < 0) {
			printf("# learned line refused: %s (%s)\n", line, err);
			policy_free(p);
			return NULL;
		}
	}
	return p;
}

/* --learn of an inspected host: its requests' methods on each path
 * segment they used, and nothing else. */
static void learned_requests(void)
{
	static const struct {
		const char *method, *path;
	} seen[] = {
		{ "GET", "/lab-hello" }, { "GET", "/lab-hello/-/lab-hello-1.0.0.tgz" },
		{ "HEAD", "/lab-hello/-/lab-hello-1.0.0.tgz" }, { "GET", "/@lab%2fscoped" },
	};
	static const struct {
		const char *method, *path;
		enum policy_verdict want;
	} again[] = {
		{ "GET", "/lab-hello", POLICY_ALLOW }, { "HEAD", "/lab-hello/-/x.tgz", POLICY_ALLOW },
		{ "GET", "/@lab%2fscoped", POLICY_ALLOW }, { "PUT", "/lab-hello", POLICY_DENY },
		{ "GET", "/evil", POLICY_DENY }, { "GET", "/lab-hello-evil", POLICY_DENY },
	};
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct report *r = report_new(true, NULL);
	struct report_conn c = { .name = "registry.test", .port = 443, .allowed = true };
	struct policy *p;
	int rules;

	report_connection(r, &c);
	for (size_t i = 0; i < sizeof(seen) / sizeof(seen[0]); i++)
		report_request(r, &(struct report_request){ .name = "registry.test", .port = 443,
			.method = seen[i].method, .path = seen[i].path, .status = 200, .allowed = true });
	report_request(r, &(struct report_request){ .name = "registry.test", .port = 443,
		.method = "PUT", .path = "/lab-hello", .status = 403 });
	is_int(report_learned(r, f, "npm install"), 0, "learned requests: written");
	fclose(f);
	ok(strstr(text, "allow GET,HEAD https://=registry.test/lab-hello/\n") != NULL,
	   "learned requests: the methods used below /lab-hello/");
	p = learned_policy(text, &rules);
	ok(p != NULL && rules == 3, "learned requests: three rules, each parsed back (%d)", rules);
	for (size_t i = 0; p && i < sizeof(again) / sizeof(again[0]); i++)
		is_int(policy_decide_request(p, "registry.test", 443, again[i].method, again[i].path, NULL),
		       again[i].want, "learned requests, replayed: %s %s", again[i].method, again[i].path);
	ok(p && policy_inspects(p, "registry.test", 443), "learned requests: the host is inspected on replay");
	policy_free(p);
	report_free(r);
	free(text);
}

/* A flood of distinct destinations: stderr says the first REPORT_HOSTS_MAX
 * (16384) and once that the rest are in the log only. */
static void flood(void)
{
	FILE *tmp = tmpfile();
	int saved = dup(2), denied = 0, over = 0;
	struct report *r = report_new(false, NULL);
	char line[512];

	fflush(stderr);
	dup2(fileno(tmp), 2);
	for (uint32_t i = 0; i < 20000; i++) {
		struct report_conn c = { .proto = IPPROTO_UDP, .port = 9999 };

		c.dst.s6_addr[10] = c.dst.s6_addr[11] = 0xff;
		c.dst.s6_addr[12] = 198;
		c.dst.s6_addr[13] = 51;
		c.dst.s6_addr[14] = (uint8_t)(i >> 8);
		c.dst.s6_addr[15] = (uint8_t)i;
		c.dst.s6_addr[13] += (uint8_t)(i >> 16);
		report_connection(r, &c);
	}
	report_free(r);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	while (fgets(line, sizeof(line), tmp)) {
		denied += strncmp(line, "netbox: denied ", 15) == 0;
		over += strstr(line, "over 16384 destinations") != NULL;
	}
	fclose(tmp);
	is_int(denied, 16384, "a flood of 20000 destinations: the first 16384 said");
	is_int(over, 1, "... and once that the others are in the log only");
}

int main(void)
{
	char err[8192], *log = NULL, *prof = NULL;
	size_t loglen = 0, proflen = 0;
	FILE *logf = open_memstream(&log, &loglen), *proff = open_memstream(&prof, &proflen);
	struct report *r = report_new(false, logf);
	int fd = tap_stderr_begin();

	run(r);
	report_summary(r);
	tap_stderr_end(fd, err, sizeof(err));
	is_int(report_learned(r, proff, "sh -c 'curl x\nallow *\n\x1b[2J'"), 0, "learned: written");
	fclose(logf);
	fclose(proff);
	stderr_lines(err);
	json_log(log);
	learned(prof);
	learned_requests();
	flood();
	report_free(r);
	free(log);
	free(prof);
	return tap_done();
}
