/*
 * mtasts.h -- MTA-STS (RFC 8461): the _mta-sts TXT record, the policy file
 * fetched over HTTPS, and the MX hosts it must cover.
 *
 * A check runs in three steps so that a domain report can run every check
 * of every domain on one resolver and one HTTPS batch:
 *   mtasts_start()     submits TXT _mta-sts.D and MX D; when a valid record
 *                      arrives, its callback submits A/AAAA mta-sts.D;
 *   (caller: dns_run(), then mtasts_requests() for each result and one
 *    https_fetch_all() for all of them)
 *   mtasts_finish()    parses the policy and reports every finding.
 * Nothing here waits on DNS or prints.
 */
#ifndef AUTHCHECK_MTASTS_H
#define AUTHCHECK_MTASTS_H

#include <stdbool.h>
#include <stddef.h>

#include "area.h"
#include "diag.h"
#include "dns_txt.h"
#include "https.h"
#include "ip.h"

struct dns_resolver;
struct dns_query;

#define MTASTS_ID_MAX	32	/* id = 1*32(ALPHA / DIGIT), §3.1 */
#define MTASTS_MAX_MX	64	/* mx patterns kept; more are linted only */
#define MTASTS_MAX_AGE	31557600UL	/* §3.2: at most one year */
#define MTASTS_MAX_ADDRS 16	/* addresses of mta-sts.D handed to curl */
#define MTASTS_PATH	"/.well-known/mta-sts.txt"

enum mtasts_mode {
	MTASTS_MODE_UNSET = 0,
	MTASTS_MODE_NONE,
	MTASTS_MODE_TESTING,
	MTASTS_MODE_ENFORCE
};

/* The TXT record (§3.1).  Spans index the text given to the parser. */
struct mtasts_txt {
	bool ok;			/* grammar followed, id present */
	struct diag_span id;		/* the id value */
};

/* The policy file (§3.2). */
struct mtasts_policy {
	bool ok;			/* no mta-sts.policy-invalid */
	bool has_version;		/* version: STSv1 */
	enum mtasts_mode mode;
	bool has_max_age;
	unsigned long max_age;		/* seconds, valid when has_max_age */
	size_t nmx;			/* patterns kept (<= MTASTS_MAX_MX) */
	struct diag_span mx[MTASTS_MAX_MX];	/* into the policy text */
	size_t nmx_total;		/* mx lines seen */
};

/* True when p[0..len) begins "v=STSv1" followed by the end, WSP or ';':
 * the records a sender keeps (§3.1; "v=STSv1" is case-sensitive). */
bool mtasts_is_record(const char *p, size_t len);

/* Parse a _mta-sts TXT record strictly.  Every grammar problem is reported
 * to sink (may be NULL) as mta-sts.syntax with a span, ctx supplying domain
 * and record.  Returns out->ok. */
bool mtasts_parse_txt(const char *p, size_t len, struct mtasts_txt *out,
    struct diag_sink *sink, const struct diag *ctx);

/* Parse a policy file p[0..len) (lines end LF or CRLF).  Problems go to
 * sink as mta-sts.policy-invalid; each finding's record is the offending
 * line (ctx->record is ignored), its span within that line, the message
 * names the line number.  Returns out->ok. */
bool mtasts_parse_policy(const char *p, size_t len, struct mtasts_policy *out,
    struct diag_sink *sink, const struct diag *ctx);

/* Does MX host name h match policy pattern pat (§4.1)?  Case-insensitive;
 * a trailing dot on either is ignored; "*." matches exactly one leftmost
 * label ("*.example.com" matches "mx.example.com", not "example.com" nor
 * "a.b.example.com"). */
bool mtasts_mx_match(const char *pat, size_t plen, const char *h,
    size_t hlen);

/* What became of the policy fetch. */
enum mtasts_policy_state {
	MTASTS_POLICY_NONE = 0,		/* no usable record: nothing to fetch */
	MTASTS_POLICY_NOT_CHECKED,	/* fetching was turned off (--no-https) */
	MTASTS_POLICY_UNREACHABLE,	/* no address, HTTPS failed, bad type */
	MTASTS_POLICY_INVALID,		/* fetched but malformed */
	MTASTS_POLICY_OK		/* fetched and valid */
};

/* One domain's MTA-STS check.  Zero it (or let mtasts_start do it); free
 * with mtasts_result_free().  Query pointers are owned by the resolver,
 * which must outlive mtasts_finish(). */
struct mtasts_result {
	struct area_result area;	/* findings, incomplete, oom (area.h) */
	struct txt_check txt;		/* _mta-sts.<domain> (domain: the policy domain): domain, name, query, record */
	char host[300];			/* mta-sts.<domain> */
	struct dns_resolver *r;
	struct dns_query *q_mx, *q_a, *q_aaaa;
	/* after mtasts_finish(): */
	bool published;			/* at least one v=STSv1 record */
	bool record_ok;			/* exactly one, and valid */
	char id[MTASTS_ID_MAX + 1];
	/* the fetch: */
	struct ipaddr addrs[MTASTS_MAX_ADDRS];
	size_t naddrs;
	struct https_req *req;		/* the caller's slot, until finish */
	enum mtasts_policy_state state;
	char fetch_err[256];		/* why unreachable */
	char skipped[256];		/* why not fetched although asked
					 * (libcurl missing), else "" */
	char *policy;			/* body (malloc'd), NULL if none */
	size_t policy_len;
	struct mtasts_policy pol;
	size_t nmx_hosts;		/* MX hosts of the domain */
	size_t nmx_uncovered;		/* ... matched by no pattern */
};

/*
 * Submit the queries for `domain` (presentation form; trailing dot
 * ignored).  res is reset first; it is the TXT callback's argument, so it
 * must not move until dns_run() has returned.  Returns 0, or -1 when the domain is not
 * a valid name or memory ran out (res can still be passed to the other
 * functions and freed).
 */
int mtasts_start(struct dns_resolver *r, const char *domain,
    struct mtasts_result *res);

/*
 * After dns_run(): fill out[0] with the policy request when there is one to
 * make (exactly one valid record and an address for mta-sts.<domain>).
 * Returns 1 when it did, else 0.  The slot's inputs point into res; the
 * slot must stay valid until mtasts_finish(), which takes the body and
 * content type out of it (a slot never finished is freed with
 * https_req_free()).
 */
size_t mtasts_requests(struct mtasts_result *res, struct https_req *out);

/*
 * Report the findings: mta-sts.syntax, multiple-records, policy-unreachable
 * (no address; HTTPS errors; not 200; redirect; not text/plain; too large;
 * time-out), policy-invalid, mx-not-covered (enforce), testing, and
 * dns.failure to sink (not NULL).  fetched=false (--no-https): the policy
 * is not judged and res->state is MTASTS_POLICY_NOT_CHECKED; a policy host
 * without an address is still reported, since DNS alone shows it.
 */
void mtasts_finish(struct mtasts_result *res, bool fetched,
    struct diag_sink *sink);

/* "none", "testing", "enforce"; "-" when unset. */
const char *mtasts_mode_name(enum mtasts_mode m);
/* "none", "not-checked", "unreachable", "invalid", "ok". */
const char *mtasts_policy_state_name(enum mtasts_policy_state s);

void mtasts_result_free(struct mtasts_result *res);

#endif
