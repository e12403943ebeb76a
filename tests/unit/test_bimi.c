/*
 * test_bimi.c -- BIMI records: every grammar rule with spans, the opt-out,
 * the DMARC precondition, a time-out, and one fixture per finding ID
 * (tests/zones/lint/bimi/), checked with the real DMARC check on the same
 * zone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bimi.h"
#include "diag.h"
#include "dmarc.h"
#include "dns.h"
#include "unit/findings_test.h"

#define FIXDIR "tests/zones/lint/bimi/"

static bool
parse(const char *s, struct bimi_record *rec)
{
	struct diag ctx;

	reset_sink();
	memset(&ctx, 0, sizeof(ctx));
	ctx.domain = "default._bimi.example.com";
	return bimi_parse(s, strlen(s), rec, &sink, &ctx);
}

static void
test_parse_valid(void **state)
{
	struct bimi_record rec;
	const char *s = "v=BIMI1; l=https://example.com/logo.svg; "
	    "a=https://example.com/vmc.pem;";

	(void)state;
	assert_true(parse(s, &rec));
	assert_int_equal(found.n, 0);
	assert_false(rec.optout);
	assert_memory_equal(s + rec.l.off, "https://example.com/logo.svg",
	    rec.l.len);
	assert_memory_equal(s + rec.a.off, "https://example.com/vmc.pem",
	    rec.a.len);
	/* WSP around '=' and ';', unknown tags ignored, no a= */
	assert_true(parse("v = BIMI1 ;l = HTTPS://x.example:8443/l.svg ; "
	    "s=foo", &rec));
	assert_int_equal(found.n, 0);
	assert_false(rec.has_a);
	/* the opt-out forms */
	assert_true(parse("v=BIMI1; l=; a=;", &rec));
	assert_true(rec.optout);
	assert_true(parse("v=BIMI1; l=", &rec));
	assert_true(rec.optout);
	assert_int_equal(found.n, 0);
	/* a logo with empty evidence is not an opt-out */
	assert_true(parse("v=BIMI1; l=https://x.example/l.svg; a=", &rec));
	assert_false(rec.optout);
	assert_true(bimi_is_record("v=BIMI1", 7));
	assert_false(bimi_is_record("v=BIMI2", 7));
	assert_false(bimi_is_record("v=bimi1", 7));
	assert_false(bimi_is_record("v=BIMI10", 8));
}

static void
test_parse_errors(void **state)
{
	struct bimi_record rec;

	(void)state;
	assert_false(parse("l=https://x.example/l.svg; v=BIMI1", &rec));
	assert_span_text(DIAG_BIMI_SYNTAX, "l=https://x.example/l.svg");
	assert_false(parse("v=BIMI1", &rec));			/* no l= */
	assert_false(parse("v=BIMI1; a=https://x.example/v.pem", &rec));
	assert_false(parse("v=BIMI1; l=http://x.example/l.svg", &rec));
	assert_span_text(DIAG_BIMI_LOGO_NOT_HTTPS, "http://x.example/l.svg");
	assert_int_equal(count_id(DIAG_BIMI_SYNTAX), 0);
	assert_false(parse("v=BIMI1; l=x.example/l.svg", &rec));
	assert_int_equal(count_id(DIAG_BIMI_LOGO_NOT_HTTPS), 1);
	assert_false(parse("v=BIMI1; l=https://", &rec));
	assert_false(parse("v=BIMI1; l=https://bad host/l.svg", &rec));
	assert_false(parse("v=BIMI1; l=https://x.example/l.svg; "
	    "a=http://x.example/v.pem", &rec));
	assert_span_text(DIAG_BIMI_SYNTAX, "http://x.example/v.pem");
	assert_false(parse("v=BIMI1; l=https://a.example/l.svg; "
	    "l=https://b.example/l.svg", &rec));
	assert_span_text(DIAG_BIMI_SYNTAX, "l=https://b.example/l.svg");
	assert_false(parse("v=BIMI1; v=BIMI1; l=", &rec));
	assert_false(parse("v=BIMI1 l=", &rec));
	assert_false(parse("v=BIMI1; l=; 1x=2", &rec));
	assert_span_text(DIAG_BIMI_SYNTAX, "1x=2");
	assert_false(parse("v=BIMI1; l=; novalue", &rec));
	assert_false(parse("v=BIMI1; l=https://x.example/\x01.svg", &rec));
	/* problems after the first are still found */
	assert_false(parse("v=BIMI1; l=http://x.example/; a=ftp://y", &rec));
	assert_int_equal(count_id(DIAG_BIMI_LOGO_NOT_HTTPS), 1);
	assert_int_equal(count_id(DIAG_BIMI_SYNTAX), 1);
}

static void
run(struct dns_resolver *r, const char *domain, bool dmarc_found,
    int policy, struct bimi_result *res)
{
	reset_sink();
	assert_int_equal(bimi_start(r, domain, res), 0);
	dns_run(r);
	bimi_finish(res, dmarc_found, policy, &sink);
}

static void
test_check(void **state)
{
	struct dns_resolver *r = dns_zone_new();
	struct bimi_result res;

	(void)state;
	add_txt(r, "default._bimi.example.com",
	    "v=BIMI1; l=https://example.com/l.svg");
	add_txt(r, "default._bimi.example.com", "other text");
	run(r, "example.com", true, DMARC_POLICY_REJECT, &res);
	assert_int_equal(found.n, 0);
	assert_true(res.record_ok);
	bimi_result_free(&res);
	run(r, "example.com", true, DMARC_POLICY_QUARANTINE, &res);
	assert_int_equal(found.n, 0);
	bimi_result_free(&res);
	run(r, "example.com", true, DMARC_POLICY_NONE, &res);
	assert_int_equal(count_id(DIAG_BIMI_DMARC_NOT_ENFORCED), 1);
	bimi_result_free(&res);
	run(r, "example.com", true, DMARC_POLICY_UNSET, &res);
	assert_int_equal(count_id(DIAG_BIMI_DMARC_NOT_ENFORCED), 1);
	bimi_result_free(&res);
	run(r, "example.com", false, DMARC_POLICY_UNSET, &res);
	assert_int_equal(count_id(DIAG_BIMI_DMARC_NOT_ENFORCED), 1);
	bimi_result_free(&res);

	/* opt-out: nothing, not even the DMARC warning */
	add_txt(r, "default._bimi.optout.example", "v=BIMI1; l=; a=;");
	run(r, "optout.example", false, DMARC_POLICY_UNSET, &res);
	assert_int_equal(found.n, 0);
	assert_true(res.rec.optout);
	bimi_result_free(&res);

	/* several records: syntax, no DMARC finding */
	add_txt(r, "default._bimi.two.example", "v=BIMI1; l=");
	add_txt(r, "default._bimi.two.example", "v=BIMI1; l=https://a.b/c");
	run(r, "two.example", false, DMARC_POLICY_UNSET, &res);
	{
		enum diag_id want[] = { DIAG_BIMI_SYNTAX };

		assert_only(want, 1);
	}
	bimi_result_free(&res);

	/* nothing published */
	run(r, "none.example", false, DMARC_POLICY_UNSET, &res);
	assert_int_equal(found.n, 0);
	assert_false(res.published);
	bimi_result_free(&res);

	/* time-out */
	assert_int_equal(dns_zone_add_timeout(r, "default._bimi.slow.example",
	    false), 0);
	run(r, "slow.example", true, DMARC_POLICY_REJECT, &res);
	{
		enum diag_id want[] = { DIAG_DNS_FAILURE };

		assert_only(want, 1);
	}
	assert_true(res.area.incomplete);
	bimi_result_free(&res);
	assert_int_equal(bimi_start(r, "a..b", &res), -1);
	bimi_result_free(&res);
	dns_free(r);
}

static const struct id_fixture fixtures[] = {
	{ "bimi.syntax", "syntax.test", NULL },
	{ "bimi.logo-not-https", "logo-not-https.test", NULL },
	{ "bimi.dmarc-not-enforced", "dmarc-not-enforced.test", NULL },
	{ "dns.failure", "failure.test", "default._bimi.failure.test" },
};

/* BIMI with the real DMARC check on the same resolver. */
static void
run_with_dmarc(struct dns_resolver *r, const char *domain,
    struct bimi_result *res)
{
	struct dmarc_result dm;
	struct diag_sink quiet;

	diag_sink_init(&quiet, NULL, NULL);
	assert_int_equal(dmarc_check(r, domain, &dm, &quiet), 0);
	run(r, domain, dm.found, (int)dm.policy, res);
	dmarc_result_free(&dm);
}

static void
check_bimi(struct dns_resolver *r, const char *domain)
{
	struct bimi_result res;

	run_with_dmarc(r, domain, &res);
	bimi_result_free(&res);
}

static void
test_fixtures(void **state)
{
	(void)state;
	check_id_fixtures(FIXDIR, fixtures,
	    sizeof(fixtures) / sizeof(fixtures[0]), check_bimi);
}

static void
test_clean(void **state)
{
	struct dns_resolver *r = load_zone(FIXDIR "clean.zone");
	struct bimi_result res;
	const char *names[] = { "clean.test", "optout.clean.test" };

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		run_with_dmarc(r, names[i], &res);
		if (found.n != 0) {
			dump();
			fail_msg("%s has findings", names[i]);
		}
		assert_true(res.record_ok);
		bimi_result_free(&res);
	}
	dns_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_clean),
	};
	int rc;

	diag_list_init(&found, 256);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	diag_list_free(&found);
	return rc;
}
