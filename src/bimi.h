/*
 * bimi.h -- BIMI assertion records (draft-brand-indicators-for-message-
 * identification): default._bimi.<domain> TXT, parsed strictly with byte
 * spans, and the DMARC precondition (enforcement: quarantine or reject).
 *
 * start/finish like mtasts.h.
 */
#ifndef AUTHCHECK_BIMI_H
#define AUTHCHECK_BIMI_H

#include <stdbool.h>
#include <stddef.h>

#include "area.h"
#include "diag.h"
#include "dns_txt.h"

struct dns_resolver;
struct dns_query;

struct bimi_record {
	bool ok;		/* no bimi.syntax / logo-not-https */
	bool optout;		/* l= empty and a= empty or absent */
	bool has_l, has_a;
	struct diag_span l, a;	/* the values (len 0 when empty) */
};

/* True when p[0..len) begins "v" *WSP "=" *WSP "BIMI1" followed by the
 * end, WSP or ';'. */
bool bimi_is_record(const char *p, size_t len);

/* Parse p[0..len): v=BIMI1 first, then tag=value pairs separated by ';'
 * (whitespace allowed around '=' and ';'); l= an https URI or empty
 * (required); a= an https URI or empty; unknown tags ignored; a repeated
 * tag is an error.  Findings: bimi.syntax, bimi.logo-not-https, with
 * spans; sink may be NULL.  Returns rec->ok. */
bool bimi_parse(const char *p, size_t len, struct bimi_record *rec,
    struct diag_sink *sink, const struct diag *ctx);

struct bimi_result {
	struct area_result area;	/* findings, incomplete, oom (area.h) */
	struct txt_check txt;		/* default._bimi.<domain>: domain, name, query, record */
	/* after bimi_finish(): */
	bool published;			/* at least one v=BIMI1 record */
	bool record_ok;			/* exactly one, and valid */
	struct bimi_record rec;
};

/* Submit TXT default._bimi.<domain>.  res is reset first.  0, or -1 for a
 * bad name or out of memory (res is still safe to finish and free). */
int bimi_start(struct dns_resolver *r, const char *domain,
    struct bimi_result *res);

/* After dns_run(): report bimi.syntax (several records included),
 * bimi.logo-not-https, dns.failure, and bimi.dmarc-not-enforced when a
 * valid, non-opt-out record exists but DMARC is absent (dmarc_found
 * false) or its applicable policy (enum dmarc_policy, dmarc.h) is weaker
 * than quarantine. */
void bimi_finish(struct bimi_result *res, bool dmarc_found, int dmarc_policy,
    struct diag_sink *sink);

void bimi_result_free(struct bimi_result *res);

#endif
