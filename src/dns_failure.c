/*
 * dns_failure.c -- reporting a failed query (see dns_failure.h).
 */
#include <string.h>

#include "dns_failure.h"

bool
dns_failed(enum dns_status s)
{
	return s == DNS_SERVFAIL || s == DNS_TIMEOUT || s == DNS_ERROR ||
	    s == DNS_PENDING;
}

const struct dns_answer *
dns_answer_final(const struct dns_query *q)
{
	static const struct dns_answer pending = {
		.status = DNS_ERROR, .qname = "?", .why = "no answer"
	};
	const struct dns_answer *a = q != NULL ? dns_answer(q) : NULL;

	return a != NULL ? a : &pending;
}

void
dns_failure_report(struct diag_sink *sink, const struct dns_answer *a,
    const char *what)
{
	struct diag d;

	memset(&d, 0, sizeof(d));
	d.domain = a->qname;
	diag_reportf(sink, DIAG_DNS_FAILURE, &d, "%s %s query failed (%s%s%s)"
	    ": %s", a->qname, dns_type_name(a->qtype),
	    dns_status_name(a->status), a->why ? ": " : "",
	    a->why ? a->why : "", what);
}
