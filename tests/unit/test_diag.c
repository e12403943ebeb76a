/*
 * test_diag.c -- the findings table: every catalogue ID present once, well
 * formed, found by name; sinks and lists; the man page's FINDINGS section
 * identical to what the table generates.  Run from the top of the tree.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "diag.h"

/* The IDs published so far.  IDs are a public interface (HACKING.md,
 * Findings): a removed or renamed ID fails this test. */
static const char *const required_ids[] = {
	"spf.missing", "spf.multiple-records", "spf.syntax", "spf.non-ascii",
	"spf.duplicate-modifier", "spf.lookup-limit", "spf.lookup-near-limit",
	"spf.void-limit", "spf.void-lookup", "spf.mx-limit",
	"spf.include-missing", "spf.redirect-missing", "spf.include-loop",
	"spf.pass-all", "spf.wide-network", "spf.neutral-all", "spf.no-all",
	"spf.redirect-with-all", "spf.terms-after-all", "spf.ptr",
	"spf.duplicate-include", "spf.type99", "spf.record-too-long",
	"spf.string-boundary", "spf.string-too-long", "spf.exp-invalid",
	"dmarc.missing", "dmarc.inherited", "dmarc.multiple-records",
	"dmarc.syntax", "dmarc.invalid-value", "dmarc.duplicate-tag",
	"dmarc.unknown-tag", "dmarc.deprecated-tag", "dmarc.policy-none",
	"dmarc.subdomain-weaker", "dmarc.testing", "dmarc.rua-missing",
	"dmarc.uri-invalid", "dmarc.rua-unauthorized",
	"dmarc.report-domain-no-mx", "dmarc.wrong-location",
	"dmarc.size-suffix",
	"dkim.missing", "dkim.none-found", "dkim.multiple-records",
	"dkim.syntax", "dkim.revoked", "dkim.invalid-key", "dkim.weak-key",
	"dkim.key-under-2048", "dkim.sha1-only", "dkim.unknown-key-type",
	"dkim.pkcs1-key", "dkim.testing", "dkim.service-not-email",
	"mx.missing", "mx.null", "mx.null-mixed", "mx.no-address", "mx.cname",
	"mx.ip-literal", "mx.duplicate", "ptr.missing", "ptr.mismatch",
	"mta-sts.syntax", "mta-sts.multiple-records",
	"mta-sts.policy-unreachable", "mta-sts.policy-invalid",
	"mta-sts.mx-not-covered", "mta-sts.testing", "tlsrpt.syntax",
	"tlsrpt.multiple-records", "tlsrpt.missing", "bimi.syntax",
	"bimi.logo-not-https", "bimi.dmarc-not-enforced",
	"zone.syntax", "zone.cname-and-other-data", "zone.outside-lookups",
	"dns.failure",
	"spf.wildcard-all", "spf.wildcard-senders", "spf.parked",
	"spf.parked-incomplete", "dmarc.wildcard-record", "dkim.wildcard",
	"dkim.not-a-key",
};

#define NREQUIRED (sizeof(required_ids) / sizeof(required_ids[0]))

static bool
lower_ldh(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* ---- the table ------------------------------------------------------- */

static void
test_ids_well_formed_and_unique(void **state)
{
	(void)state;
	for (size_t i = 0; i < DIAG__COUNT; i++) {
		const struct diag_info *d = diag_info((enum diag_id)i);
		const char *dot;

		assert_non_null(d);
		assert_non_null(d->id);
		/* area.name: one dot, lower-case LDH on both sides, no dash at
		 * either end of a part. */
		dot = strchr(d->id, '.');
		assert_non_null(dot);
		assert_null(strchr(dot + 1, '.'));
		assert_true(dot > d->id && dot[1] != '\0');
		for (const char *p = d->id; *p != '\0'; p++)
			if (p != dot)
				assert_true(lower_ldh(*p));
		assert_true(d->id[0] != '-' && dot[-1] != '-' && dot[1] != '-');
		assert_true(d->id[strlen(d->id) - 1] != '-');

		assert_true((unsigned)d->severity < DIAG_SEV__COUNT);
		assert_true(d->ref != NULL && d->ref[0] != '\0');
		assert_true(d->title != NULL && d->title[0] != '\0');
		assert_true(d->hint != NULL && d->hint[0] != '\0');

		for (size_t j = i + 1; j < DIAG__COUNT; j++)
			assert_string_not_equal(d->id,
			    diag_info((enum diag_id)j)->id);
	}
	assert_null(diag_info(DIAG__COUNT));
}

static void
test_required_ids_present(void **state)
{
	enum diag_id id;

	(void)state;
	for (size_t i = 0; i < NREQUIRED; i++) {
		if (!diag_lookup(required_ids[i], strlen(required_ids[i]), &id))
			fail_msg("missing finding %s", required_ids[i]);
		assert_string_equal(diag_info(id)->id, required_ids[i]);
	}
	/* New IDs are added freely; none may go. */
	assert_true(DIAG__COUNT >= NREQUIRED);
}

static void
test_severities_match_catalogue(void **state)
{
	static const struct {
		enum diag_id id;
		enum diag_severity sev;
	} cases[] = {
		{ DIAG_SPF_MISSING, DIAG_ERROR },
		{ DIAG_SPF_LOOKUP_NEAR_LIMIT, DIAG_WARNING },
		{ DIAG_SPF_STRING_TOO_LONG, DIAG_ERROR },
		{ DIAG_DMARC_INHERITED, DIAG_INFO },
		{ DIAG_DMARC_SIZE_SUFFIX, DIAG_INFO },
		{ DIAG_DKIM_WEAK_KEY, DIAG_ERROR },
		{ DIAG_DKIM_KEY_UNDER_2048, DIAG_WARNING },
		{ DIAG_MX_NULL, DIAG_INFO },
		{ DIAG_MTA_STS_TESTING, DIAG_INFO },
		{ DIAG_TLSRPT_MISSING, DIAG_INFO },
		{ DIAG_ZONE_OUTSIDE_LOOKUPS, DIAG_INFO },
		{ DIAG_DNS_FAILURE, DIAG_WARNING },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(diag_info(cases[i].id)->severity, cases[i].sev);
	assert_string_equal(diag_info(DIAG_SPF_LOOKUP_LIMIT)->id,
	    "spf.lookup-limit");
	assert_string_equal(diag_info(DIAG_DNS_FAILURE)->id, "dns.failure");
}

static void
test_lookup(void **state)
{
	enum diag_id id = DIAG__COUNT;
	const char *s = "spf.no-allXYZ";

	(void)state;
	/* Length-bounded: the bytes after len are not part of the name. */
	assert_true(diag_lookup(s, 10, &id));
	assert_int_equal(id, DIAG_SPF_NO_ALL);
	assert_false(diag_lookup(s, strlen(s), &id));
	assert_false(diag_lookup("spf.no-al", 9, &id));
	assert_false(diag_lookup("SPF.NO-ALL", 10, &id));
	assert_false(diag_lookup("", 0, &id));
	for (size_t i = 0; i < DIAG__COUNT; i++) {
		const char *name = diag_info((enum diag_id)i)->id;

		assert_true(diag_lookup(name, strlen(name), &id));
		assert_int_equal(id, (enum diag_id)i);
	}
}

static void
test_severity_names(void **state)
{
	enum diag_severity s;

	(void)state;
	assert_string_equal(diag_severity_name(DIAG_ERROR), "error");
	assert_string_equal(diag_severity_name(DIAG_WARNING), "warning");
	assert_string_equal(diag_severity_name(DIAG_INFO), "info");
	assert_string_equal(diag_severity_name(DIAG_SEV__COUNT), "?");
	assert_true(diag_severity_parse("warning", 7, &s));
	assert_int_equal(s, DIAG_WARNING);
	assert_true(diag_severity_parse("infoX", 4, &s));
	assert_int_equal(s, DIAG_INFO);
	assert_false(diag_severity_parse("fatal", 5, &s));
	assert_false(diag_severity_parse("err", 3, &s));
}

/* ---- sinks ----------------------------------------------------------- */

struct seen {
	int calls;
	enum diag_id last;
	char msg[2048];
	const char *domain;
	size_t off, len;
};

static void
remember(void *arg, const struct diag *d)
{
	struct seen *s = arg;

	s->calls++;
	s->last = d->id;
	snprintf(s->msg, sizeof(s->msg), "%s", d->message ? d->message : "");
	s->domain = d->domain;
	s->off = d->span.off;
	s->len = d->span.len;
}

static void
test_sink_counts_and_forwards(void **state)
{
	struct diag_sink sink;
	struct seen seen = { 0 };
	struct diag ctx = {
		.domain = "example.com",
		.record = "v=spf1 +all",
		.record_len = 11,
		.has_span = true,
		.span = { 7, 4 },
	};
	char big[3000];

	(void)state;
	diag_sink_init(&sink, remember, &seen);
	diag_reportf(&sink, DIAG_SPF_PASS_ALL, &ctx, "'%s' lets everyone pass",
	    "+all");
	assert_int_equal(seen.calls, 1);
	assert_int_equal(seen.last, DIAG_SPF_PASS_ALL);
	assert_string_equal(seen.msg, "'+all' lets everyone pass");
	assert_string_equal(seen.domain, "example.com");
	assert_int_equal(seen.off, 7);
	assert_int_equal(seen.len, 4);

	diag_reportf(&sink, DIAG_SPF_NO_ALL, NULL, "no all");
	diag_reportf(&sink, DIAG_DMARC_INHERITED, NULL, "from %s", "parent");
	assert_null(seen.domain);
	assert_int_equal(sink.count[DIAG_ERROR], 1);
	assert_int_equal(sink.count[DIAG_WARNING], 1);
	assert_int_equal(sink.count[DIAG_INFO], 1);

	/* Over-long messages are cut, not overflowed. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	diag_reportf(&sink, DIAG_SPF_SYNTAX, NULL, "%s", big);
	assert_int_equal(strlen(seen.msg), 1023);

	/* An out-of-range ID is neither counted nor delivered. */
	struct diag bad = { .id = DIAG__COUNT };
	diag_report(&sink, &bad);
	assert_int_equal(seen.calls, 4);
	assert_int_equal(sink.count[DIAG_ERROR], 2);

	/* A sink without a callback only counts. */
	diag_sink_init(&sink, NULL, NULL);
	diag_reportf(&sink, DIAG_MX_NULL, NULL, "null MX");
	assert_int_equal(sink.count[DIAG_INFO], 1);
}

static void
test_list_copies_and_bounds(void **state)
{
	struct diag_list list;
	struct diag_sink sink;
	char domain[32], record[] = "v=spf1 ptr -all";

	(void)state;
	diag_list_init(&list, 3);
	diag_sink_init(&sink, diag_list_add, &list);
	snprintf(domain, sizeof(domain), "a.example");
	struct diag ctx = {
		.domain = domain, .record = record, .record_len = 15,
		.has_span = true, .span = { 7, 3 },
		.file = "example.zone", .line = 12,
	};
	diag_reportf(&sink, DIAG_SPF_PTR, &ctx, "ptr is deprecated");
	/* The list owns copies: changing the reporter's strings after the
	 * call must not change what was kept. */
	snprintf(domain, sizeof(domain), "changed");
	record[0] = 'X';
	assert_int_equal(list.n, 1);
	assert_string_equal(list.v[0].domain, "a.example");
	assert_memory_equal(list.v[0].record, "v=spf1 ptr -all", 15);
	assert_string_equal(list.v[0].message, "ptr is deprecated");
	assert_string_equal(list.v[0].file, "example.zone");
	assert_int_equal(list.v[0].line, 12);
	assert_int_equal(list.v[0].span.off, 7);

	for (int i = 0; i < 5; i++)
		diag_reportf(&sink, DIAG_SPF_VOID_LOOKUP, NULL, "void %d", i);
	assert_int_equal(list.n, 3);
	assert_int_equal(list.dropped, 3);
	assert_string_equal(list.v[2].message, "void 1");
	assert_null(list.v[2].domain);
	/* Counting happens at the sink, before the list's bound. */
	assert_int_equal(sink.count[DIAG_WARNING], 6);
	diag_list_free(&list);
	assert_int_equal(list.n, 0);
	assert_null(list.v);
}

/* ---- catalogue and man page ------------------------------------------ */

static char *
read_all(FILE *f, size_t *len)
{
	char *p = NULL;
	size_t n = 0, cap = 0, r;

	for (;;) {
		if (cap - n < 4096) {
			cap = cap ? cap * 2 : 65536;
			p = realloc(p, cap + 1);
			assert_non_null(p);
		}
		r = fread(p + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	p[n] = '\0';
	*len = n;
	return p;
}

static char *
catalogue(enum diag_catalogue_format fmt, size_t *len)
{
	char *p = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&p, &n);

	assert_non_null(f);
	assert_int_equal(diag_catalogue_write(f, fmt), 0);
	assert_int_equal(fclose(f), 0);
	*len = n;
	return p;
}

static void
test_text_catalogue(void **state)
{
	size_t len, lines = 0;
	char *text = catalogue(DIAG_CAT_TEXT, &len);

	(void)state;
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	assert_int_equal(lines, DIAG__COUNT);
	/* Each line starts with its ID followed by a space, in table order. */
	const char *line = text;
	for (size_t i = 0; i < DIAG__COUNT; i++) {
		const char *id = diag_info((enum diag_id)i)->id;

		assert_memory_equal(line, id, strlen(id));
		assert_int_equal(line[strlen(id)], ' ');
		line = strchr(line, '\n') + 1;
	}
	free(text);
}

#define MAN_BEGIN ".\\\" BEGIN GENERATED FINDINGS"
#define MAN_END ".\\\" END GENERATED FINDINGS"

static void
test_man_page_lists_every_finding(void **state)
{
	FILE *f = fopen("man/authcheck.1", "r");
	size_t manlen, genlen;
	char *man, *gen, *begin, *end;

	(void)state;
	if (f == NULL)
		fail_msg("cannot open man/authcheck.1 (run from the top of "
		    "the tree)");
	man = read_all(f, &manlen);
	fclose(f);
	begin = strstr(man, MAN_BEGIN);
	assert_non_null(begin);
	begin = strchr(begin, '\n');
	assert_non_null(begin);
	begin++;
	end = strstr(begin, MAN_END);
	assert_non_null(end);

	/* The section is exactly what the table generates. */
	gen = catalogue(DIAG_CAT_MAN, &genlen);
	if ((size_t)(end - begin) != genlen ||
	    memcmp(begin, gen, genlen) != 0)
		fail_msg("man/authcheck.1 FINDINGS section differs from the "
		    "table: regenerate it with `authcheck findings --format "
		    "man`");

	/* And every ID is there as a .B line (roff escapes the dashes). */
	for (size_t i = 0; i < DIAG__COUNT; i++) {
		char want[128];
		size_t w = 0;

		w += (size_t)snprintf(want, sizeof(want), "\n.B ");
		for (const char *p = diag_info((enum diag_id)i)->id; *p; p++) {
			if (*p == '-')
				want[w++] = '\\';
			want[w++] = *p;
		}
		want[w++] = '\n';
		want[w] = '\0';
		if (strstr(man, want) == NULL)
			fail_msg("man page lacks %s", diag_info(
			    (enum diag_id)i)->id);
	}
	free(gen);
	free(man);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_well_formed_and_unique),
		cmocka_unit_test(test_required_ids_present),
		cmocka_unit_test(test_severities_match_catalogue),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_severity_names),
		cmocka_unit_test(test_sink_counts_and_forwards),
		cmocka_unit_test(test_list_copies_and_bounds),
		cmocka_unit_test(test_text_catalogue),
		cmocka_unit_test(test_man_page_lists_every_finding),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
