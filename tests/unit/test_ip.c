/* test_ip.c -- address parsing and prefix matching (src/ip.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ip.h"

/* Parse from an exactly-sized heap copy (no NUL after it). */
static bool
parse_fam(const char *s, size_t n, int family, struct ipaddr *out)
{
	char *p = malloc(n ? n : 1);
	bool ok;

	assert_non_null(p);
	memcpy(p, s, n);
	ok = family ? ip_parse_family(p, n, family, out) : ip_parse(p, n, out);
	free(p);
	return ok;
}

static struct ipaddr
ip(const char *s)
{
	struct ipaddr a;

	assert_true(parse_fam(s, strlen(s), 0, &a));
	return a;
}

static bool
ok(const char *s)
{
	struct ipaddr a;

	return parse_fam(s, strlen(s), 0, &a);
}

static void
test_parse_ip4(void **state)
{
	struct ipaddr a;
	static const uint8_t want[4] = { 192, 0, 2, 3 };

	(void)state;
	assert_true(parse_fam("192.0.2.3", 9, 0, &a));
	assert_int_equal(a.family, 4);
	assert_memory_equal(a.a, want, 4);
	assert_true(ok("0.0.0.0"));
	assert_true(ok("255.255.255.255"));
	assert_false(ok("256.0.0.1"));
	assert_false(ok("1.2.3"));
	assert_false(ok("1.2.3.4.5"));
	assert_false(ok("1.2.3."));
	assert_false(ok("01.2.3.4"));		/* no octal-looking octets */
	assert_false(ok("1.2.3.4 "));
	assert_false(ok(" 1.2.3.4"));
	assert_false(ok("1.2.3.4/24"));
	assert_false(ok("0x1.2.3.4"));
	assert_false(ok("16909060"));		/* inet_aton forms */
	assert_false(ok("1.2.3.-4"));
	assert_false(ok(""));
	assert_false(parse_fam("1.2.3.4\0", 8, 0, &a));	/* NUL is data */
	assert_int_equal(a.family, 0);
	/* only len bytes count */
	assert_true(ip_parse("1.2.3.45", 7, &a));
	assert_int_equal(a.a[3], 4);
	assert_false(ip_parse(NULL, 0, &a));
}

static void
test_parse_ip6(void **state)
{
	struct ipaddr a;
	static const uint8_t want[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
	    0, 0, 0, 0, 0, 0, 0xcb, 0x01 };
	char longtxt[100];

	(void)state;
	a = ip("2001:db8::cb01");
	assert_int_equal(a.family, 6);
	assert_memory_equal(a.a, want, 16);
	a = ip("2001:DB8:0:0:0:0:0:CB01");
	assert_memory_equal(a.a, want, 16);
	assert_true(ok("::"));
	assert_true(ok("::1"));
	assert_true(ok("::ffff:1.2.3.4"));
	assert_true(ok("1:2:3:4:5:6:7:8"));
	assert_false(ok("1:2:3:4:5:6:7:8:9"));
	assert_false(ok("1::2::3"));
	assert_false(ok(":CAFE::BABE"));
	assert_false(ok("[::1]"));
	assert_false(ok("::1/128"));
	assert_false(ok("fe80::1%eth0"));
	assert_false(ok("12345::"));
	assert_false(ok("::g"));
	memset(longtxt, '0', sizeof(longtxt));
	longtxt[4] = ':';
	longtxt[5] = ':';
	assert_false(parse_fam(longtxt, sizeof(longtxt), 0, &a));
}

static void
test_parse_family(void **state)
{
	struct ipaddr a;

	(void)state;
	assert_true(parse_fam("1.2.3.4", 7, 4, &a));
	assert_false(parse_fam("1.2.3.4", 7, 6, &a));
	assert_true(parse_fam("::1", 3, 6, &a));
	assert_false(parse_fam("::1", 3, 4, &a));
	assert_false(parse_fam("1.2.3.4", 7, 5, &a));
}

static void
test_match_ip4(void **state)
{
	struct ipaddr a = ip("192.0.2.3"), net;

	(void)state;
	net = ip("10.0.0.0");
	assert_true(ip_match(&a, &net, 0));		/* /0 matches all */
	assert_false(ip_match(&a, &net, 1));
	net = ip("192.0.2.3");
	assert_true(ip_match(&a, &net, 32));
	assert_true(ip_match(&a, &net, 33));		/* clamped */
	assert_true(ip_match(&a, &net, 1000));
	net = ip("192.0.2.2");
	assert_false(ip_match(&a, &net, 32));
	assert_true(ip_match(&a, &net, 31));		/* .2/.3 pair */
	net = ip("192.0.2.4");
	assert_false(ip_match(&a, &net, 31));
	assert_true(ip_match(&a, &net, 29));
	/* odd prefixes at byte boundaries: 192.0.2.128/25 */
	net = ip("192.0.2.128");
	assert_false(ip_match(&a, &net, 25));
	assert_true(ip_match(&a, &net, 24));
	a = ip("192.0.2.255");
	assert_true(ip_match(&a, &net, 25));
	a = ip("192.0.3.0");
	assert_false(ip_match(&a, &net, 23 + 1));
	net = ip("192.0.2.0");
	assert_true(ip_match(&a, &net, 23));
	assert_false(ip_match(&a, &net, 24));
	a = ip("127.255.255.255");
	net = ip("128.0.0.0");
	assert_false(ip_match(&a, &net, 1));
	assert_true(ip_match(&a, &net, 0));
}

static void
test_match_ip6(void **state)
{
	struct ipaddr a = ip("2001:db8::cb01"), net;

	(void)state;
	net = ip("::");
	assert_true(ip_match(&a, &net, 0));
	assert_true(ip_match(&a, &net, 2));	/* 0x20: 001..... */
	assert_false(ip_match(&a, &net, 3));
	net = ip("2001:db8::cb01");
	assert_true(ip_match(&a, &net, 128));
	assert_true(ip_match(&a, &net, 129));
	net = ip("2001:db8::cb00");
	assert_false(ip_match(&a, &net, 128));
	assert_true(ip_match(&a, &net, 127));
	net = ip("2001:db8::");
	assert_true(ip_match(&a, &net, 32));
	assert_true(ip_match(&a, &net, 64));
	assert_true(ip_match(&a, &net, 112));
	assert_false(ip_match(&a, &net, 113));
	/* odd prefix: CAFE:BABE:8000::/33 */
	a = ip("cafe:babe:8000::1");
	net = ip("cafe:babe:8000::");
	assert_true(ip_match(&a, &net, 33));
	a = ip("cafe:babe:7fff::1");
	assert_false(ip_match(&a, &net, 33));
	assert_true(ip_match(&a, &net, 32));
	a = ip("2001:db8:0:1::");
	net = ip("2001:db8::");
	assert_false(ip_match(&a, &net, 64));
	assert_true(ip_match(&a, &net, 63));
}

static void
test_match_family(void **state)
{
	struct ipaddr a4 = ip("1.2.3.4"), a6 = ip("::ffff:1.2.3.4"), none;

	(void)state;
	memset(&none, 0, sizeof(none));
	assert_false(ip_match(&a4, &a6, 0));
	assert_false(ip_match(&a6, &a4, 0));
	assert_false(ip_match(&none, &none, 0));
	assert_false(ip_match(&none, &a4, 0));
}

static void
test_unmap(void **state)
{
	struct ipaddr a, u;

	(void)state;
	a = ip("::ffff:1.2.3.4");
	u = ip_unmap(&a);
	assert_int_equal(u.family, 4);
	a = ip("1.2.3.4");
	assert_true(ip_equal(&u, &a));
	u = ip_unmap(&a);			/* IPv4 stays */
	assert_true(ip_equal(&u, &a));
	a = ip("::1.2.3.4");			/* compatible, not mapped */
	u = ip_unmap(&a);
	assert_int_equal(u.family, 6);
	assert_true(ip_equal(&u, &a));
	a = ip("::fffe:1.2.3.4");
	u = ip_unmap(&a);
	assert_int_equal(u.family, 6);
	a = ip("2001:db8::ffff:1.2.3.4");
	u = ip_unmap(&a);
	assert_int_equal(u.family, 6);
}

static void
test_reverse_name(void **state)
{
	struct ipaddr a;
	char out[80];
	char small[72];

	(void)state;
	a = ip("192.0.2.3");
	ip_reverse_name(&a, out, sizeof(out));
	assert_string_equal(out, "3.2.0.192.in-addr.arpa");
	a = ip("2001:db8::cb01");
	ip_reverse_name(&a, out, 73);		/* exactly enough */
	assert_string_equal(out, "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0"
	    ".0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
	assert_int_equal(strlen(out), 72);
	memset(small, 'x', sizeof(small));
	ip_reverse_name(&a, small, sizeof(small));	/* too small: empty */
	assert_string_equal(small, "");
	a = ip("1.2.3.4");
	ip_reverse_name(&a, small, 8);		/* truncated, terminated */
	assert_int_equal(strlen(small), 7);
}

static void
test_format_equal(void **state)
{
	struct ipaddr a, b;
	char out[IP_STRLEN];

	(void)state;
	a = ip("2001:DB8:0:0:0:0:0:CB01");
	ip_format(&a, out, sizeof(out));
	assert_string_equal(out, "2001:db8::cb01");
	a = ip("192.0.2.3");
	ip_format(&a, out, sizeof(out));
	assert_string_equal(out, "192.0.2.3");
	memset(&b, 0, sizeof(b));
	ip_format(&b, out, sizeof(out));
	assert_string_equal(out, "");
	b = ip("192.0.2.3");
	assert_true(ip_equal(&a, &b));
	b = ip("192.0.2.4");
	assert_false(ip_equal(&a, &b));
	b = ip("::ffff:192.0.2.3");
	assert_false(ip_equal(&a, &b));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ip4),
		cmocka_unit_test(test_parse_ip6),
		cmocka_unit_test(test_parse_family),
		cmocka_unit_test(test_match_ip4),
		cmocka_unit_test(test_match_ip6),
		cmocka_unit_test(test_match_family),
		cmocka_unit_test(test_unmap),
		cmocka_unit_test(test_reverse_name),
		cmocka_unit_test(test_format_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
