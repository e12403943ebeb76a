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
#include <stdio.h>

#include "area.h"
#include "diag.h"
#include "bimi.h"
#include "dkim.h"
#include "dmarc.h"
#include "dnssec.h"
#include "ip.h"
#include "mtasts.h"
#include "mx.h"
#include "reputation.h"
#include "spf_lint.h"
#include "tlsrpt.h"
#include "transport.h"

struct dns_resolver;
struct dns_query;
struct provider_set;
struct check_result;
struct render_style;
struct json_t;

/* The areas of the report, in the order they are started, finished (an
 * area may read the results of those before it) and shown. */
enum check_area {
	CHECK_SPF, CHECK_DMARC, CHECK_DKIM, CHECK_MX, CHECK_MTA_STS,
	CHECK_TLS_RPT, CHECK_BIMI, CHECK_TRANSPORT, CHECK_REPUTATION,
	CHECK__AREAS
};

/*
 * One area of the report: everything check.c and the renderers need to
 * drive it without knowing what it checks.  Adding an area is one row of
 * check_modules[] (check.c), its result in struct check_result (which
 * starts with a struct area_result) and its module.
 */
struct check_module {
	enum check_area area;		/* its index in check_modules[] */
	const char *name;		/* short name and JSON key: "spf" */
	const char *title;		/* text heading: "MX and reverse DNS" */
	unsigned score_group;		/* areas of a group share one weight
					 * (check_score) */
	size_t area_off;		/* offsetof its struct area_result in
					 * struct check_result */
	/* Submit the questions whose names are known (callbacks submit the
	 * rest).  0, or -1 when memory ran out or the name is unusable; the
	 * area is then neither finished nor rendered beyond its header. */
	int (*start)(struct check_result *res);
	/* After dns_run(): judge the answers; findings go to sink, which
	 * adds them to the area's list. */
	void (*finish)(struct check_result *res, struct diag_sink *sink);
	/* Release what the area's result owns (also after a failed start). */
	void (*free)(struct check_result *res);
	/* Findings lists kept beside the area's own: the i-th, or NULL past
	 * the last (DKIM: one per selector).  NULL: none. */
	const struct diag_list *(*more_findings)(const struct check_result *res,
	    size_t i);
	/* The area's records in the text report, between its heading and
	 * its findings (render_report.c). */
	void (*render_text)(FILE *out, const struct check_result *res,
	    const struct render_style *st);
	/* The area's keys in the JSON report object (render_json.c).  0, or
	 * -1 when memory ran out. */
	int (*render_json)(struct json_t *report, const struct check_result *res);
};

extern const struct check_module check_modules[CHECK__AREAS];

/* Which DKIM selector names are tried besides those named with -s
 * (--dkim-discovery, whose words in cmd_check.c follow this order). */
enum check_dkim_discovery {
	CHECK_DKIM_COMMON,	/* recognised providers' and the common
				 * names (the default) */
	CHECK_DKIM_PROVIDERS,	/* recognised providers' only */
	CHECK_DKIM_NONE		/* none: only -s */
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
	enum check_dkim_discovery dkim_discovery;
	bool https;			/* fetch MTA-STS policies */
	const char *ca_file;		/* --ca-file, or NULL */
	unsigned https_port;		/* 0 = 443 */
	double https_timeout;		/* seconds; 0 = default */
	/* The Transport area: the SMTP probe of every MX address, after
	 * DNS and the policy fetch, all domains of a batch at once. */
	const char *smtp_skipped;	/* not probed, and why (static text:
					 * --no-smtp, zone files), or NULL */
	struct transport_opts transport;	/* port, loopback */
	struct smtp_opts smtp;		/* EHLO name, timeout, caps, CAs */
	/* DNSSEC validation of the answers the report relies on (after
	 * DNS, before the probes: DANE reads the verdicts), or NULL with
	 * the reason in dnssec_skipped (static text). */
	struct dnssec_ctx *dnssec;
	const char *dnssec_skipped;
	/* The Reputation area (reputation.h): off unless lists are given
	 * (--reputation, --blocklists, --dqs-key). */
	struct rep_opts reputation;	/* lists NULL: skipped */
	const char *reputation_skipped;	/* why, when skipped (static) */
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
	struct transport_result transport;	/* SMTP and TLS of the MXs */
	struct dnssec_report dnssec;	/* DNSSEC of the names relied on,
					 * shown and judged with Transport */
	struct rep_result reputation;	/* blocklists */
	const char *providers[CHECK_MAX_PROVIDERS];	/* names recognised
							 * (borrowed from
							 * opts.providers) */
	size_t nproviders;
	unsigned long count[DIAG_SEV__COUNT];	/* over all areas */
	bool incomplete;		/* some area is incomplete, or the
					 * report's own queries failed */
	bool oom;			/* out of memory: results partial */
	unsigned score;			/* 0..100, see check_score() */
	/* A parked domain: its SPF record is "v=spf1 -all" alone and it
	 * has no MX or a null MX, so it sends and receives no mail.  It is
	 * judged against the parked-domain practice (spf.parked,
	 * spf.parked-incomplete) instead of a sending domain's. */
	bool parked;
	unsigned parked_missing;	/* CHECK_PARKED_* bits: what the
					 * practice asks for and is not there */
	struct check_private *priv;
	/* Internal: the first result of a batch holds the batch's SMTP
	 * probes from check_batch_start() to check_batch_end(). */
	struct transport_batch *batch_probes_;
};

/* What the parked-domain practice (M3AAWG "Protecting Parked Domains",
 * UK NCSC) asks for beyond "v=spf1 -all": the bits of parked_missing. */
enum {
	CHECK_PARKED_DMARC_REJECT = 1u << 0,	/* DMARC p=reject */
	CHECK_PARKED_DMARC_SP = 1u << 1,	/* ... and subdomains reject */
	CHECK_PARKED_NULL_MX = 1u << 2,		/* MX 0 . */
	CHECK_PARKED_WILDCARD_SPF = 1u << 3,	/* * TXT "v=spf1 -all" */
	CHECK_PARKED_WILDCARD_MX = 1u << 4,	/* * MX 0 . */
	CHECK_PARKED__BITS = 5
};
/* What bit b (one of the above) asks for, as a short phrase for the
 * report: "a null MX (MX 0 .)".  NULL for an unknown bit. */
const char *check_parked_item(unsigned b);

/* Area a's header: its findings, incomplete, oom. */
const struct area_result *check_area(const struct check_result *res,
    enum check_area a);
/* Area a's i-th findings list: 0 is its own (check_area()), then those
 * it keeps elsewhere (DKIM: each selector's); NULL past the last. */
const struct diag_list *check_findings(const struct check_result *res,
    enum check_area a, size_t i);

/*
 * Check every domain of names[0..n) at once: start all, dns_run(), fetch
 * the MTA-STS policies of all of them in one HTTPS batch while a second
 * thread probes every MX address of all of them in one SMTP batch (unless
 * o->smtp_skipped), finish all.  res[0..n) are filled in (free each with
 * check_free(), also after failure).  Returns 0, or -1 when memory ran out
 * (the results say which are partial through `oom`).
 */
int check_run(struct dns_resolver *r, const char *const *names, size_t n,
    const struct check_opts *o, struct check_result *res);
/*
 * check_run() in two halves, so that several batches share the resolver's
 * window: check_batch_start() submits the first questions of every domain
 * under DNS tag `tag` (dns_tag()); check_batch_end() answers the
 * resolver (every tag's questions, so later batches make progress too)
 * until the batch's own are done, then fetches, probes and finishes it
 * as check_run() does.  A batch must not end before a batch started
 * earlier that shares its tag.  Return values as check_run()'s.
 */
int check_batch_start(struct dns_resolver *r, const char *const *names,
    size_t n, const struct check_opts *o, struct check_result *res,
    unsigned tag);
int check_batch_end(struct dns_resolver *r, size_t n,
    const struct check_opts *o, struct check_result *res, unsigned tag);
void check_free(struct check_result *res);

/*
 * The score (documented in authcheck(1), SCORE): 100 minus, per area, the
 * sum of 25 per error and 8 per warning over all its findings lists
 * (check_findings()), each area's deduction capped at its weight (SPF 30,
 * DMARC 30, DKIM 20 -- the domain-wide findings and every selector's --,
 * MX and reverse DNS with Transport and Reputation together 10, MTA-STS +
 * TLS-RPT + BIMI together 10).  Info
 * findings cost nothing.
 */
unsigned check_score(const struct check_result *res);

/* "pass" (no errors or warnings), "warn" (warnings only), "fail"
 * (errors), "incomplete" (DNS failed and no errors were found). */
const char *check_verdict(const struct check_result *res);

#endif
