/*
 * dns_txt.h -- picking the records of one kind out of a TXT answer.
 *
 * Every check that reads a TXT record (SPF, DMARC, BIMI, TLS-RPT,
 * MTA-STS) does the same thing: join each TXT RR's strings (RFC 7208
 * §3.3), keep those that begin with its version tag, and tell one record
 * from none and from several.  The predicate says what "its kind" is.
 */
#ifndef AUTHCHECK_DNS_TXT_H
#define AUTHCHECK_DNS_TXT_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "dns.h"

/* Is the joined text p[0..len) a record of the wanted kind? */
typedef bool dns_txt_pred(const char *p, size_t len);

/*
 * Count the TXT RRs of answer a (NULL, or any status but DNS_OK: none)
 * that is_record accepts, in answer order.  *text gets the first of them
 * joined (malloc'd, NUL-terminated, may hold NUL bytes; the caller frees)
 * and *len its length; both stay NULL / 0 when there is none.  Returns
 * the count, or -1 on out-of-memory, with *text NULL.
 */
int dns_txt_pick(const struct dns_answer *a, dns_txt_pred *is_record,
    char **text, size_t *len);

/* Call fn(arg, text, len) for each TXT RR of a that is_record accepts, in
 * answer order; text belongs to the walk and is gone after fn returns.
 * Returns how many, or -1 on out-of-memory (the walk stops there). */
int dns_txt_each(const struct dns_answer *a, dns_txt_pred *is_record,
    void (*fn)(void *arg, const char *text, size_t len), void *arg);

/*
 * A check's TXT answer a, read after dns_run(): as dns_txt_pick(), but a
 * NULL a (never asked) returns -2, and so does a failed query after it is
 * reported to sink as dns.failure (message ending ": <what>") and
 * *incomplete is set.  *text is NULL on every negative return.
 */
int dns_txt_read(const struct dns_answer *a, dns_txt_pred *is_record,
    struct diag_sink *sink, const char *what, bool *incomplete, char **text,
    size_t *len);

#endif
