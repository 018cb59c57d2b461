/* policy.c — the policy (policy/): rules filed in lookup tables, and the
 * decisions the resolver, the proxy and the launcher ask for.
 *
 * Name rules live in a hash table keyed by their normalised domain; a
 * decision walks the suffixes of the queried name (a.b.example.com,
 * b.example.com, example.com, com), hashed right to left in one pass, so
 * it costs O(labels) whatever the number of rules.  IP/CIDR rules live in
 * a hash table keyed by (network, prefix length); a decision masks the
 * address once per prefix length in use (at most 129).  '*' rules are a
 * list of their own.  Each table slot keeps the rules with its key in
 * chains, deny, allow and deny-request (internal.h), the latest added
 * first: of equally specific rules the later one is credited (the command
 * line's over a profile's, which is read before it), as the later option
 * wins for paths.  The decisions on requests (request.c) walk the same
 * chains.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bitmap.h"
#include "policy/internal.h"

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

/* Names: a small open-addressing index over an array of entries, in the
 * order of first use.  Slots are 8 bytes so that the index of 10,000 names
 * is 256 KiB, not the 1.5 MiB (and a page fault per 4 KiB at every start)
 * that whole entries in the table cost. */
struct name_entry {
	const char *key;
	struct policy_rule *head[CHAIN_COUNT]; /* [policy_rule_chain()] */
};

struct name_slot {
	uint32_t hash; /* the low half of the key's hash */
	uint32_t idx;  /* entry + 1; 0: free slot */
};

struct net_slot {
	uint64_t hash;
	struct in6_addr net;
	unsigned plen;
	bool used;
	struct policy_rule *head[2];
};

struct policy {
	struct policy_rule **rules; /* every rule, in order of addition */
	size_t nrules, rules_cap;

	struct name_slot *names;    /* open addressing, power-of-two size */
	size_t names_cap, names_used;
	struct name_entry *entries; /* names_used of them */
	size_t entries_cap;

	struct net_slot *nets;
	size_t nets_cap, nets_used;
	uint8_t plens[129];         /* prefix lengths in use, longest first */
	size_t nplens;

	struct policy_rule *any_head[2]; /* [rule->allow]: '*' is never a request rule */
	size_t nrequest;                 /* request rules added */
};

/* ---- hashing and tables ------------------------------------------------- */

static uint64_t name_hash(const char *s, size_t len)
{
	uint64_t h = FNV_OFFSET;

	while (len-- > 0)
		h = (h ^ (uint8_t)s[len]) * FNV_PRIME;
	return h;
}

static uint64_t net_hash(const struct in6_addr *net, unsigned plen)
{
	uint64_t h = FNV_OFFSET;

	for (size_t i = 0; i < sizeof(net->s6_addr); i++)
		h = (h ^ net->s6_addr[i]) * FNV_PRIME;
	return (h ^ plen) * FNV_PRIME;
}

static void chain_push(struct policy_rule **head, struct policy_rule *r)
{
	r->next = *head;
	*head = r;
}

static struct name_slot *name_probe(struct name_slot *tab, size_t cap,
				    const struct name_entry *entries, uint64_t hash, const char *key)
{
	for (size_t i = hash & (cap - 1);; i = (i + 1) & (cap - 1))
		if (!tab[i].idx || (tab[i].hash == (uint32_t)hash &&
				    strcmp(entries[tab[i].idx - 1].key, key) == 0))
			return &tab[i];
}

static const struct name_entry *name_find(const struct policy *p, uint64_t hash, const char *key)
{
	const struct name_slot *s;

	if (!p->names_cap)
		return NULL;
	s = name_probe(p->names, p->names_cap, p->entries, hash, key);
	return s->idx ? &p->entries[s->idx - 1] : NULL;
}

static int names_grow(struct policy *p)
{
	size_t cap = p->names_cap ? p->names_cap * 2 : 16;
	struct name_slot *tab = calloc(cap, sizeof(*tab));

	if (!tab)
		return -1;
	/* Slots keep only half the hash: re-hash the keys to place them. */
	for (size_t i = 0; i < p->names_used; i++) {
		const char *key = p->entries[i].key;
		uint64_t h = name_hash(key, strlen(key));

		*name_probe(tab, cap, p->entries, h, key) = (struct name_slot){ (uint32_t)h, (uint32_t)i + 1 };
	}
	free(p->names);
	p->names = tab;
	p->names_cap = cap;
	return 0;
}

/* Room for one more name (policy_reserve() made it). */
static void file_name_rule(struct policy *p, struct policy_rule *r)
{
	uint64_t hash = name_hash(r->name, strlen(r->name));
	struct name_slot *s;
	struct name_entry *e;

	s = name_probe(p->names, p->names_cap, p->entries, hash, r->name);
	if (!s->idx) {
		p->entries[p->names_used] = (struct name_entry){ .key = r->name };
		*s = (struct name_slot){ (uint32_t)hash, (uint32_t)++p->names_used };
	}
	e = &p->entries[s->idx - 1];
	chain_push(&e->head[policy_rule_chain(r)], r);
}

static struct net_slot *net_probe(struct net_slot *tab, size_t cap, uint64_t hash,
				  const struct in6_addr *net, unsigned plen)
{
	for (size_t i = hash & (cap - 1);; i = (i + 1) & (cap - 1))
		if (!tab[i].used || (tab[i].hash == hash && tab[i].plen == plen &&
				     memcmp(&tab[i].net, net, sizeof(*net)) == 0))
			return &tab[i];
}

static const struct net_slot *net_find(const struct policy *p, const struct in6_addr *net,
				       unsigned plen)
{
	const struct net_slot *s;

	if (!p->nets_cap)
		return NULL;
	s = net_probe(p->nets, p->nets_cap, net_hash(net, plen), net, plen);
	return s->used ? s : NULL;
}

static int nets_grow(struct policy *p)
{
	size_t cap = p->nets_cap ? p->nets_cap * 2 : 16;
	struct net_slot *tab = calloc(cap, sizeof(*tab));

	if (!tab)
		return -1;
	for (size_t i = 0; i < p->nets_cap; i++)
		if (p->nets[i].used)
			*net_probe(tab, cap, p->nets[i].hash, &p->nets[i].net, p->nets[i].plen) =
				p->nets[i];
	free(p->nets);
	p->nets = tab;
	p->nets_cap = cap;
	return 0;
}

static void plen_note(struct policy *p, unsigned plen)
{
	size_t i = 0;

	while (i < p->nplens && p->plens[i] > plen)
		i++;
	if (i < p->nplens && p->plens[i] == plen)
		return;
	memmove(p->plens + i + 1, p->plens + i, p->nplens - i);
	p->plens[i] = (uint8_t)plen;
	p->nplens++;
}

/* Room for one more network (policy_reserve() made it). */
static void file_net_rule(struct policy *p, struct policy_rule *r)
{
	uint64_t hash = net_hash(&r->net, r->plen);
	struct net_slot *s;

	s = net_probe(p->nets, p->nets_cap, hash, &r->net, r->plen);
	if (!s->used) {
		s->used = true;
		s->hash = hash;
		s->net = r->net;
		s->plen = r->plen;
		p->nets_used++;
		plen_note(p, r->plen);
	}
	chain_push(&s->head[r->allow], r);
}

/* Every allocation filing a rule of @kind may need, made before it is
 * filed: a rule is added whole or not at all.  0, or -1 when memory runs
 * out (the tables grown so far stay valid). */
static int policy_reserve(struct policy *p, enum rule_kind kind)
{
	if (p->nrules == p->rules_cap) {
		size_t cap = p->rules_cap ? p->rules_cap * 2 : 16;
		struct policy_rule **rules = realloc(p->rules, cap * sizeof(*rules));

		if (!rules)
			return -1;
		p->rules = rules;
		p->rules_cap = cap;
	}
	if (kind == RULE_NET)
		return (p->nets_used + 1) * 2 > p->nets_cap ? nets_grow(p) : 0;
	if (kind == RULE_ANY)
		return 0;
	if ((p->names_used + 1) * 2 > p->names_cap && names_grow(p) < 0)
		return -1;
	if (p->names_used == p->entries_cap) {
		size_t cap = p->entries_cap ? p->entries_cap * 2 : 16;
		struct name_entry *entries = realloc(p->entries, cap * sizeof(*entries));

		if (!entries)
			return -1;
		p->entries = entries;
		p->entries_cap = cap;
	}
	return 0;
}

/* ---- building ------------------------------------------------------------ */

struct policy *policy_new(void)
{
	return calloc(1, sizeof(struct policy));
}

void policy_free(struct policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nrules; i++)
		free(p->rules[i]); /* one block: policy_rule_pack() */
	free(p->rules);
	free(p->names);
	free(p->entries);
	free(p->nets);
	free(p);
}

/* The rule, its ports and its strings in one allocation: 10,000 rules are
 * loaded at every start of a large profile, and malloc() per string was a
 * third of it.  Owns nothing of @tmp.  NULL when memory runs out. */
static struct policy_rule *policy_rule_pack(const struct policy_rule *tmp, const char *text,
					    const char *origin)
{
	size_t pl = tmp->ports == policy_default_ports ? 0 : tmp->nports * sizeof(*tmp->ports);
	size_t tl = strlen(text) + 1, ol = strlen(origin) + 1, nl = tmp->name ? strlen(tmp->name) + 1 : 0;
	size_t ml = tmp->methods ? strlen(tmp->methods) + 1 : 0, gl = tmp->path ? strlen(tmp->path) + 1 : 0;
	struct policy_rule *r = malloc(sizeof(*r) + pl + tl + ol + nl + ml + gl);
	char *at;

	if (!r)
		return NULL;
	at = (char *)(r + 1);
	*r = *tmp;
	if (pl) {
		r->ports = memcpy(at, tmp->ports, pl);
		at += pl;
	}
	r->text = memcpy(at, text, tl);
	at += tl;
	r->origin = memcpy(at, origin, ol);
	at += ol;
	if (nl)
		r->name = memcpy(at, tmp->name, nl);
	at += nl;
	if (ml)
		r->methods = memcpy(at, tmp->methods, ml);
	at += ml;
	if (gl)
		r->path = memcpy(at, tmp->path, gl);
	return r;
}

int policy_add(struct policy *p, bool allow, const char *spec, const char *origin,
	       char *err, size_t errlen)
{
	struct policy_rule tmp = { .allow = allow }, *r;

	if (err && errlen)
		err[0] = '\0';
	if (!p) {
		if (err && errlen)
			snprintf(err, errlen, "bad rule: no policy — call policy_new() first");
		return -1;
	}
	if (policy_rule_parse(&tmp, spec, err, errlen) < 0) {
		policy_rule_release(&tmp);
		return -1;
	}
	r = policy_reserve(p, tmp.kind) == 0 ? policy_rule_pack(&tmp, spec, origin ? origin : "") : NULL;
	policy_rule_release(&tmp);
	if (!r) {
		if (err && errlen)
			snprintf(err, errlen, "bad rule: out of memory — free some memory");
		return -1;
	}
	p->rules[p->nrules++] = r;
	p->nrequest += r->request;

	switch (r->kind) {
	case RULE_NET:
		file_net_rule(p, r);
		break;
	case RULE_ANY:
		chain_push(&p->any_head[allow], r);
		break;
	default:
		file_name_rule(p, r);
		break;
	}
	return 0;
}

size_t policy_count(const struct policy *p)
{
	return p ? p->nrules : 0;
}

int policy_foreach_rule(const struct policy *p, policy_rule_cb cb, void *arg)
{
	for (size_t i = 0; p && i < p->nrules; i++) {
		int ret = cb(p->rules[i], arg);

		if (ret)
			return ret;
	}
	return 0;
}

const char *policy_rule_text(const struct policy_rule *r)
{
	return r ? r->text : "";
}

const char *policy_rule_origin(const struct policy_rule *r)
{
	return r ? r->origin : "";
}

bool policy_rule_is_allow(const struct policy_rule *r)
{
	return r && r->allow;
}

bool policy_rule_is_request(const struct policy_rule *r)
{
	return r && r->request;
}

bool policy_rule_is_catchall(const struct policy_rule *r)
{
	if (!r)
		return false;
	/* 'com', '*.com': every name anyone can register under a top-level
	 * domain, DNS and all (issue 14's rebinding through a proxy); no
	 * host is named.  '=com' names one. */
	if ((r->kind == RULE_DOMAIN || r->kind == RULE_SUBDOMAINS) && r->name)
		return !strchr(r->name, '.');
	return r->kind == RULE_ANY;
}

const char *policy_rule_methods(const struct policy_rule *r)
{
	return r && r->methods ? r->methods : "*";
}

const char *policy_rule_path(const struct policy_rule *r)
{
	return r && r->path ? r->path : "/**";
}

/* ---- name matching ------------------------------------------------------- */

size_t policy_name_hits(const struct policy *p, const char *name,
			struct name_hit hits[POLICY_NAME_MAX])
{
	size_t len = strlen(name), n = 0;
	uint64_t h = FNV_OFFSET;

	if (len >= POLICY_NAME_MAX || !p->names_used)
		return 0;
	/* Right to left: suffixes come shortest first; reversed below. */
	for (size_t i = len; i-- > 0;) {
		h = (h ^ (uint8_t)name[i]) * FNV_PRIME;
		if (i > 0 && name[i - 1] != '.')
			continue;
		const struct name_entry *s = name_find(p, h, name + i);
		if (s)
			hits[n++] = (struct name_hit){ s, i == 0 };
	}
	for (size_t i = 0; i < n / 2; i++) {
		struct name_hit t = hits[i];

		hits[i] = hits[n - 1 - i];
		hits[n - 1 - i] = t;
	}
	return n;
}

/* Which kinds of rule a slot's rule must be to match: [apex][kind]. */
static const bool kind_matches[2][RULE_NKINDS] = {
	[false] = { [RULE_DOMAIN] = true, [RULE_SUBDOMAINS] = true },
	[true] = { [RULE_DOMAIN] = true, [RULE_EXACT] = true },
};

static const struct policy_rule *iter_chain(const struct name_iter *it)
{
	if (it->c < it->nhits)
		return it->hits[it->c].slot->head[it->chain];
	return it->chain == CHAIN_DENY_REQUEST ? NULL : it->p->any_head[it->chain];
}

void policy_name_iter_init(struct name_iter *it, const struct policy *p,
			   const struct name_hit *hits, size_t nhits, enum rule_chain chain,
			   bool with_any)
{
	*it = (struct name_iter){ .p = p, .hits = hits, .nhits = nhits, .chain = chain,
				  .with_any = with_any };
	it->r = (nhits > 0 || with_any) ? iter_chain(it) : NULL;
}

const struct policy_rule *policy_name_iter_next(struct name_iter *it)
{
	for (;;) {
		while (it->r) {
			const struct policy_rule *r = it->r;

			it->r = r->next;
			if (it->c == it->nhits || kind_matches[it->hits[it->c].apex][r->kind])
				return r;
		}
		if (it->c >= it->nhits || (it->c + 1 == it->nhits && !it->with_any)) {
			it->c = it->nhits + 1;
			return NULL;
		}
		it->c++;
		it->r = iter_chain(it);
	}
}

static const struct policy_rule *name_first(const struct policy *p, const struct name_hit *hits,
					    size_t nhits, bool allow, bool with_any, uint16_t port)
{
	struct name_iter it;
	const struct policy_rule *r;

	policy_name_iter_init(&it, p, hits, nhits, allow ? CHAIN_ALLOW : CHAIN_DENY, with_any);
	while ((r = policy_name_iter_next(&it)))
		if (policy_rule_port_match(r, port))
			return r;
	return NULL;
}

/* ---- address matching ---------------------------------------------------- */

/* The first rule (longest prefix, then latest added) whose network holds @a and
 * whose ports hold @port.  /0 rules and '*' match only a @public address,
 * and not at all with @explicit_only. */
static const struct policy_rule *net_first(const struct policy *p, const struct in6_addr *a,
					   uint16_t port, bool allow, bool public,
					   bool explicit_only)
{
	bool v4 = IN6_IS_ADDR_V4MAPPED(a);

	for (size_t i = 0; i < p->nplens; i++) {
		unsigned plen = p->plens[i];
		struct in6_addr m;

		if (v4 && plen < 96)
			break; /* IPv4 is matched by IPv4 rules only */
		policy_addr_mask(a, plen, &m);
		const struct net_slot *s = net_find(p, &m, plen);
		if (!s)
			continue;
		for (const struct policy_rule *r = s->head[allow]; r; r = r->next) {
			if (r->net_any && (!public || explicit_only))
				continue;
			if (policy_rule_port_match(r, port))
				return r;
		}
	}
	if (!public || explicit_only)
		return NULL;
	for (const struct policy_rule *r = p->any_head[allow]; r; r = r->next)
		if (policy_rule_port_match(r, port))
			return r;
	return NULL;
}

/* A deny rule for @a, or for the IPv4 address inside it. */
static const struct policy_rule *addr_denied(const struct policy *p, const struct in6_addr *a,
					     uint16_t port)
{
	bool public = policy_addr_class(a) == POLICY_ADDR_PUBLIC;
	const struct policy_rule *r = net_first(p, a, port, false, public, false);
	struct in6_addr v4;

	if (!r && policy_addr_embedded_v4(a, &v4))
		r = net_first(p, &v4, port, false, public, false);
	return r;
}

/* ---- decisions ------------------------------------------------------------ */

static enum policy_verdict verdict(enum policy_verdict v, const struct policy_rule *r,
				   const struct policy_rule **out)
{
	if (out)
		*out = r;
	return v;
}

enum policy_verdict policy_decide_name(const struct policy *p, const char *name, uint16_t port,
				       const struct policy_rule **rule)
{
	struct name_hit hits[POLICY_NAME_MAX];
	const struct policy_rule *r;
	size_t n;

	if (!p || !name || !*name)
		return verdict(POLICY_DENY, NULL, rule);
	n = policy_name_hits(p, name, hits);
	if ((r = name_first(p, hits, n, false, true, port)))
		return verdict(POLICY_DENY, r, rule);
	if ((r = name_first(p, hits, n, true, true, port)))
		return verdict(POLICY_ALLOW, r, rule);
	return verdict(POLICY_DENY, NULL, rule);
}

enum policy_verdict policy_decide_addr(const struct policy *p, const struct in6_addr *addr,
				       uint16_t port, const struct policy_rule **rule)
{
	const struct policy_rule *r;

	if (!p || !addr)
		return verdict(POLICY_DENY, NULL, rule);
	if ((r = addr_denied(p, addr, port)))
		return verdict(POLICY_DENY, r, rule);
	r = net_first(p, addr, port, true, policy_addr_class(addr) == POLICY_ADDR_PUBLIC, false);
	return verdict(r ? POLICY_ALLOW : POLICY_DENY, r, rule);
}

enum policy_verdict policy_decide_resolved(const struct policy *p, const char *name,
					   const struct in6_addr *addr, uint16_t port,
					   const struct policy_rule **rule)
{
	struct name_hit hits[POLICY_NAME_MAX];
	const struct policy_rule *r, *named, *ip;
	enum policy_addr_class cls;
	size_t n;

	if (!p || !name || !*name || !addr)
		return verdict(POLICY_DENY, NULL, rule);
	n = policy_name_hits(p, name, hits);
	if ((r = name_first(p, hits, n, false, true, port)))
		return verdict(POLICY_DENY, r, rule);
	named = name_first(p, hits, n, true, false, port);
	r = named ? named : name_first(p, hits, n, true, true, port);
	if (!r)
		return verdict(POLICY_DENY, NULL, rule);
	if ((ip = addr_denied(p, addr, port)))
		return verdict(POLICY_DENY, ip, rule);
	cls = policy_addr_class(addr);
	if (cls == POLICY_ADDR_PUBLIC || (cls == POLICY_ADDR_PRIVATE && named))
		return verdict(POLICY_ALLOW, r, rule);
	if ((ip = net_first(p, addr, port, true, false, true)))
		return verdict(POLICY_ALLOW, ip, rule);
	return verdict(POLICY_DENY_ADDR_CLASS, r, rule);
}

/* Set (or clear) the bits of ports lo..hi. */
static void bits_range(uint8_t *bm, unsigned lo, unsigned hi, bool set)
{
	for (unsigned port = lo; port <= hi;) {
		if (port % 8 == 0 && port + 7 <= hi) {
			bm[port / 8] = set ? 0xFF : 0; /* a whole byte of the map at once */
			port += 8;
			continue;
		}
		bitmap_assign(bm, port, set);
		port++;
	}
}

static void bits_rule(uint8_t *bm, const struct policy_rule *r, bool set)
{
	if (r->all_ports) {
		bits_range(bm, 1, 65535, set);
		return;
	}
	for (size_t i = 0; i < r->nports; i++)
		bits_range(bm, r->ports[i].lo, r->ports[i].hi, set);
}

bool policy_name_may_resolve_rule(const struct policy *p, const char *name,
				  const struct policy_rule **rule)
{
	struct name_hit hits[POLICY_NAME_MAX];
	uint8_t bm[POLICY_PORT_BITMAP_SIZE];
	struct name_iter it;
	const struct policy_rule *r, *first_deny = NULL, *first_allow;
	bool denied = false, allowed = false;
	size_t n;

	if (rule)
		*rule = NULL;
	if (!p || !name || !*name)
		return false;
	n = policy_name_hits(p, name, hits);
	policy_name_iter_init(&it, p, hits, n, CHAIN_DENY, true);
	while ((r = policy_name_iter_next(&it))) {
		if (r->all_ports) {
			if (rule)
				*rule = r;
			return false;
		}
		if (!first_deny)
			first_deny = r;
		denied = true;
	}
	policy_name_iter_init(&it, p, hits, n, CHAIN_ALLOW, true);
	first_allow = policy_name_iter_next(&it);
	allowed = first_allow != NULL;
	if (rule)
		*rule = allowed ? first_allow : first_deny;
	if (!allowed || !denied)
		return allowed;
	/* Both: is some allowed port left once the denied ones are taken? */
	memset(bm, 0, sizeof(bm));
	policy_name_iter_init(&it, p, hits, n, CHAIN_ALLOW, true);
	while ((r = policy_name_iter_next(&it)))
		bits_rule(bm, r, true);
	policy_name_iter_init(&it, p, hits, n, CHAIN_DENY, true);
	while ((r = policy_name_iter_next(&it)))
		bits_rule(bm, r, false);
	for (size_t i = 0; i < sizeof(bm); i++)
		if (bm[i])
			return true;
	if (rule)
		*rule = first_deny;
	return false;
}

bool policy_name_may_resolve(const struct policy *p, const char *name)
{
	return policy_name_may_resolve_rule(p, name, NULL);
}

void policy_listen_ports(const struct policy *p, uint8_t bitmap[POLICY_PORT_BITMAP_SIZE],
			 bool *any_port)
{
	bool any = false;

	memset(bitmap, 0, POLICY_PORT_BITMAP_SIZE);
	for (size_t i = 0; p && i < p->nrules; i++) {
		const struct policy_rule *r = p->rules[i];

		if (!r->allow)
			continue;
		if (r->all_ports)
			any = true;
		else
			bits_rule(bitmap, r, true);
	}
	if (any_port)
		*any_port = any;
}

static const char *const verdict_names[] = {
	[POLICY_DENY] = "deny",
	[POLICY_ALLOW] = "allow",
	[POLICY_DENY_ADDR_CLASS] = "deny-addr-class",
};

const char *policy_verdict_name(enum policy_verdict v)
{
	if ((size_t)v >= ARRAY_SIZE(verdict_names))
		return "unknown";
	return verdict_names[v];
}

/* ---- requests ------------------------------------------------------------ */

/* (policy_inspects() and policy_decide_request() are request.c's.) */
bool policy_has_request_rules(const struct policy *p)
{
	return p && p->nrequest > 0;
}
