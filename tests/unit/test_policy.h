/* test_policy.h — what the files of the policy's unit tests share: the
 * helpers (defined in test_policy.c) and the tests test_policy_decide.c
 * gives main(), in main()'s order.
 */
#ifndef NETBOX_TEST_POLICY_H
#define NETBOX_TEST_POLICY_H

#include "policy/policy.h"

#include <netinet/in.h>
#include <stdint.h>

/* A policy from lines "allow SPEC" / "deny SPEC"; NULL-terminated. */
struct policy *mk(const char *const *lines);
#define MK(...) mk((const char *const[]){ __VA_ARGS__, NULL })
/* The address @s, parsed (a failed check and :: if it does not parse). */
struct in6_addr A(const char *s);
/* policy_decide_name(), _addr(), _resolved() without the rule. */
enum policy_verdict dn(const struct policy *p, const char *name, uint16_t port);
enum policy_verdict da(const struct policy *p, const char *addr, uint16_t port);
enum policy_verdict dr(const struct policy *p, const char *name, const char *addr,
		       uint16_t port);
/* The text of a reported rule, "(none)" for none. */
const char *rtext(const struct policy_rule *r);

/* test_policy_decide.c */
void test_classes(void);
void test_resolved(void);
void test_dns_and_ports(void);
void test_catchall(void);
void test_scale(void);

/* test_policy_request.c */
void test_request(void);

#endif
