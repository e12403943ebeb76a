/*
 * dns_txt.c -- picking the records of one kind out of a TXT answer (see
 * dns_txt.h).
 */
#include <limits.h>
#include <stdlib.h>

#include "dns_failure.h"
#include "dns_txt.h"

/* The walk both entry points share: take(arg, s, n) gets each matching
 * joined text and returns true when it keeps it (then it owns s). */
static int
txt_walk(const struct dns_answer *a, dns_txt_pred *is_record,
    bool (*take)(void *arg, char *s, size_t n), void *arg)
{
	int found = 0;

	if (a == NULL || a->status != DNS_OK)
		return 0;
	for (size_t i = 0; i < a->nrr; i++) {
		size_t n;
		char *s;

		if (a->rr[i].type != DNS_T_TXT)
			continue;
		if ((s = dns_txt_join(&a->rr[i], &n)) == NULL)
			return -1;
		if (!is_record(s, n)) {
			free(s);
			continue;
		}
		if (found < INT_MAX)
			found++;
		if (!take(arg, s, n))
			free(s);
	}
	return found;
}

struct first {
	char *text;
	size_t len;
};

static bool
take_first(void *arg, char *s, size_t n)
{
	struct first *f = arg;

	if (f->text != NULL)
		return false;
	f->text = s;
	f->len = n;
	return true;
}

int
dns_txt_pick(const struct dns_answer *a, dns_txt_pred *is_record,
    char **text, size_t *len)
{
	struct first f = { NULL, 0 };
	int found = txt_walk(a, is_record, take_first, &f);

	if (found < 0) {
		free(f.text);
		f.text = NULL;
		f.len = 0;
	}
	*text = f.text;
	*len = f.len;
	return found;
}

struct each {
	void (*fn)(void *arg, const char *text, size_t len);
	void *arg;
};

static bool
take_each(void *arg, char *s, size_t n)
{
	struct each *e = arg;

	e->fn(e->arg, s, n);
	return false;
}

int
dns_txt_each(const struct dns_answer *a, dns_txt_pred *is_record,
    void (*fn)(void *arg, const char *text, size_t len), void *arg)
{
	struct each e = { fn, arg };

	return txt_walk(a, is_record, take_each, &e);
}

int
dns_txt_read(const struct dns_answer *a, dns_txt_pred *is_record,
    struct diag_sink *sink, const char *what, bool *incomplete, char **text,
    size_t *len)
{
	*text = NULL;
	*len = 0;
	if (a == NULL)
		return -2;
	if (dns_failed(a->status)) {
		*incomplete = true;
		dns_failure_report(sink, a, what);
		return -2;
	}
	return dns_txt_pick(a, is_record, text, len);
}
