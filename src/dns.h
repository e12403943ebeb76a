/*
 * dns.h -- the resolver interface every check talks to.
 *
 * Callers submit many queries, then wait.  A query is identified by
 * (name, type); the resolver keeps one entry per pair for the whole run (the
 * cache), so submitting the same question twice costs nothing and both
 * callers see the same answer.  Three backends implement the network side:
 *
 *   dns_live.c    ldns wire format over our own non-blocking sockets, every
 *                 submitted query in flight at once;
 *   dns_zone.c    answers from zone files or from records added by a
 *                 program (offline linting, the demo, the test suites);
 *   zone_index.c  answers from the compact owner-name index `authcheck
 *                 zone` builds of a zone too big to load (placeholder
 *                 A/AAAA/MX data: the SPF lint only counts them).
 *
 * No ldns type crosses this interface: answers are decoded into the plain
 * structures below at the backend boundary.
 *
 * Ownership: the resolver owns every entry and answer until dns_free().
 * Names are presentation format without the trailing dot; comparisons are
 * case-insensitive.
 */
#ifndef AUTHCHECK_DNS_H
#define AUTHCHECK_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ip.h"

enum {
	DNS_T_A = 1, DNS_T_NS = 2, DNS_T_CNAME = 5, DNS_T_SOA = 6,
	DNS_T_PTR = 12, DNS_T_MX = 15, DNS_T_TXT = 16, DNS_T_AAAA = 28,
	DNS_T_DS = 43, DNS_T_RRSIG = 46, DNS_T_DNSKEY = 48, DNS_T_TLSA = 52,
	DNS_T_SPF = 99
};

/* What became of a query.  Kept distinct because SPF needs them apart:
 * NODATA and NXDOMAIN are void lookups, the rest are temperror. */
enum dns_status {
	DNS_PENDING = 0,	/* still in flight */
	DNS_OK,			/* NOERROR with at least one RR of the type */
	DNS_NODATA,		/* NOERROR, name exists, no RR of the type */
	DNS_NXDOMAIN,		/* RCODE 3 */
	DNS_SERVFAIL,		/* any other RCODE (SERVFAIL, REFUSED, ...) */
	DNS_TIMEOUT,		/* no usable answer within timeout x retries */
	DNS_BADNAME,		/* the name cannot be queried (label > 63 ...) */
	DNS_ERROR		/* local failure: out of memory, no sockets */
};

/* One character-string of a TXT record: at most 255 bytes, any bytes. */
struct dns_str {
	const char *p;
	uint8_t len;
};

struct dns_rr {
	uint16_t type;
	uint32_t ttl;
	const char *owner;		/* owner name as answered */
	union {
		struct ipaddr addr;	/* A, AAAA */
		struct {
			uint16_t pref;
			const char *host;	/* "" for the null MX "." */
		} mx;
		const char *target;	/* CNAME, PTR, NS */
		struct {
			size_t n;		/* character-strings */
			const struct dns_str *s;
			size_t total;		/* sum of the strings' lengths */
		} txt;			/* TXT, SPF */
		struct {
			uint8_t usage, selector, mtype;
			const uint8_t *data;	/* the certificate
						 * association data */
			size_t len;		/* its bytes (>= 1) */
		} tlsa;			/* TLSA (RFC 6698 §2.1) */
	} u;
};

/* What DNSSEC validation (RFC 4033 §5, RFC 4035 §5) says about an answer.
 * UNCHECKED: no validation ran (the zone backend, validation off).  Only
 * SECURE answers may be trusted for DANE (RFC 7672 §2.2). */
enum dnssec_status {
	DNSSEC_UNCHECKED = 0,
	DNSSEC_SECURE,		/* chain of trust from the trust anchor */
	DNSSEC_INSECURE,	/* proven unsigned delegation on the way */
	DNSSEC_BOGUS,		/* signed, but the signatures do not verify */
	DNSSEC_INDETERMINATE,	/* the proof could not be fetched */
};

struct dns_answer {
	enum dns_status status;
	uint8_t rcode;
	const char *qname;		/* as submitted */
	uint16_t qtype;
	const char *canon;		/* name after following CNAMEs */
	size_t ncname;			/* CNAME hops followed */
	size_t nrr;			/* RRs of qtype at canon */
	const struct dns_rr *rr;
	bool tcp;			/* the answer came over TCP */
	const char *why;		/* for TIMEOUT/SERVFAIL/ERROR: a short
					 * human reason ("SERVFAIL from
					 * 127.0.0.1:53"), else NULL */
	enum dnssec_status dnssec;	/* DNSSEC_UNCHECKED unless validated */
	const char *dnssec_why;		/* BOGUS/INSECURE: the reason or the
					 * proof, else NULL */
	/* The answer message as it came (wire format), for DNSSEC
	 * validation (dnssec.c): kept only when dns_live_dnssec() asked for
	 * it and while the resolver's total stays under DNS_WIRE_MAX; NULL
	 * otherwise (zone backend, validation off, cap reached). */
	const uint8_t *wire;
	size_t wirelen;
};

/* The most bytes of answer messages one resolver keeps for validation. */
#define DNS_WIRE_MAX	(64u * 1024 * 1024)

struct dns_resolver;
struct dns_query;

/* Called once when a query completes (immediately, from dns_submit(), when
 * the answer is already known).  May submit further queries. */
typedef void dns_cb(void *arg, struct dns_query *q);

struct dns_stats {
	unsigned long submitted;	/* dns_submit() calls */
	unsigned long cache_hits;	/* ... answered from an existing entry */
	unsigned long queries;		/* distinct questions resolved */
	unsigned long packets;		/* datagrams/segments sent (retries) */
	unsigned long tcp;		/* TCP fallbacks after truncation */
	unsigned long timeouts;
	unsigned long in_flight_max;	/* most queries outstanding at once */
};

/* Live backend options.  Servers are "HOST" or "HOST:PORT", IPv6 as
 * "[addr]:port"; none means /etc/resolv.conf. */
struct dns_live_opts {
	const char *const *servers;
	size_t nservers;
	double timeout;		/* seconds per attempt; default 2 */
	int retries;		/* extra attempts after the first; default 2 */
	size_t max_inflight;	/* queries in flight at most; 0: default
				 * (2048), capped by dns_live_inflight_cap() */
	double qps;		/* new questions sent per second; 0: no cap */
};

/* The most queries the live resolver keeps in flight when want (0: the
 * default) is asked for: one socket each, so the soft RLIMIT_NOFILE is
 * raised towards the hard one if needed and the result leaves some
 * descriptors free for the rest of the process.  *fd_limit (may be NULL)
 * gets the descriptor limit then in force, 0 when unlimited. */
size_t dns_live_inflight_cap(size_t want, size_t *fd_limit);

/* Create a live resolver.  On failure returns NULL and writes a message
 * into err (for the user: "bad --resolver 'x': ..."). */
struct dns_resolver *dns_live_new(const struct dns_live_opts *o,
    char *err, size_t errsize);
/* Ask every later question of a live resolver with the DNSSEC OK and
 * Checking Disabled bits (RFC 4035 §3.2: the records and signatures come
 * back, and a validating upstream does not hide a bogus answer behind
 * SERVFAIL: dnssec.c judges it and says why) and keep each answer's
 * message (dns_answer.wire).  0, or -1 when r is not a live resolver. */
int dns_live_dnssec(struct dns_resolver *r);
/* Create a zone resolver with no data (everything NXDOMAIN). */
struct dns_resolver *dns_zone_new(void);
void dns_free(struct dns_resolver *r);

/* Submit a question; cb may be NULL.  Returns the entry (owned by the
 * resolver) and cb, if given, is then called exactly once.  NULL when
 * memory ran out: cb will never be called and the caller must count the
 * question as failed (incomplete or out of memory), never as unasked.
 * An answer whose copy ran out of memory completes as DNS_ERROR "out of
 * memory". */
struct dns_query *dns_submit(struct dns_resolver *r, const char *name,
    uint16_t type, dns_cb *cb, void *arg);
/* The answer of q, or NULL while it is pending. */
const struct dns_answer *dns_answer(const struct dns_query *q);
/* Drive the backend until q has its answer; returns it (never NULL). */
const struct dns_answer *dns_wait(struct dns_resolver *r, struct dns_query *q);
/* Submit and wait in one call. */
const struct dns_answer *dns_lookup(struct dns_resolver *r, const char *name,
    uint16_t type);
/* The entry of (name, type) when it was submitted before, else NULL:
 * nothing is asked. */
struct dns_query *dns_find(struct dns_resolver *r, const char *name,
    uint16_t type);
/* Record what DNSSEC validation found about q's answer (dnssec.c); why is
 * copied.  No effect on a pending query. */
void dns_answer_set_dnssec(struct dns_resolver *r, struct dns_query *q,
    enum dnssec_status st, const char *why);
/* Free q's kept message (dns_answer.wire becomes NULL): validation is
 * done with it, and the resolver's DNS_WIRE_MAX budget serves the rest of
 * a long run. */
void dns_answer_drop_wire(struct dns_resolver *r, struct dns_query *q);
/* Drive the backend until nothing is in flight. */
void dns_run(struct dns_resolver *r);

/*
 * Tags: several units of work (the batches of a --domains run) on one
 * resolver, each waited for on its own while the others keep the window
 * full.  dns_tag() sets the tag of the questions submitted from now on
 * and returns the previous one; a question submitted from a callback
 * takes the tag of the question that callback answers, so a whole
 * dependency chain keeps the tag of its first question.  Once dns_tag()
 * has been called, every submit counts under its tag until it completes
 * (its callback returned, or its answer arrived when it has none).
 */
#define DNS_TAGS	8	/* tags are 0..DNS_TAGS-1 (taken modulo) */
unsigned dns_tag(struct dns_resolver *r, unsigned tag);
/* Submits of tag not yet completed. */
size_t dns_pending(const struct dns_resolver *r, unsigned tag);
/* Drive the backend (answering questions of every tag) until every
 * question of tag is answered and its callbacks have run. */
void dns_run_tag(struct dns_resolver *r, unsigned tag);
/* Forget every answer (a long run's memory stays flat): only when the
 * resolver is idle -- nothing pending, no callback queued -- and nobody
 * keeps a dns_query or an answer from before.  0, or -1 (nothing done)
 * when something is still pending.  Counters are kept. */
int dns_forget(struct dns_resolver *r);
const struct dns_stats *dns_stats(const struct dns_resolver *r);

/* Helpers for callers. */
const char *dns_status_name(enum dns_status s);	/* "NXDOMAIN" ... */
const char *dns_type_name(uint16_t type);		/* "TXT", "TYPE65" */
/* Join a TXT RR's strings with nothing between them (RFC 7208 §3.3) into
 * a malloc'd NUL-terminated string; *len gets the length (the text may
 * hold NUL bytes).  NULL on out-of-memory. */
char *dns_txt_join(const struct dns_rr *rr, size_t *len);
#define DNS_TLSA_MAX_DATA	65532	/* the most data an RR can carry */

/* Parse a TLSA record's presentation form p[0..len) ("3 1 1 ABCD..."; the
 * hex may be split by blanks, RFC 6698 §2.2) into rr->u.tlsa, the data
 * written to buf[0..bufsize) (rr->u.tlsa.data points there).  Returns
 * NULL, or why the text is not a TLSA record (static). */
const char *dns_tlsa_parse(const char *p, size_t len, struct dns_rr *rr,
    uint8_t *buf, size_t bufsize);
/* True when name equals parent or lies below it (case-insensitive, a
 * trailing dot on either ignored): "a.example.com" is within "example.com",
 * "badexample.com" is not. */
bool dns_name_within(const char *name, const char *parent);
/* Presentation-name checks: every label 1..63 bytes, total <= 253. */
bool dns_name_valid(const char *name, size_t len);
/* The length of name[0..n) without one trailing dot; the root "." keeps
 * it. */
size_t dns_name_trim(const char *name, size_t n);
/* The one normal form of a domain name in authcheck: valid
 * (dns_name_valid), without its trailing dot, in lower case (ascii.h).
 * Written to dst[0..size), NUL-terminated; dst may be name.  Returns its
 * length, or -1 (dst unspecified) when the name is not valid or does not
 * fit. */
int dns_name_norm(char *dst, size_t size, const char *name);

/*
 * Zone backend data entry (dns_zone.c).  Records are added by the zone-file
 * loader or directly (the test-suite driver).  Names are absolute, without
 * trailing dot.  A name with no RR of the asked type answers NODATA; an
 * absent name NXDOMAIN, unless it is an empty non-terminal (NODATA) or a
 * wildcard "*.parent" covers it.  CNAMEs are followed (loop limit 16).
 */
int dns_zone_add_rr(struct dns_resolver *r, const char *owner,
    const struct dns_rr *rr);
/* Queries at `name` for a type that has no RR there time out (the openspf
 * suite's TIMEOUT entry); with subtree, so do all names below it. */
int dns_zone_add_timeout(struct dns_resolver *r, const char *name,
    bool subtree);
/* Load a zone file; origin may be NULL ($ORIGIN or the file name then).
 * Syntax errors go to the resolver's error list (see dns_zone_errors) with
 * file and line, and loading goes on.  Returns -1 only when the file
 * cannot be read (message in err). */
int dns_zone_load(struct dns_resolver *r, const char *path, const char *origin,
    char *err, size_t errsize);
struct dns_zone_error {
	const char *file;
	unsigned long line;
	const char *msg;
};
size_t dns_zone_errors(const struct dns_resolver *r,
    const struct dns_zone_error **out);

/*
 * Backend side (dns.c <-> dns_live.c / dns_zone.c / zone_index.c).  Not
 * for checks.
 */
struct dns_backend_ops {
	/* Start resolving q (dns_query_name/type); call dns_query_done()
	 * later or right away. */
	void (*start)(void *be, struct dns_query *q);
	/* Make progress, waiting at most timeout_ms; returns the number of
	 * queries still in flight in the backend. */
	size_t (*poll)(void *be, int timeout_ms);
	void (*free)(void *be);
};
struct dns_resolver *dns_resolver_new(const struct dns_backend_ops *ops,
    void *be);
void *dns_resolver_backend(struct dns_resolver *r);
/* The ops the resolver was made with (lets a backend recognise its own). */
const struct dns_backend_ops *dns_resolver_ops(const struct dns_resolver *r);
const char *dns_query_name(const struct dns_query *q);
uint16_t dns_query_type(const struct dns_query *q);
/* Complete q with an answer.  `a` and everything it points to are copied
 * into the resolver; the caller keeps ownership of its own memory.  Fires
 * the callbacks. */
void dns_query_done(struct dns_resolver *r, struct dns_query *q,
    const struct dns_answer *a);
/* Counters the backends update. */
struct dns_stats *dns_stats_mut(struct dns_resolver *r);

#endif
