/*
 * tlsrpt.h -- SMTP TLS Reporting records (RFC 8460 §3): the
 * _smtp._tls.<domain> TXT record, parsed strictly with byte spans.
 *
 * start/finish like mtasts.h: tlsrpt_start() submits the one TXT query,
 * the caller runs the resolver, tlsrpt_finish() reports.
 */
#ifndef AUTHCHECK_TLSRPT_H
#define AUTHCHECK_TLSRPT_H

#include <stdbool.h>
#include <stddef.h>

#include "area.h"
#include "diag.h"
#include "dns_txt.h"

struct dns_resolver;
struct dns_query;

#define TLSRPT_MAX_RUA 16	/* rua URIs kept; more are still linted */

struct tlsrpt_uri {
	struct diag_span span;	/* the URI in the record */
	bool mailto;		/* else https */
};

struct tlsrpt_record {
	bool ok;		/* grammar followed, one valid rua= */
	size_t nrua;
	struct tlsrpt_uri rua[TLSRPT_MAX_RUA];
};

/* True when p[0..len) begins "v=TLSRPTv1" followed by the end, WSP or
 * ';' (the records a sender keeps; case-sensitive). */
bool tlsrpt_is_record(const char *p, size_t len);

/* Parse p[0..len): version first, rua= a comma list of mailto:/https:
 * URIs, extensions name=value.  Problems go to sink (may be NULL) as
 * tlsrpt.syntax with spans; ctx supplies domain and record.  Returns
 * rec->ok. */
bool tlsrpt_parse(const char *p, size_t len, struct tlsrpt_record *rec,
    struct diag_sink *sink, const struct diag *ctx);

struct tlsrpt_result {
	struct area_result area;	/* findings, incomplete, oom (area.h) */
	struct txt_check txt;		/* _smtp._tls.<domain>: domain, name, query, record */
	/* after tlsrpt_finish(): */
	bool published;			/* at least one v=TLSRPTv1 record */
	bool record_ok;			/* exactly one, and valid */
	struct tlsrpt_record rec;
};

/* Submit TXT _smtp._tls.<domain>.  res is reset first.  Returns 0, or -1
 * for a bad name or out of memory (res is still safe to finish and free). */
int tlsrpt_start(struct dns_resolver *r, const char *domain,
    struct tlsrpt_result *res);

/* After dns_run(): report tlsrpt.syntax, tlsrpt.multiple-records,
 * dns.failure, and tlsrpt.missing when mtasts_published says the domain
 * publishes MTA-STS but has no TLS-RPT record. */
void tlsrpt_finish(struct tlsrpt_result *res, bool mtasts_published,
    struct diag_sink *sink);

void tlsrpt_result_free(struct tlsrpt_result *res);

#endif
