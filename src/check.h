/*
 * check.h -- the domain report (`authcheck DOMAIN...`): every check of a
 * domain, run for many domains at once on one resolver.
 *
 * Each check has a start step that submits the questions whose names are
 * known, and callbacks that submit the next level as answers arrive (the
 * SPF include tree, MX host addresses, PTRs, report destinations); one
 * dns_run() then carries every check of every domain in the batch, so the
 * wall time is the deepest dependency chain times the round trip, not the
 * number of queries.  Finish steps judge the answers and report findings
 * into one list per area; the score is computed from those lists.
 */
#ifndef AUTHCHECK_CHECK_H
#define AUTHCHECK_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "bimi.h"
#include "dkim.h"
#include "dmarc.h"
#include "ip.h"
#include "mtasts.h"
#include "mx.h"
#include "spf_lint.h"
#include "tlsrpt.h"

struct dns_resolver;
struct dns_query;
struct provider_set;

/* The areas of the report, in the order they are shown. */
enum check_area {
	CHECK_SPF, CHECK_DMARC, CHECK_DKIM, CHECK_MX, CHECK_MTA_STS,
	CHECK_TLS_RPT, CHECK_BIMI, CHECK__AREAS
};

/* What the user asked for, shared by every domain of a run. */
struct check_opts {
	const char *const *selectors;	/* -s, tried first (must exist) */
	size_t nselectors;
	const struct ipaddr *send_ips;	/* --ip: sending addresses */
	size_t nsend_ips;
	const struct provider_set *providers;	/* NULL: no discovery */
	const char *const *common_selectors;	/* tried when no -s */
	size_t ncommon;
	bool https;			/* fetch MTA-STS policies */
	const char *ca_file;		/* --ca-file, or NULL */
	unsigned https_port;		/* 0 = 443 */
	double https_timeout;		/* seconds; 0 = default */
};

#define CHECK_MAX_PROVIDERS 16	/* providers recognised per domain */

struct check_private;

/* One domain's report.  Everything is owned by it (check_free()). */
struct check_result {
	char domain[256];
	bool valid;			/* a well-formed domain name */
	struct spf_lint_result spf;
	struct dmarc_result dmarc;
	struct dkim_result dkim;
	struct mx_result mx;		/* MX hosts, reverse DNS, --ip */
	struct mtasts_result mtasts;
	struct tlsrpt_result tlsrpt;
	struct bimi_result bimi;
	struct diag_list findings[CHECK__AREAS];
	const char *providers[CHECK_MAX_PROVIDERS];	/* names recognised
							 * (borrowed from
							 * opts.providers) */
	size_t nproviders;
	unsigned long count[DIAG_SEV__COUNT];	/* over all areas */
	bool incomplete;		/* a query failed: results partial */
	bool oom;			/* out of memory: results partial */
	unsigned score;			/* 0..100, see check_score() */
	struct check_private *priv;
};

/* Short name of an area: "spf", "dmarc", "dkim", "mx", "mta-sts",
 * "tls-rpt", "bimi". */
const char *check_area_name(enum check_area a);

/*
 * Check every domain of names[0..n) at once: start all, dns_run(), fetch
 * the MTA-STS policies of all of them in one HTTPS batch, finish all.  res[0..n) are filled in (free each with
 * check_free(), also after failure).  Returns 0, or -1 when memory ran out
 * (the results say which are partial through `oom`).
 */
int check_run(struct dns_resolver *r, const char *const *names, size_t n,
    const struct check_opts *o, struct check_result *res);
void check_free(struct check_result *res);

/*
 * The score (documented in authcheck(1), SCORE): 100 minus, per area, the
 * sum of 25 per error and 8 per warning, each area's deduction capped at
 * its weight (SPF 30, DMARC 30, DKIM 20, MX and reverse DNS 10, MTA-STS +
 * TLS-RPT + BIMI together 10).  Info findings cost nothing.
 */
unsigned check_score(const struct check_result *res);

/* "pass" (no errors or warnings), "warn" (warnings only), "fail"
 * (errors), "incomplete" (DNS failed and no errors were found). */
const char *check_verdict(const struct check_result *res);

#endif
