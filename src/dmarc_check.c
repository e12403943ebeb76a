/*
 * dmarc_check.c -- DMARC of a domain in the DNS: discovery by the tree
 * walk (RFC 9989 §4.10), the organizational domain, the policy that
 * applies (p, sp or np), and the report destinations (authorisation
 * records, RFC 9990 / RFC 7489 §7.1; MX/A/AAAA of mailto: hosts).  The
 * record found is parsed and linted by dmarc_record.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpsl.h>

#include "dmarc.h"
#include "dns.h"
#include "dns_failure.h"
#include "dns_txt.h"
#include "wildcard.h"

/* ---- discovery (RFC 9989 §4.10) --------------------------------------- */

static size_t
count_labels(const char *name)
{
	size_t n = 1;

	for (; *name != '\0'; name++)
		if (*name == '.')
			n++;
	return n;
}

/* The rightmost `keep` labels of name (which has `have` labels). */
static const char *
suffix_labels(const char *name, size_t have, size_t keep)
{
	while (have > keep) {
		name = strchr(name, '.') + 1;
		have--;
	}
	return name;
}

/* Every answer here comes from dns_answer_final(), so none is pending. */
static void
report_dns_failure(struct diag_sink *sink, struct dmarc_result *res,
    const struct dns_answer *a)
{
	res->area.incomplete = true;
	dns_failure_report(sink, a, "the DMARC result is incomplete");
}

/* Copy a name into a 256-byte field. */
static void
set_name(char dst[256], const char *src)
{
	size_t n = strlen(src);

	if (n > 255)
		n = 255;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The one valid DMARC record in a TXT answer: returns 1 with *text set
 * (malloc'd), 0 when there is none, 2 when there are several; -1 OOM. */
static int
pick_record(const struct dns_answer *a, char **text, size_t *tlen)
{
	int found = dns_txt_pick(a, dmarc_is_record, text, tlen);

	if (found > 1) {
		free(*text);
		*text = NULL;
		return 2;
	}
	return found;
}

/*
 * The check runs in two steps so that one resolver carries many checks at
 * once.  dmarc_start() submits the whole tree walk (§4.10) and the A query
 * that tells sp from np; when the last walk answer arrives, a callback
 * picks the record and submits the report-destination queries.  After the
 * caller's dns_run(), dmarc_finish() reads the answers and reports.  The
 * walk is judged twice (silently in the callback, with the sink at the
 * end) so that the findings come out in a fixed order whatever the order
 * of the answers.
 */
struct dest {
	char host[256];
	size_t uri;			/* index in rec.uri */
	struct dns_query *auth;		/* NULL when internal */
	struct dns_query *mx, *a, *aaaa;
};

struct walkq {
	struct dmarc_pending *P;
	size_t i;
};

struct dmarc_pending {
	struct dns_resolver *r;
	struct dmarc_result *res;
	struct dns_query *q[DMARC_MAX_WALK];
	struct walkq wq[DMARC_MAX_WALK];
	size_t waiting;			/* walk answers still to come */
	struct dns_query *exists_q;
	/* TXT <random>.<walk name>: what a wildcard answers there, and so
	 * at its _dmarc name when that is not published (wildcard.h). */
	struct dns_query *probe[DMARC_MAX_WALK];
	struct dest dst[DMARC_MAX_URIS];
	size_t nd;
	bool oom;
};

/* Judge the walk's answers: the record that applies, the organizational
 * domain, multiple records and failures (to sink). */
static int
walk_judge(struct dmarc_pending *P, struct diag_sink *sink)
{
	struct dmarc_result *res = P->res;
	size_t n = res->nqueried, i, org = SIZE_MAX;
	size_t last = SIZE_MAX;	/* fewest-label record seen */
	int policy = -1;

	free(res->record);
	res->record = NULL;
	res->record_len = 0;
	res->found = res->inherited = res->area.incomplete = false;
	res->found_at[0] = res->org_domain[0] = '\0';
	for (i = 0; i < n; i++) {
		const struct dns_answer *a = dns_answer_final(P->q[i]);
		struct dmarc_record rec;
		char *text;
		size_t tlen = 0;
		int k;

		if (dns_failed(a->status)) {
			report_dns_failure(sink, res, a);
			continue;
		}
		if ((k = pick_record(a, &text, &tlen)) < 0)
			return -1;
		if (k == 2) {
			struct diag d;

			memset(&d, 0, sizeof(d));
			d.domain = a->qname;
			diag_reportf(sink, DIAG_DMARC_MULTIPLE_RECORDS, &d,
			    "%s has more than one v=DMARC1 record: receivers "
			    "discard them all", a->qname);
			continue;
		}
		if (k == 0)
			continue;
		dmarc_parse(text, tlen, &rec, NULL, NULL);
		last = i;
		if (policy < 0) {
			policy = (int)i;
			res->record = text;
			res->record_len = tlen;
		} else {
			free(text);
		}
		if (rec.psd == 'n') {
			org = i;
			break;
		}
		if (rec.psd == 'y') {
			/* The name one label below the PSD, towards the
			 * start; the start itself when the PSD is it. */
			if (i == 0) {
				org = 0;
			} else {
				size_t want = count_labels(res->walk[i]) + 1;

				set_name(res->org_domain, suffix_labels(
				    res->domain, count_labels(res->domain),
				    want));
				org = SIZE_MAX - 1;
			}
			break;
		}
	}
	if (org == SIZE_MAX)
		org = last;
	if (org == SIZE_MAX)
		set_name(res->org_domain, res->domain);
	else if (org != SIZE_MAX - 1)
		set_name(res->org_domain, res->walk[org]);
	if (policy >= 0) {
		res->found = true;
		set_name(res->found_at, res->walk[policy]);
		res->inherited = policy > 0;
	}
	return 0;
}

/* Submit MX/A/AAAA of every mailto: host and the authorisation record of
 * every external one (RFC 7489 §7.1). */
static int
destinations_submit(struct dmarc_pending *P)
{
	struct dmarc_result *res = P->res;
	char qname[600];
	size_t i, j;

	for (i = 0; i < res->rec.nuri; i++) {
		const struct dmarc_uri *u = &res->rec.uri[i];
		struct dest *d = &P->dst[P->nd];

		if (!u->valid || !u->mailto)
			continue;
		memcpy(d->host, res->record + u->host.off, u->host.len);
		d->host[u->host.len] = '\0';
		for (j = 0; j < P->nd; j++)
			if (strcasecmp(P->dst[j].host, d->host) == 0)
				break;
		if (j < P->nd)
			continue;	/* one check per host */
		d->uri = i;
		d->auth = NULL;
		if (!dns_name_within(d->host, res->org_domain)) {
			snprintf(qname, sizeof(qname), "%.253s._report._dmarc.%.253s",
			    res->found_at, d->host);
			if ((d->auth = dns_submit(P->r, qname, DNS_T_TXT, NULL,
			    NULL)) == NULL)
				return -1;
		}
		d->mx = dns_submit(P->r, d->host, DNS_T_MX, NULL, NULL);
		d->a = dns_submit(P->r, d->host, DNS_T_A, NULL, NULL);
		d->aaaa = dns_submit(P->r, d->host, DNS_T_AAAA, NULL, NULL);
		if (d->mx == NULL || d->a == NULL || d->aaaa == NULL)
			return -1;
		P->nd++;
	}
	return 0;
}

/* The last walk answer is in: pick the record, ask about its report
 * destinations. */
static void
walk_answered(void *arg, struct dns_query *q)
{
	struct walkq *w = arg;
	struct dmarc_pending *P = w->P;
	struct diag_sink none;

	P->q[w->i] = q;
	if (--P->waiting > 0)
		return;
	diag_sink_init(&none, NULL, NULL);
	if (walk_judge(P, &none) != 0) {
		P->oom = true;
		return;
	}
	if (!P->res->found)
		return;
	dmarc_parse(P->res->record, P->res->record_len, &P->res->rec, NULL,
	    NULL);
	if (destinations_submit(P) != 0)
		P->oom = true;
}

static bool
has_rr(const struct dns_answer *a)
{
	return a->status == DNS_OK && a->nrr > 0;
}

/* Report on each destination; rctx is the record's context (its _dmarc
 * name and text), to which each finding adds the entry's span. */
static int
check_destinations(struct dmarc_pending *P, struct diag_sink *sink,
    const struct diag *rctx)
{
	struct dmarc_result *res = P->res;
	struct dest *dst = P->dst;
	struct diag d = *rctx;
	size_t i, j;

	d.has_span = true;
	for (i = 0; i < P->nd; i++) {
		const struct dns_answer *mx, *a4, *a6;
		bool mail = false, failed = false, nullmx = false;

		d.span = res->rec.uri[dst[i].uri].span;
		if (dst[i].auth != NULL) {
			const struct dns_answer *a =
			    dns_answer_final(dst[i].auth);

			if (dns_failed(a->status)) {
				report_dns_failure(sink, res, a);
			} else {
				size_t n;
				char *s;
				int k = dns_txt_pick(a, dmarc_is_record, &s,
				    &n);

				if (k < 0)
					return -1;
				free(s);
				if (k == 0)
					diag_reportf(sink,
					    DIAG_DMARC_RUA_UNAUTHORIZED, &d,
					    "%s is outside %s and has not "
					    "agreed to receive its reports; it "
					    "must publish: %s._report._dmarc."
					    "%s. IN TXT \"v=DMARC1\"",
					    dst[i].host, res->org_domain,
					    res->found_at, dst[i].host);
			}
		}
		mx = dns_answer_final(dst[i].mx);
		a4 = dns_answer_final(dst[i].a);
		a6 = dns_answer_final(dst[i].aaaa);
		if (has_rr(mx)) {
			for (j = 0; j < mx->nrr; j++) {
				if (mx->rr[j].type != DNS_T_MX)
					continue;
				if (mx->rr[j].u.mx.host[0] == '\0')
					nullmx = true;
				else
					mail = true;
			}
		} else if (dns_failed(mx->status)) {
			report_dns_failure(sink, res, mx);
			failed = true;
		} else if (has_rr(a4) || has_rr(a6)) {
			mail = true;	/* implicit MX (RFC 5321 §5.1) */
		} else if (dns_failed(a4->status) || dns_failed(a6->status)) {
			report_dns_failure(sink, res,
			    dns_failed(a4->status) ? a4 : a6);
			failed = true;
		}
		if (!mail && !failed)
			diag_reportf(sink, DIAG_DMARC_REPORT_DOMAIN_NO_MX,
			    &d, "%s accepts no "
			    "mail (%s): reports sent there are lost",
			    dst[i].host, nullmx ? "null MX" :
			    "no MX, A or AAAA record");
	}
	return 0;
}

/* ---- the whole check -------------------------------------------------- */

/* The RFC 7489 organizational domain (public suffix + one label), which
 * receivers that predate RFC 9989 still use.  The system list is preferred
 * to the copy built into libpsl, which ages with the package. */
static const psl_ctx_t *
psl_get(void)
{
	static const psl_ctx_t *psl;
	static bool tried;

	if (!tried) {
		tried = true;
		psl = psl_latest(NULL);
		if (psl == NULL)
			psl = psl_builtin();
	}
	return psl;
}

bool
dmarc_is_org_domain(const char *domain)
{
	const psl_ctx_t *psl = psl_get();
	const char *reg;

	if (psl == NULL)
		return false;
	reg = psl_registrable_domain(psl, domain);
	return reg != NULL && strcasecmp(reg, domain) == 0;
}

static void
psl_org_domain(struct dmarc_result *res)
{
	const psl_ctx_t *psl = psl_get();
	const char *reg;

	if (psl == NULL)
		return;
	reg = psl_registrable_domain(psl, res->domain);
	set_name(res->psl_org_domain, reg != NULL ? reg : res->domain);
	res->psl_known = true;
}

int
dmarc_start(struct dns_resolver *r, const char *domain,
    struct dmarc_result *res)
{
	struct dmarc_pending *P;
	size_t labels, n = 0;
	char qname[300];
	const char *name;

	memset(res, 0, sizeof(*res));
	area_result_init(&res->area);
	if (dns_name_norm(res->domain, sizeof(res->domain), domain) < 0)
		return -1;
	if ((P = calloc(1, sizeof(*P))) == NULL)
		return -1;
	P->r = r;
	P->res = res;
	res->pending = P;

	/* The names first: callbacks may fire inside dns_submit(). */
	name = res->domain;
	labels = count_labels(name);
	for (;;) {
		set_name(res->walk[n++], name);
		if (labels == 1 || n == DMARC_MAX_WALK)
			break;
		name = suffix_labels(name, labels, labels >= 8 ? 7 :
		    labels - 1);
		labels = labels >= 8 ? 7 : labels - 1;
	}
	res->nqueried = n;
	P->waiting = n;
	/* RFC 8020: NXDOMAIN at the domain means no subdomain exists either;
	 * needed when the policy comes from a parent (sp vs np). */
	if ((P->exists_q = dns_submit(r, res->domain, DNS_T_A, NULL,
	    NULL)) == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (wildcard_name(qname, sizeof(qname), res->walk[i]) == 0 &&
		    (P->probe[i] = dns_submit(r, qname, DNS_T_TXT, NULL,
		    NULL)) == NULL)
			return -1;
	for (size_t i = 0; i < n; i++) {
		P->wq[i].P = P;
		P->wq[i].i = i;
		snprintf(qname, sizeof(qname), "_dmarc.%s", res->walk[i]);
		if (dns_submit(r, qname, DNS_T_TXT, walk_answered,
		    &P->wq[i]) == NULL)
			return -1;
	}
	return 0;
}

/* dmarc.wildcard-record: the record that applies is what a wildcard
 * answers (a random name beside its _dmarc name got the same records).
 * Receivers use it all the same, so it stays the policy; the finding
 * says where it comes from. */
static void
report_wildcard(struct dmarc_pending *P, struct diag_sink *sink,
    const struct diag *ctx)
{
	struct dmarc_result *res = P->res;

	for (size_t i = 0; i < res->nqueried; i++) {
		const struct dns_answer *a, *w;

		if (strcasecmp(res->walk[i], res->found_at) != 0)
			continue;
		if (P->probe[i] == NULL || P->q[i] == NULL)
			return;
		a = dns_answer_final(P->q[i]);
		w = dns_answer(P->probe[i]);
		if (wildcard_same(a, w))
			diag_reportf(sink, DIAG_DMARC_WILDCARD_RECORD, ctx,
			    "the v=DMARC1 record read at _dmarc.%s is also "
			    "what a random name under %s answers: it comes "
			    "from a wildcard (unless _dmarc.%s publishes the "
			    "very same records), which gives every name "
			    "under it this record", res->found_at,
			    res->found_at, res->found_at);
		return;
	}
}

int
dmarc_finish(struct dmarc_result *res, struct diag_sink *sink)
{
	struct dmarc_pending *P = res->pending;
	char at[300];
	struct diag ctx;

	if (P == NULL || P->oom || P->waiting > 0)
		return -1;
	if (walk_judge(P, sink) != 0)
		return -1;
	psl_org_domain(res);
	if (!res->found) {
		if (!res->area.incomplete) {
			memset(&ctx, 0, sizeof(ctx));
			ctx.domain = res->domain;
			diag_reportf(sink, DIAG_DMARC_MISSING, &ctx,
			    "no v=DMARC1 record at _dmarc.%s nor at any "
			    "parent up to _dmarc.%s", res->domain,
			    res->walk[res->nqueried - 1]);
		}
		return 0;
	}

	/* Which tag applies first, so the walk's findings come before the
	 * record's; a silent parse gives the effective policy. */
	dmarc_parse(res->record, res->record_len, &res->rec, NULL, NULL);
	dmarc_effective(&res->rec, &res->eff);
	if (!res->inherited) {
		res->applies = DMARC_APPLIES_P;
		res->policy = res->eff.p;
	} else {
		const struct dns_answer *a = dns_answer_final(P->exists_q);

		if (dns_failed(a->status))
			report_dns_failure(sink, res, a);
		if (a->status == DNS_NXDOMAIN) {
			res->applies = DMARC_APPLIES_NP;
			res->policy = res->eff.np;
		} else {
			res->applies = DMARC_APPLIES_SP;
			res->policy = res->eff.sp;
		}
		memset(&ctx, 0, sizeof(ctx));
		ctx.domain = res->domain;
		diag_reportf(sink, DIAG_DMARC_INHERITED, &ctx,
		    "%s has no DMARC record of its own; the record at "
		    "_dmarc.%s applies (%s=%s, as %s)", res->domain,
		    res->found_at,
		    res->applies == DMARC_APPLIES_NP ? "np" : "sp",
		    dmarc_policy_name(res->policy),
		    res->applies == DMARC_APPLIES_NP ?
		    "the domain does not exist" : "the domain exists");
	}

	snprintf(at, sizeof(at), "_dmarc.%s", res->found_at);
	memset(&ctx, 0, sizeof(ctx));
	ctx.domain = at;
	ctx.record = res->record;
	ctx.record_len = res->record_len;
	report_wildcard(P, sink, &ctx);
	dmarc_parse(res->record, res->record_len, &res->rec, sink, &ctx);
	dmarc_lint(&res->rec, sink, &ctx);
	return check_destinations(P, sink, &ctx);
}

int
dmarc_check(struct dns_resolver *r, const char *domain,
    struct dmarc_result *res, struct diag_sink *sink)
{
	if (dmarc_start(r, domain, res) != 0) {
		/* callbacks may still point at the state: let the
		 * resolver settle before it goes */
		dns_run(r);
		return -1;
	}
	dns_run(r);
	return dmarc_finish(res, sink);
}

void
dmarc_result_free(struct dmarc_result *res)
{
	free(res->pending);
	res->pending = NULL;
	free(res->record);
	res->record = NULL;
	area_result_free(&res->area);
}
