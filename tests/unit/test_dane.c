/*
 * test_dane.c -- DANE's judgement by the DNSSEC status of the TLSA answer
 * (RFC 7672 §2.2), which the zone backend cannot give (it validates
 * nothing: every answer is UNCHECKED).  A small backend answers every
 * TLSA question with one record and the status under test, through the
 * real resolver (dns.c) and dane.c's callbacks; the handshake's outcome
 * is what tls.c reports after a real one (tests/integration/dane.sh
 * matches real chains).  Also the TLSA text parser and the record lint.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dane.h"
#include "dns.h"
#include "smtp.h"
#include "transport.h"

/* ---- a backend that answers with a chosen DNSSEC status ---- */

static struct dns_resolver *the_r;
static enum dnssec_status tlsa_status, addr_status;
static bool addr_alias;		/* A/AAAA answers show a CNAME */
static uint8_t digest[32];

static void
fake_start(void *be, struct dns_query *q)
{
	struct dns_answer a;
	struct dns_rr rr;
	const char *name = dns_query_name(q);

	(void)be;
	memset(&a, 0, sizeof(a));
	memset(&rr, 0, sizeof(rr));
	a.qname = name;
	a.qtype = dns_query_type(q);
	a.canon = name;
	if (a.qtype == DNS_T_TLSA) {
		rr.type = DNS_T_TLSA;
		rr.owner = name;
		rr.u.tlsa.usage = 3;
		rr.u.tlsa.selector = 1;
		rr.u.tlsa.mtype = 1;
		rr.u.tlsa.data = digest;
		rr.u.tlsa.len = sizeof(digest);
		a.status = DNS_OK;
		a.nrr = 1;
		a.rr = &rr;
		a.dnssec = tlsa_status;
		a.dnssec_why = tlsa_status == DNSSEC_INSECURE ?
		    "no DS for example.com" : NULL;
	} else {
		a.status = DNS_NODATA;
		a.dnssec = addr_status;
		if (addr_alias) {
			a.ncname = 1;
			a.canon = "real.example.net";
		}
	}
	dns_query_done(the_r, q, &a);
}

static size_t
fake_poll(void *be, int timeout_ms)
{
	(void)be;
	(void)timeout_ms;
	return 0;
}

static void
fake_free(void *be)
{
	(void)be;
}

static const struct dns_backend_ops fake_ops = {
	fake_start, fake_poll, fake_free
};

/* Look up mx.example.com's TLSA with the statuses given. */
static void
lookup(struct dane_lookup *dl, enum dnssec_status t, enum dnssec_status a,
    bool alias)
{
	tlsa_status = t;
	addr_status = a;
	addr_alias = alias;
	memset(digest, 0xab, sizeof(digest));
	the_r = dns_resolver_new(&fake_ops, NULL);
	assert_non_null(the_r);
	assert_int_equal(dane_lookup_start(the_r, "mx.example.com", 25, dl, NULL, NULL),
	    0);
	dns_run(the_r);
}

/* A probe whose handshake OpenSSL matched (or not) against the usable
 * records. */
static void
probe(struct smtp_probe *p, bool matched)
{
	memset(p, 0, sizeof(*p));
	p->tls_done = true;
	p->tls.has_cert = true;
	p->tls.dane = true;
	p->tls.dane_usable = 1;
	p->tls.dane_matched = matched;
	p->tls.dane_rec = matched ? 0 : -1;
	p->tls.dane_depth = matched ? 0 : -1;
	snprintf(p->tls.dane_error, sizeof(p->tls.dane_error), "%s",
	    matched ? "" : "no matching DANE TLSA records");
}

static size_t
count(const struct diag_list *l, enum diag_id id)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += l->v[i].id == id;
	return n;
}

/* dane.insecure-tlsa: TLSA in an unsigned zone is reported, and a
 * mismatch there is no error. */
static void
test_insecure(void **state)
{
	struct dane_lookup dl;
	struct diag_list l;
	struct diag_sink sink;
	struct diag d;
	struct smtp_probe p;
	struct dane_verdict v;

	(void)state;
	lookup(&dl, DNSSEC_INSECURE, DNSSEC_INSECURE, false);
	assert_int_equal(dl.orig.status, DNS_OK);
	assert_int_equal(dl.orig.n, 1);
	assert_int_equal(dl.orig.dnssec, DNSSEC_INSECURE);
	diag_list_init(&l, AREA_MAX_FINDINGS);
	diag_sink_init(&sink, diag_list_add, &l);
	memset(&d, 0, sizeof(d));
	dane_judge_host(&dl, &sink, &d);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].id, DIAG_DANE_INSECURE_TLSA);
	assert_non_null(strstr(l.v[0].message, "no DS for example.com"));
	assert_non_null(strstr(l.v[0].message, "senders ignore them"));
	/* no match in an unsigned zone: ignored by senders, not an error */
	probe(&p, false);
	dane_judge_probe(&dl, &p, "mx.example.com 192.0.2.1:25", &sink, &d,
	    &v);
	assert_int_equal(v.status, DANE_INSECURE);
	assert_int_equal(count(&l, DIAG_DANE_MISMATCH), 0);
	assert_string_equal(dane_status_name(v.status), "insecure");
	diag_list_free(&l);
	dane_lookup_free(&dl);
	dns_free(the_r);
}

/* Signed TLSA, unsigned addresses: senders do not use DANE for the host
 * (RFC 7672 §2.2.2), so a mismatch is no error either. */
static void
test_insecure_addresses(void **state)
{
	struct dane_lookup dl;
	struct diag_list l;
	struct diag_sink sink;
	struct diag d;
	struct smtp_probe p;
	struct dane_verdict v;

	(void)state;
	lookup(&dl, DNSSEC_SECURE, DNSSEC_INSECURE, false);
	assert_true(dl.addr_insecure);
	diag_list_init(&l, AREA_MAX_FINDINGS);
	diag_sink_init(&sink, diag_list_add, &l);
	memset(&d, 0, sizeof(d));
	dane_judge_host(&dl, &sink, &d);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].id, DIAG_DANE_INSECURE_TLSA);
	assert_non_null(strstr(l.v[0].message, "addresses of mx.example.com"));
	probe(&p, false);
	dane_judge_probe(&dl, &p, "x", &sink, &d, &v);
	assert_int_equal(v.status, DANE_INSECURE);
	assert_int_equal(count(&l, DIAG_DANE_MISMATCH), 0);
	diag_list_free(&l);
	dane_lookup_free(&dl);
	dns_free(the_r);
}

static void
test_secure_mismatch(void **state)
{
	struct dane_lookup dl;
	struct diag_list l;
	struct diag_sink sink;
	struct diag d;
	struct smtp_probe p;
	struct dane_verdict v;

	(void)state;
	lookup(&dl, DNSSEC_SECURE, DNSSEC_SECURE, false);
	diag_list_init(&l, AREA_MAX_FINDINGS);
	diag_sink_init(&sink, diag_list_add, &l);
	memset(&d, 0, sizeof(d));
	dane_judge_host(&dl, &sink, &d);
	assert_int_equal(l.n, 0);
	probe(&p, false);
	dane_judge_probe(&dl, &p, "mx.example.com 192.0.2.1:25", &sink, &d,
	    &v);
	assert_int_equal(v.status, DANE_MISMATCH);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].id, DIAG_DANE_MISMATCH);
	/* validated: no "not validated" caveat */
	assert_null(strstr(l.v[0].message, "not validated"));
	assert_non_null(strstr(l.v[0].message, "_25._tcp.mx.example.com"));
	probe(&p, true);
	dane_judge_probe(&dl, &p, "x", &sink, &d, &v);
	assert_int_equal(v.status, DANE_MATCHED);
	assert_int_equal(v.rec, 0);
	assert_int_equal(v.depth, 0);
	assert_null(v.why);
	diag_list_free(&l);
	dane_lookup_free(&dl);
	dns_free(the_r);
}

static void
test_bogus(void **state)
{
	struct dane_lookup dl;
	struct diag_list l;
	struct diag_sink sink;
	struct diag d;
	struct smtp_probe p;
	struct dane_verdict v;
	struct transport_result t;
	struct ipaddr ip;

	(void)state;
	lookup(&dl, DNSSEC_BOGUS, DNSSEC_SECURE, false);
	diag_list_init(&l, AREA_MAX_FINDINGS);
	diag_sink_init(&sink, diag_list_add, &l);
	memset(&d, 0, sizeof(d));
	dane_judge_host(&dl, &sink, &d);
	probe(&p, false);
	dane_judge_probe(&dl, &p, "x", &sink, &d, &v);
	/* the DNSSEC findings say it; DANE cannot be evaluated */
	assert_int_equal(l.n, 0);
	assert_int_equal(v.status, DANE_NOT_CHECKED);
	assert_non_null(strstr(v.why, "bogus"));
	/* and the probe is given no record to match */
	memset(&t, 0, sizeof(t));
	area_result_init(&t.area);
	transport_init(&t, NULL);
	assert_true(ip_parse("192.0.2.1", 9, &ip));
	assert_int_equal(transport_add_host(&t, "mx.example.com", 25, false,
	    false, &ip, 1, NULL), 0);
	transport_host_dane(&t, 0, &dl);
	assert_int_equal(t.host[0].ntlsa, 0);
	assert_int_equal(t.probe[0].ntlsa, 0);
	transport_result_free(&t);
	diag_list_free(&l);
	dane_lookup_free(&dl);
	dns_free(the_r);
}

/* RFC 7672 §2.2.3: a secure alias makes the expansion the first TLSA
 * base; an insecure one leaves only the original name. */
static void
test_alias(void **state)
{
	struct dane_lookup dl;

	(void)state;
	lookup(&dl, DNSSEC_SECURE, DNSSEC_SECURE, true);
	assert_true(dl.canon.asked);
	assert_string_equal(dl.canon.qname, "_25._tcp.real.example.net");
	assert_ptr_equal(dane_lookup_set(&dl), &dl.canon);
	dane_lookup_free(&dl);
	dns_free(the_r);

	lookup(&dl, DNSSEC_SECURE, DNSSEC_INSECURE, true);
	assert_false(dl.canon.asked);
	assert_string_equal(dl.canon_name, "real.example.net");
	assert_ptr_equal(dane_lookup_set(&dl), &dl.orig);
	dane_lookup_free(&dl);
	dns_free(the_r);
}

/* The same rule when the verdicts come after the lookup (the live
 * resolver validates once the DNS work is done): the expansion was asked
 * and its records given to the dialogue, then the alias turns out
 * insecure (or bogus).  The original name is the base, and the
 * handshake's match against the expansion's records counts for
 * nothing. */
static void
test_alias_late(void **state)
{
	struct dane_lookup dl;
	struct diag_list l;
	struct diag_sink sink;
	struct diag d;
	struct smtp_probe p;
	struct dane_verdict v;

	(void)state;
	lookup(&dl, DNSSEC_UNCHECKED, DNSSEC_UNCHECKED, true);
	assert_true(dl.canon.asked);
	assert_ptr_equal(dane_lookup_set(&dl), &dl.canon);
	/* what dane_lookup_refresh() takes from validation */
	dl.orig.dnssec = dl.canon.dnssec = DNSSEC_SECURE;
	dl.cname_dnssec = DNSSEC_INSECURE;
	dl.addr_insecure = true;
	assert_ptr_equal(dane_lookup_set(&dl), &dl.orig);
	diag_list_init(&l, AREA_MAX_FINDINGS);
	diag_sink_init(&sink, diag_list_add, &l);
	memset(&d, 0, sizeof(d));
	dane_judge_host(&dl, &sink, &d);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].id, DIAG_DANE_INSECURE_TLSA);
	assert_non_null(strstr(l.v[0].message, "_25._tcp.mx.example.com"));
	probe(&p, true);
	dane_judge_probe(&dl, &p, "x", &sink, &d, &v);
	assert_int_equal(v.status, DANE_INSECURE);
	assert_int_equal(v.rec, -1);
	assert_non_null(strstr(v.why, "alias into an unsigned zone"));
	probe(&p, false);
	dane_judge_probe(&dl, &p, "x", &sink, &d, &v);
	assert_int_equal(v.status, DANE_INSECURE);
	assert_int_equal(count(&l, DIAG_DANE_MISMATCH), 0);
	/* a bogus alias: not evaluated, the DNSSEC findings say why */
	dl.cname_dnssec = DNSSEC_BOGUS;
	dl.addr_insecure = false;
	assert_ptr_equal(dane_lookup_set(&dl), &dl.orig);
	dane_judge_probe(&dl, &p, "x", &sink, &d, &v);
	assert_int_equal(v.status, DANE_NOT_CHECKED);
	assert_non_null(strstr(v.why, "bogus"));
	assert_int_equal(count(&l, DIAG_DANE_MISMATCH), 0);
	diag_list_free(&l);
	dane_lookup_free(&dl);
	dns_free(the_r);
}

static void
test_parse(void **state)
{
	uint8_t buf[64];
	struct dns_rr rr;

	(void)state;
	assert_null(dns_tlsa_parse("3 1 1 ab CD\t0f", 14, &rr, buf,
	    sizeof(buf)));
	assert_int_equal(rr.type, DNS_T_TLSA);
	assert_int_equal(rr.u.tlsa.usage, 3);
	assert_int_equal(rr.u.tlsa.len, 3);
	assert_int_equal(rr.u.tlsa.data[1], 0xcd);
	assert_null(dns_tlsa_parse("\\# 5 0301 01abcd", 16, &rr, buf,
	    sizeof(buf)));
	assert_int_equal(rr.u.tlsa.mtype, 1);
	assert_int_equal(rr.u.tlsa.len, 2);
	assert_non_null(dns_tlsa_parse("3 1", 3, &rr, buf, sizeof(buf)));
	assert_non_null(dns_tlsa_parse("3 1 1", 5, &rr, buf, sizeof(buf)));
	assert_non_null(dns_tlsa_parse("3 1 1 abc", 9, &rr, buf,
	    sizeof(buf)));
	assert_non_null(dns_tlsa_parse("256 1 1 ab", 10, &rr, buf,
	    sizeof(buf)));
	assert_non_null(dns_tlsa_parse("3x 1 1 ab", 9, &rr, buf,
	    sizeof(buf)));
	assert_non_null(dns_tlsa_parse("\\# 3 030101", 11, &rr, buf,
	    sizeof(buf)));	/* no data */
	assert_non_null(dns_tlsa_parse("\\# 5 030101ab", 13, &rr, buf,
	    sizeof(buf)));	/* length does not match */
	/* bounded by the buffer: never written past */
	assert_non_null(dns_tlsa_parse("3 1 1 0102030405", 16, &rr, buf, 4));
	/* not NUL-terminated: only len is read */
	assert_null(dns_tlsa_parse("3 1 1 abXX", 8, &rr, buf, sizeof(buf)));
	assert_int_equal(rr.u.tlsa.len, 1);
}

static void
test_lint(void **state)
{
	uint8_t d32[32], d5[5];
	struct tls_tlsa t = { 3, 1, 1, d32, sizeof(d32) };
	struct diag_list l;
	struct diag_sink sink;
	struct diag d;
	char out[24];

	(void)state;
	memset(d32, 0x11, sizeof(d32));
	memset(d5, 0x22, sizeof(d5));
	memset(&d, 0, sizeof(d));
	diag_list_init(&l, AREA_MAX_FINDINGS);
	diag_sink_init(&sink, diag_list_add, &l);
	assert_null(dane_rec_unusable(&t));
	dane_lint_rec(&t, "_25._tcp.mx", &sink, &d);
	assert_int_equal(l.n, 0);
	t.usage = 1;
	dane_lint_rec(&t, "_25._tcp.mx", &sink, &d);
	t.usage = 3;
	t.len = 5;
	t.data = d5;
	dane_lint_rec(&t, "_25._tcp.mx", &sink, &d);
	t.mtype = 0;
	dane_lint_rec(&t, "_25._tcp.mx", &sink, &d);
	t.mtype = 7;
	assert_non_null(dane_rec_unusable(&t));
	assert_int_equal(l.n, 3);
	assert_int_equal(l.v[0].id, DIAG_DANE_BAD_USAGE);
	assert_int_equal(l.v[1].id, DIAG_DANE_UNUSABLE_TLSA);
	assert_non_null(strstr(l.v[1].message, "32 bytes"));
	assert_int_equal(l.v[2].id, DIAG_DANE_FULL_DATA);
	diag_list_free(&l);
	/* the record's text is cut with "...", never past the buffer */
	t.mtype = 1;
	t.data = d32;
	t.len = sizeof(d32);
	dane_rec_format(&t, out, sizeof(out));
	assert_string_equal(out, "3 1 1 111111111111...");
	dane_rec_format(&t, out, 4);
	assert_true(strlen(out) < 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insecure),
		cmocka_unit_test(test_insecure_addresses),
		cmocka_unit_test(test_secure_mismatch),
		cmocka_unit_test(test_bogus),
		cmocka_unit_test(test_alias),
		cmocka_unit_test(test_alias_late),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_lint),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
