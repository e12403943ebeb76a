/*
 * dmarc.h -- DMARC (RFC 9989).
 *
 *   dmarc_record.c  one record, no DNS: the strict parser with byte spans,
 *                   the defaults, the policy lint (also used by `authcheck
 *                   record` and the zone lint)
 *   dmarc_check.c   a domain in the DNS: discovery by the tree walk
 *                   (§4.10), the policy that applies, the checks of the
 *                   report destinations (RFC 9990 / RFC 7489 §7.1)
 *
 * Findings go through a diag_sink only; nothing here prints.
 */
#ifndef AUTHCHECK_DMARC_H
#define AUTHCHECK_DMARC_H

#include <stdbool.h>
#include <stddef.h>

#include "area.h"
#include "diag.h"

struct dns_resolver;

/* ---- one record (dmarc_record.c) ------------------------------------- */

/* Ordered weakest to strongest so policies compare with `<`. */
enum dmarc_policy {
	DMARC_POLICY_UNSET = 0,		/* tag absent or its value invalid */
	DMARC_POLICY_NONE,
	DMARC_POLICY_QUARANTINE,
	DMARC_POLICY_REJECT
};

/* fo= flags. */
enum {
	DMARC_FO_0 = 1, DMARC_FO_1 = 2, DMARC_FO_D = 4, DMARC_FO_S = 8
};

#define DMARC_MAX_URIS 16	/* rua + ruf entries kept; the rest are linted
				 * but not checked in the DNS */

/* One rua/ruf entry. */
struct dmarc_uri {
	bool ruf;		/* from ruf= (else rua=) */
	bool valid;		/* a URI with a scheme (mailto: well formed) */
	bool mailto;
	struct diag_span span;	/* the whole entry, size suffix included */
	struct diag_span host;	/* mailto: the domain after '@' */
};

/* A parsed record.  Spans index the text given to dmarc_parse(). */
struct dmarc_record {
	bool syntax_ok;		/* v=DMARC1 first and the tag list well formed */
	enum dmarc_policy p, sp, np;
	struct diag_span p_span, sp_span, np_span;	/* the values */
	char adkim, aspf;	/* 'r', 's', or 0 when absent/invalid */
	char psd;		/* 'y', 'n', 'u', or 0 */
	char t;			/* 'y', 'n', or 0 */
	struct diag_span t_span;
	unsigned fo;		/* DMARC_FO_* */
	bool has_rua, has_ruf;
	size_t nuri;
	struct dmarc_uri uri[DMARC_MAX_URIS];
};

/* The record with RFC 9989 defaults filled in: p none, sp = p, np = sp,
 * adkim = aspf = 'r', t = 'n', psd = 'u', fo = 0. */
struct dmarc_effective {
	enum dmarc_policy p, sp, np;
	char adkim, aspf, t, psd;
	unsigned fo;
};

/* True when p[0..len) starts with "v" *WSP "=" *WSP "DMARC1" followed by
 * the end, WSP or ';' -- the test receivers use to keep a TXT record. */
bool dmarc_is_record(const char *p, size_t len);

/*
 * Parse p[0..len) strictly into rec (RFC 9989 §4.7, §4.8).  Findings
 * (dmarc.syntax, duplicate-tag, unknown-tag, invalid-value, deprecated-tag,
 * uri-invalid, size-suffix) go to sink with ctx's domain and record plus
 * the offending span; sink may be NULL.  Parsing goes on after an error so
 * that every problem is reported.  Returns false when the record is not
 * DMARC at all (v=DMARC1 not first); an invalid value only falls back to
 * the default (§4.8) and still returns true.
 */
bool dmarc_parse(const char *p, size_t len, struct dmarc_record *rec,
    struct diag_sink *sink, const struct diag *ctx);

/* Fill in the defaults. */
void dmarc_effective(const struct dmarc_record *rec,
    struct dmarc_effective *out);

/* Report the policy findings of a parsed record: policy-none,
 * subdomain-weaker, testing, rua-missing. */
void dmarc_lint(const struct dmarc_record *rec, struct diag_sink *sink,
    const struct diag *ctx);

/* "none", "quarantine", "reject"; "-" when unset. */
const char *dmarc_policy_name(enum dmarc_policy p);

/* ---- a domain in the DNS (dmarc_check.c) ----------------------------- */

/* Which tag decides for the checked domain (§4.10.1). */
enum dmarc_applies {
	DMARC_APPLIES_P,	/* the record is at the domain itself */
	DMARC_APPLIES_SP,	/* a parent's record; the domain exists */
	DMARC_APPLIES_NP	/* a parent's record; the domain is NXDOMAIN */
};

#define DMARC_MAX_WALK 8	/* queries of the tree walk (§4.10) */

/* What dmarc_check() found.  Free with dmarc_result_free(). */
struct dmarc_result {
	struct area_result area;	/* findings, incomplete, oom (area.h) */
	char domain[256];	/* the checked domain */
	bool found;		/* a single valid record applies */
	char found_at[256];	/* the domain whose _dmarc holds it */
	char *record;		/* its text (malloc'd, NUL-terminated) */
	size_t record_len;
	struct dmarc_record rec;
	struct dmarc_effective eff;
	bool inherited;		/* found_at is a parent of domain */
	enum dmarc_applies applies;
	enum dmarc_policy policy;	/* the policy that applies to domain */
	char org_domain[256];	/* §4.10.2 */
	bool psl_known;		/* psl_org_domain is set */
	char psl_org_domain[256];	/* RFC 7489 §3.2 via the PSL */
	size_t nqueried;	/* names the walk asked about */
	char walk[DMARC_MAX_WALK][256];	/* those names, longest first */
	struct dmarc_pending *pending;	/* dmarc_start() state (private) */
};

/*
 * Check DMARC for `domain` (presentation form, no trailing dot): the tree
 * walk with all its queries in flight at once, the parse and lint of the
 * record that applies, the organizational domain, the policy for the
 * domain (p, sp or np), and the report destinations (authorisation
 * records, MX/A/AAAA of mailto: hosts, also all at once).  Findings go to
 * sink, with dmarc.missing / dmarc.multiple-records / dmarc.inherited /
 * dns.failure from the walk.  Returns 0, or -1 when domain is not a valid
 * name or memory runs out (res is then still safe to free).
 */
int dmarc_check(struct dns_resolver *r, const char *domain,
    struct dmarc_result *res, struct diag_sink *sink);
/*
 * The same check in two steps, for a resolver that carries many checks at
 * once: dmarc_start() submits the walk and returns (callbacks submit the
 * report-destination queries as the walk completes); after the caller's
 * dns_run(), dmarc_finish() reports.  *res must stay at its address until
 * dmarc_result_free(), which is also due after a failed start (and only
 * after dns_run(): callbacks point into *res).  Both return 0, or -1 on a
 * bad name or out-of-memory.
 */
int dmarc_start(struct dns_resolver *r, const char *domain,
    struct dmarc_result *res);
/* Is domain (presentation form, no trailing dot) its own RFC 7489
 * organizational domain (public suffix + one label, by the PSL)?  False
 * for a sub-domain, whose parents' DMARC records may apply, and when no
 * list is available. */
bool dmarc_is_org_domain(const char *domain);
int dmarc_finish(struct dmarc_result *res, struct diag_sink *sink);
void dmarc_result_free(struct dmarc_result *res);

/* ---- cmd_dmarc.c ------------------------------------------------------ */

/* `authcheck dmarc DOMAIN [--format text|json] [common options]`. */
int cmd_dmarc(int argc, char **argv);

#endif
