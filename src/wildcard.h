/*
 * wildcard.h -- telling the names a wildcard answers from the names that
 * hold records of their own (RFC 4592).
 *
 * A wildcard "*.example.com" answers every name under example.com that
 * does not exist (and whose closest existing ancestor is example.com), so
 * a question about a name that merely might exist -- a common DKIM
 * selector, _dmarc.<sub> -- gets the wildcard's records back.  The report
 * asks, in its first wave, about one name that cannot exist: a random
 * label under the domain (and under _domainkey.<domain>).  An answer at
 * another name that equals that probe's answer is the wildcard's, not a
 * record published for that name.
 *
 * The comparison is on the data: a name that publishes exactly what the
 * wildcard publishes cannot be told apart from it, and receivers cannot
 * either, so nothing is lost by treating it as the wildcard's.
 */
#ifndef AUTHCHECK_WILDCARD_H
#define AUTHCHECK_WILDCARD_H

#include <stdbool.h>
#include <stddef.h>

#include "dns.h"

/* The random label of this run (the same for every domain, so the cache
 * shares probes): 24 lowercase letters and digits, drawn once from the
 * system's random source.  Static storage. */
const char *wildcard_label(void);

/* Write "<label>.<parent>" into out.  -1 when it does not fit or is not a
 * valid name. */
int wildcard_name(char *out, size_t size, const char *parent);

/* True when the probe's answer (NULL: not asked) carries records: a
 * wildcard answers that type below the parent. */
bool wildcard_answers(const struct dns_answer *probe);

/* True when answer a holds the same records as the probe's answer (same
 * type and the same record data, in any order): a is the wildcard's
 * answer, not records published at a's name.  False when either is NULL
 * or has no records. */
bool wildcard_same(const struct dns_answer *a, const struct dns_answer *probe);

#endif
