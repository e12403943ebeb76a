/*
 * dns_zone.c -- the zone backend: answers queries from records loaded from
 * zone files (zone_read.c) or added by a program (see dns.h).
 *
 * Names live in one hash table keyed by the lowercase owner.  Every
 * ancestor of an owner is entered too, marked as an empty non-terminal, so
 * that a name which exists only because something exists below it answers
 * NODATA rather than NXDOMAIN (RFC 8020).  Records and names are carved
 * from large arena chunks: a zone of a million records costs a few hundred
 * allocations, freed at once.  Queries are answered synchronously from
 * start(); there is never anything in flight.
 */
#include "ascii.h"
#include "arena.h"
#include "dns.h"
#include "zone_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ARENA_CHUNK	(256 * 1024)
#define CNAME_MAX	16		/* CNAME hops before we call it a loop */
#define ERRORS_MAX	100000		/* zone errors kept; more are counted */
#define NAMEBUF		(ZONE_NAME_MAX + 8)

enum {
	N_ENT = 0x1,		/* exists because a name below it does */
	N_TIMEOUT = 0x2,	/* types without RRs here time out */
	N_TIMEOUT_SUBTREE = 0x4	/* ... here and at every name below */
};

struct zrr {
	struct zrr *next;
	struct dns_rr rr;
};

struct znode {
	struct znode *hnext;
	size_t hash;
	const char *name;	/* lowercase, no trailing dot; "" = root */
	size_t len;
	struct zrr *head, *tail;
	unsigned flags;
};

struct zone {
	struct dns_resolver *r;
	struct znode **tab;
	size_t tabsize, count;
	struct arena arena;
	struct dns_zone_error *errs;
	size_t nerr, errcap;
	unsigned long errs_dropped;
	const char *last_file;		/* interned copy of the last file name */
	size_t subtree_timeouts;	/* skip the ancestor walk when 0 */
};

static const struct dns_backend_ops zone_ops;

/* ---- names and the node table ---- */

static size_t
hash_name(const char *s, size_t n)
{
	size_t h = 1469598103934665603ULL, i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* Lowercase name into out (NAMEBUF), dropping one trailing dot; "." is the
 * root "".  Returns the length, or -1 if it does not fit. */
static long
norm_name(const char *name, size_t n, char *out)
{
	size_t i;

	if (n > 0 && name[n - 1] == '.' &&
	    (n < 2 || name[n - 2] != '\\'))
		n--;
	if (n >= NAMEBUF)
		return -1;
	for (i = 0; i < n; i++)
		out[i] = ascii_lower(name[i]);
	out[n] = '\0';
	return (long)n;
}

/* Labels 1..63, total <= 253; the root "" is valid. */
static bool
name_ok(const char *s, size_t n)
{
	size_t i, label = 0;

	if (n == 0)
		return true;
	if (n > 253)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return false;
			label = 0;
		} else if (++label > 63) {
			return false;
		}
	}
	return label > 0;
}

/* Offset of the parent of name[0..n) (past the first unescaped dot), or
 * n when name is a single label (the parent is the root). */
static size_t
parent_off(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '.')
			return i + 1;
	}
	return n;
}

static struct znode *
node_find(const struct zone *z, const char *s, size_t n)
{
	size_t h = hash_name(s, n);
	struct znode *x;

	for (x = z->tab[h & (z->tabsize - 1)]; x != NULL; x = x->hnext)
		if (x->hash == h && x->len == n && memcmp(x->name, s, n) == 0)
			return x;
	return NULL;
}

static bool
table_grow(struct zone *z)
{
	size_t nsize = z->tabsize ? z->tabsize * 2 : 1024, i;
	struct znode **nt, *x, *next;

	if ((nt = calloc(nsize, sizeof(*nt))) == NULL)
		return false;
	for (i = 0; i < z->tabsize; i++)
		for (x = z->tab[i]; x != NULL; x = next) {
			next = x->hnext;
			x->hnext = nt[x->hash & (nsize - 1)];
			nt[x->hash & (nsize - 1)] = x;
		}
	free(z->tab);
	z->tab = nt;
	z->tabsize = nsize;
	return true;
}

/* The node of a normalised name, created if absent; NULL on OOM. */
static struct znode *
node_get(struct zone *z, const char *s, size_t n)
{
	struct znode *x;

	if ((x = node_find(z, s, n)) != NULL)
		return x;
	if (z->count >= z->tabsize && !table_grow(z))
		return NULL;
	if ((x = arena_alloc(&z->arena, sizeof(*x))) == NULL)
		return NULL;
	memset(x, 0, sizeof(*x));
	if ((x->name = arena_strndup(&z->arena, s, n)) == NULL)
		return NULL;
	x->len = n;
	x->hash = hash_name(s, n);
	x->hnext = z->tab[x->hash & (z->tabsize - 1)];
	z->tab[x->hash & (z->tabsize - 1)] = x;
	z->count++;
	return x;
}

static bool
node_exists(const struct znode *x)
{
	return x != NULL && (x->head != NULL || (x->flags & N_ENT));
}

/* Mark every ancestor of name as an empty non-terminal.  Stops at the first
 * one that already exists: its own ancestors were marked then. */
static bool
mark_ancestors(struct zone *z, const char *s, size_t n)
{
	struct znode *x;
	size_t off;

	while ((off = parent_off(s, n)) < n) {
		s += off;
		n -= off;
		if ((x = node_get(z, s, n)) == NULL)
			return false;
		if (node_exists(x))
			break;
		x->flags |= N_ENT;
	}
	return true;
}

/* ---- adding data ---- */

static struct zone *
zone_of(struct dns_resolver *r)
{
	if (r == NULL || dns_resolver_ops(r) != &zone_ops)
		return NULL;
	return dns_resolver_backend(r);
}

/* Same type and same data, as a server compares RRs (RFC 2181 §5):
 * names without case, strings exactly.  Types kept without data are
 * never the same (their RRs cannot be told apart here). */
static bool
same_rr(const struct dns_rr *a, const struct dns_rr *b)
{
	size_t i;

	if (a->type != b->type)
		return false;
	switch (a->type) {
	case DNS_T_A: case DNS_T_AAAA:
		return a->u.addr.family == b->u.addr.family &&
		    memcmp(a->u.addr.a, b->u.addr.a, sizeof(a->u.addr.a)) == 0;
	case DNS_T_MX:
		return a->u.mx.pref == b->u.mx.pref &&
		    strcasecmp(a->u.mx.host != NULL ? a->u.mx.host : "",
		    b->u.mx.host != NULL ? b->u.mx.host : "") == 0;
	case DNS_T_NS: case DNS_T_CNAME: case DNS_T_PTR:
		return strcasecmp(a->u.target != NULL ? a->u.target : "",
		    b->u.target != NULL ? b->u.target : "") == 0;
	case DNS_T_TXT: case DNS_T_SPF:
		if (a->u.txt.n != b->u.txt.n)
			return false;
		for (i = 0; i < a->u.txt.n; i++)
			if (a->u.txt.s[i].len != b->u.txt.s[i].len ||
			    memcmp(a->u.txt.s[i].p, b->u.txt.s[i].p,
			    a->u.txt.s[i].len) != 0)
				return false;
		return true;
	case DNS_T_TLSA:
		return a->u.tlsa.usage == b->u.tlsa.usage &&
		    a->u.tlsa.selector == b->u.tlsa.selector &&
		    a->u.tlsa.mtype == b->u.tlsa.mtype &&
		    a->u.tlsa.len == b->u.tlsa.len &&
		    memcmp(a->u.tlsa.data, b->u.tlsa.data, a->u.tlsa.len) == 0;
	default:
		return false;
	}
}

/* Copy rr (its strings too) to node x; with dedup, not when x already
 * holds the same RR (a zone file listing a record twice: a server
 * answers it once). */
static int
node_add(struct zone *z, struct znode *x, const struct dns_rr *rr,
    bool dedup)
{
	struct zrr *e;
	struct dns_str *strs;
	const char *t;
	size_t i;

	for (e = dedup ? x->head : NULL; e != NULL; e = e->next)
		if (same_rr(&e->rr, rr))
			return 0;
	if ((e = arena_alloc(&z->arena, sizeof(*e))) == NULL)
		return -1;
	e->next = NULL;
	e->rr = *rr;
	e->rr.owner = x->name;
	switch (rr->type) {
	case DNS_T_MX:
		t = rr->u.mx.host != NULL ? rr->u.mx.host : "";
		if ((e->rr.u.mx.host = arena_strndup(&z->arena, t,
		    strlen(t))) == NULL)
			return -1;
		break;
	case DNS_T_NS: case DNS_T_CNAME: case DNS_T_PTR:
		t = rr->u.target != NULL ? rr->u.target : "";
		if ((e->rr.u.target = arena_strndup(&z->arena, t,
		    strlen(t))) == NULL)
			return -1;
		break;
	case DNS_T_TXT: case DNS_T_SPF:
		strs = arena_alloc(&z->arena,
		    (rr->u.txt.n ? rr->u.txt.n : 1) * sizeof(*strs));
		if (strs == NULL)
			return -1;
		e->rr.u.txt.total = 0;
		for (i = 0; i < rr->u.txt.n; i++) {
			strs[i].len = rr->u.txt.s[i].len;
			strs[i].p = arena_strndup(&z->arena,
			    rr->u.txt.s[i].p, strs[i].len);
			if (strs[i].p == NULL)
				return -1;
			e->rr.u.txt.total += strs[i].len;
		}
		e->rr.u.txt.s = strs;
		break;
	case DNS_T_TLSA:
		if ((e->rr.u.tlsa.data = arena_alloc(&z->arena,
		    rr->u.tlsa.len ? rr->u.tlsa.len : 1)) == NULL)
			return -1;
		memcpy((uint8_t *)e->rr.u.tlsa.data, rr->u.tlsa.data,
		    rr->u.tlsa.len);
		break;
	default:
		break;
	}
	if (x->head == NULL && !(x->flags & N_ENT) &&
	    !mark_ancestors(z, x->name, x->len))
		return -1;
	if (x->tail != NULL)
		x->tail->next = e;
	else
		x->head = e;
	x->tail = e;
	return 0;
}

int
dns_zone_add_rr(struct dns_resolver *r, const char *owner,
    const struct dns_rr *rr)
{
	struct zone *z = zone_of(r);
	struct znode *x;
	char key[NAMEBUF];
	long n;

	if (z == NULL || owner == NULL || rr == NULL)
		return -1;
	if ((n = norm_name(owner, strlen(owner), key)) < 0 ||
	    !name_ok(key, (size_t)n))
		return -1;
	if ((x = node_get(z, key, (size_t)n)) == NULL)
		return -1;
	return node_add(z, x, rr, false);
}

int
dns_zone_add_timeout(struct dns_resolver *r, const char *name, bool subtree)
{
	struct zone *z = zone_of(r);
	struct znode *x;
	char key[NAMEBUF];
	long n;

	if (z == NULL || name == NULL)
		return -1;
	if ((n = norm_name(name, strlen(name), key)) < 0 ||
	    !name_ok(key, (size_t)n))
		return -1;
	if ((x = node_get(z, key, (size_t)n)) == NULL)
		return -1;
	x->flags |= N_TIMEOUT;
	if (subtree && !(x->flags & N_TIMEOUT_SUBTREE)) {
		x->flags |= N_TIMEOUT_SUBTREE;
		z->subtree_timeouts++;
	}
	return 0;
}

/* ---- answering ---- */

static bool
timed_out(const struct zone *z, const char *s, size_t n,
    const struct znode *x)
{
	size_t off;

	if (x != NULL && (x->flags & N_TIMEOUT))
		return true;
	if (z->subtree_timeouts == 0)
		return false;
	for (;;) {
		if ((x = node_find(z, s, n)) != NULL &&
		    (x->flags & N_TIMEOUT_SUBTREE))
			return true;
		if (n == 0)
			return false;
		off = parent_off(s, n);
		s += off;
		n -= off;
	}
}

/* RFC 4592 §3.3.1: the source of synthesis for an absent name is "*." and
 * its closest encloser (nearest existing ancestor). */
static const struct znode *
wildcard(const struct zone *z, const char *s, size_t n)
{
	char w[NAMEBUF + 2];
	const struct znode *x;
	size_t off;

	for (;;) {
		off = parent_off(s, n);
		s += off;
		n -= off;
		if (n == 0 || node_exists(node_find(z, s, n)))
			break;
	}
	w[0] = '*';
	if (n > 0) {
		w[1] = '.';
		memcpy(w + 2, s, n);
	}
	x = node_find(z, w, n > 0 ? n + 2 : 1);
	return node_exists(x) ? x : NULL;
}

static void
answer(struct zone *z, struct dns_query *q, enum dns_status st,
    const char *canon, size_t ncname, const char *why)
{
	struct dns_answer a;

	memset(&a, 0, sizeof(a));
	a.status = st;
	a.rcode = st == DNS_NXDOMAIN ? 3 : st == DNS_SERVFAIL ? 2 : 0;
	a.canon = canon;
	a.ncname = ncname;
	a.why = why;
	dns_query_done(z->r, q, &a);
}

static void
zone_start(void *be, struct dns_query *q)
{
	struct zone *z = be;
	uint16_t type = dns_query_type(q);
	const char *qname = dns_query_name(q);
	char cur[NAMEBUF];
	const struct znode *x, *src;
	const struct zrr *e, *cname;
	struct dns_answer a;
	struct dns_rr *rrs;
	size_t ncname = 0, nrr, i, len;
	long n;
	bool exists, to;

	if ((n = norm_name(qname, strlen(qname), cur)) < 0 ||
	    !name_ok(cur, (size_t)n)) {
		answer(z, q, DNS_BADNAME, NULL, 0, "invalid domain name");
		return;
	}
	len = (size_t)n;
	for (;;) {
		x = node_find(z, cur, len);
		exists = node_exists(x);
		to = timed_out(z, cur, len, x);
		src = exists ? x : to ? NULL : wildcard(z, cur, len);
		nrr = 0;
		cname = NULL;
		for (e = src ? src->head : NULL; e != NULL; e = e->next) {
			if (e->rr.type == type)
				nrr++;
			else if (e->rr.type == DNS_T_CNAME && cname == NULL)
				cname = e;
		}
		if (nrr > 0 || type == DNS_T_CNAME)
			cname = NULL;
		if (nrr == 0 && cname == NULL && to) {
			answer(z, q, DNS_TIMEOUT, cur, ncname,
			    "timeout (zone data)");
			return;
		}
		if (cname == NULL)
			break;
		if (++ncname > CNAME_MAX) {
			answer(z, q, DNS_SERVFAIL, cur, ncname - 1,
			    "CNAME loop");
			return;
		}
		if ((n = norm_name(cname->rr.u.target,
		    strlen(cname->rr.u.target), cur)) < 0) {
			answer(z, q, DNS_SERVFAIL, NULL, ncname,
			    "bad CNAME target");
			return;
		}
		len = (size_t)n;
	}
	if (src == NULL) {
		answer(z, q, DNS_NXDOMAIN, cur, ncname, NULL);
		return;
	}
	if (nrr == 0) {
		answer(z, q, DNS_NODATA, cur, ncname, NULL);
		return;
	}
	if ((rrs = malloc(nrr * sizeof(*rrs))) == NULL) {
		answer(z, q, DNS_ERROR, cur, ncname, "out of memory");
		return;
	}
	for (i = 0, e = src->head; e != NULL; e = e->next)
		if (e->rr.type == type) {
			rrs[i] = e->rr;
			/* a wildcard answers with the query name as owner */
			rrs[i++].owner = cur;
		}
	memset(&a, 0, sizeof(a));
	a.status = DNS_OK;
	a.canon = cur;
	a.ncname = ncname;
	a.nrr = nrr;
	a.rr = rrs;
	dns_query_done(z->r, q, &a);
	free(rrs);
}

static size_t
zone_poll(void *be, int timeout_ms)
{
	(void)be;
	(void)timeout_ms;
	return 0;
}

static void
zone_free(void *be)
{
	struct zone *z = be;

	if (z == NULL)
		return;
	arena_free(&z->arena);
	free(z->tab);
	free(z->errs);
	free(z);
}

static const struct dns_backend_ops zone_ops = {
	.start = zone_start,
	.poll = zone_poll,
	.free = zone_free,
};

struct dns_resolver *
dns_zone_new(void)
{
	struct zone *z = calloc(1, sizeof(*z));

	if (z == NULL)
		return NULL;
	z->arena.chunk_size = ARENA_CHUNK;
	if (!table_grow(z) || (z->r = dns_resolver_new(&zone_ops, z)) == NULL) {
		zone_free(z);
		return NULL;
	}
	return z->r;
}

/* ---- loading zone files ---- */

static void
add_error(struct zone *z, const char *file, unsigned long line,
    const char *msg)
{
	struct dns_zone_error *ne;
	size_t cap;

	if (z->nerr >= ERRORS_MAX) {
		z->errs_dropped++;
		return;
	}
	if (z->nerr == z->errcap) {
		cap = z->errcap ? z->errcap * 2 : 16;
		if ((ne = realloc(z->errs, cap * sizeof(*ne))) == NULL) {
			z->errs_dropped++;
			return;
		}
		z->errs = ne;
		z->errcap = cap;
	}
	if (z->last_file == NULL || strcmp(z->last_file, file) != 0)
		z->last_file = arena_strndup(&z->arena, file, strlen(file));
	ne = &z->errs[z->nerr];
	ne->file = z->last_file;
	ne->line = line;
	ne->msg = arena_strndup(&z->arena, msg, strlen(msg));
	if (ne->file != NULL && ne->msg != NULL)
		z->nerr++;
}

static void
load_err(void *arg, const struct zone_error *e)
{
	add_error(arg, e->file, e->line, e->msg);
}

static int
load_rr(void *arg, const struct zone_rr *zr)
{
	struct zone *z = arg;
	struct dns_str one[1], *strs = one;
	struct znode *x;
	struct dns_rr rr;
	size_t i, k, n, off, len;
	uint8_t *tlsa = NULL;
	const char *why;
	int rc;

	if (zr->class != 1)
		return 0;	/* only IN data answers IN queries */
	memset(&rr, 0, sizeof(rr));
	rr.type = zr->type;
	rr.ttl = zr->ttl;
	switch (zr->type) {
	case DNS_T_A: case DNS_T_AAAA:
		rr.u.addr = zr->u.addr;
		break;
	case DNS_T_NS: case DNS_T_CNAME: case DNS_T_PTR:
		rr.u.target = zr->u.target.p;
		break;
	case DNS_T_MX:
		rr.u.mx.pref = zr->u.mx.pref;
		rr.u.mx.host = zr->u.mx.host.p;
		break;
	case DNS_T_TXT: case DNS_T_SPF:
		/* A string over 255 octets was reported as an error; it is
		 * served cut into 255-octet strings, as a server would never
		 * hand it out whole. */
		for (i = 0, n = 0; i < zr->u.txt.n; i++)
			n += zr->u.txt.s[i].len > 255 ?
			    (zr->u.txt.s[i].len + 254) / 255 : 1;
		if (n > 1 && (strs = malloc(n * sizeof(*strs))) == NULL)
			return -1;
		for (i = 0, k = 0; i < zr->u.txt.n; i++) {
			off = 0;
			do {
				len = zr->u.txt.s[i].len - off;
				if (len > 255)
					len = 255;
				strs[k].p = zr->u.txt.s[i].p + off;
				strs[k++].len = (uint8_t)len;
				off += len;
			} while (off < zr->u.txt.s[i].len);
		}
		rr.u.txt.n = k;
		rr.u.txt.s = strs;
		break;
	case DNS_T_TLSA:
		/* The reader checks TLSA loosely: its text is parsed here,
		 * and a record a server would refuse is an error, not
		 * served. */
		if ((tlsa = malloc(DNS_TLSA_MAX_DATA)) == NULL)
			return -1;
		if ((why = dns_tlsa_parse(zr->rdata_text, zr->rdata_len, &rr,
		    tlsa, DNS_TLSA_MAX_DATA)) != NULL) {
			char msg[160];

			snprintf(msg, sizeof(msg), "bad TLSA rdata: %s", why);
			add_error(z, zr->file, zr->line, msg);
			free(tlsa);
			return 0;
		}
		rr.ttl = zr->ttl;
		break;
	default:
		break;
	}
	x = node_get(z, zr->owner.p, zr->owner.len);
	rc = x != NULL ? node_add(z, x, &rr, true) : -1;
	if (strs != one)
		free(strs);
	free(tlsa);
	return rc;
}

int
dns_zone_load(struct dns_resolver *r, const char *path, const char *origin,
    char *err, size_t errsize)
{
	struct zone *z = zone_of(r);
	char guess[256];
	int n;

	if (z == NULL) {
		snprintf(err, errsize, "%s: not a zone resolver", path);
		return -1;
	}
	if (origin == NULL)
		origin = zone_origin_from_path(path, guess, sizeof(guess));
	n = zone_read_file(path, origin, load_rr, load_err, z);
	if (n == -1) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (n == -2) {
		snprintf(err, errsize, "%s: out of memory", path);
		return -1;
	}
	return 0;
}

size_t
dns_zone_errors(const struct dns_resolver *r,
    const struct dns_zone_error **out)
{
	const struct zone *z;

	if (r == NULL || dns_resolver_ops(r) != &zone_ops) {
		*out = NULL;
		return 0;
	}
	z = dns_resolver_backend((struct dns_resolver *)r);
	*out = z->errs;
	return z->nerr;
}
