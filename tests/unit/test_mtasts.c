/*
 * test_mtasts.c -- MTA-STS: the TXT grammar (§3.1), the policy grammar
 * (§3.2), MX pattern matching (§4.1), the DNS side of the check on the zone
 * backend (records, addresses, time-outs), and one fixture per finding ID
 * DNS alone can trigger (tests/zones/lint/mta-sts/).  The HTTPS side runs
 * against a real server in test_https.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "diag.h"
#include "dns.h"
#include "mtasts.h"
#include "unit/findings_test.h"

#define FIXDIR "tests/zones/lint/mta-sts/"

static bool
txt(const char *s, struct mtasts_txt *t)
{
	struct diag ctx;

	reset_sink();
	memset(&ctx, 0, sizeof(ctx));
	ctx.domain = "_mta-sts.example.com";
	return mtasts_parse_txt(s, strlen(s), t, &sink, &ctx);
}

static bool
policy(const char *s, struct mtasts_policy *p)
{
	struct diag ctx;

	reset_sink();
	memset(&ctx, 0, sizeof(ctx));
	ctx.domain = "mta-sts.example.com";
	return mtasts_parse_policy(s, strlen(s), p, &sink, &ctx);
}

/* ---- TXT record ------------------------------------------------------ */

static void
test_txt_valid(void **state)
{
	struct mtasts_txt t;
	const char *s;

	(void)state;
	s = "v=STSv1; id=20160831085700Z;";
	assert_true(txt(s, &t));
	assert_int_equal(found.n, 0);
	assert_int_equal(t.id.off, 12);
	assert_int_equal(t.id.len, 15);
	/* extensions, WSP around ';', no trailing ';' */
	assert_true(txt("v=STSv1 ;\tid=abc ; ext.1-x_y=va:lue<>", &t));
	assert_int_equal(found.n, 0);
	/* 32 characters is the most */
	assert_true(txt("v=STSv1; id=0123456789abcdef0123456789ABCDEF", &t));
	assert_true(mtasts_is_record("v=STSv1", 7));
	assert_true(mtasts_is_record("v=STSv1 ;", 9));
	assert_false(mtasts_is_record("v=STSv10", 8));
	assert_false(mtasts_is_record("v=stsv1; id=1", 13));
	/* (p, len): nothing past len is read */
	assert_true(mtasts_is_record("v=STSv1xyz", 7));
}

static void
test_txt_errors(void **state)
{
	struct mtasts_txt t;

	(void)state;
	assert_false(txt("id=1; v=STSv1", &t));
	assert_span_text(DIAG_MTA_STS_SYNTAX, "id=1");
	assert_false(txt("v=STSv1", &t));
	assert_int_equal(count_id(DIAG_MTA_STS_SYNTAX), 1);	/* no id */
	assert_false(txt("v=STSv1; id=", &t));
	assert_false(txt("v=STSv1; id=0123456789abcdef0123456789ABCDEFx", &t));
	assert_span_text(DIAG_MTA_STS_SYNTAX,
	    "0123456789abcdef0123456789ABCDEFx");
	assert_false(txt("v=STSv1; id=2026-01-01", &t));
	assert_span_text(DIAG_MTA_STS_SYNTAX, "2026-01-01");
	/* two problems, both reported */
	assert_false(txt("v=STSv1 id=1; foo", &t));
	assert_int_equal(count_id(DIAG_MTA_STS_SYNTAX), 3);
	assert_span_text(DIAG_MTA_STS_SYNTAX, "id=1");
	assert_false(txt("v=STSv1; id=1;; x=y", &t));
	assert_false(txt("v=STSv1; id=1; -x=y", &t));
	assert_span_text(DIAG_MTA_STS_SYNTAX, "-x");
	assert_false(txt("v=STSv1; id=1; x=a b", &t));
	assert_span_text(DIAG_MTA_STS_SYNTAX, "a b");
	assert_false(txt("v=STSv1; id=1; x=", &t));
	/* a NUL inside the record is not accepted */
	reset_sink();
	assert_false(mtasts_parse_txt("v=STSv1; id=a\0b", 15, &t, &sink,
	    NULL));
}

/* ---- policy file ----------------------------------------------------- */

static void
test_policy_valid(void **state)
{
	struct mtasts_policy p;
	const char *s = "version: STSv1\r\nmode: enforce\r\n"
	    "mx: mail.example.com\r\nmx: *.example.net\r\n"
	    "mx:backupmx.example.com\r\nmax_age: 604800\r\n";

	(void)state;
	assert_true(policy(s, &p));
	assert_int_equal(found.n, 0);
	assert_int_equal(p.mode, MTASTS_MODE_ENFORCE);
	assert_int_equal(p.max_age, 604800);
	assert_int_equal(p.nmx, 3);
	assert_memory_equal(s + p.mx[1].off, "*.example.net", 13);
	/* LF only, no final newline, trailing WSP, extension field */
	assert_true(policy("version: STSv1\nmode: testing\nmx: a.example\n"
	    "max_age: 0\nx-ext_1.a: some value \xc3\xa9\t ", &p));
	assert_int_equal(found.n, 0);
	assert_int_equal(p.mode, MTASTS_MODE_TESTING);
	assert_int_equal(p.max_age, 0);
	/* §3.2 ABNF: mx required "except when mode is 'none'" */
	assert_true(policy("version: STSv1\nmode: none\nmax_age: 86400\n",
	    &p));
	assert_int_equal(p.mode, MTASTS_MODE_NONE);
	/* the maximum max_age; a repeated field: the first counts */
	assert_true(policy("version: STSv1\nmode: enforce\nmode: testing\n"
	    "mx: a.example\nmax_age: 31557600\nmax_age: 5\n", &p));
	assert_int_equal(p.mode, MTASTS_MODE_ENFORCE);
	assert_int_equal(p.max_age, 31557600);
}

static void
test_policy_errors(void **state)
{
	struct mtasts_policy p;
	const struct diag *d;

	(void)state;
	assert_false(policy("version: STSv1\nmode: enforce\nmax_age: 1\n", &p));
	assert_int_equal(count_id(DIAG_MTA_STS_POLICY_INVALID), 1);  /* no mx */
	assert_false(policy("version: STSv2\nmode: strict\nmx: a.example\n",
	    &p));
	/* bad version, bad mode, then missing version/mode/max_age */
	assert_int_equal(count_id(DIAG_MTA_STS_POLICY_INVALID), 5);
	assert_span_text(DIAG_MTA_STS_POLICY_INVALID, "STSv2");
	d = first_id(DIAG_MTA_STS_POLICY_INVALID);
	assert_non_null(strstr(d->message, "line 1"));
	assert_false(policy("version: STSv1\nmode: enforce\nmx: a.example\n"
	    "max_age: 31557601\n", &p));
	assert_span_text(DIAG_MTA_STS_POLICY_INVALID, "31557601");
	assert_false(policy("version: STSv1\nmode: enforce\nmx: a.example\n"
	    "max_age: 12345678901\n", &p));
	assert_false(policy("version: STSv1\nmode: enforce\nmx: a.example\n"
	    "max_age: -1\n", &p));
	/* mode values are case-sensitive (%s) */
	assert_false(policy("version: STSv1\nmode: Enforce\nmx: a.example\n"
	    "max_age: 1\n", &p));
	/* mx patterns */
	assert_false(policy("version: STSv1\nmode: enforce\nmx: a..example\n"
	    "max_age: 1\n", &p));
	assert_span_text(DIAG_MTA_STS_POLICY_INVALID, "a..example");
	assert_false(policy("version: STSv1\nmode: enforce\n"
	    "mx: mail.example.com.\nmax_age: 1\n", &p));
	assert_false(policy("version: STSv1\nmode: enforce\nmx: *mail.example\n"
	    "max_age: 1\n", &p));
	assert_false(policy("version: STSv1\nmode: enforce\nmx: a.*.example\n"
	    "max_age: 1\n", &p));
	assert_false(policy("version: STSv1\nmode: enforce\nmx: -a.example\n"
	    "max_age: 1\n", &p));
	/* line structure: blank line, bare CR, no colon, bad name */
	assert_false(policy("version: STSv1\n\nmode: none\nmax_age: 1\n", &p));
	assert_non_null(strstr(first_id(DIAG_MTA_STS_POLICY_INVALID)->message,
	    "line 2"));
	assert_false(policy("version: STSv1\rmode: none\nmax_age: 1\n", &p));
	assert_false(policy("version STSv1\nmode: none\nmax_age: 1\n", &p));
	assert_span_text(DIAG_MTA_STS_POLICY_INVALID, "version STSv1");
	assert_false(policy("version: STSv1\nmode: none\nmax_age: 1\n"
	    "bad name: x\n", &p));
	assert_span_text(DIAG_MTA_STS_POLICY_INVALID, "bad name");
	assert_false(policy("version: STSv1\nmode: none\nmax_age: 1\n"
	    "ext:\n", &p));
	/* empty input: every required field is missing */
	assert_false(policy("", &p));
	assert_int_equal(count_id(DIAG_MTA_STS_POLICY_INVALID), 4);
	/* NUL bytes are data, not an end */
	reset_sink();
	assert_false(mtasts_parse_policy("version: STSv1\0\nmode: none\n"
	    "max_age: 1\n", 38, &p, &sink, NULL));
	assert_false(p.has_version);
}

static void
test_mx_match(void **state)
{
	(void)state;
#define M(pat, host) mtasts_mx_match(pat, strlen(pat), host, strlen(host))
	assert_true(M("mail.example.com", "mail.example.com"));
	assert_true(M("mail.example.com", "MAIL.Example.COM"));
	assert_true(M("mail.example.com", "mail.example.com."));
	assert_true(M("mail.example.com.", "mail.example.com"));
	assert_false(M("mail.example.com", "mail.example.co"));
	assert_false(M("mail.example.com", "xmail.example.com"));
	/* "*." is exactly one leftmost label */
	assert_true(M("*.example.com", "mx1.example.com"));
	assert_true(M("*.example.com", "MX1.EXAMPLE.COM."));
	assert_false(M("*.example.com", "example.com"));
	assert_false(M("*.example.com", "a.b.example.com"));
	assert_false(M("*.example.com", ".example.com"));
	assert_false(M("*.example.com", "mx1.badexample.com"));
	assert_false(M("*.example.com", "mx1.example.com.evil"));
	assert_false(M("", "example.com"));
	assert_false(M("example.com", ""));
#undef M
}

/* ---- DNS side -------------------------------------------------------- */

/* Start, run, finish without fetching. */
static void
run_check(struct dns_resolver *r, const char *domain,
    struct mtasts_result *res)
{
	reset_sink();
	assert_int_equal(mtasts_start(r, domain, res), 0);
	dns_run(r);
	mtasts_finish(res, false, &sink);
}

static void
test_dns_flow(void **state)
{
	struct dns_resolver *r = dns_zone_new();
	struct mtasts_result res;
	struct https_req req;

	(void)state;
	add_txt(r, "_mta-sts.example.com", "v=STSv1; id=abc");
	add_txt(r, "_mta-sts.example.com", "unrelated");
	add_addr(r, "mta-sts.example.com", "192.0.2.80");
	add_addr(r, "mta-sts.example.com", "2001:db8::80");
	add_mx(r, "example.com", 10, "mail.example.com");
	reset_sink();
	assert_int_equal(mtasts_start(r, "example.com.", &res), 0);
	/* the zone backend answers at once: the TXT callback has already
	 * asked for the policy host's addresses */
	assert_non_null(res.q_a);
	assert_non_null(res.q_aaaa);
	dns_run(r);
	assert_int_equal(mtasts_requests(&res, &req), 1);
	assert_string_equal(req.host, "mta-sts.example.com");
	assert_string_equal(req.path, "/.well-known/mta-sts.txt");
	assert_int_equal(req.naddrs, 2);
	/* --no-https: no policy findings, the state says so */
	mtasts_finish(&res, false, &sink);
	assert_int_equal(found.n, 0);
	assert_true(res.published);
	assert_true(res.record_ok);
	assert_string_equal(res.id, "abc");
	assert_int_equal(res.state, MTASTS_POLICY_NOT_CHECKED);
	assert_string_equal(mtasts_policy_state_name(res.state), "not-checked");
	mtasts_result_free(&res);

	/* nothing published: no findings, no fetch, no address query */
	run_check(r, "other.example", &res);
	assert_int_equal(found.n, 0);
	assert_false(res.published);
	assert_null(res.q_a);
	assert_int_equal(mtasts_requests(&res, &req), 0);
	mtasts_result_free(&res);

	/* an invalid record: no address query either (RFC 8461 §3.1: the
	 * sender assumes no policy) */
	add_txt(r, "_mta-sts.bad.example", "v=STSv1; id=");
	run_check(r, "bad.example", &res);
	assert_null(res.q_a);
	assert_int_equal(count_id(DIAG_MTA_STS_SYNTAX), 1);
	assert_int_equal(first_id(DIAG_MTA_STS_SYNTAX)->record_len, 12);
	assert_string_equal(first_id(DIAG_MTA_STS_SYNTAX)->domain,
	    "_mta-sts.bad.example");
	mtasts_result_free(&res);

	assert_int_equal(mtasts_start(r, "bad..name", &res), -1);
	mtasts_result_free(&res);
	dns_free(r);
}

static void
test_dns_timeouts(void **state)
{
	struct dns_resolver *r = dns_zone_new();
	struct mtasts_result res;

	(void)state;
	/* the TXT query times out: dns.failure, nothing else */
	assert_int_equal(dns_zone_add_timeout(r, "_mta-sts.slow.example",
	    false), 0);
	run_check(r, "slow.example", &res);
	{
		enum diag_id want[] = { DIAG_DNS_FAILURE };

		assert_only(want, 1);
	}
	assert_true(res.area.incomplete);
	mtasts_result_free(&res);

	/* the policy host's address times out: dns.failure, not
	 * policy-unreachable */
	add_txt(r, "_mta-sts.hostslow.example", "v=STSv1; id=1");
	assert_int_equal(dns_zone_add_timeout(r, "mta-sts.hostslow.example",
	    false), 0);
	run_check(r, "hostslow.example", &res);
	assert_int_equal(count_id(DIAG_DNS_FAILURE), 1);
	assert_int_equal(count_id(DIAG_MTA_STS_POLICY_UNREACHABLE), 0);
	assert_true(res.area.incomplete);
	mtasts_result_free(&res);
	dns_free(r);
}

/* ---- fixtures -------------------------------------------------------- */

static const struct id_fixture fixtures[] = {
	{ "mta-sts.syntax", "syntax.test", NULL },
	{ "mta-sts.multiple-records", "multiple-records.test", NULL },
	{ "mta-sts.policy-unreachable", "policy-unreachable.test", NULL },
	{ "dns.failure", "failure.test", "_mta-sts.failure.test" },
};

static void
check_mtasts(struct dns_resolver *r, const char *domain)
{
	struct mtasts_result res;

	run_check(r, domain, &res);
	mtasts_result_free(&res);
}

static void
test_fixtures(void **state)
{
	(void)state;
	check_id_fixtures(FIXDIR, fixtures,
	    sizeof(fixtures) / sizeof(fixtures[0]), check_mtasts);
}

static void
test_clean(void **state)
{
	struct dns_resolver *r = load_zone(FIXDIR "clean.zone");
	struct mtasts_result res;
	struct https_req req;

	(void)state;
	reset_sink();
	assert_int_equal(mtasts_start(r, "good.test", &res), 0);
	dns_run(r);
	assert_int_equal(mtasts_requests(&res, &req), 1);
	assert_int_equal(req.naddrs, 1);
	mtasts_finish(&res, false, &sink);
	if (sink.count[DIAG_ERROR] + sink.count[DIAG_WARNING] != 0) {
		dump();
		fail_msg("good.test has errors or warnings");
	}
	assert_true(res.record_ok);
	assert_string_equal(res.id, "20260101T000000");
	mtasts_result_free(&res);
	dns_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_txt_valid),
		cmocka_unit_test(test_txt_errors),
		cmocka_unit_test(test_policy_valid),
		cmocka_unit_test(test_policy_errors),
		cmocka_unit_test(test_mx_match),
		cmocka_unit_test(test_dns_flow),
		cmocka_unit_test(test_dns_timeouts),
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_clean),
	};
	int rc;

	diag_list_init(&found, 256);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	diag_list_free(&found);
	return rc;
}
