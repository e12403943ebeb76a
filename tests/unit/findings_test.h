/*
 * findings_test.h -- helpers shared by the tests of the checks (DMARC, MX,
 * MTA-STS, TLS-RPT, BIMI, HTTPS): a findings list, counting by ID, span
 * checks, zone loading, records added to the zone backend and the loop
 * over the fixtures named after finding IDs.  Include it after <cmocka.h>.
 */
#ifndef AUTHCHECK_FINDINGS_TEST_H
#define AUTHCHECK_FINDINGS_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"
#include "dns.h"
#include "ip.h"

static struct diag_list found;
static struct diag_sink sink;

static inline void
reset_sink(void)
{
	diag_list_free(&found);
	diag_list_init(&found, 256);
	diag_sink_init(&sink, diag_list_add, &found);
}

static inline size_t
count_id(enum diag_id id)
{
	size_t i, n = 0;

	for (i = 0; i < found.n; i++)
		if (found.v[i].id == id)
			n++;
	return n;
}

static inline const struct diag *
first_id(enum diag_id id)
{
	for (size_t i = 0; i < found.n; i++)
		if (found.v[i].id == id)
			return &found.v[i];
	return NULL;
}

static inline void
dump(void)
{
	for (size_t i = 0; i < found.n; i++)
		print_message("  %s [%s]: %s\n", diag_info(found.v[i].id)->id,
		    found.v[i].domain ? found.v[i].domain : "",
		    found.v[i].message ? found.v[i].message : "");
}

/* Exactly the findings in ids[0..n) (with repeats), in any order. */
static inline void
assert_only(const enum diag_id *ids, size_t n)
{
	size_t want[DIAG__COUNT] = { 0 }, i;

	for (i = 0; i < n; i++)
		want[ids[i]]++;
	for (i = 0; i < DIAG__COUNT; i++)
		if (count_id((enum diag_id)i) != want[i]) {
			dump();
			fail_msg("%s: %zu findings, expected %zu",
			    diag_info((enum diag_id)i)->id,
			    count_id((enum diag_id)i), want[i]);
		}
}

/* The first finding `id` has its span on `text` within its record. */
static inline void
assert_span_text(enum diag_id id, const char *text)
{
	const struct diag *d = first_id(id);

	if (d == NULL) {
		dump();
		fail_msg("no %s", diag_info(id)->id);
	}
	assert_true(d->has_span);
	assert_non_null(d->record);
	if (d->span.len != strlen(text) ||
	    memcmp(d->record + d->span.off, text, d->span.len) != 0)
		fail_msg("%s: span \"%.*s\", expected \"%s\"",
		    diag_info(id)->id, (int)d->span.len,
		    d->record + d->span.off, text);
}

static inline struct dns_resolver *
load_zone(const char *path)
{
	struct dns_resolver *r = dns_zone_new();
	const struct dns_zone_error *ze;
	char err[256];

	assert_non_null(r);
	if (dns_zone_load(r, path, NULL, err, sizeof(err)) != 0)
		fail_msg("%s: %s", path, err);
	if (dns_zone_errors(r, &ze) != 0)
		fail_msg("%s:%lu: %s", ze[0].file, ze[0].line, ze[0].msg);
	return r;
}

static inline void
add_txt(struct dns_resolver *r, const char *owner, const char *text)
{
	struct dns_str s = { text, (uint8_t)strlen(text) };
	struct dns_rr rr;

	memset(&rr, 0, sizeof(rr));
	rr.type = DNS_T_TXT;
	rr.ttl = 300;
	rr.u.txt.n = 1;
	rr.u.txt.s = &s;
	rr.u.txt.total = s.len;
	assert_int_equal(dns_zone_add_rr(r, owner, &rr), 0);
}

static inline void
add_addr(struct dns_resolver *r, const char *owner, const char *ip)
{
	struct dns_rr rr;

	memset(&rr, 0, sizeof(rr));
	assert_true(ip_parse(ip, strlen(ip), &rr.u.addr));
	rr.type = rr.u.addr.family == 4 ? DNS_T_A : DNS_T_AAAA;
	rr.ttl = 300;
	assert_int_equal(dns_zone_add_rr(r, owner, &rr), 0);
}

static inline void
add_mx(struct dns_resolver *r, const char *owner, unsigned pref,
    const char *host)
{
	struct dns_rr rr;

	memset(&rr, 0, sizeof(rr));
	rr.type = DNS_T_MX;
	rr.ttl = 300;
	rr.u.mx.pref = (uint16_t)pref;
	rr.u.mx.host = host;
	assert_int_equal(dns_zone_add_rr(r, owner, &rr), 0);
}

/* One zone fixture named after the finding it must produce: DIR/ID.zone,
 * checked for `domain`, with `timeout` (unless NULL) marked as a name
 * whose queries time out. */
struct id_fixture {
	const char *id;
	const char *domain;
	const char *timeout;
};

/* The check under test: check `domain` on r with its findings going to
 * `sink`, and free what it made (the findings are copies). */
typedef void fixture_check(struct dns_resolver *r, const char *domain);

/* Load each of fx[0..n) from dir and run check on it: each must report
 * at least one finding with its ID. */
static inline void
check_id_fixtures(const char *dir, const struct id_fixture *fx, size_t n,
    fixture_check *check)
{
	for (size_t i = 0; i < n; i++) {
		const struct id_fixture *f = &fx[i];
		struct dns_resolver *r;
		char path[256];
		enum diag_id id;

		snprintf(path, sizeof(path), "%s%s.zone", dir, f->id);
		assert_true(diag_lookup(f->id, strlen(f->id), &id));
		r = load_zone(path);
		if (f->timeout != NULL)
			assert_int_equal(dns_zone_add_timeout(r, f->timeout,
			    false), 0);
		reset_sink();
		check(r, f->domain);
		if (count_id(id) == 0) {
			dump();
			fail_msg("%s: no %s for %s", path, f->id, f->domain);
		}
		dns_free(r);
	}
}

#endif
