/*
 * check.c -- the domain report: start every check of every domain, one
 * dns_run() for all of them, then finish and score.
 *
 * The order of work per domain:
 *   wave 1  TXT <domain> (SPF root, also read for misplaced DMARC records),
 *           the DMARC tree walk, _domainkey and the DKIM selectors named
 *           or commonly used, MX, and the other checks' first questions;
 *           and the wildcard probes: TXT and MX at a random name under
 *           the domain (DKIM and DMARC ask their own under _domainkey and
 *           beside each _dmarc name), see wildcard.h;
 *   later   each check's callbacks submit the next level as answers come
 *           (include targets, MX host addresses, PTRs, report hosts);
 *           the apex TXT and MX callbacks recognise providers and add
 *           their DKIM selectors while the SPF tree is still growing.
 * After dns_run(), a last pass recognises providers deeper in the SPF tree
 * and behind DKIM CNAMEs; their selectors, when new, cost one more round.
 * Finishing judges the areas in table order, then, for a parked domain
 * ("v=spf1 -all" alone, no MX or a null MX, no key but revoked ones),
 * drops what does not apply to it and judges the parked-domain practice.
 * The SMTP probes (transport.c, smtp.c) run in a second thread from the
 * moment an MX host's A and AAAA are answered, beside the rest of the DNS
 * work and then beside the MTA-STS policy fetch (https.c).
 */
#include "check.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "dns.h"
#include "dane.h"
#include "dns_txt.h"
#include "https.h"
#include "providers.h"
#include "render.h"
#include "spf.h"
#include "wildcard.h"

/* Per-domain state that only this file needs. */
struct check_private {
	struct check_result *res;
	const struct check_opts *o;
	struct dns_resolver *r;
	struct transport_batch *probes;	/* the batch's SMTP probes, or NULL
					 * (--no-smtp, out of memory) */
	struct spf_lint *spf;		/* until finished */
	bool started[CHECK__AREAS];	/* start succeeded: finish it */
	struct https_req req;		/* the MTA-STS policy fetch */
	bool has_req;
	struct dns_query *apex_txt;	/* TXT <domain> */
	struct dns_query *apex_mx;	/* MX <domain> */
	struct dns_query *nodot_txt;	/* TXT dmarc.<domain> (a common typo) */
	struct dns_query *wild_txt;	/* TXT <random>.<domain>: what a
					 * wildcard answers (wildcard.h) */
	struct dns_query *wild_mx;	/* MX <random>.<domain> */
};

/* The answer to q, or NULL when q was never asked (a submit that ran out
 * of memory: the start failed and the area says so). */
static const struct dns_answer *
answer_of(struct dns_query *q)
{
	return q != NULL ? dns_answer(q) : NULL;
}

/* ---- provider discovery --------------------------------------------- */

static void
note_provider(struct check_result *res, const struct provider *p)
{
	struct check_private *P = res->priv;

	for (size_t i = 0; i < res->nproviders; i++)
		if (res->providers[i] == p->name)
			return;
	if (res->nproviders == CHECK_MAX_PROVIDERS)
		return;
	res->providers[res->nproviders++] = p->name;
	if (!P->started[CHECK_DKIM] ||
	    P->o->dkim_discovery == CHECK_DKIM_NONE)
		return;
	/* A selector that is a pattern ("{domain}...") or not a valid label
	 * is not a name to ask about: dkim_add() refuses it, and that is
	 * all. */
	for (size_t i = 0; i < p->ndkim_selectors; i++)
		(void)dkim_add(&res->dkim, p->dkim_selectors[i],
		    DKIM_SRC_PROVIDER, p->name);
}

static void
recognise(struct check_result *res, enum provider_clue clue,
    const char *name)
{
	const struct provider *p;

	if (res->priv->o->providers == NULL || name == NULL)
		return;
	if ((p = providers_recognise(res->priv->o->providers, clue, name)) !=
	    NULL)
		note_provider(res, p);
}

/* The apex SPF record's include targets name the providers that send for
 * the domain; read as soon as it arrives, not after the whole tree. */
static void
apex_txt_done(void *arg, struct dns_query *q)
{
	struct check_result *res = arg;
	struct spf_record *rec;
	char *text = NULL;
	size_t len = 0, i;
	char name[256];

	if (spf_select_txt(dns_answer(q), &text, &len) != 1 || text == NULL) {
		free(text);
		return;
	}
	if ((rec = spf_parse(text, len)) != NULL) {
		for (i = 0; i < rec->nterms; i++) {
			const struct spf_term *t = &rec->terms[i];
			const struct spf_span *sp;

			if (t->kind == SPF_T_MECH && t->mech == SPF_M_INCLUDE &&
			    t->has_domain)
				sp = &t->domain;
			else if (t->kind == SPF_T_MOD &&
			    t->mod == SPF_MOD_REDIRECT)
				sp = &t->value;
			else
				continue;
			if (sp->len == 0 || sp->len >= sizeof(name))
				continue;
			memcpy(name, text + sp->off, sp->len);
			name[sp->len] = '\0';
			recognise(res, PROVIDER_CLUE_SPF_INCLUDE, name);
		}
		spf_record_free(rec);
	}
	free(text);
}

static void
apex_mx_done(void *arg, struct dns_query *q)
{
	struct check_result *res = arg;
	const struct dns_answer *a = dns_answer(q);

	if (a == NULL || a->status != DNS_OK)
		return;
	for (size_t i = 0; i < a->nrr; i++)
		if (a->rr[i].type == DNS_T_MX)
			recognise(res, PROVIDER_CLUE_MX, a->rr[i].u.mx.host);
}

static void
recognise_tree(struct check_result *res, const struct spf_tree_node *n)
{
	if (n == NULL)
		return;
	if (n->depth > 0 && n->domain != NULL)
		recognise(res, PROVIDER_CLUE_SPF_INCLUDE, n->domain);
	for (size_t i = 0; i < n->nkids; i++)
		recognise_tree(res, n->kids[i]);
}

/* After the first dns_run(): providers seen deeper in the SPF tree or as
 * the target of a DKIM CNAME.  Returns true when new questions went out. */
static bool
recognise_late(struct check_result *res)
{
	size_t before = res->dkim.nsel;

	recognise_tree(res, res->spf.root);
	/* The selectors' answers, not dkim_finish()'s copy of their CNAME
	 * targets: the areas are finished only after this last round. */
	for (size_t i = 0; i < before; i++) {
		const struct dns_answer *a = answer_of(res->dkim.sel[i].q);

		if (a != NULL && a->ncname > 0 && a->canon != NULL)
			recognise(res, PROVIDER_CLUE_CNAME, a->canon);
	}
	return res->dkim.nsel > before;
}

/* ---- wildcards and parked domains ------------------------------------ */

static struct area_result *area_of(struct check_result *res,
    enum check_area a);

/* What an SPF record says about senders. */
enum spf_shape {
	SHAPE_NONE,		/* no single, well-formed SPF record */
	SHAPE_CLOSED,		/* "v=spf1 -all" alone: nobody may send */
	SHAPE_SENDERS,		/* some sender is authorised (a mechanism
				 * with the pass qualifier, or redirect=) */
	SHAPE_OTHER		/* neither ("v=spf1 ~all") */
};

/* The shape of the SPF record in TXT answer a; *text gets the record
 * (malloc'd, the caller frees) when there is one. */
static enum spf_shape
spf_shape(const struct dns_answer *a, char **text, size_t *len)
{
	struct spf_record *rec;
	enum spf_shape sh = SHAPE_OTHER;

	*text = NULL;
	*len = 0;
	if (a == NULL || a->status != DNS_OK ||
	    spf_select_txt(a, text, len) != 1 || *text == NULL)
		return SHAPE_NONE;
	if ((rec = spf_parse(*text, *len)) == NULL)
		return SHAPE_NONE;
	if (rec->nerrs > 0) {
		sh = SHAPE_NONE;
	} else if (rec->nterms == 1 && rec->terms[0].kind == SPF_T_MECH &&
	    rec->terms[0].mech == SPF_M_ALL && rec->terms[0].qual == '-') {
		sh = SHAPE_CLOSED;
	} else {
		for (size_t i = 0; i < rec->nterms; i++) {
			const struct spf_term *t = &rec->terms[i];

			if ((t->kind == SPF_T_MECH && t->qual == '+') ||
			    (t->kind == SPF_T_MOD &&
			    t->mod == SPF_MOD_REDIRECT))
				sh = SHAPE_SENDERS;
		}
	}
	spf_record_free(rec);
	return sh;
}

/* The MX answer a is a null MX (RFC 7505): records, all of them ".". */
static bool
null_mx(const struct dns_answer *a)
{
	size_t n = 0;

	if (a == NULL || a->status != DNS_OK)
		return false;
	for (size_t i = 0; i < a->nrr; i++) {
		if (a->rr[i].type != DNS_T_MX)
			continue;
		if (a->rr[i].u.mx.host[0] != '\0')
			return false;
		n++;
	}
	return n > 0;
}

/* The domain has no MX at all (the name or the type is absent). */
static bool
no_mx(const struct dns_answer *a)
{
	return a != NULL && (a->status == DNS_NXDOMAIN ||
	    a->status == DNS_NODATA);
}

/* spf.wildcard-all / spf.wildcard-senders: what the TXT records a
 * wildcard gives every subdomain without records of its own say about
 * senders.  A wildcard that is not SPF says nothing here. */
static void
check_spf_wildcard(struct check_result *res, struct diag_sink *sink)
{
	struct check_private *P = res->priv;
	const struct dns_answer *a = answer_of(P->wild_txt);
	enum spf_shape sh;
	char owner[300];
	struct diag d;
	char *text;
	size_t len;

	if (!wildcard_answers(a))
		return;
	sh = spf_shape(a, &text, &len);
	memset(&d, 0, sizeof(d));
	snprintf(owner, sizeof(owner), "*.%s", res->domain);
	d.domain = owner;
	d.record = text;
	d.record_len = len;
	if (sh == SHAPE_CLOSED)
		diag_reportf(sink, DIAG_SPF_WILDCARD_ALL, &d, "a wildcard "
		    "gives every name under %s without records of its own "
		    "\"v=spf1 -all\": no such subdomain can be used to send "
		    "mail in the domain's name (good practice)", res->domain);
	else if (sh == SHAPE_SENDERS)
		diag_reportf(sink, DIAG_SPF_WILDCARD_SENDERS, &d, "a wildcard "
		    "gives every name under %s without records of its own an "
		    "SPF record that authorises senders%s%s%s: any made-up "
		    "subdomain (anything.%s) passes SPF for them", res->domain,
		    a->ncname > 0 && a->canon != NULL ? " (through a CNAME to " :
		    "", a->ncname > 0 && a->canon != NULL ? a->canon : "",
		    a->ncname > 0 && a->canon != NULL ? ")" : "", res->domain);
	free(text);
}

const char *
check_parked_item(unsigned b)
{
	switch (b) {
	case CHECK_PARKED_DMARC_REJECT:
		return "a DMARC policy of p=reject";
	case CHECK_PARKED_DMARC_SP:
		return "a DMARC policy that rejects for subdomains (sp=reject)";
	case CHECK_PARKED_NULL_MX:
		return "a null MX (MX 0 .)";
	case CHECK_PARKED_WILDCARD_SPF:
		return "a wildcard * TXT \"v=spf1 -all\" for subdomains";
	case CHECK_PARKED_WILDCARD_MX:
		return "a wildcard * MX 0 . for subdomains";
	default:
		return NULL;
	}
}

/* Before the areas are finished: is the domain parked?  Read from the
 * report's own answers (apex TXT and MX), so that every area can judge
 * it as one. */
static void
parked_detect(struct check_result *res)
{
	struct check_private *P = res->priv;
	const struct dns_answer *mx = answer_of(P->apex_mx);
	char *text;
	size_t len;

	res->parked = spf_shape(answer_of(P->apex_txt), &text, &len) ==
	    SHAPE_CLOSED && (null_mx(mx) || no_mx(mx));
	free(text);
}

/* After the areas: spf.parked or spf.parked-incomplete, into the SPF
 * area's list (a domain is parked because its SPF says it sends
 * nothing). */
static void
parked_judge(struct check_result *res, struct diag_sink *sink)
{
	struct check_private *P = res->priv;
	const struct dmarc_result *dm = &res->dmarc;
	const struct dns_answer *wt = answer_of(P->wild_txt);
	struct buf m;
	struct diag d;
	char *text;
	size_t len;
	unsigned miss = 0;

	if (!dm->found || dm->policy != DMARC_POLICY_REJECT)
		miss |= CHECK_PARKED_DMARC_REJECT;
	else if (!dm->inherited && dm->eff.sp != DMARC_POLICY_REJECT)
		miss |= CHECK_PARKED_DMARC_SP;
	if (!null_mx(answer_of(P->apex_mx)))
		miss |= CHECK_PARKED_NULL_MX;
	if (spf_shape(wt, &text, &len) != SHAPE_CLOSED)
		miss |= CHECK_PARKED_WILDCARD_SPF;
	free(text);
	if (!null_mx(answer_of(P->wild_mx)))
		miss |= CHECK_PARKED_WILDCARD_MX;
	res->parked_missing = miss;

	memset(&d, 0, sizeof(d));
	d.domain = res->domain;
	if (miss == 0) {
		diag_reportf(sink, DIAG_SPF_PARKED, &d, "%s is a parked domain "
		    "(\"v=spf1 -all\" and a null MX: it sends and receives no "
		    "mail) and is fully protected: DMARC p=reject for it and "
		    "its subdomains, wildcard \"v=spf1 -all\" and null MX for "
		    "subdomains; it needs no DKIM key, MTA-STS, TLS-RPT or "
		    "BIMI (if it does sign mail, with a selector discovery "
		    "did not try, name it with -s)", res->domain);
		return;
	}
	buf_init(&m, BUF_MAX_LINE);
	for (unsigned b = 0; b < CHECK_PARKED__BITS; b++)
		if (miss & (1u << b)) {
			if (m.len > 0)
				buf_adds(&m, ", ");
			buf_adds(&m, check_parked_item(1u << b));
		}
	diag_reportf(sink, DIAG_SPF_PARKED_INCOMPLETE, &d, "%s is a parked "
	    "domain (\"v=spf1 -all\" alone, no MX or a null MX, no DKIM key "
	    "found: it sends and receives no mail), but the parked-domain "
	    "practice also asks for: %s (if it does sign mail, with a "
	    "selector discovery did not try, name it with -s)", res->domain,
	    m.err ? "(out of memory)" : buf_str(&m));
	buf_free(&m);
}

/* Findings that do not apply to a parked domain, which sends and
 * receives no mail: no DKIM key, reports about its mail, a mail server to
 * be published (the null MX is judged by spf.parked-incomplete instead),
 * TLS reporting for mail it never receives. */
static bool
not_for_parked(enum diag_id id)
{
	return id == DIAG_DKIM_NONE_FOUND || id == DIAG_DMARC_RUA_MISSING ||
	    id == DIAG_MX_MISSING || id == DIAG_TLSRPT_MISSING;
}

/* After the areas: parked_detect()'s verdict stands unless DKIM found a
 * key record that is not revoked (a domain may send with DKIM alone,
 * under a provider's envelope, and still say "v=spf1 -all").  Then the
 * findings that do not apply go, and the practice is judged. */
static void
parked_settle(struct check_result *res)
{
	struct check_private *P = res->priv;

	for (size_t i = 0; res->parked && i < res->dkim.nsel; i++)
		if (res->dkim.sel[i].found && !res->dkim.sel[i].key.revoked)
			res->parked = false;
	if (!res->parked)
		return;
	for (int a = 0; a < CHECK__AREAS; a++)
		(void)diag_list_drop(&area_of(res, a)->findings,
		    not_for_parked);
	if (P->started[CHECK_SPF]) {
		struct diag_sink sink;

		/* Into the SPF area's list: a domain is parked because its
		 * SPF says it sends nothing. */
		diag_sink_init(&sink, diag_list_add, &res->spf.area.findings);
		parked_judge(res, &sink);
		if (res->spf.area.findings.oom)
			res->spf.area.oom = true;
	}
}

/* ---- the areas -------------------------------------------------------- */

static int
spf_start(struct check_result *res)
{
	struct check_private *P = res->priv;

	P->spf = spf_lint_start(P->r, res->domain, &res->spf);
	return P->spf != NULL ? 0 : -1;
}

static void
spf_finish(struct check_result *res, struct diag_sink *sink)
{
	struct check_private *P = res->priv;

	if (spf_lint_finish(P->spf, sink) != 0)
		res->spf.area.oom = true;
	P->spf = NULL;
	check_spf_wildcard(res, sink);
}

static void
spf_free(struct check_result *res)
{
	spf_lint_result_free(&res->spf);
}

static int
dmarc_start_(struct check_result *res)
{
	return dmarc_start(res->priv->r, res->domain, &res->dmarc);
}

struct misplaced {
	struct diag_sink *sink;
	const char *qname;	/* where the record stands */
	const char *domain;	/* the domain checked */
	bool has_own;		/* _dmarc.<domain> has a record already */
};

static void
report_misplaced(void *arg, const char *text, size_t len)
{
	const struct misplaced *m = arg;
	struct diag d;
	struct buf fix;

	memset(&d, 0, sizeof(d));
	d.domain = m->qname;
	d.record = text;
	d.record_len = len;
	buf_init(&fix, BUF_MAX_TEXT);
	if (m->has_own) {
		buf_printf(&fix, "delete it: _dmarc.%s already holds the "
		    "record receivers use (move what you meant into that one)",
		    m->domain);
	} else {
		buf_printf(&fix, "publish it as _dmarc.%s. IN TXT \"",
		    m->domain);
		buf_add(&fix, text, len);
		buf_adds(&fix, "\" (and delete it here)");
	}
	if (!fix.err && memchr(text, '\0', len) == NULL)
		d.fix = buf_str(&fix);
	if (fix.oom)
		m->sink->oom = true;
	diag_reportf(m->sink, DIAG_DMARC_WRONG_LOCATION, &d, "a v=DMARC1 "
	    "record at %s is never read: receivers look only at _dmarc.%s",
	    m->qname, m->domain);
	buf_free(&fix);
}

/* dmarc.wrong-location: a v=DMARC1 record at the domain itself or at
 * "dmarc.<domain>" (no underscore) is never read by a receiver.  The
 * questions are the report's own (check_start). */
static void
check_dmarc_location(struct check_result *res, struct diag_sink *sink)
{
	struct check_private *P = res->priv;
	struct dns_query *qs[2] = { P->apex_txt, P->nodot_txt };
	const struct dns_answer *wild = answer_of(P->wild_txt);

	for (size_t k = 0; k < 2; k++) {
		const struct dns_answer *a = answer_of(qs[k]);
		struct misplaced m;

		/* A wildcard's answer is nobody's misplaced record: it is
		 * judged once, as the wildcard (dmarc.wildcard-record when
		 * it answers at _dmarc too). */
		if (a == NULL || wildcard_same(a, wild))
			continue;
		m.sink = sink;
		m.has_own = res->dmarc.found && !res->dmarc.inherited;
		m.qname = a->qname;
		m.domain = res->domain;
		if (dns_txt_each(a, dmarc_is_record, report_misplaced, &m) < 0) {
			res->dmarc.area.oom = true;
			return;
		}
	}
}

static void
dmarc_finish_(struct check_result *res, struct diag_sink *sink)
{
	if (dmarc_finish(&res->dmarc, sink) != 0)
		res->dmarc.area.oom = true;
	check_dmarc_location(res, sink);
}

static void
dmarc_free(struct check_result *res)
{
	dmarc_result_free(&res->dmarc);
}

/* The selectors named with -s, else the common names; providers add
 * theirs as they are recognised (note_provider).  --dkim-discovery
 * leaves out the common names (providers) or both (none). */
static int
dkim_start_(struct check_result *res)
{
	const struct check_opts *o = res->priv->o;

	if (dkim_start(res->priv->r, res->domain, &res->dkim) != 0)
		return -1;
	for (size_t i = 0; i < o->nselectors; i++)
		if (dkim_add(&res->dkim, o->selectors[i], DKIM_SRC_USER,
		    NULL) < 0)
			return -1;
	if (o->nselectors == 0 && o->dkim_discovery == CHECK_DKIM_COMMON)
		for (size_t i = 0; i < o->ncommon; i++)
			if (dkim_add(&res->dkim, o->common_selectors[i],
			    DKIM_SRC_COMMON, NULL) < 0)
				return -1;
	return 0;
}

/* DKIM reports into its own lists (dkim.h), not to the sink. */
static void
dkim_finish_(struct check_result *res, struct diag_sink *sink)
{
	(void)sink;
	if (dkim_finish(&res->dkim) != 0)
		res->dkim.area.oom = true;
}

static void
dkim_free(struct check_result *res)
{
	dkim_result_free(&res->dkim);
}

static const struct diag_list *
dkim_selector_findings(const struct check_result *res, size_t i)
{
	return i < res->dkim.nsel ? &res->dkim.sel[i].findings : NULL;
}

/* An MX host's addresses are known: its SMTP dialogues start now, beside
 * the rest of the batch's DNS work (transport.h).  One that cannot start
 * here starts when the batch is sealed. */
static void
mx_host_ready(void *arg, const struct mx_host *h)
{
	struct check_result *res = arg;
	struct ipaddr ips[MX_MAX_ADDRS];
	size_t n = 0;

	if (res->priv->probes == NULL)
		return;
	for (size_t k = 0; k < h->naddr && n < MX_MAX_ADDRS; k++)
		ips[n++] = h->addr[k].ip;
	(void)transport_batch_host(res->priv->probes, h->name, ips, n,
	    h->tlsa, &res->priv->o->transport);
}

static int
mx_start_(struct check_result *res)
{
	struct mx_opts mo;

	memset(&mo, 0, sizeof(mo));
	mo.send_ips = res->priv->o->send_ips;
	mo.nsend_ips = res->priv->o->nsend_ips;
	mo.host_ready = mx_host_ready;
	mo.host_arg = res;
	/* The MX hosts' TLSA (port 25: their role, whatever port a test
	 * probes) only when the Transport area will match them. */
	mo.tlsa_port = res->priv->o->smtp_skipped == NULL ? 25 : 0;
	return mx_start(res->priv->r, res->domain, &mo, &res->mx);
}

static void
mx_finish_(struct check_result *res, struct diag_sink *sink)
{
	mx_finish(&res->mx, sink);
}

static void
mx_free(struct check_result *res)
{
	mx_result_free(&res->mx);
}

static int
mtasts_start_(struct check_result *res)
{
	return mtasts_start(res->priv->r, res->domain, &res->mtasts);
}

/* The policy was fetched for the whole batch before (fetch_policies). */
static void
mtasts_finish_(struct check_result *res, struct diag_sink *sink)
{
	mtasts_finish(&res->mtasts, res->priv->o->https, sink);
}

static void
mtasts_free(struct check_result *res)
{
	mtasts_result_free(&res->mtasts);
}

static int
tlsrpt_start_(struct check_result *res)
{
	return tlsrpt_start(res->priv->r, res->domain, &res->tlsrpt);
}

/* After MTA-STS: TLS-RPT is expected where MTA-STS is published. */
static void
tlsrpt_finish_(struct check_result *res, struct diag_sink *sink)
{
	tlsrpt_finish(&res->tlsrpt, res->mtasts.published, sink);
}

static void
tlsrpt_free(struct check_result *res)
{
	tlsrpt_result_free(&res->tlsrpt);
}

static int
bimi_start_(struct check_result *res)
{
	return bimi_start(res->priv->r, res->domain, &res->bimi);
}

/* After DMARC: BIMI needs an enforcing policy. */
static void
bimi_finish_(struct check_result *res, struct diag_sink *sink)
{
	bimi_finish(&res->bimi, res->dmarc.found, (int)res->dmarc.policy,
	    sink);
}

static void
bimi_free(struct check_result *res)
{
	bimi_result_free(&res->bimi);
}

static int
transport_start(struct check_result *res)
{
	transport_init(&res->transport, res->priv->o->smtp_skipped);
	return 0;
}

/* After MTA-STS: an enforced policy makes a bad certificate an error.
 * The probes ran for the whole batch before (probe_plan, probe_collect). */
static void
transport_finish(struct check_result *res, struct diag_sink *sink)
{
	transport_judge(&res->transport, &res->mtasts, sink);
	dnssec_judge(&res->dnssec, res->domain, sink);
}

/* ---- DNSSEC ------------------------------------------------------------ */

/* Call fn for every answer the report relies on that was asked: the
 * domain's TXT and MX, its _dmarc TXT, each MX host's A and AAAA and,
 * when DANE asked for it, its TLSA at _25._tcp.  Returns -1 when fn
 * did. */
static int
each_relied(struct check_result *res,
    int (*fn)(struct check_result *, struct dns_query *))
{
	struct dns_resolver *r = res->priv->r;
	struct dns_query *q;
	const struct mx_host *h;
	char name[300];
	int rc = 0;
	static const uint16_t host_types[] = { DNS_T_A, DNS_T_AAAA,
	    DNS_T_TLSA };

#define RELY(n, t) \
	if ((q = dns_find(r, (n), (t))) != NULL && fn(res, q) != 0) rc = -1
	RELY(res->domain, DNS_T_TXT);
	RELY(res->domain, DNS_T_MX);
	if (snprintf(name, sizeof(name), "_dmarc.%s", res->domain) <
	    (int)sizeof(name))
		RELY(name, DNS_T_TXT);
	for (size_t i = 0; i < res->mx.nhost; i++) {
		h = &res->mx.host[i];
		if (h->null_mx || h->name == NULL || h->name[0] == '\0')
			continue;
		for (size_t t = 0; t < 3; t++) {
			if (host_types[t] == DNS_T_TLSA) {
				if (snprintf(name, sizeof(name), "_25._tcp.%s",
				    h->name) >= (int)sizeof(name))
					continue;
			} else
				snprintf(name, sizeof(name), "%s", h->name);
			RELY(name, host_types[t]);
		}
		/* The TLSA at an alias's expansion (RFC 7672 §2.2.3). */
		if (h->tlsa != NULL && h->tlsa->canon.asked)
			RELY(h->tlsa->canon.qname, DNS_T_TLSA);
	}
#undef RELY
	return rc;
}

static int
dnssec_ask(struct check_result *res, struct dns_query *q)
{
	return dnssec_prepare(res->priv->o->dnssec, q);
}

static int
dnssec_take(struct check_result *res, struct dns_query *q)
{
	dnssec_validate(res->priv->o->dnssec, q);
	return dnssec_report_add(&res->dnssec, res->priv->o->dnssec, q);
}

/* Validate the batch: every chain question at once, one dns_run(), then
 * the verdicts (cheap: ldns's checks on messages already here). */
static void
dnssec_batch(struct dns_resolver *r, struct check_result *res, size_t n,
    const struct check_opts *o, unsigned tag)
{
	unsigned old = dns_tag(r, tag);

	for (size_t i = 0; i < n; i++) {
		res[i].dnssec.skipped = o->dnssec_skipped;
		if (o->dnssec == NULL || res[i].priv == NULL)
			continue;
		if (each_relied(&res[i], dnssec_ask) != 0)
			res[i].dnssec.oom = true;
	}
	dns_tag(r, old);
	if (o->dnssec == NULL)
		return;
	dns_run_tag(r, tag);
	for (size_t i = 0; i < n; i++) {
		if (res[i].priv == NULL)
			continue;
		res[i].dnssec.ran = true;
		if (each_relied(&res[i], dnssec_take) != 0)
			res[i].dnssec.oom = true;
		/* DANE read its answers before they were judged. */
		for (size_t h = 0; h < res[i].mx.nhost; h++)
			dane_lookup_refresh(res[i].mx.host[h].tlsa, r);
	}
}

static void
transport_free(struct check_result *res)
{
	transport_result_free(&res->transport);
	dnssec_report_free(&res->dnssec);
}

static int
reputation_start(struct check_result *res)
{
	const struct check_opts *o = res->priv->o;

	if (o->reputation.lists == NULL) {
		rep_skip(&res->reputation, o->reputation_skipped);
		return 0;
	}
	return rep_start(res->priv->r, res->domain, o->send_ips, o->nsend_ips,
	    &o->reputation, &res->reputation);
}

static void
reputation_finish(struct check_result *res, struct diag_sink *sink)
{
	rep_finish(&res->reputation, sink);
}

static void
reputation_free(struct check_result *res)
{
	rep_result_free(&res->reputation);
}

/* Score groups: MTA-STS, TLS-RPT and BIMI share one weight; MX,
 * Transport and Reputation (is mail to and from the domain's servers
 * accepted at all) another.  Reputation is off by default (check_opts),
 * and a listing costs within that group: the score measures the domain's
 * configuration, and a list's verdict on an address is a symptom to act
 * on, which the error finding and the exit status already carry. */
enum { SCORE_SPF, SCORE_DMARC, SCORE_DKIM, SCORE_MX, SCORE_POLICY,
	SCORE__GROUPS };
static const unsigned score_weight[SCORE__GROUPS] = { 30, 30, 20, 10, 10 };

#define AREA(f)	offsetof(struct check_result, f.area)

const struct check_module check_modules[CHECK__AREAS] = {
	{ CHECK_SPF, "spf", "SPF", SCORE_SPF, AREA(spf), spf_start,
	    spf_finish, spf_free, NULL, render_text_area_spf,
	    render_json_area_spf },
	{ CHECK_DMARC, "dmarc", "DMARC", SCORE_DMARC, AREA(dmarc),
	    dmarc_start_, dmarc_finish_, dmarc_free, NULL,
	    render_text_area_dmarc, render_json_area_dmarc },
	{ CHECK_DKIM, "dkim", "DKIM", SCORE_DKIM, AREA(dkim), dkim_start_,
	    dkim_finish_, dkim_free, dkim_selector_findings,
	    render_text_area_dkim, render_json_area_dkim },
	{ CHECK_MX, "mx", "MX and reverse DNS", SCORE_MX, AREA(mx),
	    mx_start_, mx_finish_, mx_free, NULL, render_text_area_mx,
	    render_json_area_mx },
	{ CHECK_MTA_STS, "mta_sts", "MTA-STS", SCORE_POLICY, AREA(mtasts),
	    mtasts_start_, mtasts_finish_, mtasts_free, NULL,
	    render_text_area_mtasts, render_json_area_mtasts },
	{ CHECK_TLS_RPT, "tls_rpt", "TLS-RPT", SCORE_POLICY, AREA(tlsrpt),
	    tlsrpt_start_, tlsrpt_finish_, tlsrpt_free, NULL,
	    render_text_area_tlsrpt, render_json_area_tlsrpt },
	{ CHECK_BIMI, "bimi", "BIMI", SCORE_POLICY, AREA(bimi), bimi_start_,
	    bimi_finish_, bimi_free, NULL, render_text_area_bimi,
	    render_json_area_bimi },
	{ CHECK_TRANSPORT, "transport", "Transport (SMTP and TLS)", SCORE_MX,
	    AREA(transport), transport_start, transport_finish,
	    transport_free, NULL, render_text_area_transport,
	    render_json_area_transport },
	{ CHECK_REPUTATION, "reputation", "Reputation (blocklists)", SCORE_MX,
	    AREA(reputation), reputation_start, reputation_finish,
	    reputation_free, NULL, render_text_area_reputation,
	    render_json_area_reputation },
};

static struct area_result *
area_of(struct check_result *res, enum check_area a)
{
	return (struct area_result *)((char *)res +
	    check_modules[a].area_off);
}

const struct area_result *
check_area(const struct check_result *res, enum check_area a)
{
	return (const struct area_result *)((const char *)res +
	    check_modules[a].area_off);
}

const struct diag_list *
check_findings(const struct check_result *res, enum check_area a, size_t i)
{
	if (i == 0)
		return &check_area(res, a)->findings;
	if (check_modules[a].more_findings == NULL)
		return NULL;
	return check_modules[a].more_findings(res, i - 1);
}

/* ---- start and finish ----------------------------------------------- */

static int
check_start(struct dns_resolver *r, const char *domain,
    const struct check_opts *o, struct transport_batch *probes,
    struct check_result *res)
{
	struct check_private *P;
	char name[300];

	memset(res, 0, sizeof(*res));
	for (int a = 0; a < CHECK__AREAS; a++)
		area_result_init(area_of(res, a));
	if (dns_name_norm(res->domain, sizeof(res->domain), domain) < 0)
		return 0;	/* reported by the caller: not a name */
	res->valid = true;
	if ((P = calloc(1, sizeof(*P))) == NULL)
		return -1;
	res->priv = P;
	P->res = res;
	P->o = o;
	P->r = r;
	P->probes = probes;

	for (int a = 0; a < CHECK__AREAS; a++) {
		if (check_modules[a].start(res) != 0)
			return -1;
		P->started[a] = true;
	}
	/* The report's own questions, after DKIM has started: their
	 * callbacks, which may fire inside dns_submit() with the zone
	 * backend, recognise providers and add their selectors. */
	P->apex_txt = dns_submit(r, res->domain, DNS_T_TXT, apex_txt_done,
	    res);
	P->apex_mx = dns_submit(r, res->domain, DNS_T_MX, apex_mx_done, res);
	if (snprintf(name, sizeof(name), "dmarc.%s", res->domain) <
	    (int)sizeof(name) && dns_name_valid(name, strlen(name)) &&
	    (P->nodot_txt = dns_submit(r, name, DNS_T_TXT, NULL, NULL)) ==
	    NULL)
		return -1;
	/* What a wildcard answers under the domain, asked with the rest:
	 * no extra round trip. */
	if (wildcard_name(name, sizeof(name), res->domain) == 0) {
		P->wild_txt = dns_submit(r, name, DNS_T_TXT, NULL, NULL);
		P->wild_mx = dns_submit(r, name, DNS_T_MX, NULL, NULL);
		if (P->wild_txt == NULL || P->wild_mx == NULL)
			return -1;
	}
	if (P->apex_txt == NULL || P->apex_mx == NULL)
		return -1;
	return 0;
}

static void
check_finish(struct check_result *res)
{
	struct check_private *P = res->priv;
	bool lost[CHECK__AREAS] = { false };

	parked_detect(res);
	for (int a = 0; a < CHECK__AREAS; a++) {
		struct diag_sink sink;

		diag_sink_init(&sink, diag_list_add, &area_of(res, a)->findings);
		if (P->started[a])
			check_modules[a].finish(res, &sink);
		lost[a] = sink.oom;
	}
	if (res->parked)
		parked_settle(res);
	for (int a = 0; a < CHECK__AREAS; a++) {
		struct area_result *h = area_of(res, a);
		const struct diag_list *l;

		/* A finding the list could not keep, or one built short of
		 * memory, is a finding lost. */
		if (h->findings.oom || lost[a])
			h->oom = true;
		res->incomplete = res->incomplete || h->incomplete;
		res->oom = res->oom || h->oom;
		for (size_t i = 0; (l = check_findings(res, a, i)) != NULL;
		    i++)
			for (size_t j = 0; j < l->n; j++)
				res->count[diag_info(l->v[j].id)->severity]++;
	}
	res->score = check_score(res);
}

/* The MTA-STS policies of a whole batch, fetched at once. */
static void
fetch_policies(struct check_result *res, size_t n, const struct check_opts *o)
{
	struct https_req *reqs;
	struct https_opts ho;
	char why[200];
	size_t k = 0;

	if (!o->https || (reqs = calloc(n, sizeof(*reqs))) == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		struct check_private *P = res[i].priv;

		if (P != NULL && P->started[CHECK_MTA_STS] &&
		    mtasts_requests(&res[i].mtasts, &P->req) == 1) {
			P->has_req = true;
			reqs[k++] = P->req;
		}
	}
	if (k > 0 && !https_available(why, sizeof(why))) {
		/* No libcurl (it is only recommended): the policies are not
		 * fetched, which is no fault of the domains -- each report
		 * says fetching was skipped, and why (mtasts.skipped). */
		for (size_t i = 0; i < n; i++) {
			struct check_private *P = res[i].priv;

			if (P != NULL && P->has_req) {
				snprintf(res[i].mtasts.skipped,
				    sizeof(res[i].mtasts.skipped), "%s", why);
				res[i].mtasts.req = NULL;
				P->has_req = false;
			}
		}
		free(reqs);
		return;
	}
	memset(&ho, 0, sizeof(ho));
	ho.timeout = o->https_timeout;
	ho.ca_file = o->ca_file;
	ho.port = o->https_port;
	if (k > 0)
		https_fetch_all(reqs, k, &ho);
	/* Hand each answer back to its domain's slot. */
	k = 0;
	for (size_t i = 0; i < n; i++) {
		struct check_private *P = res[i].priv;

		if (P != NULL && P->has_req)
			P->req = reqs[k++];
	}
	free(reqs);
}

/* The transport results of the batch's domains that probe, into v (n
 * slots); how many. */
static size_t
probed_results(struct check_result *res, size_t n,
    struct transport_result **v)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		struct check_private *P = res[i].priv;

		if (P != NULL && P->started[CHECK_TRANSPORT] &&
		    P->started[CHECK_MX] && !res[i].transport.area.oom)
			v[k++] = &res[i].transport;
	}
	return k;
}

/* After DNS: plan every domain's probes from its MX result and start the
 * ones the MX callbacks have not started already; the batch then runs
 * beside the policy fetch.  0, or -1 when memory ran out. */
static int
probe_plan(struct check_result *res, size_t n, const struct check_opts *o,
    struct transport_batch *b, struct transport_result **v)
{
	int rc = 0;
	size_t k;

	for (size_t i = 0; i < n; i++) {
		struct check_private *P = res[i].priv;

		if (P == NULL || !P->started[CHECK_TRANSPORT] ||
		    !P->started[CHECK_MX])
			continue;
		if (transport_plan(&res[i].transport, &res[i].mx,
		    &o->transport) != 0) {
			res[i].transport.area.oom = true;
			rc = -1;
		}
	}
	k = probed_results(res, n, v);
	transport_batch_seal(b, v, k);
	return rc;
}

/* Wait for the batch's dialogues and give each planned probe its result.
 * A probe that cannot run at all (no TLS context) leaves each result's
 * `error`; its finish marks the area incomplete. */
static void
probe_collect(struct check_result *res, size_t n, struct transport_batch *b,
    struct transport_result **v)
{
	size_t k = probed_results(res, n, v);

	(void)transport_batch_collect(b, v, k);
}

int
check_batch_start(struct dns_resolver *r, const char *const *names, size_t n,
    const struct check_opts *o, struct check_result *res, unsigned tag)
{
	unsigned old = dns_tag(r, tag);
	struct transport_batch *probes = NULL;
	int rc = 0;

	/* The probes start from the MX callbacks while DNS answers. */
	if (o->smtp_skipped == NULL &&
	    (probes = transport_batch_new(&o->smtp)) == NULL)
		rc = -1;
	for (size_t i = 0; i < n; i++)
		if (check_start(r, names[i], o, probes, &res[i]) != 0) {
			res[i].oom = true;
			rc = -1;
		}
	if (n > 0)
		res[0].batch_probes_ = probes;
	else
		transport_batch_free(probes);
	dns_tag(r, old);
	return rc;
}

int
check_batch_end(struct dns_resolver *r, size_t n, const struct check_opts *o,
    struct check_result *res, unsigned tag)
{
	struct transport_batch *probes = n > 0 ? res[0].batch_probes_ : NULL;
	struct transport_result **v = NULL;
	unsigned old;
	int rc = 0;
	bool more = false;

	dns_run_tag(r, tag);
	old = dns_tag(r, tag);
	for (size_t i = 0; i < n; i++)
		if (res[i].priv != NULL && recognise_late(&res[i]))
			more = true;
	dns_tag(r, old);
	if (more)
		dns_run_tag(r, tag);
	dnssec_batch(r, res, n, o, tag);
	if (probes != NULL && (v = calloc(n, sizeof(*v))) == NULL) {
		transport_batch_free(probes);
		probes = NULL;
		rc = -1;
	}
	if (probes != NULL && probe_plan(res, n, o, probes, v) != 0)
		rc = -1;
	fetch_policies(res, n, o);
	if (probes != NULL)
		probe_collect(res, n, probes, v);
	else if (o->smtp_skipped == NULL)
		/* No batch (out of memory): each area says so. */
		for (size_t i = 0; i < n; i++)
			res[i].transport.area.oom = true;
	transport_batch_free(probes);
	if (n > 0)
		res[0].batch_probes_ = NULL;
	free(v);
	for (size_t i = 0; i < n; i++)
		if (res[i].priv != NULL)
			check_finish(&res[i]);
	return rc;
}

int
check_run(struct dns_resolver *r, const char *const *names, size_t n,
    const struct check_opts *o, struct check_result *res)
{
	int rc = check_batch_start(r, names, n, o, res, 0);

	if (check_batch_end(r, n, o, res, 0) != 0)
		rc = -1;
	return rc;
}

void
check_free(struct check_result *res)
{
	struct check_private *P = res->priv;

	if (P != NULL) {
		if (P->spf != NULL)
			spf_lint_abandon(P->spf);
		if (P->has_req)
			https_req_free(&P->req);
		free(P);
	}
	for (int a = 0; a < CHECK__AREAS; a++) {
		check_modules[a].free(res);
		/* an area whose start failed early may not own it yet */
		area_result_free(area_of(res, a));
	}
	memset(res, 0, sizeof(*res));
}

/* ---- score ------------------------------------------------------------ */

/* What a list's findings cost: 25 per error, 8 per warning (saturating
 * well above any area's weight). */
static unsigned
cost(const struct diag_list *l)
{
	unsigned c = 0;

	for (size_t i = 0; i < l->n && c < 1000; i++) {
		enum diag_severity s = diag_info(l->v[i].id)->severity;

		c += s == DIAG_ERROR ? 25 : s == DIAG_WARNING ? 8 : 0;
	}
	return c;
}

static unsigned
capped(unsigned c, unsigned weight)
{
	return c < weight ? c : weight;
}

unsigned
check_score(const struct check_result *res)
{
	unsigned group[SCORE__GROUPS] = { 0 }, loss = 0;
	const struct diag_list *l;

	if (!res->valid)
		return 0;
	for (int a = 0; a < CHECK__AREAS; a++)
		for (size_t i = 0; (l = check_findings(res, a, i)) != NULL;
		    i++)
			group[check_modules[a].score_group] += cost(l);
	for (int g = 0; g < SCORE__GROUPS; g++)
		loss += capped(group[g], score_weight[g]);
	return loss >= 100 ? 0 : 100 - loss;
}

const char *
check_verdict(const struct check_result *res)
{
	if (res->count[DIAG_ERROR] > 0 || !res->valid)
		return "fail";
	if (res->incomplete)
		return "incomplete";
	if (res->count[DIAG_WARNING] > 0)
		return "warn";
	return "pass";
}
