/*
 * dns_txt.c -- picking the records of one kind out of a TXT answer (see
 * dns_txt.h).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- a check of the TXT record set at one name --------------------- */

int
txt_check_name(struct txt_check *t, const char *label, const char *domain)
{
	memset(t, 0, sizeof(*t));
	if (dns_name_norm(t->domain, sizeof(t->domain), domain) < 0)
		return -1;
	/* the labels are ours and short, the domain at most 253 bytes */
	if (snprintf(t->name, sizeof(t->name), "%s.%s", label, t->domain) >=
	    (int)sizeof(t->name))
		return -1;
	return 0;
}

int
txt_check_ask(struct dns_resolver *r, struct txt_check *t, dns_cb *cb,
    void *arg, struct area_result *area)
{
	if ((t->q = dns_submit(r, t->name, DNS_T_TXT, cb, arg)) == NULL) {
		area->oom = true;
		return -1;
	}
	return 0;
}

int
txt_check_start(struct dns_resolver *r, const char *label, const char *domain,
    struct txt_check *t, dns_cb *cb, void *arg, struct area_result *area)
{
	if (txt_check_name(t, label, domain) != 0)
		return -1;
	return txt_check_ask(r, t, cb, arg, area);
}

int
txt_check_read(struct txt_check *t, dns_txt_pred *is_record,
    struct diag_sink *sink, const char *what, struct area_result *area)
{
	int n;

	free(t->record);
	t->record = NULL;
	t->record_len = 0;
	n = dns_txt_read(t->q ? dns_answer(t->q) : NULL, is_record, sink,
	    what, &area->incomplete, &t->record, &t->record_len);
	if (n == -1)
		area->oom = true;
	return n;
}

void
txt_check_free(struct txt_check *t)
{
	free(t->record);
	t->record = NULL;
	t->record_len = 0;
}
