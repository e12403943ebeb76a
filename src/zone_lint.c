/*
 * zone_lint.c -- email-authentication checks over zone files (see
 * zone_lint.h for what is kept and when each check runs).
 *
 * The pass fills a zone_index (zone_index.h); SPF trees are linted by
 * spf_lint_record() on the resolver over that index.  Names outside the
 * zone go to opts->outside, or, offline, fail in a way the lint's sink
 * recognises: those dns.failure findings become one zone.outside-lookups
 * per record.
 */
#include "ascii.h"
#include "zone_lint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "bimi.h"
#include "buf.h"
#include "dane.h"
#include "dkim.h"
#include "dmarc.h"
#include "dns.h"
#include "ip.h"
#include "mtasts.h"
#include "spf.h"
#include "spf_lint.h"
#include "tlsrpt.h"
#include "zone_index.h"
#include "zone_read.h"

#define TXT_ANSWER_MAX	450		/* RFC 7208 §3.4, as spf_lint.c */
#define JOIN_MAX	(1u << 20)	/* joined TXT strings we look at */
#define ALIAS_HOPS	8	/* CNAMEs followed from a DKIM/DMARC name or
				 * an include's name */

/* struct zone_owner.flags */
enum {
	F_NULLMX = 1, F_REALMX = 2, F_CNAME_DONE = 4, F_NULLMIX_DONE = 8,
	F_TOOLONG_DONE = 16,
	F_INCLUDED = 32,	/* an include: target of an SPF record here */
	F_DMARC_TARGET = 64,	/* a _dmarc CNAME leads here */
	F_SPF_TRIED = 128	/* a TXT starting "v=spf1", valid or not */
};

struct mxref {
	uint64_t th;		/* hash of the target */
	const char *owner, *target;
	uint32_t file, ign;
	unsigned long line;
};

/* One record already read: the hash of its owner, class, type and
 * canonical rdata, and where it was.  16 bytes a record: 32 MB for a
 * million records at the table's load, well under what a server needs. */
struct seen {
	uint64_t h;		/* 0: empty slot */
	uint32_t file;
	uint32_t line;		/* saturates at UINT32_MAX */
};

/* A CNAME at a name a receiver looks up for DKIM or DMARC. */
struct aliasref {
	const char *owner, *target;
	bool dmarc;		/* _dmarc.<domain>; else a DKIM selector */
	uint32_t file, ign;
	unsigned long line;
};

struct idset {
	uint64_t w[ZONE_LINT_IDSET_WORDS];
};

/* A DKIM record's lint, remembered: zones repeat one key under many
 * names (a provider's customers, a key per subdomain) and decoding a
 * public key costs tens of microseconds with OpenSSL 3. */
#define DKIM_MEMO_SLOTS	1024
#define DKIM_MEMO_MAX	8	/* findings kept per record; more: no memo */
#define DKIM_MEMO_TEXT	4096	/* longer records are not remembered, so the
				 * memo stays small whatever the input */

struct memo_finding {
	enum diag_id id;
	char *message;
	bool has_span;
	struct diag_span span;
};

struct dkim_memo {
	uint64_t h;		/* 0: empty */
	char *text;
	size_t len, n;
	bool full;		/* more than DKIM_MEMO_MAX findings */
	struct memo_finding f[DKIM_MEMO_MAX];
};

struct zl {
	const struct zone_lint_opts *o;
	struct diag_sink *sink;
	struct zone_lint_stats *st;
	struct diag_sink fsink;		/* every finding passes here */
	struct zone_index ix;		/* its arena: our strings too */
	struct mxref *mx;
	size_t nmx, mxcap;
	struct aliasref *alias;
	size_t nalias, aliascap;
	struct idset *ign;
	size_t nign, igncap;
	const char **files;
	size_t nfiles, filecap;
	const char *last_file_ptr;
	uint32_t last_file;
	struct buf join;
	/* every record seen, for identical duplicates (see seen_before) */
	struct seen *seen;
	size_t seensize, nseen;
	/* the first SOA owned by the root (see check_soa_root) */
	bool soa_root;
	uint32_t soa_root_file, soa_root_ign;
	unsigned long soa_root_line;
	/* types already reported as zone.unchecked-type */
	uint16_t unchecked[32];
	size_t nunchecked;
	bool oom;
	/* the record being checked: fills findings that lack a place */
	uint32_t cur_file, cur_ign;
	unsigned long cur_line;
	/* SPF lint of one record */
	const char *root;
	const struct zone_index_lookups *lk;
	struct dkim_memo *memo;		/* DKIM_MEMO_SLOTS, or NULL */
	struct dkim_memo *recording;	/* the slot memo_cb fills */
};

/* ---- small helpers ---------------------------------------------------- */

static uint8_t
inc8(uint8_t v)
{
	return v < UINT8_MAX ? (uint8_t)(v + 1) : v;
}

/* Index of a file name; zone_read hands the same pointer for a whole
 * file, so the last one is remembered. */
static uint32_t
file_index(struct zl *Z, const char *name)
{
	size_t i;
	char *copy;

	if (name == NULL)
		name = "?";
	if (name == Z->last_file_ptr && Z->nfiles > 0 &&
	    strcmp(Z->files[Z->last_file], name) == 0)
		return Z->last_file;
	for (i = 0; i < Z->nfiles; i++)
		if (strcmp(Z->files[i], name) == 0)
			goto found;
	if (!buf_grow_array((void **)&Z->files, &Z->filecap, Z->nfiles + 1,
	    sizeof(*Z->files)) ||
	    (copy = arena_strndup(&Z->ix.arena, name, strlen(name))) == NULL) {
		Z->oom = true;
		return 0;
	}
	Z->files[i = Z->nfiles++] = copy;
found:
	Z->last_file_ptr = name;
	Z->last_file = (uint32_t)i;
	return (uint32_t)i;
}

/* Does the label sequence of name start with label (then '.' or end)? */
static bool
first_label_is(const char *p, size_t n, const char *label)
{
	size_t l = strlen(label);

	return n >= l && memcmp(p, label, l) == 0 && (n == l || p[l] == '.');
}

/*
 * "sel._domainkey.example.com": a selector, then a _domainkey label.  A
 * selector's labels are sub-domains (RFC 6376 §3.1: letters, digits,
 * hyphens), so a label starting with '_' makes the name something else:
 * _adsp._domainkey (RFC 5617) is not a key.  Underscores inside a label
 * are let through: receivers look such selectors up all the same.
 */
static bool
is_dkim_owner(const char *p, size_t n)
{
	static const char k[] = "._domainkey";
	size_t i, j, l = sizeof(k) - 1;

	for (i = 0; i + l <= n; i++) {
		if (memcmp(p + i, k, l) != 0 || (i + l != n && p[i + l] != '.'))
			continue;
		if (i == 0)
			return false;
		for (j = 0; j < i; j++)
			if (p[j] == '_' && (j == 0 || p[j - 1] == '.'))
				return false;
		return true;
	}
	return false;
}

static bool
contains(const char *p, size_t n, const char *s)
{
	size_t l = strlen(s), i;

	for (i = 0; i + l <= n; i++)
		if (memcmp(p + i, s, l) == 0)
			return true;
	return false;
}

static bool
starts_spf1(const char *p, size_t n)
{
	static const char v[] = "v=spf1";
	size_t i;

	if (n < 6)
		return false;
	for (i = 0; i < 6; i++) {
		if (ascii_lower(p[i]) != v[i])
			return false;
	}
	return true;
}

/* ---- inline ignores -------------------------------------------------- */

static bool
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

bool
zone_lint_parse_ignore(const char *p, size_t len,
    uint64_t set[ZONE_LINT_IDSET_WORDS])
{
	static const char tag[] = "authcheck:";
	static const char ign[] = "ignore";
	size_t i = 0, s;
	enum diag_id id;

	while (i < len && blank(p[i]))
		i++;
	if (len - i < sizeof(tag) - 1 || memcmp(p + i, tag, sizeof(tag) - 1))
		return false;
	i += sizeof(tag) - 1;
	while (i < len && blank(p[i]))
		i++;
	if (len - i < sizeof(ign) - 1 || memcmp(p + i, ign, sizeof(ign) - 1) ||
	    (len - i > sizeof(ign) - 1 && !blank(p[i + sizeof(ign) - 1])))
		return false;
	i += sizeof(ign) - 1;
	while (i < len) {
		while (i < len && (blank(p[i]) || p[i] == ','))
			i++;
		s = i;
		while (i < len && !blank(p[i]) && p[i] != ',' && p[i] != ';')
			i++;
		if (i > s && diag_lookup(p + s, i - s, &id))
			set[(unsigned)id / 64] |= 1ULL << ((unsigned)id % 64);
		if (i < len && p[i] == ';')
			break;
	}
	return true;
}

/* The inline ignore set of a record's comment: index + 1, or 0. */
static uint32_t
record_ignores(struct zl *Z, const struct zone_rr *rr)
{
	struct idset s;

	if (rr->comment == NULL)
		return 0;
	memset(&s, 0, sizeof(s));
	if (!zone_lint_parse_ignore(rr->comment, rr->comment_len, s.w))
		return 0;
	if (!buf_grow_array((void **)&Z->ign, &Z->igncap, Z->nign + 1,
	    sizeof(*Z->ign))) {
		Z->oom = true;
		return 0;
	}
	Z->ign[Z->nign++] = s;
	return (uint32_t)Z->nign;
}

/* ---- reporting ------------------------------------------------------- */

/* Every finding: give it the current record's place unless it has one,
 * apply the ignores, pass it on. */
static void
filter_cb(void *arg, const struct diag *d)
{
	struct zl *Z = arg;
	struct diag c = *d;
	unsigned id = (unsigned)d->id;

	if (c.file == NULL) {
		c.file = Z->files != NULL && Z->cur_file < Z->nfiles ?
		    Z->files[Z->cur_file] : NULL;
		c.line = Z->cur_line;
	}
	if ((Z->o->ignore != NULL && Z->o->ignore[id]) ||
	    (Z->cur_ign > 0 && Z->cur_ign <= Z->nign &&
	    (Z->ign[Z->cur_ign - 1].w[id / 64] >> (id % 64) & 1))) {
		Z->st->suppressed++;
		return;
	}
	if (Z->sink != NULL)
		diag_report(Z->sink, &c);
}

static void
set_place(struct zl *Z, uint32_t file, unsigned long line, uint32_t ign)
{
	Z->cur_file = file;
	Z->cur_line = line;
	Z->cur_ign = ign;
}

static void
ctx_rec(struct diag *d, const char *owner, const char *text, size_t len)
{
	memset(d, 0, sizeof(*d));
	d->domain = owner;
	d->record = text;
	d->record_len = len;
}

/* ---- the streaming pass ---------------------------------------------- */

static void
on_error(void *arg, const struct zone_error *e)
{
	struct zl *Z = arg;
	struct zone_owner *o;
	struct diag d;

	/* Reported with the record instead, where its type is known. */
	if (e->kind == ZONE_ERR_STRING_TOO_LONG)
		return;
	memset(&d, 0, sizeof(d));
	set_place(Z, file_index(Z, e->file), e->line, 0);
	diag_reportf(&Z->fsink, DIAG_ZONE_SYNTAX, &d, "%s", e->msg);
	/* A rejected record still tells that its name and type exist: the
	 * SPF "a" term at a name whose A line is broken is not a void
	 * lookup, a name whose SPF line is broken is not "missing" SPF. */
	if (e->type != 0 && e->owner.p != NULL &&
	    (o = zone_index_get(&Z->ix, zone_index_hash(e->owner.p,
	    e->owner.len))) != NULL) {
		o->types |= zone_index_type_bit(e->type) | ZI_REJECTED;
		if (e->type == DNS_T_MX)
			o->nmx = inc8(o->nmx);
	} else if (e->type != 0 && e->owner.p != NULL) {
		Z->oom = true;
	}
}

static const char *
keep_owner(struct zl *Z, const struct zone_rr *rr)
{
	const char *s = arena_strndup(&Z->ix.arena, rr->owner.p, rr->owner.len);

	if (s == NULL)
		Z->oom = true;
	return s;
}

/* An MX target written as an address: zone_read made it a name (relative
 * names get the origin), so look at the rdata as written. */
static bool
mx_ip_literal(const struct zone_rr *rr, const char **tp, size_t *tl)
{
	const char *p = rr->rdata_text, *end = p + rr->rdata_len, *s;
	struct ipaddr a;
	size_t n;

	while (p < end && *p != ' ')
		p++;
	while (p < end && *p == ' ')
		p++;
	s = p;
	while (p < end && *p != ' ')
		p++;
	n = dns_name_trim(s, (size_t)(p - s));
	if (n > 0 && s[0] == '[' && s[n - 1] == ']') {	/* "[192.0.2.1]" */
		s++;
		n -= 2;
	}
	*tp = s;
	*tl = n;
	return n > 0 && ip_parse(s, n, &a);
}

static void
check_mx(struct zl *Z, struct zone_owner *e, const struct zone_rr *rr,
    uint32_t file, uint32_t ign)
{
	struct diag d;
	struct mxref *m;
	const char *tp;
	size_t tl;

	e->nmx = inc8(e->nmx);
	e->flags |= rr->u.mx.host.len == 0 ? F_NULLMX : F_REALMX;
	ctx_rec(&d, NULL, rr->rdata_text, rr->rdata_len);
	if ((e->flags & (F_NULLMX | F_REALMX)) == (F_NULLMX | F_REALMX) &&
	    !(e->flags & F_NULLMIX_DONE)) {
		e->flags |= F_NULLMIX_DONE;
		diag_reportf(&Z->fsink, DIAG_MX_NULL_MIXED, &d,
		    "%.*s has a null MX (\"0 .\") and other MX records",
		    (int)rr->owner.len, rr->owner.p);
	}
	if (rr->u.mx.host.len == 0)
		return;
	if (mx_ip_literal(rr, &tp, &tl)) {
		diag_reportf(&Z->fsink, DIAG_MX_IP_LITERAL, &d,
		    "MX target of %.*s is the address %.*s, not a host name",
		    (int)rr->owner.len, rr->owner.p, (int)tl, tp);
		return;
	}
	if (!buf_grow_array((void **)&Z->mx, &Z->mxcap, Z->nmx + 1,
	    sizeof(*Z->mx))) {
		Z->oom = true;
		return;
	}
	m = &Z->mx[Z->nmx];
	m->th = zone_index_hash(rr->u.mx.host.p, rr->u.mx.host.len);
	m->owner = keep_owner(Z, rr);
	m->target = arena_strndup(&Z->ix.arena, rr->u.mx.host.p,
	    rr->u.mx.host.len);
	m->file = file;
	m->line = rr->line;
	m->ign = ign;
	if (m->owner == NULL || m->target == NULL) {
		Z->oom = true;
		return;
	}
	Z->nmx++;
}

/* The strings of a TXT record joined (RFC 7208 §3.3), or NULL. */
static const char *
join_txt(struct zl *Z, const struct zone_rr *rr, size_t *len)
{
	size_t i;

	buf_reset(&Z->join);
	for (i = 0; i < rr->u.txt.n; i++)
		buf_add(&Z->join, rr->u.txt.s[i].p, rr->u.txt.s[i].len);
	if (Z->join.err) {
		buf_free(&Z->join);
		buf_init(&Z->join, JOIN_MAX);
		return NULL;
	}
	*len = Z->join.len;
	return buf_str(&Z->join);
}

/* spf.string-boundary: each place two strings meet without a space on
 * either side splits a term. */
static void
check_boundaries(struct zl *Z, const struct zone_rr *rr, const char *text,
    size_t len)
{
	const struct zone_str *s = rr->u.txt.s;
	size_t i, off = 0;
	struct diag d;

	for (i = 0; i + 1 < rr->u.txt.n; i++) {
		off += s[i].len;
		if (s[i].len == 0 || s[i + 1].len == 0 ||
		    s[i].p[s[i].len - 1] == ' ' || s[i + 1].p[0] == ' ')
			continue;
		ctx_rec(&d, NULL, text, len);
		d.has_span = true;
		d.span.off = off;
		d.span.len = 0;
		diag_reportf(&Z->fsink, DIAG_SPF_STRING_BOUNDARY, &d,
		    "strings %zu and %zu of the SPF record at %.*s join as "
		    "'...%.*s%.*s...' (no space between them)", i + 1, i + 2,
		    (int)rr->owner.len, rr->owner.p,
		    (int)(s[i].len < 12 ? s[i].len : 12),
		    s[i].p + s[i].len - (s[i].len < 12 ? s[i].len : 12),
		    (int)(s[i + 1].len < 12 ? s[i + 1].len : 12), s[i + 1].p);
	}
}

static void
memo_clear(struct dkim_memo *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->f[i].message);
	free(m->text);
	memset(m, 0, sizeof(*m));
}

/* Records dkim_lint()'s findings into Z->recording, then passes them on. */
static void
memo_cb(void *arg, const struct diag *d)
{
	struct zl *Z = arg;
	struct dkim_memo *m = Z->recording;
	struct memo_finding *f;

	if (m != NULL && !m->full) {
		if (m->n == DKIM_MEMO_MAX) {
			m->full = true;
		} else {
			f = &m->f[m->n];
			f->id = d->id;
			f->message = d->message != NULL ?
			    buf_strdup(d->message) : NULL;
			f->has_span = d->has_span;
			f->span = d->span;
			if (d->message != NULL && f->message == NULL)
				m->full = true;
			else
				m->n++;
		}
	}
	filter_cb(Z, d);
}

/* dkim_lint() on text, or the findings it gave the same text before. */
static void
lint_dkim(struct zl *Z, const char *text, size_t len, const struct diag *ctx)
{
	struct diag_sink sink;
	struct dkim_memo *m = NULL;
	struct dkim_key key;
	struct diag d;
	uint64_t h;
	size_t i;

	if (Z->memo == NULL)
		Z->memo = calloc(DKIM_MEMO_SLOTS, sizeof(*Z->memo));
	if (Z->memo != NULL && len <= DKIM_MEMO_TEXT) {
		h = zone_index_hash(text, len);
		m = &Z->memo[h & (DKIM_MEMO_SLOTS - 1)];
		if (m->h == h && m->len == len && !m->full &&
		    memcmp(m->text, text, len) == 0) {
			for (i = 0; i < m->n; i++) {
				d = *ctx;
				d.id = m->f[i].id;
				d.message = m->f[i].message;
				d.has_span = m->f[i].has_span;
				d.span = m->f[i].span;
				filter_cb(Z, &d);
			}
			return;
		}
		memo_clear(m);
		if ((m->text = buf_strndup(text, len)) != NULL) {
			m->h = h;
			m->len = len;
		} else {
			m = NULL;
		}
	}
	Z->recording = m;
	diag_sink_init(&sink, memo_cb, Z);
	memset(&key, 0, sizeof(key));
	if (dkim_lint(text, len, &key, &sink, ctx) != 0) {
		Z->oom = true;
		if (m != NULL)
			memo_clear(m);
	}
	Z->recording = NULL;
}

/* A key record at "*._domainkey.<domain>": the answer of every selector
 * without records of its own.  "v=DKIM1; p=" there is the parked-domain
 * practice (every such selector revoked), not a revoked key someone still
 * signs with; anything else is linted as a key. */
static void
check_dkim_wildcard(struct zl *Z, const char *owner, size_t on,
    const char *text, size_t len, const struct diag *d)
{
	struct dkim_record rec;
	struct diag_sink none;

	diag_sink_init(&none, NULL, NULL);
	dkim_parse(text, len, &rec, &none, NULL);
	diag_reportf(&Z->fsink, DIAG_DKIM_WILDCARD, d, "%.*s answers every "
	    "selector name under %.*s that has no records of its own%s",
	    (int)on, owner, (int)(on > 2 ? on - 2 : 0), owner + (on > 2 ? 2 :
	    on), rec.syntax_ok && rec.tag[DKIM_TAG_P].present &&
	    rec.tag[DKIM_TAG_P].value.len == 0 ? " with a revoked key: "
	    "signatures made with any selector not published fail" : "");
	if (!(rec.syntax_ok && rec.tag[DKIM_TAG_P].present &&
	    rec.tag[DKIM_TAG_P].value.len == 0))
		lint_dkim(Z, text, len, d);
}

/* Is p[0..n) one of the zone's apexes?  A wildcard right under an apex
 * answers for the domain's subdomains; deeper ones ("*._spf", "*.mail")
 * are mostly include targets, judged as any SPF record. */
static bool
at_apex(const struct zl *Z, const char *p, size_t n)
{
	for (size_t i = 0; i < Z->ix.napex; i++)
		if (strlen(Z->ix.apex[i]) == n &&
		    strncasecmp(Z->ix.apex[i], p, n) == 0)
			return true;
	return false;
}

/* An SPF record at "*.<domain>": spf.wildcard-all when it is "v=spf1
 * -all" alone, spf.wildcard-senders when it authorises anyone. */
static void
check_spf_wildcard(struct zl *Z, const char *owner, size_t on,
    const char *text, size_t len, const struct diag *d)
{
	struct spf_record *rec = spf_parse(text, len);
	bool closed, senders = false;

	if (rec == NULL) {
		Z->oom = true;
		return;
	}
	closed = rec->nerrs == 0 && rec->nterms == 1 &&
	    rec->terms[0].kind == SPF_T_MECH && rec->terms[0].mech ==
	    SPF_M_ALL && rec->terms[0].qual == '-';
	for (size_t i = 0; rec->nerrs == 0 && i < rec->nterms; i++)
		if ((rec->terms[i].kind == SPF_T_MECH &&
		    rec->terms[i].qual == '+') ||
		    (rec->terms[i].kind == SPF_T_MOD &&
		    rec->terms[i].mod == SPF_MOD_REDIRECT))
			senders = true;
	if (closed)
		diag_reportf(&Z->fsink, DIAG_SPF_WILDCARD_ALL, d, "%.*s gives "
		    "every name under %.*s without records of its own "
		    "\"v=spf1 -all\": no such subdomain can be used to send "
		    "mail in the domain's name (good practice)", (int)on, owner,
		    (int)(on > 2 ? on - 2 : 0), owner + (on > 2 ? 2 : on));
	else if (senders)
		diag_reportf(&Z->fsink, DIAG_SPF_WILDCARD_SENDERS, d, "%.*s "
		    "gives every name under %.*s without records of its own an "
		    "SPF record that authorises senders: any made-up subdomain "
		    "passes SPF for them", (int)on, owner,
		    (int)(on > 2 ? on - 2 : 0), owner + (on > 2 ? 2 : on));
	spf_record_free(rec);
}

/* Is the second label of p[0..n) `label` ("x._bimi.example")? */
static bool
second_label_is(const char *p, size_t n, const char *label)
{
	const char *dot = memchr(p, '.', n);

	if (dot == NULL)
		return false;
	dot++;
	return first_label_is(dot, n - (size_t)(dot - p), label);
}

/*
 * The records a receiver looks up by name besides SPF, DMARC and DKIM:
 * _mta-sts (RFC 8461 §3.1), _smtp._tls (RFC 8460 §3) and <selector>._bimi
 * (the BIMI draft).  Only records of the kind count (a TXT at the name
 * that is not one is ignored by receivers, as here).  Returns true when
 * the owner is one of those names.
 */
static bool
check_policy_txt(struct zl *Z, struct zone_owner *e, const char *owner,
    size_t on, const char *text, size_t len, const struct diag *d)
{
	union {
		struct mtasts_txt mt;
		struct tlsrpt_record tr;
		struct bimi_record br;
	} u;

	memset(&u, 0, sizeof(u));
	if (first_label_is(owner, on, "_mta-sts")) {
		if (!mtasts_is_record(text, len))
			return true;
		if ((e->npolicy = inc8(e->npolicy)) == 2)
			diag_reportf(&Z->fsink, DIAG_MTA_STS_MULTIPLE_RECORDS, d,
			    "%.*s has more than one v=STSv1 record",
			    (int)on, owner);
		mtasts_parse_txt(text, len, &u.mt, &Z->fsink, d);
		return true;
	}
	if (first_label_is(owner, on, "_smtp") &&
	    second_label_is(owner, on, "_tls")) {
		if (!tlsrpt_is_record(text, len))
			return true;
		if ((e->npolicy = inc8(e->npolicy)) == 2)
			diag_reportf(&Z->fsink, DIAG_TLSRPT_MULTIPLE_RECORDS, d,
			    "%.*s has more than one v=TLSRPTv1 record",
			    (int)on, owner);
		tlsrpt_parse(text, len, &u.tr, &Z->fsink, d);
		return true;
	}
	if (second_label_is(owner, on, "_bimi")) {
		if (!bimi_is_record(text, len))
			return true;
		/* BIMI has no ID of its own for this: as the live check. */
		if ((e->npolicy = inc8(e->npolicy)) == 2)
			diag_reportf(&Z->fsink, DIAG_BIMI_SYNTAX, d,
			    "%.*s has more than one v=BIMI1 record: receivers "
			    "use none", (int)on, owner);
		bimi_parse(text, len, &u.br, &Z->fsink, d);
		return true;
	}
	return false;
}

static void
check_txt(struct zl *Z, struct zone_owner *e, const struct zone_rr *rr,
    uint32_t file, uint32_t ign)
{
	const char *text, *owner = rr->owner.p;
	size_t len, on = rr->owner.len;
	bool too_long = (rr->flags & ZONE_RR_STRING_TOO_LONG) != 0, spf;
	struct dmarc_record dr;
	struct diag d;
	struct zone_txt *t;

	if ((uint64_t)e->txt_total + rr->u.txt.total > UINT32_MAX)
		e->txt_total = UINT32_MAX;
	else
		e->txt_total += (uint32_t)rr->u.txt.total;
	if ((text = join_txt(Z, rr, &len)) == NULL) {
		ctx_rec(&d, NULL, NULL, 0);
		diag_reportf(&Z->fsink, DIAG_ZONE_SYNTAX, &d,
		    "TXT record at %.*s too large to check", (int)on, owner);
		return;
	}
	ctx_rec(&d, owner, text, len);
	spf = spf_is_record(text, len) ||
	    (rr->u.txt.n > 0 && starts_spf1(rr->u.txt.s[0].p,
	    rr->u.txt.s[0].len));
	if (too_long)
		diag_reportf(&Z->fsink, spf ? DIAG_SPF_STRING_TOO_LONG :
		    DIAG_ZONE_SYNTAX, &d, "a character-string of the TXT "
		    "record at %.*s is over 255 octets", (int)on, owner);
	if (first_label_is(owner, on, "_dmarc")) {
		if (!dmarc_is_record(text, len))
			return;
		e->ndmarc = inc8(e->ndmarc);
		if (e->ndmarc == 2)
			diag_reportf(&Z->fsink, DIAG_DMARC_MULTIPLE_RECORDS, &d,
			    "%.*s has more than one v=DMARC1 record",
			    (int)on, owner);
		memset(&dr, 0, sizeof(dr));
		if (dmarc_parse(text, len, &dr, &Z->fsink, &d))
			dmarc_lint(&dr, &Z->fsink, &d);
		return;
	}
	if (check_policy_txt(Z, e, owner, on, text, len, &d))
		return;
	if (first_label_is(owner, on, "_adsp") &&
	    second_label_is(owner, on, "_domainkey")) {
		diag_reportf(&Z->fsink, DIAG_DKIM_ADSP_OBSOLETE, &d,
		    "%.*s is an ADSP record (RFC 5617, historic), not a DKIM "
		    "key: no receiver reads it", (int)on, owner);
		return;
	}
	if (is_dkim_owner(owner, on)) {
		if (dkim_is_foreign(text, len)) {
			/* Another kind of record at a selector name: what
			 * verifiers get there is not a key. */
			diag_reportf(&Z->fsink, DIAG_DKIM_NOT_A_KEY, &d,
			    "%.*s holds a record that is not a DKIM key "
			    "(v= is not DKIM1)", (int)on, owner);
			return;
		}
		e->ndkim = inc8(e->ndkim);
		if (e->ndkim == 2)
			diag_reportf(&Z->fsink, DIAG_DKIM_MULTIPLE_RECORDS, &d,
			    "%.*s has more than one TXT record", (int)on, owner);
		if (first_label_is(owner, on, "*"))
			check_dkim_wildcard(Z, owner, on, text, len, &d);
		else
			lint_dkim(Z, text, len, &d);
		return;
	}
	if (first_label_is(owner, on, "*")) {
		/* What the wildcard gives every name under its parent that
		 * has no records of its own. */
		if (dmarc_is_record(text, len) && !contains(owner, on,
		    "._report._dmarc"))
			diag_reportf(&Z->fsink, DIAG_DMARC_WILDCARD_RECORD, &d,
			    "a v=DMARC1 record in the wildcard %.*s: it is the "
			    "answer at _dmarc.<name> for every name under %.*s "
			    "without records of its own, a policy receivers "
			    "apply to those names", (int)on, owner,
			    (int)(on > 2 ? on - 2 : 0), owner + (on > 2 ? 2 : on));
		else if (spf_is_record(text, len) && at_apex(Z, owner + 2,
		    on - 2))
			check_spf_wildcard(Z, owner, on, text, len, &d);
	}
	if (spf) {
		e->flags |= F_SPF_TRIED;
		check_boundaries(Z, rr, text, len);
	}
	/* "v=spf1" "mx" joins to "v=spf1mx": receivers see no SPF record
	 * there, so it is not counted as one (the boundary says why). */
	if (spf_is_record(text, len)) {
		e->nspf = inc8(e->nspf);
		if (e->nspf == 2)
			diag_reportf(&Z->fsink, DIAG_SPF_MULTIPLE_RECORDS, &d,
			    "%.*s has more than one v=spf1 record (permerror)",
			    (int)on, owner);
	}
	/* Keep it: SPF may look it up (include, redirect, exp). */
	if ((t = zone_index_keep_txt(&Z->ix, e, owner, on, text, len)) ==
	    NULL) {
		Z->oom = true;
		return;
	}
	t->file = file;
	t->line = rr->line;
	t->ign = ign;
	t->spf = spf_is_record(text, len);
	/* misplaced unless a _dmarc CNAME leads here: see check_aliases */
	t->dmarc = dmarc_is_record(text, len) &&
	    !contains(owner, on, "._report._dmarc");
}

static void
note_cname(struct zl *Z, struct zone_owner *e, const struct zone_rr *rr,
    uint32_t file, uint32_t ign)
{
	struct aliasref *a;
	bool dmarc = first_label_is(rr->owner.p, rr->owner.len, "_dmarc");

	e->ncname = inc8(e->ncname);
	if (!zone_index_add_cname(&Z->ix, e, rr->u.target.p, rr->u.target.len))
		Z->oom = true;
	if (e->ncname > 1 || (!dmarc && !is_dkim_owner(rr->owner.p,
	    rr->owner.len)))
		return;
	/* followed after the pass, when the whole zone is known */
	if (!buf_grow_array((void **)&Z->alias, &Z->aliascap, Z->nalias + 1,
	    sizeof(*Z->alias))) {
		Z->oom = true;
		return;
	}
	a = &Z->alias[Z->nalias];
	a->owner = keep_owner(Z, rr);
	a->target = arena_strndup(&Z->ix.arena, rr->u.target.p,
	    rr->u.target.len);
	a->dmarc = dmarc;
	a->file = file;
	a->ign = ign;
	a->line = rr->line;
	if (a->owner == NULL || a->target == NULL) {
		Z->oom = true;
		return;
	}
	Z->nalias++;
}

/* The record's identity is hashed as it is read, field by field: 64-bit
 * FNV-1a (case-sensitive: TXT data is exact), mixed at the end. */
#define FNV_START	1469598103934665603ULL
#define FNV_PRIME	1099511628211ULL

static uint64_t
fnv_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= c[i];
		h *= FNV_PRIME;
	}
	return h;
}

static uint64_t
fnv_u32(uint64_t h, uint32_t v)
{
	return fnv_bytes(h, &v, sizeof(v));
}

/* A name, length first, ASCII letters folded (names compare without
 * case, RFC 4034 §6.2). */
static uint64_t
fnv_name(uint64_t h, const struct zone_name *n)
{
	size_t i;
	unsigned char c;

	h = fnv_u32(h, (uint32_t)n->len);
	for (i = 0; i < n->len; i++) {
		c = (unsigned char)ascii_lower(n->p[i]);
		h ^= c;
		h *= FNV_PRIME;
	}
	return h;
}

/*
 * The record's identity as a server sees it: owner, class, type and rdata
 * in a canonical form, so that `\# 4 C0000201` and `192.0.2.1` are the
 * same A record, names in rdata compare case-insensitively, and TXT
 * strings compare exactly (string boundaries included).  The TTL is not
 * part of it.  Types whose rdata the reader does not decode compare by
 * their text (tokens joined by one space): a difference in the case of a
 * name inside them then keeps both, which only loses an info finding.
 */
static uint64_t
rr_identity(const struct zone_rr *rr)
{
	uint64_t h = FNV_START;
	size_t i;

	h = fnv_name(h, &rr->owner);
	h = fnv_u32(h, (uint32_t)rr->class << 16 | rr->type);
	switch (rr->type) {
	case DNS_T_A: case DNS_T_AAAA:
		h = fnv_bytes(h, rr->u.addr.a, rr->type == DNS_T_A ? 4 : 16);
		break;
	case DNS_T_NS: case DNS_T_CNAME: case DNS_T_PTR:
		h = fnv_name(h, &rr->u.target);
		break;
	case DNS_T_MX:
		h = fnv_u32(h, rr->u.mx.pref);
		h = fnv_name(h, &rr->u.mx.host);
		break;
	case DNS_T_TXT: case DNS_T_SPF:
		for (i = 0; i < rr->u.txt.n; i++) {
			h = fnv_u32(h, (uint32_t)rr->u.txt.s[i].len);
			h = fnv_bytes(h, rr->u.txt.s[i].p, rr->u.txt.s[i].len);
		}
		break;
	case DNS_T_SOA:
		if (!(rr->flags & ZONE_RR_GENERIC)) {
			h = fnv_name(h, &rr->u.soa.mname);
			h = fnv_name(h, &rr->u.soa.rname);
			h = fnv_u32(h, rr->u.soa.serial);
			h = fnv_u32(h, rr->u.soa.refresh);
			h = fnv_u32(h, rr->u.soa.retry);
			h = fnv_u32(h, rr->u.soa.expire);
			h = fnv_u32(h, rr->u.soa.minimum);
			break;
		}
		/* FALLTHROUGH */
	default:
		h = fnv_bytes(h, (rr->flags & ZONE_RR_GENERIC) ? "G" : "T", 1);
		h = fnv_bytes(h, rr->rdata_text, rr->rdata_len);
		break;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h != 0 ? h : 1;
}

static bool
seen_grow(struct zl *Z)
{
	size_t nsize = Z->seensize ? Z->seensize * 2 : 4096, i, j;
	struct seen *nt = calloc(nsize, sizeof(*nt));

	if (nt == NULL)
		return false;
	for (i = 0; i < Z->seensize; i++) {
		if (Z->seen[i].h == 0)
			continue;
		for (j = (size_t)Z->seen[i].h & (nsize - 1); nt[j].h != 0;
		    j = (j + 1) & (nsize - 1))
			;
		nt[j] = Z->seen[i];
	}
	free(Z->seen);
	Z->seen = nt;
	Z->seensize = nsize;
	return true;
}

/*
 * Has an identical record (RFC 2181 §5: same owner, class, type and
 * rdata) been read before?  Then it is the same RR of the same RRset: a
 * server loads one, so the checks must see one (two identical CNAMEs are
 * not a conflict, two identical v=spf1 lines are not two SPF records).
 * The copy gets one zone.duplicate-record (info) naming the first.  A hash
 * collision (odds about n^2 / 2^65) could drop a different record.
 */
static bool
seen_before(struct zl *Z, const struct zone_rr *rr, uint32_t file)
{
	struct seen *s;
	struct diag d;
	uint64_t h;
	size_t j;

	h = rr_identity(rr);
	if ((Z->nseen + 1) * 10 > Z->seensize * 7 && !seen_grow(Z)) {
		Z->oom = true;
		return false;
	}
	for (j = (size_t)h & (Z->seensize - 1); Z->seen[j].h != 0;
	    j = (j + 1) & (Z->seensize - 1)) {
		s = &Z->seen[j];
		if (s->h != h)
			continue;
		memset(&d, 0, sizeof(d));
		diag_reportf(&Z->fsink, DIAG_ZONE_DUPLICATE_RECORD, &d,
		    "%.*s: the same record as %s:%lu (a server keeps one; "
		    "checked once)", (int)rr->owner.len, rr->owner.p,
		    s->file < Z->nfiles ? Z->files[s->file] : "?",
		    (unsigned long)s->line);
		return true;
	}
	s = &Z->seen[j];
	s->h = h;
	s->file = file;
	s->line = rr->line > UINT32_MAX ? UINT32_MAX : (uint32_t)rr->line;
	Z->nseen++;
	return false;
}

/* zone.unchecked-type once per type: the first record of it. */
static void
note_unchecked(struct zl *Z, const struct zone_rr *rr)
{
	const char *name = zone_type_name(rr->type);
	struct diag d;
	size_t i;

	for (i = 0; i < Z->nunchecked; i++)
		if (Z->unchecked[i] == rr->type)
			return;
	if (Z->nunchecked < sizeof(Z->unchecked) / sizeof(Z->unchecked[0]))
		Z->unchecked[Z->nunchecked++] = rr->type;
	ctx_rec(&d, NULL, rr->rdata_text, rr->rdata_len);
	diag_reportf(&Z->fsink, DIAG_ZONE_UNCHECKED_TYPE, &d,
	    "%s records (the first at %.*s): a server loads them, but "
	    "authcheck does not check their data; reported once",
	    name != NULL ? name : "these", (int)rr->owner.len, rr->owner.p);
}

/* "example.com.example.com": an owner written "example.com" (no final
 * dot) under $ORIGIN example.com., as some exports write the SOA. */
static bool
doubled_origin(const struct zone_rr *rr)
{
	size_t n = rr->owner.len, k = n / 2;

	return n >= 3 && n % 2 == 1 && rr->owner.p[k] == '.' &&
	    memcmp(rr->owner.p, rr->owner.p + k + 1, k) == 0;
}

/* A TLSA record as a DANE sender reads it (RFC 7672): the reader
 * checked its field count only. */
static void
check_tlsa(struct zl *Z, const struct zone_rr *rr)
{
	char owner[ZONE_NAME_MAX + 1];
	struct dns_rr t;
	struct tls_tlsa tt;
	struct diag d;
	uint8_t *buf;
	const char *why;
	size_t n = rr->owner.len < ZONE_NAME_MAX ? rr->owner.len :
	    ZONE_NAME_MAX;

	if ((buf = malloc(DNS_TLSA_MAX_DATA)) == NULL) {
		Z->oom = true;
		return;
	}
	memcpy(owner, rr->owner.p, n);
	owner[n] = '\0';
	ctx_rec(&d, NULL, rr->rdata_text, rr->rdata_len);
	if ((why = dns_tlsa_parse(rr->rdata_text, rr->rdata_len, &t, buf,
	    DNS_TLSA_MAX_DATA)) != NULL) {
		diag_reportf(&Z->fsink, DIAG_ZONE_SYNTAX, &d,
		    "bad TLSA rdata at %s: %s", owner, why);
	} else {
		tt.usage = t.u.tlsa.usage;
		tt.selector = t.u.tlsa.selector;
		tt.mtype = t.u.tlsa.mtype;
		tt.data = t.u.tlsa.data;
		tt.len = t.u.tlsa.len;
		dane_lint_rec(&tt, owner, &Z->fsink, &d);
	}
	free(buf);
}

static int
on_rr(void *arg, const struct zone_rr *rr)
{
	struct zl *Z = arg;
	struct zone_owner *e;
	struct diag d;
	uint32_t file = file_index(Z, rr->file), ign;

	Z->st->records++;
	ign = record_ignores(Z, rr);
	set_place(Z, file, rr->line, ign);
	if (seen_before(Z, rr, file))
		return Z->oom ? 1 : 0;
	if ((e = zone_index_get(&Z->ix, zone_index_hash(rr->owner.p,
	    rr->owner.len))) == NULL) {
		Z->oom = true;
		return 1;
	}
	e->types |= zone_index_type_bit(rr->type);
	if (rr->flags & ZONE_RR_UNCHECKED)
		note_unchecked(Z, rr);
	if (rr->type == DNS_T_SOA && doubled_origin(rr)) {
		ctx_rec(&d, NULL, NULL, 0);
		diag_reportf(&Z->fsink, DIAG_ZONE_SOA_NOT_AT_TOP, &d,
		    "the SOA's owner %.*s repeats the origin: written without "
		    "its final dot, so $ORIGIN was added; named refuses the "
		    "zone (not at top of zone)", (int)rr->owner_orig.len,
		    rr->owner_orig.p);
	}
	if (rr->type == DNS_T_SOA && rr->owner.len == 0) {
		/* not an apex: every name would be inside the zone, and
		 * names outside it would become NXDOMAIN */
		if (!Z->soa_root) {
			Z->soa_root = true;
			Z->soa_root_file = file;
			Z->soa_root_line = rr->line;
			Z->soa_root_ign = ign;
		}
	} else if (rr->type == DNS_T_SOA &&
	    !zone_index_add_apex(&Z->ix, rr->owner.p, rr->owner.len)) {
		Z->oom = true;
	}
	if (!(rr->flags & ZONE_RR_GENERIC) || rr->type == DNS_T_TXT) {
		if (rr->type == DNS_T_MX && !(rr->flags & ZONE_RR_GENERIC))
			check_mx(Z, e, rr, file, ign);
		else if (rr->type == DNS_T_TXT)
			check_txt(Z, e, rr, file, ign);
		else if (rr->type == DNS_T_CNAME)
			note_cname(Z, e, rr, file, ign);
	}
	if (rr->type == DNS_T_TLSA)
		check_tlsa(Z, rr);
	if (rr->type == DNS_T_SPF) {
		ctx_rec(&d, NULL, rr->rdata_text, rr->rdata_len);
		diag_reportf(&Z->fsink, DIAG_SPF_TYPE99, &d,
		    "%.*s publishes an SPF (type 99) record; only TXT is read",
		    (int)rr->owner.len, rr->owner.p);
	}
	if ((e->types & ZI_CNAME) && !(e->flags & F_CNAME_DONE) &&
	    ((e->types & ~(ZI_CNAME | ZI_DNSSEC)) || e->ncname > 1)) {
		e->flags |= F_CNAME_DONE;
		ctx_rec(&d, NULL, NULL, 0);
		diag_reportf(&Z->fsink, DIAG_ZONE_CNAME_AND_OTHER_DATA, &d,
		    "%.*s has a CNAME and %s", (int)rr->owner.len, rr->owner.p,
		    e->ncname > 1 ? "another CNAME" : "other records");
	}
	return Z->oom ? 1 : 0;
}

/* ---- after the pass ---------------------------------------------------- */

/* SPF lint findings: those about another record of this zone are that
 * record's own (it is linted too), except the two that depend on the path
 * from this root (loops, repeated includes); offline failures are outside
 * names. */
static void
spf_cb(void *arg, const struct diag *d)
{
	struct zl *Z = arg;
	const struct zone_owner *e;

	if (d->id == DIAG_DNS_FAILURE && Z->o->outside == NULL)
		return;
	/* a failure from a rejected in-zone record: zone.syntax said it */
	if (d->id == DIAG_DNS_FAILURE && Z->lk != NULL &&
	    Z->lk->nrejected > 0 && !Z->lk->incomplete)
		return;
	/* A record only included by others (no host, no mail there) needs no
	 * all: its "neutral" is the includer's "no match", as intended. */
	if (d->id == DIAG_SPF_NO_ALL &&
	    (e = zone_index_name(&Z->ix, Z->root)) != NULL &&
	    (e->flags & F_INCLUDED) && !(e->types & (ZI_A | ZI_AAAA | ZI_MX)))
		return;
	if (d->domain != NULL && strcmp(d->domain, Z->root) != 0 &&
	    d->id != DIAG_SPF_DUPLICATE_INCLUDE &&
	    d->id != DIAG_SPF_INCLUDE_LOOP &&
	    (e = zone_index_name(&Z->ix, d->domain)) != NULL &&
	    e->nspf > 0)
		return;
	filter_cb(Z, d);
}

/* Mark the in-zone include targets of t (F_INCLUDED). */
static void
mark_includes(struct zl *Z, const struct zone_txt *t)
{
	struct spf_record *rec = spf_parse(t->text, t->len);
	const struct spf_term *term;
	struct zone_owner *e, *next;
	size_t i, n;
	unsigned hops;
	const char *p;

	if (rec == NULL) {
		Z->oom = true;
		return;
	}
	for (i = 0; i < rec->nterms; i++) {
		term = &rec->terms[i];
		if (term->kind != SPF_T_MECH || term->mech != SPF_M_INCLUDE ||
		    !term->has_domain)
			continue;
		p = rec->text + term->domain.off;
		n = dns_name_trim(p, term->domain.len);
		if (memchr(p, '%', n) != NULL ||
		    (e = zone_index_find(&Z->ix, zone_index_hash(p, n))) ==
		    NULL)
			continue;
		/* through in-zone CNAMEs: the record is at the end */
		for (hops = 0; hops < ALIAS_HOPS && (e->types & ZI_CNAME) &&
		    e->cname != 0 && (next = zone_index_name(&Z->ix,
		    Z->ix.ctarget[e->cname - 1])) != NULL; hops++)
			e = next;
		e->flags |= F_INCLUDED;
	}
	spf_record_free(rec);
}

static void
lint_spf(struct zl *Z, const struct zone_txt *t)
{
	struct spf_lint_result res;
	struct zone_index_lookups lk;
	struct dns_resolver *r;
	struct diag_sink sink;
	struct diag d;
	struct zone_owner *e = zone_index_name(&Z->ix, t->owner);

	set_place(Z, t->file, t->line, t->ign);
	if (e != NULL && e->txt_total > TXT_ANSWER_MAX &&
	    !(e->flags & F_TOOLONG_DONE)) {
		e->flags |= F_TOOLONG_DONE;
		ctx_rec(&d, t->owner, t->text, t->len);
		diag_reportf(&Z->fsink, DIAG_SPF_RECORD_TOO_LONG, &d,
		    "the TXT records at %s hold %u octets (over %d)", t->owner,
		    (unsigned)e->txt_total, TXT_ANSWER_MAX);
	}
	memset(&lk, 0, sizeof(lk));
	lk.outside = Z->o->outside;
	if ((r = zone_index_resolver_new(&Z->ix, &lk)) == NULL) {
		Z->oom = true;
		return;
	}
	Z->root = t->owner;
	Z->lk = &lk;
	diag_sink_init(&sink, spf_cb, Z);
	if (spf_lint_record(r, t->owner, t->text, t->len, &sink, &res) != 0)
		Z->oom = true;
	Z->lk = NULL;
	if (lk.incomplete)
		Z->st->incomplete = true;
	if (lk.oom)	/* its dns.failure findings were taken as outside */
		Z->oom = true;
	if (lk.nout > 0) {
		ctx_rec(&d, t->owner, t->text, t->len);
		diag_reportf(&Z->fsink, DIAG_ZONE_OUTSIDE_LOOKUPS, &d,
		    "%zu%s name%s outside the zone (%s%s) not resolved offline: "
		    "%u lookup%s counted, a lower bound", lk.nout,
		    lk.nout == ZONE_INDEX_MAX_OUTSIDE ? "+" : "",
		    lk.nout == 1 ? "" : "s", lk.out_first,
		    lk.nout > 1 ? ", ..." : "", res.lookups,
		    res.lookups == 1 ? "" : "s");
	}
	spf_lint_result_free(&res);
	dns_free(r);
}

static void
check_mx_targets(struct zl *Z)
{
	const struct mxref *m;
	const struct zone_owner *e;
	struct diag d;
	size_t i;

	for (i = 0; i < Z->nmx; i++) {
		m = &Z->mx[i];
		if ((e = zone_index_find(&Z->ix, m->th)) == NULL ||
		    !(e->types & ZI_CNAME))
			continue;
		set_place(Z, m->file, m->line, m->ign);
		ctx_rec(&d, m->owner, NULL, 0);
		diag_reportf(&Z->fsink, DIAG_MX_CNAME, &d,
		    "MX target %s of %s is a CNAME in the zone", m->target,
		    m->owner);
	}
}

/* One record found at the end of an alias chain: linted as the kind the
 * alias's name asks for, with the alias as its domain. */
static void
lint_alias_record(struct zl *Z, const struct aliasref *a, const char *text,
    size_t len, unsigned *n)
{
	struct dmarc_record dr;
	struct diag d;

	ctx_rec(&d, a->owner, text, len);
	if (a->dmarc) {
		if (!dmarc_is_record(text, len))
			return;
		if (++*n == 2)
			diag_reportf(&Z->fsink, DIAG_DMARC_MULTIPLE_RECORDS, &d,
			    "%s (a CNAME) leads to more than one v=DMARC1 "
			    "record", a->owner);
		memset(&dr, 0, sizeof(dr));
		if (dmarc_parse(text, len, &dr, &Z->fsink, &d))
			dmarc_lint(&dr, &Z->fsink, &d);
		return;
	}
	if (++*n == 2)
		diag_reportf(&Z->fsink, DIAG_DKIM_MULTIPLE_RECORDS, &d,
		    "%s (a CNAME) leads to more than one TXT record", a->owner);
	lint_dkim(Z, text, len, &d);
}

/* The records a live receiver gets for an alias whose target is outside
 * the zone, through opts->outside (--live, --zone OTHER). */
static void
lint_alias_outside(struct zl *Z, const struct aliasref *a, const char *name)
{
	const struct dns_answer *ans;
	struct diag d;
	unsigned n = 0;
	size_t i, len;
	char *text;

	ans = dns_lookup(Z->o->outside, name, DNS_T_TXT);
	if (ans == NULL || (ans->status != DNS_OK &&
	    ans->status != DNS_NODATA && ans->status != DNS_NXDOMAIN)) {
		Z->st->incomplete = true;
		ctx_rec(&d, a->owner, NULL, 0);
		diag_reportf(&Z->fsink, DIAG_DNS_FAILURE, &d,
		    "TXT %s (the target of the CNAME at %s): %s", name,
		    a->owner, ans != NULL && ans->why != NULL ? ans->why :
		    "no answer");
		return;
	}
	for (i = 0; i < ans->nrr; i++) {
		if (ans->rr[i].type != DNS_T_TXT)
			continue;
		if ((text = dns_txt_join(&ans->rr[i], &len)) == NULL) {
			Z->oom = true;
			return;
		}
		lint_alias_record(Z, a, text, len, &n);
		free(text);
	}
	if (n == 0 && !a->dmarc) {
		ctx_rec(&d, a->owner, NULL, 0);
		diag_reportf(&Z->fsink, DIAG_DKIM_MISSING, &d,
		    "%s is a CNAME to %s, which has no TXT record (%s)",
		    a->owner, name, dns_status_name(ans->status));
	}
}

/*
 * DKIM selectors and _dmarc names that are CNAMEs: a receiver follows
 * them (RFC 6376 §3.6.2.2 lets a key be a CNAME to a provider's), so the
 * record at the end of the chain (at most ALIAS_HOPS hops) is checked
 * here as that kind of record, unless it sits at a name checked as such
 * anyway.  A chain that leaves the zone is resolved through
 * opts->outside, or, offline, said (zone.cname-outside).  SPF needs none
 * of this: its trees are resolved through CNAMEs by the index resolver.
 */
static void
check_aliases(struct zl *Z)
{
	const struct aliasref *a;
	struct zone_owner *e;
	const struct zone_txt *t;
	const char *name;
	struct diag d;
	unsigned n, hops;
	uint32_t k;
	size_t i, on;

	for (i = 0; i < Z->nalias && !Z->oom; i++) {
		a = &Z->alias[i];
		set_place(Z, a->file, a->line, a->ign);
		name = a->target;
		e = NULL;
		for (hops = 0; hops < ALIAS_HOPS; hops++) {
			if (!zone_index_inside(&Z->ix, name) ||
			    (e = zone_index_name(&Z->ix, name)) == NULL ||
			    !(e->types & ZI_CNAME) || e->cname == 0)
				break;
			name = Z->ix.ctarget[e->cname - 1];
			e = NULL;
		}
		ctx_rec(&d, a->owner, NULL, 0);
		if (hops == ALIAS_HOPS) {
			diag_reportf(&Z->fsink, DIAG_ZONE_SYNTAX, &d,
			    "%s: more than %d CNAMEs in a row (or a loop)",
			    a->owner, ALIAS_HOPS);
			continue;
		}
		if (!zone_index_inside(&Z->ix, name)) {
			if (Z->o->outside != NULL) {
				lint_alias_outside(Z, a, name);
				continue;
			}
			diag_reportf(&Z->fsink, DIAG_ZONE_CNAME_OUTSIDE, &d,
			    "%s is a CNAME to %s, outside the zone: its %s "
			    "record is not checked offline (--live checks it)",
			    a->owner, name, a->dmarc ? "DMARC" : "DKIM key");
			continue;
		}
		on = strlen(name);
		/* records at such names were checked where they are */
		if (a->dmarc ? first_label_is(name, on, "_dmarc") :
		    is_dkim_owner(name, on))
			continue;
		n = 0;
		if (e != NULL && a->dmarc)
			e->flags |= F_DMARC_TARGET;
		for (k = e != NULL ? e->txt : 0; k != 0 && !Z->oom;
		    k = Z->ix.txt[k - 1].next) {
			/* findings about the record go to its own line */
			t = &Z->ix.txt[k - 1];
			set_place(Z, t->file, t->line, t->ign);
			lint_alias_record(Z, a, t->text, t->len, &n);
		}
		set_place(Z, a->file, a->line, a->ign);
		if (n == 0 && !a->dmarc)
			diag_reportf(&Z->fsink, DIAG_DKIM_MISSING, &d,
			    "%s is a CNAME to %s, which has no TXT record in "
			    "the zone", a->owner, name);
	}
}

/*
 * A SOA owned by the root in a zone that is not the root zone (no NS at
 * the root): an export written with "$ORIGIN ." and then "@ SOA".  named
 * ignores it as out-of-zone data and refuses the zone ("has 0 SOA
 * records"), so the whole zone would fail to load.
 */
static void
check_soa_root(struct zl *Z)
{
	const struct zone_owner *e;
	struct diag d;

	if (!Z->soa_root ||
	    ((e = zone_index_name(&Z->ix, "")) != NULL && (e->types & ZI_NS)))
		return;
	set_place(Z, Z->soa_root_file, Z->soa_root_line, Z->soa_root_ign);
	ctx_rec(&d, NULL, NULL, 0);
	diag_reportf(&Z->fsink, DIAG_ZONE_SOA_NOT_AT_TOP, &d,
	    "the SOA is owned by the root ('@' with $ORIGIN .), not by the "
	    "zone's name: named ignores it and refuses the zone (no SOA)");
}

/*
 * The zone's apex receives mail (MX records other than a null MX) but has
 * no SPF record, or no DMARC record: the live report says so, and the zone
 * file is where the fix goes.  Only when the apex is its own
 * organizational domain for DMARC: a sub-domain zone may get its policy
 * from a parent's record (the tree walk).  A _dmarc CNAME counts as a
 * record (check_aliases follows it).  Reported at the apex's first MX.
 */
static void
check_missing(struct zl *Z)
{
	const struct zone_owner *e, *de;
	const struct mxref *m;
	char dname[ZONE_NAME_MAX + 8];
	struct diag d;
	size_t i, j;

	for (i = 0; i < Z->ix.napex; i++) {
		const char *apex = Z->ix.apex[i];

		for (j = 0; j < i && strcmp(Z->ix.apex[j], apex) != 0; j++)
			;
		if (j < i || apex[0] == '\0' ||
		    (e = zone_index_name(&Z->ix, apex)) == NULL ||
		    !(e->flags & F_REALMX))
			continue;
		for (j = 0; j < Z->nmx && strcmp(Z->mx[j].owner, apex) != 0;
		    j++)
			;
		if (j == Z->nmx)
			continue;	/* the MX were IP literals */
		m = &Z->mx[j];
		set_place(Z, m->file, m->line, m->ign);
		ctx_rec(&d, apex, NULL, 0);
		if (e->nspf == 0 && !(e->flags & F_SPF_TRIED) &&
		    !(e->types & ZI_REJECTED))
			diag_reportf(&Z->fsink, DIAG_SPF_MISSING, &d,
			    "%s has MX records but no v=spf1 TXT record: "
			    "receivers cannot tell its senders from forgers",
			    apex);
		snprintf(dname, sizeof(dname), "_dmarc.%s", apex);
		de = zone_index_name(&Z->ix, dname);
		/* a CNAME is followed, a delegation (NS) is another zone's */
		if ((de == NULL || (de->ndmarc == 0 &&
		    !(de->types & (ZI_CNAME | ZI_NS | ZI_REJECTED)))) &&
		    dmarc_is_org_domain(apex))
			diag_reportf(&Z->fsink, DIAG_DMARC_MISSING, &d,
			    "%s has MX records but no DMARC record at %s",
			    apex, dname);
	}
}

/* dmarc.wrong-location: v=DMARC1 records no _dmarc name leads to. */
static void
check_dmarc_places(struct zl *Z)
{
	const struct zone_txt *t;
	const struct zone_owner *e;
	struct diag d;
	size_t i;

	for (i = 0; i < Z->ix.ntxt; i++) {
		t = &Z->ix.txt[i];
		if (!t->dmarc || ((e = zone_index_name(&Z->ix, t->owner)) !=
		    NULL && (e->flags & F_DMARC_TARGET)))
			continue;
		/* a wildcard's: dmarc.wildcard-record says what it does */
		if (t->owner[0] == '*' && t->owner[1] == '.')
			continue;
		set_place(Z, t->file, t->line, t->ign);
		ctx_rec(&d, t->owner, t->text, t->len);
		diag_reportf(&Z->fsink, DIAG_DMARC_WRONG_LOCATION, &d,
		    "a v=DMARC1 record at %s: receivers only look at "
		    "_dmarc.<domain>", t->owner);
	}
}

/* The body of zone_lint_file() and zone_lint_mem(): mem is NULL to read
 * the file at path, else the zone text (mem_len bytes, no $INCLUDE). */
static int
lint_zone(const char *path, const char *mem, size_t mem_len,
    const struct zone_lint_opts *opts, struct diag_sink *sink,
    struct zone_lint_stats *st)
{
	struct zone_lint_stats nost;
	struct zl *Z;
	char guess[256];
	const char *origin;
	size_t i, olen;
	int n, rc = 0;

	if (st == NULL)
		st = &nost;
	memset(st, 0, sizeof(*st));
	if ((Z = calloc(1, sizeof(*Z))) == NULL)
		return -2;
	Z->o = opts;
	Z->sink = sink;
	Z->st = st;
	/* Big chunks for files (fewer mallocs on big zones); the default for
	 * zones in memory (fuzzing: many small inputs). */
	Z->ix.arena.chunk_size = mem == NULL ? 1u << 20 : 0;
	buf_init(&Z->join, JOIN_MAX);
	diag_sink_init(&Z->fsink, filter_cb, Z);
	origin = opts->origin != NULL ? opts->origin :
	    zone_origin_from_path(path, guess, sizeof(guess));
	if (origin != NULL) {
		olen = dns_name_trim(origin, strlen(origin));
		if (!zone_index_add_apex(&Z->ix, origin, olen))
			Z->oom = true;
	}
	n = mem == NULL ? zone_read_file(path, origin, on_rr, on_error, Z) :
	    zone_read_mem(mem, mem_len, path, origin, ZONE_READ_NO_INCLUDE,
	    on_rr, on_error, Z);
	if (n == -1) {
		rc = -1;
		goto out;
	}
	for (i = 0; i < Z->ix.ntxt && !Z->oom; i++)
		if (Z->ix.txt[i].spf)
			mark_includes(Z, &Z->ix.txt[i]);
	for (i = 0; i < Z->ix.ntxt && !Z->oom; i++)
		if (Z->ix.txt[i].spf)
			lint_spf(Z, &Z->ix.txt[i]);
	if (!Z->oom)
		check_mx_targets(Z);
	if (!Z->oom)
		check_aliases(Z);
	if (!Z->oom)
		check_dmarc_places(Z);
	if (!Z->oom)
		check_soa_root(Z);
	if (!Z->oom)
		check_missing(Z);
	if (Z->oom || Z->fsink.oom || n == -2)
		rc = -2;
out:
	free(Z->mx);
	free(Z->alias);
	free(Z->ign);
	free(Z->files);
	for (i = 0; Z->memo != NULL && i < DKIM_MEMO_SLOTS; i++)
		memo_clear(&Z->memo[i]);
	free(Z->memo);
	buf_free(&Z->join);
	free(Z->seen);
	zone_index_free(&Z->ix);
	free(Z);
	return rc;
}

int
zone_lint_file(const char *path, const struct zone_lint_opts *opts,
    struct diag_sink *sink, struct zone_lint_stats *st)
{
	return lint_zone(path, NULL, 0, opts, sink, st);
}

int
zone_lint_mem(const char *p, size_t len, const char *name,
    const struct zone_lint_opts *opts, struct diag_sink *sink,
    struct zone_lint_stats *st)
{
	return lint_zone(name, p != NULL ? p : "", p != NULL ? len : 0, opts,
	    sink, st);
}
