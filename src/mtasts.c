/*
 * mtasts.c -- MTA-STS (RFC 8461): TXT record and policy parsers with byte
 * spans, MX pattern matching, and the start/requests/finish check.
 *
 * Decisions taken from the RFC text (checked against §3.1, §3.2, §4.1, §5):
 *  - mx may be omitted when mode is none: the §3.2 ABNF annotates
 *    sts-policy-mx "required at least once, except when mode is 'none'".
 *  - A repeated field other than mx: the first is honoured, the rest are
 *    ignored (§3.2), so a repeat is not a finding.
 *  - mta-sts.mx-not-covered is reported for mode enforce only.  In mode
 *    testing a sender still delivers to a host that fails the §4.1 match
 *    and only reports it (§5), so mail does not fail and an *error* would
 *    be wrong; the uncovered hosts are named in the mta-sts.testing
 *    finding instead, because they will fail once the mode is enforce.
 *  - The policy must be served as text/plain (§3.2), with HTTP 200 and no
 *    redirect (§3.3); anything else is mta-sts.policy-unreachable, like a
 *    certificate that does not verify.
 *  - The grammar is applied strictly (a blank line inside the policy, a
 *    trailing dot on an mx pattern are errors); tolerant receivers exist,
 *    but the ABNF is what every receiver accepts.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dns.h"
#include "dns_failure.h"
#include "dns_txt.h"
#include "mtasts.h"
#include "taglist.h"

/* ---- helpers ---------------------------------------------------------- */

static bool
eq_ci(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (tl_lower(a[i]) != tl_lower(b[i]))
			return false;
	return true;
}

/* p[0..n) is exactly the case-sensitive literal w. */
static bool
eq_lit(const char *p, size_t n, const char *w)
{
	return strlen(w) == n && memcmp(p, w, n) == 0;
}

/* ---- the TXT record (§3.1) ------------------------------------------- */

bool
mtasts_is_record(const char *p, size_t len)
{
	if (len < 7 || memcmp(p, "v=STSv1", 7) != 0)
		return false;
	return len == 7 || p[7] == ';' || tl_is(p[7], TL_WSP);
}

/* One field [s, e) of the record (delimiters already removed). */
static void
txt_field(const char *p, size_t len, size_t s, size_t e,
    struct mtasts_txt *out, bool *have_id, struct diag_sink *sink,
    const struct diag *ctx)
{
	size_t eq = tl_find_char(p, e, s, '='), i;

	if (eq == e || eq == s) {
		diag_report_at(sink, ctx, DIAG_MTA_STS_SYNTAX, p, len, s, e - s,
		    "a field must be name=value");
		out->ok = false;
		return;
	}
	if (eq_lit(p + s, eq - s, "id")) {
		size_t vn = e - (eq + 1);

		for (i = eq + 1; i < e; i++)
			if (!tl_is(p[i], TL_ALPHA | TL_DIGIT))
				break;
		if (vn == 0 || i < e || vn > MTASTS_ID_MAX) {
			diag_report_at(sink, ctx, DIAG_MTA_STS_SYNTAX, p, len,
			    eq + 1, vn,
			    "id must be 1 to 32 letters and digits");
			out->ok = false;
		}
		/* A second id is an sts-field the grammar allows; the
		 * first one is the policy id. */
		if (!*have_id) {
			*have_id = true;
			out->id.off = eq + 1;
			out->id.len = vn;
		}
		return;
	}
	/* sts-ext-name = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".") */
	for (i = s; i < eq; i++)
		if (!tl_is(p[i], TL_EXTNAME))
			break;
	if (i < eq || !tl_is(p[s], TL_ALPHA | TL_DIGIT) || eq - s > 32) {
		diag_report_at(sink, ctx, DIAG_MTA_STS_SYNTAX, p, len, s,
		    eq - s, "bad extension field name");
		out->ok = false;
	}
	for (i = eq + 1; i < e; i++)
		if (!tl_is(p[i], TL_EXTVAL))
			break;
	if (eq + 1 == e || i < e) {
		diag_report_at(sink, ctx, DIAG_MTA_STS_SYNTAX, p, len, eq + 1,
		    e - (eq + 1), "bad extension field value (no spaces, "
		    "'=' or ';')");
		out->ok = false;
	}
}

bool
mtasts_parse_txt(const char *p, size_t len, struct mtasts_txt *out,
    struct diag_sink *sink, const struct diag *ctx)
{
	size_t i;
	bool have_id = false;

	memset(out, 0, sizeof(*out));
	if (!mtasts_is_record(p, len)) {
		diag_report_at(sink, ctx, DIAG_MTA_STS_SYNTAX, p, len, 0,
		    tl_find_char(p, len, 0, ';'), "the record must begin with "
		    "v=STSv1 (case-sensitive)");
		return false;
	}
	out->ok = true;
	i = 7;
	for (;;) {
		struct tl_item it;
		enum tl_step step = tl_next(p, len, &i, &it);

		if (step == TL_END)
			break;
		if (step == TL_JUNK) {
			diag_report_at(sink, ctx, DIAG_MTA_STS_SYNTAX, p, len,
			    it.off, it.end - it.off,
			    "expected ';' between fields");
			out->ok = false;
		} else if (it.end == it.off) {
			diag_report_at(sink, ctx, DIAG_MTA_STS_SYNTAX, p, len,
			    it.sep, 1, "empty field");
			out->ok = false;
		} else {
			txt_field(p, len, it.off, it.end, out, &have_id, sink,
			    ctx);
		}
	}
	if (!have_id) {
		diag_report_at(sink, ctx, DIAG_MTA_STS_SYNTAX, p, len, 0, len,
		    "the required id= field is missing");
		out->ok = false;
	}
	return out->ok;
}

/* ---- the policy file (§3.2) ------------------------------------------ */

struct pstate {
	const char *p;
	size_t len;
	struct mtasts_policy *out;
	struct diag_sink *sink;
	const struct diag *ctx;
	size_t ls, le;		/* the current line's content */
	unsigned long lineno;
};

static void pbad(struct pstate *st, size_t off, size_t n, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

/* A policy-invalid finding about the current line; off is absolute. */
static void
pbad(struct pstate *st, size_t off, size_t n, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	st->out->ok = false;
	va_start(ap, fmt);
	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		msg[0] = '\0';
	va_end(ap);
	diag_report_at(st->sink, st->ctx, DIAG_MTA_STS_POLICY_INVALID,
	    st->p + st->ls, st->le - st->ls, off - st->ls, n, "line %lu: %s",
	    st->lineno, msg);
}

static void
policy_line(struct pstate *st)
{
	const char *p = st->p;
	struct mtasts_policy *out = st->out;
	size_t ls = st->ls, le = st->le, colon, vs, ve, i;

	colon = tl_find_char(p, le, ls, ':');
	if (colon == le) {
		pbad(st, ls, le - ls, "expected \"name: value\"");
		return;
	}
	vs = tl_skip_wsp(p, le, colon + 1);
	ve = le;
	while (ve > vs && tl_is(p[ve - 1], TL_WSP))
		ve--;
	if (eq_lit(p + ls, colon - ls, "version")) {
		if (!eq_lit(p + vs, ve - vs, "STSv1"))
			pbad(st, vs, ve - vs, "version must be STSv1");
		else
			out->has_version = true;
		return;
	}
	if (eq_lit(p + ls, colon - ls, "mode")) {
		enum mtasts_mode m = MTASTS_MODE_UNSET;

		if (eq_lit(p + vs, ve - vs, "enforce"))
			m = MTASTS_MODE_ENFORCE;
		else if (eq_lit(p + vs, ve - vs, "testing"))
			m = MTASTS_MODE_TESTING;
		else if (eq_lit(p + vs, ve - vs, "none"))
			m = MTASTS_MODE_NONE;
		if (m == MTASTS_MODE_UNSET)
			pbad(st, vs, ve - vs, "mode must be enforce, testing "
			    "or none");
		else if (out->mode == MTASTS_MODE_UNSET)
			out->mode = m;	/* §3.2: the first one counts */
		return;
	}
	if (eq_lit(p + ls, colon - ls, "max_age")) {
		unsigned long v = 0;

		for (i = vs; i < ve && tl_is(p[i], TL_DIGIT); i++)
			v = v * 10 + (unsigned long)(p[i] - '0');
		if (i == vs || i < ve || ve - vs > 10)
			pbad(st, vs, ve - vs, "max_age must be 1 to 10 digits");
		else if (v > MTASTS_MAX_AGE)
			pbad(st, vs, ve - vs, "max_age %lu is over the maximum "
			    "of %lu seconds (one year)", v, MTASTS_MAX_AGE);
		else if (!out->has_max_age) {
			out->has_max_age = true;
			out->max_age = v;
		}
		return;
	}
	if (eq_lit(p + ls, colon - ls, "mx")) {
		size_t ds = vs;

		out->nmx_total++;
		if (ve - vs >= 2 && p[vs] == '*' && p[vs + 1] == '.')
			ds = vs + 2;
		if (!tl_host(p + ds, ve - ds)) {
			pbad(st, vs, ve - vs, "mx must be a host name or "
			    "\"*.\" and a domain (no trailing dot)");
			return;
		}
		if (out->nmx < MTASTS_MAX_MX) {
			out->mx[out->nmx].off = vs;
			out->mx[out->nmx].len = ve - vs;
			out->nmx++;
		}
		return;
	}
	/* sts-policy-extension: ext-name ":" *WSP vchar *(*WSP vchar) */
	for (i = ls; i < colon; i++)
		if (!tl_is(p[i], TL_EXTNAME))
			break;
	if (i < colon || colon == ls || !tl_is(p[ls], TL_ALPHA | TL_DIGIT) ||
	    colon - ls > 32) {
		pbad(st, ls, colon - ls, "bad field name");
		return;
	}
	for (i = vs; i < ve; i++)
		if (!tl_is(p[i], TL_VCHAR8 | TL_WSP))
			break;
	if (vs == ve || i < ve)
		pbad(st, vs, ve - vs, "bad value of extension field");
}

bool
mtasts_parse_policy(const char *p, size_t len, struct mtasts_policy *out,
    struct diag_sink *sink, const struct diag *ctx)
{
	struct pstate st;
	size_t ls = 0;

	memset(out, 0, sizeof(*out));
	memset(&st, 0, sizeof(st));
	out->ok = true;
	st.p = p;
	st.len = len;
	st.out = out;
	st.sink = sink;
	st.ctx = ctx;
	while (ls < len) {
		size_t nl = tl_find_char(p, len, ls, '\n'), le = nl, i;

		if (le > ls && p[le - 1] == '\r')
			le--;
		st.ls = ls;
		st.le = le;
		st.lineno++;
		for (i = ls; i < le; i++)
			if (p[i] == '\r' || p[i] == '\0')
				break;
		if (i < le)
			pbad(&st, i, 1, "%s inside a line (lines end with LF "
			    "or CRLF)", p[i] == '\r' ? "bare CR" : "NUL byte");
		else if (le == ls)
			pbad(&st, ls, 0, "empty line");
		else
			policy_line(&st);
		ls = nl + 1;
	}
	st.ls = st.le = 0;
	if (!out->has_version)
		diag_report_at(sink, ctx, DIAG_MTA_STS_POLICY_INVALID, NULL, 0,
		    0, 0, "no valid \"version: STSv1\" line");
	if (out->mode == MTASTS_MODE_UNSET)
		diag_report_at(sink, ctx, DIAG_MTA_STS_POLICY_INVALID, NULL, 0,
		    0, 0, "no valid \"mode:\" line");
	if (!out->has_max_age)
		diag_report_at(sink, ctx, DIAG_MTA_STS_POLICY_INVALID, NULL, 0,
		    0, 0, "no valid \"max_age:\" line");
	/* §3.2 ABNF: mx "required at least once, except when mode is
	 * 'none'". */
	if (out->nmx_total == 0 && out->mode != MTASTS_MODE_NONE)
		diag_report_at(sink, ctx, DIAG_MTA_STS_POLICY_INVALID, NULL, 0,
		    0, 0, "no \"mx:\" line: every MX host would fail");
	if (!out->has_version || out->mode == MTASTS_MODE_UNSET ||
	    !out->has_max_age ||
	    (out->nmx_total == 0 && out->mode != MTASTS_MODE_NONE))
		out->ok = false;
	return out->ok;
}

bool
mtasts_mx_match(const char *pat, size_t plen, const char *h, size_t hlen)
{
	if (plen > 0 && pat[plen - 1] == '.')
		plen--;
	if (hlen > 0 && h[hlen - 1] == '.')
		hlen--;
	if (plen == 0 || hlen == 0)
		return false;
	if (plen >= 2 && pat[0] == '*' && pat[1] == '.') {
		/* ".example.com" must end h, and what is before it must be
		 * one non-empty label */
		size_t sl = plen - 1, i;

		if (hlen <= sl || !eq_ci(h + hlen - sl, pat + 1, sl))
			return false;
		for (i = 0; i < hlen - sl; i++)
			if (h[i] == '.')
				return false;
		return true;
	}
	return plen == hlen && eq_ci(pat, h, plen);
}

const char *
mtasts_mode_name(enum mtasts_mode m)
{
	switch (m) {
	case MTASTS_MODE_NONE:
		return "none";
	case MTASTS_MODE_TESTING:
		return "testing";
	case MTASTS_MODE_ENFORCE:
		return "enforce";
	default:
		return "-";
	}
}

const char *
mtasts_policy_state_name(enum mtasts_policy_state s)
{
	switch (s) {
	case MTASTS_POLICY_NOT_CHECKED:
		return "not-checked";
	case MTASTS_POLICY_UNREACHABLE:
		return "unreachable";
	case MTASTS_POLICY_INVALID:
		return "invalid";
	case MTASTS_POLICY_OK:
		return "ok";
	default:
		return "none";
	}
}

/* ---- the check ------------------------------------------------------- */

/* TXT callback: with exactly one valid record, ask for the policy host's
 * addresses now, in the same DNS round as everything else that waits. */
static void
on_txt(void *arg, struct dns_query *q)
{
	struct mtasts_result *res = arg;
	struct mtasts_txt t;
	char *text;
	size_t tlen;
	int n = dns_txt_pick(dns_answer(q), mtasts_is_record, &text,
	    &tlen);

	if (n < 0)
		res->area.oom = true;
	if (n == 1 && mtasts_parse_txt(text, tlen, &t, NULL, NULL)) {
		res->q_a = dns_submit(res->r, res->host, DNS_T_A, NULL, NULL);
		res->q_aaaa = dns_submit(res->r, res->host, DNS_T_AAAA, NULL,
		    NULL);
		if (res->q_a == NULL || res->q_aaaa == NULL)
			res->area.oom = true;
	}
	free(text);
}

int
mtasts_start(struct dns_resolver *r, const char *domain,
    struct mtasts_result *res)
{
	memset(res, 0, sizeof(*res));
	area_result_init(&res->area);
	res->r = r;
	if (txt_check_name(&res->txt, "_mta-sts", domain) != 0)
		return -1;
	/* the host before the TXT question: its callback may run at once
	 * (zone backend) and asks for the host's addresses */
	snprintf(res->host, sizeof(res->host), "mta-sts.%s", res->txt.domain);
	if (txt_check_ask(r, &res->txt, on_txt, res, &res->area) != 0)
		return -1;
	/* the MX check asks the same question: the resolver's cache makes
	 * it one query */
	if ((res->q_mx = dns_submit(r, res->txt.domain, DNS_T_MX, NULL,
	    NULL)) == NULL)
		res->area.oom = true;
	return res->area.oom ? -1 : 0;
}

static void
collect_addrs(struct mtasts_result *res)
{
	struct dns_query *qs[2] = { res->q_a, res->q_aaaa };

	res->naddrs = 0;
	for (size_t k = 0; k < 2; k++) {
		const struct dns_answer *a = qs[k] ? dns_answer(qs[k]) : NULL;

		if (a == NULL || a->status != DNS_OK)
			continue;
		for (size_t i = 0; i < a->nrr; i++) {
			if (a->rr[i].type != DNS_T_A &&
			    a->rr[i].type != DNS_T_AAAA)
				continue;
			if (res->naddrs < MTASTS_MAX_ADDRS)
				res->addrs[res->naddrs++] = a->rr[i].u.addr;
		}
	}
}

size_t
mtasts_requests(struct mtasts_result *res, struct https_req *out)
{
	res->req = NULL;
	if (res->q_a == NULL)
		return 0;
	collect_addrs(res);
	if (res->naddrs == 0)
		return 0;
	memset(out, 0, sizeof(*out));
	out->host = res->host;
	out->path = MTASTS_PATH;
	out->addrs = res->addrs;
	out->naddrs = res->naddrs;
	res->req = out;
	return 1;
}

/* The media type of a Content-Type value is text/plain (parameters such
 * as charset allowed; type names are case-insensitive). */
static bool
is_text_plain(const char *ct)
{
	size_t n, e;

	if (ct == NULL)
		return false;
	n = strlen(ct);
	e = tl_find_char(ct, n, 0, ';');
	while (e > 0 && tl_is(ct[e - 1], TL_WSP))
		e--;
	return e == 10 && eq_ci(ct, "text/plain", 10);
}

static void
unreachable(struct mtasts_result *res, struct diag_sink *sink,
    const char *why)
{
	struct diag d;

	memset(&d, 0, sizeof(d));
	d.domain = res->host;
	res->state = MTASTS_POLICY_UNREACHABLE;
	snprintf(res->fetch_err, sizeof(res->fetch_err), "%s", why);
	diag_reportf(sink, DIAG_MTA_STS_POLICY_UNREACHABLE, &d,
	    "https://%s%s: %s", res->host, MTASTS_PATH, why);
}

/* Match the domain's MX hosts against the policy's patterns. */
static void
check_mx(struct mtasts_result *res, struct diag_sink *sink)
{
	const struct dns_answer *a = res->q_mx ? dns_answer(res->q_mx) : NULL;
	const struct mtasts_policy *pol = &res->pol;
	struct buf unc;
	struct diag d;
	size_t i, k;

	if (a == NULL || dns_failed(a->status)) {
		if (a != NULL) {
			res->area.incomplete = true;
			dns_failure_report(sink, a, "the MX hosts were not "
			    "checked against the MTA-STS policy");
		}
		return;
	}
	/* More patterns than we keep: a match could be missed, so say
	 * nothing rather than something false. */
	if (pol->nmx_total > pol->nmx)
		return;
	memset(&d, 0, sizeof(d));
	d.domain = res->txt.domain;
	buf_init(&unc, 1024);
	for (i = 0; a->status == DNS_OK && i < a->nrr; i++) {
		const char *h;

		if (a->rr[i].type != DNS_T_MX || a->rr[i].u.mx.host[0] == '\0')
			continue;	/* the null MX has nothing to cover */
		h = a->rr[i].u.mx.host;
		res->nmx_hosts++;
		for (k = 0; k < pol->nmx; k++)
			if (mtasts_mx_match(res->policy + pol->mx[k].off,
			    pol->mx[k].len, h, strlen(h)))
				break;
		if (k < pol->nmx)
			continue;
		res->nmx_uncovered++;
		buf_printf(&unc, "%s%s", unc.len ? ", " : "", h);
		if (pol->mode == MTASTS_MODE_ENFORCE)
			diag_reportf(sink, DIAG_MTA_STS_MX_NOT_COVERED, &d,
			    "MX host %s matches no mx: pattern of the enforce "
			    "policy: MTA-STS senders will not deliver to it",
			    h);
	}
	if (pol->mode == MTASTS_MODE_TESTING) {
		if (res->nmx_uncovered > 0)
			diag_reportf(sink, DIAG_MTA_STS_TESTING, &d,
			    "policy mode is testing; MX hosts matching no mx: "
			    "pattern (would fail in enforce mode): %s",
			    unc.err ? "(too many to list)" : buf_str(&unc));
		else
			diag_reportf(sink, DIAG_MTA_STS_TESTING, &d,
			    "policy mode is testing: failures are only "
			    "reported, mail is still delivered");
	}
	if (unc.oom)
		res->area.oom = true;	/* the list of hosts is not all */
	buf_free(&unc);
}

static void
judge_policy(struct mtasts_result *res, struct diag_sink *sink)
{
	struct https_req *req = res->req;
	struct diag d;

	res->req = NULL;
	if (!req->ok) {
		unreachable(res, sink, req->err[0] ? req->err : "fetch failed");
		return;
	}
	if (!is_text_plain(req->content_type)) {
		char why[200];

		snprintf(why, sizeof(why), "served as %.100s, not text/plain",
		    req->content_type ? req->content_type :
		    "(no Content-Type)");
		unreachable(res, sink, why);
		return;
	}
	res->policy = req->body;
	res->policy_len = req->body_len;
	req->body = NULL;
	req->body_len = 0;
	memset(&d, 0, sizeof(d));
	d.domain = res->host;
	if (!mtasts_parse_policy(res->policy, res->policy_len, &res->pol, sink,
	    &d)) {
		res->state = MTASTS_POLICY_INVALID;
		return;
	}
	res->state = MTASTS_POLICY_OK;
	if (res->pol.mode == MTASTS_MODE_ENFORCE ||
	    res->pol.mode == MTASTS_MODE_TESTING)
		check_mx(res, sink);
}

void
mtasts_finish(struct mtasts_result *res, bool fetched, struct diag_sink *sink)
{
	struct mtasts_txt t;
	struct diag d;
	int n;

	n = txt_check_read(&res->txt, mtasts_is_record, sink,
	    "MTA-STS was not checked", &res->area);
	if (n <= 0)
		return;		/* MTA-STS is optional: nothing published */
	res->published = true;
	memset(&d, 0, sizeof(d));
	d.domain = res->txt.name;
	d.record = res->txt.record;
	d.record_len = res->txt.record_len;
	if (n > 1) {
		diag_reportf(sink, DIAG_MTA_STS_MULTIPLE_RECORDS, &d,
		    "%d v=STSv1 records at %s: senders ignore them all", n,
		    res->txt.name);
		return;
	}
	if (!mtasts_parse_txt(res->txt.record, res->txt.record_len, &t, sink,
	    &d))
		return;
	res->record_ok = true;
	memcpy(res->id, res->txt.record + t.id.off, t.id.len);
	res->id[t.id.len] = '\0';
	if (res->naddrs == 0)
		collect_addrs(res);
	if (res->naddrs == 0) {
		const struct dns_answer *a4 = res->q_a ? dns_answer(res->q_a) :
		    NULL;
		const struct dns_answer *a6 = res->q_aaaa ?
		    dns_answer(res->q_aaaa) : NULL;

		if (a4 != NULL && dns_failed(a4->status)) {
			res->area.incomplete = true;
			dns_failure_report(sink, a4,
			    "the MTA-STS policy host was not resolved");
			return;
		}
		if (a6 != NULL && dns_failed(a6->status)) {
			res->area.incomplete = true;
			dns_failure_report(sink, a6,
			    "the MTA-STS policy host was not resolved");
			return;
		}
		unreachable(res, sink, "the policy host has no A or AAAA "
		    "record");
		return;
	}
	if (!fetched || res->req == NULL) {
		res->state = MTASTS_POLICY_NOT_CHECKED;
		return;
	}
	judge_policy(res, sink);
}

void
mtasts_result_free(struct mtasts_result *res)
{
	txt_check_free(&res->txt);
	area_result_free(&res->area);
	free(res->policy);
	res->policy = NULL;
	res->req = NULL;
}
