/*
 * test_zone_lint.c -- the zone-file checks through zone_lint_file(): the
 * inline ignore syntax, file:line of every finding (also after a syntax
 * error and from $INCLUDEd files), the DKIM memo giving the same findings
 * for a repeated record at each of its lines, the SPF tree resolved from
 * the index (in-zone includes, CNAMEs, wildcards, outside names), and
 * checks that must stay quiet.  Zones are written to a temporary directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "diag.h"
#include "dns.h"
#include "zone_lint.h"

static struct diag_list found;
static struct diag_sink sink;
static struct zone_lint_stats st;
static char dir[64];

static const char head[] =
    "$ORIGIN example.test.\n"
    "$TTL 300\n"
    "@ IN SOA ns hostmaster 1 7200 3600 1209600 300\n"
    "@ IN NS ns\n"
    "ns IN A 192.0.2.1\n";		/* records below start at line 6 */

static void
write_file(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Lint head + body as DIR/name with opts (NULL: defaults). */
static int
lint_with(const char *name, const char *body, const struct zone_lint_opts *o)
{
	struct zone_lint_opts def;
	char path[128], *text;
	size_t n = strlen(head) + strlen(body) + 1;

	text = malloc(n);
	assert_non_null(text);
	snprintf(text, n, "%s%s", head, body);
	write_file(name, text);
	free(text);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	diag_list_free(&found);
	diag_list_init(&found, 1024);
	diag_sink_init(&sink, diag_list_add, &found);
	if (o == NULL) {
		memset(&def, 0, sizeof(def));
		o = &def;
	}
	return zone_lint_file(path, o, &sink, &st);
}

static int
lint(const char *body)
{
	return lint_with("t.zone", body, NULL);
}

/* Number of findings with id at line (0: any line). */
static size_t
at(enum diag_id id, unsigned long line)
{
	size_t i, n = 0;

	for (i = 0; i < found.n; i++)
		if (found.v[i].id == id && (line == 0 || found.v[i].line == line))
			n++;
	return n;
}

static size_t
severe(void)
{
	return sink.count[DIAG_ERROR] + sink.count[DIAG_WARNING];
}

static void
dump(void)
{
	for (size_t i = 0; i < found.n; i++)
		print_message("  %s:%lu %s: %s\n", found.v[i].file,
		    found.v[i].line, diag_info(found.v[i].id)->id,
		    found.v[i].message ? found.v[i].message : "");
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/test_zone_lint.XXXXXX");
	assert_non_null(mkdtemp(dir));
	diag_list_init(&found, 1024);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	diag_list_free(&found);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- tests ----------------------------------------------------------- */

static void
test_parse_ignore(void **state)
{
	uint64_t set[ZONE_LINT_IDSET_WORDS];
	const char *s;

	(void)state;
	memset(set, 0, sizeof(set));
	s = " authcheck: ignore spf.ptr,spf.pass-all";
	assert_true(zone_lint_parse_ignore(s, strlen(s), set));
	assert_true(set[DIAG_SPF_PTR / 64] >> (DIAG_SPF_PTR % 64) & 1);
	assert_true(set[DIAG_SPF_PASS_ALL / 64] >> (DIAG_SPF_PASS_ALL % 64) & 1);
	assert_false(set[DIAG_SPF_NO_ALL / 64] >> (DIAG_SPF_NO_ALL % 64) & 1);

	memset(set, 0, sizeof(set));
	s = "authcheck: ignore  mx.cname , no.such-id zone.syntax; later text";
	assert_true(zone_lint_parse_ignore(s, strlen(s), set));
	assert_true(set[DIAG_MX_CNAME / 64] >> (DIAG_MX_CNAME % 64) & 1);
	assert_true(set[DIAG_ZONE_SYNTAX / 64] >> (DIAG_ZONE_SYNTAX % 64) & 1);

	memset(set, 0, sizeof(set));
	s = "authcheck: ignored spf.ptr";
	assert_false(zone_lint_parse_ignore(s, strlen(s), set));
	s = "just a comment about authcheck: ignore spf.ptr";
	assert_false(zone_lint_parse_ignore(s, strlen(s), set));
	assert_false(zone_lint_parse_ignore("authcheck:", 10, set));
	/* no NUL needed: the length bounds it */
	assert_true(zone_lint_parse_ignore("authcheck: ignore spf.ptrXXX", 25,
	    set));
	assert_true(set[DIAG_SPF_PTR / 64] >> (DIAG_SPF_PTR % 64) & 1);
}

static void
test_lines_after_syntax_error(void **state)
{
	(void)state;
	assert_int_equal(lint(
	    "@ IN TXT \"v=spf1 -all\"\n"		/* 6 */
	    "bad IN MX ten mail\n"			/* 7 */
	    "worse IN BOGUS x\n"			/* 8 */
	    "a IN TXT \"v=spf1 +all\"\n"		/* 9 */
	    "b IN MX 10 a\n"				/* 10 */
	    "b IN MX 0 .\n"), 0);			/* 11 */
	assert_int_equal(at(DIAG_ZONE_SYNTAX, 7), 1);
	assert_int_equal(at(DIAG_ZONE_SYNTAX, 8), 1);
	assert_int_equal(at(DIAG_SPF_PASS_ALL, 9), 1);
	assert_int_equal(at(DIAG_MX_NULL_MIXED, 11), 1);
	assert_int_equal(st.records, 7);
	assert_string_equal(found.v[0].file + strlen(dir), "/t.zone");
}

static void
test_include_file_and_line(void **state)
{
	char body[256];

	(void)state;
	write_file("part.inc", "; part\n"
	    "@ IN TXT \"v=spf1 ptr -all\"\n"		/* part.inc:2 */
	    "_dmarc IN TXT \"v=DMARC1; p=none; rua=mailto:d@example.test\"\n");
	snprintf(body, sizeof(body),
	    "$INCLUDE part.inc sub.example.test.\n"	/* 6 */
	    "after IN TXT \"v=spf1 ?all\"\n");		/* 7 */
	assert_int_equal(lint(body), 0);
	if (at(DIAG_SPF_PTR, 2) != 1)
		dump();
	assert_int_equal(at(DIAG_SPF_PTR, 2), 1);
	assert_int_equal(at(DIAG_DMARC_POLICY_NONE, 3), 1);
	assert_int_equal(at(DIAG_SPF_NEUTRAL_ALL, 7), 1);
	for (size_t i = 0; i < found.n; i++) {
		const char *f = found.v[i].file;

		if (found.v[i].line < 4)
			assert_string_equal(f + strlen(f) - 8, "part.inc");
		if (found.v[i].id == DIAG_DMARC_POLICY_NONE)
			assert_string_equal(found.v[i].domain,
			    "_dmarc.sub.example.test");
	}
}

static void
test_dkim_memo_repeats_findings(void **state)
{
	(void)state;
	/* The same bad record three times: the second and third come from
	 * the memo and must carry their own names and lines. */
	assert_int_equal(lint(
	    "a._domainkey IN TXT \"v=DKIM1; k=rsa; p=bm90IGEga2V5\"\n"
	    "b._domainkey IN TXT \"v=DKIM1; k=rsa; p=bm90IGEga2V5\"\n"
	    "c._domainkey IN TXT \"v=DKIM1; k=rsa; p=bm90IGEga2V5\" ; authcheck: ignore dkim.invalid-key\n"
	    "d._domainkey IN TXT \"v=DKIM1; k=rsa; p=\"\n"), 0);
	assert_int_equal(at(DIAG_DKIM_INVALID_KEY, 6), 1);
	assert_int_equal(at(DIAG_DKIM_INVALID_KEY, 7), 1);
	assert_int_equal(at(DIAG_DKIM_INVALID_KEY, 8), 0);
	assert_int_equal(at(DIAG_DKIM_REVOKED, 9), 1);
	assert_int_equal(st.suppressed, 1);
	for (size_t i = 0; i < found.n; i++)
		if (found.v[i].line == 7)
			assert_string_equal(found.v[i].domain,
			    "b._domainkey.example.test");
}

static void
test_spf_tree_from_index(void **state)
{
	(void)state;
	/* include via a CNAME, a wildcard target, an mx with 11 names */
	assert_int_equal(lint(
	    "@ IN TXT \"v=spf1 include:alias.example.test include:x.wild.example.test mx -all\"\n"
	    "alias IN CNAME real\n"
	    "real IN TXT \"v=spf1 a:host.example.test -all\"\n"
	    "host IN A 192.0.2.2\n"
	    "*.wild IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n"
	    "@ IN MX 10 host\n"
	    "_dmarc IN TXT \"v=DMARC1; p=reject; rua=mailto:d@example.test\"\n"),
	    0);
	if (severe() != 0)
		dump();
	assert_int_equal(severe(), 0);
	assert_int_equal(found.n, 0);

	assert_int_equal(lint(
	    "@ IN TXT \"v=spf1 include:gone.example.test include:_spf.elsewhere.example -all\"\n"
	    "loop IN TXT \"v=spf1 include:loop.example.test -all\"\n"), 0);
	assert_int_equal(at(DIAG_SPF_INCLUDE_MISSING, 6), 1);
	assert_int_equal(at(DIAG_ZONE_OUTSIDE_LOOKUPS, 6), 1);
	assert_int_equal(at(DIAG_DNS_FAILURE, 0), 0);
	assert_int_equal(at(DIAG_SPF_INCLUDE_LOOP, 7), 1);
}

static void
test_outside_resolver(void **state)
{
	struct zone_lint_opts o;
	struct dns_resolver *other = dns_zone_new();
	struct dns_rr rr;
	struct dns_str s = { "v=spf1 -all", 11 };

	(void)state;
	assert_non_null(other);
	memset(&rr, 0, sizeof(rr));
	rr.type = DNS_T_TXT;
	rr.u.txt.n = 1;
	rr.u.txt.s = &s;
	rr.u.txt.total = 11;
	assert_int_equal(dns_zone_add_rr(other, "_spf.elsewhere.example", &rr), 0);
	memset(&o, 0, sizeof(o));
	o.outside = other;
	assert_int_equal(lint_with("o.zone",
	    "@ IN TXT \"v=spf1 include:_spf.elsewhere.example include:nothing.elsewhere.example -all\"\n",
	    &o), 0);
	assert_int_equal(at(DIAG_ZONE_OUTSIDE_LOOKUPS, 0), 0);
	assert_int_equal(at(DIAG_SPF_INCLUDE_MISSING, 6), 1);	/* nothing. */
	assert_int_equal(found.n, 1);
	dns_free(other);
}

static void
test_quiet_and_zone_checks(void **state)
{
	(void)state;
	/* DNSSEC records next to a CNAME are fine; a DKIM CNAME is fine;
	 * _report._dmarc authorisations are where DMARC records belong. */
	assert_int_equal(lint(
	    "w IN CNAME ns\n"
	    "w IN RRSIG CNAME 13 3 300 20300101000000 20200101000000 1 example.test. AAAA\n"
	    "s1._domainkey IN CNAME s1.dkim.provider.example.\n"
	    "example.com._report._dmarc IN TXT \"v=DMARC1\"\n"
	    "@ IN TXT \"v=spf1 -all\"\n"
	    "@ IN TXT \"some-verification=abc\"\n"), 0);
	if (found.n != 1)
		dump();
	assert_int_equal(at(DIAG_ZONE_CNAME_OUTSIDE, 8), 1);	/* info */
	assert_int_equal(found.n, 1);

	assert_int_equal(lint(
	    "@ IN TXT \"v=spf1 ip4:192.0.2.1\" \"-all\"\n"	/* 6: fine */
	    "a IN TXT \"v=spf1 ip4:192.0.2.1 \" \"-all\"\n"	/* 7: fine */
	    "b IN TXT \"v=spf1\" \"mx -all\"\n"), 0);		/* 8 */
	assert_int_equal(at(DIAG_SPF_STRING_BOUNDARY, 6), 1);
	assert_int_equal(at(DIAG_SPF_STRING_BOUNDARY, 7), 0);
	assert_int_equal(at(DIAG_SPF_STRING_BOUNDARY, 8), 1);
	assert_int_equal(at(DIAG_SPF_MULTIPLE_RECORDS, 0), 0);

	/* an include-only record needs no all; a mail domain does */
	assert_int_equal(lint(
	    "@ IN TXT \"v=spf1 include:_spf.example.test include:m.example.test -all\"\n"
	    "_spf IN TXT \"v=spf1 ip4:192.0.2.0/24\"\n"		/* 7 */
	    "m IN TXT \"v=spf1 ip4:192.0.2.0/24\"\n"		/* 8 */
	    "m IN MX 10 ns\n"), 0);
	assert_int_equal(at(DIAG_SPF_NO_ALL, 7), 0);
	assert_int_equal(at(DIAG_SPF_NO_ALL, 8), 1);

	assert_int_equal(lint(
	    "m IN MX 10 [192.0.2.1]\n"
	    "n IN MX 10 2001:db8::1\n"
	    "o IN MX 10 mail.example.net.\n"), 0);
	assert_int_equal(at(DIAG_MX_IP_LITERAL, 0), 2);
	assert_int_equal(at(DIAG_MX_CNAME, 0), 0);
}

/* Identical records are one RR (RFC 2181 §5): compared canonically
 * (names in rdata without case, \# and text forms alike, TXT exactly). */
static void
test_duplicates(void **state)
{
	(void)state;
	assert_int_equal(lint(
	    "w IN CNAME ns\n"					/* 6 */
	    "w 60 IN CNAME NS.Example.Test.\n"			/* 7 */
	    "@ IN TXT \"v=spf1 a -all\"\n"			/* 8 */
	    "@ IN TXT \"v=spf1 a -all\"\n"			/* 9 */
	    "@ IN TXT \"V=SPF1 A -ALL\"\n"			/* 10 */
	    "ns IN A \\# 4 C0000201\n"				/* 11 */
	    "ns CH A 192.0.2.1\n"), 0);				/* 12 */
	assert_int_equal(at(DIAG_ZONE_DUPLICATE_RECORD, 7), 1);
	assert_int_equal(at(DIAG_ZONE_DUPLICATE_RECORD, 9), 1);
	assert_int_equal(at(DIAG_ZONE_DUPLICATE_RECORD, 11), 1);
	assert_int_equal(at(DIAG_ZONE_DUPLICATE_RECORD, 0), 3);
	assert_int_equal(at(DIAG_ZONE_CNAME_AND_OTHER_DATA, 0), 0);
	/* TXT data is exact: an upper-case copy is a second SPF record */
	assert_int_equal(at(DIAG_SPF_MULTIPLE_RECORDS, 10), 1);
	assert_int_equal(at(DIAG_SPF_MULTIPLE_RECORDS, 0), 1);
}

/* _adsp._domainkey is ADSP (info), and no name whose "selector" has a
 * label starting with '_' is read as a DKIM key. */
static void
test_adsp_not_a_selector(void **state)
{
	(void)state;
	assert_int_equal(lint(
	    "_adsp._domainkey IN TXT \"dkim=all\"\n"		/* 6 */
	    "_x._domainkey IN TXT \"not a key\"\n"		/* 7 */
	    "a._b._domainkey IN TXT \"not a key either\"\n"	/* 8 */
	    "s1._domainkey IN TXT \"v=DKIM1; k=rsa\"\n"), 0);	/* 9 */
	assert_int_equal(at(DIAG_DKIM_ADSP_OBSOLETE, 6), 1);
	assert_int_equal(at(DIAG_DKIM_SYNTAX, 6), 0);
	assert_int_equal(at(DIAG_DKIM_SYNTAX, 7), 0);
	assert_int_equal(at(DIAG_DKIM_SYNTAX, 8), 0);
	assert_int_equal(at(DIAG_DKIM_SYNTAX, 9), 1);
}

/* DKIM and DMARC names that are CNAMEs: the record at the end of the
 * chain is checked as that kind (findings at its own line), a chain out
 * of the zone is said offline and resolved through opts->outside. */
static void
test_aliases(void **state)
{
	struct zone_lint_opts o;
	struct dns_resolver *other = dns_zone_new();
	struct dns_rr rr;
	struct dns_str s = { "v=DKIM1; p=", 11 };

	(void)state;
	assert_int_equal(lint(
	    "k1._domainkey IN CNAME k1.keys\n"			/* 6 */
	    "k1.keys IN CNAME _dkim\n"				/* 7 */
	    "_dkim IN TXT \"v=DKIM1; p=\"\n"			/* 8 */
	    "_dmarc IN CNAME dmarc.example.test.\n"		/* 9 */
	    "dmarc IN TXT \"v=DMARC1; p=none; rua=mailto:a@example.test\"\n"
	    "k2._domainkey IN CNAME nothere\n"			/* 11 */
	    "k3._domainkey IN CNAME k3.provider.example.\n"	/* 12 */
	    "loose IN TXT \"v=DMARC1; p=reject\"\n"		/* 13 */
	    "k4._domainkey IN CNAME k5._domainkey\n"		/* 14 */
	    "k5._domainkey IN TXT \"v=DKIM1; p=\"\n"), 0);	/* 15 */
	if (found.n != 6)
		dump();
	assert_int_equal(at(DIAG_DKIM_REVOKED, 8), 1);
	assert_int_equal(at(DIAG_DMARC_POLICY_NONE, 10), 1);
	assert_int_equal(at(DIAG_DMARC_WRONG_LOCATION, 10), 0);
	assert_int_equal(at(DIAG_DKIM_MISSING, 11), 1);
	assert_int_equal(at(DIAG_ZONE_CNAME_OUTSIDE, 12), 1);
	assert_int_equal(at(DIAG_DMARC_WRONG_LOCATION, 13), 1);
	assert_int_equal(at(DIAG_DKIM_REVOKED, 15), 1);	/* once, in place */
	assert_int_equal(found.n, 6);

	/* a loop is not followed forever */
	assert_int_equal(lint(
	    "k1._domainkey IN CNAME a\n"
	    "a IN CNAME b\n"
	    "b IN CNAME a\n"), 0);
	assert_int_equal(at(DIAG_ZONE_SYNTAX, 6), 1);

	/* an include's record reached through a CNAME is include-only too */
	assert_int_equal(lint(
	    "@ IN TXT \"v=spf1 include:_spf.example.test -all\"\n"
	    "_spf IN CNAME _spf2\n"
	    "_spf2 IN TXT \"v=spf1 ip4:192.0.2.0/24\"\n"), 0);	/* 8 */
	assert_int_equal(at(DIAG_SPF_NO_ALL, 8), 0);
	assert_int_equal(found.n, 0);

	/* --live / --zone OTHER: the key outside is checked */
	assert_non_null(other);
	memset(&rr, 0, sizeof(rr));
	rr.type = DNS_T_TXT;
	rr.u.txt.n = 1;
	rr.u.txt.s = &s;
	rr.u.txt.total = 11;
	assert_int_equal(dns_zone_add_rr(other, "k3.provider.example", &rr), 0);
	memset(&o, 0, sizeof(o));
	o.outside = other;
	assert_int_equal(lint_with("o.zone",
	    "k3._domainkey IN CNAME k3.provider.example.\n"	/* 6 */
	    "k4._domainkey IN CNAME k4.provider.example.\n",	/* 7 */
	    &o), 0);
	assert_int_equal(at(DIAG_ZONE_CNAME_OUTSIDE, 0), 0);
	assert_int_equal(at(DIAG_DKIM_REVOKED, 6), 1);
	assert_int_equal(at(DIAG_DKIM_MISSING, 7), 1);
	dns_free(other);
}

/* A SOA at the root of a zone that is not the root zone: named refuses
 * it; the root zone itself (NS at the root) is fine. */
static void
test_soa_not_at_top(void **state)
{
	(void)state;
	write_file("r.zone", "$ORIGIN .\n$TTL 300\n"
	    "@ IN SOA a.example. b.example. 1 2 3 4 5\n"
	    "example.test. IN NS a.example.\n");
	diag_list_free(&found);
	diag_list_init(&found, 1024);
	assert_int_equal(lint_with("r2.zone", "", NULL), 0);
	assert_int_equal(at(DIAG_ZONE_SOA_NOT_AT_TOP, 0), 0);
	{
		struct zone_lint_opts o;
		char path[128];

		memset(&o, 0, sizeof(o));
		snprintf(path, sizeof(path), "%s/r.zone", dir);
		assert_int_equal(zone_lint_file(path, &o, &sink, &st), 0);
		assert_int_equal(at(DIAG_ZONE_SOA_NOT_AT_TOP, 3), 1);
		write_file("root.zone", "$ORIGIN .\n$TTL 300\n"
		    "@ IN SOA a.root-servers.net. b.example. 1 2 3 4 5\n"
		    "@ IN NS a.root-servers.net.\n"
		    "test. IN NS a.nic.test.\n");
		diag_list_free(&found);
		diag_list_init(&found, 1024);
		diag_sink_init(&sink, diag_list_add, &found);
		snprintf(path, sizeof(path), "%s/root.zone", dir);
		assert_int_equal(zone_lint_file(path, &o, &sink, &st), 0);
		assert_int_equal(found.n, 0);
	}
}

/* Names at or below a delegation are another zone's: outside (counted
 * offline), not NXDOMAIN; a delegated _dmarc is no missing DMARC. */
static void
test_delegation(void **state)
{
	(void)state;
	assert_int_equal(lint(
	    "@ IN MX 10 mail.sub.example.test.\n"			/* 6 */
	    "@ IN TXT \"v=spf1 include:_spf.sub.example.test a:mail.sub.example.test -all\"\n"
	    "_dmarc IN NS ns.dmarc-service.example.\n"
	    "sub IN NS ns.sub.example.test.\n"
	    "ns.sub IN A 192.0.2.2\n"
	    "k._domainkey IN CNAME k.keys.sub.example.test.\n"),	/* 11 */
	    0);
	if (severe() != 0)
		dump();
	assert_int_equal(severe(), 0);
	assert_int_equal(at(DIAG_ZONE_OUTSIDE_LOOKUPS, 7), 1);
	assert_int_equal(at(DIAG_ZONE_CNAME_OUTSIDE, 11), 1);
	assert_int_equal(found.n, 2);
}

static void
test_unreadable(void **state)
{
	struct zone_lint_opts o;

	(void)state;
	memset(&o, 0, sizeof(o));
	assert_int_equal(zone_lint_file("/nonexistent/x.zone", &o, NULL, NULL),
	    -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ignore),
		cmocka_unit_test(test_lines_after_syntax_error),
		cmocka_unit_test(test_include_file_and_line),
		cmocka_unit_test(test_dkim_memo_repeats_findings),
		cmocka_unit_test(test_spf_tree_from_index),
		cmocka_unit_test(test_outside_resolver),
		cmocka_unit_test(test_quiet_and_zone_checks),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_adsp_not_a_selector),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_soa_not_at_top),
		cmocka_unit_test(test_delegation),
		cmocka_unit_test(test_unreadable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
