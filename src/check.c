/*
 * check.c -- the domain report: start every check of every domain, one
 * dns_run() for all of them, then finish and score.
 *
 * The order of work per domain:
 *   wave 1  TXT <domain> (SPF root, also read for misplaced DMARC records),
 *           the DMARC tree walk, _domainkey and the DKIM selectors named
 *           or commonly used, MX, and the other checks' first questions;
 *   later   each check's callbacks submit the next level as answers come
 *           (include targets, MX host addresses, PTRs, report hosts);
 *           the apex TXT and MX callbacks recognise providers and add
 *           their DKIM selectors while the SPF tree is still growing.
 * After dns_run(), a last pass recognises providers deeper in the SPF tree
 * and behind DKIM CNAMEs; their selectors, when new, cost one more round.
 */
#include "check.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "dns.h"
#include "dns_txt.h"
#include "https.h"
#include "providers.h"
#include "spf.h"

/* Per-domain state that only this file needs. */
struct check_private {
	struct check_result *res;
	const struct check_opts *o;
	struct dns_resolver *r;
	struct spf_lint *spf;		/* until finished */
	bool dmarc_started, dkim_started, mx_started, mtasts_started;
	bool tlsrpt_started, bimi_started;
	struct https_req req;		/* the MTA-STS policy fetch */
	bool has_req;
	struct dns_query *apex_txt;	/* TXT <domain> */
	struct dns_query *apex_mx;	/* MX <domain> */
	struct dns_query *nodot_txt;	/* TXT dmarc.<domain> (a common typo) */
};

const char *
check_area_name(enum check_area a)
{
	static const char *const names[CHECK__AREAS] = {
		"spf", "dmarc", "dkim", "mx", "mta-sts", "tls-rpt", "bimi"
	};

	return a < CHECK__AREAS ? names[a] : "?";
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
	if (!P->dkim_started)
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
	for (size_t i = 0; i < res->dkim.nsel; i++)
		if (res->dkim.sel[i].cname != NULL)
			recognise(res, PROVIDER_CLUE_CNAME,
			    res->dkim.sel[i].cname);
	return res->dkim.nsel > before;
}

/* ---- start and finish ----------------------------------------------- */

static int
check_start(struct dns_resolver *r, const char *domain,
    const struct check_opts *o, struct check_result *res)
{
	struct check_private *P;
	struct mx_opts mx_opts;
	size_t len = strlen(domain);
	char name[300];

	memset(res, 0, sizeof(*res));
	for (int a = 0; a < CHECK__AREAS; a++)
		diag_list_init(&res->findings[a], 256);
	if (len > 1 && domain[len - 1] == '.')
		len--;
	if (len == 0 || len > 253 || !dns_name_valid(domain, len))
		return 0;	/* reported by the caller: not a name */
	for (size_t i = 0; i < len; i++)
		res->domain[i] = (domain[i] >= 'A' && domain[i] <= 'Z') ?
		    (char)(domain[i] - 'A' + 'a') : domain[i];
	res->domain[len] = '\0';
	res->valid = true;
	if ((P = calloc(1, sizeof(*P))) == NULL)
		return -1;
	res->priv = P;
	P->res = res;
	P->o = o;
	P->r = r;

	/* DKIM first so that the apex callbacks, which may fire inside
	 * dns_submit() with the zone backend, can add selectors. */
	if (dkim_start(r, res->domain, &res->dkim) != 0)
		return -1;
	P->dkim_started = true;
	for (size_t i = 0; i < o->nselectors; i++)
		if (dkim_add(&res->dkim, o->selectors[i], DKIM_SRC_USER,
		    NULL) < 0)
			return -1;
	if (o->nselectors == 0)
		for (size_t i = 0; i < o->ncommon; i++)
			if (dkim_add(&res->dkim, o->common_selectors[i],
			    DKIM_SRC_COMMON, NULL) < 0)
				return -1;

	if ((P->spf = spf_lint_start(r, res->domain, &res->spf)) == NULL)
		return -1;
	P->apex_txt = dns_submit(r, res->domain, DNS_T_TXT, apex_txt_done,
	    res);
	P->apex_mx = dns_submit(r, res->domain, DNS_T_MX, apex_mx_done, res);
	if (snprintf(name, sizeof(name), "dmarc.%s", res->domain) <
	    (int)sizeof(name) && dns_name_valid(name, strlen(name)) &&
	    (P->nodot_txt = dns_submit(r, name, DNS_T_TXT, NULL, NULL)) ==
	    NULL)
		return -1;
	if (P->apex_txt == NULL || P->apex_mx == NULL)
		return -1;
	if (dmarc_start(r, res->domain, &res->dmarc) != 0)
		return -1;
	P->dmarc_started = true;
	mx_opts.send_ips = o->send_ips;
	mx_opts.nsend_ips = o->nsend_ips;
	P->mx_started = true;	/* a failed start is still safe to finish */
	if (mx_start(r, res->domain, &mx_opts, &res->mx) != 0)
		return -1;
	P->mtasts_started = true;
	if (mtasts_start(r, res->domain, &res->mtasts) != 0)
		return -1;
	P->tlsrpt_started = true;
	if (tlsrpt_start(r, res->domain, &res->tlsrpt) != 0)
		return -1;
	P->bimi_started = true;
	if (bimi_start(r, res->domain, &res->bimi) != 0)
		return -1;
	return 0;
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
	buf_init(&fix, 4096);
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
 * "dmarc.<domain>" (no underscore) is never read by a receiver. */
static void
check_dmarc_location(struct check_result *res, struct diag_sink *sink)
{
	struct check_private *P = res->priv;
	struct dns_query *qs[2] = { P->apex_txt, P->nodot_txt };

	for (size_t k = 0; k < 2; k++) {
		const struct dns_answer *a = qs[k] ? dns_answer(qs[k]) : NULL;
		struct misplaced m;

		if (a == NULL)
			continue;
		m.sink = sink;
		m.has_own = res->dmarc.found && !res->dmarc.inherited;
		m.qname = a->qname;
		m.domain = res->domain;
		if (dns_txt_each(a, dmarc_is_record, report_misplaced, &m) < 0) {
			res->oom = true;
			return;
		}
	}
}

static void
check_finish(struct check_result *res)
{
	struct check_private *P = res->priv;
	struct diag_sink sink[CHECK__AREAS];

	for (int a = 0; a < CHECK__AREAS; a++)
		diag_sink_init(&sink[a], diag_list_add, &res->findings[a]);
	if (P->spf != NULL) {
		if (spf_lint_finish(P->spf, &sink[CHECK_SPF]) != 0)
			res->oom = true;
		P->spf = NULL;
		res->incomplete = res->incomplete || res->spf.incomplete;
	}
	if (P->dmarc_started) {
		if (dmarc_finish(&res->dmarc, &sink[CHECK_DMARC]) != 0)
			res->oom = true;
		check_dmarc_location(res, &sink[CHECK_DMARC]);
		res->incomplete = res->incomplete || res->dmarc.incomplete;
	}
	if (P->dkim_started) {
		if (dkim_finish(&res->dkim) != 0)
			res->oom = true;
		res->incomplete = res->incomplete || res->dkim.dns_failed;
		res->oom = res->oom || res->dkim.oom;
	}
	if (P->mx_started) {
		mx_finish(&res->mx, &sink[CHECK_MX]);
		res->incomplete = res->incomplete || res->mx.incomplete;
		res->oom = res->oom || res->mx.oom;
	}
	if (P->mtasts_started) {
		mtasts_finish(&res->mtasts, P->o->https, &sink[CHECK_MTA_STS]);
		res->incomplete = res->incomplete || res->mtasts.incomplete;
		res->oom = res->oom || res->mtasts.oom;
	}
	if (P->tlsrpt_started) {
		tlsrpt_finish(&res->tlsrpt, res->mtasts.published,
		    &sink[CHECK_TLS_RPT]);
		res->incomplete = res->incomplete || res->tlsrpt.incomplete;
		res->oom = res->oom || res->tlsrpt.oom;
	}
	if (P->bimi_started) {
		bimi_finish(&res->bimi, res->dmarc.found,
		    (int)res->dmarc.policy, &sink[CHECK_BIMI]);
		res->incomplete = res->incomplete || res->bimi.incomplete;
		res->oom = res->oom || res->bimi.oom;
	}
	for (int a = 0; a < CHECK__AREAS; a++) {
		for (int s = 0; s < DIAG_SEV__COUNT; s++)
			res->count[s] += sink[a].count[s];
		/* A finding the list could not keep, or one built short of
		 * memory, is a finding lost. */
		res->oom = res->oom || res->findings[a].oom || sink[a].oom;
	}
	/* DKIM keeps its findings per selector; count them too. */
	for (size_t i = 0; i < res->dkim.nsel; i++)
		for (size_t j = 0; j < res->dkim.sel[i].findings.n; j++)
			res->count[diag_info(res->dkim.sel[i].findings.v[j].id)
			    ->severity]++;
	for (size_t j = 0; j < res->dkim.findings.n; j++)
		res->count[diag_info(res->dkim.findings.v[j].id)->severity]++;
	res->score = check_score(res);
}

/* The MTA-STS policies of a whole batch, fetched at once. */
static void
fetch_policies(struct check_result *res, size_t n, const struct check_opts *o)
{
	struct https_req *reqs;
	struct https_opts ho;
	size_t k = 0;

	if (!o->https || (reqs = calloc(n, sizeof(*reqs))) == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		struct check_private *P = res[i].priv;

		if (P != NULL && P->mtasts_started &&
		    mtasts_requests(&res[i].mtasts, &P->req) == 1) {
			P->has_req = true;
			reqs[k++] = P->req;
		}
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

int
check_run(struct dns_resolver *r, const char *const *names, size_t n,
    const struct check_opts *o, struct check_result *res)
{
	int rc = 0;
	bool more = false;

	for (size_t i = 0; i < n; i++)
		if (check_start(r, names[i], o, &res[i]) != 0) {
			res[i].oom = true;
			rc = -1;
		}
	dns_run(r);
	for (size_t i = 0; i < n; i++)
		if (res[i].priv != NULL && recognise_late(&res[i]))
			more = true;
	if (more)
		dns_run(r);
	fetch_policies(res, n, o);
	for (size_t i = 0; i < n; i++)
		if (res[i].priv != NULL)
			check_finish(&res[i]);
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
	spf_lint_result_free(&res->spf);
	dmarc_result_free(&res->dmarc);
	dkim_result_free(&res->dkim);
	mx_result_free(&res->mx);
	mtasts_result_free(&res->mtasts);
	tlsrpt_result_free(&res->tlsrpt);
	bimi_result_free(&res->bimi);
	for (int a = 0; a < CHECK__AREAS; a++)
		diag_list_free(&res->findings[a]);
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
	const struct diag_list *f = res->findings;
	unsigned loss, dkim;

	if (!res->valid)
		return 0;
	/* DKIM keeps its findings per selector and domain-wide. */
	dkim = cost(&f[CHECK_DKIM]) + cost(&res->dkim.findings);
	for (size_t i = 0; i < res->dkim.nsel; i++)
		dkim += cost(&res->dkim.sel[i].findings);
	loss = capped(cost(&f[CHECK_SPF]), 30) +
	    capped(cost(&f[CHECK_DMARC]), 30) + capped(dkim, 20) +
	    capped(cost(&f[CHECK_MX]), 10) +
	    capped(cost(&f[CHECK_MTA_STS]) + cost(&f[CHECK_TLS_RPT]) +
	    cost(&f[CHECK_BIMI]), 10);
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
