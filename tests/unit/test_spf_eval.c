/*
 * test_spf_eval.c -- check_host() behaviour the openspf suites do not pin
 * down: lookup and void counts reported, the trace, the deciding term,
 * prefetching that asks no more questions than lazy evaluation, hostile
 * include chains.  DNS comes from the zone backend (records added here).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "dns.h"
#include "spf.h"

static void
add_txt(struct dns_resolver *r, const char *owner, const char *text)
{
	struct dns_str s[8];
	struct dns_rr rr;
	size_t n = 0, len = strlen(text);

	memset(&rr, 0, sizeof(rr));
	rr.type = DNS_T_TXT;
	rr.ttl = 300;
	rr.owner = owner;
	/* Split like a zone file would: 255-octet character-strings. */
	while (len > 0 && n < 8) {
		s[n].p = text;
		s[n].len = (uint8_t)(len > 255 ? 255 : len);
		text += s[n].len;
		len -= s[n].len;
		n++;
	}
	rr.u.txt.n = n;
	rr.u.txt.s = s;
	assert_int_equal(dns_zone_add_rr(r, owner, &rr), 0);
}

static void
add_a(struct dns_resolver *r, const char *owner, const char *addr)
{
	struct dns_rr rr;

	memset(&rr, 0, sizeof(rr));
	rr.type = DNS_T_A;
	rr.ttl = 300;
	rr.owner = owner;
	assert_true(ip_parse(addr, strlen(addr), &rr.u.addr));
	assert_int_equal(dns_zone_add_rr(r, owner, &rr), 0);
}

static void
add_mx(struct dns_resolver *r, const char *owner, int pref, const char *host)
{
	struct dns_rr rr;

	memset(&rr, 0, sizeof(rr));
	rr.type = DNS_T_MX;
	rr.ttl = 300;
	rr.owner = owner;
	rr.u.mx.pref = (uint16_t)pref;
	rr.u.mx.host = host;
	assert_int_equal(dns_zone_add_rr(r, owner, &rr), 0);
}

static enum spf_result
check(struct dns_resolver *r, const char *ip, const char *sender,
    bool no_prefetch, struct spf_eval_result *res)
{
	struct spf_eval_opts o;

	memset(&o, 0, sizeof(o));
	assert_true(ip_parse(ip, strlen(ip), &o.ip));
	o.sender = sender;
	o.helo = "mail.example.org";
	o.no_prefetch = no_prefetch;
	assert_int_equal(spf_check_host(r, &o, res), 0);
	return res->result;
}

/* A small provider-shaped world: two includes, one nested. */
static struct dns_resolver *
world(void)
{
	struct dns_resolver *r = dns_zone_new();

	assert_non_null(r);
	add_txt(r, "example.org", "v=spf1 mx include:_spf.prov.test "
	    "include:other.test ip4:192.0.2.10 -all");
	add_mx(r, "example.org", 10, "mx.example.org");
	add_a(r, "mx.example.org", "192.0.2.25");
	add_txt(r, "_spf.prov.test", "v=spf1 include:_nb.prov.test ~all");
	add_txt(r, "_nb.prov.test", "v=spf1 ip4:198.51.100.0/24 ~all");
	add_txt(r, "other.test", "v=spf1 a:host.other.test -all");
	add_a(r, "host.other.test", "203.0.113.5");
	return r;
}

static void
test_counts_and_decision(void **state)
{
	struct dns_resolver *r = world();
	struct spf_eval_result res;

	(void)state;
	assert_int_equal(check(r, "203.0.113.5", "a@example.org", false, &res),
	    SPF_PASS);
	/* mx, include, include (nested), include, a = 5 DNS terms */
	assert_int_equal(res.lookups, 5);
	assert_int_equal(res.void_lookups, 0);
	assert_string_equal(res.decided_by, "include:other.test");
	assert_string_equal(res.decided_domain, "example.org");
	assert_null(res.explanation);
	assert_true(res.ntrace > 0);
	spf_eval_result_free(&res);

	assert_int_equal(check(r, "100.64.0.1", "a@example.org", false, &res),
	    SPF_FAIL);
	assert_string_equal(res.decided_by, "-all");
	spf_eval_result_free(&res);
	dns_free(r);
}

/* Prefetching must not ask more questions than lazy evaluation when the
 * whole tree is walked (no term matches the client). */
static void
test_prefetch_same_questions(void **state)
{
	struct dns_resolver *r1 = world(), *r2 = world();
	struct spf_eval_result a, b;

	(void)state;
	assert_int_equal(check(r1, "100.64.0.1", "x@example.org", false, &a),
	    SPF_FAIL);
	assert_int_equal(check(r2, "100.64.0.1", "x@example.org", true, &b),
	    SPF_FAIL);
	assert_int_equal(dns_stats(r1)->queries, dns_stats(r2)->queries);
	assert_int_equal(a.lookups, b.lookups);
	spf_eval_result_free(&a);
	spf_eval_result_free(&b);
	dns_free(r1);
	dns_free(r2);
}

/* The price of prefetching: when the first include decides, the second
 * include's record was asked for all the same.  Lazy evaluation asks only
 * what the result needed; both give the same result. */
static void
test_no_prefetch_asks_only_needed(void **state)
{
	struct dns_resolver *lazy = dns_zone_new(), *eager = dns_zone_new();
	struct dns_resolver *rs[2] = { lazy, eager };
	struct spf_eval_result a, b;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		add_txt(rs[i], "two.test", "v=spf1 include:a.test include:b.test "
		    "-all");
		add_txt(rs[i], "a.test", "v=spf1 ip4:192.0.2.1 -all");
		add_txt(rs[i], "b.test", "v=spf1 ip4:198.51.100.0/24 -all");
	}
	assert_int_equal(check(lazy, "192.0.2.1", "x@two.test", true, &a),
	    SPF_PASS);
	assert_int_equal(check(eager, "192.0.2.1", "x@two.test", false, &b),
	    SPF_PASS);
	assert_int_equal(dns_stats(lazy)->queries, 2);	/* two.test, a.test */
	assert_int_equal(dns_stats(eager)->queries, 3);	/* ... and b.test */
	assert_int_equal(a.lookups, b.lookups);
	spf_eval_result_free(&a);
	spf_eval_result_free(&b);
	dns_free(lazy);
	dns_free(eager);
}

/* An ip4 match before any DNS term: prefetch stops there too. */
static void
test_prefetch_stops_at_local_match(void **state)
{
	struct dns_resolver *r = dns_zone_new();
	struct spf_eval_result res;

	(void)state;
	add_txt(r, "stop.test", "v=spf1 ip4:192.0.2.1 include:far.test -all");
	add_txt(r, "far.test", "v=spf1 -all");
	assert_int_equal(check(r, "192.0.2.1", "x@stop.test", false, &res),
	    SPF_PASS);
	assert_int_equal(res.lookups, 0);
	assert_int_equal(dns_stats(r)->queries, 1);
	spf_eval_result_free(&res);
	dns_free(r);
}

/*
 * The prefetch bound (RFC 7208 §4.6.4): a record of 30 includes whose
 * first include matches the client.  A sequential evaluator asks for the
 * record and the first include's: 2 questions.  The prefetcher may run
 * ahead, but never past what a sequential evaluator could reach within
 * the limit of 10 DNS-querying terms: the record plus 10 includes, 11
 * questions, however many terms the records hold -- the includes' own
 * includes are within the same budget, not on top of it.
 */
static void
test_prefetch_bounded_by_lookup_limit(void **state)
{
	struct dns_resolver *eager = dns_zone_new(), *lazy = dns_zone_new();
	struct dns_resolver *rs[2] = { eager, lazy };
	struct spf_eval_result res;
	char text[1024], owner[64], inc[128];
	size_t off;

	(void)state;
	off = (size_t)snprintf(text, sizeof(text), "v=spf1");
	for (int i = 1; i <= 30; i++)
		off += (size_t)snprintf(text + off, sizeof(text) - off,
		    " include:i%d.wide.test", i);
	snprintf(text + off, sizeof(text) - off, " -all");
	for (int k = 0; k < 2; k++) {
		add_txt(rs[k], "wide.test", text);
		for (int i = 1; i <= 30; i++) {
			snprintf(owner, sizeof(owner), "i%d.wide.test", i);
			snprintf(inc, sizeof(inc), "v=spf1 ip4:192.0.2.%d "
			    "include:n%d.wide.test -all", i, i);
			add_txt(rs[k], owner, inc);
			snprintf(owner, sizeof(owner), "n%d.wide.test", i);
			add_txt(rs[k], owner, "v=spf1 a:host.wide.test -all");
		}
	}
	assert_int_equal(check(eager, "192.0.2.1", "x@wide.test", false, &res),
	    SPF_PASS);
	assert_int_equal(res.lookups, 1);
	spf_eval_result_free(&res);
	assert_int_equal(check(lazy, "192.0.2.1", "x@wide.test", true, &res),
	    SPF_PASS);
	assert_int_equal(res.lookups, 1);
	spf_eval_result_free(&res);
	/* wide.test's TXT, then at most 10 DNS terms' questions. */
	assert_int_equal(dns_stats(eager)->queries, 1 + 10);
	/* --no-prefetch: exactly what the evaluation read. */
	assert_int_equal(dns_stats(lazy)->queries, 2);
	dns_free(eager);
	dns_free(lazy);
}

static void
test_void_lookups_counted(void **state)
{
	struct dns_resolver *r = dns_zone_new();
	struct spf_eval_result res;

	(void)state;
	add_txt(r, "void.test", "v=spf1 a:nx1.void.test exists:nx2.void.test "
	    "a:nx3.void.test -all");
	assert_int_equal(check(r, "192.0.2.1", "x@void.test", false, &res),
	    SPF_PERMERROR);
	assert_int_equal(res.void_lookups, 3);
	assert_non_null(res.problem);
	spf_eval_result_free(&res);
	dns_free(r);
}

/* include loop and a 100-deep chain: permerror at the 11th term, bounded. */
static void
test_hostile_chains(void **state)
{
	struct dns_resolver *r = dns_zone_new();
	struct spf_eval_result res;
	char owner[64], text[128];
	int i;

	(void)state;
	add_txt(r, "loop.test", "v=spf1 include:loop2.test -all");
	add_txt(r, "loop2.test", "v=spf1 include:loop.test -all");
	for (i = 0; i < 100; i++) {
		snprintf(owner, sizeof(owner), "c%d.chain.test", i);
		snprintf(text, sizeof(text), "v=spf1 include:c%d.chain.test -all",
		    i + 1);
		add_txt(r, owner, text);
	}
	assert_int_equal(check(r, "192.0.2.1", "x@loop.test", false, &res),
	    SPF_PERMERROR);
	assert_int_equal(res.lookups, 11);
	spf_eval_result_free(&res);
	assert_int_equal(check(r, "192.0.2.1", "x@c0.chain.test", false, &res),
	    SPF_PERMERROR);
	assert_int_equal(res.lookups, 11);
	/* The prefetcher stays within the limit as well. */
	assert_true(dns_stats(r)->queries <= 2 + 12);
	spf_eval_result_free(&res);
	dns_free(r);
}

static void
test_exp_only_from_top(void **state)
{
	struct dns_resolver *r = dns_zone_new();
	struct spf_eval_result res;

	(void)state;
	add_txt(r, "top.test", "v=spf1 include:inc.test -all exp=why.top.test");
	add_txt(r, "why.top.test", "%{i} is not one of %{d}'s hosts");
	add_txt(r, "inc.test", "v=spf1 -all exp=why.inc.test");
	add_txt(r, "why.inc.test", "included explanation");
	assert_int_equal(check(r, "192.0.2.7", "x@top.test", false, &res),
	    SPF_FAIL);
	assert_string_equal(res.explanation,
	    "192.0.2.7 is not one of top.test's hosts");
	spf_eval_result_free(&res);
	dns_free(r);
}

static void
test_timeout_is_temperror(void **state)
{
	struct dns_resolver *r = dns_zone_new();
	struct spf_eval_result res;

	(void)state;
	add_txt(r, "t.test", "v=spf1 a:slow.t.test -all");
	assert_int_equal(dns_zone_add_timeout(r, "slow.t.test", false), 0);
	assert_int_equal(check(r, "192.0.2.1", "x@t.test", false, &res),
	    SPF_TEMPERROR);
	assert_non_null(res.problem);
	spf_eval_result_free(&res);
	dns_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts_and_decision),
		cmocka_unit_test(test_prefetch_same_questions),
		cmocka_unit_test(test_prefetch_stops_at_local_match),
		cmocka_unit_test(test_no_prefetch_asks_only_needed),
		cmocka_unit_test(test_prefetch_bounded_by_lookup_limit),
		cmocka_unit_test(test_void_lookups_counted),
		cmocka_unit_test(test_hostile_chains),
		cmocka_unit_test(test_exp_only_from_top),
		cmocka_unit_test(test_timeout_is_temperror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
