/*
 * spf_eval.c -- check_host() (RFC 7208 §4-§6) over the resolver interface.
 *
 * Evaluation is strictly left to right as the RFC describes.  Latency is
 * kept down by a prefetcher that runs ahead of the evaluator: whenever an
 * SPF record arrives it submits, at once, every query that record's terms
 * will need (include and redirect targets, a/mx/exists/ptr names), and the
 * records of include targets are prefetched the same way as they arrive.
 * The wall time then follows the depth of the include tree, not the number
 * of queries.  The prefetcher stops where the evaluator would stop without
 * asking DNS (an "all", or an ip4/ip6 term that matches the client), and
 * never submits more DNS terms than the lookup limit allows.
 *
 * The lookup and void-lookup limits are counted by the evaluator only, over
 * the terms it actually evaluates.
 */
#include "spf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "dns.h"
#include "dns_txt.h"

#define NAME_MAX_LEN	256	/* expanded domain names: 253 + slack */
#define MAX_TRACE	512	/* trace lines kept per evaluation */
#define MAX_MX_NAMES	10	/* §4.6.4: more MX names is permerror */
#define MAX_PTR_NAMES	10	/* §4.6.4: names past the 10th are ignored */
#define MAX_EXP_LEN	1024	/* explanation text after expansion */

/* An SPF record fetched for one domain, shared by evaluator and prefetcher. */
struct rec {
	struct rec *next;
	char *domain;			/* lowercase */
	struct dns_query *q;
	bool selected;			/* select_record() has run */
	enum spf_result status;		/* SPF_PASS = usable record, or
					 * SPF_NONE/TEMPERROR/PERMERROR */
	char *problem;
	struct spf_record *spf;
	bool prefetched;		/* its terms have been submitted */
};

struct ev {
	struct dns_resolver *r;
	const struct spf_eval_opts *o;
	struct ipaddr ip;
	bool ip_upper;			/* see spf_macro_ctx */
	char *sender;
	const char *helo;
	unsigned max_lookups, max_void;
	unsigned lookups, voids;
	unsigned prefetch_terms;	/* DNS terms the prefetcher submitted */
	struct rec *recs;
	bool ptr_done;
	char *ptr_name;			/* validated %{p} name, NULL = unknown */
	const char *ptr_target;		/* <domain> when %{p} was asked for */
	struct spf_eval_result *res;
	char *problem;			/* first permerror/temperror reason */
	long long now;
	bool lost;			/* part of the result (a trace line,
					 * a reason, the explanation) was lost
					 * to memory or a local resolver
					 * failure: spf_check_host() fails */
};

/* s, noting in ev when an allocation behind it failed (s NULL). */
static char *
kept(struct ev *ev, char *s)
{
	if (s == NULL)
		ev->lost = true;
	return s;
}

/* Is a a local failure (DNS_ERROR: out of memory, no socket)?  Where
 * RFC 7208 reads a DNS error as "no match" or "no explanation" that is
 * about the DNS, not about us: noted in ev. */
static bool
local_failure(struct ev *ev, const struct dns_answer *a)
{
	if (a->status != DNS_ERROR)
		return false;
	ev->lost = true;
	return true;
}

static void lowercase(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

const char *
spf_result_name(enum spf_result r)
{
	static const char *const names[] = {
		[SPF_NONE] = "none", [SPF_NEUTRAL] = "neutral",
		[SPF_PASS] = "pass", [SPF_FAIL] = "fail",
		[SPF_SOFTFAIL] = "softfail", [SPF_TEMPERROR] = "temperror",
		[SPF_PERMERROR] = "permerror",
	};

	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "?";
}

static void trace(struct ev *ev, unsigned depth, const char *domain,
    const struct spf_record *rec, const struct spf_term *t,
    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void
trace(struct ev *ev, unsigned depth, const char *domain,
    const struct spf_record *rec, const struct spf_term *t,
    const char *fmt, ...)
{
	struct spf_eval_result *res = ev->res;
	struct spf_trace *tr, *n;
	char note[512];
	va_list ap;

	if (res->ntrace >= MAX_TRACE)
		return;
	va_start(ap, fmt);
	vsnprintf(note, sizeof(note), fmt, ap);
	va_end(ap);
	if ((n = realloc(res->trace, (res->ntrace + 1) * sizeof(*n))) == NULL) {
		ev->lost = true;
		return;
	}
	res->trace = n;
	tr = &res->trace[res->ntrace++];
	tr->depth = depth;
	tr->domain = kept(ev, buf_strdup(domain));
	tr->record = rec != NULL ? kept(ev, buf_strndup(rec->text, rec->len)) :
	    NULL;
	tr->term = t != NULL && rec != NULL ? kept(ev,
	    buf_strndup(rec->text + t->span.off, t->span.len)) : NULL;
	tr->note = kept(ev, buf_strdup(note));
}

/* Remember the first reason for an error result. */
static enum spf_result problem(struct ev *ev, enum spf_result r,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static enum spf_result
problem(struct ev *ev, enum spf_result r, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (ev->problem == NULL) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		ev->problem = kept(ev, buf_strdup(msg));
	}
	return r;
}

/* ---- records --------------------------------------------------------- */

size_t
spf_select_txt(const struct dns_answer *a, char **text, size_t *len)
{
	int found = dns_txt_pick(a, spf_is_record, text, len);

	/* Out of memory: the caller reads "one record, no text" as that. */
	if (found < 0)
		return 1;
	if (found != 1) {
		free(*text);
		*text = NULL;
		*len = 0;
	}
	return (size_t)found;
}

/* RFC 7208 §4.5: keep TXT records starting "v=spf1"; none -> none, more
 * than one -> permerror; then the record must parse (§4.6). */
static void
select_record(struct rec *rc, const struct dns_answer *a)
{
	size_t found, keeplen = 0;
	char *keep = NULL;

	rc->selected = true;
	switch (a->status) {
	case DNS_OK:
		break;
	case DNS_NODATA:
	case DNS_NXDOMAIN:
	case DNS_BADNAME:
		rc->status = SPF_NONE;
		rc->problem = buf_strdup(a->status == DNS_NXDOMAIN ?
		    "domain does not exist (NXDOMAIN)" : "no TXT records");
		return;
	default:
		rc->status = SPF_TEMPERROR;
		{
			char msg[300];

			snprintf(msg, sizeof(msg), "TXT lookup for %s: %s%s%s",
			    rc->domain, dns_status_name(a->status),
			    a->why ? ": " : "", a->why ? a->why : "");
			rc->problem = buf_strdup(msg);
		}
		return;
	}
	found = spf_select_txt(a, &keep, &keeplen);
	if (found == 1 && keep == NULL) {
		rc->status = SPF_TEMPERROR;
		rc->problem = buf_strdup("out of memory");
		return;
	}
	if (found == 0) {
		rc->status = SPF_NONE;
		rc->problem = buf_strdup("no v=spf1 record");
	} else if (found > 1) {
		rc->status = SPF_PERMERROR;
		rc->problem = buf_strdup("more than one v=spf1 record (RFC 7208 §4.5)");
	} else if ((rc->spf = spf_parse(keep, keeplen)) == NULL) {
		rc->status = SPF_TEMPERROR;
		rc->problem = buf_strdup("out of memory");
	} else if (rc->spf->nerrs > 0) {
		char msg[400];
		const struct spf_error *e = &rc->spf->errs[0];

		snprintf(msg, sizeof(msg), "syntax error at offset %zu: %s "
		    "(\"%.*s\")", e->span.off, spf_err_str(e->code),
		    (int)(e->span.len > 60 ? 60 : e->span.len),
		    rc->spf->text + e->span.off);
		rc->status = SPF_PERMERROR;
		rc->problem = buf_strdup(msg);
	} else {
		rc->status = SPF_PASS;
	}
	free(keep);
}

static struct rec *
rec_find(struct ev *ev, const char *domain)
{
	size_t n = strlen(domain);
	struct rec *rc;

	if (n > 1 && domain[n - 1] == '.')
		n--;
	for (rc = ev->recs; rc != NULL; rc = rc->next)
		if (strlen(rc->domain) == n &&
		    strncasecmp(rc->domain, domain, n) == 0)
			return rc;
	return NULL;
}

static void prefetch_cb(void *arg, struct dns_query *q);

/* The record entry for domain, its TXT query submitted. */
static struct rec *
rec_get(struct ev *ev, const char *domain)
{
	struct rec *rc = rec_find(ev, domain);

	if (rc != NULL)
		return rc;
	if ((rc = calloc(1, sizeof(*rc))) == NULL)
		return NULL;
	if ((rc->domain = buf_strdup(domain)) == NULL) {
		free(rc);
		return NULL;
	}
	lowercase(rc->domain);
	{
		size_t n = strlen(rc->domain);

		if (n > 1 && rc->domain[n - 1] == '.')
			rc->domain[n - 1] = '\0';
	}
	rc->next = ev->recs;
	ev->recs = rc;
	rc->q = dns_submit(ev->r, domain, DNS_T_TXT,
	    ev->o->no_prefetch ? NULL : prefetch_cb, ev);
	return rc;
}

/* Wait for and select the record of domain. */
static struct rec *
rec_fetch(struct ev *ev, const char *domain)
{
	struct rec *rc = rec_get(ev, domain);
	const struct dns_answer *a;

	if (rc == NULL || rc->q == NULL)
		return rc;
	/* Wait first: the prefetch callback may select the record while
	 * dns_wait() runs. */
	a = dns_wait(ev->r, rc->q);
	if (!rc->selected)
		select_record(rc, a);
	return rc;
}

/* ---- macro context --------------------------------------------------- */

static const char *ptr_validated(void *arg);

static void
macro_ctx(struct ev *ev, const char *domain, struct spf_macro_ctx *mc)
{
	memset(mc, 0, sizeof(*mc));
	mc->sender = ev->sender;
	mc->domain = domain;
	mc->ip = ev->ip;
	mc->ip_upper = ev->ip_upper;
	mc->helo = ev->helo;
	mc->receiver = ev->o->receiver;
	mc->now = ev->now;
	mc->ptr_name = ptr_validated;
	mc->ptr_arg = ev;
	ev->ptr_target = domain;
}

/*
 * Expand a term's domain-spec (or take the current domain) into out.
 * Returns SPF_MACRO_OK, or NOMATCH when the term must match nothing.
 */
static enum spf_macro_status
target_of(struct ev *ev, const char *domain, const struct spf_record *rec,
    const struct spf_span *ds, bool has, char *out, size_t outsize)
{
	struct spf_macro_ctx mc;
	enum spf_macro_status st;
	size_t len;

	if (!has) {
		snprintf(out, outsize, "%s", domain);
		return SPF_MACRO_OK;
	}
	macro_ctx(ev, domain, &mc);
	st = spf_macro_expand(rec->text + ds->off, ds->len, &mc,
	    SPF_MACRO_DOMAIN, out, outsize, &len, NULL);
	return st;
}

/* ---- prefetch -------------------------------------------------------- */

static uint16_t
addr_type(const struct ev *ev)
{
	return ev->ip.family == 6 ? DNS_T_AAAA : DNS_T_A;
}

static void
prefetch_mx_cb(void *arg, struct dns_query *q)
{
	struct ev *ev = arg;
	const struct dns_answer *a = dns_answer(q);
	size_t i;

	if (a == NULL || a->status != DNS_OK || a->nrr > MAX_MX_NAMES)
		return;
	for (i = 0; i < a->nrr; i++)
		if (a->rr[i].u.mx.host[0] != '\0')
			dns_submit(ev->r, a->rr[i].u.mx.host, addr_type(ev),
			    NULL, NULL);
}

static void
prefetch_ptr_cb(void *arg, struct dns_query *q)
{
	struct ev *ev = arg;
	const struct dns_answer *a = dns_answer(q);
	size_t i;

	if (a == NULL || a->status != DNS_OK)
		return;
	for (i = 0; i < a->nrr && i < MAX_PTR_NAMES; i++)
		dns_submit(ev->r, a->rr[i].u.target, addr_type(ev), NULL, NULL);
}

/* Does a macro-string use %{p} (either case)?  "%%" is a literal percent. */
static bool
uses_p_macro(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i + 2 < len; i++) {
		if (p[i] != '%')
			continue;
		if (p[i + 1] == '{' && (p[i + 2] == 'p' || p[i + 2] == 'P'))
			return true;
		if (p[i + 1] == '%')
			i++;
	}
	return false;
}

/* A record arrived: submit what its terms will need, in order. */
static void
prefetch_record(struct ev *ev, struct rec *rc)
{
	const struct spf_record *rec = rc->spf;
	const struct spf_term *t;
	char name[NAME_MAX_LEN];
	char rev[80];
	size_t i;
	bool stop = false;

	rc->prefetched = true;
	for (i = 0; i < rec->nterms && !stop; i++) {
		t = &rec->terms[i];
		if (t->kind == SPF_T_MOD) {
			continue;
		}
		switch (t->mech) {
		case SPF_M_ALL:
			stop = true;
			continue;
		case SPF_M_IP4:
		case SPF_M_IP6:
			if (ip_match(&ev->ip, &t->addr, (unsigned)(t->mech ==
			    SPF_M_IP4 ? (t->cidr4 < 0 ? 32 : t->cidr4) :
			    (t->cidr6 < 0 ? 128 : t->cidr6))))
				stop = true;
			continue;
		default:
			break;
		}
		if (ev->prefetch_terms >= ev->max_lookups)
			return;
		ev->prefetch_terms++;
		/* %{p} needs its own PTR and address lookups, waited for: not
		 * from inside a callback.  The evaluator expands it later. */
		if (t->has_domain && uses_p_macro(rec->text + t->domain.off,
		    t->domain.len))
			continue;
		if (target_of(ev, rc->domain, rec, &t->domain, t->has_domain,
		    name, sizeof(name)) != SPF_MACRO_OK)
			continue;
		switch (t->mech) {
		case SPF_M_INCLUDE:
			rec_get(ev, name);
			break;
		case SPF_M_A:
			dns_submit(ev->r, name, addr_type(ev), NULL, NULL);
			break;
		case SPF_M_MX:
			dns_submit(ev->r, name, DNS_T_MX, prefetch_mx_cb, ev);
			break;
		case SPF_M_EXISTS:
			dns_submit(ev->r, name, DNS_T_A, NULL, NULL);
			break;
		case SPF_M_PTR:
			ip_reverse_name(&ev->ip, rev, sizeof(rev));
			dns_submit(ev->r, rev, DNS_T_PTR, prefetch_ptr_cb, ev);
			break;
		default:
			break;
		}
	}
	/* redirect= is followed only when nothing matched and there is no
	 * "all" anywhere (§6.1). */
	if (!stop && rec->redirect >= 0 && rec->all < 0 &&
	    ev->prefetch_terms < ev->max_lookups) {
		t = &rec->terms[rec->redirect];
		ev->prefetch_terms++;
		if (!uses_p_macro(rec->text + t->value.off, t->value.len) &&
		    target_of(ev, rc->domain, rec, &t->value, true, name,
		    sizeof(name)) == SPF_MACRO_OK)
			rec_get(ev, name);
	}
}

static void
prefetch_cb(void *arg, struct dns_query *q)
{
	struct ev *ev = arg;
	struct rec *rc;

	/* Match by name: with the zone backend this runs inside the
	 * dns_submit() that rec_get() is still waiting on. */
	rc = rec_find(ev, dns_query_name(q));
	if (rc == NULL || rc->prefetched)
		return;
	if (!rc->selected)
		select_record(rc, dns_answer(q));
	if (rc->status == SPF_PASS)
		prefetch_record(ev, rc);
}

/* ---- mechanisms ------------------------------------------------------ */

/* Outcome of one mechanism. */
enum match { M_NO, M_YES, M_TEMPERROR, M_PERMERROR };

/* A lookup that failed without an answer: temperror (§4.4), unlike the
 * void lookups (is_void) that only count.  Not dns_failed() of
 * dns_failure.h, which also takes a pending query for failed. */
static bool
is_temperror(const struct dns_answer *a)
{
	return a->status == DNS_SERVFAIL || a->status == DNS_TIMEOUT ||
	    a->status == DNS_ERROR;
}

static bool
is_void(const struct dns_answer *a)
{
	return a->status == DNS_NODATA || a->status == DNS_NXDOMAIN;
}

/* Count a void lookup; the third is permerror (§4.6.4). */
static enum match
void_lookup(struct ev *ev, unsigned depth, const char *domain,
    const struct spf_record *rec, const struct spf_term *t, const char *name,
    const struct dns_answer *a)
{
	ev->voids++;
	trace(ev, depth, domain, rec, t, "void lookup: %s %s is %s (%u of %u)",
	    name, dns_type_name(a->qtype), dns_status_name(a->status),
	    ev->voids, ev->max_void);
	if (ev->voids > ev->max_void) {
		problem(ev, SPF_PERMERROR, "more than %u void lookups (RFC 7208 "
		    "§4.6.4); the last was %s", ev->max_void, name);
		return M_PERMERROR;
	}
	return M_NO;
}

static enum match
temp(struct ev *ev, const char *name, const struct dns_answer *a)
{
	problem(ev, SPF_TEMPERROR, "DNS %s lookup for %s failed: %s%s%s",
	    dns_type_name(a->qtype), name, dns_status_name(a->status),
	    a->why ? ": " : "", a->why ? a->why : "");
	return M_TEMPERROR;
}

static bool
addr_matches(const struct ev *ev, const struct dns_rr *rr, int c4, int c6)
{
	unsigned pfx = ev->ip.family == 4 ? (unsigned)(c4 < 0 ? 32 : c4) :
	    (unsigned)(c6 < 0 ? 128 : c6);

	return ip_match(&ev->ip, &rr->u.addr, pfx);
}

/* Does any address of `name` (A or AAAA by the client's family) match? */
static enum match
match_addrs(struct ev *ev, const char *name, int c4, int c6,
    const struct dns_answer **out)
{
	const struct dns_answer *a = dns_lookup(ev->r, name, addr_type(ev));
	size_t i;

	*out = a;
	if (is_temperror(a))
		return M_TEMPERROR;
	if (a->status != DNS_OK)
		return M_NO;
	for (i = 0; i < a->nrr; i++)
		if (a->rr[i].type == addr_type(ev) &&
		    addr_matches(ev, &a->rr[i], c4, c6))
			return M_YES;
	return M_NO;
}

/* §5.5: the validated names of the client IP: PTR names (first 10) whose
 * A/AAAA records include the IP.  Calls fn for each until it returns
 * true. */
static bool
for_validated(struct ev *ev, bool (*fn)(void *, const char *), void *arg)
{
	char rev[80];
	const struct dns_answer *pa, *aa;
	size_t i, j;
	char **names;
	size_t n;
	bool hit = false;

	ip_reverse_name(&ev->ip, rev, sizeof(rev));
	pa = dns_lookup(ev->r, rev, DNS_T_PTR);
	if (local_failure(ev, pa) || pa->status != DNS_OK)
		return false;
	n = pa->nrr < MAX_PTR_NAMES ? pa->nrr : MAX_PTR_NAMES;
	/* Submit all forward lookups before waiting on any. */
	for (i = 0; i < n; i++)
		dns_submit(ev->r, pa->rr[i].u.target, addr_type(ev), NULL, NULL);
	if ((names = calloc(n ? n : 1, sizeof(*names))) == NULL) {
		ev->lost = true;
		return false;
	}
	for (i = 0; i < n; i++)
		names[i] = kept(ev, buf_strdup(pa->rr[i].u.target));
	for (i = 0; i < n && !hit; i++) {
		if (names[i] == NULL)
			continue;
		aa = dns_lookup(ev->r, names[i], addr_type(ev));
		if (local_failure(ev, aa) || aa->status != DNS_OK)
			continue;
		for (j = 0; j < aa->nrr; j++)
			if (aa->rr[j].type == addr_type(ev) &&
			    ip_equal(&aa->rr[j].u.addr, &ev->ip)) {
				hit = fn(arg, names[i]);
				break;
			}
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return hit;
}

struct ptr_match {
	const char *target;
	char *chosen;		/* for %{p}: the name picked */
	bool oom;		/* ... but it could not be kept */
};

static bool
ptr_match_fn(void *arg, const char *name)
{
	struct ptr_match *pm = arg;

	return dns_name_within(name, pm->target);
}

/* %{p} (§7.3): a validated name in the current domain if there is one,
 * else any validated name, else "unknown" (returned as NULL). */
static bool
ptr_pick_fn(void *arg, const char *name)
{
	struct ptr_match *pm = arg;

	if (pm->chosen == NULL && (pm->chosen = buf_strdup(name)) == NULL)
		pm->oom = true;
	if (dns_name_within(name, pm->target)) {
		free(pm->chosen);
		if ((pm->chosen = buf_strdup(name)) == NULL)
			pm->oom = true;
		return true;
	}
	return false;
}

static const char *
ptr_validated(void *arg)
{
	struct ev *ev = arg;
	struct ptr_match pm = { .target = ev->ptr_target ? ev->ptr_target : "" };

	if (!ev->ptr_done) {
		ev->ptr_done = true;
		for_validated(ev, ptr_pick_fn, &pm);
		ev->ptr_name = pm.chosen;
		if (pm.oom)
			ev->lost = true;
	}
	return ev->ptr_name;
}

static enum spf_result check_host_at(struct ev *ev, const char *domain,
    unsigned depth, bool top);

/* Evaluate one mechanism (§5). */
static enum match
mechanism(struct ev *ev, const char *domain, unsigned depth,
    const struct spf_record *rec, const struct spf_term *t)
{
	char name[NAME_MAX_LEN];
	const struct dns_answer *a;
	enum spf_result sub;
	enum spf_macro_status ms;
	enum match m;
	struct ptr_match pm;
	size_t i, n;

	switch (t->mech) {
	case SPF_M_ALL:
		return M_YES;
	case SPF_M_IP4:
		return ip_match(&ev->ip, &t->addr,
		    (unsigned)(t->cidr4 < 0 ? 32 : t->cidr4)) ? M_YES : M_NO;
	case SPF_M_IP6:
		return ip_match(&ev->ip, &t->addr,
		    (unsigned)(t->cidr6 < 0 ? 128 : t->cidr6)) ? M_YES : M_NO;
	default:
		break;
	}
	/* Every other mechanism queries DNS and counts (§4.6.4). */
	if (++ev->lookups > ev->max_lookups) {
		problem(ev, SPF_PERMERROR, "more than %u DNS-querying terms "
		    "(RFC 7208 §4.6.4) at %s", ev->max_lookups, domain);
		return M_PERMERROR;
	}
	ms = target_of(ev, domain, rec, &t->domain, t->has_domain, name,
	    sizeof(name));
	if (ms == SPF_MACRO_NOMATCH) {
		trace(ev, depth, domain, rec, t, "no match: non-ASCII local "
		    "part in a macro (RFC 8616)");
		return M_NO;
	}
	if (ms != SPF_MACRO_OK) {
		problem(ev, SPF_PERMERROR, "cannot expand the domain-spec");
		return M_PERMERROR;
	}

	switch (t->mech) {
	case SPF_M_INCLUDE:
		trace(ev, depth, domain, rec, t, "include %s", name);
		sub = check_host_at(ev, name, depth + 1, false);
		switch (sub) {
		case SPF_PASS:
			return M_YES;
		case SPF_FAIL:
		case SPF_SOFTFAIL:
		case SPF_NEUTRAL:
			return M_NO;
		case SPF_TEMPERROR:
			return M_TEMPERROR;
		case SPF_NONE:
			problem(ev, SPF_PERMERROR, "include:%s has no SPF "
			    "record (RFC 7208 §5.2)", name);
			return M_PERMERROR;
		default:
			return M_PERMERROR;
		}
	case SPF_M_A:
		m = match_addrs(ev, name, t->cidr4, t->cidr6, &a);
		if (m == M_TEMPERROR)
			return temp(ev, name, a);
		if (is_void(a))
			return void_lookup(ev, depth, domain, rec, t, name, a);
		return m;
	case SPF_M_MX:
		a = dns_lookup(ev->r, name, DNS_T_MX);
		if (is_temperror(a))
			return temp(ev, name, a);
		if (is_void(a))
			return void_lookup(ev, depth, domain, rec, t, name, a);
		if (a->status != DNS_OK)
			return M_NO;
		if (a->nrr > MAX_MX_NAMES) {
			problem(ev, SPF_PERMERROR, "mx:%s has %zu MX names, more "
			    "than %d (RFC 7208 §4.6.4)", name, a->nrr,
			    MAX_MX_NAMES);
			return M_PERMERROR;
		}
		n = a->nrr;
		for (i = 0; i < n; i++)
			if (a->rr[i].u.mx.host[0] != '\0')
				dns_submit(ev->r, a->rr[i].u.mx.host,
				    addr_type(ev), NULL, NULL);
		for (i = 0; i < n; i++) {
			const struct dns_answer *aa;

			if (a->rr[i].u.mx.host[0] == '\0')
				continue;	/* null MX "." */
			m = match_addrs(ev, a->rr[i].u.mx.host, t->cidr4,
			    t->cidr6, &aa);
			if (m == M_TEMPERROR)
				return temp(ev, a->rr[i].u.mx.host, aa);
			if (m == M_YES)
				return M_YES;
		}
		return M_NO;
	case SPF_M_EXISTS:
		a = dns_lookup(ev->r, name, DNS_T_A);
		if (is_temperror(a))
			return temp(ev, name, a);
		if (is_void(a))
			return void_lookup(ev, depth, domain, rec, t, name, a);
		return a->status == DNS_OK ? M_YES : M_NO;
	case SPF_M_PTR:
		pm.target = name;
		pm.chosen = NULL;
		return for_validated(ev, ptr_match_fn, &pm) ? M_YES : M_NO;
	default:
		return M_NO;
	}
}

/* ---- explanation (§6.2) ------------------------------------------------ */

static void
explain(struct ev *ev, const char *domain, const struct spf_record *rec)
{
	const struct spf_term *t = &rec->terms[rec->exp];
	char name[NAME_MAX_LEN], *text = NULL, out[MAX_EXP_LEN];
	const struct dns_answer *a;
	struct spf_macro_ctx mc;
	size_t len = 0, outlen, i;

	if (target_of(ev, domain, rec, &t->value, true, name, sizeof(name)) !=
	    SPF_MACRO_OK || name[0] == '\0')
		return;
	a = dns_lookup(ev->r, name, DNS_T_TXT);
	if (local_failure(ev, a) || a->status != DNS_OK || a->nrr != 1)
		return;
	if ((text = kept(ev, dns_txt_join(&a->rr[0], &len))) == NULL)
		return;
	for (i = 0; i < len; i++)
		if ((unsigned char)text[i] >= 0x80 || text[i] == '\0')
			goto out;
	macro_ctx(ev, domain, &mc);
	if (spf_macro_expand(text, len, &mc, SPF_MACRO_EXPLAIN, out,
	    sizeof(out), &outlen, NULL) == SPF_MACRO_OK)
		ev->res->explanation = kept(ev, buf_strndup(out, outlen));
out:
	free(text);
}

/* ---- check_host -------------------------------------------------------- */

static enum spf_result
qual_result(char q)
{
	switch (q) {
	case '-':	return SPF_FAIL;
	case '~':	return SPF_SOFTFAIL;
	case '?':	return SPF_NEUTRAL;
	default:	return SPF_PASS;
	}
}

/*
 * check_host() for one domain.  `top` is true for the checked domain and
 * for redirect targets of it: only there may exp= provide the explanation.
 */
static enum spf_result
check_host_at(struct ev *ev, const char *domain, unsigned depth, bool top)
{
	const struct spf_record *rec;
	const struct spf_term *t;
	char name[NAME_MAX_LEN];
	struct rec *rc;
	enum spf_result r;
	enum match m;
	size_t i;

	if (!dns_name_valid(domain, strlen(domain))) {
		trace(ev, depth, domain, NULL, NULL, "not a valid domain name");
		return SPF_NONE;
	}
	if ((rc = rec_fetch(ev, domain)) == NULL || rc->q == NULL)
		return problem(ev, SPF_TEMPERROR, "out of memory");
	if (rc->status != SPF_PASS) {
		/* select_record() gives every other status a reason. */
		if (rc->problem == NULL)
			ev->lost = true;
		trace(ev, depth, domain, rc->spf, NULL, "%s: %s",
		    spf_result_name(rc->status), rc->problem != NULL ?
		    rc->problem : "out of memory");
		if (rc->status != SPF_NONE)
			problem(ev, rc->status, "%s: %s", domain,
			    rc->problem != NULL ? rc->problem :
			    "out of memory");
		return rc->status;
	}
	rec = rc->spf;
	trace(ev, depth, domain, rec, NULL, "record");
	for (i = 0; i < rec->nterms; i++) {
		t = &rec->terms[i];
		if (t->kind != SPF_T_MECH)
			continue;
		m = mechanism(ev, domain, depth, rec, t);
		if (m == M_TEMPERROR) {
			trace(ev, depth, domain, rec, t, "temperror");
			return SPF_TEMPERROR;
		}
		if (m == M_PERMERROR) {
			trace(ev, depth, domain, rec, t, "permerror");
			return SPF_PERMERROR;
		}
		if (m == M_NO) {
			trace(ev, depth, domain, rec, t, "no match");
			continue;
		}
		r = qual_result(t->qual);
		trace(ev, depth, domain, rec, t, "match: %s", spf_result_name(r));
		if (top) {
			free(ev->res->decided_by);
			free(ev->res->decided_domain);
			ev->res->decided_by = kept(ev, buf_strndup(rec->text +
			    t->span.off, t->span.len));
			ev->res->decided_domain = kept(ev, buf_strdup(domain));
		}
		if (r == SPF_FAIL && top && rec->exp >= 0)
			explain(ev, domain, rec);
		return r;
	}
	if (rec->redirect < 0) {
		trace(ev, depth, domain, rec, NULL, "no term matched: neutral");
		return SPF_NEUTRAL;
	}
	/* §6.1: redirect= counts as a DNS term; its target's result is ours,
	 * a target without a record is permerror. */
	t = &rec->terms[rec->redirect];
	if (++ev->lookups > ev->max_lookups)
		return problem(ev, SPF_PERMERROR, "more than %u DNS-querying "
		    "terms (RFC 7208 §4.6.4) at %s", ev->max_lookups, domain);
	if (target_of(ev, domain, rec, &t->value, true, name, sizeof(name)) !=
	    SPF_MACRO_OK)
		return problem(ev, SPF_PERMERROR, "cannot expand redirect=");
	trace(ev, depth, domain, rec, t, "redirect to %s", name);
	r = check_host_at(ev, name, depth, top);
	if (r == SPF_NONE)
		return problem(ev, SPF_PERMERROR, "redirect=%s has no SPF record "
		    "(RFC 7208 §6.1)", name);
	return r;
}

/* RFC 7208 §4.3: a domain that is not a multi-label FQDN of valid labels
 * gives "none" before any query. */
static bool
domain_ok(const char *d)
{
	size_t len = strlen(d), i, last;
	bool alpha = false;

	if (!dns_name_valid(d, len))
		return false;
	if (d[len - 1] == '.')
		len--;
	if (memchr(d, '.', len) == NULL)
		return false;
	for (i = 0; i < len; i++)
		if (d[i] == '[' || d[i] == ']')
			return false;
	for (last = len; last > 0 && d[last - 1] != '.'; last--)
		;
	for (i = last; i < len; i++)
		if (!(d[i] >= '0' && d[i] <= '9'))
			alpha = true;
	return alpha;
}

int
spf_check_host(struct dns_resolver *r, const struct spf_eval_opts *o,
    struct spf_eval_result *res)
{
	struct ev ev;
	const char *helo = o->helo != NULL ? o->helo : "";
	const char *at;
	char *domain = NULL;
	struct rec *rc, *next;
	struct buf b;

	memset(res, 0, sizeof(*res));
	memset(&ev, 0, sizeof(ev));
	ev.r = r;
	ev.o = o;
	ev.res = res;
	ev.ip = ip_unmap(&o->ip);
	ev.helo = helo;
	ev.ip_upper = o->ip_text != NULL && strpbrk(o->ip_text, "ABCDEF") != NULL;
	ev.max_lookups = o->max_lookups ? o->max_lookups : 10;
	ev.max_void = o->max_void ? o->max_void : 2;
	ev.now = (long long)time(NULL);

	/* §4.3: an empty MAIL FROM is checked as postmaster@<helo>. */
	buf_init(&b, 1024);
	if (o->sender == NULL || o->sender[0] == '\0') {
		buf_printf(&b, "postmaster@%s", helo);
	} else if (o->sender[0] == '@' || strchr(o->sender, '@') == NULL) {
		/* No local part: postmaster (§4.3). */
		buf_printf(&b, "postmaster@%s", o->sender[0] == '@' ?
		    o->sender + 1 : o->sender);
	} else {
		buf_adds(&b, o->sender);
	}
	if ((ev.sender = buf_take(&b)) == NULL)
		return -1;
	at = strrchr(ev.sender, '@');
	domain = buf_strdup(o->domain != NULL ? o->domain : at + 1);
	if (domain == NULL) {
		free(ev.sender);
		return -1;
	}
	if (!domain_ok(domain)) {
		res->result = SPF_NONE;
		res->problem = kept(&ev, buf_strdup("not a valid fully "
		    "qualified domain name (RFC 7208 §4.3)"));
		trace(&ev, 0, domain, NULL, NULL, "invalid domain: none");
	} else {
		res->result = check_host_at(&ev, domain, 0, true);
		if (res->result == SPF_TEMPERROR ||
		    res->result == SPF_PERMERROR) {
			res->problem = ev.problem;
			ev.problem = NULL;
		}
	}
	res->lookups = ev.lookups;
	res->void_lookups = ev.voids;
	free(ev.problem);
	free(ev.ptr_name);
	free(ev.sender);
	free(domain);
	for (rc = ev.recs; rc != NULL; rc = next) {
		next = rc->next;
		free(rc->domain);
		free(rc->problem);
		spf_record_free(rc->spf);
		free(rc);
	}
	return ev.lost ? -1 : 0;
}

void
spf_eval_result_free(struct spf_eval_result *res)
{
	size_t i;

	for (i = 0; i < res->ntrace; i++) {
		free(res->trace[i].domain);
		free(res->trace[i].record);
		free(res->trace[i].term);
		free(res->trace[i].note);
	}
	free(res->trace);
	free(res->explanation);
	free(res->problem);
	free(res->decided_by);
	free(res->decided_domain);
	memset(res, 0, sizeof(*res));
}
