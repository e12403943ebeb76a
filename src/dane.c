/*
 * dane.c -- DANE for SMTP (dane.h): the TLSA lookup of a host with the
 * RFC 7672 §2.2.3 alias rules, which records a sender can use, and the
 * findings about what the handshake matched.
 */
#include "dane.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp.h"

/* ---- lookup ----------------------------------------------------------- */

static void
set_clear(struct dane_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free((void *)s->rec[i].data);
	s->n = s->ntotal = 0;
}

/* Copy the TLSA answer a into s. */
static void
set_fill(struct dane_lookup *dl, struct dane_set *s, const struct dns_answer *a)
{
	set_clear(s);
	s->status = a->status;
	s->dnssec = a->dnssec;
	snprintf(s->dnssec_why, sizeof(s->dnssec_why), "%s",
	    a->dnssec_why != NULL ? a->dnssec_why : "");
	snprintf(s->why, sizeof(s->why), "%s", a->why != NULL ? a->why :
	    dns_status_name(a->status));
	for (size_t i = 0; i < a->nrr; i++) {
		const struct dns_rr *rr = &a->rr[i];
		unsigned char *data;

		if (rr->type != DNS_T_TLSA)
			continue;
		s->ntotal++;
		if (s->n == DANE_MAX_TLSA)
			continue;
		if ((data = malloc(rr->u.tlsa.len ? rr->u.tlsa.len : 1)) ==
		    NULL) {
			dl->oom = true;
			continue;
		}
		memcpy(data, rr->u.tlsa.data, rr->u.tlsa.len);
		s->rec[s->n].usage = rr->u.tlsa.usage;
		s->rec[s->n].selector = rr->u.tlsa.selector;
		s->rec[s->n].mtype = rr->u.tlsa.mtype;
		s->rec[s->n].data = data;
		s->rec[s->n].len = rr->u.tlsa.len;
		s->n++;
	}
}

static void
progress(struct dane_lookup *dl)
{
	if (dl->progress_ != NULL)
		dl->progress_(dl->progress_arg_);
}

static void
orig_cb(void *arg, struct dns_query *q)
{
	struct dane_lookup *dl = arg;

	set_fill(dl, &dl->orig, dns_answer(q));
	progress(dl);
}

static void
canon_cb(void *arg, struct dns_query *q)
{
	struct dane_lookup *dl = arg;

	set_fill(dl, &dl->canon, dns_answer(q));
	progress(dl);
}

static int
set_name(struct dane_set *s, unsigned port, const char *host)
{
	int n = snprintf(s->qname, sizeof(s->qname), "_%u._tcp.%s", port,
	    host);

	if (n < 0 || (size_t)n >= sizeof(s->qname) ||
	    !dns_name_valid(s->qname, (size_t)n))
		return -1;
	return 0;
}

static int
ask(struct dane_lookup *dl, struct dane_set *s, dns_cb *cb)
{
	s->asked = true;
	s->status = DNS_PENDING;
	if (dns_submit(dl->r_, s->qname, DNS_T_TLSA, cb, dl) == NULL) {
		s->status = DNS_ERROR;
		snprintf(s->why, sizeof(s->why), "out of memory");
		dl->oom = true;
		return -1;
	}
	return 0;
}

/* An address answer of the host: an alias makes its expansion the
 * first TLSA base (RFC 7672 §2.2.3).  The question is the MX area's
 * own, so asking it again costs nothing. */
static void
addr_take(struct dane_lookup *dl, struct dns_query *q)
{
	const struct dns_answer *a = dns_answer(q);
	char norm[256];

	if (a->dnssec == DNSSEC_INSECURE)
		dl->addr_insecure = true;
	if (dl->canon.asked || a->ncname == 0 || a->canon == NULL ||
	    dns_name_norm(norm, sizeof(norm), a->canon) < 0 ||
	    dns_name_norm(dl->canon_name, sizeof(dl->canon_name),
	    dl->host) < 0 || strcmp(norm, dl->canon_name) == 0) {
		if (!dl->canon.asked)
			dl->canon_name[0] = '\0';
		return;
	}
	snprintf(dl->canon_name, sizeof(dl->canon_name), "%s", norm);
	dl->cname_dnssec = a->dnssec;
	/* An insecure alias leaves the original name the only base. */
	if (a->dnssec == DNSSEC_INSECURE || a->dnssec == DNSSEC_BOGUS)
		return;
	if (set_name(&dl->canon, dl->port, dl->canon_name) == 0)
		(void)ask(dl, &dl->canon, canon_cb);
}

static void
addr_cb(void *arg, struct dns_query *q)
{
	struct dane_lookup *dl = arg;

	addr_take(dl, q);
	dl->addr_seen_++;
	progress(dl);
}

int
dane_lookup_start(struct dns_resolver *r, const char *host, unsigned port,
    struct dane_lookup *dl, void (*progress_fn)(void *), void *arg)
{
	memset(dl, 0, sizeof(*dl));
	dl->progress_ = progress_fn;
	dl->progress_arg_ = arg;
	dl->r_ = r;
	dl->port = port;
	if (dns_name_norm(dl->host, sizeof(dl->host), host) < 0 ||
	    set_name(&dl->orig, port, dl->host) != 0)
		return 0;	/* no TLSA name: nothing to ask */
	if (ask(dl, &dl->orig, orig_cb) != 0)
		return -1;
	if (dns_submit(r, dl->host, DNS_T_A, addr_cb, dl) == NULL ||
	    dns_submit(r, dl->host, DNS_T_AAAA, addr_cb, dl) == NULL) {
		dl->oom = true;
		return -1;
	}
	return 0;
}

bool
dane_lookup_done(const struct dane_lookup *dl)
{
	if (dl->given || dl->oom || !dl->orig.asked)
		return true;
	return dl->addr_seen_ >= 2 && dl->orig.status != DNS_PENDING &&
	    (!dl->canon.asked || dl->canon.status != DNS_PENDING);
}

/* The verdict DNSSEC validation wrote into the answer of (name, type)
 * after the lookup read it. */
static const struct dns_answer *
validated(struct dns_resolver *r, const char *name, uint16_t type)
{
	struct dns_query *q = dns_find(r, name, type);

	return q != NULL ? dns_answer(q) : NULL;
}

static void
set_refresh(struct dane_set *s, struct dns_resolver *r)
{
	const struct dns_answer *a;

	if (!s->asked || (a = validated(r, s->qname, DNS_T_TLSA)) == NULL)
		return;
	s->dnssec = a->dnssec;
	snprintf(s->dnssec_why, sizeof(s->dnssec_why), "%s",
	    a->dnssec_why != NULL ? a->dnssec_why : "");
}

void
dane_lookup_refresh(struct dane_lookup *dl, struct dns_resolver *r)
{
	static const uint16_t types[] = { DNS_T_A, DNS_T_AAAA };
	const struct dns_answer *a;

	if (dl == NULL || dl->given)
		return;
	set_refresh(&dl->orig, r);
	set_refresh(&dl->canon, r);
	for (size_t i = 0; i < 2; i++) {
		if ((a = validated(r, dl->host, types[i])) == NULL)
			continue;
		if (a->dnssec == DNSSEC_INSECURE)
			dl->addr_insecure = true;
		if (dl->canon_name[0] != '\0' && a->ncname > 0)
			dl->cname_dnssec = a->dnssec;
	}
}

int
dane_lookup_given(struct dane_lookup *dl, const char *host, unsigned port,
    const char *const *recs, size_t n, char *err, size_t errsize)
{
	uint8_t *buf;

	memset(dl, 0, sizeof(*dl));
	dl->given = true;
	dl->port = port;
	snprintf(dl->host, sizeof(dl->host), "%s", host);
	if (set_name(&dl->orig, port, host) != 0)
		snprintf(dl->orig.qname, sizeof(dl->orig.qname), "%s", host);
	dl->orig.asked = true;
	dl->orig.status = DNS_OK;
	if ((buf = malloc(DNS_TLSA_MAX_DATA)) == NULL) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n && i < DANE_MAX_TLSA; i++) {
		struct dns_rr rr;
		const char *why = dns_tlsa_parse(recs[i], strlen(recs[i]), &rr,
		    buf, DNS_TLSA_MAX_DATA);
		unsigned char *data;

		if (why != NULL) {
			snprintf(err, errsize, "'%s' is not a TLSA record: %s",
			    recs[i], why);
			free(buf);
			return -1;
		}
		if ((data = malloc(rr.u.tlsa.len)) == NULL) {
			snprintf(err, errsize, "out of memory");
			free(buf);
			return -1;
		}
		memcpy(data, rr.u.tlsa.data, rr.u.tlsa.len);
		dl->orig.rec[dl->orig.n].usage = rr.u.tlsa.usage;
		dl->orig.rec[dl->orig.n].selector = rr.u.tlsa.selector;
		dl->orig.rec[dl->orig.n].mtype = rr.u.tlsa.mtype;
		dl->orig.rec[dl->orig.n].data = data;
		dl->orig.rec[dl->orig.n++].len = rr.u.tlsa.len;
		dl->orig.ntotal++;
	}
	free(buf);
	return 0;
}

void
dane_lookup_free(struct dane_lookup *dl)
{
	if (dl == NULL)
		return;
	set_clear(&dl->orig);
	set_clear(&dl->canon);
}

/* The expansion's records, which a dialogue started before DNSSEC
 * validation was given, set aside since: validation found the alias
 * insecure or bogus, which leaves the original name the only base
 * (RFC 7672 §2.2.3; addr_take() applies the same rule to verdicts it
 * already sees). */
static bool
canon_set_aside(const struct dane_lookup *dl)
{
	return dl->canon.asked && dl->canon.status == DNS_OK &&
	    dl->canon.n > 0 && (dl->cname_dnssec == DNSSEC_INSECURE ||
	    dl->cname_dnssec == DNSSEC_BOGUS);
}

const struct dane_set *
dane_lookup_set(const struct dane_lookup *dl)
{
	if (dl->canon.asked && dl->canon.status == DNS_OK &&
	    dl->canon.n > 0 && !canon_set_aside(dl))
		return &dl->canon;
	return &dl->orig;
}

/* ---- records ---------------------------------------------------------- */

const char *
dane_rec_unusable(const struct tls_tlsa *t)
{
	if (t->usage != 2 && t->usage != 3)
		return t->usage <= 1 ? "usage 0 and 1 are not used for SMTP" :
		    "an unknown certificate usage";
	if (t->selector > 1)
		return "an unknown selector (0: the certificate, 1: its "
		    "public key)";
	switch (t->mtype) {
	case 0:
		return t->len > 0 ? NULL : "no data";
	case 1:
		return t->len == 32 ? NULL : "a SHA-256 digest must be 32 "
		    "bytes (64 hex digits)";
	case 2:
		return t->len == 64 ? NULL : "a SHA-512 digest must be 64 "
		    "bytes (128 hex digits)";
	default:
		return "an unknown matching type (0: full, 1: SHA-256, 2: "
		    "SHA-512)";
	}
}

size_t
dane_usable(const struct dane_set *s, struct tls_tlsa *out, size_t max)
{
	size_t k = 0;

	for (size_t i = 0; i < s->n; i++)
		if (dane_rec_unusable(&s->rec[i]) == NULL) {
			if (out != NULL && k < max)
				out[k] = s->rec[i];
			k++;
		}
	return out != NULL && k > max ? max : k;
}

void
dane_rec_format(const struct tls_tlsa *t, char *out, size_t size)
{
	static const char hex[] = "0123456789abcdef";
	int n = snprintf(out, size, "%u %u %u ", t->usage, t->selector,
	    t->mtype);
	size_t at;

	if (n < 0 || (size_t)n >= size)
		return;
	at = (size_t)n;
	for (size_t i = 0; i < t->len; i++) {
		if (at + 2 >= size || (at + 6 >= size && i + 1 < t->len)) {
			snprintf(out + at, size - at, "...");
			return;
		}
		out[at++] = hex[t->data[i] >> 4];
		out[at++] = hex[t->data[i] & 15];
	}
	out[at] = '\0';
}

const char *
dane_status_name(enum dane_status s)
{
	switch (s) {
	case DANE_NO_TLSA: return "no-tlsa";
	case DANE_MATCHED: return "matched";
	case DANE_MISMATCH: return "mismatch";
	case DANE_NOT_CHECKED: return "not-checked";
	case DANE_INSECURE: return "insecure";
	default: return "none";
	}
}

const char *
dane_dnssec_name(enum dnssec_status s)
{
	switch (s) {
	case DNSSEC_SECURE: return "secure";
	case DNSSEC_INSECURE: return "insecure";
	case DNSSEC_BOGUS: return "bogus";
	case DNSSEC_INDETERMINATE: return "indeterminate";
	default: return "unchecked";
	}
}

/* ---- judgement -------------------------------------------------------- */

bool
dane_has_tlsa(const struct dane_lookup *dl)
{
	const struct dane_set *s;

	if (dl == NULL)
		return false;
	s = dane_lookup_set(dl);
	return s->asked && s->status == DNS_OK && s->ntotal > 0;
}

/* Senders ignore the records: the TLSA answer, or the host's addresses
 * under signed TLSA, are proven unsigned (RFC 7672 §2.2, §2.2.2). */
static bool
insecure(const struct dane_lookup *dl, const struct dane_set *s)
{
	return s->dnssec == DNSSEC_INSECURE || (s->dnssec == DNSSEC_SECURE &&
	    dl->addr_insecure);
}

/* Said after a verdict that rests on records DNSSEC did not vouch for. */
static const char *
unvalidated(const struct dane_lookup *dl, const struct dane_set *s)
{
	if (dl->given)
		return "";
	if (s->dnssec == DNSSEC_UNCHECKED || s->dnssec ==
	    DNSSEC_INDETERMINATE)
		return " (DNSSEC was not validated in this run: senders "
		    "apply the records only when they are DNSSEC-secure)";
	return "";
}

void
dane_lint_rec(const struct tls_tlsa *t, const char *owner,
    struct diag_sink *sink, struct diag *d)
{
	const char *why = dane_rec_unusable(t);
	char one[160];

	dane_rec_format(t, one, sizeof(one));
	if (why != NULL && t->usage <= 1)
		diag_reportf(sink, DIAG_DANE_BAD_USAGE, d,
		    "%s TLSA \"%s\": SMTP senders ignore usages 0 (PKIX-TA) "
		    "and 1 (PKIX-EE)", owner, one);
	else if (why != NULL)
		diag_reportf(sink, DIAG_DANE_UNUSABLE_TLSA, d,
		    "%s TLSA \"%s\": %s; senders skip it", owner, one, why);
	else if (t->mtype == 0)
		diag_reportf(sink, DIAG_DANE_FULL_DATA, d,
		    "%s TLSA \"%s\": %zu bytes of %s in DNS where a 32-byte "
		    "digest does", owner, one, t->len, t->selector ?
		    "public key" : "certificate");
}

void
dane_judge_host(const struct dane_lookup *dl, struct diag_sink *sink,
    struct diag *d)
{
	const struct dane_set *s;
	size_t nuse = 0, nbad = 0;
	char bad[400] = "", one[160];
	size_t at = 0;

	if (dl == NULL || dl->given || !dane_has_tlsa(dl))
		return;
	s = dane_lookup_set(dl);
	/* Bogus answers are the DNSSEC findings' to report. */
	if (s->dnssec == DNSSEC_BOGUS)
		return;
	for (size_t i = 0; i < s->n; i++) {
		const char *why = dane_rec_unusable(&s->rec[i]);

		dane_rec_format(&s->rec[i], one, sizeof(one));
		if (why == NULL) {
			nuse++;
			if (s->rec[i].mtype == 0)
				dane_lint_rec(&s->rec[i], s->qname, sink, d);
		} else if (s->rec[i].usage <= 1) {
			int w = snprintf(bad + at, sizeof(bad) - at, "%s\"%s\"",
			    nbad ? ", " : "", one);

			nbad++;
			if (w > 0)
				at += (size_t)w < sizeof(bad) - at ?
				    (size_t)w : sizeof(bad) - 1 - at;
		} else {
			diag_reportf(sink, DIAG_DANE_UNUSABLE_TLSA, d,
			    "%s TLSA \"%s\": %s; senders skip it", s->qname,
			    one, why);
		}
	}
	if (nbad > 0)
		diag_reportf(sink, DIAG_DANE_BAD_USAGE, d,
		    "%s TLSA %s: SMTP senders ignore usages 0 (PKIX-TA) and "
		    "1 (PKIX-EE)%s", s->qname, bad, nuse == 0 ?
		    "; with no other usable record they use TLS without "
		    "authenticating the server" : "");
	if (s->dnssec == DNSSEC_INSECURE)
		diag_reportf(sink, DIAG_DANE_INSECURE_TLSA, d,
		    "%s has TLSA records but its zone is not DNSSEC-signed%s%s: "
		    "senders ignore them", s->qname,
		    s->dnssec_why[0] ? ": " : "", s->dnssec_why);
	else if (insecure(dl, s))
		diag_reportf(sink, DIAG_DANE_INSECURE_TLSA, d,
		    "%s is signed, but the addresses of %s are not "
		    "DNSSEC-signed: senders do not use DANE for this host "
		    "(RFC 7672 §2.2.2)", s->qname, dl->host);
}

/* A usable DANE-TA record among s's. */
static bool
has_usage2(const struct dane_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->rec[i].usage == 2 && dane_rec_unusable(&s->rec[i]) ==
		    NULL)
			return true;
	return false;
}

void
dane_judge_probe(const struct dane_lookup *dl, const struct smtp_probe *p,
    const char *where, struct diag_sink *sink, struct diag *d,
    struct dane_verdict *v)
{
	const struct dane_set *s;
	const struct tls_info *t = &p->tls;
	char hint[160];

	memset(v, 0, sizeof(*v));
	v->rec = v->depth = -1;
	if (dl == NULL || !dl->orig.asked)
		return;
	s = dane_lookup_set(dl);
	if (s->status == DNS_NXDOMAIN || s->status == DNS_NODATA ||
	    (s->status == DNS_OK && s->ntotal == 0)) {
		v->status = DANE_NO_TLSA;
		return;
	}
	v->status = DANE_NOT_CHECKED;
	if (s->status != DNS_OK) {
		v->why = "the TLSA lookup failed";
		return;
	}
	if (s->dnssec == DNSSEC_BOGUS) {
		v->why = "the TLSA answer is DNSSEC-bogus: DANE cannot be "
		    "evaluated (see the DNSSEC findings)";
		return;
	}
	/* The handshake was matched against the expansion's records, not
	 * s's: its outcome says nothing about s. */
	if (canon_set_aside(dl)) {
		if (insecure(dl, s)) {
			v->status = DANE_INSECURE;
			v->why = "the host is an alias into an unsigned zone: "
			    "senders do not use DANE for it";
		} else {
			v->why = "the host's alias is DNSSEC-bogus: DANE "
			    "cannot be evaluated (see the DNSSEC findings)";
		}
		return;
	}
	if (dane_usable(s, NULL, 0) == 0 && s->n > 0) {
		v->why = "no usable TLSA record";
		return;
	}
	if (!p->tls_done || !t->dane) {
		v->why = "no TLS handshake";
		return;
	}
	if (t->dane_usable == 0) {
		v->why = "no TLSA record OpenSSL can use";
		return;
	}
	if (t->dane_matched) {
		v->status = insecure(dl, s) ? DANE_INSECURE : DANE_MATCHED;
		v->depth = t->dane_depth;
		/* t->dane_rec indexes the usable records, in set order */
		for (size_t i = 0, k = 0; i < s->n; i++)
			if (dane_rec_unusable(&s->rec[i]) == NULL &&
			    (int)k++ == t->dane_rec)
				v->rec = (int)i;
		if (v->status == DANE_INSECURE)
			v->why = "the TLSA records match, but the zone is not "
			    "signed: senders ignore them";
		else if (*unvalidated(dl, s) != '\0')
			v->why = "DNSSEC was not validated in this run";
		return;
	}
	if (insecure(dl, s)) {
		v->status = DANE_INSECURE;
		v->why = "no TLSA record matches, but the zone is not signed: "
		    "senders ignore them";
		return;
	}
	v->status = DANE_MISMATCH;
	hint[0] = '\0';
	if (s->ntotal > s->n)
		snprintf(hint, sizeof(hint), "; only the first %zu of %zu "
		    "records were tried", s->n, s->ntotal);
	else if (t->chain_len <= 1 && has_usage2(s))
		snprintf(hint, sizeof(hint), "; a usage 2 record matches only "
		    "a CA certificate the server sends in its chain, and it "
		    "sends %zu certificate%s", t->chain_len,
		    t->chain_len == 1 ? "" : "s");
	if (dl->given)
		diag_reportf(sink, DIAG_DANE_MISMATCH, d,
		    "%s: no TLSA record given with --tlsa matches the "
		    "certificate chain (%s%s); published, they would make "
		    "DANE-validating senders defer all mail to this host",
		    where, t->dane_error, hint);
	else
		diag_reportf(sink, DIAG_DANE_MISMATCH, d,
		    "%s: no TLSA record at %s matches the certificate chain "
		    "(%s%s); DANE-validating senders defer all mail to this "
		    "host (4.7.5 or 4.x.x \"TLSA mismatch\" in their logs)%s",
		    where, s->qname, t->dane_error, hint, unvalidated(dl, s));
}
