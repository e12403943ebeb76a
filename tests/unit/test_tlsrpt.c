/*
 * test_tlsrpt.c -- TLS-RPT (RFC 8460 §3): every grammar rule with spans,
 * the check on the zone backend (tlsrpt.missing only with MTA-STS, a
 * time-out is dns.failure) and one fixture per finding ID
 * (tests/zones/lint/tlsrpt/).
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
#include "tlsrpt.h"
#include "unit/findings_test.h"

#define FIXDIR "tests/zones/lint/tlsrpt/"

static bool
parse(const char *s, struct tlsrpt_record *rec)
{
	struct diag ctx;

	reset_sink();
	memset(&ctx, 0, sizeof(ctx));
	ctx.domain = "_smtp._tls.example.com";
	return tlsrpt_parse(s, strlen(s), rec, &sink, &ctx);
}

static void
test_parse_valid(void **state)
{
	struct tlsrpt_record rec;
	const char *s = "v=TLSRPTv1; rua=mailto:reports@example.com , "
	    "https://reporting.example.com/v1/tlsrpt;";

	(void)state;
	assert_true(parse(s, &rec));
	assert_int_equal(found.n, 0);
	assert_int_equal(rec.nrua, 2);
	assert_true(rec.rua[0].mailto);
	assert_false(rec.rua[1].mailto);
	assert_memory_equal(s + rec.rua[0].span.off, "mailto:reports@example.com",
	    rec.rua[0].span.len);
	/* extension fields; WSP around ';'; case-insensitive schemes */
	assert_true(parse("v=TLSRPTv1 ;rua=MAILTO:a@b.example; x_y.z-1=v:a<l",
	    &rec));
	assert_int_equal(found.n, 0);
	assert_true(tlsrpt_is_record("v=TLSRPTv1", 10));
	assert_false(tlsrpt_is_record("v=TLSRPTv10", 11));
	assert_false(tlsrpt_is_record("v=tlsrptv1;", 11));
	assert_true(tlsrpt_is_record("v=TLSRPTv1;;;;", 10));
}

static void
test_parse_errors(void **state)
{
	struct tlsrpt_record rec;

	(void)state;
	assert_false(parse("rua=mailto:a@b.example; v=TLSRPTv1", &rec));
	assert_span_text(DIAG_TLSRPT_SYNTAX, "rua=mailto:a@b.example");
	assert_false(parse("v=TLSRPTv1", &rec));	/* rua required */
	assert_int_equal(count_id(DIAG_TLSRPT_SYNTAX), 1);
	assert_false(parse("v=TLSRPTv1; rua=", &rec));
	assert_false(parse("v=TLSRPTv1; rua=tls@example.com", &rec));
	assert_span_text(DIAG_TLSRPT_SYNTAX, "tls@example.com");
	assert_false(parse("v=TLSRPTv1; rua=http://example.com/r", &rec));
	assert_span_text(DIAG_TLSRPT_SYNTAX, "http://example.com/r");
	assert_false(parse("v=TLSRPTv1; rua=mailto:example.com", &rec));
	assert_false(parse("v=TLSRPTv1; rua=mailto:a@bad..host", &rec));
	assert_false(parse("v=TLSRPTv1; rua=https:///path", &rec));
	/* an empty list entry, a raw '!' */
	assert_false(parse("v=TLSRPTv1; rua=mailto:a@b.example,", &rec));
	assert_false(parse("v=TLSRPTv1; rua=mailto:a!x@b.example", &rec));
	/* only the good URI is kept; both bad ones reported */
	assert_false(parse("v=TLSRPTv1; rua=ftp://x.example, "
	    "mailto:ok@b.example, foo", &rec));
	assert_int_equal(count_id(DIAG_TLSRPT_SYNTAX), 2);
	assert_int_equal(rec.nrua, 1);
	assert_false(parse("v=TLSRPTv1; rua=mailto:a@b.example; "
	    "rua=mailto:c@d.example", &rec));
	assert_false(parse("v=TLSRPTv1 rua=mailto:a@b.example", &rec));
	assert_false(parse("v=TLSRPTv1; rua=mailto:a@b.example; bad name=1",
	    &rec));
	assert_span_text(DIAG_TLSRPT_SYNTAX, "bad name");
	assert_false(parse("v=TLSRPTv1; rua=mailto:a@b.example; x=", &rec));
	assert_false(parse("v=TLSRPTv1; rua=mailto:a@b.example; =x", &rec));
	assert_false(parse("v=TLSRPTv1; rua=mailto:a@b.example; "
	    "x123456789012345678901234567890123=1", &rec));
}

static void
test_check(void **state)
{
	struct dns_resolver *r = dns_zone_new();
	struct tlsrpt_result res;

	(void)state;
	/* nothing published: missing only when MTA-STS is */
	reset_sink();
	assert_int_equal(tlsrpt_start(r, "none.example", &res), 0);
	dns_run(r);
	tlsrpt_finish(&res, false, &sink);
	assert_int_equal(found.n, 0);
	tlsrpt_finish(&res, true, &sink);
	assert_int_equal(count_id(DIAG_TLSRPT_MISSING), 1);
	tlsrpt_result_free(&res);

	/* a valid record among other TXT records */
	add_txt(r, "_smtp._tls.example.com", "something else");
	add_txt(r, "_smtp._tls.example.com",
	    "v=TLSRPTv1; rua=mailto:t@example.com");
	reset_sink();
	assert_int_equal(tlsrpt_start(r, "example.com.", &res), 0);
	dns_run(r);
	tlsrpt_finish(&res, true, &sink);
	assert_int_equal(found.n, 0);
	assert_true(res.record_ok);
	assert_int_equal(res.rec.nrua, 1);
	tlsrpt_result_free(&res);

	/* time-out: dns.failure, never missing */
	assert_int_equal(dns_zone_add_timeout(r, "_smtp._tls.slow.example",
	    false), 0);
	reset_sink();
	assert_int_equal(tlsrpt_start(r, "slow.example", &res), 0);
	dns_run(r);
	tlsrpt_finish(&res, true, &sink);
	{
		enum diag_id want[] = { DIAG_DNS_FAILURE };

		assert_only(want, 1);
	}
	assert_true(res.area.incomplete);
	tlsrpt_result_free(&res);
	assert_int_equal(tlsrpt_start(r, "", &res), -1);
	tlsrpt_result_free(&res);
	dns_free(r);
}

static const struct id_fixture fixtures[] = {
	{ "tlsrpt.syntax", "syntax.test", NULL },
	{ "tlsrpt.multiple-records", "multiple-records.test", NULL },
	{ "tlsrpt.missing", "missing.test", NULL },
	{ "dns.failure", "failure.test", "_smtp._tls.failure.test" },
};

/* TLS-RPT with the MTA-STS check on the same resolver, as the domain
 * report runs them. */
static void
run_both(struct dns_resolver *r, const char *domain,
    struct tlsrpt_result *res)
{
	struct mtasts_result m;
	struct diag_sink quiet;

	diag_sink_init(&quiet, NULL, NULL);
	reset_sink();
	assert_int_equal(mtasts_start(r, domain, &m), 0);
	assert_int_equal(tlsrpt_start(r, domain, res), 0);
	dns_run(r);
	mtasts_finish(&m, false, &quiet);
	tlsrpt_finish(res, m.published, &sink);
	mtasts_result_free(&m);
}

static void
check_tlsrpt(struct dns_resolver *r, const char *domain)
{
	struct tlsrpt_result res;

	run_both(r, domain, &res);
	tlsrpt_result_free(&res);
}

static void
test_fixtures(void **state)
{
	(void)state;
	check_id_fixtures(FIXDIR, fixtures,
	    sizeof(fixtures) / sizeof(fixtures[0]), check_tlsrpt);
}

static void
test_clean(void **state)
{
	struct dns_resolver *r = load_zone(FIXDIR "clean.zone");
	struct tlsrpt_result res;

	(void)state;
	run_both(r, "clean.test", &res);
	if (sink.count[DIAG_ERROR] + sink.count[DIAG_WARNING] +
	    sink.count[DIAG_INFO] != 0) {
		dump();
		fail_msg("clean.test has findings");
	}
	assert_int_equal(res.rec.nrua, 2);
	tlsrpt_result_free(&res);
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
