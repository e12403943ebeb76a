/*
 * zone_index.h -- a compact index of a zone's owner names and a resolver
 * backend answering from it (what `authcheck zone` lints SPF trees on).
 *
 * Why an index instead of the zone backend (dns_zone.c): a 1M-record zone
 * loaded whole costs hundreds of megabytes, yet the checks only need to
 * know which names exist with which types, the TXT records SPF can reach,
 * and a few counts.  The index holds one 32-byte slot per owner name keyed
 * by a 64-bit hash of the name; a collision (odds about n^2 / 2^65) could
 * at worst merge the counts of two names.
 *
 * The resolver over the index answers A/AAAA/MX with the right number of
 * RRs but placeholder data (the lint only counts them), TXT with the kept
 * records, CNAME with the target, and follows CNAMEs.  Names outside the
 * zone go to another resolver or, offline, fail with SERVFAIL and are
 * counted (struct zone_index_lookups).
 *
 * The index owns everything it holds (zone_index_free()); the names and
 * texts live in its arena, which its user may allocate from too.
 */
#ifndef AUTHCHECK_ZONE_INDEX_H
#define AUTHCHECK_ZONE_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"

struct dns_resolver;

#define ZONE_INDEX_MAX_APEX	16
#define ZONE_INDEX_MAX_OUTSIDE	64	/* outside names counted */

/* Types present at a name (struct zone_owner.types). */
enum {
	ZI_A = 1 << 0, ZI_AAAA = 1 << 1, ZI_MX = 1 << 2, ZI_TXT = 1 << 3,
	ZI_CNAME = 1 << 4, ZI_NS = 1 << 5, ZI_SOA = 1 << 6, ZI_SPF99 = 1 << 7,
	ZI_OTHER = 1 << 8,
	ZI_DNSSEC = 1 << 9,	/* RRSIG, NSEC: allowed next to a CNAME */
	ZI_REJECTED = 1 << 10	/* a record here was rejected (zone.syntax):
				 * its type's bit is set, its data unknown;
				 * a TXT question with no kept record then
				 * fails rather than being NODATA */
};

/* One owner name.  The counters saturate at 255; besides nmx (which sizes
 * MX answers) and the chains, they and `flags` are the user's. */
struct zone_owner {
	uint64_t h;		/* 0: empty slot */
	uint32_t txt_total;	/* octets of all TXT strings (saturating) */
	uint32_t txt;		/* first kept TXT record + 1; 0 none */
	uint32_t cname;		/* CNAME target index + 1; 0 none */
	uint16_t types;
	uint8_t nmx, nspf, ndmarc, ndkim, ncname, flags;
	uint8_t npolicy;	/* MTA-STS, TLS-RPT or BIMI records here */
};

/* A kept TXT record: what SPF can look up. */
struct zone_txt {
	const char *owner;
	const char *text;	/* strings joined, NUL-terminated */
	uint32_t len;
	uint32_t next;		/* next kept TXT at the owner + 1 */
	/* where it came from, and what the user makes of it */
	uint32_t file;
	uint32_t ign;
	unsigned long line;
	bool spf;
	bool dmarc;		/* a v=DMARC1 record */
};

struct zone_index {
	struct arena arena;		/* names and texts */
	struct zone_owner *tab;
	size_t tabsize, count;
	struct zone_txt *txt;
	size_t ntxt, txtcap;
	const char **ctarget;		/* CNAME targets */
	size_t nct, ctcap;
	const char *apex[ZONE_INDEX_MAX_APEX];
	size_t napex;
};

/* The index's hash of the name p[0..n) (case-insensitive, never 0). */
uint64_t zone_index_hash(const char *p, size_t n);
/* The slot of hash h, or NULL. */
struct zone_owner *zone_index_find(const struct zone_index *ix, uint64_t h);
/* The slot of the NUL-terminated name, or NULL. */
struct zone_owner *zone_index_name(const struct zone_index *ix,
    const char *name);
/* The slot of hash h, added empty when absent; NULL when out of memory. */
struct zone_owner *zone_index_get(struct zone_index *ix, uint64_t h);
/* The ZI_ bit of an RR type. */
uint16_t zone_index_type_bit(uint16_t type);
/* Add an apex (origin or SOA owner) p[0..n); false when out of memory.
 * More than ZONE_INDEX_MAX_APEX are ignored. */
bool zone_index_add_apex(struct zone_index *ix, const char *p, size_t n);
/* Keep the TXT record text[0..len) of owner[0..on) at e, after those
 * already there.  The record (owned by the index, valid until the next
 * keep) or NULL when out of memory. */
struct zone_txt *zone_index_keep_txt(struct zone_index *ix,
    struct zone_owner *e, const char *owner, size_t on, const char *text,
    size_t len);
/* Note the CNAME target p[0..n) of e (the first one counts); false when
 * out of memory. */
bool zone_index_add_cname(struct zone_index *ix, struct zone_owner *e,
    const char *p, size_t n);
/* Is the NUL-terminated name inside the zone: under an apex, or the name
 * or one of its ancestors in the index (files without an SOA)? */
bool zone_index_inside(const struct zone_index *ix, const char *name);
/* Free what the index holds; it is empty afterwards. */
void zone_index_free(struct zone_index *ix);

/* What a resolver over the index did with names outside the zone. */
struct zone_index_lookups {
	struct dns_resolver *outside;	/* answers them; NULL: offline */
	bool incomplete;		/* a query to outside failed */
	bool oom;			/* memory ran out answering: some
					 * answers were DNS_ERROR */
	size_t nrejected;		/* SERVFAILs for in-zone names whose
					 * record was rejected (ZI_REJECTED) */
	/* offline: the distinct names asked (at most MAX_OUTSIDE) */
	size_t nout;
	uint64_t outh[ZONE_INDEX_MAX_OUTSIDE];
	char out_first[256];		/* the first of them */
};

/* A resolver answering from ix (which must outlive it); lk (set up by the
 * caller, likewise) collects the outside names.  NULL when out of memory.
 * Free with dns_free(). */
struct dns_resolver *zone_index_resolver_new(const struct zone_index *ix,
    struct zone_index_lookups *lk);

#endif
