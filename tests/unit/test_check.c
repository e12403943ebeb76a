/*
 * test_check.c -- the domain report's module table (check_modules[]), the
 * area headers, the counts and the score, on a zone-backend domain whose
 * findings fall in several areas.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "findings_test.h"

#include "check.h"

#define ZONE "tests/zones/unit/check_areas.zone"

/* Every area has its row at its own index, a unique name, and every
 * step; only more_findings is optional. */
static void
test_module_table(void **state)
{
	(void)state;
	for (int a = 0; a < CHECK__AREAS; a++) {
		const struct check_module *m = &check_modules[a];

		assert_int_equal(m->area, a);
		assert_non_null(m->name);
		assert_non_null(m->title);
		assert_non_null(m->start);
		assert_non_null(m->finish);
		assert_non_null(m->free);
		assert_non_null(m->render_text);
		assert_non_null(m->render_json);
		for (int b = 0; b < a; b++)
			assert_string_not_equal(m->name, check_modules[b].name);
	}
}

/* The ids of area a's findings over all its lists, as "id id ...". */
static void
area_ids(const struct check_result *res, enum check_area a, char *out,
    size_t size)
{
	const struct diag_list *l;
	size_t at = 0;

	out[0] = '\0';
	for (size_t i = 0; (l = check_findings(res, a, i)) != NULL; i++)
		for (size_t j = 0; j < l->n && at < size; j++)
			at += (size_t)snprintf(out + at, size - at, "%s%s",
			    at ? " " : "", diag_info(l->v[j].id)->id);
}

static void
run(struct dns_resolver *r, struct check_result *res)
{
	static const char *const sel[] = { "s1", "s2" };
	const char *names[] = { "example.com" };
	struct check_opts o;

	memset(&o, 0, sizeof(o));
	o.selectors = sel;
	o.nselectors = 2;
	assert_int_equal(check_run(r, names, 1, &o, res), 0);
}

static void
test_areas_counts_score(void **state)
{
	struct dns_resolver *r = load_zone(ZONE);
	struct check_result res;
	unsigned long count[DIAG_SEV__COUNT] = { 0 };
	const struct diag_list *l;
	char ids[512];

	(void)state;
	run(r, &res);
	area_ids(&res, CHECK_SPF, ids, sizeof(ids));
	assert_string_equal(ids, "");
	area_ids(&res, CHECK_DMARC, ids, sizeof(ids));
	assert_string_equal(ids, "dmarc.report-domain-no-mx");
	/* DKIM's own list is empty; each selector's has its finding */
	assert_int_equal(check_area(&res, CHECK_DKIM)->findings.n, 0);
	assert_int_equal(res.dkim.nsel, 2);
	area_ids(&res, CHECK_DKIM, ids, sizeof(ids));
	assert_string_equal(ids, "dkim.invalid-key dkim.invalid-key");
	area_ids(&res, CHECK_MX, ids, sizeof(ids));
	assert_string_equal(ids, "mx.null");
	for (int a = 0; a < CHECK__AREAS; a++) {
		assert_false(check_area(&res, a)->incomplete);
		assert_false(check_area(&res, a)->oom);
		for (size_t i = 0; (l = check_findings(&res, a, i)) != NULL;
		    i++)
			for (size_t j = 0; j < l->n; j++)
				count[diag_info(l->v[j].id)->severity]++;
	}
	/* the counts are every list's, DKIM's selectors included */
	assert_int_equal(res.count[DIAG_ERROR], 2);
	assert_int_equal(res.count[DIAG_WARNING], 1);
	assert_int_equal(res.count[DIAG_INFO], 1);
	for (int s = 0; s < DIAG_SEV__COUNT; s++)
		assert_int_equal(res.count[s], count[s]);
	/* 100 - 8 (a DMARC warning) - min(2 x 25, 20) (DKIM's weight):
	 * selector findings cost points, capped at the area's weight */
	assert_int_equal(res.score, 72);
	assert_string_equal(check_verdict(&res), "fail");
	check_free(&res);
	dns_free(r);
}

/* Parked domains: judged against the practice after every area; a key
 * that is not revoked means the domain signs and is not parked. */
static void
test_parked(void **state)
{
	struct dns_resolver *r = load_zone("tests/zones/unit/check_parked.zone");
	const char *names[] = { "parked.example", "signs.example",
	    "bare.example" };
	const char *const *common;
	struct check_result res[3];
	struct check_opts o;
	char ids[512];
	static const char *const sels[] = { "default", "google" };

	(void)state;
	common = sels;
	memset(&o, 0, sizeof(o));
	o.common_selectors = common;
	o.ncommon = 2;
	assert_int_equal(check_run(r, names, 3, &o, res), 0);

	assert_true(res[0].parked);
	assert_int_equal(res[0].parked_missing, 0);
	area_ids(&res[0], CHECK_SPF, ids, sizeof(ids));
	assert_string_equal(ids, "spf.wildcard-all spf.parked");
	area_ids(&res[0], CHECK_DKIM, ids, sizeof(ids));
	assert_string_equal(ids, "dkim.wildcard");	/* no none-found */
	assert_string_equal(check_verdict(&res[0]), "pass");
	assert_int_equal(res[0].score, 100);

	assert_false(res[1].parked);
	area_ids(&res[1], CHECK_SPF, ids, sizeof(ids));
	assert_string_equal(ids, "");

	assert_true(res[2].parked);
	assert_int_equal(res[2].parked_missing, CHECK_PARKED_DMARC_REJECT |
	    CHECK_PARKED_NULL_MX | CHECK_PARKED_WILDCARD_SPF |
	    CHECK_PARKED_WILDCARD_MX);
	area_ids(&res[2], CHECK_SPF, ids, sizeof(ids));
	assert_string_equal(ids, "spf.parked-incomplete");
	area_ids(&res[2], CHECK_MX, ids, sizeof(ids));
	assert_string_equal(ids, "");		/* mx.missing dropped */
	area_ids(&res[2], CHECK_DKIM, ids, sizeof(ids));
	assert_string_equal(ids, "");		/* dkim.none-found too */
	area_ids(&res[2], CHECK_DMARC, ids, sizeof(ids));
	assert_string_equal(ids, "dmarc.missing");	/* still an error */
	assert_string_equal(check_verdict(&res[2]), "fail");
	for (int i = 0; i < 3; i++)
		check_free(&res[i]);
	dns_free(r);
}

/* A name that is not a domain: nothing started, still safe to free. */
static void
test_invalid_name(void **state)
{
	struct dns_resolver *r = load_zone(ZONE);
	const char *names[] = { "bad..name" };
	struct check_result res;
	struct check_opts o;

	(void)state;
	memset(&o, 0, sizeof(o));
	assert_int_equal(check_run(r, names, 1, &o, &res), 0);
	assert_false(res.valid);
	assert_int_equal(res.score, 0);
	for (int a = 0; a < CHECK__AREAS; a++)
		assert_int_equal(check_area(&res, a)->findings.n, 0);
	check_free(&res);
	dns_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_module_table),
		cmocka_unit_test(test_areas_counts_score),
		cmocka_unit_test(test_invalid_name),
		cmocka_unit_test(test_parked),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
