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

#include "area.h"
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

/*
 * A check whose record is the TXT record set at one name, <label>.<domain>
 * (BIMI's default._bimi, TLS-RPT's _smtp._tls, MTA-STS's _mta-sts): the
 * same start (copy the domain, make the name, ask) and the same first
 * half of the finish (read the answer, report a failed query, keep the
 * record).  Embedded in those checks' results as `txt`.
 */
struct txt_check {
	char domain[254];	/* the domain checked, no trailing dot */
	char name[300];		/* <label>.<domain>: the name asked */
	struct dns_query *q;	/* owned by the resolver; NULL: not asked */
	char *record;		/* after txt_check_read(): the first record
				 * of the kind (malloc'd), or NULL */
	size_t record_len;
};

/* Zero t, copy domain (trailing dot ignored) and make t->name.  Returns
 * 0, or -1 when the domain is not a valid name. */
int txt_check_name(struct txt_check *t, const char *label,
    const char *domain);
/* Ask TXT t->name with callback cb(arg) (cb may be NULL).  Returns 0, or
 * -1 with area->oom set when memory ran out. */
int txt_check_ask(struct dns_resolver *r, struct txt_check *t, dns_cb *cb,
    void *arg, struct area_result *area);
/* txt_check_name() and txt_check_ask().  Returns 0 or -1; t is safe to
 * read and free either way. */
int txt_check_start(struct dns_resolver *r, const char *label,
    const char *domain, struct txt_check *t, dns_cb *cb, void *arg,
    struct area_result *area);

/* After dns_run(): dns_txt_read() of the answer into t->record, with a
 * failure reported to sink as dns.failure ("...: <what>") and
 * area->incomplete set, and out-of-memory setting area->oom.  Same
 * returns as dns_txt_read(). */
int txt_check_read(struct txt_check *t, dns_txt_pred *is_record,
    struct diag_sink *sink, const char *what, struct area_result *area);

void txt_check_free(struct txt_check *t);

#endif
