/*
 * zone_index.c -- a zone's owner names in a hash index, and the resolver
 * backend answering from it (see zone_index.h).
 */
#include "ascii.h"
#include "zone_index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "dns.h"
#include "zone_read.h"

#define MAX_ANSWER_RR	256		/* RRs in one synthesized answer */
#define MAX_CNAME_HOPS	16

static bool inside(const struct zone_index *ix, const char *name);

/* ---- the index ---------------------------------------------------------- */

uint64_t
zone_index_hash(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)ascii_lower(p[i]);
		h ^= c;
		h *= 1099511628211ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h != 0 ? h : 1;
}

static bool
tab_grow(struct zone_index *ix)
{
	size_t nsize = ix->tabsize ? ix->tabsize * 2 : 4096, i, j;
	struct zone_owner *nt = calloc(nsize, sizeof(*nt));

	if (nt == NULL)
		return false;
	for (i = 0; i < ix->tabsize; i++) {
		if (ix->tab[i].h == 0)
			continue;
		j = (size_t)ix->tab[i].h & (nsize - 1);
		while (nt[j].h != 0)
			j = (j + 1) & (nsize - 1);
		nt[j] = ix->tab[i];
	}
	free(ix->tab);
	ix->tab = nt;
	ix->tabsize = nsize;
	return true;
}

struct zone_owner *
zone_index_find(const struct zone_index *ix, uint64_t h)
{
	size_t j;

	if (ix->tabsize == 0)
		return NULL;
	for (j = (size_t)h & (ix->tabsize - 1); ix->tab[j].h != 0;
	    j = (j + 1) & (ix->tabsize - 1))
		if (ix->tab[j].h == h)
			return &ix->tab[j];
	return NULL;
}

struct zone_owner *
zone_index_name(const struct zone_index *ix, const char *name)
{
	return zone_index_find(ix, zone_index_hash(name, strlen(name)));
}

struct zone_owner *
zone_index_get(struct zone_index *ix, uint64_t h)
{
	struct zone_owner *e;
	size_t j;

	if ((e = zone_index_find(ix, h)) != NULL)
		return e;
	if ((ix->count + 1) * 10 > ix->tabsize * 7 && !tab_grow(ix))
		return NULL;
	for (j = (size_t)h & (ix->tabsize - 1); ix->tab[j].h != 0;
	    j = (j + 1) & (ix->tabsize - 1))
		;
	ix->tab[j].h = h;
	ix->count++;
	return &ix->tab[j];
}

uint16_t
zone_index_type_bit(uint16_t type)
{
	switch (type) {
	case DNS_T_A:		return ZI_A;
	case DNS_T_AAAA:	return ZI_AAAA;
	case DNS_T_MX:		return ZI_MX;
	case DNS_T_TXT:		return ZI_TXT;
	case DNS_T_CNAME:	return ZI_CNAME;
	case DNS_T_NS:		return ZI_NS;
	case DNS_T_SOA:		return ZI_SOA;
	case DNS_T_SPF:		return ZI_SPF99;
	case 46: case 47:	return ZI_DNSSEC;	/* RRSIG, NSEC */
	default:		return ZI_OTHER;
	}
}

bool
zone_index_add_apex(struct zone_index *ix, const char *p, size_t n)
{
	char *s;

	if (ix->napex >= ZONE_INDEX_MAX_APEX)
		return true;
	if ((s = arena_strndup(&ix->arena, p, n)) == NULL)
		return false;
	ascii_lower_n(s, n);
	ix->apex[ix->napex++] = s;
	return true;
}

struct zone_txt *
zone_index_keep_txt(struct zone_index *ix, struct zone_owner *e,
    const char *owner, size_t on, const char *text, size_t len)
{
	struct zone_txt *t;
	uint32_t k;

	if (!buf_grow_array((void **)&ix->txt, &ix->txtcap, ix->ntxt + 1,
	    sizeof(*ix->txt)) || ix->ntxt >= UINT32_MAX - 1)
		return NULL;
	t = &ix->txt[ix->ntxt];
	memset(t, 0, sizeof(*t));
	t->owner = arena_strndup(&ix->arena, owner, on);
	t->text = arena_strndup(&ix->arena, text, len);
	if (t->owner == NULL || t->text == NULL)
		return NULL;
	t->len = (uint32_t)len;
	/* Kept in file order at the owner (prepending would reverse it). */
	if (e->txt == 0) {
		e->txt = (uint32_t)ix->ntxt + 1;
	} else {
		for (k = e->txt; ix->txt[k - 1].next != 0;
		    k = ix->txt[k - 1].next)
			;
		ix->txt[k - 1].next = (uint32_t)ix->ntxt + 1;
	}
	ix->ntxt++;
	return t;
}

bool
zone_index_add_cname(struct zone_index *ix, struct zone_owner *e,
    const char *p, size_t n)
{
	const char *t;

	if (e->cname != 0)
		return true;
	if (!buf_grow_array((void **)&ix->ctarget, &ix->ctcap, ix->nct + 1,
	    sizeof(*ix->ctarget)) ||
	    (t = arena_strndup(&ix->arena, p, n)) == NULL)
		return false;
	ix->ctarget[ix->nct++] = t;
	e->cname = (uint32_t)ix->nct;
	return true;
}

void
zone_index_free(struct zone_index *ix)
{
	free(ix->tab);
	free(ix->txt);
	free(ix->ctarget);
	arena_free(&ix->arena);
	ix->tab = NULL;
	ix->txt = NULL;
	ix->ctarget = NULL;
	ix->tabsize = ix->count = ix->ntxt = ix->txtcap = 0;
	ix->nct = ix->ctcap = ix->napex = 0;
}

bool
zone_index_inside(const struct zone_index *ix, const char *name)
{
	return inside(ix, name);
}

/* ---- the resolver over the index ---------------------------------------- */

/* The backend: the index, the caller's lookups, scratch answers. */
struct ixr {
	const struct zone_index *ix;
	struct zone_index_lookups *lk;
	struct dns_resolver *r;
	struct dns_rr *rrs;
	size_t rrcap;
	struct dns_str *strs;
	size_t strcap;
};

static bool
within_apex(const struct zone_index *ix, const char *name)
{
	size_t i;

	for (i = 0; i < ix->napex; i++)
		if (dns_name_within(name, ix->apex[i]))
			return true;
	return false;
}

static bool
is_apex(const struct zone_index *ix, const char *name)
{
	size_t i;

	for (i = 0; i < ix->napex; i++)
		if (strcasecmp(ix->apex[i], name) == 0)
			return true;
	return false;
}

/* At or below a delegation: a name or ancestor with NS records that is not
 * an apex (RFC 1034 §4.2.1: the data there, glue included, is the child
 * zone's, not this one's).  Only when an apex is known: a fragment without
 * one may hold its own top's NS. */
static bool
below_cut(const struct zone_index *ix, const char *name)
{
	const struct zone_owner *e;
	const char *p = name;

	if (ix->napex == 0)
		return false;
	while (p != NULL && *p != '\0' && !is_apex(ix, p)) {
		if ((e = zone_index_name(ix, p)) != NULL && (e->types & ZI_NS))
			return true;
		if ((p = strchr(p, '.')) != NULL)
			p++;
	}
	return false;
}

/* Inside the zone: not below a delegation, and under an apex (origin or
 * SOA owner), or the name or one of its ancestors is in the index (files
 * without an SOA). */
static bool
inside(const struct zone_index *ix, const char *name)
{
	const char *p = name;

	if (below_cut(ix, name))
		return false;
	if (within_apex(ix, name))
		return true;
	while (p != NULL && *p != '\0') {
		if (zone_index_name(ix, p) != NULL)
			return true;
		if ((p = strchr(p, '.')) != NULL)
			p++;
	}
	return false;
}

/* The entry answering for name: itself, else the closest "*.ancestor". */
static const struct zone_owner *
lookup(const struct zone_index *ix, const char *name)
{
	const struct zone_owner *e = zone_index_name(ix, name);
	const char *p = name;
	char w[ZONE_NAME_MAX + 4];
	size_t n;

	if (e != NULL)
		return e;
	while ((p = strchr(p, '.')) != NULL) {
		p++;
		if ((n = strlen(p)) + 3 > sizeof(w))
			break;
		w[0] = '*';
		w[1] = '.';
		memcpy(w + 2, p, n + 1);
		if ((e = zone_index_name(ix, w)) != NULL)
			return e;
		if (zone_index_name(ix, p) != NULL)
			break;	/* an existing ancestor ends the search */
	}
	return NULL;
}

struct fwd {
	struct ixr *X;
	struct dns_resolver *r;
	struct dns_query *q;
};

static void
fwd_done(void *arg, struct dns_query *oq)
{
	struct fwd *f = arg;
	const struct dns_answer *a = dns_answer(oq);
	struct dns_answer fail;

	if (a == NULL) {
		memset(&fail, 0, sizeof(fail));
		fail.status = DNS_ERROR;
		fail.why = "no answer";
		a = &fail;
	}
	if (a->status != DNS_OK && a->status != DNS_NODATA &&
	    a->status != DNS_NXDOMAIN)
		f->X->lk->incomplete = true;
	dns_query_done(f->r, f->q, a);
	free(f);
}

/* Memory ran out making the answer: say so, never NODATA. */
static void
answer_oom(struct ixr *X, struct dns_query *q)
{
	struct dns_answer a;

	memset(&a, 0, sizeof(a));
	a.status = DNS_ERROR;
	a.why = "out of memory";
	X->lk->oom = true;
	dns_query_done(X->r, q, &a);
}

static void
answer_outside(struct ixr *X, struct dns_query *q, const char *name,
    uint16_t type)
{
	struct dns_answer a;
	struct fwd *f;
	uint64_t h;
	size_t i;

	memset(&a, 0, sizeof(a));
	if (X->lk->outside != NULL) {
		if ((f = malloc(sizeof(*f))) == NULL) {
			answer_oom(X, q);
			return;
		}
		f->X = X;
		f->r = X->r;
		f->q = q;
		if (dns_submit(X->lk->outside, name, type, fwd_done, f) ==
		    NULL) {
			free(f);
			answer_oom(X, q);
		}
		return;
	}
	h = zone_index_hash(name, strlen(name));
	for (i = 0; i < X->lk->nout && X->lk->outh[i] != h; i++)
		;
	if (i == X->lk->nout && X->lk->nout < ZONE_INDEX_MAX_OUTSIDE) {
		if (X->lk->nout == 0)
			snprintf(X->lk->out_first, sizeof(X->lk->out_first),
			    "%s", name);
		X->lk->outh[X->lk->nout++] = h;
	}
	a.status = DNS_SERVFAIL;
	a.why = "outside the zone, not resolved offline";
	dns_query_done(X->r, q, &a);
}

/* Room for n RRs (and k strings) in the scratch arrays. */
static bool
reserve_rrs(struct ixr *X, size_t n, size_t k)
{
	return buf_grow_array((void **)&X->rrs, &X->rrcap, n ? n : 1,
	    sizeof(*X->rrs)) && buf_grow_array((void **)&X->strs, &X->strcap,
	    k ? k : 1, sizeof(*X->strs));
}

/* The kept TXT records at e as RRs, strings cut at 255 octets, into
 * X->rrs[0..*nrr); false when out of memory. */
static bool
txt_rrs(struct ixr *X, const struct zone_owner *e, const char *owner,
    size_t *nrr)
{
	const struct zone_txt *t;
	size_t n = 0, k = 0, o, c;
	uint32_t i;

	for (i = e->txt; i != 0 && n < MAX_ANSWER_RR;
	    i = X->ix->txt[i - 1].next) {
		n++;
		k += X->ix->txt[i - 1].len / 255 + 1;
	}
	if (!reserve_rrs(X, n, k))
		return false;
	n = k = 0;
	for (i = e->txt; i != 0 && n < MAX_ANSWER_RR;
	    i = X->ix->txt[i - 1].next) {
		t = &X->ix->txt[i - 1];
		memset(&X->rrs[n], 0, sizeof(X->rrs[n]));
		X->rrs[n].type = DNS_T_TXT;
		X->rrs[n].owner = owner;
		X->rrs[n].u.txt.s = &X->strs[k];
		for (o = 0; o == 0 || o < t->len; o += c) {
			c = t->len - o > 255 ? 255 : t->len - o;
			X->strs[k].p = t->text + o;
			X->strs[k].len = (uint8_t)c;
			k++;
			X->rrs[n].u.txt.n++;
			if (c == 0)
				break;
		}
		X->rrs[n].u.txt.total = t->len;
		n++;
	}
	*nrr = n;
	return true;
}

/* n placeholder RRs (only their number is used by the lint) into
 * X->rrs[0..*nrr); false when out of memory. */
static bool
count_rrs(struct ixr *X, uint16_t type, size_t n, const char *owner,
    size_t *nrr)
{
	size_t i;

	if (!reserve_rrs(X, n, 0))
		return false;
	for (i = 0; i < n; i++) {
		memset(&X->rrs[i], 0, sizeof(X->rrs[i]));
		X->rrs[i].type = type;
		X->rrs[i].owner = owner;
		if (type == DNS_T_MX)
			X->rrs[i].u.mx.host = "";
		else
			X->rrs[i].u.addr.family = type == DNS_T_A ? 4 : 6;
	}
	*nrr = n;
	return true;
}

static void
be_start(void *be, struct dns_query *q)
{
	struct ixr *X = be;
	uint16_t type = dns_query_type(q);
	const struct zone_owner *e;
	struct dns_answer a;
	const char *name = dns_query_name(q);
	size_t hops = 0;
	bool ok = true;

	memset(&a, 0, sizeof(a));
	for (;;) {
		if (!inside(X->ix, name)) {
			answer_outside(X, q, name, type);
			return;
		}
		if ((e = lookup(X->ix, name)) == NULL) {
			a.status = DNS_NXDOMAIN;
			a.rcode = 3;
			break;
		}
		if ((e->types & ZI_CNAME) && type != DNS_T_CNAME &&
		    e->cname != 0 && hops < MAX_CNAME_HOPS) {
			name = X->ix->ctarget[e->cname - 1];
			hops++;
			continue;
		}
		if (type == DNS_T_TXT && e->txt == 0 &&
		    (e->types & (ZI_REJECTED | ZI_TXT)) ==
		    (ZI_REJECTED | ZI_TXT)) {
			a.status = DNS_SERVFAIL;
			a.why = "its TXT record was rejected (zone.syntax)";
			X->lk->nrejected++;
			break;
		}
		switch (type) {
		case DNS_T_TXT:
			ok = txt_rrs(X, e, name, &a.nrr);
			break;
		case DNS_T_MX:
			ok = count_rrs(X, type, e->types & ZI_MX ? e->nmx : 0,
			    name, &a.nrr);
			break;
		case DNS_T_A:
			ok = count_rrs(X, type, e->types & ZI_A ? 1 : 0, name,
			    &a.nrr);
			break;
		case DNS_T_AAAA:
			ok = count_rrs(X, type, e->types & ZI_AAAA ? 1 : 0,
			    name, &a.nrr);
			break;
		case DNS_T_CNAME:
			if (e->cname == 0)
				break;
			if (!(ok = reserve_rrs(X, 1, 0)))
				break;
			memset(&X->rrs[0], 0, sizeof(X->rrs[0]));
			X->rrs[0].type = DNS_T_CNAME;
			X->rrs[0].owner = name;
			X->rrs[0].u.target = X->ix->ctarget[e->cname - 1];
			a.nrr = 1;
			break;
		default:	/* type 99 is reported from the records */
			break;
		}
		if (!ok) {
			answer_oom(X, q);
			return;
		}
		a.status = a.nrr > 0 ? DNS_OK : DNS_NODATA;
		a.rr = X->rrs;
		break;
	}
	a.canon = name;
	a.ncname = hops;
	dns_query_done(X->r, q, &a);
}

static size_t
be_poll(void *be, int timeout_ms)
{
	struct ixr *X = be;

	(void)timeout_ms;
	if (X->lk->outside != NULL)
		dns_run(X->lk->outside);
	return 0;
}

static void
be_free(void *be)
{
	struct ixr *X = be;

	/* The index and the lookups belong to the caller. */
	free(X->rrs);
	free(X->strs);
	free(X);
}

static const struct dns_backend_ops index_ops = {
	be_start, be_poll, be_free
};

struct dns_resolver *
zone_index_resolver_new(const struct zone_index *ix,
    struct zone_index_lookups *lk)
{
	struct ixr *X = calloc(1, sizeof(*X));
	struct dns_resolver *r;

	if (X == NULL)
		return NULL;
	X->ix = ix;
	X->lk = lk;
	if ((r = dns_resolver_new(&index_ops, X)) == NULL)
		free(X);
	else
		X->r = r;
	return r;
}
