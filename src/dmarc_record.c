/*
 * dmarc_record.c -- one DMARC record (RFC 9989): the strict tag-list parse
 * with byte spans, the defaults, and the policy lint.  No DNS: the record
 * text comes from the caller (the live check in dmarc_check.c, `authcheck
 * record`, the zone lint).
 *
 * The parser is deliberately stricter than receivers: OpenDMARC accepts
 * keywords by prefix (`p=r` is reject); here an inexact value is
 * dmarc.invalid-value and falls back to the default, as §4.8 says a
 * receiver must do.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "buf.h"
#include "dmarc.h"
#include "dns.h"
#include "taglist.h"

bool
dmarc_is_record(const char *p, size_t len)
{
	return tl_version_end(p, len, "DMARC1") != 0;
}

/* ---- parser ---------------------------------------------------------- */

enum tag {
	T_V, T_P, T_SP, T_NP, T_ADKIM, T_ASPF, T_FO, T_PSD, T_T, T_RUA, T_RUF,
	T_PCT, T_RI, T_RF, T__COUNT
};

static const char *const tag_names[T__COUNT] = {
	"v", "p", "sp", "np", "adkim", "aspf", "fo", "psd", "t", "rua", "ruf",
	"pct", "ri", "rf"
};

struct pstate {
	const char *p;
	size_t len;
	struct dmarc_record *rec;
	struct diag_sink *sink;
	const struct diag *ctx;
	unsigned seen;		/* bit per enum tag */
};

static void report(struct pstate *st, enum diag_id id, size_t off, size_t n,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* One finding about p[off..off+n). */
static void
report(struct pstate *st, enum diag_id id, size_t off, size_t n,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vreport_at(st->sink, st->ctx, id, st->p, st->len, off, n, fmt,
	    ap);
	va_end(ap);
}

static enum dmarc_policy
parse_policy(const char *v, size_t n)
{
	if (tl_eq_word(v, n, "none"))
		return DMARC_POLICY_NONE;
	if (tl_eq_word(v, n, "quarantine"))
		return DMARC_POLICY_QUARANTINE;
	if (tl_eq_word(v, n, "reject"))
		return DMARC_POLICY_REJECT;
	return DMARC_POLICY_UNSET;
}

/* One of the single-letter choices in `set` (lower case), else 0. */
static char
parse_letter(const char *v, size_t n, const char *set)
{
	if (n != 1 || v[0] == '\0' || strchr(set, ascii_lower(v[0])) == NULL)
		return 0;
	return ascii_lower(v[0]);
}

/* Digits only, at most maxdigits of them, value <= max. */
static bool
parse_uint(const char *v, size_t n, size_t maxdigits, unsigned long max)
{
	unsigned long x = 0;
	size_t i;

	if (n == 0 || n > maxdigits)
		return false;
	for (i = 0; i < n; i++) {
		if (!tl_is(v[i], TL_DIGIT))
			return false;
		x = x * 10 + (unsigned long)(v[i] - '0');
	}
	return x <= max;
}

/* The next entry of a `sep`-separated list p[*i..ve): its bounds without
 * the WSP around it in *a, *b (a == b when it is empty).  Moves *i past
 * the separator; returns false when this was the last entry. */
static bool
list_next(const char *p, size_t ve, size_t *i, char sep, size_t *a,
    size_t *b)
{
	size_t e = tl_find_char(p, ve, *i, sep);

	*a = tl_skip_wsp(p, e, *i);
	*b = e;
	while (*b > *a && tl_is(p[*b - 1], TL_WSP))
		(*b)--;
	*i = e + 1;
	return e < ve;
}

/* fo = 1*("0"/"1"/"d"/"s") separated by ":"; 0 and 1 exclude each other. */
static void
parse_fo(struct pstate *st, size_t vs, size_t ve)
{
	const char *p = st->p;
	unsigned fo = 0;
	size_t i = vs, a, b;
	bool more;

	do {
		more = list_next(p, ve, &i, ':', &a, &b);
		if (b - a != 1 || strchr("01ds", ascii_lower(p[a])) == NULL) {
			report(st, DIAG_DMARC_INVALID_VALUE, a, b - a,
			    "fo=: each option must be 0, 1, d or s, "
			    "separated by ':'");
			return;
		}
		switch (ascii_lower(p[a])) {
		case '0': fo |= DMARC_FO_0; break;
		case '1': fo |= DMARC_FO_1; break;
		case 'd': fo |= DMARC_FO_D; break;
		default: fo |= DMARC_FO_S; break;
		}
	} while (more);
	if ((fo & DMARC_FO_0) && (fo & DMARC_FO_1)) {
		report(st, DIAG_DMARC_INVALID_VALUE, vs, ve - vs,
		    "fo=: options 0 and 1 are mutually exclusive");
		return;
	}
	st->rec->fo = fo;
}

/* rf = keyword *(":" keyword), keyword = ALPHA *(ALPHA / DIGIT / "-"). */
static bool
valid_rf(const char *p, size_t vs, size_t ve)
{
	bool start = true;
	size_t i;

	for (i = vs; i < ve; i++) {
		if (p[i] == ':') {
			if (start)
				return false;
			start = true;
		} else if (start) {
			if (!tl_is(p[i], TL_ALPHA))
				return false;
			start = false;
		} else if (!tl_is(p[i], TL_ALPHA | TL_DIGIT) && p[i] != '-') {
			return false;
		}
	}
	return !start;
}

/* A presentation-form host name of LDH labels; returns its length without
 * one trailing dot, 0 when it is not one. */
static size_t
valid_host(const char *p, size_t n)
{
	n = dns_name_trim(p, n);
	return tl_host(p, n) ? n : 0;
}

/* mailto:addr-spec (RFC 6068): a dot-atom local part (percent escapes
 * allowed), '@', a host name; hfields after '?' are not checked. */
static bool
parse_mailto(const char *p, size_t s, size_t e, struct diag_span *host)
{
	size_t at, i, q, hl;

	q = tl_find_char(p, e, s, '?');
	at = tl_find_char(p, q, s, '@');
	if (at == s || at >= q)
		return false;
	if (p[s] == '.' || p[at - 1] == '.')
		return false;
	for (i = s; i < at; i++) {
		if (p[i] == '%') {
			if (at - i < 3 || !tl_is(p[i + 1], TL_HEX) ||
			    !tl_is(p[i + 2], TL_HEX))
				return false;
			i += 2;
		} else if (p[i] == '.') {
			if (p[i + 1] == '.')
				return false;
		} else if (!tl_is(p[i], TL_ATEXT) || p[i] == '?') {
			return false;
		}
	}
	if ((hl = valid_host(p + at + 1, q - at - 1)) == 0)
		return false;
	host->off = at + 1;
	host->len = hl;
	return true;
}

/* One rua/ruf entry p[s..e): URI ["!" size]. */
static void
parse_uri(struct pstate *st, bool ruf, size_t s, size_t e)
{
	const char *p = st->p;
	struct dmarc_uri u;
	size_t bang, i, colon;

	memset(&u, 0, sizeof(u));
	u.ruf = ruf;
	u.span.off = s;
	u.span.len = e - s;
	/* A literal '!' ends the URI: in a URI it must be %21 (§4.8). */
	bang = tl_find_char(p, e, s, '!');
	if (bang < e) {
		size_t d = bang + 1;

		while (d < e && tl_is(p[d], TL_DIGIT))
			d++;
		if (d > bang + 1 && d < e && strchr("kmgt", ascii_lower(p[d])))
			d++;
		if (d == bang + 1 || d != e) {
			report(st, DIAG_DMARC_URI_INVALID, bang, e - bang,
			    "the size limit after '!' must be digits with an "
			    "optional k, m, g or t (a '!' inside the URI must "
			    "be written %%21)");
			goto out;
		}
		report(st, DIAG_DMARC_SIZE_SUFFIX, bang, e - bang,
		    "the '!size' suffix is obsolete (RFC 9989 §4.8) and "
		    "receivers ignore it");
	}
	if (s == bang || !tl_is(p[s], TL_ALPHA)) {
		report(st, DIAG_DMARC_URI_INVALID, s, e - s,
		    "a report URI needs a scheme, e.g. mailto:dmarc@example.com");
		goto out;
	}
	for (colon = s + 1; colon < bang; colon++)
		if (!tl_is(p[colon], TL_ALPHA | TL_DIGIT) && p[colon] != '+' &&
		    p[colon] != '-' && p[colon] != '.')
			break;
	if (colon >= bang || p[colon] != ':' || colon + 1 == bang) {
		report(st, DIAG_DMARC_URI_INVALID, s, bang - s,
		    "a report URI needs a scheme, e.g. mailto:dmarc@example.com");
		goto out;
	}
	for (i = colon + 1; i < bang; i++) {
		if (!tl_is(p[i], TL_URI) || p[i] == ',') {
			report(st, DIAG_DMARC_URI_INVALID, i, 1,
			    "a character not allowed in a URI (percent-encode "
			    "it)");
			goto out;
		}
	}
	if (tl_eq_word(p + s, colon - s, "mailto")) {
		u.mailto = true;
		if (!parse_mailto(p, colon + 1, bang, &u.host)) {
			report(st, DIAG_DMARC_URI_INVALID, s, bang - s,
			    "mailto: must be followed by an address "
			    "local-part@domain");
			goto out;
		}
	}
	u.valid = true;
out:
	if (st->rec->nuri < DMARC_MAX_URIS)
		st->rec->uri[st->rec->nuri++] = u;
}

/* rua/ruf: comma-separated URIs with optional whitespace around commas. */
static void
parse_uri_list(struct pstate *st, bool ruf, size_t vs, size_t ve)
{
	size_t i = vs, a, b;
	bool more;

	do {
		more = list_next(st->p, ve, &i, ',', &a, &b);
		if (a == b)
			report(st, DIAG_DMARC_URI_INVALID, a, 0,
			    "empty entry in the %s= list", ruf ? "ruf" : "rua");
		else
			parse_uri(st, ruf, a, b);
	} while (more);
}

/* Apply one tag: name p[ns..ne), value p[vs..ve). */
static void
take_tag(struct pstate *st, size_t ns, size_t ne, size_t vs, size_t ve)
{
	struct dmarc_record *rec = st->rec;
	const char *p = st->p, *v = p + vs;
	size_t vn = ve - vs, tn = ve - ns;
	enum dmarc_policy pol;
	int t;

	for (t = 0; t < T__COUNT; t++)
		if (tl_eq_word(p + ns, ne - ns, tag_names[t]))
			break;
	if (t == T__COUNT) {
		report(st, DIAG_DMARC_UNKNOWN_TAG, ns, ne - ns,
		    "unknown tag '%.*s' is ignored by receivers",
		    (int)(ne - ns), p + ns);
		return;
	}
	if (st->seen & (1u << t)) {
		report(st, DIAG_DMARC_DUPLICATE_TAG, ns, tn,
		    "tag '%s' appears more than once", tag_names[t]);
		return;
	}
	st->seen |= 1u << t;

	switch (t) {
	case T_P:
	case T_SP:
	case T_NP:
		pol = parse_policy(v, vn);
		if (pol == DMARC_POLICY_UNSET) {
			report(st, DIAG_DMARC_INVALID_VALUE, vs, vn,
			    "%s= must be exactly none, quarantine or reject",
			    tag_names[t]);
			return;
		}
		if (t == T_P) {
			rec->p = pol;
			rec->p_span = (struct diag_span){ vs, vn };
		} else if (t == T_SP) {
			rec->sp = pol;
			rec->sp_span = (struct diag_span){ vs, vn };
		} else {
			rec->np = pol;
			rec->np_span = (struct diag_span){ vs, vn };
		}
		return;
	case T_ADKIM:
	case T_ASPF:
		if (parse_letter(v, vn, "rs") == 0) {
			report(st, DIAG_DMARC_INVALID_VALUE, vs, vn,
			    "%s= must be r (relaxed) or s (strict)",
			    tag_names[t]);
			return;
		}
		if (t == T_ADKIM)
			rec->adkim = ascii_lower(v[0]);
		else
			rec->aspf = ascii_lower(v[0]);
		return;
	case T_PSD:
		if ((rec->psd = parse_letter(v, vn, "ynu")) == 0)
			report(st, DIAG_DMARC_INVALID_VALUE, vs, vn,
			    "psd= must be y, n or u");
		return;
	case T_T:
		if ((rec->t = parse_letter(v, vn, "yn")) == 0)
			report(st, DIAG_DMARC_INVALID_VALUE, vs, vn,
			    "t= must be y or n");
		rec->t_span = (struct diag_span){ vs, vn };
		return;
	case T_FO:
		parse_fo(st, vs, ve);
		return;
	case T_RUA:
	case T_RUF:
		if (t == T_RUA)
			rec->has_rua = true;
		else
			rec->has_ruf = true;
		parse_uri_list(st, t == T_RUF, vs, ve);
		return;
	case T_PCT:
		/* pct=100 was the default: it asks for no sampling, so the
		 * tag goes and nothing replaces it (t=y would weaken p) */
		if (vn == 3 && memcmp(v, "100", 3) == 0)
			report(st, DIAG_DMARC_DEPRECATED_TAG, ns, tn,
			    "pct=100 is the old default (the whole policy "
			    "applies): drop the tag, RFC 9989 removed pct");
		else
			report(st, DIAG_DMARC_DEPRECATED_TAG, ns, tn,
			    "pct= was removed in RFC 9989; use t=y for "
			    "testing");
		if (!parse_uint(v, vn, 3, 100))
			report(st, DIAG_DMARC_INVALID_VALUE, vs, vn,
			    "pct= must be a whole number from 0 to 100");
		return;
	case T_RI:
		report(st, DIAG_DMARC_DEPRECATED_TAG, ns, tn,
		    "ri= was removed in RFC 9989 (reports are daily)");
		if (!parse_uint(v, vn, 10, 4294967295UL))
			report(st, DIAG_DMARC_INVALID_VALUE, vs, vn,
			    "ri= must be a number of seconds");
		return;
	case T_RF:
		report(st, DIAG_DMARC_DEPRECATED_TAG, ns, tn,
		    "rf= was removed in RFC 9989");
		if (!valid_rf(p, vs, ve))
			report(st, DIAG_DMARC_INVALID_VALUE, vs, vn,
			    "rf= must be a ':'-separated list of formats "
			    "(afrf)");
		return;
	default:	/* T_V cannot be first-seen here: the version set it */
		return;
	}
}

/* Report a syntax error over [off, end), at least one byte. */
static void
syntax_bad(struct pstate *st, size_t off, size_t end, const char *why)
{
	st->rec->syntax_ok = false;
	report(st, DIAG_DMARC_SYNTAX, off, end > off ? end - off : 1, "%s",
	    why);
}

bool
dmarc_parse(const char *p, size_t len, struct dmarc_record *rec,
    struct diag_sink *sink, const struct diag *ctx)
{
	struct pstate st = { p, len, rec, sink, ctx, 0 };
	struct tl_item it;
	enum tl_step step;
	size_t i, j, ns, ne, vs, ve;

	memset(rec, 0, sizeof(*rec));
	if ((i = tl_version_end(p, len, "DMARC1")) == 0) {
		report(&st, DIAG_DMARC_SYNTAX, 0, tl_find_char(p, len, 0, ';'),
		    "a DMARC record must begin with v=DMARC1 (case-sensitive)");
		return false;
	}
	rec->syntax_ok = true;
	st.seen = 1u << T_V;
	while ((step = tl_next(p, len, &i, &it)) != TL_END) {
		if (step == TL_JUNK) {
			syntax_bad(&st, it.off, it.raw_end,
			    "expected ';' between tags");
			continue;
		}
		if (it.off == it.end) {
			syntax_bad(&st, it.off, it.off,
			    "empty tag between two ';'");
			continue;
		}
		if (!tl_is(p[it.off], TL_ALPHA)) {
			syntax_bad(&st, it.off, it.raw_end, "a tag name must "
			    "start with a letter");
			continue;
		}
		ns = j = it.off;
		while (j < it.raw_end && tl_is(p[j], TL_TNAME))
			j++;
		ne = j;
		j = tl_skip_wsp(p, it.raw_end, j);
		if (j >= it.raw_end || p[j] != '=') {
			syntax_bad(&st, ns, it.raw_end, "expected tag=value");
			continue;
		}
		/* The value's own bounds, not it.end: an all-WSP value
		 * stays an empty span at the ';' */
		vs = tl_skip_wsp(p, it.raw_end, j + 1);
		ve = it.raw_end;
		while (ve > vs && tl_is(p[ve - 1], TL_WSP))
			ve--;
		for (j = vs; j < ve; j++)
			if (!tl_is(p[j], TL_TVAL | TL_WSP))
				break;
		if (j < ve) {
			rec->syntax_ok = false;
			report(&st, DIAG_DMARC_SYNTAX, j, 1,
			    "byte 0x%02x is not allowed in a tag value",
			    (unsigned)(unsigned char)p[j]);
			continue;
		}
		take_tag(&st, ns, ne, vs, ve);
	}
	return true;
}

void
dmarc_effective(const struct dmarc_record *rec, struct dmarc_effective *out)
{
	out->p = rec->p != DMARC_POLICY_UNSET ? rec->p : DMARC_POLICY_NONE;
	out->sp = rec->sp != DMARC_POLICY_UNSET ? rec->sp : out->p;
	out->np = rec->np != DMARC_POLICY_UNSET ? rec->np : out->sp;
	out->adkim = rec->adkim ? rec->adkim : 'r';
	out->aspf = rec->aspf ? rec->aspf : 'r';
	out->t = rec->t ? rec->t : 'n';
	out->psd = rec->psd ? rec->psd : 'u';
	out->fo = rec->fo ? rec->fo : DMARC_FO_0;
}

const char *
dmarc_policy_name(enum dmarc_policy p)
{
	switch (p) {
	case DMARC_POLICY_NONE:		return "none";
	case DMARC_POLICY_QUARANTINE:	return "quarantine";
	case DMARC_POLICY_REJECT:	return "reject";
	default:			return "-";
	}
}

/* A finding about the record in ctx, with or without a span. */
static void
lint_report(struct diag_sink *sink, const struct diag *ctx, enum diag_id id,
    const struct diag_span *span, const char *msg)
{
	struct diag d;

	if (ctx != NULL)
		d = *ctx;
	else
		memset(&d, 0, sizeof(d));
	d.id = id;
	d.message = msg;
	d.has_span = span != NULL && d.record != NULL;
	if (d.has_span)
		d.span = *span;
	diag_report(sink, &d);
}

void
dmarc_lint(const struct dmarc_record *rec, struct diag_sink *sink,
    const struct diag *ctx)
{
	struct dmarc_effective e;
	char msg[256];

	dmarc_effective(rec, &e);
	if (rec->p == DMARC_POLICY_NONE) {
		struct diag d;
		char *fix = NULL;

		if (ctx != NULL)
			d = *ctx;
		else
			memset(&d, 0, sizeof(d));
		/* The next step of the rollout, as the record to publish. */
		if (d.record != NULL && rec->p_span.off + rec->p_span.len <=
		    d.record_len && memchr(d.record, '\0', d.record_len) ==
		    NULL) {
			struct buf b;

			buf_init(&b, BUF_MAX_TEXT);
			buf_adds(&b, rec->has_rua ? "once the rua reports "
			    "show your mail passing, publish: " : "add rua= "
			    "to receive reports; once they show your mail "
			    "passing, publish: ");
			buf_add(&b, d.record, rec->p_span.off);
			buf_adds(&b, "quarantine");
			buf_add(&b, d.record + rec->p_span.off +
			    rec->p_span.len, d.record_len - rec->p_span.off -
			    rec->p_span.len);
			fix = b.err ? NULL : buf_take(&b);
			if (b.oom)
				sink->oom = true;
			buf_free(&b);
		}
		d.fix = fix;
		lint_report(sink, &d, DIAG_DMARC_POLICY_NONE, &rec->p_span,
		    "p=none: monitoring only, spoofed mail is still "
		    "delivered");
		free(fix);
	} else if (rec->p == DMARC_POLICY_UNSET)
		lint_report(sink, ctx, DIAG_DMARC_POLICY_NONE, NULL,
		    "no valid p= tag: the policy is treated as none");
	if (rec->sp != DMARC_POLICY_UNSET && rec->sp < e.p) {
		snprintf(msg, sizeof(msg), "sp=%s is weaker than p=%s: "
		    "subdomains are less protected than the domain",
		    dmarc_policy_name(rec->sp), dmarc_policy_name(e.p));
		lint_report(sink, ctx, DIAG_DMARC_SUBDOMAIN_WEAKER,
		    &rec->sp_span, msg);
	}
	if (rec->np != DMARC_POLICY_UNSET && rec->np < e.p) {
		snprintf(msg, sizeof(msg), "np=%s is weaker than p=%s: "
		    "non-existent subdomains are less protected",
		    dmarc_policy_name(rec->np), dmarc_policy_name(e.p));
		lint_report(sink, ctx, DIAG_DMARC_SUBDOMAIN_WEAKER,
		    &rec->np_span, msg);
	}
	if (rec->t == 'y') {
		snprintf(msg, sizeof(msg), "t=y: receivers apply the policy "
		    "one level lower (p=%s acts as %s)",
		    dmarc_policy_name(e.p), e.p == DMARC_POLICY_REJECT ?
		    "quarantine" : "none");
		lint_report(sink, ctx, DIAG_DMARC_TESTING, &rec->t_span, msg);
	}
	if (!rec->has_rua) {
		struct diag d;
		struct buf b;

		if (ctx != NULL)
			d = *ctx;
		else
			memset(&d, 0, sizeof(d));
		/* The record with a report address at the domain itself,
		 * which needs no authorisation record (RFC 9990). */
		buf_init(&b, BUF_MAX_TEXT);
		if (d.record != NULL && d.domain != NULL &&
		    strncmp(d.domain, "_dmarc.", 7) == 0 && d.domain[7] != '\0' &&
		    memchr(d.record, '\0', d.record_len) == NULL) {
			size_t n = d.record_len;

			while (n > 0 && (d.record[n - 1] == ' ' ||
			    d.record[n - 1] == '\t' || d.record[n - 1] == ';'))
				n--;
			buf_adds(&b, "publish: ");
			buf_add(&b, d.record, n);
			buf_printf(&b, "; rua=mailto:dmarc-reports@%s  (an "
			    "address that exists, or a report service's)",
			    d.domain + 7);
			d.fix = b.err ? NULL : buf_str(&b);
			if (b.oom)
				sink->oom = true;
		}
		lint_report(sink, &d, DIAG_DMARC_RUA_MISSING, NULL,
		    "no rua= tag: nobody receives aggregate reports");
		buf_free(&b);
	}
}
