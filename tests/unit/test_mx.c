/*
 * test_mx.c -- the MX and reverse-DNS check on the zone backend: one
 * fixture per finding ID (tests/zones/lint/mx/<id>.zone, with
 * <id>.rev.zone holding the reverse zone where PTRs matter), a clean
 * domain, timeouts (dns.failure, never a missing record), the bounds for
 * hostile answers, sending addresses, and that mx_start() never waits:
 * a deferred backend answers one wave of queries per poll, so two domains
 * started together finish in as many waves as the dependency chain is
 * deep.
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
#include "ip.h"
#include "mx.h"
#include "unit/findings_test.h"

#define FIXDIR "tests/zones/lint/mx/"

/* ---- helpers --------------------------------------------------------- */

/* Exactly these counts of findings and nothing else. */
static void
expect_only(enum diag_id id, size_t n)
{
	if (count_id(id) != n || found.n != n) {
		dump();
		fail_msg("want %zu x %s and nothing else, got %zu findings",
		    n, diag_info(id)->id, found.n);
	}
}

static void
load_into(struct dns_resolver *r, const char *file, bool must)
{
	const struct dns_zone_error *ze;
	char path[256], err[256];

	snprintf(path, sizeof(path), FIXDIR "%s", file);
	if (!must && access(path, R_OK) != 0)
		return;
	if (dns_zone_load(r, path, NULL, err, sizeof(err)) != 0)
		fail_msg("%s: %s", path, err);
	if (dns_zone_errors(r, &ze) != 0)
		fail_msg("%s:%lu: %s", ze[0].file, ze[0].line, ze[0].msg);
}

/* A resolver with fixture `stem`.zone and, if present, `stem`.rev.zone. */
static struct dns_resolver *
load(const char *stem)
{
	struct dns_resolver *r = dns_zone_new();
	char file[128];

	assert_non_null(r);
	snprintf(file, sizeof(file), "%s.zone", stem);
	load_into(r, file, true);
	snprintf(file, sizeof(file), "%s.rev.zone", stem);
	load_into(r, file, false);
	return r;
}

static void
check(struct dns_resolver *r, const char *domain, const struct mx_opts *o,
    struct mx_result *res)
{
	reset_sink();
	assert_int_equal(mx_check(r, domain, o, res, &sink), 0);
}

static void
add_name(struct dns_resolver *r, const char *owner, uint16_t type,
    const char *target)
{
	struct dns_rr rr;

	memset(&rr, 0, sizeof(rr));
	rr.type = type;
	rr.ttl = 300;
	rr.u.target = target;
	assert_int_equal(dns_zone_add_rr(r, owner, &rr), 0);
}

/* The PTR owner of an address in text form. */
static const char *
rev(const char *ip)
{
	static char out[MX_REVNAME_SIZE];
	struct ipaddr a;

	assert_true(ip_parse(ip, strlen(ip), &a));
	ip_reverse_name(&a, out, sizeof(out));
	return out;
}

static struct ipaddr
addr(const char *ip)
{
	struct ipaddr a;

	assert_true(ip_parse(ip, strlen(ip), &a));
	return a;
}

/* ---- fixtures: one per finding ID ------------------------------------ */

struct fixture {
	const char *id;		/* the file is FIXDIR ID.zone */
	const char *domain;
	size_t count;		/* findings with that ID */
};

static const struct fixture fixtures[] = {
	{ "mx.missing", "mx-missing.test", 1 },
	{ "mx.missing", "noaddr.mx-missing.test", 1 },
	{ "mx.missing", "gone.mx-missing.test", 1 },
	{ "mx.null", "mx-null.test", 1 },
	{ "mx.null", "pref10.mx-null.test", 1 },
	{ "mx.null-mixed", "mx-null-mixed.test", 1 },
	{ "mx.no-address", "mx-no-address.test", 2 },
	{ "mx.cname", "mx-cname.test", 1 },
	{ "mx.ip-literal", "mx-ip-literal.test", 1 },
	{ "mx.ip-literal", "sub.mx-ip-literal.test", 1 },
	{ "mx.duplicate", "mx-duplicate.test", 1 },
	{ "ptr.missing", "ptr-missing.test", 1 },
	{ "ptr.mismatch", "ptr-mismatch.test", 1 },
	/* the test marks slow.<domain> as timing out */
	{ "dns.failure", "mx-dns-failure.test", 2 },
};

static void
test_fixtures(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		const struct fixture *f = &fixtures[i];
		struct dns_resolver *r = load(f->id);
		struct mx_result res;
		enum diag_id id;

		char slow[300];

		assert_true(diag_lookup(f->id, strlen(f->id), &id));
		snprintf(slow, sizeof(slow), "slow.%s", f->domain);
		if (id == DIAG_DNS_FAILURE)
			assert_int_equal(dns_zone_add_timeout(r, slow, true), 0);
		check(r, f->domain, NULL, &res);
		if (count_id(id) != f->count) {
			dump();
			fail_msg("%s.zone: %zu x %s for %s, want %zu", f->id,
			    count_id(id), f->id, f->domain, f->count);
		}
		if (id == DIAG_DNS_FAILURE) {
			/* A and AAAA of the host; never mx.no-address */
			assert_true(res.area.incomplete);
			assert_int_equal(found.n, 2);
		} else {
			/* the others answer every question: nothing fails */
			assert_int_equal(count_id(DIAG_DNS_FAILURE), 0);
			assert_false(res.area.incomplete);
		}
		assert_non_null(first_id(id)->domain);
		mx_result_free(&res);
		dns_free(r);
	}
}

static void
test_clean(void **state)
{
	struct dns_resolver *r = load("clean");
	struct mx_result res;

	(void)state;
	check(r, "mx-clean.test", NULL, &res);
	if (found.n != 0) {
		dump();
		fail_msg("mx-clean.test has findings");
	}
	assert_int_equal(res.mx_status, DNS_OK);
	assert_int_equal(res.nmx, 1);
	assert_int_equal(res.nhost, 1);
	assert_string_equal(res.host[0].name, "mx.mx-clean.test");
	assert_int_equal(res.host[0].pref, 10);
	assert_null(res.host[0].cname);
	assert_int_equal(res.host[0].naddr, 1);
	assert_int_equal(res.host[0].addr[0].iprev, MX_IPREV_PASS);
	assert_string_equal(res.host[0].addr[0].rev,
	    "101.2.0.192.in-addr.arpa");
	assert_int_equal(res.host[0].addr[0].nptr, 1);
	assert_string_equal(res.host[0].addr[0].ptr[0].name,
	    "mx.mx-clean.test");
	assert_true(res.host[0].addr[0].ptr[0].confirmed);
	assert_false(res.area.incomplete);
	assert_string_equal(mx_iprev_name(res.host[0].addr[0].iprev), "pass");
	mx_result_free(&res);
	dns_free(r);
}

/* Out-of-zone owners in one file: the zone backend takes them (NSD does
 * not, which is why the fixtures keep reverse zones apart). */
static void
test_out_of_origin_owner(void **state)
{
	char path[] = "/tmp/test_mx_XXXXXX";
	static const char zone[] =
	    "$ORIGIN one.test.\n$TTL 300\n@ MX 10 mx\nmx A 192.0.2.9\n"
	    "9.2.0.192.in-addr.arpa. PTR mx.one.test.\n";
	struct dns_resolver *r = dns_zone_new();
	const struct dns_zone_error *ze;
	struct mx_result res;
	char err[256];
	int fd;

	(void)state;
	assert_non_null(r);
	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(write(fd, zone, sizeof(zone) - 1),
	    (ssize_t)(sizeof(zone) - 1));
	close(fd);
	assert_int_equal(dns_zone_load(r, path, NULL, err, sizeof(err)), 0);
	unlink(path);
	assert_int_equal(dns_zone_errors(r, &ze), 0);
	check(r, "one.test", NULL, &res);
	assert_int_equal(found.n, 0);
	assert_int_equal(res.host[0].addr[0].iprev, MX_IPREV_PASS);
	mx_result_free(&res);
	dns_free(r);
}

/* ---- each ID in more detail ------------------------------------------ */

static void
test_missing(void **state)
{
	struct dns_resolver *r = load("mx.missing");
	struct mx_result a, b, c;

	(void)state;
	check(r, "mx-missing.test", NULL, &a);
	expect_only(DIAG_MX_MISSING, 1);
	assert_int_equal(a.mx_status, DNS_NODATA);
	assert_int_equal(a.a_status, DNS_OK);	/* implicit MX exists */

	check(r, "noaddr.mx-missing.test", NULL, &b);
	expect_only(DIAG_MX_MISSING, 1);
	assert_int_equal(b.mx_status, DNS_NODATA);
	assert_int_equal(b.a_status, DNS_NODATA);
	assert_int_equal(b.aaaa_status, DNS_NODATA);
	/* the three cases say different things */
	char *m1 = strdup(first_id(DIAG_MX_MISSING)->message);
	check(r, "gone.mx-missing.test", NULL, &c);
	expect_only(DIAG_MX_MISSING, 1);
	assert_int_equal(c.mx_status, DNS_NXDOMAIN);
	assert_string_not_equal(m1, first_id(DIAG_MX_MISSING)->message);
	assert_string_equal(first_id(DIAG_MX_MISSING)->domain,
	    "gone.mx-missing.test");
	free(m1);
	mx_result_free(&a);
	mx_result_free(&b);
	mx_result_free(&c);
	dns_free(r);
}

static void
test_null(void **state)
{
	struct dns_resolver *r = load("mx.null");
	struct mx_result res;

	(void)state;
	check(r, "mx-null.test", NULL, &res);
	expect_only(DIAG_MX_NULL, 1);
	assert_true(res.null_mx);
	assert_int_equal(res.nnull, 1);
	assert_true(res.host[0].null_mx);
	assert_string_equal(res.host[0].name, "");
	assert_string_equal(first_id(DIAG_MX_NULL)->record, "0 .");
	/* a null MX is never resolved: no A/AAAA/PTR queries for "." */
	assert_false(res.host[0].resolved);
	mx_result_free(&res);

	/* RFC 7505 §3: "." names no host at any preference */
	check(r, "pref10.mx-null.test", NULL, &res);
	expect_only(DIAG_MX_NULL, 1);
	assert_string_equal(first_id(DIAG_MX_NULL)->record, "10 .");
	mx_result_free(&res);
	dns_free(r);
}

static void
test_null_mixed(void **state)
{
	struct dns_resolver *r = load("mx.null-mixed");
	struct mx_result res;

	(void)state;
	check(r, "mx-null-mixed.test", NULL, &res);
	expect_only(DIAG_MX_NULL_MIXED, 1);
	assert_int_equal(res.nmx, 2);
	assert_int_equal(res.nnull, 1);
	/* the real host is still checked, and is fine */
	assert_string_equal(res.host[1].name, "mx.mx-null-mixed.test");
	assert_int_equal(res.host[1].addr[0].iprev, MX_IPREV_PASS);
	mx_result_free(&res);

	/* a null MX with a non-zero preference next to another is mixed too */
	add_mx(r, "odd.mx-null-mixed.test", 5, "");
	add_mx(r, "odd.mx-null-mixed.test", 10, "mx.mx-null-mixed.test");
	check(r, "odd.mx-null-mixed.test", NULL, &res);
	expect_only(DIAG_MX_NULL_MIXED, 1);
	mx_result_free(&res);
	dns_free(r);
}

static void
test_no_address(void **state)
{
	struct dns_resolver *r = load("mx.no-address");
	struct mx_result res;

	(void)state;
	check(r, "mx-no-address.test", NULL, &res);
	expect_only(DIAG_MX_NO_ADDRESS, 2);
	assert_int_equal(res.nhost, 2);
	assert_string_equal(res.host[0].name, "mx.mx-no-address.test");
	assert_int_equal(res.host[0].a_status, DNS_NODATA);
	assert_int_equal(res.host[0].aaaa_status, DNS_NODATA);
	assert_string_equal(res.host[1].name, "gone.mx-no-address.test");
	assert_int_equal(res.host[1].a_status, DNS_NXDOMAIN);
	assert_string_equal(found.v[1].domain, "gone.mx-no-address.test");
	assert_string_equal(found.v[1].record, "20 gone.mx-no-address.test");
	mx_result_free(&res);

	/* an IPv6-only host has an address */
	add_mx(r, "v6.mx-no-address.test", 10, "mx6.mx-no-address.test");
	add_addr(r, "mx6.mx-no-address.test", "2001:db8::25");
	add_name(r, rev("2001:db8::25"), DNS_T_PTR, "mx6.mx-no-address.test");
	check(r, "v6.mx-no-address.test", NULL, &res);
	assert_int_equal(found.n, 0);
	assert_int_equal(res.host[0].a_status, DNS_NODATA);
	assert_int_equal(res.host[0].addr[0].ip.family, 6);
	assert_int_equal(res.host[0].addr[0].iprev, MX_IPREV_PASS);
	mx_result_free(&res);
	dns_free(r);
}

static void
test_cname(void **state)
{
	struct dns_resolver *r = load("mx.cname");
	struct mx_result res;

	(void)state;
	check(r, "mx-cname.test", NULL, &res);
	expect_only(DIAG_MX_CNAME, 1);
	assert_string_equal(res.host[0].name, "mail.mx-cname.test");
	assert_non_null(res.host[0].cname);
	assert_string_equal(res.host[0].cname, "mx.mx-cname.test");
	assert_int_equal(res.host[0].naddr, 1);	/* the alias resolves */
	assert_int_equal(res.host[0].addr[0].iprev, MX_IPREV_PASS);
	assert_string_equal(first_id(DIAG_MX_CNAME)->domain,
	    "mail.mx-cname.test");
	mx_result_free(&res);

	/* an alias to nothing: both cname and no-address */
	add_mx(r, "dangling.mx-cname.test", 10, "alias.mx-cname.test");
	add_name(r, "alias.mx-cname.test", DNS_T_CNAME, "nowhere.mx-cname.test");
	check(r, "dangling.mx-cname.test", NULL, &res);
	assert_int_equal(count_id(DIAG_MX_CNAME), 1);
	assert_int_equal(count_id(DIAG_MX_NO_ADDRESS), 1);
	assert_int_equal(found.n, 2);
	mx_result_free(&res);
	dns_free(r);
}

static void
test_ip_literal(void **state)
{
	struct dns_resolver *r = load("mx.ip-literal");
	struct mx_result res;

	(void)state;
	assert_true(mx_is_ip_literal("192.0.2.1", 9));
	assert_true(mx_is_ip_literal("192.0.2.1.", 10));
	assert_true(mx_is_ip_literal("[192.0.2.1]", 11));
	assert_true(mx_is_ip_literal("\\[192.0.2.1\\]", 13));
	assert_true(mx_is_ip_literal("2001:db8::1", 11));
	assert_true(mx_is_ip_literal("[IPv6:2001:db8::1]", 18));
	assert_false(mx_is_ip_literal("mx.example.com", 14));
	assert_false(mx_is_ip_literal("1.2.3", 5));
	assert_false(mx_is_ip_literal("192.0.2.1.example.com", 21));
	assert_false(mx_is_ip_literal("", 0));
	assert_false(mx_is_ip_literal("[]", 2));

	check(r, "mx-ip-literal.test", NULL, &res);
	expect_only(DIAG_MX_IP_LITERAL, 1);
	assert_true(res.host[0].ip_literal);
	assert_false(res.host[0].resolved);	/* a literal is not a name */
	assert_string_equal(first_id(DIAG_MX_IP_LITERAL)->record,
	    "10 192.0.2.107");
	assert_string_equal(first_id(DIAG_MX_IP_LITERAL)->domain,
	    "mx-ip-literal.test");
	mx_result_free(&res);

	/* the forgotten final dot: also resolved, and has no address */
	check(r, "sub.mx-ip-literal.test", NULL, &res);
	assert_int_equal(count_id(DIAG_MX_IP_LITERAL), 1);
	assert_int_equal(count_id(DIAG_MX_NO_ADDRESS), 1);
	assert_true(res.host[0].origin_literal);
	assert_true(res.host[0].resolved);
	mx_result_free(&res);

	/* brackets, as some people write SMTP address literals */
	add_mx(r, "br.mx-ip-literal.test", 10, "[192.0.2.1]");
	add_mx(r, "br.mx-ip-literal.test", 20, "[IPv6:2001:db8::1]");
	check(r, "br.mx-ip-literal.test", NULL, &res);
	expect_only(DIAG_MX_IP_LITERAL, 2);
	mx_result_free(&res);
	dns_free(r);
}

static void
test_duplicate(void **state)
{
	struct dns_resolver *r = load("mx.duplicate");
	struct mx_result res;

	(void)state;
	check(r, "mx-duplicate.test", NULL, &res);
	expect_only(DIAG_MX_DUPLICATE, 1);
	assert_int_equal(res.nhost, 2);
	assert_false(res.host[0].duplicate);
	assert_true(res.host[1].duplicate);
	assert_false(res.host[1].resolved);
	assert_string_equal(first_id(DIAG_MX_DUPLICATE)->record,
	    "20 MX.MX-DUPLICATE.TEST");
	assert_string_equal(first_id(DIAG_MX_DUPLICATE)->domain,
	    "mx-duplicate.test");
	mx_result_free(&res);

	/* a trailing dot does not make a name different */
	add_mx(r, "dot.mx-duplicate.test", 10, "mx.mx-duplicate.test");
	add_mx(r, "dot.mx-duplicate.test", 10, "mx.mx-duplicate.test.");
	check(r, "dot.mx-duplicate.test", NULL, &res);
	expect_only(DIAG_MX_DUPLICATE, 1);
	mx_result_free(&res);
	dns_free(r);
}

static void
test_ptr_missing(void **state)
{
	struct dns_resolver *r = load("ptr.missing");
	struct mx_result res;
	struct ipaddr send[3];
	struct mx_opts o = { .send_ips = send, .nsend_ips = 3 };

	(void)state;
	check(r, "ptr-missing.test", NULL, &res);
	expect_only(DIAG_PTR_MISSING, 1);
	assert_int_equal(res.host[0].addr[0].iprev, MX_IPREV_PERMERROR);
	assert_string_equal(first_id(DIAG_PTR_MISSING)->domain,
	    "102.2.0.192.in-addr.arpa");
	mx_result_free(&res);

	/* sending addresses: one without PTR (NXDOMAIN), one IPv6 that is
	 * fine, one IPv4-mapped that is the MX's own (no PTR either) */
	add_addr(r, "out6.ptr-missing.test", "2001:db8:1::7");
	add_name(r, rev("2001:db8:1::7"), DNS_T_PTR, "out6.ptr-missing.test");
	send[0] = addr("198.51.100.7");
	send[1] = addr("2001:db8:1::7");
	send[2] = addr("::ffff:192.0.2.102");
	check(r, "ptr-missing.test", &o, &res);
	assert_int_equal(count_id(DIAG_PTR_MISSING), 3);
	assert_int_equal(found.n, 3);
	assert_int_equal(res.nsend, 3);
	assert_int_equal(res.send[0].iprev, MX_IPREV_PERMERROR);
	assert_int_equal(res.send[0].ptr_status, DNS_NXDOMAIN);
	assert_int_equal(res.send[1].iprev, MX_IPREV_PASS);
	assert_int_equal(res.send[2].ip.family, 4);
	assert_string_equal(res.send[2].rev, "102.2.0.192.in-addr.arpa");
	assert_int_equal(res.send[2].iprev, MX_IPREV_PERMERROR);
	mx_result_free(&res);
	dns_free(r);
}

static void
test_ptr_mismatch(void **state)
{
	struct dns_resolver *r = load("ptr.mismatch");
	struct mx_result res;
	struct ipaddr send[2];
	struct mx_opts o = { .send_ips = send, .nsend_ips = 2 };

	(void)state;
	check(r, "ptr-mismatch.test", NULL, &res);
	expect_only(DIAG_PTR_MISMATCH, 1);
	assert_int_equal(res.host[0].addr[0].iprev, MX_IPREV_FAIL);
	assert_string_equal(res.host[0].addr[0].ptr[0].name,
	    "host.ptr-mismatch.test");
	assert_int_equal(res.host[0].addr[0].ptr[0].fwd_status, DNS_OK);
	assert_false(res.host[0].addr[0].ptr[0].confirmed);
	assert_string_equal(first_id(DIAG_PTR_MISMATCH)->record,
	    "host.ptr-mismatch.test");
	mx_result_free(&res);

	/* two PTR names, the second confirms: pass (any name will do) */
	add_name(r, rev("198.51.100.8"), DNS_T_PTR, "nowhere.ptr-mismatch.test");
	add_name(r, rev("198.51.100.8"), DNS_T_PTR, "out.ptr-mismatch.test");
	add_addr(r, "out.ptr-mismatch.test", "198.51.100.8");
	/* a PTR name that does not exist: fail, not missing */
	add_name(r, rev("198.51.100.9"), DNS_T_PTR, "ghost.ptr-mismatch.test");
	send[0] = addr("198.51.100.8");
	send[1] = addr("198.51.100.9");
	check(r, "ptr-mismatch.test", &o, &res);
	assert_int_equal(res.send[0].iprev, MX_IPREV_PASS);
	assert_int_equal(res.send[0].nptr, 2);
	assert_int_equal(res.send[1].iprev, MX_IPREV_FAIL);
	assert_int_equal(res.send[1].ptr[0].fwd_status, DNS_NXDOMAIN);
	assert_int_equal(count_id(DIAG_PTR_MISMATCH), 2);	/* MX + .9 */
	assert_int_equal(found.n, 2);
	mx_result_free(&res);
	dns_free(r);
}

/* ---- failures are never missing records ------------------------------ */

static void
test_timeouts(void **state)
{
	struct dns_resolver *r;
	struct mx_result res;
	struct ipaddr send[1];
	struct mx_opts o = { .send_ips = send, .nsend_ips = 1 };

	(void)state;
	/* the MX query itself */
	r = load("clean");
	assert_int_equal(dns_zone_add_timeout(r, "slow.mx-clean.test", false), 0);
	check(r, "slow.mx-clean.test", NULL, &res);
	expect_only(DIAG_DNS_FAILURE, 1);
	assert_true(res.area.incomplete);
	assert_int_equal(res.mx_status, DNS_TIMEOUT);
	assert_string_equal(first_id(DIAG_DNS_FAILURE)->domain,
	    "slow.mx-clean.test");
	mx_result_free(&res);
	dns_free(r);

	/* the MX host's address: no mx.no-address */
	r = load("clean");
	assert_int_equal(dns_zone_add_timeout(r, "mx.mx-clean.test", false), 0);
	check(r, "mx-clean.test", NULL, &res);
	/* the A record is there; only AAAA (absent) times out */
	expect_only(DIAG_DNS_FAILURE, 1);
	assert_int_equal(res.host[0].aaaa_status, DNS_TIMEOUT);
	assert_true(res.area.incomplete);
	mx_result_free(&res);
	add_mx(r, "gone.mx-clean.test", 10, "nohost.slow.mx-clean.test");
	assert_int_equal(dns_zone_add_timeout(r, "slow.mx-clean.test", true), 0);
	check(r, "gone.mx-clean.test", NULL, &res);
	assert_int_equal(count_id(DIAG_DNS_FAILURE), 2);	/* A, AAAA */
	assert_int_equal(count_id(DIAG_MX_NO_ADDRESS), 0);
	assert_int_equal(found.n, 2);
	mx_result_free(&res);
	dns_free(r);

	/* the PTR: temperror, no ptr.missing */
	r = load("ptr.missing");
	assert_int_equal(dns_zone_add_timeout(r, "102.2.0.192.in-addr.arpa",
	    false), 0);
	check(r, "ptr-missing.test", NULL, &res);
	expect_only(DIAG_DNS_FAILURE, 1);
	assert_int_equal(res.host[0].addr[0].iprev, MX_IPREV_TEMPERROR);
	assert_true(res.area.incomplete);
	mx_result_free(&res);
	dns_free(r);

	/* the forward lookup of the PTR name: temperror, no ptr.mismatch */
	r = load("ptr.mismatch");
	add_name(r, rev("198.51.100.10"), DNS_T_PTR, "x.slow.ptr-mismatch.test");
	assert_int_equal(dns_zone_add_timeout(r, "slow.ptr-mismatch.test", true),
	    0);
	send[0] = addr("198.51.100.10");
	check(r, "ptr-mismatch.test", &o, &res);
	assert_int_equal(res.send[0].iprev, MX_IPREV_TEMPERROR);
	assert_int_equal(res.send[0].ptr[0].fwd_status, DNS_TIMEOUT);
	assert_int_equal(count_id(DIAG_DNS_FAILURE), 1);
	assert_int_equal(count_id(DIAG_PTR_MISMATCH), 1);	/* the MX's */
	assert_int_equal(found.n, 2);
	assert_true(res.area.incomplete);
	mx_result_free(&res);
	dns_free(r);
}

/* ---- bounds ---------------------------------------------------------- */

static void
test_bounds(void **state)
{
	struct dns_resolver *r = dns_zone_new();
	struct mx_result res;
	char name[64], ip[32];
	int i;

	(void)state;
	assert_non_null(r);
	/* 40 MX records, least preferred added first */
	for (i = 40; i >= 1; i--) {
		snprintf(name, sizeof(name), "h%d.big.test", i);
		add_mx(r, "big.test", (uint16_t)i, name);
		snprintf(ip, sizeof(ip), "198.51.100.%d", i);
		add_addr(r, name, ip);
		add_name(r, rev(ip), DNS_T_PTR, name);
	}
	/* the most preferred host has 20 addresses */
	for (i = 100; i < 120; i++) {
		snprintf(ip, sizeof(ip), "203.0.113.%d", i);
		add_addr(r, "h1.big.test", ip);
		add_name(r, rev(ip), DNS_T_PTR, "h1.big.test");
	}
	/* 198.51.100.1 has 12 PTR names, none of which resolves back */
	for (i = 0; i < 11; i++) {
		snprintf(name, sizeof(name), "p%d.big.test", i);
		add_name(r, rev("198.51.100.1"), DNS_T_PTR, name);
		add_addr(r, name, "192.0.2.200");
	}
	check(r, "big.test", NULL, &res);
	assert_int_equal(res.nmx, 40);
	assert_int_equal(res.nhost, MX_MAX_HOSTS);
	for (i = 0; i < MX_MAX_HOSTS; i++)
		assert_int_equal(res.host[i].pref, i + 1);
	assert_int_equal(res.host[0].naddr_total, 21);
	assert_int_equal(res.host[0].naddr, MX_MAX_ADDRS);
	/* 198.51.100.1: 12 names (its own h1 and 11 others), 8 examined */
	assert_int_equal(res.host[0].addr[0].nptr_total, 12);
	assert_int_equal(res.host[0].addr[0].nptr, MX_MAX_PTRS);
	for (i = 0; i < MX_MAX_PTRS; i++)
		assert_int_not_equal(res.host[0].addr[0].ptr[i].fwd_status,
		    DNS_PENDING);
	assert_false(res.area.incomplete);
	/* h1 is the first PTR name (added first) and confirms it */
	assert_int_equal(res.host[0].addr[0].iprev, MX_IPREV_PASS);
	assert_int_equal(found.n, 0);
	/* no host past the bound was looked up */
	assert_int_equal(dns_stats(r)->queries,
	    3 +			/* MX, A, AAAA of big.test */
	    2 * MX_MAX_HOSTS +	/* A, AAAA of 32 hosts */
	    MX_MAX_HOSTS - 1 + MX_MAX_ADDRS +	/* PTRs */
	    MX_MAX_PTRS - 1 +	/* A of p0..p6 (h1's A already asked) */
	    0);
	mx_result_free(&res);
	dns_free(r);

	/* 12 PTR names none of which confirms: the message says what was cut */
	r = dns_zone_new();
	assert_non_null(r);
	add_mx(r, "cut.test", 10, "mx.cut.test");
	add_addr(r, "mx.cut.test", "198.51.100.50");
	for (i = 0; i < 12; i++) {
		snprintf(name, sizeof(name), "q%d.cut.test", i);
		add_name(r, rev("198.51.100.50"), DNS_T_PTR, name);
	}
	check(r, "cut.test", NULL, &res);
	expect_only(DIAG_PTR_MISMATCH, 1);
	assert_int_equal(res.host[0].addr[0].nptr_total, 12);
	assert_non_null(strstr(first_id(DIAG_PTR_MISMATCH)->message, "12"));
	mx_result_free(&res);
	dns_free(r);
}

static void
test_bad_name(void **state)
{
	struct dns_resolver *r = dns_zone_new();
	struct mx_result res;
	char longlabel[80];

	(void)state;
	memset(longlabel, 'a', 70);
	memcpy(longlabel + 70, ".test", 6);
	assert_int_equal(mx_start(r, longlabel, NULL, &res), -1);
	mx_result_free(&res);
	assert_int_equal(mx_start(r, "a..test", NULL, &res), -1);
	mx_result_free(&res);
	assert_int_equal(mx_start(r, "", NULL, &res), -1);
	mx_result_free(&res);
	assert_int_equal(dns_stats(r)->submitted, 0);
	/* a trailing dot is fine */
	assert_int_equal(mx_start(r, "x.test.", NULL, &res), 0);
	assert_string_equal(res.domain, "x.test");
	dns_run(r);
	reset_sink();
	mx_finish(&res, &sink);
	expect_only(DIAG_MX_MISSING, 1);
	/* judging twice reports the same, once more */
	reset_sink();
	mx_finish(&res, &sink);
	expect_only(DIAG_MX_MISSING, 1);
	mx_result_free(&res);
	dns_free(r);
}

/* ---- never waits: a backend that answers one wave per poll ----------- */

struct deferred {
	struct dns_resolver *self;	/* the resolver this backend serves */
	struct dns_resolver *zone;	/* where answers come from */
	struct dns_query *queue[512];
	size_t n;
	unsigned polls;			/* poll() calls */
	unsigned waves;			/* polls that answered something */
};

static void
def_start(void *be, struct dns_query *q)
{
	struct deferred *d = be;

	assert_true(d->n < sizeof(d->queue) / sizeof(d->queue[0]));
	d->queue[d->n++] = q;
}

static size_t
def_poll(void *be, int timeout_ms)
{
	struct deferred *d = be;
	struct dns_query *wave[512];
	size_t n = d->n, i;

	(void)timeout_ms;
	d->polls++;
	if (n == 0)
		return 0;
	d->waves++;
	/* answer what was asked before this poll; the follow-ups the
	 * callbacks submit wait for the next one */
	memcpy(wave, d->queue, n * sizeof(wave[0]));
	d->n = 0;
	for (i = 0; i < n; i++)
		dns_query_done(d->self, wave[i], dns_lookup(d->zone,
		    dns_query_name(wave[i]), dns_query_type(wave[i])));
	return d->n;
}

static void
def_free(void *be)
{
	(void)be;
}

static const struct dns_backend_ops def_ops = {
	.start = def_start, .poll = def_poll, .free = def_free,
};

static void
test_never_waits(void **state)
{
	struct deferred d;
	struct dns_resolver *r;
	struct mx_result a, b;
	struct ipaddr send[1];
	struct mx_opts o = { .send_ips = send, .nsend_ips = 1 };

	(void)state;
	memset(&d, 0, sizeof(d));
	d.zone = load("clean");
	load_into(d.zone, "ptr.mismatch.zone", true);
	load_into(d.zone, "ptr.mismatch.rev.zone", true);
	assert_non_null(r = dns_resolver_new(&def_ops, &d));
	d.self = r;
	send[0] = addr("192.0.2.101");

	assert_int_equal(mx_start(r, "mx-clean.test", &o, &a), 0);
	assert_int_equal(mx_start(r, "ptr-mismatch.test", NULL, &b), 0);
	/* both first waves are out and nothing was waited for */
	assert_int_equal(d.polls, 0);
	assert_int_equal(d.n, 3 + 1 + 3);	/* MX, A, AAAA (+ PTR) each */
	assert_int_equal(a.mx_status, DNS_PENDING);

	dns_run(r);
	/* MX -> A/AAAA -> PTR -> A: four waves for both domains together */
	assert_int_equal(d.waves, 4);

	reset_sink();
	mx_finish(&a, &sink);
	assert_int_equal(found.n, 0);
	assert_int_equal(a.host[0].addr[0].iprev, MX_IPREV_PASS);
	assert_int_equal(a.send[0].iprev, MX_IPREV_PASS);
	reset_sink();
	mx_finish(&b, &sink);
	expect_only(DIAG_PTR_MISMATCH, 1);
	mx_result_free(&a);
	mx_result_free(&b);
	dns_free(r);
	dns_free(d.zone);
}

/* A query whose answer never comes is a failure, not a missing record. */
static void
test_lost_answer(void **state)
{
	struct deferred d;
	struct dns_resolver *r;
	struct mx_result res;

	(void)state;
	memset(&d, 0, sizeof(d));
	d.zone = load("clean");
	assert_non_null(r = dns_resolver_new(&def_ops, &d));
	d.self = r;
	assert_int_equal(mx_start(r, "mx-clean.test", NULL, &res), 0);
	/* judge before dns_run(): everything is still pending */
	reset_sink();
	mx_finish(&res, &sink);
	assert_int_equal(count_id(DIAG_DNS_FAILURE), 1);	/* the MX */
	assert_int_equal(count_id(DIAG_MX_MISSING), 0);
	assert_true(res.area.incomplete);
	dns_run(r);	/* the callbacks still find res in place */
	mx_result_free(&res);
	dns_free(r);
	dns_free(d.zone);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_out_of_origin_owner),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_null),
		cmocka_unit_test(test_null_mixed),
		cmocka_unit_test(test_no_address),
		cmocka_unit_test(test_cname),
		cmocka_unit_test(test_ip_literal),
		cmocka_unit_test(test_duplicate),
		cmocka_unit_test(test_ptr_missing),
		cmocka_unit_test(test_ptr_mismatch),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_bad_name),
		cmocka_unit_test(test_never_waits),
		cmocka_unit_test(test_lost_answer),
	};
	int rc;

	diag_list_init(&found, 256);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	diag_list_free(&found);
	return rc;
}
