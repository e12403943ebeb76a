/*
 * test_dmarc.c -- DMARC: the strict parser (every production and every
 * error kind, with spans), the lint, the RFC 9989 tree walk on the zone
 * backend, and one fixture per finding ID (tests/zones/lint/dmarc/).
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
#include "dmarc.h"
#include "dns.h"
#include "unit/findings_test.h"

#define FIXDIR "tests/zones/lint/dmarc/"

/* ---- helpers --------------------------------------------------------- */

/* Parse s; every finding lands in `found`. */
static bool
parse(const char *s, struct dmarc_record *rec)
{
	struct diag ctx;

	reset_sink();
	memset(&ctx, 0, sizeof(ctx));
	ctx.domain = "_dmarc.example.com";
	ctx.record = s;
	ctx.record_len = strlen(s);
	return dmarc_parse(s, strlen(s), rec, &sink, &ctx);
}

/* Assert one finding id with the span covering `text` in s. */
static void
assert_span(const char *s, enum diag_id id, const char *text)
{
	const struct diag *d = first_id(id);
	const char *at = strstr(s, text);

	if (d == NULL) {
		dump();
		fail_msg("no %s for \"%s\"", diag_info(id)->id, s);
	}
	assert_non_null(at);
	assert_true(d->has_span);
	assert_int_equal(d->span.off, (size_t)(at - s));
	assert_int_equal(d->span.len, strlen(text));
}

/* ---- parser ---------------------------------------------------------- */

static void
test_parse_full(void **state)
{
	struct dmarc_record rec;
	const char *s = "v=DMARC1 ; p = quarantine;sp=reject; np=reject;"
	    "adkim=s; aspf=r; fo=d:s; psd=n; t=n; "
	    "rua=mailto:a@example.com, mailto:b@rep.example.net;"
	    "ruf=https://example.org/r;";

	(void)state;
	assert_true(parse(s, &rec));
	if (found.n != 0)
		dump();
	assert_int_equal(found.n, 0);
	assert_true(rec.syntax_ok);
	assert_int_equal(rec.p, DMARC_POLICY_QUARANTINE);
	assert_int_equal(rec.sp, DMARC_POLICY_REJECT);
	assert_int_equal(rec.np, DMARC_POLICY_REJECT);
	assert_int_equal(rec.adkim, 's');
	assert_int_equal(rec.aspf, 'r');
	assert_int_equal(rec.fo, DMARC_FO_D | DMARC_FO_S);
	assert_int_equal(rec.psd, 'n');
	assert_int_equal(rec.t, 'n');
	assert_int_equal(rec.nuri, 3);
	assert_true(rec.uri[1].mailto && rec.uri[1].valid);
	assert_int_equal(rec.uri[1].host.len, strlen("rep.example.net"));
	assert_memory_equal(s + rec.uri[1].host.off, "rep.example.net", 15);
	assert_true(rec.uri[2].valid && !rec.uri[2].mailto && rec.uri[2].ruf);
	/* p's span is the value only */
	assert_int_equal(rec.p_span.off, (size_t)(strstr(s, "quarantine") - s));
}

static void
test_parse_defaults(void **state)
{
	struct dmarc_record rec;
	struct dmarc_effective e;

	(void)state;
	assert_true(parse("v=DMARC1", &rec));
	dmarc_effective(&rec, &e);
	assert_int_equal(e.p, DMARC_POLICY_NONE);
	assert_int_equal(e.sp, DMARC_POLICY_NONE);
	assert_int_equal(e.np, DMARC_POLICY_NONE);
	assert_int_equal(e.adkim, 'r');
	assert_int_equal(e.t, 'n');
	assert_int_equal(e.psd, 'u');
	/* np falls back to sp, then p */
	assert_true(parse("v=DMARC1; p=reject; sp=quarantine", &rec));
	dmarc_effective(&rec, &e);
	assert_int_equal(e.np, DMARC_POLICY_QUARANTINE);
	assert_true(parse("v=DMARC1; p=reject", &rec));
	dmarc_effective(&rec, &e);
	assert_int_equal(e.sp, DMARC_POLICY_REJECT);
	assert_int_equal(e.np, DMARC_POLICY_REJECT);
}

static void
test_parse_version(void **state)
{
	struct dmarc_record rec;

	(void)state;
	assert_false(parse("p=reject; v=DMARC1", &rec));
	assert_span("p=reject; v=DMARC1", DIAG_DMARC_SYNTAX, "p=reject");
	assert_false(parse("v=dmarc1; p=reject", &rec));
	assert_int_equal(count_id(DIAG_DMARC_SYNTAX), 1);
	assert_false(parse("v=DMARC10; p=reject", &rec));
	assert_false(parse(" v=DMARC1", &rec));
	assert_true(dmarc_is_record("v = DMARC1;p=none", 17));
	assert_true(dmarc_is_record("v=DMARC1", 8));
	assert_false(dmarc_is_record("v=DMARC1x", 9));
	assert_false(dmarc_is_record("v=DMARC", 7));
	/* (p, len): bytes past len are not read */
	assert_true(dmarc_is_record("v=DMARC1;xx", 8));
}

static void
test_parse_syntax_errors(void **state)
{
	struct dmarc_record rec;
	const char *s;

	(void)state;
	s = "v=DMARC1 p=reject";
	assert_true(parse(s, &rec));
	assert_false(rec.syntax_ok);
	assert_span(s, DIAG_DMARC_SYNTAX, "p=reject");

	s = "v=DMARC1; p=reject;; sp=none";
	assert_true(parse(s, &rec));
	assert_false(rec.syntax_ok);
	assert_int_equal(first_id(DIAG_DMARC_SYNTAX)->span.off, 19);
	/* the tag after the error is still read */
	assert_int_equal(rec.sp, DMARC_POLICY_NONE);

	s = "v=DMARC1; p reject";
	assert_true(parse(s, &rec));
	assert_span(s, DIAG_DMARC_SYNTAX, "p reject");

	s = "v=DMARC1; 1p=reject";
	assert_true(parse(s, &rec));
	assert_span(s, DIAG_DMARC_SYNTAX, "1p=reject");

	s = "v=DMARC1; p=re\x01ject";
	assert_true(parse(s, &rec));
	assert_span(s, DIAG_DMARC_SYNTAX, "\x01");

	/* one trailing ';' and whitespace are fine */
	assert_true(parse("v=DMARC1; p=reject ; ", &rec));
	assert_true(rec.syntax_ok);
	assert_int_equal(count_id(DIAG_DMARC_SYNTAX), 0);
	assert_int_equal(rec.p, DMARC_POLICY_REJECT);
}

static void
test_parse_values(void **state)
{
	static const char *const bad[] = {
		"v=DMARC1; p=r", "v=DMARC1; p=rejected", "v=DMARC1; p=",
		"v=DMARC1; sp=quarantin", "v=DMARC1; np=no ne",
		"v=DMARC1; adkim=x", "v=DMARC1; aspf=rs", "v=DMARC1; psd=yes",
		"v=DMARC1; t=1", "v=DMARC1; fo=0:1", "v=DMARC1; fo=2",
		"v=DMARC1; fo=d:", "v=DMARC1; pct=101", "v=DMARC1; pct=-1",
		"v=DMARC1; ri=abc", "v=DMARC1; rf=:afrf",
	};
	struct dmarc_record rec;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_true(parse(bad[i], &rec));
		if (count_id(DIAG_DMARC_INVALID_VALUE) != 1) {
			dump();
			fail_msg("\"%s\": want one dmarc.invalid-value",
			    bad[i]);
		}
	}
	/* the span is the value; an invalid value falls back to default */
	assert_true(parse("v=DMARC1; p=rejected; rua=mailto:a@b.example",
	    &rec));
	assert_span("v=DMARC1; p=rejected; rua=mailto:a@b.example",
	    DIAG_DMARC_INVALID_VALUE, "rejected");
	assert_int_equal(rec.p, DMARC_POLICY_UNSET);
	/* keywords compare without case (ABNF), never by prefix */
	assert_true(parse("v=DMARC1; p=Reject; adkim=S", &rec));
	assert_int_equal(count_id(DIAG_DMARC_INVALID_VALUE), 0);
	assert_int_equal(rec.p, DMARC_POLICY_REJECT);
	assert_int_equal(rec.adkim, 's');
	assert_true(parse("v=DMARC1; pct=0; ri=86400; rf=afrf", &rec));
	assert_int_equal(count_id(DIAG_DMARC_INVALID_VALUE), 0);
	assert_int_equal(count_id(DIAG_DMARC_DEPRECATED_TAG), 3);
}

static void
test_parse_tags(void **state)
{
	struct dmarc_record rec;
	const char *s;

	(void)state;
	s = "v=DMARC1; p=reject; p=none";
	assert_true(parse(s, &rec));
	assert_span(s, DIAG_DMARC_DUPLICATE_TAG, "p=none");
	assert_int_equal(rec.p, DMARC_POLICY_REJECT);	/* first one wins */

	s = "v=DMARC1; p=reject; v=DMARC1";
	assert_true(parse(s, &rec));
	assert_int_equal(count_id(DIAG_DMARC_DUPLICATE_TAG), 1);

	s = "v=DMARC1; p=reject; adkm=s";
	assert_true(parse(s, &rec));
	assert_span(s, DIAG_DMARC_UNKNOWN_TAG, "adkm");
	assert_int_equal(diag_info(DIAG_DMARC_UNKNOWN_TAG)->severity,
	    DIAG_WARNING);

	s = "v=DMARC1; p=reject; pct=50";
	assert_true(parse(s, &rec));
	assert_span(s, DIAG_DMARC_DEPRECATED_TAG, "pct=50");
	assert_non_null(strstr(first_id(DIAG_DMARC_DEPRECATED_TAG)->message,
	    "t=y"));
	/* pct=100 is no testing at all: drop it, never advise t=y */
	s = "v=DMARC1; p=reject; pct=100";
	assert_true(parse(s, &rec));
	assert_span(s, DIAG_DMARC_DEPRECATED_TAG, "pct=100");
	assert_null(strstr(first_id(DIAG_DMARC_DEPRECATED_TAG)->message,
	    "t=y"));
	assert_non_null(strstr(first_id(DIAG_DMARC_DEPRECATED_TAG)->message,
	    "drop the tag"));
}

static void
test_parse_uris(void **state)
{
	struct dmarc_record rec;
	const char *s;

	(void)state;
	s = "v=DMARC1; rua=dmarc@example.com";
	assert_true(parse(s, &rec));
	assert_span(s, DIAG_DMARC_URI_INVALID, "dmarc@example.com");
	assert_false(rec.uri[0].valid);

	s = "v=DMARC1; rua=mailto:example.com";
	assert_true(parse(s, &rec));
	assert_span(s, DIAG_DMARC_URI_INVALID, "mailto:example.com");

	s = "v=DMARC1; rua=mailto:a@b.example, mailto:x@-bad.example";
	assert_true(parse(s, &rec));
	assert_int_equal(count_id(DIAG_DMARC_URI_INVALID), 1);
	assert_span(s, DIAG_DMARC_URI_INVALID, "mailto:x@-bad.example");
	assert_int_equal(rec.nuri, 2);

	s = "v=DMARC1; rua=mailto:a@b.example,";
	assert_true(parse(s, &rec));
	assert_int_equal(count_id(DIAG_DMARC_URI_INVALID), 1);

	s = "v=DMARC1; rua=mailto:a@b.example!10m";
	assert_true(parse(s, &rec));
	assert_span(s, DIAG_DMARC_SIZE_SUFFIX, "!10m");
	assert_int_equal(count_id(DIAG_DMARC_URI_INVALID), 0);
	assert_true(rec.uri[0].valid);
	assert_int_equal(rec.uri[0].host.len, strlen("b.example"));

	s = "v=DMARC1; rua=mailto:a@b.example!x";
	assert_true(parse(s, &rec));
	assert_span(s, DIAG_DMARC_URI_INVALID, "!x");

	s = "v=DMARC1; rua=mailto:a%2Bb@b.example , https://r.example/x?a=1";
	assert_true(parse(s, &rec));
	assert_int_equal(found.n, 0);
	assert_int_equal(rec.nuri, 2);
}

static void
test_lint(void **state)
{
	struct dmarc_record rec;
	const char *s;

	(void)state;
	s = "v=DMARC1; p=none";
	parse(s, &rec);
	dmarc_lint(&rec, &sink, NULL);
	assert_int_equal(count_id(DIAG_DMARC_POLICY_NONE), 1);
	assert_int_equal(count_id(DIAG_DMARC_RUA_MISSING), 1);

	s = "v=DMARC1; p=reject; sp=quarantine; np=none; t=y; rua=mailto:a@b.c";
	parse(s, &rec);
	{
		struct diag ctx;

		memset(&ctx, 0, sizeof(ctx));
		ctx.record = s;
		ctx.record_len = strlen(s);
		dmarc_lint(&rec, &sink, &ctx);
	}
	assert_int_equal(count_id(DIAG_DMARC_SUBDOMAIN_WEAKER), 2);
	assert_span(s, DIAG_DMARC_SUBDOMAIN_WEAKER, "quarantine");
	assert_span(s, DIAG_DMARC_TESTING, "y");
	assert_int_equal(count_id(DIAG_DMARC_POLICY_NONE), 0);
	assert_int_equal(count_id(DIAG_DMARC_RUA_MISSING), 0);

	parse("v=DMARC1; p=quarantine; sp=reject; rua=mailto:a@b.c", &rec);
	dmarc_lint(&rec, &sink, NULL);
	assert_int_equal(found.n, 0);
}

/* ---- discovery ------------------------------------------------------- */

static void
add_a(struct dns_resolver *r, const char *owner)
{
	struct dns_rr rr;

	memset(&rr, 0, sizeof(rr));
	rr.type = DNS_T_A;
	rr.ttl = 300;
	assert_true(ip_parse("192.0.2.1", 9, &rr.u.addr));
	assert_int_equal(dns_zone_add_rr(r, owner, &rr), 0);
}

static void
test_walk_inherited(void **state)
{
	struct dns_resolver *r = dns_zone_new();
	struct dmarc_result res;

	(void)state;
	reset_sink();
	add_txt(r, "_dmarc.example.com",
	    "v=DMARC1; p=reject; sp=quarantine; np=none; "
	    "rua=mailto:d@example.com");
	add_a(r, "www.example.com");
	add_a(r, "example.com");
	/* an existing 3-label subdomain: sp applies */
	assert_int_equal(dmarc_check(r, "www.example.com", &res, &sink), 0);
	assert_true(res.found);
	assert_true(res.inherited);
	assert_string_equal(res.found_at, "example.com");
	assert_string_equal(res.org_domain, "example.com");
	assert_int_equal(res.applies, DMARC_APPLIES_SP);
	assert_int_equal(res.policy, DMARC_POLICY_QUARANTINE);
	assert_int_equal(count_id(DIAG_DMARC_INHERITED), 1);
	assert_int_equal(count_id(DIAG_DMARC_MISSING), 0);
	/* the walk went up to the TLD */
	assert_int_equal(res.nqueried, 3);
	assert_string_equal(res.walk[2], "com");
	dmarc_result_free(&res);

	/* a non-existent subdomain: np applies */
	reset_sink();
	assert_int_equal(dmarc_check(r, "nope.example.com", &res, &sink), 0);
	assert_int_equal(res.applies, DMARC_APPLIES_NP);
	assert_int_equal(res.policy, DMARC_POLICY_NONE);
	dmarc_result_free(&res);

	/* the domain itself: p */
	reset_sink();
	assert_int_equal(dmarc_check(r, "example.com.", &res, &sink), 0);
	assert_false(res.inherited);
	assert_int_equal(res.applies, DMARC_APPLIES_P);
	assert_int_equal(res.policy, DMARC_POLICY_REJECT);
	assert_int_equal(count_id(DIAG_DMARC_INHERITED), 0);
	dmarc_result_free(&res);
	dns_free(r);
}

static void
test_walk_long_name(void **state)
{
	struct dns_resolver *r = dns_zone_new();
	struct dmarc_result res;

	(void)state;
	reset_sink();
	add_txt(r, "_dmarc.example.com", "v=DMARC1; p=reject");
	assert_int_equal(dmarc_check(r, "a.b.c.d.e.f.g.h.i.example.com", &res,
	    &sink), 0);
	/* 11 labels: the name, then jump to 7 labels, then one by one */
	assert_int_equal(res.nqueried, DMARC_MAX_WALK);
	assert_string_equal(res.walk[1], "e.f.g.h.i.example.com");
	assert_string_equal(res.walk[7], "com");
	assert_true(res.found);
	assert_string_equal(res.found_at, "example.com");
	dmarc_result_free(&res);
	dns_free(r);
}

static void
test_walk_psd(void **state)
{
	struct dns_resolver *r = dns_zone_new();
	struct dmarc_result res;

	(void)state;
	/* psd=n at dept.example.com stops the walk: it is the org domain
	 * even though example.com (fewer labels) has a record. */
	reset_sink();
	add_txt(r, "_dmarc.dept.example.com", "v=DMARC1; p=quarantine; psd=n");
	add_txt(r, "_dmarc.example.com", "v=DMARC1; p=reject");
	assert_int_equal(dmarc_check(r, "a.b.dept.example.com", &res, &sink),
	    0);
	assert_string_equal(res.found_at, "dept.example.com");
	assert_string_equal(res.org_domain, "dept.example.com");
	dmarc_result_free(&res);

	/* without a psd flag the org domain is the fewest-label record */
	reset_sink();
	add_txt(r, "_dmarc.team.example.org", "v=DMARC1; p=quarantine");
	add_txt(r, "_dmarc.example.org", "v=DMARC1; p=reject");
	assert_int_equal(dmarc_check(r, "x.team.example.org", &res, &sink), 0);
	assert_string_equal(res.found_at, "team.example.org");
	assert_string_equal(res.org_domain, "example.org");
	dmarc_result_free(&res);

	/* psd=y at a public suffix: the org domain is one label below */
	reset_sink();
	add_txt(r, "_dmarc.gov.example", "v=DMARC1; p=reject; psd=y");
	assert_int_equal(dmarc_check(r, "mail.agency.gov.example", &res,
	    &sink), 0);
	assert_string_equal(res.found_at, "gov.example");
	assert_string_equal(res.org_domain, "agency.gov.example");
	dmarc_result_free(&res);
	dns_free(r);
}

static void
test_walk_multiple_and_failure(void **state)
{
	struct dns_resolver *r = dns_zone_new();
	struct dmarc_result res;

	(void)state;
	reset_sink();
	add_txt(r, "_dmarc.sub.example.com", "v=DMARC1; p=none");
	add_txt(r, "_dmarc.sub.example.com", "v=DMARC1; p=reject");
	add_txt(r, "_dmarc.sub.example.com", "some other text");
	add_txt(r, "_dmarc.example.com", "v=DMARC1; p=quarantine");
	assert_int_equal(dmarc_check(r, "sub.example.com", &res, &sink), 0);
	assert_int_equal(count_id(DIAG_DMARC_MULTIPLE_RECORDS), 1);
	/* both discarded; the walk goes on to the parent */
	assert_string_equal(res.found_at, "example.com");
	dmarc_result_free(&res);

	/* a timeout is dns.failure, never dmarc.missing */
	reset_sink();
	assert_int_equal(dns_zone_add_timeout(r, "_dmarc.slow.example",
	    false), 0);
	assert_int_equal(dmarc_check(r, "slow.example", &res, &sink), 0);
	assert_true(res.area.incomplete);
	assert_int_equal(count_id(DIAG_DNS_FAILURE), 1);
	assert_int_equal(count_id(DIAG_DMARC_MISSING), 0);
	dmarc_result_free(&res);

	/* nothing published: missing; the tree-walk org domain is the
	 * domain itself, the PSL's (RFC 7489) is suffix + one label */
	reset_sink();
	assert_int_equal(dmarc_check(r, "a.b.example.co.uk", &res, &sink), 0);
	assert_false(res.found);
	assert_int_equal(count_id(DIAG_DMARC_MISSING), 1);
	assert_string_equal(res.org_domain, "a.b.example.co.uk");
	if (res.psl_known)
		assert_string_equal(res.psl_org_domain, "example.co.uk");
	dmarc_result_free(&res);

	reset_sink();
	assert_int_equal(dmarc_check(r, "bad..name", &res, &sink), -1);
	dmarc_result_free(&res);
	dns_free(r);
}

/* ---- fixtures: one per finding ID ------------------------------------ */

static const struct id_fixture fixtures[] = {
	{ "dmarc.missing", "missing.test", NULL },
	{ "dmarc.inherited", "www.inherited.test", NULL },
	{ "dmarc.multiple-records", "multiple-records.test", NULL },
	{ "dmarc.syntax", "syntax.test", NULL },
	{ "dmarc.invalid-value", "invalid-value.test", NULL },
	{ "dmarc.duplicate-tag", "duplicate-tag.test", NULL },
	{ "dmarc.unknown-tag", "unknown-tag.test", NULL },
	{ "dmarc.deprecated-tag", "deprecated-tag.test", NULL },
	{ "dmarc.policy-none", "policy-none.test", NULL },
	{ "dmarc.subdomain-weaker", "subdomain-weaker.test", NULL },
	{ "dmarc.testing", "testing.test", NULL },
	{ "dmarc.rua-missing", "rua-missing.test", NULL },
	{ "dmarc.uri-invalid", "uri-invalid.test", NULL },
	{ "dmarc.rua-unauthorized", "rua-unauthorized.test", NULL },
	{ "dmarc.report-domain-no-mx", "report-domain-no-mx.test", NULL },
	{ "dmarc.size-suffix", "size-suffix.test", NULL },
	{ "dmarc.wildcard-record", "shop.dmarc-wildcard.test", NULL },
};

static void
check_dmarc(struct dns_resolver *r, const char *domain)
{
	struct dmarc_result res;

	assert_int_equal(dmarc_check(r, domain, &res, &sink), 0);
	dmarc_result_free(&res);
}

static void
test_fixtures(void **state)
{
	(void)state;
	check_id_fixtures(FIXDIR, fixtures,
	    sizeof(fixtures) / sizeof(fixtures[0]), check_dmarc);
}

static void
test_clean(void **state)
{
	struct dns_resolver *r = load_zone(FIXDIR "clean.zone");
	struct dmarc_result res;

	(void)state;
	reset_sink();
	assert_int_equal(dmarc_check(r, "clean.test", &res, &sink), 0);
	if (sink.count[DIAG_ERROR] + sink.count[DIAG_WARNING] != 0) {
		dump();
		fail_msg("clean.test has errors or warnings");
	}
	assert_int_equal(res.policy, DMARC_POLICY_REJECT);
	assert_int_equal(res.rec.nuri, 3);
	dmarc_result_free(&res);

	/* the same record without the provider's authorisation warns */
	dns_free(r);
	r = load_zone(FIXDIR "dmarc.rua-unauthorized.zone");
	reset_sink();
	assert_int_equal(dmarc_check(r, "rua-unauthorized.test", &res, &sink),
	    0);
	assert_int_equal(count_id(DIAG_DMARC_RUA_UNAUTHORIZED), 1);
	assert_non_null(strstr(first_id(DIAG_DMARC_RUA_UNAUTHORIZED)->message,
	    "rua-unauthorized.test._report._dmarc.reports.provider.example. "
	    "IN TXT \"v=DMARC1\""));
	assert_int_equal(count_id(DIAG_DMARC_REPORT_DOMAIN_NO_MX), 0);
	dmarc_result_free(&res);
	dns_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_full),
		cmocka_unit_test(test_parse_defaults),
		cmocka_unit_test(test_parse_version),
		cmocka_unit_test(test_parse_syntax_errors),
		cmocka_unit_test(test_parse_values),
		cmocka_unit_test(test_parse_tags),
		cmocka_unit_test(test_parse_uris),
		cmocka_unit_test(test_lint),
		cmocka_unit_test(test_walk_inherited),
		cmocka_unit_test(test_walk_long_name),
		cmocka_unit_test(test_walk_psd),
		cmocka_unit_test(test_walk_multiple_and_failure),
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_clean),
	};
	int rc;

	diag_list_init(&found, 256);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	diag_list_free(&found);
	return rc;
}
