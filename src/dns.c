/*
 * dns.c -- resolver core: one entry per (name, type) for the whole run,
 * callbacks, counters.  The backends (dns_live.c, dns_zone.c, zone_index.c)
 * only resolve; everything callers see is kept here (see dns.h).
 *
 * Callbacks never run inside a backend: dns_query_done() queues them and
 * they fire from dns_submit(), dns_wait() or dns_run() once the backend has
 * returned, so a callback may submit new queries without re-entering the
 * backend's own loops.
 */
#include "ascii.h"
#include "arena.h"
#include "dns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define POLL_MS		1000

struct cbent {
	struct cbent *next;
	dns_cb *cb;			/* NULL: only counted (see tags) */
	void *arg;
	struct dns_query *q;
	unsigned tag;			/* of the submit, see dns_tag() */
};

struct dns_query {
	struct dns_query *hnext;	/* hash chain */
	char *key;			/* lowercase name, no trailing dot */
	uint16_t type;
	struct dns_answer ans;		/* status DNS_PENDING until done */
	struct cbent *waiting;		/* callbacks to fire when done */
	uint8_t *wire;			/* malloc'd copy of ans.wire */
};

struct dns_resolver {
	const struct dns_backend_ops *ops;
	void *be;
	struct dns_query **tab;
	size_t tabsize, count;
	struct arena arena;
	struct cbent *ready, **ready_tail;
	bool firing;
	unsigned tag;			/* given to new submits (dns_tag) */
	bool tagging;			/* dns_tag() was called: count every
					 * submit, callback or not */
	size_t pending[DNS_TAGS];	/* submits of each tag not yet
					 * completed */
	struct dns_stats stats;
	size_t wire_bytes;		/* kept answer messages, <= DNS_WIRE_MAX */
};

static const char *
arena_str(struct dns_resolver *r, const char *s)
{
	return s != NULL ? arena_strndup(&r->arena, s, strlen(s)) : NULL;
}

static size_t
name_hash(const char *s, uint16_t type)
{
	size_t h = 1469598103934665603ULL ^ type;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

/* Lowercase, strip one trailing dot (not of the root "."). */
static char *
make_key(struct dns_resolver *r, const char *name)
{
	size_t n = dns_name_trim(name, strlen(name));
	char *k;

	if ((k = arena_strndup(&r->arena, name, n)) == NULL)
		return NULL;
	ascii_lower_n(k, n);
	return k;
}

static bool
grow(struct dns_resolver *r)
{
	size_t nsize = r->tabsize ? r->tabsize * 2 : 256, i;
	struct dns_query **nt, *q, *next;

	if ((nt = calloc(nsize, sizeof(*nt))) == NULL)
		return false;
	for (i = 0; i < r->tabsize; i++)
		for (q = r->tab[i]; q != NULL; q = next) {
			next = q->hnext;
			q->hnext = nt[name_hash(q->key, q->type) % nsize];
			nt[name_hash(q->key, q->type) % nsize] = q;
		}
	free(r->tab);
	r->tab = nt;
	r->tabsize = nsize;
	return true;
}

struct dns_resolver *
dns_resolver_new(const struct dns_backend_ops *ops, void *be)
{
	struct dns_resolver *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->ops = ops;
	r->be = be;
	r->ready_tail = &r->ready;
	if (!grow(r)) {
		free(r);
		return NULL;
	}
	return r;
}

void *
dns_resolver_backend(struct dns_resolver *r)
{
	return r->be;
}

const struct dns_backend_ops *
dns_resolver_ops(const struct dns_resolver *r)
{
	return r->ops;
}

void
dns_free(struct dns_resolver *r)
{
	struct cbent *e, *en;
	size_t i;
	struct dns_query *q;

	if (r == NULL)
		return;
	if (r->ops != NULL && r->ops->free != NULL)
		r->ops->free(r->be);
	for (i = 0; i < r->tabsize; i++)
		for (q = r->tab[i]; q != NULL; q = q->hnext) {
			for (e = q->waiting; e != NULL; e = en) {
				en = e->next;
				free(e);
			}
			free(q->wire);
		}
	for (e = r->ready; e != NULL; e = en) {
		en = e->next;
		free(e);
	}
	free(r->tab);
	arena_free(&r->arena);
	free(r);
}

static void
fire(struct dns_resolver *r)
{
	struct cbent *e;

	if (r->firing)
		return;
	r->firing = true;
	while ((e = r->ready) != NULL) {
		unsigned saved = r->tag;

		if ((r->ready = e->next) == NULL)
			r->ready_tail = &r->ready;
		/* What a callback submits belongs to the work that asked the
		 * question it answers. */
		r->tag = e->tag;
		if (e->cb != NULL)
			e->cb(e->arg, e->q);
		r->tag = saved;
		r->pending[e->tag]--;
		free(e);
	}
	r->firing = false;
}

static void
queue_ready(struct dns_resolver *r, struct cbent *e)
{
	e->next = NULL;
	*r->ready_tail = e;
	r->ready_tail = &e->next;
}

bool
dns_name_valid(const char *name, size_t len)
{
	size_t i, label = 0;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return false;
	for (i = 0; i < len; i++) {
		if (name[i] == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (++label > 63)
			return false;
	}
	return label > 0;
}

size_t
dns_name_trim(const char *name, size_t n)
{
	return n > 1 && name[n - 1] == '.' ? n - 1 : n;
}

int
dns_name_norm(char *dst, size_t size, const char *name)
{
	size_t n = dns_name_trim(name, strlen(name));

	if (n >= size || !dns_name_valid(name, n))
		return -1;
	memmove(dst, name, n);
	dst[n] = '\0';
	ascii_lower_n(dst, n);
	return (int)n;
}

bool
dns_name_within(const char *name, const char *parent)
{
	size_t n = dns_name_trim(name, strlen(name));
	size_t p = dns_name_trim(parent, strlen(parent));

	if (p > n || strncasecmp(name + n - p, parent, p) != 0)
		return false;
	return n == p || name[n - p - 1] == '.';
}

static void
complete_local(struct dns_resolver *r, struct dns_query *q,
    enum dns_status st, const char *why)
{
	struct dns_answer a;

	memset(&a, 0, sizeof(a));
	a.status = st;
	a.why = why;
	dns_query_done(r, q, &a);
}

struct dns_query *
dns_submit(struct dns_resolver *r, const char *name, uint16_t type,
    dns_cb *cb, void *arg)
{
	struct dns_query *q;
	struct cbent *e;
	size_t h, n;
	char *key;

	r->stats.submitted++;
	if ((key = make_key(r, name)) == NULL)
		return NULL;
	h = name_hash(key, type);
	for (q = r->tab[h % r->tabsize]; q != NULL; q = q->hnext)
		if (q->type == type && strcmp(q->key, key) == 0)
			break;
	if (q != NULL) {
		r->stats.cache_hits++;
	} else {
		if (r->count * 2 >= r->tabsize && !grow(r))
			return NULL;
		if ((q = arena_alloc(&r->arena, sizeof(*q))) == NULL)
			return NULL;
		memset(q, 0, sizeof(*q));
		q->key = key;
		q->type = type;
		q->ans.status = DNS_PENDING;
		q->ans.qname = q->key;
		q->ans.qtype = type;
		q->hnext = r->tab[h % r->tabsize];
		r->tab[h % r->tabsize] = q;
		r->count++;
		r->stats.queries++;
		n = strlen(key);
		if (!dns_name_valid(key, n) && strcmp(key, ".") != 0)
			complete_local(r, q, DNS_BADNAME, "invalid domain name");
		else
			r->ops->start(r->be, q);
	}
	if (cb != NULL || r->tagging) {
		/* Without its entry cb could never fire: the caller must know
		 * (the query itself stays, answered for others).  With tags,
		 * a question without a callback gets an entry too, so that
		 * its tag counts it until it is answered. */
		if ((e = malloc(sizeof(*e))) == NULL)
			return NULL;
		e->cb = cb;
		e->arg = arg;
		e->q = q;
		e->tag = r->tag;
		r->pending[e->tag]++;
		if (q->ans.status != DNS_PENDING) {
			queue_ready(r, e);
		} else {
			e->next = q->waiting;
			q->waiting = e;
		}
	}
	fire(r);
	return q;
}

struct dns_query *
dns_find(struct dns_resolver *r, const char *name, uint16_t type)
{
	char key[256];
	size_t n = dns_name_trim(name, strlen(name));
	struct dns_query *q;

	if (n >= sizeof(key))
		return NULL;
	memcpy(key, name, n);
	key[n] = '\0';
	ascii_lower_n(key, n);
	for (q = r->tab[name_hash(key, type) % r->tabsize]; q != NULL;
	    q = q->hnext)
		if (q->type == type && strcmp(q->key, key) == 0)
			return q;
	return NULL;
}

void
dns_answer_set_dnssec(struct dns_resolver *r, struct dns_query *q,
    enum dnssec_status st, const char *why)
{
	if (q->ans.status == DNS_PENDING)
		return;
	q->ans.dnssec = st;
	/* Out of memory loses the reason, never the status. */
	q->ans.dnssec_why = why != NULL ? arena_str(r, why) : NULL;
}

void
dns_answer_drop_wire(struct dns_resolver *r, struct dns_query *q)
{
	if (q->wire == NULL)
		return;
	r->wire_bytes -= q->ans.wirelen;
	free(q->wire);
	q->wire = NULL;
	q->ans.wire = NULL;
	q->ans.wirelen = 0;
}

const struct dns_answer *
dns_answer(const struct dns_query *q)
{
	return q->ans.status == DNS_PENDING ? NULL : &q->ans;
}

const struct dns_answer *
dns_wait(struct dns_resolver *r, struct dns_query *q)
{
	size_t inflight;

	while (q->ans.status == DNS_PENDING) {
		inflight = r->ops->poll(r->be, POLL_MS);
		fire(r);
		if (q->ans.status == DNS_PENDING && inflight == 0) {
			/* The backend forgot it: never hang the caller. */
			complete_local(r, q, DNS_ERROR, "resolver lost the query");
			fire(r);
		}
	}
	return &q->ans;
}

const struct dns_answer *
dns_lookup(struct dns_resolver *r, const char *name, uint16_t type)
{
	static const struct dns_answer oom = { .status = DNS_ERROR,
		.why = "out of memory" };
	struct dns_query *q = dns_submit(r, name, type, NULL, NULL);

	return q != NULL ? dns_wait(r, q) : &oom;
}

void
dns_run(struct dns_resolver *r)
{
	do {
		fire(r);
	} while (r->ops->poll(r->be, POLL_MS) > 0 || r->ready != NULL);
	fire(r);
}

unsigned
dns_tag(struct dns_resolver *r, unsigned tag)
{
	unsigned old = r->tag;

	r->tagging = true;
	r->tag = tag % DNS_TAGS;
	return old;
}

size_t
dns_pending(const struct dns_resolver *r, unsigned tag)
{
	return r->pending[tag % DNS_TAGS];
}

/* Complete every question still pending with an error: the backend has
 * nothing in flight, so they would never be answered. */
static void
lose_pending(struct dns_resolver *r)
{
	struct dns_query *q;

	for (size_t i = 0; i < r->tabsize; i++)
		for (q = r->tab[i]; q != NULL; q = q->hnext)
			if (q->ans.status == DNS_PENDING)
				complete_local(r, q, DNS_ERROR,
				    "resolver lost the query");
}

void
dns_run_tag(struct dns_resolver *r, unsigned tag)
{
	size_t inflight;

	tag %= DNS_TAGS;
	fire(r);
	while (r->pending[tag] > 0) {
		inflight = r->ops->poll(r->be, POLL_MS);
		fire(r);
		/* Callbacks may have started new questions since the poll:
		 * only a backend idle after them has forgotten some. */
		if (r->pending[tag] > 0 && inflight == 0 && r->ready == NULL &&
		    r->ops->poll(r->be, 0) == 0 && r->ready == NULL) {
			/* The backend forgot some: never hang the caller. */
			lose_pending(r);
			fire(r);
		}
	}
}

int
dns_forget(struct dns_resolver *r)
{
	struct dns_query *q;

	if (r->ready != NULL || r->firing)
		return -1;
	for (size_t i = 0; i < r->tabsize; i++)
		for (q = r->tab[i]; q != NULL; q = q->hnext)
			if (q->ans.status == DNS_PENDING || q->waiting != NULL)
				return -1;
	memset(r->tab, 0, r->tabsize * sizeof(*r->tab));
	r->count = 0;
	arena_free(&r->arena);
	return 0;
}

const struct dns_stats *
dns_stats(const struct dns_resolver *r)
{
	return &r->stats;
}

struct dns_stats *
dns_stats_mut(struct dns_resolver *r)
{
	return &r->stats;
}

const char *
dns_query_name(const struct dns_query *q)
{
	return q->key;
}

uint16_t
dns_query_type(const struct dns_query *q)
{
	return q->type;
}

/* Deep-copy one RR's variable parts into the arena. */
static bool
copy_rr(struct dns_resolver *r, struct dns_rr *d, const struct dns_rr *s)
{
	struct dns_str *strs;
	size_t i;

	*d = *s;
	if ((d->owner = arena_str(r, s->owner != NULL ? s->owner : "")) == NULL)
		return false;
	switch (s->type) {
	case DNS_T_MX:
		d->u.mx.host = arena_str(r, s->u.mx.host != NULL ? s->u.mx.host : "");
		return d->u.mx.host != NULL;
	case DNS_T_CNAME:
	case DNS_T_PTR:
	case DNS_T_NS:
		d->u.target = arena_str(r, s->u.target != NULL ? s->u.target : "");
		return d->u.target != NULL;
	case DNS_T_TXT:
	case DNS_T_SPF:
		strs = arena_alloc(&r->arena, (s->u.txt.n ? s->u.txt.n : 1) * sizeof(*strs));
		if (strs == NULL)
			return false;
		d->u.txt.total = 0;
		for (i = 0; i < s->u.txt.n; i++) {
			strs[i].len = s->u.txt.s[i].len;
			strs[i].p = arena_strndup(&r->arena, s->u.txt.s[i].p, strs[i].len);
			if (strs[i].p == NULL)
				return false;
			d->u.txt.total += strs[i].len;
		}
		d->u.txt.s = strs;
		return true;
	case DNS_T_TLSA: {
		uint8_t *data = arena_alloc(&r->arena, s->u.tlsa.len ?
		    s->u.tlsa.len : 1);

		if (data == NULL)
			return false;
		if (s->u.tlsa.len > 0)
			memcpy(data, s->u.tlsa.data, s->u.tlsa.len);
		d->u.tlsa.data = data;
		return true;
	}
	default:
		return true;
	}
}

void
dns_query_done(struct dns_resolver *r, struct dns_query *q,
    const struct dns_answer *a)
{
	struct dns_rr *rrs = NULL;
	struct cbent *e, *next;
	size_t i;
	bool oom;

	if (q->ans.status != DNS_PENDING)
		return;
	q->ans.status = a->status == DNS_PENDING ? DNS_ERROR : a->status;
	q->ans.rcode = a->rcode;
	q->ans.canon = a->canon != NULL ? arena_str(r, a->canon) : q->key;
	q->ans.ncname = a->ncname;
	q->ans.tcp = a->tcp;
	q->ans.why = arena_str(r, a->why);
	q->ans.dnssec = a->dnssec;
	q->ans.dnssec_why = arena_str(r, a->dnssec_why);
	oom = q->ans.canon == NULL || (a->why != NULL && q->ans.why == NULL) ||
	    (a->dnssec_why != NULL && q->ans.dnssec_why == NULL);
	if (!oom && a->nrr > 0) {
		rrs = arena_alloc(&r->arena, a->nrr * sizeof(*rrs));
		oom = rrs == NULL;
		for (i = 0; !oom && i < a->nrr; i++)
			if (!copy_rr(r, &rrs[i], &a->rr[i]))
				oom = true;
		q->ans.nrr = a->nrr;
		q->ans.rr = rrs;
	}
	if (oom) {
		/* Part of the answer is lost: it must not read as an answer. */
		q->ans.status = DNS_ERROR;
		q->ans.canon = q->key;
		q->ans.why = "out of memory";
		q->ans.nrr = 0;
		q->ans.rr = NULL;
	}
	if (!oom && a->wire != NULL && a->wirelen > 0 &&
	    a->wirelen <= DNS_WIRE_MAX - r->wire_bytes &&
	    (q->wire = malloc(a->wirelen)) != NULL) {
		/* Without it the answer stays whole; validation says it
		 * could not judge it. */
		memcpy(q->wire, a->wire, a->wirelen);
		q->ans.wire = q->wire;
		q->ans.wirelen = a->wirelen;
		r->wire_bytes += a->wirelen;
	}
	if (q->ans.status == DNS_TIMEOUT)
		r->stats.timeouts++;
	for (e = q->waiting; e != NULL; e = next) {
		next = e->next;
		queue_ready(r, e);
	}
	q->waiting = NULL;
}

const char *
dns_status_name(enum dns_status s)
{
	switch (s) {
	case DNS_PENDING:	return "PENDING";
	case DNS_OK:		return "NOERROR";
	case DNS_NODATA:	return "NODATA";
	case DNS_NXDOMAIN:	return "NXDOMAIN";
	case DNS_SERVFAIL:	return "SERVFAIL";
	case DNS_TIMEOUT:	return "TIMEOUT";
	case DNS_BADNAME:	return "BADNAME";
	case DNS_ERROR:		return "ERROR";
	}
	return "?";
}

const char *
dns_type_name(uint16_t type)
{
	static char buf[16];

	switch (type) {
	case DNS_T_A:		return "A";
	case DNS_T_NS:		return "NS";
	case DNS_T_CNAME:	return "CNAME";
	case DNS_T_SOA:		return "SOA";
	case DNS_T_PTR:		return "PTR";
	case DNS_T_MX:		return "MX";
	case DNS_T_TXT:		return "TXT";
	case DNS_T_AAAA:	return "AAAA";
	case DNS_T_TLSA:	return "TLSA";
	case DNS_T_SPF:		return "SPF";
	case DNS_T_DS:		return "DS";
	case DNS_T_RRSIG:	return "RRSIG";
	case DNS_T_DNSKEY:	return "DNSKEY";
	}
	/* Not thread-safe; authcheck is single-threaded. */
	snprintf(buf, sizeof(buf), "TYPE%u", (unsigned)type);
	return buf;
}

char *
dns_txt_join(const struct dns_rr *rr, size_t *len)
{
	size_t i, off = 0, total = 0;
	char *p;

	for (i = 0; i < rr->u.txt.n; i++)
		total += rr->u.txt.s[i].len;
	if ((p = malloc(total + 1)) == NULL)
		return NULL;
	for (i = 0; i < rr->u.txt.n; i++) {
		memcpy(p + off, rr->u.txt.s[i].p, rr->u.txt.s[i].len);
		off += rr->u.txt.s[i].len;
	}
	p[off] = '\0';
	if (len != NULL)
		*len = off;
	return p;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = ascii_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static bool
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A decimal field 0..max at *i of p[0..len); moves *i past it. */
static bool
tlsa_field(const char *p, size_t len, size_t *i, unsigned max, unsigned *out)
{
	unsigned v = 0;
	size_t start;

	while (*i < len && blank(p[*i]))
		(*i)++;
	start = *i;
	while (*i < len && p[*i] >= '0' && p[*i] <= '9' && *i - start < 6)
		v = v * 10 + (unsigned)(p[(*i)++] - '0');
	if (*i == start || v > max || (*i < len && !blank(p[*i])))
		return false;
	*out = v;
	return true;
}

/* Hex digits of p[i..len), blanks between them allowed, into buf. */
static const char *
tlsa_hex(const char *p, size_t len, size_t i, uint8_t *buf, size_t bufsize,
    size_t *n)
{
	int hi = -1;

	*n = 0;
	for (; i < len; i++) {
		int v;

		if (blank(p[i]))
			continue;
		if ((v = hexval(p[i])) < 0)
			return "the data is not hexadecimal";
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (*n == bufsize)
			return "the data is too long";
		buf[(*n)++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0)
		return "the data has an odd number of hex digits";
	return NULL;
}

const char *
dns_tlsa_parse(const char *p, size_t len, struct dns_rr *rr, uint8_t *buf,
    size_t bufsize)
{
	unsigned u, s, m, wlen;
	size_t i = 0, n;
	const char *why;

	memset(rr, 0, sizeof(*rr));
	rr->type = DNS_T_TLSA;
	while (i < len && blank(p[i]))
		i++;
	if (len - i >= 2 && p[i] == '\\' && p[i + 1] == '#') {
		/* RFC 3597: \# LEN HEX, the wire form */
		i += 2;
		if (!tlsa_field(p, len, &i, 65535, &wlen))
			return "bad \\# length";
		if ((why = tlsa_hex(p, len, i, buf, bufsize, &n)) != NULL)
			return why;
		if (n != wlen)
			return "the \\# length does not match the data";
		if (n < 4)
			return "shorter than usage, selector, matching type "
			    "and data";
		rr->u.tlsa.usage = buf[0];
		rr->u.tlsa.selector = buf[1];
		rr->u.tlsa.mtype = buf[2];
		rr->u.tlsa.data = buf + 3;
		rr->u.tlsa.len = n - 3;
		return NULL;
	}
	if (!tlsa_field(p, len, &i, 255, &u) ||
	    !tlsa_field(p, len, &i, 255, &s) ||
	    !tlsa_field(p, len, &i, 255, &m))
		return "usage, selector and matching type must be numbers "
		    "0..255";
	if ((why = tlsa_hex(p, len, i, buf, bufsize, &n)) != NULL)
		return why;
	if (n == 0)
		return "no certificate association data";
	rr->u.tlsa.usage = (uint8_t)u;
	rr->u.tlsa.selector = (uint8_t)s;
	rr->u.tlsa.mtype = (uint8_t)m;
	rr->u.tlsa.data = buf;
	rr->u.tlsa.len = n;
	return NULL;
}
