/* test_render_csv.c -- CSV cells (RFC 4180 quoting, the spreadsheet
 * formula guard) and the header row built from check_modules[]
 * (src/render_csv.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "render_hub.h"

/* What f wrote, as a string (caller frees). */
static char *
written(FILE *f)
{
	long n = ftell(f);
	char *s = malloc((size_t)n + 1);

	assert_non_null(s);
	rewind(f);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	return s;
}

static void
expect_cell(const char *in, const char *want)
{
	FILE *f = tmpfile();
	char *got;

	assert_non_null(f);
	render_csv_cell(f, in);
	got = written(f);
	assert_string_equal(got, want);
	free(got);
}

static void
test_quoting(void **state)
{
	(void)state;
	expect_cell("plain", "plain");
	expect_cell("", "");
	expect_cell("a,b", "\"a,b\"");
	expect_cell("say \"hi\"", "\"say \"\"hi\"\"\"");
	expect_cell("two\nlines", "\"two\nlines\"");
	expect_cell("cr\rhere", "\"cr\rhere\"");
}

/* A cell that a spreadsheet would run as a formula gets a leading '. */
static void
test_formula_guard(void **state)
{
	(void)state;
	expect_cell("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"");
	expect_cell("+1", "'+1");
	expect_cell("-1+2", "'-1+2");
	expect_cell("@SUM(A1)", "'@SUM(A1)");
	expect_cell("\tx", "'\tx");
	expect_cell("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0");
	expect_cell("a=b", "a=b");
}

/* One status column per row of check_modules[], named after it. */
static void
test_header(void **state)
{
	FILE *f = tmpfile();
	char *got, want[1024] = "domain,verdict,score";

	(void)state;
	assert_non_null(f);
	assert_int_equal(render_csv_header(f, false), 0);
	got = written(f);
	for (int a = 0; a < CHECK__AREAS; a++) {
		strcat(want, ",");
		strcat(want, check_modules[a].name);
	}
	strcat(want, ",errors,warnings,spf_lookups,dmarc_policy,"
	    "dkim_selectors,mx_count,findings\r\n");
	assert_string_equal(got, want);
	free(got);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_formula_guard),
		cmocka_unit_test(test_header),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
