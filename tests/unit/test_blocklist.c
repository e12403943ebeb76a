/*
 * test_blocklist.c -- the blocklists file (data/blocklists.json and the
 * loader's refusals) and the scan over the zone backend: IPv4 reversed
 * octets, IPv6 reversed nibbles, the test points, error codes, answers
 * outside 127/8, a timeout.  The list data is tests/zones/reputation/
 * world.zone (names written by hand from RFC 5782); the integration test
 * tests/integration/blocklist.sh serves the same world with NSD.
 * Run from the top of the tree.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "blocklist.h"
#include "reputation.h"
#include "findings_test.h"

#define WORLD "tests/zones/reputation/"

static const struct bl_list *
find(const struct bl_set *s, const char *id)
{
	for (size_t i = 0; i < blocklist_count(s); i++)
		if (strcmp(blocklist_get(s, i)->id, id) == 0)
			return blocklist_get(s, i);
	fail_msg("no list %s", id);
	return NULL;
}

/* data/blocklists.json: loads, at least 12 lists, each with its source
 * and delisting page, and the documented Spamhaus codes read right. */
static void
test_shipped(void **state)
{
	const struct bl_code *m[BL_MAX_CODES];
	const struct bl_list *zen, *dbl, *surbl;
	struct bl_set *s;
	char err[512];

	(void)state;
	s = blocklist_load("data/blocklists.json", err, sizeof(err));
	if (s == NULL)
		fail_msg("%s", err);
	assert_true(blocklist_count(s) >= 12);
	for (size_t i = 0; i < blocklist_count(s); i++) {
		const struct bl_list *l = blocklist_get(s, i);

		assert_non_null(l->source);
		assert_non_null(l->delist);
		assert_true(strncmp(l->delist, "http", 4) == 0);
	}
	zen = find(s, "spamhaus-zen");
	assert_int_equal(zen->kind, BL_IPV4);
	assert_string_equal(zen->dqs_zone, "zen.dq.spamhaus.net");
	/* 127.0.0.2 SBL matters for an MX; 127.0.0.10 PBL does not */
	assert_int_equal(blocklist_match(zen, 0x7f000002, m, BL_MAX_CODES), 1);
	assert_true(m[0]->matters & BL_ROLE_MX);
	assert_int_equal(blocklist_match(zen, 0x7f00000a, m, BL_MAX_CODES), 1);
	assert_false(m[0]->matters & BL_ROLE_MX);
	assert_true(m[0]->matters & BL_ROLE_SENDER);
	/* .4 to .7 XBL */
	assert_int_equal(blocklist_match(zen, 0x7f000006, m, BL_MAX_CODES), 1);
	assert_non_null(strstr(m[0]->meaning, "XBL"));
	/* the error codes are errors, not listings */
	assert_non_null(blocklist_error(zen, 0x7ffffffe));
	assert_non_null(blocklist_error(zen, 0x7ffffffc));
	assert_non_null(blocklist_error(zen, 0x7fffffff));
	assert_null(blocklist_error(zen, 0x7f000002));
	dbl = find(s, "spamhaus-dbl");
	assert_int_equal(dbl->kind, BL_DOMAIN);
	assert_non_null(blocklist_error(dbl, 0x7f0001ff));
	assert_int_equal(blocklist_match(dbl, 0x7f000102, m, BL_MAX_CODES), 1);
	/* SURBL is a bitmask: 127.0.0.80 = MW (16) + ABUSE (64) */
	surbl = find(s, "surbl");
	assert_true(surbl->bitmask);
	assert_int_equal(blocklist_match(surbl, 0x7f000050, m, BL_MAX_CODES),
	    2);
	/* default test points (RFC 5782 §5) */
	assert_string_equal(zen->test_listed, "127.0.0.2");
	assert_string_equal(zen->test_clean, "127.0.0.1");
	assert_string_equal(find(s, "spamhaus-zen-v6")->test_listed,
	    "::ffff:7f00:2");
	blocklist_free(s);
}

/* Bad files are refused with the field named. */
static void
test_refused_files(void **state)
{
	static const struct {
		const char *json, *want;
	} bad[] = {
		{ "{}", "lists" },
		{ "{\"lists\": [{\"id\": \"a\", \"name\": \"A\", \"kind\": "
		  "\"ipv4\", \"default\": true, \"delist\": \"x\", \"source\": "
		  "\"x\", \"codes\": [{\"code\": \"127.0.0.2\", \"meaning\": "
		  "\"m\", \"matters\": []}]}]}", "zone: missing" },
		{ "{\"lists\": [{\"id\": \"a\", \"name\": \"A\", \"zone\": "
		  "\"a.test\", \"kind\": \"ip\", \"default\": true, \"delist\": "
		  "\"x\", \"source\": \"x\", \"codes\": [{\"code\": "
		  "\"127.0.0.2\", \"meaning\": \"m\", \"matters\": []}]}]}",
		  "kind" },
		{ "{\"lists\": [{\"id\": \"a\", \"name\": \"A\", \"zone\": "
		  "\"a.test\", \"kind\": \"ipv4\", \"default\": true, "
		  "\"delist\": \"x\", \"source\": \"x\", \"codes\": [{\"code\": "
		  "\"10.0.0.2\", \"meaning\": \"m\", \"matters\": []}]}]}",
		  "lists[0].codes[0].code: not an address in 127.0.0.0/8" },
		{ "{\"lists\": [{\"id\": \"a\", \"name\": \"A\", \"zone\": "
		  "\"a.test\", \"kind\": \"domain\", \"match\": \"bitmask\", "
		  "\"default\": true, \"delist\": \"x\", \"source\": \"x\", "
		  "\"codes\": [{\"code\": \"127.0.0.6\", \"meaning\": \"m\", "
		  "\"matters\": []}]}]}", "single bits" },
		{ "{\"lists\": [{\"id\": \"a\", \"name\": \"A\", \"zone\": "
		  "\"a.test\", \"kind\": \"ipv4\", \"default\": true, "
		  "\"delist\": \"x\", \"source\": \"x\", \"codes\": [{\"code\": "
		  "\"127.0.0.2\", \"meaning\": \"m\", \"matters\": [\"web\"]}]}]}",
		  "roles are" },
	};
	char err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct bl_set *s = blocklist_load_mem("t.json", bad[i].json,
		    strlen(bad[i].json), err, sizeof(err));

		if (s != NULL)
			fail_msg("accepted: %s", bad[i].json);
		if (strstr(err, bad[i].want) == NULL)
			fail_msg("'%s' lacks '%s'", err, bad[i].want);
	}
}

static const struct rep_entry *
entry(const struct rep_result *res, const char *target, const char *list)
{
	for (size_t i = 0; i < res->ne; i++)
		if (strcmp(res->e[i].target, target) == 0 &&
		    strcmp(res->e[i].list->id, list) == 0)
			return &res->e[i];
	return NULL;
}

/* The scan over world.zone with every list. */
static void
test_scan(void **state)
{
	struct dns_resolver *r = load_zone(WORLD "world.zone");
	const struct rep_entry *e;
	struct rep_result res;
	struct rep_opts o;
	struct bl_set *s;
	struct ipaddr ip;
	char err[512];

	(void)state;
	/* servfail.bl.test: the zone backend times it out */
	assert_int_equal(dns_zone_add_timeout(r, "servfail.bl.test", true), 0);
	s = blocklist_load(WORLD "blocklists.json", err, sizeof(err));
	if (s == NULL)
		fail_msg("%s", err);
	memset(&o, 0, sizeof(o));
	memset(&res, 0, sizeof(res));
	o.lists = s;
	o.all_lists = true;
	area_result_init(&res.area);
	assert_int_equal(rep_begin(r, &o, &res), 0);
	assert_true(ip_parse("192.0.2.12", 10, &ip));
	assert_int_equal(rep_add_ip(&res, &ip, BL_ROLE_MX, "mx"), 0);
	assert_true(ip_parse("2001:db8::25", 12, &ip));
	assert_int_equal(rep_add_ip(&res, &ip, BL_ROLE_MX, "mx"), 0);
	/* its answer on outside.bl.test is outside 127/8: that list is
	 * unusable for every target */
	assert_true(ip_parse("192.0.2.10", 10, &ip));
	assert_int_equal(rep_add_ip(&res, &ip, BL_ROLE_MX, "mx"), 0);
	assert_true(ip_parse("127.0.0.2", 9, &ip));	/* never looked up */
	assert_int_equal(rep_add_ip(&res, &ip, BL_ROLE_MX, "mx"), 0);
	dns_run(r);
	reset_sink();
	rep_finish(&res, &sink);

	/* 12.2.0.192.good.bl.test: two codes, one matters for an MX */
	assert_non_null(e = entry(&res, "192.0.2.12", "good"));
	assert_int_equal(e->status, REP_LISTED);
	assert_int_equal(e->ncodes, 2);
	assert_true(e->matters);
	assert_string_equal(e->reason, "infected host");
	/* the nibble name of 2001:db8::25 on the IPv6 list only */
	assert_non_null(e = entry(&res, "2001:db8::25", "good6"));
	assert_int_equal(e->status, REP_LISTED);
	assert_null(entry(&res, "2001:db8::25", "good"));
	assert_null(entry(&res, "127.0.0.2", "good"));
	assert_int_equal(count_id(DIAG_BLOCKLIST_NOT_CHECKED), 1);
	/* the error code, the wildcard, the answer outside 127/8, the
	 * timeout */
	assert_int_equal(entry(&res, "192.0.2.12", "refuse")->status,
	    REP_REFUSED);
	assert_int_equal(entry(&res, "192.0.2.12", "wild")->status, REP_BROKEN);
	assert_int_equal(entry(&res, "192.0.2.12", "outside")->status,
	    REP_BROKEN);
	assert_int_equal(entry(&res, "192.0.2.12", "servfail")->status,
	    REP_UNKNOWN);
	assert_true(res.area.incomplete);
	assert_int_equal(count_id(DIAG_BLOCKLIST_REFUSED), 1);
	assert_int_equal(entry(&res, "192.0.2.12", "nxrewrite")->status,
	    REP_BROKEN);
	assert_int_equal(count_id(DIAG_BLOCKLIST_UNUSABLE), 3);
	assert_int_equal(count_id(DIAG_DNS_FAILURE), 1);
	assert_int_equal(count_id(DIAG_BLOCKLIST_LISTED), 3);
	rep_result_free(&res);
	area_result_free(&res.area);
	blocklist_free(s);
	dns_free(r);
	diag_list_free(&found);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped),
		cmocka_unit_test(test_refused_files),
		cmocka_unit_test(test_scan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
