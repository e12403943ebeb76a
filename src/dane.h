/*
 * dane.h -- DANE for SMTP (RFC 7672): the TLSA records of an MX host,
 * which of them a sender may use, and the judgement of what the probe's
 * TLS handshake matched (tls.c does the matching with OpenSSL's DANE
 * support).
 *
 * The lookup rides on the resolver's batch: dane_lookup_start() asks
 * for the TLSA RRset at _PORT._tcp.HOST together with the host's
 * addresses, and when the address answer shows that HOST is an alias,
 * the callback asks for the TLSA at the expanded name too (RFC 7672
 * §2.2.3); nothing waits.  Which records count depends on the answer's
 * DNSSEC status (dns.h): only SECURE ones bind senders (§2.2); the zone
 * backend never validates (UNCHECKED), and the report then still says
 * whether the records match, since a record that matches nothing is
 * broken whatever the zone.
 */
#ifndef AUTHCHECK_DANE_H
#define AUTHCHECK_DANE_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "dns.h"
#include "tls.h"

#define DANE_MAX_TLSA	16	/* records kept per RRset */
#define DANE_NAME_SIZE	300	/* "_65535._tcp." and a host name */

/* One TLSA RRset as answered (or as given with --tlsa). */
struct dane_set {
	char qname[DANE_NAME_SIZE];	/* "_25._tcp.mx.example.com" */
	bool asked;
	enum dns_status status;		/* DNS_PENDING until answered */
	enum dnssec_status dnssec;
	char dnssec_why[160];
	char why[160];			/* a failed lookup's reason */
	struct tls_tlsa rec[DANE_MAX_TLSA];	/* data malloc'd */
	size_t n, ntotal;		/* kept, in the answer */
};

/* The TLSA lookup of one host (RFC 7672 §2.2.3). */
struct dane_lookup {
	char host[256];
	unsigned port;
	struct dane_set orig;		/* at the host name as published */
	struct dane_set canon;		/* at its CNAME expansion (asked
					 * only when it is an alias) */
	char canon_name[256];
	enum dnssec_status cname_dnssec; /* of the address answer that
					 * showed the alias */
	bool addr_insecure;		/* an address answer of the host was
					 * proven unsigned: no DANE for it
					 * (RFC 7672 §2.2.2) */
	bool given;			/* records from --tlsa, not DNS */
	bool oom;
	struct dns_resolver *r_;	/* internal */
	unsigned addr_seen_;		/* internal: address answers read */
	void (*progress_)(void *);	/* internal: dane_lookup_start() */
	void *progress_arg_;
};

/* Ask for the TLSA of host on port (and, through the address answers'
 * callbacks, of its CNAME expansion).  dl must stay at its address until
 * dns_run() returns.  progress (may be NULL) is called with arg after
 * each answer the lookup reads, so the caller can see when it is done
 * (dane_lookup_done).  0, or -1 when memory ran out (dl->oom). */
int dane_lookup_start(struct dns_resolver *r, const char *host,
    unsigned port, struct dane_lookup *dl, void (*progress)(void *),
    void *arg);
/* Every question of the lookup answered (or never to be asked). */
bool dane_lookup_done(const struct dane_lookup *dl);
/* After DNSSEC validation has judged the answers (dnssec.h), which runs
 * after they came in: take the verdicts of the TLSA and address answers
 * into dl (the callbacks saw them unchecked). */
void dane_lookup_refresh(struct dane_lookup *dl, struct dns_resolver *r);
/* Records given on the command line ("U S M HEX" each) instead of DNS.
 * 0, or -1 with why one is not a TLSA record (or out of memory) in
 * err. */
int dane_lookup_given(struct dane_lookup *dl, const char *host,
    unsigned port, const char *const *recs, size_t n, char *err,
    size_t errsize);
void dane_lookup_free(struct dane_lookup *dl);

/* The RRset that applies: the expanded name's when the alias resolved
 * securely (or unvalidated) and it has TLSA, else the original's. */
const struct dane_set *dane_lookup_set(const struct dane_lookup *dl);

/* Can a sender use this record for SMTP?  NULL when it can (usage 2 or
 * 3, selector 0 or 1, matching type 0, 1 or 2 with the digest's
 * length), else why not (static). */
const char *dane_rec_unusable(const struct tls_tlsa *t);
/* The usable records of s into out[0..max): how many (out NULL: only
 * count them). */
size_t dane_usable(const struct dane_set *s, struct tls_tlsa *out,
    size_t max);
/* "3 1 1 0a1b..." into out (hex cut with "..." past size). */
void dane_rec_format(const struct tls_tlsa *t, char *out, size_t size);

/* What DANE says about one probed address (JSON "dane.status"). */
enum dane_status {
	DANE_NONE = 0,		/* no lookup (not an MX, a literal) */
	DANE_NO_TLSA,		/* the host has no TLSA records */
	DANE_MATCHED,
	DANE_MISMATCH,
	DANE_NOT_CHECKED,	/* no handshake, no usable record, lookup
				 * failed or DNSSEC bogus */
	DANE_INSECURE		/* TLSA in an unsigned zone: ignored */
};

struct dane_verdict {
	enum dane_status status;
	int rec;		/* matched record: index in the set, -1 */
	int depth;		/* chain depth it matched at, -1 */
	const char *why;	/* NOT_CHECKED, INSECURE: why (static) */
};

/* "matched", "mismatch", "not-checked", "no-tlsa", "insecure", "none" */
const char *dane_status_name(enum dane_status s);
/* "secure", "insecure", "bogus", "indeterminate", "unchecked" */
const char *dane_dnssec_name(enum dnssec_status s);

struct smtp_probe;

/* The findings about a host's TLSA records (dane.bad-usage,
 * dane.unusable-tlsa, dane.insecure-tlsa) into sink; d says where. */
void dane_judge_host(const struct dane_lookup *dl, struct diag_sink *sink,
    struct diag *d);
/* The verdict for one probed address, and dane.mismatch into sink when
 * the records bind and nothing matched.  where: "mx 192.0.2.1:25". */
void dane_judge_probe(const struct dane_lookup *dl,
    const struct smtp_probe *p, const char *where, struct diag_sink *sink,
    struct diag *d, struct dane_verdict *v);
/* The findings about one record on its own (dane.bad-usage,
 * dane.unusable-tlsa, dane.full-data), as `generate tlsa` lints the
 * record it made; owner is its name. */
void dane_lint_rec(const struct tls_tlsa *t, const char *owner,
    struct diag_sink *sink, struct diag *d);
/* Does the host publish TLSA records (any, usable or not)? */
bool dane_has_tlsa(const struct dane_lookup *dl);

#endif
