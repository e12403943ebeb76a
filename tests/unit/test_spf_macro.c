/* test_spf_macro.c -- RFC 7208 §7 macro expansion (src/spf_macro.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spf.h"

static int ptr_calls;

static const char *
ptr_mx(void *arg)
{
	ptr_calls++;
	return arg;
}

/* The RFC 7208 §7.4 context: strong-bad@email.example.com from
 * 192.0.2.3 (or 2001:db8::cb01), PTR name mx.example.org. */
static struct spf_macro_ctx
rfc_ctx(int family)
{
	struct spf_macro_ctx c;

	memset(&c, 0, sizeof(c));
	c.sender = "strong-bad@email.example.com";
	c.domain = "email.example.com";
	c.helo = "helo.example.net";
	c.receiver = "rcv.example.org";
	c.now = 1234567890;
	c.ptr_name = ptr_mx;
	c.ptr_arg = (void *)"mx.example.org";
	if (family == 4)
		assert_true(ip_parse("192.0.2.3", 9, &c.ip));
	else
		assert_true(ip_parse("2001:db8::cb01", 14, &c.ip));
	return c;
}

/* Expand a copy of `in` held in an exactly-sized heap block (no NUL), so
 * ASan catches any read past len. */
static enum spf_macro_status
expand(const struct spf_macro_ctx *c, enum spf_macro_mode mode,
    const char *in, char *out, size_t outsize, size_t *outlen, size_t *erroff)
{
	size_t n = strlen(in);
	char *p = malloc(n ? n : 1);
	enum spf_macro_status st;

	assert_non_null(p);
	memcpy(p, in, n);
	st = spf_macro_expand(p, n, c, mode, out, outsize, outlen, erroff);
	free(p);
	return st;
}

static void
expect_mode(const struct spf_macro_ctx *c, enum spf_macro_mode mode,
    const char *in, const char *want)
{
	char out[1024];
	size_t outlen = 999, erroff = 999;
	enum spf_macro_status st;

	st = expand(c, mode, in, out, sizeof(out), &outlen, &erroff);
	if (st != SPF_MACRO_OK)
		fprintf(stderr, "expanding %s: status %d at %zu\n", in, st, erroff);
	assert_int_equal(st, SPF_MACRO_OK);
	assert_string_equal(out, want);
	assert_int_equal(outlen, strlen(want));
}

static void
expect(const struct spf_macro_ctx *c, const char *in, const char *want)
{
	expect_mode(c, SPF_MACRO_DOMAIN, in, want);
}

static void
expect_syntax(enum spf_macro_mode mode, const char *in, size_t len,
    size_t off)
{
	struct spf_macro_ctx c = rfc_ctx(4);
	char out[256];
	size_t erroff = 999, outlen = 999;
	char *p = malloc(len ? len : 1);

	assert_non_null(p);
	memcpy(p, in, len);
	assert_int_equal(spf_macro_expand(p, len, &c, mode, out, sizeof(out),
	    &outlen, &erroff), SPF_MACRO_SYNTAX);
	assert_int_equal(erroff, off);
	assert_int_equal(outlen, 0);
	assert_string_equal(out, "");
	erroff = 999;
	assert_int_equal(spf_macro_check(p, len, mode, &erroff),
	    SPF_MACRO_SYNTAX);
	assert_int_equal(erroff, off);
	free(p);
}

/* ---- RFC 7208 §7.4, exactly as the RFC lists them --------------------- */

static void
test_rfc7208_letters(void **state)
{
	struct spf_macro_ctx c = rfc_ctx(4);

	(void)state;
	expect(&c, "%{s}", "strong-bad@email.example.com");
	expect(&c, "%{o}", "email.example.com");
	expect(&c, "%{d}", "email.example.com");
	expect(&c, "%{d4}", "email.example.com");
	expect(&c, "%{d3}", "email.example.com");
	expect(&c, "%{d2}", "example.com");
	expect(&c, "%{d1}", "com");
	expect(&c, "%{dr}", "com.example.email");
	expect(&c, "%{d2r}", "example.email");
	expect(&c, "%{l}", "strong-bad");
	expect(&c, "%{l-}", "strong.bad");
	expect(&c, "%{lr}", "strong-bad");
	expect(&c, "%{lr-}", "bad.strong");
	expect(&c, "%{l1r-}", "strong");
}

static void
test_rfc7208_strings(void **state)
{
	struct spf_macro_ctx c = rfc_ctx(4), c6 = rfc_ctx(6);

	(void)state;
	expect(&c, "%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com");
	expect(&c, "%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com");
	expect(&c, "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}",
	    "bad.strong.lp.3.2.0.192.in-addr._spf.example.com");
	expect(&c, "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}",
	    "3.2.0.192.in-addr.strong.lp._spf.example.com");
	expect(&c, "%{d2}.trusted-domains.example.net",
	    "example.com.trusted-domains.example.net");
	expect(&c6, "%{ir}.%{v}._spf.%{d2}",
	    "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2"
	    ".ip6._spf.example.com");
}

/* ---- every letter ------------------------------------------------------ */

static void
test_letters_domain(void **state)
{
	struct spf_macro_ctx c = rfc_ctx(4), c6 = rfc_ctx(6);

	(void)state;
	expect(&c, "%{h}", "helo.example.net");
	expect(&c, "%{i}", "192.0.2.3");
	expect(&c, "%{v}", "in-addr");
	expect(&c6, "%{v}", "ip6");
	expect(&c6, "%{i}", "2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0"
	    ".0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1");
	expect(&c, "x.%{o}", "x.email.example.com");
	expect(&c, "%{d}.", "email.example.com");	/* trailing dot dropped */
}

static void
test_letters_explain(void **state)
{
	struct spf_macro_ctx c = rfc_ctx(4), c6 = rfc_ctx(6);

	(void)state;
	expect_mode(&c, SPF_MACRO_EXPLAIN, "%{c} is queried as %{ir}.%{v}.arpa",
	    "192.0.2.3 is queried as 3.2.0.192.in-addr.arpa");
	expect_mode(&c6, SPF_MACRO_EXPLAIN, "%{c}", "2001:db8::cb01");
	expect_mode(&c, SPF_MACRO_EXPLAIN, "by %{r} at %{t}",
	    "by rcv.example.org at 1234567890");
	c.receiver = NULL;
	expect_mode(&c, SPF_MACRO_EXPLAIN, "%{r}", "unknown");
	c.now = 0;
	expect_mode(&c, SPF_MACRO_EXPLAIN, "%{t}", "0");
	/* explanation text keeps spaces; a domain-spec may not */
	expect_mode(&c, SPF_MACRO_EXPLAIN, "a  b ", "a  b ");
	expect_mode(&c, SPF_MACRO_EXPLAIN, "%{d2}", "example.com");
}

static void
test_letter_p(void **state)
{
	struct spf_macro_ctx c = rfc_ctx(4);

	(void)state;
	ptr_calls = 0;
	expect(&c, "%{p}.%{p1r}.%{p}", "mx.example.org.mx.mx.example.org");
	assert_int_equal(ptr_calls, 1);		/* at most once */
	ptr_calls = 0;
	expect(&c, "%{d}", "email.example.com");
	assert_int_equal(ptr_calls, 0);		/* only when used */
	c.ptr_arg = NULL;			/* no validated name */
	expect(&c, "%{p}.x", "unknown.x");
	c.ptr_name = NULL;
	expect(&c, "%{p}", "unknown");
}

static void
test_sender_forms(void **state)
{
	struct spf_macro_ctx c = rfc_ctx(4);

	(void)state;
	c.sender = "example.org";		/* no local-part at all */
	expect(&c, "%{l}", "postmaster");
	expect(&c, "%{s}", "postmaster@example.org");
	expect(&c, "%{o}", "example.org");
	c.sender = "@example.org";		/* empty local-part */
	expect(&c, "%{l}", "postmaster");
	expect(&c, "%{s}", "postmaster@example.org");
	expect(&c, "%{o}", "example.org");
	expect(&c, "%{s1}", "org");
	expect(&c, "%{sr}", "org.postmaster@example");
	c.sender = "\"a@b\"@example.org";	/* quoted '@': split at the last */
	expect(&c, "%{o}", "example.org");
	expect(&c, "%{l}", "\"a@b\"");
	c.sender = NULL;
	c.domain = NULL;
	c.helo = NULL;
	expect(&c, "x%{d}%{h}.com", "x.com");
}

/* ---- transformers and delimiters -------------------------------------- */

static void
test_digits(void **state)
{
	struct spf_macro_ctx c = rfc_ctx(4);
	char dom[600], want[600];
	int i, o = 0;

	(void)state;
	expect(&c, "%{d02}", "example.com");	/* *DIGIT: leading zero ok */
	expect(&c, "%{d9}", "email.example.com");
	expect(&c, "%{d999999999999}", "email.example.com");
	expect(&c, "%{d1r}", "email");
	expect(&c, "%{dR}", "com.example.email");	/* "r" is case-blind */
	/* 130 one-letter labels: 127 right-hand parts are kept */
	for (i = 0; i < 130; i++)
		o += snprintf(dom + o, sizeof(dom) - (size_t)o, "%s%c",
		    i ? "." : "", 'a' + i % 26);
	c.domain = dom;
	expect_mode(&c, SPF_MACRO_EXPLAIN, "%{d127}", dom + 6);
	expect_mode(&c, SPF_MACRO_EXPLAIN, "%{d130}", dom);
	expect_mode(&c, SPF_MACRO_EXPLAIN, "%{d131}", dom);
	/* reversed then the 127 right-hand parts: parts 126..0 */
	for (i = 126, o = 0; i >= 0; i--)
		o += snprintf(want + o, sizeof(want) - (size_t)o, "%c%s",
		    'a' + i % 26, i ? "." : "");
	expect_mode(&c, SPF_MACRO_EXPLAIN, "%{d127r}", want);
	/* empty parts survive the split and rejoin */
	c.domain = "a..b";
	expect(&c, "%{dr}.com", "b..a.com");
	expect(&c, "%{d2}.com", ".b.com");
}

static void
test_delimiters(void **state)
{
	struct spf_macro_ctx c = rfc_ctx(4);

	(void)state;
	c.sender = "a.b-c+d,e/f_g=h@example.com";
	expect(&c, "%{l}", "a.b-c+d,e/f_g=h");
	expect(&c, "%{l.}", "a.b-c+d,e/f_g=h");
	expect(&c, "%{l-}", "a.b.c+d,e/f_g=h");
	expect(&c, "%{l+}", "a.b-c.d,e/f_g=h");
	expect(&c, "%{l,}", "a.b-c+d.e/f_g=h");
	expect(&c, "%{l/}", "a.b-c+d,e.f_g=h");
	expect(&c, "%{l_}", "a.b-c+d,e/f.g=h");
	expect(&c, "%{l=}", "a.b-c+d,e/f_g.h");
	expect(&c, "%{l.-+,/_=}", "a.b.c.d.e.f.g.h");
	expect(&c, "%{lr.-+,/_=}", "h.g.f.e.d.c.b.a");
	expect(&c, "%{l3r-+}", "d,e/f_g=h.c.a.b");
	expect(&c, "%{l2-+}", "c.d,e/f_g=h");
	/* a delimiter given replaces the default '.' */
	expect(&c, "%{lr-}", "c+d,e/f_g=h.a.b");
	/* the suite's macro-multiple-delimiters and reverse-split-on-dash */
	c.sender = "foo-bar+zip+quux@e12.example.com";
	expect(&c, "%{l2r+-}.user.%{d2}", "bar.foo.user.example.com");
	c.sender = "philip-gladstone-test@e11.example.com";
	expect(&c, "%{l2r-}", "gladstone.philip");
}

/* ---- URL escaping, escapes ------------------------------------------- */

static void
test_upper_escapes(void **state)
{
	struct spf_macro_ctx c = rfc_ctx(4);

	(void)state;
	c.sender = "~jack&jill=up-a_b3.c@e8.example.com";
	expect_mode(&c, SPF_MACRO_EXPLAIN, "http://example.com/why.html?l=%{L}",
	    "http://example.com/why.html?l=~jack%26jill%3Dup-a_b3.c");
	expect(&c, "%{S}", "~jack%26jill%3Dup-a_b3.c%40e8.example.com");
	expect(&c, "%{O}.%{D2}", "e8.example.com.example.com");
	/* bytes >= 0x80 escape as unsigned, upper-case hex */
	c.helo = "caf\xc3\xa9 x/y";
	expect(&c, "%{H}.com", "caf%C3%A9%20x%2Fy.com");
	expect_mode(&c, SPF_MACRO_EXPLAIN, "%{C} %{V} %{T} %{R} %{P}",
	    "192.0.2.3 in-addr 1234567890 rcv.example.org mx.example.org");
	/* escaping applies after the split and rejoin */
	c.helo = "a+b@c";
	expect(&c, "%{H+}.com", "a.b%40c.com");
	/* %{I} on IPv6 keeps its nibbles unescaped */
	c = rfc_ctx(6);
	expect(&c, "%{I1r}.com", "2.com");
}

static void
test_percent_escapes(void **state)
{
	struct spf_macro_ctx c = rfc_ctx(4);

	(void)state;
	expect(&c, "a%%b%_c%-d.com", "a%b c%20d.com");
	expect_mode(&c, SPF_MACRO_EXPLAIN, "100%% %_%-", "100%  %20");
	expect(&c, "macro%%percent%_%_space%-url-space.example.com",
	    "macro%percent  space%20url-space.example.com");
	expect(&c, "", "");
}

/* ---- §7.3 truncation and output bounds -------------------------------- */

static void
test_truncate_labels(void **state)
{
	struct spf_macro_ctx c = rfc_ctx(4);
	char l63[64], dom[400], want[400], out[300];
	size_t outlen;
	int i;

	(void)state;
	memset(l63, 'a', 63);
	l63[63] = '\0';
	/* 4 x 64 + "com" = 259 octets: the first label goes */
	snprintf(dom, sizeof(dom), "1%.62s.2%.62s.3%.62s.4%.62s.com", l63, l63,
	    l63, l63);
	assert_int_equal(strlen(dom), 259);
	c.domain = dom;
	expect(&c, "%{d}", dom + 64);
	/* exactly 253 octets stays; 254 loses its first label */
	snprintf(dom, sizeof(dom), "%.61s.%.63s.%.63s.%.63s", l63, l63, l63,
	    l63);
	assert_int_equal(strlen(dom), 253);
	expect(&c, "%{d}", dom);
	expect(&c, "%{d}.", dom);		/* the trailing dot is not counted */
	snprintf(dom, sizeof(dom), "x%.61s.%.63s.%.63s.%.63s", l63, l63, l63,
	    l63);
	expect(&c, "%{d}", dom + 63);
	/* the suite's domain-name-truncation: "foobar." is dropped */
	c.sender = "test@somewhat.long.exp.example.com";
	for (i = 0, want[0] = '\0'; i < 8; i++)
		strcat(want, "somewhat.long.exp.example.com.");
	strcat(want, "example.com");
	expect(&c, "foobar.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.%{o}.example.com",
	    want);
	/* one 300-octet label cannot be shortened */
	memset(dom, 'z', 300);
	dom[300] = '\0';
	c.domain = dom;
	assert_int_equal(expand(&c, SPF_MACRO_DOMAIN, "%{d}", out, sizeof(out),
	    &outlen, NULL), SPF_MACRO_TOOLONG);
	assert_string_equal(out, "");
}

static void
test_truncate_long_intermediate(void **state)
{
	struct spf_macro_ctx c = rfc_ctx(4);
	char *dom, want[300];
	size_t n = 0, i;

	(void)state;
	/* 2203 octets, far over the internal window */
	dom = malloc(200 * 11 + 4);
	assert_non_null(dom);
	for (i = 0; i < 200; i++, n += 11)
		memcpy(dom + n, "x123456789.", 11);
	memcpy(dom + n, "com", 4);
	c.domain = dom;
	/* 22 labels of 11 octets + "com" = 245 <= 253 < 256 */
	for (i = 0, n = 0; i < 22; i++, n += 11)
		memcpy(want + n, "x123456789.", 11);
	memcpy(want + n, "com", 4);
	expect(&c, "%{d}", want);
	expect(&c, "%{d}.%{d}.%{d}.%{d}.%{d}.", want);
	free(dom);
}

static void
test_toolong_outsize(void **state)
{
	struct spf_macro_ctx c = rfc_ctx(4);
	char out[64];
	size_t outlen = 7;

	(void)state;
	/* "email.example.com" is 17 bytes: 18 fits, 17 does not */
	memset(out, 'Q', sizeof(out));
	assert_int_equal(expand(&c, SPF_MACRO_DOMAIN, "%{d}", out, 18, &outlen,
	    NULL), SPF_MACRO_OK);
	assert_int_equal(outlen, 17);
	assert_int_equal(out[18], 'Q');
	memset(out, 'Q', sizeof(out));
	assert_int_equal(expand(&c, SPF_MACRO_DOMAIN, "%{d}", out, 17, &outlen,
	    NULL), SPF_MACRO_TOOLONG);
	assert_int_equal(outlen, 0);
	assert_int_equal(out[17], 'Q');
	memset(out, 'Q', sizeof(out));
	assert_int_equal(expand(&c, SPF_MACRO_EXPLAIN, "%{d} %{d}", out, 20,
	    &outlen, NULL), SPF_MACRO_TOOLONG);
	assert_string_equal(out, "");
	assert_int_equal(out[20], 'Q');
	assert_int_equal(expand(&c, SPF_MACRO_EXPLAIN, "%{d}", out, 18,
	    &outlen, NULL), SPF_MACRO_OK);
	assert_string_equal(out, "email.example.com");
	assert_int_equal(expand(&c, SPF_MACRO_EXPLAIN, "x", out, 0, &outlen,
	    NULL), SPF_MACRO_TOOLONG);
	/* URL escaping triples the length: still bounded */
	c.helo = "&&&&&&&&&&&&&&&&&&&&";
	memset(out, 'Q', sizeof(out));
	assert_int_equal(expand(&c, SPF_MACRO_EXPLAIN, "%{H}", out, 60,
	    &outlen, NULL), SPF_MACRO_TOOLONG);
	assert_int_equal(out[60], 'Q');
	assert_int_equal(expand(&c, SPF_MACRO_EXPLAIN, "%{H}", out, 61,
	    &outlen, NULL), SPF_MACRO_OK);
	assert_int_equal(outlen, 60);
}

static void
test_hostile_expansion(void **state)
{
	struct spf_macro_ctx c = rfc_ctx(4);
	char *in, *big, out[300];
	size_t outlen, i;

	(void)state;
	/* 4000 x %{S} of a 1000-byte sender expands to megabytes */
	big = malloc(1001);
	assert_non_null(big);
	memset(big, '&', 1000);
	big[1000] = '\0';
	c.helo = big;
	in = malloc(4 * 4000 + 1);
	assert_non_null(in);
	for (i = 0; i < 4000; i++)
		memcpy(in + 4 * i, "%{H}", 4);
	in[4 * 4000] = '\0';
	assert_int_equal(expand(&c, SPF_MACRO_DOMAIN, in, out, sizeof(out),
	    &outlen, NULL), SPF_MACRO_TOOLONG);
	assert_int_equal(expand(&c, SPF_MACRO_EXPLAIN, in, out, sizeof(out),
	    &outlen, NULL), SPF_MACRO_TOOLONG);
	free(in);
	free(big);
}

/* ---- RFC 8616 --------------------------------------------------------- */

static void
test_nomatch_non_ascii_local(void **state)
{
	struct spf_macro_ctx c = rfc_ctx(4);
	char out[256];
	size_t outlen = 5;

	(void)state;
	c.sender = "j\xc3\xb6rg@example.com";
	assert_int_equal(expand(&c, SPF_MACRO_DOMAIN, "%{l}.x.com", out,
	    sizeof(out), &outlen, NULL), SPF_MACRO_NOMATCH);
	assert_int_equal(outlen, 0);
	assert_int_equal(expand(&c, SPF_MACRO_DOMAIN, "%{s}", out,
	    sizeof(out), &outlen, NULL), SPF_MACRO_NOMATCH);
	assert_int_equal(expand(&c, SPF_MACRO_DOMAIN, "%{L}.x.com", out,
	    sizeof(out), &outlen, NULL), SPF_MACRO_NOMATCH);
	/* other letters are unaffected */
	expect(&c, "%{o}", "example.com");
	expect(&c, "%{d}", "email.example.com");
	/* a syntax error still wins */
	assert_int_equal(expand(&c, SPF_MACRO_DOMAIN, "%{l}%x", out,
	    sizeof(out), &outlen, NULL), SPF_MACRO_SYNTAX);
}

/* ---- syntax errors and their offsets ---------------------------------- */

static void
test_syntax_errors(void **state)
{
	(void)state;
	expect_syntax(SPF_MACRO_DOMAIN, "%", 1, 0);
	expect_syntax(SPF_MACRO_DOMAIN, "abc%x.com", 9, 3);
	expect_syntax(SPF_MACRO_DOMAIN, "%(ir).sbl.example.com", 21, 0);
	expect_syntax(SPF_MACRO_DOMAIN, "foo%.sbl.example.com", 20, 3);
	expect_syntax(SPF_MACRO_DOMAIN, "x.%{", 4, 2);
	expect_syntax(SPF_MACRO_DOMAIN, "x.%{d", 5, 2);
	expect_syntax(SPF_MACRO_DOMAIN, "x.%{d2r", 7, 2);
	expect_syntax(SPF_MACRO_DOMAIN, "x.%{d2r-.", 9, 2);
	expect_syntax(SPF_MACRO_DOMAIN, "%{a}.example.com", 16, 0);
	expect_syntax(SPF_MACRO_DOMAIN, "%{}", 3, 0);
	expect_syntax(SPF_MACRO_DOMAIN, "%{d0}", 5, 0);
	expect_syntax(SPF_MACRO_DOMAIN, "%{d00}", 6, 0);
	expect_syntax(SPF_MACRO_DOMAIN, "%{dx}", 5, 0);
	expect_syntax(SPF_MACRO_DOMAIN, "%{d2r1}", 7, 0);
	expect_syntax(SPF_MACRO_DOMAIN, "%{rd}", 5, 0);
	expect_syntax(SPF_MACRO_DOMAIN, "%{d }", 5, 0);
	expect_syntax(SPF_MACRO_DOMAIN, "%{s@}", 5, 0);
	expect_syntax(SPF_MACRO_DOMAIN, "ok.%{d}.%{x}", 12, 8);
	/* c, r, t only in explanations */
	expect_syntax(SPF_MACRO_DOMAIN, "%{c}", 4, 0);
	expect_syntax(SPF_MACRO_DOMAIN, "a.%{r}.com", 10, 2);
	expect_syntax(SPF_MACRO_DOMAIN, "a.%{T}", 6, 2);
	/* space, control, non-ASCII and NUL bytes are not macro-literals */
	expect_syntax(SPF_MACRO_DOMAIN, "a b", 3, 1);
	expect_syntax(SPF_MACRO_EXPLAIN, "a\tb", 3, 1);
	expect_syntax(SPF_MACRO_EXPLAIN, "ab\x7f", 3, 2);
	expect_syntax(SPF_MACRO_EXPLAIN, "caf\xc3\xa9", 5, 3);
	expect_syntax(SPF_MACRO_EXPLAIN, "ab\0cd", 5, 2);
	expect_syntax(SPF_MACRO_EXPLAIN, "The %{x}-files.", 15, 4);
	expect_syntax(SPF_MACRO_EXPLAIN, "100%", 4, 3);
}

static void
test_check_only(void **state)
{
	size_t off = 77;

	(void)state;
	assert_int_equal(spf_macro_check("%{c}%{r}%{t}", 12, SPF_MACRO_EXPLAIN,
	    &off), SPF_MACRO_OK);
	assert_int_equal(off, 77);
	assert_int_equal(spf_macro_check("%{ir}.%{v}._spf.%{d2}", 21,
	    SPF_MACRO_DOMAIN, NULL), SPF_MACRO_OK);
	assert_int_equal(spf_macro_check("%{i", 3, SPF_MACRO_DOMAIN, NULL),
	    SPF_MACRO_SYNTAX);
	assert_int_equal(spf_macro_check("", 0, SPF_MACRO_DOMAIN, &off),
	    SPF_MACRO_OK);
	/* only len bytes are looked at */
	assert_int_equal(spf_macro_check("%{d}%x", 4, SPF_MACRO_DOMAIN, &off),
	    SPF_MACRO_OK);
}

static void
test_len_not_nul(void **state)
{
	struct spf_macro_ctx c = rfc_ctx(4);
	char out[64];
	size_t outlen;

	(void)state;
	assert_int_equal(spf_macro_expand("%{d2}garbage%", 5, &c,
	    SPF_MACRO_DOMAIN, out, sizeof(out), &outlen, NULL), SPF_MACRO_OK);
	assert_string_equal(out, "example.com");
	assert_int_equal(outlen, 11);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc7208_letters),
		cmocka_unit_test(test_rfc7208_strings),
		cmocka_unit_test(test_letters_domain),
		cmocka_unit_test(test_letters_explain),
		cmocka_unit_test(test_letter_p),
		cmocka_unit_test(test_sender_forms),
		cmocka_unit_test(test_digits),
		cmocka_unit_test(test_delimiters),
		cmocka_unit_test(test_upper_escapes),
		cmocka_unit_test(test_percent_escapes),
		cmocka_unit_test(test_truncate_labels),
		cmocka_unit_test(test_truncate_long_intermediate),
		cmocka_unit_test(test_toolong_outsize),
		cmocka_unit_test(test_hostile_expansion),
		cmocka_unit_test(test_nomatch_non_ascii_local),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_check_only),
		cmocka_unit_test(test_len_not_nul),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
