/*
 * spf_parse.c -- SPF record text to terms (RFC 7208 §4.6.1, §5, §6, §12).
 *
 * The parser reports every problem with its byte span and keeps going:
 * after an error in a term it resumes at the next space, so a linter can
 * show all of them at once.  Terms whose kind is known are kept even when
 * their argument is bad; a record with nerrs > 0 is a permerror (§4.6) and
 * must not be evaluated.  Input is (p, len): NUL bytes are data (and an
 * error), nothing is read past len.
 */
#include "ascii.h"
#include "spf.h"

#include <stdlib.h>
#include <string.h>

enum {
	P_ALPHA = 1,
	P_DIGIT = 2,
	P_NAME = 4,	/* modifier name chars: ALPHA DIGIT - _ . */
	P_BAD = 8	/* control or non-ASCII: §3.1 wants US-ASCII */
};

static const unsigned char pcls[256] = {
	8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8,
	8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 0,
	6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 0, 0, 0, 0, 0, 0,
	0, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
	5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 0, 0, 0, 0, 4,
	0, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,
	5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 0, 0, 0, 0, 8,
	8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8,
	8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8,
	8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8,
	8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8,
	8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8,
	8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8,
	8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8,
	8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8,
};

static const char *const err_str[SPF_E__COUNT] = {
	[SPF_E_NONE] = "no error",
	[SPF_E_VERSION] = "record does not begin with \"v=spf1\" and a space",
	[SPF_E_NON_ASCII] = "non-ASCII or control character",
	[SPF_E_UNKNOWN_MECH] = "unknown mechanism",
	[SPF_E_BAD_QUALIFIER] = "misplaced or repeated qualifier",
	[SPF_E_MISSING_ARG] = "missing argument",
	[SPF_E_UNEXPECTED_ARG] = "unexpected argument",
	[SPF_E_BAD_IP4] = "invalid IPv4 address",
	[SPF_E_BAD_IP6] = "invalid IPv6 address",
	[SPF_E_BAD_CIDR] = "invalid CIDR length",
	[SPF_E_BAD_MACRO] = "invalid macro",
	[SPF_E_MACRO_LETTER] = "macro letter allowed only in exp text",
	[SPF_E_BAD_DOMAIN] = "invalid domain-spec (no valid top label)",
	[SPF_E_BAD_MODIFIER] = "invalid modifier",
	[SPF_E_EMPTY_EXP] = "empty exp= modifier",
	[SPF_E_DUP_MODIFIER] = "modifier given more than once",
};

static const char *const mech_names[] = {
	[SPF_M_ALL] = "all",
	[SPF_M_INCLUDE] = "include",
	[SPF_M_A] = "a",
	[SPF_M_MX] = "mx",
	[SPF_M_PTR] = "ptr",
	[SPF_M_IP4] = "ip4",
	[SPF_M_IP6] = "ip6",
	[SPF_M_EXISTS] = "exists",
};

const char *
spf_err_str(enum spf_err e)
{
	if ((unsigned)e >= SPF_E__COUNT || err_str[e] == NULL)
		return "unknown error";
	return err_str[e];
}

const char *
spf_mech_name(enum spf_mech m)
{
	if ((unsigned)m >= sizeof(mech_names) / sizeof(mech_names[0]))
		return "?";
	return mech_names[m];
}


/* Case-insensitive comparison of p[0..n) with the lower-case word w. */
static bool
word_eq(const char *p, size_t n, const char *w)
{
	size_t i;

	if (strlen(w) != n)
		return false;
	for (i = 0; i < n; i++)
		if (ascii_lower(p[i]) != w[i])
			return false;
	return true;
}

bool
spf_is_record(const char *p, size_t len)
{
	if (p == NULL || len < 6 || !word_eq(p, 6, "v=spf1"))
		return false;
	return len == 6 || p[6] == ' ';
}

/* ---- parser state ----------------------------------------------------- */

struct parser {
	struct spf_record *rec;
	const char *p;
	size_t maxerrs, caperrs;
	bool oom;
};

static void
add_err(struct parser *ps, enum spf_err code, size_t off, size_t len)
{
	struct spf_record *rec = ps->rec;
	struct spf_error *n;
	size_t cap;

	if (ps->oom || rec->nerrs >= ps->maxerrs)
		return;		/* past the cap: the first ones tell the story */
	if (rec->nerrs == ps->caperrs) {
		cap = ps->caperrs ? ps->caperrs * 2 : 8;
		if (cap > ps->maxerrs)
			cap = ps->maxerrs;
		n = realloc(rec->errs, cap * sizeof(*n));
		if (n == NULL) {
			ps->oom = true;
			return;
		}
		rec->errs = n;
		ps->caperrs = cap;
	}
	rec->errs[rec->nerrs].code = code;
	rec->errs[rec->nerrs].span.off = off;
	rec->errs[rec->nerrs].span.len = len;
	rec->nerrs++;
}

/* ---- pieces of the grammar ------------------------------------------- */

/* ip4-cidr-length / ip6-cidr-length: "0" or no leading zero, <= max. */
static bool
cidr_len(const char *s, size_t n, int max, int *out)
{
	int v = 0;
	size_t i;

	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return false;
	for (i = 0; i < n; i++) {
		if (!(pcls[(unsigned char)s[i]] & P_DIGIT))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

/* dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ], on
 * p[a..b) which begins with '/'. */
static void
parse_dual_cidr(struct parser *ps, struct spf_term *t, size_t a, size_t b)
{
	const char *p = ps->p;
	size_t i = a, j;

	if (b - i >= 2 && p[i + 1] != '/') {
		for (j = i + 1; j < b && p[j] != '/'; j++)
			;
		if (!cidr_len(p + i + 1, j - i - 1, 32, &t->cidr4))
			add_err(ps, SPF_E_BAD_CIDR, i, j - i);
		i = j;
	}
	if (i >= b)
		return;
	if (b - i < 2 || p[i + 1] != '/' ||
	    !cidr_len(p + i + 2, b - i - 2, 128, &t->cidr6))
		add_err(ps, SPF_E_BAD_CIDR, i, b - i);
}

/* Where a CIDR suffix begins in p[a..b): the first '/' of the trailing run
 * of digits and slashes, or b.  "foo:bar/baz.example.com" has none (the
 * suite passes it as a domain), "foo.com/24/64" has "/24/64" (bad). */
static size_t
cidr_suffix(const char *p, size_t a, size_t b)
{
	size_t k = b;

	while (k > a && ((pcls[(unsigned char)p[k - 1]] & P_DIGIT) ||
	    p[k - 1] == '/'))
		k--;
	while (k < b && p[k] != '/')
		k++;
	return k;
}

/* Length of the bad macro at p[off..b): "%x" or "%{...}" up to the '}'. */
static size_t
macro_span(const char *p, size_t off, size_t b)
{
	size_t j;

	if (off + 1 < b && p[off] == '%' && p[off + 1] == '{') {
		for (j = off + 2; j < b; j++)
			if (p[j] == '}')
				return j + 1 - off;
		return b - off;
	}
	return off + 2 <= b && p[off] == '%' ? 2 : 1;
}

/* Report every bad macro in p[a..b); true when there was none. */
static bool
check_macros(struct parser *ps, size_t a, size_t b, enum spf_macro_mode mode)
{
	const char *p = ps->p;
	size_t pos = a, off, off2;
	enum spf_err code;
	bool ok = true;

	while (pos < b) {
		if (spf_macro_check(p + pos, b - pos, mode, &off) == SPF_MACRO_OK)
			break;
		/* Where the explain mode gets further, the only fault was a
		 * c, r or t letter outside exp text. */
		code = SPF_E_BAD_MACRO;
		if (mode == SPF_MACRO_DOMAIN &&
		    (spf_macro_check(p + pos, b - pos, SPF_MACRO_EXPLAIN,
		    &off2) == SPF_MACRO_OK || off2 != off))
			code = SPF_E_MACRO_LETTER;
		add_err(ps, code, pos + off, macro_span(p, pos + off, b));
		ok = false;
		pos += off + 1;
	}
	return ok;
}

/* toplabel = ( *alphanum ALPHA *alphanum ) /
 *            ( 1*alphanum "-" *( alphanum / "-" ) alphanum ) */
static bool
toplabel_ok(const char *s, size_t n)
{
	bool alpha = false, dash = false;
	size_t i;
	unsigned char c;

	if (n == 0 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (pcls[c] & P_ALPHA)
			alpha = true;
		else if (c == '-')
			dash = true;
		else if (!(pcls[c] & P_DIGIT))
			return false;
	}
	return alpha || dash;
}

/* domain-spec = macro-string domain-end (§7.1), on p[a..b), non-empty. */
static void
check_domain_spec(struct parser *ps, size_t a, size_t b)
{
	const char *p = ps->p;
	size_t i = a, tail = a, e, dot;
	bool macro_last = false;

	if (!check_macros(ps, a, b, SPF_MACRO_DOMAIN))
		return;		/* the macro errors say enough */
	/* Find where the last macro-expand ends; the syntax is valid. */
	while (i < b) {
		if (p[i] != '%') {
			i++;
			macro_last = false;
			continue;
		}
		if (p[i + 1] == '{') {
			while (p[i] != '}')
				i++;
		} else {
			i++;
		}
		i++;
		tail = i;
		macro_last = true;
	}
	if (macro_last)
		return;		/* domain-end = macro-expand */
	/* domain-end = "." toplabel [ "." ], within the literal tail */
	e = b;
	if (e > tail && p[e - 1] == '.')
		e--;
	for (dot = e; dot > tail && p[dot - 1] != '.'; dot--)
		;
	if (dot == tail || !toplabel_ok(p + dot, e - dot))
		add_err(ps, SPF_E_BAD_DOMAIN, a, b - a);
}

/* ":domain-spec" with an optional CIDR suffix, on p[a..b) starting after
 * the mechanism name.  Fills the term; `cidr` says whether one is allowed. */
static void
parse_domain_arg(struct parser *ps, struct spf_term *t, size_t s, size_t a,
    size_t b, bool cidr)
{
	size_t c;

	if (a < b && ps->p[a] == ':') {
		c = cidr_suffix(ps->p, a + 1, b);
		if (c == a + 1) {
			add_err(ps, SPF_E_MISSING_ARG, s, b - s);
		} else {
			t->has_domain = true;
			t->domain.off = a + 1;
			t->domain.len = c - a - 1;
			check_domain_spec(ps, a + 1, c);
		}
	} else {
		c = a;
	}
	if (c >= b)
		return;
	if (cidr)
		parse_dual_cidr(ps, t, c, b);
	else
		add_err(ps, SPF_E_UNEXPECTED_ARG, c, b - c);
}

/* ip4:addr[/len] or ip6:addr[/len] on p[a..b), after the name. */
static void
parse_ip_arg(struct parser *ps, struct spf_term *t, size_t s, size_t a,
    size_t b, int family)
{
	const char *p = ps->p;
	size_t slash;
	int *len = family == 4 ? &t->cidr4 : &t->cidr6;

	if (a >= b || p[a] != ':' || a + 1 == b || p[a + 1] == '/') {
		add_err(ps, SPF_E_MISSING_ARG, s, b - s);
		return;
	}
	for (slash = a + 1; slash < b && p[slash] != '/'; slash++)
		;
	if (!ip_parse_family(p + a + 1, slash - a - 1, family, &t->addr))
		add_err(ps, family == 4 ? SPF_E_BAD_IP4 : SPF_E_BAD_IP6,
		    a + 1, slash - a - 1);
	if (slash < b && !cidr_len(p + slash + 1, b - slash - 1,
	    family == 4 ? 32 : 128, len))
		add_err(ps, SPF_E_BAD_CIDR, slash, b - slash);
}

static void
parse_modifier(struct parser *ps, struct spf_term *t, size_t s, size_t q,
    size_t eq, size_t e)
{
	struct spf_record *rec = ps->rec;
	int idx = (int)rec->nterms;
	int *slot = NULL;

	t->kind = SPF_T_MOD;
	t->name.off = q;
	t->name.len = eq - q;
	t->value.off = eq + 1;
	t->value.len = e - eq - 1;
	if (word_eq(ps->p + q, eq - q, "redirect")) {
		t->mod = SPF_MOD_REDIRECT;
		slot = &rec->redirect;
	} else if (word_eq(ps->p + q, eq - q, "exp")) {
		t->mod = SPF_MOD_EXP;
		slot = &rec->exp;
	} else {
		t->mod = SPF_MOD_OTHER;
	}
	if (slot != NULL && *slot >= 0)
		add_err(ps, SPF_E_DUP_MODIFIER, s, e - s);
	else if (slot != NULL)
		*slot = idx;
	if (t->mod == SPF_MOD_OTHER) {
		/* Never expanded, so only the syntax matters; any letter. */
		check_macros(ps, eq + 1, e, SPF_MACRO_EXPLAIN);
	} else if (eq + 1 == e) {
		add_err(ps, t->mod == SPF_MOD_EXP ? SPF_E_EMPTY_EXP :
		    SPF_E_MISSING_ARG, s, e - s);
	} else {
		t->has_domain = true;
		t->domain = t->value;
		check_domain_spec(ps, eq + 1, e);
	}
}

/* Report control and non-ASCII bytes in p[a..b), one error per run;
 * true when there was any. */
static bool
report_bad_bytes(struct parser *ps, size_t a, size_t b)
{
	const char *p = ps->p;
	size_t i, k;
	bool bad = false;

	for (i = a; i < b; i = k) {
		if (!(pcls[(unsigned char)p[i]] & P_BAD)) {
			k = i + 1;
			continue;
		}
		for (k = i; k < b && (pcls[(unsigned char)p[k]] & P_BAD); k++)
			;
		add_err(ps, SPF_E_NON_ASCII, i, k - i);
		bad = true;
	}
	return bad;
}

/* One term p[s..e): no spaces inside. */
static void
parse_term(struct parser *ps, size_t s, size_t e)
{
	static const enum spf_mech mechs[] = {
		SPF_M_ALL, SPF_M_INCLUDE, SPF_M_A, SPF_M_MX, SPF_M_PTR,
		SPF_M_IP4, SPF_M_IP6, SPF_M_EXISTS
	};
	const char *p = ps->p;
	struct spf_record *rec = ps->rec;
	struct spf_term t;
	size_t q = s, n, i;
	bool found = false;

	/* A term with control or non-ASCII bytes is not interpreted further:
	 * that would only add noise. */
	if (report_bad_bytes(ps, s, e))
		return;

	memset(&t, 0, sizeof(t));
	t.span.off = s;
	t.span.len = e - s;
	t.cidr4 = t.cidr6 = -1;
	t.qual = '+';
	while (q < e && strchr("+-~?", p[q]) != NULL && p[q] != '\0')
		q++;
	for (n = q; n < e && (pcls[(unsigned char)p[n]] & P_NAME); n++)
		;

	if (n < e && p[n] == '=') {
		if (q > s)
			add_err(ps, SPF_E_BAD_QUALIFIER, s, q - s);
		if (n == q || !(pcls[(unsigned char)p[q]] & P_ALPHA)) {
			add_err(ps, SPF_E_BAD_MODIFIER, s, e - s);
			return;
		}
		parse_modifier(ps, &t, s, q, n, e);
		rec->terms[rec->nterms++] = t;
		return;
	}

	if (q > s) {
		t.qual = p[s];
		if (q - s > 1)
			add_err(ps, SPF_E_BAD_QUALIFIER, s, q - s);
	}
	for (i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++) {
		if (word_eq(p + q, n - q, mech_names[mechs[i]])) {
			t.mech = mechs[i];
			found = true;
			break;
		}
	}
	if (!found || (n < e && p[n] != ':' && p[n] != '/')) {
		add_err(ps, SPF_E_UNKNOWN_MECH, s, e - s);
		return;
	}
	t.kind = SPF_T_MECH;
	switch (t.mech) {
	case SPF_M_ALL:
		if (n < e)
			add_err(ps, SPF_E_UNEXPECTED_ARG, n, e - n);
		if (rec->all < 0)
			rec->all = (int)rec->nterms;
		break;
	case SPF_M_INCLUDE:
	case SPF_M_EXISTS:
		if (n == e || p[n] != ':')
			add_err(ps, SPF_E_MISSING_ARG, s, e - s);
		else
			parse_domain_arg(ps, &t, s, n, e, false);
		break;
	case SPF_M_PTR:
		parse_domain_arg(ps, &t, s, n, e, false);
		break;
	case SPF_M_A:
	case SPF_M_MX:
		parse_domain_arg(ps, &t, s, n, e, true);
		break;
	case SPF_M_IP4:
		parse_ip_arg(ps, &t, s, n, e, 4);
		break;
	case SPF_M_IP6:
		parse_ip_arg(ps, &t, s, n, e, 6);
		break;
	}
	rec->terms[rec->nterms++] = t;
}

void
spf_record_free(struct spf_record *rec)
{
	if (rec == NULL)
		return;
	free(rec->text);
	free(rec->terms);
	free(rec->errs);
	free(rec);
}

struct spf_record *
spf_parse(const char *p, size_t len)
{
	struct spf_record *rec;
	struct parser ps;
	size_t i, s, ntok = 0;

	if (p == NULL)
		len = 0;
	rec = calloc(1, sizeof(*rec));
	if (rec == NULL)
		return NULL;
	rec->redirect = rec->exp = rec->all = -1;
	rec->text = malloc(len + 1);
	if (rec->text == NULL)
		goto oom;
	if (len > 0)
		memcpy(rec->text, p, len);
	rec->text[len] = '\0';
	rec->len = len;
	p = rec->text;

	/* One term per space-separated token at most: allocation is
	 * bounded by the record length. */
	for (i = 0; i < len; i++)
		if (p[i] != ' ' && (i == 0 || p[i - 1] == ' '))
			ntok++;
	if (ntok > 0) {
		rec->terms = calloc(ntok, sizeof(*rec->terms));
		if (rec->terms == NULL)
			goto oom;
	}
	memset(&ps, 0, sizeof(ps));
	ps.rec = rec;
	ps.p = p;
	ps.maxerrs = 2 * len + 8;

	if (spf_is_record(p, len)) {
		i = 6;
	} else {
		/* Skip the first token, whatever it is: it is not a term. */
		for (i = 0; i < len && p[i] == ' '; i++)
			;
		while (i < len && p[i] != ' ')
			i++;
		add_err(&ps, SPF_E_VERSION, 0, i);
		report_bad_bytes(&ps, 0, i);
	}
	for (;;) {
		while (i < len && p[i] == ' ')
			i++;
		if (i >= len)
			break;
		s = i;
		while (i < len && p[i] != ' ')
			i++;
		parse_term(&ps, s, i);
	}
	if (ps.oom)
		goto oom;
	return rec;
oom:
	spf_record_free(rec);
	return NULL;
}
