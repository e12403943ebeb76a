/*
 * dnssec.h -- DNSSEC validation (RFC 4033, 4034, 4035, 5155) of the
 * answers the domain report relies on, from a trust anchor.
 *
 * The validator asks its extra questions (DS and DNSKEY of every name on
 * the way down from the anchor) through the run's resolver, all at once:
 * dnssec_prepare() submits them for an answer, one dns_run() brings them
 * in (a round trip, not one per zone level, and cached per zone for the
 * whole run), dnssec_validate() then walks the chain top down with ldns's
 * signature and denial checks and writes the verdict into the answer
 * (dns_answer.dnssec / dnssec_why).  Each name's chain result is kept, so
 * the names of a domain and the domains of a batch share their zones'
 * keys.
 *
 * Only this module and the DNS backends use ldns: the answers it reads
 * are the messages the live resolver keeps (dns_answer.wire).
 */
#ifndef AUTHCHECK_DNSSEC_H
#define AUTHCHECK_DNSSEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "dns.h"

/* The trust anchor when --trust-anchor is not given (Debian
 * dns-root-data: the root zone's KSK as DNSKEY records). */
#define DNSSEC_DEFAULT_ANCHOR	"/usr/share/dns/root.key"
#define DNSSEC_MAX_ANCHORS	32	/* DS/DNSKEY records in an anchor file */
#define DNSSEC_MAX_ITEMS	48	/* names validated per domain report */
#define DNSSEC_WHY_MAX		200	/* bytes of a reason, with the NUL */

struct dnssec_ctx;

/* A validator for resolver r (a live one, made to keep DNSSEC records
 * with dns_live_dnssec() by this call) from the DS or DNSKEY records in
 * anchor_file (zone-file format, one owner).  NULL with a message in err
 * when the file cannot be read or holds no usable anchor, or r is not a
 * live resolver. */
struct dnssec_ctx *dnssec_new(struct dns_resolver *r, const char *anchor_file,
    char *err, size_t errsize);
void dnssec_free(struct dnssec_ctx *v);
/* The validator a command runs with, before its first question: NULL
 * with *skipped set (static text) when validation is off -- !enabled
 * (--no-dnssec), answers from zone files, or no anchor_file given and
 * the default one not installed -- or NULL with *skipped NULL and the
 * reason in err when anchor_file does not load (a usage error). */
struct dnssec_ctx *dnssec_open(struct dns_resolver *r, bool enabled,
    bool zone_files, const char *anchor_file, const char **skipped,
    char *err, size_t errsize);

/* Submit the DS and DNSKEY questions that validating q's answer needs
 * (q must be answered).  0, or -1 when memory ran out (validation will
 * then say indeterminate). */
int dnssec_prepare(struct dnssec_ctx *v, struct dns_query *q);
/* After dns_run(): validate q's answer and record the verdict in it.
 * Answers that failed (SERVFAIL, timeout) stay DNSSEC_UNCHECKED. */
enum dnssec_status dnssec_validate(struct dnssec_ctx *v, struct dns_query *q);
/* Both, driving the resolver in between (a late question, e.g. TLSA). */
enum dnssec_status dnssec_check(struct dnssec_ctx *v, struct dns_query *q);
/* Why nothing at all can be validated in this run (the anchor's zone
 * gave no signed keys matching the anchor: a resolver that strips DNSSEC
 * records, or a world whose root is not the signed root), or NULL.
 * Known once a validation has run. */
const char *dnssec_run_problem(const struct dnssec_ctx *v);

/* "secure", "insecure", "bogus", "indeterminate", "unchecked". */
const char *dnssec_status_name(enum dnssec_status s);

/* What one domain's report says about DNSSEC: one item per name and
 * type validated. */
struct dnssec_item {
	char name[256];
	uint16_t type;
	enum dnssec_status st;
	bool run_wide;			/* indeterminate for the whole run
					 * (dnssec_run_problem) */
	char why[DNSSEC_WHY_MAX];	/* reason or proof, or "" */
};

struct dnssec_report {
	const char *skipped;		/* not validated, and why (static
					 * text), or NULL */
	bool ran;			/* validation ran for this domain */
	struct dnssec_item *item;	/* malloc'd, n of them */
	size_t n;
	size_t ntotal;			/* names there were (> n: cut) */
	bool oom;
};

/* Add q's verdict (after dnssec_validate) to rep.  0, -1 out of memory. */
int dnssec_report_add(struct dnssec_report *rep,
    const struct dnssec_ctx *v, const struct dns_query *q);
void dnssec_report_free(struct dnssec_report *rep);
/* The findings (dnssec.*) of rep into sink: each bogus answer, each
 * unsigned zone once, an indeterminate proof once per report (never the
 * run-wide problem: the caller says that once per run). */
void dnssec_judge(const struct dnssec_report *rep, const char *domain,
    struct diag_sink *sink);

#endif
