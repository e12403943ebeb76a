/* test_spf_parse.c -- SPF record grammar (src/spf_parse.c, RFC 7208 §12). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spf.h"

/* Parse from an exactly-sized heap copy without a NUL: ASan catches any
 * read past len. */
static struct spf_record *
parse_n(const char *s, size_t n)
{
	char *p = malloc(n ? n : 1);
	struct spf_record *r;

	assert_non_null(p);
	memcpy(p, s, n);
	r = spf_parse(p, n);
	free(p);
	assert_non_null(r);
	return r;
}

static struct spf_record *
parse(const char *s)
{
	return parse_n(s, strlen(s));
}

static void
dump(const struct spf_record *r)
{
	size_t i;

	for (i = 0; i < r->nerrs; i++)
		fprintf(stderr, "  err %d (%s) at %zu+%zu\n", r->errs[i].code,
		    spf_err_str(r->errs[i].code), r->errs[i].span.off,
		    r->errs[i].span.len);
}

static void
assert_err(const struct spf_record *r, size_t i, enum spf_err code,
    size_t off, size_t len)
{
	if (i >= r->nerrs || r->errs[i].code != code ||
	    r->errs[i].span.off != off || r->errs[i].span.len != len) {
		fprintf(stderr, "want err %zu = %d at %zu+%zu in \"%.80s\"\n",
		    i, code, off, len, r->text);
		if (r->nerrs < 20)
			dump(r);
	}
	assert_true(i < r->nerrs);
	assert_int_equal(r->errs[i].code, code);
	assert_int_equal(r->errs[i].span.off, off);
	assert_int_equal(r->errs[i].span.len, len);
}

/* The record has exactly one error, this one. */
static void
expect_one(const char *txt, enum spf_err code, size_t off, size_t len)
{
	struct spf_record *r = parse(txt);

	if (r->nerrs != 1)
		dump(r);
	assert_int_equal(r->nerrs, 1);
	assert_err(r, 0, code, off, len);
	spf_record_free(r);
}

static void
expect_ok(const char *txt)
{
	struct spf_record *r = parse(txt);

	if (r->nerrs != 0) {
		fprintf(stderr, "unexpected errors in \"%s\"\n", txt);
		dump(r);
	}
	assert_int_equal(r->nerrs, 0);
	spf_record_free(r);
}

static void
assert_span(const struct spf_record *r, struct spf_span sp, const char *want)
{
	assert_int_equal(sp.len, strlen(want));
	assert_memory_equal(r->text + sp.off, want, sp.len);
}

/* ---- version and record selection ------------------------------------ */

static void
test_is_record(void **state)
{
	(void)state;
	assert_true(spf_is_record("v=spf1", 6));
	assert_true(spf_is_record("v=spf1 -all", 11));
	assert_true(spf_is_record("V=SpF1 ", 7));
	assert_false(spf_is_record("v=spf10", 7));
	assert_false(spf_is_record("v=spf1mx", 8));
	assert_false(spf_is_record("v=spf1\t-all", 11));
	assert_false(spf_is_record(" v=spf1", 7));
	assert_false(spf_is_record("v=spf", 5));
	assert_false(spf_is_record("", 0));
	assert_false(spf_is_record("v=spf1 -all", 5));	/* len counts */
	assert_false(spf_is_record("v=DMARC1; p=none", 16));
}

static void
test_version(void **state)
{
	struct spf_record *r;

	(void)state;
	r = parse("v=spf1");
	assert_int_equal(r->nerrs, 0);
	assert_int_equal(r->nterms, 0);
	assert_int_equal(r->redirect, -1);
	assert_int_equal(r->exp, -1);
	assert_int_equal(r->all, -1);
	assert_int_equal(r->len, 6);
	assert_string_equal(r->text, "v=spf1");
	spf_record_free(r);
	expect_ok("V=SPF1 -ALL");
	expect_ok("v=spf1 ");
	expect_one("v=spf10", SPF_E_VERSION, 0, 7);
	expect_one("v=spf1mx", SPF_E_VERSION, 0, 8);
	expect_one("v=spf2 -all", SPF_E_VERSION, 0, 6);
	expect_one("", SPF_E_VERSION, 0, 0);
	expect_one("  v=spf1 -all", SPF_E_VERSION, 0, 8);
	expect_one("spf1", SPF_E_VERSION, 0, 4);
	/* terms after a bad version are still checked */
	r = parse("v=spf2 -all foo");
	assert_int_equal(r->nerrs, 2);
	assert_err(r, 0, SPF_E_VERSION, 0, 6);
	assert_err(r, 1, SPF_E_UNKNOWN_MECH, 12, 3);
	assert_int_equal(r->nterms, 1);
	spf_record_free(r);
}

static void
test_spacing(void **state)
{
	struct spf_record *r;

	(void)state;
	r = parse("v=spf1  a   -all   ");
	assert_int_equal(r->nerrs, 0);
	assert_int_equal(r->nterms, 2);
	assert_int_equal(r->terms[0].span.off, 8);
	assert_int_equal(r->terms[0].span.len, 1);
	assert_int_equal(r->terms[1].span.off, 12);
	assert_int_equal(r->terms[1].span.len, 4);
	assert_int_equal(r->all, 1);
	spf_record_free(r);
	/* TAB is not a separator (SP only): a control character */
	r = parse("v=spf1 a\t-all");
	assert_int_equal(r->nerrs, 1);
	assert_err(r, 0, SPF_E_NON_ASCII, 8, 1);
	assert_int_equal(r->nterms, 0);
	spf_record_free(r);
}

/* ---- mechanisms --------------------------------------------------------- */

static void
test_qualifiers(void **state)
{
	struct spf_record *r;

	(void)state;
	r = parse("v=spf1 all +all -all ~all ?all");
	assert_int_equal(r->nerrs, 0);
	assert_int_equal(r->nterms, 5);
	assert_int_equal(r->terms[0].qual, '+');
	assert_int_equal(r->terms[1].qual, '+');
	assert_int_equal(r->terms[2].qual, '-');
	assert_int_equal(r->terms[3].qual, '~');
	assert_int_equal(r->terms[4].qual, '?');
	assert_int_equal(r->all, 0);		/* the first all */
	assert_int_equal(r->terms[2].kind, SPF_T_MECH);
	assert_int_equal(r->terms[2].mech, SPF_M_ALL);
	assert_int_equal(r->terms[2].span.off, 16);
	assert_int_equal(r->terms[2].span.len, 4);
	spf_record_free(r);
}

static void
test_mech_all(void **state)
{
	(void)state;
	expect_ok("v=spf1 ALL");
	expect_one("v=spf1 -all:foobar", SPF_E_UNEXPECTED_ARG, 11, 7);
	expect_one("v=spf1 -all/8", SPF_E_UNEXPECTED_ARG, 11, 2);
	expect_one("v=spf1 -all.", SPF_E_UNKNOWN_MECH, 7, 5);
	expect_one("v=spf1 allx", SPF_E_UNKNOWN_MECH, 7, 4);
}

static void
test_mech_include_exists(void **state)
{
	struct spf_record *r;

	(void)state;
	r = parse("v=spf1 include:_spf.example.com -Exists:%{i}.bl.example.net");
	assert_int_equal(r->nerrs, 0);
	assert_int_equal(r->nterms, 2);
	assert_int_equal(r->terms[0].mech, SPF_M_INCLUDE);
	assert_true(r->terms[0].has_domain);
	assert_span(r, r->terms[0].domain, "_spf.example.com");
	assert_int_equal(r->terms[0].cidr4, -1);
	assert_int_equal(r->terms[0].cidr6, -1);
	assert_int_equal(r->terms[1].mech, SPF_M_EXISTS);
	assert_int_equal(r->terms[1].qual, '-');
	assert_span(r, r->terms[1].domain, "%{i}.bl.example.net");
	spf_record_free(r);
	expect_one("v=spf1 include", SPF_E_MISSING_ARG, 7, 7);
	expect_one("v=spf1 include:", SPF_E_MISSING_ARG, 7, 8);
	expect_one("v=spf1 include/24", SPF_E_MISSING_ARG, 7, 10);
	expect_one("v=spf1 exists", SPF_E_MISSING_ARG, 7, 6);
	expect_one("v=spf1 exists:", SPF_E_MISSING_ARG, 7, 7);
	expect_one("v=spf1 include:ip5.example.com/24", SPF_E_UNEXPECTED_ARG,
	    30, 3);
	expect_one("v=spf1 exists:mail.example.com//64", SPF_E_UNEXPECTED_ARG,
	    30, 4);
	expect_ok("v=spf1 include:o.spf.example.com.");
	expect_ok("v=spf1 include:%{d}");
}

static void
test_mech_a_mx(void **state)
{
	struct spf_record *r;

	(void)state;
	r = parse("v=spf1 a mx a:mail.example.com mx:example.org/24 "
	    "a/24//64 mx//64 A:x.example.com//0 mx/0");
	if (r->nerrs)
		dump(r);
	assert_int_equal(r->nerrs, 0);
	assert_int_equal(r->nterms, 8);
	assert_int_equal(r->terms[0].mech, SPF_M_A);
	assert_false(r->terms[0].has_domain);
	assert_int_equal(r->terms[0].cidr4, -1);
	assert_int_equal(r->terms[1].mech, SPF_M_MX);
	assert_span(r, r->terms[2].domain, "mail.example.com");
	assert_int_equal(r->terms[3].mech, SPF_M_MX);
	assert_span(r, r->terms[3].domain, "example.org");
	assert_int_equal(r->terms[3].cidr4, 24);
	assert_int_equal(r->terms[3].cidr6, -1);
	assert_false(r->terms[4].has_domain);
	assert_int_equal(r->terms[4].cidr4, 24);
	assert_int_equal(r->terms[4].cidr6, 64);
	assert_int_equal(r->terms[5].cidr4, -1);
	assert_int_equal(r->terms[5].cidr6, 64);
	assert_int_equal(r->terms[6].mech, SPF_M_A);
	assert_span(r, r->terms[6].domain, "x.example.com");
	assert_int_equal(r->terms[6].cidr6, 0);
	assert_int_equal(r->terms[7].cidr4, 0);
	spf_record_free(r);
	/* ':' and '/' are macro-literals: this is one domain (suite) */
	r = parse("v=spf1 a:foo:bar/baz.example.com");
	assert_int_equal(r->nerrs, 0);
	assert_span(r, r->terms[0].domain, "foo:bar/baz.example.com");
	assert_int_equal(r->terms[0].cidr4, -1);
	spf_record_free(r);
	expect_one("v=spf1 a:", SPF_E_MISSING_ARG, 7, 2);
	expect_one("v=spf1 mx:", SPF_E_MISSING_ARG, 7, 3);
	expect_one("v=spf1 a24", SPF_E_UNKNOWN_MECH, 7, 3);
	expect_one("v=spf1 mx%", SPF_E_UNKNOWN_MECH, 7, 3);
}

static void
test_mech_ptr(void **state)
{
	struct spf_record *r;

	(void)state;
	r = parse("v=spf1 ptr ?ptr:example.Com");
	assert_int_equal(r->nerrs, 0);
	assert_int_equal(r->terms[0].mech, SPF_M_PTR);
	assert_false(r->terms[0].has_domain);
	assert_int_equal(r->terms[1].qual, '?');
	assert_span(r, r->terms[1].domain, "example.Com");
	spf_record_free(r);
	expect_one("v=spf1 ptr/0", SPF_E_UNEXPECTED_ARG, 10, 2);
	expect_one("v=spf1 ptr:example.com/24", SPF_E_UNEXPECTED_ARG, 22, 3);
	expect_one("v=spf1 ptr:", SPF_E_MISSING_ARG, 7, 4);
}

static void
test_mech_ip4(void **state)
{
	struct spf_record *r;
	struct ipaddr want;

	(void)state;
	r = parse("v=spf1 ip4:192.0.2.0/24 -IP4:1.1.1.1/0 ip4:10.0.0.1/32 "
	    "ip4:10.0.0.2");
	assert_int_equal(r->nerrs, 0);
	assert_int_equal(r->nterms, 4);
	assert_int_equal(r->terms[0].mech, SPF_M_IP4);
	assert_true(ip_parse("192.0.2.0", 9, &want));
	assert_true(ip_equal(&r->terms[0].addr, &want));
	assert_int_equal(r->terms[0].cidr4, 24);
	assert_int_equal(r->terms[0].cidr6, -1);
	assert_int_equal(r->terms[1].qual, '-');
	assert_int_equal(r->terms[1].cidr4, 0);
	assert_int_equal(r->terms[2].cidr4, 32);
	assert_int_equal(r->terms[3].cidr4, -1);
	assert_int_equal(r->terms[3].addr.family, 4);
	spf_record_free(r);
	expect_one("v=spf1 ip4", SPF_E_MISSING_ARG, 7, 3);
	expect_one("v=spf1 ip4:", SPF_E_MISSING_ARG, 7, 4);
	expect_one("v=spf1 ip4:/24", SPF_E_MISSING_ARG, 7, 7);
	expect_one("v=spf1 ip4/24", SPF_E_MISSING_ARG, 7, 6);
	expect_one("v=spf1 ip4:1.2.3", SPF_E_BAD_IP4, 11, 5);
	expect_one("v=spf1 ip4:1.2.3.4:8080", SPF_E_BAD_IP4, 11, 12);
	expect_one("v=spf1 ip4:1.2.3.256", SPF_E_BAD_IP4, 11, 9);
	expect_one("v=spf1 ip4:::1", SPF_E_BAD_IP4, 11, 3);
	expect_one("v=spf1 ip4:1.2.3.4/33", SPF_E_BAD_CIDR, 18, 3);
	expect_one("v=spf1 ip4:1.2.3.4/032", SPF_E_BAD_CIDR, 18, 4);
	expect_one("v=spf1 ip4:1.2.3.4//32", SPF_E_BAD_CIDR, 18, 4);
	expect_one("v=spf1 ip4:1.2.3.4/", SPF_E_BAD_CIDR, 18, 1);
	expect_one("v=spf1 ip4:1.2.3.4/2x", SPF_E_BAD_CIDR, 18, 3);
}

static void
test_mech_ip6(void **state)
{
	struct spf_record *r;
	struct ipaddr want;

	(void)state;
	r = parse("v=spf1 ip6:2001:db8::/32 ip6:::1.1.1.1/0 ip6:::1/128 "
	    "ip6:Cafe:Babe:8000::/33 ip6:::FFFF:1.2.3.4");
	assert_int_equal(r->nerrs, 0);
	assert_int_equal(r->nterms, 5);
	assert_int_equal(r->terms[0].mech, SPF_M_IP6);
	assert_true(ip_parse("2001:db8::", 10, &want));
	assert_true(ip_equal(&r->terms[0].addr, &want));
	assert_int_equal(r->terms[0].cidr6, 32);
	assert_int_equal(r->terms[0].cidr4, -1);
	assert_int_equal(r->terms[1].cidr6, 0);
	assert_int_equal(r->terms[2].cidr6, 128);
	assert_int_equal(r->terms[3].cidr6, 33);
	assert_int_equal(r->terms[4].cidr6, -1);
	assert_int_equal(r->terms[4].addr.family, 6);
	spf_record_free(r);
	expect_one("v=spf1 -all ip6", SPF_E_MISSING_ARG, 12, 3);
	expect_one("v=spf1 ip6::CAFE::BABE", SPF_E_BAD_IP6, 11, 11);
	expect_one("v=spf1 ip6:1.2.3.4", SPF_E_BAD_IP6, 11, 7);
	expect_one("v=spf1 ip6:::1.1.1.1/129", SPF_E_BAD_CIDR, 20, 4);
	expect_one("v=spf1 ip6:::1.1.1.1//33", SPF_E_BAD_CIDR, 20, 4);
	expect_one("v=spf1 ip6:::1/0128", SPF_E_BAD_CIDR, 14, 5);
}

static void
test_cidr(void **state)
{
	(void)state;
	expect_ok("v=spf1 a/32 a//128 mx/0//0 a:x.example.com/9//99");
	expect_one("v=spf1 a/33 -all", SPF_E_BAD_CIDR, 8, 3);
	expect_one("v=spf1 a//129 -all", SPF_E_BAD_CIDR, 8, 5);
	expect_one("v=spf1 mx/33", SPF_E_BAD_CIDR, 9, 3);
	expect_one("v=spf1 a/24/64", SPF_E_BAD_CIDR, 11, 3);
	expect_one("v=spf1 a/024", SPF_E_BAD_CIDR, 8, 4);
	expect_one("v=spf1 a//064", SPF_E_BAD_CIDR, 8, 5);
	expect_one("v=spf1 a/", SPF_E_BAD_CIDR, 8, 1);
	expect_one("v=spf1 a//", SPF_E_BAD_CIDR, 8, 2);
	expect_one("v=spf1 a///64", SPF_E_BAD_CIDR, 8, 5);
	expect_one("v=spf1 a/24//64/", SPF_E_BAD_CIDR, 11, 5);
	expect_one("v=spf1 a:x.example.com/24/64", SPF_E_BAD_CIDR, 25, 3);
	expect_one("v=spf1 a/99999999999999999999", SPF_E_BAD_CIDR, 8, 21);
}

/* ---- domain-spec and macros ------------------------------------------ */

static void
test_domain_end(void **state)
{
	(void)state;
	expect_ok("v=spf1 a:foo.example.xn--zckzah");	/* dash in toplabel */
	expect_ok("v=spf1 a:example.com.");		/* trailing dot */
	expect_ok("v=spf1 a:x.1-2");			/* digits with a dash */
	expect_ok("v=spf1 a:x.a1");
	expect_ok("v=spf1 a:%{H}.bar");
	expect_ok("v=spf1 a:%{d}");			/* ends with a macro */
	expect_ok("v=spf1 a:foo.%%");
	expect_ok("v=spf1 exists:%{i}.%{l2r-}.user.%{d2}");
	expect_ok("v=spf1 a:mail.example...com");	/* labels: eval's job */
	expect_one("v=spf1 a:museum", SPF_E_BAD_DOMAIN, 9, 6);
	expect_one("v=spf1 a:museum.", SPF_E_BAD_DOMAIN, 9, 7);
	expect_one("v=spf1 a:1.2.3.4", SPF_E_BAD_DOMAIN, 9, 7);
	expect_one("v=spf1 a:abc.123", SPF_E_BAD_DOMAIN, 9, 7);
	expect_one("v=spf1 mx:abc.123", SPF_E_BAD_DOMAIN, 10, 7);
	expect_one("v=spf1 a:example.-com", SPF_E_BAD_DOMAIN, 9, 12);
	expect_one("v=spf1 a:example.com-", SPF_E_BAD_DOMAIN, 9, 12);
	expect_one("v=spf1 a:example.com:8080", SPF_E_BAD_DOMAIN, 9, 16);
	expect_one("v=spf1 a:foo-bar", SPF_E_BAD_DOMAIN, 9, 7);
	expect_one("v=spf1 a:example.com..", SPF_E_BAD_DOMAIN, 9, 13);
	expect_one("v=spf1 a:%{d}com", SPF_E_BAD_DOMAIN, 9, 7);
	expect_one("v=spf1 a:.", SPF_E_BAD_DOMAIN, 9, 1);
	expect_one("v=spf1 include:ex_ample.co_m", SPF_E_BAD_DOMAIN, 15, 13);
}

static void
test_macros_in_terms(void **state)
{
	struct spf_record *r;

	(void)state;
	expect_ok("v=spf1 a:macro%%percent%_%_space%-url-space.example.com");
	expect_one("v=spf1 -exists:%(ir).sbl.example.com", SPF_E_BAD_MACRO, 15, 2);
	expect_one("v=spf1 exists:foo%.sbl.example.com", SPF_E_BAD_MACRO, 17, 2);
	expect_one("v=spf1 a:%{a}.example.com", SPF_E_BAD_MACRO, 9, 4);
	expect_one("v=spf1 a:x.%{d", SPF_E_BAD_MACRO, 11, 3);
	expect_one("v=spf1 a:x.com%", SPF_E_BAD_MACRO, 14, 1);
	expect_one("v=spf1 a:%{d0}.com", SPF_E_BAD_MACRO, 9, 5);
	expect_one("v=spf1 -all exp=%{r}.example.com", SPF_E_MACRO_LETTER, 16, 4);
	expect_one("v=spf1 a:%{c}.com", SPF_E_MACRO_LETTER, 9, 4);
	expect_one("v=spf1 redirect=%{T2r}.com", SPF_E_MACRO_LETTER, 16, 6);
	/* every bad macro of a term is reported */
	r = parse("v=spf1 a:%{x}.%{c}.%z.com");
	assert_int_equal(r->nerrs, 3);
	assert_err(r, 0, SPF_E_BAD_MACRO, 9, 4);
	assert_err(r, 1, SPF_E_MACRO_LETTER, 14, 4);
	assert_err(r, 2, SPF_E_BAD_MACRO, 19, 2);
	assert_int_equal(r->nterms, 1);
	spf_record_free(r);
}

/* ---- modifiers --------------------------------------------------------- */

static void
test_modifiers(void **state)
{
	struct spf_record *r;

	(void)state;
	r = parse("v=spf1 -all REDIRECT=_spf.example.com Exp=explain.%{d} "
	    "moo.cow-far_out=man:dog/cat default=+ x= v=spf1");
	if (r->nerrs)
		dump(r);
	assert_int_equal(r->nerrs, 0);
	assert_int_equal(r->nterms, 7);
	assert_int_equal(r->redirect, 1);
	assert_int_equal(r->exp, 2);
	assert_int_equal(r->all, 0);
	assert_int_equal(r->terms[1].kind, SPF_T_MOD);
	assert_int_equal(r->terms[1].mod, SPF_MOD_REDIRECT);
	assert_span(r, r->terms[1].name, "REDIRECT");
	assert_span(r, r->terms[1].value, "_spf.example.com");
	assert_true(r->terms[1].has_domain);
	assert_span(r, r->terms[1].domain, "_spf.example.com");
	assert_int_equal(r->terms[2].mod, SPF_MOD_EXP);
	assert_span(r, r->terms[2].value, "explain.%{d}");
	assert_int_equal(r->terms[3].mod, SPF_MOD_OTHER);
	assert_span(r, r->terms[3].name, "moo.cow-far_out");
	assert_span(r, r->terms[3].value, "man:dog/cat");
	assert_int_equal(r->terms[4].mod, SPF_MOD_OTHER);
	assert_span(r, r->terms[5].value, "");
	assert_span(r, r->terms[6].name, "v");
	assert_span(r, r->terms[6].value, "spf1");
	spf_record_free(r);
	/* unknown modifiers are never expanded: any letter, but valid syntax */
	expect_ok("v=spf1 foo=%{c}%{r}%{t}");
	expect_one("v=spf1 -all foo=%abc", SPF_E_BAD_MACRO, 16, 2);
	expect_one("v=spf1 1up=foo", SPF_E_BAD_MODIFIER, 7, 7);
	expect_one("v=spf1 =all", SPF_E_BAD_MODIFIER, 7, 4);
	expect_one("v=spf1 _x=y", SPF_E_BAD_MODIFIER, 7, 4);
	expect_one("v=spf1 moo.cow/far_out=man:dog/cat", SPF_E_UNKNOWN_MECH,
	    7, 27);
	expect_one("v=spf1 redirect:t2.example.com", SPF_E_UNKNOWN_MECH, 7, 23);
	expect_one("v=spf1 exp= -all", SPF_E_EMPTY_EXP, 7, 4);
	expect_one("v=spf1 ?all redirect=", SPF_E_MISSING_ARG, 12, 9);
	expect_one("v=spf1 exp=-all", SPF_E_BAD_DOMAIN, 11, 4);
	expect_one("v=spf1 redirect=-all ?all", SPF_E_BAD_DOMAIN, 16, 4);
	expect_one("v=spf1 redirect=example", SPF_E_BAD_DOMAIN, 16, 7);
	expect_ok("v=spf1 redirect=%{d}.d.spf.example.com.");
}

static void
test_duplicates(void **state)
{
	struct spf_record *r;

	(void)state;
	r = parse("v=spf1 exp=a.example.com -all exp=b.example.com");
	assert_int_equal(r->nerrs, 1);
	assert_err(r, 0, SPF_E_DUP_MODIFIER, 30, 17);
	assert_int_equal(r->exp, 0);		/* the first one */
	assert_int_equal(r->nterms, 3);
	spf_record_free(r);
	r = parse("v=spf1 redirect=e12.example.com -all redirect=e12.example.com");
	assert_int_equal(r->nerrs, 1);
	assert_err(r, 0, SPF_E_DUP_MODIFIER, 37, 24);
	assert_int_equal(r->redirect, 0);
	spf_record_free(r);
	/* names compare case-insensitively; unknown ones may repeat */
	expect_one("v=spf1 exp=a.example.com EXP=a.example.com",
	    SPF_E_DUP_MODIFIER, 25, 17);
	expect_ok("v=spf1 foo=1 foo=2");
}

static void
test_bad_qualifier(void **state)
{
	struct spf_record *r;

	(void)state;
	r = parse("v=spf1 ++a -?mx");
	assert_int_equal(r->nerrs, 2);
	assert_err(r, 0, SPF_E_BAD_QUALIFIER, 7, 2);
	assert_err(r, 1, SPF_E_BAD_QUALIFIER, 11, 2);
	assert_int_equal(r->nterms, 2);		/* still understood */
	assert_int_equal(r->terms[1].qual, '-');
	spf_record_free(r);
	r = parse("v=spf1 -redirect=x.example.com");
	assert_int_equal(r->nerrs, 1);
	assert_err(r, 0, SPF_E_BAD_QUALIFIER, 7, 1);
	assert_int_equal(r->redirect, 0);
	spf_record_free(r);
	expect_one("v=spf1 +", SPF_E_UNKNOWN_MECH, 7, 1);
}

/* ---- bytes ------------------------------------------------------------- */

static void
test_non_ascii(void **state)
{
	struct spf_record *r;

	(void)state;
	expect_one("v=spf1 \x80" "a:example.net -all", SPF_E_NON_ASCII, 7, 1);
	expect_one("v=spf1 a:\xef\xbb\xbfgarbage.example.net -all",
	    SPF_E_NON_ASCII, 9, 3);
	expect_one("v=spf1 a:ctrl.example.com\rptr -all", SPF_E_NON_ASCII,
	    25, 1);
	expect_one("v=spf1 ip4:192.0.2.5\n include:x.example.com ~all",
	    SPF_E_NON_ASCII, 20, 1);
	expect_one("v=spf1 a \x7f", SPF_E_NON_ASCII, 9, 1);
	/* a NUL inside the length is data, and an error */
	r = parse_n("v=spf1 a:foo.example.com\0 -all", 30);
	assert_int_equal(r->nerrs, 1);
	assert_err(r, 0, SPF_E_NON_ASCII, 24, 1);
	assert_int_equal(r->nterms, 1);		/* "-all" */
	assert_int_equal(r->len, 30);
	assert_int_equal(r->text[30], '\0');
	spf_record_free(r);
	/* two runs in one term, and one in the version */
	r = parse("v=spf1\x01 a:\xff\xfex.\xc3\xa9");
	assert_int_equal(r->nerrs, 4);
	assert_err(r, 0, SPF_E_VERSION, 0, 7);
	assert_err(r, 1, SPF_E_NON_ASCII, 6, 1);
	assert_err(r, 2, SPF_E_NON_ASCII, 10, 2);
	assert_err(r, 3, SPF_E_NON_ASCII, 14, 2);
	spf_record_free(r);
}

static void
test_every_error_reported(void **state)
{
	struct spf_record *r;

	(void)state;
	r = parse("v=spf1 foo ip4:1.2.3 a/33 exp= ++mx include redirect=x "
	    "a:1.2.3.4 ip6:zz all:x");
	assert_int_equal(r->nerrs, 10);
	assert_err(r, 0, SPF_E_UNKNOWN_MECH, 7, 3);
	assert_err(r, 1, SPF_E_BAD_IP4, 15, 5);
	assert_err(r, 2, SPF_E_BAD_CIDR, 22, 3);
	assert_err(r, 3, SPF_E_EMPTY_EXP, 26, 4);
	assert_err(r, 4, SPF_E_BAD_QUALIFIER, 31, 2);
	assert_err(r, 5, SPF_E_MISSING_ARG, 36, 7);
	assert_err(r, 6, SPF_E_BAD_DOMAIN, 53, 1);
	assert_err(r, 7, SPF_E_BAD_DOMAIN, 57, 7);
	assert_err(r, 8, SPF_E_BAD_IP6, 69, 2);
	assert_err(r, 9, SPF_E_UNEXPECTED_ARG, 75, 2);
	spf_record_free(r);
}

static void
test_big_record(void **state)
{
	size_t n = 6 + 3 * 20000, i;
	char *p = malloc(n);
	struct spf_record *r;

	(void)state;
	assert_non_null(p);
	memcpy(p, "v=spf1", 6);
	for (i = 0; i < 20000; i++)
		memcpy(p + 6 + 3 * i, i % 2 ? " mx" : " %x", 3);
	r = spf_parse(p, n);
	assert_non_null(r);
	assert_int_equal(r->nterms, 10000);
	assert_int_equal(r->nerrs, 10000);
	assert_err(r, 9999, SPF_E_UNKNOWN_MECH, n - 5, 2);
	spf_record_free(r);
	free(p);
	spf_record_free(NULL);
}

/* ---- names and strings ------------------------------------------------ */

static void
test_strings(void **state)
{
	int e, f;

	(void)state;
	for (e = 0; e < SPF_E__COUNT; e++) {
		assert_non_null(spf_err_str((enum spf_err)e));
		assert_true(strlen(spf_err_str((enum spf_err)e)) > 3);
		for (f = 0; f < e; f++)
			assert_string_not_equal(spf_err_str((enum spf_err)e),
			    spf_err_str((enum spf_err)f));
	}
	assert_string_equal(spf_err_str(SPF_E__COUNT), "unknown error");
	assert_string_equal(spf_mech_name(SPF_M_ALL), "all");
	assert_string_equal(spf_mech_name(SPF_M_INCLUDE), "include");
	assert_string_equal(spf_mech_name(SPF_M_A), "a");
	assert_string_equal(spf_mech_name(SPF_M_MX), "mx");
	assert_string_equal(spf_mech_name(SPF_M_PTR), "ptr");
	assert_string_equal(spf_mech_name(SPF_M_IP4), "ip4");
	assert_string_equal(spf_mech_name(SPF_M_IP6), "ip6");
	assert_string_equal(spf_mech_name(SPF_M_EXISTS), "exists");
}

/* ---- the openspf RFC 7208 suite's records ----------------------------- */

/* Each record of rfc7208-tests.yml whose syntax decides a test, with the
 * first error this parser reports (SPF_E_NONE: the record is valid). */
static const struct {
	const char *text;
	enum spf_err want;
} suite[] = {
	{ "v=spf1 a  -all", SPF_E_NONE },			/* two-spaces */
	{ "v=spf1 a -all ", SPF_E_NONE },			/* trailing-space */
	{ "v=spf1 ip4:192.0.2.5\n include:spf.protection.outlook.com ~all",
	    SPF_E_NON_ASCII },					/* badip4 */
	{ "v=spf1 ip4:1.2.3.4 -all moo", SPF_E_UNKNOWN_MECH },
	{ "v=spf1 moo.cow-far_out=man:dog/cat ip4:1.2.3.4 -all", SPF_E_NONE },
	{ "v=spf1 moo.cow/far_out=man:dog/cat ip4:1.2.3.4 -all",
	    SPF_E_UNKNOWN_MECH },
	{ "v=spf1 moo.cow:far_out=man:dog/cat ip4:1.2.3.4 -all",
	    SPF_E_UNKNOWN_MECH },
	{ "v=spf1 ip4:1.2.3.4 redirect:t2.example.com", SPF_E_UNKNOWN_MECH },
	{ "v=spf1 a:foo-bar -all", SPF_E_BAD_DOMAIN },		/* invalid-domain */
	{ "v=spf1 a:%{H}.bar -all", SPF_E_NONE },
	{ "v=spf1 -all.", SPF_E_UNKNOWN_MECH },			/* all-dot */
	{ "v=spf1 -all:foobar", SPF_E_UNEXPECTED_ARG },		/* all-arg */
	{ "v=spf1 -all/8", SPF_E_UNEXPECTED_ARG },		/* all-cidr */
	{ "v=spf1 all -all", SPF_E_NONE },
	{ "v=spf1 ptr/0 -all", SPF_E_UNEXPECTED_ARG },		/* ptr-cidr */
	{ "v=spf1 ptr:", SPF_E_MISSING_ARG },			/* ptr-empty-domain */
	{ "v=spf1 a//33 -all", SPF_E_NONE },			/* a-cidr6 */
	{ "v=spf1 a/33 -all", SPF_E_BAD_CIDR },			/* a-bad-cidr4 */
	{ "v=spf1 a//129 -all", SPF_E_BAD_CIDR },		/* a-bad-cidr6 */
	{ "v=spf1 a/24//64 -all", SPF_E_NONE },
	{ "v=spf1 a/24/64 -all", SPF_E_BAD_CIDR },		/* a-dual-cidr-ip4-err */
	{ "v=spf1 a:example.com:8080", SPF_E_BAD_DOMAIN },	/* a-bad-domain */
	{ "v=spf1 a:foo.example.com/24", SPF_E_NONE },
	{ "v=spf1 a:111.222.33.44", SPF_E_BAD_DOMAIN },		/* a-numeric */
	{ "v=spf1 a:abc.123", SPF_E_BAD_DOMAIN },		/* a-numeric-toplabel */
	{ "v=spf1 a:foo.example.xn--zckzah -all", SPF_E_NONE },	/* a-dash-in-toplabel */
	{ "v=spf1 a:example.-com", SPF_E_BAD_DOMAIN },		/* a-bad-toplabel */
	{ "v=spf1 a:museum", SPF_E_BAD_DOMAIN },		/* a-only-toplabel */
	{ "v=spf1 a:museum.", SPF_E_BAD_DOMAIN },
	{ "v=spf1 a:foo:bar/baz.example.com", SPF_E_NONE },	/* a-colon-domain */
	{ "v=spf1 a:", SPF_E_MISSING_ARG },			/* a-empty-domain */
	{ "v=spf1 include +all", SPF_E_MISSING_ARG },		/* include-syntax-error */
	{ "v=spf1 include:ip5.example.com/24 -all", SPF_E_UNEXPECTED_ARG },
	{ "v=spf1 include: -all", SPF_E_MISSING_ARG },		/* include-empty-domain */
	{ "v=spf1 mx//33 -all", SPF_E_NONE },
	{ "v=spf1 mx/33 -all", SPF_E_BAD_CIDR },
	{ "v=spf1 mx//129 -all", SPF_E_BAD_CIDR },
	{ "v=spf1 mx:example.com:8080", SPF_E_BAD_DOMAIN },
	{ "v=spf1 mx:abc.123", SPF_E_BAD_DOMAIN },
	{ "v=spf1 mx:foo:bar/baz.example.com", SPF_E_NONE },
	{ "v=spf1 mx:example.-com", SPF_E_BAD_DOMAIN },
	{ "v=spf1 mx: -all", SPF_E_MISSING_ARG },		/* mx-empty-domain */
	{ "v=spf1 exists:", SPF_E_MISSING_ARG },		/* exists-empty-domain */
	{ "v=spf1 exists", SPF_E_MISSING_ARG },			/* exists-implicit */
	{ "v=spf1 exists:mail.example.com/24", SPF_E_UNEXPECTED_ARG },
	{ "v=spf1 ip4:1.1.1.1/0 -all", SPF_E_NONE },		/* cidr4-0 */
	{ "v=spf1 ip4:1.2.3.4/32 -all", SPF_E_NONE },		/* cidr4-32 */
	{ "v=spf1 ip4:1.2.3.4/33 -all", SPF_E_BAD_CIDR },	/* cidr4-33 */
	{ "v=spf1 ip4:1.2.3.4/032 -all", SPF_E_BAD_CIDR },	/* cidr4-032 */
	{ "v=spf1 ip4", SPF_E_MISSING_ARG },			/* bare-ip4 */
	{ "v=spf1 ip4:1.2.3.4//32", SPF_E_BAD_CIDR },		/* ip4-dual-cidr */
	{ "v=spf1 ip4:1.2.3.4:8080", SPF_E_BAD_IP4 },		/* bad-ip4-port */
	{ "v=spf1 ip4:1.2.3", SPF_E_BAD_IP4 },			/* bad-ip4-short */
	{ "v=spf1 -ip4:1.2.3.4 ip6:::FFFF:1.2.3.4", SPF_E_NONE },
	{ "v=spf1 -all ip6", SPF_E_MISSING_ARG },		/* bare-ip6 */
	{ "v=spf1 ip6:::1.1.1.1/0", SPF_E_NONE },		/* cidr6-0 */
	{ "v=spf1 ip6:::1.1.1.1/129", SPF_E_BAD_CIDR },		/* cidr6-129 */
	{ "v=spf1 ip6:::1.1.1.1//33", SPF_E_BAD_CIDR },		/* cidr6-bad */
	{ "v=spf1 ip6:Cafe:Babe:8000::/33", SPF_E_NONE },	/* cidr6-33 */
	{ "v=spf1 ip6::CAFE::BABE", SPF_E_BAD_IP6 },		/* ip6-bad1 */
	{ "v=spf1 1up=foo", SPF_E_BAD_MODIFIER },		/* invalid-modifier */
	{ "v=spf1 =all", SPF_E_BAD_MODIFIER },			/* empty-modifier-name */
	{ "v=spf1 -all foo=%abc", SPF_E_BAD_MACRO },		/* unknown-modifier-syntax */
	{ "v=spf1 exp= -all", SPF_E_EMPTY_EXP },		/* exp-empty-domain */
	{ "v=spf1 exp=e13msg.example.com -all exp=e11msg.example.com",
	    SPF_E_DUP_MODIFIER },				/* exp-twice */
	{ "v=spf1 redirect=e12.example.com -all redirect=e12.example.com",
	    SPF_E_DUP_MODIFIER },				/* redirect-twice */
	{ "v=spf1 exp=-all", SPF_E_BAD_DOMAIN },		/* exp-syntax-error */
	{ "v=spf1 redirect=-all ?all", SPF_E_BAD_DOMAIN },	/* redirect-syntax-error */
	{ "v=spf1 ?all redirect=", SPF_E_MISSING_ARG },		/* redirect-empty-domain */
	{ "v=spf1 default=pass", SPF_E_NONE },			/* default-modifier-obsolete */
	{ "v=spf1 default=+", SPF_E_NONE },			/* default-modifier-obsolete2 */
	{ "v=spf1 redirect=%{d}.d.spf.example.com.", SPF_E_NONE },
	{ "v=spf1 include:o.spf.example.com. ~all", SPF_E_NONE },
	{ "v=spf1 exp=msg.example.com. -all", SPF_E_NONE },
	{ "v=spf1 -all exp=%{r}.example.com", SPF_E_MACRO_LETTER },	/* exp-only-macro-char */
	{ "v=spf1 -exists:%(ir).sbl.example.com ?all", SPF_E_BAD_MACRO },
	{ "v=spf1 exists:foo%(ir).sbl.example.com ?all", SPF_E_BAD_MACRO },
	{ "v=spf1 exists:foo%.sbl.example.com ?all", SPF_E_BAD_MACRO },
	{ "v=spf1 a:macro%%percent%_%_space%-url-space.example.com -all",
	    SPF_E_NONE },					/* macro-mania-in-domain */
	{ "v=spf1 -all exp=%{ir}.example.com", SPF_E_NONE },
	{ "v=spf1 a:%{a}.example.com -all", SPF_E_BAD_MACRO },	/* undef-macro */
	{ "v=spf1 exists:%{p}.should.example.com ~exists:%{p}.ok.example.com",
	    SPF_E_NONE },
	{ "v=spf1 -all exp=msg8.%{D2}", SPF_E_NONE },
	{ "v=spf1 -include:_spfh.%{d2} ip4:1.2.3.0/24 -all", SPF_E_NONE },
	{ "v=spf1 exists:%{i}.%{l2r-}.user.%{d2}", SPF_E_NONE },
	{ "v=spf1 exists:%{l2r+-}.user.%{d2}", SPF_E_NONE },
	{ "v=spf1 a mx a mx a mx a mx a ptr a ip4:1.2.3.4 -all", SPF_E_NONE },
	{ "v=spf1 ptr:fe.example.org ptr:sgp.example.com "
	    "exp=_expspf.example.org -all", SPF_E_NONE },
	{ "v=spf10", SPF_E_VERSION },
	{ "V=sPf1 +all", SPF_E_NONE },
	{ "v=spf1 a:ctrl.example.com\rptr -all", SPF_E_NON_ASCII },
};

static void
test_openspf_records(void **state)
{
	size_t i;
	struct spf_record *r;

	(void)state;
	for (i = 0; i < sizeof(suite) / sizeof(suite[0]); i++) {
		r = parse(suite[i].text);
		if ((r->nerrs ? r->errs[0].code : SPF_E_NONE) != suite[i].want) {
			fprintf(stderr, "suite record \"%s\"\n", suite[i].text);
			dump(r);
		}
		assert_int_equal(r->nerrs ? r->errs[0].code : SPF_E_NONE,
		    suite[i].want);
		spf_record_free(r);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_record),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_spacing),
		cmocka_unit_test(test_qualifiers),
		cmocka_unit_test(test_mech_all),
		cmocka_unit_test(test_mech_include_exists),
		cmocka_unit_test(test_mech_a_mx),
		cmocka_unit_test(test_mech_ptr),
		cmocka_unit_test(test_mech_ip4),
		cmocka_unit_test(test_mech_ip6),
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_domain_end),
		cmocka_unit_test(test_macros_in_terms),
		cmocka_unit_test(test_modifiers),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_bad_qualifier),
		cmocka_unit_test(test_non_ascii),
		cmocka_unit_test(test_every_error_reported),
		cmocka_unit_test(test_big_record),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_openspf_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
