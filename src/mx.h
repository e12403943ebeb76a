/*
 * mx.h -- MX records and reverse DNS (FCrDNS) of mail addresses.
 *
 * What is checked: the domain's MX RRset (null MX, RFC 7505; duplicates;
 * IP literals; CNAME targets, RFC 2181 §10.3), the A/AAAA of every MX host,
 * and for every MX address and every sending address the user gives
 * (--ip) the iprev test of RFC 8601 §3: PTR names of the address, and
 * whether one of them resolves back to it (forward-confirmed reverse DNS).
 *
 * The check runs in two halves so that the domain report can run every
 * check of every domain on one resolver at once: mx_start() submits the
 * first queries with callbacks, the callbacks submit the follow-ups as
 * answers arrive (nothing here ever waits), the caller runs dns_run()
 * once, and mx_finish() judges what arrived and reports findings.
 *
 * Hostile DNS is bounded: at most MX_MAX_HOSTS MX records (the most
 * preferred), MX_MAX_ADDRS addresses per host and MX_MAX_PTRS PTR names
 * per address are examined.  The result records what was cut (the *_total
 * counts) and the findings about a cut part say so.
 */
#ifndef AUTHCHECK_MX_H
#define AUTHCHECK_MX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "area.h"
#include "diag.h"
#include "dns.h"
#include "ip.h"

#define MX_MAX_HOSTS	32	/* MX records examined, by preference */
#define MX_MAX_ADDRS	16	/* A + AAAA addresses examined per MX host */
#define MX_MAX_PTRS	8	/* PTR names forward-confirmed per address */
#define MX_MAX_SEND	64	/* sending addresses examined (--ip) */
#define MX_MAX_FAILS	64	/* failed queries remembered for findings */
#define MX_REVNAME_SIZE	74	/* ip6.arpa name with the NUL */

/* The iprev result of one address (RFC 8601 §3 / §2.7.3 names). */
enum mx_iprev {
	MX_IPREV_NONE = 0,	/* not judged (mx_finish not run yet) */
	MX_IPREV_PASS,		/* a PTR name resolves back to the address */
	MX_IPREV_FAIL,		/* PTR names exist, none resolves back */
	MX_IPREV_PERMERROR,	/* no PTR (NXDOMAIN or NODATA) */
	MX_IPREV_TEMPERROR	/* a query failed: unknown */
};

struct dane_lookup;
struct mx_addr;
struct mx_host;
struct mx_result;

/* One PTR name of an address and its forward confirmation. */
struct mx_ptr {
	char *name;			/* the PTR target (malloc'd) */
	enum dns_status fwd_status;	/* its A (IPv4) or AAAA (IPv6) query;
					 * DNS_PENDING until answered */
	bool confirmed;			/* that answer holds the address */
	struct mx_addr *addr_;		/* internal: back pointer */
};

/* One address: of an MX host, or a sending address. */
struct mx_addr {
	struct ipaddr ip;
	char rev[MX_REVNAME_SIZE];	/* "4.3.2.1.in-addr.arpa" */
	enum dns_status ptr_status;	/* of the PTR query */
	size_t nptr_total;		/* PTR names in the answer */
	size_t nptr;			/* examined: at most MX_MAX_PTRS */
	struct mx_ptr ptr[MX_MAX_PTRS];
	enum mx_iprev iprev;		/* set by mx_finish() */
	struct mx_result *res_;		/* internal: back pointer */
};

/* One MX record and what its exchange resolved to. */
struct mx_host {
	uint16_t pref;
	char *name;		/* exchange as published, no trailing dot;
				 * "" for the null MX "." (malloc'd) */
	char *cname;		/* canonical name when the exchange is an
				 * alias (CNAME), else NULL (malloc'd) */
	bool null_mx;		/* exchange "." */
	bool ip_literal;	/* exchange is an address in text form (with
				 * or without brackets): not resolved */
	bool duplicate;		/* an earlier record has the same exchange:
				 * not resolved again */
	bool origin_literal;	/* "192.0.2.1.<domain>": an address with the
				 * zone's origin appended (a missing trailing
				 * dot); also ip_literal, but resolved */
	bool resolved;		/* its A and AAAA were queried */
	enum dns_status a_status, aaaa_status;	/* DNS_PENDING if not asked */
	size_t naddr_total;	/* addresses in the A and AAAA answers */
	size_t naddr;		/* examined: at most MX_MAX_ADDRS */
	struct mx_addr addr[MX_MAX_ADDRS];
	struct dane_lookup *tlsa;	/* its TLSA (mx_opts.tlsa_port), asked
					 * with the addresses; NULL when not
					 * asked (malloc'd) */
	struct mx_result *res_;	/* internal: back pointer */
	bool starting_;		/* internal: its questions being asked */
	bool ready_sent_;	/* internal: host_ready called */
};

/* A query that failed (SERVFAIL, timeout, local error). */
struct mx_failure {
	char *name;		/* malloc'd */
	uint16_t type;
	enum dns_status status;
	char *why;		/* resolver's reason, or NULL (malloc'd) */
};

/* --ip sending addresses whose PTR/FCrDNS is checked too. */
struct mx_opts {
	const struct ipaddr *send_ips;
	size_t nsend_ips;
	/* Called once per MX host to be resolved, as soon as its A, AAAA
	 * and (with tlsa_port) TLSA are answered (host_ready may be NULL):
	 * the SMTP probe starts there, with the records DANE matches in the
	 * handshake, while the rest of the DNS work goes on.  h, its
	 * addresses and its TLSA records are final then. */
	void (*host_ready)(void *arg, const struct mx_host *h);
	void *host_arg;
	unsigned tlsa_port;	/* also ask each MX host's TLSA at
				 * _PORT._tcp (DANE, RFC 7672: 25), with
				 * its addresses; 0: not */
};

/*
 * Everything the MX check learned; the renderers read it after
 * mx_finish().  All memory belongs to the result (mx_result_free()).
 */
struct mx_result {
	struct area_result area;	/* findings, incomplete, oom (area.h) */
	char domain[256];		/* as given, no trailing dot */
	enum dns_status mx_status;	/* of the MX query */
	enum dns_status a_status, aaaa_status;	/* of the domain's own A and
					 * AAAA (the implicit MX, RFC 5321
					 * §5.1), for mx.missing's advice */
	size_t nmx;			/* MX records in the answer */
	bool null_mx;			/* one of them is the null MX "." */
	size_t nnull;			/* how many are (any preference) */
	struct mx_host *host;		/* sorted by preference, at most
					 * MX_MAX_HOSTS; NULL when none */
	size_t nhost;
	struct mx_addr *send;		/* the --ip addresses, in order */
	size_t nsend;			/* examined: at most MX_MAX_SEND */
	size_t nsend_total;		/* given */
	struct mx_failure fail[MX_MAX_FAILS];
	size_t nfail;			/* remembered failures */
	size_t nfail_total;		/* all failures */
	struct dns_resolver *r_;	/* internal: for the callbacks */
	void (*host_ready_)(void *, const struct mx_host *);	/* internal */
	void *host_arg_;		/* internal */
	unsigned tlsa_port_;		/* internal: mx_opts.tlsa_port */
	bool finished_;			/* internal: mx_finish() ran */
};

/*
 * Submit the MX query for domain, the domain's A and AAAA, and the PTR of
 * each o->send_ips (o may be NULL); the callbacks then submit A/AAAA of
 * each MX host, PTR of each address and A/AAAA of each PTR name.  Never
 * waits: the caller runs dns_run(r) (with any other checks' queries) and
 * then mx_finish().  res is initialised here and must stay at the same
 * address, and r alive, until dns_run() has returned.  Returns 0, or -1
 * when domain is not a valid name or memory runs out (res is then safe
 * to pass to mx_result_free()).
 */
int mx_start(struct dns_resolver *r, const char *domain,
    const struct mx_opts *o, struct mx_result *res);

/*
 * After dns_run(): judge the answers (sets each address's iprev, counts
 * queries that never completed as failures) and report the findings to
 * sink: mx.missing, mx.null, mx.null-mixed, mx.no-address, mx.cname,
 * mx.ip-literal, mx.duplicate, ptr.missing, ptr.mismatch, dns.failure.
 * Uses no resolver data: everything was copied into res.  Reporting twice
 * judges once.
 */
void mx_finish(struct mx_result *res, struct diag_sink *sink);

/* Release what res owns; res may be reused after mx_start(). */
void mx_result_free(struct mx_result *res);

/* mx_start(), dns_run(r), mx_finish() in one call.  Same return. */
int mx_check(struct dns_resolver *r, const char *domain,
    const struct mx_opts *o, struct mx_result *res, struct diag_sink *sink);

/* "pass", "fail", "permerror", "temperror", "none". */
const char *mx_iprev_name(enum mx_iprev v);

/* True when an MX exchange p[0..len) is an IP address in text form:
 * "192.0.2.1", "[192.0.2.1]", "2001:db8::1", "[IPv6:2001:db8::1]". */
bool mx_is_ip_literal(const char *p, size_t len);

#endif
