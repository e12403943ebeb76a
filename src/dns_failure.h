/*
 * dns_failure.h -- one way for the checks to read a query that failed.
 *
 * A query that could not be answered (SERVFAIL, timeout, local error)
 * says nothing about the records: a check reports dns.failure, marks its
 * result incomplete and must not conclude "no record".
 */
#ifndef AUTHCHECK_DNS_FAILURE_H
#define AUTHCHECK_DNS_FAILURE_H

#include <stdbool.h>

#include "diag.h"
#include "dns.h"

/* True for the statuses that carry no answer: DNS_SERVFAIL, DNS_TIMEOUT,
 * DNS_ERROR and a query still DNS_PENDING. */
bool dns_failed(enum dns_status s);

/* The answer of q, which must be complete (after dns_run()); a NULL q or
 * one somehow still pending reads as DNS_ERROR "no answer", never as "no
 * record".  Never NULL; owned by the resolver (or static). */
const struct dns_answer *dns_answer_final(const struct dns_query *q);

/* Report dns.failure for the failed answer a to sink: "NAME TYPE query
 * failed (STATUS: why): <what>", domain the query name.  `what` says what
 * went unchecked ("MTA-STS was not checked"). */
void dns_failure_report(struct diag_sink *sink, const struct dns_answer *a,
    const char *what);

#endif
