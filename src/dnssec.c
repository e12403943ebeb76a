/*
 * dnssec.c -- DNSSEC validation of answers from a trust anchor (see
 * dnssec.h).
 *
 * The chain is judged top down, one node per name on the way from the
 * anchor's zone to the answer's owner.  A node says what the deepest
 * zone at or above its name is: SECURE with that zone's validated
 * DNSKEY set, or INSECURE (a signed NSEC/NSEC3 proves a delegation on
 * the way has no DS), BOGUS (a signature, a DS match or a proof failed)
 * or INDETERMINATE (a record the proof needs could not be fetched), each
 * with its reason.  Nodes are memoised for the run: every name below
 * "com" shares com's node, every name of a domain its zone's.
 *
 * What is not done (said in the README): the closest-encloser proof of
 * an NSEC3 NXDOMAIN and of a wildcard expansion is taken from ldns's
 * denial check as is, algorithms ldns cannot verify are bogus rather
 * than insecure (RFC 4035 §5.2 would call them insecure), and a CNAME
 * chain the resolver answered in parts is indeterminate.
 */
#include "dnssec.h"

#include <ldns/ldns.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NODE_TAB	1024	/* hash buckets of the node memo */
#define MAX_DEPTH	128	/* labels of a name: 127 at most */

struct node {
	struct node *next;		/* hash chain */
	char *name;			/* normal form; "." for the root */
	enum dnssec_status st;
	bool run_wide;			/* the anchor's own failure */
	char why[DNSSEC_WHY_MAX];
	const char *zone;		/* SECURE: the zone the keys are of */
	ldns_rr_list *keys;		/* SECURE: its DNSKEY set (owned by
					 * the zone's own node) */
	bool own_keys;
};

struct dnssec_ctx {
	struct dns_resolver *r;
	ldns_rr_list *anchor;		/* DS/DNSKEY records, deep */
	char zone[256];			/* their owner, normal form */
	struct node *tab[NODE_TAB];
	const char *problem;		/* run-wide problem, or NULL */
	time_t now;
};

const char *
dnssec_status_name(enum dnssec_status s)
{
	switch (s) {
	case DNSSEC_UNCHECKED:		return "unchecked";
	case DNSSEC_SECURE:		return "secure";
	case DNSSEC_INSECURE:		return "insecure";
	case DNSSEC_BOGUS:		return "bogus";
	case DNSSEC_INDETERMINATE:	return "indeterminate";
	}
	return "?";
}

/* ---- names --------------------------------------------------------------- */

/* The parent of a normal-form name: "example.com" -> "com" -> ".". */
static const char *
parent_of(const char *name)
{
	const char *dot = strchr(name, '.');

	return dot != NULL ? dot + 1 : ".";
}

static bool
is_root(const char *name)
{
	return strcmp(name, ".") == 0;
}

/* Is name at or below zone (both normal form; "." is everything's)? */
static bool
within(const char *name, const char *zone)
{
	return is_root(zone) || dns_name_within(name, zone);
}

/* ldns's name for a normal-form name; NULL when out of memory. */
static ldns_rdf *
rdf_of(const char *name)
{
	ldns_rdf *d = NULL;

	if (ldns_str2rdf_dname(&d, name) != LDNS_STATUS_OK)
		return NULL;
	return d;
}

/* A name of ldns in normal form into dst; false when it does not fit. */
static bool
name_of(const ldns_rdf *d, char *dst, size_t size)
{
	char *s = ldns_rdf2str(d);
	int n;

	if (s == NULL)
		return false;
	n = dns_name_norm(dst, size, s);
	if (n < 0 && strcmp(s, ".") == 0 && size > 1) {
		dst[0] = '.';
		dst[1] = '\0';
		n = 1;
	}
	free(s);
	return n >= 0;
}

/* ---- the messages -------------------------------------------------------- */

static ldns_pkt *
parse(const struct dns_answer *a)
{
	ldns_pkt *p = NULL;

	if (a == NULL || a->wire == NULL ||
	    ldns_wire2pkt(&p, a->wire, a->wirelen) != LDNS_STATUS_OK)
		return NULL;
	return p;
}

/* The RRs of type t (RRSIGs: covering t) at owner in list; a shallow
 * list (the RRs stay the message's).  Empty list on no match, NULL on out
 * of memory. */
static ldns_rr_list *
pick(const ldns_rr_list *list, const ldns_rdf *owner, ldns_rr_type t,
    bool sigs)
{
	ldns_rr_list *out = ldns_rr_list_new();
	ldns_rr *rr;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < ldns_rr_list_rr_count(list); i++) {
		rr = ldns_rr_list_rr(list, i);
		if (owner != NULL &&
		    ldns_dname_compare(ldns_rr_owner(rr), owner) != 0)
			continue;
		if (sigs) {
			if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_RRSIG ||
			    ldns_rr_rrsig_typecovered(rr) == NULL ||
			    ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(rr)) != t)
				continue;
		} else if (ldns_rr_get_type(rr) != t)
			continue;
		if (!ldns_rr_list_push_rr(out, rr)) {
			ldns_rr_list_free(out);
			return NULL;
		}
	}
	return out;
}

static void
fmt_time(char *dst, size_t size, uint32_t t32, time_t now)
{
	/* RFC 4034 §3.1.5: serial arithmetic around now. */
	time_t t = now + (int32_t)(t32 - (uint32_t)now);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(dst, size, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(dst, size, "%lu", (unsigned long)t32);
}

/*
 * Verify rrset (what: "example.com TXT" for the reason) with the
 * signatures in sigs made by zone's keys.  SECURE, or BOGUS with why:
 * no signature by the zone, a signature that does not verify, or one
 * that verifies but is expired or not yet valid.
 */
static enum dnssec_status
verify_set(const struct dnssec_ctx *v, ldns_rr_list *rrset,
    const ldns_rr_list *sigs, const ldns_rr_list *keys, const char *zone,
    const char *what, char *why, size_t whysize)
{
	char zname[256], when[40];
	ldns_rr *sig;
	ldns_status st;
	uint32_t inc, exp;
	bool any = false;

	snprintf(why, whysize, "missing RRSIG over %s in signed zone %s",
	    what, zone);
	for (size_t i = 0; i < ldns_rr_list_rr_count(sigs); i++) {
		sig = ldns_rr_list_rr(sigs, i);
		if (ldns_rr_rrsig_signame(sig) == NULL ||
		    !name_of(ldns_rr_rrsig_signame(sig), zname, sizeof(zname)) ||
		    strcmp(zname, zone) != 0)
			continue;
		st = ldns_verify_rrsig_keylist_notime(rrset, sig, keys, NULL);
		if (st != LDNS_STATUS_OK) {
			if (!any)
				snprintf(why, whysize, "RRSIG over %s does not "
				    "verify with the keys of %s (%s)", what,
				    zone, ldns_get_errorstr_by_id(st));
			any = true;
			continue;
		}
		inc = ldns_rdf2native_int32(ldns_rr_rrsig_inception(sig));
		exp = ldns_rdf2native_int32(ldns_rr_rrsig_expiration(sig));
		if ((int32_t)(exp - (uint32_t)v->now) < 0) {
			fmt_time(when, sizeof(when), exp, v->now);
			snprintf(why, whysize, "RRSIG over %s expired %s",
			    what, when);
		} else if ((int32_t)((uint32_t)v->now - inc) < 0) {
			fmt_time(when, sizeof(when), inc, v->now);
			snprintf(why, whysize, "RRSIG over %s not valid "
			    "before %s", what, when);
		} else {
			why[0] = '\0';
			return DNSSEC_SECURE;
		}
		any = true;
	}
	return DNSSEC_BOGUS;
}

/* ---- nodes --------------------------------------------------------------- */

static size_t
hash(const char *s)
{
	size_t h = 1469598103934665603ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h % NODE_TAB;
}

static struct node *
find_node(const struct dnssec_ctx *v, const char *name)
{
	for (struct node *n = v->tab[hash(name)]; n != NULL; n = n->next)
		if (strcmp(n->name, name) == 0)
			return n;
	return NULL;
}

static struct node *
add_node(struct dnssec_ctx *v, const char *name)
{
	struct node *n = calloc(1, sizeof(*n));
	size_t h = hash(name);

	if (n == NULL || (n->name = strdup(name)) == NULL) {
		free(n);
		return NULL;
	}
	n->next = v->tab[h];
	v->tab[h] = n;
	return n;
}

static void
node_set(struct node *n, enum dnssec_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
node_set(struct node *n, enum dnssec_status st, const char *fmt, ...)
{
	va_list ap;

	n->st = st;
	va_start(ap, fmt);
	vsnprintf(n->why, sizeof(n->why), fmt, ap);
	va_end(ap);
}

static void
inherit(struct node *n, const struct node *p)
{
	n->st = p->st;
	n->run_wide = p->run_wide;
	memcpy(n->why, p->why, sizeof(n->why));
	n->zone = p->zone;
	n->keys = p->keys;
}

/* The answer to (name, type), or NULL when it was never asked or is not
 * in yet. */
static const struct dns_answer *
answer_of(struct dnssec_ctx *v, const char *name, uint16_t type)
{
	struct dns_query *q = dns_find(v->r, name, type);

	return q != NULL ? dns_answer(q) : NULL;
}

/* An answer that could not serve as proof: say why, or NULL when it is
 * usable. */
static const char *
unusable(const struct dns_answer *a)
{
	if (a == NULL)
		return "not fetched";
	switch (a->status) {
	case DNS_OK:
	case DNS_NODATA:
	case DNS_NXDOMAIN:
		return a->wire == NULL ? "not kept (memory cap)" : NULL;
	default:
		return a->why != NULL ? a->why : dns_status_name(a->status);
	}
}

/* The keys of a DNSKEY set that a DS (or DNSKEY) of ds names: the ones
 * whose signature over the set counts.  A new list that borrows keys'
 * records (free it with ldns_rr_list_free), or NULL out of memory. */
static ldns_rr_list *
ds_matched(const ldns_rr_list *keys, const ldns_rr_list *ds)
{
	ldns_rr_list *good = ldns_rr_list_new();

	for (size_t i = 0; good != NULL &&
	    i < ldns_rr_list_rr_count(keys); i++)
		for (size_t j = 0; j < ldns_rr_list_rr_count(ds); j++)
			if (ldns_rr_compare_ds(ldns_rr_list_rr(ds, j),
			    ldns_rr_list_rr(keys, i))) {
				ldns_rr_list_push_rr(good,
				    ldns_rr_list_rr(keys, i));
				break;
			}
	return good;
}

/* The anchor's zone: its DNSKEY set, signed by a key the anchor names. */
static void
anchor_node(struct dnssec_ctx *v, struct node *n)
{
	const struct dns_answer *a = answer_of(v, v->zone, DNS_T_DNSKEY);
	ldns_rr_list *keys = NULL, *sigs = NULL, *good = NULL;
	ldns_rdf *owner = NULL;
	ldns_pkt *p = NULL;
	const char *bad;
	char what[300];

	n->run_wide = true;
	if ((bad = unusable(a)) != NULL || a->status != DNS_OK) {
		node_set(n, DNSSEC_INDETERMINATE, "no DNSKEY for the trust "
		    "anchor's zone %s (%s): these answers do not come from "
		    "the zone the anchor is for", v->zone,
		    bad != NULL ? bad : dns_status_name(a->status));
		goto out;
	}
	if ((p = parse(a)) == NULL || (owner = rdf_of(v->zone)) == NULL ||
	    (keys = pick(ldns_pkt_answer(p), owner, LDNS_RR_TYPE_DNSKEY,
	    false)) == NULL || (sigs = pick(ldns_pkt_answer(p), owner,
	    LDNS_RR_TYPE_DNSKEY, true)) == NULL ||
	    (good = ds_matched(keys, v->anchor)) == NULL) {
		node_set(n, DNSSEC_INDETERMINATE, "out of memory");
		goto out;
	}
	if (ldns_rr_list_rr_count(good) == 0) {
		node_set(n, DNSSEC_INDETERMINATE, "no DNSKEY of %s matches "
		    "the trust anchor: these answers do not come from the "
		    "zone the anchor is for", v->zone);
		goto out;
	}
	if (ldns_rr_list_rr_count(sigs) == 0) {
		node_set(n, DNSSEC_INDETERMINATE, "the resolver gave no "
		    "RRSIG with the DNSKEY of %s: it strips DNSSEC records",
		    v->zone);
		goto out;
	}
	snprintf(what, sizeof(what), "%s DNSKEY", v->zone);
	n->st = verify_set(v, keys, sigs, good, v->zone, what, n->why,
	    sizeof(n->why));
	if (n->st == DNSSEC_SECURE) {
		if ((n->keys = ldns_rr_list_clone(keys)) == NULL) {
			node_set(n, DNSSEC_INDETERMINATE, "out of memory");
			goto out;
		}
		n->own_keys = true;
		n->zone = n->name;
		n->run_wide = false;
	}
out:
	ldns_rr_list_free(good);
	ldns_rr_list_free(keys);
	ldns_rr_list_free(sigs);
	ldns_rdf_deep_free(owner);
	ldns_pkt_free(p);
}

/* NSEC or NSEC3 records of the authority section, and the RRSIGs over
 * them, each checked with the zone's keys.  SECURE, or the failure in
 * why. */
static enum dnssec_status
denial_records(const struct dnssec_ctx *v, const ldns_pkt *p,
    const struct node *z, ldns_rr_list **nsecs, ldns_rr_list **sigs,
    bool *nsec3, char *why, size_t whysize)
{
	const ldns_rr_list *auth = ldns_pkt_authority(p);
	ldns_rr_list *one, *cover;
	ldns_rr_type t;
	char what[300], owner[256];
	enum dnssec_status st;

	*nsec3 = false;
	if ((*nsecs = pick(auth, NULL, LDNS_RR_TYPE_NSEC, false)) == NULL)
		return DNSSEC_INDETERMINATE;
	if (ldns_rr_list_rr_count(*nsecs) == 0) {
		ldns_rr_list_free(*nsecs);
		if ((*nsecs = pick(auth, NULL, LDNS_RR_TYPE_NSEC3,
		    false)) == NULL)
			return DNSSEC_INDETERMINATE;
		*nsec3 = true;
	}
	t = *nsec3 ? LDNS_RR_TYPE_NSEC3 : LDNS_RR_TYPE_NSEC;
	if ((*sigs = pick(auth, NULL, t, true)) == NULL)
		return DNSSEC_INDETERMINATE;
	if (ldns_rr_list_rr_count(*nsecs) == 0)
		return DNSSEC_BOGUS;	/* the caller words it */
	for (size_t i = 0; i < ldns_rr_list_rr_count(*nsecs); i++) {
		const ldns_rdf *o = ldns_rr_owner(ldns_rr_list_rr(*nsecs, i));

		if ((one = pick(*nsecs, o, t, false)) == NULL ||
		    (cover = pick(*sigs, o, t, true)) == NULL) {
			ldns_rr_list_free(one);
			return DNSSEC_INDETERMINATE;
		}
		if (!name_of(o, owner, sizeof(owner)))
			snprintf(owner, sizeof(owner), "?");
		snprintf(what, sizeof(what), "%s %s", owner,
		    *nsec3 ? "NSEC3" : "NSEC");
		st = verify_set(v, one, cover, z->keys, z->zone, what, why,
		    whysize);
		ldns_rr_list_free(one);
		ldns_rr_list_free(cover);
		if (st != DNSSEC_SECURE)
			return st;
	}
	return DNSSEC_SECURE;
}

/* The hashed owner an NSEC3 of the same zone as nsec3 would have for
 * name; NULL on out of memory. */
static ldns_rdf *
nsec3_owner(const ldns_rr *nsec3, const ldns_rdf *name)
{
	ldns_rdf *h = ldns_nsec3_hash_name_frm_nsec3(nsec3, name);
	ldns_rdf *zone = ldns_dname_left_chop(ldns_rr_owner(nsec3));

	if (h == NULL || zone == NULL ||
	    ldns_dname_cat(h, zone) != LDNS_STATUS_OK) {
		ldns_rdf_deep_free(h);
		h = NULL;
	}
	ldns_rdf_deep_free(zone);
	return h;
}

/* What the (checked) denial records say about a DS at name: 1 the name
 * is a delegation without DS (insecure), 0 it is no zone cut or does
 * not exist (the zone above goes on), -1 they prove neither, -2 out of
 * memory.  *optout: the NSEC3 opt-out span covers it. */
static int
no_ds_proof(const ldns_rr_list *nsecs, bool nsec3, const ldns_rdf *name,
    bool *optout)
{
	ldns_rdf *hashed = NULL, *bm;
	const ldns_rdf *want = name;
	ldns_rr *rr;
	int res = -1;

	*optout = false;
	if (nsec3) {
		if ((hashed = nsec3_owner(ldns_rr_list_rr(nsecs, 0),
		    name)) == NULL)
			return -2;
		want = hashed;
	}
	for (size_t i = 0; i < ldns_rr_list_rr_count(nsecs); i++) {
		rr = ldns_rr_list_rr(nsecs, i);
		if (ldns_dname_compare(ldns_rr_owner(rr), want) != 0)
			continue;
		bm = ldns_nsec_get_bitmap(rr);
		if (bm == NULL || ldns_nsec_bitmap_covers_type(bm,
		    LDNS_RR_TYPE_DS))
			res = -1;	/* a proof of the wrong thing */
		else if (ldns_nsec_bitmap_covers_type(bm, LDNS_RR_TYPE_NS) &&
		    !ldns_nsec_bitmap_covers_type(bm, LDNS_RR_TYPE_SOA))
			res = 1;
		else
			res = 0;
		goto out;
	}
	for (size_t i = 0; i < ldns_rr_list_rr_count(nsecs); i++) {
		rr = ldns_rr_list_rr(nsecs, i);
		if (ldns_nsec_covers_name(rr, want)) {
			if (nsec3 && ldns_nsec3_optout(rr)) {
				*optout = true;
				res = 1;
			} else
				res = 0;
			goto out;
		}
	}
out:
	ldns_rdf_deep_free(hashed);
	return res;
}

/* A name below a secure zone z: is it a secure cut (DS, matching
 * DNSKEY), an unsigned one, or no cut? */
static void
child_node(struct dnssec_ctx *v, struct node *n, const struct node *z)
{
	const struct dns_answer *a = answer_of(v, n->name, DNS_T_DS), *k;
	ldns_rr_list *ds = NULL, *sigs = NULL, *keys = NULL, *ksigs = NULL,
	    *good = NULL, *nsecs = NULL;
	ldns_rdf *owner = NULL;
	ldns_pkt *p = NULL, *kp = NULL;
	const char *bad;
	char what[300];
	bool nsec3, optout;
	int proof;

	if ((bad = unusable(a)) != NULL) {
		node_set(n, DNSSEC_INDETERMINATE, "the DS of %s could not be "
		    "fetched (%s)", n->name, bad);
		return;
	}
	if (a->ncname > 0) {
		/* An alias (the DS question followed its CNAME): no zone
		 * cut here; the CNAME itself is judged with the answer. */
		inherit(n, z);
		return;
	}
	if ((p = parse(a)) == NULL || (owner = rdf_of(n->name)) == NULL) {
		node_set(n, DNSSEC_INDETERMINATE, "the DS answer of %s does "
		    "not parse", n->name);
		goto out;
	}
	if (a->status != DNS_OK) {
		enum dnssec_status st = denial_records(v, p, z, &nsecs, &sigs,
		    &nsec3, n->why, sizeof(n->why));

		if (st == DNSSEC_BOGUS && nsecs != NULL &&
		    ldns_rr_list_rr_count(nsecs) == 0) {
			node_set(n, DNSSEC_BOGUS, "missing NSEC/NSEC3 proof "
			    "that %s has no DS in signed zone %s", n->name,
			    z->zone);
			goto out;
		}
		if (st != DNSSEC_SECURE) {
			n->st = st;
			if (st == DNSSEC_INDETERMINATE)
				snprintf(n->why, sizeof(n->why),
				    "out of memory");
			goto out;
		}
		proof = no_ds_proof(nsecs, nsec3, owner, &optout);
		if (proof == 1)
			node_set(n, DNSSEC_INSECURE, "no DS for %s in %s (%s)",
			    n->name, z->zone, optout ? "NSEC3 opt-out" :
			    nsec3 ? "NSEC3" : "NSEC");
		else if (proof == 0)
			inherit(n, z);
		else if (proof == -2)
			node_set(n, DNSSEC_INDETERMINATE, "out of memory");
		else
			node_set(n, DNSSEC_BOGUS, "missing NSEC/NSEC3 proof "
			    "that %s has no DS in signed zone %s", n->name,
			    z->zone);
		goto out;
	}
	/* A DS set: signed by the zone above, and one of them must match a
	 * key of the child that signs the child's DNSKEY set. */
	if ((ds = pick(ldns_pkt_answer(p), owner, LDNS_RR_TYPE_DS,
	    false)) == NULL || (sigs = pick(ldns_pkt_answer(p), owner,
	    LDNS_RR_TYPE_DS, true)) == NULL) {
		node_set(n, DNSSEC_INDETERMINATE, "out of memory");
		goto out;
	}
	snprintf(what, sizeof(what), "%s DS", n->name);
	if ((n->st = verify_set(v, ds, sigs, z->keys, z->zone, what, n->why,
	    sizeof(n->why))) != DNSSEC_SECURE)
		goto out;
	k = answer_of(v, n->name, DNS_T_DNSKEY);
	if ((bad = unusable(k)) != NULL) {
		node_set(n, DNSSEC_INDETERMINATE, "the DNSKEY of %s could not "
		    "be fetched (%s)", n->name, bad);
		goto out;
	}
	if (k->status != DNS_OK) {
		node_set(n, DNSSEC_BOGUS, "no DS match: %s has a DS in %s but "
		    "no DNSKEY", n->name, z->zone);
		goto out;
	}
	if ((kp = parse(k)) == NULL ||
	    (keys = pick(ldns_pkt_answer(kp), owner, LDNS_RR_TYPE_DNSKEY,
	    false)) == NULL || (ksigs = pick(ldns_pkt_answer(kp), owner,
	    LDNS_RR_TYPE_DNSKEY, true)) == NULL ||
	    (good = ds_matched(keys, ds)) == NULL) {
		node_set(n, DNSSEC_INDETERMINATE, "out of memory");
		goto out;
	}
	if (ldns_rr_list_rr_count(good) == 0) {
		node_set(n, DNSSEC_BOGUS, "no DS match: no DNSKEY of %s "
		    "matches its DS in %s", n->name, z->zone);
		goto out;
	}
	snprintf(what, sizeof(what), "%s DNSKEY", n->name);
	if ((n->st = verify_set(v, keys, ksigs, good, n->name, what, n->why,
	    sizeof(n->why))) != DNSSEC_SECURE)
		goto out;
	if ((n->keys = ldns_rr_list_clone(keys)) == NULL) {
		node_set(n, DNSSEC_INDETERMINATE, "out of memory");
		goto out;
	}
	n->own_keys = true;
	n->zone = n->name;
out:
	ldns_rr_list_free(ds);
	ldns_rr_list_free(sigs);
	ldns_rr_list_free(keys);
	ldns_rr_list_free(ksigs);
	ldns_rr_list_free(good);
	ldns_rr_list_free(nsecs);
	ldns_rdf_deep_free(owner);
	ldns_pkt_free(p);
	ldns_pkt_free(kp);
}

/* A message the memoised node now stands for: its memory goes back to
 * the resolver's budget. */
static void
drop(struct dnssec_ctx *v, const char *name, uint16_t type)
{
	struct dns_query *q = dns_find(v->r, name, type);

	if (q != NULL)
		dns_answer_drop_wire(v->r, q);
}

/* The node of name (normal form), computed top down and memoised; NULL
 * only when out of memory. */
static struct node *
node_get(struct dnssec_ctx *v, const char *name, int depth)
{
	struct node *n, *up;

	if ((n = find_node(v, name)) != NULL)
		return n;
	if ((n = add_node(v, name)) == NULL)
		return NULL;
	if (strcmp(name, v->zone) == 0) {
		anchor_node(v, n);
		drop(v, name, DNS_T_DNSKEY);
		if (n->run_wide && v->problem == NULL)
			v->problem = n->why;
		return n;
	}
	if (!within(name, v->zone) || is_root(name) || depth > MAX_DEPTH) {
		node_set(n, DNSSEC_INDETERMINATE, "%s is outside the trust "
		    "anchor's zone %s", name, v->zone);
		return n;
	}
	if ((up = node_get(v, parent_of(name), depth + 1)) == NULL)
		return NULL;
	if (up->st != DNSSEC_SECURE)
		inherit(n, up);
	else
		child_node(v, n, up);
	drop(v, name, DNS_T_DS);
	drop(v, name, DNS_T_DNSKEY);
	return n;
}

/* ---- answers ------------------------------------------------------------- */

/* Submit DS and DNSKEY of name and of every name above it, up to the
 * anchor's zone. */
static int
ask_chain(struct dnssec_ctx *v, const char *name)
{
	const char *at = name;
	int rc = 0;

	if (!within(name, v->zone))
		return 0;
	for (int i = 0; i < MAX_DEPTH; i++) {
		if (dns_submit(v->r, at, DNS_T_DNSKEY, NULL, NULL) == NULL)
			rc = -1;
		if (strcmp(at, v->zone) == 0)
			break;
		if (dns_submit(v->r, at, DNS_T_DS, NULL, NULL) == NULL)
			rc = -1;
		at = parent_of(at);
	}
	return rc;
}

/* The owners of q's answer: the question, each CNAME's target, the
 * canonical name.  Calls fn for each; stops at the first -1. */
static int
each_owner(struct dnssec_ctx *v, struct dns_query *q,
    int (*fn)(struct dnssec_ctx *, const char *))
{
	const struct dns_answer *a = dns_answer(q);
	ldns_pkt *p;
	ldns_rr *rr;
	char name[256];
	int rc = 0;

	if (fn(v, dns_query_name(q)) != 0)
		rc = -1;
	if (a->canon != NULL && fn(v, a->canon) != 0)
		rc = -1;
	if ((p = parse(a)) == NULL)
		return rc;
	for (size_t i = 0; i < ldns_rr_list_rr_count(ldns_pkt_answer(p)); i++) {
		rr = ldns_rr_list_rr(ldns_pkt_answer(p), i);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME &&
		    ldns_rr_rdf(rr, 0) != NULL &&
		    name_of(ldns_rr_rdf(rr, 0), name, sizeof(name)) &&
		    fn(v, name) != 0)
			rc = -1;
	}
	ldns_pkt_free(p);
	return rc;
}

int
dnssec_prepare(struct dnssec_ctx *v, struct dns_query *q)
{
	/* Nothing can be validated in this run (the anchor's zone failed,
	 * found by an earlier batch): the chains need not be asked. */
	if (v->problem != NULL || unusable(dns_answer(q)) != NULL)
		return 0;
	return each_owner(v, q, ask_chain);
}

/* How bad a verdict is, to keep the worst of a CNAME chain's steps. */
static int
rank(enum dnssec_status s)
{
	switch (s) {
	case DNSSEC_BOGUS:		return 4;
	case DNSSEC_INDETERMINATE:	return 3;
	case DNSSEC_INSECURE:		return 2;
	case DNSSEC_SECURE:		return 1;
	default:			return 0;
	}
}

struct verdict {
	enum dnssec_status st;
	char why[DNSSEC_WHY_MAX];
};

static void
worse(struct verdict *out, enum dnssec_status st, const char *why)
{
	size_t n = strlen(why);

	if (rank(st) > rank(out->st)) {
		out->st = st;
		/* a longer reason is cut */
		if (n >= sizeof(out->why))
			n = sizeof(out->why) - 1;
		memcpy(out->why, why, n);
		out->why[n] = '\0';
	}
}

/*
 * The node whose keys judge data at owner.  When an RRSIG in list names
 * a signer at or above owner whose zone is secure with its own keys, that
 * zone is authoritative for owner and no cut lies between (RFC 4035
 * §5.3.1): the names in between need no proof.  at_owner: only the
 * RRSIGs of owner's own records count (an answer section may hold other
 * zones' records: a CNAME chain).  Otherwise the walk down to owner
 * itself decides.
 */
static struct node *
zone_for(struct dnssec_ctx *v, const ldns_rr_list *list, const char *owner,
    bool at_owner)
{
	char signer[256], o[256];
	struct node *z;
	ldns_rr *rr;

	for (size_t i = 0; i < ldns_rr_list_rr_count(list); i++) {
		rr = ldns_rr_list_rr(list, i);
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_RRSIG ||
		    (at_owner && (!name_of(ldns_rr_owner(rr), o, sizeof(o)) ||
		    strcmp(o, owner) != 0)) ||
		    ldns_rr_rrsig_signame(rr) == NULL ||
		    !name_of(ldns_rr_rrsig_signame(rr), signer,
		    sizeof(signer)) || !within(owner, signer) ||
		    !within(signer, v->zone))
			continue;
		if ((z = node_get(v, signer, 0)) != NULL &&
		    z->st == DNSSEC_SECURE && z->zone != NULL &&
		    strcmp(z->zone, signer) == 0)
			return z;
	}
	return node_get(v, owner, 0);
}

/* The RRset of type t at owner in the message's answer section. */
static void
check_rrset(struct dnssec_ctx *v, const ldns_pkt *p, const char *owner,
    ldns_rr_type t, struct verdict *out)
{
	struct node *z = zone_for(v, ldns_pkt_answer(p), owner, true);
	ldns_rr_list *set = NULL, *sigs = NULL;
	ldns_rdf *o = NULL;
	char what[300], why[DNSSEC_WHY_MAX];
	enum dnssec_status st;

	if (z == NULL) {
		worse(out, DNSSEC_INDETERMINATE, "out of memory");
		return;
	}
	if (z->st != DNSSEC_SECURE) {
		worse(out, z->st, z->why);
		return;
	}
	if ((o = rdf_of(owner)) == NULL ||
	    (set = pick(ldns_pkt_answer(p), o, t, false)) == NULL ||
	    (sigs = pick(ldns_pkt_answer(p), o, t, true)) == NULL) {
		worse(out, DNSSEC_INDETERMINATE, "out of memory");
		goto out;
	}
	snprintf(what, sizeof(what), "%s %s", owner,
	    dns_type_name((uint16_t)t));
	st = verify_set(v, set, sigs, z->keys, z->zone, what, why,
	    sizeof(why));
	worse(out, st, why);
out:
	ldns_rr_list_free(set);
	ldns_rr_list_free(sigs);
	ldns_rdf_deep_free(o);
}

/* A NODATA or NXDOMAIN at owner for type t: a signed NSEC/NSEC3 proof. */
static void
check_denial(struct dnssec_ctx *v, const ldns_pkt *p, const char *owner,
    ldns_rr_type t, bool nxdomain, struct verdict *out)
{
	struct node *z = zone_for(v, ldns_pkt_authority(p), owner, false);
	ldns_rr_list *nsecs = NULL, *sigs = NULL;
	ldns_rr *question = NULL;
	ldns_rdf *o = NULL;
	char why[DNSSEC_WHY_MAX + 400];	/* cut to DNSSEC_WHY_MAX by worse() */
	enum dnssec_status st;
	ldns_status ls;
	bool nsec3;

	if (z == NULL) {
		worse(out, DNSSEC_INDETERMINATE, "out of memory");
		return;
	}
	if (z->st != DNSSEC_SECURE) {
		worse(out, z->st, z->why);
		return;
	}
	st = denial_records(v, p, z, &nsecs, &sigs, &nsec3, why, sizeof(why));
	if (st == DNSSEC_INDETERMINATE) {
		worse(out, st, "out of memory");
		goto out;
	}
	if (st == DNSSEC_BOGUS && ldns_rr_list_rr_count(nsecs) > 0) {
		worse(out, st, why);
		goto out;
	}
	if ((o = rdf_of(owner)) == NULL || (question = ldns_rr_new()) == NULL) {
		worse(out, DNSSEC_INDETERMINATE, "out of memory");
		goto out;
	}
	ldns_rr_set_owner(question, o);
	o = NULL;
	ldns_rr_set_type(question, t);
	ldns_rr_set_class(question, LDNS_RR_CLASS_IN);
	if (ldns_rr_list_rr_count(nsecs) == 0)
		ls = LDNS_STATUS_DNSSEC_NSEC_RR_NOT_COVERED;
	else if (nsec3)
		ls = ldns_dnssec_verify_denial_nsec3(question, nsecs, sigs,
		    nxdomain ? LDNS_RCODE_NXDOMAIN : LDNS_RCODE_NOERROR, t,
		    true);
	else
		ls = ldns_dnssec_verify_denial(question, nsecs, sigs);
	if (ls != LDNS_STATUS_OK) {
		snprintf(why, sizeof(why), "missing NSEC/NSEC3 proof that %s "
		    "has no %s (%s) in signed zone %s", owner,
		    dns_type_name((uint16_t)t), nxdomain ? "NXDOMAIN" :
		    "NODATA", z->zone);
		worse(out, DNSSEC_BOGUS, why);
	} else
		worse(out, DNSSEC_SECURE, "");
out:
	ldns_rr_free(question);
	ldns_rdf_deep_free(o);
	ldns_rr_list_free(nsecs);
	ldns_rr_list_free(sigs);
}

/* Walk the answer: each CNAME of the chain from the question, then the
 * RRset or the denial at its end. */
static void
judge_answer(struct dnssec_ctx *v, struct dns_query *q,
    const struct dns_answer *a, const ldns_pkt *p, struct verdict *out)
{
	char cur[256], next[256];
	ldns_rdf *c;
	ldns_rr_list *set;
	ldns_rr_type t = (ldns_rr_type)dns_query_type(q);

	snprintf(cur, sizeof(cur), "%s", dns_query_name(q));
	for (size_t hop = 0; hop <= a->ncname; hop++) {
		if ((c = rdf_of(cur)) == NULL ||
		    (set = pick(ldns_pkt_answer(p), c, t, false)) == NULL) {
			ldns_rdf_deep_free(c);
			worse(out, DNSSEC_INDETERMINATE, "out of memory");
			return;
		}
		if (ldns_rr_list_rr_count(set) > 0) {
			ldns_rr_list_free(set);
			ldns_rdf_deep_free(c);
			check_rrset(v, p, cur, t, out);
			return;
		}
		ldns_rr_list_free(set);
		set = pick(ldns_pkt_answer(p), c, LDNS_RR_TYPE_CNAME, false);
		ldns_rdf_deep_free(c);
		if (set == NULL) {
			worse(out, DNSSEC_INDETERMINATE, "out of memory");
			return;
		}
		if (ldns_rr_list_rr_count(set) == 0) {
			ldns_rr_list_free(set);
			break;
		}
		if (!name_of(ldns_rr_rdf(ldns_rr_list_rr(set, 0), 0), next,
		    sizeof(next))) {
			ldns_rr_list_free(set);
			worse(out, DNSSEC_INDETERMINATE, "a CNAME target "
			    "does not fit");
			return;
		}
		ldns_rr_list_free(set);
		check_rrset(v, p, cur, LDNS_RR_TYPE_CNAME, out);
		snprintf(cur, sizeof(cur), "%s", next);
	}
	if (a->canon != NULL && strcmp(cur, a->canon) != 0) {
		worse(out, DNSSEC_INDETERMINATE, "the CNAME chain came in "
		    "separate answers and was not validated");
		return;
	}
	if (a->status == DNS_OK) {
		/* the records are there but not in this message */
		worse(out, DNSSEC_INDETERMINATE, "the answer's records are "
		    "not in the message kept");
		return;
	}
	check_denial(v, p, cur, t, a->status == DNS_NXDOMAIN, out);
}

/* Does the message hold any RRSIG, NSEC or NSEC3 record? */
static bool
has_dnssec_records(const ldns_pkt *p)
{
	const ldns_rr_list *sec[2] = { ldns_pkt_answer(p),
	    ldns_pkt_authority(p) };
	ldns_rr_type t;

	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; i < ldns_rr_list_rr_count(sec[k]); i++) {
			t = ldns_rr_get_type(ldns_rr_list_rr(sec[k], i));
			if (t == LDNS_RR_TYPE_RRSIG || t == LDNS_RR_TYPE_NSEC ||
			    t == LDNS_RR_TYPE_NSEC3)
				return true;
		}
	return false;
}

enum dnssec_status
dnssec_validate(struct dnssec_ctx *v, struct dns_query *q)
{
	const struct dns_answer *a = dns_answer(q);
	struct verdict out = { DNSSEC_UNCHECKED, "" };
	const char *bad;
	ldns_pkt *p;

	if (a == NULL)
		return DNSSEC_UNCHECKED;
	if (a->status != DNS_OK && a->status != DNS_NODATA &&
	    a->status != DNS_NXDOMAIN)
		return DNSSEC_UNCHECKED;	/* no answer to judge */
	if (a->dnssec != DNSSEC_UNCHECKED)
		return a->dnssec;	/* judged for an earlier domain */
	v->now = time(NULL);
	if ((bad = unusable(a)) != NULL) {
		out.st = DNSSEC_INDETERMINATE;
		snprintf(out.why, sizeof(out.why), "the answer was %s", bad);
	} else if ((p = parse(a)) == NULL) {
		out.st = DNSSEC_INDETERMINATE;
		snprintf(out.why, sizeof(out.why), "the answer does not parse");
	} else {
		judge_answer(v, q, a, p, &out);
		if (out.st == DNSSEC_BOGUS && !has_dnssec_records(p)) {
			/* Signed zone, but not one DNSSEC record in the whole
			 * message: more likely a resolver or middlebox that
			 * strips them than a zone that lost them all; never
			 * a false bogus. */
			out.st = DNSSEC_INDETERMINATE;
			snprintf(out.why, sizeof(out.why), "the answer came "
			    "without any RRSIG or NSEC record although %s is "
			    "in a signed zone (stripped on the way?)",
			    dns_query_name(q));
		}
		ldns_pkt_free(p);
	}
	if (out.st == DNSSEC_UNCHECKED)
		out.st = DNSSEC_INDETERMINATE;
	dns_answer_set_dnssec(v->r, q, out.st,
	    out.st == DNSSEC_SECURE || out.why[0] == '\0' ? NULL : out.why);
	dns_answer_drop_wire(v->r, q);
	return out.st;
}

enum dnssec_status
dnssec_check(struct dnssec_ctx *v, struct dns_query *q)
{
	dns_wait(v->r, q);
	(void)dnssec_prepare(v, q);
	dns_run(v->r);
	return dnssec_validate(v, q);
}

const char *
dnssec_run_problem(const struct dnssec_ctx *v)
{
	return v->problem;
}

/* ---- set-up -------------------------------------------------------------- */

static int
load_anchor(struct dnssec_ctx *v, const char *path, char *err,
    size_t errsize)
{
	FILE *f = fopen(path, "r");
	ldns_rdf *origin = NULL, *prev = NULL;
	uint32_t ttl = 3600;
	ldns_rr *rr;
	ldns_status st;
	int line = 0;
	char owner[256];

	if (f == NULL) {
		snprintf(err, errsize, "%s: cannot read it", path);
		return -1;
	}
	if ((v->anchor = ldns_rr_list_new()) == NULL) {
		fclose(f);
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	while (!feof(f)) {
		rr = NULL;
		st = ldns_rr_new_frm_fp_l(&rr, f, &ttl, &origin, &prev, &line);
		if (st == LDNS_STATUS_SYNTAX_EMPTY ||
		    st == LDNS_STATUS_SYNTAX_TTL ||
		    st == LDNS_STATUS_SYNTAX_ORIGIN ||
		    st == LDNS_STATUS_SYNTAX_INCLUDE)
			continue;
		if (st != LDNS_STATUS_OK) {
			snprintf(err, errsize, "%s:%d: %s", path, line,
			    ldns_get_errorstr_by_id(st));
			goto fail;
		}
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_DS &&
		    ldns_rr_get_type(rr) != LDNS_RR_TYPE_DNSKEY) {
			ldns_rr_free(rr);
			continue;
		}
		if (!name_of(ldns_rr_owner(rr), owner, sizeof(owner)) ||
		    (v->zone[0] != '\0' && strcmp(owner, v->zone) != 0)) {
			ldns_rr_free(rr);
			snprintf(err, errsize, "%s:%d: every anchor must have "
			    "the same owner", path, line);
			goto fail;
		}
		snprintf(v->zone, sizeof(v->zone), "%s", owner);
		if (ldns_rr_list_rr_count(v->anchor) >= DNSSEC_MAX_ANCHORS ||
		    !ldns_rr_list_push_rr(v->anchor, rr)) {
			ldns_rr_free(rr);
			snprintf(err, errsize, "%s: more than %d anchors", path,
			    DNSSEC_MAX_ANCHORS);
			goto fail;
		}
	}
	if (ldns_rr_list_rr_count(v->anchor) == 0) {
		snprintf(err, errsize, "%s: no DS or DNSKEY record", path);
		goto fail;
	}
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	fclose(f);
	return 0;
fail:
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	fclose(f);
	return -1;
}

struct dnssec_ctx *
dnssec_new(struct dns_resolver *r, const char *anchor_file, char *err,
    size_t errsize)
{
	struct dnssec_ctx *v = calloc(1, sizeof(*v));

	if (v == NULL) {
		snprintf(err, errsize, "out of memory");
		return NULL;
	}
	v->r = r;
	if (load_anchor(v, anchor_file, err, errsize) != 0) {
		dnssec_free(v);
		return NULL;
	}
	if (dns_live_dnssec(r) != 0) {
		snprintf(err, errsize, "DNSSEC validation needs a live "
		    "resolver");
		dnssec_free(v);
		return NULL;
	}
	return v;
}

struct dnssec_ctx *
dnssec_open(struct dns_resolver *r, bool enabled, bool zone_files,
    const char *anchor_file, const char **skipped, char *err,
    size_t errsize)
{
	*skipped = NULL;
	if (!enabled) {
		*skipped = "--no-dnssec";
		return NULL;
	}
	if (zone_files) {
		*skipped = "DNS answers come from zone files (--zone)";
		return NULL;
	}
	if (anchor_file == NULL && access(DNSSEC_DEFAULT_ANCHOR, R_OK) != 0) {
		*skipped = "no trust anchor (" DNSSEC_DEFAULT_ANCHOR " is not "
		    "installed; --trust-anchor FILE)";
		return NULL;
	}
	return dnssec_new(r, anchor_file != NULL ? anchor_file :
	    DNSSEC_DEFAULT_ANCHOR, err, errsize);
}

void
dnssec_free(struct dnssec_ctx *v)
{
	struct node *n, *next;

	if (v == NULL)
		return;
	for (size_t i = 0; i < NODE_TAB; i++)
		for (n = v->tab[i]; n != NULL; n = next) {
			next = n->next;
			if (n->own_keys)
				ldns_rr_list_deep_free(n->keys);
			free(n->name);
			free(n);
		}
	ldns_rr_list_deep_free(v->anchor);
	free(v);
}

/* ---- one domain's report ------------------------------------------------- */

int
dnssec_report_add(struct dnssec_report *rep, const struct dnssec_ctx *v,
    const struct dns_query *q)
{
	const struct dns_answer *a = dns_answer(q);
	struct dnssec_item *it;

	if (a == NULL || a->dnssec == DNSSEC_UNCHECKED)
		return 0;
	for (size_t i = 0; i < rep->n; i++)
		if (rep->item[i].type == dns_query_type(q) &&
		    strcmp(rep->item[i].name, dns_query_name(q)) == 0)
			return 0;
	rep->ntotal++;
	if (rep->n >= DNSSEC_MAX_ITEMS)
		return 0;
	if (rep->item == NULL &&
	    (rep->item = calloc(DNSSEC_MAX_ITEMS, sizeof(*it))) == NULL) {
		rep->oom = true;
		return -1;
	}
	it = &rep->item[rep->n++];
	snprintf(it->name, sizeof(it->name), "%s", dns_query_name(q));
	it->type = dns_query_type(q);
	it->st = a->dnssec;
	snprintf(it->why, sizeof(it->why), "%s",
	    a->dnssec_why != NULL ? a->dnssec_why : "");
	it->run_wide = it->st == DNSSEC_INDETERMINATE && v->problem != NULL &&
	    strcmp(it->why, v->problem) == 0;
	return 0;
}

void
dnssec_report_free(struct dnssec_report *rep)
{
	free(rep->item);
	rep->item = NULL;
	rep->n = rep->ntotal = 0;
}

/* "a TXT, b MX, ..." of the items from i on with the same status and
 * reason as item i (those go into one finding: a zone's broken chain is
 * one fault, not one per name). */
static void
same_names(const struct dnssec_report *rep, size_t i, char *dst,
    size_t size)
{
	const struct dnssec_item *it = &rep->item[i];
	size_t at = 0;
	int n;

	dst[0] = '\0';
	for (size_t j = i; j < rep->n && at < size; j++) {
		if (rep->item[j].st != it->st ||
		    strcmp(rep->item[j].why, it->why) != 0)
			continue;
		n = snprintf(dst + at, size - at, "%s%s %s", at ? ", " : "",
		    rep->item[j].name, dns_type_name(rep->item[j].type));
		if (n < 0)
			break;
		at += (size_t)n;
	}
}

/* Was an item before i reported with the same status and reason? */
static bool
said_before(const struct dnssec_report *rep, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (rep->item[j].st == rep->item[i].st &&
		    strcmp(rep->item[j].why, rep->item[i].why) == 0)
			return true;
	return false;
}

void
dnssec_judge(const struct dnssec_report *rep, const char *domain,
    struct diag_sink *sink)
{
	struct diag d;
	const struct dnssec_item *it;
	char names[600];
	bool told_indet = false;

	memset(&d, 0, sizeof(d));
	d.domain = domain;
	for (size_t i = 0; i < rep->n; i++) {
		it = &rep->item[i];
		if (said_before(rep, i))
			continue;
		same_names(rep, i, names, sizeof(names));
		switch (it->st) {
		case DNSSEC_BOGUS:
			diag_reportf(sink, DIAG_DNSSEC_BOGUS, &d, "bogus: %s "
			    "(%s)", it->why, names);
			break;
		case DNSSEC_INSECURE:
			diag_reportf(sink, DIAG_DNSSEC_INSECURE, &d, "not "
			    "signed: %s (%s)", it->why, names);
			break;
		case DNSSEC_INDETERMINATE:
			/* the run-wide problem is said once per run by the
			 * caller; the others once per report */
			if (it->run_wide || told_indet)
				break;
			told_indet = true;
			diag_reportf(sink, DIAG_DNSSEC_INDETERMINATE, &d,
			    "not validated: %s (%s)", it->why, names);
			break;
		default:
			break;
		}
	}
}
