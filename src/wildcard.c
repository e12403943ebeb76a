/*
 * wildcard.c -- wildcard probes and answer comparison (see wildcard.h).
 */
#include "wildcard.h"

#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

const char *
wildcard_label(void)
{
	static char label[25];
	static const char digits[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char rnd[24];

	if (label[0] != '\0')
		return label;
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		/* No random source: a label from the clock and the process
		 * still names nothing anyone publishes. */
		uint64_t x = (uint64_t)time(NULL) * 6364136223846793005ULL ^
		    (uint64_t)getpid();

		for (size_t i = 0; i < sizeof(rnd); i++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			rnd[i] = (unsigned char)(x >> 56);
		}
	}
	for (size_t i = 0; i < sizeof(rnd); i++)
		label[i] = digits[rnd[i] % (sizeof(digits) - 1)];
	label[0] = 'x';		/* a letter first, whatever was drawn */
	label[sizeof(label) - 1] = '\0';
	return label;
}

int
wildcard_name(char *out, size_t size, const char *parent)
{
	int n = snprintf(out, size, "%s.%s", wildcard_label(), parent);

	if (n < 0 || (size_t)n >= size || !dns_name_valid(out, (size_t)n))
		return -1;
	return 0;
}

bool
wildcard_answers(const struct dns_answer *probe)
{
	return probe != NULL && probe->status == DNS_OK && probe->nrr > 0;
}

static bool
rr_equal(const struct dns_rr *x, const struct dns_rr *y)
{
	if (x->type != y->type)
		return false;
	switch (x->type) {
	case DNS_T_TXT:
	case DNS_T_SPF:
		if (x->u.txt.n != y->u.txt.n || x->u.txt.total != y->u.txt.total)
			return false;
		for (size_t i = 0; i < x->u.txt.n; i++)
			if (x->u.txt.s[i].len != y->u.txt.s[i].len ||
			    memcmp(x->u.txt.s[i].p, y->u.txt.s[i].p,
			    x->u.txt.s[i].len) != 0)
				return false;
		return true;
	case DNS_T_MX:
		return x->u.mx.pref == y->u.mx.pref &&
		    strcasecmp(x->u.mx.host, y->u.mx.host) == 0;
	case DNS_T_A:
	case DNS_T_AAAA:
		return x->u.addr.family == y->u.addr.family &&
		    memcmp(x->u.addr.a, y->u.addr.a,
		    x->u.addr.family == 4 ? 4 : 16) == 0;
	case DNS_T_CNAME:
	case DNS_T_PTR:
	case DNS_T_NS:
		return strcasecmp(x->u.target, y->u.target) == 0;
	default:
		return false;
	}
}

/* Every record of x has an equal one in y. */
static bool
contained(const struct dns_answer *x, const struct dns_answer *y)
{
	for (size_t i = 0; i < x->nrr; i++) {
		size_t j;

		for (j = 0; j < y->nrr; j++)
			if (rr_equal(&x->rr[i], &y->rr[j]))
				break;
		if (j == y->nrr)
			return false;
	}
	return true;
}

bool
wildcard_same(const struct dns_answer *a, const struct dns_answer *probe)
{
	if (!wildcard_answers(a) || !wildcard_answers(probe) ||
	    a->qtype != probe->qtype || a->nrr != probe->nrr)
		return false;
	return contained(a, probe) && contained(probe, a);
}
