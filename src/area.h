/*
 * area.h -- the header every check's result starts with.
 *
 * The domain report is made of areas (SPF, DMARC, DKIM, MX, MTA-STS,
 * TLS-RPT, BIMI, and more to come); whatever an area found, the report
 * needs the same three things from it: its findings, whether a DNS
 * failure left it partial, and whether memory ran out.  Each result type
 * embeds this struct as its member `area`, so check.c, the score and the
 * renderers treat every area alike (check.h, check_modules[]).
 */
#ifndef AUTHCHECK_AREA_H
#define AUTHCHECK_AREA_H

#include <stdbool.h>

#include "diag.h"

/* Most findings one area keeps for one domain; more are counted as
 * dropped (diag_list) and the report says so. */
#define AREA_MAX_FINDINGS 256

struct area_result {
	struct diag_list findings;	/* the area's findings in the report
					 * (DKIM: the domain-wide ones; each
					 * selector keeps its own list) */
	bool incomplete;		/* a query failed or went unanswered:
					 * what was found is partial */
	bool oom;			/* memory ran out: partial too */
	bool skipped;			/* not checked at all (turned off, or
					 * nothing to check offline): its
					 * status says so instead of "pass" */
};

/* An empty header whose list holds up to AREA_MAX_FINDINGS. */
void area_result_init(struct area_result *a);
void area_result_free(struct area_result *a);

#endif
