/*
 * dkim.c -- DKIM key records: tag-list parser (RFC 6376 §3.2), record
 * lint (§3.6.1, RFC 8301, RFC 8463) and the selector lookup (§3.6.2).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "crypto.h"
#include "diag.h"
#include "dkim.h"
#include "dns.h"
#include "dns_failure.h"
#include "dns_txt.h"
#include "taglist.h"
#include "wildcard.h"

static const char tag_names[DKIM_TAG__COUNT] = {
	[DKIM_TAG_V] = 'v', [DKIM_TAG_H] = 'h', [DKIM_TAG_K] = 'k',
	[DKIM_TAG_N] = 'n', [DKIM_TAG_P] = 'p', [DKIM_TAG_S] = 's',
	[DKIM_TAG_T] = 't',
};

/* Report `id` at p[off..off+n) of the record in ctx. */
static void
report_at(struct diag_sink *sink, const struct diag *ctx, enum diag_id id,
    size_t off, size_t n, const char *msg)
{
	struct diag d;

	memset(&d, 0, sizeof(d));
	if (ctx != NULL)
		d = *ctx;
	d.has_span = true;
	d.span.off = off;
	d.span.len = n;
	diag_reportf(sink, id, &d, "%s", msg);
}

static bool
span_eq(const char *p, struct diag_span s, const char *lit)
{
	size_t n = strlen(lit);

	return s.len == n && memcmp(p + s.off, lit, n) == 0;
}

static size_t
skip_ws(const char *p, size_t len, size_t i)
{
	while (i < len && tl_is(p[i], TL_FWS))
		i++;
	return i;
}

void
dkim_parse(const char *p, size_t len, struct dkim_record *rec,
    struct diag_sink *sink, const struct diag *ctx)
{
	size_t i = 0;
	bool ok = true;

	memset(rec, 0, sizeof(*rec));

	i = skip_ws(p, len, 0);
	while (i < len) {
		struct diag_span name, value;
		size_t end;
		int k;

		/* tag-name = ALPHA *ALNUMPUNC */
		name.off = i;
		if (!tl_is(p[i], TL_ALPHA)) {
			report_at(sink, ctx, DIAG_DKIM_SYNTAX, i, 1, p[i] == ';' ?
			    "empty tag (two semicolons in a row)" :
			    "a tag name must start with a letter");
			ok = false;
			break;
		}
		while (i < len && tl_is(p[i], TL_TNAME))
			i++;
		name.len = i - name.off;
		i = skip_ws(p, len, i);
		if (i >= len || p[i] != '=') {
			report_at(sink, ctx, DIAG_DKIM_SYNTAX, i < len ? i :
			    name.off, i < len ? 1 : name.len,
			    "expected '=' after the tag name");
			ok = false;
			break;
		}
		i = skip_ws(p, len, i + 1);

		/* tag-value: VALCHARs with whitespace inside, up to ';'. */
		value.off = i;
		end = i;
		while (i < len && p[i] != ';') {
			if (!tl_is(p[i], TL_TVAL | TL_FWS)) {
				report_at(sink, ctx, DIAG_DKIM_SYNTAX, i, 1,
				    "a byte that is not allowed in a tag "
				    "value (control or non-ASCII)");
				ok = false;
			}
			if (!tl_is(p[i], TL_FWS))
				end = i + 1;
			i++;
		}
		value.len = end - value.off;

		k = -1;
		if (name.len == 1)
			for (int t = 0; t < DKIM_TAG__COUNT; t++)
				if (p[name.off] == tag_names[t])
					k = t;
		if (k >= 0) {
			struct dkim_tagpos *tp = &rec->tag[k];

			if (tp->present) {
				/* §3.2: a duplicated tag invalidates the
				 * whole record. */
				report_at(sink, ctx, DIAG_DKIM_SYNTAX,
				    name.off, name.len, "duplicate tag: "
				    "the record is invalid");
				ok = false;
			} else {
				tp->present = true;
				tp->index = rec->ntags;
				tp->name = name;
				tp->value = value;
			}
		}
		rec->ntags++;

		if (i < len) {		/* at ';' */
			i = skip_ws(p, len, i + 1);
			/* One trailing ';' is allowed, an empty tag-spec
			 * in the middle is not (caught at the loop top). */
		}
	}

	if (ok && rec->tag[DKIM_TAG_V].present) {
		const struct dkim_tagpos *v = &rec->tag[DKIM_TAG_V];

		if (v->index != 0) {
			report_at(sink, ctx, DIAG_DKIM_SYNTAX, v->name.off,
			    v->name.len, "v= must be the first tag");
			ok = false;
		} else if (!span_eq(p, v->value, "DKIM1")) {
			report_at(sink, ctx, DIAG_DKIM_SYNTAX, v->value.off,
			    v->value.len, "v= must be exactly DKIM1");
			ok = false;
		}
	}
	if (ok && !rec->tag[DKIM_TAG_P].present) {
		report_at(sink, ctx, DIAG_DKIM_SYNTAX, 0, len,
		    "the required p= tag is missing");
		ok = false;
	}
	rec->syntax_ok = ok;
}

/* Call fn for each colon-separated item of the value (whitespace around
 * the colons trimmed).  Returns false at an empty item. */
typedef void list_fn(void *arg, const char *p, struct diag_span item);

static bool
each_item(const char *p, struct diag_span v, list_fn *fn, void *arg)
{
	size_t i = v.off, end = v.off + v.len;

	for (;;) {
		struct diag_span it;
		size_t last;

		i = skip_ws(p, end, i);
		it.off = i;
		while (i < end && p[i] != ':')
			i++;
		last = i;
		while (last > it.off && tl_is(p[last - 1], TL_FWS))
			last--;
		it.len = last - it.off;
		if (it.len == 0)
			return false;
		fn(arg, p, it);
		if (i >= end)
			return true;
		i++;
	}
}

struct h_seen {
	bool sha1, sha256;
};

static void
h_item(void *arg, const char *p, struct diag_span it)
{
	struct h_seen *h = arg;

	if (span_eq(p, it, "sha1"))
		h->sha1 = true;
	else if (span_eq(p, it, "sha256"))
		h->sha256 = true;
}

static void
s_item(void *arg, const char *p, struct diag_span it)
{
	bool *email = arg;

	if (span_eq(p, it, "email") || span_eq(p, it, "*"))
		*email = true;
}

static void
t_item(void *arg, const char *p, struct diag_span it)
{
	bool *testing = arg;

	if (span_eq(p, it, "y"))
		*testing = true;
}

static void
lint_lists(const char *p, const struct dkim_record *rec,
    struct dkim_key *key, struct diag_sink *sink, const struct diag *ctx)
{
	const struct dkim_tagpos *h = &rec->tag[DKIM_TAG_H];
	const struct dkim_tagpos *s = &rec->tag[DKIM_TAG_S];
	const struct dkim_tagpos *t = &rec->tag[DKIM_TAG_T];

	if (h->present) {
		struct h_seen seen = { false, false };

		if (!each_item(p, h->value, h_item, &seen))
			report_at(sink, ctx, DIAG_DKIM_SYNTAX, h->value.off,
			    h->value.len, "empty hash algorithm in h=");
		else if (!seen.sha256)
			/* RFC 8301 §3.1: sha1 must not be used, so a key
			 * without sha256 is unusable. */
			report_at(sink, ctx, DIAG_DKIM_SHA1_ONLY, h->value.off,
			    h->value.len, seen.sha1 ?
			    "h= allows only sha1, which verifiers must "
			    "reject (RFC 8301)" :
			    "h= lists no hash algorithm verifiers accept "
			    "(sha256)");
	}
	if (s->present) {
		bool email = false;

		if (!each_item(p, s->value, s_item, &email))
			report_at(sink, ctx, DIAG_DKIM_SYNTAX, s->value.off,
			    s->value.len, "empty service type in s=");
		else if (!email)
			report_at(sink, ctx, DIAG_DKIM_SERVICE_NOT_EMAIL,
			    s->value.off, s->value.len,
			    "s= does not include email or *: the key may "
			    "not be used for mail");
	}
	if (t->present) {
		if (!each_item(p, t->value, t_item, &key->testing))
			report_at(sink, ctx, DIAG_DKIM_SYNTAX, t->value.off,
			    t->value.len, "empty flag in t=");
		else if (key->testing)
			report_at(sink, ctx, DIAG_DKIM_TESTING, t->value.off,
			    t->value.len, "t=y: the domain is testing DKIM; "
			    "verifiers may treat signatures as unsigned");
	}
}

/* Judge the decoded RSA key. */
static void
lint_rsa(const unsigned char *der, size_t n, struct dkim_key *key,
    struct diag_span pv, struct diag_sink *sink, const struct diag *ctx)
{
	struct crypto_key_info ki;
	struct buf m;

	buf_init(&m, BUF_MAX_LINE);
	if (!crypto_parse_der_key(der, n, &ki)) {
		buf_printf(&m, "p= decodes to %zu bytes that are not an RSA "
		    "public key", n);
		if (crypto_is_ed25519_spki(der, n))
			buf_adds(&m, " (it is an Ed25519 key: set k=ed25519 "
			    "and publish the raw 32 bytes)");
		else if (n == 32)
			buf_adds(&m, " (32 bytes: an Ed25519 key? set "
			    "k=ed25519)");
		report_at(sink, ctx, DIAG_DKIM_INVALID_KEY, pv.off, pv.len,
		    buf_str(&m));
		goto out;
	}
	if (ki.type != CRYPTO_KEY_RSA) {
		buf_printf(&m, "p= holds an %s key but k= says rsa", ki.algo);
		if (ki.type == CRYPTO_KEY_ED25519)
			buf_adds(&m, " (and Ed25519 keys are published raw, "
			    "not in SubjectPublicKeyInfo)");
		report_at(sink, ctx, DIAG_DKIM_INVALID_KEY, pv.off, pv.len,
		    buf_str(&m));
		goto out;
	}
	key->decoded = true;
	key->bits = ki.bits;
	if (ki.form == CRYPTO_FORM_PKCS1) {
		key->pkcs1 = true;
		report_at(sink, ctx, DIAG_DKIM_PKCS1_KEY, pv.off, pv.len,
		    "the RSA key is a bare RSAPublicKey; some verifiers only "
		    "accept SubjectPublicKeyInfo");
	}
	if (ki.bits < 1024) {
		buf_printf(&m, "RSA key of %u bits: verifiers must not accept "
		    "keys under 1024 bits", ki.bits);
		report_at(sink, ctx, DIAG_DKIM_WEAK_KEY, pv.off, pv.len,
		    buf_str(&m));
	} else if (ki.bits < 2048) {
		buf_printf(&m, "RSA key of %u bits: signers should use 2048 "
		    "bits or more", ki.bits);
		report_at(sink, ctx, DIAG_DKIM_KEY_UNDER_2048, pv.off, pv.len,
		    buf_str(&m));
	}
out:
	buf_free(&m);
}

/* Judge the decoded Ed25519 key: RFC 8463 wants the raw 32 bytes. */
static void
lint_ed25519(const unsigned char *raw, size_t n, struct dkim_key *key,
    struct diag_span pv, struct diag_sink *sink, const struct diag *ctx)
{
	struct crypto_key_info ki;
	struct buf m;

	buf_init(&m, BUF_MAX_LINE);
	if (crypto_is_ed25519_spki(raw, n)) {
		report_at(sink, ctx, DIAG_DKIM_INVALID_KEY, pv.off, pv.len,
		    "the Ed25519 key is wrapped in SubjectPublicKeyInfo; "
		    "RFC 8463 wants the raw 32-byte key (44 base64 "
		    "characters), so this key never verifies");
	} else if (crypto_parse_ed25519_raw(raw, n, &ki)) {
		key->decoded = true;
		key->bits = ki.bits;
	} else if (crypto_parse_der_key(raw, n, &ki)) {
		buf_printf(&m, "p= holds an %s key but k=ed25519", ki.algo);
		report_at(sink, ctx, DIAG_DKIM_INVALID_KEY, pv.off, pv.len,
		    buf_str(&m));
	} else {
		buf_printf(&m, "p= decodes to %zu bytes, not a raw 32-byte "
		    "Ed25519 key", n);
		report_at(sink, ctx, DIAG_DKIM_INVALID_KEY, pv.off, pv.len,
		    buf_str(&m));
	}
	buf_free(&m);
}

static int
lint_key(const char *p, const struct dkim_record *rec, struct dkim_key *key,
    struct diag_sink *sink, const struct diag *ctx)
{
	const struct dkim_tagpos *pt = &rec->tag[DKIM_TAG_P];
	unsigned char *der = NULL;
	size_t n = 0, bad = 0;
	enum crypto_b64_status st;

	if (!pt->present)
		return 0;
	if (pt->value.len == 0) {
		key->revoked = true;
		report_at(sink, ctx, DIAG_DKIM_REVOKED, pt->name.off,
		    pt->name.len, "empty p=: the key is revoked and "
		    "signatures with this selector fail");
		return 0;
	}
	if (key->type == DKIM_KEY_NONE)
		return 0;	/* unknown k=: already reported */
	st = crypto_base64_decode(p + pt->value.off, pt->value.len,
	    CRYPTO_MAX_KEY_SIZE, &der, &n, &bad);
	switch (st) {
	case CRYPTO_B64_OK:
		break;
	case CRYPTO_B64_BAD:
		if (bad < pt->value.len)
			report_at(sink, ctx, DIAG_DKIM_INVALID_KEY,
			    pt->value.off + bad, 1,
			    "p= is not base64: this character is not "
			    "allowed here");
		else
			report_at(sink, ctx, DIAG_DKIM_INVALID_KEY,
			    pt->value.off, pt->value.len,
			    "p= is not base64: the length is not a multiple "
			    "of 4 (truncated or missing '=' padding?)");
		return 0;
	case CRYPTO_B64_TOO_LONG:
		report_at(sink, ctx, DIAG_DKIM_INVALID_KEY, pt->value.off,
		    pt->value.len, "p= is far too long for a public key");
		return 0;
	case CRYPTO_B64_NOMEM:
		return -1;
	}
	if (key->type == DKIM_KEY_RSA)
		lint_rsa(der, n, key, pt->value, sink, ctx);
	else
		lint_ed25519(der, n, key, pt->value, sink, ctx);
	free(der);
	return 0;
}

int
dkim_lint(const char *p, size_t len, struct dkim_key *key,
    struct diag_sink *sink, const struct diag *ctx)
{
	struct dkim_record rec;
	const struct dkim_tagpos *k;

	memset(key, 0, sizeof(*key));
	dkim_parse(p, len, &rec, sink, ctx);

	k = &rec.tag[DKIM_TAG_K];
	key->type = DKIM_KEY_RSA;	/* §3.6.1: the default */
	if (k->present) {
		if (span_eq(p, k->value, "rsa")) {
			key->type = DKIM_KEY_RSA;
		} else if (span_eq(p, k->value, "ed25519")) {
			key->type = DKIM_KEY_ED25519;
		} else {
			key->type = DKIM_KEY_NONE;
			report_at(sink, ctx, DIAG_DKIM_UNKNOWN_KEY_TYPE,
			    k->value.off, k->value.len, "k= is neither rsa "
			    "nor ed25519: verifiers cannot use this key");
		}
	}
	lint_lists(p, &rec, key, sink, ctx);
	return lint_key(p, &rec, key, sink, ctx);
}

const char *
dkim_key_type_name(enum dkim_key_type t)
{
	switch (t) {
	case DKIM_KEY_RSA:	return "rsa";
	case DKIM_KEY_ED25519:	return "ed25519";
	default:		return "unknown";
	}
}

bool
dkim_selector_name(const char *selector, const char *domain, char *out,
    size_t outsize)
{
	size_t sl = strlen(selector), dl = strlen(domain);
	static const char mid[] = "._domainkey.";
	size_t n = sl + (sizeof(mid) - 1) + dl;

	if (sl == 0 || dl == 0 || n >= outsize)
		return false;
	memcpy(out, selector, sl);
	memcpy(out + sl, mid, sizeof(mid) - 1);
	memcpy(out + sl + sizeof(mid) - 1, domain, dl);
	out[n] = '\0';
	return dns_name_valid(out, n);
}

/* ---- lookup ---------------------------------------------------------- */

static bool
failed(enum dns_status s)
{
	return s != DNS_OK && s != DNS_NODATA && s != DNS_NXDOMAIN;
}

static void
report_dns_failure(struct dkim_result *res, const char *name,
    const struct dns_answer *a)
{
	struct diag_sink sink;
	struct diag ctx;

	diag_sink_init(&sink, diag_list_add, &res->area.findings);
	memset(&ctx, 0, sizeof(ctx));
	ctx.domain = name;
	diag_reportf(&sink, DIAG_DNS_FAILURE, &ctx, "TXT %s: %s%s%s", name,
	    dns_status_name(a->status), a->why ? ": " : "",
	    a->why ? a->why : "");
	res->area.incomplete = true;
}

/* One dns.failure for every discovered selector name whose lookup
 * failed: how many, the first one's reason, and the names (cut, never
 * overwritten). */
static void
report_discovery_failures(struct dkim_result *res)
{
	const struct dkim_selector *first = NULL;
	const struct dns_answer *a;
	char names[400] = "", where[300];
	size_t n = 0, at = 0;
	struct diag_sink sink;
	struct diag ctx;

	for (size_t i = 0; i < res->nsel; i++) {
		const struct dkim_selector *s = &res->sel[i];
		int w;

		if (s->source == DKIM_SRC_USER || !failed(s->status))
			continue;
		if (first == NULL)
			first = s;
		n++;
		w = snprintf(names + at, sizeof(names) - at, "%s%s",
		    at ? ", " : "", s->selector);
		if (w > 0)
			at += (size_t)w < sizeof(names) - at ? (size_t)w :
			    sizeof(names) - 1 - at;
	}
	if (n == 0)
		return;
	a = dns_answer_final(first->q);
	if (n == 1) {
		report_dns_failure(res, first->name, a);
		return;
	}
	snprintf(where, sizeof(where), "_domainkey.%s", res->domain);
	diag_sink_init(&sink, diag_list_add, &res->area.findings);
	memset(&ctx, 0, sizeof(ctx));
	ctx.domain = where;
	diag_reportf(&sink, DIAG_DNS_FAILURE, &ctx, "TXT of %zu selector "
	    "names under %s: %s%s%s (%s)", n, where,
	    dns_status_name(a->status), a->why ? ": " : "",
	    a->why ? a->why : "", names);
	res->area.incomplete = true;
}

bool
dkim_is_foreign(const char *p, size_t len)
{
	size_t i = skip_ws(p, len, 0);

	if (i >= len || p[i] != 'v')
		return false;
	i = skip_ws(p, len, i + 1);
	if (i >= len || p[i] != '=')
		return false;
	i = skip_ws(p, len, i + 1);
	return !(len - i >= 4 && strncasecmp(p + i, "DKIM", 4) == 0);
}

/* What a foreign record is, for the message: "an SPF record". */
static const char *
foreign_kind(const char *p, size_t len)
{
	static const struct {
		const char *v;
		const char *kind;
	} kinds[] = {
		{ "spf1", "an SPF record" }, { "DMARC1", "a DMARC record" },
		{ "STSv1", "an MTA-STS record" },
		{ "TLSRPTv1", "a TLS-RPT record" }, { "BIMI1", "a BIMI record" },
	};
	size_t i = skip_ws(p, len, 0) + 1;

	i = skip_ws(p, len, i);
	i = skip_ws(p, len, i + 1);	/* past '=' */
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		size_t n = strlen(kinds[k].v);

		if (len - i >= n && strncasecmp(p + i, kinds[k].v, n) == 0 &&
		    (len - i == n || p[i + n] == ';' || p[i + n] == ' '))
			return kinds[k].kind;
	}
	return "a record of another kind";
}

static bool
is_key_record(const char *p, size_t len)
{
	return !dkim_is_foreign(p, len);
}

/* What the TXT walks of take_answer() share. */
struct sel_walk {
	struct dkim_result *res;
	struct dkim_selector *s;
	struct diag_sink *sink;
	struct diag *ctx;
	bool oom;
};

/* dkim.not-a-key: a selector the user named holds another record. */
static void
report_foreign(void *arg, const char *text, size_t len)
{
	struct sel_walk *w = arg;

	w->ctx->record = text;
	w->ctx->record_len = len;
	diag_reportf(w->sink, DIAG_DKIM_NOT_A_KEY, w->ctx,
	    "%s holds %s, not a DKIM key record%s%s", w->s->name,
	    foreign_kind(text, len), w->s->wildcard ? ": it is the answer "
	    "of a wildcard that covers every name under _domainkey." : "",
	    w->s->wildcard ? w->res->domain : "");
	w->ctx->record = NULL;
	w->ctx->record_len = 0;
}

/* Lint one key record (each may be the one a verifier picks); keep the
 * first for display. */
static void
lint_one_key(void *arg, const char *text, size_t len)
{
	struct sel_walk *w = arg;
	struct dkim_selector *s = w->s;
	struct dkim_key key;
	struct diag_sink none;

	w->ctx->record = text;
	w->ctx->record_len = len;
	if (dkim_lint(text, len, &key, w->sink, w->ctx) != 0)
		w->oom = true;
	w->ctx->record = NULL;
	w->ctx->record_len = 0;
	if (w->oom || s->record != NULL)
		return;
	if ((s->record = buf_strndup(text, len)) == NULL) {
		w->oom = true;
		return;
	}
	s->record_len = len;
	s->key = key;
	diag_sink_init(&none, NULL, NULL);
	dkim_parse(s->record, len, &s->parsed, &none, NULL);
}

/* Fill one selector from its answer; wild is the answer at a random
 * name under _domainkey (wildcard.h), or NULL. */
static int
take_answer(struct dkim_result *res, struct dkim_selector *s,
    const struct dns_answer *a, const struct dns_answer *wild)
{
	struct diag_sink sink;
	struct diag ctx;
	struct sel_walk w = { res, s, &sink, &ctx, false };
	bool discovered = s->source != DKIM_SRC_USER;
	size_t ntxt = 0, nkeys;
	int nforeign;

	diag_sink_init(&sink, diag_list_add, &s->findings);
	memset(&ctx, 0, sizeof(ctx));
	ctx.domain = s->name;
	s->status = a->status;
	s->ncname = a->ncname;
	if (a->ncname > 0 && a->canon != NULL &&
	    (s->cname = strdup(a->canon)) == NULL)
		return -1;
	if (failed(a->status)) {
		/* A name the user asked for is said on its own; the
		 * discovered ones are said together (dkim_finish): with a
		 * resolver down, 20 lines of the same failure hide the
		 * report. */
		if (s->source == DKIM_SRC_USER)
			report_dns_failure(res, s->name, a);
		else
			res->area.incomplete = true;
		return 0;
	}
	s->wildcard = wildcard_same(a, wild);
	for (size_t i = 0; i < a->nrr; i++)
		if (a->rr[i].type == DNS_T_TXT)
			ntxt++;
	if ((nforeign = dns_txt_pick(a, dkim_is_foreign, &s->foreign,
	    &s->foreign_len)) < 0)
		return -1;
	s->nforeign = (size_t)nforeign;
	nkeys = ntxt - s->nforeign;
	/* A discovered name answered by the wildcard, or holding no key
	 * record, has no key of its own. */
	if (discovered && s->wildcard)
		nkeys = 0;
	s->nrecords = discovered ? nkeys : ntxt;
	if (s->nrecords == 0) {
		if (s->source == DKIM_SRC_COMMON)
			return 0;	/* a guess that missed */
		if (s->wildcard)
			diag_reportf(&sink, DIAG_DKIM_MISSING, &ctx,
			    "no key record of its own at %s: only the "
			    "wildcard under _domainkey.%s answers there",
			    s->name, res->domain);
		else if (s->nforeign > 0)
			diag_reportf(&sink, DIAG_DKIM_MISSING, &ctx,
			    "no key record at %s: the TXT record there is %s, "
			    "not a DKIM key", s->name,
			    foreign_kind(s->foreign, s->foreign_len));
		else
			diag_reportf(&sink, DIAG_DKIM_MISSING, &ctx,
			    "no key record at %s (%s)", s->name,
			    dns_status_name(a->status));
		return 0;
	}
	/* The user says a key is here; say what is here instead. */
	if (!discovered && s->nforeign > 0 &&
	    dns_txt_each(a, dkim_is_foreign, report_foreign, &w) < 0)
		return -1;
	if (nkeys == 0)
		return 0;
	s->found = true;
	if (nkeys > 1)
		diag_reportf(&sink, DIAG_DKIM_MULTIPLE_RECORDS, &ctx,
		    "%zu TXT records at %s: which key verifiers use is "
		    "undefined", nkeys, s->name);
	if (dns_txt_each(a, is_key_record, lint_one_key, &w) < 0 || w.oom)
		return -1;
	return 0;
}

int
dkim_start(struct dns_resolver *r, const char *domain, struct dkim_result *res)
{
	char name[256], probe[300];

	memset(res, 0, sizeof(*res));
	area_result_init(&res->area);
	res->r = r;
	if ((res->domain = strdup(domain)) == NULL)
		goto fail;
	/* Fixed capacity: selectors are added while callbacks hold no
	 * pointers into the array, but callers may. */
	if ((res->sel = calloc(DKIM_MAX_SELECTORS, sizeof(*res->sel))) == NULL)
		goto fail;
	if (snprintf(name, sizeof(name), "_domainkey.%s", domain) >=
	    (int)sizeof(name) || !dns_name_valid(name, strlen(name)))
		goto fail;
	if ((res->domainkey_q = dns_submit(r, name, DNS_T_TXT, NULL,
	    NULL)) == NULL)
		goto fail;
	/* A name under _domainkey that cannot exist: what a wildcard there
	 * answers (asked with the rest, no extra round trip). */
	if (snprintf(name, sizeof(name), "_domainkey.%s", domain) <
	    (int)sizeof(name) && wildcard_name(probe, sizeof(probe), name) ==
	    0 && (res->wildcard_q = dns_submit(r, probe, DNS_T_TXT, NULL,
	    NULL)) == NULL)
		goto fail;
	return 0;
fail:
	dkim_result_free(res);
	return -1;
}

int
dkim_add(struct dkim_result *res, const char *selector,
    enum dkim_source source, const char *provider)
{
	struct dkim_selector *s;
	char name[256];

	if (!dkim_selector_name(selector, res->domain, name, sizeof(name)))
		return -1;
	for (size_t i = 0; i < res->nsel; i++) {
		s = &res->sel[i];
		if (strcasecmp(s->selector, selector) != 0)
			continue;
		/* Asked again with a stronger reason: a user's or a
		 * provider's selector must exist, a guessed one need not. */
		if (source < s->source) {
			s->source = source;
			s->provider = provider;
		}
		return 0;
	}
	if (res->nsel == DKIM_MAX_SELECTORS)
		return 1;
	s = &res->sel[res->nsel];
	diag_list_init(&s->findings, AREA_MAX_FINDINGS);
	/* Out of memory is also kept in res->area.oom: callers that add from
	 * inside a callback (recognised providers) cannot tell it from a
	 * refused selector name. */
	if ((s->selector = strdup(selector)) == NULL ||
	    (s->name = strdup(name)) == NULL) {
		free(s->selector);
		s->selector = NULL;
		res->area.oom = true;
		return -1;
	}
	s->source = source;
	s->provider = provider;
	res->nsel++;
	if ((s->q = dns_submit(res->r, s->name, DNS_T_TXT, NULL, NULL)) ==
	    NULL) {
		res->area.oom = true;
		return -1;
	}
	return 0;
}

/* Printable ASCII only: safe to quote in a message. */
static bool
printable(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)p[i] < 0x20 || (unsigned char)p[i] > 0x7e)
			return false;
	return true;
}

int
dkim_finish(struct dkim_result *res)
{
	const struct dns_answer *a, *wild = NULL;
	char name[256];
	size_t nfound = 0, nnamed = 0, nwild = 0;
	struct diag_sink sink;
	struct diag ctx;

	if (res->wildcard_q != NULL) {
		wild = dns_answer_final(res->wildcard_q);
		res->wildcard = wildcard_answers(wild) && wild->qtype ==
		    DNS_T_TXT;
		for (size_t i = 0; res->wildcard && i < wild->nrr; i++)
			if (wild->rr[i].type != DNS_T_TXT)
				res->wildcard = false;
		if (!res->wildcard)
			wild = NULL;
	}
	for (size_t i = 0; i < res->nsel; i++) {
		if (take_answer(res, &res->sel[i],
		    dns_answer_final(res->sel[i].q), wild) != 0)
			return -1;
		if (res->sel[i].found)
			nfound++;
		if (res->sel[i].source != DKIM_SRC_COMMON)
			nnamed++;
		if (res->sel[i].wildcard &&
		    res->sel[i].source != DKIM_SRC_USER)
			nwild++;
	}
	report_discovery_failures(res);
	snprintf(name, sizeof(name), "_domainkey.%s", res->domain);
	a = dns_answer_final(res->domainkey_q);
	res->domainkey_status = a->status;
	if (failed(a->status))
		report_dns_failure(res, name, a);
	diag_sink_init(&sink, diag_list_add, &res->area.findings);
	memset(&ctx, 0, sizeof(ctx));
	ctx.domain = name;
	if (wild != NULL) {
		size_t len;
		char *text = dns_txt_join(&wild->rr[0], &len);

		if (text == NULL)
			return -1;
		ctx.record = text;
		ctx.record_len = len;
		int shown = printable(text, len) ? (int)(len > 80 ? 80 : len) :
		    0;
		const char *more = len > (size_t)shown ? "..." : "";

		if (nwild > 0)
			diag_reportf(&sink, DIAG_DKIM_WILDCARD, &ctx, "a "
			    "wildcard answers TXT at every name under %s that "
			    "has no records of its own (\"%.*s%s\"), so "
			    "discovery cannot tell which selectors exist: the "
			    "answers equal to it at %zu common or provider "
			    "selector name(s) were not taken for keys", name,
			    shown, text, more, nwild);
		else
			diag_reportf(&sink, DIAG_DKIM_WILDCARD, &ctx, "a "
			    "wildcard answers TXT at every name under %s that "
			    "has no records of its own (\"%.*s%s\"), so "
			    "discovery cannot tell which selectors exist", name,
			    shown, text, more);
		ctx.record = NULL;
		ctx.record_len = 0;
		free(text);
	}
	if (nfound == 0 && !res->area.incomplete) {
		if (a->status == DNS_NXDOMAIN)
			diag_reportf(&sink, DIAG_DKIM_NONE_FOUND, &ctx,
			    "%s does not exist (NXDOMAIN): no DKIM keys are "
			    "published under it (RFC 8020)", name);
		else if (wild != NULL && nwild > 0)
			diag_reportf(&sink, DIAG_DKIM_NONE_FOUND, &ctx,
			    "no key found at the %zu selector(s) tried%s; "
			    "answers equal to the wildcard's are not keys, so "
			    "keys may be published under other selector names "
			    "(name them with -s)", res->nsel,
			    nnamed < res->nsel ? " (common names included)" :
			    "");
		else if (wild != NULL)
			diag_reportf(&sink, DIAG_DKIM_NONE_FOUND, &ctx,
			    "no key found at the %zu selector(s) tried; keys "
			    "may be published under other selector names (name "
			    "them with -s)", res->nsel);
		else
			diag_reportf(&sink, DIAG_DKIM_NONE_FOUND, &ctx,
			    "no key found at the %zu selector(s) tried%s; %s "
			    "exists, so keys may be published under other "
			    "selector names (name them with -s)", res->nsel,
			    nnamed < res->nsel ? " (common names included)" :
			    "", name);
	}
	for (size_t i = 0; i < res->nsel; i++)
		if (res->sel[i].findings.oom)
			res->area.oom = true;
	if (res->area.findings.oom)
		res->area.oom = true;
	return 0;
}

int
dkim_lookup(struct dns_resolver *r, const char *domain,
    const char *const *selectors, size_t nsel, struct dkim_result *res)
{
	if (nsel > DKIM_MAX_SELECTORS || dkim_start(r, domain, res) != 0)
		return -1;
	for (size_t i = 0; i < nsel; i++)
		if (dkim_add(res, selectors[i], DKIM_SRC_USER, NULL) != 0)
			goto fail;
	dns_run(r);
	if (dkim_finish(res) != 0)
		goto fail;
	return 0;
fail:
	dns_run(r);
	dkim_result_free(res);
	return -1;
}

void
dkim_result_free(struct dkim_result *res)
{
	for (size_t i = 0; i < res->nsel; i++) {
		struct dkim_selector *s = &res->sel[i];

		free(s->selector);
		free(s->name);
		free(s->cname);
		free(s->record);
		free(s->foreign);
		diag_list_free(&s->findings);
	}
	free(res->sel);
	free(res->domain);
	area_result_free(&res->area);
	memset(res, 0, sizeof(*res));
}
