/*
 * test_spf_lint.c -- the SPF tree linter over zone fixtures.
 *
 * Fixtures: tests/zones/lint/spf/<finding-id>.zone, one per finding, each
 * linted at example.test; plus clean.zone (no error, no warning) and
 * chain.zone (a 100-deep include chain).  Tests run from the top directory.
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
#include "spf_lint.h"

#define DIR	"tests/zones/lint/spf/"
#define DOMAIN	"example.test"

struct run {
	struct dns_resolver *r;
	struct diag_list list;
	struct diag_sink sink;
	struct spf_lint_result res;
};

/* Load DIR<name>.zone, optionally mark a name as timing out, lint. */
static void
run_lint(struct run *run, const char *name, const char *timeout_name)
{
	char path[256], err[256];
	const struct dns_zone_error *ze;

	memset(run, 0, sizeof(*run));
	snprintf(path, sizeof(path), DIR "%s.zone", name);
	run->r = dns_zone_new();
	assert_non_null(run->r);
	if (dns_zone_load(run->r, path, NULL, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	if (dns_zone_errors(run->r, &ze) != 0)
		fail_msg("%s:%lu: %s", ze[0].file, ze[0].line, ze[0].msg);
	if (timeout_name != NULL)
		assert_int_equal(dns_zone_add_timeout(run->r, timeout_name,
		    false), 0);
	diag_list_init(&run->list, 1000);
	diag_sink_init(&run->sink, diag_list_add, &run->list);
	assert_int_equal(spf_lint(run->r, DOMAIN, &run->sink, &run->res), 0);
	assert_non_null(run->res.root);
}

static void
run_free(struct run *run)
{
	spf_lint_result_free(&run->res);
	diag_list_free(&run->list);
	dns_free(run->r);
}

static size_t
count_id(const struct run *run, const char *id)
{
	enum diag_id want;
	size_t i, n = 0;

	assert_true(diag_lookup(id, strlen(id), &want));
	for (i = 0; i < run->list.n; i++)
		if (run->list.v[i].id == want)
			n++;
	return n;
}

static void
dump(const struct run *run)
{
	size_t i;

	for (i = 0; i < run->list.n; i++)
		fprintf(stderr, "  %s: %s\n", diag_info(run->list.v[i].id)->id,
		    run->list.v[i].message != NULL ?
		    run->list.v[i].message : "");
}

/* Every finding the linter reports has a fixture named after it. */
static const char *const fixture_ids[] = {
	"spf.missing", "spf.multiple-records", "spf.syntax", "spf.non-ascii",
	"spf.duplicate-modifier", "spf.lookup-limit", "spf.lookup-near-limit",
	"spf.void-limit", "spf.void-lookup", "spf.mx-limit",
	"spf.include-missing", "spf.redirect-missing", "spf.include-loop",
	"spf.pass-all", "spf.wide-network", "spf.neutral-all", "spf.no-all",
	"spf.redirect-with-all", "spf.terms-after-all", "spf.ptr",
	"spf.duplicate-include", "spf.type99", "spf.record-too-long",
	"spf.exp-invalid", "dns.failure",
};

static void
test_each_fixture(void **state)
{
	struct run run;
	size_t i;
	const char *id;

	(void)state;
	for (i = 0; i < sizeof(fixture_ids) / sizeof(fixture_ids[0]); i++) {
		id = fixture_ids[i];
		run_lint(&run, id, strcmp(id, "dns.failure") == 0 ?
		    "slow." DOMAIN : NULL);
		if (count_id(&run, id) == 0) {
			dump(&run);
			fail_msg("%s.zone: finding %s not reported", id, id);
		}
		run_free(&run);
	}
}

static void
test_clean(void **state)
{
	struct run run;

	(void)state;
	run_lint(&run, "clean", NULL);
	if (run.sink.count[DIAG_ERROR] != 0 ||
	    run.sink.count[DIAG_WARNING] != 0) {
		dump(&run);
		fail_msg("clean.zone has findings");
	}
	assert_int_equal(run.res.lookups, 4);
	assert_int_equal(run.res.root->nkids, 2);
	assert_int_equal(run.res.root->kids[0]->subtree_cost, 2);
	assert_int_equal(run.res.root->kids[0]->nkids, 1);
	assert_false(run.res.area.incomplete);
	assert_false(run.res.truncated);
	run_free(&run);
}

/* The hand count in spf.lookup-limit.zone: 12 over the whole tree. */
static void
test_lookup_count(void **state)
{
	struct run run;
	const struct spf_tree_node *root;

	(void)state;
	run_lint(&run, "spf.lookup-limit", NULL);
	root = run.res.root;
	assert_int_equal(run.res.lookups, 12);
	assert_int_equal(root->cost, 4);
	assert_int_equal(root->subtree_cost, 12);
	assert_int_equal(root->nkids, 2);
	assert_string_equal(root->kids[0]->domain, "p1.example.test");
	assert_int_equal(root->kids[0]->subtree_cost, 3);	/* 2 + 1 */
	assert_string_equal(root->kids[1]->via, "include");
	assert_int_equal(root->kids[1]->subtree_cost, 5);	/* 4 + 1 */
	assert_string_equal(root->kids[1]->kids[0]->via, "redirect");
	assert_int_equal(run.res.void_lookups, 0);
	assert_int_equal(count_id(&run, "spf.lookup-limit"), 1);
	assert_int_equal(count_id(&run, "spf.lookup-near-limit"), 0);
	run_free(&run);
}

static void
test_chain_bounded(void **state)
{
	struct run run;
	const struct spf_tree_node *n;
	unsigned depth = 0;

	(void)state;
	run_lint(&run, "chain", NULL);
	assert_true(run.res.truncated);
	assert_int_equal(run.res.nodes, SPF_LINT_MAX_DEPTH + 1);
	/* One include per fetched record, depths 0..20. */
	assert_int_equal(run.res.lookups, SPF_LINT_MAX_DEPTH + 1);
	for (n = run.res.root; n->nkids > 0; n = n->kids[0])
		depth++;
	assert_int_equal(depth, SPF_LINT_MAX_DEPTH + 1);
	assert_int_equal(n->status, SPF_NODE_DEPTH_LIMIT);
	assert_int_equal(count_id(&run, "spf.lookup-limit"), 1);
	assert_int_equal(count_id(&run, "spf.include-loop"), 0);
	run_free(&run);
}

static void
test_loop_bounded(void **state)
{
	struct run run;
	const struct spf_tree_node *b;

	(void)state;
	run_lint(&run, "spf.include-loop", NULL);
	assert_true(run.res.loop);
	assert_int_equal(run.res.nodes, 2);
	assert_int_equal(run.res.lookups, 2);
	b = run.res.root->kids[0];
	assert_int_equal(b->status, SPF_NODE_OK);
	assert_int_equal(b->nkids, 1);
	assert_int_equal(b->kids[0]->status, SPF_NODE_LOOP);
	assert_int_equal(count_id(&run, "spf.include-loop"), 1);
	run_free(&run);
}

/* 2^13 paths through 24 records: the node limit ends it. */
static void
test_fanout_bounded(void **state)
{
	struct run run;

	(void)state;
	run_lint(&run, "fanout", NULL);
	assert_true(run.res.truncated);
	assert_int_equal(run.res.nodes, SPF_LINT_MAX_NODES);
	assert_true(run.res.lookups > 10);
	assert_int_equal(count_id(&run, "spf.lookup-limit"), 1);
	assert_true(count_id(&run, "spf.duplicate-include") > 0);
	assert_int_equal(count_id(&run, "spf.include-loop"), 0);
	run_free(&run);
}

static void
test_syntax_each_error(void **state)
{
	struct run run;
	size_t i;

	(void)state;
	run_lint(&run, "spf.syntax", NULL);
	assert_int_equal(count_id(&run, "spf.syntax"), 2);
	for (i = 0; i < run.list.n; i++) {
		if (strcmp(diag_info(run.list.v[i].id)->id, "spf.syntax") != 0)
			continue;
		assert_true(run.list.v[i].has_span);
		assert_true(run.list.v[i].span.off +
		    run.list.v[i].span.len <= run.list.v[i].record_len);
	}
	/* "foo" starts at byte 7 of "v=spf1 foo ...". */
	assert_int_equal(run.list.v[0].span.off, 7);
	run_free(&run);
}

static void
test_void_terms_named(void **state)
{
	struct run run;

	(void)state;
	run_lint(&run, "spf.void-limit", NULL);
	assert_int_equal(run.res.void_lookups, 3);
	assert_int_equal(run.res.nvoid_terms, 3);
	assert_non_null(strstr(run.res.void_terms[2],
	    "exists:gone3.example.test"));
	assert_int_equal(count_id(&run, "spf.void-lookup"), 3);
	run_free(&run);
}

static void
test_failure_incomplete(void **state)
{
	struct run run;

	(void)state;
	run_lint(&run, "dns.failure", "slow." DOMAIN);
	assert_true(run.res.area.incomplete);
	assert_int_equal(run.res.root->kids[0]->status, SPF_NODE_DNS_FAILURE);
	assert_int_equal(count_id(&run, "spf.include-missing"), 0);
	run_free(&run);
}

/* Several records: each is a "record" kid, linted and expanded; the
 * lookup count is what the merged record would cost. */
static void
test_multiple_each_linted(void **state)
{
	struct run run;
	const struct spf_tree_node *root;
	bool said = false;

	(void)state;
	run_lint(&run, "multiple-each", NULL);
	root = run.res.root;
	assert_int_equal(root->status, SPF_NODE_MULTIPLE);
	assert_null(root->record);
	assert_int_equal(root->nkids, 2);
	assert_string_equal(root->kids[0]->via, "record");
	assert_string_equal(root->kids[1]->via, "record");
	assert_string_equal(root->kids[0]->record,
	    "v=spf1 include:a.example.test ptr -all");
	assert_int_equal(root->kids[0]->subtree_cost, 4);
	assert_int_equal(root->kids[1]->subtree_cost, 1);
	assert_int_equal(run.res.lookups, 5);
	assert_int_equal(count_id(&run, "spf.multiple-records"), 1);
	assert_int_equal(count_id(&run, "spf.ptr"), 1);
	for (size_t i = 0; i < run.list.n; i++)
		if (run.list.v[i].message != NULL &&
		    strstr(run.list.v[i].message, "2 v=spf1 records") != NULL &&
		    strstr(run.list.v[i].message, "would cost 5 DNS lookups") !=
		    NULL)
			said = true;
	assert_true(said);
	run_free(&run);
}

static void
test_print(void **state)
{
	struct run run;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	run_lint(&run, "spf.lookup-limit", NULL);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	spf_tree_print(f, run.res.root, &run.res, 0);
	fclose(f);
	assert_non_null(strstr(buf, "example.test  (total 12 lookups)\n"));
	assert_non_null(strstr(buf, "\n  include:p1.example.test  4\n"));
	assert_non_null(strstr(buf, "\n    include:p1a.example.test  2\n"));
	assert_non_null(strstr(buf, "\n    redirect:p3.example.test  2\n"));
	free(buf);
	run_free(&run);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_fixture),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_lookup_count),
		cmocka_unit_test(test_chain_bounded),
		cmocka_unit_test(test_loop_bounded),
		cmocka_unit_test(test_fanout_bounded),
		cmocka_unit_test(test_syntax_each_error),
		cmocka_unit_test(test_void_terms_named),
		cmocka_unit_test(test_failure_incomplete),
		cmocka_unit_test(test_multiple_each_linted),
		cmocka_unit_test(test_print),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
