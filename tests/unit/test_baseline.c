/*
 * test_baseline.c -- snapshots of reports and their comparison
 * (src/baseline.c): findings compared as a multiset by ID and name, record
 * texts, the MX set in any order, DKIM keys per selector, a domain new to
 * the baseline; reading a baseline file (only the run's domains kept, a
 * line too long refused) and the --resume scan (an unfinished last line
 * cut off the file).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baseline.h"

static void
snap_of(struct snap *s, const char *json)
{
	json_error_t je;
	json_t *o = json_loads(json, 0, &je);

	if (o == NULL)
		fail_msg("bad test JSON: %s", je.text);
	assert_int_equal(snap_from_json(s, o), 0);
	json_decref(o);
}

#define OLD "{\"domain\":\"ex.test\",\"verdict\":\"warn\",\"score\":84," \
	"\"findings\":[" \
	"{\"id\":\"dkim.weak-key\",\"severity\":\"warning\",\"domain\":\"s1\"}," \
	"{\"id\":\"dkim.weak-key\",\"severity\":\"warning\",\"domain\":\"s2\"}]," \
	"\"spf\":{\"record\":\"v=spf1 -all\",\"lookups\":0}," \
	"\"dmarc\":{\"record\":\"v=DMARC1; p=none\"}," \
	"\"dkim\":[{\"selector\":\"s1\",\"found\":true,\"record\":\"k1\"}," \
	"{\"selector\":\"s2\",\"found\":true,\"record\":\"k2\"}," \
	"{\"selector\":\"s3\",\"found\":false,\"record\":null}]," \
	"\"mx\":[{\"pref\":10,\"host\":\"a.ex.test\"},{\"pref\":20,\"host\":\"b.ex.test\"}]," \
	"\"mta_sts\":{\"id\":\"2026a\"}}"

/* The same MX set in another order; s2's key gone, s1's changed, s4 new;
 * one weak key fixed, an error appeared. */
#define NEW "{\"domain\":\"EX.test.\",\"verdict\":\"fail\",\"score\":60," \
	"\"findings\":[" \
	"{\"id\":\"dkim.weak-key\",\"severity\":\"warning\",\"domain\":\"s1\"}," \
	"{\"id\":\"dmarc.missing\",\"severity\":\"error\",\"domain\":\"ex.test\"}]," \
	"\"spf\":{\"record\":\"v=spf1 -all\",\"lookups\":0}," \
	"\"dmarc\":{\"record\":null}," \
	"\"dkim\":[{\"selector\":\"s1\",\"found\":true,\"record\":\"k1b\"}," \
	"{\"selector\":\"s4\",\"found\":true,\"record\":\"k4\"}]," \
	"\"mx\":[{\"pref\":20,\"host\":\"b.ex.test\"},{\"pref\":10,\"host\":\"a.ex.test\"}]," \
	"\"mta_sts\":{\"id\":\"2026a\"}}"

static const struct change_record *
rec(const struct changes *ch, const char *what)
{
	for (size_t i = 0; i < ch->nrec; i++)
		if (strcmp(ch->rec[i].what, what) == 0)
			return &ch->rec[i];
	return NULL;
}

static void
test_compare(void **state)
{
	struct snap o, n;
	struct changes ch;

	(void)state;
	snap_of(&o, OLD);
	snap_of(&n, NEW);
	assert_int_equal(o.ndkim, 2);	/* s3 was not found */
	assert_int_equal(changes_compute(&ch, &o, &n), 0);
	assert_true(changes_any(&ch));
	assert_false(ch.new_domain);
	assert_int_equal(ch.score_old, 84);
	assert_int_equal(ch.score_new, 60);
	assert_int_equal(ch.nappeared, 1);
	assert_string_equal(ch.appeared[0]->id, "dmarc.missing");
	assert_int_equal(ch.new_errors, 1);
	assert_int_equal(ch.nfixed, 1);
	assert_string_equal(ch.fixed[0]->id, "dkim.weak-key");
	assert_string_equal(ch.fixed[0]->domain, "s2");
	assert_null(rec(&ch, "spf"));
	assert_null(rec(&ch, "mx"));		/* order does not matter */
	assert_null(rec(&ch, "mta-sts id"));
	assert_non_null(rec(&ch, "dmarc"));
	assert_null(rec(&ch, "dmarc")->new);
	assert_string_equal(rec(&ch, "dkim s1")->new, "k1b");
	assert_null(rec(&ch, "dkim s2")->new);
	assert_null(rec(&ch, "dkim s4")->old);
	assert_null(rec(&ch, "dkim s3"));
	assert_int_equal(ch.nrec, 4);
	changes_free(&ch);

	/* Against itself: nothing. */
	assert_int_equal(changes_compute(&ch, &o, &o), 0);
	assert_false(changes_any(&ch));
	changes_free(&ch);

	/* Not in the baseline: new, every finding appeared. */
	assert_int_equal(changes_compute(&ch, NULL, &n), 0);
	assert_true(ch.new_domain);
	assert_int_equal(ch.nappeared, 2);
	assert_int_equal(ch.new_errors, 1);
	assert_int_equal(ch.new_warnings, 1);
	changes_free(&ch);
	snap_free(&o);
	snap_free(&n);
}

static void
test_not_a_report(void **state)
{
	struct snap s;
	json_t *o = json_loads("[1,2]", 0, NULL);

	(void)state;
	assert_int_equal(snap_from_json(&s, o), 1);
	json_decref(o);
	o = json_loads("{\"score\":5}", 0, NULL);
	assert_int_equal(snap_from_json(&s, o), 1);
	json_decref(o);
	assert_int_equal(snap_from_json(&s, NULL), 1);
}

static char *
scratch(const char *content)
{
	static char path[64];
	int fd;
	FILE *f;

	snprintf(path, sizeof(path), "/tmp/test_baseline.XXXXXX");
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	fputs(content, f);
	fclose(f);
	return path;
}

static void
test_load(void **state)
{
	struct baseline *b = baseline_new();
	char err[512], *path;

	(void)state;
	assert_non_null(b);
	assert_int_equal(baseline_want(b, "ex.test"), 0);
	path = scratch("{\"domain\":\"other.test\",\"score\":1}\n\n"
	    "{\"domain\":\"ex.test\",\"score\":5}\n"
	    "{\"domain\":\"Ex.Test\",\"score\":7}\n");
	assert_int_equal(baseline_load(b, path, err, sizeof(err)), 0);
	assert_non_null(baseline_find(b, "EX.TEST."));
	assert_int_equal(baseline_find(b, "ex.test")->score, 7);	/* later wins */
	assert_false(baseline_has(b, "other.test"));	/* not kept */
	unlink(path);

	path = scratch("{\"domain\":\"ex.test\"}\nnot json\n");
	assert_int_equal(baseline_load(b, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":2: not a report"));
	unlink(path);
	baseline_free(b);
}

static void
test_line_too_long(void **state)
{
	struct baseline *b = baseline_new();
	char err[512], *path;
	FILE *f;

	(void)state;
	path = scratch("{\"domain\":\"");
	assert_non_null(f = fopen(path, "a"));
	for (size_t i = 0; i <= BASELINE_MAX_LINE / 4096; i++)
		fprintf(f, "%4096s", "a");
	fputs("\"}\n", f);
	fclose(f);
	assert_int_equal(baseline_load(b, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":1: line longer than"));
	unlink(path);
	baseline_free(b);
}

static void
test_resume_scan(void **state)
{
	struct baseline *b = baseline_new();
	char err[512], *path, buf[256];
	FILE *f;
	size_t n;

	(void)state;
	path = scratch("{\"domain\":\"a.test\"}\n{\"domain\":\"b.test\"}\n"
	    "{\"domain\":\"c.te");
	assert_int_equal(baseline_resume_scan(b, path, err, sizeof(err)), 2);
	assert_true(baseline_has(b, "a.test"));
	assert_true(baseline_has(b, "b.test"));
	assert_false(baseline_has(b, "c.test"));
	assert_non_null(f = fopen(path, "r"));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_string_equal(buf, "{\"domain\":\"a.test\"}\n{\"domain\":\"b.test\"}\n");
	unlink(path);
	/* A directory is unreadable as a file: an error, not "empty". */
	assert_int_equal(baseline_resume_scan(b, "/tmp", err, sizeof(err)),
	    -1);
	assert_int_equal(baseline_resume_scan(b, "/tmp/no-such-file-at-all."
	    "jsonl", err, sizeof(err)), 0);
	baseline_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_not_a_report),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_line_too_long),
		cmocka_unit_test(test_resume_scan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
