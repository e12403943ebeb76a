/*
 * test_dns_zone.c -- the zone backend through the resolver interface:
 * OK / NODATA / NXDOMAIN, empty non-terminals, CNAME chains and loops,
 * wildcards, simulated timeouts, bad names, case, loading zone files and
 * their errors, a large number of records.
 * Fixture: tests/zones/unit/example.net.zone (tests run from the top).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dns.h"

#define FIXTURE "tests/zones/unit/example.net.zone"

static int
setup_file(void **state)
{
	char err[256];
	struct dns_resolver *r = dns_zone_new();

	if (r == NULL)
		return -1;
	if (dns_zone_load(r, FIXTURE, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		dns_free(r);
		return -1;
	}
	*state = r;
	return 0;
}

static int
setup_empty(void **state)
{
	*state = dns_zone_new();
	return *state == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	dns_free(*state);
	return 0;
}

static const struct dns_answer *
ask(void **state, const char *name, uint16_t type, enum dns_status want)
{
	const struct dns_answer *a = dns_lookup(*state, name, type);

	assert_non_null(a);
	if (a->status != want)
		fail_msg("%s/%s: got %s, want %s", name, dns_type_name(type),
		    dns_status_name(a->status), dns_status_name(want));
	return a;
}

static void
add_a(struct dns_resolver *r, const char *owner, uint8_t last)
{
	struct dns_rr rr;

	memset(&rr, 0, sizeof(rr));
	rr.type = DNS_T_A;
	rr.ttl = 60;
	rr.u.addr.family = 4;
	rr.u.addr.a[0] = 192;
	rr.u.addr.a[2] = 2;
	rr.u.addr.a[3] = last;
	assert_int_equal(dns_zone_add_rr(r, owner, &rr), 0);
}

static void
add_txt(struct dns_resolver *r, const char *owner, const char *text)
{
	struct dns_str s = { text, (uint8_t)strlen(text) };
	struct dns_rr rr;

	memset(&rr, 0, sizeof(rr));
	rr.type = DNS_T_TXT;
	rr.u.txt.n = 1;
	rr.u.txt.s = &s;
	assert_int_equal(dns_zone_add_rr(r, owner, &rr), 0);
}

static void
test_load_answers(void **state)
{
	const struct dns_answer *a;
	char *txt, ip[IP_STRLEN];
	size_t len;

	/* origin "example.net" from the file name; strings kept apart */
	a = ask(state, "example.net", DNS_T_TXT, DNS_OK);
	assert_int_equal(a->nrr, 1);
	assert_int_equal(a->rr[0].u.txt.n, 2);
	assert_int_equal(a->rr[0].ttl, 300);
	txt = dns_txt_join(&a->rr[0], &len);
	assert_string_equal(txt, "v=spf1 mx -all");
	free(txt);
	a = ask(state, "example.net", DNS_T_MX, DNS_OK);
	assert_int_equal(a->nrr, 2);
	assert_int_equal(a->rr[0].u.mx.pref, 10);
	assert_string_equal(a->rr[0].u.mx.host, "mx1.example.net");
	assert_int_equal(a->rr[1].u.mx.pref, 20);
	assert_string_equal(a->rr[1].u.mx.host, "MX2.Example.NET");
	a = ask(state, "mx2.example.net", DNS_T_AAAA, DNS_OK);
	ip_format(&a->rr[0].u.addr, ip, sizeof(ip));
	assert_string_equal(ip, "2001:db8::25");
	a = ask(state, "ns1.example.net", DNS_T_A, DNS_OK);
	ip_format(&a->rr[0].u.addr, ip, sizeof(ip));
	assert_string_equal(ip, "192.0.2.53");
	assert_string_equal(a->rr[0].owner, "ns1.example.net");
	assert_int_equal(a->rcode, 0);
	/* a type we only store, not decode */
	a = ask(state, "srv.example.net", 33, DNS_OK);
	assert_int_equal(a->nrr, 1);
}

static void
test_nodata_nxdomain_ent(void **state)
{
	const struct dns_answer *a;

	ask(state, "example.net", DNS_T_AAAA, DNS_NODATA);
	a = ask(state, "nope.example.net", DNS_T_A, DNS_NXDOMAIN);
	assert_int_equal(a->rcode, 3);
	/* b.deep and deep exist only through a.b.deep */
	ask(state, "b.deep.example.net", DNS_T_A, DNS_NODATA);
	ask(state, "deep.example.net", DNS_T_TXT, DNS_NODATA);
	ask(state, "a.b.deep.example.net", DNS_T_A, DNS_OK);
	ask(state, "c.deep.example.net", DNS_T_A, DNS_NXDOMAIN);
	ask(state, "x.a.b.deep.example.net", DNS_T_A, DNS_NXDOMAIN);
	/* "net" is an ancestor too */
	ask(state, "net", DNS_T_A, DNS_NODATA);
	ask(state, "org", DNS_T_A, DNS_NXDOMAIN);
}

static void
test_cname(void **state)
{
	const struct dns_answer *a;

	a = ask(state, "alias.example.net", DNS_T_A, DNS_OK);
	assert_int_equal(a->ncname, 1);
	assert_string_equal(a->canon, "mx1.example.net");
	assert_int_equal(a->nrr, 1);
	/* a chain into a name outside the data */
	a = ask(state, "www.example.net", DNS_T_TXT, DNS_NXDOMAIN);
	assert_int_equal(a->ncname, 2);
	assert_string_equal(a->canon, "host.other.test");
	/* asking for the CNAME itself does not follow it */
	a = ask(state, "www.example.net", DNS_T_CNAME, DNS_OK);
	assert_int_equal(a->ncname, 0);
	assert_string_equal(a->rr[0].u.target, "web.example.net");
	a = ask(state, "loop1.example.net", DNS_T_A, DNS_SERVFAIL);
	assert_non_null(a->why);
	assert_string_equal(a->why, "CNAME loop");
}

static void
test_wildcard(void **state)
{
	const struct dns_answer *a;

	a = ask(state, "foo.wild.example.net", DNS_T_TXT, DNS_OK);
	assert_string_equal(a->rr[0].owner, "foo.wild.example.net");
	assert_int_equal(a->rr[0].u.txt.s[0].len, 8);
	assert_memory_equal(a->rr[0].u.txt.s[0].p, "wildcard", 8);
	ask(state, "a.b.wild.example.net", DNS_T_A, DNS_OK);
	ask(state, "foo.wild.example.net", DNS_T_MX, DNS_NODATA);
	/* an existing name is not covered by the wildcard */
	ask(state, "exact.wild.example.net", DNS_T_TXT, DNS_NODATA);
	ask(state, "wild.example.net", DNS_T_TXT, DNS_NODATA);
	/* nor is a name below an existing one that is not "*" (RFC 4592:
	 * the closest encloser is exact.wild, which has no wildcard) */
	ask(state, "x.exact.wild.example.net", DNS_T_TXT, DNS_NXDOMAIN);
	/* a wildcard CNAME is followed */
	a = ask(state, "anything.wc.example.net", DNS_T_A, DNS_OK);
	assert_int_equal(a->ncname, 1);
	assert_string_equal(a->canon, "mx1.example.net");
}

static void
test_load_errors(void **state)
{
	const struct dns_zone_error *e;
	size_t n = dns_zone_errors(*state, &e);
	const struct dns_answer *a;

	assert_int_equal(n, 2);
	assert_string_equal(e[0].file, FIXTURE);
	assert_int_equal(e[0].line, 22);
	assert_non_null(strstr(e[0].msg, "IPv4"));
	assert_int_equal(e[1].line, 23);
	assert_non_null(strstr(e[1].msg, "255"));
	ask(state, "bad.example.net", DNS_T_A, DNS_NXDOMAIN);
	/* the over-long string is served cut at 255 octets */
	a = ask(state, "long.example.net", DNS_T_TXT, DNS_OK);
	assert_int_equal(a->rr[0].u.txt.n, 2);
	assert_int_equal(a->rr[0].u.txt.s[0].len, 255);
	assert_true(a->rr[0].u.txt.total > 255);
	assert_int_equal(a->rr[0].u.txt.s[1].len,
	    a->rr[0].u.txt.total - 255);
}

static void
test_case_and_dots(void **state)
{
	struct dns_resolver *r = *state;
	const struct dns_answer *a;

	add_txt(r, "MiXeD.Example.ORG.", "v=spf1 -all");
	a = ask(state, "mixed.example.org", DNS_T_TXT, DNS_OK);
	assert_string_equal(a->rr[0].owner, "mixed.example.org");
	ask(state, "MIXED.EXAMPLE.ORG.", DNS_T_TXT, DNS_OK);
	ask(state, "mixed.EXAMPLE.org", DNS_T_A, DNS_NODATA);
}

static void
test_timeout(void **state)
{
	struct dns_resolver *r = *state;
	const struct dns_answer *a;

	add_txt(r, "t.test", "v=spf1 -all");
	add_a(r, "x.t.test", 1);
	assert_int_equal(dns_zone_add_timeout(r, "t.test", false), 0);
	add_a(r, "a.error.test", 2);
	assert_int_equal(dns_zone_add_timeout(r, "error.test.", true), 0);
	/* a type with records answers, others time out */
	ask(state, "t.test", DNS_T_TXT, DNS_OK);
	a = ask(state, "t.test", DNS_T_A, DNS_TIMEOUT);
	assert_non_null(a->why);
	/* not below it without subtree */
	ask(state, "x.t.test", DNS_T_A, DNS_OK);
	ask(state, "y.t.test", DNS_T_A, DNS_NXDOMAIN);
	/* subtree: every name at or below */
	ask(state, "error.test", DNS_T_TXT, DNS_TIMEOUT);
	ask(state, "b.c.error.test", DNS_T_A, DNS_TIMEOUT);
	ask(state, "a.error.test", DNS_T_A, DNS_OK);
	ask(state, "a.error.test", DNS_T_TXT, DNS_TIMEOUT);
	ask(state, "other.test", DNS_T_A, DNS_NXDOMAIN);
	assert_true(dns_stats(r)->timeouts >= 4);
}

static void
test_badname(void **state)
{
	struct dns_resolver *r = *state;
	char name[300];

	memset(name, 'a', 64);
	memcpy(name + 64, ".test", 6);
	ask(state, name, DNS_T_TXT, DNS_BADNAME);
	assert_int_equal(dns_zone_add_rr(r, name, &(struct dns_rr){
	    .type = DNS_T_A }), -1);
	ask(state, "a..test", DNS_T_TXT, DNS_BADNAME);
	/* 254 octets of text is over the 253 limit */
	memset(name, 'a', 254);
	for (size_t i = 63; i < 254; i += 64)
		name[i] = '.';
	name[254] = '\0';
	ask(state, name, DNS_T_A, DNS_BADNAME);
	name[253] = '\0';
	ask(state, name, DNS_T_A, DNS_NXDOMAIN);
}

static void
test_many_records(void **state)
{
	struct dns_resolver *r = *state;
	const struct dns_answer *a;
	char name[64];
	unsigned i;

	for (i = 0; i < 100000; i++) {
		snprintf(name, sizeof(name), "h%u.s%u.many.test", i, i % 100);
		add_a(r, name, (uint8_t)i);
		if (i % 10 == 0)
			add_a(r, name, (uint8_t)(i + 1));
	}
	for (i = 0; i < 100000; i += 997) {
		snprintf(name, sizeof(name), "h%u.s%u.many.test", i, i % 100);
		a = ask(state, name, DNS_T_A, DNS_OK);
		assert_int_equal(a->nrr, i % 10 == 0 ? 2 : 1);
		assert_int_equal(a->rr[0].u.addr.a[3], (uint8_t)i);
	}
	ask(state, "s42.many.test", DNS_T_A, DNS_NODATA);
	ask(state, "h42.s43.many.test", DNS_T_A, DNS_NXDOMAIN);
}

static void
test_unreadable_and_not_zone(void **state)
{
	struct dns_resolver *r = *state;
	const struct dns_zone_error *e;
	char err[256];

	(void)state;
	err[0] = '\0';
	assert_int_equal(dns_zone_load(r, "tests/zones/unit/nope.zone", NULL,
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "nope.zone"));
	assert_int_equal(dns_zone_errors(r, &e), 0);
}

static void
test_origin_sources(void **state)
{
	struct dns_resolver *r = *state;
	const struct dns_zone_error *e;
	char err[256];

	/* db.NAME gives NAME; an explicit origin wins over the file name */
	assert_int_equal(dns_zone_load(r, "tests/zones/unit/db.example.info",
	    NULL, err, sizeof(err)), 0);
	assert_int_equal(dns_zone_load(r, "tests/zones/unit/db.example.info",
	    "other.example.", err, sizeof(err)), 0);
	assert_int_equal(dns_zone_errors(r, &e), 0);
	ask(state, "example.info", DNS_T_TXT, DNS_OK);
	ask(state, "www.example.info", DNS_T_A, DNS_OK);
	ask(state, "www.other.example", DNS_T_A, DNS_OK);
}

static void
fake_start(void *be, struct dns_query *q)
{
	(void)be;
	(void)q;
}

static size_t
fake_poll(void *be, int ms)
{
	(void)be;
	(void)ms;
	return 0;
}

static void
test_other_backend_refused(void **state)
{
	static const struct dns_backend_ops ops = { fake_start, fake_poll,
	    NULL };
	struct dns_resolver *r = dns_resolver_new(&ops, NULL);
	const struct dns_zone_error *e;
	char err[128];

	(void)state;
	assert_non_null(r);
	assert_int_equal(dns_zone_add_rr(r, "a.test", &(struct dns_rr){
	    .type = DNS_T_A }), -1);
	assert_int_equal(dns_zone_add_timeout(r, "a.test", false), -1);
	assert_int_equal(dns_zone_load(r, FIXTURE, NULL, err, sizeof(err)),
	    -1);
	assert_int_equal(dns_zone_errors(r, &e), 0);
	dns_free(r);
}

/* dns_name_within(): label boundaries, case, trailing dots. */
static void
test_name_within(void **state)
{
	(void)state;
	assert_true(dns_name_within("a.example.com", "example.com"));
	assert_true(dns_name_within("Example.COM.", "example.com"));
	assert_true(dns_name_within("example.com", "example.com."));
	assert_false(dns_name_within("badexample.com", "example.com"));
	assert_false(dns_name_within("example.com", "a.example.com"));
	assert_false(dns_name_within("example.org", "example.com"));
}

/* dns_name_norm(): the one normal form -- valid, no trailing dot, lower
 * case; dns_name_trim() keeps the root. */
static void
test_name_norm(void **state)
{
	char out[16], big[300];

	(void)state;
	assert_int_equal(dns_name_norm(out, sizeof(out), "Mail.Example.COM."),
	    -1);	/* 16 bytes: does not fit */
	assert_int_equal(dns_name_norm(out, sizeof(out), "A.Example.COM."), 13);
	assert_string_equal(out, "a.example.com");
	assert_int_equal(dns_name_norm(out, sizeof(out), "x_Y-z"), 5);
	assert_string_equal(out, "x_y-z");
	assert_int_equal(dns_name_norm(out, sizeof(out), "."), -1);
	assert_int_equal(dns_name_norm(out, sizeof(out), ""), -1);
	assert_int_equal(dns_name_norm(out, sizeof(out), "a..b"), -1);
	/* in place */
	memcpy(out, "AbC.", 5);
	assert_int_equal(dns_name_norm(out, sizeof(out), out), 3);
	assert_string_equal(out, "abc");
	/* a label of 64 bytes is not a name, whatever the buffer */
	memset(big, 'a', 64);
	memcpy(big + 64, ".com", 5);
	assert_int_equal(dns_name_norm(big, sizeof(big), big), -1);
	/* non-ASCII bytes are left as they are */
	assert_int_equal(dns_name_norm(out, sizeof(out), "\xc3\x89.fr"), 5);
	assert_memory_equal(out, "\xc3\x89.fr", 6);
	assert_int_equal(dns_name_trim("a.", 2), 1);
	assert_int_equal(dns_name_trim(".", 1), 1);
	assert_int_equal(dns_name_trim("a", 1), 1);
	assert_int_equal(dns_name_trim("", 0), 0);
}

/* A zone file listing a record twice is served as a server does: once
 * (RFC 2181 §5); records that differ in their strings stay apart. */
static void
test_load_dedups(void **state)
{
	struct dns_resolver *r = *state;
	const struct dns_answer *a;
	char err[256];

	assert_int_equal(dns_zone_load(r, "tests/zones/unit/dup.test.zone",
	    NULL, err, sizeof(err)), 0);
	a = ask(state, "dup.test", DNS_T_TXT, DNS_OK);
	assert_int_equal(a->nrr, 2);
	a = ask(state, "web.dup.test", DNS_T_A, DNS_OK);
	assert_int_equal(a->nrr, 2);
	a = ask(state, "www.dup.test", DNS_T_CNAME, DNS_OK);
	assert_int_equal(a->nrr, 1);
}

/* Tags (dns_tag): a callback's questions take the tag of the question it
 * answers; each tag counts its own until they complete.  dns_forget()
 * drops the answers of an idle resolver, never of a busy one. */
struct tag_seen {
	struct dns_resolver *r;
	size_t parent_pending, child_pending, other_pending;
	int forget_busy;
	bool child_ran;
};

static void
tag_child(void *arg, struct dns_query *q)
{
	struct tag_seen *t = arg;

	(void)q;
	t->child_ran = true;
	t->child_pending = dns_pending(t->r, 3);
}

static void
tag_parent(void *arg, struct dns_query *q)
{
	struct tag_seen *t = arg;

	(void)q;
	assert_non_null(dns_submit(t->r, "mx2.example.net", DNS_T_AAAA,
	    tag_child, t));
	/* The answer is known, but callbacks do not nest: the child waits,
	 * counted under the parent's tag 3, as is the parent itself. */
	t->parent_pending = dns_pending(t->r, 3);
	t->other_pending = dns_pending(t->r, 5);
	t->forget_busy = dns_forget(t->r);
}

static void
test_tags_and_forget(void **state)
{
	struct dns_resolver *r = *state;
	struct tag_seen t = { .r = r };
	unsigned long q0;

	assert_int_equal(dns_tag(r, 3), 0);
	assert_int_equal(dns_tag(r, 5), 3);
	assert_int_equal(dns_tag(r, 3), 5);
	assert_non_null(dns_submit(r, "example.net", DNS_T_MX, tag_parent,
	    &t));
	assert_true(t.child_ran);
	assert_int_equal(t.parent_pending, 2);
	assert_int_equal(t.child_pending, 1);
	assert_int_equal(t.other_pending, 0);
	assert_int_equal(t.forget_busy, -1);
	assert_int_equal(dns_pending(r, 3), 0);
	dns_run_tag(r, 3);	/* nothing left: returns at once */
	/* Idle: forgotten, then asked again as a new question. */
	q0 = dns_stats(r)->queries;
	assert_int_equal(dns_forget(r), 0);
	assert_int_equal(dns_stats(r)->queries, q0);
	assert_int_equal(dns_lookup(r, "example.net", DNS_T_MX)->status,
	    DNS_OK);
	assert_int_equal(dns_stats(r)->queries, q0 + 1);
	assert_int_equal(dns_lookup(r, "example.net", DNS_T_MX)->status,
	    DNS_OK);
	assert_int_equal(dns_stats(r)->queries, q0 + 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tags_and_forget, setup_file,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_answers, setup_file,
		    teardown),
		cmocka_unit_test_setup_teardown(test_nodata_nxdomain_ent,
		    setup_file, teardown),
		cmocka_unit_test_setup_teardown(test_cname, setup_file,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wildcard, setup_file,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_errors, setup_file,
		    teardown),
		cmocka_unit_test_setup_teardown(test_case_and_dots,
		    setup_empty, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup_empty,
		    teardown),
		cmocka_unit_test_setup_teardown(test_badname, setup_empty,
		    teardown),
		cmocka_unit_test_setup_teardown(test_many_records, setup_empty,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_and_not_zone,
		    setup_empty, teardown),
		cmocka_unit_test_setup_teardown(test_origin_sources,
		    setup_empty, teardown),
		cmocka_unit_test(test_other_backend_refused),
		cmocka_unit_test(test_name_within),
		cmocka_unit_test(test_name_norm),
		cmocka_unit_test_setup_teardown(test_load_dedups, setup_empty,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
