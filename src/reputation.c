/*
 * reputation.c -- the blocklist scan: targets, list queries, RFC 5782
 * semantics and findings (reputation.h says what is looked up and how an
 * answer is read).
 *
 * The scan is a tree of callbacks on the shared resolver: MX -> A/AAAA of
 * each host -> one A question per list; TXT (the domain's own SPF record)
 * -> the addresses of its ip4/ip6/a/mx terms -> the lists.  A listed answer
 * asks for the list's TXT reason, one more question only where there is a
 * listing.  Every question's answer is read in rep_finish(), after the
 * resolver has run; nothing here waits.
 */
#include "reputation.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "dmarc.h"
#include "dns.h"
#include "dns_failure.h"
#include "mx.h"
#include "spf.h"

struct rep_check {			/* one target on one list */
	struct rep_target *t;
	size_t list;
	bool asked;			/* a question went out (or its
					 * submit failed: q NULL) */
	struct dns_query *q;		/* A <name>.<zone> */
	struct dns_query *txt;		/* TXT, when the A listed it */
};

struct rep_target {
	char name[256];			/* text address or domain */
	bool is_ip;
	struct ipaddr ip;
	unsigned roles;			/* BL_ROLE_* bits */
	char via[128];
	struct rep_check *chk;		/* one per list */
	struct rep_result *res;
};

enum lk_kind { LK_MX, LK_ADDR, LK_TXT };

struct rep_lookup {			/* a name whose answers add targets */
	struct rep_result *res;
	enum lk_kind kind;
	unsigned role;
	char name[256];
	struct dns_query *q[2];		/* MX or TXT; A and AAAA */
	bool submit_failed;
};

enum health { H_OK, H_REFUSED, H_BROKEN, H_UNKNOWN };

struct rep_health {
	struct dns_query *listed, *clean;
	bool submit_failed;
	enum health h;
	uint32_t code;			/* H_REFUSED: the error code */
	char why[200];			/* H_BROKEN: what failed */
	bool refused_any;		/* some answer was an error code */
	uint32_t refused_code;
	size_t nrefused;
	const struct dns_answer *failed;	/* a failed answer */
	bool point_failed;		/* a test point's query failed */
	size_t nfailed;
};

#define REP_MAX_NOTES	8
struct rep_notes {
	char text[REP_MAX_NOTES][220];
	size_t n;
};

/* The notes live behind the lookups array (one allocation per scan). */
static struct rep_notes *
notes_of(struct rep_result *res)
{
	return (struct rep_notes *)(res->lk_ + REP_MAX_LOOKUPS);
}

static void
note(struct rep_result *res, size_t count, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
note(struct rep_result *res, size_t count, const char *fmt, ...)
{
	struct rep_notes *N = notes_of(res);
	va_list ap;

	res->not_checked += count;
	if (N->n == REP_MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(N->text[N->n++], sizeof(N->text[0]), fmt, ap);
	va_end(ap);
}

static bool
used(const struct rep_result *res, const struct bl_list *l)
{
	return l->on || res->o.all_lists;
}

const char *
rep_status_name(enum rep_status s)
{
	static const char *const names[] = { "clear", "listed", "refused",
		"broken", "unknown" };

	return (unsigned)s < 5 ? names[s] : "?";
}

void
rep_code_text(uint32_t code, char *out, size_t size)
{
	snprintf(out, size, "%u.%u.%u.%u", code >> 24, (code >> 16) & 0xff,
	    (code >> 8) & 0xff, code & 0xff);
}

/* The zone to ask: the DQS zone under the key when one is given. */
static int
zone_of(const struct rep_result *res, const struct bl_list *l, char *out,
    size_t size)
{
	int n;

	if (res->o.dqs_key != NULL && l->dqs_zone != NULL)
		n = snprintf(out, size, "%s.%s", res->o.dqs_key, l->dqs_zone);
	else
		n = snprintf(out, size, "%s", l->zone);
	return n > 0 && (size_t)n < size ? 0 : -1;
}

/* The question for an address or a name on list l (RFC 5782 §2.1:
 * reversed octets; §2.4: reversed nibbles; domain lists: the name as
 * is).  -1 when it does not make a valid name. */
static int
qname(const struct rep_result *res, const struct bl_list *l, bool is_ip,
    const struct ipaddr *ip, const char *name, char *out, size_t size)
{
	char zone[300], rev[80];
	int n;

	if (zone_of(res, l, zone, sizeof(zone)) != 0)
		return -1;
	if (!is_ip)
		n = snprintf(out, size, "%s.%s", name, zone);
	else if (ip->family == 4)
		n = snprintf(out, size, "%u.%u.%u.%u.%s", ip->a[3], ip->a[2],
		    ip->a[1], ip->a[0], zone);
	else {
		ip_reverse_name(ip, rev, sizeof(rev));
		if (strlen(rev) != 72)	/* 32 nibbles and "ip6.arpa" */
			return -1;
		n = snprintf(out, size, "%.64s%s", rev, zone);
	}
	if (n <= 0 || (size_t)n >= size || !dns_name_valid(out, (size_t)n))
		return -1;
	return 0;
}

/* The address form of a test point ("127.0.0.2", "::ffff:7f00:2"). */
static int
test_qname(const struct rep_result *res, const struct bl_list *l,
    const char *point, char *out, size_t size)
{
	struct ipaddr ip;

	if (l->kind == BL_DOMAIN)
		return qname(res, l, false, NULL, point, out, size);
	memset(&ip, 0, sizeof(ip));
	/* ip_parse() would make ::ffff:7f00:2 nothing else; keep it IPv6 */
	if (!ip_parse_family(point, strlen(point), l->kind == BL_IPV4 ? 4 : 6,
	    &ip))
		return -1;
	return qname(res, l, true, &ip, NULL, out, size);
}

static uint32_t
a_code(const struct dns_rr *rr)
{
	const uint8_t *b = rr->u.addr.a;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
}

static bool
in_127(uint32_t code)
{
	return code >> 24 == 127;
}

/* ---- questions ---------------------------------------------------------- */

static void
list_a_done(void *arg, struct dns_query *q)
{
	struct rep_check *c = arg;
	struct rep_result *res = c->t->res;
	const struct bl_list *l = blocklist_get(res->o.lists, c->list);
	const struct dns_answer *a = dns_answer(q);
	char name[300];

	if (a == NULL || a->status != DNS_OK || c->txt != NULL)
		return;
	for (size_t i = 0; i < a->nrr; i++) {
		uint32_t code;

		if (a->rr[i].type != DNS_T_A || a->rr[i].u.addr.family != 4)
			continue;
		code = a_code(&a->rr[i]);
		if (!in_127(code) || blocklist_error(l, code) != NULL)
			continue;
		/* Listed: the reason, where the list publishes one. */
		snprintf(name, sizeof(name), "%s", a->qname);
		if ((c->txt = dns_submit(res->r_, name, DNS_T_TXT, NULL,
		    NULL)) == NULL)
			res->area.oom = true;
		return;
	}
}

/* Addresses no public list holds and whose question would be misread:
 * 127/8 is where the test points live. */
static bool
not_public(const struct ipaddr *ip)
{
	static const uint8_t loop6[16] = { [15] = 1 };
	static const uint8_t zero6[16];
	const uint8_t *a = ip->a;

	if (ip->family == 4)
		return a[0] == 127 || a[0] == 0 || a[0] == 10 ||
		    (a[0] == 172 && (a[1] & 0xf0) == 16) ||
		    (a[0] == 192 && a[1] == 168) || (a[0] == 169 && a[1] == 254);
	return memcmp(a, loop6, 16) == 0 || memcmp(a, zero6, 16) == 0 ||
	    (a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
}

static int
add_target(struct rep_result *res, bool is_ip, const struct ipaddr *ip0,
    const char *name, unsigned role, const char *via)
{
	struct rep_target *t;
	struct ipaddr ip;
	char qn[300];
	size_t nl = blocklist_count(res->o.lists);

	if (is_ip) {
		ip = ip_unmap(ip0);
		if (not_public(&ip)) {
			char txt[IP_STRLEN];

			ip_format(&ip, txt, sizeof(txt));
			note(res, 1, "%s (%s) is a loopback, private or "
			    "link-local address: no public list holds it", txt,
			    via);
			return 0;
		}
	}
	for (size_t i = 0; i < res->ntargets; i++) {
		t = res->t_[i];
		if (t->is_ip == is_ip && (is_ip ? ip_equal(&t->ip, &ip) :
		    strcasecmp(t->name, name) == 0)) {
			t->roles |= role;
			return 0;
		}
	}
	if (res->ntargets == REP_MAX_TARGETS) {
		if (res->over_++ == 0)
			note(res, 0, "more than %d addresses and names: the "
			    "rest (from %s on) were not looked up",
			    REP_MAX_TARGETS, via);
		res->not_checked++;
		return 0;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL ||
	    (t->chk = calloc(nl, sizeof(*t->chk))) == NULL) {
		free(t);
		return -1;
	}
	t->res = res;
	t->is_ip = is_ip;
	t->roles = role;
	snprintf(t->via, sizeof(t->via), "%s", via);
	if (is_ip) {
		t->ip = ip;
		ip_format(&ip, t->name, sizeof(t->name));
	} else {
		snprintf(t->name, sizeof(t->name), "%s", name);
	}
	res->t_[res->ntargets++] = t;
	for (size_t i = 0; i < nl; i++) {
		const struct bl_list *l = blocklist_get(res->o.lists, i);
		struct rep_check *c = &t->chk[i];

		c->t = t;
		c->list = i;
		if (!used(res, l) || (l->kind == BL_DOMAIN) == is_ip ||
		    (is_ip && (l->kind == BL_IPV4) != (ip.family == 4)))
			continue;
		if (qname(res, l, is_ip, &t->ip, t->name, qn, sizeof(qn)) !=
		    0) {
			note(res, 1, "%s is too long a name to look up under "
			    "%s", t->name, l->zone);
			continue;
		}
		c->asked = true;
		if ((c->q = dns_submit(res->r_, qn, DNS_T_A, list_a_done, c)) ==
		    NULL)
			res->area.oom = true;
	}
	return 0;
}

static struct rep_lookup *new_lookup(struct rep_result *res, enum lk_kind k,
    const char *name, unsigned role);

static void
mx_done(void *arg, struct dns_query *q)
{
	struct rep_lookup *lk = arg;
	const struct dns_answer *a = dns_answer(q);
	size_t hosts = 0;

	if (a == NULL || a->status != DNS_OK)
		return;
	for (size_t i = 0; i < a->nrr; i++) {
		const char *h = a->rr[i].u.mx.host;
		struct ipaddr ip;
		char lit[IP_STRLEN + 8];
		size_t n;

		if (a->rr[i].type != DNS_T_MX || h[0] == '\0')
			continue;
		if (++hosts > MX_MAX_HOSTS) {
			note(lk->res, 1, "%s has more than %d MX hosts: the "
			    "rest were not looked up", lk->name, MX_MAX_HOSTS);
			break;
		}
		n = strlen(h);
		if (mx_is_ip_literal(h, n)) {
			/* "[192.0.2.1]": the address itself */
			if (h[0] == '[' && n >= 2 && n - 2 < sizeof(lit)) {
				memcpy(lit, h + 1, n - 2);
				lit[n - 2] = '\0';
			} else {
				snprintf(lit, sizeof(lit), "%s", h);
			}
			if (ip_parse(lit, strlen(lit), &ip) &&
			    add_target(lk->res, true, &ip, NULL, lk->role, h) != 0)
				lk->res->area.oom = true;
			continue;
		}
		if (new_lookup(lk->res, LK_ADDR, h, lk->role) == NULL)
			lk->res->area.oom = true;
	}
}

static void
addr_done(void *arg, struct dns_query *q)
{
	struct rep_lookup *lk = arg;
	const struct dns_answer *a = dns_answer(q);

	if (a == NULL || a->status != DNS_OK)
		return;
	for (size_t i = 0; i < a->nrr && i < MX_MAX_ADDRS; i++)
		if ((a->rr[i].type == DNS_T_A || a->rr[i].type == DNS_T_AAAA) &&
		    add_target(lk->res, true, &a->rr[i].u.addr, NULL, lk->role,
		    lk->name) != 0)
			lk->res->area.oom = true;
}

static int
add_net(struct rep_result *res, const struct ipaddr *net, unsigned prefix,
    unsigned role, const char *via, size_t cap)
{
	unsigned width = net->family == 4 ? 32 : 128;
	unsigned long long count;
	struct ipaddr ip;

	if (prefix > width)
		prefix = width;
	if (width - prefix > 30 || (count = 1ull << (width - prefix)) > cap) {
		note(res, 1, "%s is a network of more than %zu addresses: not "
		    "looked up (name its mail servers with --ip, or look up "
		    "the network with `authcheck blocklist`)", via, cap);
		return 0;
	}
	ip = *net;
	/* clear the host bits, then count up through them */
	for (unsigned b = prefix; b < width; b++)
		ip.a[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
	for (unsigned long long k = 0; k < count; k++) {
		struct ipaddr h = ip;
		unsigned long long v = k;

		for (int i = (int)width / 8 - 1; i >= 0 && v > 0; i--) {
			unsigned s = h.a[i] + (unsigned)(v & 0xff);

			h.a[i] = (uint8_t)s;
			v = (v >> 8) + (s >> 8);
		}
		if (add_target(res, true, &h, NULL, role, via) != 0)
			return -1;
	}
	return 0;
}

int
rep_add_net(struct rep_result *res, const struct ipaddr *net,
    unsigned prefix, unsigned role, const char *via)
{
	return add_net(res, net, prefix, role, via, res->o.net_cap ?
	    res->o.net_cap : REP_NET_CAP);
}

/* The domain's own SPF record: what it authorises directly.  include:
 * and redirect= reach providers' shared ranges, which are not the
 * domain's to fix, and are never followed. */
static void
spf_done(void *arg, struct dns_query *q)
{
	struct rep_lookup *lk = arg;
	struct rep_result *res = lk->res;
	struct spf_record *rec;
	char *text = NULL, via[128], name[256];
	size_t len = 0;

	if (spf_select_txt(dns_answer(q), &text, &len) != 1) {
		free(text);
		return;
	}
	if (text == NULL) {		/* out of memory */
		res->area.oom = true;
		return;
	}
	if ((rec = spf_parse(text, len)) == NULL) {
		free(text);
		res->area.oom = true;
		return;
	}
	for (size_t i = 0; i < rec->nterms; i++) {
		const struct spf_term *t = &rec->terms[i];
		int cidr;

		if (t->kind != SPF_T_MECH || t->qual != '+')
			continue;
		snprintf(via, sizeof(via), "%.*s", (int)t->span.len,
		    text + t->span.off);
		switch (t->mech) {
		case SPF_M_IP4:
		case SPF_M_IP6:
			cidr = t->mech == SPF_M_IP4 ? t->cidr4 : t->cidr6;
			if (t->addr.family == 0)
				break;
			if (add_net(res, &t->addr, cidr < 0 ? 128u :
			    (unsigned)cidr, BL_ROLE_SPF, via, REP_NET_CAP) != 0)
				res->area.oom = true;
			break;
		case SPF_M_A:
		case SPF_M_MX:
			if (t->has_domain) {
				if (t->domain.len >= sizeof(name) ||
				    memchr(text + t->domain.off, '%',
				    t->domain.len) != NULL) {
					note(res, 1, "%s: a macro names the "
					    "host: not looked up", via);
					break;
				}
				memcpy(name, text + t->domain.off,
				    t->domain.len);
				name[t->domain.len] = '\0';
			} else {
				snprintf(name, sizeof(name), "%s", lk->name);
			}
			if (new_lookup(res, t->mech == SPF_M_A ? LK_ADDR : LK_MX,
			    name, BL_ROLE_SPF) == NULL)
				res->area.oom = true;
			break;
		default:
			break;
		}
	}
	spf_record_free(rec);
	free(text);
}

/* Resolve name (its MX, addresses or TXT) to add targets of role.  NULL
 * only when memory ran out; past REP_MAX_LOOKUPS a note says so. */
static struct rep_lookup *
new_lookup(struct rep_result *res, enum lk_kind k, const char *name,
    unsigned role)
{
	struct rep_lookup *lk;
	char norm[256];

	if (dns_name_norm(norm, sizeof(norm), name) < 0)
		return &res->lk_[0];	/* not a name: nothing to ask */
	for (size_t i = 0; i < res->nlk_; i++)
		if (res->lk_[i].kind == k && res->lk_[i].role == role &&
		    strcmp(res->lk_[i].name, norm) == 0)
			return &res->lk_[i];
	if (res->nlk_ == REP_MAX_LOOKUPS) {
		if (res->lk_over_++ == 0)
			note(res, 0, "more than %d MX and SPF names: %s and the "
			    "rest were not resolved", REP_MAX_LOOKUPS, norm);
		res->not_checked++;
		return &res->lk_[0];
	}
	lk = &res->lk_[res->nlk_++];
	lk->res = res;
	lk->kind = k;
	lk->role = role;
	snprintf(lk->name, sizeof(lk->name), "%s", norm);
	switch (k) {
	case LK_MX:
		lk->q[0] = dns_submit(res->r_, norm, DNS_T_MX, mx_done, lk);
		lk->submit_failed = lk->q[0] == NULL;
		break;
	case LK_TXT:
		lk->q[0] = dns_submit(res->r_, norm, DNS_T_TXT, spf_done, lk);
		lk->submit_failed = lk->q[0] == NULL;
		break;
	case LK_ADDR:
		lk->q[0] = dns_submit(res->r_, norm, DNS_T_A, addr_done, lk);
		lk->q[1] = dns_submit(res->r_, norm, DNS_T_AAAA, addr_done, lk);
		lk->submit_failed = lk->q[0] == NULL || lk->q[1] == NULL;
		break;
	}
	if (lk->submit_failed)
		return NULL;
	return lk;
}

/* ---- start -------------------------------------------------------------- */

void
rep_skip(struct rep_result *res, const char *why)
{
	res->area.skipped = true;
	res->skipped_why = why;
}

int
rep_begin(struct dns_resolver *r, const struct rep_opts *o,
    struct rep_result *res)
{
	size_t nl = blocklist_count(o->lists);
	char qn[300];

	res->o = *o;
	res->r_ = r;
	/* the lookups, then the notes behind them (notes_of()) */
	if ((res->lk_ = calloc(1, REP_MAX_LOOKUPS * sizeof(*res->lk_) +
	    sizeof(struct rep_notes))) == NULL ||
	    (res->t_ = calloc(REP_MAX_TARGETS, sizeof(*res->t_))) == NULL ||
	    (res->h_ = calloc(nl ? nl : 1, sizeof(*res->h_))) == NULL ||
	    (res->list_status = calloc(nl ? nl : 1,
	    sizeof(*res->list_status))) == NULL)
		return -1;
	/* Every list's test points, asked with the rest (the cache makes
	 * them one question per run, whatever the number of domains). */
	for (size_t i = 0; i < nl; i++) {
		const struct bl_list *l = blocklist_get(o->lists, i);
		struct rep_health *h = &res->h_[i];

		if (!used(res, l))
			continue;
		res->nlists_used++;
		if (test_qname(res, l, l->test_listed, qn, sizeof(qn)) == 0 &&
		    (h->listed = dns_submit(r, qn, DNS_T_A, NULL, NULL)) == NULL)
			h->submit_failed = true;
		if (test_qname(res, l, l->test_clean, qn, sizeof(qn)) == 0 &&
		    (h->clean = dns_submit(r, qn, DNS_T_A, NULL, NULL)) == NULL)
			h->submit_failed = true;
		if (h->submit_failed)
			return -1;
	}
	return 0;
}

/* The organisational domain (the PSL's registrable domain) of domain,
 * or NULL when it is the domain itself or unknown. */
static const char *
org_domain(const char *domain)
{
	const char *p = strchr(domain, '.');

	while (p != NULL && p[1] != '\0') {
		if (dmarc_is_org_domain(p + 1))
			return p + 1;
		p = strchr(p + 1, '.');
	}
	return NULL;
}

int
rep_add_domain(struct rep_result *res, const char *domain)
{
	const char *org = org_domain(domain);

	if (add_target(res, false, NULL, domain, BL_ROLE_DOMAIN,
	    "the domain") != 0)
		return -1;
	if (org != NULL && !dmarc_is_org_domain(domain) &&
	    add_target(res, false, NULL, org, BL_ROLE_DOMAIN,
	    "the organisational domain") != 0)
		return -1;
	if (new_lookup(res, LK_MX, domain, BL_ROLE_MX) == NULL ||
	    new_lookup(res, LK_TXT, domain, BL_ROLE_SPF) == NULL)
		return -1;
	return 0;
}

int
rep_add_ip(struct rep_result *res, const struct ipaddr *ip, unsigned role,
    const char *via)
{
	return add_target(res, true, ip, NULL, role, via);
}

int
rep_start(struct dns_resolver *r, const char *domain,
    const struct ipaddr *send_ips, size_t nsend, const struct rep_opts *o,
    struct rep_result *res)
{
	snprintf(res->domain, sizeof(res->domain), "%s", domain);
	if (rep_begin(r, o, res) != 0)
		return -1;
	for (size_t i = 0; i < nsend; i++)
		if (rep_add_ip(res, &send_ips[i], BL_ROLE_SENDER, "--ip") != 0)
			return -1;
	return rep_add_domain(res, domain);
}

/* ---- finish ------------------------------------------------------------- */

/* Read a test point's answer into h: want_listed says which point. */
static void
judge_point(struct rep_health *h, const struct bl_list *l,
    const struct dns_query *q, bool want_listed, const char *point)
{
	const struct dns_answer *a = dns_answer_final(q);
	char c[16];

	if (dns_failed(a->status)) {
		if (h->h == H_OK)
			h->h = H_UNKNOWN;
		h->failed = a;
		h->point_failed = true;	/* whatever else it says: partial */
		return;
	}
	if (a->status != DNS_OK) {
		if (want_listed && h->h != H_REFUSED) {
			h->h = H_BROKEN;
			snprintf(h->why, sizeof(h->why), "the test point %s is "
			    "not listed (%s): the list is gone or does not "
			    "follow RFC 5782", point, dns_status_name(a->status));
		}
		return;
	}
	for (size_t i = 0; i < a->nrr; i++) {
		uint32_t code;

		if (a->rr[i].type != DNS_T_A)
			continue;
		code = a_code(&a->rr[i]);
		rep_code_text(code, c, sizeof(c));
		if (blocklist_error(l, code) != NULL && in_127(code)) {
			h->h = H_REFUSED;
			h->code = code;
			return;
		}
		if (h->h == H_REFUSED)
			continue;
		if (!in_127(code)) {
			/* the point that must not exist answers: what
			 * answers is the resolver, not the list */
			h->h = H_BROKEN;
			snprintf(h->why, sizeof(h->why), "the test point %s "
			    "answers %s, outside 127.0.0.0/8: %s", point, c,
			    want_listed ? "the list is broken or the resolver "
			    "rewrites its answers" : "the resolver rewrites "
			    "NXDOMAIN answers (use your own resolver)");
		} else if (!want_listed) {
			h->h = H_BROKEN;
			snprintf(h->why, sizeof(h->why), "the test point %s, "
			    "which must not be listed, answers %s: the list "
			    "answers every name (a wildcard)", point, c);
		}
	}
}

static void
health_judge(struct rep_result *res)
{
	for (size_t i = 0; i < blocklist_count(res->o.lists); i++) {
		const struct bl_list *l = blocklist_get(res->o.lists, i);
		struct rep_health *h = &res->h_[i];

		if (!used(res, l))
			continue;
		h->h = H_OK;
		judge_point(h, l, h->listed, true, l->test_listed);
		if (h->h != H_REFUSED)
			judge_point(h, l, h->clean, false, l->test_clean);
		if (h->point_failed)
			res->area.incomplete = true;
	}
}

/* The TXT reason, printable ASCII only (it is shown and put in JSON). */
static char *
txt_reason(struct rep_result *res, const struct rep_check *c)
{
	const struct dns_answer *a;
	char *s;
	size_t len;

	if (c->txt == NULL || (a = dns_answer(c->txt)) == NULL ||
	    a->status != DNS_OK || a->nrr == 0 ||
	    a->rr[0].type != DNS_T_TXT)
		return NULL;
	if ((s = dns_txt_join(&a->rr[0], &len)) == NULL) {
		res->area.oom = true;
		return NULL;
	}
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			s[i] = '?';
	s[len > 300 ? 300 : len] = '\0';
	return s;
}

static unsigned
strictest(unsigned roles)
{
	static const unsigned order[] = { BL_ROLE_SENDER, BL_ROLE_SPF,
		BL_ROLE_MX, BL_ROLE_DOMAIN };

	for (size_t i = 0; i < 4; i++)
		if (roles & order[i])
			return order[i];
	return BL_ROLE_DOMAIN;
}

/* One entry from the target's answer on a healthy list. */
static void
judge_entry(struct rep_result *res, const struct bl_list *l,
    struct rep_health *h, const struct rep_check *c, struct rep_entry *e)
{
	const struct dns_answer *a = dns_answer_final(c->q);
	const struct bl_code *m[BL_MAX_CODES];
	bool outside = false, refused = false;
	size_t total = 0;
	struct buf mb;

	if (dns_failed(a->status) || a->status == DNS_BADNAME) {
		e->status = REP_UNKNOWN;
		h->nfailed++;
		h->failed = a;
		return;
	}
	if (a->status != DNS_OK) {
		e->status = REP_CLEAR;
		return;
	}
	for (size_t i = 0; i < a->nrr; i++) {
		uint32_t code;

		if (a->rr[i].type != DNS_T_A)
			continue;
		code = a_code(&a->rr[i]);
		total++;
		if (e->ncodes < REP_MAX_CODES)
			e->codes[e->ncodes++] = code;
		if (!in_127(code))
			outside = true;
		else if (blocklist_error(l, code) != NULL) {
			refused = true;
			h->refused_code = code;
		}
	}
	if (e->ncodes == 0) {
		e->status = REP_CLEAR;	/* a CNAME to nothing listed */
		return;
	}
	if (outside) {
		char cs[16];

		e->status = REP_BROKEN;
		if (h->h == H_OK) {
			h->h = H_BROKEN;
			rep_code_text(e->codes[0], cs, sizeof(cs));
			snprintf(h->why, sizeof(h->why), "%s answers %s, "
			    "outside 127.0.0.0/8, while its test points "
			    "answer right: the list is broken (a resolver "
			    "rewriting NXDOMAIN would have rewritten the test "
			    "point 127.0.0.1 too)", a->qname, cs);
		}
		return;
	}
	if (refused) {
		e->status = REP_REFUSED;
		h->refused_any = true;
		h->nrefused++;
		return;
	}
	e->status = REP_LISTED;
	buf_init(&mb, BUF_MAX_LINE);
	for (size_t i = 0; i < e->ncodes; i++) {
		size_t n = blocklist_match(l, e->codes[i], m, BL_MAX_CODES);
		char cs[16];

		rep_code_text(e->codes[i], cs, sizeof(cs));
		if (n == 0) {
			/* a code the data does not know: a listing all the
			 * same, and one to look at */
			buf_printf(&mb, "%s%s: a code the list's data does not "
			    "describe", mb.len ? "; " : "", cs);
			e->matters = true;
			continue;
		}
		for (size_t k = 0; k < n; k++) {
			buf_printf(&mb, "%s%s: %s", mb.len ? "; " : "", cs,
			    m[k]->meaning);
			if (m[k]->matters & c->t->roles)
				e->matters = true;
		}
	}
	if (total > e->ncodes)
		buf_printf(&mb, "; and %zu more codes (at most %d are read)",
		    total - e->ncodes, REP_MAX_CODES);
	if (mb.err)
		res->area.oom = true;
	e->meaning = buf_take(&mb);
	e->reason = txt_reason(res, c);
}

static const char *
role_phrase(unsigned role)
{
	switch (role) {
	case BL_ROLE_MX:
		return "an MX address";
	case BL_ROLE_SENDER:
		return "a sending address";
	case BL_ROLE_SPF:
		return "an address the SPF record authorises";
	default:
		return "the domain";
	}
}

static void
report_listed(struct rep_result *res, struct diag_sink *sink,
    const struct rep_entry *e)
{
	struct diag d;
	struct buf fix;

	memset(&d, 0, sizeof(d));
	d.domain = res->domain[0] ? res->domain : e->target;
	buf_init(&fix, BUF_MAX_TEXT);
	if (e->matters)
		buf_printf(&fix, "find and stop what got %s listed, then ask "
		    "for removal at %s", e->target, e->list->delist);
	else
		buf_printf(&fix, "nothing to do for %s as it is used here; if "
		    "it sends mail directly, ask for removal at %s",
		    role_phrase(e->role), e->list->delist);
	d.fix = fix.err ? NULL : buf_str(&fix);
	diag_reportf(sink, e->matters ? DIAG_BLOCKLIST_LISTED :
	    DIAG_BLOCKLIST_LISTED_INFO, &d, "%s (%s%s%s) is listed on %s "
	    "(%s): %s%s%s%s", e->target, e->role == BL_ROLE_DOMAIN ? "" :
	    role_phrase(e->role), e->role == BL_ROLE_DOMAIN ? "" : ", ",
	    e->via,
	    e->list->name, e->list->zone, e->meaning ? e->meaning : "",
	    e->reason ? "; the list says: \"" : "",
	    e->reason ? e->reason : "", e->reason ? "\"" : "");
	if (fix.err)
		sink->oom = true;
	buf_free(&fix);
}

static void
report_list(struct rep_result *res, struct diag_sink *sink, size_t i,
    size_t nentries)
{
	const struct bl_list *l = blocklist_get(res->o.lists, i);
	struct rep_health *h = &res->h_[i];
	struct diag d;
	char code[16], what[200];

	memset(&d, 0, sizeof(d));
	d.domain = res->domain[0] ? res->domain : l->zone;
	if (h->h == H_REFUSED || h->refused_any) {
		uint32_t c = h->h == H_REFUSED ? h->code : h->refused_code;
		const struct bl_code *k = blocklist_error(l, c);

		rep_code_text(c, code, sizeof(code));
		diag_reportf(sink, DIAG_BLOCKLIST_REFUSED, &d, "%s (%s) "
		    "refused to answer%s: %s (%s); that is no listing, and "
		    "%s on it is unknown", l->name, l->zone, h->h == H_REFUSED ?
		    " even its test points" : "", code, k != NULL ?
		    k->meaning : "an error code", h->h == H_REFUSED ?
		    "every address or name" : "what it refused");
	} else if (h->h == H_BROKEN) {
		diag_reportf(sink, DIAG_BLOCKLIST_UNUSABLE, &d, "%s (%s) is "
		    "unusable in this run: %s; its %zu answer(s) are not "
		    "believed", l->name, l->zone, h->why, nentries);
	}
	if ((h->h == H_UNKNOWN || h->nfailed > 0 || h->point_failed) &&
	    h->failed != NULL) {
		snprintf(what, sizeof(what), "%s: %zu lookup(s) unknown "
		    "(not clean)", l->name, h->h == H_UNKNOWN ? nentries :
		    h->nfailed);
		dns_failure_report(sink, h->failed, what);
	}
}

/* Failed MX, address and SPF lookups (`authcheck blocklist`, where no MX
 * area reports them). */
static void
report_discovery(struct rep_result *res, struct diag_sink *sink)
{
	for (size_t i = 0; i < res->nlk_; i++)
		for (size_t k = 0; k < 2; k++) {
			const struct dns_answer *a;

			if (res->lk_[i].q[k] == NULL)
				continue;
			a = dns_answer_final(res->lk_[i].q[k]);
			if (!dns_failed(a->status))
				continue;
			res->area.incomplete = true;
			if (res->o.lookup_failures)
				dns_failure_report(sink, a, "addresses behind "
				    "it were not looked up on blocklists");
		}
}

void
rep_finish(struct rep_result *res, struct diag_sink *sink)
{
	size_t nl = blocklist_count(res->o.lists), k = 0;
	size_t *per_list;
	struct rep_notes *N;

	if (res->finished_ || res->area.skipped || res->lk_ == NULL)
		return;
	res->finished_ = true;
	health_judge(res);
	for (size_t t = 0; t < res->ntargets; t++)
		for (size_t i = 0; i < nl; i++)
			k += res->t_[t]->chk[i].asked;
	if (k > 0 && (res->e = calloc(k, sizeof(*res->e))) == NULL) {
		res->area.oom = true;
		return;
	}
	if ((per_list = calloc(nl ? nl : 1, sizeof(*per_list))) == NULL) {
		res->area.oom = true;
		return;
	}
	for (size_t t = 0; t < res->ntargets; t++) {
		struct rep_target *T = res->t_[t];

		for (size_t i = 0; i < nl; i++) {
			const struct rep_check *c = &T->chk[i];
			struct rep_health *h = &res->h_[i];
			struct rep_entry *e;

			if (!c->asked)
				continue;
			e = &res->e[res->ne++];
			e->target = T->name;
			e->via = T->via;
			e->role = strictest(T->roles);
			e->list = blocklist_get(res->o.lists, i);
			per_list[i]++;
			if (h->h == H_OK)
				judge_entry(res, e->list, h, c, e);
			else
				e->status = h->h == H_REFUSED ? REP_REFUSED :
				    h->h == H_BROKEN ? REP_BROKEN : REP_UNKNOWN;
		}
	}
	/* An answer outside 127/8 makes the whole list unusable: what it
	 * said of the other targets is not believed either. */
	for (size_t j = 0; j < res->ne; j++) {
		struct rep_entry *e = &res->e[j];
		size_t i = (size_t)(e->list - blocklist_get(res->o.lists, 0));

		if (res->h_[i].h == H_BROKEN && e->status != REP_UNKNOWN)
			e->status = REP_BROKEN;
		if (e->status == REP_UNKNOWN)
			res->area.incomplete = true;
	}
	for (size_t i = 0; i < nl; i++) {
		enum health hh = res->h_[i].h;

		res->list_status[i] = hh == H_REFUSED ? REP_REFUSED :
		    hh == H_BROKEN ? REP_BROKEN : hh == H_UNKNOWN ?
		    REP_UNKNOWN : REP_CLEAR;
		if (used(res, blocklist_get(res->o.lists, i)))
			report_list(res, sink, i, per_list[i]);
	}
	for (size_t j = 0; j < res->ne; j++)
		if (res->e[j].status == REP_LISTED)
			report_listed(res, sink, &res->e[j]);
	report_discovery(res, sink);
	N = notes_of(res);
	for (size_t i = 0; i < N->n; i++) {
		struct diag d;

		memset(&d, 0, sizeof(d));
		d.domain = res->domain[0] ? res->domain : NULL;
		diag_reportf(sink, DIAG_BLOCKLIST_NOT_CHECKED, &d, "%s",
		    N->text[i]);
	}
	free(per_list);
}

void
rep_result_free(struct rep_result *res)
{
	for (size_t i = 0; i < res->ne; i++) {
		free(res->e[i].meaning);
		free(res->e[i].reason);
	}
	free(res->e);
	for (size_t i = 0; i < res->ntargets; i++) {
		free(res->t_[i]->chk);
		free(res->t_[i]);
	}
	free(res->t_);
	free(res->lk_);
	free(res->h_);
	free(res->list_status);
	res->list_status = NULL;
	res->e = NULL;
	res->t_ = NULL;
	res->lk_ = NULL;
	res->h_ = NULL;
	res->ne = res->ntargets = res->nlk_ = 0;
}
